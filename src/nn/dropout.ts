import { ValueError, check, describe } from '../errors.js';
import { checkOptions } from '../options.js';
import { generatorOf } from '../tensor/creation.js';
import { allocate } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { toTensor } from '../ops/elementwise.js';
import { Module } from './module.js';

/** Options of {@link Dropout}: where its masks come from. */
export interface DropoutOptions {
  /** Seeds this layer's masks: the same seed gives the same sequence of masks. */
  seed?: number;
  /** Draws the masks from the given {@link Generator} (the default generator if neither it nor `seed` is given). */
  generator?: Generator;
}

/**
 * During training, zeroes each element with probability `p` and scales the rest by 1 / (1 - p),
 * so that the expected value is unchanged (`torch.nn.Dropout`). In evaluation mode (`eval()`) it
 * returns its input unchanged. Masks come from the layer's own generator when seeded.
 */
export class Dropout extends Module {
  /** PyTorch's `p`: the probability of zeroing an element, in [0, 1]. Default 0.5. */
  readonly p: number;
  private readonly generator: Generator;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    check(
      typeof p === 'number' && p >= 0 && p <= 1,
      ValueError,
      () => `dropout probability has to be between 0 and 1, but got ${typeof p === 'number' ? p : describe(p)}`,
    );
    checkOptions('Dropout', opts, ['seed', 'generator']);
    this.p = p;
    this.generator = generatorOf('Dropout', opts ?? {});
  }

  /** In training mode, the input with a fresh random mask applied; in evaluation mode, the input itself. */
  forward(input: TensorLike): Tensor {
    const x = toTensor(input);
    if (!this.training || this.p === 0) return x;
    // p = 1 drops everything (PyTorch multiplies by zeros rather than dividing by 1 - p = 0)
    const scale = this.p === 1 ? 0 : 1 / (1 - this.p);
    const mask = allocate(x.dtype === 'float64' ? 'float64' : 'float32', x.numel) as Float32Array | Float64Array;
    for (let i = 0; i < mask.length; i++) mask[i] = this.generator.uniform() >= this.p ? scale : 0;
    return x.mul(new Tensor(mask, x.shape));
  }

  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}
