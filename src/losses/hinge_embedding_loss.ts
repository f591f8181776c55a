import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { type Loops, pointwise } from '../ops/elementwise.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { arg, checkNumber, checkOptions, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { fusedPointwise } from '../kernels/pointwise.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link hingeEmbeddingLoss} and `nn.HingeEmbeddingLoss`. */
export interface HingeEmbeddingLossOptions extends ReductionOptions {
  /** PyTorch's `margin`. Default 1. Distances below it are penalised where the target is -1. */
  margin?: number;
}

/**
 * Hinge loss on distances: small distances for similar pairs (`target = 1`), at least `margin`
 * for dissimilar ones (`target = -1`).
 *
 * Unreduced, as PyTorch's kernel: `l = [y ≠ 1]·max(0, margin - x) + [y ≠ -1]·x`, so 1 gives `x`,
 * -1 gives `max(0, margin - x)`, and any other target gets both terms (not validated, as in
 * PyTorch). The gradient flows at the kink `x == margin`. The output keeps the input's dtype.
 *
 * @param input `(*)` distances.
 * @param target `(*)` of 1 or -1, broadcast silently; it gets no gradient.
 * @throws ValueError for an unknown reduction.
 * @throws RuntimeError if the shapes cannot be broadcast.
 * @example
 * F.hingeEmbeddingLoss(tensor([0.3, 2]), tensor([1, -1])).toString(); // 'tensor(0.1500)'
 */
export function hingeEmbeddingLoss(input: TensorLike, target: TensorLike, opts: HingeEmbeddingLossOptions = {}): Tensor {
  const h = inFloat32(hingeEmbeddingLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('hingeEmbeddingLoss', opts, LOSS_OPTIONS.hingeEmbeddingLoss);
  const x = arg('hingeEmbeddingLoss', 'input', input);
  const y = arg('hingeEmbeddingLoss', 'target', target);
  const margin = checkNumber('hingeEmbeddingLoss', 'margin', opts.margin ?? 1);
  const reduction = resolveReduction(opts);
  // the input's dtype (PyTorch builds the loss on zeros_like(input)); margin is a double
  const dtype = isFloating(x.dtype) ? x.dtype : 'float32';
  const fr = stepRounding(dtype);
  // PyTorch's `where(target != 1, ...)` broadcasts the target first: it is "tensor a" in errors
  broadcastShapes(y.shape, x.shape);
  const fused = fusedPointwise('HingeEmbeddingLossBackward', 'hinge', [x, y], reduction, { margin });
  if (fused) return fused;
  const loss = pointwise(
    'HingeEmbeddingLossBackward',
    [x, y],
    dtype,
    (a, t) => {
      const m = fr(margin - a);
      const hinge = t !== 1 ? (m < 0 ? 0 : m) : 0;
      return fr(hinge + (t !== -1 ? a : 0));
    },
    [(a, t, _c, _y, g) => (t !== -1 ? g : 0) + (t !== 1 && fr(margin - a) >= 0 ? -g : 0), null],
    true,
    hingeLoops(fr, margin),
  );
  return reduce(loss, reduction);
}

/** The same formulas as one loop each (no closure call per element). */
function hingeLoops(fr: (v: number) => number, margin: number): Loops {
  return {
    forward: (o, n, x, mx, y, my) => {
      for (let k = 0; k < n; k++) {
        const a = x[k & mx];
        const t = y[k & my];
        const m = fr(margin - a);
        const hinge = t !== 1 ? (m < 0 ? 0 : m) : 0;
        o[k] = fr(hinge + (t !== -1 ? a : 0));
      }
    },
    backward: [
      (gi, n, g, x, mx, y, my) => {
        for (let k = 0; k < n; k++) {
          const t = y[k & my];
          const gk = g[k];
          gi[k] = (t !== -1 ? gk : 0) + (t !== 1 && fr(margin - x[k & mx]) >= 0 ? -gk : 0);
        }
      },
      null,
    ],
  };
}
