/**
 * What the commands share: their output streams, flag parsing with clear errors, and writing
 * pictures (SVG always; PNG too when the optional @resvg/resvg-js is installed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** An output stream as the commands use it: process.stdout, or a fake one in tests. */
export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; short?: string }>;

export class UsageError extends Error {}

/** Parses `args` against `spec`; unknown flags and stray arguments are usage errors. */
export function flags<S extends FlagSpec>(command: string, args: string[], spec: S): { [K in keyof S]: S[K]['type'] extends 'boolean' ? boolean : string } {
  try {
    const { values, positionals } = parseArgs({ args, options: spec as never, strict: true, allowPositionals: true });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    return values as never;
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`losskit ${command}: ${e.message}`);
    throw new UsageError(`losskit ${command}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, '')}`);
  }
}

/** A number flag (finite, within [min, max], an integer if asked). */
export function num(command: string, name: string, text: string, opts: { min?: number; max?: number; int?: boolean } = {}): number {
  const v = Number(text);
  const { min = -Infinity, max = Infinity, int = false } = opts;
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v > max || (int && !Number.isInteger(v))) {
    const range = [min > -Infinity ? `>= ${min}` : '', max < Infinity ? `<= ${max}` : ''].filter(Boolean).join(' and ');
    throw new UsageError(`losskit ${command}: --${name} must be ${int ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got '${text}'`);
  }
  return v;
}

/** One of `choices`. */
export function choice<T extends string>(command: string, name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`losskit ${command}: --${name} must be one of ${choices.join(', ')}, got '${text}'`);
  }
  return text as T;
}

// main() is synchronous (its callers rely on a number back), so the PNG renderer is loaded with
// createRequire at first use rather than `await import()`. It is an optional peer dependency: the
// library never loads it, and without it the commands write SVG and say how to get PNG.
type Resvg = new (svg: string, opts: object) => { render(): { asPng(): Uint8Array } };
let resvg: Resvg | null | undefined;

function loadResvg(): Resvg | null {
  if (resvg === undefined) {
    try {
      if (process.env.LOSSKIT_NO_PNG) throw new Error('disabled');
      resvg = (createRequire(import.meta.url)('@resvg/resvg-js') as { Resvg: Resvg }).Resvg;
    } catch {
      resvg = null;
    }
  }
  return resvg;
}

export const PNG_HINT = 'PNG needs the optional @resvg/resvg-js: npm install @resvg/resvg-js (SVG files were written).';

export interface Written {
  svg: string;
  png: string | null;
}

/** Writes `name.svg` (and `name.png` unless `png` is false or the renderer is missing) into `dir`. */
export function writePicture(dir: string, name: string, svg: string, png = true): Written {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const svgPath = join(abs, `${name}.svg`);
  writeFileSync(svgPath, svg);
  const R = png ? loadResvg() : null;
  let pngPath: string | null = null;
  if (R) {
    pngPath = join(abs, `${name}.png`);
    const image = new R(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#ffffff' }).render();
    writeFileSync(pngPath, image.asPng());
  }
  return { svg: svgPath, png: pngPath };
}

/** True when PNG files can be written here. */
export function pngAvailable(): boolean {
  return loadResvg() !== null;
}

/** Numbers for people: 4 significant digits, no float noise. */
export function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}
