/**
 * The tutorial's walkthrough: sample = ones(2, 2), target = [[0, 1], [2, 3]] through every loss it
 * tries, with the result or the error, why, and the call that works. Each step's code is the very
 * text that runs (evaluated with the library in scope), so what is shown is what is computed.
 */
import * as lk from '../index.js';
import { LosskitError, setWarningHandler, type LosskitWarning } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

export interface DemoOutcome {
  value?: number;
  text?: string;
  dtype?: string;
  shape?: number[];
  error?: { type: string; message: string };
  warnings: string[];
}

export interface DemoStep {
  loss: string;
  code: string;
  outcome: DemoOutcome;
  why: string[];
  fix?: { code: string; outcome: DemoOutcome; why: string };
}

const SETUP = `const sample = ones([2, 2]);\nconst target = tensor([[0, 1], [2, 3]]);`;

/** Runs `code` (a JS expression, with `sample`, `target` and the library in scope). */
function run(code: string): DemoOutcome {
  const warnings: string[] = [];
  const prev = setWarningHandler((w: LosskitWarning) => warnings.push(`${w.category}: ${w.message}`));
  try {
    const names = Object.keys(lk);
    const body = `const sample = ones([2, 2]); const target = tensor([[0, 1], [2, 3]]); return (${code});`;
    const result = new Function(...names, body)(...names.map((n) => (lk as Record<string, unknown>)[n])) as Tensor;
    return { value: result.item(), text: result.toString(), dtype: result.dtype, shape: [...result.shape], warnings };
  } catch (e) {
    if (e instanceof LosskitError) return { error: { type: e.name, message: e.message }, warnings };
    throw e;
  } finally {
    setWarningHandler(prev);
  }
}

export function demoSteps(): DemoStep[] {
  const s = (loss: string, code: string, why: string[], fix?: { code: string; why: string }): DemoStep => ({
    loss,
    code,
    outcome: run(code),
    why,
    fix: fix && { code: fix.code, outcome: run(fix.code), why: fix.why },
  });
  return [
    s('L1Loss', 'new nn.L1Loss().forward(sample, target)', [
      'Mean absolute error: |1-0| + |1-1| + |1-2| + |1-3| = 1 + 0 + 1 + 2 = 4 over 4 elements = 1.',
      "reduction 'sum' gives 4; 'none' gives [[1, 0], [1, 2]].",
    ]),
    s('SmoothL1Loss', 'new nn.SmoothL1Loss().forward(sample, target)', [
      'd = sample - target = [1, 0, -1, -2]. With beta = 1: 0.5 d^2 where |d| < 1, else |d| - 0.5.',
      'Elementwise [0.5, 0, 0.5, 1.5]; their mean is 2.5 / 4 = 0.625.',
    ]),
    s('MSELoss', 'new nn.MSELoss().forward(sample, target)', [
      'Mean squared error: (1 + 0 + 1 + 4) / 4 = 1.5.',
    ]),
    s(
      'BCELoss',
      'new nn.BCELoss().forward(sample, target)',
      [
        'Binary cross entropy needs probabilities: input and target in [0, 1]. The targets 2 and 3 are not.',
        `PyTorch <= 0.4 printed ${historic('old')} here: it computed log(x + 1e-12), so log(1 - 1) became log(1e-12) = -27.631,`,
        '  and the per-element losses 27.631 (1 - y) = [27.631, 0, -27.631, -55.262] average to -13.8155.',
        `PyTorch 1.x printed ${historic('clamp')}, since each log is clamped at -100, giving 100 (1 - y) = [100, 0, -100, -200], mean -50.`,
        'PyTorch 2.x raises instead, as losskit does: a negative "cross entropy" is never what was meant.',
      ],
      {
        code: 'F.binaryCrossEntropy(sample.sigmoid(), target.div(3))',
        why: 'Probabilities in, probabilities as targets: here sigmoid(1) = 0.7311 against targets scaled into [0, 1]. On raw scores, binaryCrossEntropyWithLogits(sample, target.div(3)) gives the same, more stably.',
      },
    ),
    s(
      'CrossEntropyLoss',
      'new nn.CrossEntropyLoss().forward(sample, target)',
      [
        'No error today: the target has the input\'s shape, so it is read as class probabilities (PyTorch >= 1.10).',
        'logSoftmax of a row [1, 1] is [-log 2, -log 2]. Row 1: -(0 + 1) (-log 2) = 0.6931; row 2: (2 + 3) log 2 = 3.4657.',
        "'mean' averages over the 2 samples: (0.6931 + 3.4657) / 2 = 2.0794. The rows sum to 1 and 5: not probabilities, but nothing checks.",
        'Older PyTorch had no probability targets and refused the float target, which is the error the tutorial hit.',
      ],
      {
        code: "F.crossEntropy(sample, tensor([0, 1], { dtype: 'int64' }))",
        why: 'The usual form: (N, C) logits and (N) int64 class indices. Both logits of each row are equal, so each class has probability 1/2 and the loss is log 2.',
      },
    ),
    s(
      'NLLLoss',
      'new nn.NLLLoss().forward(sample, target)',
      [
        'NLLLoss takes (N, C) log-probabilities and (N) int64 class indices: one index per sample.',
        'The 2-D float target looks like one row of values per sample, which NLL cannot use (PyTorch: "multi-target not supported").',
        'The same call with target.long() fails the same way: the shape is the problem first, the dtype second.',
      ],
      {
        code: "F.nllLoss(F.logSoftmax(sample, 1), tensor([0, 1], { dtype: 'int64' }))",
        why: 'logSoftmax turns logits into log-probabilities; NLL then picks -log p of each target class: log 2 = 0.6931 (cross entropy in two steps).',
      },
    ),
    s(
      'NLLLoss2d',
      'new nn.NLLLoss2d().forward(sample, target)',
      [
        'NLLLoss2d is a deprecated alias of NLLLoss (hence the warning) and fails the same way.',
        'For images, NLLLoss itself takes (N, C, H, W) log-probabilities with (N, H, W) int64 targets: a class per pixel.',
      ],
      {
        code: "F.nllLoss(F.logSoftmax(sample.reshape([1, 2, 1, 2]), 1), tensor([[[0, 1]]], { dtype: 'int64' }))",
        why: 'One image (N = 1) with C = 2 classes and 1 x 2 pixels; each pixel gets a class index. Again log 2.',
      },
    ),
  ];
}

export interface CatalogueEntry {
  loss: string;
  what: string;
  code: string;
  outcome: DemoOutcome;
}

const I64 = "{ dtype: 'int64' }";

/** Every torch.nn loss used as intended on small inputs: the demo's closing list. */
export function catalogue(): CatalogueEntry[] {
  const rows: [string, string, string][] = [
    ['L1Loss', 'mean |x - y|', 'F.l1Loss(sample, target)'],
    ['MSELoss', 'mean (x - y)^2', 'F.mseLoss(sample, target)'],
    ['SmoothL1Loss', 'quadratic below beta, linear above', 'F.smoothL1Loss(sample, target, { beta: 0.5 })'],
    ['HuberLoss', 'quadratic below delta, slope delta above', 'F.huberLoss(sample, target, { delta: 2 })'],
    ['BCELoss', 'probabilities against targets in [0, 1]', 'F.binaryCrossEntropy(sample.sigmoid(), target.div(3))'],
    ['BCEWithLogitsLoss', 'the same on raw scores, stable', 'F.binaryCrossEntropyWithLogits(sample, target.div(3), { posWeight: tensor([1, 2]) })'],
    ['CrossEntropyLoss', 'logits against class indices', `F.crossEntropy(sample, tensor([0, 1], ${I64}), { labelSmoothing: 0.1 })`],
    ['NLLLoss', 'log-probabilities against class indices', `F.nllLoss(F.logSoftmax(sample, 1), tensor([0, 1], ${I64}))`],
    ['KLDivLoss', 'KL(target || input), input as log-probabilities', "F.klDiv(F.logSoftmax(sample, 1), F.softmax(target, 1), { reduction: 'batchmean' })"],
    ['PoissonNLLLoss', 'counts with a log-rate input', 'F.poissonNllLoss(sample, target)'],
    ['GaussianNLLLoss', 'a mean and a variance per element', 'F.gaussianNllLoss(sample, target, 0.5)'],
    ['MarginRankingLoss', 'x1 should rank above x2 where y = 1', 'F.marginRankingLoss(tensor([1, 2]), tensor([2, 1]), tensor([1, -1]), { margin: 0.5 })'],
    ['HingeEmbeddingLoss', 'distances: small for y = 1, beyond the margin for y = -1', 'F.hingeEmbeddingLoss(tensor([0.3, 2, 0.4]), tensor([1, -1, -1]))'],
    ['MultiLabelMarginLoss', 'several target classes, -1 terminated', `F.multilabelMarginLoss(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([[3, 0, -1, 1]], ${I64}))`],
    ['SoftMarginLoss', 'logistic loss for labels ±1', 'F.softMarginLoss(sample, tensor([[1, -1], [1, -1]]))'],
    ['MultiLabelSoftMarginLoss', 'one binary decision per class', 'F.multilabelSoftMarginLoss(sample, tensor([[0, 1], [1, 1]]))'],
    ['CosineEmbeddingLoss', 'cosine similarity high for y = 1, low for y = -1', 'F.cosineEmbeddingLoss(sample, target, tensor([1, -1]))'],
    ['MultiMarginLoss', 'multi-class hinge', `F.multiMarginLoss(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([3], ${I64}))`],
    ['TripletMarginLoss', 'anchor nearer the positive than the negative', 'F.tripletMarginLoss(sample, target, zeros([2, 2]))'],
    ['TripletMarginWithDistanceLoss', 'the same with any distance', 'F.tripletMarginWithDistanceLoss(sample, target, zeros([2, 2]), { distanceFunction: (a, b) => F.pairwiseDistance(a, b, { p: 1 }) })'],
    ['CTCLoss', 'unsegmented sequences (speech, handwriting)', `F.ctcLoss(F.logSoftmax(randn([6, 1, 4], { seed: 0 }), 2), tensor([[1, 2, 2]], ${I64}), [6], [3])`],
  ];
  return rows.map(([loss, what, code]) => ({ loss, what, code, outcome: run(code) }));
}

/** The value PyTorch printed for BCE on the tutorial's data before 2.x, recomputed from its formula. */
function historic(kind: 'old' | 'clamp'): string {
  return lk.noGrad(() => {
    const x = lk.ones([2, 2], { dtype: 'float32' });
    const y = lk.tensor([[0, 1], [2, 3]]);
    const logs =
      kind === 'old'
        ? [x.add(1e-12).log(), x.neg().add(1).add(1e-12).log()]
        : [x.log().clampMin(-100), x.neg().add(1).log().clampMin(-100)];
    const l = y.mul(logs[0]).add(y.neg().add(1).mul(logs[1])).neg();
    return l.mean().toString();
  });
}

export { SETUP };
