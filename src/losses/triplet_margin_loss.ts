import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, ValueError, check } from '../errors.js';
import { minimum } from '../ops/elementwise.js';
import { arg, checkBool, checkNumber, checkOptions, pyFloat } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { pairwiseDistance } from './distance.js';
import { rowDistance } from '../ops/reduce.js';
import { inFloat32 } from '../tensor/upcast.js';
import { fusedTriplet } from '../kernels/rows.js';

/** Options of {@link tripletMarginLoss} and `nn.TripletMarginLoss`. */
export interface TripletMarginLossOptions extends ReductionOptions {
  /** PyTorch's `margin`. Default 1. Required gap between the positive and the negative distance; must be > 0. */
  margin?: number;
  /** PyTorch's `p`. Default 2. Norm degree of the pairwise distance. */
  p?: number;
  /** PyTorch's `eps`. Default 1e-6. Added to the differences before the norm. */
  eps?: number;
  /** PyTorch's `swap`. Default false. Use `min(d(a, n), d(p, n))` as the negative distance (Balntas et al. 2016). */
  swap?: boolean;
}

/**
 * Triplet loss: the anchor should be closer to the positive than to the negative, by `margin`.
 *
 * Unreduced: `l = max(0, margin + d(a, p) - d(a, n))` with `d(x, y) = ‖x - y + eps‖_p` over the
 * last dimension ({@link pairwiseDistance}); with `swap`, `d(a, n)` becomes
 * `min(d(a, n), d(p, n))`. `'mean'` averages over the triplets. The gradient flows at the kink.
 *
 * @param anchor `(N, D)` or `(D)`.
 * @param positive the anchor's number of dimensions (sizes broadcast).
 * @param negative the anchor's number of dimensions (sizes broadcast).
 * @throws ValueError `margin must be greater than 0, got {margin}` (PyTorch 2.x), or an unknown reduction.
 * @throws RuntimeError when the three differ in number of dimensions.
 * @example
 * F.tripletMarginLoss(tensor([[0, 0]]), tensor([[0, 1]]), tensor([[0, 3]])).toString(); // 'tensor(0.)'
 */
export function tripletMarginLoss(
  anchor: TensorLike,
  positive: TensorLike,
  negative: TensorLike,
  opts: TripletMarginLossOptions = {},
): Tensor {
  const h = inFloat32(tripletMarginLoss, [anchor, positive, negative, opts]);
  if (h !== undefined) return h;
  checkOptions('tripletMarginLoss', opts, LOSS_OPTIONS.tripletMarginLoss);
  const a = arg('tripletMarginLoss', 'anchor', anchor);
  const pos = arg('tripletMarginLoss', 'positive', positive);
  const neg = arg('tripletMarginLoss', 'negative', negative);
  const margin = checkNumber('tripletMarginLoss', 'margin', opts.margin ?? 1);
  const p = checkNumber('tripletMarginLoss', 'p', opts.p ?? 2);
  const eps = checkNumber('tripletMarginLoss', 'eps', opts.eps ?? 1e-6);
  const swap = checkBool('tripletMarginLoss', 'swap', opts.swap ?? false);
  const reduction = resolveReduction(opts);
  checkMargin(margin);
  checkSameNdim(a, pos, neg);
  const distance = (x: Tensor, y: Tensor): Tensor => (p === 2 ? rowDistance(x, y, eps) : null) ?? pairwiseDistance(x, y, { p, eps });
  return tripletLoss(a, pos, neg, distance, margin, swap, reduction, p === 2 ? eps : null);
}

/**
 * `clamp_min(margin + d(a, p) - d_neg, 0)`, reduced: the part both triplet losses share.
 * `fusedEps`: the distance is PyTorch's 2-norm pairwise distance with this eps, so without swap
 * the whole loss may be one fused node (src/kernels/rows.ts).
 */
export function tripletLoss(
  a: Tensor,
  pos: Tensor,
  neg: Tensor,
  distance: (x: Tensor, y: Tensor) => Tensor,
  margin: number,
  swap: boolean,
  reduction: string,
  fusedEps: number | null = null,
): Tensor {
  if (fusedEps !== null && !swap) {
    const fused = fusedTriplet(a, pos, neg, margin, fusedEps, reduction);
    if (fused) return fused;
  }
  const dPos = distance(a, pos);
  let dNeg = distance(a, neg);
  if (swap) dNeg = minimum(dNeg, distance(pos, neg));
  return reduce(dPos.add(margin).sub(dNeg).clampMin(0), reduction);
}

export function checkMargin(margin: number): void {
  check(margin > 0, ValueError, () => `margin must be greater than 0, got ${pyFloat(margin)}`);
}

export function checkSameNdim(a: Tensor, p: Tensor, n: Tensor): void {
  check(
    a.ndim === p.ndim && p.ndim === n.ndim,
    RuntimeError,
    () =>
      'The anchor, positive, and negative tensors are expected to have the same number of dimensions, ' +
      `but got: anchor ${a.ndim}D, positive ${p.ndim}D, and negative ${n.ndim}D inputs`,
  );
}
