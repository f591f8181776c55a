import { RuntimeError, ValueError, check } from '../errors.js';
import { noGrad } from './graph.js';
import { Tensor } from '../tensor/tensor.js';

export interface GradcheckOptions {
  /** Finite-difference step (PyTorch's default 1e-6). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw a RuntimeError describing the worst mismatch (default) or return false. */
  raiseException?: boolean;
}

/**
 * Compares the gradients autograd computes for `fn(...inputs)` with float64 central differences,
 * element by element, like `torch.autograd.gradcheck` (same default tolerances). Every input that
 * requires grad is checked and must be float64; `fn` may return any shape.
 *
 * @returns true when every analytic derivative is within `atol + rtol * |numeric|`.
 * @throws RuntimeError naming the input, output and element that disagree (unless `raiseException` is false).
 * @example
 * const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 0 });
 * gradcheck((x) => F.logSoftmax(x, 1), [x]); // true
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  const checked = inputs.map((t, i) => ({ t, i })).filter(({ t }) => t.requiresGrad);
  check(checked.length > 0, ValueError, () => 'gradcheck expects at least one input tensor to require gradient');
  for (const { t, i } of checked) {
    check(t.dtype === 'float64', ValueError, () => `gradcheck: input ${i} is ${t.dtype}; use float64 inputs for finite differences`);
  }
  // the analytic pass goes through .grad: keep the caller's gradients and put them back after
  const saved = checked.map(({ t }) => t.grad);
  try {
    return compare(fn, inputs, checked, { eps, atol, rtol, raiseException });
  } finally {
    checked.forEach(({ t }, k) => (t.grad = saved[k]));
  }
}

function compare(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  checked: { t: Tensor; i: number }[],
  { eps, atol, rtol, raiseException }: Required<GradcheckOptions>,
): boolean {
  const out0 = noGrad(() => fn(...inputs));
  const nOut = out0.numel;
  for (const { t, i } of checked) {
    const x = t.data as Float64Array;
    // numeric Jacobian, column by column: d out / d x[j]
    const numeric: Float64Array[] = [];
    for (let j = 0; j < x.length; j++) {
      const orig = x[j];
      x[j] = orig + eps;
      const plus = noGrad(() => fn(...inputs)).double().data as Float64Array;
      x[j] = orig - eps;
      const minus = noGrad(() => fn(...inputs)).double().data as Float64Array;
      x[j] = orig;
      const col = new Float64Array(nOut);
      for (let o = 0; o < nOut; o++) col[o] = (plus[o] - minus[o]) / (2 * eps);
      numeric.push(col);
    }
    // analytic Jacobian, row by row: backward of each output element
    for (let o = 0; o < nOut; o++) {
      for (const { t: u } of checked) u.grad = null;
      const out = fn(...inputs);
      if (!out.requiresGrad) {
        if (numeric.every((col) => col[o] === 0)) continue;
        return fail(raiseException, `gradcheck: output ${o} does not require grad but its numerical gradient is not zero`);
      }
      const seed = new Float64Array(nOut);
      seed[o] = 1;
      out.backward(new Tensor(seed, out.shape).to(out.dtype));
      const analytic = t.grad ? (t.grad.double().data as Float64Array) : new Float64Array(x.length);
      for (let j = 0; j < x.length; j++) {
        const a = analytic[j];
        const nmr = numeric[j][o];
        if (!(Math.abs(a - nmr) <= atol + rtol * Math.abs(nmr)) && !(Number.isNaN(a) && Number.isNaN(nmr))) {
          return fail(
            raiseException,
            `Jacobian mismatch for output ${o} with respect to input ${i}, element ${j}: numerical ${nmr}, analytical ${a}`,
          );
        }
      }
    }
  }
  return true;
}

function fail(raise: boolean, message: string): false {
  if (raise) throw new RuntimeError(message);
  return false;
}
