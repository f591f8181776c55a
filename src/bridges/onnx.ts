/**
 * `losskit/onnx`: ONNX Runtime tensors (onnxruntime-web, onnxruntime-node, onnxruntime-common) and
 * the tensors transformers.js wraps, as losskit Tensors and back, over the same data.
 *
 * ```ts
 * import * as ort from 'onnxruntime-web';
 * import { F } from 'losskit';
 * import { fromOrt, toOrt } from 'losskit/onnx';
 * const { logits } = await session.run(feeds);
 * const x = fromOrt(logits, { requiresGrad: true });   // same Float32Array, no copy
 * const loss = F.causalLmLoss(x, fromOrt(feeds.input_ids));
 * loss.backward();
 * const g = toOrt(ort, x.grad!);                       // an ort.Tensor over the gradient's array
 * ```
 *
 * Nothing here imports ONNX Runtime: `toOrt` takes the module (or anything with its `Tensor`
 * class), and `fromOrt` reads any `{ type, data, dims }`.
 *
 * @module losskit/onnx
 */
import { Tensor, ValueError, LosskitTypeError, tensor } from '../index.js';
import { float32ToHalf } from '../tensor/half.js';

/** What `fromOrt` reads: ONNX Runtime's Tensor, transformers.js's Tensor, or any such object. */
export interface OrtTensorLike {
  /** ONNX Runtime's type name: 'float32', 'float64', 'int32', 'int64', 'bool' or 'float16' are read. */
  readonly type: string;
  /** The elements, a typed array (for float16 a Uint16Array of bit patterns, or a Float16Array). */
  readonly data: unknown;
  /** The shape. */
  readonly dims: readonly number[];
  /** ONNX Runtime's: where the data lives ('cpu', 'cpu-pinned', 'gpu-buffer', 'texture', ...). */
  readonly location?: string;
}

/** The ONNX Runtime module (`import * as ort from 'onnxruntime-web'`), or anything with its Tensor class. */
export type OrtModule = { Tensor: OrtTensorConstructor } | OrtTensorConstructor;
/** ONNX Runtime's Tensor class: `new ort.Tensor(type, data, dims)`. */
export type OrtTensorConstructor = new (type: any, data: any, dims?: readonly number[]) => any;

/** Options of {@link fromOrt}. */
export interface FromOrtOptions {
  /** Makes the result a leaf that records a gradient (as `tensor(..., { requiresGrad })`). */
  requiresGrad?: boolean;
}

/** Options of {@link toOrt}. */
export interface ToOrtOptions {
  /** 'float16' converts the data to float16 bit patterns (a copy); default: the tensor's own type. */
  type?: 'float16';
}

const describe = (v: unknown): string =>
  v === null ? 'None' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? (v.constructor?.name ?? 'an object') : `${typeof v} ${String(v)}`;

const DIRECT: Record<string, 'float32' | 'float64' | 'int32' | 'int64' | 'bool'> = {
  float32: 'float32',
  float64: 'float64',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

/**
 * An ONNX Runtime (or transformers.js) tensor as a losskit Tensor over the same typed array: no
 * copy for float32, float64, int32, int64, bool and float16 (a Uint16Array of bit patterns, or a
 * Float16Array, seen as the Uint16Array over its bytes). Losses on a float16 tensor compute in
 * float32 and return float16, as PyTorch's do.
 *
 * @throws ValueError for data that is not on the CPU (download GPU tensors with `await t.getData()`
 *   first), for types losskit has no dtype for (uint8, int8, int16, uint16, string, ...), or for
 *   data that does not match the dims.
 */
export function fromOrt(t: OrtTensorLike, options: FromOrtOptions = {}): Tensor {
  if (t === null || typeof t !== 'object' || typeof t.type !== 'string' || !Array.isArray(t.dims)) {
    throw new LosskitTypeError(`fromOrt(): expected an ONNX Runtime tensor ({ type, data, dims }), got ${describe(t)}`);
  }
  const location = t.location ?? (t as { dataLocation?: string }).dataLocation;
  if (location !== undefined && location !== 'cpu' && location !== 'cpu-pinned') {
    throw new ValueError(`fromOrt(): the tensor's data is in '${location}', not on the CPU: download it first (await tensor.getData())`);
  }
  const requiresGrad = options.requiresGrad ?? false;
  const shape = [...t.dims];
  const data = t.data;
  if (t.type === 'float16') {
    if (!(ArrayBuffer.isView(data) && 'length' in data)) throw new ValueError('fromOrt(): float16 data must be a Uint16Array or a Float16Array');
    return tensor(data as never, { shape, dtype: 'float16', requiresGrad });
  }
  const dtype = DIRECT[t.type];
  if (dtype === undefined) {
    throw new ValueError(`fromOrt(): ONNX type '${t.type}' has no losskit dtype (float32, float64, int32, int64, bool, float16)`);
  }
  if (!ArrayBuffer.isView(data)) throw new ValueError(`fromOrt(): a ${t.type} tensor's data must be a typed array, got ${describe(data)}`);
  return tensor(data as never, { shape, dtype, requiresGrad });
}

/**
 * A losskit Tensor as an ONNX Runtime tensor, `new ort.Tensor(type, data, dims)` over the same
 * typed array (no copy; float16 too), or a float32/float64 tensor converted to float16 with
 * `{ type: 'float16' }`. bfloat16 has no ONNX Runtime tensor type in JavaScript: cast it first.
 */
export function toOrt(ort: OrtModule, t: Tensor, options: ToOrtOptions = {}): any {
  const Ctor = typeof ort === 'function' ? ort : (ort as { Tensor?: OrtTensorConstructor } | null)?.Tensor;
  if (typeof Ctor !== 'function') {
    throw new LosskitTypeError("toOrt(): the first argument must be the ONNX Runtime module (import * as ort from 'onnxruntime-web') or its Tensor class");
  }
  if (!(t instanceof Tensor)) throw new LosskitTypeError(`toOrt(): expected a losskit Tensor, got ${describe(t)}`);
  if (t.dtype === 'bfloat16') throw new ValueError("toOrt(): ONNX Runtime's JavaScript tensors have no bfloat16; use t.to('float32') or t.to('float16')");
  if (options.type === 'float16' && t.dtype !== 'float16') return new Ctor('float16', float32ToHalf(t.data as ArrayLike<number>), [...t.shape]);
  if (options.type !== undefined && options.type !== 'float16') throw new ValueError(`toOrt(): type must be 'float16' or absent, got ${describe(options.type)}`);
  return new Ctor(t.dtype, t.data, [...t.shape]);
}
