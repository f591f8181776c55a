import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { IndexError, check } from '../errors.js';
import { logSigmoid, sub } from '../ops/elementwise.js';
import { arg, checkOptions, optionalArg, requireFloat } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';

/** Options of {@link multilabelSoftMarginLoss} and `nn.MultiLabelSoftMarginLoss`. */
export interface MultiLabelSoftMarginLossOptions extends ReductionOptions {
  /** PyTorch's `weight`. Default none. `(C)` rescaling weight per class (broadcast against the loss); differentiable. */
  weight?: TensorLike | null;
}

/**
 * Multi-label one-versus-all logistic loss: an independent binary cross entropy per class,
 * averaged over the classes (the last dimension).
 *
 * Unreduced, per sample: `l = -Σ_c w_c·(y_c·logσ(x_c) + (1 - y_c)·logσ(-x_c)) / C`. Targets are
 * used as numbers (PyTorch's docs speak of -1 padding, but a -1 is simply a target of -1).
 * `'mean'` averages the per-sample losses, `'sum'` adds them. Built from primitives, as PyTorch's
 * Python code is, so input, target and weight all get gradients; infinite logits give NaN (0·inf).
 *
 * @param input `(N, C)` or `(C)` logits (the last dimension holds the classes).
 * @param target like the input, usually 0/1.
 * @returns `(N)` for 'none' (`()` for a 1-D input), else a scalar.
 * @throws IndexError for a 0-dim input.
 * @throws ValueError `{reduction} is not valid`.
 * @example
 * F.multilabelSoftMarginLoss(tensor([[0, 0]]), tensor([[1, 0]])).toString(); // 'tensor(0.6931)'
 */
export function multilabelSoftMarginLoss(
  input: TensorLike,
  target: TensorLike,
  opts: MultiLabelSoftMarginLossOptions = {},
): Tensor {
  checkOptions('multilabelSoftMarginLoss', opts, LOSS_OPTIONS.multilabelSoftMarginLoss);
  const x = arg('multilabelSoftMarginLoss', 'input', input);
  const y = arg('multilabelSoftMarginLoss', 'target', target);
  const weight = optionalArg('multilabelSoftMarginLoss', 'weight', opts.weight);
  // log_sigmoid has no integer kernel
  requireFloat('log_sigmoid_cpu', x.dtype);
  let loss = y.mul(logSigmoid(x)).add(sub(1, y).mul(logSigmoid(x.neg()))).neg();
  if (weight) loss = loss.mul(weight);
  check(x.ndim > 0, IndexError, () => 'Dimension specified as -1 but tensor has no dimensions');
  const classDim = x.ndim - 1;
  loss = loss.sum(classDim).div(x.shape[classDim]);
  // PyTorch checks the reduction after computing the loss
  return reduce(loss, resolveReduction(opts, { style: 'python', elementwiseMean: false }));
}
