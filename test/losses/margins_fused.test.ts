// The fused multi margin and multilabel margin losses (src/kernels/margins.ts, and the float32
// multi margin SIMD kernel of assembly/classes.ts on 'wasm') against their composed path: every
// reduction, float32 and float64, p 1 and 2, weights, NaN and infinite scores, targets at the
// ends of the row, duplicates; value only computes no gradient; out-of-range targets still raise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, randn, rand, tensor, RuntimeError, type Tensor } from '../../src/index.js';
import { setBackend, setNumThreads, threadsReady, withComposed } from '../../src/kernels/index.js';
import { memoryStats } from '../../src/kernels/memory.js';

type DT = 'float32' | 'float64';
const idx = (v: number[], shape: number[]) => tensor(Float64Array.from(v) as never, { dtype: 'int64', shape });

function scores(n: number, c: number, dtype: DT, seed: number, edges: boolean): Tensor {
  const x = randn([n, c], { seed, dtype }).detach();
  if (edges && n * c >= 12) {
    const d = x.data as Float32Array;
    d[1] = NaN;
    d[c + 2] = Infinity;
    d[2 * c] = -Infinity;
    d[3] = d[0] + 1; // z = margin - x_t + x_d at the kink for some targets
  }
  return x;
}

/** Values equal, or within `tol` relative (NaN equals NaN). */
function near(a: number, b: number, rtol: number, atol: number): boolean {
  return Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= rtol * Math.abs(b) + atol;
}

interface Run {
  v: number[];
  g: number[] | null;
  name: string | undefined;
  results: number;
}

function runLoss(make: () => { x: Tensor; loss: (x: Tensor) => Tensor }, composed: boolean, scale: number, grad = true): Run {
  const { x, loss } = make();
  x.requiresGrad = grad;
  const before = [...x.data] as number[];
  const f = (): Run => {
    const r0 = memoryStats().resultBytes;
    const out = loss(x);
    const results = memoryStats().resultBytes - r0;
    const v = [...out.data] as number[];
    if (grad) (scale === 1 ? out.sum() : out.sum().mul(scale)).backward();
    return { v, g: grad ? ([...x.grad!.data] as number[]) : null, name: out.gradFn?.name, results };
  };
  const r = composed ? withComposed(f) : f();
  assert.deepEqual([...x.data], before, 'input unchanged');
  assert.equal(memoryStats().scratchInUse, 0);
  return r;
}

const multiMargin = (n: number, c: number, dtype: DT, edges: boolean, p: number, weighted: boolean, reduction: string, margin = 1) => () => {
  const x = scores(n, c, dtype, 1, edges);
  const t = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : i === 1 ? c - 1 : (i * 7) % c));
  const y = idx(t, n === 1 && c < 0 ? [] : [n]);
  const weight = weighted ? rand([c], { seed: 3, dtype }).add(0.5).detach() : undefined;
  return { x, loss: (a: Tensor) => F.multiMarginLoss(a, y, { p, weight, reduction, margin }) };
};

const multilabel = (n: number, c: number, dtype: DT, edges: boolean, reduction: string) => () => {
  const x = scores(n, c, dtype, 2, edges);
  const t = new Array<number>(n * c).fill(-1);
  for (let r = 0; r < n; r++) {
    const k = r % 4 === 3 ? 0 : 1 + (r % Math.min(c, 5));
    for (let j = 0; j < k; j++) t[r * c + j] = (r * 3 + j * 5) % c;
    if (r % 5 === 1 && k > 1) t[r * c + 1] = t[r * c]; // a duplicate counts twice
    if (r % 6 === 2 && k + 2 < c) t[r * c + k + 1] = 0; // after the -1: ignored
  }
  const y = idx(t, [n, c]);
  return { x, loss: (a: Tensor) => F.multilabelMarginLoss(a, y, { reduction }) };
};

const shapes: [number, number][] = [[1, 1], [1, 3], [5, 4], [9, 17], [33, 70]];

for (const dtype of ['float32', 'float64'] as const) {
  for (const reduction of ['mean', 'sum', 'none']) {
    test(`multi margin and multilabel margin, ${dtype}, ${reduction}, 'ts' loops: fused equals composed`, () => {
      setBackend('ts');
      try {
        for (const [n, c] of shapes) {
          for (const edges of [false, true]) {
            const makers: [string, () => { x: Tensor; loss: (x: Tensor) => Tensor }][] = [['multilabel', multilabel(n, c, dtype, edges, reduction)]];
            for (const p of [1, 2]) for (const w of [false, true]) makers.push([`multi margin p ${p} weight ${w}`, multiMargin(n, c, dtype, edges, p, w, reduction, 0.7)]);
            for (const [what, make] of makers) {
              const at = `${what} [${n}, ${c}] edges ${edges}`;
              const a = runLoss(make, false, 1);
              const b = runLoss(make, true, 1);
              assert.deepEqual(a.v, b.v, `value (${at})`);
              // 'none' scales the rows after the kernel: one rounding more than the composed path
              const [rtol, atol] = reduction === 'none' && dtype === 'float32' ? [1e-6, 1e-12] : [0, 0];
              a.g!.forEach((v, k) => assert.ok(near(v, b.g![k], rtol, atol), `grad[${k}] ${v} vs ${b.g![k]} (${at})`));
              const s = runLoss(make, false, 0.3);
              const sc = runLoss(make, true, 0.3);
              // scaled: the composed path adds the scaled steps, the fused one scales the sum of steps (as PyTorch's kernel)
              const [sr, sa] = dtype === 'float32' ? [1e-5, 1e-9] : [1e-12, 1e-15];
              s.g!.forEach((v, k) => assert.ok(near(v, sc.g![k], sr, sa), `grad x0.3 [${k}] ${v} vs ${sc.g![k]} (${at})`));
            }
          }
        }
      } finally {
        setBackend('auto');
      }
    });
  }
}

test('multi margin / multilabel margin: value only makes no gradient, on both backends', () => {
  for (const backend of ['ts', 'wasm'] as const) {
    setBackend(backend);
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        const bytes = dtype === 'float32' ? 4 : 8;
        for (const make of [multiMargin(40, 300, dtype, false, 1, false, 'none'), multilabel(40, 300, dtype, false, 'none')]) {
          const v = runLoss(make, false, 1, false);
          assert.equal(v.results, 40 * bytes, `only the losses (${backend} ${dtype})`);
          const g = runLoss(make, false, 1, true);
          assert.equal(g.results, 40 * bytes + 40 * 300 * bytes, `losses and the gradient (${backend} ${dtype})`);
          assert.deepEqual(v.v, g.v);
        }
      }
    } finally {
      setBackend('auto');
    }
  }
});

test('multi margin / multilabel margin: unbatched input, errors and empty batches as the composed path', () => {
  const x = tensor([0.1, 0.2, 0.4, 0.8], { requiresGrad: true });
  const a = F.multiMarginLoss(x, idx([3], []), { reduction: 'none' });
  assert.deepEqual(a.shape, []);
  const b = withComposed(() => F.multiMarginLoss(x, idx([3], []), { reduction: 'none' }));
  assert.equal(a.item(), b.item());
  const m = F.multilabelMarginLoss(x, idx([3, 0, -1, 1], [4]), { reduction: 'none' });
  assert.deepEqual(m.shape, []);
  assert.ok(Math.abs(m.item() - 0.85) < 1e-6);
  assert.throws(() => F.multiMarginLoss(x, idx([4], [1])), (e: Error) => e instanceof RuntimeError && e.message === 'target out of range');
  assert.throws(() => F.multiMarginLoss(x, idx([-1], [1])), (e: Error) => e instanceof RuntimeError && e.message === 'target out of range');
  assert.throws(() => F.multiMarginLoss(x, idx([2 ** 40], [1])), (e: Error) => e instanceof RuntimeError && e.message === 'target out of range');
  assert.throws(() => F.multilabelMarginLoss(x, idx([4, -1, 0, 0], [4])), (e: Error) => e instanceof RuntimeError && e.message.includes("'target' is out of range"));
  assert.throws(() => F.multilabelMarginLoss(x, idx([-2, -1, 0, 0], [4])), (e: Error) => e instanceof RuntimeError && e.message.includes("'target' is out of range"));
  const e = randn([0, 5], { requiresGrad: true });
  assert.ok(Number.isNaN(F.multiMarginLoss(e, idx([], [0])).item()));
  assert.equal(F.multilabelMarginLoss(e, idx([], [0, 5]), { reduction: 'sum' }).item(), 0);
});

test('multi margin, float32, wasm kernel: composed within float32 tolerance, 1 and 2 threads', async () => {
  setBackend('wasm');
  try {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      await threadsReady();
      for (const [n, c] of [...shapes, [300, 1000] as [number, number], [7, 3]]) {
        for (const edges of [false, true]) {
          for (const reduction of ['mean', 'sum', 'none']) {
            for (const p of [1, 2]) {
              for (const w of [false, true]) {
                const make = multiMargin(n, c, 'float32', edges, p, w, reduction, 1);
                const at = `${threads} threads [${n}, ${c}] edges ${edges} ${reduction} p ${p} weight ${w}`;
                for (const scale of [1, 0.5]) {
                  const taken = memoryStats().scratchBytes;
                  const a = runLoss(make, false, scale);
                  assert.ok(memoryStats().scratchBytes > taken, `the wasm kernel ran (${at})`);
                  const b = runLoss(make, true, scale);
                  a.v.forEach((v, k) => assert.ok(near(v, b.v[k], 1e-5, 1e-6), `value[${k}] ${v} vs ${b.v[k]} (${at})`));
                  a.g!.forEach((v, k) => assert.ok(near(v, b.g![k], 1e-5, 1e-7), `grad[${k}] ${v} vs ${b.g![k]} (${at})`));
                }
              }
            }
          }
        }
      }
    }
  } finally {
    setNumThreads('auto');
    setBackend('auto');
  }
});

test('multilabel margin, float32, wasm kernel: values within float32 tolerance, the gradient bit for bit, 1 and 2 threads', async () => {
  setBackend('wasm');
  try {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      await threadsReady();
      for (const [n, c] of [...shapes, [2000, 100] as [number, number], [5, 3]]) {
        for (const edges of [false, true]) {
          for (const reduction of ['mean', 'sum', 'none']) {
            const make = multilabel(n, c, 'float32', edges, reduction);
            const at = `${threads} threads [${n}, ${c}] edges ${edges} ${reduction}`;
            const taken = memoryStats().scratchBytes;
            const a = runLoss(make, false, 1);
            assert.ok(memoryStats().scratchBytes > taken, `the wasm kernel ran (${at})`);
            const b = runLoss(make, true, 1);
            a.v.forEach((v, k) => assert.ok(near(v, b.v[k], 1e-6, 1e-7), `value[${k}] ${v} vs ${b.v[k]} (${at})`));
            const [rtol, atol] = reduction === 'none' ? [1e-6, 1e-12] : [0, 0];
            a.g!.forEach((v, k) => assert.ok(near(v, b.g![k], rtol, atol), `grad[${k}] ${v} vs ${b.g![k]} (${at})`));
          }
        }
      }
    }
  } finally {
    setNumThreads('auto');
    setBackend('auto');
  }
});
