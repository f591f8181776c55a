import { LosskitTypeError, RuntimeError, check, describe } from '../errors.js';
import { checkBool, parseJson } from '../options.js';
import { noGrad } from '../autograd/graph.js';
import { type DType, asNumbers, checkDType, fromNumbers } from '../tensor/dtype.js';
import { sameShape, torchSize } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * One tensor of a state dict, as plain JSON: `JSON.stringify` keeps it whole. Non-finite values
 * are written as the strings `'nan'`, `'inf'` and `'-inf'` (JSON has no spelling for them; the
 * same strings `tensor()` reads).
 */
export interface TensorState {
  /** The tensor's dtype; `loadStateDict` converts the values to the receiving tensor's dtype anyway. */
  dtype: DType;
  /** The tensor's shape. */
  shape: number[];
  /** The values in row-major order: numbers, or `'nan'`, `'inf'`, `'-inf'`. */
  data: (number | string)[];
}

/** A module's parameters and buffers by dotted name (`'0.weight'`), as `state_dict()` in PyTorch. */
export type StateDict = Record<string, TensorState>;

/** What `loadStateDict` did not match (only non-empty with `strict: false`; strict throws instead). */
export interface LoadResult {
  /** The module's parameter and buffer names the state dict did not have. */
  missingKeys: string[];
  /** The state dict's names the module does not have. */
  unexpectedKeys: string[];
}

// Names registered with registerParameter/registerBuffer. Kept off the instance so that
// Object.entries(module) shows only what the user assigned.
const registry = new WeakMap<Module, { params: Set<string>; buffers: Set<string> }>();

function registered(m: Module): { params: Set<string>; buffers: Set<string> } {
  let r = registry.get(m);
  if (!r) registry.set(m, (r = { params: new Set(), buffers: new Set() }));
  return r;
}

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/**
 * Base class of layers, models and losses, as `torch.nn.Module`: it holds parameters, buffers and
 * child modules, and a training flag.
 *
 * As in PyTorch, assigning is registering: an own property holding a Module (or an array of them)
 * is a child, one holding a Tensor that requires grad is a parameter. `registerParameter` and
 * `registerBuffer` make it explicit (a registered parameter stays one even when frozen with
 * `requiresGrad = false`; a buffer is saved in the state dict but not trained).
 *
 * ```ts
 * class MLP extends nn.Module {
 *   fc1 = new nn.Linear(4, 16);
 *   fc2 = new nn.Linear(16, 3);
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * ```
 */
export abstract class Module {
  /** Whether the module is in training mode (the default) or evaluation mode: set by {@link train} and {@link eval}. */
  training = true;

  /** Adds (or replaces) a parameter: assigned as `this[name]`, made to require grad. */
  registerParameter(name: string, param: Tensor | null): void {
    checkName(this, name);
    if (param) {
      check(isTensor(param), LosskitTypeError, () => `cannot assign '${typeName(param)}' as parameter '${name}' (Tensor or null expected)`);
      check(param.isLeaf, RuntimeError, () => `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly; use detach() first.`);
      if (!param.requiresGrad) param.requiresGrad = true;
    }
    registered(this).params.add(name);
    (this as Record<string, unknown>)[name] = param;
  }

  /** Adds a buffer: state saved in the state dict that no optimizer trains (running means, masks). */
  registerBuffer(name: string, buffer: Tensor | null): void {
    checkName(this, name);
    check(buffer === null || isTensor(buffer), LosskitTypeError, () => `cannot assign '${typeName(buffer)}' as buffer '${name}' (Tensor or null expected)`);
    registered(this).buffers.add(name);
    (this as Record<string, unknown>)[name] = buffer;
  }

  /** Direct parameters: registered ones first, then own properties holding Tensors that require grad. */
  protected ownParameters(): [string, Tensor][] {
    const { params, buffers } = registered(this);
    const self = this as Record<string, unknown>;
    const out: [string, Tensor][] = [];
    for (const k of params) if (isTensor(self[k])) out.push([k, self[k] as Tensor]);
    for (const [k, v] of Object.entries(this)) {
      if (isTensor(v) && v.requiresGrad && !params.has(k) && !buffers.has(k)) out.push([k, v]);
    }
    return out;
  }

  /** Direct buffers (registered with `registerBuffer`, not null), in registration order. */
  protected ownBuffers(): [string, Tensor][] {
    const self = this as Record<string, unknown>;
    return [...registered(this).buffers].filter((k) => isTensor(self[k])).map((k) => [k, self[k] as Tensor]);
  }

  /** Child modules: own properties holding Modules (and arrays of them, named `list.0`). */
  children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v)) v.forEach((m, i) => m instanceof Module && out.push([`${k}.${i}`, m]));
    }
    return out;
  }

  /** This module and every module below it, with dotted names (this one is `''`). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this.children()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k));
    return out;
  }

  /** This module and every module below it, as {@link namedModules} without the names. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its dotted name (`0.weight`, `fc.bias`), children included, in
   * registration order. A tensor shared by two modules is listed once (as PyTorch does), so an
   * optimizer never steps it twice.
   */
  namedParameters(prefix = ''): [string, Tensor][] {
    return this.collect(prefix, (m) => m.ownParameters());
  }

  /** Every parameter, children included, as {@link namedParameters} without the names: what an optimizer takes. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every buffer with its dotted name, children included, in registration order; shared ones once. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    return this.collect(prefix, (m) => m.ownBuffers());
  }

  /** Every buffer, children included, as {@link namedBuffers} without the names. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  private collect(prefix: string, own: (m: Module) => [string, Tensor][]): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [name, m] of this.namedModules(prefix)) {
      for (const [k, t] of own(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([name ? `${name}.${k}` : k, t]);
      }
    }
    return out;
  }

  /** Clears every parameter's gradient (PyTorch 2.x's default `set_to_none=True`), or zeroes it. */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (setToNone || !p.grad) p.grad = null;
      else (p.grad.data as Float64Array).fill(0);
    }
  }

  /** Training mode (`true`, the default) or evaluation mode, for this module and all below it. */
  train(mode = true): this {
    this.training = mode;
    for (const [, m] of this.children()) m.train(mode);
    return this;
  }

  /** Evaluation mode: Dropout passes its input through unchanged. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Parameters and buffers as plain JSON, keyed by dotted name: `{ 'fc1.weight': { dtype, shape,
   * data } }`. The values are copies, so later training does not change a saved state.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [k, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
      out[k] = {
        dtype: t.dtype,
        shape: [...t.shape],
        data: Array.from(asNumbers(t.data), (v) => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf')),
      };
    }
    return out;
  }

  /**
   * Copies a state dict (from `stateDict()`, or its JSON text) into this module's parameters and
   * buffers, in place: tensors keep their identity, so an optimizer built on them stays valid.
   * Values are converted to each tensor's dtype.
   *
   * @param strict every key must match (default, as PyTorch); with `false`, missing and unexpected
   *   keys are returned instead of thrown.
   * @throws RuntimeError with PyTorch's `Error(s) in loading state_dict for ...` message listing
   *   missing and unexpected keys (strict) and size mismatches (always).
   */
  loadStateDict(state: StateDict | Record<string, TensorState | Tensor> | string, strict = true): LoadResult {
    const dict = (typeof state === 'string' ? parseJson(`${this.constructor.name}.loadStateDict`, state) : state) as Record<string, TensorState | Tensor>;
    checkBool(`${this.constructor.name}.loadStateDict`, 'strict', strict);
    check(dict !== null && typeof dict === 'object' && !Array.isArray(dict), LosskitTypeError, () => `Expected state_dict to be dict-like, got ${typeName(dict)}.`);
    const own = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = [...own.keys()].filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !own.has(k));
    const errors: string[] = [];
    const copies: [Tensor, ArrayLike<number>][] = [];
    for (const [k, t] of own) {
      if (!(k in dict)) continue;
      const { shape, values } = readState(k, dict[k]);
      if (!sameShape(shape, t.shape)) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape ${torchSize(shape)} from checkpoint, the shape in current model is ${torchSize(t.shape)}.`,
        );
      } else copies.push([t, values]);
    }
    if (strict) {
      if (unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}. `);
      if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      // copied into the existing storage, so nothing else comes to share the source's arrays
      for (const [t, values] of copies) (t.data as Float64Array).set(fromNumbers(values, t.dtype) as Float64Array);
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The text between the parentheses of this module's `toString()` (`in_features=3, ...`). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's module repr: `Sequential(\n  (0): Linear(in_features=4, out_features=16, bias=True)\n ...)`. */
  toString(): string {
    const kids = this.children();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const lines = kids.map(([k, m]) => `  (${k}): ${m.toString().split('\n').join('\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }

  /** The module's computation, as PyTorch's `forward`: call it directly (`model.forward(x)`). */
  abstract forward(...args: unknown[]): Tensor;
}

function checkName(m: Module, name: string): void {
  check(typeof name === 'string' && name.length > 0, LosskitTypeError, () => `parameter name should be a non-empty string, got ${typeName(name)}`);
  check(!name.includes('.'), RuntimeError, () => `parameter name can't contain "." (got "${name}")`);
  check(!((m as unknown as Record<string, unknown>)[name] instanceof Module), RuntimeError, () => `attribute '${name}' already exists as a module`);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

function readState(key: string, v: TensorState | Tensor): { shape: number[]; values: ArrayLike<number> } {
  if (isTensor(v)) return { shape: [...v.shape], values: asNumbers(v.data) };
  check(
    v !== null && typeof v === 'object' && Array.isArray(v.shape) && Array.isArray(v.data),
    LosskitTypeError,
    () => `state_dict entry '${key}' must be a Tensor or { dtype, shape, data }, got ${typeName(v)}`,
  );
  if (v.dtype !== undefined) checkDType(v.dtype, `dtype of '${key}'`);
  const values = v.data.map((x) => {
    if (typeof x === 'number') return x;
    const s = String(x).toLowerCase();
    if (s === 'nan') return NaN;
    if (s === 'inf' || s === 'infinity') return Infinity;
    if (s === '-inf' || s === '-infinity') return -Infinity;
    throw new LosskitTypeError(`state_dict entry '${key}' holds a non-number: ${describe(x)}`);
  });
  check(
    v.shape.every((d) => Number.isInteger(d) && d >= 0),
    RuntimeError,
    () => `state_dict entry '${key}': shape must be non-negative integers, got [${v.shape.map(String).join(', ')}]`,
  );
  const n = v.shape.reduce((a, b) => a * b, 1);
  check(n === values.length, RuntimeError, () => `state_dict entry '${key}': shape [${v.shape.join(', ')}] is invalid for input of size ${values.length}`);
  return { shape: v.shape, values };
}
