// The fused triplet margin loss (src/kernels/rows.ts, assembly/rows.ts) against the composed path:
// the TypeScript loops bit for bit at an incoming gradient of 1 (float32 and float64), the
// WebAssembly kernel within float32 tolerance on one and two threads; no gradient work when
// nothing requires grad; scratch released; inputs unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, F, type Tensor } from '../../src/index.js';
import { setBackend, setNumThreads, threadsReady, withComposed } from '../../src/kernels/index.js';
import { memoryStats } from '../../src/kernels/memory.js';

type DT = 'float32' | 'float64';

/** anchor, positive, negative; row 0 of the positive equals the anchor's (distance eps·√D), row 1's negative too. */
function triple(shape: number[], dtype: DT, seed: number): Tensor[] {
  const ts = [0, 1, 2].map((i) => randn(shape, { seed: seed + i, dtype }).mul(i === 2 ? 1.3 : 1).detach());
  const D = shape[shape.length - 1];
  if (ts[0].numel >= 2 * D) {
    for (let k = 0; k < D; k++) {
      ts[1].data[k] = ts[0].data[k];
      ts[2].data[D + k] = ts[0].data[D + k];
    }
  }
  return ts;
}

const losses: [string, (i: Tensor[], reduction: string) => Tensor][] = [
  ['tripletMarginLoss', (i, r) => F.tripletMarginLoss(i[0], i[1], i[2], { reduction: r, margin: 0.7 })],
  ['tripletMarginWithDistanceLoss', (i, r) => F.tripletMarginWithDistanceLoss(i[0], i[1], i[2], { reduction: r })],
];

const close32 = (a: number, b: number): boolean => Object.is(a, b) || a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-5 * Math.abs(b) + 1e-7;

function run(ins: Tensor[], grads: number[], loss: (i: Tensor[], r: string) => Tensor, reduction: string, composed: boolean, scale: number) {
  const xs = ins.map((t) => t.detach().clone());
  for (const i of grads) xs[i].requiresGrad = true;
  const f = () => {
    const out = loss(xs, reduction);
    const v = [...out.data] as number[];
    if (grads.length) (scale === 1 ? out.sum() : out.sum().mul(scale)).backward();
    return { v, g: grads.map((i) => [...xs[i].grad!.data] as number[]), name: out.gradFn?.name ?? null };
  };
  return composed ? withComposed(f) : f();
}

for (const [name, loss] of losses) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${name} ${dtype}, 'ts' backend: fused equals composed bit for bit (value, every gradient), every reduction`, () => {
      setBackend('ts');
      try {
        for (const shape of [[6, 9], [9], [40, 64]]) {
          for (const reduction of ['mean', 'sum', 'none']) {
            for (const grads of [[0, 1, 2], [1], []]) {
              const ins = triple(shape, dtype, 5);
              const a = run(ins, grads, loss, reduction, false, 1);
              const b = run(ins, grads, loss, reduction, true, 1);
              const at = `${shape} ${reduction} ${grads}`;
              assert.deepEqual(a.v, b.v, at);
              assert.deepEqual(a.g, b.g, at);
              if (reduction !== 'none' && grads.length) assert.equal(a.name, 'TripletMarginLossBackward', at);
              const c = run(ins, grads, loss, reduction, false, 0.3);
              const d = run(ins, grads, loss, reduction, true, 0.3);
              // the anchor's gradient is a difference of two rounded terms, so a seed rounded elsewhere
              // moves it by about one rounding of the terms (at most the seed), not of itself
              const [rtol, atol] = dtype === 'float32' ? [1e-5, 1e-7] : [1e-12, 1e-15];
              c.g.forEach((g, j) => g.forEach((v, k) => assert.ok(Math.abs(v - d.g[j][k]) <= rtol * Math.abs(d.g[j][k]) + atol, `${at} scaled grad ${j}[${k}] ${v} vs ${d.g[j][k]}`)));
            }
          }
        }
      } finally {
        setBackend('auto');
      }
    });
  }

  test(`${name} float32, wasm kernel: composed within float32 tolerance, 1 and 2 threads, scratch released, inputs unchanged`, async () => {
    setBackend('wasm');
    try {
      for (const threads of [1, 2]) {
        setNumThreads(threads);
        await threadsReady();
        for (const shape of [[6, 9], [9], [5, 3], [300, 512], [257, 300]]) {
          for (const reduction of ['mean', 'sum']) {
            for (const grads of [[0, 1, 2], [2], []]) {
              const ins = triple(shape, 'float32', 9);
              const before = ins.map((t) => [...t.data]);
              const taken = memoryStats().scratchBytes;
              const a = run(ins, grads, loss, reduction, false, 0.5);
              assert.ok(memoryStats().scratchBytes > taken, 'the wasm kernel ran');
              assert.equal(memoryStats().scratchInUse, 0);
              const b = run(ins, grads, loss, reduction, true, 0.5);
              ins.forEach((t, i) => assert.deepEqual([...t.data], before[i]));
              const at = `${threads} threads ${shape} ${reduction} ${grads}`;
              assert.ok(close32(a.v[0], b.v[0]), `${at}: value ${a.v[0]} vs ${b.v[0]}`);
              a.g.forEach((g, j) => g.forEach((v, k) => assert.ok(close32(v, b.g[j][k]), `${at}: grad ${j}[${k}] ${v} vs ${b.g[j][k]}`)));
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

test('fused triplet: result bytes only for the gradients wanted; none under no grad; composed for swap, p != 2 and an input passed twice', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    setBackend(backend);
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const grads of [[], [0], [1, 2], [0, 1, 2]]) {
          const ins = triple([50, 20], dtype, 3);
          for (const i of grads) ins[i].requiresGrad = true;
          const before = memoryStats().resultBytes;
          const out = F.tripletMarginLoss(ins[0], ins[1], ins[2]);
          assert.equal(memoryStats().resultBytes - before, grads.length * 1000 * (dtype === 'float32' ? 4 : 8), `${backend} ${dtype} ${grads}`);
          assert.equal(out.gradFn === null, grads.length === 0);
        }
        const ins = triple([8, 5], dtype, 3);
        ins[0].requiresGrad = true;
        assert.notEqual(F.tripletMarginLoss(ins[0], ins[1], ins[2], { swap: true }).gradFn?.name, 'TripletMarginLossBackward');
        assert.notEqual(F.tripletMarginLoss(ins[0], ins[1], ins[2], { p: 1 }).gradFn?.name, 'TripletMarginLossBackward');
        const twice = F.tripletMarginLoss(ins[0], ins[0], ins[2]);
        assert.notEqual(twice.gradFn?.name, 'TripletMarginLossBackward');
        const a = withComposed(() => F.tripletMarginLoss(ins[0], ins[0], ins[2]).item());
        assert.equal(twice.item(), a);
      }
    } finally {
      setBackend('auto');
    }
  }
});

test('fused triplet and Gaussian NLL: retainGraph keeps the precomputed gradients (a second backward adds the same again)', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    setBackend(backend);
    try {
      const ins = triple([30, 16], 'float32', 4);
      for (const t of ins) t.requiresGrad = true;
      const out = F.tripletMarginLoss(ins[0], ins[1], ins[2]);
      assert.equal(out.gradFn?.name, 'TripletMarginLossBackward');
      out.backward(null, { retainGraph: true });
      const once = ins.map((t) => [...t.grad!.data] as number[]);
      out.backward();
      ins.forEach((t, i) => assert.deepEqual([...t.grad!.data], once[i].map((v) => Math.fround(v + v))));
      const [x, y, v] = [randn([40], { seed: 1 }), randn([40], { seed: 2 }), randn([40], { seed: 3 }).abs()].map((t) => t.detach());
      x.requiresGrad = true;
      v.requiresGrad = true;
      const g = F.gaussianNllLoss(x, y, v);
      g.backward(null, { retainGraph: true });
      const gx = [...x.grad!.data] as number[];
      const gv = [...v.grad!.data] as number[];
      g.backward();
      assert.deepEqual([...x.grad!.data], gx.map((u) => Math.fround(u + u)));
      assert.deepEqual([...v.grad!.data], gv.map((u) => Math.fround(u + u)));
    } finally {
      setBackend('auto');
    }
  }
});
