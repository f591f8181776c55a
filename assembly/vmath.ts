// Vector math shared by the kernel families (kernels.ts, pointwise.ts): float32 e^x, e^x for x <= 0,
// log and log1p over four lanes, their constant table, and the f64 lane sums the kernels return.

// Vector constants live in a table in memory (written by init()): V8 materialises every
// v128.const inside a loop with several instructions, while a load from a constant address is
// one memory operand. The table sits in the first 64 KiB, which JavaScript never allocates.
export const KT: usize = 0xe000;
// @ts-ignore: decorator
@inline export function kv(off: usize): v128 {
  return v128.load(KT + off);
}
export const K_ONE: usize = 0;
export const K_HALF: usize = 16;
export const K_ZERO: usize = 32;
export const K_LOG2E: usize = 48;
export const K_MAGIC: usize = 64;
export const K_LN2HI: usize = 80;
export const K_LN2LO: usize = 96;
export const K_E2: usize = 112;
export const K_E3: usize = 128;
export const K_E4: usize = 144;
export const K_E5: usize = 160;
export const K_EXPLO: usize = 176;
export const K_EXPHI: usize = 192;
export const K_127: usize = 208;
export const K_SQRT2: usize = 224;
export const K_LN2: usize = 240;
export const K_L0: usize = 256; // 7 coefficients of log, 256..352
export const K_MINNORM: usize = 368;
export const K_2P23: usize = 384;
export const K_MANT: usize = 400;
export const K_HALFEXP: usize = 416;
export const K_126: usize = 432;
export const K_23: usize = 448;
export const K_SQRTHF: usize = 464;
export const K_INF: usize = 480;
export const K_NINF: usize = 496;
export const K_NAN: usize = 512;
export const K_M100: usize = 528;
export const K_EPS12: usize = 544;
export const K_FASTLO: usize = 560;
export const K_NEGONE: usize = 576;
export const K_LANES: usize = 592;
export const K_SIGN: usize = 608;
export const K_TWO: usize = 624;
export const K_AT: usize = 640; // 4 coefficients of log1p's atanh series, 640..688
export const K_MAGIC127: usize = 736;
// the largest float32 z whose exp(z) rounds to a finite float (soft margin's overflow to inf)
export const K_OVER: usize = 1104;
// float64 (f64x2) constants for vexpNeg64, from 768
export const K64_LOG2E: usize = 768;
export const K64_MAGIC1023: usize = 784;
export const K64_LN2HI: usize = 800;
export const K64_LN2LO: usize = 816;
export const K64_LO: usize = 832;
export const K64_ZERO: usize = 848;
export const K64_NINF: usize = 864;
export const K64_C: usize = 880; // 1/k!, k = 0..13, 880..1088

const LOG_COEF: StaticArray<f32> = [
  0.3333390951156616, -0.2500133514404297, 0.19963084161281586, -0.16577675938606262, 0.14914631843566895,
  -0.14266666769981384, 0.08699774742126465,
];

const LOG1P_COEF: StaticArray<f32> = [0.08333302289247513, 0.012506726197898388, 0.0021876441314816475, 0.0005471050972118974];

/** Writes the constant table; every instance (main thread and workers) calls it once, through kernels.ts's init(). */
export function writeTable(): void {
  v128.store(KT + K_ONE, f32x4.splat(1.0));
  v128.store(KT + K_HALF, f32x4.splat(0.5));
  v128.store(KT + K_ZERO, f32x4.splat(0.0));
  v128.store(KT + K_LOG2E, f32x4.splat(1.44269504088896341));
  v128.store(KT + K_MAGIC, f32x4.splat(12582912.0)); // 1.5 * 2^23: adding it rounds to an integer
  v128.store(KT + K_LN2HI, f32x4.splat(0.693359375));
  v128.store(KT + K_LN2LO, f32x4.splat(-2.12194440e-4));
  // minimax e^r = 1 + r + r^2 (e2 + r (e3 + r (e4 + r e5))) on |r| <= ln2/2: relative error 1.1e-7
  v128.store(KT + K_E2, f32x4.splat(0.499992311000824));
  v128.store(KT + K_E3, f32x4.splat(0.16667114198207855));
  v128.store(KT + K_E4, f32x4.splat(0.04189005494117737));
  v128.store(KT + K_E5, f32x4.splat(0.008312487974762917));
  v128.store(KT + K_EXPLO, f32x4.splat(-104.0));
  v128.store(KT + K_EXPHI, f32x4.splat(89.0));
  v128.store(KT + K_127, i32x4.splat(127));
  v128.store(KT + K_SQRT2, f32x4.splat(1.41421356237));
  v128.store(KT + K_LN2, f32x4.splat(0.693147180559945));
  for (let i = 0; i < 7; i++) v128.store(KT + K_L0 + <usize>(16 * i), f32x4.splat(unchecked(LOG_COEF[i])));
  v128.store(KT + K_MINNORM, f32x4.splat(1.17549435e-38));
  v128.store(KT + K_2P23, f32x4.splat(8388608.0));
  v128.store(KT + K_MANT, i32x4.splat(0x007fffff));
  v128.store(KT + K_HALFEXP, i32x4.splat(0x3f000000));
  v128.store(KT + K_126, i32x4.splat(126));
  v128.store(KT + K_23, i32x4.splat(23));
  v128.store(KT + K_SQRTHF, f32x4.splat(0.707106781186547524));
  v128.store(KT + K_INF, f32x4.splat(Infinity));
  v128.store(KT + K_NINF, f32x4.splat(-Infinity));
  v128.store(KT + K_NAN, f32x4.splat(NaN));
  v128.store(KT + K_M100, f32x4.splat(-100.0));
  v128.store(KT + K_EPS12, f32x4.splat(1e-12));
  v128.store(KT + K_FASTLO, f32x4.splat(-87.0));
  v128.store(KT + K_NEGONE, f32x4.splat(-1.0));
  v128.store(KT + K_LANES, i32x4(0, 1, 2, 3));
  v128.store(KT + K_SIGN, i32x4.splat(0x80000000));
  v128.store(KT + K_TWO, f32x4.splat(2.0));
  v128.store(KT + K_MAGIC127, f32x4.splat(12583039.0)); // 1.5 * 2^23 + 127
  v128.store(KT + K_OVER, f32x4.splat(88.72283935546875));
  v128.store(KT + K64_LOG2E, f64x2.splat(1.4426950408889634));
  v128.store(KT + K64_MAGIC1023, f64x2.splat(6755399441055744.0 + 1023.0)); // 1.5 * 2^52 + 1023
  v128.store(KT + K64_LN2HI, f64x2.splat(6.93147180369123816490e-1)); // fdlibm's: n ln2hi is exact
  v128.store(KT + K64_LN2LO, f64x2.splat(1.90821492927058770002e-10));
  v128.store(KT + K64_LO, f64x2.splat(-708.0));
  v128.store(KT + K64_ZERO, f64x2.splat(0.0));
  v128.store(KT + K64_NINF, f64x2.splat(-Infinity));
  let f: f64 = 1;
  for (let k = 0; k < 14; k++) {
    if (k > 0) f *= <f64>k;
    v128.store(KT + K64_C + <usize>(16 * k), f64x2.splat(1.0 / f));
  }
  // P(z) of log1p in BCE with logits: a weighted least-squares (Lawson) fit on z in [0, 4/9] of
  // the atanh series' tail, relative error of log1p 5.4e-9 with float32 coefficients (the series
  // itself, 1/12, 1/80, 1/448, ..., needs 6 terms for 1.4e-8)
  for (let j = 0; j < 4; j++) v128.store(KT + K_AT + <usize>(16 * j), f32x4.splat(unchecked(LOG1P_COEF[j])));
}

/** The polynomial part of e^x after the Cody-Waite reduction: returns p = e^r and sets n. */
// @ts-ignore: decorator
@inline export function expPoly(x: v128, t: v128, magic: usize): v128 {
  const n = f32x4.sub(t, kv(magic));
  let r = f32x4.sub(x, f32x4.mul(n, kv(K_LN2HI)));
  r = f32x4.sub(r, f32x4.mul(n, kv(K_LN2LO)));
  // Estrin's scheme, not Horner's: (e2 + e3 r) + r^2 (e4 + e5 r) has three dependent steps
  // where Horner has six, and the kernels wait on this chain more than they compute
  const r2 = f32x4.mul(r, r);
  const lo = f32x4.add(f32x4.mul(kv(K_E3), r), kv(K_E2));
  const hi = f32x4.add(f32x4.mul(kv(K_E5), r), kv(K_E4));
  const p = f32x4.add(lo, f32x4.mul(r2, hi));
  return f32x4.add(f32x4.add(f32x4.mul(p, r2), r), kv(K_ONE));
}

/**
 * e^x for four float32 lanes, relative error below 3e-7: Cody-Waite reduction x = n ln2 + r,
 * a degree-5 minimax polynomial, and 2^n split in two factors so that results down in the
 * subnormal range (x >= -103.9) and overflow (x > 88.72 gives inf) come out right. NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function vexp(x0: v128): v128 {
  // pmax/pmin with x first keep NaN (pmax(a, b) = a < b ? b : a)
  const x = f32x4.pmin(f32x4.pmax(x0, kv(K_EXPLO)), kv(K_EXPHI));
  const t = f32x4.add(f32x4.mul(x, kv(K_LOG2E)), kv(K_MAGIC));
  const p = expPoly(x, t, K_MAGIC);
  const ni = i32x4.sub(t, kv(K_MAGIC)); // integer n: difference of the bit patterns
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(n1, kv(K_127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, n1), kv(K_127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * e^x for x <= 0 where results below 2^-125 may be 0 (softmax terms, exp(-|x|)): one scale
 * factor, lanes under -87 flushed to 0. NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function vexpNeg(x0: v128): v128 {
  const lo = kv(K_FASTLO);
  const x = f32x4.pmax(x0, lo);
  // rounding with 1.5 * 2^23 + 127 leaves n + 127 in the low mantissa bits, and the shift drops
  // everything above them: 2^n in one integer op instead of three (the exponential is most of
  // cross entropy's time). Same results as with 1.5 * 2^23 except where x log2(e) is an exact
  // tie, rounded the other way (1 in 4M inputs, 1 ulp)
  const t = f32x4.add(f32x4.mul(x, kv(K_LOG2E)), kv(K_MAGIC127));
  const p = expPoly(x, t, K_MAGIC127);
  const s = i32x4.shl(t, 23);
  return v128.andnot(f32x4.mul(p, s), f32x4.lt(x0, lo));
}

/** log(m) + k ln2 where f = m - 1 lies in [sqrt(1/2) - 1, sqrt(2) - 1]: f - f^2/2 + f^3 Q(f). */
// @ts-ignore: decorator
@inline export function logPoly(f: v128, kln2: v128): v128 {
  // Estrin's scheme (see expPoly): (c0 + c1 f + f^2 (c2 + c3 f)) + f^4 (c4 + c5 f + f^2 c6)
  const z = f32x4.mul(f, f);
  const z2 = f32x4.mul(z, z);
  const c01 = f32x4.add(f32x4.mul(kv(K_L0 + 16), f), kv(K_L0));
  const c23 = f32x4.add(f32x4.mul(kv(K_L0 + 48), f), kv(K_L0 + 32));
  const c45 = f32x4.add(f32x4.mul(kv(K_L0 + 80), f), kv(K_L0 + 64));
  const c03 = f32x4.add(c01, f32x4.mul(z, c23));
  const c46 = f32x4.add(c45, f32x4.mul(z, kv(K_L0 + 96)));
  const q = f32x4.add(c03, f32x4.mul(z2, c46));
  const y = f32x4.sub(f32x4.mul(f32x4.mul(q, z), f), f32x4.mul(z, kv(K_HALF)));
  return f32x4.add(f32x4.add(f, y), kln2);
}

/**
 * Natural log for four float32 lanes (relative error below 3e-7): subnormals are scaled by 2^23
 * first; log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function vlog(x0: v128): v128 {
  const tiny = f32x4.lt(x0, kv(K_MINNORM));
  const x = v128.bitselect(f32x4.mul(x0, kv(K_2P23)), x0, tiny);
  let e = i32x4.sub(i32x4.shr_u(x, 23), kv(K_126));
  e = i32x4.sub(e, v128.and(tiny, kv(K_23)));
  // mantissa in [0.5, 1), moved to [sqrt(1/2), sqrt(2)) with the exponent adjusted
  const m = v128.or(v128.and(x, kv(K_MANT)), kv(K_HALFEXP));
  const small = f32x4.lt(m, kv(K_SQRTHF));
  e = i32x4.add(e, small); // small lanes are -1 (all bits set)
  const f = f32x4.sub(f32x4.add(m, v128.and(small, m)), kv(K_ONE));
  let r = logPoly(f, f32x4.mul(f32x4.convert_i32x4_s(e), kv(K_LN2)));
  // special values
  r = v128.bitselect(kv(K_NINF), r, f32x4.eq(x0, kv(K_ZERO)));
  r = v128.bitselect(kv(K_INF), r, f32x4.eq(x0, kv(K_INF)));
  r = v128.bitselect(kv(K_NAN), r, f32x4.lt(x0, kv(K_ZERO)));
  return v128.bitselect(x0, r, f32x4.ne(x0, x0));
}

/** log(1 + u) without cancellation (Goldberg): log(w) * u / (w - 1) with w = 1 + u, u where w == 1. */
// @ts-ignore: decorator
@inline export function vlog1p(u: v128): v128 {
  const w = f32x4.add(u, kv(K_ONE));
  const d = f32x4.sub(w, kv(K_ONE));
  let r = f32x4.mul(vlog(w), f32x4.div(u, d));
  r = v128.bitselect(u, r, f32x4.eq(d, kv(K_ZERO)));
  // u = +inf: inf/inf would give NaN
  return v128.bitselect(u, r, f32x4.eq(u, kv(K_INF)));
}


// @ts-ignore: decorator
@inline export function sumLo(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v));
}
// @ts-ignore: decorator
@inline export function sumHi(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}
