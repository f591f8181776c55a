// Row kernels of the embedding losses, float32 SIMD128: the triplet margin loss over rows of D
// (PyTorch's pairwise distance ‖x - y + eps‖₂, eps added to the difference). Called per chunk of
// rows by src/kernels/threads.ts (JOB_TRIPLET); src/kernels/rows.ts has the same formulas in
// TypeScript (the 'ts' backend and float64).

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
