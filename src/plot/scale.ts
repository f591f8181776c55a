/** Axis scales and tick marks: linear and log10, with "nice" round ticks (1, 2, 5 x 10^k). */

export interface Scale {
  /** Data value to pixel. */
  (v: number): number;
  domain: [number, number];
  ticks: number[];
  /** Tick label text. */
  format(v: number): string;
  log: boolean;
}

/** Round tick values covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep((hi - lo) / Math.max(1, count - 1));
  const start = Math.ceil(lo / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = start; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  // the round step nearest the wanted one, so the tick count stays near what was asked
  return (f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10) * mag;
}

/** Widens [lo, hi] outwards to round values, so the ticks reach the frame. */
export function niceDomain(lo: number, hi: number, count = 6): [number, number] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return [lo - pad, hi + pad];
  }
  const step = niceStep((hi - lo) / Math.max(1, count - 1));
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

/** Tick text with as many decimals as the tick spacing needs (no float noise like 0.30000000000000004). */
function formatter(ticks: number[]): (v: number) => string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(ticks[0]) || 1;
  // enough decimals to tell ticks apart: 2.5 needs one, 0.25 two
  let decimals = 0;
  while (decimals < 8 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6 * step * 10 ** decimals) decimals++;
  return (v) => {
    const s = v.toFixed(decimals);
    return s === '-0' || /^-0\.0*$/.test(s) ? s.slice(1) : s.replace('-', '\u2212');
  };
}

export function linearScale(domain: [number, number], range: [number, number], count = 6): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const ticks = niceTicks(d0, d1, count);
  const f = ((v: number) => r0 + (v - d0) * k) as Scale;
  f.domain = domain;
  f.ticks = ticks;
  f.format = formatter(ticks);
  f.log = false;
  return f;
}

/** A log10 scale; ticks at powers of ten (and 2, 5 times them when the range is short). */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const [l0, l1] = [Math.log10(domain[0]), Math.log10(domain[1])];
  const [r0, r1] = range;
  const k = l1 === l0 ? 0 : (r1 - r0) / (l1 - l0);
  const f = ((v: number) => r0 + (Math.log10(v) - l0) * k) as Scale;
  const ticks: number[] = [];
  const decades = l1 - l0;
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
    for (const m of decades < 2.5 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= domain[0] * (1 - 1e-9) && v <= domain[1] * (1 + 1e-9)) ticks.push(v);
    }
  }
  f.domain = domain;
  f.ticks = ticks;
  f.format = (v) => {
    const e = Math.floor(Math.log10(v) + 1e-9);
    if (e >= -3 && e <= 3) return String(Number(v.toPrecision(3)));
    const m = Math.round(v / 10 ** e);
    return `${m === 1 ? '' : `${m}\u00d7`}10${superscript(e)}`;
  };
  f.log = true;
  return f;
}

/** Powers of ten around [lo, hi] (lo > 0). */
export function logDomain(lo: number, hi: number): [number, number] {
  const a = 10 ** Math.floor(Math.log10(lo) + 1e-9);
  const b = 10 ** Math.ceil(Math.log10(hi) - 1e-9);
  return [a, b > a ? b : a * 10];
}

const SUPERSCRIPT: Record<string, string> = { '-': '\u207b', 0: '\u2070', 1: '\u00b9', 2: '\u00b2', 3: '\u00b3', 4: '\u2074', 5: '\u2075', 6: '\u2076', 7: '\u2077', 8: '\u2078', 9: '\u2079' };

/** -5 as ⁻⁵, for tick labels like 10⁻⁵. */
function superscript(n: number): string {
  return [...String(n)].map((c) => SUPERSCRIPT[c] ?? c).join('');
}
