import { LosskitTypeError, RuntimeError, check, describe } from '../errors.js';
import { Tensor, type TensorLike, backwardOptions, detachedLike, fitGrad, seedFor } from '../tensor/tensor.js';
import { sweep } from './graph.js';

/** Options of {@link grad}, PyTorch's `torch.autograd.grad` keywords in camelCase. */
export interface GradOptions {
  /**
   * PyTorch's `grad_outputs`. Default none: ones for scalar outputs (required otherwise). The
   * gradient of some scalar with respect to each output, one per output, each of its shape.
   */
  gradOutputs?: TensorLike | null | readonly (TensorLike | null)[];
  /** PyTorch's `retain_graph`. Default false. Keep the graph for another backward pass. */
  retainGraph?: boolean;
  /** PyTorch's `allow_unused`. Default false. Return null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

const list = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/**
 * The gradients of `outputs` with respect to `inputs` (PyTorch's `torch.autograd.grad`), returned
 * in the order of `inputs`, each a new tensor of its own; no `.grad` is read or written.
 *
 * ```ts
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const [gx] = grad(x.mul(x).sum(), x); // tensor([2., 4., 6.]); x.grad stays null
 * ```
 * @throws RuntimeError when an output does not require grad, an input does not require grad, an
 * input was not used (without `allowUnused`), or the graph was freed by an earlier pass.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const retainGraph = backwardOptions('grad', opts, ['gradOutputs', 'allowUnused']);
  const outs = list(outputs);
  const ins = list(inputs);
  for (const [what, ts] of [['outputs', outs], ['inputs', ins]] as const) {
    check(ts.length > 0, RuntimeError, () => `grad requires one or more ${what}`);
    ts.forEach((t) => {
      if (!(t instanceof Tensor)) throw new LosskitTypeError(`grad(): ${what} must be Tensors, but got ${describe(t)}`);
    });
  }
  ins.forEach((t) => check(t.requiresGrad, RuntimeError, () => 'One of the differentiated Tensors does not require grad'));
  // one output: gradOutputs is its gradient; several: an array of one per output
  const given = opts.gradOutputs === undefined || opts.gradOutputs === null ? outs.map(() => null) : Array.isArray(outputs) ? list(opts.gradOutputs) : [opts.gradOutputs];
  check(given.length === outs.length, RuntimeError, () => `grad_outputs must be of the same length as outputs: got ${given.length} and ${outs.length}`);
  if (opts.allowUnused !== undefined && typeof opts.allowUnused !== 'boolean') throw new LosskitTypeError(`grad(): allowUnused must be a boolean, but got ${describe(opts.allowUnused)}`);
  const seeds = outs.map((o, i) => seedFor(o, given[i] as TensorLike | null, 'grad_outputs'));
  const got = sweep(outs, seeds, { retainGraph, capture: ins, make: detachedLike, fit: fitGrad });
  return ins.map((t) => {
    const g = got.get(t) ?? null;
    check(
      g !== null || opts.allowUnused === true,
      RuntimeError,
      () => 'One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.',
    );
    return g;
  });
}
