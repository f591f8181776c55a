import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { toTensor } from '../ops/elementwise.js';
import { Module } from './module.js';

/** Flattens dimensions `startDim..endDim` into one (default: all but the batch dimension), as `nn.Flatten`. */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(input: TensorLike): Tensor {
    return toTensor(input).flatten(this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
