import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, RuntimeError } from '../../src/index.js';
import { close } from '../helpers/index.js';

test('softMarginLoss: float64 gradcheck of the input, every reduction', () => {
  const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 1 }).mul(3).detach();
  x.requiresGrad = true;
  const y = randn([3, 4], { dtype: 'float64', seed: 2 }).sign();
  for (const reduction of ['none', 'mean', 'sum']) {
    assert.equal(gradcheck((a) => F.softMarginLoss(a, y, { reduction }), [x]), true);
  }
});

test('softMarginLoss: log(1 + exp(-yx)), overflowing in float32 as PyTorch; target not differentiable', () => {
  close(new nn.SoftMarginLoss().forward(tensor([1, -1], { dtype: 'float64' }), tensor([1, 1], { dtype: 'float64' })).item(), (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(1))) / 2);
  assert.equal(F.softMarginLoss(tensor([90]), tensor([-1]), { reduction: 'sum' }).item(), Infinity);
  assert.throws(() => F.softMarginLoss(tensor([1]), tensor([1], { requiresGrad: true })), (e: Error) => e instanceof RuntimeError && e.message.includes("not differentiable with respect to argument 'target'"));
});
