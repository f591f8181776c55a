/**
 * The plain TypeScript kernels: one loop per loss computing value and gradient together, with the
 * composed path's formulas evaluated in float64 and rounded once into the output dtype (so their
 * results equal the composed path's up to the order of summation). Used for float64 inputs, where
 * WebAssembly SIMD is missing, and when selected with `setBackend('ts')`.
 */
import { fresh } from './memory.js';
import type { Backend, ClassProblem, ElementwiseKind, ElementwiseProblem, FloatArray, KernelResult } from './types.js';

// the composed path's own scalar pieces, so that both paths compute the same thing
import { logSigmoidOfExp, sgn, sigmoidOfExp } from '../ops/elementwise.js';
import { EPSILON as BCE_EPSILON, clampedLog } from '../losses/binary_cross_entropy.js';

const bytesOf = (x: FloatArray): 4 | 8 => (x instanceof Float32Array ? 4 : 8);

/** A loop per kind: V8 inlines the arrow functions of a monomorphic call site, not of a shared one. */
function elementwiseLoop(
  kind: ElementwiseKind,
  x: FloatArray,
  y: FloatArray,
  w: FloatArray | null,
  pw: FloatArray | null,
  param: number,
  scale: number,
  loss: FloatArray | null,
  grad: FloatArray | null,
): number {
  const n = x.length;
  const wl = w ? w.length : 0;
  const pl = pw ? pw.length : 0;
  const f32 = x instanceof Float32Array;
  let sum = 0;
  // each case: l = the loss, d = dl/dx; both times the weight
  switch (kind) {
    case 'mse':
      for (let i = 0; i < n; i++) {
        const d = x[i] - y[i];
        const l = d * d;
        if (grad) grad[i] = 2 * d * scale;
        if (loss) loss[i] = l;
        sum += loss ? loss[i] : f32 ? Math.fround(l) : l;
      }
      break;
    case 'l1':
      for (let i = 0; i < n; i++) {
        const d = x[i] - y[i];
        if (grad) grad[i] = sgn(d) * scale;
        if (loss) loss[i] = Math.abs(d);
        sum += f32 ? Math.fround(Math.abs(d)) : Math.abs(d);
      }
      break;
    case 'smoothL1': {
      const beta = param;
      for (let i = 0; i < n; i++) {
        const d = x[i] - y[i];
        const z = Math.abs(d);
        const l = z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta;
        if (grad) grad[i] = (d <= -beta ? -1 : d >= beta ? 1 : d / beta) * scale;
        if (loss) loss[i] = l;
        sum += loss ? loss[i] : f32 ? Math.fround(l) : l;
      }
      break;
    }
    case 'huber': {
      const delta = param;
      for (let i = 0; i < n; i++) {
        const d = x[i] - y[i];
        const z = Math.abs(d);
        const l = z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
        if (grad) grad[i] = (d <= -delta ? -delta : d >= delta ? delta : d) * scale;
        if (loss) loss[i] = l;
        sum += loss ? loss[i] : f32 ? Math.fround(l) : l;
      }
      break;
    }
    case 'bce':
      for (let i = 0; i < n; i++) {
        const p = x[i];
        const t = y[i];
        const wt = w ? w[i % wl] : 1;
        // a target outside [0, 1] makes the loss NaN, as the SIMD kernel does (the caller raises)
        const l = t >= 0 && t <= 1 ? wt * ((t - 1) * clampedLog(Math.log1p(-p)) - t * clampedLog(Math.log(p))) : NaN;
        if (grad) grad[i] = ((wt * (p - t)) / Math.max((1 - p) * p, BCE_EPSILON)) * scale;
        if (loss) loss[i] = l;
        sum += loss ? loss[i] : f32 ? Math.fround(l) : l;
      }
      break;
    case 'bceWithLogits':
      for (let i = 0; i < n; i++) {
        const a = x[i];
        const t = y[i];
        const wt = w ? w[i % wl] : 1;
        const e = Math.exp(-Math.abs(a)); // one exponential for both (float64 1e7: 330 -> 265 ms)
        const ls = logSigmoidOfExp(a, e);
        const sig = sigmoidOfExp(a, e);
        let l: number;
        let d: number;
        if (pw) {
          const p = pw[i % pl];
          l = (1 - t) * a - (1 + (p - 1) * t) * ls;
          d = (p * t + 1 - t) * sig - p * t;
        } else {
          l = (1 - t) * a - ls;
          d = sig - t;
        }
        if (grad) grad[i] = wt * d * scale;
        if (loss) loss[i] = wt * l;
        sum += loss ? loss[i] : f32 ? Math.fround(wt * l) : wt * l;
      }
      break;
    case 'klDiv':
      for (let i = 0; i < n; i++) {
        const a = x[i];
        const t = y[i];
        const xl = t !== t ? NaN : t === 0 ? 0 : t * Math.log(t);
        const l = xl - t * a;
        if (grad) grad[i] = -t * scale;
        if (loss) loss[i] = l;
        sum += loss ? loss[i] : f32 ? Math.fround(l) : l;
      }
      break;
    case 'klDivLog':
      for (let i = 0; i < n; i++) {
        const a = x[i];
        const t = y[i];
        const e = Math.exp(t);
        const l = e * (t - a);
        if (grad) grad[i] = -e * scale;
        if (loss) loss[i] = l;
        sum += loss ? loss[i] : f32 ? Math.fround(l) : l;
      }
      break;
  }
  return sum;
}

export function elementwiseTs(p: ElementwiseProblem, grad: FloatArray | null, loss: FloatArray | null): number {
  const scale = p.x instanceof Float32Array ? Math.fround(p.scale) : p.scale;
  return elementwiseLoop(p.kind, p.x, p.y, p.weight, p.posWeight, p.param, scale, loss, grad);
}

/**
 * Cross entropy / NLL over rows [r0, r1) of the (outer * inner) positions, exactly as the composed
 * path: log-sum-exp stabilised by the row maximum (0 when it is infinite), NaN rows giving NaN.
 * Writes the loss per position into `loss` (when given) and the gradient into `grad`, whose rows
 * must be zero where nothing is written (NLL, ignored targets).
 */
export function classesTs(p: ClassProblem, grad: FloatArray | null, loss: FloatArray | null, r0 = 0, r1 = p.outer * p.inner): number {
  const { x, C, inner, target, probs, weight: w, ignoreIndex, eps, mode } = p;
  const f32 = x instanceof Float32Array;
  const scale = f32 ? Math.fround(p.scale) : p.scale;
  let wsum = C;
  if (w) {
    wsum = 0;
    for (let c = 0; c < C; c++) wsum += w[c];
  }
  let sum = 0;
  for (let r = r0; r < r1; r++) {
    const o = Math.floor(r / inner);
    const i = r - o * inner;
    const base = o * C * inner + i;
    if (mode === 'nll') {
      const t = target![r];
      if (t === ignoreIndex) {
        if (loss) loss[r] = 0;
        continue;
      }
      const wt = w ? w[t] : 1;
      const l = -wt * x[base + t * inner];
      if (grad) grad[base + t * inner] = -wt * scale;
      if (loss) loss[r] = l;
      sum += loss ? loss[r] : f32 ? Math.fround(l) : l;
      continue;
    }
    let t = -1;
    if (target) {
      t = target[r];
      if (t === ignoreIndex) {
        // the composed backward still computes 0 - exp(log p) * 0 there: NaN for a NaN row
        let bad = false;
        for (let c = 0; c < C; c++) {
          const v = x[base + c * inner];
          if (v !== v || v === Infinity) bad = true;
        }
        if (bad && grad) {
          const lse = logSumExp(x, base, C, inner);
          for (let c = 0; c < C; c++) grad[base + c * inner] = -Math.exp(x[base + c * inner] - lse) * 0;
        }
        if (loss) loss[r] = 0;
        continue;
      }
    }
    // one Math.exp per element: e_c = exp(x_c - shift) is kept for the gradient's p_c = e_c / s
    // (float64 [1024, 1000] through the API: 26-28 ms with exp(x_c - lse) recomputed, 16-17 ms so;
    // Math.exp at 12-16 ns a call is most of what is left). The terms go to a float64 scratch row,
    // not into grad, which may be float32 and would round them twice.
    const e = expScratch(C);
    const shift = rowShiftOf(x, base, C, inner);
    const s = expRow(x, base, C, inner, shift, e);
    const lse = Math.log(s) + shift;
    let l: number;
    // gradient: coefP * p_c - (target part)_c, p_c = e_c / s
    if (target) {
      const wt = w ? w[t] : 1;
      const nll = -wt * (x[base + t * inner] - lse);
      let coefP = (1 - eps) * wt;
      if (eps > 0) {
        let smooth = 0;
        for (let c = 0; c < C; c++) smooth -= (w ? w[c] : 1) * (x[base + c * inner] - lse);
        l = (1 - eps) * nll + (eps / C) * smooth;
        coefP += (eps / C) * wsum;
      } else l = nll;
      for (let c = 0; grad && c < C; c++) {
        const k = base + c * inner;
        const q = (c === t ? (1 - eps) * wt : 0) + (eps > 0 ? (eps / C) * (w ? w[c] : 1) : 0);
        grad[k] = ((e[c] / s) * coefP - q) * scale;
      }
    } else {
      // probability targets: y' = (1 - eps) y + eps / C
      let swy = 0;
      l = 0;
      for (let c = 0; c < C; c++) {
        const k = base + c * inner;
        const yc = eps > 0 ? probs![k] * (1 - eps) + eps / C : probs![k];
        const wy = (w ? w[c] : 1) * yc;
        swy += wy;
        l -= wy * (x[k] - lse);
      }
      for (let c = 0; grad && c < C; c++) {
        const k = base + c * inner;
        const yc = eps > 0 ? probs![k] * (1 - eps) + eps / C : probs![k];
        grad[k] = ((e[c] / s) * swy - (w ? w[c] : 1) * yc) * scale;
      }
    }
    if (loss) loss[r] = l;
    sum += loss ? loss[r] : f32 ? Math.fround(l) : l;
  }
  return sum;
}

let scratch = new Float64Array(0);
function expScratch(C: number): Float64Array {
  if (scratch.length < C) scratch = new Float64Array(C);
  return scratch;
}

/** The shift for a row's exponentials: its maximum, 0 when that is infinite; NaN for a row holding NaN. */
function rowShiftOf(x: FloatArray, base: number, C: number, inner: number): number {
  let m = -Infinity;
  for (let c = 0; c < C; c++) {
    const a = x[base + c * inner];
    if (a > m || a !== a) m = a;
  }
  if (m !== m) return NaN;
  return Number.isFinite(m) ? m : 0;
}

/**
 * Σ_c exp(x_c - shift) over a row, with the terms written to e. A NaN shift (a row holding NaN)
 * returns NaN and leaves e alone: every p_c = e_c / NaN is NaN anyway.
 */
function expRow(x: FloatArray, base: number, C: number, inner: number, shift: number, e: Float64Array): number {
  if (shift !== shift) return NaN;
  let s = 0;
  for (let c = 0; c < C; c++) {
    const v = Math.exp(x[base + c * inner] - shift);
    e[c] = v;
    s += v;
  }
  return s;
}

function logSumExp(x: FloatArray, base: number, C: number, inner: number): number {
  const shift = rowShiftOf(x, base, C, inner);
  if (shift !== shift) return NaN;
  let s = 0;
  for (let c = 0; c < C; c++) s += Math.exp(x[base + c * inner] - shift);
  return Math.log(s) + shift;
}

export const tsBackend: Backend = {
  name: 'ts',
  elementwise(p: ElementwiseProblem): KernelResult {
    const n = p.x.length;
    const grad = p.wantGrad ? fresh(n, bytesOf(p.x), true) : null;
    const loss = p.wantLoss ? fresh(n, bytesOf(p.x), true) : null;
    return { sum: elementwiseTs(p, grad, loss), loss, grad };
  },
  classes(p: ClassProblem): KernelResult {
    // NLL and ignored targets leave gradient rows untouched: those must be zeros
    const grad = p.wantGrad ? fresh(p.x.length, bytesOf(p.x), false) : null;
    const loss = p.wantLoss ? fresh(p.outer * p.inner, bytesOf(p.x), true) : null;
    return { sum: classesTs(p, grad, loss), loss, grad };
  },
};
