// `npm run bench`: value + gradient of the big loss cases, side by side in one run:
// losskit (WebAssembly SIMD on all cores, SIMD on one thread, plain TypeScript), PyTorch CPU
// (Debian's python3-torch, 1 and 2 threads; skipped with a note when absent) and TensorFlow.js
// (cpu and wasm backends). Timed as a user calls losskit: tensor(typedArray, {shape, requiresGrad}),
// F.*, .backward(), reading .grad.data; median of repeated runs after warm-up in a plain
// synchronous loop (no await between calls, as a training loop is written), and beside it the same
// loop yielding to the event loop between calls. Writes bench/results.json, bench/results.svg and
// the table into bench/README.md.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { F, tensor, noGrad, matmul, nn, optim, setBackend, setNumThreads, type Tensor } from '../src/index.js';
import { threadsReady } from '../src/kernels/index.js';
import { memoryStats } from '../src/kernels/memory.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
// development runs: `--only=ce_4096x1000,mse_1e7` times only those cases and `--skip=tfjs,pytorch`
// leaves those out; a partial run prints its table but does not overwrite the recorded results.
// WARMUP=n overrides the warm-up count, BENCH_DEBUG=1 prints every timed run
const listArg = (name: string): string[] => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3).split(',') ?? [];
const only = listArg('only');
const skip = listArg('skip');
const partial = only.length > 0 || skip.length > 0;
const REPS = quick ? 3 : 15;
/** tfjs wasm takes 0.1-0.2 s a run and its cpu backend 2-7 s: fewer repetitions for those. */
const TFJS_REPS = quick ? 3 : 9;
/** Rounds of losskit and PyTorch, in turn (tfjs, 10-100x slower, runs once). */
const ROUNDS = quick ? 1 : Number(process.env.ROUNDS ?? 5);
// warm-up runs before timing (PyTorch gets as many): the first calls grow WebAssembly memory and
// fault its pages in, and JIT-compile; results are recycled through the garbage collector, so the
// pool of result blocks takes a few collections to reach the size a training loop settles at
const WARMUP = Number(process.env.WARMUP ?? (quick ? 5 : 20));

// ---- deterministic data ------------------------------------------------------------------------
let seed = 12345;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const normal = (n: number, s = 1): Float32Array => Float32Array.from({ length: n }, () => (rnd() + rnd() + rnd() - 1.5) * 2 * s);
const uniform = (n: number): Float32Array => Float32Array.from({ length: n }, rnd);
const classes = (n: number, c: number): BigInt64Array => BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * c)));
function logSoftmaxRows(a: Float32Array, c: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < a.length / c; r++) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, a[r * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(a[r * c + j] - m);
    const l = Math.log(s) + m;
    for (let j = 0; j < c; j++) out[r * c + j] = a[r * c + j] - l;
  }
  return out;
}

interface Case {
  id: string;
  label: string;
  losskit: () => unknown; // value + gradient (reading .grad.data), or the value alone
  /** The typed arrays the losskit call reads (for the memory report). */
  inputs: ArrayBufferView[];
  tfjs: ((tf: any) => () => void) | null;
}

const N = 10_000_000;
const mseX = normal(N);
const mseY = normal(N);
const bceY = uniform(N);
const bceP = Float32Array.from(uniform(N), (v) => 0.01 + 0.98 * v);
const ce1 = normal(4096 * 1000);
const ce1t = classes(4096, 1000);
const ce2 = normal(256 * 32000);
const ce2t = classes(256, 32000);
const klX = logSoftmaxRows(normal(4096 * 1000), 1000);
const klY = Float32Array.from(logSoftmaxRows(normal(4096 * 1000), 1000), Math.exp);
const ce64 = Float64Array.from(normal(1024 * 1000));
const ce64t = classes(1024, 1000);
const T = 200;
const NB = 16;
const C = 40;
const S = 30;
const ctcLp = logSoftmaxRows(normal(T * NB * C), C);
const ctcTargets = BigInt64Array.from({ length: NB * S }, () => BigInt(1 + Math.floor(rnd() * (C - 1))));

const mmA = normal(1024 * 784);
const mmB = normal(784 * 256);
const mlpX = uniform(1024 * 784);
const mlpT = classes(1024, 10);

/**
 * One SGD step (momentum 0.9) of a 784-256-10 MLP (Linear, ReLU, Linear, cross entropy) on a batch of
 * `batch` MNIST-sized rows: forward, backward, step, the loss read.
 */
function mlpCase(batch: number): Case {
  const x = mlpX.subarray(0, batch * 784);
  const t = mlpT.subarray(0, batch);
  const model = new nn.Sequential(new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(), new nn.Linear(256, 10, { seed: 2 }));
  const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  return {
    id: `mlp_step_${batch}`,
    label: `MLP 784-256-10 SGD step, batch ${batch}`,
    inputs: [x, t],
    losskit: () => {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(tensor(x, { shape: [batch, 784] })), tensor(t, { shape: [batch] }));
      loss.backward();
      opt.step();
      return loss.item();
    },
    tfjs: null, // compared with PyTorch only
  };
}

function leaf(data: Float32Array | Float64Array, shape: number[]): Tensor {
  return tensor(data, { shape, requiresGrad: true });
}
function finish(x: Tensor, loss: Tensor): Tensor {
  loss.backward();
  void x.grad!.data[0]; // read the gradient, as a user does
  return x;
}

const allCases: Case[] = [
  {
    id: 'mse_1e7',
    label: 'MSE, 1e7 float32',
    inputs: [mseX, mseY],
    losskit: () => {
      const x = leaf(mseX, [N]);
      return finish(x, F.mseLoss(x, tensor(mseY, { shape: [N] })));
    },
    tfjs: (tf) => {
      const x = tf.tensor1d(mseX);
      const y = tf.tensor1d(mseY);
      const f = tf.valueAndGrad((a: any) => tf.losses.meanSquaredError(y, a));
      return () => tfjsRun(tf, () => f(x).grad);
    },
  },
  {
    id: 'mse_1e7_value',
    label: 'MSE, 1e7 float32, value only (noGrad)',
    inputs: [mseX, mseY],
    losskit: () => noGrad(() => F.mseLoss(tensor(mseX, { shape: [N] }), tensor(mseY, { shape: [N] })).item()),
    tfjs: (tf) => {
      const x = tf.tensor1d(mseX);
      const y = tf.tensor1d(mseY);
      return () => tfjsRun(tf, () => tf.losses.meanSquaredError(y, x));
    },
  },
  {
    id: 'bce_1e7',
    label: 'BCE, 1e7 float32',
    inputs: [bceP, bceY],
    losskit: () => {
      const x = leaf(bceP, [N]);
      return finish(x, F.binaryCrossEntropy(x, tensor(bceY, { shape: [N] })));
    },
    tfjs: (tf) => {
      const x = tf.tensor1d(bceP);
      const y = tf.tensor1d(bceY);
      const f = tf.valueAndGrad((a: any) => tf.losses.logLoss(y, a, undefined, 1e-12));
      return () => tfjsRun(tf, () => f(x).grad);
    },
  },
  {
    id: 'bce_logits_1e7',
    label: 'BCE with logits, 1e7 float32',
    inputs: [mseX, bceY],
    losskit: () => {
      const x = leaf(mseX, [N]);
      return finish(x, F.binaryCrossEntropyWithLogits(x, tensor(bceY, { shape: [N] })));
    },
    tfjs: (tf) => {
      const x = tf.tensor1d(mseX);
      const y = tf.tensor1d(bceY);
      const f = tf.valueAndGrad((a: any) => tf.losses.sigmoidCrossEntropy(y, a));
      return () => tfjsRun(tf, () => f(x).grad);
    },
  },
  {
    id: 'ce_4096x1000',
    label: 'cross entropy [4096, 1000]',
    inputs: [ce1, ce1t],
    losskit: () => {
      const x = leaf(ce1, [4096, 1000]);
      return finish(x, F.crossEntropy(x, tensor(ce1t, { shape: [4096] })));
    },
    tfjs: (tf) => tfjsCe(tf, ce1, ce1t, 4096, 1000, 0),
  },
  {
    id: 'ce_256x32000',
    label: 'cross entropy [256, 32000]',
    inputs: [ce2, ce2t],
    losskit: () => {
      const x = leaf(ce2, [256, 32000]);
      return finish(x, F.crossEntropy(x, tensor(ce2t, { shape: [256] })));
    },
    tfjs: (tf) => tfjsCe(tf, ce2, ce2t, 256, 32000, 0),
  },
  {
    id: 'ce_256x32000_value',
    label: 'cross entropy [256, 32000], value only (noGrad)',
    inputs: [ce2, ce2t],
    losskit: () => noGrad(() => F.crossEntropy(tensor(ce2, { shape: [256, 32000] }), tensor(ce2t, { shape: [256] })).item()),
    tfjs: (tf) => {
      const x = tf.tensor2d(ce2, [256, 32000]);
      const labels = tf.oneHot(tf.tensor1d(Int32Array.from(ce2t, Number), 'int32'), 32000);
      return () => tfjsRun(tf, () => tf.losses.softmaxCrossEntropy(labels, x));
    },
  },
  {
    id: 'ce_ls_4096x1000',
    label: 'cross entropy [4096, 1000], label smoothing 0.1',
    inputs: [ce1, ce1t],
    losskit: () => {
      const x = leaf(ce1, [4096, 1000]);
      return finish(x, F.crossEntropy(x, tensor(ce1t, { shape: [4096] }), { labelSmoothing: 0.1 }));
    },
    tfjs: (tf) => tfjsCe(tf, ce1, ce1t, 4096, 1000, 0.1),
  },
  {
    id: 'kl_4096x1000',
    label: "KL divergence [4096, 1000], 'batchmean'",
    inputs: [klX, klY],
    losskit: () => {
      const x = leaf(klX, [4096, 1000]);
      return finish(x, F.klDiv(x, tensor(klY, { shape: [4096, 1000] }), { reduction: 'batchmean' }));
    },
    tfjs: (tf) => {
      const x = tf.tensor2d(klX, [4096, 1000]);
      const y = tf.tensor2d(klY, [4096, 1000]);
      const f = tf.valueAndGrad((a: any) => tf.div(tf.sum(tf.mul(y, tf.sub(tf.log(y), a))), 4096));
      return () => tfjsRun(tf, () => f(x).grad);
    },
  },
  {
    id: 'ctc_T200_N16_C40_S30',
    label: 'CTC, T=200 N=16 C=40 S=30',
    inputs: [ctcLp, ctcTargets],
    losskit: () => {
      const x = leaf(ctcLp, [T, NB, C]);
      const il = new Array(NB).fill(T);
      const tl = new Array(NB).fill(S);
      return finish(x, F.ctcLoss(x, tensor(ctcTargets, { shape: [NB, S] }), il, tl));
    },
    tfjs: null, // TensorFlow.js has no CTC loss
  },
  {
    id: 'ce_f64_1024x1000',
    label: 'cross entropy [1024, 1000] float64',
    inputs: [ce64, ce64t],
    losskit: () => {
      const x = leaf(ce64, [1024, 1000]);
      return finish(x, F.crossEntropy(x, tensor(ce64t, { shape: [1024] })));
    },
    tfjs: null, // TensorFlow.js has no float64
  },
  {
    id: 'matmul_1024x784x256',
    label: 'matmul [1024, 784] x [784, 256] float32',
    inputs: [mmA, mmB],
    losskit: () => void matmul(tensor(mmA, { shape: [1024, 784] }), tensor(mmB, { shape: [784, 256] })).data[0],
    tfjs: (tf) => {
      const a = tf.tensor2d(mmA, [1024, 784]);
      const b = tf.tensor2d(mmB, [784, 256]);
      return () => tfjsRun(tf, () => tf.matMul(a, b));
    },
  },
  mlpCase(128),
  mlpCase(1024),
];
const cases = allCases.filter((c) => only.length === 0 || only.includes(c.id));

/**
 * One tfjs value + gradient, reading the gradient as a user does. The callback returns nothing to
 * tf.tidy on purpose: tidy walks whatever it is given back looking for tensors, element by element
 * for a typed array (13 s for 1e7 floats), which is not the library's speed.
 */
function tfjsRun(tf: any, grad: () => any): void {
  tf.tidy(() => {
    grad().dataSync();
  });
}

function tfjsCe(tf: any, data: Float32Array, t: BigInt64Array, n: number, c: number, eps: number): () => void {
  const x = tf.tensor2d(data, [n, c]);
  const labels = tf.tensor1d(Int32Array.from(t, Number), 'int32');
  const f = tf.valueAndGrad((a: any) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, c), a, undefined, eps));
  return () => tfjsRun(tf, () => f(x).grad);
}

// ---- timing ------------------------------------------------------------------------------------
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Between configurations: collect the previous one's garbage (`npm run bench` passes --expose-gc). */
async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await tick();
  await tick();
}

function sorted(ts: number[]): number {
  ts.sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG) console.log(ts.map((v) => v.toFixed(1)).join(' ')); // every timed run, sorted
  return ts[ts.length >> 1];
}

/** The main protocol: warm-up and timed calls one after the other, never yielding in between. */
function median(fn: () => void, reps: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return sorted(ts);
}

/** Beside it: the same loop yielding to the event loop before every call. */
async function medianYielding(fn: () => void, reps: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    fn();
    await tick();
  }
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    await tick();
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return sorted(ts);
}

type Row = Record<string, number | null>;
const results: Record<string, Row> = {};
const memory: Record<string, { inputsMB: number; scratchPerCallMB: number; resultsPerCallMB: number; wasmMB: number; rssMB: number }> = {};
const notes: string[] = [];
const COLS = ['losskit simd+threads', 'losskit simd 1 thread', 'losskit ts', 'losskit yielding', 'pytorch 2 threads', 'pytorch 1 thread', 'tfjs wasm', 'tfjs cpu'] as const;

async function benchLosskit(todo: Case[]): Promise<void> {
  await threadsReady();
  const configs: [string, () => void, number][] = [
    ['losskit simd+threads', () => { setBackend('wasm'); setNumThreads('auto'); }, REPS],
    ['losskit simd 1 thread', () => { setBackend('wasm'); setNumThreads(1); }, REPS],
    ['losskit ts', () => { setBackend('ts'); setNumThreads(1); }, quick ? 1 : 3],
    ['losskit yielding', () => { setBackend('wasm'); setNumThreads('auto'); }, REPS],
  ];
  for (const c of todo) {
    results[c.id] ??= {};
    for (const [name, setup, reps] of configs) {
      setup();
      await settle();
      const first = name === 'losskit simd+threads';
      let calls = 0;
      let peakRss = 0;
      const m0 = memoryStats();
      const call = (): void => {
        c.losskit();
        calls++;
        if (first) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      };
      const warm = name === 'losskit ts' ? 1 : WARMUP;
      results[c.id][name] = name === 'losskit yielding' ? await medianYielding(call, reps, warm) : median(call, reps, warm);
      if (first) {
        const m1 = memoryStats();
        const MB = 2 ** 20;
        memory[c.id] = {
          inputsMB: c.inputs.reduce((a, v) => a + v.byteLength, 0) / MB,
          scratchPerCallMB: (m1.scratchBytes - m0.scratchBytes) / calls / MB,
          resultsPerCallMB: (m1.resultBytes - m0.resultBytes) / calls / MB,
          wasmMB: m1.wasmBytes / MB,
          rssMB: peakRss / MB,
        };
      }
      process.stdout.write('.');
    }
  }
  setBackend('auto');
  setNumThreads('auto');
}

let torchProbe: SpawnSyncReturns<string> | null | undefined;

function benchTorch(todo: Case[], first: boolean): void {
  const py = '/usr/bin/python3';
  torchProbe ??= existsSync(py) ? spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }) : null;
  const probe = torchProbe;
  if (!probe || probe.status !== 0) {
    if (first) notes.push('PyTorch skipped: /usr/bin/python3 with python3-torch is not installed (apt-get install python3-torch).');
    return;
  }
  if (first) notes.push(`PyTorch ${probe.stdout.trim()} (Debian python3-torch), CPU.`);
  for (const th of [2, 1]) {
    const r = spawnSync(py, [join(here, 'torch_bench.py'), String(th), String(REPS), String(WARMUP), todo.map((c) => c.id).join(',')], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) {
      notes.push(`PyTorch with ${th} threads failed: ${r.stderr.trim().split('\n').pop()}`);
      continue;
    }
    const times = JSON.parse(r.stdout) as Record<string, number>;
    for (const [id, ms] of Object.entries(times)) if (results[id]) results[id][`pytorch ${th === 1 ? '1 thread' : '2 threads'}`] = ms;
    process.stdout.write('.');
  }
}

async function benchTfjs(): Promise<void> {
  const require = createRequire(import.meta.url);
  let tf: any;
  try {
    tf = require('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-core/dist/register_all_gradients');
    require('@tensorflow/tfjs-backend-cpu');
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    wasm.setWasmPaths(`${dir}/`);
  } catch (e) {
    notes.push(`TensorFlow.js skipped: ${(e as Error).message}`);
    return;
  }
  const version = tf.version_core;
  for (const backend of ['wasm', 'cpu']) {
    if (!(await tf.setBackend(backend))) {
      notes.push(`TensorFlow.js ${backend} backend failed to start.`);
      continue;
    }
    await tf.ready();
    for (const c of cases) {
      if (!c.tfjs) continue;
      const run = c.tfjs(tf);
      const slow = backend === 'cpu';
      results[c.id][`tfjs ${backend}`] = median(run, slow ? (quick ? 1 : 3) : TFJS_REPS, 1);
      process.stdout.write('.');
    }
    tf.disposeVariables();
  }
  notes.push(`TensorFlow.js ${version} (tfjs-core with tfjs-backend-cpu and tfjs-backend-wasm, SIMD, single-threaded in Node).`);
}

// ---- resident memory over a training run --------------------------------------------------------
const RSS_STEPS = quick ? 30 : 300;
/** Peak RSS (MB) of RSS_STEPS synchronous MSE 1e7 steps, each side in a fresh process. */
function benchRss(): Record<string, number | null> {
  const out: Record<string, number | null> = { losskit: null, 'pytorch 2 threads': null, 'pytorch 1 thread': null };
  const mb = (r: SpawnSyncReturns<string>): number | null => (r.status === 0 ? Number(r.stdout.trim().split('\n').pop()) : null);
  out.losskit = mb(spawnSync(process.execPath, ['--import', 'tsx', join(here, 'rss.ts'), String(RSS_STEPS)], { encoding: 'utf8' }));
  if (torchProbe?.status === 0) {
    for (const th of [2, 1]) out[`pytorch ${th === 1 ? '1 thread' : '2 threads'}`] = mb(spawnSync('/usr/bin/python3', [join(here, 'torch_bench.py'), 'rss', String(th), String(RSS_STEPS)], { encoding: 'utf8' }));
  }
  return out;
}

function rssLine(r: Record<string, number | null>): string {
  const v = Object.entries(r).map(([k, x]) => `${k} ${x === null ? 'n/a' : x.toFixed(0) + ' MB'}`);
  return `Peak resident memory over ${RSS_STEPS} synchronous steps of MSE 1e7 (value + gradient, a fresh process each): ${v.join(', ')}.`;
}

// ---- report ------------------------------------------------------------------------------------
const fmt = (v: number | null | undefined): string => (v == null ? 'n/a' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

/** The best synchronous losskit time (the yielding loop is reported, never counted). */
const bestOf = (r: Row): number => Math.min(r['losskit simd+threads'] ?? Infinity, r['losskit simd 1 thread'] ?? Infinity);
/** The faster of PyTorch's 1 and 2 threads. */
const torchOf = (r: Row): number | null => {
  const t = Math.min(r['pytorch 2 threads'] ?? Infinity, r['pytorch 1 thread'] ?? Infinity);
  return Number.isFinite(t) ? t : null;
};

/** Each round's best losskit time over its best PyTorch time, for case id. */
function roundRatios(id: string): number[] {
  return rounds.filter((x) => x[id] && torchOf(x[id])).map((x) => bestOf(x[id]) / torchOf(x[id])!);
}

/**
 * losskit against the faster of PyTorch 1 and 2 threads: the median of the rounds' ratios, each
 * taken from times measured minutes apart at most (null without PyTorch).
 */
function ratioToTorch(id: string): number | null {
  const rs = roundRatios(id).sort((a, b) => a - b);
  return rs.length ? rs[rs.length >> 1] : null;
}

function table(): string {
  const head = `| case | ${COLS.join(' | ')} | best losskit / best pytorch | tfjs wasm / best losskit |`;
  const sep = `|${' --- |'.repeat(COLS.length + 3)}`;
  const lines = cases.map((c) => {
    const r = results[c.id] ?? {};
    const pt = ratioToTorch(c.id);
    const tw = r['tfjs wasm'];
    return `| ${c.label} | ${COLS.map((k) => fmt(r[k])).join(' | ')} | ${pt !== null ? pt.toFixed(2) + 'x' : 'n/a'} | ${tw ? (tw / bestOf(r)).toFixed(1) + 'x' : 'n/a'} |`;
  });
  return [head, sep, ...lines].join('\n');
}

/** Each round's results (each cell the median of that round's runs). */
const rounds: Record<string, Row>[] = [];

/** The speed targets of the issue that asked for this work, checked on every full run. */
const TARGETS: [string, number][] = [
  ['mse_1e7', 1.0],
  ['bce_1e7', 0.8],
  ['bce_logits_1e7', 0.35],
  ['ce_4096x1000', 0.7],
  ['ce_256x32000', 0.5],
  ['kl_4096x1000', 0.6],
  ['mse_1e7_value', 0.8],
  ['ce_256x32000_value', 0.8],
];

function targets(): string {
  const lines = TARGETS.filter(([id]) => results[id]).map(([id, max]) => {
    const label = allCases.find((c) => c.id === id)!.label;
    const ratio = ratioToTorch(id);
    if (ratio === null) return `- ${label}: no PyTorch time in this run (target at most ${max}x PyTorch)`;
    const each = roundRatios(id);
    const per = each.length > 1 ? ` (median of the rounds: ${each.map((v) => v.toFixed(2)).join(', ')})` : '';
    return `- ${label}: ${ratio.toFixed(2)}x the faster of PyTorch's 1 and 2 threads${per}, target at most ${max}x: ${ratio <= max ? 'met' : '**not met**'}`;
  });
  return lines.join('\n');
}

const memNote =
  'inputs: the typed arrays a call reads; scratch per call: WebAssembly memory a call takes (copies of the inputs included) and releases before it returns; ' +
  'results: the new arrays a call hands out (the gradient, the unreduced loss), each over its own ArrayBuffer; ' +
  'peak: the size of WebAssembly memory (the largest single call\'s scratch so far: it never shrinks) and the largest resident set size while the case ran';

function memoryTable(): string {
  const head = '| case | inputs (MB) | scratch per call (MB) | results per call (MB) | peak wasm memory (MB) | peak RSS (MB) |';
  const lines = cases
    .filter((c) => memory[c.id])
    .map((c) => {
      const m = memory[c.id];
      const a = m.scratchPerCallMB > 0 ? m.scratchPerCallMB.toFixed(1) : 'none (TypeScript kernel)';
      return `| ${c.label} | ${m.inputsMB.toFixed(1)} | ${a} | ${m.resultsPerCallMB.toFixed(1)} | ${m.wasmMB.toFixed(0)} | ${m.rssMB.toFixed(0)} |`;
    });
  return [head, '| --- | --- | --- | --- | --- | --- |', ...lines].join('\n');
}

function svg(): string {
  const colors = ['#1b6ac9', '#5b9be6', '#a8c8f0', '#c9c9c9', '#e4572e', '#f3a712', '#29a35a', '#9bd1ad'];
  const W = 1100;
  const rowH = 26 * COLS.length + 30;
  const H = 90 + cases.length * rowH;
  const left = 300;
  const plotW = W - left - 120;
  const all = cases.flatMap((c) => COLS.map((k) => results[c.id]?.[k]).filter((v): v is number => typeof v === 'number' && v > 0));
  const lo = Math.log10(Math.min(...all) / 1.5);
  const hi = Math.log10(Math.max(...all) * 1.5);
  const xOf = (v: number): number => left + ((Math.log10(v) - lo) / (hi - lo)) * plotW;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="28" text-anchor="middle" font-size="18">Loss value + gradient, median ms (log scale, shorter is faster)</text>`,
  ];
  for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) {
    const x = xOf(10 ** d);
    parts.push(`<line x1="${x}" y1="50" x2="${x}" y2="${H - 20}" stroke="#ddd"/><text x="${x}" y="${H - 5}" text-anchor="middle" fill="#555">${10 ** d} ms</text>`);
  }
  cases.forEach((c, i) => {
    const y0 = 60 + i * rowH;
    parts.push(`<text x="10" y="${y0 + 14}" font-weight="bold">${esc(c.label)}</text>`);
    COLS.forEach((k, j) => {
      const v = results[c.id]?.[k];
      const y = y0 + 22 + j * 26;
      parts.push(`<text x="${left - 8}" y="${y + 14}" text-anchor="end" fill="#333">${esc(k)}</text>`);
      if (typeof v === 'number' && v > 0) {
        parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, xOf(v) - left)}" height="20" fill="${colors[j]}"/>`);
        parts.push(`<text x="${xOf(v) + 6}" y="${y + 14}" fill="#222">${fmt(v)}</text>`);
      } else parts.push(`<text x="${left + 6}" y="${y + 14}" fill="#999">n/a</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(`losskit bench${quick ? ' (quick)' : ''}: ${ROUNDS} rounds of losskit and PyTorch, ${REPS} runs per config after ${WARMUP} warm-up runs`);
  // losskit and PyTorch take turns case by case; each time is the median of its rounds, and each
  // ratio the median of the rounds' ratios: a machine that slows down for a while then weighs on
  // both sides of a ratio alike
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of cases) {
      await benchLosskit([c]);
      if (!skip.includes('pytorch')) benchTorch([c], r === 0 && c === cases[0]);
    }
    rounds.push(JSON.parse(JSON.stringify(results)) as Record<string, Row>);
  }
  for (const [id, row] of Object.entries(results)) {
    for (const col of Object.keys(row)) {
      const vs = rounds.map((x) => x[id]?.[col]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
      row[col] = vs.length ? vs[vs.length >> 1] : null;
    }
  }
  if (!skip.includes('tfjs')) await benchTfjs();
  const rss = only.length === 0 || only.includes('rss') ? benchRss() : null;
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const tbl = table();
  console.log(`\n\n${tbl}\n`);
  for (const n of notes) console.log(`- ${n}`);
  const mem = memoryTable();
  console.log(`\n${mem}\n\n${rss ? rssLine(rss) : ''}\n\n${targets()}\n`);
  if (partial) process.exit(0);
  const out = { date: new Date().toISOString(), machine, rounds: ROUNDS, reps: REPS, perRound: rounds, warmup: WARMUP, tfjsReps: TFJS_REPS, notes, results, memory, rss, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  writeFileSync(join(here, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  writeFileSync(join(here, 'results.svg'), svg());
  const header = `Latest run (${out.date.slice(0, 10)}), ${machine}; value + gradient (or the value alone where it says so), ms, each call in a plain synchronous loop with new tensors every call ("losskit yielding": the same loop awaiting setImmediate between calls, reported beside, never counted): for losskit and PyTorch the median over ${ROUNDS} rounds (the two taking turns case by case) of the median of ${REPS} runs after ${WARMUP} warm-up runs, and ratios to the faster of PyTorch's 1 and 2 threads the median of the rounds' ratios; tfjs one round of ${TFJS_REPS} runs (its cpu backend 3):`;
  const body = (chart: string): string =>
    `${header}\n\n${tbl}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\nTargets, in this run:\n\n${targets()}\n\n![benchmark chart](${chart})\n\nMemory of losskit simd+threads (${memNote}):\n\n${mem}\n\n${rss ? rssLine(rss) : ''}\n`;
  const readme = join(here, 'README.md');
  const intro = existsSync(readme) ? readFileSync(readme, 'utf8').split('<!-- results -->')[0] : '# Benchmarks\n\n';
  writeFileSync(readme, `${intro}<!-- results -->\n${body('results.svg')}`);
  // the project README shows the same, between its markers
  const top = join(here, '..', 'README.md');
  const [a, b] = ['<!-- bench:results -->', '<!-- /bench:results -->'];
  const text = existsSync(top) ? readFileSync(top, 'utf8') : '';
  if (text.includes(a) && text.includes(b)) {
    writeFileSync(top, `${text.slice(0, text.indexOf(a) + a.length)}\n${body('bench/results.svg')}${text.slice(text.indexOf(b))}`);
  }
  console.log(`\nwrote bench/results.json, bench/results.svg, bench/README.md, README.md in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(0);
}

void main();
