import { LosskitTypeError, RuntimeError, check, describe } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { asNumbers, fromNumbers, isHalf } from '../tensor/dtype.js';

/** Turns the gradient of a node's output into gradients of its inputs (null where one gets none). */
export type BackwardFn = (grad: Tensor, retain: boolean) => readonly (Tensor | null)[];

/**
 * One operation in the recorded graph: its inputs and how to turn the gradient of its output into
 * gradients of its inputs. `backward` is dropped (with everything its closure saved) once a
 * backward pass through it has run without `retainGraph`, when `saves` says it saved tensors, as
 * PyTorch frees saved tensors; a node that saved none (a sum, a reshape) can be run again.
 */
export interface Node {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly saves: boolean;
  backward: BackwardFn | null;
}

let gradEnabled = true;

/** Whether operations are being recorded for autograd right now. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording operations (PyTorch's `torch.no_grad()`): results do not require
 * grad, no graph is kept alive, and the fused losses compute their value alone. Use it for
 * evaluation and for optimizer updates.
 * @throws TypeError when `fn` is not a function.
 */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new LosskitTypeError(`noGrad(): argument 'fn' must be a function, but got ${describe(fn)}`);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Records `out = op(inputs)` when grad mode is on and some input requires grad. `saves`: whether
 * `backward` holds on to tensors or buffers (most ops); false for those that keep only shapes.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], backward: BackwardFn, saves = true): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.gradFn = { name, inputs, backward, saves };
    out.setRequiresGradInternal(true);
  }
  return out;
}

/**
 * Gradient arrays that nothing else holds: made by a backward rule for this pass alone. A leaf
 * without `.grad` takes such an array as it is; any other gradient is copied for it, so that a
 * leaf's `.grad` never shares memory with the graph, another leaf or the caller's `gradOutput`.
 */
const exclusive = new WeakSet<object>();

/** Marks `t`'s data as made for this backward pass alone (see `exclusive`); returns `t`. */
export function owned(t: Tensor): Tensor {
  exclusive.add(t.data);
  return t;
}

/** A tensor over `g`'s data if nothing else holds it (claiming it), else over a copy. */
function claim(g: Tensor, make: (data: Tensor['data']) => Tensor): Tensor {
  if (exclusive.has(g.data)) {
    exclusive.delete(g.data);
    return make(g.data);
  }
  return make(g.data.slice());
}

const SECOND_TIME =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). ' +
  'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). ' +
  'Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

export interface SweepOptions {
  retainGraph: boolean;
  /** autograd.grad: collect the gradients of these tensors instead of accumulating into leaves. */
  capture: readonly Tensor[] | null;
  /** Makes a detached tensor over `data` shaped like `like` (the Tensor constructor, injected). */
  make: (data: Tensor['data'], like: Tensor) => Tensor;
  /** Brings an op's gradient to its input's shape and dtype. */
  fit: (g: Tensor, like: Tensor) => Tensor;
}

/**
 * Reverse-mode sweep from `roots`, seeded with `seeds`. Gradients accumulate into leaves' `.grad`
 * as PyTorch's AccumulateGrad does (a leaf without one gets an array of its own, a leaf with one
 * is added to in place), or, with `capture`, are returned for those tensors and no `.grad` is
 * touched. Everything is checked before any node runs, so a refused pass changes nothing.
 */
export function sweep(roots: readonly Tensor[], seeds: readonly Tensor[], opts: SweepOptions): Map<Tensor, Tensor> {
  roots.forEach((r, i) =>
    check(r.requiresGrad, RuntimeError, () => `element ${i} of tensors does not require grad and does not have a grad_fn`),
  );
  const stops = new Set(opts.capture ?? []);
  // Topological order without recursion: graphs of thousands of nodes must not blow the stack.
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      const inputs = t.gradFn && !stops.has(t) ? t.gradFn.inputs : [];
      if (i < inputs.length) {
        top[1] = i + 1;
        const child = inputs[i];
        if (child.requiresGrad && !visited.has(child)) {
          visited.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  for (const t of order) {
    if (t.gradFn && !stops.has(t)) check(t.gradFn.backward !== null, RuntimeError, () => SECOND_TIME);
  }
  const grads = new Map<Tensor, Tensor>();
  const add = (t: Tensor, g: Tensor): void => {
    const acc = grads.get(t);
    grads.set(t, acc ? owned(acc.add(g)) : g);
  };
  roots.forEach((r, i) => add(r, seeds[i]));
  const captured = new Map<Tensor, Tensor>();
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      if (stops.has(t)) {
        captured.set(t, claim(g, (d) => opts.make(d, t)));
        continue;
      }
      const node = t.gradFn;
      if (!node) {
        if (!opts.capture) accumulate(t, g, opts.make);
        continue;
      }
      const inGrads = node.backward!(g, opts.retainGraph);
      if (!opts.retainGraph && node.saves) node.backward = null;
      const inputs = node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i];
        const gi = inGrads[i];
        if (!gi || !x.requiresGrad) continue;
        const fitted = opts.fit(gi, x);
        add(x, fitted.data !== gi.data ? owned(fitted) : fitted);
      }
    }
  } finally {
    gradEnabled = prev;
  }
  return captured;
}

/** PyTorch's AccumulateGrad: a gradient of its own for a leaf without one, else added in place. */
function accumulate(leaf: Tensor, g: Tensor, make: SweepOptions['make']): void {
  const have = leaf.grad;
  if (!have) {
    leaf.grad = claim(g, (d) => make(d, leaf));
    return;
  }
  if (isHalf(have.dtype)) {
    // 16-bit floats add in float32 and round once, as PyTorch's
    const add = asNumbers(g.data);
    const sum = asNumbers(have.data).map((v, i) => v + add[i]);
    (have.data as Uint16Array).set(fromNumbers(sum, have.dtype) as Uint16Array);
    return;
  }
  const acc = have.data as Float32Array | Float64Array;
  const src = g.data as Float32Array | Float64Array;
  for (let i = 0; i < acc.length; i++) acc[i] += src[i];
}
