/**
 * Shape operations. `reshape`/`unsqueeze`/`squeeze`/`flatten` share the data (views); `expand`,
 * `permute`, `transpose`, `select` and `narrow` copy, since every Tensor is contiguous.
 */
import { RuntimeError, IndexError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { allocate } from '../tensor/dtype.js';
import { type Shape, broadcastIndex, normDim, numelOf, splitAt, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { sumTo } from './reduce.js';

function view(x: Tensor, shape: number[], name: string): Tensor {
  const out = new Tensor(x.data, shape);
  return record(out, name, [x], (g) => [new Tensor(g.data, x.shape)], false);
}

/** Same data, new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
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
  return view(x, s, 'ViewBackward');
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const a = normDim(startDim, x.ndim);
  const b = normDim(endDim, x.ndim);
  check(a <= b, RuntimeError, () => 'flatten() has invalid args: start_dim cannot come after end_dim');
  const shape = [...x.shape.slice(0, a), numelOf(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)];
  return view(x, shape, 'ViewBackward');
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return view(x, shape, 'UnsqueezeBackward');
}

/** Removes size-1 dimensions (all of them, or just `dim` if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  let shape: number[];
  if (dim === undefined) shape = x.shape.filter((s) => s !== 1);
  else {
    const d = normDim(dim, x.ndim);
    shape = x.ndim > 0 && x.shape[d] === 1 ? x.shape.filter((_, i) => i !== d) : [...x.shape];
  }
  return view(x, shape, 'SqueezeBackward');
}

/** Broadcasts to `shape` (-1 keeps a size), copying. */
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
  const map = broadcastIndex(x.shape, target);
  const src = x.data as any;
  const out = allocate(x.dtype, numelOf(target)) as any;
  if (map) for (let k = 0; k < out.length; k++) out[k] = src[map[k]];
  else out.set(src);
  return record(new Tensor(out, target), 'ExpandBackward', [x], (g) => [sumTo(g, x.shape)], false);
}

/** Reorders dimensions (copying). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  check(
    dims.length === x.ndim,
    RuntimeError,
    () => `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.ndim} is not equal to len(dims) = ${dims.length}`.replace('(sparse_coo)', ''),
  );
  const d = dims.map((v) => normDim(v, x.ndim));
  check(new Set(d).size === d.length, RuntimeError, () => 'permute(): duplicate dims are not allowed.');
  const outShape = d.map((i) => x.shape[i]);
  const inStrides = stridesOf(x.shape);
  const st = d.map((i) => inStrides[i]);
  const n = x.numel;
  const src = x.data as any;
  const out = allocate(x.dtype, n) as any;
  const nd = outShape.length;
  const counter = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    out[k] = src[cur];
    for (let j = nd - 1; j >= 0; j--) {
      counter[j]++;
      cur += st[j];
      if (counter[j] < outShape[j]) break;
      cur -= st[j] * counter[j];
      counter[j] = 0;
    }
  }
  const inverse = new Array<number>(nd);
  d.forEach((v, i) => (inverse[v] = i));
  return record(new Tensor(out, outShape), 'PermuteBackward', [x], (g) => [permute(g, inverse)], false);
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return x;
  const order = [...x.shape.keys()];
  const a = normDim(dim0, x.ndim);
  const b = normDim(dim1, x.ndim);
  [order[a], order[b]] = [order[b], order[a]];
  return permute(x, order);
}

/** Elements `start .. start+length-1` along `dim` (copying). */
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
  const src = x.data as any;
  const out = allocate(x.dtype, outer * length * inner) as any;
  for (let o = 0; o < outer; o++) {
    const from = (o * size + s) * inner;
    out.set(src.subarray(from, from + length * inner), o * length * inner);
  }
  return record(new Tensor(out, shape), 'NarrowBackward', [x], (g) => {
    const gi = allocate(g.dtype, x.numel) as any;
    const gv = g.data as any;
    for (let o = 0; o < outer; o++) gi.set(gv.subarray(o * length * inner, (o + 1) * length * inner), (o * size + s) * inner);
    return [new Tensor(gi, x.shape)];
  }, false);
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
