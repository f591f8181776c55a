import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, noGrad, isGradEnabled, gradcheck, randn, RuntimeError, ValueError } from '../../src/index.js';

test('backward accumulates into leaves, through shared subexpressions', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(x).add(x); // dy/dx = 2x + 1
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [3, 5, 7]);
  x.mul(2).sum().backward(); // accumulates
  assert.deepEqual(x.grad!.toArray(), [5, 7, 9]);
});

test('non-scalar outputs need gradOutput, of the right shape', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(3);
  assert.throws(() => y.backward(), (e: Error) => e instanceof RuntimeError && /implicitly created only for scalar outputs/.test(e.message));
  assert.throws(() => y.backward(tensor([1, 2, 3])), RuntimeError);
  y.backward(tensor([1, 10]));
  assert.deepEqual(x.grad!.toArray(), [3, 30]);
});

test('backward on a tensor that does not require grad says so', () => {
  assert.throws(() => tensor(1).backward(), /does not require grad/);
});

test('gradients reach leaves in their own dtype and shape (broadcast summed)', () => {
  const w = tensor([2], { dtype: 'float64', requiresGrad: true });
  const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  x.mul(w).sum().backward();
  assert.equal(w.grad!.dtype, 'float64');
  assert.deepEqual(w.grad!.shape, [1]);
  assert.deepEqual(w.grad!.toArray(), [10]);
  assert.equal(x.grad!.dtype, 'float32');
});

test('noGrad records nothing and restores the mode, even on throw', () => {
  const x = tensor([1], { requiresGrad: true });
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }));
  assert.equal(isGradEnabled(), true);
});

test('detach cuts the graph', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.detach().mul(x);
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [1, 2]);
});

test('a long chain does not overflow the stack', () => {
  const x = tensor([1], { requiresGrad: true, dtype: 'float64' });
  let y = x;
  for (let i = 0; i < 20000; i++) y = y.add(1);
  y.sum().backward();
  assert.deepEqual(x.grad!.toArray(), [1]);
});

test('gradcheck passes on correct rules and catches a wrong one', () => {
  const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 1 });
  assert.equal(gradcheck((t) => t.logSoftmax(1), [x]), true);
  // a function whose recorded gradient is wrong: detach hides a factor from autograd
  const wrong = (t: ReturnType<typeof randn>) => t.mul(t.detach());
  assert.throws(() => gradcheck(wrong, [x]), (e: Error) => e instanceof RuntimeError && /Jacobian mismatch/.test(e.message));
  assert.equal(gradcheck(wrong, [x], { raiseException: false }), false);
  assert.throws(() => gradcheck((t) => t, [randn([2], { requiresGrad: true })]), ValueError);
});

test('gradcheck leaves the inputs\' own gradients as they were', () => {
  const x = randn([2, 2], { dtype: 'float64', requiresGrad: true, seed: 3 });
  x.mul(3).sum().backward();
  const before = x.grad!.toArray();
  assert.equal(gradcheck((t) => t.exp(), [x]), true);
  assert.deepEqual(x.grad!.toArray(), before);
});
