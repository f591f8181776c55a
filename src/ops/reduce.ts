/** Reductions over all or some dimensions, with their backward rules. */
import { RuntimeError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { type DType, type NumberArray, type TypedArray, allocate, asNumbers, fromNumbers, isFloating } from '../tensor/dtype.js';
import { type Shape, isRowMajor, normDim, numelOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { pointwise } from './elementwise.js';

interface Plan {
  dims: number[];
  outShape: number[];
  keptShape: number[]; // outShape with the reduced dims kept as size 1
  /** out flat index of each input element */
  outIndex: Int32Array;
  outNumel: number;
}

function normDims(x: Tensor, dim: number | readonly number[] | null | undefined): number[] {
  if (dim === null || dim === undefined) return [...x.shape.keys()];
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = list.map((d) => normDim(d, x.ndim)).filter((d) => d < x.ndim || x.ndim === 0);
  check(new Set(out).size === out.length, RuntimeError, () => `dim ${out.find((d, i) => out.indexOf(d) !== i)} appears multiple times in the list of dims`);
  return x.ndim === 0 ? [] : out.sort((a, b) => a - b);
}

function plan(x: Tensor, dim: number | readonly number[] | null | undefined): Plan {
  const dims = normDims(x, dim);
  const keptShape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const outShape = x.shape.filter((_, i) => !dims.includes(i));
  const outNumel = numelOf(keptShape);
  const n = x.numel;
  const outIndex = new Int32Array(n);
  const keptStrides = stridesOf(keptShape);
  const nd = x.ndim;
  if (n > 0 && nd > 0) {
    const counter = new Array<number>(nd).fill(0);
    let cur = 0;
    const st = keptStrides.map((s, i) => (dims.includes(i) ? 0 : s));
    for (let k = 0; k < n; k++) {
      outIndex[k] = cur;
      for (let d = nd - 1; d >= 0; d--) {
        counter[d]++;
        cur += st[d];
        if (counter[d] < x.shape[d]) break;
        cur -= st[d] * counter[d];
        counter[d] = 0;
      }
    }
  }
  return { dims, outShape, keptShape, outIndex, outNumel };
}

/** Spreads a reduced gradient back over the input's shape (the backward of sum). */
function spread(g: Tensor, p: Plan, inShape: Shape, scale = 1): Tensor {
  const gv = asNumbers(g.data);
  const n = p.outIndex.length;
  const out = allocate(g.dtype, n) as Float32Array | Float64Array;
  for (let k = 0; k < n; k++) out[k] = gv[p.outIndex[k]] * scale;
  return new Tensor(out, inShape);
}

function sumDtype(d: DType): DType {
  return isFloating(d) ? d : 'int64';
}

/**
 * How a sum over `dims` walks a contiguous input, when it needs no index map: the input seen as
 * [outer, size, inner] with the middle part reduced (all dims: outer = inner = 1; trailing dims:
 * inner = 1; leading dims: outer = 1). Null for any other set of dims.
 */
interface Span {
  outer: number;
  size: number;
  inner: number;
}

function spanOf(x: Tensor, dims: readonly number[]): Span | null {
  const nd = x.ndim;
  if (dims.length === 0) return null;
  // reduced dims must be one consecutive run (dims are sorted); size-1 dims may sit anywhere
  const real = dims.filter((d) => x.shape[d] !== 1);
  const lo = real.length > 0 ? real[0] : dims[0];
  const hi = real.length > 0 ? real[real.length - 1] : dims[0];
  for (let d = lo; d <= hi; d++) if (!dims.includes(d) && x.shape[d] !== 1) return null;
  let outer = 1;
  let size = 1;
  let inner = 1;
  for (let d = 0; d < nd; d++) {
    if (d < lo) outer *= x.shape[d];
    else if (d <= hi) size *= dims.includes(d) ? x.shape[d] : 1;
    else inner *= x.shape[d];
  }
  return { outer, size, inner };
}

function shapesOf(x: Tensor, dims: readonly number[]): { outShape: number[]; keptShape: number[] } {
  return {
    keptShape: x.shape.map((s, i) => (dims.includes(i) ? 1 : s)),
    outShape: x.shape.filter((_, i) => !dims.includes(i)),
  };
}

/** Σ over the middle of [outer, size, inner], in float64, each output summed in input order (as the index-map loop did). */
function sumSpan(v: NumberArray, sp: Span): Float64Array {
  const { outer, size, inner } = sp;
  const acc = new Float64Array(outer * inner);
  if (inner === 1) {
    for (let o = 0, k = 0; o < outer; o++) {
      let s = 0;
      for (let j = 0; j < size; j++) s += v[k++];
      acc[o] = s;
    }
    return acc;
  }
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    for (let j = 0; j < size; j++) {
      const off = (o * size + j) * inner;
      for (let i = 0; i < inner; i++) acc[base + i] += v[off + i];
    }
  }
  return acc;
}

/** The backward of a sum over a span: each output's gradient (times `scale`) over its inputs. */
function spreadSpan(g: Tensor, sp: Span, inShape: Shape, scale: number): Tensor {
  const gv = asNumbers(g.data);
  const { outer, size, inner } = sp;
  const out = allocate(g.dtype, outer * size * inner) as Float32Array | Float64Array;
  if (inner === 1) {
    for (let o = 0, k = 0; o < outer; o++) {
      const v = gv[o] * scale;
      for (let j = 0; j < size; j++) out[k++] = v;
    }
  } else {
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < size; j++) {
        const off = (o * size + j) * inner;
        for (let i = 0; i < inner; i++) out[off + i] = gv[o * inner + i] * scale;
      }
    }
  }
  return new Tensor(out, inShape);
}

/** float64 sums into `dtype`'s storage (a typed-array copy, not an iterator, for float32). */
function storeSums(acc: Float64Array, dtype: DType): TypedArray {
  if (dtype === 'float32') return new Float32Array(acc);
  return fromNumbers(acc, dtype);
}

/**
 * The elements a reduction reads: `data`, except that a full reduction of a permuted view (a
 * transpose, say: every element once, in one block of the storage) reads that block in place,
 * in memory order, as PyTorch's reductions walk a transposed input.
 */
function valuesOf(x: Tensor, sp: Span): NumberArray {
  if (x.isPlain || sp.outer !== 1 || sp.inner !== 1 || x.isDetachedBuffer) return asNumbers(x.data);
  const st = x.stride();
  const order = [...x.shape.keys()].filter((i) => x.shape[i] !== 1).sort((a, b) => st[b] - st[a]);
  if (!order.every((i) => st[i] > 0) || !isRowMajor(order.map((i) => x.shape[i]), order.map((i) => st[i]))) return asNumbers(x.data);
  return asNumbers((x.storage as Float64Array).subarray(x.offset, x.offset + x.numel));
}

/** Float64 sums over some dims, the result's shapes, and the backward spreading a gradient (times a scale) over the input. */
interface Sums {
  acc: Float64Array;
  outShape: number[];
  keptShape: number[];
  spreadBack: (g: Tensor, scale: number) => Tensor;
}

function sumsOf(x: Tensor, dims: number[]): Sums {
  const ex = expandedSums(x, dims);
  if (ex) return ex;
  const sp = spanOf(x, dims);
  if (sp) {
    const { outShape, keptShape } = shapesOf(x, dims);
    return { acc: sumSpan(valuesOf(x, sp), sp), outShape, keptShape, spreadBack: (g, c) => spreadSpan(g, sp, x.shape, c) };
  }
  const p = plan(x, dims);
  const v = asNumbers(x.data);
  const acc = new Float64Array(p.outNumel);
  for (let k = 0; k < v.length; k++) acc[p.outIndex[k]] += v[k];
  return { acc, outShape: p.outShape, keptShape: p.keptShape, spreadBack: (g, c) => spread(g, p, x.shape, c) };
}

/**
 * Sums of an expanded view over dims that include expanded (stride-0) ones, without reading the
 * expansion: the sums of what it was expanded from, times the size of each reduced expanded dim
 * (`tensor([1]).expand([1e9]).sum()` reads one element). Null when no reduced dim is expanded.
 */
function expandedSums(x: Tensor, dims: number[]): Sums | null {
  if (x.isPlain) return null;
  const st = x.stride();
  let factor = 1;
  for (const d of dims) if (st[d] === 0) factor *= x.shape[d];
  if (factor === 1 || factor === 0 || x.isDetachedBuffer) return null;
  const from = Tensor.strided(x.storage, x.shape.map((s, i) => (st[i] === 0 && dims.includes(i) ? 1 : s)), st, x.offset);
  const { acc } = sumsOf(from, dims);
  for (let i = 0; i < acc.length; i++) acc[i] *= factor;
  const { outShape, keptShape } = shapesOf(x, dims);
  return {
    acc,
    outShape,
    keptShape,
    spreadBack: (g, c) => {
      const sp = spanOf(x, dims);
      return sp ? spreadSpan(g, sp, x.shape, c) : spread(g, plan(x, dims), x.shape, c);
    },
  };
}

/** Sum over `dim` (all dims when omitted); integer and bool sums are int64, as in PyTorch. */
export function sum(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  const r = sumsOf(x, normDims(x, dim));
  const out = new Tensor(storeSums(r.acc, sumDtype(x.dtype)), keepdim ? r.keptShape : r.outShape);
  return record(out, 'SumBackward', [x], (g) => [r.spreadBack(g, 1)], false);
}

/** Arithmetic mean over `dim`; an empty reduction gives NaN (0/0), as in PyTorch. */
export function mean(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  check(
    isFloating(x.dtype),
    RuntimeError,
    () =>
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${torchTypeName(x.dtype)}`,
  );
  const r = sumsOf(x, normDims(x, dim));
  const outNumel = r.acc.length;
  const count = outNumel === 0 ? 0 : x.numel / outNumel;
  const acc = r.acc;
  for (let i = 0; i < acc.length; i++) acc[i] /= count;
  const out = new Tensor(storeSums(acc, x.dtype), keepdim ? r.keptShape : r.outShape);
  return record(out, 'MeanBackward', [x], (g) => [r.spreadBack(g, 1 / count)], false);
}

/** PyTorch's C++ name of a dtype, as its messages print it. */
export function torchTypeName(d: DType): string {
  const names: Record<string, string> = { float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', bool: 'Bool', float16: 'Half', bfloat16: 'BFloat16' };
  return names[d];
}

function extreme(x: Tensor, dim: number | readonly number[] | null | undefined, keepdim: boolean, larger: boolean): Tensor {
  const p = plan(x, dim);
  check(
    x.numel > 0 || p.outNumel === 0,
    RuntimeError,
    () =>
      `${larger ? 'max' : 'min'}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
  );
  const v = asNumbers(x.data);
  const best = new Float64Array(p.outNumel).fill(larger ? -Infinity : Infinity);
  const seen = new Uint8Array(p.outNumel);
  for (let k = 0; k < v.length; k++) {
    const o = p.outIndex[k];
    const a = v[k];
    if (a !== a) best[o] = NaN;
    else if (best[o] === best[o] && (!seen[o] || (larger ? a > best[o] : a < best[o]))) best[o] = a;
    seen[o] = 1;
  }
  const out = new Tensor(fromNumbers(best, x.dtype), keepdim ? p.keptShape : p.outShape);
  return record(out, larger ? 'AmaxBackward' : 'AminBackward', [x], (g) => {
    // ties share the gradient evenly (PyTorch's amax/amin rule)
    const ties = new Float64Array(p.outNumel);
    for (let k = 0; k < v.length; k++) if (v[k] === best[p.outIndex[k]] || (v[k] !== v[k] && best[p.outIndex[k]] !== best[p.outIndex[k]])) ties[p.outIndex[k]]++;
    const gv = asNumbers(g.data);
    const gi = allocate(g.dtype, v.length) as Float32Array | Float64Array;
    for (let k = 0; k < v.length; k++) {
      const o = p.outIndex[k];
      const hit = v[k] === best[o] || (v[k] !== v[k] && best[o] !== best[o]);
      gi[k] = hit ? gv[o] / ties[o] : 0;
    }
    return [new Tensor(gi, x.shape)];
  });
}

export function amax(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  return extreme(x, dim, keepdim, true);
}

export function amin(x: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  return extreme(x, dim, keepdim, false);
}

function argExtreme(x: Tensor, dim: number | null | undefined, keepdim: boolean, larger: boolean): Tensor {
  const flat = dim === null || dim === undefined;
  const src = flat ? x.reshape(-1) : x;
  const d = flat ? 0 : normDim(dim, x.ndim);
  const p = plan(src, src.ndim === 0 ? null : d);
  check(src.numel > 0, RuntimeError, () => `${larger ? 'argmax' : 'argmin'}(): Expected reduction dim to be specified for input.numel() == 0.`);
  const v = asNumbers(src.data);
  const best = new Float64Array(p.outNumel).fill(NaN);
  const arg = new Float64Array(p.outNumel).fill(-1);
  const size = src.ndim === 0 ? 1 : src.shape[d];
  const inner = src.ndim === 0 ? 1 : numelOf(src.shape.slice(d + 1));
  for (let k = 0; k < v.length; k++) {
    const o = p.outIndex[k];
    const a = v[k];
    const pos = Math.floor(k / inner) % size;
    if (arg[o] < 0) {
      best[o] = a;
      arg[o] = pos;
    } else if (best[o] === best[o] && (a !== a || (larger ? a > best[o] : a < best[o]))) {
      best[o] = a;
      arg[o] = pos;
    }
  }
  const shape = flat ? (keepdim ? x.shape.map(() => 1) : []) : keepdim ? p.keptShape : p.outShape;
  return new Tensor(fromNumbers(arg, 'int64'), shape);
}

export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argExtreme(x, dim, keepdim, true);
}

export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argExtreme(x, dim, keepdim, false);
}

/**
 * The p-norm over `dim` (all when omitted), as `torch.linalg.vector_norm`: p = 0 counts non-zeros,
 * ±inf take the largest/smallest |x|. One node whose backward is PyTorch's `norm_backward`, which
 * gives 0 (not NaN) where the norm is 0 and shares the ±inf gradient among ties.
 */
export function norm(x: Tensor, p = 2, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  check(isFloating(x.dtype), RuntimeError, () => `linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${torchTypeName(x.dtype)}`);
  if (p === 2) {
    const dims = normDims(x, dim);
    const sp = spanOf(x, dims);
    if (sp && sp.inner === 1) return rowNorm2(x, dims, sp.size, keepdim);
  }
  const pl = plan(x, dim);
  const v = x.data as NumberArray;
  const acc = new Float64Array(pl.outNumel).fill(p === -Infinity ? Infinity : 0);
  for (let k = 0; k < v.length; k++) {
    const a = Math.abs(v[k]);
    const o = pl.outIndex[k];
    if (p === Infinity) acc[o] = a > acc[o] || a !== a ? a : acc[o];
    else if (p === -Infinity) acc[o] = a < acc[o] || a !== a ? a : acc[o];
    else if (p === 0) acc[o] += a !== 0 ? 1 : 0;
    else if (p === 1) acc[o] += a;
    else if (p === 2) acc[o] += a * a;
    else acc[o] += Math.pow(a, p);
  }
  if (p === 2) for (let o = 0; o < acc.length; o++) acc[o] = Math.sqrt(acc[o]);
  else if (Number.isFinite(p) && p !== 0 && p !== 1) for (let o = 0; o < acc.length; o++) acc[o] = Math.pow(acc[o], 1 / p);
  const out = new Tensor(fromNumbers(acc, x.dtype), keepdim ? pl.keptShape : pl.outShape);
  const nv = out.data as NumberArray;
  return record(out, 'NormBackward', [x], (g) => {
    const gv = asNumbers(g.data);
    const gi = allocate(g.dtype, v.length) as Float32Array | Float64Array;
    if (p === 0) return [new Tensor(gi, x.shape)];
    let ties: Float64Array | null = null;
    if (!Number.isFinite(p)) {
      ties = new Float64Array(pl.outNumel);
      for (let k = 0; k < v.length; k++) if (isArgExtreme(v[k], nv[pl.outIndex[k]])) ties[pl.outIndex[k]]++;
    }
    for (let k = 0; k < v.length; k++) {
      const o = pl.outIndex[k];
      const a = v[k];
      const n = nv[o];
      const s = a > 0 ? 1 : a < 0 ? -1 : 0;
      if (ties) gi[k] = isArgExtreme(a, n) ? (s * gv[o]) / ties[o] : 0;
      else if (p === 1) gi[k] = s * gv[o];
      else if (p === 2) gi[k] = n === 0 ? 0 : gv[o] * (a / n);
      else if (p < 1) gi[k] = (a === 0 ? 0 : s * Math.pow(Math.abs(a), p - 1)) * gv[o] * Math.pow(n, 1 - p);
      else if (p < 2) gi[k] = n === 0 ? 0 : s * Math.pow(Math.abs(a), p - 1) * (gv[o] / Math.pow(n, p - 1));
      else gi[k] = n === 0 ? 0 : a * Math.pow(Math.abs(a), p - 2) * (gv[o] / Math.pow(n, p - 1));
    }
    return [new Tensor(gi, x.shape)];
  });
}

/** The 2-norm of each run of `size` consecutive elements: the loops of `norm` for p = 2 without an index plan. */
function rowNorm2(x: Tensor, dims: readonly number[], size: number, keepdim: boolean): Tensor {
  const { outShape, keptShape } = shapesOf(x, dims);
  const v = x.data as NumberArray;
  const rows = size === 0 ? x.numel : v.length / size;
  const acc = new Float64Array(size === 0 ? numelOf(outShape) : rows);
  if (size > 0) rowSquares(v, acc, size, 0, true);
  const out = new Tensor(storeSums(acc, x.dtype), keepdim ? keptShape : outShape);
  const nv = out.data as NumberArray;
  return record(out, 'NormBackward', [x], (g) => {
    const gv = asNumbers(g.data);
    const gi = allocate(g.dtype, v.length) as Float32Array | Float64Array;
    if (size > 0) normGrad(v, gi, nv, gv, size);
    return [new Tensor(gi, x.shape)];
  });
}

// an element that attains the ±inf-norm (or is NaN) receives a share of its gradient
const isArgExtreme = (a: number, n: number): boolean => Math.abs(a) === n || a !== a;

/** Sums a broadcast gradient back down to `shape` (the backward of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const s = dims.length > 0 ? sum(g, dims, true) : g;
  return s.reshape([...shape]);
}

/** Multiplies by a constant without recording a graph node of its own for the scale. */
export function scale(x: Tensor, c: number): Tensor {
  return pointwise('MulBackward', [x], x.dtype, (p) => p * c, [(_a, _b, _c, _y, g) => g * c]);
}

/** Whether a and b can take the one-node row ops below: same float dtype and shape, at least 1-D. */
function rowsOf(a: Tensor, b: Tensor): { rows: number; size: number } | null {
  if (a.dtype !== b.dtype || (a.dtype !== 'float32' && a.dtype !== 'float64') || a.ndim === 0 || a.numel === 0) return null;
  if (a.ndim !== b.ndim || a.shape.some((s, i) => s !== b.shape[i])) return null;
  const size = a.shape[a.ndim - 1];
  return { rows: a.numel / size, size };
}

/**
 * `a.mul(b).sum(-1)` as one node (null where the shapes or dtypes differ: compose it then): the
 * products rounded to the dtype and summed in float64 in order, the gradients `g·b` and `g·a`,
 * all exactly as the two ops give them, without the [*, D] product and spread in between.
 */
export function rowDot(a: Tensor, b: Tensor): Tensor | null {
  const rs = rowsOf(a, b);
  if (!rs) return null;
  const { rows, size } = rs;
  const av = a.data as Float32Array | Float64Array;
  const bv = b.data as Float32Array | Float64Array;
  const acc = new Float64Array(rows);
  if (av instanceof Float32Array) rowDots32(av, bv as Float32Array, acc, size);
  else rowDots64(av, bv as Float64Array, acc, size);
  const out = new Tensor(storeSums(acc, a.dtype), a.shape.slice(0, -1));
  return record(out, 'SumBackward', [a, b], (g) => {
    const gv = asNumbers(g.data);
    const side = (t: Tensor, other: Float32Array | Float64Array): Tensor | null => {
      if (!t.requiresGrad) return null;
      const gi = allocate(g.dtype, av.length) as Float32Array | Float64Array;
      rowScale(gi, gv, other, size);
      return new Tensor(gi, a.shape);
    };
    if (a === b) {
      // a·a: the two equal gradients g·a added, 2·round(g·a), exactly, as one array
      const gi = allocate(g.dtype, av.length) as Float32Array | Float64Array;
      if (gi instanceof Float32Array) rowScaleTwice32(gi, gv, av, size);
      else rowScaleTwice64(gi, gv, av, size);
      return [new Tensor(gi, a.shape), null];
    }
    return [side(a, bv), side(b, av)];
  });
}

/**
 * `a.sub(b).add(eps).norm(2, -1)` (pairwise distance, p = 2) as one node, null where the shapes
 * or dtypes differ: the difference plus eps rounded to the dtype after each op, its float64 sum of
 * squares, and the gradient `g·u/‖u‖` (0 where the norm is 0) for a and its negation for b,
 * exactly as the three ops give them.
 */
export function rowDistance(a: Tensor, b: Tensor, eps: number): Tensor | null {
  const rs = rowsOf(a, b);
  if (!rs) return null;
  const { rows, size } = rs;
  const av = a.data as Float32Array | Float64Array;
  const bv = b.data as Float32Array | Float64Array;
  const f32 = av instanceof Float32Array;
  const e = eps; // added as a double, as add(eps) does (the sum is then rounded)
  const acc = new Float64Array(rows);
  if (f32) diffSquares32(av, bv as Float32Array, e, acc, size);
  else rowSquares(av, acc, size, e, false, bv as Float64Array);
  const out = new Tensor(storeSums(acc, a.dtype), a.shape.slice(0, -1));
  const nv = out.data as Float32Array | Float64Array;
  return record(out, 'NormBackward', [a, b], (g) => {
    const gv = asNumbers(g.data);
    // g comes in the output's dtype, a's (the engine casts seeds and gradients to it); typed loops
    // without per-element branches: rowDistance + backward of [4096, 512] 9.8 -> 7.0 ms
    const gi = allocate(g.dtype, av.length) as Float32Array | Float64Array;
    if (f32) distGrad32(av as Float32Array, bv as Float32Array, e, gi as Float32Array, nv as Float32Array, gv, size);
    else distGrad64(av as Float64Array, bv as Float64Array, e, gi as Float64Array, nv as Float64Array, gv, size);
    let gb: Tensor | null = null;
    if (b.requiresGrad) {
      const nb = allocate(g.dtype, av.length) as Float32Array | Float64Array;
      negate(nb, gi);
      gb = new Tensor(nb, b.shape);
    }
    return [a.requiresGrad ? new Tensor(gi, a.shape) : null, gb];
  });
}

// The loops of the row ops, each in a function of its own: V8 optimises a loop inside a longer
// function by on-stack replacement and throws that code away at the first statement after it with
// no type feedback yet, so a loop running once per call would stay in the interpreter each call.

function rowDots32(a: Float32Array, b: Float32Array, acc: Float64Array, size: number): void {
  for (let o = 0, k = 0; o < acc.length; o++) {
    let s = 0;
    for (let j = 0; j < size; j++, k++) s += Math.fround(a[k] * b[k]);
    acc[o] = s;
  }
}

function rowDots64(a: Float64Array, b: Float64Array, acc: Float64Array, size: number): void {
  for (let o = 0, k = 0; o < acc.length; o++) {
    let s = 0;
    for (let j = 0; j < size; j++, k++) s += a[k] * b[k];
    acc[o] = s;
  }
}

/** gi[k] = g[row of k] * v[k] */
function rowScale(gi: Float32Array | Float64Array, g: NumberArray, v: NumberArray, size: number): void {
  for (let o = 0, k = 0; k < gi.length; o++) {
    const go = g[o];
    for (let j = 0; j < size; j++, k++) gi[k] = go * v[k];
  }
}

/** acc[row] = sqrt Σ u², u = v (plain) or v - b + e (float64 differences). */
function rowSquares(v: NumberArray, acc: Float64Array, size: number, e: number, plain: boolean, b?: Float64Array): void {
  for (let o = 0, k = 0; o < acc.length; o++) {
    let s = 0;
    for (let j = 0; j < size; j++, k++) {
      const u = plain ? v[k] : v[k] - b![k] + e;
      s += u * u;
    }
    acc[o] = Math.sqrt(s);
  }
}

function diffSquares32(a: Float32Array, b: Float32Array, e: number, acc: Float64Array, size: number): void {
  for (let o = 0, k = 0; o < acc.length; o++) {
    let s = 0;
    for (let j = 0; j < size; j++, k++) {
      const u = Math.fround(Math.fround(a[k] - b[k]) + e);
      s += u * u;
    }
    acc[o] = Math.sqrt(s);
  }
}

/** The 2-norm's gradient g·v/n per element (0 where the norm n is 0). */
function normGrad(v: NumberArray, gi: Float32Array | Float64Array, nv: NumberArray, g: NumberArray, size: number): void {
  for (let o = 0, k = 0; k < gi.length; o++) {
    const n = nv[o];
    const go = g[o];
    for (let j = 0; j < size; j++, k++) gi[k] = n === 0 ? 0 : go * (v[k] / n);
  }
}

/** The distance's gradient in float32: u = round(round(a - b) + e), gi = g·(u/n), 0 where n is 0. */
function distGrad32(a: Float32Array, b: Float32Array, e: number, gi: Float32Array, nv: Float32Array, g: NumberArray, size: number): void {
  for (let o = 0, k = 0; k < gi.length; o++) {
    const n = nv[o];
    const go = g[o];
    if (n === 0) {
      gi.fill(0, k, k + size);
      k += size;
      continue;
    }
    for (let j = 0; j < size; j++, k++) gi[k] = go * (Math.fround(Math.fround(a[k] - b[k]) + e) / n);
  }
}

function distGrad64(a: Float64Array, b: Float64Array, e: number, gi: Float64Array, nv: Float64Array, g: NumberArray, size: number): void {
  for (let o = 0, k = 0; k < gi.length; o++) {
    const n = nv[o];
    const go = g[o];
    if (n === 0) {
      gi.fill(0, k, k + size);
      k += size;
      continue;
    }
    for (let j = 0; j < size; j++, k++) gi[k] = go * ((a[k] - b[k] + e) / n);
  }
}

function negate(out: Float32Array | Float64Array, v: Float32Array | Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] = -v[k];
}

function rowScaleTwice32(gi: Float32Array, g: NumberArray, v: NumberArray, size: number): void {
  for (let o = 0, k = 0; k < gi.length; o++) {
    const go = g[o];
    for (let j = 0; j < size; j++, k++) gi[k] = 2 * Math.fround(go * v[k]);
  }
}

function rowScaleTwice64(gi: Float64Array, g: NumberArray, v: NumberArray, size: number): void {
  for (let o = 0, k = 0; k < gi.length; o++) {
    const go = g[o];
    for (let j = 0; j < size; j++, k++) gi[k] = 2 * (go * v[k]);
  }
}
