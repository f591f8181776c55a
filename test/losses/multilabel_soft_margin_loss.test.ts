import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, rand, IndexError } from '../../src/index.js';
import { close, closeArrays, values } from '../helpers/index.js';

test('multilabelSoftMarginLoss: float64 gradcheck of input, target and weight', () => {
  const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const y = rand([3, 4], { dtype: 'float64', requiresGrad: true, seed: 2 });
  const w = rand([4], { dtype: 'float64', requiresGrad: true, seed: 3 });
  for (const reduction of ['none', 'mean', 'sum']) {
    assert.equal(gradcheck((a, b, c) => F.multilabelSoftMarginLoss(a, b, { reduction, weight: c }), [x, y, w]), true);
  }
});

test('multilabelSoftMarginLoss equals BCE with logits averaged over the classes', () => {
  const x = randn([3, 4], { dtype: 'float64', seed: 4 });
  const y = rand([3, 4], { dtype: 'float64', seed: 5 });
  const bce = F.binaryCrossEntropyWithLogits(x, y, { reduction: 'none' }).mean(-1);
  closeArrays(values(new nn.MultiLabelSoftMarginLoss({ reduction: 'none' }).forward(x, y)), values(bce), 1e-12, 1e-14);
  close(F.multilabelSoftMarginLoss(x.select(0, 0), y.select(0, 0)).item(), values(bce)[0], 1e-12);
  assert.throws(() => F.multilabelSoftMarginLoss(tensor(1), tensor(1)), (e: Error) => e instanceof IndexError);
});
