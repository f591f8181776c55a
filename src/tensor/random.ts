/**
 * A small seedable generator (xoshiro128**, seeded through splitmix32), so that `randn([4, 5],
 * { seed: 1 })` gives the same numbers in Node and every browser. It does not reproduce PyTorch's
 * Mersenne Twister streams: parity tests pass PyTorch's numbers in explicitly.
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Restarts the stream from `seed` (truncated to a 32-bit integer), as PyTorch's `Generator.manual_seed`; returns this generator. */
  manualSeed(seed: number): this {
    let x = (Math.trunc(seed) >>> 0) ^ 0x9e3779b9;
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform on [0, 1), with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator used when no `seed` is given; reseed it with `manualSeed`. */
export const defaultGenerator = new Generator(Date.now() ^ 0x5f3759df);

/** Seeds the default generator (PyTorch's `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
