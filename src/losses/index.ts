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
export { klDiv, type KLDivLossOptions } from './kl_div.js';
export { poissonNllLoss, type PoissonNLLLossOptions } from './poisson_nll_loss.js';
export { gaussianNllLoss, type GaussianNLLLossOptions } from './gaussian_nll_loss.js';
export { marginRankingLoss, type MarginRankingLossOptions } from './margin_ranking_loss.js';
export { hingeEmbeddingLoss, type HingeEmbeddingLossOptions } from './hinge_embedding_loss.js';
export { multilabelMarginLoss } from './multilabel_margin_loss.js';
export { softMarginLoss } from './soft_margin_loss.js';
export { multilabelSoftMarginLoss, type MultiLabelSoftMarginLossOptions } from './multilabel_soft_margin_loss.js';
export { cosineEmbeddingLoss, type CosineEmbeddingLossOptions } from './cosine_embedding_loss.js';
export { multiMarginLoss, type MultiMarginLossOptions } from './multi_margin_loss.js';
export { tripletMarginLoss, type TripletMarginLossOptions } from './triplet_margin_loss.js';
export {
  tripletMarginWithDistanceLoss,
  type TripletMarginWithDistanceLossOptions,
} from './triplet_margin_with_distance_loss.js';
export { ctcLoss, type CTCLossOptions, type Lengths } from './ctc_loss.js';
export {
  pairwiseDistance,
  cosineSimilarity,
  type PairwiseDistanceOptions,
  type CosineSimilarityOptions,
} from './distance.js';
export type { ReductionOptions } from './reduction.js';
export { causalLmLoss, type CausalLMLossOptions } from './causal_lm_loss.js';
export { perplexity, type PerplexityOptions } from './perplexity.js';
export {
  slidingWindowPerplexity,
  type SlidingWindowPerplexityOptions,
  type PerplexityResult,
  type WindowModel,
  type AsyncWindowModel,
} from './sliding_window_perplexity.js';
