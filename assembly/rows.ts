// Row and sequence kernels, float32 SIMD128: the triplet margin loss over rows of D (PyTorch's
// pairwise distance ‖x - y + eps‖₂, eps added to the difference; JOB_TRIPLET, src/kernels/rows.ts
// has the same formulas in TypeScript for the 'ts' backend and float64), and CTC (JOB_CTC, one
// sample per chunk, vectorised over the extended label sequence).

import { kv, vexp, vexpNeg, vlog, K_NINF } from './vmath';

/** Σ over the row of u², u = (x - y) + eps, squares summed in f64 lanes (as the TypeScript loop). */
// @ts-ignore: decorator
@inline function sq(s: v128, u: v128): v128 {
  const lo = f64x2.promote_low_f32x4(u);
  const hi = f64x2.promote_low_f32x4(i32x4.shuffle(u, u, 2, 3, 0, 1));
  return f64x2.add(s, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
}

/**
 * The triplet losses of `rows` rows of D at ap, pp, np (anchor, positive, negative):
 * l = max(d(a, p) + margin - d(a, n), 0). Returns Σ l (f64). With grad, the gradients of
 * `seed · l` are written over the rows: the anchor's c₁u₁ - c₂u₂, the positive's -c₁u₁, the
 * negative's c₂u₂, with cᵢ = seed / dᵢ where the hinge is active (v >= 0) and dᵢ > 0, else 0.
 */
export function tripletRows(ap: usize, pp: usize, np: usize, rows: i32, D: i32, eps: f32, margin: f64, seed: f32, grad: i32): f64 {
  const ve = f32x4.splat(eps);
  const D4 = D & ~3;
  const rowBytes = (<usize>D) << 2;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r) * rowBytes;
    const a = ap + off;
    const p = pp + off;
    const n = np + off;
    let s1 = f64x2.splat(0);
    let s2 = f64x2.splat(0);
    let j = 0;
    for (; j < D4; j += 4) {
      const o = (<usize>j) << 2;
      const x = v128.load(a + o);
      s1 = sq(s1, f32x4.add(f32x4.sub(x, v128.load(p + o)), ve));
      s2 = sq(s2, f32x4.add(f32x4.sub(x, v128.load(n + o)), ve));
    }
    let t1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
    let t2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
    for (; j < D; j++) {
      const o = (<usize>j) << 2;
      const x = load<f32>(a + o);
      const u1 = <f64>(x - load<f32>(p + o) + eps);
      const u2 = <f64>(x - load<f32>(n + o) + eps);
      t1 += u1 * u1;
      t2 += u2 * u2;
    }
    const d1 = <f32>Math.sqrt(t1);
    const d2 = <f32>Math.sqrt(t2);
    // the composed ops' roundings: (d₁ + margin) rounded, then minus d₂ rounded
    const v = <f32>(<f64>(<f32>(<f64>d1 + margin)) - <f64>d2);
    const on = v >= 0;
    if (on) total += <f64>v;
    else if (v != v) total += <f64>v; // NaN propagates through the clamp
    if (!grad) continue;
    const c1: f32 = on && d1 != 0 ? seed / d1 : 0;
    const c2: f32 = on && d2 != 0 ? seed / d2 : 0;
    const v1 = f32x4.splat(c1);
    const v2 = f32x4.splat(c2);
    j = 0;
    for (; j < D4; j += 4) {
      const o = (<usize>j) << 2;
      const x = v128.load(a + o);
      const g1 = f32x4.mul(v1, f32x4.add(f32x4.sub(x, v128.load(p + o)), ve));
      const g2 = f32x4.mul(v2, f32x4.add(f32x4.sub(x, v128.load(n + o)), ve));
      v128.store(a + o, f32x4.sub(g1, g2));
      v128.store(p + o, f32x4.neg(g1));
      v128.store(n + o, g2);
    }
    for (; j < D; j++) {
      const o = (<usize>j) << 2;
      const x = load<f32>(a + o);
      const g1 = c1 * (x - load<f32>(p + o) + eps);
      const g2 = c2 * (x - load<f32>(n + o) + eps);
      store<f32>(a + o, g1 - g2);
      store<f32>(p + o, -g1);
      store<f32>(n + o, g2);
    }
  }
  return total;
}

// ---- CTC ------------------------------------------------------------------------------------------
//
// PyTorch's CPU kernel (LossCTC.cpp) in log space, four positions s of the extended target
// (blank, t1, blank, ..., blank) per vector: alpha[t][s] depends on row t - 1 only. The occupancy of
// each class is summed in linear space, exp(α + β + nll - lp) in [0, 1] per position, instead of
// PyTorch's log-sum-exp per class; within float32 tolerance of PyTorch, not bit for bit.

/** log(e^a + e^b + e^c) per lane, from the maximum (0 when all are -inf). */
// @ts-ignore: decorator
@inline function lse3v(a: v128, b: v128, c: v128): v128 {
  let m = f32x4.pmax(f32x4.pmax(a, b), c);
  m = v128.andnot(m, f32x4.eq(m, kv(K_NINF)));
  const s = f32x4.add(f32x4.add(vexpNeg(f32x4.sub(a, m)), vexpNeg(f32x4.sub(b, m))), vexpNeg(f32x4.sub(c, m)));
  return f32x4.add(vlog(s), m);
}

/** log(exp(a) + exp(b)), scalar. */
// @ts-ignore: decorator
@inline function lse2(a: f32, b: f32): f32 {
  let m = a < b ? b : a;
  if (m == -Infinity) m = 0;
  return Mathf.log(Mathf.exp(a - m) + Mathf.exp(b - m)) + m;
}

// @ts-ignore: decorator
@inline function fillInf(p: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) store<f32>(p + ((<usize>i) << 2), -Infinity);
}

/** f32 elements of workspace ctcSample needs for T frames and S extended labels, C classes. */
export function ctcWorkspace(T: i32, S: i32, C: i32): i32 {
  const S4 = (S + 3) & ~3;
  return T * (S4 + 8) + T * S4 + 2 * (S4 + 8) + 3 * S4 + C + 8;
}

/**
 * The CTC loss of sample b, and (grad != 0) its gradient, exp(lp) - occupancy, written over lp's
 * frames of that sample (zeros from frame Tb on; NaN where the loss is inf or NaN, as PyTorch's).
 * lp: (T, N, C) float32; ext: the sample's extended target (S int32); ws: ctcWorkspace(T, S, C)
 * float32, 16-byte aligned.
 */
export function ctcSample(lp: usize, T: i32, N: i32, C: i32, blank: i32, b: i32, Tb: i32, ext: usize, S: i32, ws: usize, grad: bool): f64 {
  const rowN = (<usize>N) * (<usize>C) << 2; // bytes from one frame to the next
  const lpb = lp + ((<usize>b) * (<usize>C) << 2); // frame 0 of sample b
  const S4 = (S + 3) & ~3;
  const R = S4 + 8; // a row of alpha or beta: 4 leading -inf, S4 values (position s at 4 + s), 4 trailing
  const RB = (<usize>R) << 2;
  const EB = (<usize>S4) << 2;
  const alpha = ws;
  const em = alpha + (<usize>T) * RB; // lp[t, b, ext[s]], (T, S4)
  let bc = em + (<usize>T) * EB;
  let bn = bc + RB;
  const m3a = bn + RB; // -1 where alpha may skip from s - 2 (s > 1, ext[s - 2] != ext[s])
  const m3b = m3a + EB; // -1 where beta may skip from s + 2
  const wb = m3b + EB; // exp(α + β + nll - lp) per position
  const occ = wb + EB;
  let value: f64;
  if (Tb == 0) value = S == 1 ? -0.0 : Infinity;
  else {
    for (let s = 0; s < S4; s++) {
      const o = (<usize>s) << 2;
      const e = s < S ? load<i32>(ext + o) : blank;
      store<i32>(m3a + o, s > 1 && s < S && load<i32>(ext + o - 8) != e ? -1 : 0);
      store<i32>(m3b + o, s < S - 2 && load<i32>(ext + o + 8) != e ? -1 : 0);
    }
    for (let t = 0; t < Tb; t++) {
      const frame = lpb + (<usize>t) * rowN;
      const row = em + (<usize>t) * EB;
      for (let s = 0; s < S4; s++) {
        const e = s < S ? load<i32>(ext + ((<usize>s) << 2)) : blank;
        store<f32>(row + ((<usize>s) << 2), load<f32>(frame + ((<usize>e) << 2)));
      }
    }
    fillInf(alpha, 0, R);
    store<f32>(alpha + 16, load<f32>(em));
    if (S > 1) store<f32>(alpha + 20, load<f32>(em + 4));
    for (let t = 1; t < Tb; t++) {
      const prev = alpha + (<usize>(t - 1)) * RB + 16;
      const cur = alpha + (<usize>t) * RB;
      const e = em + (<usize>t) * EB;
      fillInf(cur, 0, 4);
      for (let s = 0; s < S4; s += 4) {
        const o = (<usize>s) << 2;
        const a3 = v128.bitselect(v128.load(prev + o - 8), kv(K_NINF), v128.load(m3a + o));
        v128.store(cur + 16 + o, f32x4.add(lse3v(v128.load(prev + o), v128.load(prev + o - 4), a3), v128.load(e + o)));
      }
      fillInf(cur, 4 + S, R);
    }
    const last = alpha + (<usize>(Tb - 1)) * RB + 16;
    if (S == 1) value = -<f64>load<f32>(last);
    else value = -<f64>lse2(load<f32>(last + ((<usize>(S - 1)) << 2)), load<f32>(last + ((<usize>(S - 2)) << 2)));
  }
  if (!grad) return value;
  const C4 = C & ~3;
  // frames from Tb on: 0
  for (let t = Tb; t < T; t++) memory.fill(lpb + (<usize>t) * rowN, 0, (<usize>C) << 2);
  if (Tb == 0) return value;
  const nll = <f32>value;
  const bad = !(nll < Infinity);
  // beta row by row from the last frame, each frame's gradient as soon as its beta is known
  fillInf(bn, 0, R);
  store<f32>(bn + 16 + ((<usize>(S - 1)) << 2), load<f32>(em + (<usize>(Tb - 1)) * EB + ((<usize>(S - 1)) << 2)));
  if (S > 1) store<f32>(bn + 16 + ((<usize>(S - 2)) << 2), load<f32>(em + (<usize>(Tb - 1)) * EB + ((<usize>(S - 2)) << 2)));
  fillInf(bc, 0, R);
  const vn = f32x4.splat(nll);
  for (let t = Tb - 1; t >= 0; t--) {
    const e = em + (<usize>t) * EB;
    let bt = bn; // the last frame's beta is its initial row
    if (t < Tb - 1) {
      for (let s = 0; s < S4; s += 4) {
        const o = (<usize>s) << 2;
        const q = bn + 16 + o;
        const b3 = v128.bitselect(v128.load(q + 8), kv(K_NINF), v128.load(m3b + o));
        v128.store(bc + 16 + o, f32x4.add(lse3v(v128.load(q), v128.load(q + 4), b3), v128.load(e + o)));
      }
      fillInf(bc, 4 + S, R);
      bt = bc;
    }
    const frame = lpb + (<usize>t) * rowN;
    if (bad) {
      for (let c = 0; c < C; c++) store<f32>(frame + ((<usize>c) << 2), NaN);
    } else {
      const ar = alpha + (<usize>t) * RB + 16;
      for (let s = 0; s < S4; s += 4) {
        const o = (<usize>s) << 2;
        const x = f32x4.sub(f32x4.add(f32x4.add(v128.load(ar + o), v128.load(bt + 16 + o)), vn), v128.load(e + o));
        v128.store(wb + o, vexp(x));
      }
      memory.fill(occ, 0, (<usize>C) << 2);
      // PyTorch's last frame assigns the class of position S - 2 after the blank's, not adding: a
      // target ending in the blank label keeps position S - 2's occupancy only
      if (t == Tb - 1 && S > 1 && load<i32>(ext + ((<usize>(S - 2)) << 2)) == blank) store<f32>(wb + ((<usize>(S - 1)) << 2), 0);
      for (let s = 0; s < S; s++) {
        const j = occ + ((<usize>load<i32>(ext + ((<usize>s) << 2))) << 2);
        store<f32>(j, load<f32>(j) + load<f32>(wb + ((<usize>s) << 2)));
      }
      let c = 0;
      for (; c < C4; c += 4) {
        const o = (<usize>c) << 2;
        v128.store(frame + o, f32x4.sub(vexp(v128.load(frame + o)), v128.load(occ + o)));
      }
      for (; c < C; c++) {
        const o = (<usize>c) << 2;
        store<f32>(frame + o, Mathf.exp(load<f32>(frame + o)) - load<f32>(occ + o));
      }
    }
    if (t < Tb - 1) {
      const tmp = bn;
      bn = bc;
      bc = tmp;
    }
  }
  return value;
}
