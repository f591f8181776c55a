import { IndexError, RuntimeError, check } from '../errors.js';

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** PyTorch's `torch.Size([2, 3])` text, for messages that quote it. */
export function torchSize(shape: Shape): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** `[2, 3]` as PyTorch's C++ messages print sizes. */
export function sizeList(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function stridesOf(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i];
  }
  return st;
}

/**
 * Broadcasts shapes right-aligned, as NumPy and PyTorch do; throws PyTorch's message otherwise.
 * Shapes are folded in pairwise, right to left, as PyTorch's `infer_size`, so the mismatch
 * reported (and which side is "tensor a") is the one PyTorch reports.
 */
export function broadcastShapes(...shapes: Shape[]): number[] {
  let out: number[] = [];
  for (const s of shapes) out = inferSize(out, s);
  return out;
}

function inferSize(a: Shape, b: Shape): number[] {
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let i = nd - 1; i >= 0; i--) {
    const ia = i - (nd - a.length);
    const ib = i - (nd - b.length);
    const sa = ia >= 0 ? a[ia] : 1;
    const sb = ib >= 0 ? b[ib] : 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw new RuntimeError(`The size of tensor a (${sa}) must match the size of tensor b (${sb}) at non-singleton dimension ${i}`);
    }
    out[i] = sa === 1 ? sb : sa;
  }
  return out;
}

/**
 * For each element of `outShape`, the flat index of the element of `inShape` broadcast onto it.
 * Returns null when the shapes are equal (the identity).
 */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array | null {
  if (sameShape(inShape, outShape)) return null;
  const n = numelOf(outShape);
  const nd = outShape.length;
  const off = nd - inShape.length;
  const inStrides = stridesOf(inShape);
  // stride 0 where the input is broadcast along a dimension
  const st = new Array<number>(nd).fill(0);
  for (let i = 0; i < inShape.length; i++) st[off + i] = inShape[i] === 1 ? 0 : inStrides[i];
  const idx = new Int32Array(n);
  if (n === 0) return idx;
  const counter = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      cur += st[d];
      if (counter[d] < outShape[d]) break;
      cur -= st[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** Normalises a possibly negative dimension, with PyTorch's message when it is out of range. */
export function normDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1); // a 0-dim tensor accepts dim 0 and -1, like PyTorch
  check(Number.isInteger(dim), IndexError, () => `dim must be an integer, got ${dim}`);
  if (dim < -n || dim >= n) {
    if (ndim === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
    throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Splits a shape around `dim` into (outer, size, inner) for loops along one dimension. */
export function splitAt(shape: Shape, dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape.length === 0 ? 1 : shape[dim], inner];
}

/** Whether `strides` are the row-major strides of `shape` (dimensions of size 1 may have any stride). */
export function isRowMajor(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] === 1) continue;
    if (shape[i] === 0) return true;
    if (strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

/** How many storage elements a view needs: one past its furthest element (0 when it has none). */
export function extentOf(shape: Shape, strides: readonly number[], offset: number): number {
  let last = offset;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return 0;
    last += (shape[i] - 1) * strides[i];
  }
  return last + 1;
}

/** Copies the elements of a strided view of `src` into `out`, row-major (`out.length` elements). */
export function stridedCopy(src: ArrayLike<unknown>, shape: Shape, strides: readonly number[], offset: number, out: { length: number; [i: number]: unknown }): void {
  const n = out.length;
  const nd = shape.length;
  if (n === 0) return;
  if (nd === 0) {
    out[0] = src[offset];
    return;
  }
  const s = src as any;
  const o = out as any;
  const last = shape[nd - 1];
  const ls = strides[nd - 1];
  const counter = new Array<number>(nd).fill(0);
  let base = offset;
  for (let k = 0; k < n; ) {
    for (let j = 0, p = base; j < last; j++, p += ls) o[k++] = s[p];
    for (let d = nd - 2; d >= 0; d--) {
      counter[d]++;
      base += strides[d];
      if (counter[d] < shape[d]) break;
      base -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
}

/**
 * The strides that view a tensor of `oldShape`/`oldStrides` as `newShape` without moving any
 * element, or null when none exist (PyTorch's `computeStride`, which decides whether `view`
 * works and whether `reshape` copies).
 */
export function computeStride(oldShape: Shape, oldStrides: readonly number[], newShape: Shape): number[] | null {
  if (numelOf(oldShape) === 0) return sameShape(oldShape, newShape) ? [...oldStrides] : stridesOf(newShape);
  const newStrides = new Array<number>(newShape.length);
  if (oldShape.length === 0) return newStrides.fill(1);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    // a contiguous chunk ends where the next dimension out does not continue it
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}
