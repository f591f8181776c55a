/**
 * Fused value and gradient of multiMarginLoss and multilabelMarginLoss: one pass over each row
 * computes its loss with the composed path's roundings and its gradient at the reduction's seed,
 * and one autograd node hands the gradient over (fused.ts `attach`). For an incoming gradient of
 * 1 both equal the composed path bit for bit; 'none' scales the rows afterwards (one rounding
 * more). On the 'wasm' backend float32 goes to assembly/classes.ts (SIMD, both cores above a
 * threshold; multi margin within float32 tolerance, multilabel margin's gradient from the kernel's
 * hit counts, bit for bit); these loops are the 'ts' backend and float64.
 * Anything unusual (an empty input, a target out of range, a weight of another dtype or shape)
 * returns null and the loss takes its composed path, which raises the errors.
 */
import { isGradEnabled } from '../autograd/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { fresh } from './memory.js';
import { LITTLE_ENDIAN, attach, isFloatData, reductionSeed } from './fused.js';
import { activeBackend, fusedOn } from './index.js';
import { multilabelWasm, multiMarginWasm } from './wasm.js';
import type { FloatArray } from './types.js';

/** int64 class indices as int32, or null when one lies outside [lo, hi) (the composed path raises). */
export function int32Targets(y: Tensor, lo: number, hi: number): Int32Array | null {
  if (y.dtype !== 'int64') return null;
  const tv = y.data as BigInt64Array;
  const n = tv.length;
  const out = new Int32Array(n);
  if (LITTLE_ENDIAN) {
    // the two int32 halves: BigInt loads cost 10-20x more
    const h = new Int32Array(tv.buffer, tv.byteOffset, n * 2);
    for (let i = 0; i < n; i++) {
      const v = h[2 * i];
      if (h[2 * i + 1] !== v >> 31 || v < lo || v >= hi) return null;
      out[i] = v;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = tv[i];
    if (v < BigInt(lo) || v >= BigInt(hi)) return null;
    out[i] = Number(v);
  }
  return out;
}

/** The reduced or unreduced result from the per-row losses (the composed mean/sum: float64 in order). */
function result(rows: FloatArray, reduction: string, shape: number[]): Tensor {
  if (reduction === 'none') return new Tensor(rows, shape);
  let s = 0;
  for (let i = 0; i < rows.length; i++) s += rows[i];
  const v = reduction === 'sum' ? s : s / rows.length;
  return new Tensor(rows instanceof Float32Array ? Float32Array.of(v) : Float64Array.of(v), []);
}

/**
 * multiMarginLoss over a validated (N, C) or (C) input and (N) / () int64 targets, p 1 or 2.
 * Null for the composed path.
 */
export function fusedMultiMargin(x: Tensor, y: Tensor, p: number, margin: number, weight: Tensor | null | undefined, reduction: string): Tensor | null {
  if (!fusedOn() || !isFloatData(x) || (x.ndim !== 1 && x.ndim !== 2) || x.numel === 0) return null;
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') return null;
  const dim = x.shape[x.ndim - 1];
  const nframe = x.numel / dim;
  if (y.numel !== nframe || y.ndim > 1) return null;
  if (weight && (weight.dtype !== x.dtype || weight.numel !== dim || weight.requiresGrad)) return null;
  const target = int32Targets(y, 0, dim);
  if (!target) return null;
  const f32 = x.dtype === 'float32';
  const want = isGradEnabled() && x.requiresGrad;
  const seed = reductionSeed(reduction, nframe, f32);
  const w = weight ? (weight.data as FloatArray) : null;
  const rows = fresh(nframe, f32 ? 4 : 8, true);
  let grad: FloatArray | null = null;
  const fromWasm = f32 && activeBackend().name === 'wasm' ? multiMarginWasm(x.data as Float32Array, target, w as Float32Array | null, dim, p, margin, seed, want, rows as Float32Array) : null;
  if (fromWasm) grad = fromWasm.grad;
  else {
    grad = want ? fresh(x.numel, f32 ? 4 : 8, true) : null;
    if (f32) multiMargin32(x.data as Float32Array, target, w as Float32Array | null, dim, p, margin, seed, rows as Float32Array, grad as Float32Array | null);
    else multiMargin64(x.data as Float64Array, target, w as Float64Array | null, dim, p, margin, seed, rows as Float64Array, grad as Float64Array | null);
  }
  const out = result(rows, reduction, y.ndim > 0 ? [nframe] : []);
  if (!grad) return out;
  return attach(out, 'MultiMarginLossBackward', x, null, { sum: 0, loss: null, grad }, x.shape, reduction === 'none' ? { C: dim, inner: 1 } : undefined);
}

// Two copies of each loop, float32 and float64, so that each is optimised for one array type (and
// Math.fround inlined). The composed path's order: z = (margin - x_t) + x_d rounded at each step,
// the row's sum in the dtype, the weight after the power, the gradient 0 at the kink (z > 0 fails
// for NaN too, so NaN scores are skipped as PyTorch's kernel skips them).

function multiMargin32(v: Float32Array, tg: Int32Array, w: Float32Array | null, dim: number, p: number, margin: number, seed: number, out: Float32Array, g: Float32Array | null): void {
  const fr = Math.fround;
  const nframe = tg.length;
  for (let n = 0, row = 0; n < nframe; n++, row += dim) {
    const t = tg[n];
    const a = fr(margin - v[row + t]);
    const wt = w ? w[t] : 1;
    // the gradient of a term: hs (p 1) or hs z (p 2), hs = (p / dim) w_t seed as the composed (p z / dim) w_t g
    const inv = 1 / dim;
    let s = 0;
    let gt = 0;
    for (let d = 0; d < dim; d++) {
      if (d === t) continue;
      const z = fr(a + v[row + d]);
      if (z > 0) {
        let h = p === 1 ? z : fr(z * z);
        if (w) h = fr(h * wt);
        s = fr(s + h);
        if (g) {
          let gh = p === 1 ? inv : (2 * z) / dim;
          if (w) gh *= wt;
          gt -= gh;
          g[row + d] = gh * seed;
        }
      } else if (g) g[row + d] = 0;
    }
    if (g) g[row + t] = gt * seed;
    out[n] = s / dim;
  }
}

function multiMargin64(v: Float64Array, tg: Int32Array, w: Float64Array | null, dim: number, p: number, margin: number, seed: number, out: Float64Array, g: Float64Array | null): void {
  const nframe = tg.length;
  for (let n = 0, row = 0; n < nframe; n++, row += dim) {
    const t = tg[n];
    const a = margin - v[row + t];
    const wt = w ? w[t] : 1;
    const inv = 1 / dim;
    let s = 0;
    let gt = 0;
    for (let d = 0; d < dim; d++) {
      if (d === t) continue;
      const z = a + v[row + d];
      if (z > 0) {
        let h = p === 1 ? z : z * z;
        if (w) h *= wt;
        s += h;
        if (g) {
          let gh = p === 1 ? inv : (2 * z) / dim;
          if (w) gh *= wt;
          gt -= gh;
          g[row + d] = gh * seed;
        }
      } else if (g) g[row + d] = 0;
    }
    if (g) g[row + t] = gt * seed;
    out[n] = s / dim;
  }
}

/**
 * multilabelMarginLoss over a validated (N, C) or (C) input and int64 targets of its shape
 * (class indices padded with -1). Null for the composed path.
 */
export function fusedMultilabelMargin(x: Tensor, y: Tensor, reduction: string): Tensor | null {
  if (!fusedOn() || !isFloatData(x) || (x.ndim !== 1 && x.ndim !== 2) || x.numel === 0 || y.numel !== x.numel) return null;
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') return null;
  const dim = x.shape[x.ndim - 1];
  const nframe = x.numel / dim;
  const target = int32Targets(y, -1, dim);
  if (!target) return null;
  const f32 = x.dtype === 'float32';
  const want = isGradEnabled() && x.requiresGrad;
  const rows = fresh(nframe, f32 ? 4 : 8, true);
  const grad = want ? fresh(x.numel, f32 ? 4 : 8, true) : null;
  const h = reductionSeed(reduction, nframe, f32) / dim;
  if (f32 && activeBackend().name === 'wasm' && multilabelWasm(x.data as Float32Array, target, dim, rows as Float32Array, grad as Float32Array | null, stepTable(h, true))) {
    // done in WebAssembly
  } else if (f32) multilabel32(x.data as Float32Array, target, dim, h, rows as Float32Array, grad as Float32Array | null);
  else multilabel64(x.data as Float64Array, target, dim, h, rows as Float64Array, grad as Float64Array | null);
  const out = result(rows, reduction, y.ndim > 1 ? [nframe] : []);
  if (!grad) return out;
  return attach(out, 'MultilabelMarginLossBackward', x, null, { sum: 0, loss: null, grad }, x.shape, reduction === 'none' ? { C: dim, inner: 1 } : undefined);
}

// Per row: the targets up to the first -1 (duplicates count twice), then for each of them the hinge
// against every class not among them, z = (1 - x_t) + x_d rounded at each step, summed in float64.
// The composed backward adds -h at the target and +h at d for every active pair, in the dtype: a
// slot's value depends only on how many times it was hit, so the loop counts the hits and a table
// of those repeated sums (`steps`) gives the gradient, bit for bit.

/** steps(k) = h added k times in the dtype (k >= 0), -steps(-k) for k < 0 (rounding is symmetric). */
function stepTable(h: number, f32: boolean): (k: number) => number {
  let tab = new Float64Array(64);
  let filled = 1;
  return (k: number): number => {
    const a = k < 0 ? -k : k;
    if (a >= filled) {
      if (a >= tab.length) {
        const bigger = new Float64Array(Math.max(a + 1, tab.length * 2));
        bigger.set(tab.subarray(0, filled));
        tab = bigger;
      }
      for (; filled <= a; filled++) tab[filled] = f32 ? Math.fround(tab[filled - 1] + h) : tab[filled - 1] + h;
    }
    return k < 0 ? -tab[a] : tab[a];
  };
}

function multilabel32(v: Float32Array, tg: Int32Array, dim: number, h: number, out: Float32Array, g: Float32Array | null): void {
  const fr = Math.fround;
  const nframe = out.length;
  const isT = new Uint8Array(dim);
  const cols = new Int32Array(dim);
  const hits = new Int32Array(dim);
  const steps = stepTable(h, true);
  for (let n = 0, row = 0; n < nframe; n++, row += dim) {
    let len = 0;
    while (len < dim && tg[row + len] >= 0) isT[tg[row + len++]] = 1;
    let m = 0;
    for (let d = 0; d < dim; d++) if (!isT[d]) cols[m++] = d;
    let s = 0;
    for (let j = 0; j < len; j++) {
      const t = tg[row + j];
      const a = fr(1 - v[row + t]);
      let k = 0;
      for (let q = 0; q < m; q++) {
        const d = cols[q];
        const z = fr(a + v[row + d]);
        if (z > 0) {
          s += z;
          hits[d]++;
          k++;
        }
      }
      hits[t] -= k;
    }
    out[n] = s / dim;
    if (g) {
      for (let d = 0; d < dim; d++) {
        g[row + d] = steps(hits[d]);
        hits[d] = 0;
      }
    } else hits.fill(0);
    for (let j = 0; j < len; j++) isT[tg[row + j]] = 0;
  }
}

function multilabel64(v: Float64Array, tg: Int32Array, dim: number, h: number, out: Float64Array, g: Float64Array | null): void {
  const nframe = out.length;
  const isT = new Uint8Array(dim);
  const cols = new Int32Array(dim);
  const hits = new Int32Array(dim);
  const steps = stepTable(h, false);
  for (let n = 0, row = 0; n < nframe; n++, row += dim) {
    let len = 0;
    while (len < dim && tg[row + len] >= 0) isT[tg[row + len++]] = 1;
    let m = 0;
    for (let d = 0; d < dim; d++) if (!isT[d]) cols[m++] = d;
    let s = 0;
    for (let j = 0; j < len; j++) {
      const t = tg[row + j];
      const a = 1 - v[row + t];
      let k = 0;
      for (let q = 0; q < m; q++) {
        const d = cols[q];
        const z = a + v[row + d];
        if (z > 0) {
          s += z;
          hits[d]++;
          k++;
        }
      }
      hits[t] -= k;
    }
    out[n] = s / dim;
    if (g) {
      for (let d = 0; d < dim; d++) {
        g[row + d] = steps(hits[d]);
        hits[d] = 0;
      }
    } else hits.fill(0);
    for (let j = 0; j < len; j++) isT[tg[row + j]] = 0;
  }
}
