import { LosskitTypeError, RuntimeError, ValueError, check, describe } from '../errors.js';
import { checkBool, checkOptions } from '../options.js';
import { generatorOf, zeros } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { toTensor } from '../ops/elementwise.js';
import { matmul, mm } from '../ops/matmul.js';
import { torchTypeName } from '../ops/reduce.js';
import { Module } from './module.js';
import { fans, kaimingUniform, uniform } from './init.js';

/** Options of {@link Linear}: PyTorch's `bias` and `dtype`, and where its initial values come from. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Seeds this layer's initialisation alone; without it the default generator (`manualSeed`) is used. */
  seed?: number;
  /** Draws this layer's initialisation from the given {@link Generator} (the default generator if neither it nor `seed` is given). */
  generator?: Generator;
}

/**
 * `y = x W^T + b`, as `torch.nn.Linear`. `weight` is (out, in), `bias` is (out); both start from
 * PyTorch's default initialisation, U(-1/sqrt(in), 1/sqrt(in)) (`kaiming_uniform_` with a = sqrt(5)
 * for the weight, the same bound for the bias), drawn from losskit's seeded generator.
 *
 * Input (*, in) gives output (*, out). Set `layer.weight.data` (nested arrays, a Tensor or a typed array) to start from given
 * weights, for example PyTorch's.
 *
 * @example
 * const fc = new nn.Linear(3, 2, { dtype: 'float64', seed: 0 });
 * fc.weight.data = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]];
 * fc.forward(tensor([[1, 2, 3]], { dtype: 'float64' })).shape; // [1, 2]
 */
export class Linear extends Module {
  /** PyTorch's `in_features`: the size of the input's last dimension. */
  readonly inFeatures: number;
  /** PyTorch's `out_features`: the size of the output's last dimension. */
  readonly outFeatures: number;
  /** `(outFeatures, inFeatures)`, a parameter (requires grad). */
  weight: Tensor;
  /** `(outFeatures)`, a parameter, or null with `bias: false`. */
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    const sizes = [['in_features', inFeatures], ['out_features', outFeatures]] as const;
    for (const [name, v] of sizes) check(Number.isInteger(v), ValueError, () => `Linear(): ${name} must be an integer, got ${describe(v)}`);
    for (const [, v] of sizes) check(v >= 0, RuntimeError, () => `Trying to create tensor with negative dimension ${v}: [${outFeatures}, ${inFeatures}]`);
    checkOptions('Linear', opts, ['bias', 'dtype', 'seed', 'generator']);
    opts ??= {};
    checkBool('Linear', 'bias', opts.bias ?? true);
    check(
      opts.dtype === undefined || opts.dtype === 'float32' || opts.dtype === 'float64',
      LosskitTypeError,
      () => `Linear(): dtype must be 'float32' or 'float64' (the weights are floating point), but got ${describe(opts.dtype)}`,
    );
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = opts.dtype ?? 'float32';
    const g = generatorOf('Linear', opts);
    // PyTorch's reset_parameters: the weight first, then the bias from the same stream
    const weight = kaimingUniform(zeros([outFeatures, inFeatures], { dtype }), Math.sqrt(5), g);
    this.weight = weight;
    this.registerParameter('weight', weight);
    this.bias = null;
    if (opts.bias ?? true) {
      const [fanIn] = fans(weight.shape);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      this.registerParameter('bias', uniform(zeros([outFeatures], { dtype }), -bound, bound, g));
    } else this.registerParameter('bias', null);
  }

  /**
   * `x W^T + b`: `(*, inFeatures)` in, `(*, outFeatures)` out.
   * @throws RuntimeError `mat1 and mat2 must have the same dtype` when the input's dtype is not the weights'.
   */
  forward(input: TensorLike): Tensor {
    const x = toTensor(input);
    // PyTorch's addmm does not promote: a float64 or int64 input needs weights of its dtype
    check(
      x.dtype === this.weight.dtype,
      RuntimeError,
      () =>
        `mat1 and mat2 must have the same dtype, but got ${torchTypeName(x.dtype)} and ${torchTypeName(this.weight.dtype)} ` +
        `(the input is ${x.dtype}, the weights ${this.weight.dtype}: convert one, e.g. input.to('${this.weight.dtype}'))`,
    );
    if (x.ndim === 0) return matmul(x, this.weight.T); // matmul's error for a 0-d input
    const width = x.shape[x.ndim - 1];
    const rows = x.shape.slice(0, -1).reduce((p, d) => p * d, 1);
    const [outF, inF] = this.weight.shape;
    check(width === inF, RuntimeError, () => `mat1 and mat2 shapes cannot be multiplied (${rows}x${width} and ${inF}x${outF})`);
    // one product with the bias (addmm), the weight read transposed in place: fold any leading
    // dimensions into rows and unfold afterwards
    const b = this.bias;
    const fused = b === null || (b.ndim === 1 && b.shape[0] === outF);
    // a bias replaced by one of another shape broadcasts (or fails) as an addition would
    const y = fused ? mm(x.reshape(rows, width), false, this.weight, true, b) : mm(x.reshape(rows, width), false, this.weight, true).add(b);
    return x.ndim === 2 ? y : y.reshape([...x.shape.slice(0, -1), outF]);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }
}
