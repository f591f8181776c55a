import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, RuntimeError, ValueError } from '../../src/index.js';
import { close } from '../helpers/index.js';

test('tripletMarginLoss: float64 gradcheck of anchor, positive and negative, every option', () => {
  const a = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const p = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 2 });
  const n = randn([4, 3], { dtype: 'float64', requiresGrad: true, seed: 3 });
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const opts of [{}, { p: 1 }, { swap: true }, { margin: 2, p: 3 }, { p: 1.5 }, { p: Infinity }]) {
      assert.equal(gradcheck((x, y, z) => F.tripletMarginLoss(x, y, z, { ...opts, reduction }), [a, p, n]), true);
    }
  }
});

test('tripletMarginLoss: eps is added to the difference; 2.x margin and ndim checks', () => {
  const z = tensor([[0, 0]], { dtype: 'float64' });
  close(F.tripletMarginLoss(z, z, tensor([[3, 4]], { dtype: 'float64' }), { margin: 10, eps: 0 }).item(), 5);
  close(F.pairwiseDistance(z, z).item(), Math.SQRT2 * 1e-6, 1e-9);
  assert.throws(() => F.tripletMarginLoss(z, z, z, { margin: 0 }), (e: Error) => e instanceof ValueError && e.message.includes('margin must be greater than 0, got 0'));
  assert.throws(() => new nn.TripletMarginLoss({ margin: -1 }), (e: Error) => e instanceof ValueError && e.message.includes('TripletMarginLoss: expected margin to be greater than 0, got -1.0 instead'));
  assert.throws(() => F.tripletMarginLoss(z, tensor([0, 0]), z), (e: Error) => e instanceof RuntimeError && e.message.includes('anchor 2D, positive 1D, and negative 2D inputs'));
});
