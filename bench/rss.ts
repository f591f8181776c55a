// The resident set of STEPS synchronous MSE 1e7 value + gradient steps in a fresh process, as a
// training loop runs them (no await anywhere): `node --import tsx bench/rss.ts 300` prints MB.
import { F, tensor } from '../src/index.js';

const N = 10_000_000;
const steps = Number(process.argv[2] ?? 300);
const x0 = Float32Array.from({ length: N }, (_, i) => Math.sin(i));
const y = Float32Array.from({ length: N }, (_, i) => Math.cos(i));
for (let s = 0; s < steps; s++) {
  const x = tensor(x0, { shape: [N], requiresGrad: true });
  F.mseLoss(x, tensor(y, { shape: [N] })).backward();
  void x.grad!.data[0];
}
console.log(process.resourceUsage().maxRSS / 1024);
