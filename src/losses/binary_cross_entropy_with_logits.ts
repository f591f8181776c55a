import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { logSigmoidOf, pointwise, promoted, sigmoidOf } from '../ops/elementwise.js';
import { fusedElementwise } from '../kernels/fused.js';
import { torchTypeName } from '../ops/reduce.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes, torchSize } from '../tensor/shape.js';
import { arg, checkOptions, notDifferentiable, optionalArg, requireSameSize, requireBroadcastsTo } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link binaryCrossEntropyWithLogits} and `nn.BCEWithLogitsLoss`. */
export interface BCEWithLogitsLossOptions extends ReductionOptions {
  /** PyTorch's `weight`. Default none. Multiplies each element's loss; broadcast against the target. */
  weight?: TensorLike | null;
  /**
   * PyTorch's `pos_weight`. Default none. Multiplies the positive term `y log σ(x)`, broadcast
   * against the target (usually `(C)`, one per class): > 1 raises recall, < 1 raises precision.
   */
  posWeight?: TensorLike | null;
}

/**
 * Binary cross entropy on raw scores (logits): sigmoid and BCE in one numerically stable step.
 *
 * Unreduced: `l = -w [p y log σ(x) + (1 - y) log(1 - σ(x))]` with `p = posWeight`, computed as
 * PyTorch 2.x does, `(1 - y) x - (1 + (p - 1) y) log σ(x)`, so logits of ±100 are fine.
 * Gradient with respect to x: `w ((p y + 1 - y) σ(x) - p y)`, i.e. `w (σ(x) - y)` without posWeight.
 * Infinite logits give NaN, as in PyTorch.
 *
 * @param input `(*)` logits.
 * @param target `(*)` the same shape, usually in [0, 1] (not checked, as in PyTorch).
 * @throws ValueError if the target's size differs from the input's.
 * @throws RuntimeError for integer targets, or a weight/posWeight that does not broadcast.
 * @example
 * F.binaryCrossEntropyWithLogits(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(-0.1867)'
 */
export function binaryCrossEntropyWithLogits(input: TensorLike, target: TensorLike, opts: BCEWithLogitsLossOptions = {}): Tensor {
  const h = inFloat32(binaryCrossEntropyWithLogits, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('binaryCrossEntropyWithLogits', opts, LOSS_OPTIONS.binaryCrossEntropyWithLogits);
  const x = arg('binaryCrossEntropyWithLogits', 'input', input);
  const y = arg('binaryCrossEntropyWithLogits', 'target', target);
  requireSameSize(x, y, () => `Target size (${torchSize(y.shape)}) must be the same as input size (${torchSize(x.shape)})`);
  const reduction = resolveReduction(opts);
  const weight = optionalArg('binaryCrossEntropyWithLogits', 'weight', opts.weight);
  const posWeight = optionalArg('binaryCrossEntropyWithLogits', 'posWeight', opts.posWeight);
  notDifferentiable('binary_cross_entropy_with_logits', 'weight', weight);
  notDifferentiable('binary_cross_entropy_with_logits', 'pos_weight', posWeight);
  const dtype = promoted(x, y);
  check(
    isFloating(dtype) && isFloating(y.dtype),
    RuntimeError,
    () => `result type ${torchTypeName(isFloating(dtype) ? dtype : 'float32')} can't be cast to the desired output type ${torchTypeName(y.dtype)} (targets must be floating point)`,
  );
  if (posWeight) broadcastShapes(posWeight.shape, y.shape);
  requireBroadcastsTo(y.shape, posWeight);
  requireBroadcastsTo(y.shape, weight);
  const fused = fusedElementwise('BinaryCrossEntropyWithLogitsBackward', 'bceWithLogits', x, y, reduction, { weight, posWeight });
  if (fused) return fused;
  // PyTorch computes -log σ(x) = m + log(e^-m + e^(-x-m)), m = max(-x, 0), in the input's dtype,
  // and the target's gradient too except for an unreduced loss; the loss is built in place on
  // (1 - target), so it has the target's dtype. Here everything is computed in the promoted dtype,
  // rounded where PyTorch rounds (which only shows when a float32 input meets a float64 target).
  const rx = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const rt = posWeight || reduction !== 'none' ? rx : (v: number) => v;
  const logSig = (a: number): number => rx(logSigmoidOf(a));
  const lse = (a: number, m: number): number => rx(Math.log(rx(rx(Math.exp(-m)) + rx(Math.exp(rx(-a - m))))));
  const loss = pointwise(
    'BinaryCrossEntropyWithLogitsBackward',
    posWeight ? [x, y, posWeight] : [x, y],
    posWeight ? promoted(x, y, posWeight) : dtype,
    (a, t, p) => {
      const m = Math.max(-a, 0);
      return posWeight ? (1 - t) * a + (1 + (p - 1) * t) * rx(lse(a, m) + m) : (1 - t) * a + m + lse(a, m);
    },
    posWeight
      ? [
          (a, t, p, _y, g) => g * ((p * t + 1 - t) * sigmoidOf(a) - p * t),
          (a, _t, p, _y, g) => rt(g * (-a - (p - 1) * logSig(a))),
          null,
        ]
      : [(a, t, _c, _y, g) => g * (sigmoidOf(a) - t), (a, _t, _c, _y, g) => rt(-g * a)],
  );
  return reduce(weight ? loss.mul(weight) : loss, reduction).to(y.dtype);
}
