import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { type Loops, pointwise, promoted } from '../ops/elementwise.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { arg, checkBool, checkNumber, checkOptions, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { fusedPointwise } from '../kernels/pointwise.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link poissonNllLoss} and `nn.PoissonNLLLoss`. */
export interface PoissonNLLLossOptions extends ReductionOptions {
  /**
   * PyTorch's `log_input`. Default true: the input is `log(rate)`, `l = exp(x) - y x`; false: the
   * input is the rate itself, `l = x - y log(x + eps)`.
   */
  logInput?: boolean;
  /** PyTorch's `full`. Default false. Adds the Stirling term `y log y - y + ½ log(2π y)` (for targets > 1). */
  full?: boolean;
  /** PyTorch's `eps`. Default 1e-8. Added to the rate before its log when `logInput` is false. */
  eps?: number;
}

const TWO_PI = 2 * Math.PI;

/**
 * Negative log likelihood of a Poisson-distributed target with rate given by the input.
 *
 * Unreduced: `l = exp(x) - y·x` (`logInput`, the default) or `l = x - y·log(x + eps)`. With `full`,
 * the Stirling term `y·log(y) - y + ½·log(2πy)` is added where `y > 1` (0 elsewhere). `'mean'`
 * averages over all elements, `'sum'` adds them.
 *
 * Targets are not range-checked, integer tensors are promoted to float32, and `exp(x)` overflows to
 * inf at x ≈ 88.7 in float32, all as in PyTorch. With `full`, a target of exactly 0 gets a NaN
 * gradient (PyTorch differentiates the masked Stirling term as 0·log 0).
 *
 * @param input `(*)` log-rates (or rates).
 * @param target `(*)` counts, broadcast silently.
 * @throws ValueError for an unknown reduction.
 * @throws RuntimeError if the shapes cannot be broadcast.
 * @example
 * F.poissonNllLoss(ones([2, 2]), tensor([[0, 1], [2, 3]])).toString(); // 'tensor(1.2183)'
 */
export function poissonNllLoss(input: TensorLike, target: TensorLike, opts: PoissonNLLLossOptions = {}): Tensor {
  const h = inFloat32(poissonNllLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('poissonNllLoss', opts, LOSS_OPTIONS.poissonNllLoss);
  const x = arg('poissonNllLoss', 'input', input);
  const y = arg('poissonNllLoss', 'target', target);
  const logInput = checkBool('poissonNllLoss', 'logInput', opts.logInput ?? true);
  const full = checkBool('poissonNllLoss', 'full', opts.full ?? false);
  const eps = checkNumber('poissonNllLoss', 'eps', opts.eps ?? 1e-8);
  const reduction = resolveReduction(opts, { elementwiseMean: false });
  // `target * input` is PyTorch's first broadcasting op: its error names the target "tensor a"
  broadcastShapes(y.shape, x.shape);
  const dtype = floating(promoted(x, y));
  if (!full) {
    const fused = fusedPointwise('PoissonNllLossBackward', logInput ? 'poissonLog' : 'poissonRate', [x, y], reduction, { eps });
    if (fused) return fused;
  }
  // each op rounds to its own result dtype: exp(input) to the input's, Stirling to the target's
  const fr = stepRounding(dtype);
  const fx = stepRounding(floating(x.dtype));
  const fy = stepRounding(floating(y.dtype));
  const stirling = (t: number): number =>
    t <= 1 ? 0 : fy(fy(fy(t * fy(Math.log(t))) - t) + fy(0.5 * fy(Math.log(fy(TWO_PI * t)))));
  // d/dy of the masked Stirling term, as autograd chains it: 0·(...) is NaN at y = 0
  const dStirling = (t: number, g: number): number => {
    const gm = t <= 1 ? 0 : g;
    return gm * Math.log(t) + (gm * t) / t - gm + ((gm * 0.5) / (TWO_PI * t)) * TWO_PI;
  };
  const base = logInput
    ? (a: number, t: number): number => fr(fx(Math.exp(a)) - fr(t * a))
    : (a: number, t: number): number => fr(a - fr(t * fx(Math.log(fx(a + eps)))));
  const loss = pointwise(
    'PoissonNllLossBackward',
    [x, y],
    dtype,
    full ? (a, t) => fr(base(a, t) + stirling(t)) : base,
    [
      logInput ? (a, t, _c, _y, g) => g * fx(Math.exp(a)) - g * t : (a, t, _c, _y, g) => g - (g * t) / fx(a + eps),
      (a, t, _c, _y, g) => (logInput ? -g * a : -g * Math.log(a + eps)) + (full ? dStirling(t, g) : 0),
    ],
    true,
    full ? undefined : logInput ? logInputLoops(fr, fx) : rateLoops(fr, fx, eps),
  );
  return reduce(loss, reduction);
}

type Round = (v: number) => number;

/** `exp(x) - y·x` and its derivatives as one loop each (no closure call per element). */
function logInputLoops(fr: Round, fx: Round): Loops {
  return {
    forward: (o, n, x, mx, y, my) => {
      for (let k = 0; k < n; k++) {
        const a = x[k & mx];
        o[k] = fr(fx(Math.exp(a)) - fr(y[k & my] * a));
      }
    },
    backward: [
      (gi, n, g, x, mx, y, my) => {
        for (let k = 0; k < n; k++) {
          const gk = g[k];
          gi[k] = gk * fx(Math.exp(x[k & mx])) - gk * y[k & my];
        }
      },
      (gi, n, g, x, mx) => {
        for (let k = 0; k < n; k++) gi[k] = -g[k] * x[k & mx];
      },
    ],
  };
}

/** `x - y·log(x + eps)` and its derivatives as one loop each. */
function rateLoops(fr: Round, fx: Round, eps: number): Loops {
  return {
    forward: (o, n, x, mx, y, my) => {
      for (let k = 0; k < n; k++) {
        const a = x[k & mx];
        o[k] = fr(a - fr(y[k & my] * fx(Math.log(fx(a + eps)))));
      }
    },
    backward: [
      (gi, n, g, x, mx, y, my) => {
        for (let k = 0; k < n; k++) {
          const gk = g[k];
          gi[k] = gk - (gk * y[k & my]) / fx(x[k & mx] + eps);
        }
      },
      (gi, n, g, x, mx) => {
        for (let k = 0; k < n; k++) gi[k] = -g[k] * Math.log(x[k & mx] + eps);
      },
    ],
  };
}

const floating = (d: DType): DType => (isFloating(d) ? d : 'float32');
