// Fused value and gradient of the pointwise losses of src/kernels/pointwise.ts (soft margin,
// Poisson NLL with log input and with rates, Gaussian NLL) for 'mean' and 'sum', float32 SIMD128:
// one pass returns Σ loss (f64 lanes) and writes the gradient `dloss/dx * seed` at gp (which may
// be xp: each element is read before its gradient is written). Called per chunk by
// src/kernels/threads.ts (JOB_POINTWISE). Tails (n % 4) go through the thread's 64-byte scratch.
//
// The vector exp and log and their constant table are assembly/vmath.ts's, shared with kernels.ts.

import { kv, vexp, vexpNeg, vlog, sumLo, sumHi, K_AT, K_HALF, K_INF, K_LANES, K_NAN, K_ONE, K_OVER, K_SIGN, K_TWO, K_ZERO } from './vmath';

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
@inline function pbody(kind: i32, hasG: bool, hasGz: bool, x: v128, y: v128, z: v128, gp: usize, gzp: usize, seed: v128, param: v128, extra: v128): v128 {
  if (kind == SOFT_MARGIN) {
    // log1p(exp(z)), z = -x y, as max(z, 0) + log1p(e) with e = exp(-|z|) in [0, 1] (BCE with
    // logits' atanh series: no log, no cancellation); inf above the float32 overflow of exp(z), as
    // PyTorch's log1p(exp(z)). Gradient -y e^z / (1 + e^z) = -y sigmoid(z), NaN (inf / inf) there
    const z = f32x4.neg(f32x4.mul(x, y));
    const e = vexpNeg(v128.or(z, kv(K_SIGN)));
    const one = kv(K_ONE);
    const t = f32x4.div(f32x4.add(e, e), f32x4.add(kv(K_TWO), e));
    const zz = f32x4.mul(t, t);
    const q01 = f32x4.add(f32x4.mul(kv(K_AT + 16), zz), kv(K_AT));
    const q23 = f32x4.add(f32x4.mul(kv(K_AT + 48), zz), kv(K_AT + 32));
    const q = f32x4.add(q01, f32x4.mul(f32x4.mul(zz, zz), q23));
    const lp = f32x4.add(t, f32x4.mul(t, f32x4.mul(zz, q)));
    const over = f32x4.gt(z, kv(K_OVER));
    const l = v128.bitselect(kv(K_INF), f32x4.add(f32x4.pmax(z, kv(K_ZERO)), lp), over);
    if (hasG) {
      const inv = f32x4.div(one, f32x4.add(one, e));
      const sig = v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(z, kv(K_ZERO)));
      const g = f32x4.mul(f32x4.neg(f32x4.mul(y, sig)), seed);
      v128.store(gp, v128.bitselect(kv(K_NAN), g, over));
    }
    return l;
  }
  if (kind == POISSON_LOG) {
    // exp(x) - y x; gradient exp(x) - y
    const e = vexp(x);
    if (hasG) v128.store(gp, f32x4.sub(f32x4.mul(seed, e), f32x4.mul(seed, y)));
    return f32x4.sub(e, f32x4.mul(y, x));
  }
  if (kind == POISSON_RATE) {
    // x - y log(x + eps); gradient 1 - y / (x + eps)
    const r = f32x4.add(x, param);
    if (hasG) v128.store(gp, f32x4.sub(seed, f32x4.div(f32x4.mul(seed, y), r)));
    return f32x4.sub(x, f32x4.mul(y, vlog(r)));
  }
  if (kind == MARGIN_RANKING) {
    // x, y the two inputs, z the target: max(-z (x - y) + margin, 0) (0 at -inf, NaN kept);
    // gradient for x -z where the hinge is active (times a 0/1 float: 0 · NaN is NaN as in the loop)
    const v = f32x4.add(f32x4.neg(f32x4.mul(z, f32x4.sub(x, y))), param);
    if (hasG) v128.store(gp, f32x4.mul(f32x4.mul(seed, v128.and(f32x4.ge(v, kv(K_ZERO)), kv(K_ONE))), f32x4.neg(z)));
    return f32x4.pmax(v, kv(K_ZERO));
  }
  // GAUSSIAN: ½ (log v + (x - y)² / v) (+ ½ log 2π), v clamped below at eps (NaN kept); gradient
  // (x - y) / v, and (hasGz) for the variance ½ (1 - (x - y)² / v) / v at the clamped value
  const v = f32x4.pmax(z, param);
  const d = f32x4.sub(x, y);
  const q = f32x4.div(f32x4.mul(d, d), v);
  if (hasG) v128.store(gp, f32x4.div(f32x4.mul(seed, d), v));
  if (hasGz) v128.store(gzp, f32x4.div(f32x4.mul(f32x4.mul(kv(K_HALF), seed), f32x4.sub(kv(K_ONE), q)), v));
  const l = f32x4.mul(kv(K_HALF), f32x4.add(vlog(v), q));
  return f32x4.add(l, extra);
}

// @ts-ignore: decorator
@inline function prun(kind: i32, hasG: bool, hasGz: bool, xp: usize, yp: usize, zp: usize, n: i32, seed: f32, param: f32, extra: f32, gp: usize, gzp: usize, scratch: usize): f64 {
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
    const l0 = pbody(kind, hasG, hasGz, v128.load(xp + o), v128.load(yp + o), z0, gp + o, gzp + o, vs, vp, ve);
    const l1 = pbody(kind, hasG, hasGz, v128.load(xp + o + 16), v128.load(yp + o + 16), z1, gp + o + 16, gzp + o + 16, vs, vp, ve);
    s0 = sumLo(s0, l0);
    s1 = sumHi(s1, l0);
    s2 = sumLo(s2, l1);
    s3 = sumHi(s3, l1);
  }
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    const l = pbody(kind, hasG, hasGz, v128.load(xp + o), v128.load(yp + o), three ? v128.load(zp + o) : vs, gp + o, gzp + o, vs, vp, ve);
    s0 = sumLo(s0, l);
    s1 = sumHi(s1, l);
  }
  const k = n - n4;
  if (k > 0) {
    const o = (<usize>n4) << 2;
    // padding lanes hold 1 (harmless for every formula); their losses are masked off
    v128.store(scratch, kv(K_ONE));
    v128.store(scratch + 16, kv(K_ONE));
    v128.store(scratch + 32, kv(K_ONE));
    for (let j = 0; j < k; j++) {
      const b = (<usize>j) << 2;
      store<f32>(scratch + b, load<f32>(xp + o + b));
      store<f32>(scratch + 16 + b, load<f32>(yp + o + b));
      if (three) store<f32>(scratch + 32 + b, load<f32>(zp + o + b));
    }
    const mask = i32x4.lt_s(kv(K_LANES), i32x4.splat(k));
    // z's gradient goes over z's padded copy (loaded before it is written)
    const l = v128.and(pbody(kind, hasG, hasGz, v128.load(scratch), v128.load(scratch + 16), three ? v128.load(scratch + 32) : vs, scratch + 48, scratch + 32, vs, vp, ve), mask);
    s0 = sumLo(s0, l);
    s1 = sumHi(s1, l);
    if (hasG) for (let j = 0; j < k; j++) store<f32>(gp + o + ((<usize>j) << 2), load<f32>(scratch + 48 + ((<usize>j) << 2)));
    if (hasGz) for (let j = 0; j < k; j++) store<f32>(gzp + o + ((<usize>j) << 2), load<f32>(scratch + 32 + ((<usize>j) << 2)));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * The pointwise losses over n elements: kind 0 soft margin, 1 Poisson NLL (log input), 2 Poisson
 * NLL (rates; param eps), 3 Gaussian NLL (zp the variance, param its floor eps, extra ½ log 2π
 * or 0), 4 margin ranking (yp the second input, zp the target, param the margin). Returns Σ
 * loss; gp 0: the value alone. gzp (Gaussian only, with gp): the variance's gradient, which may be zp.
 */
export function pointwise(kind: i32, xp: usize, yp: usize, zp: usize, n: i32, seed: f32, param: f32, extra: f32, gp: usize, gzp: usize, scratch: usize): f64 {
  const g = gp != 0;
  switch (kind) {
    case SOFT_MARGIN:
      return g ? prun(SOFT_MARGIN, true, false, xp, yp, 0, n, seed, param, extra, gp, 0, scratch) : prun(SOFT_MARGIN, false, false, xp, yp, 0, n, seed, param, extra, 0, 0, scratch);
    case POISSON_LOG:
      return g ? prun(POISSON_LOG, true, false, xp, yp, 0, n, seed, param, extra, gp, 0, scratch) : prun(POISSON_LOG, false, false, xp, yp, 0, n, seed, param, extra, 0, 0, scratch);
    case POISSON_RATE:
      return g ? prun(POISSON_RATE, true, false, xp, yp, 0, n, seed, param, extra, gp, 0, scratch) : prun(POISSON_RATE, false, false, xp, yp, 0, n, seed, param, extra, 0, 0, scratch);
    case MARGIN_RANKING:
      return g ? prun(MARGIN_RANKING, true, false, xp, yp, zp, n, seed, param, extra, gp, 0, scratch) : prun(MARGIN_RANKING, false, false, xp, yp, zp, n, seed, param, extra, 0, 0, scratch);
    default:
      if (gzp != 0) return prun(GAUSSIAN, true, true, xp, yp, zp, n, seed, param, extra, gp, gzp, scratch);
      return g ? prun(GAUSSIAN, true, false, xp, yp, zp, n, seed, param, extra, gp, 0, scratch) : prun(GAUSSIAN, false, false, xp, yp, zp, n, seed, param, extra, 0, 0, scratch);
  }
}
