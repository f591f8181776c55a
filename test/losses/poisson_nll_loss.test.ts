import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, rand, ValueError } from '../../src/index.js';
import { close } from '../helpers/index.js';

test('poissonNllLoss: float64 gradcheck of input and target, every option', () => {
  const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const rate = rand([3, 4], { dtype: 'float64', seed: 2 }).add(0.2).detach();
  rate.requiresGrad = true;
  const y = rand([3, 4], { dtype: 'float64', seed: 3 }).mul(4).add(0.1).detach();
  y.requiresGrad = true;
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const full of [false, true]) {
      assert.equal(gradcheck((a, b) => F.poissonNllLoss(a, b, { reduction, full }), [x, y]), true);
      assert.equal(gradcheck((a, b) => F.poissonNllLoss(a, b, { reduction, full, logInput: false }), [rate, y]), true);
    }
  }
});

test('poissonNllLoss: the formula, the Stirling term only above 1, the reduction message of its Python check', () => {
  const l = F.poissonNllLoss(tensor([0.5, 2], { dtype: 'float64' }), tensor([1, 3], { dtype: 'float64' }), { reduction: 'none', full: true });
  const [a, b] = l.toArray() as number[];
  close(a, Math.exp(0.5) - 0.5);
  close(b, Math.exp(2) - 6 + 3 * Math.log(3) - 3 + 0.5 * Math.log(2 * Math.PI * 3));
  close(new nn.PoissonNLLLoss({ logInput: false, eps: 0 }).forward(tensor([2], { dtype: 'float64' }), tensor([1], { dtype: 'float64' })).item(), 2 - Math.log(2));
  assert.throws(() => F.poissonNllLoss(tensor([1]), tensor([1]), { reduction: 'abc' }), (e: Error) => e instanceof ValueError && e.message.startsWith('abc is not a valid value for reduction'));
});
