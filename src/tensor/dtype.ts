import { LosskitTypeError, RuntimeError, check, describe } from '../errors.js';
import { BFloat16Array, bfloat16ToFloat32, float32ToBFloat16, float32ToHalf, halfToFloat32 } from './half.js';

export { BFloat16Array };

/**
 * A tensor's element type, PyTorch's dtype names without `torch.`. float16 and bfloat16 are stored
 * as 16-bit patterns and computed in float32, as PyTorch's CPU kernels do. Promotion follows
 * PyTorch: bool < int32 < int64 < float16, bfloat16 < float32 < float64 (float16 with bfloat16 gives float32).
 */
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int32' | 'int64' | 'bool';
/** In promotion order (float16 with bfloat16 gives float32, as in PyTorch). */
export const DTYPES: readonly DType[] = ['bool', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64'];

/**
 * The storage under {@link Tensor.data}, by dtype: Float32Array (float32), Float64Array (float64),
 * Uint16Array of bit patterns (float16; bfloat16 as its subclass BFloat16Array), Int32Array (int32),
 * BigInt64Array (int64), Uint8Array of 0/1 (bool).
 */
export type TypedArray = Float32Array | Float64Array | Uint16Array | Int32Array | BigInt64Array | Uint8Array;
/** The typed arrays whose elements read as plain numbers (all but int64's BigInt64Array). */
export type NumberArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export type DataFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int32'
      ? Int32Array
      : D extends 'int64'
        ? BigInt64Array
        : Uint8Array;

export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

/** float16 and bfloat16: stored as 16-bit patterns, computed in float32 (as PyTorch's CPU kernels do). */
export function isHalf(d: DType): d is 'float16' | 'bfloat16' {
  return d === 'float16' || d === 'bfloat16';
}

export function isIntegral(d: DType): boolean {
  return d === 'int32' || d === 'int64' || d === 'bool';
}

export function checkDType(d: unknown, what = 'dtype'): DType {
  if (typeof d === 'string' && (DTYPES as readonly string[]).includes(d)) return d as DType;
  throw new LosskitTypeError(
    `${what} must be one of ${DTYPES.map((t) => `'${t}'`).join(', ')}, but got ${describe(d)}`,
  );
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BFloat16Array) return 'bfloat16';
  if (a instanceof Uint16Array) return 'float16';
  return 'bool';
}

/** Bytes per element of each dtype's storage. */
export const ITEM_SIZE: Readonly<Record<DType, number>> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int32: 4, int64: 8, bool: 1 };

// V8's largest typed array (Node 20): 2^32 elements
const MAX_ELEMENTS = 2 ** 32;

const allocationError = (n: number, itemSize: number): RuntimeError =>
  new RuntimeError(
    `[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate ${Number.isSafeInteger(n) ? BigInt(n) * BigInt(itemSize) : n * itemSize} bytes. Error code 12 (Cannot allocate memory)`,
  );

/**
 * Runs `make` (which allocates `n` elements of `itemSize` bytes), turning JavaScript's RangeError
 * for sizes no typed array holds into PyTorch's allocator error, which names the bytes.
 */
export function allocating<T>(n: number, itemSize: number, make: () => T): T {
  if (n > MAX_ELEMENTS) throw allocationError(n, itemSize);
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) throw allocationError(n, itemSize);
    throw e;
  }
}

export function allocate(dtype: DType, n: number): TypedArray {
  return allocating(n, ITEM_SIZE[dtype], () => allocateUnchecked(dtype, n));
}

function allocateUnchecked(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'float16':
      return new Uint16Array(n);
    case 'bfloat16':
      return new BFloat16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

/** Elements of `src` as numbers (int64 and the 16-bit floats are converted; the rest is returned as-is). */
export function asNumbers(src: TypedArray): NumberArray {
  if (src instanceof BFloat16Array) return bfloat16ToFloat32(src);
  if (src instanceof Uint16Array) return halfToFloat32(src);
  if (!(src instanceof BigInt64Array)) return src;
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  return out;
}

/** Converts numbers into the storage of `dtype`, as PyTorch casts (truncation for ints, != 0 for bool). */
export function fromNumbers(values: ArrayLike<number>, dtype: DType): TypedArray {
  const n = values.length;
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return values instanceof Float64Array ? values : Float64Array.from(values);
    case 'float16':
      return float32ToHalf(values);
    case 'bfloat16':
      return float32ToBFloat16(values);
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.trunc(values[i]);
      return out;
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
      }
      return out;
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = values[i] !== 0 ? 1 : 0;
      return out;
    }
  }
}

const INT_RANGE: Partial<Record<DType, [number, number]>> = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [-(2 ** 63), 2 ** 63] };

/**
 * Numbers a user gives (`tensor`, `full`) into the storage of `dtype`, as `torch.tensor` takes
 * them: truncated towards zero for integer dtypes, but NaN, infinities and values outside the
 * dtype's range are refused (`value cannot be converted to type int64 without overflow`) instead
 * of wrapping or becoming 0.
 */
export function fromUserNumbers(values: ArrayLike<number>, dtype: DType): TypedArray {
  const range = INT_RANGE[dtype];
  if (range) {
    for (let i = 0; i < values.length; i++) {
      const v = Math.trunc(values[i]);
      // 2^63 itself is outside int64 too; the upper bound is exclusive there (it is not a double)
      check(
        v >= range[0] && (dtype === 'int64' ? v < range[1] : v <= range[1]),
        RuntimeError,
        () => `value cannot be converted to type ${dtype} without overflow (element ${i} is ${values[i]})`,
      );
    }
  }
  return allocating(values.length, ITEM_SIZE[dtype], () => fromNumbers(values, dtype));
}

/** `dtype` of the result when combining two dtypes (PyTorch's `promote_types`, without complex). */
export function promoteTypes(a: DType, b: DType): DType {
  if (isHalf(a) && isHalf(b) && a !== b) return 'float32';
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}

/** What a participant in an operation looks like to type promotion. */
export interface Participant {
  dtype: DType;
  ndim: number;
  /** A plain JS number: it adapts to the tensors' dtype, like a Python scalar. */
  wrapped?: boolean;
}

const category = (d: DType): number => (d === 'bool' ? 0 : isFloating(d) ? 2 : 1);

/**
 * PyTorch's `result_type`: dimensioned tensors decide, unless a 0-dim tensor or a plain number is
 * of a higher category (bool < integer < floating). A plain number that is not an integer counts
 * as float32 (the default dtype); an integer one as int64.
 */
export function resultType(parts: readonly Participant[]): DType {
  let dim: DType | undefined;
  let zero: DType | undefined;
  let wrapped: DType | undefined;
  for (const p of parts) {
    if (p.wrapped) wrapped = wrapped ? promoteTypes(wrapped, p.dtype) : p.dtype;
    else if (p.ndim > 0) dim = dim ? promoteTypes(dim, p.dtype) : p.dtype;
    else zero = zero ? promoteTypes(zero, p.dtype) : p.dtype;
  }
  if (wrapped === 'float64') wrapped = 'float32';
  return combine(dim, combine(zero, wrapped)) ?? 'float32';
}

function combine(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  return category(lower) > category(higher) ? promoteTypes(higher, lower) : higher;
}
