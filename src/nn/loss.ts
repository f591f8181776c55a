/**
 * The loss modules, with PyTorch's class names. Each constructor takes the F function's options
 * object and `forward` calls the F function with them: nothing else.
 */
import { warn } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import * as F from '../losses/index.js';
import { Module } from './module.js';

abstract class Loss<O extends object> extends Module {
  readonly options: Readonly<O>;
  constructor(options: O = {} as O) {
    super();
    this.options = Object.freeze({ ...options });
  }
  get reduction(): string {
    return (this.options as { reduction?: string }).reduction ?? 'mean';
  }
}

export class L1Loss extends Loss<F.L1LossOptions> {
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.l1Loss(input, target, this.options);
  }
}

export class MSELoss extends Loss<F.MSELossOptions> {
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.mseLoss(input, target, this.options);
  }
}

export class SmoothL1Loss extends Loss<F.SmoothL1LossOptions> {
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.smoothL1Loss(input, target, this.options);
  }
}

export class HuberLoss extends Loss<F.HuberLossOptions> {
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.huberLoss(input, target, this.options);
  }
}

export class BCELoss extends Loss<F.BCELossOptions> {
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.binaryCrossEntropy(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Loss<F.BCEWithLogitsLossOptions> {
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

export class CrossEntropyLoss extends Loss<F.CrossEntropyLossOptions> {
  forward(input: TensorLike, target: TensorLike): Tensor {
    return F.crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Loss<F.NLLLossOptions> {
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
