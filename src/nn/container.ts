import { LosskitTypeError, IndexError, check } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * Modules applied one after another, as `torch.nn.Sequential`. Children are named `'0'`, `'1'`, ...
 * (so parameters are `'0.weight'`, as in PyTorch), or by the keys of an object.
 *
 * @example
 * const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
 * model.namedParameters().map(([k]) => k); // ['0.weight', '0.bias', '2.weight', '2.bias']
 */
export class Sequential extends Module {
  private readonly layers: [string, Module][];

  constructor(...modules: Module[] | [Record<string, Module>]) {
    super();
    const first = modules[0];
    const named: [string, Module][] =
      modules.length === 1 && !(first instanceof Module) && typeof first === 'object' && first !== null
        ? Object.entries(first as Record<string, Module>)
        : (modules as Module[]).map((m, i) => [String(i), m]);
    for (const [k, m] of named) {
      check(m instanceof Module, LosskitTypeError, () => `Sequential: ${k} is not a Module subclass`);
    }
    this.layers = named;
  }

  override children(): [string, Module][] {
    return [...this.layers];
  }

  /** The number of modules. */
  get length(): number {
    return this.layers.length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const n = this.layers.length;
    check(Number.isInteger(i) && i >= -n && i < n, IndexError, () => `index ${i} is out of range`);
    return this.layers[i < 0 ? i + n : i][1];
  }

  /** Adds a module at the end, named by its index; returns this container. */
  append(m: Module): this {
    check(m instanceof Module, LosskitTypeError, () => `Sequential: ${String(m)} is not a Module subclass`);
    this.layers.push([String(this.layers.length), m]);
    return this;
  }

  /** The modules in order: `for (const layer of model)`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.layers.map(([, m]) => m)[Symbol.iterator]();
  }

  /** Passes the input through each module in turn; the last one's output. */
  forward(input: TensorLike): Tensor {
    let x = input as TensorLike;
    for (const [, m] of this.layers) x = (m.forward as (x: TensorLike) => Tensor).call(m, x);
    return x as Tensor;
  }
}
