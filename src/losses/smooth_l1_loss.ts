import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { pointwise, promoted } from '../ops/elementwise.js';
import { fusedElementwise } from '../kernels/fused.js';
import { arg, checkNumber, checkOptions, requireFloat, warnIfSizesDiffer } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { l1Loss } from './l1_loss.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link smoothL1Loss} and `nn.SmoothL1Loss`. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** PyTorch's `beta`. Default 1. Where the loss changes from quadratic to linear; 0 gives L1, negative is an error. */
  beta?: number;
}

/**
 * Smooth L1: quadratic for small errors, linear for large ones.
 *
 * Unreduced, with `d = x - y`: `l = 0.5 d^2 / beta` if `|d| < beta`, else `|d| - 0.5 beta`. The
 * gradient is `clamp(d / beta, -1, 1)`: like MSE near the target, like L1 far from it. With
 * `beta = 0` it is exactly L1 (PyTorch 2.x routes it to l1_loss, gradient 0 at d = 0).
 *
 * @param input `(*)` predictions.
 * @param target `(*)` targets, the same shape (another shape is broadcast with a warning).
 * @throws RuntimeError for a negative beta, integer inputs or shapes that cannot be broadcast.
 * @throws ValueError for an unknown reduction.
 * @example
 * F.smoothL1Loss(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(0.6250)'
 */
export function smoothL1Loss(input: TensorLike, target: TensorLike, opts: SmoothL1LossOptions = {}): Tensor {
  const h = inFloat32(smoothL1Loss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('smoothL1Loss', opts, LOSS_OPTIONS.smoothL1Loss);
  const beta = checkNumber('smoothL1Loss', 'beta', opts.beta ?? 1);
  check(beta >= 0, RuntimeError, () => `smooth_l1_loss does not support negative values for beta. (got beta=${beta})`);
  if (beta === 0) return l1Loss(input, target, { reduction: opts.reduction, sizeAverage: opts.sizeAverage, reduce: opts.reduce });
  const x = arg('smoothL1Loss', 'input', input);
  const y = arg('smoothL1Loss', 'target', target);
  warnIfSizesDiffer(x, y);
  const reduction = resolveReduction(opts);
  const dtype = promoted(x, y);
  requireFloat('smooth_l1_cpu', dtype);
  const fused = fusedElementwise('SmoothL1LossBackward', 'smoothL1', x, y, reduction, { param: beta });
  if (fused) return fused;
  // the derivative is PyTorch's kernel: the linear pieces start at |d| = beta exactly
  const dl = (d: number): number => (d <= -beta ? -1 : d >= beta ? 1 : d / beta);
  const loss = pointwise(
    'SmoothL1LossBackward',
    [x, y],
    dtype,
    (a, b) => {
      const z = Math.abs(a - b);
      return z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
    },
    [(a, b, _c, _y, g) => g * dl(a - b), (a, b, _c, _y, g) => -g * dl(a - b)],
  );
  return reduce(loss, reduction);
}
