/** Argument handling shared by the losses: tensor conversion, option names, common shape checks. */
import { LosskitTypeError, RuntimeError, ValueError, check, warn, describe } from '../errors.js';
import { isFloating, type DType } from '../tensor/dtype.js';
import { sameShape, sizeList, torchSize } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { torchTypeName } from '../ops/reduce.js';

/**
 * Converts a loss argument to a Tensor: Tensors pass through, numbers and nested arrays become
 * float32 tensors (or `dtype`). Anything else is refused with the argument's name.
 */
export function arg(fn: string, name: string, x: unknown, dtype?: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number' || Array.isArray(x) || ArrayBuffer.isView(x)) {
    return tensor(x as any, dtype ? { dtype } : {});
  }
  throw new LosskitTypeError(
    `${fn}(): argument '${name}' must be a Tensor, a number or nested arrays of numbers, but got ${describe(x)}`,
  );
}

/** Like {@link arg}, for optional tensor options (`weight`, `posWeight`): null/undefined stay absent. */
export function optionalArg(fn: string, name: string, x: unknown): Tensor | undefined {
  return x === undefined || x === null ? undefined : arg(fn, name, x);
}

const snakeToCamel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Refuses option names a loss does not know, the way Python refuses an unexpected keyword
 * argument, and points at the camelCase spelling when a snake_case one was used.
 */
export function checkOptions(fn: string, opts: object | undefined, allowed: readonly string[]): void {
  if (opts === undefined) return;
  check(
    typeof opts === 'object' && opts !== null && !Array.isArray(opts),
    LosskitTypeError,
    () => `${fn}(): options must be an object such as { reduction: 'sum' }, got ${describe(opts)}`,
  );
  for (const key of Object.keys(opts)) {
    if (allowed.includes(key)) continue;
    const camel = snakeToCamel(key);
    const hint = camel !== key && allowed.includes(camel) ? ` (did you mean '${camel}'?)` : ` (expected one of: ${allowed.join(', ')})`;
    throw new LosskitTypeError(`${fn}() got an unexpected keyword argument '${key}'${hint}`);
  }
}

export function checkNumber(fn: string, name: string, v: unknown): number {
  check(typeof v === 'number', LosskitTypeError, () => `${fn}(): argument '${name}' must be a number, but got ${describe(v)}`);
  return v;
}

export function checkBool(fn: string, name: string, v: unknown): boolean {
  check(typeof v === 'boolean', LosskitTypeError, () => `${fn}(): argument '${name}' must be a boolean, but got ${describe(v)}`);
  return v;
}

export function checkInt(fn: string, name: string, v: unknown): number {
  check(
    typeof v === 'number' && Number.isInteger(v),
    LosskitTypeError,
    () => `${fn}(): argument '${name}' must be an integer, but got ${describe(v)}`,
  );
  return v;
}

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
