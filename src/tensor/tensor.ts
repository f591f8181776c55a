import { LosskitTypeError, RuntimeError, ValueError, check, describe } from '../errors.js';
import { sweep, type Node } from '../autograd/graph.js';
import { type DType, type TypedArray, allocate, asNumbers, dtypeOfArray, fromNumbers, isFloating, isHalf } from './dtype.js';
import { type Shape, extentOf, isRowMajor, normDim, numelOf, sameShape, stridedCopy, stridesOf } from './shape.js';
import { formatTensor } from './format.js';
import * as ew from '../ops/elementwise.js';
import * as red from '../ops/reduce.js';
import * as shp from '../ops/shape.js';
import * as sm from '../ops/softmax.js';
import * as idx from '../ops/index.js';
import { matmul } from '../ops/matmul.js';
import { cast } from '../ops/cast.js';
import { onesLike, tensor } from './creation.js';
import { upcastMethods } from './upcast.js';

/** Nested arrays of numbers (or booleans), as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | boolean | NestedArray[];
/** Anything an op accepts where a tensor is expected: plain numbers and nested arrays are converted. */
export type TensorLike = Tensor | number | boolean | NestedArray[] | TypedArray;

// Set by Tensor.strided just before it calls the constructor, so that views and plain tensors are
// made by one constructor and share one object layout (V8 keeps the hot paths monomorphic).
let pendingView: { strides: number[]; offset: number } | null = null;

/**
 * An n-dimensional array with a dtype that records the operations applied to it when it requires
 * grad. Its elements live in a storage typed array read through strides from an offset, as in
 * PyTorch: most tensors are plain (the whole storage, row-major), while `expand`, `permute`,
 * `transpose`/`T`, `narrow`, `select` and `reshape`/`view` of a contiguous tensor return views that
 * share their input's storage without copying it.
 */
export class Tensor {
  /** The size of each dimension (`[]` for a 0-dim tensor), frozen. PyTorch's `shape`/`size()`. */
  readonly shape: readonly number[];
  /** The element type: decides the typed array under {@link data} and the result dtype of ops. */
  readonly dtype: DType;
  private _grad: Tensor | null = null;
  /** The operation that produced this tensor, or null for a leaf. */
  gradFn: Node | null = null;
  /** True for a plain JS number wrapped to take part in an op (it adapts to the other dtype). */
  readonly wrapped: boolean;
  private _data: TypedArray;
  private readonly _numel: number;
  private _requiresGrad = false;
  // null for a plain tensor (offset 0, row-major over all of _data); else a view's strides
  private _strides: number[] | null;
  private _offset: number;

  /**
   * A plain tensor over `data` (used as it is, not copied), row-major, of `shape`.
   * @throws RuntimeError when the shape's element count is not `data.length`.
   */
  constructor(data: TypedArray, shape: Shape, opts: { requiresGrad?: boolean; wrapped?: boolean } = {}) {
    const v = pendingView;
    if (v === null) {
      check(
        numelOf(shape) === data.length,
        RuntimeError,
        () => `shape [${shape.join(', ')}] is invalid for input of size ${data.length}`,
      );
      this._strides = null;
      this._offset = 0;
      this._numel = data.length;
    } else {
      pendingView = null;
      this._strides = v.strides;
      this._offset = v.offset;
      this._numel = numelOf(shape);
    }
    this._data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOfArray(data);
    this.wrapped = opts.wrapped ?? false;
    if (opts.requiresGrad) this.requiresGrad = true;
  }

  /**
   * @internal A view over `storage`: element `(i0, i1, ...)` is `storage[offset + i0 * strides[0] + ...]`.
   * Returns a plain tensor when that is the row-major layout of all of `storage`. Callers have
   * checked that the view stays inside `storage`.
   */
  static strided(storage: TypedArray, shape: Shape, strides: readonly number[], offset: number): Tensor {
    if (offset === 0 && storage.length === numelOf(shape) && isRowMajor(shape, strides)) return new Tensor(storage, shape);
    pendingView = { strides: [...strides], offset };
    return new Tensor(storage, shape);
  }

  /**
   * The elements, contiguous, row-major. For a plain tensor this is its storage: a typed array over
   * its own ArrayBuffer (or the one the tensor was made from), and writes to it are seen by the
   * tensor and by every view of it. For a view (see {@link isContiguous}; any tensor whose storage
   * is not exactly its elements in row-major order) it is a contiguous copy in a fresh array, made
   * on each read: writes to that copy do not reach the tensor. Assigning replaces the storage
   * (same type and length), keeping the graph.
   * @throws RuntimeError when the ArrayBuffer under the storage has been detached (transferred) since.
   */
  get data(): TypedArray {
    if (this._strides === null) {
      if (this._data.length !== this._numel) throw new RuntimeError(this.detachedMessage());
      return this._data;
    }
    if (this.isDetachedBuffer) throw new RuntimeError(this.detachedMessage());
    const out = allocate(this.dtype, this._numel);
    stridedCopy(this._data, this.shape, this._strides, this._offset, out);
    return out;
  }

  /** @internal whether the ArrayBuffer under the storage was detached (transferred) after the tensor was made */
  get isDetachedBuffer(): boolean {
    if (this._strides === null) return this._data.length !== this._numel;
    return this._data.length < extentOf(this.shape, this._strides, this._offset);
  }

  /** @internal the storage typed array, shared with every view of it (not checked for detachment) */
  get storage(): TypedArray {
    return this._data;
  }

  /** @internal where this tensor's first element sits in its storage (PyTorch's `storage_offset()`) */
  get offset(): number {
    return this._offset;
  }

  /** @internal true for a plain tensor: offset 0, row-major over all of its storage, so `data` is the storage itself */
  get isPlain(): boolean {
    return this._strides === null;
  }

  /**
   * The step in the storage between consecutive elements of each dimension (PyTorch's `stride()`),
   * or of dimension `dim` alone. A plain tensor of shape [2, 3] has strides [3, 1]; its transpose
   * [1, 3]; an expanded dimension 0.
   */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    const st = this._strides ?? stridesOf(this.shape);
    return dim === undefined ? [...st] : st[normDim(dim, this.ndim)];
  }

  /**
   * Whether the elements lie in the storage in row-major order without gaps (PyTorch's
   * `is_contiguous()`): true for plain tensors and for views such as `narrow` along the first
   * dimension; false for transposes, permutations and expansions.
   */
  isContiguous(): boolean {
    return this._strides === null || isRowMajor(this.shape, this._strides);
  }

  /**
   * This tensor if it {@link isContiguous}, else a contiguous copy (recorded: gradients flow
   * through it), as PyTorch's `contiguous()`.
   */
  contiguous(): Tensor {
    return this.isContiguous() ? this : ew.identityCopy(this);
  }

  /** @internal */
  detachedMessage(where = 'a tensor'): string {
    return `${where} has no data: the ArrayBuffer under it was detached (transferred to a worker, or otherwise) after the tensor was made`;
  }

  /**
   * The gradient accumulated by `backward()` (leaves only), shaped like this tensor, or null.
   * Assign null to drop it, or a Tensor of this tensor's shape and dtype to accumulate into (a
   * view is stored as a contiguous copy, which backward then adds to in place).
   */
  get grad(): Tensor | null {
    return this._grad;
  }

  /** Sets or drops (null) the gradient; see the getter. */
  set grad(g: Tensor | null) {
    if (g === null || g === undefined) {
      this._grad = null;
      return;
    }
    if (!(g instanceof Tensor)) throw new LosskitTypeError(`assigned grad expected to be a Tensor or None but got grad of ${describe(g)}`);
    check(g.dtype === this.dtype, RuntimeError, () => `assigned grad has data of a different type (${g.dtype}, the tensor is ${this.dtype})`);
    check(sameShape(g.shape, this.shape), RuntimeError, () => `assigned grad has data of a different size ([${g.shape.join(', ')}], the tensor is [${this.shape.join(', ')}])`);
    this._grad = g._strides === null ? g : new Tensor(g.data, g.shape);
  }

  /**
   * Replaces the elements, keeping shape, dtype and graph (PyTorch's `param.data = ...`, used to
   * load weights). A typed array must be of this dtype's type and is used as-is; a Tensor or
   * (nested) arrays of numbers are converted into this dtype. The element count must match.
   */
  set data(v: TypedArray | Tensor | NestedArray[]) {
    let src: TypedArray;
    if (v instanceof Tensor) src = v.dtype === this.dtype ? v.data : fromNumbers(asNumbers(v.data), this.dtype);
    else if (Array.isArray(v)) src = tensor(v as NestedArray[], { dtype: this.dtype }).data; // checks every element
    else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      // a typed array of another type is converted (a copy); of this type it is used as-is
      src = dtypeOfArray(v as TypedArray) === this.dtype ? (v as TypedArray) : fromNumbers(asNumbers(v as TypedArray), this.dtype);
    } else {
      throw new LosskitTypeError(`data must be a typed array, a Tensor or nested arrays, got ${describe(v)}`);
    }
    check(
      src.length === this._numel,
      ValueError,
      () => `data must have ${this._numel} elements (shape [${this.shape.join(', ')}]), got ${src.length}`,
    );
    // a view given new data becomes a plain tensor over it (it no longer shares its base's storage)
    this._data = src;
    this._strides = null;
    this._offset = 0;
  }

  /** The number of dimensions, `shape.length` (PyTorch's `dim()`). */
  get ndim(): number {
    return this.shape.length;
  }

  /** The number of elements, the product of the shape (1 for a 0-dim tensor). */
  get numel(): number {
    return this._numel;
  }

  /**
   * Whether autograd records operations on this tensor, so that `backward()` reaches it (PyTorch's
   * `requires_grad`). Floating-point tensors only; only a leaf's flag can be cleared.
   */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  /**
   * Sets the flag, as PyTorch's `requires_grad_()`.
   * @throws RuntimeError for a non-floating dtype, or clearing it on a non-leaf.
   */
  set requiresGrad(v: boolean) {
    check(
      !v || isFloating(this.dtype),
      RuntimeError,
      () => `only Tensors of floating point dtype can require gradients (this one is ${this.dtype})`,
    );
    check(
      v || this.gradFn === null,
      RuntimeError,
      () => 'you can only change requiresGrad flags of leaf variables; use detach() for a copy without the graph',
    );
    this._requiresGrad = v;
  }

  /** @internal used by autograd to mark results of recorded ops */
  setRequiresGradInternal(v: boolean): void {
    this._requiresGrad = v;
  }

  /** True for a tensor no recorded op produced (`gradFn` is null): only leaves get `.grad`. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The single value of a one-element tensor, as a JS number (booleans as 0/1). */
  item(): number {
    check(
      this.numel === 1,
      RuntimeError,
      () => `a Tensor with ${this.numel} elements cannot be converted to Scalar`,
    );
    return Number(isHalf(this.dtype) ? asNumbers(this.data)[0] : this.data[0]);
  }

  /** The elements as nested arrays (a plain number for a 0-dim tensor; booleans for bool). */
  toArray(): NestedArray {
    const vals = asNumbers(this.data);
    const bool = this.dtype === 'bool';
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return bool ? vals[offset] !== 0 : vals[offset];
      let inner = 1;
      for (let i = dim + 1; i < this.shape.length; i++) inner *= this.shape[i];
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * inner));
      return out;
    };
    return build(0, 0);
  }

  /** A new leaf sharing this tensor's storage (a view stays a view of it), cut off from the graph. */
  detach(): Tensor {
    if (this._strides === null) return new Tensor(this.data, this.shape);
    if (this.isDetachedBuffer) throw new RuntimeError(this.detachedMessage());
    return Tensor.strided(this._data, this.shape, this._strides, this._offset);
  }

  /** A copy with its own data (recorded: gradients flow through it). */
  clone(): Tensor {
    return ew.identityCopy(this);
  }

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires grad and
   * accumulates it into their `.grad`, as PyTorch's AccumulateGrad: a leaf without `.grad` gets a
   * tensor of its own, a leaf with one is added to in place. A non-scalar tensor needs
   * `gradOutput` (the gradient of some scalar with respect to it), as in PyTorch. Afterwards the
   * graph has released what it saved, and a second backward through it throws, unless
   * `retainGraph: true` kept it.
   * @throws RuntimeError for a tensor that does not require grad, a missing or misshapen
   * `gradOutput`, or a graph already freed by an earlier backward.
   */
  backward(gradOutput?: TensorLike | null, opts: { retainGraph?: boolean } = {}): void {
    const retainGraph = backwardOptions('backward', opts);
    sweep([this], [seedFor(this, gradOutput, 'gradOutput')], { retainGraph, capture: null, make: detachedLike, fit: fitGrad });
  }

  /** PyTorch's repr: `tensor([[1., 0.],\n        [1., 4.]])`, with `dtype=` and `requires_grad=True` / `grad_fn=` where PyTorch prints them. */
  toString(): string {
    return formatTensor(this);
  }

  // ---- elementwise -------------------------------------------------------------------------
  /** `this + other`, broadcasting, in the promoted dtype. */
  add(other: TensorLike): Tensor {
    return ew.add(this, other);
  }
  /** `this - other`, broadcasting, in the promoted dtype (two bool tensors throw, as in PyTorch). */
  sub(other: TensorLike): Tensor {
    return ew.sub(this, other);
  }
  /** `this * other`, broadcasting, in the promoted dtype. */
  mul(other: TensorLike): Tensor {
    return ew.mul(this, other);
  }
  /** `this / other`, true division, broadcasting: integer inputs give float32, as in PyTorch. */
  div(other: TensorLike): Tensor {
    return ew.div(this, other);
  }
  /** `this ** exponent`, broadcasting; a tensor exponent gets a gradient too. */
  pow(exponent: TensorLike): Tensor {
    return ew.pow(this, exponent);
  }
  /** Elementwise maximum with broadcasting, NaN-propagating; ties split the gradient in half. */
  maximum(other: TensorLike): Tensor {
    return ew.maximum(this, other);
  }
  /** Elementwise minimum with broadcasting, NaN-propagating; ties split the gradient in half. */
  minimum(other: TensorLike): Tensor {
    return ew.minimum(this, other);
  }
  /** `-this` (bool tensors throw, as in PyTorch). */
  neg(): Tensor {
    return ew.neg(this);
  }
  /** `e^x` elementwise; integer inputs give float32. */
  exp(): Tensor {
    return ew.exp(this);
  }
  /** Natural log elementwise (`-inf` at 0, NaN below); integer inputs give float32. */
  log(): Tensor {
    return ew.log(this);
  }
  /** `log(1 + x)` elementwise, accurate near 0; integer inputs give float32. */
  log1p(): Tensor {
    return ew.log1p(this);
  }
  /** `exp(x) - 1` elementwise, accurate near 0; integer inputs give float32. */
  expm1(): Tensor {
    return ew.expm1(this);
  }
  /** `|x|` elementwise, keeping the dtype; the gradient is `sign(x)` (0 at 0). */
  abs(): Tensor {
    return ew.abs(this);
  }
  /** -1, 0 or 1 elementwise (0 for NaN, as PyTorch's CPU kernel), keeping the dtype; zero gradient. */
  sign(): Tensor {
    return ew.sign(this);
  }
  /** Square root elementwise (NaN below 0); integer inputs give float32. */
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  /** `x * x` elementwise, keeping the dtype (bool gives int64). */
  square(): Tensor {
    return ew.square(this);
  }
  /** `1 / x` elementwise; integer inputs give float32. */
  reciprocal(): Tensor {
    return ew.reciprocal(this);
  }
  /** `1 / (1 + exp(-x))` elementwise; integer inputs give float32. */
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  /** `log(sigmoid(x))` elementwise, computed without overflow. */
  logSigmoid(): Tensor {
    return ew.logSigmoid(this);
  }
  /** `log(1 + exp(beta x)) / beta` elementwise, linear where `beta x > threshold` (PyTorch's defaults: beta 1, threshold 20). */
  softplus(beta?: number, threshold?: number): Tensor {
    return ew.softplus(this, beta, threshold);
  }
  /** Hyperbolic tangent elementwise; integer inputs give float32. */
  tanh(): Tensor {
    return ew.tanh(this);
  }
  /** `max(0, x)` elementwise, keeping the dtype; the gradient is 0 at 0. */
  relu(): Tensor {
    return ew.relu(this);
  }
  /** Clamps into `[min, max]` (either may be null or omitted); NaN stays NaN; the gradient passes where `min <= x <= max`. */
  clamp(min?: number | null, max?: number | null): Tensor {
    return ew.clamp(this, min, max);
  }
  /** `clamp(min, null)`: PyTorch's `clamp_min`. */
  clampMin(min: number): Tensor {
    return ew.clamp(this, min, null);
  }
  /** `clamp(null, max)`: PyTorch's `clamp_max`. */
  clampMax(max: number): Tensor {
    return ew.clamp(this, null, max);
  }
  /** `this == other` elementwise with broadcasting: a bool tensor, not differentiable. */
  eq(other: TensorLike): Tensor {
    return ew.eq(this, other);
  }
  /** `this != other` elementwise with broadcasting: a bool tensor. */
  ne(other: TensorLike): Tensor {
    return ew.ne(this, other);
  }
  /** `this < other` elementwise with broadcasting: a bool tensor. */
  lt(other: TensorLike): Tensor {
    return ew.lt(this, other);
  }
  /** `this <= other` elementwise with broadcasting: a bool tensor. */
  le(other: TensorLike): Tensor {
    return ew.le(this, other);
  }
  /** `this > other` elementwise with broadcasting: a bool tensor. */
  gt(other: TensorLike): Tensor {
    return ew.gt(this, other);
  }
  /** `this >= other` elementwise with broadcasting: a bool tensor. */
  ge(other: TensorLike): Tensor {
    return ew.ge(this, other);
  }
  /** True where the element is NaN: a bool tensor of this shape. */
  isnan(): Tensor {
    return ew.isnan(this);
  }
  /** True where the element is 0: a bool tensor of this shape. */
  logicalNot(): Tensor {
    return ew.logicalNot(this);
  }
  /** `condition ? this : other` elementwise with broadcasting (PyTorch's `x.where(condition, y)`); the gradient goes only to the chosen side. */
  where(condition: TensorLike, other: TensorLike): Tensor {
    return ew.where(condition, this, other);
  }
  /** This tensor with `value` where `mask` is true (PyTorch's `masked_fill`); no gradient flows to the filled places. */
  maskedFill(mask: TensorLike, value: number): Tensor {
    return ew.where(mask, value, this);
  }
  /** A copy in `dtype` (this tensor itself if it already has it); gradients flow back cast to this dtype. */
  to(dtype: DType): Tensor {
    return cast(this, dtype);
  }
  /** `to('float32')`. */
  float(): Tensor {
    return cast(this, 'float32');
  }
  /** `to('float64')`. */
  double(): Tensor {
    return cast(this, 'float64');
  }
  /** `to('int64')`. */
  long(): Tensor {
    return cast(this, 'int64');
  }
  /** `to('float16')`: IEEE half precision, stored as a Uint16Array of bit patterns. */
  half(): Tensor {
    return cast(this, 'float16');
  }
  /** `to('bfloat16')`: the top 16 bits of a float32, stored as a BFloat16Array (a Uint16Array) of bit patterns. */
  bfloat16(): Tensor {
    return cast(this, 'bfloat16');
  }

  // ---- reductions --------------------------------------------------------------------------
  /**
   * Sum over `dim` (one or several dimensions, negative counts from the end; all when omitted), keeping them as size 1 with `keepdim`.
   * Integer and bool sums are int64, as in PyTorch; the sum of nothing is 0.
   */
  sum(dim?: number | number[] | null, keepdim = false): Tensor {
    return red.sum(this, dim, keepdim);
  }
  /**
   * Arithmetic mean over `dim` (all dimensions when omitted), keeping them as size 1 with `keepdim`.
   * An empty reduction gives NaN, as in PyTorch.
   */
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    return red.mean(this, dim, keepdim);
  }
  /** The largest value overall, or along `dim` (values only; ties share the gradient). */
  max(dim?: number | number[] | null, keepdim = false): Tensor {
    return red.amax(this, dim, keepdim);
  }
  /** The smallest value overall, or along `dim` (values only, PyTorch's `amin`; ties share the gradient). */
  min(dim?: number | number[] | null, keepdim = false): Tensor {
    return red.amin(this, dim, keepdim);
  }
  /** The int64 index of the largest value along `dim`, or in the flattened tensor when omitted (the first of ties). */
  argmax(dim?: number | null, keepdim = false): Tensor {
    return red.argmax(this, dim, keepdim);
  }
  /** The int64 index of the smallest value along `dim`, or in the flattened tensor when omitted (the first of ties). */
  argmin(dim?: number | null, keepdim = false): Tensor {
    return red.argmin(this, dim, keepdim);
  }
  /** `log(Σ exp(x))` over `dim`, computed without overflow. */
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return sm.logsumexp(this, dim, keepdim);
  }
  /** `exp(x_i) / Σ_j exp(x_j)` along `dim`: each slice sums to 1. */
  softmax(dim: number): Tensor {
    return sm.softmax(this, dim);
  }
  /** `log(softmax(x))` along `dim`, computed as `x - logsumexp(x)`: what {@link F.nllLoss} expects. */
  logSoftmax(dim: number): Tensor {
    return sm.logSoftmax(this, dim);
  }
  /**
   * The p-norm over `dim` (all dimensions when omitted), as `torch.linalg.vector_norm`: p = 0 counts non-zeros, ±Infinity take the largest/smallest `|x|`.
   * The gradient is 0 (not NaN) where the norm is 0.
   */
  norm(p = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    return red.norm(this, p, dim, keepdim);
  }

  // ---- shape -------------------------------------------------------------------------------
  /**
   * The same elements in a new shape (`reshape(2, -1)` or `reshape([2, -1])`; one -1 is inferred):
   * a view sharing the storage where the strides allow one (always for a contiguous tensor), else
   * a copy, as PyTorch's `reshape`.
   * @throws RuntimeError when the element count does not match.
   */
  reshape(...shape: (number | number[])[]): Tensor {
    return shp.reshape(this, shape.flat());
  }
  /**
   * {@link reshape} that never copies: a view sharing the storage, as PyTorch's `view`.
   * @throws RuntimeError when the element count does not match, or when the strides admit no view
   * (a transposed tensor, say): use {@link reshape} or {@link contiguous} first.
   */
  view(...shape: (number | number[])[]): Tensor {
    return shp.view(this, shape.flat());
  }
  /** Merges dimensions `startDim..endDim` (inclusive; default all) into one, as {@link reshape} (a view where possible). */
  flatten(startDim = 0, endDim = -1): Tensor {
    return shp.flatten(this, startDim, endDim);
  }
  /** Inserts a dimension of size 1 at `dim` (negative counts from the end of the result): a view. */
  unsqueeze(dim: number): Tensor {
    return shp.unsqueeze(this, dim);
  }
  /** Removes dimensions of size 1: all of them, or only `dim` if it has size 1: a view. */
  squeeze(dim?: number): Tensor {
    return shp.squeeze(this, dim);
  }
  /**
   * Broadcasts to `shape` (-1 keeps a size; new dimensions go in front): a view with stride 0 along
   * the expanded dimensions, so it costs no memory; the gradient sums back.
   */
  expand(...shape: (number | number[])[]): Tensor {
    return shp.expand(this, shape.flat());
  }
  /** Reorders the dimensions: `permute(2, 0, 1)` makes dimension 2 the first (a view). */
  permute(...dims: (number | number[])[]): Tensor {
    return shp.permute(this, dims.flat());
  }
  /** Swaps two dimensions (a view). */
  transpose(dim0: number, dim1: number): Tensor {
    return shp.transpose(this, dim0, dim1);
  }
  /** The dimensions reversed: the transpose of a matrix (a view). */
  get T(): Tensor {
    return shp.permute(this, [...this.shape.keys()].reverse());
  }
  /** Values picked along `dim` by an int64 `index` of the same number of dimensions, as `torch.gather`: for dim 1, `out[i][j] = this[i][index[i][j]]`. */
  gather(dim: number, index: Tensor): Tensor {
    return idx.gather(this, dim, index);
  }
  /** The slice at `index` along `dim`, without that dimension (PyTorch's `x.select(dim, i)`, `x[:, i]`): a view. */
  select(dim: number, index: number): Tensor {
    return shp.select(this, dim, index);
  }
  /** Elements `start .. start + length - 1` along `dim` (a view). */
  narrow(dim: number, start: number, length: number): Tensor {
    return shp.narrow(this, dim, start, length);
  }
  /** Matrix product `this @ other` for `(n, k) @ (k, m)`, `(k) @ (k, m)`, `(n, k) @ (k)` and `(k) @ (k)`. */
  matmul(other: TensorLike): Tensor {
    return matmul(this, ew.toTensor(other));
  }
}

// float16 and bfloat16 tensors compute in float32 (src/tensor/upcast.ts)
upcastMethods(Tensor.prototype);

/** A new leaf over `data`, shaped like `like` (a gradient for it). */
export function detachedLike(data: TypedArray, like: Tensor): Tensor {
  return new Tensor(data, like.shape);
}

/** The retainGraph option of backward() and grad(), checked. */
export function backwardOptions(fn: string, opts: unknown, extra: readonly string[] = []): boolean {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new LosskitTypeError(`${fn}(): options must be an object, but got ${describe(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (k !== 'retainGraph' && !extra.includes(k)) throw new LosskitTypeError(`${fn}() got an unexpected keyword argument '${k}'`);
  }
  const r = (opts as { retainGraph?: unknown }).retainGraph;
  if (r !== undefined && typeof r !== 'boolean') throw new LosskitTypeError(`${fn}(): retainGraph must be a boolean, but got ${describe(r)}`);
  return r ?? false;
}

/** The gradient that seeds a backward pass from `out`: ones for a scalar, else `g` checked. */
export function seedFor(out: Tensor, g: TensorLike | null | undefined, name: string): Tensor {
  if (g === undefined || g === null) {
    check(out.numel === 1, RuntimeError, () => 'grad can be implicitly created only for scalar outputs');
    return onesLike(out);
  }
  let t = ew.toTensor(g, out.dtype);
  check(
    sameShape(t.shape, out.shape),
    RuntimeError,
    () => `Mismatch in shape: ${name} has a shape of [${t.shape.join(', ')}] and output has a shape of [${out.shape.join(', ')}]`,
  );
  if (t.dtype !== out.dtype) t = cast(t, out.dtype);
  return t;
}

/** Brings an op's gradient to its input's shape and dtype (sums broadcast dimensions away). */
export function fitGrad(g: Tensor, like: Tensor): Tensor {
  let out = g;
  if (!sameShape(out.shape, like.shape)) out = red.sumTo(out, like.shape);
  if (out.dtype !== like.dtype) out = cast(out, like.dtype);
  return out;
}
