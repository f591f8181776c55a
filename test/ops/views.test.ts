// Strided views (src/ops/shape.ts, src/tensor/tensor.ts): expand, permute/transpose/T, narrow,
// select, reshape/view/flatten, unsqueeze/squeeze share their input's storage; `.data` of a view is
// a fresh contiguous copy; ops read views in place (elementwise, full reductions, matmul); gradients
// through every view op by finite differences; detached storage is still caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, tensor, randn, gradcheck, optim, F, RuntimeError, Tensor } from '../../src/index.js';

const m23 = () => tensor([[1, 2, 3], [4, 5, 6]]); // float32

/** Counts `.data` reads of views (each one a copy) while `fn` runs. */
function viewReads(fn: () => void): number {
  const d = Object.getOwnPropertyDescriptor(Tensor.prototype, 'data')!;
  let n = 0;
  Object.defineProperty(Tensor.prototype, 'data', {
    ...d,
    get(this: Tensor) {
      if (!this.isPlain) n++;
      return d.get!.call(this);
    },
  });
  try {
    fn();
  } finally {
    Object.defineProperty(Tensor.prototype, 'data', d);
  }
  return n;
}

test('view ops share the storage, with PyTorch strides and offsets', () => {
  const x = arange(24, undefined, { dtype: 'float32' }).reshape(2, 3, 4);
  const cases: [string, Tensor, number[], number, boolean][] = [
    // name, view, PyTorch's stride(), storage_offset(), is_contiguous()
    ['reshape', x.reshape(6, 4), [4, 1], 0, true],
    ['permute', x.permute(1, 0, 2), [4, 12, 1], 0, false],
    ['transpose', x.transpose(0, 2), [1, 4, 12], 0, false],
    ['narrow dim 0', x.narrow(0, 1, 1), [12, 4, 1], 12, true],
    ['narrow dim 2', x.narrow(2, 1, 2), [12, 4, 1], 1, false],
    ['select', x.select(1, 2), [12, 1], 8, false],
    ['expand', tensor([[1], [2]]).expand(2, 3), [1, 0], 0, false],
    ['unsqueeze of a view', x.narrow(2, 1, 2).unsqueeze(1), [12, 12, 4, 1], 1, false],
    ['unsqueeze at the end', x.narrow(2, 1, 2).unsqueeze(3), [12, 4, 1, 1], 1, false],
    ['T then unsqueeze', arange(6).reshape(2, 3).T.unsqueeze(0), [3, 1, 3], 0, false],
    ['view of a permute', x.permute(1, 0, 2).view(3, 2, 2, 2), [4, 12, 2, 1], 0, false],
  ];
  for (const [name, v, stride, offset, contiguous] of cases) {
    assert.deepEqual(v.stride(), stride, name);
    assert.equal(v.offset, offset, name);
    assert.equal(v.isContiguous(), contiguous, name);
    assert.equal(v.storage, name === 'expand' || name === 'T then unsqueeze' ? v.storage : x.storage, name);
    assert.equal(v.storage.length, name === 'expand' ? 2 : name === 'T then unsqueeze' ? 6 : 24, `${name}: nothing copied`);
  }
  assert.deepEqual(arange(12).reshape(3, 4).T.view(2, 2, 3).stride(), [2, 1, 4]);
  assert.equal(x.stride(1), 4);
  assert.equal(x.stride(-1), 1);
  assert.equal(x.transpose(0, 1).T.T.storage, x.storage);
});

test('.data of a view is a contiguous copy with the values PyTorch gives, and writes to it stay there', () => {
  const x = m23();
  const t = x.T;
  assert.ok(!t.isContiguous());
  const d = t.data as Float32Array;
  assert.deepEqual(Array.from(d), [1, 4, 2, 5, 3, 6]); // the transpose of [[1,2,3],[4,5,6]], row-major
  assert.notEqual(d, t.data, 'a fresh array each read');
  assert.equal(d.buffer.byteLength, 6 * 4, 'its own buffer of exactly its bytes');
  d[0] = 100;
  assert.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(t.toArray(), [[1, 4], [2, 5], [3, 6]]);
  // a contiguous view over part of a larger storage copies too
  const n = x.narrow(0, 1, 1);
  assert.ok(n.isContiguous());
  assert.deepEqual(Array.from(n.data as Float32Array), [4, 5, 6]);
  assert.equal(n.data.buffer.byteLength, 3 * 4);
  // a plain tensor's data is its storage, as before
  assert.equal(x.data, x.storage);
  assert.equal(x.reshape(3, 2).data, x.data);
  assert.deepEqual(Array.from(x.narrow(1, 1, 2).data as Float32Array), [2, 3, 5, 6]);
  assert.deepEqual(Array.from(x.select(1, 0).data as Float32Array), [1, 4]);
  assert.deepEqual(Array.from(tensor([[1], [2]]).expand(2, 3).data as Float32Array), [1, 1, 1, 2, 2, 2]);
  const p = arange(24, undefined, { dtype: 'float64' }).reshape(2, 3, 4).permute(2, 0, 1);
  assert.equal((p.toArray() as number[][][])[3][1][2], 1 * 12 + 2 * 4 + 3);
  assert.deepEqual(Array.from(x.T.reshape(6).data as Float32Array), [1, 4, 2, 5, 3, 6]);
});

test('in-place writes to the base are seen by its views (an optimizer step), replaced data is not', () => {
  const w = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const wt = w.detach().T;
  const row = w.detach().select(0, 1);
  const big = w.detach().narrow(1, 2, 1).expand(2, 4);
  const opt = new optim.SGD([w], { lr: 1 });
  w.mul(tensor([[1, 1, 1], [1, 1, 2]])).sum().backward();
  opt.step(); // w -= grad, written into w's storage
  assert.deepEqual(w.toArray(), [[0, 1, 2], [3, 4, 4]]);
  assert.deepEqual(wt.toArray(), [[0, 3], [1, 4], [2, 4]]);
  assert.deepEqual(row.toArray(), [3, 4, 4]);
  assert.deepEqual(big.toArray(), [[2, 2, 2, 2], [4, 4, 4, 4]]);
  // `param.data = ...` gives the parameter new storage; views keep the old one, as in PyTorch
  w.data = [[9, 9, 9], [9, 9, 9]];
  assert.deepEqual(wt.toArray(), [[0, 3], [1, 4], [2, 4]]);
  // a view given new data becomes a plain tensor over it
  const v = tensor([[1, 2], [3, 4]]).T;
  v.data = new Float32Array([5, 6, 7, 8]);
  assert.ok(v.isPlain);
  assert.deepEqual(v.toArray(), [[5, 6], [7, 8]]);
});

test('views over a user array read it and never write it', () => {
  const user = new Float64Array([1, 2, 3, 4, 5, 6]);
  const x = tensor(user, { shape: [2, 3], dtype: 'float64', requiresGrad: true });
  const y = x.T.mul(2).add(x.narrow(1, 0, 1).T.expand(3, 2)).exp().sum();
  y.backward();
  assert.deepEqual(Array.from(user), [1, 2, 3, 4, 5, 6]);
  assert.notEqual(x.grad!.data.buffer, user.buffer);
});

test('expand of one element to 1e9 costs no memory; an expanded operand is read with stride 0', () => {
  const before = process.memoryUsage().arrayBuffers;
  const e = tensor([1.5]).expand([1e9]);
  assert.deepEqual(e.shape, [1e9]);
  assert.equal(e.storage.length, 1);
  assert.deepEqual(e.stride(), [0]);
  assert.ok(process.memoryUsage().arrayBuffers - before < 1e6, 'no 4 GB array');
  const n = 300_000;
  const other = randn([n], { seed: 3 });
  const s = tensor([1.5]).expand([n]);
  let r!: Tensor;
  assert.equal(viewReads(() => (r = s.add(other))), 0, 'the expanded operand is not materialised');
  const o = other.data as Float32Array;
  const rd = r.data;
  for (let i = 0; i < n; i++) assert.equal(rd[i], Math.fround(1.5 + o[i]));
  // a row expanded to a matrix, and a column, beside a plain operand: the values of broadcasting
  const row = tensor([1, 2, 3]);
  const mat = arange(12, undefined, { dtype: 'float32' }).reshape(4, 3);
  assert.deepEqual(row.expand(4, 3).mul(mat).toArray(), row.mul(mat).toArray());
  const col = tensor([[1], [2], [3], [4]]);
  assert.deepEqual(mat.sub(col.expand(4, 3)).toArray(), mat.sub(col).toArray());
  assert.equal(viewReads(() => row.expand(4, 3).mul(mat).sum().item()), 0);
});

test('elementwise ops and reductions on transposed and narrowed views', () => {
  const a = randn([5, 7], { seed: 1, dtype: 'float64' });
  const b = randn([7, 5], { seed: 2, dtype: 'float64' });
  const plainT = (t: Tensor) => t.T.contiguous();
  assert.deepEqual(a.T.add(b).toArray(), plainT(a).add(b).toArray());
  assert.deepEqual(a.T.mul(a.T).toArray(), plainT(a).mul(plainT(a)).toArray());
  assert.deepEqual(a.narrow(1, 2, 3).exp().toArray(), a.contiguous().narrow(1, 2, 3).contiguous().exp().toArray());
  assert.deepEqual(a.T.sum(0).toArray(), plainT(a).sum(0).toArray());
  assert.deepEqual(a.T.max(1).toArray(), plainT(a).max(1).toArray());
  // a full sum of a transpose reads the storage in memory order, as PyTorch's does, with no copy
  let s = 0;
  for (const v of a.data as Float64Array) s += v;
  assert.equal(viewReads(() => assert.equal(a.T.sum().item(), s)), 0);
  assert.equal(viewReads(() => assert.equal(a.T.mean().item(), s / 35)), 0);
  // int64 views
  const i = tensor([[1, 2], [3, 4]], { dtype: 'int64' });
  assert.deepEqual(i.T.add(i).toArray(), [[2, 5], [5, 8]]);
  assert.deepEqual(i.T.sum().item(), 10);
});

test('matmul with .T views gives the numbers of contiguous copies, reading them in place', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const a = randn([6, 5], { seed: 4, dtype });
    const b = randn([4, 5], { seed: 5, dtype });
    const c = randn([6, 3], { seed: 6, dtype });
    let r!: Tensor;
    assert.equal(viewReads(() => (r = a.matmul(b.T))), 0, 'b.T is not copied');
    assert.deepEqual(r.toArray(), a.matmul(b.T.contiguous()).toArray());
    assert.equal(viewReads(() => (r = a.T.matmul(c))), 0, 'a.T is not copied');
    assert.deepEqual(r.toArray(), a.T.contiguous().matmul(c).toArray());
    assert.deepEqual(c.T.matmul(a.T.T).toArray(), c.T.contiguous().matmul(a).toArray());
    // a view that is not a transpose is read through .data
    assert.deepEqual(a.narrow(1, 1, 3).matmul(c.T.narrow(0, 0, 3)).toArray(), a.narrow(1, 1, 3).contiguous().matmul(c.T.narrow(0, 0, 3).contiguous()).toArray());
  }
});

test('gradients through every view op (finite differences)', () => {
  const opts = { dtype: 'float64' as const, requiresGrad: true };
  const x = () => randn([3, 4], { ...opts, seed: 1 });
  const w = randn([4, 3], { dtype: 'float64', seed: 9 });
  const fns: [string, (t: Tensor) => Tensor][] = [
    ['expand', (t) => t.narrow(0, 0, 1).expand(5, 4).mul(randn([5, 4], { dtype: 'float64', seed: 2 }))],
    ['expand new dims', (t) => t.expand(2, 3, 4).exp()],
    ['permute', (t) => t.reshape(3, 2, 2).permute(2, 0, 1).mul(arange(12, undefined, { dtype: 'float64' }).reshape(2, 3, 2))],
    ['transpose', (t) => t.transpose(0, 1).mul(w)],
    ['T', (t) => t.T.square()],
    ['narrow', (t) => t.narrow(1, 1, 2).exp()],
    ['select', (t) => t.select(1, 2).mul(tensor([1, 2, 3], { dtype: 'float64' }))],
    ['reshape of a transpose (copies)', (t) => t.T.reshape(12).mul(arange(12, undefined, { dtype: 'float64' }))],
    ['view of a transpose', (t) => t.T.view(2, 2, 3).mul(arange(12, undefined, { dtype: 'float64' }).reshape(2, 2, 3))],
    ['flatten of a transpose', (t) => t.T.flatten().square()],
    ['contiguous', (t) => t.T.contiguous().mul(w)],
    ['unsqueeze/squeeze of views', (t) => t.T.unsqueeze(1).squeeze(1).narrow(0, 1, 2).unsqueeze(0).square()],
    ['chained', (t) => t.narrow(0, 1, 1).T.expand(4, 3).mul(t.T)],
    ['sum of a transpose', (t) => t.T.mul(t.T).sum()],
    ['mean of a narrow', (t) => t.narrow(1, 0, 3).square().mean(0)],
    ['matmul t @ q.T', (t) => t.matmul(randn([5, 4], { dtype: 'float64', seed: 8 }).T)],
    ['matmul t.T @ w.T', (t) => t.T.matmul(w.T)],
    ['matmul with a narrow', (t) => t.narrow(1, 0, 3).matmul(w.narrow(0, 1, 3))],
    ['loss on views', (t) => F.mseLoss(t.T, w)],
  ];
  for (const [name, fn] of fns) assert.ok(gradcheck(fn, [x()]), name);
  // both operands of a product of transposed views
  const u = randn([5, 3], { ...opts, seed: 7 });
  assert.ok(gradcheck((p, q) => p.T.matmul(q.T), [x(), u]));
  assert.ok(gradcheck((p, q) => q.matmul(p).T.exp(), [x(), randn([5, 3], { ...opts, seed: 8 })]));
  // the gradient of an expanded scalar is the sum over its expansion
  const s = tensor([2], { requiresGrad: true });
  s.expand(1000).mul(arange(1000, undefined, { dtype: 'float32' })).sum().backward();
  assert.deepEqual(s.grad!.toArray(), [499500]);
});

test('view, reshape and contiguous: PyTorch semantics and errors', () => {
  const x = m23();
  assert.throws(() => x.T.view(6), (e: Error) => e instanceof RuntimeError && /view size is not compatible with input tensor's size and stride/.test(e.message));
  const r = x.T.reshape(6);
  assert.ok(r.isPlain && r.storage !== x.storage, 'reshape of a transpose copies');
  assert.deepEqual(r.toArray(), [1, 4, 2, 5, 3, 6]);
  assert.equal(x.contiguous(), x);
  const n = x.narrow(0, 1, 1);
  assert.equal(n.contiguous(), n, 'already contiguous: itself');
  assert.equal(n.view(3).storage, x.storage);
  const c = x.T.contiguous();
  assert.ok(c.isPlain && c.isContiguous());
  assert.deepEqual(c.toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(x.T.stride(), [1, 3]);
  assert.deepEqual(c.stride(), [2, 1]);
  // detach keeps a view a view of the same storage
  const d = x.T.detach();
  assert.equal(d.storage, x.storage);
  assert.deepEqual(d.toArray(), [[1, 4], [2, 5], [3, 6]]);
  // a view assigned as a gradient is stored contiguous, so backward can add to it in place
  const p = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  p.grad = tensor([[1, 2], [3, 4]]).T;
  p.sum().backward();
  assert.deepEqual(p.grad!.toArray(), [[2, 4], [3, 5]]);
  // 0-d and empty tensors
  assert.deepEqual(tensor(3).expand(2, 2).toArray(), [[3, 3], [3, 3]]);
  assert.deepEqual(tensor(3).reshape(1, 1).toArray(), [[3]]);
  assert.deepEqual(tensor([[1, 2]]).narrow(1, 1, 0).T.shape, [0, 1]);
  assert.deepEqual(tensor([[1, 2]]).narrow(1, 1, 0).T.reshape(0).shape, [0]);
});

test('a view of a detached (transferred) storage throws as data would', () => {
  const buf = new Float32Array([1, 2, 3, 4, 5, 6]);
  const x = tensor(buf, { shape: [2, 3] });
  const t = x.T;
  const e = x.narrow(1, 0, 1).expand(2, 5);
  structuredClone(buf.buffer, { transfer: [buf.buffer] });
  assert.ok(t.isDetachedBuffer && e.isDetachedBuffer);
  assert.throws(() => t.data, (err: Error) => err instanceof RuntimeError && /detached/.test(err.message));
  assert.throws(() => t.add(1), (err: Error) => err instanceof RuntimeError && /detached/.test(err.message));
  assert.throws(() => t.T, (err: Error) => err instanceof RuntimeError && /detached/.test(err.message));
  assert.throws(() => F.mseLoss(t, t), (err: Error) => err instanceof RuntimeError && /argument 'input'/.test(err.message));
  // a view that needs only part of its storage is fine while that part is there
  assert.ok(!tensor([1, 2, 3]).narrow(0, 0, 1).isDetachedBuffer);
});

test('16-bit tensors keep copying for shape ops, with the right values', () => {
  for (const dtype of ['float16', 'bfloat16'] as const) {
    const h = tensor([[1, 2, 3], [4, 5, 6]], { dtype });
    assert.equal(h.T.dtype, dtype);
    assert.deepEqual(h.T.toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.deepEqual(h.narrow(1, 1, 2).toArray(), [[2, 3], [5, 6]]);
    assert.deepEqual(h.select(0, 1).expand(2, 3).toArray(), [[4, 5, 6], [4, 5, 6]]);
    assert.ok(h.isContiguous());
    assert.deepEqual(h.stride(), [3, 1]);
  }
});

test('broadcast operands (plain or expanded) are read in place, chunk by chunk, with the values of a plain loop', () => {
  const R = 5;
  const C = 300; // rows long enough to be walked in chunks
  const m = randn([R, C], { seed: 11 });
  const row = randn([C], { seed: 12 });
  const col = randn([R, 1], { seed: 13 }).add(2);
  const mv = m.data as Float32Array;
  const rv = row.data as Float32Array;
  const cv = col.data as Float32Array;
  const f = Math.fround;
  const check = (t: Tensor, want: (i: number, j: number) => number, name: string) => {
    assert.deepEqual(t.shape, [R, C], name);
    const d = t.data as Float32Array;
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) assert.equal(d[i * C + j], want(i, j), `${name} [${i}, ${j}]`);
  };
  for (const [name, r, c] of [['plain', row, col], ['expanded', row.expand(R, C), col.expand(R, C)]] as const) {
    check(m.add(r), (i, j) => f(mv[i * C + j] + rv[j]), `${name} add row`);
    check(r.sub(m), (i, j) => f(rv[j] - mv[i * C + j]), `${name} sub row`);
    check(m.div(c), (i, j) => f(mv[i * C + j] / cv[i]), `${name} div column`);
    check(c.mul(r), (i, j) => f(cv[i] * rv[j]), `${name} column times row`);
    check(m.maximum(r), (i, j) => f(Math.max(mv[i * C + j], rv[j])), `${name} maximum (generic loop)`);
    check(r.where(m.gt(0), c), (i, j) => (mv[i * C + j] > 0 ? rv[j] : cv[i]), `${name} where, three inputs`);
  }
  // a [C] row over [2, 3, C] and a [3, 1] column over [2, 3, C]
  const big = randn([2, 3, C], { seed: 14 });
  const bv = big.data as Float32Array;
  const c3 = randn([3, 1], { seed: 15 });
  const c3v = c3.data as Float32Array;
  const s = big.mul(c3).add(row).data as Float32Array;
  for (let k = 0; k < 6 * C; k++) assert.equal(s[k], f(f(bv[k] * c3v[Math.floor(k / C) % 3]) + rv[k % C]));
  // gradients of broadcast inputs through the chunked loops
  const opts = { dtype: 'float64' as const, requiresGrad: true };
  assert.ok(gradcheck((a, b) => a.mul(b).add(b.exp()), [randn([2, C], { ...opts, seed: 16 }), randn([C], { ...opts, seed: 17 })]));
  const shifted = randn([2, 1], { dtype: 'float64', seed: 19 }).add(3);
  shifted.requiresGrad = true;
  assert.ok(gradcheck((a, b) => a.T.div(b).maximum(b), [randn([C, 2], { ...opts, seed: 18 }), shifted]));
});

test('sum and mean over expanded dims read only what was expanded', () => {
  const e = tensor([1.5]).expand([1e9]);
  assert.equal(viewReads(() => assert.equal(e.sum().item(), 1.5e9)), 0);
  assert.equal(e.mean().item(), 1.5);
  const row = tensor([1, 2, 3], { dtype: 'float64' });
  assert.deepEqual(row.expand(4, 3).sum(0).toArray(), [4, 8, 12]);
  assert.deepEqual(row.expand(4, 3).sum(1, true).toArray(), [[6], [6], [6], [6]]);
  assert.deepEqual(row.expand(2, 4, 3).mean([0, 1]).toArray(), [1, 2, 3]);
  const col = tensor([[1], [2]], { dtype: 'int64' });
  const s = col.expand(2, 5).sum(1);
  assert.equal(s.dtype, 'int64');
  assert.deepEqual(s.toArray(), [5, 10]);
  assert.deepEqual(tensor([[1, 2]]).expand(0, 2).sum(0).toArray(), [0, 0]);
  assert.ok(Number.isNaN(tensor([[1, 2]]).expand(0, 2).mean(0).toArray()[0 as never]));
  const opts = { dtype: 'float64' as const, requiresGrad: true };
  assert.ok(gradcheck((t) => t.unsqueeze(1).expand(3, 4, 2).sum([0, 1]), [randn([3, 1], { ...opts, seed: 20 })]));
  assert.ok(gradcheck((t) => t.expand(5, 3).square().mean(0), [randn([3], { ...opts, seed: 21 })]));
  assert.ok(gradcheck((t) => t.expand(5, 3).mean(0), [randn([3], { ...opts, seed: 22 })]));
});

test('printing a view reads it through its strides: PyTorch text, no full copy', () => {
  const before = process.memoryUsage().arrayBuffers;
  const big = tensor([1.5]).expand([1e9]);
  assert.equal(big.toString(), 'tensor([1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000])'); // PyTorch 1.13's print
  assert.ok(process.memoryUsage().arrayBuffers - before < 1 << 20, 'printing an expanded view allocated its full size');
  assert.equal(arange(6, undefined, { dtype: 'float32' }).reshape([2, 3]).T.toString(), 'tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])');
  const m = arange(3000).reshape([3, 1000]).T.narrow(0, 1, 999); // summarised, as PyTorch prints it
  assert.equal(m.toString(), m.contiguous().toString());
});
