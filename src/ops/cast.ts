import { record } from '../autograd/graph.js';
import { type DType, asNumbers, checkDType, fromNumbers, isFloating } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** A copy in `dtype` (the tensor itself when it already is); gradients flow back cast to the source dtype. */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype);
  if (x.dtype === dtype) return x;
  const out = new Tensor(fromNumbers(asNumbers(x.data), dtype), x.shape);
  if (!isFloating(dtype)) return out;
  return record(out, 'ToCopyBackward', [x], (g) => [cast(g, x.dtype)], false);
}
