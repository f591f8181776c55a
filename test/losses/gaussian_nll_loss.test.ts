import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, rand, ValueError } from '../../src/index.js';
import { close } from '../helpers/index.js';

const f64 = { dtype: 'float64' as const };

test('gaussianNllLoss: float64 gradcheck of input, target and var (full and homoscedastic shapes)', () => {
  const x = randn([4, 3], { ...f64, requiresGrad: true, seed: 1 });
  const y = randn([4, 3], { ...f64, requiresGrad: true, seed: 2 });
  const v = rand([4, 3], { ...f64, seed: 3 }).add(0.1).detach();
  v.requiresGrad = true;
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const full of [false, true]) {
      assert.equal(gradcheck((a, b, c) => F.gaussianNllLoss(a, b, c, { reduction, full }), [x, y, v]), true);
    }
  }
  const v1 = rand([4], { ...f64, seed: 4 }).add(0.1).detach(); // one variance per row: unsqueezed
  v1.requiresGrad = true;
  assert.equal(gradcheck((a, b, c) => F.gaussianNllLoss(a, b, c), [x, y, v1]), true);
  const v2 = rand([1, 3], { ...f64, seed: 5 }).add(0.1).detach(); // 2.x: one mismatching dim of size 1
  v2.requiresGrad = true;
  assert.equal(gradcheck((a, b, c) => F.gaussianNllLoss(a, b, c), [x, y, v2]), true);
  assert.equal(gradcheck((a, b) => F.gaussianNllLoss(a, b, 0.7), [x, y]), true);
});

test('gaussianNllLoss: the eps clamp is invisible to the gradient; checks run in 2.x order', () => {
  const v = tensor([1e-8], { ...f64, requiresGrad: true });
  new nn.GaussianNLLLoss({ reduction: 'sum' }).forward(tensor([2], f64), tensor([0], f64), v).backward();
  close(v.grad!.item(), 0.5 * (1 / 1e-6 - 4 / 1e-12));
  const bad = (e: Error, m: string) => e instanceof ValueError && e.message.includes(m);
  // negativity is checked before the size
  assert.throws(() => F.gaussianNllLoss(tensor([[1, 2]]), tensor([[1, 2]]), tensor([-1, 1, 1])), (e: Error) => bad(e, 'var has negative entry/entries'));
  assert.throws(() => F.gaussianNllLoss(tensor([[1, 2]]), tensor([[1, 2]]), tensor([1, 1, 1])), (e: Error) => bad(e, 'var is of incorrect size'));
  assert.throws(() => F.gaussianNllLoss(tensor([1]), tensor([1]), 1, { reduction: 'x' }), (e: Error) => bad(e, 'x is not valid'));
  assert.throws(() => F.gaussianNllLoss(tensor([1]), tensor([1]), -1), (e: Error) => bad(e, 'var has negative entry/entries'));
});
