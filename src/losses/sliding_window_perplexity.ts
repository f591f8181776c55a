import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { LosskitTypeError, ValueError, check, describe } from '../errors.js';
import { sizeList } from '../tensor/shape.js';
import { noGrad } from '../autograd/graph.js';
import { arg, checkInt, checkOptions } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { causalLmLoss } from './causal_lm_loss.js';

/** Options of {@link slidingWindowPerplexity}, named as in Hugging Face's perplexity guide. */
export interface SlidingWindowPerplexityOptions {
  /** `max_length`, required: the model's context length, tokens per window. A positive integer. */
  maxLength: number;
  /** `stride`. Default `maxLength` (windows that do not overlap). How far each window moves; at most `maxLength`. */
  stride?: number;
  /** `ignore_index`. Default -100. Labels equal to it are not predicted. */
  ignoreIndex?: number;
}

/** What {@link slidingWindowPerplexity} returns: plain numbers, no autograd. */
export interface PerplexityResult {
  /** `exp(nll)`. */
  perplexity: number;
  /** The mean negative log likelihood per scored token. */
  nll: number;
  /** How many tokens were scored. */
  tokens: number;
}

/** A language model as the sliding window sees it: `(B, L)` ids in, `(B, L, V)` logits out. */
export type WindowModel = (inputIds: Tensor) => TensorLike;
/** A {@link WindowModel} that returns a Promise of its logits (transformers.js, ONNX Runtime). */
export type AsyncWindowModel = (inputIds: Tensor) => Promise<TensorLike>;

/**
 * Perplexity of a sequence longer than a model's context, by Hugging Face's strided sliding window:
 * windows of `maxLength` tokens starting every `stride` tokens; in each, only the tokens the
 * previous window did not score are scored (the earlier ones are context, their labels set to
 * `ignoreIndex`), so every token is predicted once, with up to `maxLength - stride` tokens of
 * context before it. The result is `exp(Σ nll / Σ tokens)` over all windows.
 *
 * The tokens are counted exactly (each window's shifted labels not ignored), where the recipe in
 * Hugging Face's guide subtracts the batch size from each window's count, one token too few in
 * every window after the first. `stride = maxLength` gives disjoint chunks (the upper bound);
 * smaller strides give more context and a lower perplexity, for more model calls.
 *
 * @param model called once per window with `(B, L)` int64 ids (a new tensor each time), returns
 *   `(B, L, V)` logits: a losskit Tensor or anything {@link causalLmLoss} takes. A model that
 *   returns a Promise (transformers.js, ONNX Runtime) makes the result a Promise.
 * @param inputIds `(B, N)` or `(N)` token ids, int64 or int32.
 * @throws ValueError for a maxLength or stride that is not a positive integer, stride > maxLength,
 *   inputIds that are not 1-D or 2-D; the errors of {@link causalLmLoss} for the model's logits.
 * @example
 * const uniform = (ids: Tensor) => zeros([...ids.shape, 8]);
 * F.slidingWindowPerplexity(uniform, tensor([[1, 2, 3, 4, 5]], { dtype: 'int64' }), { maxLength: 3, stride: 2 });
 * // { perplexity: 8, nll: 2.0794..., tokens: 4 }
 */
export function slidingWindowPerplexity(model: AsyncWindowModel, inputIds: TensorLike, opts: SlidingWindowPerplexityOptions): Promise<PerplexityResult>;
export function slidingWindowPerplexity(model: WindowModel, inputIds: TensorLike, opts: SlidingWindowPerplexityOptions): PerplexityResult;
export function slidingWindowPerplexity(
  model: WindowModel | AsyncWindowModel,
  inputIds: TensorLike,
  opts: SlidingWindowPerplexityOptions,
): PerplexityResult | Promise<PerplexityResult> {
  const fn = 'slidingWindowPerplexity';
  check(typeof model === 'function', LosskitTypeError, () => `${fn}(): argument 'model' must be a function, but got ${describe(model)}`);
  check(opts !== undefined, LosskitTypeError, () => `${fn}(): options { maxLength, stride? } are required`);
  checkOptions(fn, opts, LOSS_OPTIONS.slidingWindowPerplexity);
  const maxLength = checkInt(fn, 'maxLength', opts.maxLength);
  const stride = checkInt(fn, 'stride', opts.stride ?? maxLength);
  const ignoreIndex = checkInt(fn, 'ignoreIndex', opts.ignoreIndex ?? -100);
  check(maxLength > 0 && stride > 0, ValueError, () => `${fn}(): maxLength and stride must be positive, got ${maxLength} and ${stride}`);
  check(stride <= maxLength, ValueError, () => `${fn}(): stride ${stride} > maxLength ${maxLength} would skip tokens`);
  const ids = arg(fn, 'inputIds', inputIds, Array.isArray(inputIds) ? 'int64' : undefined);
  check(ids.ndim === 1 || ids.ndim === 2, ValueError, () => `${fn}(): inputIds must be (B, N) or (N), got ${sizeList(ids.shape)}`);
  check(ids.dtype === 'int64' || ids.dtype === 'int32', ValueError, () => `${fn}(): inputIds must be int64 or int32 token ids, got ${ids.dtype}`);
  const steps = windows(ids.ndim === 1 ? ids.reshape([1, ids.numel]) : ids, maxLength, stride, ignoreIndex);
  // drive the windows synchronously until the model hands back a Promise, then asynchronously
  let next = steps.next();
  while (!next.done) {
    const logits = model(next.value);
    if (isThenable(logits)) return continueAsync(steps, logits, model);
    next = steps.next(logits);
  }
  return next.value;
}

async function continueAsync(
  steps: Generator<Tensor, PerplexityResult, TensorLike>,
  first: PromiseLike<TensorLike>,
  model: WindowModel | AsyncWindowModel,
): Promise<PerplexityResult> {
  let next = steps.next(await first);
  while (!next.done) next = steps.next(await model(next.value));
  return next.value;
}

function isThenable(v: unknown): v is PromiseLike<TensorLike> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** Yields each window's ids, receives its logits, returns the total. */
function* windows(ids: Tensor, maxLength: number, stride: number, ignoreIndex: number): Generator<Tensor, PerplexityResult, TensorLike> {
  const [B, N] = ids.shape;
  const src = ids.data as BigInt64Array | Int32Array;
  let nll = 0;
  let tokens = 0;
  let prevEnd = 0;
  for (let begin = 0; begin < N; begin += stride) {
    const end = Math.min(begin + maxLength, N);
    const L = end - begin;
    const context = L - (end - prevEnd); // labels the previous window scored already
    const window = new BigInt64Array(B * L);
    for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) window[b * L + t] = BigInt(src[b * N + begin + t]);
    const labels = window.slice();
    for (let b = 0; b < B; b++) labels.fill(BigInt(ignoreIndex), b * L, b * L + context);
    const logits = yield new Tensor(window, [B, L]);
    nll += noGrad(() => causalLmLoss(logits, new Tensor(labels, [B, L]), { ignoreIndex, reduction: 'sum' }).item());
    for (let b = 0; b < B; b++) for (let t = 1; t < L; t++) if (labels[b * L + t] !== BigInt(ignoreIndex)) tokens++;
    prevEnd = end;
    if (end === N) break;
  }
  const mean = nll / tokens;
  return { perplexity: Math.exp(mean), nll: mean, tokens };
}
