import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, rand, RuntimeError, ValueError } from '../../src/index.js';
import { close } from '../helpers/index.js';

const idx = (v: number[] | number) => tensor(v as never, { dtype: 'int64' });

test('multiMarginLoss: float64 gradcheck of the input, p 1 and 2, weights, every reduction', () => {
  const x = randn([5, 4], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const y = idx([3, 0, 1, 2, 3]);
  const weight = rand([4], { dtype: 'float64', seed: 2 });
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const p of [1, 2]) {
      assert.equal(gradcheck((a) => F.multiMarginLoss(a, y, { reduction, p }), [x]), true);
      assert.equal(gradcheck((a) => F.multiMarginLoss(a, y, { reduction, p, weight, margin: 0.7 }), [x]), true);
    }
  }
});

test("multiMarginLoss: PyTorch's doc example, weight after the power, 2.x errors", () => {
  const x = tensor([[0.1, 0.2, 0.4, 0.8]], { dtype: 'float64' });
  close(new nn.MultiMarginLoss().forward(x, idx([3])).item(), 0.325);
  close(F.multiMarginLoss(x, idx([3]), { p: 2, weight: tensor([1, 1, 1, 2], { dtype: 'float64' }) }).item(), 0.305);
  assert.throws(() => new nn.MultiMarginLoss({ p: 3 }), (e: Error) => e instanceof ValueError && e.message === 'only p == 1 and p == 2 supported');
  assert.throws(() => F.multiMarginLoss(x, idx([4])), (e: Error) => e instanceof RuntimeError && e.message === 'target out of range');
  assert.throws(() => F.multiMarginLoss(x, idx([1, 2])), (e: Error) => e instanceof RuntimeError && e.message.includes('inconsistent target size, expected 1 but got [2]'));
  assert.throws(() => F.multiMarginLoss(x, idx([1]), { weight: tensor([1, 1], { dtype: 'float64' }) }), (e: Error) => e instanceof RuntimeError && e.message.includes('inconsistent weight size, expected 4 but got [2]'));
});
