/**
 * Elementwise operations with broadcasting, each forward next to its derivative.
 *
 * Everything here goes through {@link pointwise}: a scalar function of up to three broadcast
 * inputs plus, per input, its partial derivative. Losses use the same mechanism for their fused
 * elementwise formulas, so a loss's gradient is the exact derivative PyTorch's kernel uses, not
 * whatever a chain of primitives happens to give at kinks and infinities.
 */
import { LosskitTypeError, RuntimeError, check } from '../errors.js';
import { owned, record } from '../autograd/graph.js';
import {
  type DType,
  type NumberArray,
  type TypedArray,
  allocate,
  asNumbers,
  isFloating,
  resultType,
} from '../tensor/dtype.js';
import { broadcastIndex, broadcastShapes, isRowMajor, numelOf, sameShape, stridedCopy } from '../tensor/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Value of an elementwise function at (a, b, c); unused arguments are 0. */
export type Fn = (a: number, b: number, c: number) => number;
/** Gradient contribution to one input: the partial derivative times `g`; `y` is the forward value. */
export type Deriv = (a: number, b: number, c: number, y: number, g: number) => number;

/** Converts anything tensor-like to a Tensor; plain numbers become wrapped scalars. */
export function toTensor(x: TensorLike, dtype?: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    return new Tensor(Float64Array.of(x), [], { wrapped: true });
  }
  if (typeof x === 'boolean') return new Tensor(Uint8Array.of(x ? 1 : 0), [], { wrapped: true });
  if (x === null || x === undefined) {
    throw new LosskitTypeError(`expected a Tensor, a number or nested arrays, got ${String(x)}`);
  }
  return tensor(x as any, dtype ? { dtype } : {});
}

/** The dtype a wrapped JS number takes for promotion: integers count as int64, others as float. */
function participant(t: Tensor): { dtype: DType; ndim: number; wrapped: boolean } {
  if (t.wrapped && t.dtype === 'float64') {
    return { dtype: Number.isInteger(t.data[0]) ? 'int64' : 'float64', ndim: 0, wrapped: true };
  }
  return { dtype: t.dtype, ndim: t.ndim, wrapped: t.wrapped };
}

export function promoted(...ts: Tensor[]): DType {
  return resultType(ts.map(participant));
}

/**
 * An input's values as the loops read them: `vals[k & mask]` for output element k, with mask -1
 * (same shape: element k) or 0 (one value for all), so the hot loops have no branch per element.
 */
interface Source {
  vals: NumberArray;
  mask: number;
}

/** An input's own values, row-major, and their shape: a view's stride-0 (expanded) dimensions count as size 1. */
interface Compact {
  vals: NumberArray;
  shape: readonly number[];
}

/**
 * A view is read through its strides: its expanded dimensions become broadcast ones, so an
 * expanded operand is read as the smaller tensor it was expanded from (never materialised at full
 * size); the rest is read in place when it lies row-major in the storage (a narrow, say), else
 * gathered once (a transpose).
 */
function compactOf(t: Tensor): Compact {
  if (t.isPlain) return { vals: asNumbers(t.data), shape: t.shape };
  if (t.isDetachedBuffer) throw new RuntimeError(t.detachedMessage());
  const st = t.stride();
  const shape = t.shape.map((s, i) => (st[i] === 0 ? 1 : s));
  const count = numelOf(shape);
  let own = (t.storage as Float64Array).subarray(t.offset, t.offset + count) as TypedArray;
  if (!isRowMajor(shape, st)) {
    own = allocate(t.dtype, count);
    stridedCopy(t.storage, shape, st, t.offset, own);
  }
  return { vals: asNumbers(own), shape };
}

/**
 * How the loops walk the output: `count` chunks of `chunk` consecutive elements, input i read in
 * chunk c from `vals[starts[i][c] + (j & mask)]`. One chunk when nothing broadcasts, or when the
 * broadcast inputs were expanded to full size (`starts` null).
 */
interface Walk {
  chunk: number;
  count: number;
  sources: Source[];
  starts: (Int32Array | null)[] | null;
}

/** Chunks shorter than this are not worth a loop call each: such inputs are expanded instead. */
const MIN_CHUNK = 256;

function walkOf(inputs: readonly Tensor[], outShape: readonly number[], n: number): Walk {
  const cs = inputs.map(compactOf);
  const whole = (c: Compact): boolean => c.vals.length === n && sameShape(c.shape, outShape);
  if (cs.every((c) => c.vals.length === 1 || whole(c))) {
    return { chunk: n, count: 1, sources: cs.map((c) => ({ vals: c.vals, mask: whole(c) ? -1 : 0 })), starts: null };
  }
  // the longest run of trailing dims over which every input is either whole or one value: a
  // broadcast row, column or scalar is then read in place, chunk by chunk, with stride 0
  const nd = outShape.length;
  const padded = cs.map((c) => [...new Array<number>(nd - c.shape.length).fill(1), ...c.shape]);
  let d0 = nd;
  const ok = (d: number): boolean => padded.every((s) => {
    let full = true;
    let one = true;
    for (let k = d; k < nd; k++) {
      if (s[k] !== outShape[k]) full = false;
      if (s[k] !== 1) one = false;
    }
    return full || one;
  });
  while (d0 > 0 && ok(d0 - 1)) d0--;
  const chunk = numelOf(outShape.slice(d0));
  if (chunk < MIN_CHUNK || chunk === 0) {
    return { chunk: n, count: 1, sources: cs.map((c, i) => (whole(c) ? { vals: c.vals, mask: -1 } : c.vals.length === 1 ? { vals: c.vals, mask: 0 } : { vals: expand(c.vals, padded[i], outShape, n), mask: -1 })), starts: null };
  }
  const count = n / chunk;
  const outer = outShape.slice(0, d0);
  const sources: Source[] = [];
  const starts: (Int32Array | null)[] = [];
  padded.forEach((s, i) => {
    const full = s.slice(d0).every((v, k) => v === outShape[d0 + k]);
    const per = full ? chunk : 1;
    const map = broadcastIndex(s.slice(0, d0), outer);
    const st = new Int32Array(count);
    for (let c = 0; c < count; c++) st[c] = (map ? map[c] : c) * per;
    sources.push({ vals: cs[i].vals, mask: full ? -1 : 0 });
    starts.push(st);
  });
  return { chunk, count, sources, starts };
}

/** Calls `body` on each chunk of the walk with that chunk's sources (the three-input form; unused ones read 0). */
function eachChunk(w: Walk, body: (from: number, len: number, s: Source[]) => void): void {
  if (w.starts === null) {
    body(0, w.chunk * w.count, w.sources);
    return;
  }
  const { chunk, starts } = w;
  for (let c = 0; c < w.count; c++) {
    body(c * chunk, chunk, w.sources.map((src, i) => {
      const at = starts[i]![c];
      return { vals: src.vals.subarray(at, at + (src.mask === -1 ? chunk : 1)), mask: src.mask };
    }));
  }
}

/** `vals` (shape `inShape`) broadcast to `outShape`, contiguous, as float64. */
function expand(vals: NumberArray, inShape: readonly number[], outShape: readonly number[], n: number): Float64Array {
  const out = new Float64Array(n);
  const nd = outShape.length;
  const s = [...new Array<number>(nd - inShape.length).fill(1), ...inShape];
  // leading dims of size 1, then the output's own trailing dims: a row repeated
  let lead = 0;
  while (lead < nd && s[lead] === 1) lead++;
  let tail = true;
  for (let d = lead; d < nd; d++) if (s[d] !== outShape[d]) tail = false;
  if (tail) {
    const m = vals.length;
    for (let r = 0; r < n; r += m) for (let j = 0; j < m; j++) out[r + j] = vals[j];
    return out;
  }
  // the output's leading dims, then trailing dims of size 1: each value repeated `inner` times
  let end = nd;
  while (end > 0 && s[end - 1] === 1) end--;
  let head = true;
  for (let d = 0; d < end; d++) if (s[d] !== outShape[d]) head = false;
  if (head) {
    const inner = n / vals.length;
    for (let i = 0, k = 0; i < vals.length; i++) {
      const v = vals[i];
      for (let j = 0; j < inner; j++) out[k++] = v;
    }
    return out;
  }
  const map = broadcastIndex(inShape, outShape)!;
  for (let k = 0; k < n; k++) out[k] = vals[map[k]];
  return out;
}

type Out = Float32Array | Float64Array | Int32Array;

/**
 * A specialised forward loop of one op: `out[k] = f(a[k & ma], b[k & mb], c[k & mc])` written out
 * with the op's own arithmetic, so that no closure is called per element.
 */
export type ForwardLoop = (out: Out, n: number, a: NumberArray, ma: number, b: NumberArray, mb: number, c: NumberArray, mc: number) => void;
/** A specialised backward loop for one input: `gi[k] = d(a, b, c, y[k], g[k])`. */
export type BackwardLoop = (
  gi: Float32Array | Float64Array, n: number, g: NumberArray,
  a: NumberArray, ma: number, b: NumberArray, mb: number, c: NumberArray, mc: number, y: NumberArray,
) => void;

/** Optional specialised loops of an op: the forward, and per input its backward (or 'g' when it is g itself). */
export interface Loops {
  forward?: ForwardLoop;
  backward?: readonly (BackwardLoop | 'g' | null)[];
}

const NONE: NumberArray = new Float64Array(1);
const NO_SOURCE: Source = { vals: NONE, mask: 0 };

function evaluate(sources: readonly Source[], n: number, f: Fn, out: Out, loops: Loops | undefined): void {
  const [sa, sb = NO_SOURCE, sc = NO_SOURCE] = sources;
  if (loops?.forward) {
    loops.forward(out, n, sa.vals, sa.mask, sb.vals, sb.mask, sc.vals, sc.mask);
    return;
  }
  const va = sa.vals;
  const ma = sa.mask;
  if (sources.length === 1) {
    for (let k = 0; k < n; k++) out[k] = f(va[k & ma], 0, 0);
    return;
  }
  const vb = sb.vals;
  const mb = sb.mask;
  if (sources.length === 2) {
    for (let k = 0; k < n; k++) out[k] = f(va[k & ma], vb[k & mb], 0);
    return;
  }
  const vc = sc.vals;
  const mc = sc.mask;
  for (let k = 0; k < n; k++) out[k] = f(va[k & ma], vb[k & mb], vc[k & mc]);
}

/** Writes values computed as doubles into storage of `dtype` (bool: != 0, including NaN; int64 via BigInt). */
function store(dtype: DType, n: number, fill: (out: Float32Array | Float64Array | Int32Array, direct: boolean) => void) {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'int32') {
    const out = allocate(dtype, n) as Float32Array | Float64Array | Int32Array;
    fill(out, true);
    return out;
  }
  const tmp = new Float64Array(n);
  fill(tmp, false);
  const out = allocate(dtype, n);
  if (out instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = Number.isFinite(tmp[i]) ? BigInt(Math.trunc(tmp[i])) : 0n;
  else for (let i = 0; i < n; i++) (out as Uint8Array)[i] = tmp[i] !== 0 ? 1 : 0;
  return out;
}

/**
 * Applies `f` elementwise to broadcast `inputs` and records, for each input `i` with a derivative
 * `derivs[i]`, the backward rule `grad_i = derivs[i](a, b, c, y, g)` (summed over broadcast dims by
 * the engine). Computes in float64 and rounds once into `outDtype`. `loops` may give specialised
 * loops computing exactly the same as `f` and `derivs` (the common ops do; see {@link Loops}).
 */
export function pointwise(
  name: string,
  inputs: readonly Tensor[],
  outDtype: DType,
  f: Fn,
  derivs: readonly (Deriv | null)[] = [],
  saves = true,
  loops?: Loops,
): Tensor {
  const outShape = inputs.length === 1 ? [...inputs[0].shape] : broadcastShapes(...inputs.map((t) => t.shape));
  const n = numelOf(outShape);
  const walk = walkOf(inputs, outShape, n);
  // a specialised forward stores straight into the output's own storage (float32 rounding on store)
  const data = store(outDtype, n, (out, direct) => {
    const lp = direct ? loops : undefined;
    if (walk.starts === null) evaluate(walk.sources, n, f, out, lp);
    else eachChunk(walk, (from, len, src) => evaluate(src, len, f, out.subarray(from, from + len), lp));
  });
  const out = new Tensor(data, outShape);
  if (!isFloating(outDtype) || !derivs.some((d, i) => d && inputs[i].requiresGrad)) return out;
  const y = data as NumberArray;
  return record(out, name, inputs, (g) => {
    const gv = asNumbers(g.data);
    return inputs.map((t, i) => {
      const d = derivs[i];
      if (!d || !t.requiresGrad) return null;
      const fast = loops?.backward?.[i];
      // the gradient itself: the engine copies it where it must (a leaf's .grad, another shape)
      if (fast === 'g' && g.numel === n) return g;
      const gi = allocate(g.dtype, n) as Float32Array | Float64Array;
      eachChunk(walk, (from, len, [sa, sb = NO_SOURCE, sc = NO_SOURCE]) => {
        const to = from + len;
        const [gc, vc, yc] = walk.starts === null ? [gi, gv, y] : [gi.subarray(from, to), gv.subarray(from, to), y.subarray(from, to)];
        if (fast && fast !== 'g') fast(gc, len, vc, sa.vals, sa.mask, sb.vals, sb.mask, sc.vals, sc.mask, yc);
        else backwardLoop(d, gc, len, vc, sa, sb, sc, yc);
      });
      return owned(new Tensor(gi, outShape));
    });
  }, saves);
}

function backwardLoop(d: Deriv, gi: Float32Array | Float64Array, n: number, gv: NumberArray, sa: Source, sb: Source, sc: Source, y: NumberArray): void {
  const va = sa.vals;
  const ma = sa.mask;
  const vb = sb.vals;
  const mb = sb.mask;
  const vc = sc.vals;
  const mc = sc.mask;
  for (let k = 0; k < n; k++) gi[k] = d(va[k & ma], vb[k & mb], vc[k & mc], y[k], gv[k]);
}

/** A differentiable elementwise op's dtype: the promoted one, made floating when `float` says so. */
function floatDtype(...ts: Tensor[]): DType {
  const d = promoted(...ts);
  return isFloating(d) ? d : 'float32';
}

function unaryFloat(name: string, x: TensorLike, f: (a: number) => number, d: Deriv | null, loops?: Loops): Tensor {
  const t = toTensor(x);
  return pointwise(name, [t], floatDtype(t), f, [d], true, loops);
}

// ---- specialised loops (each computes exactly what its op's scalar f / derivative does) ------

const ADD: Loops = {
  forward: (o, n, a, ma, b, mb) => { for (let k = 0; k < n; k++) o[k] = a[k & ma] + b[k & mb]; },
  backward: ['g', 'g'],
};
const SUB: Loops = {
  forward: (o, n, a, ma, b, mb) => { for (let k = 0; k < n; k++) o[k] = a[k & ma] - b[k & mb]; },
  backward: ['g', (gi, n, g) => { for (let k = 0; k < n; k++) gi[k] = -g[k]; }],
};
const MUL: Loops = {
  forward: (o, n, a, ma, b, mb) => { for (let k = 0; k < n; k++) o[k] = a[k & ma] * b[k & mb]; },
  backward: [
    (gi, n, g, _a, _ma, b, mb) => { for (let k = 0; k < n; k++) gi[k] = g[k] * b[k & mb]; },
    (gi, n, g, a, ma) => { for (let k = 0; k < n; k++) gi[k] = g[k] * a[k & ma]; },
  ],
};
const DIV: Loops = {
  forward: (o, n, a, ma, b, mb) => { for (let k = 0; k < n; k++) o[k] = a[k & ma] / b[k & mb]; },
  backward: [
    (gi, n, g, _a, _ma, b, mb) => { for (let k = 0; k < n; k++) gi[k] = g[k] / b[k & mb]; },
    (gi, n, g, a, ma, b, mb) => {
      for (let k = 0; k < n; k++) {
        const q = b[k & mb];
        gi[k] = (-g[k] * a[k & ma]) / (q * q);
      }
    },
  ],
};
const NEG: Loops = {
  forward: (o, n, a, ma) => { for (let k = 0; k < n; k++) o[k] = -a[k & ma]; },
  backward: [(gi, n, g) => { for (let k = 0; k < n; k++) gi[k] = -g[k]; }],
};
const SQUARE: Loops = {
  forward: (o, n, a, ma) => { for (let k = 0; k < n; k++) { const p = a[k & ma]; o[k] = p * p; } },
  backward: [(gi, n, g, a, ma) => { for (let k = 0; k < n; k++) gi[k] = 2 * a[k & ma] * g[k]; }],
};
const EXP: Loops = {
  forward: (o, n, a, ma) => { for (let k = 0; k < n; k++) o[k] = Math.exp(a[k & ma]); },
  backward: [(gi, n, g, _a, _ma, _b, _mb, _c, _mc, y) => { for (let k = 0; k < n; k++) gi[k] = g[k] * y[k]; }],
};
const LOG: Loops = {
  forward: (o, n, a, ma) => { for (let k = 0; k < n; k++) o[k] = Math.log(a[k & ma]); },
  backward: [(gi, n, g, a, ma) => { for (let k = 0; k < n; k++) gi[k] = g[k] / a[k & ma]; }],
};
const SQRT: Loops = {
  forward: (o, n, a, ma) => { for (let k = 0; k < n; k++) o[k] = Math.sqrt(a[k & ma]); },
  backward: [(gi, n, g, _a, _ma, _b, _mb, _c, _mc, y) => { for (let k = 0; k < n; k++) gi[k] = g[k] / (2 * y[k]); }],
};
const ABS: Loops = {
  forward: (o, n, a, ma) => { for (let k = 0; k < n; k++) o[k] = Math.abs(a[k & ma]); },
  backward: [(gi, n, g, a, ma) => { for (let k = 0; k < n; k++) { const p = a[k & ma]; gi[k] = g[k] * (p > 0 ? 1 : p < 0 ? -1 : 0); } }],
};
const COPY: Loops = {
  forward: (o, n, a, ma) => { for (let k = 0; k < n; k++) o[k] = a[k & ma]; },
  backward: ['g'],
};
const LOG_SIGMOID: Loops = {
  forward: (o, n, a, ma) => {
    for (let k = 0; k < n; k++) {
      const p = a[k & ma];
      o[k] = Math.min(p, 0) - Math.log1p(Math.exp(-Math.abs(p)));
    }
  },
  backward: [
    (gi, n, g, a, ma) => {
      for (let k = 0; k < n; k++) {
        const q = -a[k & ma];
        const e = Math.exp(-Math.abs(q));
        gi[k] = g[k] * (q >= 0 ? 1 / (1 + e) : e / (1 + e));
      }
    },
  ],
};

// ---- arithmetic ------------------------------------------------------------------------------

/** `a + b` elementwise with broadcasting, in the promoted dtype (`torch.add`). Either may be a number or nested arrays. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  return pointwise('AddBackward', [x, y], promoted(x, y), (p, q) => p + q, [(_a, _b, _c, _y, g) => g, (_a, _b, _c, _y, g) => g], false, ADD);
}

/**
 * `a - b` elementwise with broadcasting, in the promoted dtype (`torch.sub`).
 * @throws RuntimeError for two bool tensors, with PyTorch's message.
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  check(
    x.dtype !== 'bool' || y.dtype !== 'bool',
    RuntimeError,
    () => 'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
  );
  return pointwise('SubBackward', [x, y], promoted(x, y), (p, q) => p - q, [(_a, _b, _c, _y, g) => g, (_a, _b, _c, _y, g) => -g], false, SUB);
}

/** `a * b` elementwise with broadcasting, in the promoted dtype (`torch.mul`). */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  return pointwise('MulBackward', [x, y], promoted(x, y), (p, q) => p * q, [(_a, q, _c, _y, g) => g * q, (p, _b, _c, _y, g) => g * p], true, MUL);
}

/** True division: integer inputs give float32, as in PyTorch. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  return pointwise('DivBackward', [x, y], floatDtype(x, y), (p, q) => p / q, [
    (_a, q, _c, _y, g) => g / q,
    (p, q, _c, _y, g) => (-g * p) / (q * q),
  ], true, DIV);
}

/**
 * `-a` elementwise, keeping the dtype (`torch.neg`).
 * @throws RuntimeError for a bool tensor, as PyTorch.
 */
export function neg(a: TensorLike): Tensor {
  const x = toTensor(a);
  check(x.dtype !== 'bool', RuntimeError, () => 'Negation, the `-` operator, on a bool tensor is not supported.');
  return pointwise('NegBackward', [x], x.dtype, (p) => -p, [(_a, _b, _c, _y, g) => -g], false, NEG);
}

/** `a ** exponent`; a tensor exponent is differentiable too. */
export function pow(a: TensorLike, exponent: TensorLike): Tensor {
  const [x, e] = [toTensor(a), toTensor(exponent)];
  return pointwise('PowBackward', [x, e], promoted(x, e), (p, q) => Math.pow(p, q), [
    (p, q, _c, _y, g) => (q === 0 ? 0 : g * q * Math.pow(p, q - 1)),
    // PyTorch masks 0 ** q (q >= 0) to a zero gradient instead of 0 * log(0)
    (p, q, _c, y, g) => (p === 0 && q >= 0 ? 0 : g * y * Math.log(p)),
  ]);
}

/** `a * a` elementwise, keeping the dtype (bool gives int64), as `torch.square`. */
export function square(a: TensorLike): Tensor {
  const x = toTensor(a);
  return pointwise('PowBackward', [x], x.dtype === 'bool' ? 'int64' : x.dtype, (p) => p * p, [(p, _b, _c, _y, g) => 2 * p * g], true, SQUARE);
}

export function reciprocal(a: TensorLike): Tensor {
  return unaryFloat('ReciprocalBackward', a, (p) => 1 / p, (_a, _b, _c, y, g) => -g * y * y);
}

/** `e^a` elementwise (`torch.exp`); integer inputs give float32. */
export function exp(a: TensorLike): Tensor {
  return unaryFloat('ExpBackward', a, Math.exp, (_a, _b, _c, y, g) => g * y, EXP);
}

/** The natural logarithm elementwise (`torch.log`): `-inf` at 0, NaN below; integer inputs give float32. */
export function log(a: TensorLike): Tensor {
  return unaryFloat('LogBackward', a, Math.log, (p, _b, _c, _y, g) => g / p, LOG);
}

/** `log(1 + a)` elementwise, accurate near 0 (`torch.log1p`); integer inputs give float32. */
export function log1p(a: TensorLike): Tensor {
  return unaryFloat('Log1pBackward', a, Math.log1p, (p, _b, _c, _y, g) => g / (1 + p));
}

/** `exp(a) - 1` elementwise, accurate near 0 (`torch.expm1`); integer inputs give float32. */
export function expm1(a: TensorLike): Tensor {
  return unaryFloat('Expm1Backward', a, Math.expm1, (_a, _b, _c, y, g) => g * (y + 1));
}

/** The square root elementwise (`torch.sqrt`): NaN below 0; integer inputs give float32. */
export function sqrt(a: TensorLike): Tensor {
  return unaryFloat('SqrtBackward', a, Math.sqrt, (_a, _b, _c, y, g) => g / (2 * y), SQRT);
}

/** sign with sign(NaN) = 0, as PyTorch's CPU kernel (so |x|' at NaN is 0, not NaN). */
export const sgn = (p: number): number => (p > 0 ? 1 : p < 0 ? -1 : 0);

/** `|a|` elementwise, keeping the dtype (`torch.abs`); the gradient is `sign(a)`, 0 at 0. */
export function abs(a: TensorLike): Tensor {
  const x = toTensor(a);
  return pointwise('AbsBackward', [x], x.dtype, Math.abs, [(p, _b, _c, _y, g) => g * sgn(p)], true, ABS);
}

/** -1, 0 or 1 elementwise, keeping the dtype (`torch.sign`; 0 for NaN, as PyTorch's CPU kernel); its gradient is 0. */
export function sign(a: TensorLike): Tensor {
  const x = toTensor(a);
  return pointwise('SignBackward', [x], x.dtype, sgn, [(_a, _b, _c, _y, g) => 0 * g]);
}

/** Clamps into [min, max] (either may be null); NaN stays NaN; the gradient passes where min <= x <= max. */
export function clamp(a: TensorLike, min?: number | null, max?: number | null): Tensor {
  const x = toTensor(a);
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  check(min != null || max != null, RuntimeError, () => "At least one of 'min' or 'max' must not be None");
  const dtype = promoted(x, ...[min, max].filter((v): v is number => v != null).map((v) => toTensor(v)));
  return pointwise(
    'ClampBackward',
    [x],
    dtype,
    (p) => (Number.isNaN(p) ? p : Math.min(Math.max(p, lo), hi)),
    [(p, _b, _c, _y, g) => (p >= lo && p <= hi ? g : 0)],
  );
}

const half = (p: number, q: number, g: number, pick: boolean): number => (p === q ? g / 2 : pick ? g : 0);

/** Elementwise maximum, NaN-propagating; ties split the gradient in half (as PyTorch). */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  return pointwise('MaximumBackward', [x, y], promoted(x, y), (p, q) => (p !== p || q !== q ? NaN : Math.max(p, q)), [
    (p, q, _c, _y, g) => half(p, q, g, p > q),
    (p, q, _c, _y, g) => half(p, q, g, q > p),
  ]);
}

/** The elementwise minimum with broadcasting, NaN-propagating (`torch.minimum`); ties split the gradient in half, as PyTorch. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  return pointwise('MinimumBackward', [x, y], promoted(x, y), (p, q) => (p !== p || q !== q ? NaN : Math.min(p, q)), [
    (p, q, _c, _y, g) => half(p, q, g, p < q),
    (p, q, _c, _y, g) => half(p, q, g, q < p),
  ]);
}

// ---- activations -----------------------------------------------------------------------------

// Both take e = exp(-|p|) (exp(-p) for p >= 0, exp(p) below), so a caller that needs both, such
// as BCE with logits, computes the exponential once and gets the same numbers.
/** sigmoid(p) given e = exp(-|p|), without overflow. */
export const sigmoidOfExp = (p: number, e: number): number => (p >= 0 ? 1 / (1 + e) : e / (1 + e));
/** log(sigmoid(p)) given e = exp(-|p|), without overflow: min(p, 0) - log1p(e). */
export const logSigmoidOfExp = (p: number, e: number): number => Math.min(p, 0) - Math.log1p(e);
export const sigmoidOf = (p: number): number => sigmoidOfExp(p, Math.exp(-Math.abs(p)));
export const logSigmoidOf = (p: number): number => logSigmoidOfExp(p, Math.exp(-Math.abs(p)));

/** `1 / (1 + exp(-a))` elementwise, without overflow (`torch.sigmoid`); integer inputs give float32. */
export function sigmoid(a: TensorLike): Tensor {
  const h = inFloat32(sigmoid, [a]);
  if (h !== undefined) return h;
  return unaryFloat('SigmoidBackward', a, sigmoidOf, (_a, _b, _c, y, g) => g * y * (1 - y));
}

/** `log(sigmoid(a))` elementwise, computed without overflow (`F.logsigmoid`); integer inputs give float32. */
export function logSigmoid(a: TensorLike): Tensor {
  const h = inFloat32(logSigmoid, [a]);
  if (h !== undefined) return h;
  return unaryFloat('LogSigmoidBackward', a, logSigmoidOf, (p, _b, _c, _y, g) => g * sigmoidOf(-p), LOG_SIGMOID);
}

/** log(1 + exp(beta x)) / beta, linear above `threshold` (PyTorch's defaults: beta 1, threshold 20). */
export function softplus(a: TensorLike, beta = 1, threshold = 20): Tensor {
  const h = inFloat32(softplus, [a, beta, threshold]);
  if (h !== undefined) return h;
  return unaryFloat(
    'SoftplusBackward',
    a,
    (p) => (p * beta > threshold ? p : Math.log1p(Math.exp(p * beta)) / beta),
    (p, _b, _c, _y, g) => (p * beta > threshold ? g : g * sigmoidOf(p * beta)),
  );
}

/** The hyperbolic tangent elementwise (`torch.tanh`); integer inputs give float32. */
export function tanh(a: TensorLike): Tensor {
  const h = inFloat32(tanh, [a]);
  if (h !== undefined) return h;
  return unaryFloat('TanhBackward', a, Math.tanh, (_a, _b, _c, y, g) => g * (1 - y * y));
}

/** `max(0, a)` elementwise, keeping the dtype, NaN staying NaN (`torch.relu`); the gradient is 0 at 0. */
export function relu(a: TensorLike): Tensor {
  const h = inFloat32(relu, [a]);
  if (h !== undefined) return h;
  const x = toTensor(a);
  return pointwise('ReluBackward', [x], x.dtype, (p) => (p > 0 ? p : p !== p ? p : 0), [(p, _b, _c, _y, g) => (p > 0 ? g : 0)]);
}

// ---- comparisons and selection ---------------------------------------------------------------

function compare(name: string, a: TensorLike, b: TensorLike, f: (p: number, q: number) => boolean): Tensor {
  const [x, y] = [toTensor(a), toTensor(b)];
  return pointwise(name, [x, y], 'bool', (p, q) => (f(p, q) ? 1 : 0));
}

export const eq = (a: TensorLike, b: TensorLike): Tensor => compare('eq', a, b, (p, q) => p === q);
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare('ne', a, b, (p, q) => p !== q);
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare('lt', a, b, (p, q) => p < q);
export const le = (a: TensorLike, b: TensorLike): Tensor => compare('le', a, b, (p, q) => p <= q);
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare('gt', a, b, (p, q) => p > q);
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare('ge', a, b, (p, q) => p >= q);

export function isnan(a: TensorLike): Tensor {
  return pointwise('isnan', [toTensor(a)], 'bool', (p) => (p !== p ? 1 : 0));
}

export function logicalNot(a: TensorLike): Tensor {
  return pointwise('logicalNot', [toTensor(a)], 'bool', (p) => (p === 0 ? 1 : 0));
}

/** `condition ? a : b` elementwise with broadcasting; the gradient goes only to the chosen side. */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const h = inFloat32(where, [condition, a, b]);
  if (h !== undefined) return h;
  const [c, x, y] = [toTensor(condition), toTensor(a), toTensor(b)];
  check(c.dtype === 'bool', RuntimeError, () => `where expected condition to be a boolean tensor, but got a tensor with dtype ${c.dtype}`);
  return pointwise('WhereBackward', [c, x, y], promoted(x, y), (k, p, q) => (k !== 0 ? p : q), [
    null,
    (k, _p, _q, _y, g) => (k !== 0 ? g : 0),
    (k, _p, _q, _y, g) => (k !== 0 ? 0 : g),
  ]);
}

// ---- copies --------------------------------------------------------------------------------

export function identityCopy(x: Tensor): Tensor {
  return pointwise('CloneBackward', [x], x.dtype, (p) => p, [(_a, _b, _c, _y, g) => g], true, COPY);
}
