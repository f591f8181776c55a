/**
 * The WebAssembly SIMD backend: float32 kernels from assembly/kernels.ts on one or more threads,
 * float64 cross entropy over rows of class-index targets (f64x2, within 2 ulp), and float32 CTC
 * (scalar, PyTorch's steps, one sample per chunk; called by losses/ctc_loss.ts). The other
 * float64 problems, NLL and K-dimensional cross entropy with probability targets go to the
 * TypeScript kernels (float64 exact to its rounding), which write their results into wasm memory
 * all the same (tsInWasm).
 */
import { classesTs, elementwiseTs, tsBackend } from './ts.js';
import { alloc, buffer, getRuntime, offsetIn, release, resultArray, resultBlock, viewOf, type ResultBlock } from './memory.js';
import { JOB_CE_INDEX, JOB_CE_INDEX_64, JOB_CE_INDEX_K, JOB_CE_PROB, JOB_CTC, JOB_ELEMENTWISE, getNumThreads, runJob } from './threads.js';
import type { Backend, ClassProblem, ElementwiseKind, ElementwiseProblem, FloatArray, KernelResult } from './types.js';

const KIND: Record<ElementwiseKind, number> = {
  mse: 0,
  l1: 1,
  smoothL1: 2,
  huber: 3,
  bce: 4,
  bceWithLogits: 5,
  klDiv: 6,
  klDivLog: 7,
};

/**
 * Below these many elements a job runs on the calling thread only: waking a worker, handing it the
 * chunks as they are copied in and waiting for it to check out costs tens of microseconds. The
 * losses with an exp or log per element (BCE, BCE with logits, KL, cross entropy) gain from 2^16
 * elements (1.5x for BCE with logits there; cross entropy breaks even at 2^16, 0.89-1.27x over
 * four runs, and gains from 2^17). The regression losses, a subtraction and a few multiplications
 * per element, are bound by the copy into wasm memory and gain less: over four runs MSE took
 * 1.06-1.35x at 2^16, 0.91-1.49x at 2^17 (three runs gained 1.3x or more) and 1.24-1.51x at 2^18
 * (with workers that spin before they sleep; before that, six runs had put the crossover anywhere
 * from 2^16 to 2^20), so they start at 2^17. Measured with `npm run bench:threshold` (one thread
 * against two at every power of two from 2^10 to 2^21, through the public API; results in
 * bench/README.md).
 */
export const PARALLEL_THRESHOLD = 1 << 16;
export const PARALLEL_THRESHOLD_CHEAP = 1 << 17;
let forced: number | null = null;

/** @internal bench/threshold.ts: run every job of at least `n` elements on all threads (null: the measured thresholds). */
export function setParallelThreshold(n: number | null): void {
  forced = n;
}

const CHEAP: ReadonlySet<ElementwiseKind> = new Set(['mse', 'l1', 'smoothL1', 'huber']);

/** Elements per chunk: the unit of work sharing and of the pipelined copy of inputs. */
const CHUNK = 1 << 15;

/**
 * An input in wasm memory: where it is, and whether it is ours to copy into and release. An input
 * that is copied in anyway can take the result of the same shape (the gradient over the logits,
 * the unreduced loss over the target): the kernels write each element after reading it, so the
 * result costs no block and no pass over memory of its own. `result` is then the block to hand out.
 */
interface Placed {
  off: number;
  owned: boolean;
  src: Float32Array | Float64Array | Int32Array;
  result: ResultBlock | null;
}

type Placeable = Float32Array | Float64Array | Int32Array;

function place(a: Placeable, takesResult = false): Placed {
  const at = offsetIn(a);
  if (at >= 0) return { off: at, owned: false, src: a, result: null };
  if (takesResult) {
    const block = resultBlock(a.length, a.BYTES_PER_ELEMENT as 4 | 8);
    return { off: block.off, owned: true, src: a, result: block };
  }
  return { off: alloc(a.byteLength), owned: true, src: a, result: null };
}

/** Copies elements [from, to) of an owned input into place. */
function copyRange(p: Placed, from: number, to: number): void {
  if (!p.owned || to <= from) return;
  const Kind = p.src.constructor as new (b: ArrayBufferLike, off: number, n: number) => Placeable;
  const dst = new Kind(buffer(), p.off, p.src.length);
  dst.set(from === 0 && to === p.src.length ? p.src : p.src.subarray(from, to), from);
}

/** Releases the copies of the inputs; the blocks of results are released only when `failed`. */
function done(failed: boolean, ...ps: (Placed | null)[]): void {
  for (const p of ps) if (p?.owned && (failed || !p.result)) release(p.off, p.src.byteLength);
}

/** The block for a result of n elements: the copy of an input that takes it, or a new one. */
function resultFor(n: number, input: Placed | null, bytesPer: 4 | 8 = 4): ResultBlock {
  return input?.result ?? resultBlock(n, bytesPer);
}

function threadsFor(n: number, cheap = false): number {
  return n >= (forced ?? (cheap ? PARALLEL_THRESHOLD_CHEAP : PARALLEL_THRESHOLD)) ? getNumThreads() : 1;
}

function sumPartials(off: number, n: number): number {
  const v = new Float64Array(buffer(), off, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  return s;
}

function elementwise(p: ElementwiseProblem): KernelResult {
  if (!getRuntime() || p.x.length === 0) return tsBackend.elementwise(p);
  if (!(p.x instanceof Float32Array)) return tsInWasm(p.x, p.x.length, p.wantLoss, false, (g, l) => elementwiseTs(p, g, l)) ?? tsBackend.elementwise(p);
  const n = p.x.length;
  const x = place(p.x, true);
  const y = place(p.y as Float32Array, p.wantLoss);
  const w = p.weight ? place(p.weight as Float32Array) : null;
  const pw = p.posWeight ? place(p.posWeight as Float32Array) : null;
  if (w) copyRange(w, 0, w.src.length);
  if (pw) copyRange(pw, 0, pw.src.length);
  const g = resultFor(n, x);
  const l = p.wantLoss ? resultFor(n, y) : null;
  const nChunks = Math.max(1, Math.ceil(n / CHUNK));
  const partial = alloc(nChunks * 8);
  let failed = true;
  try {
    runJob(
      {
        kind: JOB_ELEMENTWISE,
        n: Math.max(n, 1),
        chunk: CHUNK,
        partial,
        args: [KIND[p.kind], x.off, y.off, w?.off ?? 0, w?.src.length ?? 0, pw?.off ?? 0, pw?.src.length ?? 0, p.scale, p.param, l?.off ?? 0, g.off],
        stage:
          x.owned || y.owned
            ? (c) => {
                const from = c * CHUNK;
                const to = Math.min(n, from + CHUNK);
                copyRange(x, from, to);
                copyRange(y, from, to);
              }
            : null,
      },
      threadsFor(n, CHEAP.has(p.kind)),
    );
    failed = false;
    const sum = n === 0 ? 0 : sumPartials(partial, nChunks);
    return { sum, loss: l ? resultArray(l, n) : null, grad: resultArray(g, n) };
  } finally {
    release(partial, nChunks * 8);
    if (failed) {
      if (g !== x.result) release(g.off, n * 4);
      if (l && l !== y.result) release(l.off, n * 4);
    }
    done(failed, x, y, w, pw);
  }
}

/**
 * The TypeScript kernels, for the problems without a SIMD kernel (float64 elementwise losses, NLL,
 * K-dimensional probability targets, float64 probability rows), with their results in wasm memory:
 * recycled like the SIMD kernels' instead of fresh arrays, whose pages the OS maps in on first
 * touch (float64 MSE 1e7: 78-90 -> 38-52 ms). Null without shared memory, where a view would be
 * copied out again: ordinary arrays are cheaper there. `zeroed`: the kernel adds into its gradient.
 */
function tsInWasm(x: FloatArray, lossLength: number, wantLoss: boolean, zeroed: boolean, run: (grad: FloatArray, loss: FloatArray | null) => number): KernelResult | null {
  if (!getRuntime()!.shared) return null;
  const bytesPer = x instanceof Float64Array ? 8 : 4;
  const g = resultBlock(x.length, bytesPer);
  const l = wantLoss ? resultBlock(lossLength, bytesPer) : null;
  let failed = true;
  try {
    const grad = viewOf(g, x.length);
    if (zeroed) grad.fill(0);
    const sum = run(grad, l ? viewOf(l, lossLength) : null);
    failed = false;
    return { sum, loss: l ? resultArray(l, lossLength) : null, grad: resultArray(g, x.length) };
  } finally {
    if (failed) {
      release(g.off, x.length * bytesPer);
      if (l) release(l.off, lossLength * bytesPer);
    }
  }
}

function classes(p: ClassProblem): KernelResult {
  if (!getRuntime() || p.outer * p.inner === 0) return tsBackend.classes(p); // empty: no job
  // float64: rows of class-index targets have a SIMD kernel (f64x2), the rest stays in TypeScript
  const f64 = p.x instanceof Float64Array;
  if (p.mode === 'nll' || (p.inner !== 1 && !p.target) || (f64 && (p.inner !== 1 || !p.target))) {
    return tsInWasm(p.x, p.outer * p.inner, p.wantLoss, true, (g, l) => classesTs(p, g, l)) ?? tsBackend.classes(p);
  }
  const { C, inner } = p;
  // K-dimensional input (inner > 1) goes by positions, four neighbouring ones per vector; its
  // input is copied in whole before the job starts, since a chunk of positions reads classes spread
  // over the whole of its outer slices. Rows (inner 1) are copied chunk by chunk as the job runs.
  const K = inner !== 1;
  const rows = p.outer * inner;
  const bytesPer = f64 ? 8 : 4;
  const x = place(p.x, true);
  const t = p.target ? place(p.target) : place(p.probs as Float32Array);
  const w = p.weight ? place(p.weight) : null;
  if (w) copyRange(w, 0, w.src.length);
  if (p.target) copyRange(t, 0, t.src.length);
  if (K) copyRange(x, 0, x.src.length);
  const g = resultFor(p.x.length, x, bytesPer);
  const l = p.wantLoss ? resultBlock(rows, bytesPer) : null;
  const chunk = K ? Math.max(4, Math.floor(CHUNK / Math.max(C, 1) / 4) * 4) : Math.max(1, Math.floor(CHUNK / Math.max(C, 1)));
  const nChunks = Math.max(1, Math.ceil(rows / chunk));
  const partial = alloc(nChunks * 8);
  let wsum = C;
  if (p.weight) {
    wsum = 0;
    for (let c = 0; c < C; c++) wsum += p.weight[c];
  }
  let failed = true;
  try {
    const bad = runJob(
      {
        kind: K ? JOB_CE_INDEX_K : f64 ? JOB_CE_INDEX_64 : p.target ? JOB_CE_INDEX : JOB_CE_PROB,
        n: rows,
        chunk,
        partial,
        args: [C, x.off, t.off, w?.off ?? 0, p.ignoreIndex, p.eps, wsum, p.scale, l?.off ?? 0, g.off, inner],
        stage:
          !K && (x.owned || (!p.target && t.owned))
            ? (c) => {
                const from = c * chunk * C;
                const to = Math.min(rows * C, from + chunk * C);
                copyRange(x, from, to);
                if (!p.target) copyRange(t, from, to);
              }
            : null,
      },
      threadsFor(rows * C),
    );
    failed = false;
    let sum = sumPartials(partial, nChunks);
    if (bad > 0) {
      // rows with NaN or an infinite maximum: redo the whole problem exactly (from p.x, not the
      // copy in wasm memory, which now holds gradients)
      const gv = viewOf(g, p.x.length);
      gv.fill(0);
      sum = classesTs(p, gv, l ? viewOf(l, rows) : null);
    }
    return { sum, loss: l ? resultArray(l, rows) : null, grad: resultArray(g, p.x.length) };
  } finally {
    release(partial, nChunks * 8);
    if (failed) {
      if (g !== x.result) release(g.off, p.x.length * bytesPer);
      if (l) release(l.off, rows * bytesPer);
    }
    done(failed, x, t, w);
  }
}

/** A float32 CTC problem: (T, N, C) log-probabilities, one extended target per sample. */
export interface CtcProblem {
  lp: Float32Array;
  T: number;
  N: number;
  C: number;
  blank: number;
  inputLengths: readonly number[];
  /** Per sample: blank, t1, blank, t2, ..., blank. */
  ext: readonly Int32Array[];
  grad: boolean;
}

/**
 * CTC in WebAssembly, samples spread over the threads: the loss per sample, and (p.grad) the
 * gradient exp(lp) - occupancy unscaled, frames past each input length 0. Null where WebAssembly
 * is not available. Everything it allocates is temporary: the gradient comes back as an ordinary
 * array (CTC's arrays are small next to its work).
 */
export function ctcWasm(p: CtcProblem): { nll: Float64Array; grad: Float32Array | null } | null {
  if (!getRuntime() || p.N === 0) return null;
  const { T, N, C } = p;
  const lp = alloc(p.lp.byteLength);
  const extLen = p.ext.reduce((a, e) => a + e.length, 0);
  const ext = alloc(extLen * 4);
  const table = alloc(N * 16);
  const wsBytes = p.ext.map((e) => T * (2 * e.length + C) * 4);
  const ws = alloc(wsBytes.reduce((a, b) => a + b, 0));
  const nll = alloc(N * 8);
  try {
    const buf = buffer();
    new Float32Array(buf, lp, p.lp.length).set(p.lp);
    const rows = new Int32Array(buf, table, N * 4);
    let e = ext;
    let w = ws;
    for (let b = 0; b < N; b++) {
      new Int32Array(buf, e, p.ext[b].length).set(p.ext[b]);
      rows.set([p.inputLengths[b], p.ext[b].length, e, w], b * 4);
      e += p.ext[b].length * 4;
      w += wsBytes[b];
    }
    const work = p.ext.reduce((a, x, b) => a + p.inputLengths[b] * (x.length + C), 0);
    runJob({ kind: JOB_CTC, n: N, chunk: 1, partial: nll, args: [T, N, C, p.blank, lp, table, p.grad ? 1 : 0], stage: null }, threadsFor(work));
    return { nll: new Float64Array(buffer(), nll, N).slice(), grad: p.grad ? new Float32Array(buffer(), lp, p.lp.length).slice() : null };
  } finally {
    release(lp, p.lp.byteLength);
    release(ext, extLen * 4);
    release(table, N * 16);
    release(ws, wsBytes.reduce((a, b) => a + b, 0));
    release(nll, N * 8);
  }
}

export const wasmBackend: Backend = { name: 'wasm', elementwise, classes };

/** Whether the WebAssembly SIMD backend can run here. */
export function wasmAvailable(): boolean {
  return getRuntime() !== null;
}

export type { FloatArray };
