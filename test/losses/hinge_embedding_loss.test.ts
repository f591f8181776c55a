import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn } from '../../src/index.js';

test('hingeEmbeddingLoss: float64 gradcheck of the input, every reduction and margin', () => {
  const x = randn([8], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const y = tensor([1, -1, 1, -1, 0.5, 0, 1, -1], { dtype: 'float64' });
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const margin of [1, 0.3, -0.5]) {
      assert.equal(gradcheck((a) => F.hingeEmbeddingLoss(a, y, { reduction, margin }), [x]), true);
    }
  }
});

test('hingeEmbeddingLoss: targets other than ±1 get both terms; the input dtype is kept', () => {
  const l = new nn.HingeEmbeddingLoss({ reduction: 'none' }).forward(tensor([0.3, 0.3, 0.3]), tensor([1, -1, 0.5], { dtype: 'float64' }));
  assert.equal(l.dtype, 'float32');
  assert.deepEqual((l.toArray() as number[]).map((v) => Math.round(v * 1e6) / 1e6), [0.3, 0.7, 1]);
});
