/**
 * The triplet margin loss with PyTorch's default distance (`‖x - y + eps‖₂` over the last dim) as
 * one node for 'mean' and 'sum': both distances, the hinge and the three gradients (at the
 * reduction's seed) in one pass over the rows, so no [N, D] difference, per-distance gradient or
 * accumulation is made. The TypeScript loops are the composed ops' arithmetic (float32 rounded per
 * op, squares summed in float64), bit for bit at an incoming gradient of 1; float32 on the 'wasm'
 * backend runs assembly/rows.ts on the threads (within float32 tolerance).
 */
import { isGradEnabled, owned, record } from '../autograd/graph.js';
import { Tensor } from '../tensor/tensor.js';
import { fresh, getRuntime } from './memory.js';
import { activeBackend, fusedOn } from './index.js';
import { reductionSeed } from './fused.js';
import { tripletWasm } from './wasm.js';
import type { FloatArray } from './types.js';

/**
 * `clampMin(d(a, p) + margin - d(a, n), 0)` reduced, or null for the composed path (other
 * reductions, shapes or dtypes that differ, an input passed twice).
 */
export function fusedTriplet(a: Tensor, p: Tensor, n: Tensor, margin: number, eps: number, reduction: string): Tensor | null {
  if (!fusedOn() || (reduction !== 'mean' && reduction !== 'sum')) return null;
  const dtype = a.dtype;
  if ((dtype !== 'float32' && dtype !== 'float64') || a.ndim === 0 || a.numel === 0) return null;
  if (a === p || a === n || p === n) return null;
  for (const t of [p, n]) {
    if (t.dtype !== dtype || t.ndim !== a.ndim || t.shape.some((s, i) => s !== a.shape[i])) return null;
  }
  const D = a.shape[a.ndim - 1];
  const rows = a.numel / D;
  const want = [a, p, n].map((t) => isGradEnabled() && t.requiresGrad);
  const anyGrad = want.some(Boolean);
  const f32 = dtype === 'float32';
  const seed = reductionSeed(reduction, rows, f32);
  const data = [a, p, n].map((t) => t.data as FloatArray);
  const grads = want.map((w) => (w ? fresh(a.numel, f32 ? 4 : 8, true) : null));
  let sum: number;
  if (f32 && activeBackend().name === 'wasm' && getRuntime()) {
    sum = tripletWasm(data as Float32Array[], rows, D, eps, margin, seed, grads as (Float32Array | null)[]);
  } else {
    const [ga, gp, gn] = grads;
    sum = f32
      ? triplet32(data as Float32Array[], rows, D, eps, margin, seed, ga as Float32Array | null, gp as Float32Array | null, gn as Float32Array | null)
      : triplet64(data as Float64Array[], rows, D, eps, margin, seed, ga as Float64Array | null, gp as Float64Array | null, gn as Float64Array | null);
  }
  const value = reduction === 'mean' ? sum / rows : sum;
  const out = new Tensor(f32 ? Float32Array.of(value) : Float64Array.of(value), []);
  if (!anyGrad) return out;
  let base: (FloatArray | null)[] | null = grads;
  const inputs = [a, p, n];
  return record(out, 'TripletMarginLossBackward', inputs, (g, retain) => {
    const s = (g.data as FloatArray)[0];
    const res = base!.map((b, i) => {
      if (!b) return null;
      const o = retain ? b.slice() : b;
      if (s !== 1) for (let k = 0; k < o.length; k++) o[k] *= s;
      return owned(new Tensor(o, inputs[i].shape));
    });
    if (!retain) base = null;
    return res;
  });
}

// float32: u = round(round(x - y) + eps), squares summed in float64, distances rounded; the
// gradients go·(u/d) rounded, the anchor's the rounded sum of its two (autograd's accumulation)
function triplet32(d: Float32Array[], rows: number, D: number, eps: number, margin: number, seed: number, ga: Float32Array | null, gp: Float32Array | null, gn: Float32Array | null): number {
  const [a, p, n] = d;
  const fr = Math.fround;
  let total = 0;
  for (let r = 0, base = 0; r < rows; r++, base += D) {
    let s1 = 0;
    let s2 = 0;
    for (let k = base; k < base + D; k++) {
      const u1 = fr(fr(a[k] - p[k]) + eps);
      const u2 = fr(fr(a[k] - n[k]) + eps);
      s1 += u1 * u1;
      s2 += u2 * u2;
    }
    const d1 = fr(Math.sqrt(s1));
    const d2 = fr(Math.sqrt(s2));
    const v = fr(fr(d1 + margin) - d2);
    total += v < 0 ? 0 : v;
    if (!ga && !gp && !gn) continue;
    const go = v >= 0 ? seed : 0;
    for (let k = base; k < base + D; k++) {
      const g1 = d1 === 0 ? 0 : fr(go * (fr(fr(a[k] - p[k]) + eps) / d1));
      const g2 = d2 === 0 ? 0 : fr(-go * (fr(fr(a[k] - n[k]) + eps) / d2));
      if (ga) ga[k] = g1 + g2;
      if (gp) gp[k] = -g1;
      if (gn) gn[k] = -g2;
    }
  }
  return total;
}

function triplet64(d: Float64Array[], rows: number, D: number, eps: number, margin: number, seed: number, ga: Float64Array | null, gp: Float64Array | null, gn: Float64Array | null): number {
  const [a, p, n] = d;
  let total = 0;
  for (let r = 0, base = 0; r < rows; r++, base += D) {
    let s1 = 0;
    let s2 = 0;
    for (let k = base; k < base + D; k++) {
      const u1 = a[k] - p[k] + eps;
      const u2 = a[k] - n[k] + eps;
      s1 += u1 * u1;
      s2 += u2 * u2;
    }
    const d1 = Math.sqrt(s1);
    const d2 = Math.sqrt(s2);
    const v = d1 + margin - d2;
    total += v < 0 ? 0 : v;
    if (!ga && !gp && !gn) continue;
    const go = v >= 0 ? seed : 0;
    for (let k = base; k < base + D; k++) {
      const g1 = d1 === 0 ? 0 : go * ((a[k] - p[k] + eps) / d1);
      const g2 = d2 === 0 ? 0 : -go * ((a[k] - n[k] + eps) / d2);
      if (ga) ga[k] = g1 + g2;
      if (gp) gp[k] = -g1;
      if (gn) gn[k] = -g2;
    }
  }
  return total;
}
