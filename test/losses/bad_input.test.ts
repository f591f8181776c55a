// Whatever a caller passes, a loss either returns a Tensor or throws the library's own error:
// never a JavaScript TypeError from deep inside, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, tensor, zeros } from '../../src/index.js';
import { close } from '../helpers/index.js';

// the losses of torch.nn (causalLmLoss, Hugging Face's, is built on crossEntropy and is not one)
const losses = Object.keys(F).filter((name) => /Loss$|^klDiv$|^crossEntropy$|^binaryCrossEntropy/.test(name) && name !== 'causalLmLoss');

test('every loss of torch.nn is there', () => {
  assert.equal(losses.length, 21, losses.join(' '));
});

// Arbitrary arguments for every loss: test/fuzz/harness.ts (quick run in test/fuzz, long run `npm run fuzz`).

test('class indices that are not integers are refused, not used as class 0 (PyTorch: "expected scalar type Long but found Float")', () => {
  const x = tensor([[1, 2, 3, 4], [0, 1, 0, 1], [2, 0, 1, 0]]);
  const refused = { name: 'RuntimeError', message: /^expected scalar type Long but found Float: \w+\(\) argument 'targets?' holds class indices, which must be integers, but element 1 is/ };
  for (const bad of [[0, 0.5, 1], [0, NaN, 1], [0, Infinity, 1]]) {
    assert.throws(() => F.crossEntropy(x, bad), refused, `crossEntropy ${bad}`);
    assert.throws(() => F.nllLoss(x, bad), refused, `nllLoss ${bad}`);
    assert.throws(() => F.multiMarginLoss(x, bad), refused, `multiMarginLoss ${bad}`);
  }
  const lp = tensor([[[0.1, 0.2, 0.7]], [[0.3, 0.3, 0.4]]]).log();
  assert.throws(() => F.ctcLoss(lp, [[1, 1.5]], [2], [2]), refused);
  assert.throws(() => F.multilabelMarginLoss(tensor([0.1, 0.2]), [0, 0.5]), refused);
  // 2^64 does not fit int64: refused rather than wrapped to class 0
  assert.throws(() => F.crossEntropy(x, [0, 2 ** 64, 1]), { name: 'RuntimeError', message: /without overflow/ });
  // integral values in plain arrays still work
  assert.equal(F.crossEntropy(x, [0, 1, 2]).dtype, 'float32');
});

test('losskit raises where PyTorch raises (1.13, unchanged in 2.x): bool inputs, integer log-sigmoid, a widening BCE weight, CTC with no frames', () => {
  const b = (v: number[]) => tensor(v, { dtype: 'bool' });
  const i = (v: number[][]) => tensor(v, { dtype: 'int64' });
  // F.margin_ranking_loss(bool, bool, float): RuntimeError: Subtraction, the `-` operator, with two bool tensors is not supported. ...
  assert.throws(() => F.marginRankingLoss(b([1, 0]), b([0, 1]), tensor([1, -1])), {
    name: 'RuntimeError',
    message: 'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
  });
  assert.throws(() => F.marginRankingLoss(tensor([1, 2]), tensor([2, 1]), b([1, 0])), {
    name: 'RuntimeError',
    message: 'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
  });
  // integer inputs are fine in PyTorch: tensor(1.)
  assert.equal(F.marginRankingLoss(i([[1, 2]]).reshape([2]), i([[2, 1]]).reshape([2]), i([[1, -1]]).reshape([2])).item(), 1);
  assert.throws(() => F.tripletMarginLoss(b([1, 0]).reshape([1, 2]), b([0, 1]).reshape([1, 2]), b([1, 1]).reshape([1, 2])), { name: 'RuntimeError', message: /^Subtraction, the `-` operator, with two bool tensors is not supported/ });
  // F.multilabel_soft_margin_loss(int64, ...): RuntimeError: "log_sigmoid_cpu" not implemented for 'Long' (and 'Bool')
  assert.throws(() => F.multilabelSoftMarginLoss(i([[1, 2]]), i([[1, 0]])), { name: 'RuntimeError', message: `"log_sigmoid_cpu" not implemented for 'Long'` });
  assert.throws(() => F.multilabelSoftMarginLoss(b([1, 0]).reshape([1, 2]), tensor([[1, 0]])), { name: 'RuntimeError', message: `"log_sigmoid_cpu" not implemented for 'Bool'` });
  close(F.multilabelSoftMarginLoss(tensor([[1, 2]]), i([[1, 0]])).item(), 1.2201, 1e-4, 1e-4);
  // F.binary_cross_entropy(tensor(0.5), tensor(1.), weight=ones(3)): RuntimeError: output with shape [] doesn't match the broadcast shape [3]
  const widen = (shape: string) => ({ name: 'RuntimeError', message: `output with shape [] doesn't match the broadcast shape ${shape}` });
  assert.throws(() => F.binaryCrossEntropy(tensor(0.5), tensor(1), { weight: tensor([1, 1, 1]) }), widen('[3]'));
  assert.throws(() => F.binaryCrossEntropy(tensor(0.5), tensor(1), { weight: tensor([1]) }), widen('[1]'));
  assert.throws(() => F.binaryCrossEntropy(tensor([0.5]), tensor([1]), { weight: tensor([1, 1, 1]) }), { name: 'RuntimeError', message: "output with shape [1] doesn't match the broadcast shape [3]" });
  assert.throws(() => F.binaryCrossEntropyWithLogits(tensor(0.5), tensor(1), { weight: tensor([1, 1, 1]) }), widen('[3]'));
  assert.throws(() => F.binaryCrossEntropyWithLogits(tensor(0.5), tensor(1), { posWeight: tensor([1, 1, 1]) }), widen('[3]'));
  // F.ctc_loss with T = 0: RuntimeError: start (0) + length (1) exceeds dimension size (0).
  const noFrames = { name: 'RuntimeError', message: /^start \(0\) \+ length \(1\) exceeds dimension size \(0\)\./ };
  assert.throws(() => F.ctcLoss(zeros([0, 1, 3]), tensor([[1]], { dtype: 'int64' }), [0], [1]), noFrames);
  assert.throws(() => F.ctcLoss(zeros([0, 1, 3]), zeros([1, 0], { dtype: 'int64' }), [0], [0], { reduction: 'none' }), noFrames);
  assert.throws(() => F.ctcLoss(zeros([0, 3]), tensor([1], { dtype: 'int64' }), [0], [1]), noFrames);
});
