import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { RuntimeError, ValueError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { type NumberArray, allocate, asNumbers } from '../tensor/dtype.js';
import { sizeList } from '../tensor/shape.js';
import { torchTypeName } from '../ops/reduce.js';
import { arg, checkNumber, checkOptions, expectLong, frames, notDifferentiable, optionalArg, requireFloat, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';
import { fusedMultiMargin } from '../kernels/margins.js';

/** Options of {@link multiMarginLoss} and `nn.MultiMarginLoss`. */
export interface MultiMarginLossOptions extends ReductionOptions {
  /** PyTorch's `p`. Default 1 (hinge); 2 is the squared hinge; nothing else is allowed. */
  p?: number;
  /** PyTorch's `margin`. Default 1. Required gap between the target class's score and every other score. */
  margin?: number;
  /** PyTorch's `weight`. Default none. `(C)` weight per class, applied to the target class's terms; not differentiable. */
  weight?: TensorLike | null;
}

/**
 * Multi-class hinge loss: the target class's score should beat every other score by `margin`.
 *
 * Unreduced, per sample `n` with target `y`: `l = Σ_{i≠y} w[y]·max(0, margin - x[y] + x[i])^p / C`
 * (the weight multiplies after the power, as PyTorch's kernel does, whatever its docs say).
 * `'mean'` averages over samples, `'sum'` adds them. The gradient is 0 at the kink (PyTorch's
 * kernel tests `z > 0`), and NaN scores are skipped rather than propagated, both as in PyTorch.
 *
 * @param input `(N, C)`, `(C)` or `()` scores.
 * @param target `(N)` (or `()`) int64 class indices in [0, C).
 * @throws ValueError `only p == 1 and p == 2 supported`, `weight must be one-dimensional`, or an
 *   unknown reduction.
 * @throws RuntimeError `target out of range`, `inconsistent target size, expected N but got [..]`,
 *   `inconsistent weight size, expected C but got [..]`, an empty class dimension or a 3-D input,
 *   a non-int64 target, a weight of another dtype.
 * @example
 * F.multiMarginLoss(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([3], { dtype: 'int64' })).toString(); // 'tensor(0.3250)'
 */
export function multiMarginLoss(input: TensorLike, target: TensorLike, opts: MultiMarginLossOptions = {}): Tensor {
  const h = inFloat32(multiMarginLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('multiMarginLoss', opts, LOSS_OPTIONS.multiMarginLoss);
  const x = arg('multiMarginLoss', 'input', input);
  const y = arg('multiMarginLoss', 'target', target, 'int64');
  const reduction = resolveReduction(opts);
  const p = checkNumber('multiMarginLoss', 'p', opts.p ?? 1);
  const margin = checkNumber('multiMarginLoss', 'margin', opts.margin ?? 1);
  check(p === 1 || p === 2, ValueError, () => 'only p == 1 and p == 2 supported');
  const weight = optionalArg('multiMarginLoss', 'weight', opts.weight);
  check(!weight || weight.ndim === 1, ValueError, () => 'weight must be one-dimensional');
  notDifferentiable('multi_margin_loss', 'weight', weight);
  const [nframe, dim] = frames(x);
  check(
    y.ndim <= 1 && y.numel === nframe,
    RuntimeError,
    () => `inconsistent target size, expected ${nframe} but got ${sizeList(y.shape)}`,
  );
  check(
    !weight || weight.numel === dim,
    RuntimeError,
    () => `inconsistent weight size, expected ${dim} but got ${sizeList(weight!.shape)}`,
  );
  // like PyTorch's kernel, an empty batch returns before the dtype checks
  if (x.numel > 0) {
    requireFloat('multi_margin_loss_cpu_kernel', x.dtype);
    expectLong('multiMarginLoss', y);
    check(
      !weight || weight.dtype === x.dtype,
      RuntimeError,
      () => `expected scalar type ${torchTypeName(x.dtype)} but found ${torchTypeName(weight!.dtype)}`,
    );
  }
  const fused = fusedMultiMargin(x, y, p, margin, weight, reduction);
  if (fused) return fused;
  const v = x.data as NumberArray;
  const targets = asNumbers(y.data);
  const w = weight ? (weight.data as NumberArray) : null;
  const fr = stepRounding(x.dtype);
  for (let n = 0; n < nframe; n++) check(targets[n] >= 0 && targets[n] < dim, RuntimeError, () => 'target out of range');
  const out = allocate(x.dtype, nframe) as Float32Array | Float64Array;
  for (let n = 0; n < nframe; n++) {
    const row = n * dim;
    const t = targets[n];
    const xt = v[row + t];
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      if (d === t) continue;
      const z = fr(fr(margin - xt) + v[row + d]);
      if (z > 0) {
        let h = p === 1 ? z : fr(z * z);
        if (w) h = fr(h * w[t]);
        sum = fr(sum + h);
      }
    }
    out[n] = sum / dim;
  }
  const perSample = record(new Tensor(out, [nframe]), 'MultiMarginLossBackward', [x], (g) => {
    const gv = asNumbers(g.data);
    const gi = allocate(g.dtype, x.numel) as Float32Array | Float64Array;
    for (let n = 0; n < nframe; n++) {
      const row = n * dim;
      const t = targets[n];
      const xt = v[row + t];
      let gt = 0;
      for (let d = 0; d < dim; d++) {
        if (d === t) continue;
        const z = fr(fr(margin - xt) + v[row + d]);
        if (!(z > 0)) continue;
        let h = p === 1 ? 1 / dim : (2 * z) / dim;
        if (w) h *= w[t];
        gt -= h;
        gi[row + d] = h * gv[n];
      }
      gi[row + t] = gt * gv[n];
    }
    return [new Tensor(gi, x.shape)];
  });
  if (reduction === 'none') return y.ndim > 0 ? perSample : perSample.reshape([]);
  return reduce(perSample, reduction);
}
