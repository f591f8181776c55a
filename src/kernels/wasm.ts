/**
 * The WebAssembly SIMD backend: float32 kernels from assembly/kernels.ts on one or more threads,
 * float64 cross entropy over rows of class-index targets (f64x2, within 2 ulp), the float64
 * regression losses (f64x2, PyTorch's float64 operations, bit for bit), float32 CTC
 * (assembly/rows.ts: SIMD over the extended target, one sample per chunk; called by
 * losses/ctc_loss.ts), float32 triplet rows, and the float32 margin losses of kernels/margins.ts
 * (assembly/classes.ts). The other float64 problems (BCE, BCE with logits, KL, cross entropy
 * with probability or K-dimensional targets), NLL (it writes one element a row: the cost is the
 * fresh gradient's pages) and class problems of up to 256 elements go to the TypeScript kernels
 * (float64 exact to its rounding).
 *
 * Every call works the same way: take scratch in wasm memory, copy the inputs in chunk by chunk
 * while the other threads already compute on the chunks that have arrived, write the gradient
 * over the input's copy and the unreduced loss over the target's, and copy the finished chunks
 * out into the caller's new arrays as they complete. The scratch is released on return.
 */
import { classesTs, tsBackend } from './ts.js';
import { MAX_THREADS, buffer, fresh, getRuntime, scratch } from './memory.js';
import { JOB_CE_INDEX, JOB_CE_INDEX_64, JOB_CE_INDEX_K, JOB_CE_PROB, JOB_CTC, JOB_ELEMENTWISE, JOB_ELEMENTWISE_64, JOB_MULTILABEL, JOB_MULTI_MARGIN, JOB_POINTWISE, JOB_TRIPLET, JOB_VALUE_ONLY, getNumThreads, runJob } from './threads.js';
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
/** The float64 regression losses, bound by the main thread's copies: 2 threads lost below 2^18 elements (0.3-0.9x) and won 1.1-1.2x there (value+grad, two runs). */
export const PARALLEL_THRESHOLD_64 = 1 << 18;
let forced: number | null = null;

/** @internal bench/threshold.ts: run every job of at least `n` elements on all threads (null: the measured thresholds). */
export function setParallelThreshold(n: number | null): void {
  forced = n;
}

const CHEAP: ReadonlySet<ElementwiseKind> = new Set(['mse', 'l1', 'smoothL1', 'huber']);

/** Elements per chunk: the unit of work sharing and of the pipelined copy of inputs. */
const CHUNK = 1 << 15;

type Take = (bytes: number) => number;
type Flat = Float32Array | Float64Array | Int32Array;

/** Copies `a` into new scratch; returns its offset. */
function copyIn(take: Take, a: Flat): number {
  const off = take(a.byteLength);
  view(a, off).set(a);
  return off;
}

function view<A extends Flat>(like: A, off: number, n = like.length): A {
  const Kind = like.constructor as new (b: ArrayBufferLike, off: number, n: number) => A;
  return new Kind(buffer(), off, n);
}

/** Zeroed per-chunk done flags for a job that copies its results out as chunks finish. */
function doneFlags(take: Take, nChunks: number): number {
  const off = take(nChunks * 4);
  new Int32Array(buffer(), off, nChunks).fill(0);
  return off;
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

/**
 * The kernel's kind. Smooth L1 with beta 1 is Huber with delta 1 bit for bit (0.5 z z / 1, z - 0.5,
 * d / 1), without smooth L1's two divisions: 1e7 float32 in wasm memory, 6.1-6.3 -> 5.5-5.7 ms.
 */
const kindOf = (p: ElementwiseProblem): number => KIND[p.kind === 'smoothL1' && p.param === 1 ? 'huber' : p.kind];

function elementwise(p: ElementwiseProblem): KernelResult {
  if (!getRuntime() || p.x.length === 0) return tsBackend.elementwise(p);
  const n = p.x.length;
  if (p.x instanceof Float32Array) {
    // the gradient is written over x's copy (also when it is not wanted), the loss over y's
    return streamed(p, (xo, yo, take, _grad, loss) => {
      const wo = p.weight ? copyIn(take, p.weight) : 0;
      const pwo = p.posWeight ? copyIn(take, p.posWeight) : 0;
      return {
        kind: JOB_ELEMENTWISE,
        args: [kindOf(p), xo, yo, wo, p.weight?.length ?? 0, pwo, p.posWeight?.length ?? 0, p.scale, p.param, loss ? yo : 0, xo],
        threads: threadsFor(n, CHEAP.has(p.kind)),
      };
    });
  }
  // float64: the regression losses (no weights) in f64x2; the value alone (no gradient wanted) is
  // computed alone, nothing written over x's copy
  if (!CHEAP.has(p.kind)) return tsBackend.elementwise(p);
  return streamed(p, (xo, yo, _take, grad, loss) => ({
    kind: JOB_ELEMENTWISE_64 + (grad ? 0 : JOB_VALUE_ONLY),
    args: [kindOf(p), xo, yo, p.scale, p.param, loss ? yo : 0, grad ? xo : 0],
    threads: n >= (forced ?? PARALLEL_THRESHOLD_64) ? getNumThreads() : 1,
  }));
}

/** Elements per chunk of a float64 job: the bytes of a float32 chunk. */
const CHUNK_64 = CHUNK / 2;

/**
 * An elementwise job over x and y: both copied into scratch chunk by chunk as the threads compute,
 * the gradient read back from x's copy and the unreduced loss from y's, chunk by chunk as they
 * finish. `job` takes any further scratch and names the kernel, its arguments and the threads.
 */
function streamed(
  p: ElementwiseProblem,
  job: (xo: number, yo: number, take: Take, grad: boolean, loss: boolean) => { kind: number; args: number[]; threads: number },
): KernelResult {
  const n = p.x.length;
  const f64 = p.x instanceof Float64Array;
  const chunk = f64 ? CHUNK_64 : CHUNK;
  const grad = p.wantGrad ? fresh(n, f64 ? 8 : 4, true) : null;
  const loss = p.wantLoss ? fresh(n, f64 ? 8 : 4, true) : null;
  const nChunks = Math.ceil(n / chunk);
  return scratch((take) => {
    const xo = take(p.x.byteLength);
    const yo = take(p.x.byteLength);
    const { kind, args, threads } = job(xo, yo, take, grad !== null, loss !== null);
    const partial = take(nChunks * 8);
    const done = grad || loss ? doneFlags(take, nChunks) : 0;
    const X = view(p.x, xo);
    const Y = view(p.x, yo);
    const range = (c: number): [number, number] => [c * chunk, Math.min(n, (c + 1) * chunk)];
    runJob(
      {
        kind,
        n,
        chunk,
        partial,
        args,
        stage: (c) => {
          const [from, to] = range(c);
          X.set(p.x.subarray(from, to), from);
          Y.set(p.y.subarray(from, to), from);
        },
        collect:
          grad || loss
            ? (c) => {
                const [from, to] = range(c);
                if (grad) grad.set(X.subarray(from, to), from);
                if (loss) loss.set(Y.subarray(from, to), from);
              }
            : null,
        done,
      },
      threads,
    );
    return { sum: sumPartials(partial, nChunks), loss, grad };
  });
}

/** Elements up to which class problems take the TypeScript kernel on every backend. */
const SMALL_CLASSES = 256;

function classes(p: ClassProblem): KernelResult {
  const f64 = p.x instanceof Float64Array;
  // float64: rows of class-index targets have a SIMD kernel (f64x2), the rest stays in TypeScript
  // a few hundred elements: the TypeScript loop is done before the copies in and out would be
  // (cross entropy [4, 5], value+grad: 4.2 us a call, 6.3 us through WebAssembly)
  if (!getRuntime() || p.outer * p.inner === 0 || p.x.length <= SMALL_CLASSES || p.mode === 'nll' || (p.inner !== 1 && !p.target) || (f64 && (p.inner !== 1 || !p.target))) {
    return tsBackend.classes(p);
  }
  const { C, inner } = p;
  // K-dimensional input (inner > 1) goes by positions, four neighbouring ones per vector; a chunk
  // of positions reads and writes C segments of its outer slices, which on several threads are
  // copied in and out as the job runs (chunks of about 16 CHUNK elements: segments of tens of KB).
  // Rows (inner 1) are copied in and out chunk by chunk.
  const K = inner !== 1;
  const rows = p.outer * inner;
  const bytesPer = f64 ? 8 : 4;
  const grad = p.wantGrad ? fresh(p.x.length, bytesPer, true) : null;
  const loss = p.wantLoss ? fresh(rows, bytesPer, true) : null;
  const chunk = K ? Math.max(4, Math.floor((16 * CHUNK) / Math.max(C, 1) / 4) * 4) : Math.max(1, Math.floor(CHUNK / Math.max(C, 1)));
  const nChunks = Math.ceil(rows / chunk);
  let wsum = C;
  if (p.weight) {
    wsum = 0;
    for (let c = 0; c < C; c++) wsum += p.weight[c];
  }
  return scratch((take) => {
    const xo = take(p.x.byteLength);
    const to = p.target ? copyIn(take, p.target) : take(p.probs!.byteLength);
    const wo = p.weight ? copyIn(take, p.weight) : 0;
    const lo = loss ? take(rows * bytesPer) : 0;
    const partial = take(nChunks * 8);
    const done = grad ? doneFlags(take, nChunks) : 0;
    const X = view(p.x, xo);
    const P = p.probs ? view(p.probs, to) : null;
    const range = (c: number): [number, number] => [c * chunk * C, Math.min(rows, (c + 1) * chunk) * C];
    /** The flat [from, to) segments of chunk c's positions, one per class and outer slice. */
    const segments = (c: number, fn: (from: number, to: number) => void): void => {
      let q = c * chunk;
      const end = Math.min(rows, q + chunk);
      while (q < end) {
        const o = Math.floor(q / inner);
        const i0 = q - o * inner;
        const i1 = Math.min(inner, i0 + end - q);
        for (let k = 0; k < C; k++) {
          const b = (o * C + k) * inner;
          fn(b + i0, b + i1);
        }
        q += i1 - i0;
      }
    };
    // K-dim on one thread: copied in whole and out whole (the segments' calls cost 1-2 ms there)
    const threads = threadsFor(rows * C);
    const piped = !K || threads > 1;
    if (!piped) X.set(p.x);
    const bad = runJob(
      {
        kind: (K ? JOB_CE_INDEX_K : f64 ? JOB_CE_INDEX_64 : p.target ? JOB_CE_INDEX : JOB_CE_PROB) + (grad ? 0 : JOB_VALUE_ONLY),
        n: rows,
        chunk,
        partial,
        args: [C, xo, to, wo, p.ignoreIndex, p.eps, wsum, p.scale, lo, xo, inner],
        stage: K
          ? piped
            ? (c) => segments(c, (from, end) => X.set(p.x.subarray(from, end), from))
            : null
          : (c) => {
              const [from, end] = range(c);
              X.set(p.x.subarray(from, end), from);
              if (P) P.set(p.probs!.subarray(from, end), from);
            },
        collect:
          grad && (piped || !K)
          ? K
            ? (c) => segments(c, (from, end) => grad.set(X.subarray(from, end), from))
            : (c) => {
                const [from, end] = range(c);
                grad.set(X.subarray(from, end), from);
              }
          : null,
        done,
      },
      threads,
    );
    if (grad && K && !piped) grad.set(X);
    if (loss) loss.set(view(loss, lo));
    if (bad > 0) {
      // rows with NaN or an infinite maximum: redo the whole problem exactly, from p.x
      grad?.fill(0);
      return { sum: classesTs(p, grad, loss), loss, grad };
    }
    return { sum: sumPartials(partial, nChunks), loss, grad };
  });
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
  return scratch((take) => {
    const lp = copyIn(take, p.lp);
    const exts = p.ext.map((e) => copyIn(take, e));
    const table = take(N * 16);
    const k = getRuntime()!.exports;
    const ws = p.ext.map((e) => take(k.ctcWorkspace(T, e.length, C) * 4));
    const nll = take(N * 8);
    const rows = new Int32Array(buffer(), table, N * 4);
    for (let b = 0; b < N; b++) rows.set([p.inputLengths[b], p.ext[b].length, exts[b], ws[b]], b * 4);
    const work = p.ext.reduce((a, x, b) => a + p.inputLengths[b] * (x.length + C), 0);
    runJob({ kind: JOB_CTC, n: N, chunk: 1, partial: nll, args: [T, N, C, p.blank, lp, table, p.grad ? 1 : 0], stage: null, collect: null, done: 0 }, threadsFor(work));
    return { nll: new Float64Array(buffer(), nll, N).slice(), grad: p.grad ? new Float32Array(buffer(), lp, p.lp.length).slice() : null };
  });
}

/**
 * The pointwise losses of pointwise.ts (kind: 0 soft margin, 1 Poisson NLL with log input, 2 with
 * rates, 3 Gaussian NLL with z the variance, 4 margin ranking with z the target) over float32 inputs of one length, for 'mean'/'sum':
 * Σ loss, and (wantGrad) the gradient times `seed` in a new array, and (wantGradZ, Gaussian) the
 * variance's. Null where WebAssembly is not available. The inputs are copied in chunk by chunk
 * while the threads compute (as `elementwise`).
 */
export function pointwiseWasm(
  kind: number, x: Float32Array, y: Float32Array, z: Float32Array | null, seed: number, param: number, extra: number, wantGrad: boolean, wantGradZ = false,
): { sum: number; grad: Float32Array | null; gradZ: Float32Array | null } | null {
  if (!getRuntime() || x.length === 0) return null;
  const n = x.length;
  const grad = wantGrad ? (fresh(n, 4, true) as Float32Array) : null;
  const gradZ = wantGradZ && z ? (fresh(n, 4, true) as Float32Array) : null;
  const nChunks = Math.ceil(n / CHUNK);
  return scratch((take) => {
    // the gradients are written over x's and z's copies
    const xo = take(n * 4);
    const yo = take(n * 4);
    const zo = z ? take(n * 4) : 0;
    const partial = take(nChunks * 8);
    const done = grad || gradZ ? doneFlags(take, nChunks) : 0;
    const X = new Float32Array(buffer(), xo, n);
    const Y = new Float32Array(buffer(), yo, n);
    const Z = z ? new Float32Array(buffer(), zo, n) : null;
    const range = (c: number): [number, number] => [c * CHUNK, Math.min(n, (c + 1) * CHUNK)];
    runJob(
      {
        kind: JOB_POINTWISE,
        n,
        chunk: CHUNK,
        partial,
        // the kernel writes x's gradient whenever z's is wanted (over x's copy, unread then)
        args: [kind, xo, yo, zo, seed, param, extra, grad || gradZ ? xo : 0, gradZ ? zo : 0],
        stage: (c) => {
          const [from, to] = range(c);
          X.set(x.subarray(from, to), from);
          Y.set(y.subarray(from, to), from);
          if (Z) Z.set(z!.subarray(from, to), from);
        },
        collect:
          grad || gradZ
            ? (c) => {
                const [from, to] = range(c);
                if (grad) grad.set(X.subarray(from, to), from);
                if (gradZ) gradZ.set(Z!.subarray(from, to), from);
              }
            : null,
        done,
      },
      threadsFor(n),
    );
    return { sum: sumPartials(partial, nChunks), grad, gradZ };
  });
}

export const wasmBackend: Backend = { name: 'wasm', elementwise, classes };

/** Whether the WebAssembly SIMD backend can run here. */
export function wasmAvailable(): boolean {
  return getRuntime() !== null;
}

export type { FloatArray };

/**
 * The triplet margin loss's rows (float32, default distance) on the threads (assembly/rows.ts):
 * the rows copied in chunk by chunk, the gradients wanted written over the copies and copied out
 * into `grads` as chunks finish. Returns the sum of the hinges at `seed`.
 */
export function tripletWasm(d: Float32Array[], rows: number, D: number, eps: number, margin: number, seed: number, grads: (Float32Array | null)[]): number {
  const len = rows * D;
  const chunk = Math.max(1, Math.floor(CHUNK / D));
  const nChunks = Math.ceil(rows / chunk);
  const wantGrad = grads.some(Boolean);
  return scratch((take) => {
    const offs = d.map(() => take(len * 4));
    const partial = take(nChunks * 8);
    const done = wantGrad ? doneFlags(take, nChunks) : 0;
    const views = offs.map((o) => new Float32Array(buffer(), o, len));
    const range = (c: number): [number, number] => [c * chunk * D, Math.min(rows, (c + 1) * chunk) * D];
    runJob(
      {
        kind: JOB_TRIPLET + (wantGrad ? 0 : JOB_VALUE_ONLY),
        n: rows,
        chunk,
        partial,
        args: [offs[0], offs[1], offs[2], D, eps, margin, seed, wantGrad ? 1 : 0],
        stage: (c) => {
          const [from, to] = range(c);
          for (let i = 0; i < 3; i++) views[i].set(d[i].subarray(from, to), from);
        },
        collect: wantGrad
          ? (c) => {
              const [from, to] = range(c);
              for (let i = 0; i < 3; i++) grads[i]?.set(views[i].subarray(from, to), from);
            }
          : null,
        done,
      },
      threadsFor(len),
    );
    return sumPartials(partial, nChunks);
  });
}

/**
 * multiMarginLoss over float32 (N, C) rows in WebAssembly (assembly/classes.ts), rows copied in
 * and the gradient out chunk by chunk while the threads compute: each row's loss into `rows`, and
 * (wantGrad) the gradient at `seed` in a new array. Null where WebAssembly is not available.
 */
export function multiMarginWasm(x: Float32Array, target: Int32Array, w: Float32Array | null, C: number, p: number, margin: number, seed: number, wantGrad: boolean, rows: Float32Array): { grad: Float32Array | null } | null {
  if (!getRuntime() || target.length === 0) return null;
  const N = target.length;
  const grad = wantGrad ? (fresh(x.length, 4, true) as Float32Array) : null;
  const chunk = Math.max(1, Math.floor(CHUNK / C));
  const nChunks = Math.ceil(N / chunk);
  return scratch((take) => {
    // the gradient is written over x's copy
    const xo = take(x.byteLength);
    const to = copyIn(take, target);
    const wo = w ? copyIn(take, w) : 0;
    const lo = take(N * 4);
    const partial = take(nChunks * 8);
    const done = grad ? doneFlags(take, nChunks) : 0;
    const X = new Float32Array(buffer(), xo, x.length);
    const range = (c: number): [number, number] => [c * chunk * C, Math.min(N, (c + 1) * chunk) * C];
    runJob(
      {
        kind: JOB_MULTI_MARGIN + (grad ? 0 : JOB_VALUE_ONLY),
        n: N,
        chunk,
        partial,
        args: [C, xo, to, lo, grad ? xo : 0, wo, p, margin, seed],
        stage: (c) => {
          const [from, end] = range(c);
          X.set(x.subarray(from, end), from);
        },
        collect: grad
          ? (c) => {
              const [from, end] = range(c);
              grad.set(X.subarray(from, end), from);
            }
          : null,
        done,
      },
      threadsFor(x.length, true),
    );
    rows.set(new Float32Array(buffer(), lo, N));
    return { grad };
  });
}

/**
 * multilabelMarginLoss over float32 (N, C) rows in WebAssembly (assembly/classes.ts): each row's
 * loss into `rows`, and (grad given) the gradient from the kernel's hit counts through `steps`
 * (a count's repeated sum of the seed step, fused/margins.ts). Null where WebAssembly is not available.
 */
export function multilabelWasm(x: Float32Array, target: Int32Array, C: number, rows: Float32Array, grad: Float32Array | null, steps: (k: number) => number): boolean {
  if (!getRuntime() || x.length === 0) return false;
  const N = rows.length;
  const chunk = Math.max(1, Math.floor(CHUNK / C));
  const nChunks = Math.ceil(N / chunk);
  const threads = threadsFor(x.length, true);
  return scratch((take) => {
    const xo = copyIn(take, x);
    const to = copyIn(take, target);
    const lo = take(N * 4);
    const ho = grad ? take(x.length * 4) : 0;
    const ws = take((threads > 1 ? MAX_THREADS : 1) * C * 4);
    const partial = take(nChunks * 8);
    runJob({ kind: JOB_MULTILABEL + (grad ? 0 : JOB_VALUE_ONLY), n: N, chunk, partial, args: [C, xo, to, lo, ho, ws], stage: null, collect: null, done: 0 }, threads);
    rows.set(new Float32Array(buffer(), lo, N));
    if (grad) {
      const hits = new Int32Array(buffer(), ho, x.length);
      for (let i = 0; i < hits.length; i++) {
        const k = hits[i];
        grad[i] = k === 0 ? 0 : steps(k);
      }
    }
    return true;
  });
}
