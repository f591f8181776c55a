// The specialised loops of the elementwise ops and reductions against plain per-element arithmetic:
// same values and gradients, bit for bit, for every broadcast pattern they handle separately
// (same shape, one value, a row tiled, a column spread, anything else through the index map).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, rand, tensor, Tensor, F } from '../../src/index.js';
import { logSigmoid, sub } from '../../src/ops/elementwise.js';

const f32 = (v: number): number => Math.fround(v);

/** Reads x at output position `idx` of `outShape`, broadcasting as numpy does. */
function at(x: Tensor, outShape: readonly number[], flat: number): number {
  const nd = outShape.length;
  const idx: number[] = new Array(nd);
  for (let d = nd - 1, r = flat; d >= 0; d--) {
    idx[d] = r % outShape[d];
    r = Math.floor(r / outShape[d]);
  }
  const off = nd - x.ndim;
  let k = 0;
  for (let d = 0; d < x.ndim; d++) k = k * x.shape[d] + (x.shape[d] === 1 ? 0 : idx[d + off]);
  return Number(x.data[k]);
}

const shapes: [string, number[], number[]][] = [
  ['same shape', [3, 4], [3, 4]],
  ['scalar operand', [3, 4], []],
  ['one-element operand', [3, 4], [1, 1]],
  ['row', [3, 4], [4]],
  ['row with leading 1', [2, 3, 4], [1, 3, 4]],
  ['column', [3, 4], [3, 1]],
  ['column of a 3-d', [2, 3, 4], [2, 3, 1]],
  ['middle dim (index map)', [2, 3, 4], [2, 1, 4]],
  ['both broadcast', [3, 1], [1, 4]],
];

const binary: [string, (a: Tensor, b: Tensor) => Tensor, (p: number, q: number) => number][] = [
  ['add', (a, b) => a.add(b), (p, q) => p + q],
  ['sub', (a, b) => a.sub(b), (p, q) => p - q],
  ['mul', (a, b) => a.mul(b), (p, q) => p * q],
  ['div', (a, b) => a.div(b), (p, q) => p / q],
];

for (const [sname, sa, sb] of shapes) {
  for (const [oname, op, f] of binary) {
    test(`${oname}, ${sname}: values and both gradients`, () => {
      const a = randn(sa, { seed: 1, requiresGrad: true });
      const b = rand(sb, { seed: 2 }).add(0.5).detach();
      b.requiresGrad = true;
      const out = op(a, b);
      const n = out.numel;
      for (let k = 0; k < n; k++) assert.equal(out.data[k], f32(f(at(a, out.shape, k), at(b, out.shape, k))), `element ${k}`);
      const g = randn([...out.shape], { seed: 3 });
      out.backward(g);
      // the gradient of each input: its derivative per output element, summed over broadcast dims
      const want = (x: Tensor, d: (p: number, q: number, gk: number) => number) => {
        const acc = new Float64Array(x.numel);
        for (let k = 0; k < n; k++) {
          let idx = 0;
          const nd = out.ndim;
          const pos: number[] = [];
          for (let dd = nd - 1, r = k; dd >= 0; dd--) {
            pos[dd] = r % out.shape[dd];
            r = Math.floor(r / out.shape[dd]);
          }
          const off = nd - x.ndim;
          for (let dd = 0; dd < x.ndim; dd++) idx = idx * x.shape[dd] + (x.shape[dd] === 1 ? 0 : pos[dd + off]);
          acc[idx] += f32(d(at(a, out.shape, k), at(b, out.shape, k), Number(g.data[k])));
        }
        return [...acc].map(f32);
      };
      const da: Record<string, (p: number, q: number, gk: number) => number> = {
        add: (_p, _q, gk) => gk, sub: (_p, _q, gk) => gk, mul: (_p, q, gk) => gk * q, div: (_p, q, gk) => gk / q,
      };
      const db: Record<string, (p: number, q: number, gk: number) => number> = {
        add: (_p, _q, gk) => gk, sub: (_p, _q, gk) => -gk, mul: (p, _q, gk) => gk * p, div: (p, q, gk) => (-gk * p) / (q * q),
      };
      assert.deepEqual([...a.grad!.data].map(Number), want(a, da[oname]));
      const gotB = [...b.grad!.data].map(Number);
      const wantB = want(b, db[oname]);
      for (let i = 0; i < gotB.length; i++) assert.ok(Math.abs(gotB[i] - wantB[i]) <= 1e-6 * (1 + Math.abs(wantB[i])), `b.grad[${i}]`);
    });
  }
}

test('a gradient handed back as it is never aliases another tensor or a leaf\'s .grad', () => {
  const a = randn([5], { seed: 1, requiresGrad: true });
  const b = randn([5], { seed: 2, requiresGrad: true });
  const g = randn([5], { seed: 3 });
  const before = [...g.data];
  const s = a.add(b);
  s.backward(g);
  assert.notEqual(a.grad!.data.buffer, b.grad!.data.buffer);
  assert.notEqual(a.grad!.data.buffer, g.data.buffer);
  assert.notEqual(b.grad!.data.buffer, g.data.buffer);
  (a.grad!.data as Float32Array)[0] = 123;
  assert.deepEqual([...b.grad!.data], before);
  assert.deepEqual([...g.data], before);
  const c = randn([5], { seed: 4, requiresGrad: true });
  c.clone().add(c).sum().backward();
  assert.deepEqual([...c.grad!.data], [2, 2, 2, 2, 2]);
});

const reductions: [string, number[], number | number[] | undefined][] = [
  ['all', [3, 4, 5], undefined],
  ['last', [3, 4, 5], -1],
  ['trailing two', [3, 4, 5], [1, 2]],
  ['first', [3, 4, 5], 0],
  ['leading two', [3, 4, 5], [0, 1]],
  ['middle', [3, 4, 5], 1],
  ['first and last (index plan)', [3, 4, 5], [0, 2]],
  ['size-1 dims between', [3, 1, 5], [0, 2]],
  ['empty dim', [0, 4], 1],
  ['reduce an empty dim', [3, 0], 1],
];

for (const [name, shape, dim] of reductions) {
  test(`sum, mean and the 2-norm over ${name}: the float64 sum in input order, and the gradients`, () => {
    const x = randn(shape, { seed: 5, requiresGrad: true });
    const dims = dim === undefined ? shape.map((_, i) => i) : (typeof dim === 'number' ? [dim] : dim).map((d) => (d < 0 ? d + shape.length : d));
    const outShape = shape.filter((_, i) => !dims.includes(i));
    const outN = outShape.reduce((p, q) => p * q, 1);
    const n = x.numel;
    const outOf = (k: number): number => {
      let o = 0;
      for (let d = shape.length - 1, r = k, m = 1; d >= 0; d--) {
        const i = r % shape[d];
        r = Math.floor(r / shape[d]);
        if (!dims.includes(d)) {
          o += i * m;
          m *= shape[d];
        }
      }
      return o;
    };
    const s = new Float64Array(outN);
    const q = new Float64Array(outN);
    for (let k = 0; k < n; k++) {
      s[outOf(k)] += x.data[k] as number;
      q[outOf(k)] += (x.data[k] as number) ** 2;
    }
    const count = outN === 0 ? 0 : n / outN;
    const sum = x.sum(dim);
    const mean = x.mean(dim);
    const norm = x.norm(2, dim);
    assert.deepEqual(sum.shape, outShape);
    assert.deepEqual([...sum.data], [...s].map(f32));
    assert.deepEqual([...mean.data], [...s].map((v) => f32(v / count)));
    assert.deepEqual([...norm.data], [...q].map((v) => f32(Math.sqrt(v))));
    assert.deepEqual(x.sum(dim, true).shape, shape.map((v, i) => (dims.includes(i) ? 1 : v)));
    const g = randn(outShape, { seed: 6 });
    sum.add(mean).add(norm).backward(g);
    for (let k = 0; k < n; k++) {
      const o = outOf(k);
      const gk = g.data[o] as number;
      const nv = norm.data[o] as number;
      const want = f32(f32(f32(gk) + f32(gk * (1 / count))) + f32(nv === 0 ? 0 : gk * ((x.data[k] as number) / nv)));
      assert.ok(Math.abs((x.grad!.data[k] as number) - want) <= 1e-6 * (1 + Math.abs(want)), `grad ${k}`);
    }
  });
}

test('multilabelSoftMarginLoss: its one-loop elementwise term equals the composition bit for bit (value, input and target gradients)', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const mk = () => {
      const x = randn([6, 7], { seed: 7, dtype }).mul(4).detach();
      x.data[0] = 0;
      x.data[1] = -0;
      x.data[2] = 30;
      x.data[3] = -30;
      x.requiresGrad = true;
      const y = rand([6, 7], { seed: 8, dtype }).detach();
      y.requiresGrad = true;
      return [x, y];
    };
    const [x1, y1] = mk();
    const fused = F.multilabelSoftMarginLoss(x1, y1, { reduction: 'none' });
    const [x2, y2] = mk();
    const composed = y2.mul(logSigmoid(x2)).add(sub(1, y2).mul(logSigmoid(x2.neg()))).neg().sum(1).div(7);
    assert.deepEqual([...fused.data], [...composed.data]);
    const g = randn([6], { seed: 9, dtype });
    fused.backward(g);
    composed.backward(g);
    assert.deepEqual([...x1.grad!.data], [...x2.grad!.data]);
    assert.deepEqual([...y1.grad!.data], [...y2.grad!.data]);
  }
});

test('the elementwise ops keep integer and bool results as before', () => {
  assert.deepEqual(tensor([1, 2, 3], { dtype: 'int32' }).add(tensor([4, 5, 6], { dtype: 'int32' })).toArray(), [5, 7, 9]);
  assert.deepEqual(tensor([1, 2, 3], { dtype: 'int64' }).mul(2).toArray(), [2, 4, 6]);
  assert.equal(tensor([1, 2, 3], { dtype: 'int64' }).mul(2).dtype, 'int64');
  assert.deepEqual(tensor([true, false]).add(tensor([true, true])).toArray(), [true, true]);
  assert.deepEqual(tensor([[1, 2], [3, 4]], { dtype: 'int64' }).sum(1).toArray(), [3, 7]);
});

test('rowDot and rowDistance equal the compositions they replace bit for bit (values and gradients, float32 and float64)', async () => {
  const { rowDot, rowDistance } = await import('../../src/ops/reduce.js');
  for (const dtype of ['float32', 'float64'] as const) {
    for (const shape of [[5, 7], [7], [2, 3, 4]]) {
      const mk = () => {
        const a = randn(shape, { seed: 1, dtype }).detach();
        const b = randn(shape, { seed: 2, dtype }).detach();
        b.data[0] = a.data[0]; // a zero difference
        a.requiresGrad = true;
        b.requiresGrad = true;
        return [a, b];
      };
      const g = randn(shape.slice(0, -1), { seed: 3, dtype });
      const check = (fast: (a: Tensor, b: Tensor) => Tensor, slow: (a: Tensor, b: Tensor) => Tensor, same: boolean) => {
        const [a1, b1] = mk();
        const [a2, b2] = mk();
        const f = fast(a1, same ? a1 : b1);
        const s = slow(a2, same ? a2 : b2);
        assert.deepEqual(f.shape, s.shape);
        assert.deepEqual([...f.data], [...s.data]);
        f.backward(g);
        s.backward(g);
        assert.deepEqual([...a1.grad!.data], [...a2.grad!.data]);
        if (!same) assert.deepEqual([...b1.grad!.data], [...b2.grad!.data]);
      };
      check((a, b) => rowDot(a, b)!, (a, b) => a.mul(b).sum(-1), false);
      check((a, b) => rowDot(a, b)!, (a, b) => a.mul(b).sum(-1), true);
      check((a, b) => rowDistance(a, b, 1e-6)!, (a, b) => a.sub(b).add(1e-6).norm(2, -1), false);
    }
  }
  assert.equal(rowDot(randn([2, 3]), randn([3])), null);
  assert.equal(rowDistance(randn([2, 3]), randn([2, 3], { dtype: 'float64' }), 1e-6), null);
});

test('cosineEmbeddingLoss on its one-node rows matches the formula; tripletMarginWithDistanceLoss by default equals tripletMarginLoss', () => {
  const x1 = randn([6, 5], { seed: 1, requiresGrad: true });
  const x2 = randn([6, 5], { seed: 2 });
  const y = tensor([1, -1, 1, -1, 0, 1]);
  const a = F.cosineEmbeddingLoss(x1, x2, y, { margin: 0.1 });
  // against the formula, with the float32 products the composition rounds
  const cos = (i: number) => {
    let p = 0, m1 = 0, m2 = 0;
    for (let j = 0; j < 5; j++) {
      const u = x1.data[i * 5 + j] as number, v = x2.data[i * 5 + j] as number;
      p += Math.fround(u * v); m1 += Math.fround(u * u); m2 += Math.fround(v * v);
    }
    return p / Math.sqrt((m1 + 1e-12) * (m2 + 1e-12));
  };
  const ys = [1, -1, 1, -1, 0, 1];
  const want = ys.map((t, i) => (t === 1 ? 1 - cos(i) : t === -1 ? Math.max(0, cos(i) - 0.1) : 0)).reduce((p, q) => p + q) / 6;
  assert.ok(Math.abs(a.item() - want) < 1e-6);
  const an = randn([4, 3], { seed: 4 }), po = randn([4, 3], { seed: 5 }), ne = randn([4, 3], { seed: 6 });
  const t1 = F.tripletMarginLoss(an, po, ne).item();
  const t2 = F.tripletMarginLoss(an, po.unsqueeze(0).expand([1, 4, 3]).reshape([4, 3]), ne).item();
  const t3 = F.tripletMarginWithDistanceLoss(an, po, ne).item();
  assert.equal(t1, t2);
  assert.equal(t1, t3);
});
