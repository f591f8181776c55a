import { LosskitTypeError, ValueError, check, describe } from '../errors.js';
import { Optimizer, type FloatArray, type ParamGroup, type Params, checkNonNegative, formatPy, rounding, withGrads, zerosLike } from './optimizer.js';
import { checkBool, checkedOptions } from '../options.js';

/** Options of {@link Adam} and {@link AdamW} (all optional in their constructors), `torch.optim.Adam`'s keywords in camelCase. */
export interface AdamOptions {
  /** PyTorch's `lr`. Default 1e-3. The learning rate, >= 0. */
  lr: number;
  /** PyTorch's `betas`. Default [0.9, 0.999]. Decay rates of the first and second moment estimates, each in [0, 1). */
  betas: [number, number];
  /** PyTorch's `eps`. Default 1e-8. Added to the denominator for numerical stability. */
  eps: number;
  /**
   * PyTorch's `weight_decay`. Default 0 for Adam (an L2 penalty added to the gradient), 1e-2 for
   * AdamW (decoupled: the weights shrink by `lr * weightDecay` each step).
   */
  weightDecay: number;
  /** PyTorch's `amsgrad`. Default false. Use the maximum of past second moments (AMSGrad). */
  amsgrad: boolean;
  /** PyTorch's `maximize`. Default false. Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

const NAMES = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'] as const;

/**
 * Adam, as `torch.optim.Adam`. For each parameter with gradient g, at step t:
 *
 * ```
 * g = maximize ? -g : g
 * g = g + weightDecay * w                       (Adam: L2 penalty through the gradient)
 * w = w * (1 - lr * weightDecay)                (AdamW instead: decoupled decay)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * vmax = max(vmax, v)                           (amsgrad; then vmax replaces v below)
 * w = w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 *
 * The moment updates are written as PyTorch 1.x writes them (`m.mul_(beta1).add_(g, alpha=1 - beta1)`);
 * 2.x's `lerp_` gives the same numbers to the last bit or two.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true });
 */
export class Adam extends Optimizer<AdamOptions> {
  /** AdamW decays the weights directly instead of adding the decay to the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}, name = 'Adam', defaultWeightDecay = 0) {
    const defaults: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: defaultWeightDecay, amsgrad: false, maximize: false, ...checkedOptions(name, options, NAMES) };
    super(name, params, defaults, NAMES);
  }

  protected validate(o: AdamOptions): void {
    checkNonNegative('learning rate', o.lr);
    checkNonNegative('epsilon value', o.eps);
    check(Array.isArray(o.betas) && o.betas.length === 2, LosskitTypeError, () => `betas must be a pair of numbers, got ${describe(o.betas)}`);
    o.betas.forEach((b, i) => {
      check(typeof b === 'number' && b >= 0 && b < 1, ValueError, () => `Invalid beta parameter at index ${i}: ${formatPy(b)}`);
    });
    checkNonNegative('weight_decay value', o.weightDecay);
    checkBool(this.name, 'amsgrad', o.amsgrad);
    checkBool(this.name, 'maximize', o.maximize);
  }

  protected stateNames(): { required: readonly string[]; optional: readonly string[] } {
    // the AMSGrad maximum starts from zero when it is missing (a group switched to amsgrad later)
    return { required: ['step', 'expAvg', 'expAvgSq'], optional: ['maxExpAvgSq'] };
  }

  protected updateGroup(group: ParamGroup<AdamOptions>): void {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
    const [beta1, beta2] = betas;
    for (const { p, w, g } of withGrads(group)) {
      const r = rounding(w);
      const state = this.stateOf(p);
      if (state.step === undefined) {
        state.step = 0;
        state.expAvg = zerosLike(w);
        state.expAvgSq = zerosLike(w);
        if (amsgrad) state.maxExpAvgSq = zerosLike(w);
      }
      const step = (state.step as number) + 1;
      state.step = step;
      const m = state.expAvg as FloatArray;
      const v = state.expAvgSq as FloatArray;
      // a group switched to amsgrad after its first step starts its maximum from zero, as PyTorch
      const vmax = amsgrad ? ((state.maxExpAvgSq as FloatArray | undefined) ?? (state.maxExpAvgSq = zerosLike(w))) : null;
      // the bias corrections and step size are Python floats (double) in PyTorch too
      const stepSize = lr / (1 - beta1 ** step);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      const [b1, b2, c1, c2, wd, e, negStep] = [r(beta1), r(beta2), r(1 - beta1), r(1 - beta2), r(weightDecay), r(eps), r(-stepSize)];
      const decay = r(1 - lr * weightDecay);
      for (let i = 0; i < w.length; i++) {
        let d = maximize ? -g[i] : g[i];
        if (weightDecay !== 0) {
          if (this.decoupled) w[i] = r(w[i] * decay);
          else d = r(d + wd * w[i]);
        }
        m[i] = r(r(m[i] * b1) + c1 * d);
        v[i] = r(r(v[i] * b2) + r(c2 * d) * d);
        let second = v[i];
        if (vmax) second = vmax[i] = Math.max(vmax[i], v[i]); // NaN-propagating, as torch.maximum
        const denom = r(r(r(Math.sqrt(second)) / bc2Sqrt) + e);
        w[i] = r(w[i] + negStep * r(m[i] / denom));
      }
    }
  }
}

/**
 * AdamW, as `torch.optim.AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter): the
 * weights shrink by `lr * weightDecay` each step instead of the decay entering the moments.
 * `weightDecay` defaults to 1e-2.
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, 'AdamW', 1e-2);
  }
}
