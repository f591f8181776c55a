// Matrix products C = op(A) op(B) (+ bias), WebAssembly SIMD128, float32 (f32x4) and float64 (f64x2).
//
// op(A)(i, k) is at A + (i * sai + k * sak) elements and op(B)(k, j) at B + (k * sbk + j * sbj), so
// a transposed operand is read in place (A^T: sai 1, sak M). B is first packed (mmPack32/64, once
// per call, on the calling thread) into panels of 8 (float32) or 4 (float64) columns, k-major and
// zero-padded, so the micro-kernel reads it with two vector loads per k. The micro-kernel keeps a
// 4-row by one-panel block of C in 8 vector registers (those 4 rows of op(A) packed per K block into
// the thread's own `pa`) and sums over K in blocks of KC (the packed B block of all panels stays in
// L2), each block's sum added to C in order: float32 accumulates in
// float32 as PyTorch's CPU BLAS does. Rows [r0, r1) make one call, so threads split C by rows.
// C is (rows, N) contiguous; `tmp` is 64 bytes of the calling thread's scratch (panel tails).

const KC: i32 = 256;

/** Packs op(B) (K x N) into ceil(N / 8) panels of K x 8 floats at `dst`. */
export function mmPack32(bp: usize, sbk: i32, sbj: i32, K: i32, N: i32, dst: usize): void {
  const P = (N + 7) >> 3;
  const bk = <usize>sbk << 2;
  const bj = <usize>sbj << 2;
  for (let p = 0; p < P; p++) {
    const j0 = p << 3;
    const w = min<i32>(8, N - j0);
    let d = dst + <usize>p * <usize>K * 32;
    let s = bp + <usize>j0 * bj;
    if (w == 8 && sbj == 1) {
      for (let k = 0; k < K; k++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        d += 32;
        s += bk;
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < 8; c++) f32.store(d + (<usize>c << 2), c < w ? f32.load(s + <usize>c * bj) : 0);
        d += 32;
        s += bk;
      }
    }
  }
}

/** Packs op(B) into ceil(N / 4) panels of K x 4 doubles. */
export function mmPack64(bp: usize, sbk: i32, sbj: i32, K: i32, N: i32, dst: usize): void {
  const P = (N + 3) >> 2;
  const bk = <usize>sbk << 3;
  const bj = <usize>sbj << 3;
  for (let p = 0; p < P; p++) {
    const j0 = p << 2;
    const w = min<i32>(4, N - j0);
    let d = dst + <usize>p * <usize>K * 32;
    let s = bp + <usize>j0 * bj;
    if (w == 4 && sbj == 1) {
      for (let k = 0; k < K; k++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        d += 32;
        s += bk;
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < 4; c++) f64.store(d + (<usize>c << 3), c < w ? f64.load(s + <usize>c * bj) : 0);
        d += 32;
        s += bk;
      }
    }
  }
}

// Writes one row's 8 (or w < 8) results at c: the first K block starts from the bias (or 0), the
// later ones add to what is there.
// @ts-ignore: decorator
@inline function put32(c: usize, bias: usize, first: bool, w: i32, v0: v128, v1: v128, tmp: usize): void {
  if (w == 8) {
    const base0 = first ? (bias ? v128.load(bias) : f32x4.splat(0)) : v128.load(c);
    const base1 = first ? (bias ? v128.load(bias, 16) : f32x4.splat(0)) : v128.load(c, 16);
    v128.store(c, f32x4.add(base0, v0));
    v128.store(c, f32x4.add(base1, v1), 16);
  } else {
    v128.store(tmp, v0);
    v128.store(tmp, v1, 16);
    for (let q = 0; q < w; q++) {
      const o = <usize>q << 2;
      const base: f32 = first ? (bias ? f32.load(bias + o) : 0) : f32.load(c + o);
      f32.store(c + o, base + f32.load(tmp + o));
    }
  }
}

// @ts-ignore: decorator
@inline function put64(c: usize, bias: usize, first: bool, w: i32, v0: v128, v1: v128, tmp: usize): void {
  if (w == 4) {
    const base0 = first ? (bias ? v128.load(bias) : f64x2.splat(0)) : v128.load(c);
    const base1 = first ? (bias ? v128.load(bias, 16) : f64x2.splat(0)) : v128.load(c, 16);
    v128.store(c, f64x2.add(base0, v0));
    v128.store(c, f64x2.add(base1, v1), 16);
  } else {
    v128.store(tmp, v0);
    v128.store(tmp, v1, 16);
    for (let q = 0; q < w; q++) {
      const o = <usize>q << 3;
      const base: f64 = first ? (bias ? f64.load(bias + o) : 0) : f64.load(c + o);
      f64.store(c + o, base + f64.load(tmp + o));
    }
  }
}

// Packs rows [i, i + rows) x [k0, k0 + kc) of op(A) (rows <= 4, `a` at (i, k0), strides in bytes)
// row-interleaved into pa: (k, r) at pa + (k * 4 + r) * size, rows past `rows` zero. op(A)'s rows are
// then one contiguous 16-byte (32-byte) stream whatever A's layout: A^T's column stride of M floats
// would otherwise walk L1 by whole lines per k, in a few cache sets.
// @ts-ignore: decorator
@inline function packA32(a: usize, ai: usize, ak: usize, rows: i32, kc: i32, pa: usize): void {
  if (rows == 4 && ai == 4) {
    for (let k = 0; k < kc; k++) v128.store(pa + (<usize>k << 4), v128.load(a + <usize>k * ak));
    return;
  }
  for (let r = 0; r < 4; r++) {
    const src = a + <usize>r * ai;
    const dst = pa + (<usize>r << 2);
    if (r < rows) for (let k = 0; k < kc; k++) f32.store(dst + (<usize>k << 4), f32.load(src + <usize>k * ak));
    else for (let k = 0; k < kc; k++) f32.store(dst + (<usize>k << 4), 0);
  }
}

// @ts-ignore: decorator
@inline function packA64(a: usize, ai: usize, ak: usize, rows: i32, kc: i32, pa: usize): void {
  if (rows == 4 && ai == 8) {
    for (let k = 0; k < kc; k++) {
      const s = a + <usize>k * ak;
      const d = pa + (<usize>k << 5);
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
    }
    return;
  }
  for (let r = 0; r < 4; r++) {
    const src = a + <usize>r * ai;
    const dst = pa + (<usize>r << 3);
    if (r < rows) for (let k = 0; k < kc; k++) f64.store(dst + (<usize>k << 5), f64.load(src + <usize>k * ak));
    else for (let k = 0; k < kc; k++) f64.store(dst + (<usize>k << 5), 0);
  }
}

/**
 * Rows [r0, r1) of C = op(A) op(B) + bias, float32. `bpk`: op(B) packed by mmPack32; `cp`: C's
 * row 0 (N floats per row); `biasp`: N floats or 0; `pa`: KC * 16 bytes of this thread's own.
 */
export function mm32(ap: usize, sai: i32, sak: i32, bpk: usize, cp: usize, K: i32, N: i32, biasp: usize, r0: i32, r1: i32, tmp: usize, pa: usize): void {
  const P = (N + 7) >> 3;
  const ai = <usize>sai << 2;
  const ak = <usize>sak << 2;
  const ldc = <usize>N << 2;
  if (K == 0) {
    // an empty sum: the bias alone
    for (let i = r0; i < r1; i++) {
      const c = cp + <usize>i * ldc;
      for (let j = 0; j < N; j++) f32.store(c + (<usize>j << 2), biasp ? f32.load(biasp + (<usize>j << 2)) : 0);
    }
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min<i32>(KC, K - k0);
    const first = k0 == 0;
    for (let i = r0; i < r1; i += 4) {
      const rows = min<i32>(4, r1 - i);
      packA32(ap + <usize>i * ai + <usize>k0 * ak, ai, ak, rows, kc, pa);
      const crow = cp + <usize>i * ldc;
      for (let p = 0; p < P; p++) {
        let b = bpk + (<usize>p * <usize>K + <usize>k0) * 32;
        let q = pa;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        for (let k = 0; k < kc; k++) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          const x0 = v128.load32_splat(q);
          c00 = f32x4.add(c00, f32x4.mul(x0, b0));
          c01 = f32x4.add(c01, f32x4.mul(x0, b1));
          const x1 = v128.load32_splat(q, 4);
          c10 = f32x4.add(c10, f32x4.mul(x1, b0));
          c11 = f32x4.add(c11, f32x4.mul(x1, b1));
          const x2 = v128.load32_splat(q, 8);
          c20 = f32x4.add(c20, f32x4.mul(x2, b0));
          c21 = f32x4.add(c21, f32x4.mul(x2, b1));
          const x3 = v128.load32_splat(q, 12);
          c30 = f32x4.add(c30, f32x4.mul(x3, b0));
          c31 = f32x4.add(c31, f32x4.mul(x3, b1));
          b += 32;
          q += 16;
        }
        const j0 = p << 3;
        const w = min<i32>(8, N - j0);
        const c = crow + (<usize>j0 << 2);
        const bias = biasp ? biasp + (<usize>j0 << 2) : 0;
        put32(c, bias, first, w, c00, c01, tmp);
        if (rows > 1) put32(c + ldc, bias, first, w, c10, c11, tmp);
        if (rows > 2) put32(c + 2 * ldc, bias, first, w, c20, c21, tmp);
        if (rows > 3) put32(c + 3 * ldc, bias, first, w, c30, c31, tmp);
      }
    }
  }
}

/** mm32 in float64: panels of 4 columns (mmPack64), f64x2 lanes; `pa`: KC * 32 bytes. */
export function mm64(ap: usize, sai: i32, sak: i32, bpk: usize, cp: usize, K: i32, N: i32, biasp: usize, r0: i32, r1: i32, tmp: usize, pa: usize): void {
  const P = (N + 3) >> 2;
  const ai = <usize>sai << 3;
  const ak = <usize>sak << 3;
  const ldc = <usize>N << 3;
  if (K == 0) {
    for (let i = r0; i < r1; i++) {
      const c = cp + <usize>i * ldc;
      for (let j = 0; j < N; j++) f64.store(c + (<usize>j << 3), biasp ? f64.load(biasp + (<usize>j << 3)) : 0);
    }
    return;
  }
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min<i32>(KC, K - k0);
    const first = k0 == 0;
    for (let i = r0; i < r1; i += 4) {
      const rows = min<i32>(4, r1 - i);
      packA64(ap + <usize>i * ai + <usize>k0 * ak, ai, ak, rows, kc, pa);
      const crow = cp + <usize>i * ldc;
      for (let p = 0; p < P; p++) {
        let b = bpk + (<usize>p * <usize>K + <usize>k0) * 32;
        let q = pa;
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
        let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
        for (let k = 0; k < kc; k++) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          const x0 = v128.load64_splat(q);
          c00 = f64x2.add(c00, f64x2.mul(x0, b0));
          c01 = f64x2.add(c01, f64x2.mul(x0, b1));
          const x1 = v128.load64_splat(q, 8);
          c10 = f64x2.add(c10, f64x2.mul(x1, b0));
          c11 = f64x2.add(c11, f64x2.mul(x1, b1));
          const x2 = v128.load64_splat(q, 16);
          c20 = f64x2.add(c20, f64x2.mul(x2, b0));
          c21 = f64x2.add(c21, f64x2.mul(x2, b1));
          const x3 = v128.load64_splat(q, 24);
          c30 = f64x2.add(c30, f64x2.mul(x3, b0));
          c31 = f64x2.add(c31, f64x2.mul(x3, b1));
          b += 32;
          q += 32;
        }
        const j0 = p << 2;
        const w = min<i32>(4, N - j0);
        const c = crow + (<usize>j0 << 3);
        const bias = biasp ? biasp + (<usize>j0 << 3) : 0;
        put64(c, bias, first, w, c00, c01, tmp);
        if (rows > 1) put64(c + ldc, bias, first, w, c10, c11, tmp);
        if (rows > 2) put64(c + 2 * ldc, bias, first, w, c20, c21, tmp);
        if (rows > 3) put64(c + 3 * ldc, bias, first, w, c30, c31, tmp);
      }
    }
  }
}
