import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, RuntimeError } from '../../src/index.js';
import { close } from '../helpers/index.js';

test('cosineEmbeddingLoss: float64 gradcheck of both inputs, every reduction and margin', () => {
  const x1 = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const x2 = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 2 });
  const y = tensor([1, -1, 1, -1], { dtype: 'float64' });
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const margin of [0, 0.3, -0.5]) {
      assert.equal(gradcheck((a, b) => F.cosineEmbeddingLoss(a, b, y, { reduction, margin }), [x1, x2]), true);
    }
  }
  const a = randn([3], { dtype: 'float64', requiresGrad: true, seed: 3 });
  const b = randn([3], { dtype: 'float64', requiresGrad: true, seed: 4 });
  assert.equal(gradcheck((p, q) => F.cosineEmbeddingLoss(p, q, tensor(1)), [a, b]), true);
});

test('cosineEmbeddingLoss: 1 - cos for similar pairs, 0 for other targets; both ndims checked', () => {
  close(new nn.CosineEmbeddingLoss().forward(tensor([[1, 0]], { dtype: 'float64' }), tensor([[1, 1]], { dtype: 'float64' }), tensor([1])).item(), 1 - Math.SQRT1_2, 1e-9);
  assert.equal(F.cosineEmbeddingLoss(tensor([[1, 0]]), tensor([[1, 1]]), tensor([0])).item(), 0);
  assert.throws(() => F.cosineEmbeddingLoss(tensor([1, 0]), tensor([[1, 1]]), tensor(1)), (e: Error) => e instanceof RuntimeError && e.message.includes('0D target tensor expects 1D input tensors, but found inputs with sizes [2] and [1, 2].'));
});
