import type { Tensor } from '../tensor/tensor.js';

/**
 * Base class of layers and losses, as `torch.nn.Module`: it holds parameters and child modules
 * (registered when assigned as own properties) and a training flag.
 */
export abstract class Module {
  training = true;

  /** Direct parameters: own properties holding Tensors that require grad. */
  protected ownParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v && typeof v === 'object' && 'requiresGrad' in v && 'shape' in v && (v as Tensor).requiresGrad) out.push([k, v as Tensor]);
    }
    return out;
  }

  /** Child modules: own properties holding Modules (and arrays of them). */
  children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v)) v.forEach((m, i) => m instanceof Module && out.push([`${k}.${i}`, m]));
    }
    return out;
  }

  /** Every parameter with its dotted name (`0.weight`, `fc.bias`), children included. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const own = this.ownParameters().map(([k, t]): [string, Tensor] => [prefix + k, t]);
    const nested = this.children().flatMap(([k, m]) => m.namedParameters(`${prefix}${k}.`));
    return [...own, ...nested];
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Clears every parameter's gradient (PyTorch's default `set_to_none=True`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, m] of this.children()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  abstract forward(...args: unknown[]): Tensor;
}
