/** `nn`: modules (layers, containers, activations) and the loss classes, with PyTorch's names. */
export { Module, type StateDict, type TensorState, type LoadResult } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Sequential } from './container.js';
export { ReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax } from './activations.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { Flatten } from './flatten.js';
export * as init from './init.js';
export * from './loss.js';
