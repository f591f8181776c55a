import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { type Loops, pointwise } from '../ops/elementwise.js';
import { torchTypeName } from '../ops/reduce.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes, sameShape, sizeList } from '../tensor/shape.js';
import { arg, checkOptions, notDifferentiable, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { fusedPointwise } from '../kernels/pointwise.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/**
 * Two-class logistic loss for targets of 1 or -1.
 *
 * Unreduced: `l = log(1 + exp(-y·x))`, computed as PyTorch's kernel does (`log1p(exp(-y·x))`),
 * so it overflows to inf once `-y·x` passes ≈ 88.7 in float32 (≈ 709.8 in float64), where the
 * gradient `-y·σ(-y·x)` becomes NaN, exactly as in PyTorch. The output keeps the input's dtype and
 * shape (the target must broadcast to it).
 *
 * @param input `(*)` scores.
 * @param target `(*)` of 1 or -1; not differentiable (as in PyTorch).
 * @throws RuntimeError for an integer input, a target that does not broadcast to the input's
 *   shape, or a target that requires grad.
 * @throws ValueError for an unknown reduction.
 * @example
 * F.softMarginLoss(tensor([1, -1]), tensor([1, 1])).toString(); // 'tensor(0.8133)'
 */
export function softMarginLoss(input: TensorLike, target: TensorLike, opts: ReductionOptions = {}): Tensor {
  const h = inFloat32(softMarginLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('softMarginLoss', opts, LOSS_OPTIONS.softMarginLoss);
  const x = arg('softMarginLoss', 'input', input);
  const y = arg('softMarginLoss', 'target', target);
  const reduction = resolveReduction(opts);
  notDifferentiable('soft_margin_loss', 'target', y);
  check(
    isFloating(x.dtype),
    RuntimeError,
    () => `result type Float can't be cast to the desired output type ${torchTypeName(x.dtype)}`,
  );
  // PyTorch writes the loss into a tensor shaped like the input, in place
  const shape = broadcastShapes(x.shape, y.shape);
  check(
    sameShape(shape, x.shape),
    RuntimeError,
    () => `output with shape ${sizeList(x.shape)} doesn't match the broadcast shape ${sizeList(shape)}`,
  );
  const fused = fusedPointwise('SoftMarginLossBackward', 'softMargin', [x, y], reduction);
  if (fused) return fused;
  const fr = stepRounding(x.dtype);
  const z = (a: number, t: number): number => fr(Math.exp(fr(-a * t)));
  const loss = pointwise('SoftMarginLossBackward', [x, y], x.dtype, (a, t) => fr(Math.log1p(z(a, t))), [
    (a, t, _c, _y, g) => {
      const e = z(a, t);
      return (fr(-t * e) / fr(e + 1)) * g;
    },
    null,
  ], true, softMarginLoops(fr));
  return reduce(loss, reduction);
}

/** The same formulas as one loop each (no closure call per element). */
function softMarginLoops(fr: (v: number) => number): Loops {
  return {
    forward: (o, n, a, ma, b, mb) => {
      for (let k = 0; k < n; k++) o[k] = fr(Math.log1p(fr(Math.exp(fr(-a[k & ma] * b[k & mb])))));
    },
    backward: [
      (gi, n, g, a, ma, b, mb) => {
        for (let k = 0; k < n; k++) {
          const t = b[k & mb];
          const e = fr(Math.exp(fr(-a[k & ma] * t)));
          gi[k] = (fr(-t * e) / fr(e + 1)) * g[k];
        }
      },
      null,
    ],
  };
}
