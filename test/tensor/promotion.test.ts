import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, promoteTypes, resultType, broadcastShapes, RuntimeError } from '../../src/index.js';

test('promoteTypes follows PyTorch for the five dtypes', () => {
  assert.equal(promoteTypes('float32', 'float64'), 'float64');
  assert.equal(promoteTypes('int64', 'float32'), 'float32');
  assert.equal(promoteTypes('int32', 'int64'), 'int64');
  assert.equal(promoteTypes('bool', 'int32'), 'int32');
});

test('0-dim tensors and plain numbers do not raise the category-mates dtype', () => {
  assert.equal(resultType([{ dtype: 'float32', ndim: 1 }, { dtype: 'float64', ndim: 0 }]), 'float32');
  assert.equal(resultType([{ dtype: 'int32', ndim: 1 }, { dtype: 'float64', ndim: 0 }]), 'float64');
  assert.equal(resultType([{ dtype: 'int32', ndim: 1 }, { dtype: 'float64', ndim: 0, wrapped: true }]), 'float32');
  assert.equal(resultType([{ dtype: 'int32', ndim: 1 }, { dtype: 'int64', ndim: 0, wrapped: true }]), 'int32');
  assert.equal(tensor([1, 2], { dtype: 'int32' }).add(2).dtype, 'int32');
  assert.equal(tensor([1, 2], { dtype: 'int32' }).add(2.5).dtype, 'float32');
  assert.equal(tensor([1, 2], { dtype: 'float64' }).mul(2).dtype, 'float64');
  assert.equal(tensor([1, 2]).add(tensor([1, 2], { dtype: 'float64' })).dtype, 'float64');
  assert.equal(tensor([1, 2], { dtype: 'int64' }).div(2).dtype, 'float32');
});

test('broadcasting follows the right-aligned rule, with PyTorch message', () => {
  assert.deepEqual(broadcastShapes([3, 1], [4]), [3, 4]);
  assert.deepEqual(broadcastShapes([], [2, 2]), [2, 2]);
  assert.deepEqual(tensor([[1], [2]]).add(tensor([10, 20, 30])).toArray(), [[11, 21, 31], [12, 22, 32]]);
  assert.throws(
    () => tensor([[1, 2, 3, 4]]).add(tensor([[1, 2, 3, 4, 5]])),
    (e: Error) => e instanceof RuntimeError && e.message === 'The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1',
  );
});
