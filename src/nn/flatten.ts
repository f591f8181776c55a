import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { toTensor } from '../ops/elementwise.js';
import { Module } from './module.js';

/** Flattens dimensions `startDim..endDim` into one (default: all but the batch dimension), as `nn.Flatten`. */
export class Flatten extends Module {
  /**
   * @param startDim PyTorch's `start_dim`: the first dimension flattened. Default 1.
   * @param endDim PyTorch's `end_dim`: the last dimension flattened (inclusive, negative counts from the end). Default -1.
   */
  constructor(
    /** PyTorch's `start_dim`: the first dimension flattened. Default 1. */
    readonly startDim = 1,
    /** PyTorch's `end_dim`: the last dimension flattened, inclusive. Default -1. */
    readonly endDim = -1,
  ) {
    super();
  }
  /** `(N, d1, ..., dk)` becomes `(N, d1 · ... · dk)` with the defaults. */
  forward(input: TensorLike): Tensor {
    return toTensor(input).flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
