/**
 * Learning-rate schedulers, as `torch.optim.lr_scheduler`: call `scheduler.step()` once per epoch,
 * after `optimizer.step()`; each changes the `lr` of every parameter group. The formulas are
 * PyTorch's "chainable" ones (each step scales the current lr), so they compose with other changes
 * to `lr` exactly as PyTorch's do.
 */
import { LosskitTypeError, ValueError, check, describe, warn } from '../errors.js';
import { checkInt, checkNumber, checkedOptions } from '../options.js';
import { Optimizer } from './optimizer.js';

/**
 * The base of the schedulers, as `torch.optim.lr_scheduler.LRScheduler`: it records each group's
 * initial lr, and `step()` writes the next epoch's learning rates into the optimizer.
 */
export abstract class LRScheduler {
  /** The learning rate of each group when the schedule started (`initial_lr`). */
  readonly baseLrs: number[];
  /** The epoch index of the last `step()`: 0 right after construction. */
  lastEpoch: number;
  private stepCount = 0;
  private lastLr: number[] = [];

  /** Subclasses set their own fields, then call {@link initialStep} (PyTorch does both in `__init__`). */
  protected constructor(
    /** The optimizer whose groups' `lr` this scheduler sets. */
    readonly optimizer: Optimizer<{ lr: number }>,
    lastEpoch = -1,
  ) {
    check(optimizer instanceof Optimizer, LosskitTypeError, () => `${(optimizer as object)?.constructor?.name ?? String(optimizer)} is not an Optimizer`);
    check(checkInt(new.target.name, 'lastEpoch', lastEpoch) >= -1, ValueError, () => `${new.target.name}: lastEpoch must be -1 (a fresh start) or an epoch index, got ${describe(lastEpoch)}`);
    optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else check(g.initialLr !== undefined, ValueError, () => `param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
    });
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** PyTorch's `_initial_step`: count the optimizer's steps from here, and step to epoch `lastEpoch + 1`. */
  protected initialStep(): void {
    this.optimizer.stepCount = 0;
    this.stepCount = 0;
    this.step();
  }

  /** The learning rates for `lastEpoch`, computed from the groups' current `lr`. */
  protected abstract getLr(): number[];

  /** Advances one epoch and writes the new learning rates into the optimizer's groups. */
  step(): void {
    if (this.stepCount === 1 && this.optimizer.stepCount < 1) {
      warn(
        'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: ' +
          '`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. ' +
          'See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate',
      );
    }
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rate of each group after the last `step()`. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** True during the first `step()` (the one the constructor makes), as PyTorch's `_step_count == 1`. */
  protected get firstStep(): boolean {
    return this.stepCount === 1;
  }

  /** The current `lr` of each of the optimizer's groups. */
  protected get groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }
}

/**
 * Multiplies the learning rate by `gamma` (default 0.1) every `stepSize` epochs, as
 * `torch.optim.lr_scheduler.StepLR`: lr = initial lr * gamma^floor(epoch / stepSize).
 *
 * @example
 * const sched = new optim.StepLR(opt, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
export class StepLR extends LRScheduler {
  /** PyTorch's `step_size`: the period of the decay, in epochs (a positive integer). */
  readonly stepSize: number;
  /** PyTorch's `gamma`: the factor applied every `stepSize` epochs. Default 0.1. */
  readonly gamma: number;

  constructor(optimizer: Optimizer<{ lr: number }>, stepSize: number, opts: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, checkedOptions('StepLR', opts, ['gamma', 'lastEpoch']).lastEpoch ?? -1);
    check(Number.isInteger(stepSize) && stepSize > 0, ValueError, () => `StepLR: stepSize must be a positive integer, got ${describe(stepSize)}`);
    this.stepSize = stepSize;
    this.gamma = checkNumber('StepLR', 'gamma', opts.gamma ?? 0.1);
    this.initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs;
    return this.groupLrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Cosine annealing from the initial lr down to `etaMin` (default 0) over `tMax` epochs, then back
 * up (a period of 2 tMax), as `torch.optim.lr_scheduler.CosineAnnealingLR`:
 * lr = etaMin + (initial lr - etaMin) (1 + cos(pi epoch / tMax)) / 2.
 *
 * @example
 * const sched = new optim.CosineAnnealingLR(opt, 200);   // lr reaches 0 at epoch 200
 */
export class CosineAnnealingLR extends LRScheduler {
  /** PyTorch's `T_max`: the number of epochs from the initial lr down to `etaMin` (half a period). */
  readonly tMax: number;
  /** PyTorch's `eta_min`: the smallest learning rate. Default 0. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer<{ lr: number }>, tMax: number, opts: { etaMin?: number; lastEpoch?: number } = {}) {
    super(optimizer, checkedOptions('CosineAnnealingLR', opts, ['etaMin', 'lastEpoch']).lastEpoch ?? -1);
    check(typeof tMax === 'number' && tMax > 0 && Number.isFinite(tMax), ValueError, () => `CosineAnnealingLR: tMax must be positive, got ${describe(tMax)}`);
    this.tMax = tMax;
    this.etaMin = checkNumber('CosineAnnealingLR', 'etaMin', opts.etaMin ?? 0);
    this.initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.groupLrs;
    if (this.firstStep && e > 0) {
      // resuming (lastEpoch given): the closed form
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    }
    // Python's % is never negative; JS's can be
    const mod = (a: number, m: number): number => ((a % m) + m) % m;
    if (mod(e - 1 - T, 2 * T) === 0) {
      return this.groupLrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groupLrs.map(
      (lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin,
    );
  }
}

