import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { record } from '../autograd/graph.js';
import { type NumberArray, allocate, asNumbers } from '../tensor/dtype.js';
import { sizeList } from '../tensor/shape.js';
import { arg, checkOptions, expectLong, frames, requireFloat, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';
import { fusedMultilabelMargin } from '../kernels/margins.js';

/**
 * Multi-label hinge loss: every target class's score should beat every non-target class's score
 * by 1.
 *
 * Each target row lists class indices and ends at the first -1 (entries after it are ignored).
 * With `J` those indices (duplicates count twice, as in PyTorch) and `i` ranging over the classes
 * not in `J`: `l = Σ_j Σ_i max(0, 1 - (x[J_j] - x[i])) / C`. `'mean'` averages over samples,
 * `'sum'` adds them. The gradient is 0 at the kink, as PyTorch's kernel tests `z > 0`.
 *
 * @param input `(N, C)`, `(C)` or `()` scores.
 * @param target int64, the input's shape: class indices padded with -1.
 * @returns `(N)` for 'none' with a 2-D input, else a scalar.
 * @throws RuntimeError `argument #2 'target' is out of range` (an index >= C or < -1),
 *   `inconsistent size [..] for argument #2 'target'`, an empty class dimension or a 3-D input,
 *   a non-int64 target.
 * @throws ValueError for an unknown reduction.
 * @example
 * const y = tensor([[3, 0, -1, 1]], { dtype: 'int64' });
 * F.multilabelMarginLoss(tensor([[0.1, 0.2, 0.4, 0.8]]), y).toString(); // 'tensor(0.8500)'
 */
export function multilabelMarginLoss(input: TensorLike, target: TensorLike, opts: ReductionOptions = {}): Tensor {
  const h = inFloat32(multilabelMarginLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('multilabelMarginLoss', opts, LOSS_OPTIONS.multilabelMarginLoss);
  const x = arg('multilabelMarginLoss', 'input', input);
  const y = arg('multilabelMarginLoss', 'target', target, 'int64');
  const reduction = resolveReduction(opts);
  const [nframe, dim] = frames(x);
  check(
    x.ndim <= 1 ? y.ndim <= 1 && y.numel === dim : y.ndim === 2 && y.shape[0] === nframe && y.shape[1] === dim,
    RuntimeError,
    () => `inconsistent size ${sizeList(y.shape)} for argument #2 'target' (expected the input's shape ${sizeList(x.shape)})`,
  );
  // the fused path reads the int64 targets itself (and checks their range: null for the composed path, which raises)
  const fused = x.numel > 0 && y.dtype === 'int64' ? fusedMultilabelMargin(x, y, reduction) : null;
  if (fused) return fused;
  const targets = asNumbers(y.data);
  // like PyTorch's kernel, an empty batch returns before the range and dtype checks
  if (x.numel > 0) {
    for (const t of targets) check(t >= -1 && t < dim, RuntimeError, () => `argument #2 'target' is out of range (got ${t}, expected class indices in [0, ${dim - 1}] or -1)`);
    requireFloat('multilabel_margin_loss_forward_out_frame', x.dtype);
    expectLong('multilabelMarginLoss', y);
  }
  const v = x.data as NumberArray;
  const fr = stepRounding(x.dtype);
  const isTarget = new Uint8Array(x.numel);
  const lengths = new Int32Array(nframe);
  for (let n = 0; n < nframe; n++) {
    let j = 0;
    while (j < dim && targets[n * dim + j] >= 0) isTarget[n * dim + targets[n * dim + j++]] = 1;
    lengths[n] = j;
  }
  const out = allocate(x.dtype, nframe) as Float32Array | Float64Array;
  for (let n = 0; n < nframe; n++) {
    const row = n * dim;
    let sum = 0;
    for (let j = 0; j < lengths[n]; j++) {
      const xt = v[row + targets[row + j]];
      for (let d = 0; d < dim; d++) {
        if (isTarget[row + d]) continue;
        const z = fr(fr(1 - xt) + v[row + d]);
        if (z > 0) sum += z;
      }
    }
    out[n] = sum / dim;
  }
  const perSample = record(new Tensor(out, [nframe]), 'MultilabelMarginLossBackward', [x], (g) => {
    const gv = asNumbers(g.data);
    const gi = allocate(g.dtype, x.numel) as Float32Array | Float64Array;
    for (let n = 0; n < nframe; n++) {
      const row = n * dim;
      const h = gv[n] / dim;
      for (let j = 0; j < lengths[n]; j++) {
        const t = targets[row + j];
        const xt = v[row + t];
        for (let d = 0; d < dim; d++) {
          if (isTarget[row + d] || !(fr(fr(1 - xt) + v[row + d]) > 0)) continue;
          gi[row + t] -= h;
          gi[row + d] += h;
        }
      }
    }
    return [new Tensor(gi, x.shape)];
  });
  if (reduction === 'none') return y.ndim > 1 ? perSample : perSample.reshape([]);
  return reduce(perSample, reduction);
}
