/**
 * Parameter initialisation, as `torch.nn.init`, drawn from losskit's seeded generators. The
 * distributions are PyTorch's; the streams are not (PyTorch's Mersenne Twister is not reproduced),
 * so code that must start from PyTorch's exact weights sets `.data` from them.
 */
import { RuntimeError, check } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import { isFloating } from '../tensor/dtype.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

/** Fills `t` in place with samples of U(low, high), as `nn.init.uniform_`. Returns `t`. */
export function uniform(t: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  check(isFloating(t.dtype), RuntimeError, () => `uniform_ expects a floating point tensor, got ${t.dtype}`);
  noGrad(() => {
    const d = t.data as Float32Array | Float64Array;
    for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * generator.uniform();
  });
  return t;
}

/** (fan_in, fan_out) of a weight shaped (out, in, ...), as PyTorch's `_calculate_fan_in_and_fan_out`. */
export function fans(shape: readonly number[]): [number, number] {
  check(shape.length >= 2, RuntimeError, () => 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

/**
 * `nn.init.kaiming_uniform_(t, a)` for leaky-ReLU slope `a` in fan-in mode: U(-b, b) with
 * b = gain * sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)). Linear layers use a = sqrt(5), which
 * makes b = 1 / sqrt(fan_in).
 */
export function kaimingUniform(t: Tensor, a = 0, generator: Generator = defaultGenerator): Tensor {
  const [fanIn] = fans(t.shape);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = fanIn > 0 ? gain * Math.sqrt(3 / fanIn) : 0;
  return uniform(t, -bound, bound, generator);
}
