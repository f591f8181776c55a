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
  /** The F function `forward` calls: its option names are the ones the constructor accepts. */
  static readonly fn: LossName;
  readonly options: Readonly<O>;
  constructor(options: O = {} as O) {
    super();
    // checked here, as PyTorch's __init__ refuses unknown keywords, not first at forward
    checkOptions(new.target.name, options, LOSS_OPTIONS[(new.target as unknown as typeof Loss).fn]);
    this.options = Object.freeze({ ...options });
  }
  get reduction(): string {
    return (this.options as { reduction?: string }).reduction ?? 'mean';
  }
}

export class L1Loss extends Loss<F.L1LossOptions> {
  static override readonly fn = 'l1Loss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.l1Loss(input, target, this.options);
  }
}

export class MSELoss extends Loss<F.MSELossOptions> {
  static override readonly fn = 'mseLoss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.mseLoss(input, target, this.options);
  }
}

export class SmoothL1Loss extends Loss<F.SmoothL1LossOptions> {
  static override readonly fn = 'smoothL1Loss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.smoothL1Loss(input, target, this.options);
  }
}

export class HuberLoss extends Loss<F.HuberLossOptions> {
  static override readonly fn = 'huberLoss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.huberLoss(input, target, this.options);
  }
}

export class BCELoss extends Loss<F.BCELossOptions> {
  static override readonly fn = 'binaryCrossEntropy';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.binaryCrossEntropy(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Loss<F.BCEWithLogitsLossOptions> {
  static override readonly fn = 'binaryCrossEntropyWithLogits';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

export class CrossEntropyLoss extends Loss<F.CrossEntropyLossOptions> {
  static override readonly fn = 'crossEntropy';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Loss<F.NLLLossOptions> {
  static override readonly fn = 'nllLoss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.nllLoss(input, target, this.options);
  }
}

/** @deprecated Use {@link NLLLoss}: it handles (N, C, H, W) inputs itself. Kept as PyTorch keeps it. */
export class NLLLoss2d extends NLLLoss {
  constructor(options: F.NLLLossOptions = {}) {
    super(options);
    warn(
      'NLLLoss2d has been deprecated. Please use NLLLoss instead as a drop-in replacement and see https://pytorch.org/docs/main/generated/torch.nn.NLLLoss.html for more details.',
    );
  }
}

export class KLDivLoss extends Loss<F.KLDivLossOptions> {
  static override readonly fn = 'klDiv';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.klDiv(input, target, this.options);
  }
}

export class PoissonNLLLoss extends Loss<F.PoissonNLLLossOptions> {
  static override readonly fn = 'poissonNllLoss';
  forward(logInput: TensorLike, target: TensorLike): Tensor {
    return F.poissonNllLoss(logInput, target, this.options);
  }
}

export class GaussianNLLLoss extends Loss<F.GaussianNLLLossOptions> {
  static override readonly fn = 'gaussianNllLoss';
  forward(input: TensorLike, target: TensorLike, variance: TensorLike): Tensor {
    return F.gaussianNllLoss(input, target, variance, this.options);
  }
}

export class MarginRankingLoss extends Loss<F.MarginRankingLossOptions> {
  static override readonly fn = 'marginRankingLoss';
  forward(input1: TensorLike, input2: TensorLike, target: TensorLike): Tensor {
    return F.marginRankingLoss(input1, input2, target, this.options);
  }
}

export class HingeEmbeddingLoss extends Loss<F.HingeEmbeddingLossOptions> {
  static override readonly fn = 'hingeEmbeddingLoss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.hingeEmbeddingLoss(input, target, this.options);
  }
}

export class MultiLabelMarginLoss extends Loss<F.ReductionOptions> {
  static override readonly fn = 'multilabelMarginLoss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.multilabelMarginLoss(input, target, this.options);
  }
}

export class SoftMarginLoss extends Loss<F.ReductionOptions> {
  static override readonly fn = 'softMarginLoss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.softMarginLoss(input, target, this.options);
  }
}

export class MultiLabelSoftMarginLoss extends Loss<F.MultiLabelSoftMarginLossOptions> {
  static override readonly fn = 'multilabelSoftMarginLoss';
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.multilabelSoftMarginLoss(input, target, this.options);
  }
}

export class CosineEmbeddingLoss extends Loss<F.CosineEmbeddingLossOptions> {
  static override readonly fn = 'cosineEmbeddingLoss';
  forward(input1: TensorLike, input2: TensorLike, target: TensorLike): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, this.options);
  }
}

export class MultiMarginLoss extends Loss<F.MultiMarginLossOptions> {
  static override readonly fn = 'multiMarginLoss';
  constructor(options: F.MultiMarginLossOptions = {}) {
    super(options);
    // PyTorch's constructor checks these too, before any forward
    check(options.p === undefined || options.p === 1 || options.p === 2, ValueError, () => 'only p == 1 and p == 2 supported');
    const w = options.weight;
    check(!w || typeof w !== 'object' || !('ndim' in w) || w.ndim === 1, ValueError, () => 'weight must be one-dimensional');
  }
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.multiMarginLoss(input, target, this.options);
  }
}

export class TripletMarginLoss extends Loss<F.TripletMarginLossOptions> {
  static override readonly fn = 'tripletMarginLoss';
  constructor(options: F.TripletMarginLossOptions = {}) {
    super(options);
    checkMargin('TripletMarginLoss', options.margin);
  }
  forward(anchor: TensorLike, positive: TensorLike, negative: TensorLike): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, this.options);
  }
}

export class TripletMarginWithDistanceLoss extends Loss<F.TripletMarginWithDistanceLossOptions> {
  static override readonly fn = 'tripletMarginWithDistanceLoss';
  constructor(options: F.TripletMarginWithDistanceLossOptions = {}) {
    super(options);
    checkMargin('TripletMarginWithDistanceLoss', options.margin);
  }
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

export class CTCLoss extends Loss<F.CTCLossOptions> {
  static override readonly fn = 'ctcLoss';
  forward(logProbs: TensorLike, targets: TensorLike, inputLengths: F.Lengths, targetLengths: F.Lengths): Tensor {
    return F.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.options);
  }
}

/** Hugging Face's `ForCausalLMLoss` as a module: see {@link F.causalLmLoss}. */
export class CausalLMLoss extends Loss<F.CausalLMLossOptions> {
  static override readonly fn = 'causalLmLoss';
  forward(logits: TensorLike, labels: TensorLike): Tensor {
    return F.causalLmLoss(logits, labels, this.options);
  }
}
