import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, arange, RuntimeError, IndexError, cat, stack } from '../../src/index.js';

const m = () => arange(6, undefined, { dtype: 'float32' }).reshape(2, 3);

test('reshape (views), with -1 inferred', () => {
  const t = m();
  const r = t.reshape(3, -1);
  assert.deepEqual(r.shape, [3, 2]);
  assert.equal(r.data, t.data);
  assert.throws(() => t.reshape(4, -1), RuntimeError);
  assert.throws(() => t.reshape(-1, -1), RuntimeError);
});

test('unsqueeze, squeeze, flatten', () => {
  const t = m();
  assert.deepEqual(t.unsqueeze(0).shape, [1, 2, 3]);
  assert.deepEqual(t.unsqueeze(-1).shape, [2, 3, 1]);
  assert.deepEqual(t.unsqueeze(0).unsqueeze(-1).squeeze().shape, [2, 3]);
  assert.deepEqual(t.unsqueeze(1).squeeze(1).shape, [2, 3]);
  assert.deepEqual(t.squeeze(0).shape, [2, 3]);
  assert.deepEqual(t.flatten().shape, [6]);
  assert.throws(() => t.unsqueeze(4), (e: Error) => e instanceof IndexError && /Dimension out of range \(expected to be in range of \[-3, 2\], but got 4\)/.test(e.message));
});

test('expand, permute, transpose (views) with the right values', () => {
  assert.deepEqual(tensor([[1], [2]]).expand(2, 3).toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(tensor([[1, 2]]).expand(3, -1).toArray(), [[1, 2], [1, 2], [1, 2]]);
  assert.throws(() => tensor([1, 2]).expand(-1, 2), /isn't allowed in a leading, non-existing dimension 0/);
  assert.throws(() => tensor([1, 2]).expand(3), RuntimeError);
  assert.deepEqual(m().transpose(0, 1).toArray(), [[0, 3], [1, 4], [2, 5]]);
  assert.deepEqual(m().T.toArray(), [[0, 3], [1, 4], [2, 5]]);
  const t3 = arange(24, undefined, { dtype: 'float32' }).reshape(2, 3, 4);
  const p = t3.permute(2, 0, 1);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal((p.toArray() as number[][][])[3][1][2], 1 * 12 + 2 * 4 + 3);
});

test('narrow, select, cat, stack', () => {
  assert.deepEqual(m().narrow(1, 1, 2).toArray(), [[1, 2], [4, 5]]);
  assert.deepEqual(m().select(0, 1).toArray(), [3, 4, 5]);
  assert.deepEqual(cat([m(), m()], 0).shape, [4, 3]);
  assert.deepEqual(cat([m(), m()], 1).toArray(), [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]]);
  assert.deepEqual(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray(), [[1, 3], [2, 4]]);
});

test('shape ops carry gradients back', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  x.T.mul(tensor([[1, 10], [2, 20], [3, 30]])).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[1, 2, 3], [10, 20, 30]]);
  const y = tensor([1, 2], { requiresGrad: true });
  y.unsqueeze(0).expand(3, 2).sum().backward();
  assert.deepEqual(y.grad!.toArray(), [3, 3]);
  const z = tensor([1, 2, 3, 4], { requiresGrad: true });
  cat([z.narrow(0, 0, 2).mul(2), z.narrow(0, 2, 2)], 0).sum().backward();
  assert.deepEqual(z.grad!.toArray(), [2, 2, 1, 1]);
});
