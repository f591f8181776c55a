/** Matrix products for 1-D and 2-D operands (enough for Linear layers and small models). */
import { RuntimeError, check } from '../errors.js';
import { owned, record } from '../autograd/graph.js';
import { isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { matmulKernel } from '../kernels/matmul.js';
import type { FloatArray } from '../kernels/types.js';
import { promoted } from './elementwise.js';
import { cast } from './cast.js';
import { inFloat32 } from '../tensor/upcast.js';

/**
 * `op(a) @ op(b) (+ bias)` of 2-D tensors of one floating dtype, where `ta` says a holds op(a)
 * transposed ((K, M) for an (M, K) operand) and `tb` the same of b: a transpose is read in place,
 * never copied, here and in the backward rule (PyTorch's addmm with a transposed view). The bias is
 * (N) and broadcasts over rows. Callers have checked shapes and dtypes.
 */
export function mm(a: Tensor, ta: boolean, b: Tensor, tb: boolean, bias: Tensor | null = null): Tensor {
  const M = a.shape[ta ? 1 : 0];
  const K = a.shape[ta ? 0 : 1];
  const N = b.shape[tb ? 0 : 1];
  const out = matmulKernel({ a: a.data as FloatArray, transA: ta, b: b.data as FloatArray, transB: tb, M, K, N, bias: (bias?.data as FloatArray | undefined) ?? null });
  const inputs = bias ? [a, b, bias] : [a, b];
  // d op(a) = g op(b)^T and d op(b) = op(a)^T g, each written for the layout its operand is stored in
  return record(new Tensor(out, [M, N]), bias ? 'AddmmBackward' : 'MmBackward', inputs, (g) => [
    a.requiresGrad ? owned(ta ? mm(b, tb, g, true) : mm(g, false, b, !tb)) : null,
    b.requiresGrad ? owned(tb ? mm(g, true, a, ta) : mm(a, !ta, g, false)) : null,
    bias?.requiresGrad ? g.sum(0) : null,
  ]);
}

/**
 * A 2-D operand as `mm` takes it: a transposed view (`w.T`) goes in as its plain transpose with the
 * transposed flag, so it is read in place rather than copied; any other view is read through `data`.
 */
function operand(t: Tensor): [Tensor, boolean] {
  if (t.isPlain || t.ndim !== 2) return [t, false];
  const u = t.T;
  return u.isPlain ? [u, true] : [t, false];
}

/** `a @ b` for (n,k)@(k,m), (k)@(k,m), (n,k)@(k) and (k)@(k), like `torch.matmul` on those shapes. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const h = inFloat32(matmul, [a, b]);
  if (h !== undefined) return h;
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
  const [a2, ta] = operand(cast(A, dtype));
  const [b2, tb] = operand(cast(B, dtype));
  const result = mm(a2, ta, b2, tb);
  const shape = a.ndim === 1 && b.ndim === 1 ? [] : a.ndim === 1 ? [m] : b.ndim === 1 ? [n] : [n, m];
  return result.reshape(shape);
}
