/**
 * Shape operations, all views: `reshape`/`view`/`flatten`, `unsqueeze`/`squeeze`, `expand` (stride
 * 0 along expanded dimensions), `permute`/`transpose`, `narrow` and `select` return a tensor over
 * their input's storage with its own shape, strides and offset, and copy nothing (PyTorch's views).
 * The one exception is `reshape`/`flatten` of a tensor whose strides admit no view of the new shape
 * (a transpose flattened, say): that copies, as PyTorch's `reshape` does. Backward rules return
 * plain (contiguous) gradients.
 */
import { RuntimeError, IndexError, check } from '../errors.js';
import { owned, record, type BackwardFn } from '../autograd/graph.js';
import { allocate } from '../tensor/dtype.js';
import { type Shape, computeStride, normDim, numelOf, splitAt, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { sumTo } from './reduce.js';
import { identityCopy } from './elementwise.js';

/** `g` as a plain tensor: itself if it is one, else over its contiguous copy (which nothing else holds). */
function plain(g: Tensor): Tensor {
  return g.isPlain ? g : owned(new Tensor(g.data, g.shape));
}

/** A view of `x`'s storage, recorded with `backward`; detached storage throws as `data` would. */
function strided(x: Tensor, shape: Shape, strides: readonly number[], offset: number, name: string, backward: BackwardFn): Tensor {
  if (x.isDetachedBuffer) throw new RuntimeError(x.detachedMessage());
  return record(Tensor.strided(x.storage, shape, strides, offset), name, [x], backward, false);
}

/** `x` in `shape` (same element count): a view where the strides allow, else null. */
function reshaped(x: Tensor, shape: number[], name: string): Tensor | null {
  const back: BackwardFn = (g) => [g.isPlain ? new Tensor(g.data, x.shape) : owned(new Tensor(g.data, x.shape))];
  // the common case first, as cheap as before views: a plain tensor in a new shape
  if (x.isPlain) return record(new Tensor(x.data, shape), name, [x], back, false);
  const st = x.isContiguous() ? stridesOf(shape) : computeStride(x.shape, x.stride(), shape);
  return st === null ? null : strided(x, shape, st, x.offset, name, back);
}

/** The shape with one -1 inferred, checked against `x`'s element count. */
function inferShape(x: Tensor, shape: readonly number[]): number[] {
  const s = [...shape];
  const infer = s.indexOf(-1);
  check(s.filter((d) => d === -1).length <= 1, RuntimeError, () => 'only one dimension can be inferred');
  check(
    s.every((d) => Number.isInteger(d) && d >= -1),
    RuntimeError,
    () => `invalid shape dimension in [${s.join(', ')}]`,
  );
  if (infer >= 0) {
    const known = s.reduce((a, d, i) => (i === infer ? a : a * d), 1);
    check(
      known !== 0 && x.numel % known === 0,
      RuntimeError,
      () => `shape '[${s.join(', ')}]' is invalid for input of size ${x.numel}`,
    );
    s[infer] = x.numel / known;
  }
  check(numelOf(s) === x.numel, RuntimeError, () => `shape '[${shape.join(', ')}]' is invalid for input of size ${x.numel}`);
  return s;
}

/** Same elements, new shape (one dimension may be -1): a view where the strides allow, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape(x, shape);
  return reshaped(x, s, 'ViewBackward') ?? reshaped(identityCopy(x), s, 'ViewBackward')!;
}

/** {@link reshape} that never copies, as PyTorch's `view`. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  const s = inferShape(x, shape);
  const out = reshaped(x, s, 'ViewBackward');
  check(
    out !== null,
    RuntimeError,
    () => "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
  );
  return out!;
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const a = normDim(startDim, x.ndim);
  const b = normDim(endDim, x.ndim);
  check(a <= b, RuntimeError, () => 'flatten() has invalid args: start_dim cannot come after end_dim');
  const shape = [...x.shape.slice(0, a), numelOf(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)];
  return reshape(x, shape);
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  if (x.isPlain) return reshaped(x, shape, 'UnsqueezeBackward')!;
  const st = x.stride();
  st.splice(d, 0, d < x.ndim ? x.shape[d] * st[d] : 1);
  return strided(x, shape, st, x.offset, 'UnsqueezeBackward', (g) => [reshape(plain(g), x.shape)]);
}

/** Removes size-1 dimensions (all of them, or just `dim` if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  let keep: number[];
  if (dim === undefined) keep = [...x.shape.keys()].filter((i) => x.shape[i] !== 1);
  else {
    const d = normDim(dim, x.ndim);
    keep = [...x.shape.keys()].filter((i) => !(x.ndim > 0 && i === d && x.shape[d] === 1));
  }
  const shape = keep.map((i) => x.shape[i]);
  if (x.isPlain) return reshaped(x, shape, 'SqueezeBackward')!;
  const st = x.stride();
  return strided(x, shape, keep.map((i) => st[i]), x.offset, 'SqueezeBackward', (g) => [reshape(plain(g), x.shape)]);
}

/** Broadcasts to `shape` (-1 keeps a size): a view with stride 0 along the expanded dimensions. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  check(
    shape.length >= x.ndim,
    RuntimeError,
    () =>
      `expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`,
  );
  const off = shape.length - x.ndim;
  for (let i = 0; i < off; i++) {
    check(
      shape[i] >= 0,
      RuntimeError,
      () => `The expanded size of the tensor (${shape[i]}) isn't allowed in a leading, non-existing dimension ${i}`,
    );
  }
  const target = shape.map((s, i) => (s === -1 ? x.shape[i - off] : s));
  for (let i = 0; i < x.ndim; i++) {
    const have = x.shape[i];
    const want = target[i + off];
    check(
      have === want || have === 1,
      RuntimeError,
      () =>
        `The expanded size of the tensor (${want}) must match the existing size (${have}) at non-singleton dimension ${i + off}.  Target sizes: [${shape.join(', ')}].  Tensor sizes: [${x.shape.join(', ')}]`,
    );
  }
  const xs = x.stride();
  const st = target.map((s, i) => (i < off || (x.shape[i - off] === 1 && s !== 1) ? 0 : xs[i - off]));
  return strided(x, target, st, x.offset, 'ExpandBackward', (g) => [plain(sumTo(g, x.shape))]);
}

/** Reorders dimensions: a view. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  check(
    dims.length === x.ndim,
    RuntimeError,
    () => `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.ndim} is not equal to len(dims) = ${dims.length}`.replace('(sparse_coo)', ''),
  );
  const d = dims.map((v) => normDim(v, x.ndim));
  check(new Set(d).size === d.length, RuntimeError, () => 'permute(): duplicate dims are not allowed.');
  const xs = x.stride();
  const inverse = new Array<number>(d.length);
  d.forEach((v, i) => (inverse[v] = i));
  return strided(x, d.map((i) => x.shape[i]), d.map((i) => xs[i]), x.offset, 'PermuteBackward', (g) => [plain(permute(g, inverse))]);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return x;
  const order = [...x.shape.keys()];
  const a = normDim(dim0, x.ndim);
  const b = normDim(dim1, x.ndim);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

/** Elements `start .. start+length-1` along `dim`: a view. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.ndim);
  check(x.ndim > 0, RuntimeError, () => 'narrow() cannot be applied to a 0-dim tensor.');
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  check(
    s >= 0 && length >= 0 && s + length <= size,
    IndexError,
    () => `start (${start}) + length (${length}) exceeds dimension size (${size}).`,
  );
  const [outer, , inner] = splitAt(x.shape, d);
  const shape = [...x.shape];
  shape[d] = length;
  const xs = x.stride();
  return strided(x, shape, xs, x.offset + s * xs[d], 'NarrowBackward', (g) => {
    const gi = allocate(g.dtype, x.numel) as any;
    const gv = g.data as any;
    for (let o = 0; o < outer; o++) gi.set(gv.subarray(o * length * inner, (o + 1) * length * inner), (o * size + s) * inner);
    return [owned(new Tensor(gi, x.shape))];
  });
}

/** The slice at `index` along `dim`, without that dimension. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.ndim);
  const size = x.shape[d];
  check(
    index >= -size && index < size,
    IndexError,
    () => `index ${index} is out of bounds for dimension ${d} with size ${size}`,
  );
  const i = index < 0 ? index + size : index;
  return squeeze(narrow(x, d, i, 1), d);
}

export type { Shape };
