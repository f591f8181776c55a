/**
 * The WebAssembly SIMD backend: float32 kernels from assembly/kernels.ts on one or more threads,
 * float64 cross entropy over rows of class-index targets (f64x2, within 2 ulp), and float32 CTC
 * (assembly/rows.ts: SIMD over the extended target, one sample per chunk; called by losses/ctc_loss.ts). The other
 * float64 problems, NLL and K-dimensional cross entropy with probability targets go to the
 * TypeScript kernels (float64 exact to its rounding).
 *
 * Every call works the same way: take scratch in wasm memory, copy the inputs in chunk by chunk
 * while the other threads already compute on the chunks that have arrived, write the gradient
 * over the input's copy and the unreduced loss over the target's, and copy the finished chunks
 * out into the caller's new arrays as they complete. The scratch is released on return.
 */
import { classesTs, tsBackend } from './ts.js';
import { buffer, fresh, getRuntime, scratch } from './memory.js';
import { JOB_CE_INDEX, JOB_CE_INDEX_64, JOB_CE_INDEX_K, JOB_CE_PROB, JOB_CTC, JOB_ELEMENTWISE, JOB_POINTWISE, JOB_VALUE_ONLY, getNumThreads, runJob } from './threads.js';
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

function elementwise(p: ElementwiseProblem): KernelResult {
  if (!getRuntime() || p.x.length === 0 || !(p.x instanceof Float32Array)) return tsBackend.elementwise(p);
  const n = p.x.length;
  const grad = p.wantGrad ? fresh(n, 4, true) : null;
  const loss = p.wantLoss ? fresh(n, 4, true) : null;
  const nChunks = Math.ceil(n / CHUNK);
  return scratch((take) => {
    // the gradient is written over x's copy (also when it is not wanted), the loss over y's
    const xo = take(n * 4);
    const yo = take(n * 4);
    const wo = p.weight ? copyIn(take, p.weight) : 0;
    const pwo = p.posWeight ? copyIn(take, p.posWeight) : 0;
    const partial = take(nChunks * 8);
    const done = grad || loss ? doneFlags(take, nChunks) : 0;
    const X = new Float32Array(buffer(), xo, n);
    const Y = new Float32Array(buffer(), yo, n);
    const range = (c: number): [number, number] => [c * CHUNK, Math.min(n, (c + 1) * CHUNK)];
    runJob(
      {
        kind: JOB_ELEMENTWISE,
        n,
        chunk: CHUNK,
        partial,
        args: [KIND[p.kind], xo, yo, wo, p.weight?.length ?? 0, pwo, p.posWeight?.length ?? 0, p.scale, p.param, loss ? yo : 0, xo],
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
      threadsFor(n, CHEAP.has(p.kind)),
    );
    return { sum: sumPartials(partial, nChunks), loss, grad };
  });
}

function classes(p: ClassProblem): KernelResult {
  const f64 = p.x instanceof Float64Array;
  // float64: rows of class-index targets have a SIMD kernel (f64x2), the rest stays in TypeScript
  if (!getRuntime() || p.outer * p.inner === 0 || p.mode === 'nll' || (p.inner !== 1 && !p.target) || (f64 && (p.inner !== 1 || !p.target))) {
    return tsBackend.classes(p);
  }
  const { C, inner } = p;
  // K-dimensional input (inner > 1) goes by positions, four neighbouring ones per vector; its
  // input is copied in whole before the job starts, since a chunk of positions reads classes spread
  // over the whole of its outer slices, and its gradient copied out whole after it. Rows (inner 1)
  // are copied in and out chunk by chunk as the job runs.
  const K = inner !== 1;
  const rows = p.outer * inner;
  const bytesPer = f64 ? 8 : 4;
  const grad = p.wantGrad ? fresh(p.x.length, bytesPer, true) : null;
  const loss = p.wantLoss ? fresh(rows, bytesPer, true) : null;
  const chunk = K ? Math.max(4, Math.floor(CHUNK / Math.max(C, 1) / 4) * 4) : Math.max(1, Math.floor(CHUNK / Math.max(C, 1)));
  const nChunks = Math.ceil(rows / chunk);
  let wsum = C;
  if (p.weight) {
    wsum = 0;
    for (let c = 0; c < C; c++) wsum += p.weight[c];
  }
  return scratch((take) => {
    const xo = K ? copyIn(take, p.x) : take(p.x.byteLength);
    const to = p.target ? copyIn(take, p.target) : take(p.probs!.byteLength);
    const wo = p.weight ? copyIn(take, p.weight) : 0;
    const lo = loss ? take(rows * bytesPer) : 0;
    const partial = take(nChunks * 8);
    const done = grad && !K ? doneFlags(take, nChunks) : 0;
    const X = view(p.x, xo);
    const P = p.probs ? view(p.probs, to) : null;
    const range = (c: number): [number, number] => [c * chunk * C, Math.min(rows, (c + 1) * chunk) * C];
    const bad = runJob(
      {
        kind: (K ? JOB_CE_INDEX_K : f64 ? JOB_CE_INDEX_64 : p.target ? JOB_CE_INDEX : JOB_CE_PROB) + (grad ? 0 : JOB_VALUE_ONLY),
        n: rows,
        chunk,
        partial,
        args: [C, xo, to, wo, p.ignoreIndex, p.eps, wsum, p.scale, lo, xo, inner],
        stage: K
          ? null
          : (c) => {
              const [from, end] = range(c);
              X.set(p.x.subarray(from, end), from);
              if (P) P.set(p.probs!.subarray(from, end), from);
            },
        collect:
          grad && !K
            ? (c) => {
                const [from, end] = range(c);
                grad.set(X.subarray(from, end), from);
              }
            : null,
        done,
      },
      threadsFor(rows * C),
    );
    if (grad && K) grad.set(X);
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
