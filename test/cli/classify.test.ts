// losskit classify: 95% test accuracy on Iris, LogSoftmax + NLLLoss training identically, the
// split, the JSON and text outputs and the picture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { classify, split } from '../../src/cli/classify.js';
import { iris } from '../../src/cli/data/iris.js';
import { capture, scratch } from './helpers.js';

test('classify --json (defaults): at least 95% test accuracy; LogSoftmax + NLLLoss trains identically', () => {
  const r = capture(classify, ['--json', '--out', scratch('cls')]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.final.testAccuracy >= 0.95, `test accuracy ${j.final.testAccuracy}`);
  assert.equal(j.data.train + j.data.test, 150);
  assert.equal(j.data.licence, 'CC BY 4.0');
  assert.equal(j.epochs.length, 60);
  assert.ok(j.epochs.at(-1).trainLoss < j.epochs[0].trainLoss / 5);
  assert.ok(j.epochs.every((e: { testAccuracy: number }) => e.testAccuracy >= 0 && e.testAccuracy <= 1));
  assert.equal(j.nll.identical, true);
  assert.ok(j.nll.maxParameterDifference <= 1e-9 && j.nll.maxLossDifference <= 1e-9);
  assert.deepEqual(j.final.confusion.flat().reduce((a: number, b: number) => a + b, 0), j.data.test);
  assert.match(j.model, /^Sequential\(\n {2}\(0\): Linear\(in_features=4, out_features=16, bias=True\)/);
  assert.ok(existsSync(j.files.svg));
  assert.match(readFileSync(j.files.svg, 'utf8'), /LogSoftmax \+ NLLLoss/);
});

test('classify with other settings: float32, full batch, SGD, dropout', () => {
  const r = capture(classify, ['--json', '--epochs', '8', '--batch-size', '0', '--optimizer', 'sgd', '--lr', '0.1', '--dtype', 'float32', '--dropout', '0.2', '--no-png', '--out', scratch('cls')]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.epochs.length, 8);
  assert.equal(j.config.dtype, 'float32');
  assert.equal(j.nll.identical, true, 'seeded dropout masks are the same in both models');
  assert.match(j.model, /Dropout\(p=0.2, inplace=False\)/);
});

test('classify text output: progress, per-epoch table, confusion matrix, data source', () => {
  const r = capture(classify, ['--epochs', '20', '--no-png', '--out', scratch('cls')]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^epoch 20\/20 {2}loss [\d.]+ {2}test loss [\d.]+ {2}train acc [\d.]+% {2}test acc [\d.]+%$/m);
  assert.match(r.out, /test accuracy [\d.]+% \(\d+\/30\); confusion/);
  assert.match(r.out, /\n {2}setosa {7}10 {3}0 {3}0\n/);
  assert.match(r.out, /LogSoftmax \+ NLLLoss from the same weights: trains identically/);
  assert.match(r.out, /data: Iris \(Fisher 1936\).*CC BY 4.0/);
  const bad = capture(classify, ['--optimizer', 'rmsprop']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--optimizer must be one of adam, adamw, sgd/);
});

test('the Iris data and the split: 150 rows, 50 per class, stratified, seeded, disjoint', () => {
  const { x, y } = iris();
  assert.equal(x.length, 150);
  assert.deepEqual([0, 1, 2].map((c) => y.filter((v) => v === c).length), [50, 50, 50]);
  assert.deepEqual(x[0], [5.1, 3.5, 1.4, 0.2]);
  assert.deepEqual(x[34], [4.9, 3.1, 1.5, 0.2], "Fisher's values (UCI's errata applied)");
  assert.deepEqual(x[37], [4.9, 3.6, 1.4, 0.1]);
  const s = split(y, 0.2, 0);
  assert.equal(s.test.length, 30);
  assert.deepEqual([0, 1, 2].map((c) => s.test.filter((i) => y[i] === c).length), [10, 10, 10]);
  assert.equal(new Set([...s.train, ...s.test]).size, 150);
  assert.deepEqual(split(y, 0.2, 0), s);
  assert.notDeepEqual(split(y, 0.2, 1).test, s.test);
});
