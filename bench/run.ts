// `npm run bench`: value + gradient of every loss at issue 11's sizes (bench/cases.ts), small
// inputs, an MLP training step and a matrix product, side by side in one run: losskit (WebAssembly
// SIMD on all cores, SIMD on one thread, plain TypeScript), PyTorch CPU (Debian's python3-torch, 1
// and 2 threads; skipped with a note when absent) and TensorFlow.js (cpu and wasm backends, where
// it has the loss). Timed as a user calls losskit: tensor(typedArray, {shape, requiresGrad}), F.*,
// .backward(), reading .grad.data; median of repeated runs after warm-up in a plain synchronous loop
// (no await between calls, as a training loop is written), and beside it the same loop yielding to
// the event loop between calls. Then each case's peak RSS in fresh processes, the targets met or
// not. Writes bench/results.json, bench/results.svg (each case's ratio against its target) and the
// tables into bench/README.md; `--chart` redraws bench/results.svg from bench/results.json.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { setBackend, setNumThreads } from '../src/index.js';
import { allCases, type Built, type Case } from './cases.js';
import { threadsReady } from '../src/kernels/index.js';
import { memoryStats } from '../src/kernels/memory.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
// development runs: `--only=ce_4096x1000,mse_1e7` times only those cases (add `rss` for their RSS;
// `--only=rss` alone: every case's RSS, no timing) and `--skip=tfjs,pytorch,rss` leaves those out;
// a partial run prints its tables but does not overwrite the recorded results.
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

const built = new Map<string, Built>();
/** A case's closures and data, made on first use (a partial run makes only its cases' data). */
function get(c: Case): Built {
  let b = built.get(c.id);
  if (!b) built.set(c.id, (b = c.build()));
  return b;
}
/** `fn` called `c.inner` times (the small inputs), so a timed run is long enough to measure. */
const repeated = (c: Case, fn: () => unknown): (() => void) => {
  const k = c.inner ?? 1;
  return k === 1 ? () => void fn() : () => { for (let i = 0; i < k; i++) fn(); };
};
const rssOnly = only.length > 0 && only.every((id) => id === 'rss');
const cases = rssOnly ? [] : allCases.filter((c) => only.length === 0 || only.includes(c.id));
const unknown = only.filter((id) => id !== 'rss' && !allCases.some((c) => c.id === id));
if (unknown.length) {
  console.error(`unknown case ids: ${unknown.join(', ')}; the cases are: ${allCases.map((c) => c.id).join(', ')}`);
  process.exit(2);
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
      const b = get(c);
      const k = c.inner ?? 1;
      const run = repeated(c, b.losskit);
      const call = (): void => {
        run();
        calls++;
        if (first) peakRss = Math.max(peakRss, process.memoryUsage().rss);
      };
      const warm = name === 'losskit ts' ? 1 : WARMUP;
      results[c.id][name] = (name === 'losskit yielding' ? await medianYielding(call, reps, warm) : median(call, reps, warm)) / k;
      if (first) {
        const m1 = memoryStats();
        const MB = 2 ** 20;
        memory[c.id] = {
          inputsMB: b.inputs.reduce((a, v) => a + v.byteLength, 0) / MB,
          scratchPerCallMB: (m1.scratchBytes - m0.scratchBytes) / (calls * k) / MB,
          resultsPerCallMB: (m1.resultBytes - m0.resultBytes) / (calls * k) / MB,
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
      const make = get(c).tfjs;
      if (!make) continue;
      const run = repeated(c, make(tf));
      const slow = backend === 'cpu';
      results[c.id][`tfjs ${backend}`] = median(run, slow ? (quick ? 1 : 3) : TFJS_REPS, 1) / (c.inner ?? 1);
      process.stdout.write('.');
    }
    tf.disposeVariables();
  }
  notes.push(`TensorFlow.js ${version} (tfjs-core with tfjs-backend-cpu and tfjs-backend-wasm, SIMD, single-threaded in Node).`);
}

// ---- resident memory over a training run --------------------------------------------------------
interface RssRow { steps: number; losskit: number | null; pytorch: number | null }
const rssRuns: Record<string, RssRow> = {};
/** Each case's own step count (fewer for the big ones, so the RSS part stays a few minutes). */
const rssSteps = (c: Case): number => (quick ? Math.max(5, Math.round(c.rssSteps / 10)) : c.rssSteps);

function torchAvailable(): boolean {
  const py = '/usr/bin/python3';
  torchProbe ??= existsSync(py) ? spawnSync(py, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }) : null;
  return torchProbe?.status === 0;
}

/**
 * Peak RSS (MB) of each case's synchronous steps, each side in a fresh process (bench/rss.ts and
 * `torch_bench.py rss`, PyTorch on 2 threads: its thread count does not change its resident set).
 */
function benchRss(todo: Case[]): void {
  const mb = (r: SpawnSyncReturns<string>): number | null => (r.status === 0 ? Number(r.stdout.trim().split('\n').pop()) : null);
  const withTorch = !skip.includes('pytorch') && torchAvailable();
  for (const c of todo) {
    const steps = rssSteps(c);
    const row: RssRow = { steps, losskit: null, pytorch: null };
    row.losskit = mb(spawnSync(process.execPath, ['--import', 'tsx', join(here, 'rss.ts'), c.id, String(steps)], { encoding: 'utf8' }));
    if (withTorch) row.pytorch = mb(spawnSync('/usr/bin/python3', [join(here, 'torch_bench.py'), 'rss', '2', String(steps), c.id], { encoding: 'utf8' }));
    rssRuns[c.id] = row;
    process.stdout.write('.');
  }
}

function rssTable(todo: Case[]): string {
  const head = '| case | steps | losskit peak RSS (MB) | pytorch peak RSS (MB) | losskit / pytorch |';
  const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(0));
  const lines = todo
    .filter((c) => rssRuns[c.id])
    .map((c) => {
      const r = rssRuns[c.id];
      return `| ${c.label} | ${r.steps} | ${f(r.losskit)} | ${f(r.pytorch)} | ${r.losskit && r.pytorch ? (r.losskit / r.pytorch).toFixed(2) + 'x' : 'n/a'} |`;
    });
  return [head, '| --- | --- | --- | --- | --- |', ...lines].join('\n');
}

// ---- report ------------------------------------------------------------------------------------
const fmt = (v: number | null | undefined): string => (v == null ? 'n/a' : v < 0.1 ? v.toPrecision(2) : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

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

/** Cases whose PyTorch time is slow here for want of a real BLAS (Debian's torch links the reference one). */
const onReferenceBlas = (id: string): boolean => id.startsWith('matmul_') || id.startsWith('mlp_step_');
const BLAS_MARK = ' (†)';
const BLAS_NOTE = "(†) This machine's PyTorch (Debian's python3-torch) links the reference BLAS (`BLAS_INFO=generic`): its matrix products, and so its matmul and MLP step times, are several times slower than a PyTorch wheel with MKL or OpenBLAS. For matmul, tfjs-wasm (XNNPACK) is the yardstick.";
const labelOf = (c: Case): string => c.label + (onReferenceBlas(c.id) ? BLAS_MARK : '');

function table(): string {
  const head = `| case | ${COLS.join(' | ')} | best losskit / best pytorch | tfjs wasm / best losskit |`;
  const sep = `|${' --- |'.repeat(COLS.length + 3)}`;
  const lines = cases.filter((c) => results[c.id]).map((c) => {
    const r = results[c.id];
    const pt = ratioToTorch(c.id);
    const tw = r['tfjs wasm'];
    return `| ${labelOf(c)} | ${COLS.map((k) => fmt(r[k])).join(' | ')} | ${pt !== null ? pt.toFixed(2) + 'x' : 'n/a'} | ${tw ? (tw / bestOf(r)).toFixed(1) + 'x' : 'n/a'} |`;
  });
  return [head, sep, ...lines].join('\n');
}

/** Each round's results (each cell the median of that round's runs). */
const rounds: Record<string, Row>[] = [];

interface Target {
  id: string;
  /** the largest ratio that meets it */
  max: number;
  /** what losskit's best time is divided by */
  vs: 'pytorch' | 'tfjs wasm';
}
const pt = (id: string, max: number): Target => ({ id, max, vs: 'pytorch' });
/**
 * The speed targets, checked on every run. Issue 11: every loss at its sizes at most 1x PyTorch
 * (stricter ones, from the issue before it, for the hot losses), small inputs 0.5x, the MLP step 1x,
 * matmul 0.8x tfjs-wasm. Cases absent here (label smoothing, float64 cross entropy) have no target.
 */
const TARGETS: Target[] = [
  pt('mse_1e7', 1.0),
  pt('bce_1e7', 0.8),
  pt('bce_logits_1e7', 0.35),
  pt('ce_4096x1000', 0.7),
  pt('ce_256x32000', 0.5),
  pt('kl_4096x1000', 0.6),
  pt('mse_1e7_value', 0.8),
  pt('ce_256x32000_value', 0.8),
  ...[
    'cosine_embedding_4096x512',
    'triplet_margin_4096x512',
    'triplet_distance_4096x512',
    'multilabel_soft_margin_4096x1000',
    'poisson_nll_1e6',
    'soft_margin_1e6',
    'margin_ranking_1e6',
    'nll_16384x1000',
    'nll_4096x1000',
    'gaussian_nll_1e6',
    'hinge_embedding_1e6',
    'multilabel_margin_1024x100',
    'multi_margin_4096x1000',
    'ctc_T200_N16_C40_S30',
    'ctc_T1000_N8_C80_S100',
    'mse_f64_1e7',
    'ce_kdim_16x21x128x128',
    'l1_1e7',
    'smooth_l1_1e7',
    'huber_1e7',
  ].map((id) => pt(id, 1.0)),
  pt('mse_8', 0.5),
  pt('ce_4x5', 0.5),
  pt('mlp_step_128', 1.0),
  pt('mlp_step_1024', 1.0),
  { id: 'matmul_1024x784x256', max: 0.8, vs: 'tfjs wasm' },
];
for (const tg of TARGETS) if (!allCases.some((c) => c.id === tg.id)) throw new Error(`target for an unknown case ${tg.id}`);

/** losskit's best time over the target's yardstick (null when that was not measured). */
function targetRatio(tg: Target): number | null {
  if (tg.vs === 'pytorch') return ratioToTorch(tg.id);
  const r = results[tg.id];
  const v = r?.[tg.vs];
  return r && v ? bestOf(r) / v : null;
}
/** The ratio to 2 decimals, or 3 where 2 would print the target itself on the wrong side of it. */
const ratioText = (r: number, max: number | null): string => (max !== null && r.toFixed(2) === max.toFixed(2) && r !== max ? r.toFixed(3) : r.toFixed(2));
const yardstick = (tg: Target): string => (tg.vs === 'pytorch' ? "the faster of PyTorch's 1 and 2 threads" : `${tg.vs}'s time`);

function targets(): string {
  const lines = TARGETS.filter((tg) => results[tg.id]).map((tg) => {
    const label = labelOf(allCases.find((c) => c.id === tg.id)!);
    const ratio = targetRatio(tg);
    if (ratio === null) return `- ${label}: no ${tg.vs} time in this run (target at most ${tg.max}x ${yardstick(tg)})`;
    const each = tg.vs === 'pytorch' ? roundRatios(tg.id) : [];
    const per = each.length > 1 ? ` (median of the rounds: ${each.map((v) => v.toFixed(2)).join(', ')})` : '';
    return `- ${label}: ${ratioText(ratio, tg.max)}x ${yardstick(tg)}${per}, target at most ${tg.max}x: ${ratio <= tg.max ? 'met' : '**not met**'}`;
  });
  const judged = TARGETS.map(targetRatio).map((r, i) => (results[TARGETS[i].id] && r !== null ? r <= TARGETS[i].max : null)).filter((v) => v !== null);
  if (judged.length) lines.push(`- ${judged.filter(Boolean).length} of ${judged.length} targets met`);
  return lines.join('\n');
}

const memNote =
  'inputs: the typed arrays a call reads; scratch per call: WebAssembly memory a call takes (copies of the inputs included) and releases before it returns; ' +
  'results: the new arrays a call hands out (the gradient, the unreduced loss), each over its own ArrayBuffer; ' +
  'peak: the size of WebAssembly memory (the largest single call\'s scratch so far: it never shrinks) and the largest resident set size while the case ran (the bench process, every case\'s data included)';

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

/**
 * The chart: one row per case, losskit's best time over its target's yardstick (PyTorch, or
 * tfjs-wasm for matmul) on a log scale, a bar from parity (1x) to the ratio, green where the target
 * is met and red where not (grey: no target), and a black tick at the target.
 */
function svg(): string {
  const rows = cases
    .filter((c) => results[c.id])
    .map((c) => {
      const tg = TARGETS.find((x) => x.id === c.id) ?? null;
      const ratio = tg ? targetRatio(tg) : ratioToTorch(c.id);
      return { label: labelOf(c), tg, ratio };
    });
  const W = 1100;
  const rowH = 24;
  const top = 78;
  const H = top + rows.length * rowH + 40;
  const left = 390;
  const right = 230;
  const plotW = W - left - right;
  const vals = rows.flatMap((r) => [r.ratio, r.tg?.max]).filter((v): v is number => typeof v === 'number' && v > 0);
  const lo = Math.log10(Math.min(0.2, ...vals.map((v) => v / 1.3)));
  const hi = Math.log10(Math.max(2, ...vals.map((v) => v * 1.3)));
  const xOf = (v: number): number => Math.round((left + ((Math.log10(v) - lo) / (hi - lo)) * plotW) * 10) / 10;
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="26" text-anchor="middle" font-size="17">losskit's time over PyTorch's (matmul: over tfjs-wasm's), log scale; left of the black tick meets the target</text>`,
    `<text x="${W / 2}" y="46" text-anchor="middle" fill="#555">best of losskit simd+threads and simd 1 thread / faster of PyTorch 1 and 2 threads; green met, red not met, grey no target</text>`,
  ];
  for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** d;
      if (Math.log10(v) < lo || Math.log10(v) > hi) continue;
      const x = xOf(v);
      parts.push(`<line x1="${x}" y1="${top - 8}" x2="${x}" y2="${H - 34}" stroke="${v === 1 ? '#888' : '#e2e2e2'}"${v === 1 ? ' stroke-dasharray="4 3"' : ''}/>`);
      parts.push(`<text x="${x}" y="${H - 18}" text-anchor="middle" fill="#555">${+v.toPrecision(2)}x</text>`);
    }
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end" fill="#222">${esc(r.label)}</text>`);
    const met = r.tg && r.ratio !== null ? r.ratio <= r.tg.max : null;
    if (r.ratio !== null) {
      const [x0, x1] = [xOf(1), xOf(r.ratio)];
      const color = met === null ? '#aaaaaa' : met ? '#29a35a' : '#e4572e';
      parts.push(`<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowH - 8}" fill="${color}"/>`);
    }
    if (r.tg) parts.push(`<line x1="${xOf(r.tg.max)}" y1="${y + 1}" x2="${xOf(r.tg.max)}" y2="${y + rowH - 1}" stroke="black" stroke-width="2.5"/>`);
    const verdict = met === null ? '' : met ? ', met' : ', not met';
    const text = `${r.ratio === null ? 'n/a' : ratioText(r.ratio, r.tg?.max ?? null) + 'x'}${r.tg ? ` (target ${r.tg.max}x${r.tg.vs === 'pytorch' ? '' : ' ' + r.tg.vs}${verdict})` : ' (no target)'}`;
    parts.push(`<text x="${left + plotW + 10}" y="${y + 15}" fill="${met === false ? '#b3301a' : '#222'}">${esc(text)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** `--chart`: bench/results.svg again from bench/results.json (the recorded run), timing nothing. */
function chartFromResults(): void {
  const d = JSON.parse(readFileSync(join(here, 'results.json'), 'utf8')) as { results: Record<string, Row>; perRound?: Record<string, Row>[] };
  Object.assign(results, d.results);
  rounds.push(...(d.perRound ?? [d.results]));
  cases.splice(0, cases.length, ...allCases.filter((c) => results[c.id]));
  writeFileSync(join(here, 'results.svg'), svg());
  console.log(`wrote bench/results.svg from bench/results.json (${cases.length} cases)\n\n${targets()}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--chart')) return chartFromResults();
  const t0 = performance.now();
  console.log(`losskit bench${quick ? ' (quick)' : ''}: ${cases.length} cases, ${ROUNDS} rounds of losskit and PyTorch, ${REPS} runs per config after ${WARMUP} warm-up runs`);
  // losskit and PyTorch take turns case by case; each time is the median of its rounds, and each
  // ratio the median of the rounds' ratios: a machine that slows down for a while then weighs on
  // both sides of a ratio alike
  for (let r = 0; r < ROUNDS && cases.length; r++) {
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
  if (!skip.includes('tfjs') && cases.length) await benchTfjs();
  // RSS: of the timed cases (all of them with --only=rss), unless --skip=rss or an --only without rss
  const rssCases = rssOnly ? allCases : only.length === 0 || only.includes('rss') ? cases : [];
  if (!skip.includes('rss')) benchRss(rssCases);
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
  const tbl = table();
  if (cases.some((c) => onReferenceBlas(c.id))) notes.push(BLAS_NOTE);
  const rss = Object.keys(rssRuns).length ? rssTable(rssCases) : '';
  const rssHead = 'Peak resident set of each case over its steps (value + gradient, synchronous, new tensors every step), each side in a fresh process (PyTorch on 2 threads; both include the process\'s own data):';
  if (cases.length) {
    console.log(`\n\n${tbl}\n`);
    for (const n of notes) console.log(`- ${n}`);
    console.log(`\n${memoryTable()}\n\n${targets()}\n`);
  }
  if (rss) console.log(`\n${rssHead}\n\n${rss}\n`);
  if (partial) process.exit(0);
  const ratios = Object.fromEntries(TARGETS.map((tg) => [tg.id, { ratio: targetRatio(tg), max: tg.max, vs: tg.vs }]));
  const out = { date: new Date().toISOString(), machine, rounds: ROUNDS, reps: REPS, perRound: rounds, warmup: WARMUP, tfjsReps: TFJS_REPS, notes, results, ratios, memory, rss: rssRuns, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  writeFileSync(join(here, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  writeFileSync(join(here, 'results.svg'), svg());
  const header = `Latest run (${out.date.slice(0, 10)}), ${machine}; value + gradient (or the value alone where it says so), ms per call, each call in a plain synchronous loop with new tensors every call ("losskit yielding": the same loop awaiting setImmediate between calls, reported beside, never counted): for losskit and PyTorch the median over ${ROUNDS} rounds (the two taking turns case by case) of the median of ${REPS} runs after ${WARMUP} warm-up runs (the small inputs: runs of 1000 calls), and ratios to the faster of PyTorch's 1 and 2 threads the median of the rounds' ratios; tfjs one round of ${TFJS_REPS} runs (its cpu backend 3):`;
  const body = (chart: string): string =>
    `${header}\n\n${tbl}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\nTargets, in this run:\n\n${targets()}\n\n![benchmark chart](${chart})\n\nMemory of losskit simd+threads (${memNote}):\n\n${memoryTable()}\n\n${rss ? `${rssHead}\n\n${rss}\n` : ''}`;
  const readme = join(here, 'README.md');
  const intro = existsSync(readme) ? readFileSync(readme, 'utf8').split('<!-- results -->')[0] : '# Benchmarks\n\n';
  writeFileSync(readme, `${intro}<!-- results -->\n${body('results.svg')}`);
  // the project README shows the same, between its markers
  const topReadme = join(here, '..', 'README.md');
  const [a, b] = ['<!-- bench:results -->', '<!-- /bench:results -->'];
  const text = existsSync(topReadme) ? readFileSync(topReadme, 'utf8') : '';
  if (text.includes(a) && text.includes(b)) {
    writeFileSync(topReadme, `${text.slice(0, text.indexOf(a) + a.length)}\n${body('bench/results.svg')}${text.slice(text.indexOf(b))}`);
  }
  console.log(`\nwrote bench/results.json, bench/results.svg, bench/README.md, README.md in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  process.exit(0);
}

void main();
