import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { pointwise, promoted, sgn } from '../ops/elementwise.js';
import { fusedElementwise } from '../kernels/fused.js';
import { arg, checkOptions, optionalArg, warnIfSizesDiffer } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, reduceElementwiseWeighted, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link l1Loss} and `nn.L1Loss`. */
export interface L1LossOptions extends ReductionOptions {
  /**
   * PyTorch 2.x's `weight`. Default none. Per-element weights of the input's size (broadcast to
   * it); `l_i` becomes `w_i l_i` and 'mean' becomes `Σ w_i l_i / Σ w_i`.
   */
  weight?: TensorLike | null;
}

/**
 * Mean absolute error: how far, on average, predictions are from targets.
 *
 * Unreduced: `l_i = |x_i - y_i|`. `'mean'` divides the sum by the number of elements, `'sum'` adds
 * them up, `'none'` returns them. Its gradient is `sign(x - y)` (0 where x == y), so every
 * error pulls equally hard, however large: robust to outliers, slow to settle near the optimum.
 *
 * @param input `(*)` predictions.
 * @param target `(*)` targets, the same shape (another shape is broadcast with a warning).
 * @throws RuntimeError if the shapes cannot be broadcast; `'mean'` of integer tensors.
 * @throws ValueError for an unknown reduction, or a `weight` not of the input's size.
 * @example
 * F.l1Loss(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(1.)'
 */
export function l1Loss(input: TensorLike, target: TensorLike, opts: L1LossOptions = {}): Tensor {
  const h = inFloat32(l1Loss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('l1Loss', opts, LOSS_OPTIONS.l1Loss);
  const x = arg('l1Loss', 'input', input);
  const y = arg('l1Loss', 'target', target);
  warnIfSizesDiffer(x, y);
  const weight = optionalArg('l1Loss', 'weight', opts.weight);
  const reduction = resolveReduction(opts, { validate: !weight });
  const fused = weight ? null : fusedElementwise('L1LossBackward', 'l1', x, y, reduction);
  if (fused) return fused;
  const loss = pointwise('L1LossBackward', [x, y], promoted(x, y), (a, b) => Math.abs(a - b), [
    (a, b, _c, _y, g) => g * sgn(a - b),
    (a, b, _c, _y, g) => -g * sgn(a - b),
  ]);
  if (weight) return reduceElementwiseWeighted(loss, weight, x.shape, reduction, 'weights');
  return reduce(loss, reduction);
}
