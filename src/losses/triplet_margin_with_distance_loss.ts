import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { LosskitTypeError } from '../errors.js';
import { arg, checkBool, checkNumber, checkOptions } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { resolveReduction } from './reduction.js';
import { checkDistanceFunction, pairwiseDistance } from './distance.js';
import { rowDistance } from '../ops/reduce.js';
import { checkMargin, checkSameNdim, tripletLoss } from './triplet_margin_loss.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link tripletMarginWithDistanceLoss} and `nn.TripletMarginWithDistanceLoss`. */
export interface TripletMarginWithDistanceLossOptions {
  /**
   * PyTorch's `distance_function`. Default {@link pairwiseDistance}. Any distance
   * `(a, b) => Tensor` returning one non-negative value per row, differentiable through losskit ops.
   */
  distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
  /** PyTorch's `margin`. Default 1. Required gap between the positive and the negative distance; must be > 0. */
  margin?: number;
  /** PyTorch's `swap`. Default false. Use `min(d(a, n), d(p, n))` as the negative distance. */
  swap?: boolean;
  /** PyTorch's `reduction`. Default 'mean'. 'none' | 'mean' | 'sum'. */
  reduction?: string;
}

/**
 * Triplet loss with a distance of your choice: `l = max(0, margin + d(a, p) - d(a, n))`, with
 * `d(a, n)` replaced by `min(d(a, n), d(p, n))` under `swap`. With the default distance it equals
 * {@link tripletMarginLoss} with its defaults.
 *
 * @param anchor `(N, *)`; positive and negative must have the same number of dimensions.
 * @param positive see anchor.
 * @param negative see anchor.
 * @throws ValueError `margin must be greater than 0, got {margin}`, `{r} is not a valid value for reduction`.
 * @throws RuntimeError when the three differ in number of dimensions.
 * @throws TypeError when `distanceFunction` is not a function or does not return a Tensor.
 * @example
 * const cosineDistance = (a: Tensor, b: Tensor) => F.cosineSimilarity(a, b).neg().add(1);
 * F.tripletMarginWithDistanceLoss(tensor([[1, 0]]), tensor([[1, 0.1]]), tensor([[0, 1]]),
 *   { distanceFunction: cosineDistance }).toString(); // 'tensor(0.0050)'
 */
export function tripletMarginWithDistanceLoss(
  anchor: TensorLike,
  positive: TensorLike,
  negative: TensorLike,
  opts: TripletMarginWithDistanceLossOptions = {},
): Tensor {
  const h = inFloat32(tripletMarginWithDistanceLoss, [anchor, positive, negative, opts]);
  if (h !== undefined) return h;
  const fn = 'tripletMarginWithDistanceLoss';
  checkOptions(fn, opts, LOSS_OPTIONS.tripletMarginWithDistanceLoss);
  const a = arg(fn, 'anchor', anchor);
  const pos = arg(fn, 'positive', positive);
  const neg = arg(fn, 'negative', negative);
  const user = checkDistanceFunction(fn, opts.distanceFunction);
  const margin = checkNumber(fn, 'margin', opts.margin ?? 1);
  const swap = checkBool(fn, 'swap', opts.swap ?? false);
  const reduction = resolveReduction(opts, { legacy: false, elementwiseMean: false });
  checkMargin(margin);
  checkSameNdim(a, pos, neg);
  const distance = (x: Tensor, y: Tensor): Tensor => {
    // the default pairwise distance (p = 2, eps 1e-6) as one node where the shapes agree
    const d = user ? user(x, y) : (rowDistance(x, y, 1e-6) ?? pairwiseDistance(x, y));
    if (!(d instanceof Tensor)) throw new LosskitTypeError(`${fn}(): distanceFunction must return a Tensor, but got ${typeof d}`);
    return d;
  };
  return tripletLoss(a, pos, neg, distance, margin, swap, reduction, user ? null : 1e-6);
}
