import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { IndexError, RuntimeError, ValueError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { type NumberArray, allocate, asNumbers } from '../tensor/dtype.js';
import { sameShape, sizeList } from '../tensor/shape.js';
import { torchTypeName } from '../ops/reduce.js';
import { arg, checkInt, checkOptions, expectLong, notDifferentiable, optionalArg, requireFloat } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, resolveReduction } from './reduction.js';
import { fusedClassIndices } from '../kernels/fused.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link nllLoss} and `nn.NLLLoss`. */
export interface NLLLossOptions extends ReductionOptions {
  /**
   * PyTorch's `weight`. Default none. `(C)` rescaling weight per class; 'mean' then divides by the
   * sum of the selected weights. Not differentiable.
   */
  weight?: TensorLike | null;
  /** PyTorch's `ignore_index`. Default -100. Targets equal to it add neither loss nor weight. */
  ignoreIndex?: number;
}

/** The pieces of NLL that cross entropy's label smoothing reuses. */
export interface NLLParts {
  /** Unreduced loss, shaped like the target, recorded for autograd. */
  loss: Tensor;
  /** Σ of the weights of the non-ignored targets (their count without weights). */
  weightSum: number;
  /** 1 where the target is not ignored, shaped like the target. */
  kept: Uint8Array;
  classDim: number;
}

/**
 * Validates (N, C, d1..dk) log-probabilities against (N, d1..dk) int64 targets with PyTorch's
 * checks and messages, in PyTorch's order, then picks `-w[y] x[n, y, ...]` per target.
 */
export function nllParts(fn: string, x: Tensor, y: Tensor, weight: Tensor | undefined, ignoreIndex: number): NLLParts {
  check(x.ndim >= 1, ValueError, () => `Expected 1 or more dimensions (got ${x.ndim})`);
  if (x.ndim !== 1 && y.ndim >= 1) {
    check(
      x.shape[0] === y.shape[0],
      ValueError,
      () => `Expected input batch_size (${x.shape[0]}) to match target batch_size (${y.shape[0]}).`,
    );
  }
  if (x.ndim <= 2) {
    check(
      y.ndim <= 1,
      RuntimeError,
      () =>
        `0D or 1D target tensor expected, multi-target not supported (input ${sizeList(x.shape)} holds one row of C ` +
        `log-probabilities per sample, so the target must be one class index per sample: shape [${x.ndim === 2 ? x.shape[0] : ''}])`,
    );
    check(
      (x.ndim === 1 && y.ndim === 0) || x.shape[0] === y.shape[0],
      RuntimeError,
      () => `size mismatch (got input: ${sizeList(x.shape)}, target: ${sizeList(y.shape)})`,
    );
    check(
      !(x.ndim === 1 && y.ndim === 1),
      RuntimeError,
      () => `Expected target to be 0D when input is 1D, but got target.dim =${y.ndim} (an unbatched (C) input takes one class index)`,
    );
  } else if (x.ndim === 4) {
    check(
      y.ndim === 3,
      RuntimeError,
      () => `only batches of spatial targets supported (3D tensors) but got targets of dimension: ${y.ndim}`,
    );
    check(
      x.shape[0] === y.shape[0] && x.shape[2] === y.shape[1] && x.shape[3] === y.shape[2],
      RuntimeError,
      () => `size mismatch (got input: ${sizeList(x.shape)} , target: ${sizeList(y.shape)}`,
    );
  } else {
    const want = [x.shape[0], ...x.shape.slice(2)];
    check(sameShape(y.shape, want), RuntimeError, () => `Expected target size ${sizeList(want)}, got ${sizeList(y.shape)}`);
  }
  const classDim = x.ndim === 1 ? 0 : 1;
  const C = x.shape[classDim];
  let w: NumberArray | null = null;
  if (weight) {
    check(
      weight.ndim === 1 && weight.numel === C,
      RuntimeError,
      () =>
        x.ndim <= 2
          ? `weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${sizeList(weight.shape)}`
          : `weight tensor should be defined either for all or no classes (${C} classes, got weight tensor of shape: ${sizeList(weight.shape)})`,
    );
    check(
      weight.dtype === x.dtype,
      RuntimeError,
      () => `expected scalar type ${torchTypeName(x.dtype)} but found ${torchTypeName(weight.dtype)} (weight must have the input's dtype)`,
    );
    w = asNumbers(weight.data);
  }
  expectLong(fn, y);
  requireFloat('nll_loss_out_frame', x.dtype);
  const targets = asNumbers(y.data);
  const inner = x.ndim <= 2 ? 1 : x.numel / (x.shape[0] * C || 1);
  const n = targets.length;
  const v = x.data as NumberArray;
  const out = allocate(x.dtype, n) as Float32Array | Float64Array;
  const kept = new Uint8Array(n);
  const offsets = new Int32Array(n);
  const picked = new Float64Array(n);
  let weightSum = 0;
  for (let k = 0; k < n; k++) {
    const t = targets[k];
    if (t === ignoreIndex) continue;
    if (t < 0 || t >= C) throw new IndexError(`Target ${t} is out of bounds. (expected class indices in [0, ${C - 1}]${ignoreIndex === -100 ? '' : ` or ignoreIndex ${ignoreIndex}`})`);
    const batch = Math.floor(k / inner);
    const off = (batch * C + t) * inner + (k % inner);
    const wt = w ? w[t] : 1;
    kept[k] = 1;
    offsets[k] = off;
    picked[k] = wt;
    weightSum += wt;
    out[k] = -wt * v[off];
  }
  const loss = record(new Tensor(out, y.shape), 'NllLossBackward', [x], (g) => {
    const gv = asNumbers(g.data);
    const gi = allocate(g.dtype, x.numel) as Float32Array | Float64Array;
    for (let k = 0; k < n; k++) if (kept[k]) gi[offsets[k]] = -picked[k] * gv[k];
    return [new Tensor(gi, x.shape)];
  });
  return { loss, weightSum, kept, classDim };
}

/** 'mean' divides by the summed weights of the kept targets: NaN when every target is ignored. */
export function reduceNll(parts: NLLParts, reduction: string): Tensor {
  if (reduction === 'none') return parts.loss;
  const total = parts.loss.sum();
  return reduction === 'sum' ? total : total.div(parts.weightSum);
}

/**
 * Negative log likelihood of the target classes, given log-probabilities.
 *
 * Unreduced: `l_n = -w[y_n] x[n, y_n]` (0 where `y_n == ignoreIndex`). `'mean'` is the *weighted*
 * mean `Σ l_n / Σ w[y_n]` over non-ignored targets; `'sum'` adds them. Pair it with
 * `logSoftmax(x, 1)` (or use {@link crossEntropy}, which does both).
 *
 * @param input `(C)`, `(N, C)` or `(N, C, d1, ..., dk)` log-probabilities.
 * @param target `()`, `(N)` or `(N, d1, ..., dk)` int64 class indices in [0, C).
 * @throws IndexError for a target outside [0, C) that is not `ignoreIndex`.
 * @throws ValueError for a 0-dim input or mismatched batch sizes.
 * @throws RuntimeError for a non-int64 target, a target of the wrong shape (such as the tutorial's
 *   2-D float target), or a weight not of length C.
 * @example
 * const logp = F.logSoftmax(tensor([[2, 0, 0], [0, 1, 0]]), 1);
 * F.nllLoss(logp, tensor([0, 1], { dtype: 'int64' })).toString(); // 'tensor(0.3955)'
 */
export function nllLoss(input: TensorLike, target: TensorLike, opts: NLLLossOptions = {}): Tensor {
  const h = inFloat32(nllLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('nllLoss', opts, LOSS_OPTIONS.nllLoss);
  const x = arg('nllLoss', 'input', input);
  const y = arg('nllLoss', 'target', target, 'int64');
  const reduction = resolveReduction(opts);
  const ignoreIndex = checkInt('nllLoss', 'ignoreIndex', opts.ignoreIndex ?? -100);
  const weight = optionalArg('nllLoss', 'weight', opts.weight);
  notDifferentiable('nll_loss_forward', 'weight', weight);
  const fused = fusedClassIndices('NllLossBackward', 'nll', x, y, reduction, { weight, ignoreIndex });
  if (fused) return fused;
  return reduceNll(nllParts('nllLoss', x, y, weight, ignoreIndex), reduction);
}
