// losskit's fused loss kernels: value and gradient in one pass, float32, WebAssembly SIMD128.
//
// Built by assembly/build.mjs (asc, --runtime stub, no AssemblyScript heap): every pointer comes
// from the JavaScript allocator in src/kernels/memory.ts, which owns the whole linear memory above
// the first 64 KiB. The kernels here trust their arguments; validation happens in src/losses.
//
// Conventions: every kernel works on a range of a larger problem so that src/kernels/threads.ts
// can split it over workers; it returns the sum of the loss over its range as f64 (accumulated in
// f64 lanes) and writes, where the pointers are not 0, the elementwise loss and the gradient
// `dloss/dx * scale`. Tails (n % 4 elements) go through the 16-byte scratch area `scratch` of the
// calling thread, so no kernel reads or writes outside its arrays.

// ---- vector math: assembly/vmath.ts ----------------------------------------------------------

import {
  kv,
  vexp,
  vexpNeg,
  vlog,
  vlog1p,
  sumLo,
  sumHi,
  K64_C,
  K64_LN2HI,
  K64_LN2LO,
  K64_LO,
  K64_LOG2E,
  K64_MAGIC1023,
  K64_NINF,
  K_AT,
  K_EPS12,
  K_HALF,
  K_LANES,
  K_M100,
  K_NAN,
  K_NEGONE,
  K_NINF,
  K_ONE,
  K_SIGN,
  K_TWO,
  K_ZERO,
  writeTable,
} from './vmath';

/** Writes the constant table; every instance (main thread and workers) calls it once. */
export function init(): void {
  writeTable();
}

/** Exported for the accuracy tests: out[i] = exp/log/log1p/expNeg(x[i]) (mode 0/1/2/3), n a multiple of 4. */
export function vmath(mode: i32, xp: usize, outp: usize, n: i32): void {
  if (mode == 0) for (let i = 0; i < n; i += 4) v128.store(outp + ((<usize>i) << 2), vexp(v128.load(xp + ((<usize>i) << 2))));
  else if (mode == 1) for (let i = 0; i < n; i += 4) v128.store(outp + ((<usize>i) << 2), vlog(v128.load(xp + ((<usize>i) << 2))));
  else if (mode == 2) for (let i = 0; i < n; i += 4) v128.store(outp + ((<usize>i) << 2), vlog1p(v128.load(xp + ((<usize>i) << 2))));
  else for (let i = 0; i < n; i += 4) v128.store(outp + ((<usize>i) << 2), vexpNeg(v128.load(xp + ((<usize>i) << 2))));
}

// ---- elementwise losses ------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function total2(a: v128, b: v128): f64 {
  const s = f64x2.add(a, b);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Copies k < 4 floats from `src` to `dst` (tail handling). */
// @ts-ignore: decorator
@inline function copyTail(dst: usize, src: usize, k: i32): void {
  for (let j = 0; j < k; j++) store<f32>(dst + ((<usize>j) << 2), load<f32>(src + ((<usize>j) << 2)));
}

/** Weights w[(j + lane) % period] of a weight that repeats with `period` along the flat input. */
// @ts-ignore: decorator
@inline function periodic(wp: usize, period: i32, j: i32): v128 {
  if (j + 4 <= period) return v128.load(wp + ((<usize>j) << 2));
  let v = kv(K_ZERO);
  let q = j;
  v = f32x4.replace_lane(v, 0, load<f32>(wp + ((<usize>q) << 2)));
  q++;
  while (q >= period) q -= period;
  v = f32x4.replace_lane(v, 1, load<f32>(wp + ((<usize>q) << 2)));
  q++;
  while (q >= period) q -= period;
  v = f32x4.replace_lane(v, 2, load<f32>(wp + ((<usize>q) << 2)));
  q++;
  while (q >= period) q -= period;
  v = f32x4.replace_lane(v, 3, load<f32>(wp + ((<usize>q) << 2)));
  return v;
}

const MSE = 0;
const L1 = 1;
const SMOOTH_L1 = 2;
const HUBER = 3;
const BCE = 4;
const BCE_LOGITS = 5;
const KL = 6;
const KL_LOG = 7;

/** e = exp(-|x|) of BCE with logits: -|x| is x with the sign bit set (one op against abs + neg's six in V8). */
// @ts-ignore: decorator
@inline function bceLogitsExp(x: v128): v128 {
  return vexpNeg(v128.or(x, kv(K_SIGN)));
}

/**
 * BCE with logits given e = exp(-|x|). PyTorch 2.x: (1 - y) x - (1 + (pw - 1) y) logsigmoid(x),
 * logsigmoid(x) = min(x, 0) - log1p(e); gradient (pw y + 1 - y) sigmoid(x) - pw y; 1 / (1 + e) is
 * the sigmoid's denominator.
 */
// @ts-ignore: decorator
@inline function bceLogitsRest(hasW: bool, hasPw: bool, x: v128, y: v128, e: v128, w: v128, pw: v128, gp: usize, scale: v128): v128 {
  const one = kv(K_ONE);
  const zero = kv(K_ZERO);
  const inv = f32x4.div(one, f32x4.add(one, e));
  // log1p(e) for e in [0, 1] as 2 atanh(s), s = e / (2 + e) <= 1/3: t + t z P(z), t = 2s, z = t^2
  // <= 4/9, P a cubic (relative error 5.4e-9); no cancellation, so no correction term, and a
  // third of the operations of log(1 + e): BCE with logits 1e7 on data in wasm memory,
  // 1 thread 48-52 -> 37-40 ms, 2 threads 25-28 -> 19-21 ms (noisy machine)
  const t = f32x4.div(f32x4.add(e, e), f32x4.add(kv(K_TWO), e));
  const z = f32x4.mul(t, t);
  // P(z) = (p0 + p1 z) + z^2 (p2 + p3 z): Estrin's scheme, as in expPoly (2.95-3.0 -> 2.86 ns)
  const q01 = f32x4.add(f32x4.mul(kv(K_AT + 16), z), kv(K_AT));
  const q23 = f32x4.add(f32x4.mul(kv(K_AT + 48), z), kv(K_AT + 32));
  const q = f32x4.add(q01, f32x4.mul(f32x4.mul(z, z), q23));
  const lp = f32x4.add(t, f32x4.mul(t, f32x4.mul(z, q)));
  const ls = f32x4.sub(f32x4.pmin(x, zero), lp);
  // sigmoid: 1/(1+e) for x >= 0, e/(1+e) below; NaN x fails the comparison and e is NaN
  const sig = v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(x, zero));
  const omy = f32x4.sub(one, y);
  let l: v128;
  let g: v128;
  if (hasPw) {
    const py = f32x4.mul(pw, y);
    l = f32x4.sub(f32x4.mul(omy, x), f32x4.mul(f32x4.add(one, f32x4.sub(py, y)), ls));
    g = f32x4.sub(f32x4.mul(f32x4.add(py, omy), sig), py);
  } else {
    l = f32x4.sub(f32x4.mul(omy, x), ls);
    g = f32x4.sub(sig, y);
  }
  // w is all ones without a weight: skipping the two multiplies saves 4% (BCE with logits, 1e7)
  if (!hasW) {
    v128.store(gp, f32x4.mul(g, scale));
    return l;
  }
  v128.store(gp, f32x4.mul(f32x4.mul(w, g), scale));
  return f32x4.mul(w, l);
}

/**
 * One vector of elementwise loss: returns the loss (times the weight) and stores the gradient
 * with respect to x, times the weight and `scale`, at gp.
 */
// @ts-ignore: decorator
@inline function body(kind: i32, hasW: bool, hasPw: bool, x: v128, y: v128, w: v128, pw: v128, gp: usize, scale: v128, param: v128): v128 {
  const one = kv(K_ONE);
  const zero = kv(K_ZERO);
  if (kind == MSE) {
    const d = f32x4.sub(x, y);
    v128.store(gp, f32x4.mul(f32x4.add(d, d), scale));
    return f32x4.mul(d, d);
  }
  if (kind == L1) {
    // sign(d) with sign(0) = sign(NaN) = 0
    const d = f32x4.sub(x, y);
    const sg = v128.or(v128.and(f32x4.gt(d, zero), one), v128.and(f32x4.lt(d, zero), kv(K_NEGONE)));
    v128.store(gp, f32x4.mul(sg, scale));
    return f32x4.abs(d);
  }
  if (kind == SMOOTH_L1 || kind == HUBER) {
    // quadratic below param (beta or delta), linear above; the gradient is PyTorch's clamp
    const d = f32x4.sub(x, y);
    const z = f32x4.abs(d);
    const inside = f32x4.lt(z, param);
    const half = kv(K_HALF);
    const lo = f32x4.le(d, f32x4.neg(param));
    const hi = f32x4.ge(d, param);
    let loss: v128;
    let g: v128;
    if (kind == SMOOTH_L1) {
      loss = v128.bitselect(f32x4.div(f32x4.mul(f32x4.mul(half, z), z), param), f32x4.sub(z, f32x4.mul(half, param)), inside);
      g = v128.bitselect(kv(K_NEGONE), v128.bitselect(one, f32x4.div(d, param), hi), lo);
    } else {
      loss = v128.bitselect(f32x4.mul(f32x4.mul(half, z), z), f32x4.mul(param, f32x4.sub(z, f32x4.mul(half, param))), inside);
      g = v128.bitselect(f32x4.neg(param), v128.bitselect(param, d, hi), lo);
    }
    v128.store(gp, f32x4.mul(g, scale));
    return loss;
  }
  if (kind == BCE) {
    // (y - 1) max(log1p(-x), -100) - y max(log(x), -100); gradient (x - y) / max((1 - x) x, 1e-12)
    const m100 = kv(K_M100);
    const a = f32x4.pmax(vlog1p(f32x4.neg(x)), m100); // pmax with the log first keeps NaN
    const b = f32x4.pmax(vlog(x), m100);
    const l = f32x4.mul(w, f32x4.sub(f32x4.mul(f32x4.sub(y, one), a), f32x4.mul(y, b)));
    const den = f32x4.pmax(f32x4.mul(f32x4.sub(one, x), x), kv(K_EPS12));
    v128.store(gp, f32x4.mul(f32x4.div(f32x4.mul(w, f32x4.sub(x, y)), den), scale));
    // a target outside [0, 1] makes the loss NaN (an input there does by its logs): the caller
    // then finds the element and raises, without a scan of its own over every call
    return v128.bitselect(l, kv(K_NAN), v128.and(f32x4.ge(y, zero), f32x4.le(y, one)));
  }
  if (kind == BCE_LOGITS) return bceLogitsRest(hasW, hasPw, x, y, bceLogitsExp(x), w, pw, gp, scale);
  if (kind == KL) {
    // xlogy(y, y) - y x: 0 where y == 0, NaN where y is NaN; gradient -y
    const xl = v128.andnot(f32x4.mul(y, vlog(y)), f32x4.eq(y, zero));
    v128.store(gp, f32x4.mul(f32x4.neg(y), scale));
    return f32x4.sub(xl, f32x4.mul(y, x));
  }
  // KL_LOG: exp(y) (y - x), gradient -exp(y)
  const ey = vexp(y);
  v128.store(gp, f32x4.mul(f32x4.neg(ey), scale));
  return f32x4.mul(ey, f32x4.sub(y, x));
}

/** Stores a pair of loss vectors at lp + o (where lp is not 0); returns their sum for the f64 sums. */
// @ts-ignore: decorator
@inline function pairLoss(lp: usize, o: usize, l0: v128, l1: v128): v128 {
  if (lp) {
    v128.store(lp + o, l0);
    v128.store(lp + o + 16, l1);
  }
  return f32x4.add(l0, l1);
}

/**
 * Elementwise loss over n elements starting at flat index `start` of the whole input (the phase
 * of periodic weights). Returns Σ loss; writes the loss to lp (if not 0) and the gradient to gp.
 */
// @ts-ignore: decorator
@inline function run(
  kind: i32, hasW: bool, hasPw: bool,
  xp: usize, yp: usize, wp: usize, wper: i32, pwp: usize, pwper: i32, start: i32, n: i32,
  scale: f32, param: f32, lp: usize, gp: usize, scratch: usize,
): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  const vs = f32x4.splat(scale);
  const vparam = f32x4.splat(param);
  let j = hasW ? start % wper : 0;
  let q = hasPw ? start % pwper : 0;
  const n4 = n & ~3;
  let i = 0;
  if (kind == BCE_LOGITS && !hasW && !hasPw && n4 >= 16) {
    // software-pipelined: each iteration starts the exponentials of the next pair of vectors before
    // it finishes the current pair. The exp chain (about 40 cycles of dependent operations) is
    // then in flight beside independent work; out-of-order execution alone cannot reach that far
    // ahead (one iteration is about 150 instructions). One core, data in wasm memory:
    // 2.87 -> 2.49 ns per element; pipelining the two divisions as well gained nothing more, and
    // the same for KL divergence's log gained nothing (its chain is shorter). Same results bit
    // for bit. The last pair's exponentials are recomputed by the loop below; no read goes past n4
    const one = kv(K_ONE);
    let xa = v128.load(xp);
    let xb = v128.load(xp + 16);
    let ea = bceLogitsExp(xa);
    let eb = bceLogitsExp(xb);
    for (; i + 16 <= n4; i += 8) {
      const o = (<usize>i) << 2;
      const xc = v128.load(xp + o + 32);
      const xd = v128.load(xp + o + 48);
      const ec = bceLogitsExp(xc);
      const ed = bceLogitsExp(xd);
      // the loads of y come before the stores: lp may be yp and gp may be xp
      const l0 = bceLogitsRest(false, false, xa, v128.load(yp + o), ea, one, one, gp + o, vs);
      const l1 = bceLogitsRest(false, false, xb, v128.load(yp + o + 16), eb, one, one, gp + o + 16, vs);
      const a = pairLoss(lp, o, l0, l1);
      s0 = sumLo(s0, a);
      s1 = sumHi(s1, a);
      xa = xc;
      xb = xd;
      ea = ec;
      eb = ed;
    }
  }
  if (!hasW && !hasPw) {
    // two vectors per iteration, so that the long exp and log chains of BCE, BCE with logits and KL
    // overlap: one core, data in wasm memory, 3.85 -> 3.2 ns per element for BCE with logits,
    // 5.2 -> 4.5 for BCE, 3.2 -> 2.9 for KL (four vectors: slower than one, out of registers).
    // The pair's losses are added in f32 before the f64 sums
    const one = kv(K_ONE);
    for (; i + 8 <= n4; i += 8) {
      const o = (<usize>i) << 2;
      const l0 = body(kind, false, false, v128.load(xp + o), v128.load(yp + o), one, one, gp + o, vs, vparam);
      const l1 = body(kind, false, false, v128.load(xp + o + 16), v128.load(yp + o + 16), one, one, gp + o + 16, vs, vparam);
      const a = pairLoss(lp, o, l0, l1);
      s0 = sumLo(s0, a);
      s1 = sumHi(s1, a);
    }
  }
  for (; i < n4; i += 4) {
    const o = (<usize>i) << 2;
    let w = kv(K_ONE);
    let pw = w;
    if (hasW) {
      w = periodic(wp, wper, j);
      j += 4;
      while (j >= wper) j -= wper;
    }
    if (hasPw) {
      pw = periodic(pwp, pwper, q);
      q += 4;
      while (q >= pwper) q -= pwper;
    }
    const l = body(kind, hasW, hasPw, v128.load(xp + o), v128.load(yp + o), w, pw, gp + o, vs, vparam);
    if (lp) v128.store(lp + o, l);
    s0 = sumLo(s0, l);
    s1 = sumHi(s1, l);
  }
  const k = n - n4;
  if (k > 0) {
    const o = (<usize>n4) << 2;
    // padding lanes hold 0.5, harmless for every formula; their results are masked off
    v128.store(scratch, kv(K_HALF));
    v128.store(scratch + 16, kv(K_HALF));
    copyTail(scratch, xp + o, k);
    copyTail(scratch + 16, yp + o, k);
    const w = hasW ? periodic(wp, wper, j) : kv(K_ONE);
    const pw = hasPw ? periodic(pwp, pwper, q) : w;
    const mask = i32x4.lt_s(kv(K_LANES), i32x4.splat(k));
    const l = v128.and(body(kind, hasW, hasPw, v128.load(scratch), v128.load(scratch + 16), w, pw, scratch + 32, vs, vparam), mask);
    s0 = sumLo(s0, l);
    s1 = sumHi(s1, l);
    copyTail(gp + o, scratch + 32, k);
    if (lp) {
      v128.store(scratch, l);
      copyTail(lp + o, scratch, k);
    }
  }
  return total2(s0, s1);
}

/**
 * The elementwise kernels. kind: 0 MSE, 1 L1, 2 smooth L1 (param beta), 3 Huber (param delta),
 * 4 BCE, 5 BCE with logits, 6 KL divergence, 7 KL divergence with log targets. wper/pwper: the
 * periods of weight/posWeight along the flat input (0: none). gp may be xp and lp may be yp: each
 * element is read before its results are written.
 */
export function elementwise(
  kind: i32, xp: usize, yp: usize, wp: usize, wper: i32, pwp: usize, pwper: i32, start: i32, n: i32,
  scale: f32, param: f32, lp: usize, gp: usize, scratch: usize,
): f64 {
  switch (kind) {
    case MSE:
      return run(MSE, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
    case L1:
      return run(L1, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
    case SMOOTH_L1:
      return run(SMOOTH_L1, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
    case HUBER:
      return run(HUBER, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
    case BCE:
      return wper
        ? run(BCE, true, false, xp, yp, wp, wper, 0, 0, start, n, scale, param, lp, gp, scratch)
        : run(BCE, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
    case BCE_LOGITS:
      if (wper && pwper) return run(BCE_LOGITS, true, true, xp, yp, wp, wper, pwp, pwper, start, n, scale, param, lp, gp, scratch);
      if (wper) return run(BCE_LOGITS, true, false, xp, yp, wp, wper, 0, 0, start, n, scale, param, lp, gp, scratch);
      if (pwper) return run(BCE_LOGITS, false, true, xp, yp, 0, 0, pwp, pwper, start, n, scale, param, lp, gp, scratch);
      return run(BCE_LOGITS, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
    case KL:
      return run(KL, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
    default:
      return run(KL_LOG, false, false, xp, yp, 0, 0, 0, 0, start, n, scale, param, lp, gp, scratch);
  }
}

// ---- cross entropy over rows of C contiguous logits -----------------------------------------------

/** Horizontal max / sum of four lanes. */
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  const a = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  const b = f32x4.pmax(a, i32x4.shuffle(a, a, 1, 0, 3, 2));
  return f32x4.extract_lane(b, 0);
}

/** Σ_c e^(x_c - max) of the last row rowExpSum saw. */
let rowSum: f64 = 0;
/** Rows of the last ceIndex/ceProb call left for the caller: NaN or an infinite maximum. */
let badRows: i32 = 0;
/** False for value-only jobs: the row kernels skip their gradient pass (set per job by each thread). */
let wantGrad: bool = true;
export function setWantGrad(on: i32): void {
  wantGrad = on != 0;
}
export function getBadRows(): i32 {
  return badRows;
}

/**
 * log-sum-exp of row x[0..C); writes e^(x_c - max) into gp as a temporary. Returns NaN for a row
 * holding NaN or an infinite maximum (the caller recomputes those rows exactly).
 */
// @ts-ignore: decorator
@inline function rowExpSum(xp: usize, C: i32, gp: usize): f64 {
  const C4 = C & ~3;
  const C16 = C & ~15;
  // four independent maxima and, below, four exponentials per iteration: one vexpNeg is a chain of
  // about twenty dependent operations, and interleaving four keeps the vector units busy
  // (0.93 -> 0.62 ns per element on one core here; eight run out of registers)
  let m0 = kv(K_NINF);
  let m1 = m0;
  let m2 = m0;
  let m3 = m0;
  let c = 0;
  for (; c < C16; c += 16) {
    const o = (<usize>c) << 2;
    m0 = f32x4.pmax(m0, v128.load(xp + o));
    m1 = f32x4.pmax(m1, v128.load(xp + o + 16));
    m2 = f32x4.pmax(m2, v128.load(xp + o + 32));
    m3 = f32x4.pmax(m3, v128.load(xp + o + 48));
  }
  for (; c < C4; c += 4) m0 = f32x4.pmax(m0, v128.load(xp + ((<usize>c) << 2)));
  let m = hmax(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
  for (c = C4; c < C; c++) {
    const x = load<f32>(xp + ((<usize>c) << 2));
    if (x > m) m = x;
  }
  // NaN anywhere, or an infinite max, makes some x - m NaN, and so the sum
  const vmax = f32x4.splat(m);
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  c = 0;
  while (c < C4) {
    // blocks of up to 256 terms summed in f32 lanes, then in f64
    const end = min(C4, c + 256);
    let b0 = kv(K_ZERO);
    let b1 = b0;
    for (; c + 16 <= end; c += 16) {
      const o = (<usize>c) << 2;
      const e0 = vexpNeg(f32x4.sub(v128.load(xp + o), vmax));
      const e1 = vexpNeg(f32x4.sub(v128.load(xp + o + 16), vmax));
      const e2 = vexpNeg(f32x4.sub(v128.load(xp + o + 32), vmax));
      const e3 = vexpNeg(f32x4.sub(v128.load(xp + o + 48), vmax));
      v128.store(gp + o, e0);
      v128.store(gp + o + 16, e1);
      v128.store(gp + o + 32, e2);
      v128.store(gp + o + 48, e3);
      b0 = f32x4.add(f32x4.add(b0, e0), e2);
      b1 = f32x4.add(f32x4.add(b1, e1), e3);
    }
    for (; c < end; c += 4) {
      const o = (<usize>c) << 2;
      const e = vexpNeg(f32x4.sub(v128.load(xp + o), vmax));
      v128.store(gp + o, e);
      b0 = f32x4.add(b0, e);
    }
    const b = f32x4.add(b0, b1);
    s0 = sumLo(s0, b);
    s1 = sumHi(s1, b);
  }
  let s = total2(s0, s1);
  for (c = C4; c < C; c++) {
    const o = (<usize>c) << 2;
    const e = f32x4.extract_lane(vexpNeg(f32x4.splat(load<f32>(xp + o) - m)), 0);
    store<f32>(gp + o, e);
    s += <f64>e;
  }
  rowSum = s;
  if (isNaN(s) || !isFinite(m)) return NaN;
  return Math.log(s) + <f64>m;
}

/** One vector of Σ w x: x times the weights, or x alone (wp 0). */
// @ts-ignore: decorator
@inline function wx(xp: usize, wp: usize, o: usize): v128 {
  return wp ? f32x4.mul(v128.load(xp + o), v128.load(wp + o)) : v128.load(xp + o);
}

/** Σ_c w_c x_c over a row (w 0: Σ x_c), in f64: four accumulators, so the additions overlap. */
// @ts-ignore: decorator
@inline function rowDot(xp: usize, wp: usize, C: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  const C4 = C & ~3;
  let c = 0;
  for (; c + 8 <= C4; c += 8) {
    const o = (<usize>c) << 2;
    const v0 = wx(xp, wp, o);
    const v1 = wx(xp, wp, o + 16);
    s0 = sumLo(s0, v0);
    s1 = sumHi(s1, v0);
    s2 = sumLo(s2, v1);
    s3 = sumHi(s3, v1);
  }
  for (; c < C4; c += 4) {
    const v = wx(xp, wp, (<usize>c) << 2);
    s0 = sumLo(s0, v);
    s1 = sumHi(s1, v);
  }
  let s = total2(f64x2.add(s0, s2), f64x2.add(s1, s3));
  for (c = C4; c < C; c++) {
    const o = (<usize>c) << 2;
    s += wp ? <f64>(load<f32>(xp + o) * load<f32>(wp + o)) : <f64>load<f32>(xp + o);
  }
  return s;
}

/**
 * Cross entropy with class-index targets for rows [0, rows) of (rows, C) logits, inner size 1.
 * tp: int32 targets; wp: class weights or 0; ignore: ignore_index; eps: label smoothing; wsum:
 * Σ_c w_c (C without weights); scale: 1 / (total weight) for 'mean', 1 otherwise. Writes the
 * per-row loss to lp when not 0 and the gradient to gp (which may be xp); returns the summed loss.
 */
export function ceIndex(xp: usize, tp: usize, wp: usize, rows: i32, C: i32, ignore: i32, eps: f64, wsum: f64, scale: f64, lp: usize, gp: usize): f64 {
  let total: f64 = 0;
  badRows = 0;
  const rowBytes = (<usize>C) << 2;
  const C4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const x = xp + (<usize>r) * rowBytes;
    const g = gp + (<usize>r) * rowBytes;
    const t = load<i32>(tp + ((<usize>r) << 2));
    if (t == ignore) {
      if (wantGrad) memory.fill(g, 0, rowBytes);
      if (lp) store<f32>(lp + ((<usize>r) << 2), 0);
      continue;
    }
    // x is read before rowExpSum: the gradient may be written over it (g == x)
    const xt: f64 = <f64>load<f32>(x + ((<usize>t) << 2));
    const dot = eps > 0 ? rowDot(x, wp, C) : 0;
    const lse = rowExpSum(x, C, g);
    if (isNaN(lse)) {
      badRows++;
      continue;
    }
    const wt: f64 = wp ? <f64>load<f32>(wp + ((<usize>t) << 2)) : 1.0;
    let loss = -wt * (xt - lse);
    if (eps > 0) loss = (1.0 - eps) * loss + (eps / <f64>C) * -(dot - lse * wsum);
    if (!wantGrad) {
      if (lp) store<f32>(lp + ((<usize>r) << 2), <f32>loss);
      total += loss;
      continue;
    }
    // gradient: scale [ (1 - eps) w_t (p_c - [c == t]) + (eps / C) (p_c Σ w - w_c) ]
    const invS = 1.0 / rowSum;
    let coefP = ((1.0 - eps) * wt + (eps / <f64>C) * wsum) * invS * scale;
    if (eps > 0) {
      const vw = f32x4.splat(<f32>((eps / <f64>C) * scale));
      const vp = f32x4.splat(<f32>coefP);
      if (wp) {
        for (let c = 0; c < C4; c += 4) {
          const o = (<usize>c) << 2;
          v128.store(g + o, f32x4.sub(f32x4.mul(v128.load(g + o), vp), f32x4.mul(v128.load(wp + o), vw)));
        }
      } else {
        for (let c = 0; c < C4; c += 4) {
          const o = (<usize>c) << 2;
          v128.store(g + o, f32x4.sub(f32x4.mul(v128.load(g + o), vp), vw));
        }
      }
      for (let c = C4; c < C; c++) {
        const o = (<usize>c) << 2;
        const w: f32 = wp ? load<f32>(wp + o) : 1.0;
        store<f32>(g + o, <f32>(<f64>load<f32>(g + o) * coefP - <f64>w * (eps / <f64>C) * scale));
      }
    } else {
      const vp = f32x4.splat(<f32>coefP);
      for (let c = 0; c < C4; c += 4) {
        const o = (<usize>c) << 2;
        v128.store(g + o, f32x4.mul(v128.load(g + o), vp));
      }
      for (let c = C4; c < C; c++) {
        const o = (<usize>c) << 2;
        store<f32>(g + o, <f32>(<f64>load<f32>(g + o) * coefP));
      }
    }
    const go = g + ((<usize>t) << 2);
    store<f32>(go, <f32>(<f64>load<f32>(go) - (1.0 - eps) * wt * scale));
    if (lp) store<f32>(lp + ((<usize>r) << 2), <f32>loss);
    total += loss;
  }
  return total;
}

/**
 * Cross entropy with probability targets (rows, C), inner size 1: y' = (1 - eps) y + eps / C,
 * l = -Σ_c w_c y'_c log p_c, gradient scale (p_c Σ_k w_k y'_k - w_c y'_c); gp may be xp.
 */
export function ceProb(xp: usize, yp: usize, wp: usize, rows: i32, C: i32, eps: f64, scale: f64, lp: usize, gp: usize): f64 {
  let total: f64 = 0;
  badRows = 0;
  const rowBytes = (<usize>C) << 2;
  const C4 = C & ~3;
  const a = <f32>(1.0 - eps);
  const b = <f32>(eps / <f64>C);
  const va = f32x4.splat(a);
  const vb = f32x4.splat(b);
  for (let r = 0; r < rows; r++) {
    const x = xp + (<usize>r) * rowBytes;
    const y = yp + (<usize>r) * rowBytes;
    const g = gp + (<usize>r) * rowBytes;
    // Σ w y' and Σ w y' x, before rowExpSum: the gradient may be written over x (g == x)
    let swy0 = f64x2.splat(0);
    let swy1 = f64x2.splat(0);
    let sx0 = f64x2.splat(0);
    let sx1 = f64x2.splat(0);
    for (let c = 0; c < C4; c += 4) {
      const o = (<usize>c) << 2;
      let wy = f32x4.add(f32x4.mul(v128.load(y + o), va), vb);
      if (wp) wy = f32x4.mul(wy, v128.load(wp + o));
      swy0 = f64x2.add(swy0, f64x2.promote_low_f32x4(wy));
      swy1 = f64x2.add(swy1, f64x2.promote_low_f32x4(i32x4.shuffle(wy, wy, 2, 3, 0, 1)));
      const wyx = f32x4.mul(wy, v128.load(x + o));
      sx0 = sumLo(sx0, wyx);
      sx1 = sumHi(sx1, wyx);
    }
    const sv = f64x2.add(swy0, swy1);
    let swy = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
    let swyx = total2(sx0, sx1);
    for (let c = C4; c < C; c++) {
      const o = (<usize>c) << 2;
      let wy: f32 = load<f32>(y + o) * a + b;
      if (wp) wy *= load<f32>(wp + o);
      swy += <f64>wy;
      swyx += <f64>(wy * load<f32>(x + o));
    }
    const lse = rowExpSum(x, C, g);
    if (isNaN(lse)) {
      badRows++;
      continue;
    }
    const loss = -(swyx - lse * swy);
    if (!wantGrad) {
      if (lp) store<f32>(lp + ((<usize>r) << 2), <f32>loss);
      total += loss;
      continue;
    }
    const invS = 1.0 / rowSum;
    const vp = f32x4.splat(<f32>(swy * invS * scale));
    const vs = f32x4.splat(<f32>scale);
    for (let c = 0; c < C4; c += 4) {
      const o = (<usize>c) << 2;
      let wy = f32x4.add(f32x4.mul(v128.load(y + o), va), vb);
      if (wp) wy = f32x4.mul(wy, v128.load(wp + o));
      v128.store(g + o, f32x4.sub(f32x4.mul(v128.load(g + o), vp), f32x4.mul(wy, vs)));
    }
    for (let c = C4; c < C; c++) {
      const o = (<usize>c) << 2;
      let wy: f32 = load<f32>(y + o) * a + b;
      if (wp) wy *= load<f32>(wp + o);
      store<f32>(g + o, <f32>(<f64>load<f32>(g + o) * swy * invS * scale - <f64>wy * scale));
    }
    if (lp) store<f32>(lp + ((<usize>r) << 2), <f32>loss);
    total += loss;
  }
  return total;
}

// ---- cross entropy over K-dimensional input: (outer, C, inner), inner > 1 ----------------------

/** v with lane l (0..3, not a constant) set to x. */
// @ts-ignore: decorator
@inline function withLane(v: v128, l: i32, x: f32): v128 {
  if (l == 0) return f32x4.replace_lane(v, 0, x);
  if (l == 1) return f32x4.replace_lane(v, 1, x);
  if (l == 2) return f32x4.replace_lane(v, 2, x);
  return f32x4.replace_lane(v, 3, x);
}

/** v with the 32 bits of lane l (0..3) all set: a mask lane. */
// @ts-ignore: decorator
@inline function maskLane(v: v128, l: i32): v128 {
  if (l == 0) return i32x4.replace_lane(v, 0, -1);
  if (l == 1) return i32x4.replace_lane(v, 1, -1);
  if (l == 2) return i32x4.replace_lane(v, 2, -1);
  return i32x4.replace_lane(v, 3, -1);
}

/** One class's values at `lanes` neighbouring positions (4: a vector; 1: one position, splatted). */
// @ts-ignore: decorator
@inline function loadK(p: usize, lanes: i32): v128 {
  return lanes == 4 ? v128.load(p) : f32x4.splat(load<f32>(p));
}
// @ts-ignore: decorator
@inline function storeK(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/**
 * Cross entropy with class-index targets at `lanes` neighbouring positions of one outer index:
 * class c of the first is at xb + c * stride. Softmax runs across the classes (stride apart) in
 * each lane, so four positions take the work of one. The same formulas, ignore and bad-row rules
 * as ceIndex; writes the losses at lb (if not 0) and the gradient at gb (which may be xb).
 */
// @ts-ignore: decorator
@inline function ceK(
  lanes: i32, xb: usize, tb: usize, wp: usize, C: i32, stride: usize, ignore: i32,
  eps: f64, wsum: f64, scale: f64, lb: usize, gb: usize,
): f64 {
  // targets and their logits first: the gradient may be written over x
  let xt = f64x2.splat(0);
  let xt2 = f64x2.splat(0);
  let vign = kv(K_ZERO); // all ones in the ignored lanes
  for (let l = 0; l < lanes; l++) {
    const t = load<i32>(tb + ((<usize>l) << 2));
    const v: f64 = t == ignore ? 0 : <f64>load<f32>(xb + (<usize>t) * stride + ((<usize>l) << 2));
    if (l == 0) xt = f64x2.replace_lane(xt, 0, v);
    else if (l == 1) xt = f64x2.replace_lane(xt, 1, v);
    else if (l == 2) xt2 = f64x2.replace_lane(xt2, 0, v);
    else xt2 = f64x2.replace_lane(xt2, 1, v);
    if (t == ignore) vign = maskLane(vign, l);
  }
  let m = kv(K_NINF);
  for (let c = 0; c < C; c++) m = f32x4.pmax(m, loadK(xb + (<usize>c) * stride, lanes));
  // Σ e^(x - m) and, for label smoothing, Σ w x: per lane, in f64
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let d0 = f64x2.splat(0);
  let d1 = f64x2.splat(0);
  for (let c = 0; c < C; c++) {
    const a = (<usize>c) * stride;
    const v = loadK(xb + a, lanes);
    if (eps > 0) {
      const wv = wp ? f32x4.mul(v, f32x4.splat(load<f32>(wp + ((<usize>c) << 2)))) : v;
      d0 = sumLo(d0, wv);
      d1 = sumHi(d1, wv);
    }
    const e = vexpNeg(f32x4.sub(v, m));
    storeK(gb + a, e, lanes);
    s0 = sumLo(s0, e);
    s1 = sumHi(s1, e);
  }
  // per lane: loss, and the gradient's coefficients (0 in ignored lanes); log Σ for the four
  // lanes in one vector log (relative error 3e-7; four scalar f64 logs took a fifth of the time)
  const logS = vlog(i32x4.shuffle(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 4, 5));
  let cp = kv(K_ZERO);
  let total: f64 = 0;
  for (let l = 0; l < lanes; l++) {
    const t = load<i32>(tb + ((<usize>l) << 2));
    let loss: f64 = 0;
    if (t != ignore) {
      const s = l == 0 ? f64x2.extract_lane(s0, 0) : l == 1 ? f64x2.extract_lane(s0, 1) : l == 2 ? f64x2.extract_lane(s1, 0) : f64x2.extract_lane(s1, 1);
      const ml = <f64>(l == 0 ? f32x4.extract_lane(m, 0) : l == 1 ? f32x4.extract_lane(m, 1) : l == 2 ? f32x4.extract_lane(m, 2) : f32x4.extract_lane(m, 3));
      if (isNaN(s) || !isFinite(ml)) {
        badRows++;
        continue;
      }
      const lse = <f64>(l == 0 ? f32x4.extract_lane(logS, 0) : l == 1 ? f32x4.extract_lane(logS, 1) : l == 2 ? f32x4.extract_lane(logS, 2) : f32x4.extract_lane(logS, 3)) + ml;
      const wt: f64 = wp ? <f64>load<f32>(wp + ((<usize>t) << 2)) : 1.0;
      const x: f64 = l == 0 ? f64x2.extract_lane(xt, 0) : l == 1 ? f64x2.extract_lane(xt, 1) : l == 2 ? f64x2.extract_lane(xt2, 0) : f64x2.extract_lane(xt2, 1);
      loss = -wt * (x - lse);
      if (eps > 0) {
        const dot = l == 0 ? f64x2.extract_lane(d0, 0) : l == 1 ? f64x2.extract_lane(d0, 1) : l == 2 ? f64x2.extract_lane(d1, 0) : f64x2.extract_lane(d1, 1);
        loss = (1.0 - eps) * loss + (eps / <f64>C) * -(dot - lse * wsum);
      }
      cp = withLane(cp, l, <f32>((((1.0 - eps) * wt + (eps / <f64>C) * wsum) / s) * scale));
      total += loss;
    }
    if (lb) store<f32>(lb + ((<usize>l) << 2), <f32>loss);
  }
  // gradient: e cp - w eps / C scale, then - (1 - eps) w_t scale at the target; 0 where ignored
  const cw = <f32>((eps / <f64>C) * scale);
  for (let c = 0; c < C; c++) {
    const a = gb + (<usize>c) * stride;
    let g = f32x4.mul(loadK(a, lanes), cp);
    if (eps > 0) g = f32x4.sub(g, f32x4.splat(wp ? load<f32>(wp + ((<usize>c) << 2)) * cw : cw));
    storeK(a, v128.andnot(g, vign), lanes);
  }
  for (let l = 0; l < lanes; l++) {
    const t = load<i32>(tb + ((<usize>l) << 2));
    if (t == ignore) continue;
    const wt: f64 = wp ? <f64>load<f32>(wp + ((<usize>t) << 2)) : 1.0;
    const at = gb + (<usize>t) * stride + ((<usize>l) << 2);
    store<f32>(at, <f32>(<f64>load<f32>(at) - (1.0 - eps) * wt * scale));
  }
  return total;
}

/**
 * Cross entropy with class-index targets over (outer, C, inner) logits, positions p = o * inner + i
 * in [start, end): four neighbouring positions at a time, single ones at the end of each outer
 * index. tp, lp: int32 targets and losses per position (whole arrays); otherwise as ceIndex.
 */
export function ceIndexK(
  xp: usize, tp: usize, wp: usize, C: i32, inner: i32, start: i32, end: i32, ignore: i32,
  eps: f64, wsum: f64, scale: f64, lp: usize, gp: usize,
): f64 {
  let total: f64 = 0;
  badRows = 0;
  const stride = (<usize>inner) << 2;
  let p = start;
  while (p < end) {
    const o = p / inner;
    const i0 = p - o * inner;
    const i1 = min(inner, i0 + (end - p));
    const base = ((<usize>o) * (<usize>C) * (<usize>inner)) << 2;
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const q = (<usize>(o * inner + i)) << 2;
      const off = base + ((<usize>i) << 2);
      total += ceK(4, xp + off, tp + q, wp, C, stride, ignore, eps, wsum, scale, lp ? lp + q : 0, gp + off);
    }
    for (; i < i1; i++) {
      const q = (<usize>(o * inner + i)) << 2;
      const off = base + ((<usize>i) << 2);
      total += ceK(1, xp + off, tp + q, wp, C, stride, ignore, eps, wsum, scale, lp ? lp + q : 0, gp + off);
    }
    p += i1 - i0;
  }
  return total;
}

// ---- float64 cross entropy ----------------------------------------------------------------------

/**
 * e^x for two float64 lanes, x <= 0, results below e^-708 (2^-1021) flushed to 0: Cody-Waite
 * reduction with fdlibm's two-part ln2, then the Taylor series to r^13 (|r| <= ln2/2: truncation
 * 4e-18, under half an ulp) in Estrin's scheme; 2^n from the rounding constant's low bits. Within
 * 2 ulp of the exact value (tested against Math.exp). NaN stays NaN.
 */
// @ts-ignore: decorator
@inline function vexpNeg64(x0: v128): v128 {
  const lo = kv(K64_LO);
  const x = f64x2.pmax(x0, lo);
  const t = f64x2.add(f64x2.mul(x, kv(K64_LOG2E)), kv(K64_MAGIC1023));
  const n = f64x2.sub(t, kv(K64_MAGIC1023));
  let r = f64x2.sub(x, f64x2.mul(n, kv(K64_LN2HI)));
  r = f64x2.sub(r, f64x2.mul(n, kv(K64_LN2LO)));
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const p01 = f64x2.add(f64x2.mul(kv(K64_C + 16), r), kv(K64_C));
  const p23 = f64x2.add(f64x2.mul(kv(K64_C + 48), r), kv(K64_C + 32));
  const p45 = f64x2.add(f64x2.mul(kv(K64_C + 80), r), kv(K64_C + 64));
  const p67 = f64x2.add(f64x2.mul(kv(K64_C + 112), r), kv(K64_C + 96));
  const p89 = f64x2.add(f64x2.mul(kv(K64_C + 144), r), kv(K64_C + 128));
  const pab = f64x2.add(f64x2.mul(kv(K64_C + 176), r), kv(K64_C + 160));
  const pcd = f64x2.add(f64x2.mul(kv(K64_C + 208), r), kv(K64_C + 192));
  const q0 = f64x2.add(p01, f64x2.mul(r2, p23));
  const q1 = f64x2.add(p45, f64x2.mul(r2, p67));
  const q2 = f64x2.add(p89, f64x2.mul(r2, pab));
  const o0 = f64x2.add(q0, f64x2.mul(r4, q1));
  const o1 = f64x2.add(q2, f64x2.mul(r4, pcd));
  const p = f64x2.add(o0, f64x2.mul(r8, o1));
  const s = i64x2.shl(t, 52);
  return v128.andnot(f64x2.mul(p, s), f64x2.lt(x0, lo));
}

/** Exported for the accuracy tests: out[i] = e^x[i] (x <= 0) for float64, n even. */
export function vmath64(xp: usize, outp: usize, n: i32): void {
  for (let i = 0; i < n; i += 2) v128.store(outp + ((<usize>i) << 3), vexpNeg64(v128.load(xp + ((<usize>i) << 3))));
}

/** log-sum-exp of the float64 row x[0..C), writing e^(x_c - max) into gp; NaN for bad rows. */
// @ts-ignore: decorator
@inline function rowExpSum64(xp: usize, C: i32, gp: usize): f64 {
  const C2 = C & ~1;
  let m0 = kv(K64_NINF);
  let m1 = m0;
  let c = 0;
  for (; c + 4 <= C2; c += 4) {
    const o = (<usize>c) << 3;
    m0 = f64x2.pmax(m0, v128.load(xp + o));
    m1 = f64x2.pmax(m1, v128.load(xp + o + 16));
  }
  for (; c < C2; c += 2) m0 = f64x2.pmax(m0, v128.load(xp + ((<usize>c) << 3)));
  const mv = f64x2.pmax(m0, m1);
  let m = max(f64x2.extract_lane(mv, 0), f64x2.extract_lane(mv, 1));
  if (C2 < C) m = max(m, load<f64>(xp + ((<usize>C2) << 3)));
  // NaN anywhere, or an infinite max, makes some x - m NaN, and so the sum
  const vmax = f64x2.splat(m);
  let s0 = f64x2.splat(0);
  let s1 = s0;
  c = 0;
  for (; c + 4 <= C2; c += 4) {
    const o = (<usize>c) << 3;
    const e0 = vexpNeg64(f64x2.sub(v128.load(xp + o), vmax));
    const e1 = vexpNeg64(f64x2.sub(v128.load(xp + o + 16), vmax));
    v128.store(gp + o, e0);
    v128.store(gp + o + 16, e1);
    s0 = f64x2.add(s0, e0);
    s1 = f64x2.add(s1, e1);
  }
  for (; c < C2; c += 2) {
    const o = (<usize>c) << 3;
    const e = vexpNeg64(f64x2.sub(v128.load(xp + o), vmax));
    v128.store(gp + o, e);
    s0 = f64x2.add(s0, e);
  }
  const sv = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
  if (C2 < C) {
    const o = (<usize>C2) << 3;
    const e = f64x2.extract_lane(vexpNeg64(f64x2.splat(load<f64>(xp + o) - m)), 0);
    store<f64>(gp + o, e);
    s += e;
  }
  rowSum = s;
  if (isNaN(s) || !isFinite(m)) return NaN;
  return Math.log(s) + m;
}

/** Cross entropy with class-index targets on float64 rows: ceIndex's arguments and formulas. */
export function ceIndex64(xp: usize, tp: usize, wp: usize, rows: i32, C: i32, ignore: i32, eps: f64, wsum: f64, scale: f64, lp: usize, gp: usize): f64 {
  let total: f64 = 0;
  badRows = 0;
  const rowBytes = (<usize>C) << 3;
  for (let r = 0; r < rows; r++) {
    const x = xp + (<usize>r) * rowBytes;
    const g = gp + (<usize>r) * rowBytes;
    const t = load<i32>(tp + ((<usize>r) << 2));
    if (t == ignore) {
      if (wantGrad) memory.fill(g, 0, rowBytes);
      if (lp) store<f64>(lp + ((<usize>r) << 3), 0);
      continue;
    }
    // x is read before rowExpSum64: the gradient may be written over it (g == x)
    const xt = load<f64>(x + ((<usize>t) << 3));
    let dot: f64 = 0;
    if (eps > 0) for (let c = 0; c < C; c++) dot += wp ? load<f64>(wp + ((<usize>c) << 3)) * load<f64>(x + ((<usize>c) << 3)) : load<f64>(x + ((<usize>c) << 3));
    const lse = rowExpSum64(x, C, g);
    if (isNaN(lse)) {
      badRows++;
      continue;
    }
    const wt: f64 = wp ? load<f64>(wp + ((<usize>t) << 3)) : 1.0;
    let loss = -wt * (xt - lse);
    if (eps > 0) loss = (1.0 - eps) * loss + (eps / <f64>C) * -(dot - lse * wsum);
    if (!wantGrad) {
      // value only (JOB_VALUE_ONLY): no gradient pass
      if (lp) store<f64>(lp + ((<usize>r) << 3), loss);
      total += loss;
      continue;
    }
    // gradient: scale [ (1 - eps) w_t (p_c - [c == t]) + (eps / C) (p_c Σ w - w_c) ]
    const vp = f64x2.splat((((1.0 - eps) * wt + (eps / <f64>C) * wsum) / rowSum) * scale);
    const cw = (eps / <f64>C) * scale;
    const C2 = C & ~1;
    for (let c = 0; c < C2; c += 2) {
      const o = (<usize>c) << 3;
      let v = f64x2.mul(v128.load(g + o), vp);
      if (eps > 0) v = f64x2.sub(v, f64x2.mul(wp ? v128.load(wp + o) : f64x2.splat(1.0), f64x2.splat(cw)));
      v128.store(g + o, v);
    }
    if (C2 < C) {
      const o = (<usize>C2) << 3;
      let v = load<f64>(g + o) * f64x2.extract_lane(vp, 0);
      if (eps > 0) v -= (wp ? load<f64>(wp + o) : 1.0) * cw;
      store<f64>(g + o, v);
    }
    const go = g + ((<usize>t) << 3);
    store<f64>(go, load<f64>(go) - (1.0 - eps) * wt * scale);
    if (lp) store<f64>(lp + ((<usize>r) << 3), loss);
    total += loss;
  }
  return total;
}

// CTC (float32): ctcSample is in assembly/rows.ts.

export { mmPack32, mmPack64, mm32, mm64 } from './matmul';
export * from './pointwise';
export * from './elementwise64';
export * from './classes';
export * from './rows';
