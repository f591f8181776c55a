/**
 * Each loss's option names (PyTorch's keyword arguments in camelCase), in one table: the F
 * functions refuse other keys, and the `nn` loss classes check their options against the same list
 * when constructed.
 */
export const LOSS_OPTIONS = {
  binaryCrossEntropy: ['reduction', 'sizeAverage', 'reduce', 'weight'],
  binaryCrossEntropyWithLogits: ['reduction', 'sizeAverage', 'reduce', 'weight', 'posWeight'],
  cosineEmbeddingLoss: ['reduction', 'sizeAverage', 'reduce', 'margin'],
  crossEntropy: ['reduction', 'sizeAverage', 'reduce', 'weight', 'ignoreIndex', 'labelSmoothing'],
  ctcLoss: ['blank', 'reduction', 'zeroInfinity'],
  pairwiseDistance: ['p', 'eps', 'keepdim'],
  cosineSimilarity: ['dim', 'eps'],
  gaussianNllLoss: ['full', 'eps', 'reduction'],
  hingeEmbeddingLoss: ['reduction', 'sizeAverage', 'reduce', 'margin'],
  huberLoss: ['reduction', 'delta', 'weight'],
  klDiv: ['reduction', 'sizeAverage', 'reduce', 'logTarget'],
  l1Loss: ['reduction', 'sizeAverage', 'reduce', 'weight'],
  marginRankingLoss: ['reduction', 'sizeAverage', 'reduce', 'margin'],
  mseLoss: ['reduction', 'sizeAverage', 'reduce', 'weight'],
  multiMarginLoss: ['reduction', 'sizeAverage', 'reduce', 'p', 'margin', 'weight'],
  multilabelMarginLoss: ['reduction', 'sizeAverage', 'reduce'],
  multilabelSoftMarginLoss: ['reduction', 'sizeAverage', 'reduce', 'weight'],
  nllLoss: ['reduction', 'sizeAverage', 'reduce', 'weight', 'ignoreIndex'],
  poissonNllLoss: ['reduction', 'sizeAverage', 'reduce', 'logInput', 'full', 'eps'],
  smoothL1Loss: ['reduction', 'sizeAverage', 'reduce', 'beta'],
  softMarginLoss: ['reduction', 'sizeAverage', 'reduce'],
  tripletMarginLoss: ['reduction', 'sizeAverage', 'reduce', 'margin', 'p', 'eps', 'swap'],
  tripletMarginWithDistanceLoss: ['distanceFunction', 'margin', 'swap', 'reduction'],
  causalLmLoss: ['reduction', 'ignoreIndex', 'numItemsInBatch'],
  perplexity: ['reduction', 'ignoreIndex'],
  slidingWindowPerplexity: ['maxLength', 'stride', 'ignoreIndex'],
} as const satisfies Record<string, readonly string[]>;

export type LossName = keyof typeof LOSS_OPTIONS;
