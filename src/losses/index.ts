/** `F`: one function per `torch.nn.functional` loss, plus the helpers the losses are made of. */
export { l1Loss, type L1LossOptions } from './l1_loss.js';
export { mseLoss, type MSELossOptions } from './mse_loss.js';
export { smoothL1Loss, type SmoothL1LossOptions } from './smooth_l1_loss.js';
export { huberLoss, type HuberLossOptions } from './huber_loss.js';
export { binaryCrossEntropy, type BCELossOptions } from './binary_cross_entropy.js';
export { binaryCrossEntropyWithLogits, type BCEWithLogitsLossOptions } from './binary_cross_entropy_with_logits.js';
export { crossEntropy, type CrossEntropyLossOptions } from './cross_entropy.js';
export { nllLoss, type NLLLossOptions } from './nll_loss.js';
export { logSoftmax, softmax, logsumexp } from '../ops/softmax.js';
export { sigmoid, logSigmoid, softplus, tanh, relu } from '../ops/elementwise.js';
export { oneHot } from '../ops/index.js';
