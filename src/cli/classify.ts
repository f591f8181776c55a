/**
 * `losskit classify`: a small MLP trained with CrossEntropyLoss on the Iris data (shipped with
 * losskit), with a seeded stratified train/test split, a progress bar, accuracy per epoch and a
 * plot of training and test loss. Beside it, the same model ending in LogSoftmax, trained with
 * NLLLoss from the same weights on the same batches, shows that the two formulations train
 * identically: cross entropy is log-softmax followed by the negative log-likelihood.
 */
import { nn, optim, tensor, noGrad, Generator, type Tensor } from '../index.js';
import { Panel, PALETTE, figure, headerHeight } from '../plot/index.js';
import { type Out, OUTPUT_FLAGS, choice, flags, fmt, num, outputDir, runCommand, writePicture, PNG_HINT, pngAvailable } from './io.js';
import { Progress } from './progress.js';
import { IRIS_CLASSES, iris } from './data/iris.js';

export const CLASSIFY_USAGE = `losskit classify: train a small MLP on the Iris data with CrossEntropyLoss

Options:
  --epochs N                  passes over the training set (default 60)
  --hidden N                  hidden units (default 16)
  --optimizer adam|adamw|sgd  the optimizer (default adam)
  --lr N                      learning rate (default 0.01)
  --batch-size N              minibatch size; 0 for the whole training set (default 16)
  --test-fraction N           share of each class held out for testing (default 0.2)
  --dropout N                 dropout probability after the hidden layer (default 0)
  --dtype float64|float32     parameter dtype (default float64)
  --seed N                    seeds the split, the weights and the batches (default 0)
  --out DIR                   where pictures go (default ./losskit-out; with --json, none unless given)
  --no-png                    write SVG only
  --json                      print the results as JSON only
`;

export interface ClassifyConfig {
  epochs: number;
  hidden: number;
  optimizer: 'adam' | 'adamw' | 'sgd';
  lr: number;
  batchSize: number;
  testFraction: number;
  dropout: number;
  dtype: 'float64' | 'float32';
  seed: number;
}

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** The LogSoftmax + NLLLoss twin's training loss, for comparison. */
  nllTrainLoss: number;
}

/** Shuffles 0..n-1 with the generator (Fisher-Yates). */
function permutation(n: number, g: Generator): number[] {
  const p = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Holds out `fraction` of each class (stratified), seeded. Returns row indices. */
export function split(y: number[], fraction: number, seed: number): { train: number[]; test: number[] } {
  const g = new Generator(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [...new Set(y)].sort((a, b) => a - b)) {
    const rows = y.map((v, i) => (v === cls ? i : -1)).filter((i) => i >= 0);
    const order = permutation(rows.length, g).map((k) => rows[k]);
    const nTest = Math.round(rows.length * fraction);
    test.push(...order.slice(0, nTest));
    train.push(...order.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

function readConfig(args: string[]) {
  const v = flags('classify', args, {
    epochs: { type: 'string', default: '60' },
    hidden: { type: 'string', default: '16' },
    optimizer: { type: 'string', default: 'adam' },
    lr: { type: 'string', default: '0.01' },
    'batch-size': { type: 'string', default: '16' },
    'test-fraction': { type: 'string', default: '0.2' },
    dropout: { type: 'string', default: '0' },
    dtype: { type: 'string', default: 'float64' },
    seed: { type: 'string', default: '0' },
    ...OUTPUT_FLAGS,
  });
  const n = (name: string, o?: Parameters<typeof num>[3]) => num('classify', name, (v as unknown as Record<string, string>)[name], o);
  const c: ClassifyConfig = {
    epochs: n('epochs', { min: 1, max: 1e5, int: true }),
    hidden: n('hidden', { min: 1, max: 4096, int: true }),
    optimizer: choice('classify', 'optimizer', v.optimizer, ['adam', 'adamw', 'sgd'] as const),
    lr: n('lr', { min: 0 }),
    batchSize: n('batch-size', { min: 0, int: true }),
    testFraction: n('test-fraction', { min: 0.05, max: 0.8 }),
    dropout: n('dropout', { min: 0, max: 0.9 }),
    dtype: choice('classify', 'dtype', v.dtype, ['float64', 'float32'] as const),
    seed: n('seed', { int: true }),
  };
  return { c, out: v.out, json: v.json, png: !v['no-png'], help: v.help };
}

function makeModel(c: ClassifyConfig, withLogSoftmax: boolean): nn.Sequential {
  const layers: nn.Module[] = [new nn.Linear(4, c.hidden, { dtype: c.dtype, seed: c.seed }), new nn.ReLU()];
  if (c.dropout > 0) layers.push(new nn.Dropout(c.dropout, { seed: c.seed + 2 }));
  layers.push(new nn.Linear(c.hidden, 3, { dtype: c.dtype, seed: c.seed + 1 }));
  if (withLogSoftmax) layers.push(new nn.LogSoftmax(1));
  return new nn.Sequential(...layers);
}

function makeOptimizer(c: ClassifyConfig, model: nn.Module): optim.Optimizer<{ lr: number }> {
  const p = model.parameters();
  if (c.optimizer === 'sgd') return new optim.SGD(p, { lr: c.lr, momentum: 0.9 });
  if (c.optimizer === 'adamw') return new optim.AdamW(p, { lr: c.lr });
  return new optim.Adam(p, { lr: c.lr });
}

const accuracy = (logits: Tensor, y: Tensor): number => {
  const pred = logits.argmax(1).data as BigInt64Array;
  const t = y.data as BigInt64Array;
  let ok = 0;
  for (let i = 0; i < t.length; i++) if (pred[i] === t[i]) ok++;
  return ok / t.length;
};

export interface ClassifyResult {
  config: ClassifyConfig;
  data: { name: string; source: string; licence: string; train: number; test: number; classes: readonly string[] };
  model: string;
  epochs: EpochStats[];
  final: { trainAccuracy: number; testAccuracy: number; testCorrect: number; testTotal: number; confusion: number[][] };
  nll: { maxLossDifference: number; maxParameterDifference: number; identical: boolean };
}

/** Trains both models and returns the statistics (no output). */
export function trainClassifier(c: ClassifyConfig, onEpoch?: (s: EpochStats) => void): ClassifyResult {
  const { x: rows, y: labels } = iris();
  const { train, test } = split(labels, c.testFraction, c.seed);
  // standardise each feature with the training set's mean and standard deviation only
  const mean = [0, 1, 2, 3].map((j) => train.reduce((a, i) => a + rows[i][j], 0) / train.length);
  const std = [0, 1, 2, 3].map((j) => Math.sqrt(train.reduce((a, i) => a + (rows[i][j] - mean[j]) ** 2, 0) / train.length));
  const features = (idx: number[]) => tensor(idx.map((i) => rows[i].map((v, j) => (v - mean[j]) / std[j])), { dtype: c.dtype });
  const targets = (idx: number[]) => tensor(idx.map((i) => labels[i]), { dtype: 'int64' });
  const [xTrain, yTrain, xTest, yTest] = [features(train), targets(train), features(test), targets(test)];

  const model = makeModel(c, false);
  const twin = makeModel(c, true);
  twin.loadStateDict(model.stateDict()); // the same starting weights (LogSoftmax has none)
  const opt = makeOptimizer(c, model);
  const twinOpt = makeOptimizer(c, twin);
  const ce = new nn.CrossEntropyLoss();
  const nll = new nn.NLLLoss();
  const batchOrder = new Generator(c.seed + 3);
  const batch = c.batchSize === 0 ? train.length : c.batchSize;

  const epochs: EpochStats[] = [];
  let maxLossDifference = 0;
  for (let epoch = 1; epoch <= c.epochs; epoch++) {
    model.train();
    twin.train();
    const order = permutation(train.length, batchOrder);
    for (let start = 0; start < order.length; start += batch) {
      const pick = order.slice(start, start + batch).map((k) => train[k]);
      const [xb, yb] = [features(pick), targets(pick)];
      opt.zeroGrad();
      const loss = ce.forward(model.forward(xb), yb);
      loss.backward();
      opt.step();
      twinOpt.zeroGrad();
      const twinLoss = nll.forward(twin.forward(xb), yb);
      twinLoss.backward();
      twinOpt.step();
      maxLossDifference = Math.max(maxLossDifference, Math.abs(loss.item() - twinLoss.item()));
    }
    model.eval();
    twin.eval();
    const stats = noGrad(() => {
      const trainLogits = model.forward(xTrain);
      const testLogits = model.forward(xTest);
      return {
        epoch,
        trainLoss: ce.forward(trainLogits, yTrain).item(),
        testLoss: ce.forward(testLogits, yTest).item(),
        trainAccuracy: accuracy(trainLogits, yTrain),
        testAccuracy: accuracy(testLogits, yTest),
        nllTrainLoss: nll.forward(twin.forward(xTrain), yTrain).item(),
      };
    });
    epochs.push(stats);
    onEpoch?.(stats);
  }
  const a = model.parameters();
  const b = twin.parameters();
  let maxParameterDifference = 0;
  a.forEach((p, i) => p.data.forEach((v, k) => (maxParameterDifference = Math.max(maxParameterDifference, Math.abs(Number(v) - Number(b[i].data[k]))))));
  const testPred = noGrad(() => model.forward(xTest).argmax(1).data as BigInt64Array);
  const confusion = IRIS_CLASSES.map(() => IRIS_CLASSES.map(() => 0));
  test.forEach((row, i) => confusion[labels[row]][Number(testPred[i])]++);
  const last = epochs[epochs.length - 1];
  const tolerance = c.dtype === 'float64' ? 1e-9 : 1e-4;
  return {
    config: c,
    data: {
      name: 'Iris (Fisher 1936)',
      source: 'UCI Machine Learning Repository, https://doi.org/10.24432/C56C76',
      licence: 'CC BY 4.0',
      train: train.length,
      test: test.length,
      classes: IRIS_CLASSES,
    },
    model: model.toString(),
    epochs,
    final: {
      trainAccuracy: last.trainAccuracy,
      testAccuracy: last.testAccuracy,
      testCorrect: Math.round(last.testAccuracy * test.length),
      testTotal: test.length,
      confusion,
    },
    nll: { maxLossDifference, maxParameterDifference, identical: maxLossDifference <= tolerance && maxParameterDifference <= tolerance },
  };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Runs the command; returns the exit code. */
export function classify(args: string[], out: Out, err: Out): number {
  return runCommand('classify', err, () => run(args, out));
}

function run(args: string[], out: Out): number {
  const cfg = readConfig(args);
  if (cfg.help) {
    out.write(CLASSIFY_USAGE);
    return 0;
  }
  const { c, json } = cfg;
  const dir = outputDir('classify', cfg.out, json);
  const progress = new Progress(out, c.epochs, 'epoch', !json);
  const result = trainClassifier(c, (s) =>
    progress.update(s.epoch, { loss: fmt(s.trainLoss), 'test loss': fmt(s.testLoss), 'train acc': pct(s.trainAccuracy), 'test acc': pct(s.testAccuracy) }),
  );
  const files = dir === null ? null : writePicture(dir, 'classify', picture(result), cfg.png);
  if (json) {
    out.write(JSON.stringify({ ...result, files }, null, 2) + '\n');
    return 0;
  }
  const f = result.final;
  const lines = ['', `Iris: ${result.data.train} training and ${result.data.test} test flowers, 3 species; ${c.optimizer} lr ${fmt(c.lr)}, ${c.epochs} epochs`, result.model, ''];
  lines.push(`${'epoch'.padStart(6)} ${'train loss'.padStart(11)} ${'test loss'.padStart(10)} ${'train acc'.padStart(10)} ${'test acc'.padStart(9)}`);
  const every = Math.max(1, Math.ceil(result.epochs.length / 20));
  result.epochs.forEach((s, i) => {
    if (i % every !== 0 && i !== result.epochs.length - 1) return;
    lines.push(`${String(s.epoch).padStart(6)} ${fmt(s.trainLoss).padStart(11)} ${fmt(s.testLoss).padStart(10)} ${pct(s.trainAccuracy).padStart(10)} ${pct(s.testAccuracy).padStart(9)}`);
  });
  lines.push('', `test accuracy ${pct(f.testAccuracy)} (${f.testCorrect}/${f.testTotal}); confusion (rows: true species, columns: predicted):`);
  IRIS_CLASSES.forEach((name, i) => lines.push(`  ${name.padEnd(11)} ${f.confusion[i].map((v) => String(v).padStart(3)).join(' ')}`));
  const n = result.nll;
  lines.push(
    '',
    `LogSoftmax + NLLLoss from the same weights: ${n.identical ? 'trains identically' : 'DIFFERS'} ` +
      `(largest loss difference ${fmt(n.maxLossDifference, 2)}, largest parameter difference ${fmt(n.maxParameterDifference, 2)})`,
  );
  if (files) lines.push('', `picture: ${files.svg}${files.png ? `\n         ${files.png}` : ''}`);
  if (files && cfg.png && !files.png && !pngAvailable()) lines.push(PNG_HINT);
  lines.push(`data: ${result.data.name}, ${result.data.source}, licence ${result.data.licence}`);
  out.write(lines.join('\n') + '\n');
  return 0;
}

function picture(r: ClassifyResult): string {
  const c = r.config;
  const f = r.final;
  const title = `Iris: an MLP (4-${c.hidden}-3) trained with CrossEntropyLoss and ${c.optimizer === 'sgd' ? 'SGD' : c.optimizer === 'adam' ? 'Adam' : 'AdamW'} (lr ${fmt(c.lr)})`;
  const subtitle =
    `test accuracy ${pct(f.testAccuracy)} (${f.testCorrect}/${f.testTotal}); LogSoftmax + NLLLoss from the same weights ` +
    `${r.nll.identical ? 'trains identically' : 'differs'} (largest loss difference ${fmt(r.nll.maxLossDifference, 2)})`;
  const top = headerHeight({ title, subtitle });
  const [W, H] = [1280, 560];
  const ep = r.epochs.map((s) => s.epoch);
  const lossPanel = new Panel({ x: 0, y: top, width: W / 2, height: H - top, title: 'loss per epoch', xLabel: 'epoch', yLabel: 'cross entropy (log scale)', yLog: true });
  // the twin's curve dashed and dark on top of a wide light one: where they agree, both show
  lossPanel.line(ep, r.epochs.map((s) => s.trainLoss), { color: '#9ecae1', width: 6, label: 'training loss, CrossEntropyLoss' });
  lossPanel.line(ep, r.epochs.map((s) => s.nllTrainLoss), { color: '#08306b', width: 1.6, dash: '5 4', label: 'training loss, LogSoftmax + NLLLoss' });
  lossPanel.line(ep, r.epochs.map((s) => s.testLoss), { color: PALETTE[1], width: 2.4, label: 'test loss' });
  const accPanel = new Panel({
    x: W / 2,
    y: top,
    width: W / 2,
    height: H - top,
    title: 'accuracy per epoch',
    xLabel: 'epoch',
    yLabel: 'accuracy (%)',
    yDomain: [Math.min(50, Math.floor(Math.min(...r.epochs.map((s) => 100 * Math.min(s.trainAccuracy, s.testAccuracy))) / 10) * 10), 102],
    legend: 'bottom-right',
  });
  accPanel.line(ep, r.epochs.map((s) => 100 * s.trainAccuracy), { color: PALETTE[0], width: 2.4, label: 'training accuracy' });
  accPanel.line(ep, r.epochs.map((s) => 100 * s.testAccuracy), { color: PALETTE[1], width: 2.4, label: 'test accuracy' });
  return figure({ width: W, height: H, title, subtitle }, [lossPanel, accPanel]);
}
