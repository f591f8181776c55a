// The built subpath exports (npm test builds dist/ first): 'losskit/tfjs' (and 'losskit/onnx')
// resolve through package.json "exports", in ESM and CJS, and share losskit's Tensor class with
// 'losskit' instead of bundling a second copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));
const built = existsSync(join(root, 'dist', 'bridges', 'tfjs.js'));

test('losskit/tfjs from dist: ESM and CJS, one Tensor class with losskit', { skip: built ? false : 'dist/ is not built (npm run build)' }, async () => {
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  const z = tf.tensor2d([[1, 2, 3], [0, 1, 0]]);
  const y = tf.tensor1d([2, 0], 'int32');
  // -log softmax([1,2,3])[2] and -log softmax([0,1,0])[0], averaged
  const want = (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3 + Math.log(2 + Math.exp(1))) / 2;
  const esm = await import(join(root, 'dist', 'bridges', 'tfjs.js'));
  const core = await import(join(root, 'dist', 'index.js'));
  const cjs = require('losskit/tfjs');
  const cjsCore = require('losskit');
  for (const [bridge, lk] of [[esm, core], [cjs, cjsCore]]) {
    const v = bridge.tfLoss(tf, lk.F.crossEntropy)(z, y);
    assert.ok(Math.abs(v.dataSync()[0] - want) < 1e-6);
    // a losskit Tensor argument passes through: same class
    const w = bridge.tfLoss(tf, lk.F.crossEntropy)(z, lk.tensor([2, 0], { dtype: 'int64' }));
    assert.ok(Math.abs(w.dataSync()[0] - want) < 1e-6);
    v.dispose();
    w.dispose();
  }
  z.dispose();
  y.dispose();
});

test('losskit/onnx from dist: ESM and CJS, over the same array', { skip: built ? false : 'dist/ is not built (npm run build)' }, async () => {
  const ort = require('onnxruntime-common');
  const data = new Float32Array([1, 2, 3, 4]);
  const esm = await import(join(root, 'dist', 'bridges', 'onnx.js'));
  const core = await import(join(root, 'dist', 'index.js'));
  for (const [bridge, lk] of [[esm, core], [require('losskit/onnx'), require('losskit')]]) {
    const t = bridge.fromOrt(new ort.Tensor('float32', data, [2, 2]));
    assert.ok(t instanceof lk.Tensor);
    assert.equal(t.data, data);
    assert.equal(bridge.toOrt(ort, t).data, data);
  }
});
