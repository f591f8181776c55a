/**
 * `losskit/tfjs`: losskit's losses as TensorFlow.js losses. The bridge never imports TensorFlow.js:
 * every function takes the `tf` namespace (`@tensorflow/tfjs`, or `-core` plus backends) first.
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { F } from 'losskit';
 * import { tfLoss, tfCompileLoss } from 'losskit/tfjs';
 * const ce = tfLoss(tf, F.crossEntropy, { labelSmoothing: 0.1 });
 * optimizer.minimize(() => ce(model.apply(xs) as tf.Tensor, labels)); // labels: int32
 * model.compile({ optimizer: 'adam', loss: tfCompileLoss(tf, F.crossEntropy) });
 * ```
 *
 * Only this module (and its type declarations) knows TensorFlow.js; the core stays dependency-free.
 * Everything it uses of losskit comes through the public barrel, so the built `losskit/tfjs`
 * shares `losskit`'s Tensor class.
 *
 * @module losskit/tfjs
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { Tensor, ValueError, LosskitTypeError, grad, noGrad, tensor, F } from '../index.js';

/** The TensorFlow.js namespace, as `import * as tf from '@tensorflow/tfjs'` (or `-core`) gives it. */
export type TF = typeof tfc;
type TfTensor = tfc.Tensor;

/** A losskit loss: tensor arguments first (in PyTorch's order), its options object last. */
export type LossFn = (...args: any[]) => Tensor;

/** Options of {@link tfLoss} and {@link tfLossAsync}: which arguments get gradients, and the loss's own options. */
export interface TfLossOptions {
  /**
   * Which positional arguments get a gradient (default: every floating-point tf.Tensor argument).
   * The others get zeros. `[0]` skips the targets' gradients when only the input is trained.
   */
  differentiable?: readonly number[];
  /** Everything else is the loss's own options (`reduction`, `weight`, `ignoreIndex`, ...). */
  [lossOption: string]: unknown;
}

const CLASS_INDEX_LOSSES = new Set<unknown>([F.crossEntropy, F.nllLoss, F.multiMarginLoss]);

/**
 * A losskit loss as a TensorFlow.js function: `(input, target, ...rest) => tf.Tensor`, usable
 * under `tf.grad`, `tf.variableGrads` and `optimizer.minimize`. tf.Tensor arguments (and tf.Tensor
 * options such as `weight`) become losskit tensors over their data; other arguments (numbers,
 * arrays, CTC's lengths, losskit Tensors) pass through.
 *
 * - **int32 labels**: TensorFlow.js has no int64, so int32 tensors arrive as int64, the dtype
 *   PyTorch wants for class indices (and takes for CTC's targets and lengths).
 * - **The gradient** is losskit's, from {@link grad} with TensorFlow.js's incoming `dy` passed as
 *   `gradOutputs`: no multiply in TensorFlow.js, one upload per gradient. Outside a gradient tape
 *   only the value is computed.
 * - **float32**: TensorFlow.js computes in float32, and so does the loss.
 * - Reads are synchronous (`dataSync`): right for the cpu and wasm backends; for webgl/webgpu, see
 *   {@link tfLossAsync}.
 */
export function tfLoss(tf: TF, fn: LossFn, options: TfLossOptions = {}): (...args: unknown[]) => TfTensor {
  const { lossOptions, differentiable } = split(tf, fn, options);
  return (...args: unknown[]) => {
    const diff = args.map((a, i) => isTf(tf, a) && a.dtype === 'float32' && (differentiable?.includes(i) ?? true));
    const inputs = args.filter((_, i) => diff[i]) as TfTensor[];
    const opts = fromTfOptions(tf, lossOptions);
    if (inputs.length === 0 || !taping(tf)) {
      const out = noGrad(() => fn(...args.map((a) => fromTf(tf, a, false)), opts));
      return toTf(tf, out);
    }
    const f = tf.customGrad(((...xs: unknown[]) => {
      const tfInputs = xs.slice(0, inputs.length) as TfTensor[];
      const leaves: Tensor[] = [];
      let k = 0;
      const lk = args.map((a, i) => {
        if (!diff[i]) return fromTf(tf, a, false);
        const leaf = fromTf(tf, tfInputs[k++], true) as Tensor;
        leaves.push(leaf);
        return leaf;
      });
      const out = fn(...lk, opts);
      return {
        value: toTf(tf, out),
        gradFunc: (dy: TfTensor) => {
          const gs = grad([out], leaves, { gradOutputs: [fromTf(tf, dy, false) as Tensor], allowUnused: true });
          return gs.map((g, j) => (g ? toTf(tf, g) : tf.zerosLike(tfInputs[j])));
        },
      };
    }) as never);
    return (f as (...x: TfTensor[]) => TfTensor)(...inputs);
  };
}

/**
 * A losskit loss for `model.compile({ loss })` and `model.fit`: `(yTrue, yPred) => tf.Tensor`,
 * calling `fn(yPred, yTrue, options)` (PyTorch's order) with the gradient for `yPred` only.
 * For class-index losses (`F.crossEntropy`, `F.nllLoss`, `F.multiMarginLoss`), labels of
 * another shape than `yPred` (a float `(N)` or `(N, 1)` of integers, as a custom training loop may
 * pass) become `(N)` int64 class indices. `model.fit` itself checks that `yTrue` has `yPred`'s
 * shape before calling the loss, so there give one-hot targets (`tf.oneHot`).
 */
export function tfCompileLoss(tf: TF, fn: LossFn, options: Omit<TfLossOptions, 'differentiable'> = {}): (yTrue: TfTensor, yPred: TfTensor) => TfTensor {
  const loss = tfLoss(tf, fn, { ...options, differentiable: [0] });
  const classIndices = CLASS_INDEX_LOSSES.has(fn);
  return (yTrue, yPred) => loss(yPred, classIndices && !sameShape(yTrue.shape, yPred.shape) ? labels(yTrue) : yTrue);
}

/** What {@link tfLossAsync} prepared: the value and gradients, on the backend, read back asynchronously. */
export interface TfPreparedLoss {
  /** The loss, a tf.Tensor owned by this object (until `dispose()`). */
  readonly value: TfTensor;
  /** The gradient of each differentiable argument (null for the others), owned by this object. */
  readonly grads: readonly (TfTensor | null)[];
  /** The loss as a number (read when it was prepared). */
  readonly number: number;
  /**
   * The same loss as a tf function of the same (recomputed) arguments, for `optimizer.minimize` or
   * `tf.variableGrads`: its value is the prepared value and its gradient the prepared gradient,
   * times the incoming `dy` (one multiply on the backend, since `dy` cannot be read synchronously).
   */
  apply(...args: unknown[]): TfTensor;
  /** Frees `value` and `grads`. */
  dispose(): void;
}

/**
 * The asynchronous path, for backends whose reads are asynchronous (webgl, webgpu): reads the
 * arguments with `await t.data()`, computes the loss and its gradient in losskit, uploads both.
 * A training step then runs the model's forward twice, once to get the outputs and once under the
 * tape, where `prepared.apply` replays the loss without reading anything:
 *
 * ```ts
 * const lossAsync = tfLossAsync(tf, F.crossEntropy);
 * const outputs = tf.tidy(() => model.apply(xs) as tf.Tensor);
 * const prepared = await lossAsync(outputs, labels);
 * outputs.dispose();
 * optimizer.minimize(() => prepared.apply(model.apply(xs) as tf.Tensor, labels));
 * prepared.dispose();
 * ```
 */
export function tfLossAsync(tf: TF, fn: LossFn, options: TfLossOptions = {}): (...args: unknown[]) => Promise<TfPreparedLoss> {
  const { lossOptions, differentiable } = split(tf, fn, options);
  return async (...args: unknown[]) => {
    const diff = args.map((a, i) => isTf(tf, a) && a.dtype === 'float32' && (differentiable?.includes(i) ?? true));
    const read = await Promise.all(args.map(async (a) => (isTf(tf, a) ? { tf: a, data: await a.data() } : a)));
    const opts = fromTfOptions(tf, lossOptions);
    const leaves: Tensor[] = [];
    const lk = read.map((a, i) => {
      if (!isRead(a)) return a;
      const t = readTensor(a.tf, a.data, diff[i]);
      if (diff[i]) leaves.push(t);
      return t;
    });
    const out = fn(...lk, opts);
    const gs = leaves.length > 0 && out.requiresGrad ? grad([out], leaves, { allowUnused: true, gradOutputs: [tensor(new Float32Array(out.numel).fill(1), { shape: [...out.shape], dtype: out.dtype })] }) : leaves.map(() => null);
    const value = toTf(tf, out);
    const grads = gs.map((g) => (g ? toTf(tf, g) : null));
    const shapes = args.map((a) => (isTf(tf, a) ? [...a.shape] : null));
    return {
      value,
      grads,
      number: out.numel === 1 ? Number(out.data[0]) : NaN,
      apply(...again: unknown[]) {
        const inputs = again.filter((_, i) => diff[i]) as TfTensor[];
        again.forEach((a, i) => {
          if (shapes[i] && !(isTf(tf, a) && sameShape(a.shape, shapes[i]!))) {
            throw new ValueError(`tfLossAsync: apply() argument ${i} must have the prepared shape [${shapes[i]!.join(', ')}]`);
          }
        });
        if (inputs.length === 0) return tf.clone(value);
        const f = tf.customGrad(((...xs: unknown[]) => ({
          value: tf.clone(value),
          gradFunc: (dy: TfTensor) => grads.map((g, j) => (g ? tf.mul(dy, g) : tf.zerosLike(xs[j] as TfTensor))),
        })) as never);
        return (f as (...x: TfTensor[]) => TfTensor)(...inputs);
      },
      dispose() {
        value.dispose();
        for (const g of grads) g?.dispose();
      },
    };
  };
}

function split(tf: TF, fn: LossFn, options: TfLossOptions): { lossOptions: Record<string, unknown>; differentiable?: readonly number[] } {
  if (!tf || typeof tf.customGrad !== 'function' || typeof tf.Tensor !== 'function') {
    throw new LosskitTypeError("losskit/tfjs: the first argument must be the TensorFlow.js namespace (import * as tf from '@tensorflow/tfjs')");
  }
  if (typeof fn !== 'function') throw new LosskitTypeError('losskit/tfjs: the second argument must be a losskit loss such as F.crossEntropy');
  const { differentiable, ...lossOptions } = options ?? {};
  if (differentiable !== undefined && !(Array.isArray(differentiable) && differentiable.every((i) => Number.isInteger(i)))) {
    throw new LosskitTypeError("losskit/tfjs: 'differentiable' must be an array of argument indices");
  }
  return { lossOptions, differentiable };
}

function isTf(tf: TF, x: unknown): x is TfTensor {
  return x instanceof tf.Tensor;
}

function isRead(x: unknown): x is { tf: TfTensor; data: ArrayLike<number> } {
  return typeof x === 'object' && x !== null && 'tf' in x && 'data' in x;
}

/** Whether a gradient tape is recording (the value alone is computed otherwise). */
function taping(tf: TF): boolean {
  const state = (tf.engine?.() as unknown as { state?: { gradientDepth?: number } } | undefined)?.state;
  return state?.gradientDepth === undefined || state.gradientDepth > 0;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** A tf.Tensor as a losskit Tensor over its data; int32 as int64. Anything else is returned as it is. */
function fromTf(tf: TF, x: unknown, requiresGrad: boolean): unknown {
  if (!isTf(tf, x)) return x;
  return readTensor(x, x.dataSync() as ArrayLike<number>, requiresGrad);
}

function readTensor(x: TfTensor, data: ArrayLike<number> | Uint8Array, requiresGrad: boolean): Tensor {
  const shape = [...x.shape];
  switch (x.dtype) {
    case 'float32':
      return tensor(data as Float32Array, { shape, dtype: 'float32', requiresGrad });
    case 'int32':
      return tensor(BigInt64Array.from(data as Int32Array, (v) => BigInt(v)), { shape, dtype: 'int64' });
    case 'bool':
      return tensor(Uint8Array.from(data as ArrayLike<number>), { shape, dtype: 'bool' });
    default:
      throw new ValueError(`losskit/tfjs: a ${x.dtype} tf.Tensor cannot be a loss argument`);
  }
}

function fromTfOptions(tf: TF, opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) out[k] = fromTf(tf, v, false);
  return out;
}

/** A losskit result (float32, float64 or integer) as a float32 tf.Tensor. */
function toTf(tf: TF, t: Tensor): TfTensor {
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number);
  return tf.tensor(data, [...t.shape], 'float32');
}

/** Class indices from a float or int tf.Tensor, a trailing size-1 dimension dropped: integers only. */
function labels(y: TfTensor): Tensor {
  const shape = y.rank > 0 && y.shape[y.rank - 1] === 1 ? y.shape.slice(0, -1) : [...y.shape];
  const data = y.dataSync() as ArrayLike<number>;
  const out = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isInteger(data[i])) throw new ValueError(`losskit/tfjs: class-index labels must be integers, but element ${i} is ${data[i]}`);
    out[i] = BigInt(data[i]);
  }
  return tensor(out, { shape, dtype: 'int64' });
}
