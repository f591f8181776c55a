/**
 * losskit: PyTorch's loss functions for TypeScript, with the same values, gradients and errors.
 *
 * ```ts
 * import { tensor, ones, F, nn, optim } from 'losskit';
 * F.l1Loss(ones([2, 2]), tensor([[0, 1], [2, 3]])).item(); // 1
 * ```
 *
 * @module losskit
 */
export { Tensor, type TensorLike, type NestedArray } from './tensor/tensor.js';
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  rand,
  randn,
  randint,
  cat,
  stack,
  type TensorOptions,
  type RandomOptions,
} from './tensor/creation.js';
export { Generator, manualSeed } from './tensor/random.js';
export { type DType, type TypedArray, promoteTypes, resultType } from './tensor/dtype.js';
export { broadcastShapes } from './tensor/shape.js';
export { noGrad, isGradEnabled } from './autograd/graph.js';
export { grad, type GradOptions } from './autograd/grad.js';
export { gradcheck, type GradcheckOptions } from './autograd/gradcheck.js';
export {
  add,
  sub,
  mul,
  div,
  neg,
  pow,
  exp,
  log,
  log1p,
  expm1,
  abs,
  sign,
  sqrt,
  square,
  clamp,
  maximum,
  minimum,
  where,
  sigmoid,
  tanh,
  relu,
} from './ops/elementwise.js';
export { matmul } from './ops/matmul.js';
export { gather, oneHot } from './ops/index.js';
export * as F from './losses/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export {
  LosskitError,
  ValueError,
  RuntimeError,
  IndexError,
  LosskitTypeError,
  NotImplementedError,
  setWarningHandler,
  type LosskitWarning,
  type WarningHandler,
} from './errors.js';
export { setBackend, getBackend, setNumThreads, getNumThreads, threadsReady, type BackendName } from './kernels/index.js';
