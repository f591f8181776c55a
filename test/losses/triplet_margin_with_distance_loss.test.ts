import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, gradcheck, randn, Tensor, ValueError } from '../../src/index.js';
import { close } from '../helpers/index.js';

const cosineDistance = (x: Tensor, y: Tensor) => F.cosineSimilarity(x, y).neg().add(1);

test('tripletMarginWithDistanceLoss: float64 gradcheck with the default and a custom distance', () => {
  const a = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const p = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 2 });
  const n = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 3 });
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const opts of [{}, { swap: true }, { distanceFunction: cosineDistance, margin: 0.5 }, { distanceFunction: cosineDistance, swap: true }]) {
      assert.equal(gradcheck((x, y, z) => F.tripletMarginWithDistanceLoss(x, y, z, { ...opts, reduction }), [a, p, n]), true);
    }
  }
});

test('tripletMarginWithDistanceLoss equals tripletMarginLoss with defaults; 2.x checks', () => {
  const [a, p, n] = [4, 5, 6].map((seed) => randn([5, 3], { dtype: 'float64', seed }));
  close(new nn.TripletMarginWithDistanceLoss().forward(a, p, n).item(), F.tripletMarginLoss(a, p, n).item(), 1e-12);
  assert.throws(() => F.tripletMarginWithDistanceLoss(a, p, n, { margin: -1 }), (e: Error) => e instanceof ValueError && e.message.includes('margin must be greater than 0, got -1'));
  assert.throws(() => F.tripletMarginWithDistanceLoss(a, p, n, { reduction: 'elementwise_mean' }), (e: Error) => e instanceof ValueError && e.message.includes('elementwise_mean is not a valid value for reduction'));
});
