/**
 * 16-bit floats <-> numbers. float16 is IEEE 754 half precision, as ONNX Runtime and transformers.js
 * hand it out (a Uint16Array of bit patterns, or a Float16Array where the engine has one); bfloat16
 * is the top half of a float32. Encoding goes through float32 and rounds to nearest, ties to even,
 * as PyTorch's `.half()` and `.bfloat16()`; float16 overflow gives infinity.
 */
/**
 * The storage of a bfloat16 tensor: a Uint16Array of bfloat16 bit patterns, as its own class so the
 * array says which 16-bit format it holds (a plain Uint16Array holds float16 bit patterns).
 */
export class BFloat16Array extends Uint16Array {}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bit pattern nearest to `x` (rounded to float32 first). */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal (or zero): the implicit bit joins the mantissa, shifted into 10 bits
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry into the exponent is right (up to infinity)
  return sign | h;
}

/** The number a float16 bit pattern holds. */
export function fromHalfBits(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

let table: Float32Array | null = null;

/** float16 data (bit patterns, or a Float16Array) as a new Float32Array. */
export function halfToFloat32(data: Uint16Array | ArrayLike<number>): Float32Array {
  const out = new Float32Array(data.length);
  if (data instanceof Uint16Array) {
    if (table === null) {
      table = new Float32Array(65536);
      for (let h = 0; h < 65536; h++) table[h] = fromHalfBits(h);
    }
    const t = table;
    for (let i = 0; i < data.length; i++) out[i] = t[data[i]];
  } else for (let i = 0; i < data.length; i++) out[i] = data[i];
  return out;
}

/** Numbers as a new Uint16Array of float16 bit patterns. */
export function float32ToHalf(data: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = toHalfBits(data[i]);
  return out;
}

/** The bfloat16 bit pattern nearest to `x` (rounded to float32 first); NaN gives the quiet NaN 0x7fc0. */
export function toBFloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if (Number.isNaN(x)) return (b >>> 16) | 0x40;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The number a bfloat16 bit pattern holds. */
export function fromBFloat16Bits(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** bfloat16 bit patterns as a new Float32Array (exact: a bfloat16 is the top half of a float32). */
export function bfloat16ToFloat32(data: Uint16Array): Float32Array {
  const bits = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) bits[i] = data[i] << 16;
  return new Float32Array(bits.buffer);
}

/** Numbers as a new BFloat16Array of bfloat16 bit patterns. */
export function float32ToBFloat16(data: ArrayLike<number>): BFloat16Array {
  const out = new BFloat16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = toBFloat16Bits(data[i]);
  return out;
}
