// A TensorFlow.js model trained with losskit's cross entropy: class-index (int32) labels, label
// smoothing, the gradient from losskit. Run: npx tsx examples/tfjs-classifier.ts
// In your project: import { F } from 'losskit'; import { tfLoss } from 'losskit/tfjs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { F } from '../src/index.js';
import { tfLoss } from '../src/bridges/tfjs.js';

const require = createRequire(import.meta.url);
// '@tensorflow/tfjs' or '@tensorflow/tfjs-node' work the same; here tfjs-core with the cpu backend
const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-core/dist/register_all_gradients');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers') as typeof import('@tensorflow/tfjs-layers');

export interface ClassifierResult {
  firstLoss: number;
  lastLoss: number;
  accuracy: number;
}

/** Three noisy clusters in 2-D, a small MLP, Adam on losskit's cross entropy. */
export async function run({ samples = 300, steps = 60, log = console.log } = {}): Promise<ClassifierResult> {
  await tf.setBackend('cpu');
  const centres = [[0, 2], [-2, -1], [2, -1]];
  const points: number[] = [];
  const classes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const k = i % 3;
    // deterministic noise, so the example prints the same every time
    points.push(centres[k][0] + Math.sin(i * 12.9898) * 0.8, centres[k][1] + Math.cos(i * 78.233) * 0.8);
    classes.push(k);
  }
  const xs = tf.tensor2d(points, [samples, 2]);
  const labels = tf.tensor1d(classes, 'int32'); // int32: the bridge hands losskit int64
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 16, inputShape: [2], activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const loss = tfLoss(tf, F.crossEntropy, { labelSmoothing: 0.05 });
  const optimizer = tf.train.adam(0.05);
  let firstLoss = NaN;
  let lastLoss = NaN;
  for (let step = 0; step < steps; step++) {
    const cost = optimizer.minimize(() => loss(model.apply(xs) as import('@tensorflow/tfjs-core').Tensor, labels) as never, true);
    lastLoss = cost!.dataSync()[0];
    cost!.dispose();
    if (step === 0) firstLoss = lastLoss;
    if (step % 20 === 0 || step === steps - 1) log(`step ${step}: loss ${lastLoss.toFixed(4)}`);
  }
  const predicted = tf.tidy(() => tf.argMax(model.predict(xs) as import('@tensorflow/tfjs-core').Tensor, 1).dataSync());
  const accuracy = classes.filter((k, i) => predicted[i] === k).length / samples;
  log(`accuracy ${(accuracy * 100).toFixed(1)}%`);
  model.dispose();
  optimizer.dispose();
  xs.dispose();
  labels.dispose();
  return { firstLoss, lastLoss, accuracy };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
