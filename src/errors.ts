/**
 * The errors losskit throws, named after what PyTorch raises, and the one place that warns.
 *
 * Every error extends {@link LosskitError}, so `catch (e) { if (e instanceof LosskitError) ... }`
 * separates a misuse of the library from a bug. `error.name` is PyTorch's exception name, so
 * `${e.name}: ${e.message}` reads like PyTorch's traceback line.
 */
/**
 * The base class of every error losskit throws: `e instanceof LosskitError` tells a misuse of the
 * library (a bad shape, dtype, option or value) from a bug. Subclasses carry PyTorch's exception
 * name in `name` and, where PyTorch's is clear, its message.
 */
export class LosskitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LosskitError';
  }
}

/** A bad value: wrong option, wrong size, out of range (PyTorch's `ValueError`). */
export class ValueError extends LosskitError {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

/** What PyTorch's C++ kernels raise: shape, dtype and range checks (`RuntimeError`). */
export class RuntimeError extends LosskitError {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** An index outside its range: class targets, dimensions (`IndexError`). */
export class IndexError extends LosskitError {
  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

/**
 * An argument of the wrong kind (PyTorch's `TypeError`). Named `LosskitTypeError` so importing it
 * does not shadow JavaScript's own `TypeError`; its `name` is still `'TypeError'`.
 */
export class LosskitTypeError extends LosskitError {
  constructor(message: string) {
    super(message);
    this.name = 'TypeError';
  }
}

/** Something PyTorch has too that losskit does not support (`NotImplementedError`). */
export class NotImplementedError extends LosskitError {
  constructor(message: string) {
    super(message);
    this.name = 'NotImplementedError';
  }
}

type ErrorClass = new (message: string) => LosskitError;

/**
 * What a wrong argument was, for messages: `undefined`, `the string "abc"`, `a Map`, `bigint 1`.
 * Never throws, whatever it is given (symbols and bigints defeat template strings and JSON).
 */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `[${v.slice(0, 8).map((e) => (e !== null && typeof e === 'object' ? '...' : String(e))).join(', ')}${v.length > 8 ? ', ...' : ''}]`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'plain object'}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Throws `new Kind(message())` unless `cond` holds. The message is a function so that building it
 * costs nothing on the happy path.
 */
export function check(cond: unknown, Kind: ErrorClass, message: () => string): asserts cond {
  if (!cond) throw new Kind(message());
}

/** A warning as PyTorch's `warnings.warn(..., UserWarning)` would print it. */
export interface LosskitWarning {
  /** Python's warning category: the class PyTorch's `warnings.warn` uses. */
  category: 'UserWarning' | 'DeprecationWarning';
  /** PyTorch's warning text. */
  message: string;
}

/** Receives every warning losskit raises; install one with {@link setWarningHandler}. */
export type WarningHandler = (w: LosskitWarning) => void;

const seen = new Set<string>();
// Like Python's default filter: each distinct warning is shown once per process.
const defaultHandler: WarningHandler = (w) => {
  const key = `${w.category}: ${w.message}`;
  if (seen.has(key)) return;
  seen.add(key);
  console.warn(`losskit ${key}`);
};
let handler: WarningHandler = defaultHandler;

/**
 * Replaces where warnings go (default: `console.warn`, once per distinct message). Returns the
 * previous handler so it can be restored; pass `null` to restore the default.
 */
export function setWarningHandler(h: WarningHandler | null): WarningHandler {
  const prev = handler;
  handler = h ?? defaultHandler;
  return prev;
}

export function warn(message: string, category: LosskitWarning['category'] = 'UserWarning'): void {
  handler({ category, message });
}
