// `npm run bench:threshold`: where the second core starts to pay. Times value + gradient through
// the public API (float32 typed arrays, F.*, .backward(), reading .grad.data) with one thread and
// with every thread forced on, at each power of two from 2^10 to 2^21 elements, for MSE (memory
// bound), BCE with logits (exp and log per element) and cross entropy over 256 classes. A loss's
// crossover is the smallest size from which it is faster on all threads at that size and every
// larger one. Prints the table and writes it into bench/README.md (between the threshold markers)
// and bench/threshold.json; the thresholds in src/kernels/wasm.ts are set from it by hand.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { F, tensor, setBackend, setNumThreads } from '../src/index.js';
import { threadsReady } from '../src/kernels/index.js';
import { PARALLEL_THRESHOLD, PARALLEL_THRESHOLD_CHEAP, setParallelThreshold } from '../src/kernels/wasm.js';

const here = dirname(fileURLToPath(import.meta.url));
const C = 256;
const SIZES = Array.from({ length: 12 }, (_, i) => 2 ** (10 + i));

let seed = 99;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const floats = (n: number): Float32Array => Float32Array.from({ length: n }, () => rnd() * 4 - 2);

const LOSSES: Record<string, (n: number) => () => void> = {
  mse: (n) => {
    const xd = floats(n);
    const yd = floats(n);
    return () => {
      const x = tensor(xd, { shape: [n], requiresGrad: true });
      F.mseLoss(x, tensor(yd, { shape: [n] })).backward();
      void x.grad!.data[0];
    };
  },
  bceWithLogits: (n) => {
    const xd = floats(n);
    const yd = Float32Array.from(floats(n), Math.abs);
    return () => {
      const x = tensor(xd, { shape: [n], requiresGrad: true });
      F.binaryCrossEntropyWithLogits(x, tensor(yd, { shape: [n] })).backward();
      void x.grad!.data[0];
    };
  },
  crossEntropy: (n) => {
    const rows = n / C;
    const xd = floats(n);
    const td = BigInt64Array.from({ length: rows }, () => BigInt(Math.floor(rnd() * C)));
    return () => {
      const x = tensor(xd, { shape: [rows, C], requiresGrad: true });
      F.crossEntropy(x, tensor(td, { shape: [rows] })).backward();
      void x.grad!.data[0];
    };
  },
};

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

const oneThread = (): void => {
  setNumThreads(1);
  setParallelThreshold(null);
};
const allThreads = (): void => {
  setNumThreads('auto');
  setParallelThreshold(0);
};

/**
 * Median microseconds of `fn` on one thread and on all, timed in alternation (so that the machine's
 * drifts hit both alike) for about 0.6 s after a warm-up of as long.
 */
async function micros(fn: () => void): Promise<[number, number]> {
  const ts: [number[], number[]] = [[], []];
  for (const timed of [false, true]) {
    const until = performance.now() + 600;
    for (let i = 0; i < 30 || performance.now() < until; i++) {
      if (i % 8 === 0) await tick(); // let finalizers recycle result memory, as a training loop does
      const k = i & 1;
      (k ? allThreads : oneThread)();
      const t = performance.now();
      fn();
      if (timed) ts[k].push(performance.now() - t);
    }
  }
  oneThread();
  const med = (a: number[]): number => a.sort((p, q) => p - q)[a.length >> 1] * 1000;
  return [med(ts[0]), med(ts[1])];
}

async function main(): Promise<void> {
  setBackend('wasm');
  setNumThreads('auto');
  const threads = await threadsReady();
  if (threads < 2) {
    console.log('one thread only here (no shared memory or one core): nothing to measure');
    return;
  }
  const rows: Record<string, Record<number, [number, number]>> = {};
  for (const [name, make] of Object.entries(LOSSES)) {
    rows[name] = {};
    for (const n of SIZES) {
      rows[name][n] = await micros(make(n));
      process.stdout.write('.');
    }
  }
  // per loss, the smallest size from which it gains at that size and every larger one
  const crossover: Record<string, number> = {};
  for (const [name, r] of Object.entries(rows)) {
    crossover[name] = SIZES[SIZES.length - 1] * 2;
    for (let i = SIZES.length - 1; i >= 0 && r[SIZES[i]][1] < r[SIZES[i]][0]; i--) crossover[name] = SIZES[i];
  }
  const names = Object.keys(rows);
  const table = [
    `| elements | ${names.map((n) => `${n}: 1 thread, ${threads} threads (us)`).join(' | ')} |`,
    `|${' --- |'.repeat(names.length + 1)}`,
    ...SIZES.map((n) => `| 2^${Math.log2(n)} | ${names.map((k) => `${rows[k][n][0].toFixed(0)}, ${rows[k][n][1].toFixed(0)} (${(rows[k][n][0] / rows[k][n][1]).toFixed(2)}x)`).join(' | ')} |`),
  ].join('\n');
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  const pow = (n: number): string => `2^${Math.log2(n)}`;
  const verdict =
    `Two threads win from: ${Object.entries(crossover).map(([k, v]) => `${k} ${pow(v)}`).join(', ')}. ` +
    `Set in src/kernels/wasm.ts: ${pow(PARALLEL_THRESHOLD_CHEAP)} for the regression losses (PARALLEL_THRESHOLD_CHEAP), ${pow(PARALLEL_THRESHOLD)} for the others (PARALLEL_THRESHOLD).`;
  console.log(`\n\n${table}\n\n${verdict}`);
  writeFileSync(join(here, 'threshold.json'), JSON.stringify({ date: new Date().toISOString(), machine, threads, crossover, rows }, null, 2) + '\n');
  const readme = join(here, 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const [a, b] = ['<!-- threshold -->', '<!-- /threshold -->'];
    if (text.includes(a) && text.includes(b)) {
      const block = `${a}\nLatest run (${new Date().toISOString().slice(0, 10)}), ${machine}; value + gradient, median microseconds:\n\n${table}\n\n${verdict}\n${b}`;
      writeFileSync(readme, text.slice(0, text.indexOf(a)) + block + text.slice(text.indexOf(b) + b.length));
    }
  }
  process.exit(0);
}

void main();
