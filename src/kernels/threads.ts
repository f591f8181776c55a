/**
 * Both cores: a pool of workers (worker_threads in Node, Web Workers in browsers) that share the
 * kernels' WebAssembly memory. A job is cut into chunks that the main thread and the workers claim
 * from an atomic counter; each chunk's partial sum has its own slot, so the result does not depend
 * on who computed what (it equals the single-thread result bit for bit).
 *
 * Synchronous by design (a loss returns its value): the main thread posts a job through shared
 * memory, works on it too, and waits for every worker to check out. Workers are unref'd and block
 * in Atomics.wait between jobs, so they never keep a Node process alive; an exception in a worker
 * is reported through shared memory and thrown by the main thread.
 */
import { RuntimeError, ValueError, describe } from '../errors.js';
import { ARGS, CTRL, CTRL_SLOTS, ERRMSG, MAX_THREADS, SCRATCH, getRuntime, type KernelExports } from './memory.js';

// control block slots (Int32 indices from CTRL)
const NEXT = 0; // next chunk to claim
const READY = 1; // chunks whose inputs are in place
const NCHUNKS = 2;
const ERROR = 3; // 1 when a worker failed; message at ERRMSG
const BAD = 4; // rows the cross-entropy kernel left for exact recomputation
const ABORT = 5; // 1 once the job is given up (a failed copy, a failed chunk): nobody starts another chunk
const WORKER_BASE = 16; // per worker w >= 1: SEQ at 16 + 4w, FIN at +1, UP at +2 (up to MAX_THREADS)

/** Job kinds understood by runChunks. */
export const JOB_ELEMENTWISE = 0;
export const JOB_CE_INDEX = 1;
export const JOB_CE_PROB = 2;
export const JOB_CE_INDEX_K = 3;
export const JOB_CE_INDEX_64 = 4;
export const JOB_CTC = 5;
export const JOB_MATMUL = 6;
export const JOB_POINTWISE = 7;
export const JOB_MULTI_MARGIN = 10;
export const JOB_MULTILABEL = 11;
export const JOB_TRIPLET = 12;
export const JOB_ELEMENTWISE_64 = 14;
export const JOB_FAIL = 9; // tests: every worker throws
export const JOB_VALUE_ONLY = 16;

/**
 * Claims and runs chunks of the current job until none is left, or `limit` chunks have run; returns
 * how many ran. Self-contained: it is also serialised into the workers' source, so it may use
 * nothing but its arguments and globals (control slots by number: 0 NEXT, 1 READY, 2 NCHUNKS,
 * 4 BAD, 5 ABORT; ARGS slot 0 the job kind, plus 16 for value only; slot 15 the per-chunk done
 * flags, 0 for none).
 */
export function runChunks(k: KernelExports, buf: ArrayBufferLike, tid: number, ctrlOff: number, argsOff: number, scratchOff: number, limit: number): number {
  const ctrl = new Int32Array(buf, ctrlOff, 256);
  const a = new Float64Array(buf, argsOff, 16);
  const kind = a[0] % 16; // + 16: value only, the row kernels skip their gradient pass
  k.setWantGrad(a[0] < 16 ? 1 : 0);
  const n = a[1];
  const chunk = a[2];
  const partial = a[3];
  const nChunks = Atomics.load(ctrl, 2);
  const sums = new Float64Array(buf, partial, nChunks);
  const done = a[15] ? new Int32Array(buf, a[15], nChunks) : null;
  let ran = 0;
  while (ran < limit) {
    const c = Atomics.add(ctrl, 0, 1);
    if (c >= nChunks) return ran;
    // wait until the main thread has copied this chunk's inputs in: spin first (a chunk's copy
    // takes 10-40 us, and waking from Atomics.wait about as long again), then sleep
    for (let spin = 0; ; spin++) {
      const r = Atomics.load(ctrl, 1);
      if (r > c || Atomics.load(ctrl, 5)) break;
      if (spin > 4000) Atomics.wait(ctrl, 1, r, 5);
    }
    if (Atomics.load(ctrl, 5)) return ran; // given up: its inputs may never arrive
    const start = c * chunk;
    const len = Math.min(chunk, n - start);
    if (kind === 9) throw new Error(`injected failure in thread ${tid}`);
    if (kind === 0) {
      // elementwise: 4 kind, 5 x, 6 y, 7 w, 8 wper, 9 pw, 10 pwper, 11 scale, 12 param, 13 loss, 14 grad
      const b = start * 4;
      sums[c] = k.elementwise(a[4], a[5] + b, a[6] + b, a[7], a[8], a[9], a[10], start, len, a[11], a[12], a[13] ? a[13] + b : 0, a[14] + b, scratchOff);
    } else if (kind === 14) {
      // float64 regression losses: 4 kind, 5 x, 6 y, 7 scale, 8 param, 9 loss (0: none), 10 grad (0: none)
      const b = start * 8;
      sums[c] = k.elementwise64(a[4], a[5] + b, a[6] + b, len, a[7], a[8], a[9] ? a[9] + b : 0, a[10] ? a[10] + b : 0, scratchOff);
    } else if (kind === 5) {
      // CTC, one sample per chunk: 4 T, 5 N, 6 C, 7 blank, 8 log_probs, 9 table (Tb, S, ext, workspace per sample), 10 grad
      const row = new Int32Array(buf, a[9] + start * 16, 4);
      sums[c] = k.ctcSample(a[8], a[4], a[5], a[6], a[7], start, row[0], row[2], row[1], row[3], a[10]);
    } else if (kind === 7) {
      // pointwise losses: 4 kind, 5 x, 6 y, 7 z (0: none), 8 seed, 9 param, 10 extra, 11 grad (0: none), 12 z's grad (0: none)
      const b = start * 4;
      sums[c] = k.pointwise(a[4], a[5] + b, a[6] + b, a[7] ? a[7] + b : 0, len, a[8], a[9], a[10], a[11] ? a[11] + b : 0, a[12] ? a[12] + b : 0, scratchOff);
    } else if (kind === 10 || kind === 11) {
      // rows of margin losses: 4 C, 5 x, 6 targets, 7 loss, 8 grad / hits (0: none); kind 10: 9 w,
      // 10 p, 11 margin, 12 seed; kind 11: 9 the threads' workspaces, C int32 each
      const C = a[4];
      const rb = start * C * 4;
      const lo = a[7] + start * 4;
      sums[c] =
        kind === 10
          ? k.multiMargin(a[5] + rb, a[6] + start * 4, a[9], len, C, a[10], a[11], a[12], lo, a[8] ? a[8] + rb : 0)
          : k.multilabelHits(a[5] + rb, a[6] + rb, len, C, lo, a[8] ? a[8] + rb : 0, a[9] + tid * C * 4);
    } else if (kind === 12) {
      // triplet rows: 4 anchor, 5 positive, 6 negative, 7 D, 8 eps, 9 margin, 10 seed, 11 gradient (0/1)
      const b = start * a[7] * 4;
      sums[c] = k.tripletRows(a[4] + b, a[5] + b, a[6] + b, len, a[7], a[8], a[9], a[10], a[11]);
    } else if (kind === 6) {
      // rows of a matrix product: 4 a, 5 sai, 6 sak, 7 packed b, 8 c, 9 K, 10 N, 11 bias, 12 float64,
      // 13 the threads' A-packing buffers, 14 bytes each
      const pa = a[13] + tid * a[14];
      if (a[12]) k.mm64(a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], start, start + len, scratchOff, pa);
      else k.mm32(a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], start, start + len, scratchOff, pa);
    } else if (kind === 4) {
      // float64 rows, the arguments of kind 1
      const C = a[4];
      const rb = start * C * 8;
      sums[c] = k.ceIndex64(a[5] + rb, a[6] + start * 4, a[7], len, C, a[8], a[9], a[10], a[11], a[12] ? a[12] + start * 8 : 0, a[13] + rb);
    } else if (kind === 3) {
      // positions of (outer, C, inner): 4 C, 5 x, 6 target, 7 w, 8 ignore, 9 eps, 10 wsum, 11 scale, 12 loss, 13 grad, 14 inner
      sums[c] = k.ceIndexK(a[5], a[6], a[7], a[4], a[14], start, start + len, a[8], a[9], a[10], a[11], a[12], a[13]);
    } else {
      // rows of C: 4 C, 5 x, 6 target / probs, 7 w, 8 ignore, 9 eps, 10 wsum, 11 scale, 12 loss, 13 grad
      const C = a[4];
      const rb = start * C * 4;
      sums[c] =
        kind === 1
          ? k.ceIndex(a[5] + rb, a[6] + start * 4, a[7], len, C, a[8], a[9], a[10], a[11], a[12] ? a[12] + start * 4 : 0, a[13] + rb)
          : k.ceProb(a[5] + rb, a[6] + rb, a[7], len, C, a[9], a[11], a[12] ? a[12] + start * 4 : 0, a[13] + rb);
    }
    if (kind >= 1 && kind <= 4) {
      // the cross-entropy kernels count the rows they left for exact recomputation
      const bad = k.getBadRows();
      if (bad) Atomics.add(ctrl, 4, bad);
    }
    if (done) {
      Atomics.store(done, c, 1);
      Atomics.notify(done, c);
    }
    ran++;
  }
  return ran;
}

/** The worker's body (serialised like runChunks): instantiate, then serve jobs forever. */
function workerMain(init: { module: WebAssembly.Module; memory: WebAssembly.Memory; tid: number; ctrl: number; args: number; scratch: number; errmsg: number }, run: typeof runChunks): void {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const k = instance.exports as unknown as KernelExports;
  k.init();
  const buf = init.memory.buffer;
  const ctrl = new Int32Array(buf, init.ctrl, 256);
  const seqAt = 16 + 4 * init.tid;
  let seq = Atomics.load(ctrl, seqAt);
  Atomics.store(ctrl, seqAt + 2, 1); // up
  for (;;) {
    Atomics.wait(ctrl, seqAt, seq);
    seq = Atomics.load(ctrl, seqAt);
    try {
      run(k, init.memory.buffer, init.tid, init.ctrl, init.args, init.scratch, Infinity); // grown since?
    } catch (e) {
      const msg = String((e as Error)?.message ?? e).slice(0, 250);
      const out = new Uint16Array(buf, init.errmsg, 256);
      out.fill(0);
      for (let i = 0; i < msg.length; i++) out[i] = msg.charCodeAt(i);
      Atomics.store(ctrl, 3, 1);
      // give the job up: nobody claims another chunk, and the main thread stops waiting for them
      Atomics.store(ctrl, 5, 1);
      Atomics.store(ctrl, 0, 1 << 30);
    }
    Atomics.store(ctrl, seqAt + 1, seq); // checked out
    Atomics.notify(ctrl, seqAt + 1);
  }
}

const workerSource =
  `const runChunks = ${runChunks.toString()};\n` +
  `const workerMain = ${workerMain.toString()};\n` +
  `const start = (init) => workerMain(init, runChunks);\n` +
  `const wt = typeof process === 'object' && process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : null;\n` +
  `if (wt && wt.parentPort) { wt.parentPort.once('message', start); }\n` +
  `else { self.onmessage = (e) => start(e.data); }\n`;

interface WorkerLike {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

interface Pool {
  workers: WorkerLike[];
  failure: Error | null;
}

let pool: Pool | null = null;
let poolFailed = false;

function hardwareThreads(): number {
  const nav = (globalThis as any).navigator;
  if (nav && typeof nav.hardwareConcurrency === 'number') return nav.hardwareConcurrency;
  const os = (globalThis as any).process?.getBuiltinModule?.('node:os');
  return os?.availableParallelism?.() ?? os?.cpus?.().length ?? 1;
}

let wanted = 0; // 0: auto
/**
 * How many threads (the main one included) the kernels may use: 1 to 32, or 'auto' (the default:
 * one per core, at most 8). More threads than cores only compete for them.
 * @throws ValueError for anything else; the setting is then unchanged.
 */
export function setNumThreads(n: number | 'auto'): void {
  if (n !== 'auto' && !(typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_THREADS)) {
    throw new ValueError(`setNumThreads(): expected an integer from 1 to ${MAX_THREADS} or 'auto', got ${describe(n)}`);
  }
  wanted = n === 'auto' ? 0 : n;
}

/** How many threads (the main one included) the kernels may use: the `setNumThreads` value, or with 'auto' (the default) one per core, at most 8. */
export function getNumThreads(): number {
  return wanted || Math.min(8, Math.max(1, hardwareThreads()));
}

function createWorker(): WorkerLike | null {
  const proc = (globalThis as any).process;
  const wt = proc?.getBuiltinModule?.('node:worker_threads');
  if (wt) {
    const w = new wt.Worker(workerSource, { eval: true, execArgv: [] });
    w.unref();
    return w;
  }
  const W = (globalThis as any).Worker;
  const B = (globalThis as any).Blob;
  const U = (globalThis as any).URL;
  if (typeof W === 'function' && typeof B === 'function' && U?.createObjectURL) {
    return new W(U.createObjectURL(new B([workerSource], { type: 'text/javascript' })));
  }
  return null;
}

/** Starts the workers (once); false where threads are not possible here. */
function ensurePool(threads: number): Pool | null {
  const rt = getRuntime();
  if (!rt || !rt.shared || poolFailed) return null;
  if (pool && pool.workers.length + 1 >= threads) return pool;
  try {
    pool ??= { workers: [], failure: null };
    const p = pool;
    while (p.workers.length + 1 < Math.min(threads, MAX_THREADS)) {
      const tid = p.workers.length + 1;
      const w = createWorker();
      if (!w) break;
      const onError = (e: unknown): void => {
        // one that never started cannot start here (a policy blocks workers): no pool from now on
        const ctrl = new Int32Array(rt.memory.buffer, CTRL, CTRL_SLOTS);
        if (Atomics.load(ctrl, WORKER_BASE + 4 * tid + 2) !== 1) poolFailed = true;
        p.failure = e instanceof Error ? e : new Error(String((e as { message?: string })?.message ?? e));
      };
      const anyW = w as any;
      if (typeof anyW.on === 'function') anyW.on('error', onError);
      else anyW.onerror = onError;
      w.postMessage({ module: rt.module, memory: rt.memory, tid, ctrl: CTRL, args: ARGS, scratch: SCRATCH + 64 * tid, errmsg: ERRMSG });
      p.workers.push(w);
    }
    if (p.workers.length === 0) {
      poolFailed = true;
      pool = null;
    }
    return pool;
  } catch {
    poolFailed = true;
    pool = null;
    return null;
  }
}

/** The workers that have started and wait for jobs (a pool warms up asynchronously). */
function readyWorkers(p: Pool, threads: number): number[] {
  const ctrl = new Int32Array(getRuntime()!.memory.buffer, CTRL, CTRL_SLOTS);
  const out: number[] = [];
  for (let tid = 1; tid <= p.workers.length && out.length + 1 < threads; tid++) {
    if (Atomics.load(ctrl, WORKER_BASE + 4 * tid + 2) === 1) out.push(tid);
  }
  return out;
}

/**
 * Starts the worker pool if it has not started, and resolves with the number of threads (the
 * calling one included) ready to share work. Workers start in the background, so jobs run on fewer
 * threads until then: await this before timing anything. 1 where threads are not possible (no
 * shared memory: browsers that are not cross-origin isolated) or `setNumThreads(1)`.
 */
export async function threadsReady(timeoutMs = 10000): Promise<number> {
  const threads = getNumThreads();
  const p = ensurePool(threads);
  if (!p) return 1;
  const until = Date.now() + timeoutMs;
  while (!p.failure && readyWorkers(p, threads).length + 1 < Math.min(threads, p.workers.length + 1) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return p.failure ? 1 : readyWorkers(p, threads).length + 1;
}

/** Stops the workers (tests); the next parallel job starts new ones. */
export async function shutdownThreads(): Promise<void> {
  const p = pool;
  pool = null;
  poolFailed = false;
  if (!p) return;
  // their 'up' flags go down now: a new worker of the same tid must not count as ready (and be
  // handed a job) before it has started and read its job counter
  const rt = getRuntime();
  if (rt) {
    const ctrl = new Int32Array(rt.memory.buffer, CTRL, CTRL_SLOTS);
    for (let tid = 1; tid <= p.workers.length; tid++) Atomics.store(ctrl, WORKER_BASE + 4 * tid + 2, 0);
  }
  await Promise.all(p.workers.map((w) => w.terminate()));
}

export interface Job {
  /** A JOB_* kind; plus JOB_VALUE_ONLY when the gradient is not wanted. */
  kind: number;
  /** Elements (elementwise) or rows (cross entropy) and chunk size in those units. */
  n: number;
  chunk: number;
  /** Byte offset of nChunks float64 slots for the partial sums. */
  partial: number;
  /** The kind-specific arguments, slots 4.. of ARGS. */
  args: number[];
  /**
   * Copies chunk c's inputs into wasm memory (main thread, in order) before anyone may run it;
   * null when the inputs are already there.
   */
  stage: ((c: number) => void) | null;
  /**
   * Copies chunk c's results out of wasm memory (main thread, in order, as soon as the chunk is
   * done, while other threads compute the rest); with it, `done` is the byte offset of nChunks
   * Int32 flags, zeroed. Null: the caller copies the results out after the job.
   */
  collect: ((c: number) => void) | null;
  done: number;
}

/** Waits up to a millisecond for a[i] to change; spins where the thread may not wait (browsers' main thread). */
function pause(a: Int32Array, i: number): void {
  try {
    Atomics.wait(a, i, Atomics.load(a, i), 1);
  } catch {
    // keep spinning
  }
}

/**
 * Runs a job on `threads` threads (1: here only). Returns the number of rows the cross-entropy
 * kernel left for exact recomputation. Throws when a worker, a copy or a chunk failed; whatever
 * happened, every worker has left the job when this returns or throws, so the next job starts
 * from an idle pool.
 */
export function runJob(job: Job, threads: number): number {
  const rt = getRuntime()!;
  const buf = rt.memory.buffer;
  const ctrl = new Int32Array(buf, CTRL, CTRL_SLOTS);
  const args = new Float64Array(buf, ARGS, 16);
  const nChunks = Math.ceil(job.n / job.chunk);
  args.fill(0);
  args[0] = job.kind;
  args[1] = job.n;
  args[2] = job.chunk;
  args[3] = job.partial;
  for (let i = 0; i < job.args.length; i++) args[4 + i] = job.args[i];
  args[15] = job.collect ? job.done : 0;
  Atomics.store(ctrl, NEXT, 0);
  Atomics.store(ctrl, READY, job.stage ? 0 : nChunks);
  Atomics.store(ctrl, NCHUNKS, nChunks);
  Atomics.store(ctrl, ERROR, 0);
  Atomics.store(ctrl, BAD, 0);
  Atomics.store(ctrl, ABORT, 0);
  let p = threads > 1 ? ensurePool(threads) : null;
  if (p?.failure) {
    // a worker died between jobs: this job runs without the pool; the next one starts new workers,
    // unless they could never start here
    const never = poolFailed;
    void shutdownThreads();
    poolFailed = never;
    p = null;
  }
  const helpers = p && nChunks > 1 ? readyWorkers(p, threads) : [];
  const seqs = helpers.map((tid) => {
    const at = WORKER_BASE + 4 * tid;
    const s = Atomics.add(ctrl, at, 1) + 1;
    Atomics.notify(ctrl, at);
    return s;
  });
  let failure: unknown = null;
  const giveUp = (e: unknown): void => {
    failure ??= e;
    Atomics.store(ctrl, ABORT, 1);
    Atomics.store(ctrl, NEXT, 1 << 30);
    Atomics.notify(ctrl, READY);
  };
  try {
    if (job.stage) {
      for (let c = 0; c < nChunks; c++) {
        job.stage(c);
        Atomics.store(ctrl, READY, c + 1);
        if (helpers.length) Atomics.notify(ctrl, READY);
      }
    }
    // a test job that only workers should fail: the main thread leaves it to them
    const mainRuns = job.kind % JOB_VALUE_ONLY !== JOB_FAIL || helpers.length === 0;
    if (!job.collect) {
      if (mainRuns) runChunks(rt.exports, buf, 0, CTRL, ARGS, SCRATCH, Infinity);
    } else {
      // compute chunks and copy finished ones out in order, whichever is possible
      const done = new Int32Array(buf, job.done, nChunks);
      let next = 0;
      let claimed = !mainRuns;
      let since = 0;
      while (next < nChunks && !Atomics.load(ctrl, ABORT)) {
        if (Atomics.load(done, next)) {
          job.collect(next++);
          since = 0;
        } else if (!claimed) claimed = runChunks(rt.exports, buf, 0, CTRL, ARGS, SCRATCH, 1) === 0;
        else {
          since ||= Date.now();
          if (Date.now() - since > 30000) throw new RuntimeError('a losskit worker stopped responding');
          pause(done, next);
        }
      }
    }
  } catch (e) {
    giveUp(e);
  } finally {
    // wait for every helper to leave this job, even after a failure here
    const deadline = Date.now() + 30000;
    for (let i = 0; i < helpers.length; i++) {
      const at = WORKER_BASE + 4 * helpers[i] + 1;
      let spins = 0;
      while (Atomics.load(ctrl, at) !== seqs[i]) {
        if (++spins <= 2000) continue;
        if (Date.now() > deadline) {
          // it will never report: start over with new workers
          void shutdownThreads();
          failure ??= new RuntimeError(`a losskit worker (thread ${helpers[i]}) stopped responding`);
          break;
        }
        pause(ctrl, at);
      }
    }
  }
  if (failure) throw failure;
  if (Atomics.load(ctrl, ERROR)) {
    const m = new Uint16Array(buf, ERRMSG, 256);
    let s = '';
    for (let i = 0; i < m.length && m[i]; i++) s += String.fromCharCode(m[i]);
    throw new RuntimeError(`a losskit worker failed: ${s}`);
  }
  if (job.collect && Atomics.load(ctrl, ABORT)) throw new RuntimeError('losskit: a threaded job was given up');
  return Atomics.load(ctrl, BAD);
}
