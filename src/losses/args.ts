/** Argument handling shared by the losses: tensor conversion, option names, common shape checks. */
import { LosskitTypeError, RuntimeError, ValueError, check, warn, describe } from '../errors.js';
import { isFloating, type DType } from '../tensor/dtype.js';
import { broadcastShapes, sameShape, sizeList, torchSize } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { torchTypeName } from '../ops/reduce.js';

/**
 * Converts a loss argument to a Tensor: Tensors pass through, numbers and nested arrays become
 * float32 tensors (or `dtype`). Anything else is refused with the argument's name.
 */
export function arg(fn: string, name: string, x: unknown, dtype?: DType): Tensor {
  if (x instanceof Tensor) {
    if (x.isDetachedBuffer) throw new RuntimeError(x.detachedMessage(`${fn}(): argument '${name}'`));
    return x;
  }
  if (typeof x === 'number' || Array.isArray(x) || ArrayBuffer.isView(x)) {
    if (dtype === 'int64' || dtype === 'int32') return indices(fn, name, x, dtype);
    return tensor(x as any, dtype ? { dtype } : {});
  }
  throw new LosskitTypeError(
    `${fn}(): argument '${name}' must be a Tensor, a number or nested arrays of numbers, but got ${describe(x)}`,
  );
}

/**
 * Class indices given as numbers or arrays: PyTorch would hold them in a float tensor and refuse it
 * (`expected scalar type Long but found Float`), so values that are not integers are refused
 * rather than truncated to a class (0.5 -> 0, NaN -> 0).
 */
function indices(fn: string, name: string, x: unknown, dtype: 'int64' | 'int32'): Tensor {
  if (x instanceof BigInt64Array || x instanceof Int32Array) return tensor(x, { dtype });
  const exact = tensor(x as any, { dtype: 'float64' });
  const values = exact.data as Float64Array;
  const bad = values.findIndex((v) => !Number.isInteger(v));
  check(
    bad < 0,
    RuntimeError,
    () =>
      `expected scalar type Long but found Float: ${fn}() argument '${name}' holds class indices, which must be integers, ` +
      `but element ${bad} is ${pyFloat(values[bad])}`,
  );
  return tensor(values, { shape: exact.shape, dtype });
}

/** Like {@link arg}, for optional tensor options (`weight`, `posWeight`): null/undefined stay absent. */
export function optionalArg(fn: string, name: string, x: unknown): Tensor | undefined {
  return x === undefined || x === null ? undefined : arg(fn, name, x);
}

export { checkOptions, checkNumber, checkBool, checkInt } from '../options.js';

/**
 * The regression losses' size rule: a target of another size is broadcast with PyTorch's warning
 * (it is nearly always a bug, such as (N) against (N, 1)); sizes that cannot broadcast throw.
 */
export function warnIfSizesDiffer(input: Tensor, target: Tensor): void {
  if (sameShape(input.shape, target.shape)) return;
  warn(
    `Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}). ` +
      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
  );
}

/** PyTorch's C++ losses refuse integer inputs with `"<kernel>" not implemented for 'Long'`. */
export function requireFloat(kernel: string, dtype: DType): void {
  check(isFloating(dtype), RuntimeError, () => `"${kernel}" not implemented for '${torchTypeName(dtype)}'`);
}

/** Class weights and the like are constants in PyTorch: asking for their gradient is an error. */
export function notDifferentiable(kernel: string, name: string, t: Tensor | undefined): void {
  check(
    !t?.requiresGrad,
    RuntimeError,
    () =>
      `The function '${kernel}' is not differentiable with respect to argument '${name}'. This input cannot have requires_grad True.`,
  );
}

/**
 * An elementwise weight is multiplied into the loss in place in PyTorch, so it must broadcast to
 * the loss's own shape, not widen it (a 0-dim input with a (3) weight).
 */
export function requireBroadcastsTo(shape: readonly number[], weight: Tensor | undefined): void {
  if (!weight) return;
  const out = broadcastShapes(shape, weight.shape);
  check(sameShape(out, shape), RuntimeError, () => `output with shape ${sizeList(shape)} doesn't match the broadcast shape ${sizeList(out)}`);
}

/** A same-size check with the ValueError PyTorch's Python wrappers raise. */
export function requireSameSize(input: Tensor, target: Tensor, message: () => string): void {
  check(sameShape(input.shape, target.shape), ValueError, message);
}

/**
 * A number as Python prints a float (`0.0`, `-1.5`, `1e-07`), for messages that quote PyTorch's
 * f-strings: `margin must be greater than 0, got 0.0`.
 */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  // Python pads exponents to two digits: 1e-07, not 1e-7
  return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * Rounding to the storage of `dtype` after each arithmetic step: float32 kernels in PyTorch round
 * every intermediate, which decides where `exp` overflows to inf (at 88.7, not 709.8) and how
 * long recursions accumulate error. Identity for float64.
 */
export function stepRounding(dtype: DType): (v: number) => number {
  return dtype === 'float32' ? Math.fround : identity;
}

const identity = (v: number): number => v;

/** (frames, classes) of a 0-, 1- or 2-dim input, with PyTorch's check for an empty class dimension. */
export function frames(x: Tensor): [number, number] {
  check(
    (x.ndim === 2 && x.shape[1] !== 0) || (x.ndim === 1 && x.shape[0] !== 0) || x.ndim === 0,
    RuntimeError,
    () => `Expected non-empty vector or matrix with optional 0-dim batch size, but got: ${sizeList(x.shape)}`,
  );
  return x.ndim <= 1 ? [1, x.ndim === 0 ? 1 : x.shape[0]] : [x.shape[0], x.shape[1]];
}

/** The C++ kernels read class indices as int64: other dtypes are refused with PyTorch's message. */
export function expectLong(fn: string, y: Tensor): void {
  check(
    y.dtype === 'int64',
    RuntimeError,
    () => `expected scalar type Long but found ${torchTypeName(y.dtype)} (${fn} wants class indices as int64: tensor(data, { dtype: 'int64' }))`,
  );
}
