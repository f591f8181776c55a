// The scripts in examples/ run, on small inputs, and do what their README sections say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run as tfjsClassifier } from '../examples/tfjs-classifier.js';
import { run as onnxHead } from '../examples/onnx-head.js';
import { run as perplexity } from '../examples/perplexity.js';

const quiet = () => {};

test('examples/tfjs-classifier.ts: a tf.sequential trained with losskit cross entropy learns the clusters', async () => {
  const r = await tfjsClassifier({ samples: 60, steps: 30, log: quiet });
  assert.ok(r.lastLoss < r.firstLoss / 3, `${r.firstLoss} -> ${r.lastLoss}`);
  assert.ok(r.accuracy >= 0.95, `accuracy ${r.accuracy}`);
});

test('examples/onnx-head.ts: a head on ONNX features trains, the gradient goes back as an ort.Tensor', () => {
  const r = onnxHead({ samples: 32, steps: 20, log: quiet });
  assert.ok(r.lastLoss < r.firstLoss / 3, `${r.firstLoss} -> ${r.lastLoss}`);
  assert.deepEqual(r.featureGrad.dims, [32, 8]);
  assert.equal(r.featureGrad.type, 'float32');
});

test('examples/perplexity.ts: a bigram model needs no context, so the windows give the one-pass perplexity', async () => {
  const r = await perplexity({ length: 25, context: 8, stride: 3, log: quiet });
  assert.equal(r.windowed.tokens, 24);
  assert.ok(Math.abs(r.windowed.perplexity - r.whole) < 1e-4 * r.whole, `${r.windowed.perplexity} vs ${r.whole}`);
  assert.ok(r.whole > 1 && r.whole < 16);
});
