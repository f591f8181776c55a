import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, zeros, gradcheck, randn, RuntimeError } from '../../src/index.js';
import { close } from '../helpers/index.js';

const idx = (v: number[] | number[][]) => tensor(v as never, { dtype: 'int64' });

test('ctcLoss: float64 gradcheck through logSoftmax (the gradient PyTorch defines), every reduction', () => {
  const x = randn([6, 2, 4], { dtype: 'float64', requiresGrad: true, seed: 1 });
  const targets = idx([[1, 2, 2], [3, 1, 0]]);
  for (const reduction of ['none', 'mean', 'sum']) {
    for (const zeroInfinity of [false, true]) {
      const f = (a: typeof x) => F.ctcLoss(F.logSoftmax(a, 2), targets, [6, 5], [3, 2], { reduction, zeroInfinity });
      assert.equal(gradcheck(f, [x]), true);
    }
  }
  const u = randn([5, 3], { dtype: 'float64', requiresGrad: true, seed: 2 });
  assert.equal(gradcheck((a) => F.ctcLoss(F.logSoftmax(a, 1), idx([1, 2]), tensor(5, { dtype: 'int64' }), tensor(2, { dtype: 'int64' }), { blank: 0 }), [u]), true);
});

test('ctcLoss: uniform probabilities count alignments; impossible targets; long inputs', () => {
  // T = 3, C = 2, target [1]: 6 of the 8 paths collapse to "1"
  close(new nn.CTCLoss().forward(F.logSoftmax(zeros([3, 1, 2], { dtype: 'float64' }), 2), idx([[1]]), [3], [1]).item(), -Math.log(6 / 8));
  const lp = F.logSoftmax(zeros([2, 1, 3], { dtype: 'float64', requiresGrad: true }), 2);
  assert.equal(F.ctcLoss(lp, idx([[2, 2]]), [2], [2], { reduction: 'sum' }).item(), Infinity);
  assert.equal(F.ctcLoss(lp, idx([[2, 2]]), [2], [2], { reduction: 'sum', zeroInfinity: true }).item(), 0);
  const T = 4000;
  const long = F.logSoftmax(randn([T, 1, 5], { seed: 3 }), 2);
  const loss = F.ctcLoss(long, idx([Array.from({ length: 300 }, (_, i) => 1 + (i % 4))]), [T], [300]);
  assert.ok(Number.isFinite(loss.item()));
  assert.throws(() => F.ctcLoss(zeros([6, 2, 3]), idx([[1, 1], [1, 1]]), [7, 6], [2, 2]), (e: Error) => e instanceof RuntimeError && e.message.includes('Expected input_lengths to have value at most 6, but got value 7'));
  assert.throws(() => F.ctcLoss(zeros([6, 2, 3]), idx([[1, 1], [1, 1]]), [6, 6], [2, 2], { blank: 3 }), (e: Error) => e instanceof RuntimeError && e.message === 'blank must be in label range');
});
