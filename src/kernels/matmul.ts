/**
 * Matrix products C = op(A) op(B) + bias for src/ops/matmul.ts and nn.Linear: the WebAssembly SIMD
 * kernels of assembly/matmul.ts (float32 accumulated in float32, as PyTorch's CPU BLAS; float64 in
 * float64), rows split over the threads above MATMUL_PARALLEL_THRESHOLD, or a blocked TypeScript
 * loop (the 'ts' backend, float64 accumulators). A transposed operand is read in place: `transA`
 * says A is stored (K, M) and op(A) = A^T, `transB` that B is stored (N, K).
 *
 * Memory: the inputs are the caller's arrays, copied into scratch for the call; the result is a
 * new array over its own ArrayBuffer (`fresh`).
 */
import { getBackend } from './index.js';
import { MAX_THREADS, SCRATCH, buffer, fresh, getRuntime, scratch } from './memory.js';
import { JOB_MATMUL, getNumThreads, runJob } from './threads.js';
import type { FloatArray } from './types.js';

export interface MatmulProblem {
  /** op(A) is (M, K): A stored (M, K), or (K, M) with transA. */
  a: FloatArray;
  transA: boolean;
  /** op(B) is (K, N): B stored (K, N), or (N, K) with transB. Same array type as a. */
  b: FloatArray;
  transB: boolean;
  M: number;
  K: number;
  N: number;
  /** (N) added to every row, or null. */
  bias: FloatArray | null;
}

/**
 * Multiply-adds (M K N) from which a product runs on all threads: waking a worker and waiting for it
 * costs about as much as 2^20 multiply-adds on one thread (0.06 ms). Best of 300 calls, 2 shared
 * cores, (M, 2M, 2M) with B^T, one thread's time over two's: 0.71-0.93x at 2^20, 0.89-1.25x at
 * 2^21, 0.93-1.43x at 2^21.8, 0.94-1.57x at 2^23, 1.68-1.69x at 2^24.8.
 */
export const MATMUL_PARALLEL_THRESHOLD = 1 << 22;

/** Bytes of op(A) a thread packs at a time: 4 rows by assembly/matmul.ts's K block of 256, float64. */
const PACK_A_BYTES = 4 * 256 * 8;

/** C = op(A) op(B) + bias as a new (M * N) array of A's type. */
export function matmulKernel(p: MatmulProblem): FloatArray {
  const f64 = p.a instanceof Float64Array;
  if (getBackend() === 'wasm' && p.M * p.N > 0) return matmulWasm(p, f64);
  const out = fresh(p.M * p.N, f64 ? 8 : 4, true);
  matmulTs(p, out);
  return out;
}

function matmulWasm(p: MatmulProblem, f64: boolean): FloatArray {
  const { M, K, N } = p;
  const ex = getRuntime()!.exports;
  const bytes = f64 ? 8 : 4;
  const out = fresh(M * N, bytes, true);
  return scratch((take) => {
    const view = (off: number, n: number): FloatArray => (f64 ? new Float64Array(buffer(), off, n) : new Float32Array(buffer(), off, n));
    const copyIn = (x: FloatArray): number => {
      const off = take(x.byteLength);
      view(off, x.length).set(x);
      return off;
    };
    const threads = M >= 8 && M * K * N >= MATMUL_PARALLEL_THRESHOLD ? getNumThreads() : 1;
    // A in rows is copied in chunk by chunk while the helpers already compute (runJob's stage)
    const staged = threads > 1 && !p.transA;
    const ao = staged ? take(p.a.byteLength) : copyIn(p.a);
    const bo = copyIn(p.b);
    const biaso = p.bias ? copyIn(p.bias) : 0;
    const width = f64 ? 4 : 8;
    const packed = take(Math.ceil(N / width) * width * K * bytes);
    const co = take(M * N * bytes);
    const [sai, sak] = p.transA ? [1, M] : [K, 1];
    const [sbk, sbj] = p.transB ? [1, K] : [N, 1];
    if (K > 0) (f64 ? ex.mmPack64 : ex.mmPack32)(bo, sbk, sbj, K, N, packed);
    // each thread packs its 4 rows of op(A) per K block into its own buffer (assembly/matmul.ts),
    // found by its thread id: a helper's id may be any of the pool's
    const paBytes = PACK_A_BYTES;
    const pa = take((threads === 1 ? 1 : MAX_THREADS) * paBytes);
    if (threads === 1) {
      (f64 ? ex.mm64 : ex.mm32)(ao, sai, sak, packed, co, K, N, biaso, 0, M, SCRATCH, pa);
      out.set(view(co, M * N));
      return out;
    }
    // about four chunks per thread, whole micro-kernel blocks of 4 rows: a thread slowed by another
    // process leaves its share to the others; finished chunks' rows of C are copied out while the
    // rest computes
    const chunk = Math.max(4, Math.ceil(M / (4 * threads) / 4) * 4);
    const nChunks = Math.ceil(M / chunk);
    const done = take(nChunks * 4);
    new Int32Array(buffer(), done, nChunks).fill(0);
    const A = view(ao, p.a.length);
    const C = view(co, M * N);
    runJob(
      {
        kind: JOB_MATMUL,
        n: M,
        chunk,
        partial: 0,
        args: [ao, sai, sak, packed, co, K, N, biaso, f64 ? 1 : 0, pa, paBytes],
        stage: staged ? (c) => A.set(p.a.subarray(c * chunk * K, Math.min(M, (c + 1) * chunk) * K), c * chunk * K) : null,
        collect: (c) => out.set(C.subarray(c * chunk * N, Math.min(M, (c + 1) * chunk) * N), c * chunk * N),
        done,
      },
      threads,
    );
    return out;
  });
}

/**
 * The TypeScript product: float64 sums rounded once into `out`. B in rows (not transposed): four
 * rows of C at a time over rows of B; B transposed with A in rows: four dot products at a time
 * over rows of A and B; both transposed: a plain strided loop.
 */
export function matmulTs(p: MatmulProblem, out: FloatArray): void {
  const { a, b, M, K, N, bias } = p;
  const sai = p.transA ? 1 : K;
  const sak = p.transA ? M : 1;
  if (!p.transB) {
    const acc = new Float64Array(4 * N);
    for (let i0 = 0; i0 < M; i0 += 4) {
      const rows = Math.min(4, M - i0);
      for (let r = 0; r < 4; r++) for (let j = 0; j < N; j++) acc[r * N + j] = bias && r < rows ? bias[j] : 0;
      if (rows === 4) {
        for (let k = 0; k < K; k++) {
          const base = i0 * sai + k * sak;
          const x0 = a[base];
          const x1 = a[base + sai];
          const x2 = a[base + 2 * sai];
          const x3 = a[base + 3 * sai];
          const row = k * N;
          for (let j = 0; j < N; j++) {
            const y = b[row + j];
            acc[j] += x0 * y;
            acc[N + j] += x1 * y;
            acc[2 * N + j] += x2 * y;
            acc[3 * N + j] += x3 * y;
          }
        }
      } else {
        for (let r = 0; r < rows; r++) {
          for (let k = 0; k < K; k++) {
            const x = a[(i0 + r) * sai + k * sak];
            const row = k * N;
            for (let j = 0; j < N; j++) acc[r * N + j] += x * b[row + j];
          }
        }
      }
      for (let r = 0; r < rows; r++) for (let j = 0; j < N; j++) out[(i0 + r) * N + j] = acc[r * N + j];
    }
  } else if (!p.transA) {
    // C[i, j] = A[i, :] . B[j, :], both rows contiguous
    for (let i = 0; i < M; i++) {
      const ar = i * K;
      let j = 0;
      for (; j + 4 <= N; j += 4) {
        const b0 = j * K;
        const b1 = b0 + K;
        const b2 = b1 + K;
        const b3 = b2 + K;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = 0; k < K; k++) {
          const x = a[ar + k];
          s0 += x * b[b0 + k];
          s1 += x * b[b1 + k];
          s2 += x * b[b2 + k];
          s3 += x * b[b3 + k];
        }
        const o = i * N + j;
        out[o] = bias ? bias[j] + s0 : s0;
        out[o + 1] = bias ? bias[j + 1] + s1 : s1;
        out[o + 2] = bias ? bias[j + 2] + s2 : s2;
        out[o + 3] = bias ? bias[j + 3] + s3 : s3;
      }
      for (; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ar + k] * b[j * K + k];
        out[i * N + j] = bias ? bias[j] + s : s;
      }
    }
  } else {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[k * M + i] * b[j * K + k];
        out[i * N + j] = bias ? bias[j] + s : s;
      }
    }
  }
}
