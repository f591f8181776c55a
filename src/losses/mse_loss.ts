import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { pointwise, promoted } from '../ops/elementwise.js';
import { fusedElementwise } from '../kernels/fused.js';
import { arg, checkOptions, optionalArg, requireFloat, warnIfSizesDiffer } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, reduceElementwiseWeighted, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link mseLoss} and `nn.MSELoss`. */
export interface MSELossOptions extends ReductionOptions {
  /**
   * PyTorch 2.x's `weight`. Default none. Per-element weights of the input's size (broadcast to
   * it); `l_i` becomes `w_i l_i` and 'mean' becomes `Σ w_i l_i / Σ w_i`.
   */
  weight?: TensorLike | null;
}

/**
 * Mean squared error: the average of squared differences.
 *
 * Unreduced: `l_i = (x_i - y_i)^2`; `'mean'` divides the sum by the number of elements. Its
 * gradient `2 (x - y)` grows with the error, so large errors (and outliers) dominate.
 *
 * @param input `(*)` predictions.
 * @param target `(*)` targets, the same shape (another shape is broadcast with a warning).
 * @throws RuntimeError for integer inputs or shapes that cannot be broadcast.
 * @throws ValueError for an unknown reduction, or a `weight` not of the input's size.
 * @example
 * F.mseLoss(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(1.5000)'
 */
export function mseLoss(input: TensorLike, target: TensorLike, opts: MSELossOptions = {}): Tensor {
  const h = inFloat32(mseLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('mseLoss', opts, LOSS_OPTIONS.mseLoss);
  const x = arg('mseLoss', 'input', input);
  const y = arg('mseLoss', 'target', target);
  warnIfSizesDiffer(x, y);
  const weight = optionalArg('mseLoss', 'weight', opts.weight);
  const reduction = resolveReduction(opts, { validate: !weight });
  const dtype = promoted(x, y);
  requireFloat('mse_cpu', dtype);
  const fused = weight ? null : fusedElementwise('MseLossBackward', 'mse', x, y, reduction);
  if (fused) return fused;
  const loss = pointwise('MseLossBackward', [x, y], dtype, (a, b) => (a - b) * (a - b), [
    (a, b, _c, _y, g) => 2 * (a - b) * g,
    (a, b, _c, _y, g) => -2 * (a - b) * g,
  ]);
  if (weight) return reduceElementwiseWeighted(loss, weight, x.shape, reduction, 'weights');
  return reduce(loss, reduction);
}
