import { LosskitTypeError, ValueError, check } from '../errors.js';
import { Optimizer, type ParamGroup, type Params, checkNonNegative, rounding, withGrads, zerosLike } from './optimizer.js';
import { checkBool, checkedOptions } from '../options.js';

/** Options of {@link SGD} (all optional in its constructor), `torch.optim.SGD`'s keywords in camelCase. */
export interface SGDOptions {
  /** PyTorch's `lr`. Default 1e-3 (PyTorch 2.x's). The learning rate, >= 0. */
  lr: number;
  /** PyTorch's `momentum`. Default 0. The momentum factor, >= 0. */
  momentum: number;
  /** PyTorch's `dampening`. Default 0. Dampening for momentum. */
  dampening: number;
  /** PyTorch's `weight_decay`. Default 0. L2 penalty, added to the gradient as `weightDecay * w`. */
  weightDecay: number;
  /** PyTorch's `nesterov`. Default false. Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** PyTorch's `maximize`. Default false. Maximize the objective instead of minimizing it. */
  maximize: boolean;
}

const NAMES = ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize'] as const;

/**
 * Stochastic gradient descent, optionally with (Nesterov) momentum, as `torch.optim.SGD`. For each
 * parameter with gradient g:
 *
 * ```
 * g = maximize ? -g : g
 * g = g + weightDecay * w                              if weightDecay != 0
 * b = g  (first step),  b = momentum * b + (1 - dampening) * g  (later)   if momentum != 0
 * g = nesterov ? g + momentum * b : b                  if momentum != 0
 * w = w - lr * g
 * ```
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    const defaults: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...checkedOptions('SGD', options, NAMES) };
    super('SGD', params, defaults, NAMES);
  }

  protected validate(o: SGDOptions): void {
    checkNonNegative('learning rate', o.lr);
    checkNonNegative('momentum value', o.momentum);
    checkNonNegative('weight_decay value', o.weightDecay);
    check(typeof o.dampening === 'number', LosskitTypeError, () => `dampening must be a number, got ${typeof o.dampening}`);
    checkBool('SGD', 'nesterov', o.nesterov);
    checkBool('SGD', 'maximize', o.maximize);
    check(o.nesterov === false || (o.momentum > 0 && o.dampening === 0), ValueError, () => 'Nesterov momentum requires a momentum and zero dampening');
  }

  protected stateNames(): { required: readonly string[]; optional: readonly string[] } {
    return { required: [], optional: ['momentumBuffer'] };
  }

  protected updateGroup(group: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const { p, w, g } of withGrads(group)) {
      const r = rounding(w);
      const state = this.stateOf(p);
      let buf = state.momentumBuffer as Float32Array | Float64Array | undefined;
      const first = momentum !== 0 && buf === undefined;
      if (first) state.momentumBuffer = buf = zerosLike(w);
      const [m, wd, keep, negLr] = [r(momentum), r(weightDecay), r(1 - dampening), r(-lr)];
      for (let i = 0; i < w.length; i++) {
        let d = maximize ? -g[i] : g[i];
        if (weightDecay !== 0) d = r(d + wd * w[i]);
        if (momentum !== 0) {
          // the first step's buffer is the gradient itself (torch.clone(d_p)), not (1 - dampening) g
          const b = first ? d : r(r(buf![i] * m) + keep * d);
          buf![i] = b;
          d = nesterov ? r(d + m * b) : b;
        }
        w[i] = r(w[i] + negLr * d);
      }
    }
  }
}
