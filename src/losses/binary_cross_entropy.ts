import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { pointwise } from '../ops/elementwise.js';
import { fusedElementwise } from '../kernels/fused.js';
import { torchTypeName } from '../ops/reduce.js';
import { torchSize } from '../tensor/shape.js';
import { arg, checkOptions, notDifferentiable, optionalArg, requireFloat, requireSameSize, requireBroadcastsTo } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link binaryCrossEntropy} and `nn.BCELoss`. */
export interface BCELossOptions extends ReductionOptions {
  /**
   * PyTorch's `weight`. Default none. Multiplies each element's loss; broadcast against the
   * target (often `(C)`, one per class); not differentiable. 'mean' still divides by the number of elements.
   */
  weight?: TensorLike | null;
}

// PyTorch's kernel: log terms are clamped at -100 so that 0 * log(0) gives 0, not NaN ...
export const clampedLog = (v: number): number => Math.max(v, -100);
// ... and the gradient's denominator x(1 - x) is floored at 1e-12, independently of that clamp.
// (a C++ float constant, so it is float32's 1e-12)
export const EPSILON = Math.fround(1e-12);

/**
 * Binary cross entropy between probabilities and targets in [0, 1].
 *
 * Unreduced: `l = -w [y log(x) + (1 - y) log(1 - x)]`, each log clamped at -100 (so a confident
 * wrong answer costs 100, not infinity). Gradient with respect to x: `w (x - y) / max(x (1 - x), 1e-12)`.
 * For raw scores use {@link binaryCrossEntropyWithLogits}: it is stabler.
 *
 * History (the tutorial's puzzle): PyTorch up to 0.4 added 1e-12 inside the log, printing
 * -13.8155 for out-of-range targets; 1.x clamped at -100 and printed -50; 2.x (and losskit)
 * refuses targets outside [0, 1].
 *
 * @param input `(*)` probabilities in [0, 1].
 * @param target `(*)` the same shape and dtype, values in [0, 1].
 * @throws ValueError if the target's size differs from the input's.
 * @throws RuntimeError for elements outside [0, 1] (input or target), dtype mismatches, a weight that does not broadcast.
 * @example
 * F.binaryCrossEntropy(tensor([0.8, 0.2]), tensor([1, 0])).toString(); // 'tensor(0.2231)'
 */
export function binaryCrossEntropy(input: TensorLike, target: TensorLike, opts: BCELossOptions = {}): Tensor {
  const h = inFloat32(binaryCrossEntropy, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('binaryCrossEntropy', opts, LOSS_OPTIONS.binaryCrossEntropy);
  const x = arg('binaryCrossEntropy', 'input', input);
  const y = arg('binaryCrossEntropy', 'target', target);
  requireSameSize(
    x,
    y,
    () =>
      `Using a target size (${torchSize(y.shape)}) that is different to the input size (${torchSize(x.shape)}) is deprecated. Please ensure they have the same size.`,
  );
  const reduction = resolveReduction(opts);
  requireFloat('binary_cross_entropy', x.dtype);
  check(
    y.dtype === x.dtype,
    RuntimeError,
    () => `Found dtype ${torchTypeName(y.dtype)} but expected ${torchTypeName(x.dtype)} (input and target must have the same dtype)`,
  );
  const weight = optionalArg('binaryCrossEntropy', 'weight', opts.weight);
  notDifferentiable('binary_cross_entropy', 'weight', weight);
  requireBroadcastsTo(y.shape, weight);
  // an input or target outside [0, 1] (NaN included) makes the fused kernels' sum NaN, so the
  // elements are scanned only then (a scan of 2e7 floats costs about as much as the kernel)
  const fused = fusedElementwise('BinaryCrossEntropyBackward', 'bce', x, y, reduction, {
    weight,
    checkSum: (sum) => {
      if (Number.isNaN(sum)) checkUnitRange(x, y);
    },
  });
  if (fused) return fused;
  checkUnitRange(x, y);
  let loss = pointwise(
    'BinaryCrossEntropyBackward',
    [x, y],
    x.dtype,
    (p, t) => (t - 1) * clampedLog(Math.log1p(-p)) - t * clampedLog(Math.log(p)),
    [
      (p, t, _c, _y, g) => (g * (p - t)) / Math.max((1 - p) * p, EPSILON),
      (p, _t, _c, _y, g) => g * (Math.log1p(-p) - Math.log(p)),
    ],
  );
  if (weight) loss = loss.mul(weight).to(x.dtype); // PyTorch multiplies in place: the input's dtype stays
  return reduce(loss, reduction);
}

/** PyTorch's check, element by element: the first input or target outside [0, 1] (NaN too) raises. */
function checkUnitRange(x: Tensor, y: Tensor): void {
  const i = firstOutside(x.data as Float32Array | Float64Array, y.data as Float32Array | Float64Array);
  if (i < 0) return;
  const [name, v] = !(x.data[i] >= 0 && x.data[i] <= 1) ? (['input', x.data[i]] as const) : (['target', y.data[i]] as const);
  const hint =
    name === 'input'
      ? ' (input must be probabilities: apply sigmoid first, or use binaryCrossEntropyWithLogits on raw scores)'
      : ' (targets are probabilities of the positive class)';
  throw new RuntimeError(`all elements of ${name} should be between 0 and 1; found ${v} at index ${i}${hint}`);
}

/** The first index where the input or the target lies outside [0, 1] (NaN included), or -1. */
function firstOutside(x: Float32Array | Float64Array, y: Float32Array | Float64Array): number {
  for (let i = 0; i < x.length; i++) if (!(x[i] >= 0 && x[i] <= 1 && y[i] >= 0 && y[i] <= 1)) return i;
  return -1;
}
