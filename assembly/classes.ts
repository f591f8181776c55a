// The margin losses over rows of class scores, float32 SIMD128 (src/kernels/margins.ts has the
// same formulas in TypeScript, PyTorch's kernels in float32). Re-exported by assembly/kernels.ts.
//
// multiMargin: rows of (rows, C) scores with int32 targets, called per chunk of rows by
// src/kernels/threads.ts (kind 10); multilabelHits: rows of (rows, C) scores with int32 targets
// padded with -1 (kind 11). The hinge z = (margin - x_t) + x_d is rounded as the composed path
// rounds it; `z > 0` fails for NaN, so NaN scores are skipped as PyTorch's kernels skip them.

import { kv, sumLo, sumHi, K_ONE, K_ZERO } from './vmath';

// @ts-ignore: decorator
@inline function both(a: v128, b: v128): f64 {
  const s = f64x2.add(a, b);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * Multi-class hinge loss for rows [0, rows) of (rows, C) scores, p 1 or 2: each row's loss
 * Σ_{d≠t} w_t max(0, z_d)^p / C at lp (float32), and (gp not 0) the gradient times `seed` at gp,
 * which may be xp (the target's score is read first). wp: class weights or 0. Returns Σ losses.
 */
export function multiMargin(xp: usize, tp: usize, wp: usize, rows: i32, C: i32, p: i32, margin: f64, seed: f64, lp: usize, gp: usize): f64 {
  const C4 = C & ~3;
  const rowBytes = (<usize>C) << 2;
  const zero = kv(K_ZERO);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const x = xp + (<usize>r) * rowBytes;
    const g = gp + (<usize>r) * rowBytes;
    const t = load<i32>(tp + ((<usize>r) << 2));
    const xt = load<f32>(x + ((<usize>t) << 2));
    const a = <f32>(margin - <f64>xt);
    const wt: f32 = wp ? load<f32>(wp + ((<usize>t) << 2)) : 1.0;
    // the gradient of an active term: gs (p 1) or gs z (p 2), gs = (p / C) w_t seed
    const gs: f64 = (p == 1 ? 1.0 / <f64>C : 2.0 / <f64>C) * <f64>wt * seed;
    const va = f32x4.splat(a);
    const vw = f32x4.splat(wt);
    const vg = f32x4.splat(<f32>gs);
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let q0 = s0; // Σ of the active terms' gradient factors: 1 (p 1) or z (p 2)
    let q1 = s0;
    for (let c = 0; c < C4; c += 4) {
      const o = (<usize>c) << 2;
      const z = f32x4.add(va, v128.load(x + o));
      const on = f32x4.gt(z, zero);
      let h = p == 1 ? z : f32x4.mul(z, z);
      if (wp) h = f32x4.mul(h, vw);
      h = v128.and(h, on);
      s0 = sumLo(s0, h);
      s1 = sumHi(s1, h);
      const f = v128.and(p == 1 ? kv(K_ONE) : z, on);
      q0 = sumLo(q0, f);
      q1 = sumHi(q1, f);
      if (gp) v128.store(g + o, f32x4.mul(f, vg));
    }
    let s = both(s0, s1);
    let q = both(q0, q1);
    for (let c = C4; c < C; c++) {
      const o = (<usize>c) << 2;
      const z: f32 = a + load<f32>(x + o);
      let f: f32 = 0;
      if (z > 0) {
        let h: f32 = p == 1 ? z : z * z;
        if (wp) h *= wt;
        s += <f64>h;
        f = p == 1 ? 1 : z;
      }
      q += <f64>f;
      if (gp) store<f32>(g + o, <f32>(<f64>f * gs));
    }
    // the target's own term was counted above: take it out
    const zt: f32 = a + xt;
    if (zt > 0) {
      let h: f32 = p == 1 ? zt : zt * zt;
      if (wp) h *= wt;
      s -= <f64>h;
      q -= p == 1 ? 1.0 : <f64>zt;
    }
    if (gp) store<f32>(g + ((<usize>t) << 2), <f32>(-q * gs));
    const loss = <f32>(s / <f64>C);
    store<f32>(lp + ((<usize>r) << 2), loss);
    total += <f64>loss;
  }
  return total;
}

/**
 * Multi-label hinge loss for rows [0, rows) of (rows, C) scores with int32 targets tp (each row's
 * class indices up to its first -1): each row's loss at lp (float32), and (hp not 0) per element
 * the number of active pairs it takes part in, +k for a class d hit by k targets, -k for a target
 * active against k classes (int32, at hp: the caller turns counts into the gradient). ws: C int32
 * of workspace for this thread. Returns Σ losses.
 */
export function multilabelHits(xp: usize, tp: usize, rows: i32, C: i32, lp: usize, hp: usize, ws: usize): f64 {
  const C4 = C & ~3;
  const rowBytes = (<usize>C) << 2;
  const zero = kv(K_ZERO);
  let total: f64 = 0;
  memory.fill(ws, 0, rowBytes);
  for (let r = 0; r < rows; r++) {
    const x = xp + (<usize>r) * rowBytes;
    const tr = tp + (<usize>r) * rowBytes;
    const hr = hp + (<usize>r) * rowBytes;
    // ws: -1 at the row's targets (a lane mask), 0 elsewhere
    let len = 0;
    while (len < C) {
      const t = load<i32>(tr + ((<usize>len) << 2));
      if (t < 0) break;
      store<i32>(ws + ((<usize>t) << 2), -1);
      len++;
    }
    if (hp) memory.fill(hr, 0, rowBytes);
    let s0 = f64x2.splat(0);
    let s1 = s0;
    let s: f64 = 0;
    for (let j = 0; j < len; j++) {
      const t = load<i32>(tr + ((<usize>j) << 2));
      const a: f32 = 1.0 - load<f32>(x + ((<usize>t) << 2));
      const va = f32x4.splat(a);
      let cnt = i32x4.splat(0);
      for (let c = 0; c < C4; c += 4) {
        const o = (<usize>c) << 2;
        const z = f32x4.add(va, v128.load(x + o));
        const on = v128.andnot(f32x4.gt(z, zero), v128.load(ws + o));
        const h = v128.and(z, on);
        s0 = sumLo(s0, h);
        s1 = sumHi(s1, h);
        cnt = i32x4.sub(cnt, on);
        if (hp) v128.store(hr + o, i32x4.sub(v128.load(hr + o), on));
      }
      let k = i32x4.extract_lane(cnt, 0) + i32x4.extract_lane(cnt, 1) + i32x4.extract_lane(cnt, 2) + i32x4.extract_lane(cnt, 3);
      for (let c = C4; c < C; c++) {
        const o = (<usize>c) << 2;
        if (load<i32>(ws + o)) continue;
        const z: f32 = a + load<f32>(x + o);
        if (z > 0) {
          s += <f64>z;
          k++;
          if (hp) store<i32>(hr + o, load<i32>(hr + o) + 1);
        }
      }
      if (hp) {
        const at = hr + ((<usize>t) << 2);
        store<i32>(at, load<i32>(at) - k);
      }
    }
    s += both(s0, s1);
    const loss = <f32>(s / <f64>C);
    store<f32>(lp + ((<usize>r) << 2), loss);
    total += <f64>loss;
    for (let j = 0; j < len; j++) store<i32>(ws + ((<usize>load<i32>(tr + ((<usize>j) << 2))) << 2), 0);
  }
  return total;
}
