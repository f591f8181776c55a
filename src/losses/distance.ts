/** The distances PyTorch's embedding losses are built on: `F.pairwise_distance`, `F.cosine_similarity`. */
import { LosskitTypeError, RuntimeError, check } from '../errors.js';
import { pointwise, promoted } from '../ops/elementwise.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { torchTypeName } from '../ops/reduce.js';
import { arg, checkBool, checkInt, checkNumber, checkOptions } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link pairwiseDistance}. */
export interface PairwiseDistanceOptions {
  /** PyTorch's `p`. Default 2. The norm degree; 0, fractional and ±Infinity are accepted as in PyTorch. */
  p?: number;
  /**
   * PyTorch's `eps`. Default 1e-6. Added to the difference `x1 - x2` before the norm, so identical
   * rows keep a finite gradient.
   */
  eps?: number;
  /** PyTorch's `keepdim`. Default false. Keep the reduced last dimension as size 1. */
  keepdim?: boolean;
}

/**
 * The p-norm distance between rows: `‖x1 - x2 + eps‖_p` over the last dimension.
 *
 * Note that `eps` is added to the *difference* (as PyTorch does), so `pairwiseDistance(x, x)` is
 * `eps · D^(1/p)`, not 0.
 *
 * @param x1 `(N, D)` or `(D)` (any shape: the last dimension is reduced).
 * @param x2 broadcastable with `x1`.
 * @returns `(N)` (or `()` for 1-D inputs); `(N, 1)` with `keepdim`.
 * @throws RuntimeError if the shapes cannot be broadcast.
 * @example
 * F.pairwiseDistance(tensor([[0, 0]]), tensor([[3, 4]])).toString(); // 'tensor([5.0000])'
 */
export function pairwiseDistance(x1: TensorLike, x2: TensorLike, opts: PairwiseDistanceOptions = {}): Tensor {
  const h = inFloat32(pairwiseDistance, [x1, x2, opts]);
  if (h !== undefined) return h;
  checkOptions('pairwiseDistance', opts, LOSS_OPTIONS.pairwiseDistance);
  const a = arg('pairwiseDistance', 'x1', x1);
  const b = arg('pairwiseDistance', 'x2', x2);
  const p = checkNumber('pairwiseDistance', 'p', opts.p ?? 2);
  const eps = checkNumber('pairwiseDistance', 'eps', opts.eps ?? 1e-6);
  const keepdim = checkBool('pairwiseDistance', 'keepdim', opts.keepdim ?? false);
  const innermost = Math.max(a.ndim, b.ndim) - 1;
  return a.sub(b).add(eps).norm(p, innermost, keepdim);
}

/** Options of {@link cosineSimilarity}. */
export interface CosineSimilarityOptions {
  /** PyTorch's `dim`. Default 1. The dimension along which the vectors lie (negative counts from the end). */
  dim?: number;
  /** PyTorch's `eps`. Default 1e-8. Lower bound on each vector's norm, against division by zero. */
  eps?: number;
}

/**
 * Cosine of the angle between `x1` and `x2` along `dim`, computed as PyTorch 2.x does:
 * `Σ (x1 / max(‖x1‖, eps)) · (x2 / max(‖x2‖, eps))`, which stays within [-1, 1]. The clamp to
 * `eps` is invisible to the gradient, as in PyTorch.
 *
 * @param x1 `(*, D, *)`; integer tensors are promoted with `x2`.
 * @param x2 broadcastable with `x1`.
 * @returns the broadcast shape without `dim`.
 * @throws RuntimeError if the common dtype is not floating point or the shapes cannot be broadcast.
 * @example
 * F.cosineSimilarity(tensor([[1, 0]]), tensor([[1, 1]])).toString(); // 'tensor([0.7071])'
 */
export function cosineSimilarity(x1: TensorLike, x2: TensorLike, opts: CosineSimilarityOptions = {}): Tensor {
  const h = inFloat32(cosineSimilarity, [x1, x2, opts]);
  if (h !== undefined) return h;
  checkOptions('cosineSimilarity', opts, LOSS_OPTIONS.cosineSimilarity);
  let a = arg('cosineSimilarity', 'x1', x1);
  let b = arg('cosineSimilarity', 'x2', x2);
  const dim = checkInt('cosineSimilarity', 'dim', opts.dim ?? 1);
  const eps = checkNumber('cosineSimilarity', 'eps', opts.eps ?? 1e-8);
  const common = promoted(a, b);
  check(
    isFloating(common),
    RuntimeError,
    () => `expected common dtype to be floating point, yet common dtype is ${torchTypeName(common)}`,
  );
  if (!isFloating(a.dtype)) a = a.to(common);
  if (!isFloating(b.dtype)) b = b.to(common);
  const shape = broadcastShapes(a.shape, b.shape);
  if (a.shape.join() !== shape.join()) a = a.expand(shape);
  if (b.shape.join() !== shape.join()) b = b.expand(shape);
  const n1 = clampInvisibly(a.norm(2, dim, true), eps);
  const n2 = clampInvisibly(b.norm(2, dim, true), eps);
  return a.div(n1).mul(b.div(n2)).sum(dim);
}

/** `max(x, eps)` computed under no_grad in PyTorch: the gradient passes through unchanged. */
function clampInvisibly(x: Tensor, eps: number): Tensor {
  return pointwise('CloneBackward', [x], x.dtype, (v) => (v < eps ? eps : v), [(_a, _b, _c, _y, g) => g]);
}

/** Validates a user's `distanceFunction` option (undefined/null: use the default). */
export function checkDistanceFunction(fn: string, f: unknown): ((a: Tensor, b: Tensor) => Tensor) | undefined {
  if (f === undefined || f === null) return undefined;
  check(
    typeof f === 'function',
    LosskitTypeError,
    () => `${fn}(): argument 'distanceFunction' must be a function (a: Tensor, b: Tensor) => Tensor, but got ${typeof f}`,
  );
  return f as (a: Tensor, b: Tensor) => Tensor;
}
