/**
 * Runs PyTorch parity cases (`losskit-parity/1`, see docs/parity-format.md) through the public
 * API and reports, case by case, what differs. Used by the test suite and by `losskit parity`.
 */
import { LosskitError, setWarningHandler } from './errors.js';
import { Tensor } from './tensor/tensor.js';
import { tensor } from './tensor/creation.js';
import { type DType, asNumbers } from './tensor/dtype.js';
import * as F from './losses/index.js';
import { LOSS_OPTIONS } from './losses/options.js';

export interface ParityTensor {
  dtype: DType;
  shape: number[];
  data: (number | string | boolean)[];
}

export interface ParityCase {
  id: string;
  fn: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
  grad?: number[];
  grad_output?: ParityTensor;
  expect: { value: ParityTensor; grads?: (ParityTensor | null)[] } | { error: string };
  tol?: { rtol?: number; atol?: number };
  note?: string;
}

export interface ParityFile {
  format: string;
  generator?: string;
  cases: ParityCase[];
}

export interface CaseResult {
  id: string;
  ok: boolean;
  /** What differs, for a failing case. */
  detail?: string;
  /** The largest |got - want| / (atol + rtol |want|) seen (<= 1 passes). */
  worst?: number;
}

const DEFAULT_TOL: Record<string, { rtol: number; atol: number }> = {
  float64: { rtol: 1e-9, atol: 1e-10 },
  float32: { rtol: 1e-5, atol: 1e-6 },
  // two units in the last place: PyTorch rounds to 16 bits after each op, losskit once at the end
  float16: { rtol: 2e-3, atol: 1e-5 },
  bfloat16: { rtol: 1.6e-2, atol: 1e-4 },
};

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function isParityTensor(x: unknown): x is ParityTensor {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'dtype' in x && 'shape' in x && 'data' in x;
}

/** A TENSOR object of the format as a losskit Tensor (non-finite values arrive as strings). */
export function decodeTensor(t: ParityTensor, requiresGrad = false): Tensor {
  return tensor(t.data as any, { dtype: t.dtype, shape: t.shape, requiresGrad });
}

function decode(x: unknown, requiresGrad = false): unknown {
  if (isParityTensor(x)) return decodeTensor(x, requiresGrad);
  if (Array.isArray(x)) return x.map((v) => decode(v));
  if (typeof x === 'string' && ['nan', 'inf', '-inf'].includes(x)) return Number(x.replace('inf', 'Infinity'));
  return x;
}

function decodeKwargs(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'distance_function') {
      out.distanceFunction = distanceFunction(v);
      continue;
    }
    out[camel(k)] = decode(v);
  }
  return out;
}

function distanceFunction(name: unknown): unknown {
  const anyF = F as Record<string, any>;
  if (name === null || name === undefined) return undefined;
  if (name === 'pairwise_distance') return anyF.pairwiseDistance;
  if (name === 'cosine_distance') return (a: Tensor, b: Tensor) => (anyF.cosineSimilarity(a, b) as Tensor).neg().add(1);
  throw new Error(`unknown distance_function ${JSON.stringify(name)}`);
}

/** Compares a tensor with the expected TENSOR: shape, dtype and every element within tolerance. */
export function compareTensor(
  got: Tensor | null | undefined,
  want: ParityTensor | null,
  tol: { rtol?: number; atol?: number } | undefined,
  what: string,
): { ok: boolean; detail?: string; worst: number } {
  if (want === null) {
    return got ? { ok: false, detail: `${what}: expected no gradient, got one of shape [${got.shape.join(', ')}]`, worst: Infinity } : { ok: true, worst: 0 };
  }
  if (!(got instanceof Tensor)) return { ok: false, detail: `${what}: expected a tensor, got ${got === null ? 'null' : typeof got}`, worst: Infinity };
  if (got.dtype !== want.dtype) return { ok: false, detail: `${what}: dtype ${got.dtype}, expected ${want.dtype}`, worst: Infinity };
  if (got.shape.length !== want.shape.length || got.shape.some((s, i) => s !== want.shape[i])) {
    return { ok: false, detail: `${what}: shape [${got.shape.join(', ')}], expected [${want.shape.join(', ')}]`, worst: Infinity };
  }
  const { rtol, atol } = { ...(DEFAULT_TOL[want.dtype] ?? { rtol: 0, atol: 0 }), ...tol };
  const g = asNumbers(got.data);
  const w = asNumbers(decodeTensor(want).data);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!Number.isFinite(b) || !Number.isFinite(a)) {
      if (a !== b) return { ok: false, detail: `${what}[${i}]: got ${a}, expected ${b}`, worst: Infinity };
      continue;
    }
    const bound = atol + rtol * Math.abs(b);
    const ratio = bound === 0 ? (a === b ? 0 : Infinity) : Math.abs(a - b) / bound;
    if (ratio > worst) {
      worst = ratio;
      worstAt = i;
    }
  }
  if (worst > 1) {
    return { ok: false, detail: `${what}[${worstAt}]: got ${g[worstAt]}, expected ${w[worstAt]} (rtol ${rtol}, atol ${atol})`, worst };
  }
  return { ok: true, worst };
}

/** What is wrong with a case's structure (a `null` case, `fn` not a string, no `expect`), if anything. */
function malformed(c: unknown): string | null {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return `a case must be an object, got ${c === null ? 'null' : Array.isArray(c) ? 'an array' : typeof c}`;
  const k = c as Partial<ParityCase>;
  if (typeof k.fn !== 'string') return "a case needs 'fn', the torch.nn.functional name as a string";
  if (!Array.isArray(k.args)) return "a case needs 'args', an array";
  if (k.kwargs !== undefined && (k.kwargs === null || typeof k.kwargs !== 'object' || Array.isArray(k.kwargs))) return "'kwargs' must be an object";
  if (k.grad !== undefined && !(Array.isArray(k.grad) && k.grad.every((i) => Number.isInteger(i)))) return "'grad' must be an array of argument indices";
  const e = k.expect as Record<string, unknown> | undefined;
  if (e === null || typeof e !== 'object' || !('value' in e || typeof e.error === 'string')) return "a case needs 'expect': { value, grads? } or { error }";
  if ('value' in e && !isParityTensor(e.value)) return "'expect.value' must be a TENSOR";
  return null;
}

/** Runs one case. Never throws: a malformed case or an implementation error becomes a failing result. */
export function runCase(c: ParityCase, index = 0): CaseResult {
  const id = c !== null && typeof c === 'object' && typeof c.id === 'string' ? c.id : `(case ${index})`;
  const bad = malformed(c);
  if (bad) return { id, ok: false, detail: `malformed case: ${bad}` };
  try {
    return runWellFormed({ ...c, id });
  } catch (e) {
    return { id, ok: false, detail: `could not run the case: ${(e as Error)?.name}: ${(e as Error)?.message}` };
  }
}

function runWellFormed(c: ParityCase): CaseResult {
  const fnName = camel(c.fn);
  // only the losses and their helpers: not `toString` or anything else a module object has
  const fn = Object.hasOwn(LOSS_OPTIONS, fnName) ? (F as Record<string, unknown>)[fnName] : undefined;
  const prev = setWarningHandler(() => {});
  try {
    if (typeof fn !== 'function') return { id: c.id, ok: false, detail: `F.${fnName} is not implemented` };
    const grad = c.grad ?? [];
    let args: unknown[];
    let kwargs: Record<string, unknown>;
    try {
      args = c.args.map((a, i) => decode(a, grad.includes(i)));
      kwargs = decodeKwargs(c.kwargs ?? {});
    } catch (e) {
      return { id: c.id, ok: false, detail: `could not decode the case: ${(e as Error).message}` };
    }
    if ('error' in c.expect) return expectError(c, () => callLoss(fn, args, kwargs, c));
    let value: Tensor;
    try {
      value = callLoss(fn, args, kwargs, c);
    } catch (e) {
      return { id: c.id, ok: false, detail: `threw ${(e as Error).name}: ${(e as Error).message}` };
    }
    const expect = c.expect;
    const tol = c.tol ?? mixedPrecisionTolerance(c);
    const v = compareTensor(value, expect.value, tol, 'value');
    if (!v.ok) return { id: c.id, ok: false, detail: v.detail, worst: v.worst };
    let worst = v.worst;
    if (expect.grads) {
      for (let j = 0; j < grad.length; j++) {
        const t = args[grad[j]] as Tensor;
        const r = compareTensor(t.grad, expect.grads[j] ?? null, tol, `grad of args[${grad[j]}]`);
        if (!r.ok) return { id: c.id, ok: false, detail: r.detail, worst: r.worst };
        worst = Math.max(worst, r.worst);
      }
    }
    return { id: c.id, ok: true, worst };
  } finally {
    setWarningHandler(prev);
  }
}

/**
 * A float64 result computed from float32 data (a float32 input, a float64 target) is only as
 * accurate as PyTorch's float32 intermediates, whose vectorised exp/log are not correctly
 * rounded: such cases are compared with float32's tolerance unless the case sets its own.
 */
function mixedPrecisionTolerance(c: ParityCase): { rtol: number; atol: number } | undefined {
  const dtypes = c.args.filter(isParityTensor).map((t) => t.dtype);
  return dtypes.includes('float32') && dtypes.includes('float64') ? DEFAULT_TOL.float32 : undefined;
}

function callLoss(fn: unknown, args: unknown[], kwargs: Record<string, unknown>, c: ParityCase): Tensor {
  const out = (fn as (...a: unknown[]) => Tensor)(...args, kwargs);
  const grad = c.grad ?? [];
  if (grad.length > 0 && out.requiresGrad) {
    out.backward(c.grad_output ? decodeTensor(c.grad_output) : undefined);
  }
  return out;
}

function expectError(c: ParityCase, run: () => unknown): CaseResult {
  const want = (c.expect as { error: string }).error;
  const sep = want.indexOf(': ');
  const wantType = sep >= 0 ? want.slice(0, sep) : want;
  const wantMessage = sep >= 0 ? want.slice(sep + 2) : '';
  try {
    run();
  } catch (e) {
    if (!(e instanceof LosskitError)) {
      return { id: c.id, ok: false, detail: `expected ${want}; got a non-losskit ${(e as Error).name}: ${(e as Error).message}` };
    }
    if (e.name !== wantType) return { id: c.id, ok: false, detail: `expected ${want}; got ${e.name}: ${e.message}` };
    if (!normalise(e.message).includes(normalise(wantMessage))) {
      return { id: c.id, ok: false, detail: `message differs: expected "${wantMessage}", got "${e.message}"` };
    }
    return { id: c.id, ok: true, worst: 0 };
  }
  return { id: c.id, ok: false, detail: `expected ${want}, but nothing was thrown` };
}

// PyTorch's messages end with trailing spaces now and then, and name functions and keywords in
// snake_case where losskit's name them in camelCase (`huber_loss() got an unexpected keyword
// argument 'size_average'`): both sides are compared with whitespace collapsed and identifiers camelCased.
const normalise = (s: string): string => camel(s.replace(/\s+/g, ' ').trim());

/** Runs every case of a parsed parity file. */
export function runParity(doc: ParityFile): CaseResult[] {
  const format = doc !== null && typeof doc === 'object' ? doc.format : undefined;
  if (format !== 'losskit-parity/1') {
    return [{ id: '(file)', ok: false, detail: `unknown format ${JSON.stringify(format) ?? 'undefined'}; expected "losskit-parity/1"` }];
  }
  if (!Array.isArray(doc.cases)) return [{ id: '(file)', ok: false, detail: "'cases' must be an array" }];
  return doc.cases.map((c, i) => runCase(c, i));
}
