/**
 * The loss modules, with PyTorch's class names. Each constructor takes the F function's options
 * object and `forward` calls the F function with them: nothing else.
 */
import { ValueError, check, warn } from '../errors.js';
import { pyFloat } from '../losses/args.js';
import { LOSS_OPTIONS, type LossName } from '../losses/options.js';
import { checkOptions } from '../options.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import * as F from '../losses/index.js';
import { Module } from './module.js';

abstract class Loss<O extends object> extends Module {
  /**
   * The F function `forward` calls: its option names are the ones the constructor accepts.
   * @internal
   */
  static readonly fn: LossName;
  /** The options given to the constructor, frozen: `forward` passes them to the F function. */
  readonly options: Readonly<O>;
  /**
   * @param options the F function's options (`reduction` and the loss's own), checked now as
   *   PyTorch's `__init__` checks its keywords.
   * @throws LosskitTypeError for an unknown option name, with a did-you-mean.
   */
  constructor(options: O = {} as O) {
    super();
    // checked here, as PyTorch's __init__ refuses unknown keywords, not first at forward
    checkOptions(new.target.name, options, LOSS_OPTIONS[(new.target as unknown as typeof Loss).fn]);
    this.options = Object.freeze({ ...options });
  }
  /** The reduction `forward` applies: the `reduction` option, default 'mean'. */
  get reduction(): string {
    return (this.options as { reduction?: string }).reduction ?? 'mean';
  }
}

/**
 * PyTorch's `nn.L1Loss`: the mean absolute error between input and target.
 *
 * Unreduced: `l_i = |x_i - y_i|`; 'mean' averages over all elements, 'sum' adds them, 'none'
 * returns them with the input's shape. See {@link F.l1Loss}.
 *
 * Shapes: input `(*)`, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.L1Loss().forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(1.)'
 * new nn.L1Loss({ reduction: 'sum' }).forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(4.)'
 */
export class L1Loss extends Loss<F.L1LossOptions> {
  static override readonly fn = 'l1Loss';
  /**
   * Computes {@link F.l1Loss} with this module's options.
   * @param input `(*)` predictions.
   * @param target `(*)` targets, the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.l1Loss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.MSELoss`: the mean squared error between input and target.
 *
 * Unreduced: `l_i = (x_i - y_i)^2`; 'mean' averages over all elements, 'sum' adds them. See
 * {@link F.mseLoss}.
 *
 * Shapes: input `(*)`, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.MSELoss().forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(1.5000)'
 * new nn.MSELoss({ reduction: 'none' }).forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString();
 * // 'tensor([[1., 0.],\n        [1., 4.]])'
 */
export class MSELoss extends Loss<F.MSELossOptions> {
  static override readonly fn = 'mseLoss';
  /**
   * Computes {@link F.mseLoss} with this module's options.
   * @param input `(*)` predictions.
   * @param target `(*)` targets, the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.mseLoss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.SmoothL1Loss`: quadratic for errors below `beta`, linear above.
 *
 * Unreduced, with `d = x - y`: `l = 0.5 d^2 / beta` if `|d| < beta`, else `|d| - 0.5 beta`
 * (`beta` default 1; 0 gives L1). See {@link F.smoothL1Loss}.
 *
 * Shapes: input `(*)`, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.SmoothL1Loss().forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(0.6250)'
 * new nn.SmoothL1Loss({ beta: 0.5 }).forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(0.8125)'
 */
export class SmoothL1Loss extends Loss<F.SmoothL1LossOptions> {
  static override readonly fn = 'smoothL1Loss';
  /**
   * Computes {@link F.smoothL1Loss} with this module's options.
   * @param input `(*)` predictions.
   * @param target `(*)` targets, the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.smoothL1Loss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.HuberLoss`: quadratic for errors below `delta`, linear with slope `delta` above.
 *
 * Unreduced, with `d = x - y`: `l = 0.5 d^2` if `|d| < delta`, else `delta (|d| - 0.5 delta)`
 * (`delta` default 1): `delta` times {@link SmoothL1Loss} with `beta = delta`. See {@link F.huberLoss}.
 *
 * Shapes: input `(*)`, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.HuberLoss({ delta: 2 }).forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(0.7500)'
 */
export class HuberLoss extends Loss<F.HuberLossOptions> {
  static override readonly fn = 'huberLoss';
  /**
   * Computes {@link F.huberLoss} with this module's options.
   * @param input `(*)` predictions.
   * @param target `(*)` targets, the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.huberLoss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.BCELoss`: binary cross entropy between probabilities and targets in [0, 1].
 *
 * Unreduced: `l = -w [y log(x) + (1 - y) log(1 - x)]`, each log clamped at -100. For raw scores
 * use {@link BCEWithLogitsLoss}, which is numerically stable. See {@link F.binaryCrossEntropy}.
 *
 * Shapes: input `(*)` probabilities, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.BCELoss().forward(tensor([0.8, 0.2]), tensor([1, 0])).toString(); // 'tensor(0.2231)'
 */
export class BCELoss extends Loss<F.BCELossOptions> {
  static override readonly fn = 'binaryCrossEntropy';
  /**
   * Computes {@link F.binaryCrossEntropy} with this module's options.
   * @param input `(*)` probabilities in [0, 1].
   * @param target `(*)` the input's shape, values in [0, 1].
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.binaryCrossEntropy(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.BCEWithLogitsLoss`: a sigmoid and binary cross entropy in one numerically stable step.
 *
 * Unreduced: `l = -w [p y log σ(x) + (1 - y) log(1 - σ(x))]` with `p` the `posWeight` (default 1).
 * See {@link F.binaryCrossEntropyWithLogits}.
 *
 * Shapes: input `(*)` logits, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.BCEWithLogitsLoss().forward(tensor([2, -1]), tensor([1, 0])).toString(); // 'tensor(0.2201)'
 * new nn.BCEWithLogitsLoss({ posWeight: tensor([2]) }).forward(tensor([2, -1]), tensor([1, 0])).toString(); // 'tensor(0.2836)'
 */
export class BCEWithLogitsLoss extends Loss<F.BCEWithLogitsLossOptions> {
  static override readonly fn = 'binaryCrossEntropyWithLogits';
  /**
   * Computes {@link F.binaryCrossEntropyWithLogits} with this module's options.
   * @param input `(*)` logits.
   * @param target `(*)` the input's shape, usually in [0, 1].
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.CrossEntropyLoss`: `logSoftmax` over the class dimension, then the negative log likelihood.
 *
 * Class-index targets: `l_n = -w[y_n] log softmax(x_n)[y_n]`, 'mean' is the weighted mean
 * `Σ l_n / Σ w[y_n]` over targets not equal to `ignoreIndex`. Probability targets (the input's
 * shape, float): `l_n = -Σ_c w_c y_{n,c} log softmax(x_n)_c`, 'mean' divides by N. `labelSmoothing = ε`
 * mixes the target with the uniform distribution. See {@link F.crossEntropy}.
 *
 * Shapes: input `(C)`, `(N, C)` or `(N, C, d1, ..., dk)` logits; target `()`, `(N)` or
 * `(N, d1, ..., dk)` int64 class indices in [0, C), or probabilities of the input's shape; output
 * `()` or, for 'none', `(N)` / `(N, d1, ..., dk)`.
 *
 * @example
 * const logits = tensor([[2, 0, 0], [0, 1, 0]]);
 * const target = tensor([0, 1], { dtype: 'int64' });
 * new nn.CrossEntropyLoss().forward(logits, target).toString(); // 'tensor(0.3955)'
 * new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, target).toString(); // 'tensor(0.4955)'
 */
export class CrossEntropyLoss extends Loss<F.CrossEntropyLossOptions> {
  static override readonly fn = 'crossEntropy';
  /**
   * Computes {@link F.crossEntropy} with this module's options.
   * @param input `(C)`, `(N, C)` or `(N, C, d1, ..., dk)` logits.
   * @param target `()`, `(N)` or `(N, d1, ..., dk)` int64 class indices, or probabilities of the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.NLLLoss`: the negative log likelihood of the target classes, given log-probabilities.
 *
 * Unreduced: `l_n = -w[y_n] x[n, y_n]`, 0 where `y_n == ignoreIndex`; 'mean' is the weighted mean
 * `Σ l_n / Σ w[y_n]` over the targets not ignored. Feed it `logSoftmax(x, 1)`, or use
 * {@link CrossEntropyLoss}, which does both. See {@link F.nllLoss}.
 *
 * Shapes: input `(C)`, `(N, C)` or `(N, C, d1, ..., dk)` log-probabilities; target `()`, `(N)` or
 * `(N, d1, ..., dk)` int64 class indices in [0, C); output `()` or, for 'none', the target's shape.
 *
 * @example
 * const logp = F.logSoftmax(tensor([[2, 0, 0], [0, 1, 0]]), 1);
 * const target = tensor([0, 1], { dtype: 'int64' });
 * new nn.NLLLoss().forward(logp, target).toString(); // 'tensor(0.3955)'
 * new nn.NLLLoss({ ignoreIndex: 1 }).forward(logp, target).toString(); // 'tensor(0.2395)'
 */
export class NLLLoss extends Loss<F.NLLLossOptions> {
  static override readonly fn = 'nllLoss';
  /**
   * Computes {@link F.nllLoss} with this module's options.
   * @param input `(C)`, `(N, C)` or `(N, C, d1, ..., dk)` log-probabilities.
   * @param target `()`, `(N)` or `(N, d1, ..., dk)` int64 class indices in [0, C).
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}

/**
 * PyTorch's deprecated `nn.NLLLoss2d`: {@link NLLLoss} under its old name for `(N, C, H, W)`
 * inputs and `(N, H, W)` targets. Constructing one warns, as PyTorch does.
 *
 * @example
 * const logp = F.logSoftmax(zeros([1, 2, 2, 2]), 1);
 * new nn.NLLLoss2d().forward(logp, tensor([[[0, 1], [1, 0]]], { dtype: 'int64' })).toString(); // 'tensor(0.6931)'
 * @deprecated Use {@link NLLLoss}: it handles (N, C, H, W) inputs itself. Kept as PyTorch keeps it.
 */
export class NLLLoss2d extends NLLLoss {
  constructor(options: F.NLLLossOptions = {}) {
    super(options);
    warn(
      'NLLLoss2d has been deprecated. Please use NLLLoss instead as a drop-in replacement and see https://pytorch.org/docs/main/generated/torch.nn.NLLLoss.html for more details.',
    );
  }
}

/**
 * PyTorch's `nn.KLDivLoss`: the Kullback-Leibler divergence `KL(target ‖ p)`, the input holding `log p`.
 *
 * Unreduced: `l = target (log target - input)`, or `exp(target) (target - input)` with
 * `logTarget`. 'batchmean' divides the sum by the batch size and is the KL divergence; 'mean'
 * (the default) divides by the number of elements and warns, as PyTorch does. See {@link F.klDiv}.
 *
 * Shapes: input `(*)` log-probabilities, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * const logp = F.logSoftmax(tensor([[0, 0]]), 1);
 * new nn.KLDivLoss({ reduction: 'batchmean' }).forward(logp, tensor([[0.25, 0.75]])).toString(); // 'tensor(0.1308)'
 */
export class KLDivLoss extends Loss<F.KLDivLossOptions> {
  static override readonly fn = 'klDiv';
  /**
   * Computes {@link F.klDiv} with this module's options.
   * @param input `(*)` log-probabilities.
   * @param target `(*)` probabilities (log-probabilities with `logTarget`), the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.klDiv(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.PoissonNLLLoss`: the negative log likelihood of a Poisson target with the input as its rate.
 *
 * Unreduced: `l = exp(x) - y x` with `logInput` (the default, the input is `log(rate)`), else
 * `l = x - y log(x + eps)`; `full` adds the Stirling term for `y > 1`. See {@link F.poissonNllLoss}.
 *
 * Shapes: input `(*)`, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.PoissonNLLLoss().forward(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(1.2183)'
 */
export class PoissonNLLLoss extends Loss<F.PoissonNLLLossOptions> {
  static override readonly fn = 'poissonNllLoss';
  /**
   * Computes {@link F.poissonNllLoss} with this module's options.
   * @param logInput `(*)` log-rates (rates when `logInput` is false).
   * @param target `(*)` counts, the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(logInput: TensorLike, target: TensorLike): Tensor {
    return F.poissonNllLoss(logInput, target, this.options);
  }
}

/**
 * PyTorch's `nn.GaussianNLLLoss`: the negative log likelihood of the target under a Gaussian with
 * mean `input` and variance `variance`.
 *
 * Unreduced: `l = ½ (log(max(var, eps)) + (input - target)² / max(var, eps))`, plus `½ log(2π)`
 * with `full`. See {@link F.gaussianNllLoss}.
 *
 * Shapes: input `(N, *)` or `(*)`; target the input's shape; variance the input's shape, the input's
 * shape without its last dimension, one dimension of size 1, or a number; output `()` or, for 'none', `(N, *)`.
 *
 * @example
 * new nn.GaussianNLLLoss().forward(ones([2, 2]), tensor([[0, 1], [2, 3]]), ones([2, 2])).toString(); // 'tensor(0.7500)'
 */
export class GaussianNLLLoss extends Loss<F.GaussianNLLLossOptions> {
  static override readonly fn = 'gaussianNllLoss';
  /**
   * Computes {@link F.gaussianNllLoss} with this module's options.
   * @param input `(N, *)` or `(*)` means.
   * @param target the input's shape (broadcast silently).
   * @param variance non-negative variances: a tensor shaped as described above, or a number.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike, variance: TensorLike): Tensor {
    return F.gaussianNllLoss(input, target, variance, this.options);
  }
}

/**
 * PyTorch's `nn.MarginRankingLoss`: target 1 says `input1` should rank above `input2`, -1 below.
 *
 * Unreduced: `l = max(0, -y (x1 - x2) + margin)` (`margin` default 0). See {@link F.marginRankingLoss}.
 *
 * Shapes: input1 `(N)` or `()`, input2 and target the same number of dimensions; output `()` or,
 * for 'none', `(N)`.
 *
 * @example
 * new nn.MarginRankingLoss({ margin: 0.5 }).forward(tensor([1, 2]), tensor([2, 1]), tensor([1, 1])).toString(); // 'tensor(0.7500)'
 */
export class MarginRankingLoss extends Loss<F.MarginRankingLossOptions> {
  static override readonly fn = 'marginRankingLoss';
  /**
   * Computes {@link F.marginRankingLoss} with this module's options.
   * @param input1 `(N)` or `()` scores.
   * @param input2 `(N)` or `()` scores.
   * @param target `(N)` or `()` of 1 or -1.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input1: TensorLike, input2: TensorLike, target: TensorLike): Tensor {
    return F.marginRankingLoss(input1, input2, target, this.options);
  }
}

/**
 * PyTorch's `nn.HingeEmbeddingLoss`: small distances for similar pairs (target 1), at least
 * `margin` for dissimilar ones (target -1).
 *
 * Unreduced: `l = x` where `y = 1`, `max(0, margin - x)` where `y = -1` (`margin` default 1).
 * See {@link F.hingeEmbeddingLoss}.
 *
 * Shapes: input `(*)` distances, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.HingeEmbeddingLoss().forward(tensor([0.3, 2]), tensor([1, -1])).toString(); // 'tensor(0.1500)'
 */
export class HingeEmbeddingLoss extends Loss<F.HingeEmbeddingLossOptions> {
  static override readonly fn = 'hingeEmbeddingLoss';
  /**
   * Computes {@link F.hingeEmbeddingLoss} with this module's options.
   * @param input `(*)` distances.
   * @param target `(*)` of 1 or -1, the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.hingeEmbeddingLoss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.MultiLabelMarginLoss`: each target class's score should beat every non-target
 * class's score by 1.
 *
 * With `J` the target row's class indices (up to its first -1) and `i` the classes not in `J`:
 * `l = Σ_j Σ_i max(0, 1 - (x[J_j] - x[i])) / C`. See {@link F.multilabelMarginLoss}.
 *
 * Shapes: input `(C)` or `(N, C)` scores; target int64 of the input's shape, class indices padded
 * with -1; output `()` or, for 'none', `(N)`.
 *
 * @example
 * const target = tensor([[3, 0, -1, 1]], { dtype: 'int64' });
 * new nn.MultiLabelMarginLoss().forward(tensor([[0.1, 0.2, 0.4, 0.8]]), target).toString(); // 'tensor(0.8500)'
 */
export class MultiLabelMarginLoss extends Loss<F.ReductionOptions> {
  static override readonly fn = 'multilabelMarginLoss';
  /**
   * Computes {@link F.multilabelMarginLoss} with this module's options.
   * @param input `(C)` or `(N, C)` scores.
   * @param target int64 of the input's shape: class indices padded with -1.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.multilabelMarginLoss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.SoftMarginLoss`: the two-class logistic loss for targets of 1 or -1.
 *
 * Unreduced: `l = log(1 + exp(-y x))`. See {@link F.softMarginLoss}.
 *
 * Shapes: input `(*)` scores, target `(*)` the same shape; output `()` or, for 'none', `(*)`.
 *
 * @example
 * new nn.SoftMarginLoss().forward(tensor([1, -1]), tensor([1, 1])).toString(); // 'tensor(0.8133)'
 */
export class SoftMarginLoss extends Loss<F.ReductionOptions> {
  static override readonly fn = 'softMarginLoss';
  /**
   * Computes {@link F.softMarginLoss} with this module's options.
   * @param input `(*)` scores.
   * @param target `(*)` of 1 or -1, the input's shape.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.softMarginLoss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.MultiLabelSoftMarginLoss`: one binary logistic loss per class, averaged over the classes.
 *
 * Unreduced, per sample: `l = -Σ_c w_c (y_c log σ(x_c) + (1 - y_c) log σ(-x_c)) / C`. See
 * {@link F.multilabelSoftMarginLoss}.
 *
 * Shapes: input `(N, C)` or `(C)` logits, target the same shape (usually 0/1); output `()` or, for 'none', `(N)`.
 *
 * @example
 * new nn.MultiLabelSoftMarginLoss().forward(tensor([[0, 0]]), tensor([[1, 0]])).toString(); // 'tensor(0.6931)'
 */
export class MultiLabelSoftMarginLoss extends Loss<F.MultiLabelSoftMarginLossOptions> {
  static override readonly fn = 'multilabelSoftMarginLoss';
  /**
   * Computes {@link F.multilabelSoftMarginLoss} with this module's options.
   * @param input `(N, C)` or `(C)` logits.
   * @param target the input's shape, usually 0/1.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.multilabelSoftMarginLoss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.CosineEmbeddingLoss`: pulls similar pairs (target 1) together, pushes dissimilar
 * pairs (target -1) below a cosine of `margin`.
 *
 * Unreduced: `l = 1 - cos(x1, x2)` where `y = 1`, `max(0, cos(x1, x2) - margin)` where `y = -1`
 * (`margin` default 0). See {@link F.cosineEmbeddingLoss}.
 *
 * Shapes: input1 and input2 `(N, D)` or `(D)`; target `(N)` or `()`; output `()` or, for 'none', `(N)`.
 *
 * @example
 * new nn.CosineEmbeddingLoss().forward(tensor([[1, 0]]), tensor([[1, 1]]), tensor([1])).toString(); // 'tensor(0.2929)'
 */
export class CosineEmbeddingLoss extends Loss<F.CosineEmbeddingLossOptions> {
  static override readonly fn = 'cosineEmbeddingLoss';
  /**
   * Computes {@link F.cosineEmbeddingLoss} with this module's options.
   * @param input1 `(N, D)` or `(D)`.
   * @param input2 `(N, D)` or `(D)`.
   * @param target `(N)` or `()` of 1 or -1.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input1: TensorLike, input2: TensorLike, target: TensorLike): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, this.options);
  }
}

/**
 * PyTorch's `nn.MultiMarginLoss`: the multi-class hinge loss, the target class's score beating
 * every other by `margin`.
 *
 * Unreduced, per sample with target `y`: `l = Σ_{i≠y} w[y] max(0, margin - x[y] + x[i])^p / C`
 * (`p` 1 or 2, default 1; `margin` default 1). The constructor checks `p` and the weight's
 * dimensions, as PyTorch's does. See {@link F.multiMarginLoss}.
 *
 * Shapes: input `(N, C)` or `(C)` scores; target `(N)` or `()` int64 class indices in [0, C);
 * output `()` or, for 'none', `(N)`.
 *
 * @throws ValueError from the constructor: `only p == 1 and p == 2 supported`, `weight must be one-dimensional`.
 * @example
 * new nn.MultiMarginLoss().forward(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([3], { dtype: 'int64' })).toString(); // 'tensor(0.3250)'
 */
export class MultiMarginLoss extends Loss<F.MultiMarginLossOptions> {
  static override readonly fn = 'multiMarginLoss';
  constructor(options: F.MultiMarginLossOptions = {}) {
    super(options);
    // PyTorch's constructor checks these too, before any forward
    check(options.p === undefined || options.p === 1 || options.p === 2, ValueError, () => 'only p == 1 and p == 2 supported');
    const w = options.weight;
    check(!w || typeof w !== 'object' || !('ndim' in w) || w.ndim === 1, ValueError, () => 'weight must be one-dimensional');
  }
  /**
   * Computes {@link F.multiMarginLoss} with this module's options.
   * @param input `(N, C)` or `(C)` scores.
   * @param target `(N)` or `()` int64 class indices in [0, C).
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.multiMarginLoss(input, target, this.options);
  }
}

/**
 * PyTorch's `nn.TripletMarginLoss`: the anchor should be closer to the positive than to the
 * negative, by `margin`.
 *
 * Unreduced: `l = max(0, margin + d(a, p) - d(a, n))` with `d(x, y) = ‖x - y + eps‖_p` over the
 * last dimension (`margin` default 1, `p` default 2); `swap` uses `min(d(a, n), d(p, n))`. See
 * {@link F.tripletMarginLoss}.
 *
 * Shapes: anchor, positive and negative `(N, D)` or `(D)`; output `()` or, for 'none', `(N)`.
 *
 * @throws ValueError from the constructor for a margin that is not > 0.
 * @example
 * new nn.TripletMarginLoss({ margin: 3 }).forward(tensor([[0, 0]]), tensor([[0, 1]]), tensor([[0, 3]])).toString(); // 'tensor(1.)'
 */
export class TripletMarginLoss extends Loss<F.TripletMarginLossOptions> {
  static override readonly fn = 'tripletMarginLoss';
  constructor(options: F.TripletMarginLossOptions = {}) {
    super(options);
    checkMargin('TripletMarginLoss', options.margin);
  }
  /**
   * Computes {@link F.tripletMarginLoss} with this module's options.
   * @param anchor `(N, D)` or `(D)`.
   * @param positive the anchor's number of dimensions.
   * @param negative the anchor's number of dimensions.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(anchor: TensorLike, positive: TensorLike, negative: TensorLike): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, this.options);
  }
}

/**
 * PyTorch's `nn.TripletMarginWithDistanceLoss`: the triplet loss with a distance of your choice.
 *
 * Unreduced: `l = max(0, margin + d(a, p) - d(a, n))` with `d` the `distanceFunction` (default
 * {@link F.pairwiseDistance}); `swap` uses `min(d(a, n), d(p, n))`. See
 * {@link F.tripletMarginWithDistanceLoss}.
 *
 * Shapes: anchor, positive and negative `(N, *)` with the same number of dimensions; output `()`
 * or, for 'none', `(N)`.
 *
 * @throws ValueError from the constructor for a margin that is not > 0.
 * @example
 * const cosineDistance = (a: Tensor, b: Tensor) => F.cosineSimilarity(a, b).neg().add(1);
 * const loss = new nn.TripletMarginWithDistanceLoss({ distanceFunction: cosineDistance });
 * loss.forward(tensor([[1, 0]]), tensor([[1, 0.1]]), tensor([[0, 1]])).toString(); // 'tensor(0.0050)'
 */
export class TripletMarginWithDistanceLoss extends Loss<F.TripletMarginWithDistanceLossOptions> {
  static override readonly fn = 'tripletMarginWithDistanceLoss';
  constructor(options: F.TripletMarginWithDistanceLossOptions = {}) {
    super(options);
    checkMargin('TripletMarginWithDistanceLoss', options.margin);
  }
  /**
   * Computes {@link F.tripletMarginWithDistanceLoss} with this module's options.
   * @param anchor `(N, *)`.
   * @param positive the anchor's number of dimensions.
   * @param negative the anchor's number of dimensions.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(anchor: TensorLike, positive: TensorLike, negative: TensorLike): Tensor {
    return F.tripletMarginWithDistanceLoss(anchor, positive, negative, this.options);
  }
}

function checkMargin(cls: string, margin: unknown): void {
  check(
    typeof margin !== 'number' || margin > 0,
    ValueError,
    () => `${cls}: expected margin to be greater than 0, got ${pyFloat(margin as number)} instead`,
  );
}

/**
 * PyTorch's `nn.CTCLoss`: Connectionist Temporal Classification, the negative log probability of
 * the target sequence summed over all its alignments to the input frames.
 *
 * Unreduced: `l_n = -log Σ_π Π_t exp(logProbs[t, n, π_t])` over the alignments `π` of target `n`
 * (with blanks and repeats) to its first `inputLengths[n]` frames. 'mean' divides each `l_n` by
 * its target length, then averages over the batch. See {@link F.ctcLoss}.
 *
 * Shapes: logProbs `(T, N, C)` or `(T, C)`; targets `(N, S)` padded or `(Σ targetLengths)`;
 * inputLengths and targetLengths `(N)`; output `()` or, for 'none', `(N)`.
 *
 * @example
 * const logProbs = F.logSoftmax(zeros([3, 1, 2]), 2);
 * new nn.CTCLoss().forward(logProbs, tensor([[1]], { dtype: 'int64' }), [3], [1]).toString(); // 'tensor(0.2877)'
 */
export class CTCLoss extends Loss<F.CTCLossOptions> {
  static override readonly fn = 'ctcLoss';
  /**
   * Computes {@link F.ctcLoss} with this module's options.
   * @param logProbs `(T, N, C)` (or `(T, C)`) log-probabilities, e.g. `logSoftmax(x, 2)`.
   * @param targets `(N, S)` padded or `(Σ targetLengths)` concatenated class indices in [0, C).
   * @param inputLengths `(N)` frames used per sample, each at most T.
   * @param targetLengths `(N)` target length per sample.
   * @returns the loss: a 0-dim tensor for 'mean'/'sum', the unreduced loss for 'none'.
   */
  forward(logProbs: TensorLike, targets: TensorLike, inputLengths: F.Lengths, targetLengths: F.Lengths): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.options);
  }
}

/**
 * Hugging Face's `ForCausalLMLoss` as a module: next-token cross entropy, labels shifted left by one.
 *
 * Unreduced: `l[b, t] = -log softmax(logits[b, t])[labels[b, t + 1]]`, 0 where that label is
 * `ignoreIndex`. See {@link F.causalLmLoss}.
 *
 * Shapes: logits `(B, T, V)`, labels `(B, T)`; output `()` or, for 'none', `(B, T - 1)`.
 *
 * @example
 * new nn.CausalLMLoss().forward(zeros([1, 3, 4]), tensor([[1, 2, 3]], { dtype: 'int64' })).toString(); // 'tensor(1.3863)': log 4
 */
export class CausalLMLoss extends Loss<F.CausalLMLossOptions> {
  static override readonly fn = 'causalLmLoss';
  /**
   * Computes {@link F.causalLmLoss} with this module's options.
   * @param logits `(B, T, V)` scores over a vocabulary of V.
   * @param labels `(B, T)` token ids in [0, V), or `ignoreIndex`.
   * @returns the loss: a 0-dim tensor, or `(B, T - 1)` for 'none'.
   */
  forward(logits: TensorLike, labels: TensorLike): Tensor {
    return F.causalLmLoss(logits, labels, this.options);
  }
}
