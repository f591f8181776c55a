import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { pointwise, promoted } from '../ops/elementwise.js';
import { torchTypeName } from '../ops/reduce.js';
import { isFloating } from '../tensor/dtype.js';
import { fusedElementwise } from '../kernels/fused.js';
import { arg, checkNumber, checkOptions, optionalArg, requireFloat, warnIfSizesDiffer } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { reduce, reduceElementwiseWeighted, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link huberLoss} and `nn.HuberLoss`. */
export interface HuberLossOptions {
  /** PyTorch's `reduction`. Default 'mean'. 'none' | 'mean' | 'sum'. */
  reduction?: string;
  /** PyTorch's `delta`. Default 1. Where the loss changes from quadratic to linear; must be > 0. */
  delta?: number;
  /**
   * PyTorch 2.x's `weight`. Default none. Per-element weights of the input's size; `l_i` becomes
   * `w_i l_i` and 'mean' stays `Σ w_i l_i / numel`.
   */
  weight?: TensorLike | null;
}

/**
 * Huber loss: quadratic for small errors, linear (with slope delta) for large ones.
 *
 * Unreduced, with `d = x - y`: `l = 0.5 d^2` if `|d| < delta`, else `delta (|d| - 0.5 delta)`.
 * Equal to `delta * smoothL1Loss(beta = delta)`. Its gradient is `clamp(d, -delta, delta)`.
 * The result keeps the input's dtype.
 *
 * @param input `(*)` predictions.
 * @param target `(*)` targets, the same shape (another shape is broadcast with a warning).
 * @throws RuntimeError for delta <= 0, integer inputs or shapes that cannot be broadcast.
 * @throws ValueError for an unknown reduction, or a `weight` not of the input's size.
 * @example
 * F.huberLoss(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(0.6250)'
 */
export function huberLoss(input: TensorLike, target: TensorLike, opts: HuberLossOptions = {}): Tensor {
  const h = inFloat32(huberLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('huberLoss', opts, LOSS_OPTIONS.huberLoss);
  const delta = checkNumber('huberLoss', 'delta', opts.delta ?? 1);
  const x = arg('huberLoss', 'input', input);
  const y = arg('huberLoss', 'target', target);
  warnIfSizesDiffer(x, y);
  const weight = optionalArg('huberLoss', 'weight', opts.weight);
  const reduction = resolveReduction(opts, { legacy: false, validate: !weight });
  const dtype = promoted(x, y);
  requireFloat('huber_cpu', dtype);
  check(
    isFloating(x.dtype),
    RuntimeError,
    () => `result type ${torchTypeName(dtype)} can't be cast to the desired output type ${torchTypeName(x.dtype)} (huberLoss keeps the input's dtype)`,
  );
  check(delta > 0, RuntimeError, () => `huber_loss does not support non-positive values for delta. (got delta=${delta})`);
  const fused = weight ? null : fusedElementwise('HuberLossBackward', 'huber', x, y, reduction, { param: delta });
  if (fused) return fused;
  const dl = (d: number): number => (d <= -delta ? -delta : d >= delta ? delta : d);
  // computed in the promoted dtype; the result is cast to the input's dtype, as PyTorch allocates it
  const loss = pointwise(
    'HuberLossBackward',
    [x, y],
    dtype,
    (a, b) => {
      const z = Math.abs(a - b);
      return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    },
    [(a, b, _c, _y, g) => g * dl(a - b), (a, b, _c, _y, g) => -g * dl(a - b)],
  );
  if (weight) return reduceElementwiseWeighted(loss, weight, x.shape, reduction, 'elements').to(x.dtype);
  return reduce(loss, reduction).to(x.dtype);
}
