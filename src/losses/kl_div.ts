import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check, warn } from '../errors.js';
import { pointwise, promoted } from '../ops/elementwise.js';
import { fusedElementwise } from '../kernels/fused.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { arg, checkBool, checkOptions, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link klDiv} and `nn.KLDivLoss`. */
export interface KLDivLossOptions extends ReductionOptions {
  /**
   * PyTorch's `reduction`. Default 'mean', which warns: it divides by the number of elements.
   * 'batchmean' (the sum divided by the batch size) is the KL divergence; 'none' | 'sum' as usual.
   */
  reduction?: string;
  /** PyTorch's `log_target`. Default false. Whether the target is given as log-probabilities too. */
  logTarget?: boolean;
}

const MEAN_WARNING =
  "reduction: 'mean' divides the total loss by both the batch size and the support size." +
  "'batchmean' divides only by the batch size, and aligns with the KL div math definition." +
  "'mean' will be changed to behave the same as 'batchmean' in the next major release.";

/** PyTorch's `xlogy`: 0 where x == 0 (unless y is NaN), else x log y. */
const xlogy = (x: number, y: number, fr: (v: number) => number): number =>
  y !== y ? NaN : x === 0 ? 0 : fr(x * fr(Math.log(y)));

/**
 * Kullback-Leibler divergence `KL(target ‖ p)` where the input holds log-probabilities `log p`.
 *
 * Unreduced: `l = target · (log target - input)`, computed as PyTorch does with
 * `xlogy(target, target) - target · input` (so a zero target gives 0 for a finite input, NaN for
 * an infinite one); with `logTarget`, `l = exp(target) · (target - input)`.
 * `'batchmean'` divides the sum by the batch size `input.shape[0]` and is the true KL divergence;
 * `'mean'` divides by the element count and warns, as PyTorch does; `'sum'`, `'none'` as usual.
 *
 * @param input `(*)` log-probabilities, e.g. `logSoftmax(logits, 1)`.
 * @param target `(*)` probabilities (or log-probabilities with `logTarget`), broadcast silently.
 * @throws RuntimeError for integer inputs (`kl_div: Integral inputs not supported.`) or shapes
 *   that cannot be broadcast.
 * @throws ValueError for an unknown reduction.
 * @example
 * F.klDiv(ones([2, 2]), tensor([[0, 1], [2, 3]]), { reduction: 'batchmean' }).toString(); // 'tensor(-0.6589)'
 */
export function klDiv(input: TensorLike, target: TensorLike, opts: KLDivLossOptions = {}): Tensor {
  const h = inFloat32(klDiv, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('klDiv', opts, LOSS_OPTIONS.klDiv);
  const x = arg('klDiv', 'input', input);
  const y = arg('klDiv', 'target', target);
  const logTarget = checkBool('klDiv', 'logTarget', opts.logTarget ?? false);
  const legacy = opts.sizeAverage != null || opts.reduce != null;
  if (!legacy && (opts.reduction ?? 'mean') === 'mean') warn(MEAN_WARNING);
  const reduction = resolveReduction(opts, { extra: ['batchmean'] });
  check(isFloating(x.dtype) && isFloating(y.dtype), RuntimeError, () => 'kl_div: Integral inputs not supported.');
  // `target * input` is PyTorch's first broadcasting op: its error names the target "tensor a"
  broadcastShapes(y.shape, x.shape);
  const dtype = promoted(x, y);
  const fused = legacy ? null : fusedElementwise('KlDivBackward', logTarget ? 'klDivLog' : 'klDiv', x, y, reduction, { batch: x.ndim === 0 ? null : x.shape[0] });
  if (fused) return fused;
  // each op rounds to its own result dtype: exp/xlogy of the target to the target's
  const fr = stepRounding(dtype);
  const fy = stepRounding(y.dtype);
  const loss = logTarget
    ? pointwise('KlDivBackward', [x, y], dtype, (a, t) => fr(fy(Math.exp(t)) * fr(t - a)), [
        (_a, t, _c, _y, g) => -(g * fy(Math.exp(t))),
        (a, t, _c, _y, g) => g * (t - a) * fy(Math.exp(t)) + g * fy(Math.exp(t)),
      ])
    : pointwise('KlDivBackward', [x, y], dtype, (a, t) => fr(xlogy(t, t, fy) - fr(t * a)), [
        (_a, t, _c, _y, g) => -g * t,
        // xlogy's backward (x: xlogy(x != 0, y), y: x / y) for both arguments, then -input
        (a, t, _c, _y, g) => g * xlogy(t !== 0 ? 1 : 0, t, Number) + (g * t) / t - g * a,
      ]);
  const batch = x.ndim === 0 ? null : x.shape[0];
  if (legacy) {
    const reduced = reduce(loss, reduction);
    // PyTorch still honours reduction='batchmean' after the legacy flags chose the reduction
    return opts.reduction === 'batchmean' && batch !== null ? reduced.div(batch) : reduced;
  }
  return reduce(loss, reduction, batch);
}
