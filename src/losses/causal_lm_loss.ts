import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { RuntimeError, ValueError, check, describe } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { sizeList } from '../tensor/shape.js';
import { torchTypeName } from '../ops/reduce.js';
import { arg, checkInt, checkOptions } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, resolveReduction } from './reduction.js';
import { crossEntropy } from './cross_entropy.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link causalLmLoss} and `nn.CausalLMLoss`. */
export interface CausalLMLossOptions extends ReductionOptions {
  /** Hugging Face's `ignore_index`. Default -100 (its padding label). Labels equal to it are not predicted. */
  ignoreIndex?: number;
  /**
   * Hugging Face's `num_items_in_batch`. Default none (this call's own count).
   * The number of labels that count in the whole batch (all micro-batches or shards together):
   * the summed loss is divided by it instead of by this call's own count, so the losses of the
   * parts add up to the loss of the whole. A positive number, or a one-element tensor.
   */
  numItemsInBatch?: number | Tensor | null;
}

/**
 * Next-token cross entropy of a causal language model, as Hugging Face's `ForCausalLMLoss`:
 * position `t` of the logits predicts label `t + 1`, so the labels are shifted left by one (the
 * last position predicts nothing), both are flattened, and {@link crossEntropy} with `ignoreIndex`
 * scores them (its fused kernel).
 *
 * Unreduced: `l[b, t] = -log softmax(logits[b, t])[labels[b, t + 1]]`, 0 where that label is
 * `ignoreIndex`. 'mean' (the default) divides the sum by the number of labels not ignored;
 * with `numItemsInBatch` it divides by that number instead, so micro-batches (or data-parallel
 * shards) each given the whole batch's count add up exactly to the whole batch's loss, and so do
 * their gradients (the gradient-accumulation fix of transformers 4.46). 'sum' sums.
 *
 * Unlike Hugging Face, the logits keep their dtype (float64 stays float64); labels may be int32 as
 * well as int64 (the shifted copy is made either way).
 *
 * @param logits `(B, T, V)` (or `(T, V)`, or any `(*, T, V)`) scores over a vocabulary of V.
 * @param labels `(B, T)` (the logits' shape without V) token ids in [0, V), or `ignoreIndex`:
 *   usually the input ids themselves.
 * @returns a 0-dim tensor, or `(B, T - 1)` for 'none' (one loss per predicted token).
 * @throws ValueError for logits with fewer than 2 dimensions, labels of another shape, a
 *   `numItemsInBatch` that is not a positive number, or `numItemsInBatch` with 'sum'/'none'.
 * @throws RuntimeError for integer logits or floating-point labels; IndexError (from
 *   cross entropy) for a label outside [0, V).
 * @example
 * F.causalLmLoss(zeros([1, 3, 4]), tensor([[1, 2, 3]], { dtype: 'int64' })).toString(); // 'tensor(1.3863)': log 4
 */
export function causalLmLoss(logits: TensorLike, labels: TensorLike, opts: CausalLMLossOptions = {}): Tensor {
  const h = inFloat32(causalLmLoss, [logits, labels, opts]);
  if (h !== undefined) return h;
  checkOptions('causalLmLoss', opts, LOSS_OPTIONS.causalLmLoss);
  const x = arg('causalLmLoss', 'logits', logits);
  const y = arg('causalLmLoss', 'labels', labels, Array.isArray(labels) ? 'int64' : undefined);
  const reduction = resolveReduction(opts, { legacy: false });
  const ignoreIndex = checkInt('causalLmLoss', 'ignoreIndex', opts.ignoreIndex ?? -100);
  const numItems = numItemsInBatch(opts.numItemsInBatch);
  check(
    numItems === undefined || reduction === 'mean',
    ValueError,
    () => `causalLmLoss(): numItemsInBatch replaces the count that 'mean' divides by, so it goes with reduction='mean' (the default), not '${reduction}'`,
  );
  check(isFloating(x.dtype), RuntimeError, () => `causalLmLoss(): expected floating point logits, got ${torchTypeName(x.dtype)}`);
  check(
    x.ndim >= 2,
    ValueError,
    () => `causalLmLoss(): expected logits of shape (B, T, V) (or (T, V)), got ${sizeList(x.shape)}`,
  );
  check(
    y.dtype === 'int64' || y.dtype === 'int32',
    RuntimeError,
    () => `expected scalar type Long but found ${torchTypeName(y.dtype)} (causalLmLoss wants token ids as int64 or int32)`,
  );
  const lead = x.shape.slice(0, -1);
  check(
    y.ndim === lead.length && y.shape.every((s, i) => s === lead[i]),
    ValueError,
    () => `causalLmLoss(): labels must have the logits' shape without the vocabulary: ${sizeList(lead)} for logits ${sizeList(x.shape)}, got ${sizeList(y.shape)}`,
  );
  const V = x.shape[x.ndim - 1];
  const T = lead[lead.length - 1];
  const rows = lead.reduce((a, b) => a * b, 1);
  // pad-and-shift the labels (as transformers does) rather than slicing the logits: a reshape of
  // the logits is a view, a slice of them would be a copy
  const flat = crossEntropy(x.reshape([rows, V]), new Tensor(shiftLabels(y, T, ignoreIndex), [rows]), {
    ignoreIndex,
    reduction: numItems === undefined ? reduction : 'sum',
  });
  if (numItems !== undefined) return flat.div(numItems);
  if (reduction !== 'none') return flat;
  return flat.reshape(lead).narrow(lead.length - 1, 0, Math.max(T - 1, 0));
}

/** `labels[..., 1:]` followed by one `ignoreIndex` per row, as int64. */
function shiftLabels(y: Tensor, T: number, ignoreIndex: number): BigInt64Array {
  const out = new BigInt64Array(y.numel);
  const fill = BigInt(ignoreIndex);
  const src = y.data as BigInt64Array | Int32Array;
  for (let r = 0; r + T <= out.length && T > 0; r += T) {
    if (src instanceof BigInt64Array) out.set(src.subarray(r + 1, r + T), r);
    else for (let t = 1; t < T; t++) out[r + t - 1] = BigInt(src[r + t]);
    out[r + T - 1] = fill;
  }
  return out;
}

function numItemsInBatch(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  let n: unknown = v;
  if (v instanceof Tensor) {
    check(v.numel === 1, ValueError, () => `causalLmLoss(): numItemsInBatch must be a number or a one-element tensor, got shape ${sizeList(v.shape)}`);
    n = Number(v.data[0]);
  }
  check(
    typeof n === 'number' && Number.isFinite(n) && n > 0,
    ValueError,
    () => `causalLmLoss(): numItemsInBatch must be a positive number (the labels counted over the whole batch), got ${v instanceof Tensor ? n : describe(v)}`,
  );
  return n;
}
