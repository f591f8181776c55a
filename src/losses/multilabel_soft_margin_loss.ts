import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { IndexError, check } from '../errors.js';
import { type Loops, logSigmoid, pointwise, sub } from '../ops/elementwise.js';
import { sameShape } from '../tensor/shape.js';
import { arg, checkOptions, optionalArg, requireFloat, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { attach } from '../kernels/fused.js';
import { activeBackend, fusedOn } from '../kernels/index.js';
import { fresh } from '../kernels/memory.js';
import { isGradEnabled } from '../autograd/graph.js';
import { type ReductionOptions, reduce, resolveReduction } from './reduction.js';
import { inFloat32 } from '../tensor/upcast.js';

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
  const h = inFloat32(multilabelSoftMarginLoss, [input, target, opts]);
  if (h !== undefined) return h;
  checkOptions('multilabelSoftMarginLoss', opts, LOSS_OPTIONS.multilabelSoftMarginLoss);
  const x = arg('multilabelSoftMarginLoss', 'input', input);
  const y = arg('multilabelSoftMarginLoss', 'target', target);
  const weight = optionalArg('multilabelSoftMarginLoss', 'weight', opts.weight);
  // log_sigmoid has no integer kernel
  requireFloat('log_sigmoid_cpu', x.dtype);
  const fused = fusedReduced(x, y, weight, opts);
  if (fused) return fused;
  // one loop for the elementwise term where the composition's dtypes are all x's (the usual case)
  let loss =
    y.dtype === x.dtype && sameShape(y.shape, x.shape)
      ? elementTerm(x, y)
      : y.mul(logSigmoid(x)).add(sub(1, y).mul(logSigmoid(x.neg()))).neg();
  if (weight) loss = loss.mul(weight);
  check(x.ndim > 0, IndexError, () => 'Dimension specified as -1 but tensor has no dimensions');
  const classDim = x.ndim - 1;
  loss = loss.sum(classDim).div(x.shape[classDim]);
  // PyTorch checks the reduction after computing the loss
  return reduce(loss, resolveReduction(opts, { style: 'python', elementwiseMean: false }));
}

type Round = (v: number) => number;

/**
 * 'mean'/'sum' without a weight, the target not requiring grad, same shape and float dtype: the
 * value and the gradient at the reduction's seed in one pass and one node, with the composition's
 * roundings (element term, row sum, / C, then the mean of the rows) and its seed (float32 1/N, / C),
 * so that for an incoming gradient of 1 both are the composition's bits. Null otherwise.
 */
function fusedReduced(x: Tensor, y: Tensor, weight: Tensor | undefined, opts: MultiLabelSoftMarginLossOptions): Tensor | null {
  if (!fusedOn() || weight || x.ndim === 0 || x.numel === 0 || y.requiresGrad) return null;
  if ((x.dtype !== 'float32' && x.dtype !== 'float64') || y.dtype !== x.dtype || !sameShape(y.shape, x.shape)) return null;
  const r = opts.reduction ?? 'mean';
  if ((r !== 'mean' && r !== 'sum') || opts.sizeAverage != null || opts.reduce != null) return null;
  const C = x.shape[x.ndim - 1];
  const rows = x.numel / C;
  const fr = stepRounding(x.dtype);
  const seed = fr((r === 'mean' ? fr(1 / rows) : 1) / C);
  const f32 = x.dtype === 'float32';
  const want = isGradEnabled() && x.requiresGrad;
  const be = activeBackend();
  if (f32 && be.name === 'wasm') {
    // the element term is BCE with logits' ((1 - y) x - logsigmoid(x)): its SIMD kernel on the
    // threads, the gradient at the same seed, Σ / C per row taken on the total (float32 tolerance)
    const k = be.elementwise({ kind: 'bceWithLogits', x: x.data as Float32Array, y: y.data as Float32Array, weight: null, posWeight: null, param: 0, scale: seed, wantLoss: false, wantGrad: want });
    const v = k.sum / C;
    const o = new Tensor(Float32Array.of(r === 'mean' ? v / rows : v), []);
    return k.grad ? attach(o, 'MultilabelSoftMarginBackward', x, null, k, x.shape) : o;
  }
  const grad = want ? fresh(x.numel, f32 ? 4 : 8, true) : null;
  const total = reducedLoop(x.data as Float32Array | Float64Array, y.data as Float32Array | Float64Array, C, rows, fr, seed, grad);
  const value = r === 'mean' ? total / rows : total;
  const out = new Tensor(f32 ? Float32Array.of(value) : Float64Array.of(value), []);
  if (!grad) return out;
  return attach(out, 'MultilabelSoftMarginBackward', x, null, { sum: total, loss: null, grad }, x.shape);
}

/** Σ over rows of round(round(Σ_c term) / C), writing the gradient at `seed` (one exp and log1p per element). */
function reducedLoop(
  x: Float32Array | Float64Array, y: Float32Array | Float64Array, C: number, rows: number, fr: Round, seed: number,
  grad: Float32Array | Float64Array | null,
): number {
  let total = 0;
  for (let o = 0, k = 0; o < rows; o++) {
    let rs = 0;
    for (let j = 0; j < C; j++, k++) {
      const a = x[k];
      const t = y[k];
      const e = Math.exp(-Math.abs(a));
      const l1p = Math.log1p(e);
      const omt = fr(1 - t);
      rs += -fr(fr(t * fr(Math.min(a, 0) - l1p)) + fr(omt * fr(Math.min(-a, 0) - l1p)));
      if (grad) {
        const sigPos = a >= 0 ? 1 / (1 + e) : e / (1 + e); // σ(x)
        const sigNeg = -a >= 0 ? 1 / (1 + e) : e / (1 + e); // σ(-x)
        grad[k] = fr(fr(-seed * t) * sigNeg) - fr(fr(-seed * omt) * sigPos);
      }
    }
    total += fr(fr(rs) / C);
  }
  return total;
}

/**
 * `-(y·logσ(x) + (1 - y)·logσ(-x))` as one node with the composition's float32 rounding after
 * every op and its gradients (both logσ share e = exp(-|x|), so one exponential per element).
 */
function elementTerm(x: Tensor, y: Tensor): Tensor {
  const fr = stepRounding(x.dtype);
  const loops = termLoops(fr);
  const one = (o: Float64Array, a: number, b: number): number => {
    loops.forward!(o, 1, Float64Array.of(a), 0, Float64Array.of(b), 0, o, 0);
    return o[0];
  };
  const grad = (i: number) => (a: number, b: number, _c: number, _y: number, g: number): number => {
    const o = new Float64Array(1);
    (loops.backward![i] as Exclude<NonNullable<Loops['backward']>[number], 'g' | null>)(o, 1, Float64Array.of(g), Float64Array.of(a), 0, Float64Array.of(b), 0, o, 0, o);
    return o[0];
  };
  return pointwise('MultilabelSoftMarginBackward', [x, y], x.dtype, (a, b) => one(new Float64Array(1), a, b), [grad(0), grad(1)], true, loops);
}

function termLoops(fr: Round): Loops {
  return {
    forward: (o, n, x, mx, y, my) => {
      for (let k = 0; k < n; k++) {
        const a = x[k & mx];
        const t = y[k & my];
        const l1p = Math.log1p(Math.exp(-Math.abs(a)));
        const lsx = fr(Math.min(a, 0) - l1p);
        const lsn = fr(Math.min(-a, 0) - l1p);
        o[k] = -fr(fr(t * lsx) + fr(fr(1 - t) * lsn));
      }
    },
    backward: [
      (gi, n, g, x, mx, y, my) => {
        for (let k = 0; k < n; k++) {
          const a = x[k & mx];
          const t = y[k & my];
          const e = Math.exp(-Math.abs(a));
          const sigPos = a >= 0 ? 1 / (1 + e) : e / (1 + e); // σ(x)
          const sigNeg = -a >= 0 ? 1 / (1 + e) : e / (1 + e); // σ(-x)
          const gk = g[k];
          gi[k] = fr(fr(fr(-gk * t) * sigNeg) - fr(fr(-gk * fr(1 - t)) * sigPos));
        }
      },
      (gi, n, g, x, mx) => {
        for (let k = 0; k < n; k++) {
          const a = x[k & mx];
          const l1p = Math.log1p(Math.exp(-Math.abs(a)));
          const gk = g[k];
          gi[k] = fr(fr(-gk * fr(Math.min(a, 0) - l1p)) - fr(-gk * fr(Math.min(-a, 0) - l1p)));
        }
      },
    ],
  };
}
