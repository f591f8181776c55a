import { tensor, F, setBackend, setNumThreads } from './src/index.ts';
import { threadsReady } from './src/kernels/index.ts';
const N = 1e7;
const xa = Float32Array.from({ length: N }, () => Math.random() * 4 - 2);
const ya = Float32Array.from({ length: N }, () => Math.random());
const L = Float32Array.from({ length: 4096 * 1000 }, () => Math.random() * 6 - 3);
const T = BigInt64Array.from({ length: 4096 }, () => BigInt((Math.random() * 1000) | 0));
async function med(fn: () => void, r = 11) { const ts: number[] = []; for (let i = 0; i < r + 3; i++) { await new Promise((res) => setImmediate(res)); const t = performance.now(); fn(); ts.push(performance.now() - t); } ts.splice(0, 3); ts.sort((a, b) => a - b); return ts[ts.length >> 1].toFixed(2); }
const mse = () => { const x = tensor(xa, { shape: [N], requiresGrad: true }); const l = F.mseLoss(x, tensor(ya, { shape: [N] })); l.backward(); return [l.item(), x.grad!.data[7]]; };
const bce = () => { const x = tensor(xa, { shape: [N], requiresGrad: true }); const l = F.binaryCrossEntropyWithLogits(x, tensor(ya, { shape: [N] })); l.backward(); return [l.item(), x.grad!.data[7]]; };
const ce = () => { const x = tensor(L, { shape: [4096, 1000], requiresGrad: true }); const l = F.crossEntropy(x, tensor(T, { shape: [4096] })); l.backward(); return [l.item(), x.grad!.data[7]]; };
await threadsReady();
for (const [name, f] of [['mse', mse], ['bce', bce], ['ce', ce]] as const) {
  setBackend('wasm'); setNumThreads('auto'); const a = f(); const ta = await med(f);
  setNumThreads(1); const b = f(); const tb = await med(f);
  setBackend('ts'); const c = f(); const tc = await med(f, 3);
  console.log(name, 'threads', ta, 'single', tb, 'ts', tc, a, b, c);
}
setBackend('auto'); setNumThreads('auto');
console.log(process.memoryUsage(), (await import('./src/kernels/memory.ts')).memoryStats());
