// An ONNX Runtime model's output scored with a losskit loss and its gradient taken: the session's
// features (here made up, shaped as a session returns them) feed a classification head trained in
// losskit, and the gradient with respect to the ONNX output goes back as an ort.Tensor.
// Run: npx tsx examples/onnx-head.ts
// In your project: import { F, nn, optim } from 'losskit'; import { fromOrt, toOrt } from 'losskit/onnx';
import * as ort from 'onnxruntime-common'; // onnxruntime-web and onnxruntime-node export the same Tensor
import { pathToFileURL } from 'node:url';
import { F, nn, optim, tensor } from '../src/index.js';
import { fromOrt, toOrt } from '../src/bridges/onnx.js';

/** What `await session.run(feeds)` would give for a frozen encoder: (N, D) float32 features. */
function sessionOutput(n: number, d: number): { features: ort.Tensor; labels: BigInt64Array } {
  const data = new Float32Array(n * d);
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    labels[i] = BigInt(k);
    for (let j = 0; j < d; j++) data[i * d + j] = Math.sin(i * 3.1 + j * 1.7) * 0.5 + (j % 4 === k ? 1 : 0);
  }
  return { features: new ort.Tensor('float32', data, [n, d]), labels };
}

export interface HeadResult {
  firstLoss: number;
  lastLoss: number;
  /** The gradient of the loss with respect to the ONNX output, as an ort.Tensor. */
  featureGrad: ort.Tensor;
}

export function run({ samples = 64, dims = 8, steps = 40, log = console.log } = {}): HeadResult {
  const { features, labels } = sessionOutput(samples, dims);
  const x = fromOrt(features, { requiresGrad: true }); // the session's Float32Array itself, no copy
  const y = tensor(labels, { dtype: 'int64' });
  const head = new nn.Linear(dims, 4, { seed: 0 });
  const opt = new optim.SGD(head.parameters(), { lr: 0.5 });
  let firstLoss = NaN;
  let lastLoss = NaN;
  for (let step = 0; step < steps; step++) {
    opt.zeroGrad();
    x.grad = null;
    const loss = F.crossEntropy(head.forward(x), y);
    loss.backward();
    opt.step();
    lastLoss = loss.item();
    if (step === 0) firstLoss = lastLoss;
    if (step % 10 === 0 || step === steps - 1) log(`step ${step}: cross entropy ${lastLoss.toFixed(4)}`);
  }
  const featureGrad = toOrt(ort, x.grad!); // e.g. to feed an ONNX backward graph, or saliency
  log(`gradient w.r.t. the ONNX output: ${featureGrad.type} [${featureGrad.dims.join(', ')}]`);
  return { firstLoss, lastLoss, featureGrad };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) run();
