// The fused 'mean'/'sum' loops of the pointwise losses (src/kernels/pointwise.ts) against their
// composed path: the same value and, for an incoming gradient of 1, the same gradient bit for bit;
// scaled by another incoming gradient, the same up to one rounding (and float32 underflow: the
// fused gradient is rounded at the seed before the scale, the composed one after).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, rand, tensor, Tensor, F } from '../../src/index.js';
import { setBackend, setNumThreads, threadsReady, withComposed } from '../../src/kernels/index.js';
import { memoryStats } from '../../src/kernels/memory.js';

type DT = 'float32' | 'float64';

/** n values with the edge cases each loss cares about at the front. */
function values(dtype: DT, seed: number, edge: number[], scale = 2, shift = 0): Tensor {
  const t = randn([64], { seed, dtype }).mul(scale).add(shift).detach();
  edge.forEach((v, i) => (t.data[i] = v));
  return t;
}
const signs = (dtype: DT, seed: number): Tensor => {
  const r = rand([64], { seed, dtype });
  const d = r.data as Float32Array;
  const o = dtype === 'float32' ? new Float32Array(64) : new Float64Array(64);
  for (let i = 0; i < 64; i++) o[i] = i === 5 ? 0 : i === 6 ? 2 : d[i] < 0.5 ? -1 : 1;
  return tensor(o, { shape: [64], dtype });
};

const cases: [string, (dt: DT) => Tensor[], (ins: Tensor[], reduction: string) => Tensor, number[]][] = [
  ['softMarginLoss', (dt) => [values(dt, 1, [0, -0, 100, -100, NaN, Infinity]), signs(dt, 2)], (i, r) => F.softMarginLoss(i[0], i[1], { reduction: r }), [0]],
  ['hingeEmbeddingLoss', (dt) => [values(dt, 1, [1, 0.5, -3, NaN, 2, Infinity, -Infinity, Infinity, -Infinity]), signs(dt, 2)], (i, r) => F.hingeEmbeddingLoss(i[0], i[1], { reduction: r, margin: 1 }), [0]],
  ['marginRankingLoss', (dt) => [values(dt, 1, [0.5, 1, Infinity, NaN, -Infinity, Infinity, 0]), values(dt, 3, [0.5, 0.8, Infinity, 0, 0, 0, -Infinity]), signs(dt, 2)], (i, r) => F.marginRankingLoss(i[0], i[1], i[2], { reduction: r, margin: 0.2 }), [0, 1]],
  ['poissonNllLoss (log input)', (dt) => [values(dt, 1, [0, 90, -90, NaN]), rand([64], { seed: 2, dtype: dt }).mul(5).detach()], (i, r) => F.poissonNllLoss(i[0], i[1], { reduction: r }), [0]],
  ['poissonNllLoss (rates)', (dt) => [rand([64], { seed: 1, dtype: dt }).mul(3).detach(), rand([64], { seed: 2, dtype: dt }).mul(5).detach()], (i, r) => F.poissonNllLoss(i[0], i[1], { reduction: r, logInput: false }), [0]],
  ['gaussianNllLoss', (dt) => [values(dt, 1, [0, NaN]), values(dt, 2, [0, 1]), rand([64], { seed: 3, dtype: dt }).mul(2).detach()], (i, r) => F.gaussianNllLoss(i[0], i[1], i[2], { reduction: r }), [0]],
  ['gaussianNllLoss (input and var require grad)', (dt) => [values(dt, 1, [0, NaN]), values(dt, 2, [0, 1]), rand([64], { seed: 3, dtype: dt }).mul(2).detach()], (i, r) => F.gaussianNllLoss(i[0], i[1], i[2], { reduction: r }), [0, 2]],
  ['gaussianNllLoss (var alone requires grad, some below eps)', (dt) => [values(dt, 1, [0]), values(dt, 2, [0]), rand([64], { seed: 3, dtype: dt }).mul(2).sub(0.5).clampMin(0).detach()], (i, r) => F.gaussianNllLoss(i[0], i[1], i[2], { reduction: r, full: true }), [2]],
  ['gaussianNllLoss (full, var below eps, number var)', (dt) => [values(dt, 1, [0]), values(dt, 2, [0])], (i, r) => F.gaussianNllLoss(i[0], i[1], 1e-9, { reduction: r, full: true }), [0]],
];

for (const [name, make, loss, grads] of cases) {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const reduction of ['mean', 'sum']) {
      test(`${name}, ${dtype}, ${reduction}: fused equals composed`, () => {
        const run = (composed: boolean, scale: number) => {
          const ins = make(dtype);
          for (const i of grads) ins[i].requiresGrad = true;
          const f = () => {
            const out = loss(ins, reduction);
            const v = out.item();
            (scale === 1 ? out : out.mul(scale)).backward();
            return { v, g: grads.map((i) => [...ins[i].grad!.data] as number[]), name: out.gradFn?.name };
          };
          return composed ? withComposed(f) : f();
        };
        // bit for bit: the TypeScript loops (the wasm kernels are within float32 tolerance, below)
        setBackend('ts');
        let fused, composed;
        try {
          fused = run(false, 1);
          composed = run(true, 1);
        } finally {
          setBackend('auto');
        }
        assert.ok(Object.is(fused.v, composed.v) || fused.v === composed.v, `value ${fused.v} vs ${composed.v}`);
        assert.notEqual(fused.name, composed.name, 'the fused node ran');
        assert.deepEqual(fused.g, composed.g);
        setBackend('ts');
        let fs, cs;
        try {
          fs = run(false, 3);
          cs = run(true, 3);
        } finally {
          setBackend('auto');
        }
        fs.g.forEach((g, j) =>
          g.forEach((v, k) => {
            const w = cs.g[j][k];
            assert.ok(Object.is(v, w) || Math.abs(v - w) <= 1e-6 * Math.abs(w) + 1e-37, `grad ${j}[${k}]: ${v} vs ${w}`);
          }),
        );
      });
    }
  }
}

// The WebAssembly SIMD kernels (assembly/pointwise.ts) for soft margin, Poisson and Gaussian NLL
// in float32: against the composed path within the parity fixtures' float32 tolerance, NaN and
// inf where the composed path has them, on one and two threads, scratch released after each call.
const close = (a: number, b: number): boolean => Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-5 * Math.abs(b) + 1e-6;

const wasmCases: [string, (n: number, edges: boolean) => Tensor[], (ins: Tensor[], reduction: string) => Tensor, number[]?][] = [
  ['softMarginLoss', (n, e) => [big(n, 1, e ? [0, -0, 100, -100, 88, -88, 89, Infinity, -Infinity, 1e-30, 3] : [], 3), bigSigns(n, 2)], (i, r) => F.softMarginLoss(i[0], i[1], { reduction: r })],
  ['poissonNllLoss (log input)', (n, e) => [big(n, 1, e ? [0, 88, 89, -90, -Infinity, 1e-30] : [], 2), rand([n], { seed: 2 }).mul(5).detach()], (i, r) => F.poissonNllLoss(i[0], i[1], { reduction: r })],
  ['poissonNllLoss (rates)', (n, e) => [rand([n], { seed: 1 }).mul(3).add(e ? 0 : 0.01).detach(), rand([n], { seed: 2 }).mul(5).detach()], (i, r) => F.poissonNllLoss(i[0], i[1], { reduction: r, logInput: false, eps: 1e-4 })],
  ['gaussianNllLoss', (n, e) => [big(n, 1, e ? [0, 1e30, -1e-30] : [], 2), big(n, 2, e ? [0, 1] : [], 2), rand([n], { seed: 3 }).mul(2).add(e ? 0 : 0.05).detach()], (i, r) => F.gaussianNllLoss(i[0], i[1], i[2], { reduction: r })],
  ['gaussianNllLoss (input and var require grad)', (n, e) => [big(n, 1, e ? [0, 1e30, -1e-30] : [], 2), big(n, 2, e ? [0, 1] : [], 2), rand([n], { seed: 3 }).mul(2).add(e ? 0 : 0.05).detach()], (i, r) => F.gaussianNllLoss(i[0], i[1], i[2], { reduction: r }), [0, 2]],
  ['gaussianNllLoss (var alone requires grad, full, some below eps)', (n) => [big(n, 1, [], 2), big(n, 2, [], 2), rand([n], { seed: 3 }).mul(2).sub(0.3).clampMin(1e-9).detach()], (i, r) => F.gaussianNllLoss(i[0], i[1], i[2], { reduction: r, full: true }), [2]],
  ['gaussianNllLoss (full, var below eps)', (n) => [big(n, 1, [], 2), big(n, 2, [], 2), rand([n], { seed: 3 }).mul(1e-6).detach()], (i, r) => F.gaussianNllLoss(i[0], i[1], i[2], { reduction: r, full: true, eps: 1e-6 })],
  ['marginRankingLoss', (n, e) => [big(n, 1, e ? [0.5, 1, Infinity, NaN, -Infinity, Infinity, 0] : [], 2), big(n, 3, e ? [0.5, 0.8, Infinity, 0, 0, 0, -Infinity] : [], 2), bigSigns(n, 2)], (i, r) => F.marginRankingLoss(i[0], i[1], i[2], { reduction: r, margin: 0.2 })],
];

function big(n: number, seed: number, edge: number[], scale: number): Tensor {
  const t = randn([n], { seed }).mul(scale).detach();
  edge.forEach((v, i) => (t.data[i] = v));
  return t;
}
function bigSigns(n: number, seed: number): Tensor {
  const d = rand([n], { seed }).data as Float32Array;
  const o = new Float32Array(n);
  for (let i = 0; i < n; i++) o[i] = i === 5 ? 0 : d[i] < 0.5 ? -1 : 1;
  return tensor(o, { shape: [n] });
}

for (const [name, make, loss, grads = [0]] of wasmCases) {
  test(`${name}, float32, wasm kernel: composed within float32 tolerance, 1 and 2 threads, NaN/inf, scratch released`, async () => {
    setBackend('wasm');
    try {
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        await threadsReady();
        for (const n of [1, 7, 64, 1000, (1 << 17) + 3]) {
          for (const edges of [false, true]) {
            for (const reduction of ['mean', 'sum']) {
              const run = (composed: boolean, scale: number) => {
                const ins = make(n, edges && n >= 16);
                const before = ins.map((t) => [...t.data] as number[]);
                for (const i of grads) ins[i].requiresGrad = true;
                const f = () => {
                  const out = loss(ins, reduction);
                  const v = out.item();
                  (scale === 1 ? out : out.mul(scale)).backward();
                  return { v, g: grads.flatMap((i) => [...ins[i].grad!.data] as number[]), name: out.gradFn?.name };
                };
                const taken = memoryStats().scratchBytes;
                const r = { ...(composed ? withComposed(f) : f()), took: memoryStats().scratchBytes - taken };
                assert.equal(memoryStats().scratchInUse, 0);
                ins.forEach((t, j) => assert.deepEqual([...t.data], before[j], 'inputs unchanged'));
                return r;
              };
              for (const scale of [1, 0.5]) {
                const a = run(false, scale);
                const b = run(true, scale);
                const at = `${threads} threads, n ${n}, edges ${edges}, ${reduction}, scale ${scale}`;
                assert.ok(close(a.v, b.v), `value ${a.v} vs ${b.v} (${at})`);
                assert.ok(a.took > 0, `the wasm kernel ran (${at})`);
                assert.equal(a.g.length, grads.length * n);
                for (let k = 0; k < a.g.length; k++) assert.ok(close(a.g[k], b.g[k]), `grad[${k}] ${a.g[k]} vs ${b.g[k]} (${at})`);
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
}

test('the fused pointwise losses: no gradient work under noGrad-like inputs, composed path for none and for broadcast targets', () => {
  const x = randn([8], { seed: 1 });
  const y = signs('float32', 2).reshape([8, 8]).sum(0).sign();
  assert.equal(F.softMarginLoss(x, y).gradFn, null);
  const xg = randn([8], { seed: 1, requiresGrad: true });
  assert.equal(F.softMarginLoss(xg, y, { reduction: 'none' }).shape.join(), '8');
  // a target broadcast from one value takes the composed path and still agrees
  const a = F.hingeEmbeddingLoss(xg, tensor(1)).item();
  assert.ok(Math.abs(a - (xg.data as Float32Array).reduce((s, v) => s + v, 0) / 8) < 1e-6);
});

test('multilabelSoftMarginLoss mean/sum in one node: value and seed-1 gradient bit for bit as composed, scaled within one rounding', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const reduction of ['mean', 'sum']) {
      for (const shape of [[5, 7], [7]]) {
        const run = (composed: boolean, scale: number) => {
          const x = randn(shape, { seed: 11, dtype }).mul(4).detach();
          x.data[0] = 0;
          x.data[1] = -30;
          x.data[2] = 40;
          x.requiresGrad = true;
          const y = rand(shape, { seed: 12, dtype }).detach();
          const f = () => {
            const out = F.multilabelSoftMarginLoss(x, y, { reduction });
            const v = out.item();
            (scale === 1 ? out : out.mul(scale)).backward();
            return { v, g: [...x.grad!.data] as number[] };
          };
          return composed ? withComposed(f) : f();
        };
        // bit for bit: the TypeScript loop (float32 on wasm is BCE with logits' kernel, below)
        setBackend('ts');
        let a, b;
        try {
          a = run(false, 1);
          b = run(true, 1);
        } finally {
          setBackend('auto');
        }
        assert.equal(a.v, b.v, `${dtype} ${reduction} ${shape}`);
        assert.deepEqual(a.g, b.g);
        setBackend('ts');
        let c, d;
        try {
          c = run(false, 0.3);
          d = run(true, 0.3);
        } finally {
          setBackend('auto');
        }
        // the element gradient is a difference of two rounded terms, so a seed rounded elsewhere can
        // move it by more than one rounding relative to itself: the parity fixtures' tolerances
        const [rtol, atol] = dtype === 'float32' ? [1e-5, 1e-6] : [1e-9, 1e-10];
        c.g.forEach((v, k) => assert.ok(Math.abs(v - d.g[k]) <= rtol * Math.abs(d.g[k]) + atol, `grad[${k}] ${v} vs ${d.g[k]}`));
      }
    }
  }
});

test('multilabelSoftMarginLoss float32 on wasm (BCE with logits kernel): composed within float32 tolerance, 1 and 2 threads, scratch released', async () => {
  setBackend('wasm');
  try {
    for (const threads of [1, 2]) {
      setNumThreads(threads);
      await threadsReady();
      for (const shape of [[5, 7], [7], [300, 1000]]) {
        for (const reduction of ['mean', 'sum']) {
          for (const scale of [1, 0.3]) {
            const run = (composed: boolean) => {
              const x = randn(shape, { seed: 11 }).mul(4).detach();
              x.data[0] = 0;
              x.data[1] = -30;
              x.data[2] = 40;
              x.requiresGrad = true;
              const y = rand(shape, { seed: 12 }).detach();
              const f = () => {
                const out = F.multilabelSoftMarginLoss(x, y, { reduction });
                const v = out.item();
                (scale === 1 ? out : out.mul(scale)).backward();
                return { v, g: [...x.grad!.data] as number[] };
              };
              const taken = memoryStats().scratchBytes;
              const r = { ...(composed ? withComposed(f) : f()), took: memoryStats().scratchBytes - taken };
              assert.equal(memoryStats().scratchInUse, 0);
              return r;
            };
            const a = run(false);
            const b = run(true);
            const at = `${threads} threads ${shape} ${reduction} ${scale}`;
            assert.ok(a.took > 0, `the wasm kernel ran (${at})`);
            assert.ok(close(a.v, b.v), `value ${a.v} vs ${b.v} (${at})`);
            a.g.forEach((v, k) => assert.ok(close(v, b.g[k]), `grad[${k}] ${v} vs ${b.g[k]} (${at})`));
          }
        }
      }
    }
  } finally {
    setNumThreads('auto');
    setBackend('auto');
  }
});

test('gaussianNllLoss fused: result bytes for the gradients wanted only (none, var alone, input and var), both backends', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    setBackend(backend);
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [gx, gv] of [[false, false], [false, true], [true, false], [true, true]]) {
          const n = 1000;
          const x = randn([n], { seed: 1, dtype, requiresGrad: gx });
          const y = randn([n], { seed: 2, dtype });
          const v = rand([n], { seed: 3, dtype, requiresGrad: gv });
          const before = memoryStats().resultBytes;
          const out = F.gaussianNllLoss(x, y, v);
          const made = memoryStats().resultBytes - before;
          const bytes = dtype === 'float32' ? 4 : 8;
          assert.equal(made, (+gx + +gv) * n * bytes, `${backend} ${dtype} ${gx} ${gv}`);
          assert.equal(out.gradFn === null, !gx && !gv);
          if (gx || gv) {
            out.backward();
            assert.equal(x.grad === null, !gx);
            assert.equal(v.grad === null, !gv);
          }
        }
      }
    } finally {
      setBackend('auto');
    }
  }
});
