import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, RuntimeError } from '../../src/index.js';
import { close } from '../helpers/index.js';

const idx = (v: number[][] | number[]) => tensor(v as never, { dtype: 'int64' });

test('multilabelMarginLoss: float64 gradcheck of the input, every reduction, batched and not', () => {
  const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const y = idx([[3, 0, -1, 1], [0, 1, 2, 3], [1, 1, -1, 2]]);
  for (const reduction of ['none', 'mean', 'sum']) {
    assert.equal(gradcheck((a) => F.multilabelMarginLoss(a, y, { reduction }), [x]), true);
  }
  const x1 = randn([4], { dtype: 'float64', requiresGrad: true, seed: 2 });
  assert.equal(gradcheck((a) => F.multilabelMarginLoss(a, idx([2, -1, 0, 0]), { reduction: 'none' }), [x1]), true);
});

test("multilabelMarginLoss: PyTorch's doc example, duplicates count twice, range errors", () => {
  const x = tensor([[0.1, 0.2, 0.4, 0.8]], { dtype: 'float64' });
  close(new nn.MultiLabelMarginLoss().forward(x, idx([[3, 0, -1, 1]])).item(), 0.85);
  close(F.multilabelMarginLoss(x, idx([[3, 3, -1, 0]])).item(), 0.65);
  assert.throws(() => F.multilabelMarginLoss(x, idx([[4, -1, 0, 0]])), (e: Error) => e instanceof RuntimeError && e.message.includes("argument #2 'target' is out of range"));
  assert.throws(() => F.multilabelMarginLoss(x, idx([[1, 2, 3]])), (e: Error) => e instanceof RuntimeError && e.message.includes("inconsistent size [1, 3] for argument #2 'target'"));
});
