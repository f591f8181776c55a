import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, RuntimeError } from '../../src/index.js';

test('marginRankingLoss: float64 gradcheck of both inputs and the target', () => {
  const x1 = randn([6], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const x2 = randn([6], { dtype: 'float64', requiresGrad: true, seed: 2 });
  const y = tensor([1, -1, 1, -1, 1, -1], { dtype: 'float64', requiresGrad: true });
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const margin of [0, 0.5]) {
      assert.equal(gradcheck((a, b, c) => F.marginRankingLoss(a, b, c, { reduction, margin }), [x1, x2, y]), true);
    }
  }
});

test('marginRankingLoss: the gradient flows at the kink (clamp_min uses >=); ndim must agree', () => {
  const a = tensor([1], { requiresGrad: true });
  const b = tensor([1], { requiresGrad: true });
  new nn.MarginRankingLoss().forward(a, b, tensor([1])).backward();
  assert.deepEqual([a.grad!.item(), b.grad!.item()], [-1, 1]);
  assert.throws(
    () => F.marginRankingLoss(tensor([[1]]), tensor([[1]]), tensor([1])),
    (e: Error) => e instanceof RuntimeError && e.message.includes('margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: torch.Size([1, 1])'),
  );
});
