// Float64 elementwise regression losses (MSE, L1, smooth L1, Huber) over f64x2: value and gradient
// in one pass, each element computed with the operations of PyTorch's float64 CPU kernels in their
// order (so loss and gradient equal PyTorch's bit for bit; only the sum's order differs).
//
// Same conventions as kernels.ts's `elementwise`: a range [start, start + n) of the whole problem,
// Σ loss returned in f64, the loss written to lp and the gradient to gp where those are not 0
// (gp may be xp, lp may be yp: each element is read before its results are written). gp 0: the
// value alone, no gradient pass. The thread's 64-byte `scratch` holds the vector constants (a load
// from memory is one operand; V8 rebuilds a v128.const inside a loop with several instructions).

const MSE = 0;
const L1 = 1;
const SMOOTH_L1 = 2;
const HUBER = 3;

const C_HALF: usize = 0;
const C_ONE: usize = 16;
const C_NEGONE: usize = 32;

/**
 * One vector (two elements) of loss; stores the gradient at gp when `grad`. PyTorch's formulas,
 * with g = 1 and norm = scale (1/N for 'mean'):
 *  MSE      (x - y)^2;                       grad (2 norm) (x - y)
 *  L1       |d|;                             grad sgn(d) norm (sgn(0) = sgn(NaN) = 0)
 *  smooth   z < b ? 0.5 z z / b : z - 0.5 b; grad norm (|d| >= b ? ±1 : d / b)
 *  Huber    z < c ? 0.5 z z : c (z - 0.5 c); grad norm (d <= -c ? -c : d >= c ? c : d)
 */
// @ts-ignore: decorator
@inline function body64(kind: i32, grad: bool, x: v128, y: v128, gp: usize, k: usize, scale: v128, param: v128, nparam: v128, hparam: v128): v128 {
  const d = f64x2.sub(x, y);
  if (kind == MSE) {
    if (grad) v128.store(gp, f64x2.mul(f64x2.add(d, d), scale));
    return f64x2.mul(d, d);
  }
  const zero = f64x2.splat(0);
  if (kind == L1) {
    if (grad) {
      const sg = v128.or(v128.and(f64x2.gt(d, zero), v128.load(k + C_ONE)), v128.and(f64x2.lt(d, zero), v128.load(k + C_NEGONE)));
      v128.store(gp, f64x2.mul(sg, scale));
    }
    return f64x2.abs(d);
  }
  const z = f64x2.abs(d);
  const inside = f64x2.lt(z, param);
  const half = v128.load(k + C_HALF);
  if (kind == SMOOTH_L1) {
    if (grad) {
      // PyTorch's vector kernel: blendv(d / b, d > 0 ? 1 : -1, |d| >= b); NaN d stays NaN
      const pm = v128.bitselect(v128.load(k + C_ONE), v128.load(k + C_NEGONE), f64x2.gt(d, zero));
      v128.store(gp, f64x2.mul(scale, v128.bitselect(pm, f64x2.div(d, param), f64x2.ge(z, param))));
    }
    return v128.bitselect(f64x2.div(f64x2.mul(f64x2.mul(half, z), z), param), f64x2.sub(z, hparam), inside);
  }
  if (grad) {
    const g = v128.bitselect(nparam, v128.bitselect(param, d, f64x2.ge(d, param)), f64x2.le(d, nparam));
    v128.store(gp, f64x2.mul(scale, g));
  }
  return v128.bitselect(f64x2.mul(f64x2.mul(half, z), z), f64x2.mul(param, f64x2.sub(z, hparam)), inside);
}

// @ts-ignore: decorator
@inline function run64(kind: i32, grad: bool, xp: usize, yp: usize, n: i32, scale: f64, param: f64, lp: usize, gp: usize, k: usize): f64 {
  v128.store(k + C_HALF, f64x2.splat(0.5));
  v128.store(k + C_ONE, f64x2.splat(1.0));
  v128.store(k + C_NEGONE, f64x2.splat(-1.0));
  const vs = f64x2.splat(scale);
  const vp = f64x2.splat(param);
  const vnp = f64x2.splat(-param);
  const vhp = f64x2.splat(0.5 * param);
  let s0 = f64x2.splat(0);
  let s1 = s0;
  const n2 = n & ~1;
  let i = 0;
  // two vectors per iteration, two sums: the additions of one do not wait for the other's
  for (; i + 4 <= n2; i += 4) {
    const o = (<usize>i) << 3;
    const l0 = body64(kind, grad, v128.load(xp + o), v128.load(yp + o), gp + o, k, vs, vp, vnp, vhp);
    const l1 = body64(kind, grad, v128.load(xp + o + 16), v128.load(yp + o + 16), gp + o + 16, k, vs, vp, vnp, vhp);
    if (lp) {
      v128.store(lp + o, l0);
      v128.store(lp + o + 16, l1);
    }
    s0 = f64x2.add(s0, l0);
    s1 = f64x2.add(s1, l1);
  }
  for (; i < n2; i += 2) {
    const o = (<usize>i) << 3;
    const l = body64(kind, grad, v128.load(xp + o), v128.load(yp + o), gp + o, k, vs, vp, vnp, vhp);
    if (lp) v128.store(lp + o, l);
    s0 = f64x2.add(s0, l);
  }
  const sv = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
  if (n2 < n) {
    // the odd last element, in lane 0 (its gradient through the scratch's last 16 bytes)
    const o = (<usize>n2) << 3;
    const l = f64x2.extract_lane(body64(kind, grad, f64x2.splat(load<f64>(xp + o)), f64x2.splat(load<f64>(yp + o)), k + 48, k, vs, vp, vnp, vhp), 0);
    if (grad) store<f64>(gp + o, load<f64>(k + 48));
    if (lp) store<f64>(lp + o, l);
    s += l;
  }
  return s;
}

/**
 * The float64 regression losses over n elements. kind: 0 MSE, 1 L1, 2 smooth L1 (param beta),
 * 3 Huber (param delta); gp 0 for the value alone; scratch: the calling thread's 64 bytes.
 */
export function elementwise64(kind: i32, xp: usize, yp: usize, n: i32, scale: f64, param: f64, lp: usize, gp: usize, scratch: usize): f64 {
  if (gp) {
    if (kind == MSE) return run64(MSE, true, xp, yp, n, scale, param, lp, gp, scratch);
    if (kind == L1) return run64(L1, true, xp, yp, n, scale, param, lp, gp, scratch);
    if (kind == SMOOTH_L1) return run64(SMOOTH_L1, true, xp, yp, n, scale, param, lp, gp, scratch);
    return run64(HUBER, true, xp, yp, n, scale, param, lp, gp, scratch);
  }
  if (kind == MSE) return run64(MSE, false, xp, yp, n, scale, param, lp, 0, scratch);
  if (kind == L1) return run64(L1, false, xp, yp, n, scale, param, lp, 0, scratch);
  if (kind == SMOOTH_L1) return run64(SMOOTH_L1, false, xp, yp, n, scale, param, lp, 0, scratch);
  return run64(HUBER, false, xp, yp, n, scale, param, lp, 0, scratch);
}
