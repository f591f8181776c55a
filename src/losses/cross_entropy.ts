import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { sameShape, sizeList } from '../tensor/shape.js';
import { torchTypeName } from '../ops/reduce.js';
import { logSoftmax } from '../ops/softmax.js';
import { where } from '../ops/elementwise.js';
import { Tensor as T } from '../tensor/tensor.js';
import { arg, checkInt, checkNumber, checkOptions, notDifferentiable, optionalArg } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, resolveReduction } from './reduction.js';
import { nllParts, reduceNll } from './nll_loss.js';
import { fusedClassIndices, fusedClassProbabilities } from '../kernels/fused.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link crossEntropy} and `nn.CrossEntropyLoss`. */
export interface CrossEntropyLossOptions extends ReductionOptions {
  /**
   * PyTorch's `weight`. Default none. `(C)` rescaling weight per class; with class indices 'mean'
   * divides by the sum of the targets' weights. Not differentiable.
   */
  weight?: TensorLike | null;
  /**
   * PyTorch's `ignore_index`. Default -100. Class-index targets equal to it add neither loss nor
   * weight (their unreduced loss is 0). Must be negative with probability targets.
   */
  ignoreIndex?: number;
  /**
   * PyTorch's `label_smoothing`. Default 0. In [0, 1]: the target becomes
   * `(1 - ε) target + ε / C`, mixing in the uniform distribution.
   */
  labelSmoothing?: number;
}

/**
 * Cross entropy between logits and targets: `logSoftmax` followed by the negative log likelihood.
 *
 * The target decides the mode, as in PyTorch. **Class indices** (`(N)` int64, any shape other
 * than the input's): `l_n = -w[y_n] log softmax(x_n)[y_n]`, 'mean' is the weighted mean
 * `Σ l_n / Σ w[y_n]` over non-ignored targets. **Class probabilities** (float, the input's shape):
 * `l_n = -Σ_c w_c y_{n,c} log softmax(x_n)_c`, 'mean' divides by the number of samples.
 * With `labelSmoothing = ε` the target becomes `(1 - ε) target + ε / C`.
 *
 * This is why the tutorial's `CrossEntropyLoss()(ones(2, 2), [[0, 1], [2, 3]])` gives 2.0794: the
 * float target has the input's shape, so it is read as (unnormalised) probabilities.
 *
 * @param input `(C)`, `(N, C)` or `(N, C, d1, ..., dk)` logits.
 * @param target `()`, `(N)`, `(N, d1, ..., dk)` int64 class indices in [0, C), or probabilities shaped like the input.
 * @throws IndexError for class indices outside [0, C).
 * @throws RuntimeError for integer probability targets, labelSmoothing > 1, ignoreIndex >= 0 with
 *   probabilities, a weight not of length C, and the shape errors of {@link nllLoss}.
 * @example
 * F.crossEntropy(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(2.0794)'
 */
export function crossEntropy(input: TensorLike, target: TensorLike, opts: CrossEntropyLossOptions = {}): Tensor {
  const h = inFloat32(crossEntropy, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('crossEntropy', opts, LOSS_OPTIONS.crossEntropy);
  const x = arg('crossEntropy', 'input', input);
  const y = arg('crossEntropy', 'target', target, Array.isArray(target) && !sameShapeAsArray(x, target) ? 'int64' : undefined);
  const reduction = resolveReduction(opts);
  const ignoreIndex = checkInt('crossEntropy', 'ignoreIndex', opts.ignoreIndex ?? -100);
  const eps = checkNumber('crossEntropy', 'labelSmoothing', opts.labelSmoothing ?? 0);
  const weight = optionalArg('crossEntropy', 'weight', opts.weight);
  notDifferentiable('nll_loss_forward', 'weight', weight);
  const classDim = x.ndim === 1 ? 0 : 1;

  if (sameShape(x.shape, y.shape)) {
    check(
      isFloating(y.dtype),
      RuntimeError,
      () =>
        `Expected floating point type for target with class probabilities, got ${torchTypeName(y.dtype)} ` +
        `(a target shaped like the input is read as probabilities; class indices need shape ${sizeList(x.shape.filter((_, i) => i !== classDim))})`,
    );
    check(ignoreIndex < 0, RuntimeError, () => 'ignore_index is not supported for floating point target');
    const fused = eps <= 1 ? fusedClassProbabilities('CrossEntropyBackward', x, y, reduction, { weight, eps: Math.max(eps, 0) }) : null;
    if (fused) return fused;
    return probabilityTargets(x, y, weight, reduction, eps);
  }
  const fused = eps <= 1 ? fusedClassIndices('CrossEntropyBackward', 'ce', x, y, reduction, { weight, ignoreIndex, eps: Math.max(eps, 0) }) : null;
  if (fused) return fused;
  const logp = logSoftmax(x, classDim);
  if (eps > 0) {
    checkSmoothing(eps);
    return labelSmoothed(logp, y, weight, ignoreIndex, reduction, eps);
  }
  return reduceNll(nllParts('crossEntropy', logp, y, weight, ignoreIndex), reduction);
}

function sameShapeAsArray(x: Tensor, target: unknown[]): boolean {
  const shape: number[] = [];
  let p: unknown = target;
  while (Array.isArray(p)) {
    shape.push(p.length);
    p = p[0];
  }
  return sameShape(shape, x.shape);
}

function checkSmoothing(eps: number): void {
  check(eps <= 1, RuntimeError, () => `label_smoothing must be between 0.0 and 1.0. Got: ${eps}`);
}

/** The class weight viewed to broadcast along the class dimension: (C) -> (1, C, 1, ..., 1). */
function classWeight(weight: Tensor, x: Tensor): Tensor {
  return x.ndim > 1 ? weight.reshape(x.shape.map((s, i) => (i === 1 ? s : 1))) : weight;
}

function probabilityTargets(x: Tensor, y: Tensor, weight: Tensor | undefined, reduction: string, eps: number): Tensor {
  const classDim = x.ndim === 1 ? 0 : 1;
  const C = x.shape[classDim]; // 0-dim input: IndexError from the logSoftmax below, as in PyTorch
  const logp = logSoftmax(x, classDim);
  if (weight) {
    check(
      weight.ndim === 1 && weight.numel === C,
      RuntimeError,
      () => `cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${sizeList(weight.shape)}`,
    );
  }
  let target = y;
  if (eps > 0) {
    checkSmoothing(eps);
    target = y.mul(1 - eps).add(eps / C);
  }
  let prod = logp.mul(target);
  if (weight) prod = prod.mul(classWeight(weight, x));
  if (reduction === 'none') return prod.sum(classDim).neg();
  if (reduction === 'sum') return prod.sum().neg();
  return prod.sum().neg().div(x.numel / C);
}

function labelSmoothed(
  logp: Tensor,
  y: Tensor,
  weight: Tensor | undefined,
  ignoreIndex: number,
  reduction: string,
  eps: number,
): Tensor {
  const parts = nllParts('crossEntropy', logp, y, weight, ignoreIndex);
  const C = logp.shape[parts.classDim];
  // the uniform part: -Σ_c w_c log p_c per sample, 0 where the target is ignored
  const weighted = weight ? logp.mul(classWeight(weight, logp)) : logp;
  const smooth = where(new T(parts.kept, y.shape), weighted.sum(parts.classDim).neg(), 0);
  const nll = reduceNll(parts, reduction);
  if (reduction === 'none') return nll.mul(1 - eps).add(smooth.mul(eps / C));
  const smoothTotal = reduction === 'sum' ? smooth.sum() : smooth.sum().div(parts.weightSum);
  return nll.mul(1 - eps).add(smoothTotal.mul(eps / C));
}
