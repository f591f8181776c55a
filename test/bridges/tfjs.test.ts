// losskit/tfjs on the cpu and wasm backends: models trained through the bridge end with the same
// weights as with tfjs's own losses; where tfjs has no loss (CTC, NLL, triplet), tf.grad through
// the bridge equals losskit's own gradient; model.fit with tfCompileLoss; dy reaches losskit's
// backward; no tensor leaks; the asynchronous path trains as the synchronous one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { F, grad, tensor, Tensor } from '../../src/index.js';
import { tfLoss, tfCompileLoss, tfLossAsync } from '../../src/bridges/tfjs.js';
import { closeArrays } from '../helpers/index.js';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-core/dist/register_all_gradients');
require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(p: string): void };
wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'))}/`);
const tfl = require('@tensorflow/tfjs-layers') as typeof import('@tensorflow/tfjs-layers');

type TfT = import('@tensorflow/tfjs-core').Tensor;

// a fixed problem: 8 samples, 4 features, 3 outputs
const N = 8;
const X = Array.from({ length: N * 4 }, (_, i) => Math.sin(i * 1.7) * 2);
const W0 = Array.from({ length: 12 }, (_, i) => Math.cos(i * 0.9) * 0.5);
const LABELS = [0, 2, 1, 1, 0, 2, 2, 1];
const TARGETS = Array.from({ length: N * 3 }, (_, i) => Math.cos(i * 0.4));
const BITS = Array.from({ length: N * 3 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);

const data = (t: TfT) => Array.from(t.dataSync());

/** SGD on logits = x W + b with `lossOf`; returns the final weights. */
function train(lossOf: (logits: TfT) => TfT, steps = 15): number[] {
  const x = tf.tensor2d(X, [N, 4]);
  const W = tf.variable(tf.tensor2d(W0, [4, 3]));
  const b = tf.variable(tf.zeros([3]));
  const opt = tf.train.sgd(0.3);
  for (let s = 0; s < steps; s++) opt.minimize(() => lossOf(tf.add(tf.matMul(x, W), b)) as never);
  const out = [...data(W), ...data(b)];
  for (const t of [x, W, b]) t.dispose();
  opt.dispose();
  return out;
}

/** losskit's own gradient of `fn(...args)` for the float32 arguments at `at`. */
function losskitGrad(fn: (...a: Tensor[]) => Tensor, args: Tensor[], at: number[]): number[][] {
  const leaves = args.map((a, i) => (at.includes(i) ? tensor(a.data as Float32Array, { shape: [...a.shape], requiresGrad: true }) : a));
  const gs = grad([fn(...leaves)], at.map((i) => leaves[i]));
  return gs.map((g) => Array.from(g!.data as Float32Array));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`losskit/tfjs on tfjs-${backend}`, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend));
      await tf.ready();
    });
    after(() => tf.disposeVariables());

    test('cross entropy with int32 labels trains to the weights of one-hot softmaxCrossEntropy', () => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const oneHot = tf.oneHot(labels, 3);
      const ours = train((z) => tfLoss(tf, F.crossEntropy)(z, labels));
      const theirs = train((z) => tf.losses.softmaxCrossEntropy(oneHot, z));
      closeArrays(ours, theirs, 1e-5, 1e-6);
      assert.ok(Math.abs(ours[0] - W0[0]) > 1e-2, 'the weights moved');
      labels.dispose();
      oneHot.dispose();
    });

    test('MSE and BCE with logits train to the weights of tfjs meanSquaredError and sigmoidCrossEntropy', () => {
      const y = tf.tensor2d(TARGETS, [N, 3]);
      closeArrays(train((z) => tfLoss(tf, F.mseLoss)(z, y)), train((z) => tf.losses.meanSquaredError(y, z)), 1e-5, 1e-6);
      const bits = tf.tensor2d(BITS, [N, 3]);
      closeArrays(
        train((z) => tfLoss(tf, F.binaryCrossEntropyWithLogits, { differentiable: [0] })(z, bits)),
        train((z) => tf.losses.sigmoidCrossEntropy(bits, z)),
        1e-5,
        1e-6,
      );
      y.dispose();
      bits.dispose();
    });

    test('CTC, NLL and triplet (no tfjs loss): tf.grad through the bridge equals losskit’s gradient', () => {
      const T = 6;
      const raw = Array.from({ length: T * 2 * 4 }, (_, i) => Math.sin(i * 0.77));
      const targets = [[1, 2, 2], [3, 1, 0]];
      const ctc = tfLoss(tf, F.ctcLoss);
      const x = tf.tensor3d(raw, [T, 2, 4]);
      const tgt = tf.tensor2d(targets, [2, 3], 'int32');
      const g = tf.grad((z: TfT) => ctc(tf.logSoftmax(z, 2), tgt, [6, 5], [3, 2]) as never)(x);
      const want = losskitGrad((z) => F.ctcLoss(F.logSoftmax(z, 2), tensor(targets, { dtype: 'int64' }), [6, 5], [3, 2]), [tensor(new Float32Array(raw), { shape: [T, 2, 4] })], [0]);
      closeArrays(data(g), want[0], 1e-5, 1e-6);

      const logits = tf.tensor2d(X.slice(0, 24), [N, 3]);
      const labels = tf.tensor1d(LABELS, 'int32');
      const gn = tf.grad((z: TfT) => tfLoss(tf, F.nllLoss, { reduction: 'sum' })(tf.logSoftmax(z, 1), labels) as never)(logits);
      const wantN = losskitGrad((z) => F.nllLoss(F.logSoftmax(z, 1), tensor(LABELS, { dtype: 'int64' }), { reduction: 'sum' }), [tensor(new Float32Array(X.slice(0, 24)), { shape: [N, 3] })], [0]);
      closeArrays(data(gn), wantN[0], 1e-5, 1e-6);

      const [a, p, n] = [0, 1, 2].map((k) => Array.from({ length: 12 }, (_, i) => Math.cos(i * (k + 1.3))));
      const triplet = tfLoss(tf, F.tripletMarginLoss, { margin: 0.5 });
      const ta = [a, p, n].map((v) => tf.tensor2d(v, [3, 4]));
      const gs = tf.grads((u: TfT, v: TfT, w: TfT) => triplet(u, v, w) as never)(ta);
      const wantT = losskitGrad((u, v, w) => F.tripletMarginLoss(u, v, w, { margin: 0.5 }), [a, p, n].map((v) => tensor(new Float32Array(v), { shape: [3, 4] })), [0, 1, 2]);
      gs.forEach((gk, k) => closeArrays(data(gk), wantT[k], 1e-5, 1e-6));
      for (const t of [x, tgt, g, logits, labels, gn, ...ta, ...gs]) t.dispose();
    });

    test('dy goes to losskit as gradOutput: tf.grad of 3 * loss is 3 times the gradient, and a weighted "none"', () => {
      const z = tf.tensor2d(X.slice(0, 24), [N, 3]);
      const labels = tf.tensor1d(LABELS, 'int32');
      const g1 = tf.grad((u: TfT) => tfLoss(tf, F.crossEntropy)(u, labels) as never)(z);
      const g3 = tf.grad((u: TfT) => tf.mul(3, tfLoss(tf, F.crossEntropy)(u, labels)) as never)(z);
      const want = losskitGrad((u) => F.crossEntropy(u, tensor(LABELS, { dtype: 'int64' })), [tensor(new Float32Array(X.slice(0, 24)), { shape: [N, 3] })], [0])[0];
      closeArrays(data(g1), want, 1e-6, 1e-7);
      closeArrays(data(g3), want.map((v) => 3 * v), 1e-6, 1e-7);
      const w = tf.tensor1d(LABELS.map((_, i) => i - 2.5));
      const gw = tf.grad((u: TfT) => tf.sum(tf.mul(w, tfLoss(tf, F.crossEntropy, { reduction: 'none' })(u, labels))) as never)(z);
      const lz = tensor(new Float32Array(X.slice(0, 24)), { shape: [N, 3], requiresGrad: true });
      const [wantW] = grad([F.crossEntropy(lz, tensor(LABELS, { dtype: 'int64' }), { reduction: 'none' })], [lz], { gradOutputs: [tensor(data(w))] });
      closeArrays(data(gw), Array.from(wantW!.data as Float32Array), 1e-6, 1e-7);
      for (const t of [z, labels, g1, g3, w, gw]) t.dispose();
    });

    test('no tensor leaks across training steps, value-only calls outside a tape', () => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const ce = tfLoss(tf, F.crossEntropy);
      const W = tf.variable(tf.tensor2d(W0, [4, 3]));
      const x = tf.tensor2d(X, [N, 4]);
      const opt = tf.train.adam(0.1);
      const step = () => {
        opt.minimize(() => ce(tf.matMul(x, W), labels) as never);
        tf.tidy(() => {
          ce(tf.matMul(x, W), labels);
        });
      };
      step();
      const before = tf.memory().numTensors;
      for (let s = 0; s < 5; s++) step();
      assert.equal(tf.memory().numTensors, before);
      const v = ce(tf.tensor2d(X.slice(0, 24), [N, 3]), labels); // no tape: the value alone
      assert.deepEqual(v.shape, []);
      for (const t of [labels, W, x, v]) t.dispose();
      opt.dispose();
    });

    test('model.fit with tfCompileLoss trains as tfjs’s own softmax cross entropy', async () => {
      const fit = async (loss: (yTrue: TfT, yPred: TfT) => TfT) => {
        const init = [tf.tensor2d(W0, [4, 3]), tf.zeros([3])];
        const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4], weights: init })] });
        const optimizer = tf.train.sgd(0.3);
        model.compile({ optimizer, loss });
        const xs = tf.tensor2d(X, [N, 4]);
        const ys = tf.tensor2d(LABELS.flatMap((k) => [0, 1, 2].map((c) => (c === k ? 1 : 0))), [N, 3]); // fit wants targets shaped like the outputs
        await model.fit(xs, ys, { epochs: 6, batchSize: 4, shuffle: false, verbose: 0 });
        const w = model.getWeights().flatMap((t) => data(t));
        model.dispose();
        optimizer.dispose();
        for (const t of [xs, ys, ...init]) t.dispose();
        return w;
      };
      const start = tf.memory().numTensors;
      const ours = await fit(tfCompileLoss(tf, F.crossEntropy));
      assert.equal(tf.memory().numTensors, start);
      const theirs = await fit((yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred));
      closeArrays(ours, theirs, 1e-5, 1e-6);
      // called directly with a float (N, 1) column of labels (as model.evaluate-style code has them), class indices
      const z = tf.tensor2d(X.slice(0, 24), [N, 3]);
      const column = tf.tensor2d(LABELS, [N, 1]);
      const labels = tf.tensor1d(LABELS, 'int32');
      const [a, b] = [tfCompileLoss(tf, F.crossEntropy)(column, z), tfLoss(tf, F.crossEntropy)(z, labels)];
      closeArrays(data(a), data(b), 0, 0);
      for (const t of [z, column, labels, a, b]) t.dispose();
    });

    test('the asynchronous path (await data(), replayed under the tape) trains as the synchronous one', async () => {
      const labels = tf.tensor1d(LABELS, 'int32');
      const sync = train((z) => tfLoss(tf, F.crossEntropy, { labelSmoothing: 0.1 })(z, labels), 8);
      const lossAsync = tfLossAsync(tf, F.crossEntropy, { labelSmoothing: 0.1 });
      const x = tf.tensor2d(X, [N, 4]);
      const W = tf.variable(tf.tensor2d(W0, [4, 3]));
      const b = tf.variable(tf.zeros([3]));
      const opt = tf.train.sgd(0.3);
      const forward = () => tf.add(tf.matMul(x, W), b);
      let before = 0;
      for (let s = 0; s < 8; s++) {
        if (s === 1) before = tf.memory().numTensors;
        const outputs = tf.tidy(forward);
        const prepared = await lossAsync(outputs, labels);
        outputs.dispose();
        assert.ok(Number.isFinite(prepared.number));
        opt.minimize(() => prepared.apply(forward(), labels) as never);
        prepared.dispose();
      }
      assert.equal(tf.memory().numTensors, before);
      closeArrays([...data(W), ...data(b)], sync, 1e-5, 1e-6);
      for (const t of [labels, x, W, b]) t.dispose();
      opt.dispose();
    });
  });
}
