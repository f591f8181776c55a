// Fused value and gradient of the pointwise losses of src/kernels/pointwise.ts (soft margin,
// Poisson NLL with log input and with rates, Gaussian NLL) for 'mean' and 'sum', float32 SIMD128:
// one pass returns Σ loss (f64 lanes) and writes the gradient `dloss/dx * seed` at gp (which may
// be xp: each element is read before its gradient is written). Called per chunk by
// src/kernels/threads.ts (JOB_POINTWISE). Tails (n % 4) go through the thread's 64-byte scratch.
//
// The vector exp and log are kernels.ts's (same reduction, polynomials and special values), kept
// here with their own constant table at PT: kernels.ts's are private to it. PT lies in the first
// 64 KiB, which JavaScript never allocates, above kernels.ts's table (0xe000..0xe450) and below
// the thread pool's control block (0xf000); each instance writes it on its first call.

const PT: usize = 0xe800;
const P_ONE: usize = 0;
const P_HALF: usize = 16;
const P_ZERO: usize = 32;
const P_LOG2E: usize = 48;
const P_MAGIC: usize = 64;
const P_LN2HI: usize = 80;
const P_LN2LO: usize = 96;
const P_E2: usize = 112;
const P_E3: usize = 128;
const P_E4: usize = 144;
const P_E5: usize = 160;
const P_EXPLO: usize = 176;
const P_EXPHI: usize = 192;
const P_127: usize = 208;
const P_LN2: usize = 224;
const P_L0: usize = 240; // 7 coefficients of log, 240..336
const P_MINNORM: usize = 352;
const P_2P23: usize = 368;
const P_MANT: usize = 384;
const P_HALFEXP: usize = 400;
const P_126: usize = 416;
const P_23: usize = 432;
const P_SQRTHF: usize = 448;
const P_INF: usize = 464;
const P_NINF: usize = 480;
const P_NAN: usize = 496;
const P_LANES: usize = 512;
const P_FASTLO: usize = 528;
const P_MAGIC127: usize = 544;
const P_SIGN: usize = 560;
const P_TWO: usize = 576;
const P_OVER: usize = 592;
const P_AT: usize = 608; // 4 coefficients of log1p's atanh series, 608..656

// kernels.ts's LOG1P_COEF: log1p(e) for e in [0, 1] as t + t z P(z), t = 2e / (2 + e), z = t^2
const P_AT_COEF: StaticArray<f32> = [0.08333302289247513, 0.012506726197898388, 0.0021876441314816475, 0.0005471050972118974];

const P_LOG_COEF: StaticArray<f32> = [
  0.3333390951156616, -0.2500133514404297, 0.19963084161281586, -0.16577675938606262, 0.14914631843566895,
  -0.14266666769981384, 0.08699774742126465,
];

let tableReady = false;

function writeTable(): void {
  v128.store(PT + P_ONE, f32x4.splat(1.0));
  v128.store(PT + P_HALF, f32x4.splat(0.5));
  v128.store(PT + P_ZERO, f32x4.splat(0.0));
  v128.store(PT + P_LOG2E, f32x4.splat(1.44269504088896341));
  v128.store(PT + P_MAGIC, f32x4.splat(12582912.0));
  v128.store(PT + P_LN2HI, f32x4.splat(0.693359375));
  v128.store(PT + P_LN2LO, f32x4.splat(-2.12194440e-4));
  v128.store(PT + P_E2, f32x4.splat(0.499992311000824));
  v128.store(PT + P_E3, f32x4.splat(0.16667114198207855));
  v128.store(PT + P_E4, f32x4.splat(0.04189005494117737));
  v128.store(PT + P_E5, f32x4.splat(0.008312487974762917));
  v128.store(PT + P_EXPLO, f32x4.splat(-104.0));
  v128.store(PT + P_EXPHI, f32x4.splat(89.0));
  v128.store(PT + P_127, i32x4.splat(127));
  v128.store(PT + P_LN2, f32x4.splat(0.693147180559945));
  for (let i = 0; i < 7; i++) v128.store(PT + P_L0 + <usize>(16 * i), f32x4.splat(unchecked(P_LOG_COEF[i])));
  v128.store(PT + P_MINNORM, f32x4.splat(1.17549435e-38));
  v128.store(PT + P_2P23, f32x4.splat(8388608.0));
  v128.store(PT + P_MANT, i32x4.splat(0x007fffff));
  v128.store(PT + P_HALFEXP, i32x4.splat(0x3f000000));
  v128.store(PT + P_126, i32x4.splat(126));
  v128.store(PT + P_23, i32x4.splat(23));
  v128.store(PT + P_SQRTHF, f32x4.splat(0.707106781186547524));
  v128.store(PT + P_INF, f32x4.splat(Infinity));
  v128.store(PT + P_NINF, f32x4.splat(-Infinity));
  v128.store(PT + P_NAN, f32x4.splat(NaN));
  v128.store(PT + P_LANES, i32x4(0, 1, 2, 3));
  v128.store(PT + P_FASTLO, f32x4.splat(-87.0));
  v128.store(PT + P_MAGIC127, f32x4.splat(12583039.0));
  v128.store(PT + P_SIGN, i32x4.splat(0x80000000));
  v128.store(PT + P_TWO, f32x4.splat(2.0));
  // exp(z) of float32 overflows to inf above this (the largest z whose exp rounds to a finite float)
  v128.store(PT + P_OVER, f32x4.splat(88.72283935546875));
  for (let j = 0; j < 4; j++) v128.store(PT + P_AT + <usize>(16 * j), f32x4.splat(unchecked(P_AT_COEF[j])));
  tableReady = true;
}

// @ts-ignore: decorator
@inline function pv(off: usize): v128 {
  return v128.load(PT + off);
}

/** e^x, four float32 lanes, relative error below 3e-7; subnormal results and overflow right, NaN kept. */
// @ts-ignore: decorator
@inline function pexp(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, pv(P_EXPLO)), pv(P_EXPHI));
  const t = f32x4.add(f32x4.mul(x, pv(P_LOG2E)), pv(P_MAGIC));
  const n = f32x4.sub(t, pv(P_MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, pv(P_LN2HI)));
  r = f32x4.sub(r, f32x4.mul(n, pv(P_LN2LO)));
  const r2 = f32x4.mul(r, r);
  const lo = f32x4.add(f32x4.mul(pv(P_E3), r), pv(P_E2));
  const hi = f32x4.add(f32x4.mul(pv(P_E5), r), pv(P_E4));
  const q = f32x4.add(lo, f32x4.mul(r2, hi));
  const p = f32x4.add(f32x4.add(f32x4.mul(q, r2), r), pv(P_ONE));
  const ni = i32x4.sub(t, pv(P_MAGIC));
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(n1, pv(P_127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, n1), pv(P_127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** e^x for x <= 0, results below 2^-125 flushed to 0 (kernels.ts's vexpNeg). NaN kept. */
// @ts-ignore: decorator
@inline function pexpNeg(x0: v128): v128 {
  const lo = pv(P_FASTLO);
  const x = f32x4.pmax(x0, lo);
  const t = f32x4.add(f32x4.mul(x, pv(P_LOG2E)), pv(P_MAGIC127));
  const n = f32x4.sub(t, pv(P_MAGIC127));
  let r = f32x4.sub(x, f32x4.mul(n, pv(P_LN2HI)));
  r = f32x4.sub(r, f32x4.mul(n, pv(P_LN2LO)));
  const r2 = f32x4.mul(r, r);
  const lo2 = f32x4.add(f32x4.mul(pv(P_E3), r), pv(P_E2));
  const hi = f32x4.add(f32x4.mul(pv(P_E5), r), pv(P_E4));
  const q = f32x4.add(lo2, f32x4.mul(r2, hi));
  const p = f32x4.add(f32x4.add(f32x4.mul(q, r2), r), pv(P_ONE));
  const s = i32x4.shl(t, 23);
  return v128.andnot(f32x4.mul(p, s), f32x4.lt(x0, lo));
}

/** Natural log, four float32 lanes (relative error below 3e-7): log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, NaN kept. */
// @ts-ignore: decorator
@inline function plog(x0: v128): v128 {
  const tiny = f32x4.lt(x0, pv(P_MINNORM));
  const x = v128.bitselect(f32x4.mul(x0, pv(P_2P23)), x0, tiny);
  let e = i32x4.sub(i32x4.shr_u(x, 23), pv(P_126));
  e = i32x4.sub(e, v128.and(tiny, pv(P_23)));
  const m = v128.or(v128.and(x, pv(P_MANT)), pv(P_HALFEXP));
  const small = f32x4.lt(m, pv(P_SQRTHF));
  e = i32x4.add(e, small);
  const f = f32x4.sub(f32x4.add(m, v128.and(small, m)), pv(P_ONE));
  const z = f32x4.mul(f, f);
  const z2 = f32x4.mul(z, z);
  const c01 = f32x4.add(f32x4.mul(pv(P_L0 + 16), f), pv(P_L0));
  const c23 = f32x4.add(f32x4.mul(pv(P_L0 + 48), f), pv(P_L0 + 32));
  const c45 = f32x4.add(f32x4.mul(pv(P_L0 + 80), f), pv(P_L0 + 64));
  const c03 = f32x4.add(c01, f32x4.mul(z, c23));
  const c46 = f32x4.add(c45, f32x4.mul(z, pv(P_L0 + 96)));
  const q = f32x4.add(c03, f32x4.mul(z2, c46));
  const y = f32x4.sub(f32x4.mul(f32x4.mul(q, z), f), f32x4.mul(z, pv(P_HALF)));
  let r = f32x4.add(f32x4.add(f, y), f32x4.mul(f32x4.convert_i32x4_s(e), pv(P_LN2)));
  r = v128.bitselect(pv(P_NINF), r, f32x4.eq(x0, pv(P_ZERO)));
  r = v128.bitselect(pv(P_INF), r, f32x4.eq(x0, pv(P_INF)));
  r = v128.bitselect(pv(P_NAN), r, f32x4.lt(x0, pv(P_ZERO)));
  return v128.bitselect(x0, r, f32x4.ne(x0, x0));
}

const SOFT_MARGIN = 0;
const POISSON_LOG = 1;
const POISSON_RATE = 2;
const GAUSSIAN = 3;
const MARGIN_RANKING = 4;

/**
 * One vector: returns the loss and (hasG) stores the gradient at gp. The formulas are
 * src/kernels/pointwise.ts's loops (PyTorch's, in float32).
 */
// @ts-ignore: decorator
@inline function pbody(kind: i32, hasG: bool, x: v128, y: v128, z: v128, gp: usize, seed: v128, param: v128, extra: v128): v128 {
  if (kind == SOFT_MARGIN) {
    // log1p(exp(z)), z = -x y, as max(z, 0) + log1p(e) with e = exp(-|z|) in [0, 1] (BCE with
    // logits' atanh series: no log, no cancellation); inf above the float32 overflow of exp(z), as
    // PyTorch's log1p(exp(z)). Gradient -y e^z / (1 + e^z) = -y sigmoid(z), NaN (inf / inf) there
    const z = f32x4.neg(f32x4.mul(x, y));
    const e = pexpNeg(v128.or(z, pv(P_SIGN)));
    const one = pv(P_ONE);
    const t = f32x4.div(f32x4.add(e, e), f32x4.add(pv(P_TWO), e));
    const zz = f32x4.mul(t, t);
    const q01 = f32x4.add(f32x4.mul(pv(P_AT + 16), zz), pv(P_AT));
    const q23 = f32x4.add(f32x4.mul(pv(P_AT + 48), zz), pv(P_AT + 32));
    const q = f32x4.add(q01, f32x4.mul(f32x4.mul(zz, zz), q23));
    const lp = f32x4.add(t, f32x4.mul(t, f32x4.mul(zz, q)));
    const over = f32x4.gt(z, pv(P_OVER));
    const l = v128.bitselect(pv(P_INF), f32x4.add(f32x4.pmax(z, pv(P_ZERO)), lp), over);
    if (hasG) {
      const inv = f32x4.div(one, f32x4.add(one, e));
      const sig = v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(z, pv(P_ZERO)));
      const g = f32x4.mul(f32x4.neg(f32x4.mul(y, sig)), seed);
      v128.store(gp, v128.bitselect(pv(P_NAN), g, over));
    }
    return l;
  }
  if (kind == POISSON_LOG) {
    // exp(x) - y x; gradient exp(x) - y
    const e = pexp(x);
    if (hasG) v128.store(gp, f32x4.sub(f32x4.mul(seed, e), f32x4.mul(seed, y)));
    return f32x4.sub(e, f32x4.mul(y, x));
  }
  if (kind == POISSON_RATE) {
    // x - y log(x + eps); gradient 1 - y / (x + eps)
    const r = f32x4.add(x, param);
    if (hasG) v128.store(gp, f32x4.sub(seed, f32x4.div(f32x4.mul(seed, y), r)));
    return f32x4.sub(x, f32x4.mul(y, plog(r)));
  }
  if (kind == MARGIN_RANKING) {
    // x, y the two inputs, z the target: max(-z (x - y) + margin, 0) (0 at -inf, NaN kept);
    // gradient for x -z where the hinge is active (times a 0/1 float: 0 · NaN is NaN as in the loop)
    const v = f32x4.add(f32x4.neg(f32x4.mul(z, f32x4.sub(x, y))), param);
    if (hasG) v128.store(gp, f32x4.mul(f32x4.mul(seed, v128.and(f32x4.ge(v, pv(P_ZERO)), pv(P_ONE))), f32x4.neg(z)));
    return f32x4.pmax(v, pv(P_ZERO));
  }
  // GAUSSIAN: ½ (log v + (x - y)² / v) (+ ½ log 2π), v clamped below at eps (NaN kept); gradient (x - y) / v
  const v = f32x4.pmax(z, param);
  const d = f32x4.sub(x, y);
  if (hasG) v128.store(gp, f32x4.div(f32x4.mul(seed, d), v));
  const l = f32x4.mul(pv(P_HALF), f32x4.add(plog(v), f32x4.div(f32x4.mul(d, d), v)));
  return f32x4.add(l, extra);
}

// @ts-ignore: decorator
@inline function psumLo(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v));
}
// @ts-ignore: decorator
@inline function psumHi(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

// @ts-ignore: decorator
@inline function prun(kind: i32, hasG: bool, xp: usize, yp: usize, zp: usize, n: i32, seed: f32, param: f32, extra: f32, gp: usize, scratch: usize): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  const vs = f32x4.splat(seed);
  const vp = f32x4.splat(param);
  const ve = f32x4.splat(extra);
  const three = kind == GAUSSIAN || kind == MARGIN_RANKING;
  const n4 = n & ~3;
  let i = 0;
  // two vectors per iteration, so that the exp/log chains of the pair overlap; each vector's loss
  // goes to f64 lanes of its own (as the TypeScript loop, no f32 sum of a pair)
  for (; i + 8 <= n4; i += 8) {
    const o = (<usize>i) << 2;
    const z0 = three ? v128.load(zp + o) : vs;
    const z1 = three ? v128.load(zp + o + 16) : vs;
    const l0 = pbody(kind, hasG, v128.load(xp + o), v128.load(yp + o), z0, gp + o, vs, vp, ve);
    const l1 = pbody(kind, hasG, v128.load(xp + o + 16), v128.load(yp + o + 16), z1, gp + o + 16, vs, vp, ve);
    s0 = psumLo(s0, l0);
    s1 = psumHi(s1, l0);
    s2 = psumLo(s2, l1);
    s3 = psumHi(s3, l1);
  }
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const l = pbody(kind, hasG, v128.load(xp + o), v128.load(yp + o), three ? v128.load(zp + o) : vs, gp + o, vs, vp, ve);
    s0 = psumLo(s0, l);
    s1 = psumHi(s1, l);
  }
  const k = n - n4;
  if (k > 0) {
    const o = (<usize>n4) << 2;
    // padding lanes hold 1 (harmless for every formula); their losses are masked off
    v128.store(scratch, pv(P_ONE));
    v128.store(scratch + 16, pv(P_ONE));
    v128.store(scratch + 32, pv(P_ONE));
    for (let j = 0; j < k; j++) {
      const b = (<usize>j) << 2;
      store<f32>(scratch + b, load<f32>(xp + o + b));
      store<f32>(scratch + 16 + b, load<f32>(yp + o + b));
      if (three) store<f32>(scratch + 32 + b, load<f32>(zp + o + b));
    }
    const mask = i32x4.lt_s(pv(P_LANES), i32x4.splat(k));
    const l = v128.and(pbody(kind, hasG, v128.load(scratch), v128.load(scratch + 16), three ? v128.load(scratch + 32) : vs, scratch + 48, vs, vp, ve), mask);
    s0 = psumLo(s0, l);
    s1 = psumHi(s1, l);
    if (hasG) for (let j = 0; j < k; j++) store<f32>(gp + o + ((<usize>j) << 2), load<f32>(scratch + 48 + ((<usize>j) << 2)));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * The pointwise losses over n elements: kind 0 soft margin, 1 Poisson NLL (log input), 2 Poisson
 * NLL (rates; param eps), 3 Gaussian NLL (zp the variance, param its floor eps, extra ½ log 2π
 * or 0), 4 margin ranking (yp the second input, zp the target, param the margin). Returns Σ
 * loss; gp 0: the value alone.
 */
export function pointwise(kind: i32, xp: usize, yp: usize, zp: usize, n: i32, seed: f32, param: f32, extra: f32, gp: usize, scratch: usize): f64 {
  if (!tableReady) writeTable();
  const g = gp != 0;
  switch (kind) {
    case SOFT_MARGIN:
      return g ? prun(SOFT_MARGIN, true, xp, yp, 0, n, seed, param, extra, gp, scratch) : prun(SOFT_MARGIN, false, xp, yp, 0, n, seed, param, extra, 0, scratch);
    case POISSON_LOG:
      return g ? prun(POISSON_LOG, true, xp, yp, 0, n, seed, param, extra, gp, scratch) : prun(POISSON_LOG, false, xp, yp, 0, n, seed, param, extra, 0, scratch);
    case POISSON_RATE:
      return g ? prun(POISSON_RATE, true, xp, yp, 0, n, seed, param, extra, gp, scratch) : prun(POISSON_RATE, false, xp, yp, 0, n, seed, param, extra, 0, scratch);
    case MARGIN_RANKING:
      return g ? prun(MARGIN_RANKING, true, xp, yp, zp, n, seed, param, extra, gp, scratch) : prun(MARGIN_RANKING, false, xp, yp, zp, n, seed, param, extra, 0, scratch);
    default:
      return g ? prun(GAUSSIAN, true, xp, yp, zp, n, seed, param, extra, gp, scratch) : prun(GAUSSIAN, false, xp, yp, zp, n, seed, param, extra, 0, scratch);
  }
}
