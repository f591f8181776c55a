// The float32 CTC kernel in WebAssembly (assembly/rows.ts ctcSample: SIMD over the extended target,
// one sample per chunk on the threads) against the 'ts' backend's CtcKernel (PyTorch's CPU kernel
// step by step, float32 rounding after every op): NaN and inf where it has them, and within float32
// tolerance of it; for long inputs, where float32 log-alphas of hundreds drift by their ulps, no
// further from the float64 result than PyTorch's float32 steps are. One and two threads, every
// reduction, with and without zeroInfinity; scratch released.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, randn, tensor, type Tensor } from '../../src/index.js';
import { setBackend, setNumThreads, threadsReady } from '../../src/kernels/index.js';
import { memoryStats } from '../../src/kernels/memory.js';

interface Problem {
  lp: Float32Array;
  T: number;
  N: number;
  C: number;
  targets: BigInt64Array;
  S: number;
  il: number[];
  tl: number[];
  blank: number;
}

let seed = 99;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};

function problem(T: number, N: number, C: number, S: number, blank: number, opts: { repeats?: boolean; short?: boolean; blanks?: boolean } = {}): Problem {
  const lp = F.logSoftmax(randn([T, N, C], { seed: T + N + C }).mul(2), 2).data as Float32Array;
  const targets = new BigInt64Array(N * S);
  for (let i = 0; i < N * S; i++) {
    let c = Math.floor(rnd() * (C - 1));
    if (c >= blank) c++;
    // repeated labels need a blank between them (alpha may not skip there)
    if (opts.repeats && i % S > 0 && rnd() < 0.3) c = Number(targets[i - 1]);
    // targets may hold the blank label itself (PyTorch takes them)
    if (opts.blanks && rnd() < 0.3) c = blank;
    targets[i] = BigInt(c);
  }
  const il = Array.from({ length: N }, (_, b) => (opts.short ? Math.max(0, T - ((b * 7) % (T + 1))) : T));
  const tl = Array.from({ length: N }, (_, b) => (opts.short ? (b * 5) % (S + 1) : S));
  return { lp, T, N, C, targets, S, il, tl, blank };
}

function run(p: Problem, reduction: string, zeroInfinity: boolean, grad: boolean, scale: number, f64 = false): { v: number[]; g: number[] | null; took: number } {
  const x = f64 ? tensor(Float64Array.from(p.lp), { shape: [p.T, p.N, p.C], requiresGrad: grad }) : tensor(p.lp, { shape: [p.T, p.N, p.C], requiresGrad: grad });
  const taken = memoryStats().scratchBytes;
  const out: Tensor = F.ctcLoss(x, tensor(p.targets, { shape: [p.N, p.S] }), p.il, p.tl, { reduction, zeroInfinity, blank: p.blank });
  const took = memoryStats().scratchBytes - taken;
  assert.equal(memoryStats().scratchInUse, 0);
  assert.equal(out.gradFn === null, !grad);
  const v = [...out.data] as number[];
  if (grad) (reduction === 'none' ? out.mul(scale).sum() : out.mul(scale)).backward();
  return { v, g: grad ? ([...x.grad!.data] as number[]) : null, took };
}

const near = (a: number, b: number, rtol: number, atol: number): boolean =>
  Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= rtol * Math.abs(b) + atol;

const problems: [string, () => Problem][] = [
  ['small, S and C not multiples of 4, blank 2, repeats', () => problem(9, 3, 5, 3, 2, { repeats: true })],
  ['lengths below T, empty targets, impossible alignments, repeats', () => problem(12, 6, 7, 6, 0, { short: true, repeats: true })],
  ['one frame, one label', () => problem(1, 2, 3, 1, 0)],
  ['targets holding the blank label, lengths below T', () => problem(10, 8, 5, 4, 1, { blanks: true, short: true })],
  ['T 200 N 16 C 40 S 30 (threads)', () => problem(200, 16, 40, 30, 0, { repeats: true })],
  ['T 400 N 4 C 81 S 61, blank C - 1', () => problem(400, 4, 81, 61, 80, { repeats: true, short: true })],
];

for (const [name, make] of problems) {
  test(`ctcLoss float32 wasm kernel vs PyTorch's steps ('ts'): ${name}`, async () => {
    const p = make();
    try {
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        await threadsReady();
        for (const reduction of ['none', 'mean', 'sum']) {
          for (const zeroInfinity of [false, true]) {
            for (const grad of [true, false]) {
              setBackend('wasm');
              const a = run(p, reduction, zeroInfinity, grad, 0.7);
              setBackend('ts');
              const b = run(p, reduction, zeroInfinity, grad, 0.7);
              const r = run(p, reduction, zeroInfinity, grad, 0.7, true);
              const at = `${threads} threads, ${reduction}, zeroInfinity ${zeroInfinity}, grad ${grad}`;
              assert.ok(a.took > 0 && b.took === 0, `the wasm kernel ran (${at})`);
              // within float32 tolerance of PyTorch's float32 steps, or no further from float64 than they are
              // (their largest error over the array, times 1.5: the drift is per sample, not per element)
              const check = (x: number[], y: number[], ref: number[], what: string) => {
                let ex = 0;
                let ey = 0;
                x.forEach((v, i) => {
                  if (!Number.isFinite(y[i]) || !Number.isFinite(v)) assert.ok(Object.is(v, y[i]) || (Number.isNaN(v) && Number.isNaN(y[i])), `${at}: ${what}[${i}] ${v} vs ${y[i]}`);
                  else if (!near(v, y[i], 2e-5, 1e-5)) {
                    ex = Math.max(ex, Math.abs(v - ref[i]) / (1 + Math.abs(ref[i])));
                    ey = Math.max(ey, Math.abs(y[i] - ref[i]) / (1 + Math.abs(ref[i])));
                  }
                });
                assert.ok(ex <= 1.5 * ey + 1e-6, `${at}: ${what}: error against float64 ${ex} vs PyTorch's steps ${ey}`);
              };
              check(a.v, b.v, r.v, 'loss');
              if (grad) check(a.g!, b.g!, r.g!, 'grad');
            }
          }
        }
      }
    } finally {
      setNumThreads('auto');
      setBackend('auto');
    }
  });
}

test('ctcLoss float32 wasm: retainGraph keeps the kernel gradient (a second backward adds the same again); zeroInfinity zeroes impossible samples', () => {
  const p = problem(12, 6, 7, 6, 0, { short: true, repeats: true });
  for (const backend of ['wasm', 'ts'] as const) {
    setBackend(backend);
    try {
      const x = tensor(p.lp, { shape: [p.T, p.N, p.C], requiresGrad: true });
      const out = F.ctcLoss(x, tensor(p.targets, { shape: [p.N, p.S] }), p.il, p.tl, { zeroInfinity: true, reduction: 'sum' });
      out.backward(null, { retainGraph: true });
      const once = [...x.grad!.data] as number[];
      assert.ok(once.every(Number.isFinite));
      out.backward();
      assert.deepEqual([...x.grad!.data], once.map((v) => Math.fround(v + v)));
    } finally {
      setBackend('auto');
    }
  }
});
