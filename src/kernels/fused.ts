/**
 * The hooks the loss files call: when a fused kernel applies, compute value and gradient in one
 * pass and register ONE autograd node whose backward only scales the precomputed gradient by the
 * incoming gradient; otherwise return null and the loss takes its composed path.
 *
 * The loss files validate before calling in (shapes, dtypes, ranges, options); these functions
 * only decide whether the fast path covers the case, and never throw for user errors.
 */
import { isGradEnabled, owned, record } from '../autograd/graph.js';
import { type NumberArray } from '../tensor/dtype.js';
import { numelOf, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { activeBackend, fusedOn } from './index.js';
import type { ClassProblem, ElementwiseKind, ElementwiseProblem, FloatArray, KernelResult } from './types.js';

type Reduction = string; // 'none' | 'mean' | 'sum' | 'batchmean'

/** Whether typed arrays store the low half of an int64 first (everywhere losskit runs, in practice). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Whether t holds float32 or float64 data, the dtypes the fused kernels take. */
export const isFloatData = (t: Tensor): boolean => t.dtype === 'float32' || t.dtype === 'float64';

/** The reduction's seed as the composed backward has it: mean's 1/n in the gradient's dtype, else 1. */
export function reductionSeed(reduction: string, n: number, f32: boolean): number {
  if (reduction !== 'mean') return 1;
  return f32 ? Math.fround(1 / n) : 1 / n;
}

/** A weight that repeats along the flat input: its shape equals the input's trailing dims. */
function periodicWeight(w: Tensor | null | undefined, x: Tensor): FloatArray | null | false {
  if (!w) return null;
  if (w.dtype !== x.dtype || w.requiresGrad) return false;
  if (w.ndim > x.ndim) return false; // the result would take the weight's extra dims
  const s = [...w.shape];
  while (s.length > 0 && s[0] === 1) s.shift();
  const tail = x.shape.slice(x.ndim - s.length);
  if (!sameShape(s, tail) || w.numel === 0) return false;
  return w.data as FloatArray;
}

/** The 0-dim result of a reduced loss, in x's dtype. */
function scalarOf(v: number, like: FloatArray): Tensor {
  return new Tensor(like instanceof Float32Array ? Float32Array.of(v) : Float64Array.of(v), []);
}

/**
 * The gradient for x from the kernel's precomputed one and the incoming gradient g: a scalar
 * (reduced) or per element / per row ('none'). Without `retain` this is the last use of `base`, so
 * it is scaled in place and handed over (a new array nothing else holds); with it, a new array.
 */
function scaledGrad(base: FloatArray, g: Tensor, shape: readonly number[], retain: boolean, rows?: { C: number; inner: number }): Tensor {
  const gv = g.data as NumberArray;
  const out = retain ? base.slice() : base;
  if (g.ndim === 0) {
    const s = gv[0];
    if (s !== 1) for (let i = 0; i < out.length; i++) out[i] *= s;
  } else if (rows) {
    // per-row losses: element (o, c, i) of the gradient takes g[o, i]
    scaleRows(out, gv, rows.C, rows.inner);
  } else for (let i = 0; i < out.length; i++) out[i] *= gv[i];
  return owned(new Tensor(out, shape));
}

/** out[(o, c, i)] *= g[o, i], walking (o, c, i) in order with no division per element (NLL 'none' [16384, 1000], value+grad: 83 -> 42 ms). */
function scaleRows(out: FloatArray, gv: NumberArray, C: number, inner: number): void {
  const outer = out.length / (C * inner);
  if (inner === 1) {
    for (let o = 0, k = 0; o < outer; o++) {
      const s = gv[o];
      for (let c = 0; c < C; c++, k++) out[k] *= s;
    }
    return;
  }
  for (let o = 0, k = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i < inner; i++, k++) out[k] *= gv[o * inner + i];
    }
  }
}

function negated(t: Tensor): Tensor {
  const v = t.data as FloatArray;
  const out = v instanceof Float32Array ? new Float32Array(v.length) : new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = -v[i];
  return owned(new Tensor(out, t.shape));
}

/** Whether a fused call needs the gradient: grad mode on and some input requiring it. */
function wantsGrad(...ts: (Tensor | null)[]): boolean {
  return isGradEnabled() && ts.some((t) => t?.requiresGrad);
}

export interface ElementwiseOptions {
  param?: number;
  weight?: Tensor | null;
  posWeight?: Tensor | null;
  /** 'batchmean' divides by this (KL divergence). */
  batch?: number | null;
  /** Called with the kernel's sum before anything is returned: a loss's validation that the sum can spare (it throws). */
  checkSum?: (sum: number) => void;
}

const REGRESSION: ReadonlySet<ElementwiseKind> = new Set(['mse', 'l1', 'smoothL1', 'huber']);

/**
 * Fused elementwise loss of x against y (same shape and float dtype). The gradient with respect
 * to y is computed too for the regression losses (it is minus the input's); the others return
 * null when y requires grad.
 */
export function fusedElementwise(name: string, kind: ElementwiseKind, x: Tensor, y: Tensor, reduction: Reduction, opts: ElementwiseOptions = {}): Tensor | null {
  if (!fusedOn() || !isFloatData(x) || y.dtype !== x.dtype || !sameShape(x.shape, y.shape)) return null;
  if (y.requiresGrad && !REGRESSION.has(kind)) return null;
  if (!['none', 'mean', 'sum', 'batchmean'].includes(reduction)) return null;
  const weight = periodicWeight(opts.weight, x);
  const posWeight = periodicWeight(opts.posWeight, x);
  if (weight === false || posWeight === false) return null;
  const n = x.numel;
  const denom = reduction === 'mean' ? n : reduction === 'batchmean' ? (opts.batch ?? 1) : 1;
  const p: ElementwiseProblem = {
    kind,
    x: x.data as FloatArray,
    y: y.data as FloatArray,
    weight,
    posWeight,
    param: opts.param ?? 0,
    scale: 1 / denom,
    wantLoss: reduction === 'none',
    wantGrad: wantsGrad(x, y),
  };
  const r = activeBackend().elementwise(p);
  opts.checkSum?.(r.sum);
  const out = reduction === 'none' ? new Tensor(r.loss!, x.shape) : scalarOf(reduction === 'sum' || (reduction === 'batchmean' && opts.batch == null) ? r.sum : r.sum / denom, p.x);
  return attach(out, name, x, y, r, x.shape);
}

/**
 * Records the fused loss as one autograd node that saves the kernel's gradient (an array only the
 * node reaches) and hands it over on backward; a backward without retainGraph releases it.
 */
export function attach(out: Tensor, name: string, x: Tensor, y: Tensor | null, r: KernelResult, shape: readonly number[], rows?: { C: number; inner: number }): Tensor {
  if (!r.grad) return out;
  let base: FloatArray | null = r.grad;
  const inputs = y ? [x, y] : [x];
  return record(out, name, inputs, (g, retain) => {
    const gx = scaledGrad(base!, g, shape, retain, rows);
    if (!retain) base = null;
    return y && y.requiresGrad ? [x.requiresGrad ? gx : null, negated(gx)] : [gx, null];
  });
}

export interface ClassOptions {
  weight?: Tensor | null;
  ignoreIndex: number;
  eps?: number;
}

function layout(x: Tensor): { outer: number; C: number; inner: number } {
  if (x.ndim === 1) return { outer: 1, C: x.shape[0], inner: 1 };
  return { outer: x.shape[0], C: x.shape[1], inner: numelOf(x.shape.slice(2)) };
}

/**
 * Fused cross entropy (logits) or NLL (log-probabilities) with int64 class-index targets of the
 * validated shape. Returns null (composed path, which raises the errors) for anything unusual:
 * a target out of range, a weight of the wrong size or dtype.
 */
export function fusedClassIndices(name: string, mode: 'ce' | 'nll', x: Tensor, y: Tensor, reduction: Reduction, opts: ClassOptions): Tensor | null {
  if (!fusedOn() || !isFloatData(x) || y.dtype !== 'int64' || x.ndim < 1) return null;
  if (!['none', 'mean', 'sum'].includes(reduction)) return null;
  const want = x.ndim === 1 ? [] : [x.shape[0], ...x.shape.slice(2)];
  if (!sameShape(y.shape, want)) return null;
  const { outer, C, inner } = layout(x);
  const w = opts.weight;
  if (w && (w.dtype !== x.dtype || w.ndim !== 1 || w.numel !== C || w.requiresGrad)) return null;
  const wv = w ? (w.data as FloatArray) : null;
  const tv = y.data as BigInt64Array;
  const rows = tv.length;
  const target = new Int32Array(rows);
  const ignore = BigInt(opts.ignoreIndex);
  // an ignore_index beyond int32 is passed as a sentinel no class can equal
  const ignoreIndex = opts.ignoreIndex >= -(2 ** 31) && opts.ignoreIndex < 2 ** 31 ? opts.ignoreIndex : -(2 ** 31);
  let weightSum = 0;
  if (LITTLE_ENDIAN && ignoreIndex === opts.ignoreIndex) {
    // int64 read as two int32 halves: BigInt loads and compares cost 0.25-0.45 ms for 4096 rows,
    // a tenth of cross entropy [4096, 1000] on two threads, this loop 0.01 ms
    const halves = new Int32Array(tv.buffer, tv.byteOffset, rows * 2);
    for (let r = 0; r < rows; r++) {
      const lo = halves[2 * r];
      const c = halves[2 * r + 1] === lo >> 31 ? lo : NaN; // beyond int32: neither ignored nor a class
      if (c === ignoreIndex) {
        target[r] = ignoreIndex;
        continue;
      }
      if (!(c >= 0 && c < C)) return null; // out of range: the composed path raises
      target[r] = c;
      weightSum += wv ? wv[c] : 1;
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const t = tv[r];
      if (t === ignore) {
        target[r] = ignoreIndex;
        continue;
      }
      if (t < 0n || t >= BigInt(C)) return null; // out of range: the composed path raises
      const c = Number(t);
      target[r] = c;
      weightSum += wv ? wv[c] : 1;
    }
  }
  const p: ClassProblem = {
    mode,
    x: x.data as FloatArray,
    outer,
    C,
    inner,
    target,
    probs: null,
    weight: wv,
    ignoreIndex,
    eps: mode === 'ce' ? (opts.eps ?? 0) : 0,
    scale: reduction === 'mean' ? 1 / weightSum : 1,
    wantLoss: reduction === 'none',
    wantGrad: wantsGrad(x),
  };
  const r = activeBackend().classes(p);
  const out = reduction === 'none' ? new Tensor(r.loss!, y.shape) : scalarOf(reduction === 'sum' ? r.sum : r.sum / weightSum, p.x);
  return attach(out, name, x, null, r, x.shape, { C, inner });
}

/** Fused cross entropy with probability targets shaped like x (the target must not require grad). */
export function fusedClassProbabilities(name: string, x: Tensor, y: Tensor, reduction: Reduction, opts: { weight?: Tensor | null; eps?: number }): Tensor | null {
  if (!fusedOn() || !isFloatData(x) || y.dtype !== x.dtype || y.requiresGrad || x.ndim < 1 || !sameShape(x.shape, y.shape)) return null;
  if (!['none', 'mean', 'sum'].includes(reduction)) return null;
  const { outer, C, inner } = layout(x);
  const w = opts.weight;
  if (w && (w.dtype !== x.dtype || w.ndim !== 1 || w.numel !== C || w.requiresGrad)) return null;
  const rows = outer * inner;
  const p: ClassProblem = {
    mode: 'ce',
    x: x.data as FloatArray,
    outer,
    C,
    inner,
    target: null,
    probs: y.data as FloatArray,
    weight: w ? (w.data as FloatArray) : null,
    ignoreIndex: -100,
    eps: opts.eps ?? 0,
    scale: reduction === 'mean' ? 1 / rows : 1,
    wantLoss: reduction === 'none',
    wantGrad: wantsGrad(x),
  };
  const r = activeBackend().classes(p);
  const shape = x.ndim === 1 ? [] : [x.shape[0], ...x.shape.slice(2)];
  const out = reduction === 'none' ? new Tensor(r.loss!, shape) : scalarOf(reduction === 'sum' ? r.sum : r.sum / rows, p.x);
  return attach(out, name, x, null, r, x.shape, { C, inner });
}
