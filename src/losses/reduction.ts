/**
 * Reductions of an unreduced loss, in one place: 'none', 'mean', 'sum', the weighted mean of
 * NLL/cross entropy, KL's 'batchmean', the legacy `sizeAverage`/`reduce` flags, and the empty-input
 * rules ('mean' of nothing is NaN, 'sum' of nothing is 0), all as PyTorch has them.
 */
import { ValueError, warn } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fromNumbers } from '../tensor/dtype.js';

export type Reduction = 'none' | 'mean' | 'sum';

/** The options every loss with PyTorch's `reduction` argument shares. */
export interface ReductionOptions {
  /**
   * PyTorch's `reduction`. Default 'mean'. 'none': the unreduced loss; 'mean': its mean, a 0-dim
   * tensor (NaN for an empty input); 'sum': its sum (0 for an empty input).
   */
  reduction?: string;
  /**
   * PyTorch's `size_average`: false sums instead of averaging. Default unset (null).
   * @deprecated PyTorch's legacy flag: overrides `reduction` when set, with a warning (use `reduction` instead).
   */
  sizeAverage?: boolean | null;
  /**
   * PyTorch's `reduce`: false returns the unreduced loss, whatever `sizeAverage` says. Default unset (null).
   * @deprecated PyTorch's legacy flag: overrides `reduction` when set, with a warning (use `reduction` instead).
   */
  reduce?: boolean | null;
}

/** PyTorch's `_Reduction.legacy_get_string`: `reduce=false` wins, then `sizeAverage`. */
function legacyReduction(sizeAverage: boolean | null | undefined, reduce: boolean | null | undefined): Reduction {
  const sa = sizeAverage ?? true;
  const rd = reduce ?? true;
  const r: Reduction = !rd ? 'none' : sa ? 'mean' : 'sum';
  warn(`size_average and reduce args will be deprecated, please use reduction='${r}' instead.`);
  return r;
}

/**
 * The reduction a loss should apply, validated.
 *
 * @param allowed the reductions this loss accepts beyond none/mean/sum (KL's 'batchmean').
 * @param style 'native' for losses PyTorch implements in C++ (`{r} is not a valid value for
 *   reduction`), 'python' for the ones it checks in Python (`{r} is not valid`).
 * @param validate false where the caller validates later with its own message (the 2.x functional `weight`).
 * @param elementwiseMean whether the deprecated alias 'elementwise_mean' is accepted (with a
 *   warning): true where PyTorch goes through `_Reduction.get_enum`, false where its Python code
 *   compares the string itself (Poisson, Gaussian, MultiLabelSoftMargin, TripletMarginWithDistance).
 */
export function resolveReduction(
  opts: ReductionOptions,
  {
    legacy = true,
    extra = [],
    style = 'native',
    elementwiseMean = true,
    validate = true,
  }: { legacy?: boolean; extra?: readonly string[]; style?: 'native' | 'python'; elementwiseMean?: boolean; validate?: boolean } = {},
): string {
  if (legacy && (opts.sizeAverage != null || opts.reduce != null)) return legacyReduction(opts.sizeAverage, opts.reduce);
  const r = opts.reduction ?? 'mean';
  if (!validate) return r;
  if (r === 'elementwise_mean' && elementwiseMean) {
    warn("reduction='elementwise_mean' is deprecated, please use reduction='mean' instead.");
    return 'mean';
  }
  if (r === 'none' || r === 'mean' || r === 'sum' || extra.includes(r)) return r;
  throw new ValueError(
    style === 'python'
      ? `${String(r)} is not valid`
      : `${String(r)} is not a valid value for reduction (expected one of ${['none', 'mean', 'sum', ...extra].map((s) => `'${s}'`).join(', ')})`,
  );
}

/**
 * Applies 'none' (as is), 'sum' (0 for an empty loss) or 'mean' (NaN for an empty loss), and KL's
 * 'batchmean': the sum divided by `batchSize` (the input's first dimension), or the plain sum when
 * there is no batch dimension (a 0-dim input).
 */
export function reduce(loss: Tensor, reduction: string, batchSize: number | null = null): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'batchmean') return batchSize === null ? loss.sum() : loss.sum().div(batchSize);
  return loss.mean();
}

/**
 * CTC's 'mean': each sample's loss divided by its target length (at least 1, so empty targets
 * count once), then averaged over the batch (NaN for an empty batch).
 */
export function lengthNormalizedMean(loss: Tensor, lengths: readonly number[]): Tensor {
  const divisors = new Tensor(fromNumbers(lengths.map((l) => Math.max(l, 1)), loss.dtype), [lengths.length]);
  return loss.div(divisors).mean();
}

/** Σ loss / Σ weight: NLL's and cross entropy's 'mean', and the 2.x functional `weight` of l1/mse. */
export function weightedMean(loss: Tensor, weights: Tensor): Tensor {
  return loss.sum().div(weights.sum());
}

/**
 * PyTorch 2.x's functional `weight` for l1/mse/huber: the loss is multiplied elementwise by a
 * weight of the input's size. 'mean' divides by Σ weight for l1 and mse but by the element count
 * for huber (`meanOver`), an inconsistency of PyTorch's that losskit keeps so numbers match.
 */
export function reduceElementwiseWeighted(
  loss: Tensor,
  weight: Tensor,
  inputShape: readonly number[],
  reduction: string,
  meanOver: 'weights' | 'elements',
): Tensor {
  if (weight.shape.length !== inputShape.length || weight.shape.some((s, i) => s !== inputShape[i])) {
    throw new ValueError(
      `Weights and input must have the same size. (weight has shape [${weight.shape.join(', ')}], input [${inputShape.join(', ')}])`,
    );
  }
  const weighted = loss.mul(weight);
  if (reduction === 'none') return weighted;
  if (reduction === 'sum') return weighted.sum();
  if (reduction === 'mean') return meanOver === 'weights' ? weightedMean(weighted, weight) : weighted.mean();
  throw new ValueError(`Invalid reduction mode: ${reduction}. Expected one of 'none', 'mean', 'sum'.`);
}
