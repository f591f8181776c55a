import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { sub, where } from '../ops/elementwise.js';
import { rowDot } from '../ops/reduce.js';
import { sizeList } from '../tensor/shape.js';
import { arg, checkNumber, checkOptions } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link cosineEmbeddingLoss} and `nn.CosineEmbeddingLoss`. */
export interface CosineEmbeddingLossOptions extends ReductionOptions {
  /** PyTorch's `margin`. Default 0. Pairs with target -1 are penalised only above this cosine; -1 to 1 makes sense. */
  margin?: number;
}

// PyTorch's kernel adds a C++ float 1e-12 to each squared norm
const EPSILON = Math.fround(1e-12);

/**
 * Cosine embedding loss: pulls similar pairs (`target = 1`) together and pushes dissimilar ones
 * (`target = -1`) below a cosine of `margin`.
 *
 * With `cos = Σ x1·x2 / sqrt((Σ x1² + ε)(Σ x2² + ε))` along the feature dimension (ε = 1e-12):
 * `l = 1 - cos` for target 1, `max(0, cos - margin)` for target -1, and 0 for any other target
 * (not validated, as in PyTorch). `'mean'` averages over the pairs. The target gets no gradient.
 *
 * @param input1 `(N, D)` or `(D)`.
 * @param input2 `(N, D)` or `(D)` (broadcastable with input1).
 * @param target `(N)` for 2-D inputs, `()` for 1-D inputs.
 * @throws RuntimeError `0D or 1D target tensor expected, multi-target not supported`, or when
 *   the inputs' dimensions do not match the target's (both inputs are checked, as in PyTorch 2.x).
 * @throws ValueError for an unknown reduction.
 * @example
 * F.cosineEmbeddingLoss(tensor([[1, 0]]), tensor([[1, 1]]), tensor([1])).toString(); // 'tensor(0.2929)'
 */
export function cosineEmbeddingLoss(
  input1: TensorLike,
  input2: TensorLike,
  target: TensorLike,
  opts: CosineEmbeddingLossOptions = {},
): Tensor {
  const h = inFloat32(cosineEmbeddingLoss, [input1, input2, target, opts]);
  if (h !== undefined) return h;
  checkOptions('cosineEmbeddingLoss', opts, LOSS_OPTIONS.cosineEmbeddingLoss);
  const x1 = arg('cosineEmbeddingLoss', 'input1', input1);
  const x2 = arg('cosineEmbeddingLoss', 'input2', input2);
  const y = arg('cosineEmbeddingLoss', 'target', target);
  const margin = checkNumber('cosineEmbeddingLoss', 'margin', opts.margin ?? 0);
  const reduction = resolveReduction(opts);
  const d = y.ndim;
  check(d === 0 || d === 1, RuntimeError, () => '0D or 1D target tensor expected, multi-target not supported');
  check(
    x1.ndim === d + 1 && x2.ndim === d + 1,
    RuntimeError,
    () =>
      `${d}D target tensor expects ${d + 1}D input tensors, but found inputs with sizes ${sizeList(x1.shape)} and ${sizeList(x2.shape)}.`,
  );
  // d is the last dim: one node per row sum where the shapes agree (the same numbers)
  const dot = (a: Tensor, b: Tensor): Tensor => rowDot(a, b) ?? a.mul(b).sum(d);
  const prodSum = dot(x1, x2);
  const mag1 = dot(x1, x1).add(EPSILON);
  const mag2 = dot(x2, x2).add(EPSILON);
  const cos = prodSum.div(mag1.mul(mag2).sqrt());
  const pos = where(y.eq(1), sub(1, cos), 0);
  const neg = where(y.eq(-1), cos.sub(margin).clampMin(0), 0);
  return reduce(pos.add(neg), reduction);
}
