/**
 * What the commands share: their output streams, flag parsing with clear errors, and writing
 * pictures (SVG always; PNG too when the optional @resvg/resvg-js is installed).
 */
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LosskitError } from '../errors.js';

/** An output stream as the commands use it: process.stdout, or a fake one in tests. */
export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; short?: string }>;

export class UsageError extends Error {}

/**
 * Runs a command's body so that every failure is one line on stderr: bad flags, bad input and
 * unwritable places exit 2 (the usage error, the library's error, the system's reason), anything
 * else exits 1 as an internal error. Never a stack trace.
 */
export function runCommand(command: string, err: Out, body: () => number): number {
  try {
    return body();
  } catch (e) {
    const firstLine = (s: string): string => s.split('\n')[0];
    if (e instanceof UsageError) {
      err.write(`${firstLine(e.message)} (losskit ${command} --help lists the options)\n`);
      return 2;
    }
    if (e instanceof LosskitError) {
      err.write(`losskit ${command}: ${e.name}: ${firstLine(e.message)}\n`);
      return 2;
    }
    const sys = e as NodeJS.ErrnoException;
    if (sys && typeof sys.code === 'string') {
      err.write(`losskit ${command}: ${firstLine(String(sys.message))}\n`);
      return 2;
    }
    err.write(`losskit ${command}: internal error: ${firstLine(String((e as Error)?.message ?? e))}\n`);
    return 1;
  }
}

/** The flags every picture-writing command takes: where to write, JSON only, no PNG, help. */
export const OUTPUT_FLAGS = {
  out: { type: 'string' },
  json: { type: 'boolean', default: false },
  'no-png': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false, short: 'h' },
} as const satisfies FlagSpec;

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
export function num(command: string, name: string, text: string, opts: { min?: number; max?: number; int?: boolean; above?: number } = {}): number {
  const v = Number(text);
  const { min = -Infinity, max = Infinity, int = false, above = -Infinity } = opts;
  if (text.trim() === '' || !Number.isFinite(v) || v < min || v <= above || v > max || (int && !Number.isInteger(v))) {
    const range = [above > -Infinity ? `> ${above}` : '', min > -Infinity ? `>= ${min}` : '', max < Infinity ? `<= ${max}` : ''].filter(Boolean).join(' and ');
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

/** The directory the commands write to when `--out` is not given (and not in `--json` mode). */
export const DEFAULT_OUT = 'losskit-out';

const reason = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}${err.syscall ? ` (${err.syscall})` : ''}` : String(err.message ?? e);
};

/**
 * Makes `dir` (and its missing parents) one level at a time, then checks it can be written to, so
 * that a bad `--out` fails at once, before any training: `mkdirSync(..., { recursive: true })`
 * spins forever under /proc, and a file in the way would only fail after the work was done.
 */
function makeDir(abs: string, asked: string): void {
  let st;
  try {
    st = statSync(abs);
  } catch {
    st = null;
  }
  if (st) {
    if (!st.isDirectory()) throw new UsageError(`--out ${asked}: ${abs} exists and is not a directory`);
    return;
  }
  const parent = dirname(abs);
  if (parent === abs) throw new UsageError(`--out ${asked}: cannot create ${abs}`);
  makeDir(parent, asked);
  try {
    mkdirSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`--out ${asked}: cannot create directory ${abs}: ${reason(e)}`);
  }
}

/** Creates the output directory now, or throws a UsageError naming why it cannot be written to. */
export function prepareOut(command: string, dir: string): string {
  const abs = resolve(dir);
  try {
    makeDir(abs, dir);
    accessSync(abs, constants.W_OK);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`losskit ${command}: ${e.message}`);
    throw new UsageError(`losskit ${command}: --out ${dir}: cannot write to ${abs}: ${reason(e)}`);
  }
  return abs;
}

/**
 * Where a command writes its pictures: `--out` if given, else nowhere in `--json` mode (machines
 * asked for JSON, not files), else the default directory, which the command's output names.
 */
export function outputDir(command: string, out: string | undefined, json: boolean): string | null {
  if (out === undefined && json) return null;
  return prepareOut(command, out ?? DEFAULT_OUT);
}

/** Writes `name.svg` (and `name.png` unless `png` is false or the renderer is missing) into `dir`. */
export function writePicture(dir: string, name: string, svg: string, png = true): Written {
  const abs = resolve(dir);
  makeDir(abs, dir);
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
