import { LosskitTypeError, RuntimeError, ValueError, check, describe } from '../errors.js';
import { owned, record } from '../autograd/graph.js';
import {
  type DType,
  type TypedArray,
  BFloat16Array,
  ITEM_SIZE,
  allocate,
  asNumbers,
  allocating,
  checkDType,
  dtypeOfArray,
  fromNumbers,
  fromUserNumbers,
  isFloating,
  promoteTypes,
} from './dtype.js';
import { checkBool, checkOptions } from '../options.js';
import { type Shape, numelOf } from './shape.js';
import { Tensor, type NestedArray } from './tensor.js';
import { Generator, defaultGenerator } from './random.js';

/** Options of {@link tensor} and the filling functions ({@link zeros}, {@link full}, ...; these take no `shape`). */
export interface TensorOptions {
  /**
   * PyTorch's `dtype`. Defaults: float32 for numbers, int64 for bigints, bool for booleans, the
   * array's own type for typed arrays; float32 for `zeros`, `ones`, `full` and `linspace` (`arange`:
   * int64 for integer arguments), the source's dtype for the `*Like` ones.
   */
  dtype?: DType;
  /** Required to give a typed array (or a flat array) a shape other than 1-D. */
  shape?: readonly number[];
  /** PyTorch's `requires_grad`. Default false. True makes the result a leaf that autograd tracks (floating dtypes only). */
  requiresGrad?: boolean;
}

/** Options of {@link rand}, {@link randn} and {@link randint}: dtype, autograd and where the numbers come from. */
export interface RandomOptions {
  /** PyTorch's `dtype`. Default float32 for `rand`/`randn` (floating dtypes only), int64 for `randint`. */
  dtype?: DType;
  /** PyTorch's `requires_grad`. Default false. */
  requiresGrad?: boolean;
  /** A seed for this call alone; without one, the default generator (see `manualSeed`) is used. */
  seed?: number;
  /** PyTorch's `generator`: draws from this {@link Generator}, advancing it. Takes precedence over `seed`. */
  generator?: Generator;
}

const TENSOR_OPTIONS = ['dtype', 'shape', 'requiresGrad'] as const;
const FILL_OPTIONS = ['dtype', 'requiresGrad'] as const;
const RANDOM_OPTIONS = ['dtype', 'requiresGrad', 'seed', 'generator'] as const;
const RANDINT_OPTIONS = ['dtype', 'seed', 'generator'] as const;

/** The creation functions' one options check: known keys, a boolean `requiresGrad`, a known dtype. */
function creationOptions<O extends object>(fn: string, opts: O | undefined, allowed: readonly string[]): O {
  checkOptions(fn, opts, allowed);
  const o = (opts ?? {}) as { dtype?: unknown; requiresGrad?: unknown };
  if (o.requiresGrad !== undefined) checkBool(fn, 'requiresGrad', o.requiresGrad);
  if (o.dtype !== undefined) checkDType(o.dtype);
  checkSeeding(fn, opts ?? {});
  return (opts ?? {}) as O;
}

function checkSeeding(fn: string, o: { seed?: unknown; generator?: unknown }): void {
  if (o.seed !== undefined) {
    check(
      typeof o.seed === 'number' && Number.isFinite(o.seed),
      LosskitTypeError,
      () => `${fn}(): argument 'seed' must be a finite number, but got ${describe(o.seed)}`,
    );
  }
  if (o.generator !== undefined) {
    check(o.generator instanceof Generator, LosskitTypeError, () => `${fn}(): argument 'generator' must be a Generator, but got ${describe(o.generator)}`);
  }
}

/**
 * The generator random draws come from: `generator` if given, a fresh one for `seed`, else the
 * default one (`manualSeed`). Both options are checked; layers with seeded initialisation use it too.
 */
export function generatorOf(fn: string, opts: { seed?: number; generator?: Generator }): Generator {
  checkSeeding(fn, opts);
  if (opts.generator) return opts.generator;
  return opts.seed === undefined ? defaultGenerator : new Generator(opts.seed);
}

function isTypedArray(x: unknown): x is TypedArray {
  return (
    x instanceof Float32Array ||
    x instanceof Float64Array ||
    x instanceof Int32Array ||
    x instanceof BigInt64Array ||
    x instanceof Uint8Array
  );
}

/** JSON-friendly spellings of the non-finite numbers, as the parity format writes them. */
function scalarValue(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (s === 'nan') return NaN;
    if (s === 'inf' || s === 'infinity' || s === '+inf') return Infinity;
    if (s === '-inf' || s === '-infinity') return -Infinity;
  }
  throw new LosskitTypeError(`tensor(): expected a number at ${path}, got ${describe(v)}`);
}

/** Walks nested arrays: their shape, and their leaves in row-major order. Refuses ragged input. */
function flatten(data: unknown): { shape: number[]; flat: unknown[] } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: unknown[] = [];
  const walk = (x: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (Array.isArray(x)) {
        throw new ValueError(`tensor(): too many dimensions at ${path}: expected a number, got an array (ragged nested arrays)`);
      }
      flat.push(x);
      return;
    }
    if (!Array.isArray(x)) {
      throw new ValueError(`tensor(): expected sequence of length ${shape[dim]} at dim ${dim} (got a scalar at ${path})`);
    }
    if (x.length !== shape[dim]) {
      throw new ValueError(`tensor(): expected sequence of length ${shape[dim]} at dim ${dim} (got ${x.length} at ${path})`);
    }
    for (let i = 0; i < x.length; i++) walk(x[i], dim + 1, `${path}[${i}]`);
  };
  walk(data, 0, 'data');
  return { shape, flat };
}

function checkShape(shape: readonly number[], what = 'shape'): number[] {
  check(
    Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0),
    ValueError,
    () => `${what} must be an array of non-negative integers, got ${describe(shape)}`,
  );
  return [...shape];
}

/**
 * Creates a tensor from a number, nested arrays, or a typed array (with `shape`).
 *
 * Plain numbers become float32 unless `dtype` says otherwise. A typed array is used as-is (not
 * copied) where its type fits `dtype`. A flat array with `shape` is reshaped. `'nan'`, `'inf'` and
 * `'-inf'` strings are read as those numbers.
 *
 * @throws ValueError for ragged nested arrays or a `shape` that does not fit the data.
 * @throws TypeError for an unknown dtype or a non-numeric element.
 * @example
 * tensor([[0, 1], [2, 3]]).toString(); // 'tensor([[0., 1.],\n        [2., 3.]])'
 */
export function tensor(
  data: NestedArray | TypedArray | bigint | readonly (number | string | bigint | boolean)[] | string,
  opts: TensorOptions = {},
): Tensor {
  creationOptions('tensor', opts, TENSOR_OPTIONS);
  const dtype = opts.dtype;
  if (data instanceof Tensor) {
    const t = (data as Tensor).detach();
    return finish(dtype && dtype !== t.dtype ? castData(t.data, dtype) : t.data, opts.shape ?? t.shape, opts);
  }
  const bits = sixteenBits(data, dtype);
  if (bits !== null) return finish(bits, opts.shape ?? [bits.length], opts);
  if (isTypedArray(data)) {
    const own = dtypeOfArray(data);
    const arr = dtype === undefined || dtype === own ? data : castData(data, dtype);
    return finish(arr, opts.shape ?? [data.length], opts);
  }
  if (ArrayBuffer.isView(data)) {
    throw new LosskitTypeError(
      `tensor(): ${(data as object).constructor.name} is not supported; use Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, or a Uint16Array of float16 or bfloat16 bit patterns (with { dtype: 'float16' } or 'bfloat16')`,
    );
  }
  const { shape, flat } = Array.isArray(data) ? flatten(data) : { shape: [], flat: [data] };
  const inferred: DType =
    dtype ??
    (flat.length > 0 && flat.every((v) => typeof v === 'boolean')
      ? 'bool'
      : flat.length > 0 && flat.every((v) => typeof v === 'bigint')
        ? 'int64'
        : 'float32');
  if (inferred === 'int64' && flat.some((v) => typeof v === 'bigint')) return finish(exactInt64(flat), opts.shape ?? shape, opts);
  const values = new Float64Array(flat.length);
  for (let i = 0; i < flat.length; i++) values[i] = scalarValue(flat[i], `data[${i}]`);
  return finish(fromUserNumbers(values, inferred), opts.shape ?? shape, opts);
}

/** int64 data with bigints in it, kept exact (a double holds integers only to 2^53). */
function exactInt64(flat: readonly unknown[]): BigInt64Array {
  const out = new BigInt64Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v === 'bigint') {
      check(v >= -(2n ** 63n) && v < 2n ** 63n, RuntimeError, () => `Overflow when unpacking long (element ${i} is ${v})`);
      out[i] = v;
    } else out[i] = (fromUserNumbers([scalarValue(v, `data[${i}]`)], 'int64') as BigInt64Array)[0];
  }
  return out;
}

/**
 * 16-bit float data, used as it is: a Uint16Array of bit patterns (its dtype must be said, as the
 * array cannot tell float16 from bfloat16), or a Float16Array (its bytes, seen as a Uint16Array).
 * Returns null for any other data.
 */
function sixteenBits(data: unknown, dtype: DType | undefined): TypedArray | null {
  const F16 = (globalThis as { Float16Array?: abstract new () => ArrayBufferView }).Float16Array;
  const f16 = F16 !== undefined && data instanceof F16;
  if (!(data instanceof Uint16Array) && !f16) return null;
  const known = data instanceof BFloat16Array || f16;
  check(
    known || dtype === 'float16' || dtype === 'bfloat16',
    LosskitTypeError,
    () => "tensor(): a Uint16Array holds 16-bit float bit patterns: say which with { dtype: 'float16' } or { dtype: 'bfloat16' }",
  );
  const v = data as Uint16Array;
  const own = data instanceof BFloat16Array ? 'bfloat16' : known ? 'float16' : (dtype as 'float16' | 'bfloat16');
  const Storage = own === 'bfloat16' ? BFloat16Array : Uint16Array;
  const bits = v.constructor === Storage ? v : new Storage(v.buffer as ArrayBuffer, v.byteOffset, v.length);
  // another dtype is a copy, from the values the bits hold
  return dtype === undefined || dtype === own ? bits : castData(bits, dtype);
}

function castData(src: TypedArray, dtype: DType): TypedArray {
  if (src instanceof BigInt64Array && dtype === 'int64') return src;
  return fromUserNumbers(asNumbers(src), dtype);
}

function finish(data: TypedArray, shape: readonly number[], opts: TensorOptions): Tensor {
  const s = checkShape(shape);
  check(
    numelOf(s) === data.length,
    ValueError,
    () => `shape [${s.join(', ')}] is invalid for input of size ${data.length}`,
  );
  return new Tensor(data, s, { requiresGrad: opts.requiresGrad });
}

function filled(fn: string, shape: Shape, value: number, opts: TensorOptions & { dtype?: DType }): Tensor {
  creationOptions(fn, opts, FILL_OPTIONS);
  const s = checkShape(shape);
  const dtype = checkDType(opts.dtype ?? 'float32');
  // the value is checked like tensor()'s numbers: NaN or 3e9 cannot fill an int32 tensor
  const v = fromUserNumbers([value], dtype);
  const data = allocate(dtype, numelOf(s));
  if (value !== 0) {
    if (data instanceof BigInt64Array) data.fill((v as BigInt64Array)[0]);
    else data.fill((v as Exclude<TypedArray, BigInt64Array>)[0]);
  }
  return new Tensor(data, s, { requiresGrad: opts.requiresGrad });
}

/**
 * A tensor of `shape` filled with 0 (float32 unless `dtype` says otherwise), as `torch.zeros`.
 * @example
 * zeros([2, 3]).shape; // [2, 3]
 */
export function zeros(shape: Shape, opts: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('zeros', shape, 0, opts);
}

/**
 * A tensor of `shape` filled with 1 (float32 unless `dtype` says otherwise), as `torch.ones`.
 * @example
 * ones([2], { dtype: 'int64' }).toString(); // 'tensor([1, 1])'
 */
export function ones(shape: Shape, opts: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('ones', shape, 1, opts);
}

/**
 * A tensor of `shape` filled with `value` (float32 unless `dtype` says otherwise), as `torch.full`.
 * @throws LosskitTypeError for a value that is not a number; RuntimeError for one the dtype cannot hold.
 */
export function full(shape: Shape, value: number, opts: Omit<TensorOptions, 'shape'> = {}): Tensor {
  check(typeof value === 'number', LosskitTypeError, () => `full(): fill value must be a number, got ${describe(value)}`);
  return filled('full', shape, value, opts);
}

/** Zeros with `t`'s shape and dtype (unless `dtype` says otherwise), as `torch.zeros_like`. */
export function zerosLike(t: Tensor, opts: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('zerosLike', t.shape, 0, { dtype: t.dtype, ...opts });
}

/** Ones with `t`'s shape and dtype (unless `dtype` says otherwise), as `torch.ones_like`. */
export function onesLike(t: Tensor, opts: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('onesLike', t.shape, 1, { dtype: t.dtype, ...opts });
}

/** `value` with `t`'s shape and dtype (unless `dtype` says otherwise), as `torch.full_like`. */
export function fullLike(t: Tensor, value: number, opts: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('fullLike', t.shape, value, { dtype: t.dtype, ...opts });
}

/**
 * Values from `start` to `end` (exclusive) in steps of `step`, like `torch.arange`:
 * `arange(5)`, `arange(1, 4)`, `arange(0, 1, 0.25)`. Integer arguments give int64 unless `dtype` says otherwise.
 */
export function arange(
  start: number,
  end?: number,
  step: number | Omit<TensorOptions, 'shape'> = 1,
  opts: Omit<TensorOptions, 'shape'> = {},
): Tensor {
  if (typeof step === 'object' && step !== null) {
    opts = step;
    step = 1;
  }
  creationOptions('arange', opts, FILL_OPTIONS);
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const [name, v] of [['start', start], ['end', end], ['step', step]] as const) {
    check(typeof v === 'number', LosskitTypeError, () => `arange(): argument '${name}' must be a number, but got ${describe(v)}`);
  }
  check(step !== 0, RuntimeError, () => 'arange(): step must be nonzero');
  check(
    [start, end, step].every(Number.isFinite),
    RuntimeError,
    () => `arange(): unsupported range: ${start} -> ${end}`,
  );
  check(
    (step > 0 && end >= start) || (step < 0 && end <= start),
    RuntimeError,
    () => 'arange(): upper bound and larger bound inconsistent with step sign',
  );
  const n = Math.ceil((end - start) / step);
  check(Number.isSafeInteger(n), RuntimeError, () => 'invalid size, possible overflow?');
  const allInt = [start, end, step].every(Number.isInteger);
  const dtype = checkDType(opts.dtype ?? (allInt ? 'int64' : 'float32'));
  const values = allocating(n, ITEM_SIZE[dtype], () => new Float64Array(n));
  for (let i = 0; i < n; i++) values[i] = start + (i as number) * step;
  return new Tensor(fromNumbers(values, dtype), [n], { requiresGrad: opts.requiresGrad });
}

/** `steps` evenly spaced values from `start` to `end` inclusive (`torch.linspace`). */
export function linspace(start: number, end: number, steps: number, opts: Omit<TensorOptions, 'shape'> = {}): Tensor {
  creationOptions('linspace', opts, FILL_OPTIONS);
  for (const [name, v] of [['start', start], ['end', end], ['steps', steps]] as const) {
    check(typeof v === 'number', LosskitTypeError, () => `linspace(): argument '${name}' must be a number, but got ${describe(v)}`);
  }
  check(Number.isInteger(steps) && steps >= 0, RuntimeError, () => 'linspace(): number of steps must be non-negative');
  const dtypeOut = checkDType(opts.dtype ?? 'float32');
  const values = allocating(steps, ITEM_SIZE[dtypeOut], () => new Float64Array(steps));
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // symmetric like PyTorch: the second half is computed from the end, so both endpoints are exact
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) values[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  return new Tensor(fromNumbers(values, dtypeOut), [steps], { requiresGrad: opts.requiresGrad });
}


function randomFloat(shape: Shape, opts: RandomOptions, draw: (g: Generator) => number, what: string): Tensor {
  creationOptions(what, opts, RANDOM_OPTIONS);
  const s = checkShape(shape);
  const dtype = checkDType(opts.dtype ?? 'float32');
  check(isFloating(dtype), RuntimeError, () => `${what}(): expected a floating point dtype, got ${dtype}`);
  const g = generatorOf(what, opts);
  // drawn straight into the result's storage (a Float32Array rounds each draw as Float32Array.from did)
  const values = allocate(dtype, numelOf(s)) as Float32Array | Float64Array;
  for (let i = 0; i < values.length; i++) values[i] = draw(g);
  return new Tensor(values, s, { requiresGrad: opts.requiresGrad });
}

/** Uniform samples on [0, 1). Seedable: `rand([2, 3], { seed: 1 })`. */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomFloat(shape, opts, (g) => g.uniform(), 'rand');
}

/** Standard normal samples. Seedable: `randn([4, 5], { seed: 1, requiresGrad: true })`. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomFloat(shape, opts, (g) => g.normal(), 'randn');
}

/** Integers uniform on [low, high), int64 by default (`torch.randint`). */
export function randint(low: number, high: number, shape: Shape, opts: Omit<RandomOptions, 'requiresGrad'> = {}): Tensor {
  creationOptions('randint', opts, RANDINT_OPTIONS);
  for (const [name, v] of [['low', low], ['high', high]] as const) {
    check(
      Number.isSafeInteger(v),
      LosskitTypeError,
      () => `randint(): argument '${name}' must be an integer, but got ${describe(v)}`,
    );
  }
  check(high > low, RuntimeError, () => `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const s = checkShape(shape);
  const dtype = checkDType(opts.dtype ?? 'int64');
  const g = generatorOf('randint', opts);
  const n = numelOf(s);
  const values = allocating(n, ITEM_SIZE[dtype], () => new Float64Array(n));
  for (let i = 0; i < values.length; i++) values[i] = g.integer(low, high);
  return new Tensor(fromNumbers(values, dtype), s);
}

/** Stacks tensors of one shape along a new dimension `dim` (recorded for autograd). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return cat(
    tensors.map((t) => t.unsqueeze(dim < 0 ? dim + t.ndim + 1 : dim)),
    dim < 0 ? dim + (tensors[0]?.ndim ?? 0) + 1 : dim,
  );
}

/** Joins tensors along an existing dimension `dim` (recorded for autograd). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  check(tensors.length > 0, RuntimeError, () => 'cat(): expected a non-empty list of Tensors');
  const first = tensors[0];
  check(first.ndim > 0, RuntimeError, () => 'zero-dimensional tensor cannot be concatenated');
  const d = dim < 0 ? dim + first.ndim : dim;
  check(d >= 0 && d < first.ndim, RuntimeError, () => `cat(): dim ${dim} out of range for ${first.ndim}-D tensors`);
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  for (const t of tensors) {
    check(
      t.ndim === first.ndim && t.shape.every((s, i) => i === d || s === first.shape[i]),
      RuntimeError,
      () => `Sizes of tensors must match except in dimension ${d}. Expected ${JSON.stringify(first.shape)} but got ${JSON.stringify(t.shape)}`,
    );
  }
  const outShape = [...first.shape];
  outShape[d] = tensors.reduce((a, t) => a + t.shape[d], 0);
  let outer = 1;
  for (let i = 0; i < d; i++) outer *= outShape[i];
  let inner = 1;
  for (let i = d + 1; i < outShape.length; i++) inner *= outShape[i];
  const parts = tensors.map((t) => (t.dtype === dtype ? t : t.to(dtype)));
  const out = allocate(dtype, numelOf(outShape)) as any;
  const rowOut = outShape[d] * inner;
  let offset = 0;
  for (const t of parts) {
    const src = t.data as any;
    const rowIn = t.shape[d] * inner;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < rowIn; k++) out[o * rowOut + offset + k] = src[o * rowIn + k];
    }
    offset += rowIn;
  }
  const result = new Tensor(out, outShape);
  return record(result, 'CatBackward', parts, (g) => {
    let start = 0;
    return parts.map((t) => {
      const piece = g.narrow(d, start, t.shape[d]);
      start += t.shape[d];
      // a narrow is a view: hand the engine a plain gradient (its own contiguous copy)
      return piece.isPlain ? piece : owned(new Tensor(piece.data, piece.shape));
    });
  });
}
