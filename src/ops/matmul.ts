/** Matrix products for 1-D and 2-D operands (enough for Linear layers and small models). */
import { RuntimeError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { type NumberArray, allocate, isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { promoted } from './elementwise.js';
import { cast } from './cast.js';

function mm(a: NumberArray, b: NumberArray, n: number, k: number, m: number, out: Float32Array | Float64Array): void {
  // i-p-j order: streams through rows of b, which keeps the inner loop contiguous
  const acc = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const row = p * m;
      for (let j = 0; j < m; j++) acc[j] += aip * b[row + j];
    }
    for (let j = 0; j < m; j++) out[i * m + j] = acc[j];
  }
}

/** `a @ b` for (n,k)@(k,m), (k)@(k,m), (n,k)@(k) and (k)@(k), like `torch.matmul` on those shapes. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  check(a.ndim >= 1 && b.ndim >= 1, RuntimeError, () => `both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  check(a.ndim <= 2 && b.ndim <= 2, RuntimeError, () => `matmul supports 1-D and 2-D operands, got ${a.ndim}D and ${b.ndim}D`);
  const dtype = promoted(a, b);
  check(isFloating(dtype), RuntimeError, () => `"addmm_impl_cpu_" not implemented for '${dtype}'`);
  const A = a.ndim === 1 ? a.reshape(1, -1) : a;
  const B = b.ndim === 1 ? b.reshape(-1, 1) : b;
  const [n, k] = A.shape;
  const [k2, m] = B.shape;
  check(
    k === k2,
    RuntimeError,
    () => `mat1 and mat2 shapes cannot be multiplied (${n}x${k} and ${k2}x${m})`,
  );
  const Ac = cast(A, dtype);
  const Bc = cast(B, dtype);
  const out = allocate(dtype, n * m) as Float32Array | Float64Array;
  mm(Ac.data as NumberArray, Bc.data as NumberArray, n, k, m, out);
  const shape = a.ndim === 1 && b.ndim === 1 ? [] : a.ndim === 1 ? [m] : b.ndim === 1 ? [n] : [n, m];
  const result = record(new Tensor(out, [n, m]), 'MmBackward', [Ac, Bc], (g) => [
    Ac.requiresGrad ? matmul(g, Bc.T) : null,
    Bc.requiresGrad ? matmul(Ac.T, g) : null,
  ]);
  return result.reshape(shape);
}
