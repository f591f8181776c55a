/**
 * The one place that checks options objects and option values at the public entries (tensor
 * creation, losses, `nn` constructors, optimizers, gradcheck): an options object must be a plain
 * object, its keys known, its values of the expected kind. Python refuses an unexpected keyword
 * argument with a TypeError; losskit does the same, pointing at the spelling it knows.
 */
import { LosskitTypeError, ValueError, check, describe } from './errors.js';

const snakeToCamel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Edit distance, for `reductoin` -> `reduction`; short keys only, so the quadratic cost is nothing. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The known option `key` was most likely meant as: its camelCase spelling, another case, or a near typo. */
export function didYouMean(key: string, allowed: readonly string[]): string | undefined {
  const camel = snakeToCamel(key);
  if (camel !== key && allowed.includes(camel)) return camel;
  const lower = camel.toLowerCase();
  const sameLetters = allowed.find((a) => a.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  const prefix = allowed.find((a) => a.length >= 3 && (lower.startsWith(a.toLowerCase()) || (lower.length >= 3 && a.toLowerCase().startsWith(lower))));
  if (prefix) return prefix;
  let best: string | undefined;
  let bestDistance = key.length >= 5 ? 2 : 1;
  for (const a of allowed) {
    const d = distance(lower, a.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = a;
      bestDistance = d;
    }
  }
  return best;
}

/** Whether `v` is an options object: a plain object (not null, an array, a Tensor or a number). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Python's repr of an option value, for PyTorch's `None is not a valid value for reduction`. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return v;
  return describe(v);
}

/**
 * Refuses an options argument that is not a plain object, and option names `fn` does not know,
 * the way Python refuses an unexpected keyword argument, pointing at the known spelling
 * (`requires_grad` -> `requiresGrad`). Where `reduction` is an option its value must be a string:
 * PyTorch 2.x says `None is not a valid value for reduction` for `reduction=None`.
 */
export function checkOptions(fn: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined) return;
  check(
    isOptionsObject(opts),
    LosskitTypeError,
    () => `${fn}(): options must be an object such as { ${allowed[0] ?? 'key'}: ... }, got ${describe(opts)}`,
  );
  for (const key of Object.keys(opts)) {
    if (allowed.includes(key)) continue;
    const near = didYouMean(key, allowed);
    const hint = near ? ` (did you mean '${near}'?)` : ` (expected one of: ${allowed.join(', ')})`;
    throw new LosskitTypeError(`${fn}() got an unexpected keyword argument '${key}'${hint}`);
  }
  if (allowed.includes('reduction') && opts.reduction !== undefined) {
    check(typeof opts.reduction === 'string', ValueError, () => `${pyRepr(opts.reduction)} is not a valid value for reduction`);
  }
  for (const legacy of ['sizeAverage', 'reduce']) {
    const v = opts[legacy];
    if (allowed.includes(legacy) && v !== undefined && v !== null) checkBool(fn, legacy, v);
  }
}

/** {@link checkOptions}, then the options themselves (`{}` when absent), for callers that merge them with defaults. */
export function checkedOptions<O extends object>(fn: string, opts: O | undefined, allowed: readonly string[]): O {
  checkOptions(fn, opts, allowed);
  return opts ?? ({} as O);
}

export function checkNumber(fn: string, name: string, v: unknown): number {
  check(typeof v === 'number', LosskitTypeError, () => `${fn}(): argument '${name}' must be a number, but got ${describe(v)}`);
  return v;
}

export function checkBool(fn: string, name: string, v: unknown): boolean {
  check(typeof v === 'boolean', LosskitTypeError, () => `${fn}(): argument '${name}' must be a boolean, but got ${describe(v)}`);
  return v;
}

export function checkInt(fn: string, name: string, v: unknown): number {
  check(
    typeof v === 'number' && Number.isInteger(v),
    LosskitTypeError,
    () => `${fn}(): argument '${name}' must be an integer, but got ${describe(v)}`,
  );
  return v;
}

/** A function argument (a closure, a distance function, gradcheck's function). */
export function checkFunction(fn: string, name: string, v: unknown): (...args: never[]) => unknown {
  check(typeof v === 'function', LosskitTypeError, () => `${fn}(): argument '${name}' must be a function, but got ${describe(v)}`);
  return v as (...args: never[]) => unknown;
}

/** A JSON string a user hands in (a saved state dict): a ValueError naming `fn` if it does not parse. */
export function parseJson(fn: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${fn}(): the string is not valid JSON (${(e as Error).message})`);
  }
}
