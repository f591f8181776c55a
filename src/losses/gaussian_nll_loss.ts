import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { ValueError, check } from '../errors.js';
import { type Loops, pointwise, promoted } from '../ops/elementwise.js';
import { asNumbers, isFloating } from '../tensor/dtype.js';
import { full as filled } from '../tensor/creation.js';
import { sameShape } from '../tensor/shape.js';
import { arg, checkBool, checkNumber, checkOptions, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { fusedPointwise } from '../kernels/pointwise.js';
import { reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link gaussianNllLoss} and `nn.GaussianNLLLoss`. */
export interface GaussianNLLLossOptions {
  /** PyTorch's `full`. Default false. Adds the constant `½ log(2π)` to every element. */
  full?: boolean;
  /** PyTorch's `eps`. Default 1e-6. The variance is clamped to at least `eps`, invisibly to the gradient. */
  eps?: number;
  /** PyTorch's `reduction`. Default 'mean'. 'none' | 'mean' | 'sum'. */
  reduction?: string;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Negative log likelihood of the target under a Gaussian with mean `input` and variance `var`.
 *
 * Unreduced: `l = ½·(log(max(var, eps)) + (input - target)² / max(var, eps))`, plus `½·log(2π)`
 * with `full`. The clamp is done without autograd in PyTorch, so a variance below `eps` still
 * gets the gradient `½·(1/v̂ - (x - y)²/v̂²)` at the clamped value v̂. `'mean'` averages over all
 * elements of the broadcast shape, `'sum'` adds them.
 *
 * `var` follows PyTorch 2.x: a number means the same variance everywhere; a tensor may have the
 * input's shape, the input's shape without its last dimension (it is then unsqueezed), or the
 * input's number of dimensions with exactly one mismatching dimension of size 1.
 *
 * @param input `(N, *)` or `(*)` means.
 * @param target like the input (broadcast silently).
 * @param variance a non-negative number or tensor, see above.
 * @throws ValueError `var has negative entry/entries` (checked first), `var is of incorrect size`,
 *   `{reduction} is not valid`.
 * @example
 * F.gaussianNllLoss(ones([2, 2]), tensor([[0, 1], [2, 3]]), ones([2, 2])).toString(); // 'tensor(0.7500)'
 */
export function gaussianNllLoss(
  input: TensorLike,
  target: TensorLike,
  variance: TensorLike,
  opts: GaussianNLLLossOptions = {},
): Tensor {
  const h = inFloat32(gaussianNllLoss, [input, target, variance, opts]);
  if (h !== undefined) return h;
  checkOptions('gaussianNllLoss', opts, LOSS_OPTIONS.gaussianNllLoss);
  const x = arg('gaussianNllLoss', 'input', input);
  const y = arg('gaussianNllLoss', 'target', target);
  const full = checkBool('gaussianNllLoss', 'full', opts.full ?? false);
  const eps = checkNumber('gaussianNllLoss', 'eps', opts.eps ?? 1e-6);
  let v: Tensor;
  if (typeof variance === 'number') {
    check(!(variance < 0), ValueError, () => 'var has negative entry/entries');
    v = filled(x.shape, variance, { dtype: isFloating(x.dtype) ? x.dtype : 'float32' });
  } else {
    v = arg('gaussianNllLoss', 'var', variance);
    check(!hasNegative(asNumbers(v.data)), ValueError, () => 'var has negative entry/entries');
  }
  if (!sameShape(v.shape, x.shape)) {
    if (sameShape(x.shape.slice(0, -1), v.shape)) v = v.unsqueeze(-1);
    else if (!homoscedastic(x.shape, v.shape)) {
      throw new ValueError(`var is of incorrect size (input has shape [${x.shape.join(', ')}], var [${v.shape.join(', ')}])`);
    }
  }
  const reduction = resolveReduction(opts, { legacy: false, style: 'python', elementwiseMean: false });
  const fused = fusedPointwise('GaussianNllLossBackward', 'gaussian', [x, y, v], reduction, { eps, full });
  if (fused) return fused;
  const d = promoted(x, y, v);
  const dtype = isFloating(d) ? d : 'float32';
  // each op rounds to its own result dtype, as PyTorch's composite does
  const fr = stepRounding(dtype);
  const fd = stepRounding(promoted(x, y));
  const frv = stepRounding(v.dtype);
  const floor = frv(eps);
  // clamp(var, min=eps) keeps NaN
  const clamped = (w: number): number => (w < floor ? floor : w);
  const loss = pointwise(
    'GaussianNllLossBackward',
    [x, y, v],
    dtype,
    (a, b, w) => {
      const vh = clamped(w);
      const diff = fd(a - b);
      const l = fr(0.5 * fr(frv(Math.log(vh)) + fr(fd(diff * diff) / vh)));
      return full ? fr(l + HALF_LOG_2PI) : l;
    },
    [
      (a, b, w, _y, g) => ((0.5 * g) / clamped(w)) * (2 * (a - b)),
      (a, b, w, _y, g) => -(((0.5 * g) / clamped(w)) * (2 * (a - b))),
      (a, b, w, _y, g) => {
        const vh = clamped(w);
        return (0.5 * g) / vh - (0.5 * g * (a - b) * (a - b)) / (vh * vh);
      },
    ],
    true,
    gaussianLoops(fr, fd, frv, floor, full),
  );
  return reduce(loss, reduction);
}

type Round = (v: number) => number;

/** The same formulas as one loop each (no closure call per element). */
function gaussianLoops(fr: Round, fd: Round, frv: Round, floor: number, full: boolean): Loops {
  const extra = full ? HALF_LOG_2PI : 0;
  return {
    forward: (o, n, x, mx, y, my, v, mv) => {
      for (let k = 0; k < n; k++) {
        const w = v[k & mv];
        const vh = w < floor ? floor : w;
        const diff = fd(x[k & mx] - y[k & my]);
        const l = fr(0.5 * fr(frv(Math.log(vh)) + fr(fd(diff * diff) / vh)));
        o[k] = full ? fr(l + extra) : l;
      }
    },
    backward: [
      (gi, n, g, x, mx, y, my, v, mv) => {
        for (let k = 0; k < n; k++) {
          const w = v[k & mv];
          gi[k] = ((0.5 * g[k]) / (w < floor ? floor : w)) * (2 * (x[k & mx] - y[k & my]));
        }
      },
      (gi, n, g, x, mx, y, my, v, mv) => {
        for (let k = 0; k < n; k++) {
          const w = v[k & mv];
          gi[k] = -(((0.5 * g[k]) / (w < floor ? floor : w)) * (2 * (x[k & mx] - y[k & my])));
        }
      },
      (gi, n, g, x, mx, y, my, v, mv) => {
        for (let k = 0; k < n; k++) {
          const w = v[k & mv];
          const vh = w < floor ? floor : w;
          const d = x[k & mx] - y[k & my];
          const gk = g[k];
          gi[k] = (0.5 * gk) / vh - (0.5 * gk * d * d) / (vh * vh);
        }
      },
    ],
  };
}

/** PyTorch 2.x: same ndim, and the var sizes at the mismatching dimensions add up to exactly 1. */
function homoscedastic(inputShape: readonly number[], varShape: readonly number[]): boolean {
  if (inputShape.length !== varShape.length) return false;
  let s = 0;
  for (let i = 0; i < inputShape.length; i++) if (inputShape[i] !== varShape[i]) s += varShape[i];
  return s === 1;
}

/** Whether some element is below 0: a plain loop (Array.prototype.some's callback per element cost 3-5 ms at 1e6). */
function hasNegative(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] < 0) return true;
  return false;
}
