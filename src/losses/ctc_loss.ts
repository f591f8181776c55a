import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { IndexError, LosskitTypeError, RuntimeError, check, describe } from '../errors.js';
import { isGradEnabled, owned, record } from '../autograd/graph.js';
import { type NumberArray, allocate, asNumbers, isIntegral } from '../tensor/dtype.js';
import { arg, checkBool, checkInt, checkOptions, requireFloat, stepRounding } from './args.js';
import { LOSS_OPTIONS } from './options.js';
import { lengthNormalizedMean, resolveReduction } from './reduction.js';
import { activeBackend, fusedOn } from '../kernels/index.js';
import { ctcWasm } from '../kernels/wasm.js';
import { inFloat32 } from '../tensor/upcast.js';

/** Options of {@link ctcLoss} and `nn.CTCLoss`. */
export interface CTCLossOptions {
  /** PyTorch's `blank`. Default 0. The blank label's class index, in [0, C). */
  blank?: number;
  /**
   * PyTorch's `reduction`. Default 'mean': each sequence's loss divided by its target length
   * (at least 1), then averaged over the batch. 'none': `(N)`; 'sum': the sum.
   */
  reduction?: string;
  /** PyTorch's `zero_infinity`. Default false. Infinite losses (impossible alignments) and their gradients become 0. */
  zeroInfinity?: boolean;
}

/** Lengths as PyTorch takes them: an integral tensor (`(N)`, or `()` unbatched) or a list of integers. */
export type Lengths = Tensor | readonly number[];

// PyTorch's CPU kernel names itself in its argument checks
const WHERE = ' (while checking arguments for ctc_loss_cpu)';

/**
 * Connectionist Temporal Classification loss (Graves et al. 2006): the negative log probability of
 * the target sequence, summed over every alignment of it (with blanks and repeats) to the input
 * frames, computed by the log-space forward-backward algorithm.
 *
 * Unreduced: `l_n = -log Σ_{alignments π of target_n} Π_t exp(logProbs[t, n, π_t])` over the first
 * `inputLengths[n]` frames; an impossible target (too long, or repeats without room for a blank)
 * gives inf, or 0 with `zeroInfinity`. `'mean'` divides each `l_n` by `max(targetLengths[n], 1)`
 * and averages over the batch; `'sum'` adds the `l_n`.
 *
 * **Gradient.** Like PyTorch, `logProbs.grad` receives `exp(logProbs) - γ` (γ: the posterior
 * occupancy of each label at each frame) for `t < inputLengths[n]` and 0 after: that is the
 * gradient with respect to the logits *before* `logSoftmax`, not the partial derivative with
 * respect to `logProbs` itself (which is `-γ`). It is right when `logProbs = logSoftmax(logits)`
 * and the gradient is pushed through that logSoftmax's backward, since the softmax Jacobian maps
 * `exp(lp) - γ` to the same result as `-γ` (the rows sum to 0). A finite-difference check therefore
 * passes through `logSoftmax` and fails on `logProbs` directly, in PyTorch and here.
 *
 * The recursion is iterative and keeps O(T·S) numbers per sample, so thousands of frames are fine.
 * float32 on the WebAssembly backend runs in WebAssembly SIMD, four positions of the extended target
 * at a time, samples spread over the threads (src/kernels/wasm.ts `ctcWasm`): within float32
 * tolerance of PyTorch, not bit for bit; float64, and the TypeScript backend, run `CtcKernel`.
 *
 * @param logProbs `(T, N, C)` log-probabilities (e.g. `logSoftmax(x, 2)`), or `(T, C)` unbatched.
 * @param targets `(N, S)` padded or `(Σ targetLengths)` concatenated class indices (int32, int64;
 *   floats are truncated, as PyTorch casts them). Values must be in [0, C) (may equal `blank`).
 * @param inputLengths `(N)` frames used per sample, each `<= T`.
 * @param targetLengths `(N)` target length per sample.
 * @throws RuntimeError with PyTorch's messages: `blank must be in label range`,
 *   `input_lengths must be of size batch_size`, `Expected input_lengths to have value at most T, ...`,
 *   `Expected tensor to have size at least S at dimension 1, ...`, `input_lengths must be integral`,
 *   and the dimension checks.
 * @throws IndexError for a target value outside [0, C) (PyTorch's CPU kernel reads out of bounds).
 * @example
 * const lp = F.logSoftmax(zeros([3, 1, 2]), 2);
 * F.ctcLoss(lp, tensor([[1]], { dtype: 'int64' }), [3], [1]).toString(); // 'tensor(0.2877)'
 */
export function ctcLoss(
  logProbs: TensorLike,
  targets: TensorLike,
  inputLengths: Lengths,
  targetLengths: Lengths,
  opts: CTCLossOptions = {},
): Tensor {
  const h = inFloat32(ctcLoss, [logProbs, targets, inputLengths, targetLengths, opts]);
  if (h !== undefined) return h;
  checkOptions('ctcLoss', opts, LOSS_OPTIONS.ctcLoss);
  const lp = arg('ctcLoss', 'logProbs', logProbs);
  const tg = arg('ctcLoss', 'targets', targets, 'int64');
  const blank = checkInt('ctcLoss', 'blank', opts.blank ?? 0);
  const zeroInfinity = checkBool('ctcLoss', 'zeroInfinity', opts.zeroInfinity ?? false);
  const reduction = resolveReduction(opts, { legacy: false });
  const il = lengths('input_lengths', inputLengths);
  const tl = lengths('target_lengths', targetLengths);
  const batched = lp.ndim === 3;
  requireFloat('ctc_loss_cpu', lp.dtype);
  const dims = batched ? 3 : lp.ndim + 1;
  check(dims === 3, RuntimeError, () => `Expected 3-dimensional tensor, but got ${dims}-dimensional tensor for argument #1 'log_probs'${WHERE}`);
  check(
    tg.ndim === 1 || tg.ndim === 2,
    RuntimeError,
    () => `Expected 1 to 2 dimensions, but got ${tg.ndim}-dimensional tensor for argument #2 'targets'${WHERE}`,
  );
  const T = lp.shape[0];
  // PyTorch reads the first frame's row before anything else: with no frames, that fails
  check(T > 0, RuntimeError, () => `start (0) + length (1) exceeds dimension size (0). (log_probs has no time steps: T = 0)`);
  const N = batched ? lp.shape[1] : 1;
  const C = lp.shape[lp.ndim - 1];
  check(blank >= 0 && blank < C, RuntimeError, () => 'blank must be in label range');
  check(il.length === N, RuntimeError, () => 'input_lengths must be of size batch_size');
  check(tl.length === N, RuntimeError, () => 'target_lengths must be of size batch_size');
  const offsets = targetOffsets(tg, tl, N);
  for (const len of il) {
    check(len >= 0, RuntimeError, () => `Expected input_lengths to have value at least 0, but got value ${len}${WHERE}`);
    check(len <= T, RuntimeError, () => `Expected input_lengths to have value at most ${T}, but got value ${len}${WHERE}`);
  }
  const tv = asNumbers(tg.data);
  // the extended targets l' = [blank, t1, blank, t2, ..., blank], one per sample
  const ext = tl.map((L, b) => {
    const e = new Int32Array(2 * L + 1).fill(blank);
    for (let j = 0; j < L; j++) {
      const c = Math.trunc(tv[offsets[b] + j]);
      check(c >= 0 && c < C, IndexError, () => `ctc_loss: target value ${c} (sample ${b}) is out of range for ${C} classes`);
      e[2 * j + 1] = c;
    }
    return e;
  });
  const keep = isGradEnabled() && lp.requiresGrad;
  // float32 on the WebAssembly backend: SIMD over the extended target, samples spread over the threads
  const fast =
    lp.dtype === 'float32' && fusedOn() && activeBackend().name === 'wasm'
      ? ctcWasm({ lp: lp.data as Float32Array, T, N, C, blank, inputLengths: il, ext, grad: keep })
      : null;
  const kernel = new CtcKernel(lp.data as NumberArray, lp.dtype === 'float32', N, C, blank);
  const nll = fast ? fast.nll : new Float64Array(N);
  const alphas: NumberArray[] = [];
  if (!fast) {
    for (let b = 0; b < N; b++) {
      const { value, alpha } = kernel.forward(b, il[b], ext[b]);
      nll[b] = value;
      if (keep) alphas.push(alpha);
    }
  }
  const out = allocate(lp.dtype, N) as Float32Array | Float64Array;
  for (let b = 0; b < N; b++) out[b] = zeroInfinity && nll[b] === Infinity ? 0 : nll[b];
  const res = record(new Tensor(out, [N]), 'CtcLossBackward', [lp], (g, retain) => {
    const gv = asNumbers(g.data);
    if (fast) {
      // the kernel's gradient (a new array, frames past each length 0), scaled in place unless the graph is retained
      const grad = retain ? fast.grad!.slice() : fast.grad!;
      for (let b = 0; b < N; b++) scaleSample(grad, b, N, C, zeroInfinity && nll[b] === Infinity ? 0 : il[b], il[b], gv[b]);
      return [owned(new Tensor(grad, lp.shape))];
    }
    const grad = allocate(g.dtype, lp.numel) as Float32Array | Float64Array;
    for (let b = 0; b < N; b++) {
      if (zeroInfinity && nll[b] === Infinity) continue;
      kernel.backward(b, il[b], ext[b], alphas[b], nll[b], gv[b], grad);
    }
    return [owned(new Tensor(grad, lp.shape))];
  });
  if (reduction === 'mean') return lengthNormalizedMean(res, tl);
  if (reduction === 'sum') return res.sum();
  return batched ? res : res.reshape([]);
}

function lengths(name: string, x: Lengths): number[] {
  if (x instanceof Tensor) {
    check(isIntegral(x.dtype) && x.dtype !== 'bool', RuntimeError, () => `${name} must be integral`);
    return Array.from(asNumbers(x.data));
  }
  check(
    Array.isArray(x) && x.every((v) => Number.isInteger(v)),
    LosskitTypeError,
    () => `ctcLoss(): ${name} must be an integral Tensor or an array of integers, but got ${describe(x)}`,
  );
  return [...x];
}

/** Where each sample's target starts in `targets`, after PyTorch's size checks. */
function targetOffsets(tg: Tensor, tl: readonly number[], N: number): number[] {
  const offsets: number[] = [];
  let pos = 0;
  for (let b = 0; b < N; b++) {
    const len = tl[b];
    check(len >= 0, RuntimeError, () => `Expected target_lengths to have value at least 0, but got value ${len}${WHERE}`);
    offsets.push(tg.ndim === 1 ? pos : b * tg.shape[1]);
    pos += len;
  }
  const want = tg.ndim === 1 ? pos : N;
  check(
    tg.shape[0] === want,
    RuntimeError,
    () => `Expected tensor to have size ${want} at dimension 0, but got size ${tg.shape[0]} for argument #2 'targets'${WHERE}`,
  );
  const longest = Math.max(0, ...tl);
  check(
    tg.ndim === 1 || tg.shape[1] >= longest,
    RuntimeError,
    () => `Expected tensor to have size at least ${longest} at dimension 1, but got size ${tg.shape[1]} for argument #2 'targets'${WHERE}`,
  );
  return offsets;
}

/** Sample b's frames t < Tb of the unscaled gradient times its incoming gradient in place (rounded as PyTorch's); frames from `keep` to Tb zeroed. */
function scaleSample(g: Float32Array, b: number, N: number, C: number, keep: number, Tb: number, gr: number): void {
  for (let t = 0; t < Tb; t++) {
    const at = (t * N + b) * C;
    if (t >= keep) g.fill(0, at, at + C);
    else if (gr !== 1) for (let c = 0; c < C; c++) g[at + c] *= gr;
  }
}

/**
 * PyTorch's CPU CTC kernel (LossCTC.cpp), line for line, on log_probs laid out as (T, N, C). In
 * float32 every step is rounded to float32 as the C++ code does, so long inputs accumulate the
 * same rounding as PyTorch.
 */
class CtcKernel {
  private readonly fr: (v: number) => number;

  constructor(
    private readonly lp: NumberArray,
    private readonly single: boolean,
    private readonly N: number,
    private readonly C: number,
    private readonly blank: number,
  ) {
    this.fr = stepRounding(single ? 'float32' : 'float64');
  }

  private at(t: number, b: number, c: number): number {
    return this.lp[(t * this.N + b) * this.C + c];
  }

  /** log(exp(a - m) + exp(b - m) + exp(c - m)) + m, with m = 0 when all are -inf. */
  private logSumExp3(a: number, b: number, c: number): number {
    const fr = this.fr;
    let m = a;
    if (b > m) m = b;
    if (c > m) m = c;
    if (m === -Infinity) m = 0;
    const s = fr(fr(fr(Math.exp(fr(a - m))) + fr(Math.exp(fr(b - m)))) + fr(Math.exp(fr(c - m))));
    return fr(fr(Math.log(s)) + m);
  }

  /** The loss of sample b and its log-alphas, (Tb, S) row-major. */
  forward(b: number, Tb: number, ext: Int32Array): { value: number; alpha: NumberArray } {
    const fr = this.fr;
    const S = ext.length;
    const alpha = this.single ? new Float32Array(Tb * S) : new Float64Array(Tb * S);
    if (Tb === 0) return { value: S === 1 ? -0 : Infinity, alpha };
    alpha.fill(-Infinity, 0, S);
    alpha[0] = this.at(0, b, this.blank);
    if (S > 1) alpha[1] = this.at(0, b, ext[1]);
    for (let t = 1; t < Tb; t++) {
      const prev = (t - 1) * S;
      for (let s = 0; s < S; s++) {
        const la2 = s > 0 ? alpha[prev + s - 1] : -Infinity;
        const la3 = s > 1 && ext[s - 2] !== ext[s] ? alpha[prev + s - 2] : -Infinity;
        alpha[t * S + s] = fr(this.logSumExp3(alpha[prev + s], la2, la3) + this.at(t, b, ext[s]));
      }
    }
    const last = (Tb - 1) * S;
    if (S === 1) return { value: -alpha[last], alpha };
    const l1 = alpha[last + S - 1];
    const l2 = alpha[last + S - 2];
    let m = l1 < l2 ? l2 : l1;
    if (m === -Infinity) m = 0;
    const ll = fr(fr(Math.log(fr(fr(Math.exp(fr(l1 - m))) + fr(Math.exp(fr(l2 - m)))))) + m);
    return { value: -ll, alpha };
  }

  /** Writes `(exp(lp) - exp(log Σ αβ + nll - lp)) · gr` into `grad` for sample b, frames t < Tb. */
  backward(b: number, Tb: number, ext: Int32Array, alpha: NumberArray, nll: number, gr: number, grad: Float32Array | Float64Array): void {
    if (Tb === 0) return;
    const { fr, C } = this;
    const S = ext.length;
    const beta = this.single ? new Float32Array(Tb * S) : new Float64Array(Tb * S);
    // log of the summed alpha·beta per (t, c): starts as the log of an empty sum
    const lcab = new Float64Array(Tb * C).fill(-Infinity);
    const lastT = (Tb - 1) * S;
    beta.fill(-Infinity, lastT, lastT + S);
    beta[lastT + S - 1] = this.at(Tb - 1, b, this.blank);
    lcab[(Tb - 1) * C + this.blank] = fr(alpha[lastT + S - 1] + beta[lastT + S - 1]);
    if (S > 1) {
      const c = ext[S - 2];
      beta[lastT + S - 2] = this.at(Tb - 1, b, c);
      lcab[(Tb - 1) * C + c] = fr(alpha[lastT + S - 2] + beta[lastT + S - 2]);
    }
    for (let t = Tb - 2; t >= 0; t--) {
      const next = (t + 1) * S;
      for (let s = S - 1; s >= 0; s--) {
        const lb2 = s < S - 1 ? beta[next + s + 1] : -Infinity;
        const lb3 = s < S - 2 && ext[s + 2] !== ext[s] ? beta[next + s + 2] : -Infinity;
        const k = t * S + s;
        beta[k] = fr(this.logSumExp3(beta[next + s], lb2, lb3) + this.at(t, b, ext[s]));
        const lab = fr(alpha[k] + beta[k]);
        const j = t * C + ext[s];
        const cur = lcab[j];
        if (cur === -Infinity) lcab[j] = lab;
        else {
          const m = cur < lab ? lab : cur;
          lcab[j] = fr(fr(Math.log(fr(fr(Math.exp(fr(cur - m))) + fr(Math.exp(fr(lab - m)))))) + m);
        }
      }
    }
    for (let t = 0; t < Tb; t++) {
      for (let c = 0; c < C; c++) {
        const v = this.at(t, b, c);
        const occupancy = fr(Math.exp(fr(fr(lcab[t * C + c] + nll) - v)));
        grad[(t * this.N + b) * C + c] = fr(fr(fr(Math.exp(v)) - occupancy) * gr);
      }
    }
  }
}
