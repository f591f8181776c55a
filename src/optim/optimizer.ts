/**
 * The base of the optimizers, as `torch.optim.Optimizer`: parameter groups with their options,
 * per-parameter state, `zeroGrad()` and `step()`.
 *
 * Updates follow PyTorch's formulas operation by operation and are written in place into each
 * parameter's `data`, so a model's tensors keep their identity. The state of a float64 parameter
 * is float64; for a float32 parameter every intermediate is rounded to float32 where PyTorch's
 * float32 kernels round, so the two agree to float32 rounding.
 */
import { LosskitTypeError, RuntimeError, ValueError, check, describe } from '../errors.js';
import { isGradEnabled, noGrad } from '../autograd/graph.js';
import { asNumbers, isFloating, isHalf } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { checkFunction, checkOptions, isOptionsObject, parseJson } from '../options.js';

/** The storage a parameter's data lives in (optimizers only take floating tensors). */
export type FloatArray = Float32Array | Float64Array;

/** A parameter group: its tensors and its options (`lr`, `momentum`, ...). Schedulers change `lr`. */
export type ParamGroup<O> = O & {
  /** The group's parameters, leaves of a floating dtype, each in one group only. */
  params: Tensor[];
  /** The learning rate at the scheduler's start (PyTorch's `initial_lr`), set by the first scheduler. */
  initialLr?: number;
};

/**
 * What a group passed to the constructor looks like: `params`, its tensors (or one Tensor), any
 * options to override, and optionally `initialLr` (PyTorch's `initial_lr`, the lr a scheduler starts from).
 */
export type ParamGroupSpec<O> = Partial<O> & { params: Iterable<Tensor>; initialLr?: number };

/** Tensors (e.g. `model.parameters()`), or groups of them with their own options. */
export type Params<O> = Iterable<Tensor> | readonly ParamGroupSpec<O>[];

/** An optimizer's state as plain JSON (`stateDict()`): per-parameter state by index, and the groups. */
export interface OptimizerState {
  /** Per-parameter state (`step`, `expAvg`, `momentumBuffer`, ...) keyed by the parameter's index over all groups. */
  state: Record<string, Record<string, number | number[]>>;
  /** Each group's options, with `params` as the list of its parameters' indices. */
  paramGroups: Record<string, unknown>[];
}

/**
 * The base class of {@link SGD}, {@link Adam} and {@link AdamW}, as `torch.optim.Optimizer`.
 * A custom optimizer extends it and implements `validate`, `stateNames` and `updateGroup`.
 */
export abstract class Optimizer<O extends { lr: number }> {
  /** The options given to the constructor, completed with the optimizer's defaults: what a new group starts from. */
  readonly defaults: Readonly<O>;
  /** The parameter groups, each with its own options; a scheduler changes their `lr`. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (momentum buffers, moment estimates, step counts), created on first use. */
  readonly state = new Map<Tensor, Record<string, number | FloatArray>>();
  /** How many times `step()` ran (schedulers use it to warn when they are stepped first). */
  stepCount = 0;

  protected constructor(
    /** The optimizer's class name (`'SGD'`, `'Adam'`), used in its error messages. */
    readonly name: string,
    params: Params<O>,
    defaults: O,
    private readonly optionNames: readonly string[],
  ) {
    checkOptions(name, defaults, optionNames);
    this.validate(defaults);
    this.defaults = Object.freeze({ ...defaults });
    check(
      params !== null && typeof params === 'object' && Symbol.iterator in Object(params),
      LosskitTypeError,
      () => `params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${describe(params)}`,
    );
    check(!(params instanceof Tensor), LosskitTypeError, () => 'params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor');
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
    check(list.length > 0, ValueError, () => 'optimizer got an empty parameter list');
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<O>] : (list as ParamGroupSpec<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks option values (the ValueErrors PyTorch raises in `__init__`). */
  protected abstract validate(options: O): void;

  /**
   * The per-parameter state `updateGroup` keeps for a parameter of `group`: the names it needs once
   * a parameter has any state, and those it may have. `loadStateDict` holds loaded state to them.
   */
  protected abstract stateNames(group: ParamGroup<O>): { required: readonly string[]; optional: readonly string[] };

  /** Applies one update to every parameter of `group` that has a gradient. Runs under `noGrad`. */
  protected abstract updateGroup(group: ParamGroup<O>): void;

  /** Adds a group of parameters with its own options; unset options take the defaults. */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    check(spec !== null && typeof spec === 'object' && !(spec instanceof Tensor), LosskitTypeError, () => `param group must be a dict, but got ${describe(spec)}`);
    const { params, ...overrides } = spec;
    checkOptions(this.name, overrides, ['initialLr', ...this.optionNames]);
    check(params !== undefined && params !== null, LosskitTypeError, () => 'param group must have a "params" key');
    check(
      params instanceof Tensor || (typeof params === 'object' && Symbol.iterator in params),
      LosskitTypeError,
      () => `param group "params" must be a Tensor or an iterable of Tensors, but got ${describe(params)}`,
    );
    const tensors = params instanceof Tensor ? [params] : [...params];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of tensors) {
      check(p instanceof Tensor, LosskitTypeError, () => `optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      check(p.isLeaf, ValueError, () => "can't optimize a non-leaf Tensor");
      check(isFloating(p.dtype), RuntimeError, () => `optimizer can only optimize floating point Tensors, got ${p.dtype}`);
      check(
        !isHalf(p.dtype),
        RuntimeError,
        () => `losskit's optimizers update float32 or float64 parameters, got ${p.dtype}: keep float32 weights and cast (w.half()) where the model needs 16 bits`,
      );
      check(!seen.has(p), ValueError, () => 'some parameters appear in more than one parameter group');
      seen.add(p);
    }
    check(new Set(tensors).size === tensors.length, ValueError, () => 'some parameters appear more than once in a parameter group');
    const group = { ...this.defaults, ...overrides, params: tensors } as ParamGroup<O>;
    this.validate(group);
    this.paramGroups.push(group);
  }

  /** Clears the gradients of every optimized parameter (`set_to_none=True`, PyTorch 2.x's default), or zeroes them. */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (setToNone || !p.grad) p.grad = null;
        else (p.grad.data as FloatArray).fill(0);
      }
    }
  }

  /**
   * One optimization step over every parameter that has a gradient (others are skipped, as in
   * PyTorch). `closure`, if given, re-evaluates the model and returns the loss; it runs with grad
   * enabled before the update, and its loss is returned.
   */
  step(closure?: () => Tensor | number): number | undefined {
    let loss: number | undefined;
    if (closure !== undefined && closure !== null) {
      checkFunction(`${this.name}.step`, 'closure', closure);
      check(isGradEnabled(), RuntimeError, () => 'step(closure): the closure needs grad mode; do not call step() inside noGrad');
      const l: unknown = closure();
      check(
        typeof l === 'number' || (l instanceof Tensor && l.numel === 1),
        LosskitTypeError,
        () => `step(closure): the closure must return the loss, a one-element Tensor or a number, but returned ${describe(l)}`,
      );
      loss = typeof l === 'number' ? l : l.item();
    }
    noGrad(() => {
      for (const g of this.paramGroups) this.updateGroup(g);
    });
    this.stepCount++;
    return loss;
  }

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): Record<string, number | FloatArray> {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /**
   * The optimizer's state as plain JSON: per-parameter state keyed by the parameter's index over
   * all groups (as PyTorch's `state_dict()`), and the groups' options with `params` as indices.
   */
  stateDict(): OptimizerState {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      return { ...opts, params: params.map((p) => (index.has(p) ? index.get(p)! : (index.set(p, index.size), index.size - 1))) };
    });
    const state: OptimizerState['state'] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : Array.from(v)]));
    }
    return { state, paramGroups };
  }

  /**
   * Restores `stateDict()` output onto an optimizer built over the same parameters in the same
   * order. Everything is checked before anything is changed: a state dict that does not fit (a
   * moment estimate of another length, a `step` that is not a count, a group without `params`)
   * is refused with a ValueError instead of turning the next `step()` into NaN.
   */
  loadStateDict(saved: OptimizerState | string): void {
    const sd = (typeof saved === 'string' ? parseJson(`${this.name}.loadStateDict`, saved) : saved) as OptimizerState;
    const where = `${this.name}.loadStateDict()`;
    check(isOptionsObject(sd), LosskitTypeError, () => `${where}: the state dict must be an object { state, paramGroups }, got ${describe(sd)}`);
    check(isOptionsObject(sd.state), ValueError, () => `${where}: 'state' must be an object keyed by parameter index, got ${describe(sd.state)}`);
    check(
      Array.isArray(sd.paramGroups) && sd.paramGroups.length === this.paramGroups.length,
      ValueError,
      () => 'loaded state dict has a different number of parameter groups',
    );
    const params = this.paramGroups.flatMap((g) => g.params);
    const groups = sd.paramGroups.map((group, i) => {
      check(isOptionsObject(group), ValueError, () => `${where}: paramGroups[${i}] must be an object, got ${describe(group)}`);
      const { params: ids, ...opts } = group as { params?: unknown } & Record<string, unknown>;
      check(
        Array.isArray(ids) && ids.every((id) => Number.isInteger(id)),
        ValueError,
        () => `${where}: paramGroups[${i}] must have 'params', an array of parameter indices, got ${describe(ids)}`,
      );
      check(ids.length === this.paramGroups[i].params.length, ValueError, () => "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      checkOptions(where, opts, ['initialLr', ...this.optionNames]);
      const merged = { ...this.paramGroups[i], ...opts } as ParamGroup<O>;
      this.validate(merged);
      return merged;
    });
    const groupOf = new Map(this.paramGroups.flatMap((g, i) => g.params.map((p) => [p, groups[i]] as const)));
    const state = new Map<Tensor, Record<string, number | FloatArray>>();
    for (const [k, s] of Object.entries(sd.state)) {
      const p = /^\d+$/.test(k) ? params[Number(k)] : undefined;
      check(p !== undefined, ValueError, () => `loaded state dict has state for parameter ${k}, which this optimizer does not have`);
      check(isOptionsObject(s), ValueError, () => `${where}: state['${k}'] must be an object, got ${describe(s)}`);
      const Arr = p.data instanceof Float32Array ? Float32Array : Float64Array;
      const entry: Record<string, number | FloatArray> = {};
      const { required, optional } = this.stateNames(groupOf.get(p)!);
      const names = Object.keys(s);
      const unknown = names.find((n) => !required.includes(n) && !optional.includes(n));
      check(unknown === undefined, ValueError, () => `${where}: state['${k}'] has '${unknown}', which ${this.name} does not keep (it keeps ${[...required, ...optional].join(', ')})`);
      const missing = names.length > 0 ? required.find((n) => !names.includes(n)) : undefined;
      check(missing === undefined, ValueError, () => `${where}: state['${k}'] lacks '${missing}' (${this.name} keeps ${required.join(', ')} for each parameter it has stepped)`);
      for (const [name, v] of Object.entries(s)) {
        if (name === 'step') {
          check(
            typeof v === 'number' && Number.isInteger(v) && v >= 0,
            ValueError,
            () => `${where}: state['${k}'].step must be a non-negative integer (the number of steps taken), got ${describe(v)}`,
          );
          entry.step = v;
          continue;
        }
        check(
          Array.isArray(v) && v.length === p.numel && v.every((x) => typeof x === 'number'),
          ValueError,
          () =>
            `${where}: state['${k}'].${name} must be an array of ${p.numel} numbers (one per element of parameter ${k}, shape [${p.shape.join(', ')}]), ` +
            `got ${Array.isArray(v) ? `an array of ${v.length}${v.every((x) => typeof x === 'number') ? '' : ' holding non-numbers'}` : describe(v)}`,
        );
        entry[name] = Arr.from(v as number[]);
      }
      state.set(p, entry);
    }
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
    groups.forEach((merged, i) => Object.assign(this.paramGroups[i], merged));
  }
}

/** The parameters of `group` that have a gradient, with their data and gradient as arrays. */
export function* withGrads(group: { params: Tensor[] }): Generator<{ p: Tensor; w: FloatArray; g: ArrayLike<number> }> {
  for (const p of group.params) {
    if (!p.grad) continue;
    check(p.grad.numel === p.numel, RuntimeError, () => `gradient of shape [${p.grad!.shape.join(', ')}] does not match its parameter [${p.shape.join(', ')}]`);
    yield { p, w: p.data as FloatArray, g: asNumbers(p.grad.data) };
  }
}

/** Rounding after each operation: none for float64 storage, to float32 for float32 storage. */
export function rounding(w: FloatArray): (x: number) => number {
  return w instanceof Float32Array ? Math.fround : identity;
}

const identity = (x: number): number => x;

/** A zeroed array like `w` (the same float type), for optimizer state. */
export function zerosLike(w: FloatArray): FloatArray {
  return w instanceof Float32Array ? new Float32Array(w.length) : new Float64Array(w.length);
}

/** PyTorch's option checks: `Invalid learning rate: -1` and the like. */
export function checkNonNegative(what: string, v: unknown): void {
  check(typeof v === 'number', LosskitTypeError, () => `${what} must be a number, got ${describe(v)}`);
  check(v >= 0, ValueError, () => `Invalid ${what}: ${formatPy(v)}`);
}

/** A number as Python's str() prints it (`-1`, `0.001`, `1e-08`), for PyTorch's messages. */
export function formatPy(v: number): string {
  // JS writes 1e-8 where Python writes 1e-08
  return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
}
