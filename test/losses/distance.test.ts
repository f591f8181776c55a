import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, tensor, gradcheck, randn } from '../../src/index.js';
import { close } from '../helpers/index.js';

test('pairwiseDistance and cosineSimilarity: float64 gradcheck', () => {
  const a = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const b = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 2 });
  for (const p of [1, 2, 3, 1.5, 0.5, Infinity]) assert.equal(gradcheck((x, y) => F.pairwiseDistance(x, y, { p }), [a, b]), true);
  assert.equal(gradcheck((x, y) => F.pairwiseDistance(x, y, { keepdim: true }), [a, b]), true);
  assert.equal(gradcheck((x, y) => F.cosineSimilarity(x, y), [a, b]), true);
  assert.equal(gradcheck((x, y) => F.cosineSimilarity(x, y, { dim: 0 }), [a, b]), true);
});

test('cosineSimilarity stays in [-1, 1] and is 0 for a zero vector; norm gradients are 0 at 0', () => {
  close(F.cosineSimilarity(tensor([[3e150, 4e150]], { dtype: 'float64' }), tensor([[3e150, 4e150]], { dtype: 'float64' })).item(), 1);
  assert.equal(F.cosineSimilarity(tensor([[0, 0]]), tensor([[1, 1]])).item(), 0);
  const z = tensor([[0, 0]], { dtype: 'float64', requiresGrad: true });
  F.pairwiseDistance(z, tensor([[0, 0]], { dtype: 'float64' }), { eps: 0 }).sum().backward();
  assert.deepEqual(z.grad!.toArray(), [[0, 0]]);
});
