import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { ValueError, check } from '../errors.js';
import { arg, checkInt, checkOptions } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { causalLmLoss } from './causal_lm_loss.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link perplexity}. */
export interface PerplexityOptions {
  /** Hugging Face's `ignore_index`. Default -100. Labels equal to it are not predicted. */
  ignoreIndex?: number;
  /** Default 'mean': one perplexity over every predicted token; 'none': `(B)`, one per sequence. */
  reduction?: 'mean' | 'none';
}

/**
 * Perplexity of a causal language model: `exp` of its mean next-token negative log likelihood,
 * {@link causalLmLoss} with the same shift, flattening and `ignoreIndex`.
 *
 * 'mean' (default): `exp(Σ nll / number of predicted tokens)` over the whole batch, the number
 * Hugging Face's perplexity guide computes. 'none': `(B)`, each sequence's own
 * `exp(mean nll)` over its tokens not ignored (NaN for a sequence with none). Differentiable.
 *
 * @param logits `(B, T, V)` (or `(T, V)`) scores.
 * @param labels `(B, T)` token ids, usually the input ids; `ignoreIndex` where nothing is predicted.
 * @throws the errors of {@link causalLmLoss}; ValueError for a reduction other than 'mean' / 'none'.
 * @example
 * F.perplexity(zeros([1, 3, 4]), tensor([[1, 2, 3]], { dtype: 'int64' })).item(); // 4: uniform over 4 tokens
 */
export function perplexity(logits: TensorLike, labels: TensorLike, opts: PerplexityOptions = {}): Tensor {
  const h = inFloat32(perplexity, [logits, labels, opts]);
  if (h !== undefined) return h;
  checkOptions('perplexity', opts, LOSS_OPTIONS.perplexity);
  const reduction = opts.reduction ?? 'mean';
  check(
    reduction === 'mean' || reduction === 'none',
    ValueError,
    () => `perplexity(): reduction must be 'mean' or 'none' (one per sequence), got ${String(reduction)}`,
  );
  const ignoreIndex = checkInt('perplexity', 'ignoreIndex', opts.ignoreIndex ?? -100);
  if (reduction === 'mean') return causalLmLoss(logits, labels, { ignoreIndex }).exp();
  const y = arg('perplexity', 'labels', labels, Array.isArray(labels) ? 'int64' : undefined);
  const perToken = causalLmLoss(logits, y, { ignoreIndex, reduction: 'none' }); // (*, T - 1)
  const d = perToken.ndim - 1;
  const T = y.shape[d];
  const counts = new Float64Array(y.shape.slice(0, -1).reduce((a, b) => a * b, 1));
  const ids = y.data as BigInt64Array | Int32Array;
  for (let r = 0; r < counts.length; r++) {
    for (let t = 1; t < T; t++) if (Number(ids[r * T + t]) !== ignoreIndex) counts[r]++;
  }
  const count = new Tensor(counts, perToken.shape.slice(0, -1)).to(perToken.dtype);
  return perToken.sum(d).div(count).exp();
}
