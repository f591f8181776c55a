/** `optim`: optimizers and learning-rate schedulers, as `torch.optim`. */
export { Optimizer, type ParamGroup, type ParamGroupSpec, type Params, type OptimizerState } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { LRScheduler, StepLR, CosineAnnealingLR } from './lr_scheduler.js';
