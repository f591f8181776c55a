/**
 * Fused value and gradient of the pointwise losses without a kernel of their own in ts/wasm
 * (soft margin, hinge embedding, margin ranking, Poisson NLL, Gaussian NLL) for 'mean' and 'sum':
 * one loop computes each element's loss (with the composed path's float32 rounding after every
 * step) and its gradient at the reduction's seed, so no unreduced tensor is made, the
 * exponentials are computed once, and one autograd node hands the gradient over (fused.ts
 * `attach`; Gaussian NLL's `attachEach`, with the variance's gradient too). 'none', mixed dtypes
 * or shapes, and inputs other than the scored ones requiring grad take the composed path, which
 * these loops equal for an incoming gradient of 1.
 * On the 'wasm' backend, float32 soft margin, Poisson, Gaussian and margin ranking go to
 * assembly/pointwise.ts instead (SIMD exp/log, on the threads: within float32 tolerance, not bit
 * for bit); these loops are the 'ts' backend and float64.
 */
import { isGradEnabled, owned, record } from '../autograd/graph.js';
import { type DType } from '../tensor/dtype.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { fresh } from './memory.js';
import { attach, reductionSeed } from './fused.js';
import { activeBackend, fusedOn } from './index.js';
import { pointwiseWasm } from './wasm.js';
import type { FloatArray } from './types.js';

type Round = (v: number) => number;
const identity: Round = (v) => v;

export type PointwiseKind = 'softMargin' | 'hinge' | 'marginRanking' | 'poissonLog' | 'poissonRate' | 'gaussian';

export interface PointwiseParams {
  margin?: number;
  eps?: number;
  /** Gaussian: add ½ log(2π). */
  full?: boolean;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The fused loss over `inputs` (all of x's float dtype and shape), or null for the composed path.
 * Gradients: for x, for the second input only for margin ranking (it is minus x's there), and for
 * the third only for Gaussian NLL (the variance).
 */
export function fusedPointwise(name: string, kind: PointwiseKind, inputs: readonly Tensor[], reduction: string, params: PointwiseParams = {}): Tensor | null {
  if (!fusedOn() || (reduction !== 'mean' && reduction !== 'sum')) return null;
  const x = inputs[0];
  const dtype: DType = x.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') return null;
  for (let i = 1; i < inputs.length; i++) {
    const t = inputs[i];
    if (t.dtype !== dtype || !sameShape(t.shape, x.shape)) return null;
    if (t.requiresGrad && !(kind === 'marginRanking' && i === 1) && !(kind === 'gaussian' && i === 2)) return null;
  }
  const n = x.numel;
  const gauss = kind === 'gaussian';
  const wantZ = gauss && isGradEnabled() && inputs[2].requiresGrad;
  const want = isGradEnabled() && (gauss ? x.requiresGrad : x.requiresGrad || (kind === 'marginRanking' && inputs[1].requiresGrad));
  const bytes = dtype === 'float32' ? 4 : 8;
  const fr: Round = dtype === 'float32' ? Math.fround : identity;
  const seed = reductionSeed(reduction, n, dtype === 'float32');
  const data = inputs.map((t) => t.data as FloatArray);
  const wk = WASM_KIND[kind];
  let sum: number;
  let g: FloatArray | null;
  let gz: FloatArray | null = null;
  const w = dtype === 'float32' && wk !== undefined && activeBackend().name === 'wasm' ? wasmLoop(wk, data as Float32Array[], seed, params, want, wantZ) : null;
  if (w) {
    sum = w.sum;
    g = w.grad;
    gz = w.gradZ;
  } else {
    g = want ? fresh(n, bytes, true) : null;
    gz = wantZ ? fresh(n, bytes, true) : null;
    sum = gauss ? gaussianLoop(data, n, fr, seed, params, g, gz) : loop(kind, data, n, fr, seed, params, g);
  }
  const value = reduction === 'mean' ? sum / n : sum;
  const out = new Tensor(dtype === 'float32' ? Float32Array.of(value) : Float64Array.of(value), []);
  if (gauss && (g || gz)) return attachEach(out, name, x, inputs[2], g, gz);
  if (!g) return out;
  const second = kind === 'marginRanking' ? inputs[1] : null;
  return attach(out, name, x, second, { sum, loss: null, grad: g }, x.shape);
}

/** The kinds with a WebAssembly SIMD kernel (assembly/pointwise.ts): those with an exp or log per element, and margin ranking
 * (three inputs: the copies in overlap the threads' work). */
const WASM_KIND: Partial<Record<PointwiseKind, number>> = { softMargin: 0, poissonLog: 1, poissonRate: 2, gaussian: 3, marginRanking: 4 };

function wasmLoop(wk: number, d: Float32Array[], seed: number, p: PointwiseParams, want: boolean, wantZ: boolean): { sum: number; grad: Float32Array | null; gradZ: Float32Array | null } | null {
  const param = wk === 4 ? p.margin! : wk === 2 || wk === 3 ? p.eps! : 0;
  return pointwiseWasm(wk, d[0], d[1], wk >= 3 ? d[2] : null, seed, param, wk === 3 && p.full ? HALF_LOG_2PI : 0, want, wantZ);
}

/**
 * One node with a precomputed gradient for x and one for z (either may be null: not wanted),
 * each scaled by the incoming 0-dim gradient; handed over without a copy unless the graph is retained.
 */
function attachEach(out: Tensor, name: string, x: Tensor, z: Tensor, gx: FloatArray | null, gz: FloatArray | null): Tensor {
  let base: (FloatArray | null)[] | null = [gx, gz];
  return record(out, name, [x, z], (g, retain) => {
    const s = (g.data as FloatArray)[0];
    const res = base!.map((b, i) => {
      if (!b || !(i === 0 ? x : z).requiresGrad) return null;
      const o = retain ? b.slice() : b;
      if (s !== 1) for (let k = 0; k < o.length; k++) o[k] *= s;
      return owned(new Tensor(o, x.shape));
    });
    if (!retain) base = null;
    return res;
  });
}

/** Σ of the rounded element losses in float64 in input order (as the composed mean/sum), writing grad. */
function loop(kind: PointwiseKind, d: FloatArray[], n: number, fr: Round, seed: number, p: PointwiseParams, grad: FloatArray | null): number {
  // one function per kind, so that each loop is optimised on its own (and Math.fround inlined)
  switch (kind) {
    case 'softMargin':
      return softMarginLoop(d, n, fr, seed, p, grad);
    case 'hinge':
      return hingeLoop(d, n, fr, seed, p, grad);
    case 'marginRanking':
      return marginRankingLoop(d, n, fr, seed, p, grad);
    case 'poissonLog':
      return poissonLogLoop(d, n, fr, seed, p, grad);
    case 'poissonRate':
      return poissonRateLoop(d, n, fr, seed, p, grad);
    case 'gaussian':
      return gaussianLoop(d, n, fr, seed, p, grad, null);
  }
}

function softMarginLoop(d: FloatArray[], n: number, fr: Round, seed: number, _p: PointwiseParams, grad: FloatArray | null): number {
  let sum = 0;
  const x = d[0];
  const y = d[1];
  for (let k = 0; k < n; k++) {
    const t = y[k];
    const e = fr(Math.exp(fr(-x[k] * t)));
    sum += fr(Math.log1p(e));
    if (grad) grad[k] = (fr(-t * e) / fr(e + 1)) * seed;
  }
  return sum;
}

function hingeLoop(d: FloatArray[], n: number, fr: Round, seed: number, p: PointwiseParams, grad: FloatArray | null): number {
  let sum = 0;
  const x = d[0];
  const y = d[1];
  const margin = p.margin!;
  for (let k = 0; k < n; k++) {
    const a = x[k];
    const t = y[k];
    const m = fr(margin - a);
    // the same sums as the composed branches, without a branch on the (random) signs: products
    // with 0/1 are exact; infinities (0·inf) take the branches
    const hingeOn = +(t !== 1);
    const linearOn = +(t !== -1);
    if (Math.abs(a) < Infinity && Math.abs(m) < Infinity) sum += fr(hingeOn * ((m + Math.abs(m)) * 0.5) + linearOn * a);
    else sum += fr((t !== 1 ? (m < 0 ? 0 : m) : 0) + (t !== -1 ? a : 0));
    if (grad) grad[k] = seed * linearOn + -seed * (hingeOn * +(m >= 0));
  }
  return sum;
}

function marginRankingLoop(d: FloatArray[], n: number, fr: Round, seed: number, p: PointwiseParams, grad: FloatArray | null): number {
  let sum = 0;
  const x = d[0];
  const x2 = d[1];
  const y = d[2];
  const margin = p.margin!;
  for (let k = 0; k < n; k++) {
    const t = y[k];
    const v = fr(fr(-t * fr(x[k] - x2[k])) + margin);
    // max(v, 0) and the active mask without a branch on v's (random) sign; -inf takes the branch
    const r = (v + Math.abs(v)) * 0.5;
    sum += r === r || v !== -Infinity ? r : 0;
    if (grad) grad[k] = seed * +(v >= 0) * -t;
  }
  return sum;
}

function poissonLogLoop(d: FloatArray[], n: number, fr: Round, seed: number, _p: PointwiseParams, grad: FloatArray | null): number {
  let sum = 0;
  const x = d[0];
  const y = d[1];
  for (let k = 0; k < n; k++) {
    const a = x[k];
    const t = y[k];
    const e = fr(Math.exp(a));
    sum += fr(e - fr(t * a));
    if (grad) grad[k] = seed * e - seed * t;
  }
  return sum;
}

function poissonRateLoop(d: FloatArray[], n: number, fr: Round, seed: number, p: PointwiseParams, grad: FloatArray | null): number {
  let sum = 0;
  const x = d[0];
  const y = d[1];
  const eps = p.eps!;
  for (let k = 0; k < n; k++) {
    const a = x[k];
    const t = y[k];
    const r = fr(a + eps);
    sum += fr(a - fr(t * fr(Math.log(r))));
    if (grad) grad[k] = seed - (seed * t) / r;
  }
  return sum;
}

/** Also writes the variance's gradient (gradV), as the composed backward: ½g/v̂ - ½g(x - y)²/v̂². */
function gaussianLoop(d: FloatArray[], n: number, fr: Round, seed: number, p: PointwiseParams, grad: FloatArray | null, gradV: FloatArray | null): number {
  let sum = 0;
  const x = d[0];
  const y = d[1];
  const v = d[2];
  const floor = fr(p.eps!);
  const extra = p.full ? HALF_LOG_2PI : 0;
  for (let k = 0; k < n; k++) {
    const w = v[k];
    const vh = w < floor ? floor : w;
    const diff = fr(x[k] - y[k]);
    const l = fr(0.5 * fr(fr(Math.log(vh)) + fr(fr(diff * diff) / vh)));
    sum += p.full ? fr(l + extra) : l;
    if (grad) grad[k] = ((0.5 * seed) / vh) * (2 * (x[k] - y[k]));
    if (gradV) {
      const e = x[k] - y[k];
      gradV[k] = (0.5 * seed) / vh - (0.5 * seed * e * e) / (vh * vh);
    }
  }
  return sum;
}
