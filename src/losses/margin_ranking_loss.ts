import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { RuntimeError, check } from '../errors.js';
import { type Loops, pointwise, promoted } from '../ops/elementwise.js';
import { isFloating } from '../tensor/dtype.js';
import { broadcastShapes, torchSize } from '../tensor/shape.js';
import { arg, checkNumber, checkOptions, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { fusedPointwise } from '../kernels/pointwise.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link marginRankingLoss} and `nn.MarginRankingLoss`. */
export interface MarginRankingLossOptions extends ReductionOptions {
  /** PyTorch's `margin`. Default 0. How far apart the ranked pair must be before the loss is 0. */
  margin?: number;
}

/**
 * Ranking loss for pairs: `target = 1` says `input1` should rank higher than `input2`, `-1` lower.
 *
 * Unreduced: `l = max(0, -y·(x1 - x2) + margin)`. The target is not validated (0 gives
 * `max(0, margin)`). At the kink (`-y·(x1 - x2) + margin == 0`) the gradient still flows, as
 * PyTorch's `clamp_min` backward uses `>=`. `'mean'`, `'sum'` over all elements.
 *
 * @param input1 `(N)` or `()` scores.
 * @param input2 `(N)` or `()` scores, the same number of dimensions.
 * @param target `(N)` or `()` of 1 or -1, the same number of dimensions (sizes may broadcast).
 * @throws RuntimeError if the three do not have the same number of dimensions, or cannot broadcast.
 * @throws ValueError for an unknown reduction.
 * @example
 * F.marginRankingLoss(tensor([1, 2]), tensor([2, 1]), tensor([1, 1])).toString(); // 'tensor(0.5000)'
 */
export function marginRankingLoss(
  input1: TensorLike,
  input2: TensorLike,
  target: TensorLike,
  opts: MarginRankingLossOptions = {},
): Tensor {
  const h = inFloat32(marginRankingLoss, [input1, input2, target, opts]);
  if (h !== undefined) return h;
  checkOptions('marginRankingLoss', opts, LOSS_OPTIONS.marginRankingLoss);
  const x1 = arg('marginRankingLoss', 'input1', input1);
  const x2 = arg('marginRankingLoss', 'input2', input2);
  const y = arg('marginRankingLoss', 'target', target);
  const margin = checkNumber('marginRankingLoss', 'margin', opts.margin ?? 0);
  const reduction = resolveReduction(opts);
  check(
    x1.ndim === x2.ndim && x1.ndim === y.ndim,
    RuntimeError,
    () =>
      'margin_ranking_loss : All input tensors should have same dimension but got sizes: ' +
      `input1: ${torchSize(x1.shape)}, input2: ${torchSize(x2.shape)}, target: ${torchSize(y.shape)} `,
  );
  // PyTorch computes -target * (input1 - input2): bool tensors cannot be subtracted or negated
  check(
    !(x1.dtype === 'bool' && x2.dtype === 'bool'),
    RuntimeError,
    () => 'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
  );
  check(
    y.dtype !== 'bool',
    RuntimeError,
    () => 'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
  );
  // margin is a C++ double: integer inputs give float32, as int + float does
  const d = promoted(x1, x2, y);
  const dtype = isFloating(d) ? d : 'float32';
  // PyTorch computes `-target * (input1 - input2)`: its broadcast errors name the target "tensor a"
  broadcastShapes(y.shape, broadcastShapes(x1.shape, x2.shape));
  const fused = fusedPointwise('MarginRankingLossBackward', 'marginRanking', [x1, x2, y], reduction, { margin });
  if (fused) return fused;
  const fr = stepRounding(dtype);
  const f12 = stepRounding(promoted(x1, x2));
  const z = (a: number, b: number, t: number): number => fr(fr(-t * f12(a - b)) + margin);
  const active = (a: number, b: number, t: number, g: number): number => (z(a, b, t) >= 0 ? g : 0);
  const loss = pointwise(
    'MarginRankingLossBackward',
    [x1, x2, y],
    dtype,
    (a, b, t) => {
      const v = z(a, b, t);
      return v < 0 ? 0 : v;
    },
    // autograd multiplies the clamp's 0 through, so an inactive infinite difference gives NaN
    [
      (a, b, t, _y, g) => active(a, b, t, g) * -t,
      (a, b, t, _y, g) => -(active(a, b, t, g) * -t),
      (a, b, t, _y, g) => -(active(a, b, t, g) * (a - b)),
    ],
    true,
    rankingLoops(fr, f12, margin),
  );
  return reduce(loss, reduction);
}

type Round = (v: number) => number;

/** The same formulas as one loop each (no closure call per element). */
function rankingLoops(fr: Round, f12: Round, margin: number): Loops {
  // the clamp's incoming gradient where it is active, else 0 (as `active` above)
  const act = (a: number, b: number, t: number, g: number): number => (fr(fr(-t * f12(a - b)) + margin) >= 0 ? g : 0);
  return {
    forward: (o, n, x1, m1, x2, m2, y, my) => {
      for (let k = 0; k < n; k++) {
        const v = fr(fr(-y[k & my] * f12(x1[k & m1] - x2[k & m2])) + margin);
        o[k] = v < 0 ? 0 : v;
      }
    },
    backward: [
      (gi, n, g, x1, m1, x2, m2, y, my) => {
        for (let k = 0; k < n; k++) {
          const t = y[k & my];
          gi[k] = act(x1[k & m1], x2[k & m2], t, g[k]) * -t;
        }
      },
      (gi, n, g, x1, m1, x2, m2, y, my) => {
        for (let k = 0; k < n; k++) {
          const t = y[k & my];
          gi[k] = -(act(x1[k & m1], x2[k & m2], t, g[k]) * -t);
        }
      },
      (gi, n, g, x1, m1, x2, m2, y, my) => {
        for (let k = 0; k < n; k++) {
          const a = x1[k & m1];
          const b = x2[k & m2];
          gi[k] = -(act(a, b, y[k & my], g[k]) * (a - b));
        }
      },
    ],
  };
}
