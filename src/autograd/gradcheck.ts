import { LosskitTypeError, RuntimeError, ValueError, check, describe } from '../errors.js';
import { checkBool, checkFunction, checkNumber, checkOptions } from '../options.js';
import { noGrad } from './graph.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of {@link gradcheck}, with `torch.autograd.gradcheck`'s defaults. */
export interface GradcheckOptions {
  /** PyTorch's `eps`. Default 1e-6. The finite-difference step; must be > 0. */
  eps?: number;
  /** PyTorch's `atol`. Default 1e-5. Absolute tolerance: a derivative passes within `atol + rtol |numeric|`. */
  atol?: number;
  /** PyTorch's `rtol`. Default 1e-3. Relative tolerance, see `atol`. */
  rtol?: number;
  /** PyTorch's `raise_exception`. Default true: throw a RuntimeError describing the mismatch; false: return false. */
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
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[] | Tensor, opts: GradcheckOptions = {}): boolean {
  checkFunction('gradcheck', 'fn', fn);
  // as PyTorch, a single Tensor stands for a one-element tuple of inputs
  if (inputs instanceof Tensor) inputs = [inputs];
  check(
    Array.isArray(inputs) && inputs.every((t) => t instanceof Tensor),
    LosskitTypeError,
    () => `gradcheck(): argument 'inputs' must be a Tensor or an array of Tensors, but got ${describe(inputs)}`,
  );
  checkOptions('gradcheck', opts, ['eps', 'atol', 'rtol', 'raiseException']);
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = opts;
  for (const [name, v] of [['eps', eps], ['atol', atol], ['rtol', rtol]] as const) {
    check(checkNumber('gradcheck', name, v) >= 0 && Number.isFinite(v), ValueError, () => `gradcheck(): ${name} must be a finite number >= 0, got ${v}`);
  }
  check(eps > 0, ValueError, () => 'gradcheck(): eps must be greater than 0');
  checkBool('gradcheck', 'raiseException', raiseException);
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
  const out0 = call(fn, inputs, true);
  const nOut = out0.numel;
  for (const { t, i } of checked) {
    const x = t.data as Float64Array;
    // numeric Jacobian, column by column: d out / d x[j]
    const numeric: Float64Array[] = [];
    for (let j = 0; j < x.length; j++) {
      const orig = x[j];
      let plus: Float64Array;
      let minus: Float64Array;
      try {
        x[j] = orig + eps;
        plus = call(fn, inputs, true).double().data as Float64Array;
        x[j] = orig - eps;
        minus = call(fn, inputs, true).double().data as Float64Array;
      } finally {
        // the input is the caller's: put it back even when fn throws
        x[j] = orig;
      }
      check(plus.length === nOut && minus.length === nOut, RuntimeError, () => 'gradcheck: fn returned outputs of different sizes for nearby inputs');
      const col = new Float64Array(nOut);
      for (let o = 0; o < nOut; o++) col[o] = (plus[o] - minus[o]) / (2 * eps);
      numeric.push(col);
    }
    // analytic Jacobian, row by row: backward of each output element
    for (let o = 0; o < nOut; o++) {
      for (const { t: u } of checked) u.grad = null;
      const out = call(fn, inputs, false);
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

/** Calls the user's function (under noGrad for the numeric pass) and insists on a Tensor back. */
function call(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], numeric: boolean): Tensor {
  const out = numeric ? noGrad(() => fn(...inputs)) : fn(...inputs);
  check(out instanceof Tensor, LosskitTypeError, () => `gradcheck(): fn must return a Tensor, but it returned ${describe(out)}`);
  return out;
}

function fail(raise: boolean, message: string): false {
  if (raise) throw new RuntimeError(message);
  return false;
}
