/**
 * Activation layers, as `torch.nn.ReLU` and friends: modules without parameters whose `forward`
 * applies one elementwise (or softmax) function, so that they can sit in a `Sequential`.
 */
import { LosskitTypeError, RuntimeError, check, describe, warn } from '../errors.js';
import { checkOptions } from '../options.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { pointwise, toTensor } from '../ops/elementwise.js';
import { erf } from '../ops/erf.js';
import { torchTypeName } from '../ops/reduce.js';
import { Module } from './module.js';

/** max(0, x). */
export class ReLU extends Module {
  /** `max(0, x)` elementwise: a tensor of the input's shape and dtype. */
  forward(input: TensorLike): Tensor {
    return toTensor(input).relu();
  }
}

/** 1 / (1 + exp(-x)). */
export class Sigmoid extends Module {
  /** `1 / (1 + exp(-x))` elementwise: a tensor of the input's shape. */
  forward(input: TensorLike): Tensor {
    return toTensor(input).sigmoid();
  }
}

/** tanh(x). */
export class Tanh extends Module {
  /** `tanh(x)` elementwise: a tensor of the input's shape. */
  forward(input: TensorLike): Tensor {
    return toTensor(input).tanh();
  }
}

const SQRT1_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian Error Linear Unit: x * Phi(x), Phi the standard normal CDF (`approximate: 'none'`, the
 * default), or PyTorch's tanh approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
 */
export function gelu(input: TensorLike, approximate: 'none' | 'tanh' = 'none'): Tensor {
  const x = toTensor(input);
  check(approximate === 'none' || approximate === 'tanh', RuntimeError, () => 'approximate argument must be either none or tanh.');
  check(isFloating(x.dtype), RuntimeError, () => `"GeluKernelImpl" not implemented for '${torchTypeName(x.dtype)}'`);
  if (approximate === 'none') {
    return pointwise('GeluBackward', [x], x.dtype, (p) => 0.5 * p * (1 + erf(p * Math.SQRT1_2)), [
      (p, _b, _c, _y, g) => g * (0.5 * (1 + erf(p * Math.SQRT1_2)) + p * SQRT1_2PI * Math.exp(-0.5 * p * p)),
    ]);
  }
  const inner = (p: number) => SQRT_2_OVER_PI * (p + 0.044715 * p * p * p);
  return pointwise('GeluBackward', [x], x.dtype, (p) => 0.5 * p * (1 + Math.tanh(inner(p))), [
    (p, _b, _c, _y, g) => {
      const t = Math.tanh(inner(p));
      const dInner = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * p * p);
      return g * (0.5 * (1 + t) + 0.5 * p * (1 - t * t) * dInner);
    },
  ]);
}

/**
 * PyTorch's `nn.GELU`: `x Φ(x)`, Φ the standard normal CDF, or with `approximate: 'tanh'`
 * `0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))`. Floating-point inputs only.
 *
 * @throws RuntimeError `approximate argument must be either none or tanh.`
 */
export class GELU extends Module {
  /** PyTorch's `approximate`. Default 'none' (the exact erf form); 'tanh' is the tanh approximation. */
  readonly approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    checkOptions('GELU', opts, ['approximate']);
    this.approximate = opts?.approximate ?? 'none';
    check(this.approximate === 'none' || this.approximate === 'tanh', RuntimeError, () => 'approximate argument must be either none or tanh.');
  }
  /** GELU elementwise: a tensor of the input's shape and dtype. */
  forward(input: TensorLike): Tensor {
    return gelu(input, this.approximate);
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** A softmax module's `dim`: an integer, or absent (PyTorch's deprecated implicit choice). */
function checkDim(cls: string, dim: unknown): void {
  check(dim === undefined || Number.isInteger(dim), LosskitTypeError, () => `${cls}(): argument 'dim' must be an integer, but got ${describe(dim)}`);
}

/**
 * PyTorch's legacy rule when no `dim` is given (`_get_softmax_dim`): dim 0 for 0-, 1- and 3-D
 * input, else 1, with its deprecation warning. Pass `dim` to avoid both.
 */
function softmaxDim(name: string, ndim: number, dim: number | undefined): number {
  if (dim !== undefined) return dim;
  warn(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** Softmax along `dim`: exp(x_i) / sum_j exp(x_j), each slice summing to 1. */
export class Softmax extends Module {
  /**
   * @param dim PyTorch's `dim`: the dimension that sums to 1. Without it, PyTorch's deprecated
   *   implicit choice (dim 0 for 0-, 1- and 3-D inputs, else 1), with its warning.
   */
  constructor(readonly dim?: number) {
    super();
    checkDim('Softmax', dim);
  }
  /** Softmax of the input along {@link dim}: a tensor of the input's shape. */
  forward(input: TensorLike): Tensor {
    const x = toTensor(input);
    return x.softmax(softmaxDim('softmax', x.ndim, this.dim));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** log(softmax(x)) along `dim`, computed stably: the input NLLLoss expects. */
export class LogSoftmax extends Module {
  /**
   * @param dim PyTorch's `dim`: the dimension the softmax normalises. Without it, PyTorch's
   *   deprecated implicit choice (dim 0 for 0-, 1- and 3-D inputs, else 1), with its warning.
   */
  constructor(readonly dim?: number) {
    super();
    checkDim('LogSoftmax', dim);
  }
  /** Log-softmax of the input along {@link dim}: a tensor of the input's shape. */
  forward(input: TensorLike): Tensor {
    const x = toTensor(input);
    return x.logSoftmax(softmaxDim('log_softmax', x.ndim, this.dim));
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}
