// The misuse fuzzer: arbitrary arguments for tensor creation, every loss, the nn constructors,
// the optimizers and schedulers, and state dicts. Each call must return what it promises (a
// Tensor, a module, an optimizer) or throw a LosskitError, and must leave its inputs as they were.
// Used by test/fuzz/fuzz.test.ts (a quick run in `npm test`) and scripts/fuzz.ts (the long run).
import fc from 'fast-check';
import {
  F, nn, optim, tensor, zeros, ones, full, arange, linspace, rand, randn, randint, gradcheck,
  LosskitError, Tensor, setWarningHandler,
} from '../../src/index.js';

/** What went wrong in one call, for the report; null when the call behaved. */
export type Finding = { target: string; call: string; problem: string } | null;

const shapes = fc.constantFrom<number[]>([], [0], [1], [3], [2, 3], [3, 2], [2, 3, 2], [1, 3], [2, 1], [4, 1, 3], [2, 0]);
const dtypes = fc.constantFrom('float32', 'float64', 'int64', 'int32', 'bool') as fc.Arbitrary<'float32' | 'float64' | 'int64' | 'int32' | 'bool'>;
const numbers = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 3, 0.5, -0.5, -100, 1e-12, 1e300, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 64, -0),
  fc.double({ min: -10, max: 10, noNaN: true }),
  fc.integer({ min: -5, max: 5 }),
);
// Range ends and counts: never one that a typed array holds but this machine's memory does not
// (arange(2^31) is 16 GB of int64, which PyTorch would allocate too); 2^64, 1e300 and inf fail cleanly.
const ends = numbers.filter((v) => !(Math.abs(v) > 1e6 && Math.abs(v) < 2 ** 34));
const finite = fc.oneof(fc.constantFrom(0, 1, -1, 2, 0.5, 3), fc.double({ min: -4, max: 4, noNaN: true }), fc.integer({ min: -2, max: 4 }));

/** A tensor of any dtype and a small shape, its values finite or not, maybe requiring grad. */
const tensors = fc
  .tuple(shapes, dtypes, fc.array(numbers, { minLength: 24, maxLength: 24 }), fc.boolean())
  .map(([shape, dtype, vals, grad]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const integral = dtype !== 'float32' && dtype !== 'float64';
    const data = vals.slice(0, n).map((v) => (integral ? (Number.isFinite(v) ? Math.max(-5, Math.min(5, Math.trunc(v))) : 0) : v));
    return tensor(data, { shape, dtype, requiresGrad: grad && !integral });
  });
/** Tensors whose values are finite (for the NaN-from-finite check). */
const finiteTensors = fc
  .tuple(shapes, fc.constantFrom('float32', 'float64', 'int64') as fc.Arbitrary<'float32' | 'float64' | 'int64'>, fc.array(finite, { minLength: 24, maxLength: 24 }), fc.boolean())
  .map(([shape, dtype, vals, grad]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const integral = dtype === 'int64';
    return tensor(vals.slice(0, n).map((v) => (integral ? Math.trunc(v) : v)), { shape, dtype, requiresGrad: grad && !integral });
  });
const nested = fc.oneof(
  fc.array(numbers, { maxLength: 4 }),
  fc.array(fc.array(numbers, { minLength: 2, maxLength: 2 }), { maxLength: 3 }),
  fc.constantFrom<unknown>([[1, 2], [3]], [1, [2]], [[[]]], ['nan', 'inf', 1], [true, false], [1n, 2n], [1, 'x']),
);
const junk = fc.constantFrom<unknown>(
  undefined, null, 'abc', '', {}, () => 1, Symbol('s'), 1n, true, [], new Int16Array(2), new Float32Array(3), new Map(), new Date(0),
  Object.create(null), { dtype: 'float32' }, { shape: [2] }, -1, 1e10, NaN,
);
const arg = fc.oneof({ weight: 6, arbitrary: tensors }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: numbers }, { weight: 1, arbitrary: nested });
const optionValue = fc.oneof(numbers, junk, tensors, nested, fc.constantFrom('mean', 'sum', 'none', 'batchmean', 'avg', 'elementwise_mean', 'float64', 'int64'));
const options = (keys: string[]) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...keys, 'bogus', 'requires_grad', 'label_smoothing'), optionValue, { maxKeys: 3 }) },
    { weight: 1, arbitrary: junk },
  );

const LOSS_KEYS = ['reduction', 'weight', 'posWeight', 'ignoreIndex', 'labelSmoothing', 'logTarget', 'logInput', 'full', 'eps', 'beta', 'delta', 'margin', 'p', 'swap', 'distanceFunction', 'blank', 'zeroInfinity', 'sizeAverage', 'reduce'];
const CREATION_KEYS = ['dtype', 'shape', 'requiresGrad', 'seed', 'generator'];

type Fn = (...a: unknown[]) => unknown;
const losses = Object.entries(F).filter(([name]) => /Loss$|^klDiv$|^crossEntropy$|^binaryCrossEntropy/.test(name)) as [string, Fn][];
const lossClasses = Object.entries(nn).filter(([name, v]) => /Loss(2d)?$/.test(name) && typeof v === 'function') as [string, new (o?: unknown) => nn.Module][];

let trace: ((describeCall: () => string) => void) | undefined;
/** Sees each call before it runs (scripts/fuzz.ts uses it to name a call that never returns). */
export function setTrace(t: typeof trace): void {
  trace = t;
}

/** Everything that identifies an argument's contents, to prove afterwards that a call changed nothing. */
function fingerprint(v: unknown, depth = 0): string {
  if (depth > 6) return '…';
  if (v instanceof Tensor) return `T(${v.dtype};${v.shape.join(',')};${v.requiresGrad};${Array.from(v.data as ArrayLike<unknown>, String).join(',')})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${Array.from(v as unknown as ArrayLike<unknown>, String).join(',')})`;
  if (Array.isArray(v)) return `[${v.map((x) => fingerprint(x, depth + 1)).join(',')}]`;
  if (v instanceof nn.Module) return `M(${v.parameters().map((p) => fingerprint(p, depth + 1)).join(',')})`;
  if (v !== null && typeof v === 'object') {
    return `{${Reflect.ownKeys(v).map((k) => `${String(k)}:${fingerprint((v as Record<PropertyKey, unknown>)[k], depth + 1)}`).join(',')}}`;
  }
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  return `${typeof v}:${String(v)}`;
}

const show = (a: unknown): string => {
  if (a instanceof Tensor) return `Tensor(${a.dtype}[${a.shape.join(', ')}]${a.requiresGrad ? ' grad' : ''}: ${Array.from(a.data as ArrayLike<unknown>, String).slice(0, 6).join(', ')})`;
  if (typeof a === 'function') return 'function';
  if (typeof a === 'symbol') return 'symbol';
  if (typeof a === 'bigint') return `${a}n`;
  if (Array.isArray(a)) return `[${a.map(show).join(', ')}]`;
  if (a !== null && typeof a === 'object' && !ArrayBuffer.isView(a)) return `{${Object.entries(a).map(([k, v]) => `${k}: ${show(v)}`).join(', ')}}`;
  return String(a);
};

/**
 * Runs `call`, which may return anything `accept` takes or throw a LosskitError; anything else,
 * and any change to `inputs`, is a finding.
 */
function probe(target: string, describeCall: () => string, inputs: unknown[], call: () => unknown, accept: (out: unknown) => string | null): Finding {
  trace?.(describeCall);
  const before = inputs.map((x) => fingerprint(x));
  let problem: string | null = null;
  try {
    const out = call();
    problem = accept(out);
  } catch (e) {
    if (!(e instanceof LosskitError)) problem = `threw a non-library ${(e as Error)?.name ?? typeof e}: ${(e as Error)?.message ?? String(e)}`;
    else if (!e.message || e.message.includes('undefined') && /Cannot read|is not a function/.test(e.message)) problem = `a LosskitError with a JavaScript message: ${e.message}`;
  }
  if (!problem) {
    const changed = inputs.findIndex((x, i) => fingerprint(x) !== before[i]);
    if (changed >= 0) problem = `mutated input ${changed}`;
  }
  return problem ? { target, call: describeCall(), problem } : null;
}

/** A returned loss must be a Tensor; its backward (when it has one) must behave too. */
function aTensor(out: unknown): string | null {
  if (!(out instanceof Tensor)) return `returned ${show(out)} instead of a Tensor`;
  if (out.requiresGrad && out.numel === 1) out.backward();
  return null;
}

const creators: [string, fc.Arbitrary<unknown[]>][] = [
  ['tensor', fc.tuple(fc.oneof(nested, numbers, junk, fc.constantFrom(new Float64Array([1, NaN]), new BigInt64Array(2), new Uint8Array(3))), options(CREATION_KEYS))],
  ['zeros', fc.tuple(fc.oneof(shapes, junk, fc.constantFrom([1e9, 1e9], [1e10], [-1], [2.5], [NaN])), options(CREATION_KEYS))],
  ['ones', fc.tuple(fc.oneof(shapes, junk), options(CREATION_KEYS))],
  ['full', fc.tuple(fc.oneof(shapes, junk, fc.constantFrom([2 ** 32 + 1])), fc.oneof(numbers, junk), options(CREATION_KEYS))],
  ['arange', fc.tuple(fc.oneof(ends, junk, fc.constant(1e12)), fc.oneof(ends, junk, fc.constant(undefined)), fc.oneof(ends, junk, options(CREATION_KEYS)))],
  ['linspace', fc.tuple(fc.oneof(numbers, junk), fc.oneof(numbers, junk), fc.oneof(fc.integer({ min: -2, max: 20 }), junk, fc.constant(1e10)), options(CREATION_KEYS))],
  ['rand', fc.tuple(fc.oneof(shapes, junk, fc.constant([1e10])), options(CREATION_KEYS))],
  ['randn', fc.tuple(fc.oneof(shapes, junk), options(CREATION_KEYS))],
  ['randint', fc.tuple(fc.oneof(ends, junk), fc.oneof(ends, junk), fc.oneof(shapes, junk), options(CREATION_KEYS))],
];
const creationFns: Record<string, Fn> = { tensor, zeros, ones, full, arange, linspace, rand, randn, randint } as unknown as Record<string, Fn>;

/**
 * An arange that would fit a typed array but not this machine's memory (arange(0, 2^64, 1e10) is
 * 1.8e9 int64 values, 15 GB, which PyTorch would allocate too) is not tried: sizes beyond 2^32
 * elements, which fail cleanly, still are.
 */
function needsMoreMemoryThanHere(name: string, args: unknown[]): boolean {
  if (name !== 'arange' || !args.slice(0, 3).every((a) => typeof a === 'number' || a === undefined)) return false;
  const [a, b, c] = args as [number, number | undefined, number | undefined];
  const [start, end] = b === undefined ? [0, a] : [a, b];
  const n = Math.ceil((end - start) / (c ?? 1));
  return n > 1e7 && n <= 2 ** 33;
}

/** Tensor creation with arbitrary data, shapes, numbers and options. */
export const creation = fc
  .oneof(...creators.map(([name, args]) => args.map((a) => [name, a] as const)))
  .filter(([name, args]) => !needsMoreMemoryThanHere(name, args))
  .map(([name, args]) => (): Finding => probe(name, () => `${name}(${args.map(show).join(', ')})`, args, () => creationFns[name](...args), aTensor));

/** Every loss with arbitrary arguments and options. */
export const lossCalls = fc
  .tuple(fc.constantFrom(...losses), fc.array(arg, { minLength: 0, maxLength: 4 }), options(LOSS_KEYS))
  .map(([[name, fn], args, opts]) => (): Finding => probe(`F.${name}`, () => `F.${name}(${[...args, opts].map(show).join(', ')})`, [...args, opts], () => fn(...args, opts), aTensor));

/**
 * Every loss with finite float inputs of fitting shapes: a NaN result must come from a case PyTorch
 * gives NaN for too. Those are recorded by the fixtures (an empty 'mean', all targets ignored, a
 * zero norm in a 0/0, a negative variance): `nanExplained` names which.
 */
export const finiteLossCalls = fc
  .tuple(fc.constantFrom(...losses), fc.array(finiteTensors, { minLength: 2, maxLength: 4 }), fc.constantFrom(undefined, { reduction: 'sum' }, { reduction: 'none' }))
  .map(([[name, fn], args, opts]) => (): Finding => {
    let out: unknown;
    const f = probe(`F.${name}`, () => `F.${name}(${[...args, opts].map(show).join(', ')})`, [...args, opts], () => (out = fn(...args, opts)), aTensor);
    if (f || !(out instanceof Tensor) || out.dtype === 'int64') return f;
    const values = Array.from(out.data as ArrayLike<number>);
    if (values.some(Number.isNaN) && !nanExplained(name, args as Tensor[])) {
      return { target: `F.${name}`, call: `F.${name}(${[...args, opts].map(show).join(', ')})`, problem: 'NaN from finite inputs, in no case the fixtures show PyTorch giving NaN for' };
    }
    return null;
  });

/**
 * The NaN results of finite inputs that PyTorch gives too, each shown by fixture cases: a 'mean'
 * over no elements (the "empty batch" cases of every loss, e.g. l1_loss, cross_entropy,
 * soft_margin_loss: 0/0), and KL divergence's y log y of a negative target (kl_div: "negative
 * target -> nan"). Anything else is a finding.
 */
function nanExplained(name: string, args: Tensor[]): boolean {
  if (args.some((t) => t.numel === 0)) return true;
  // a causal LM loss over one step has no token to predict: 'mean' of nothing (a fixture case shows PyTorch's NaN)
  if (name === 'causalLmLoss' && args[0]?.ndim >= 2 && args[0].shape[args[0].ndim - 2] <= 1) return true;
  return name === 'klDiv' && args[1] !== undefined && Array.from(args[1].data as ArrayLike<number>, Number).some((v) => v < 0);
}

/** nn loss classes (and Linear, Dropout, Softmax): construction with arbitrary options, then forward. */
export const moduleCalls = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...lossClasses).map(([n, C]) => [n, (o: unknown) => new C(o)] as const),
      fc.constant(['Linear', (o: unknown, a?: unknown, b?: unknown) => new nn.Linear(a as number, b as number, o as never)] as const),
      fc.constant(['Dropout', (o: unknown, a?: unknown) => new nn.Dropout(a as number, o as never)] as const),
      fc.constant(['Softmax', (_o: unknown, a?: unknown) => new nn.Softmax(a as number)] as const),
      fc.constant(['GELU', (o: unknown) => new nn.GELU(o as never)] as const),
    ),
    options([...LOSS_KEYS, 'bias', 'dtype', 'seed', 'approximate']),
    // 1e10 features never fit a typed array (2^32 elements at most): the allocator's error, at once
    fc.oneof(fc.integer({ min: -1, max: 4 }), junk, fc.constant(1e10)),
    fc.oneof(fc.integer({ min: -1, max: 4 }), junk),
    fc.array(arg, { minLength: 0, maxLength: 4 }),
  )
  .map(([[name, make], opts, a, b, args]) => (): Finding =>
    probe(`nn.${name}`, () => `new nn.${name}(${show(opts)}, ${show(a)}, ${show(b)}).forward(${args.map(show).join(', ')})`, [opts, ...args], () => {
      const m = make(opts, a, b) as nn.Module & { forward(...x: unknown[]): unknown };
      if (!(m instanceof nn.Module)) return m;
      return m.forward(...args);
    }, aTensor),
  );

const param = fc
  .tuple(fc.constantFrom<number[]>([2], [3], [2, 2], [1]), fc.constantFrom('float32', 'float64') as fc.Arbitrary<'float32' | 'float64'>, fc.array(finite, { minLength: 4, maxLength: 4 }), fc.array(finite, { minLength: 4, maxLength: 4 }))
  .map(([shape, dtype, w, g]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const p = tensor(w.slice(0, n), { shape, dtype, requiresGrad: true });
    p.grad = tensor(g.slice(0, n), { shape, dtype });
    return p;
  });
const OPT_KEYS = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize', 'betas', 'eps', 'amsgrad'];
const optimizers = { SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW } as Record<string, new (p: unknown, o?: unknown) => optim.Optimizer<{ lr: number }>>;

/** Optimizers with arbitrary params and options, a step (maybe with an arbitrary closure), and a scheduler. */
export const optimizerCalls = fc
  .tuple(
    fc.constantFrom('SGD', 'Adam', 'AdamW'),
    fc.oneof({ weight: 4, arbitrary: fc.array(param, { minLength: 1, maxLength: 2 }) }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: fc.array(fc.dictionary(fc.constantFrom('params', 'lr', 'momentum', 'bogus'), fc.oneof(optionValue, fc.array(param, { maxLength: 1 })), { maxKeys: 2 }), { maxLength: 2 }) }),
    options(OPT_KEYS),
    fc.oneof(fc.constant(undefined), fc.constantFrom<unknown>(() => 'x', () => 1, () => null, 'x', () => tensor([1, 2]))),
    fc.oneof(fc.constant(null), fc.tuple(fc.constantFrom('StepLR', 'CosineAnnealingLR'), fc.oneof(numbers, junk), options(['gamma', 'etaMin', 'lastEpoch']))),
  )
  .map(([name, params, opts, closure, sched]) => (): Finding =>
    probe(`optim.${name}`, () => `new optim.${name}(${show(params)}, ${show(opts)}).step(${show(closure)}) scheduler ${show(sched)}`, [opts], () => {
      const o = new optimizers[name](params, opts);
      o.step(closure as never);
      if (sched) {
        const S = sched[0] === 'StepLR' ? optim.StepLR : optim.CosineAnnealingLR;
        const s = new S(o, sched[1] as number, sched[2] as never);
        s.step();
      }
      const all = o.paramGroups.flatMap((g) => g.params);
      return all.every((p) => Array.from(p.data as ArrayLike<number>).every((v) => typeof v === 'number')) ? o : 'non-numbers in a parameter';
    }, (out) => (out instanceof optim.Optimizer ? null : `returned ${show(out)}`)),
  );

const stateValue = fc.oneof(optionValue, fc.array(numbers, { maxLength: 5 }), fc.constantFrom<unknown>('{bad', '{}', 'null', '[]', '{"state": null, "paramGroups": []}'));

/** Optimizer and Module state dicts: arbitrary edits of a good one, and arbitrary values. */
export const stateDictCalls = fc
  .tuple(
    fc.constantFrom('SGD', 'Adam', 'AdamW', 'Module'),
    fc.oneof(
      fc.tuple(fc.constantFrom('state', 'paramGroups', 'state.0', 'state.0.step', 'state.0.expAvg', 'state.0.expAvgSq', 'state.0.momentumBuffer', 'paramGroups.0', 'paramGroups.0.params', 'paramGroups.0.lr', 'paramGroups.0.betas', 'weight', 'bias', 'weight.shape', 'weight.data', 'weight.dtype'), stateValue),
      fc.tuple(fc.constant(''), stateValue),
    ),
    fc.boolean(),
  )
  .map(([kind, [path, value], asString]) => (): Finding => {
    const layer = new nn.Linear(3, 2, { seed: 0 });
    let target: { stateDict(): unknown; loadStateDict(s: unknown): unknown };
    if (kind === 'Module') target = layer as never;
    else {
      const o = new optimizers[kind](layer.parameters(), { lr: 0.1, ...(kind === 'SGD' ? { momentum: 0.9 } : {}) });
      for (const p of layer.parameters()) p.grad = ones(p.shape);
      o.step();
      target = o as never;
    }
    let sd = JSON.parse(JSON.stringify(target.stateDict())) as unknown;
    if (path === '') sd = value;
    else {
      const keys = path.split('.');
      let at = sd as Record<string, unknown>;
      for (const k of keys.slice(0, -1)) at = (at?.[k] ?? {}) as Record<string, unknown>;
      if (at && typeof at === 'object') at[keys[keys.length - 1]] = value;
    }
    let given: unknown = sd;
    try {
      if (asString && path !== '') given = JSON.stringify(sd);
    } catch {
      // bigints and symbols have no JSON: pass the object itself
    }
    return probe(`${kind}.loadStateDict`, () => `${kind}.loadStateDict(${typeof given === 'string' ? given.slice(0, 200) : show(given)})`, [given], () => {
      target.loadStateDict(given);
      if (kind !== 'Module') {
        for (const p of layer.parameters()) p.grad = ones(p.shape);
        (target as unknown as optim.Optimizer<{ lr: number }>).step();
      }
      // PyTorch takes lr = inf and the like (and its step is not finite either): only finite states must give finite steps
      const finiteState = !/Infinity|NaN|e\+\d{3}/.test(show(given));
      return !finiteState || layer.parameters().every((p) => Array.from(p.data as Float32Array).every(Number.isFinite)) ? 'ok' : 'a loaded state dict made the next step non-finite';
    }, (out) => (out === 'ok' ? null : String(out)));
  });

/** gradcheck with arbitrary functions and inputs. */
export const gradcheckCalls = fc
  .tuple(
    fc.constantFrom<unknown>((x: Tensor) => x.mul(2), () => 3, 'x', null, (x: Tensor) => x.sum(), () => { throw new Error('user code'); }),
    fc.oneof(fc.array(tensors, { maxLength: 2 }), tensors, junk),
    options(['eps', 'atol', 'rtol', 'raiseException']),
  )
  .map(([fn, inputs, opts]) => (): Finding =>
    probe('gradcheck', () => `gradcheck(${show(fn)}, ${show(inputs)}, ${show(opts)})`, [inputs, opts], () => {
      try {
        return gradcheck(fn as never, inputs as never, opts as never);
      } catch (e) {
        // the user's own exception passes through, as in PyTorch
        if ((e as Error).message === 'user code') return true;
        throw e;
      }
    }, (out) => (typeof out === 'boolean' ? null : `returned ${show(out)}`)),
  );

/** All the targets, each with its share of the calls. */
export const anyCall = fc.oneof(
  { weight: 3, arbitrary: creation },
  { weight: 6, arbitrary: lossCalls },
  { weight: 3, arbitrary: finiteLossCalls },
  { weight: 3, arbitrary: moduleCalls },
  { weight: 2, arbitrary: optimizerCalls },
  { weight: 2, arbitrary: stateDictCalls },
  { weight: 1, arbitrary: gradcheckCalls },
);

/** Runs `numRuns` calls from `seed` and returns what they found (warnings silenced meanwhile). */
export function fuzz(
  numRuns: number,
  seed: number,
  onProgress?: (done: number) => void,
  onSlow?: (ms: number, call: () => Finding) => void,
): { findings: NonNullable<Finding>[]; calls: number } {
  const findings: NonNullable<Finding>[] = [];
  let calls = 0;
  const prev = setWarningHandler(() => {});
  try {
    fc.assert(
      fc.property(anyCall, (run) => {
        calls++;
        if (onProgress && calls % 1000 === 0) onProgress(calls);
        const t0 = onSlow ? performance.now() : 0;
        const f = run();
        if (onSlow && performance.now() - t0 > 1000) onSlow(performance.now() - t0, run);
        if (f && findings.length < 200) findings.push(f);
      }),
      { numRuns, seed, endOnFailure: true },
    );
  } finally {
    setWarningHandler(prev);
  }
  return { findings, calls };
}

