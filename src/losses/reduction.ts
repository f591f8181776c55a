/**
 * Reductions of an unreduced loss, in one place: 'none', 'mean', 'sum', the weighted mean of
 * NLL/cross entropy, KL's 'batchmean', the legacy `sizeAverage`/`reduce` flags, and the empty-input
 * rules ('mean' of nothing is NaN, 'sum' of nothing is 0), all as PyTorch has them.
 */
import { ValueError, warn } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export type Reduction = 'none' | 'mean' | 'sum';

export interface ReductionOptions {
  /** 'none' | 'mean' | 'sum' (default 'mean'). */
  reduction?: string;
  /** @deprecated PyTorch's legacy flag: overrides `reduction` when set (use `reduction` instead). */
  sizeAverage?: boolean | null;
  /** @deprecated PyTorch's legacy flag: overrides `reduction` when set (use `reduction` instead). */
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
 */
export function resolveReduction(
  opts: ReductionOptions,
  { legacy = true, extra = [], style = 'native' }: { legacy?: boolean; extra?: readonly string[]; style?: 'native' | 'python' } = {},
): string {
  if (legacy && (opts.sizeAverage != null || opts.reduce != null)) return legacyReduction(opts.sizeAverage, opts.reduce);
  const r = opts.reduction ?? 'mean';
  if (r === 'elementwise_mean') {
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

/** Applies 'none' (as is), 'sum' (0 for an empty loss) or 'mean' (NaN for an empty loss). */
export function reduce(loss: Tensor, reduction: string): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  return loss.mean();
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
