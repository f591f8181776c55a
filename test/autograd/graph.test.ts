import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, noGrad, isGradEnabled, gradcheck, grad, randn, F, optim, RuntimeError, ValueError, type Tensor } from '../../src/index.js';

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

// ---- the graph is freed as PyTorch frees it; leaves' gradients are their own (PyTorch 1.13 checked by hand) ----

const SECOND = /^Trying to backward through the graph a second time/;

test('a second backward through saved tensors throws PyTorch\'s error, and changes nothing', () => {
  for (const make of [
    (x: Tensor) => x.mul(x).sum(),
    (x: Tensor) => F.mseLoss(x, tensor([0, 0, 0])), // the fused node
    (x: Tensor) => F.crossEntropy(x.reshape([1, 3]), tensor([2], { dtype: 'int64' })),
  ]) {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const l = make(x);
    l.backward();
    const before = Array.from(x.grad!.data as Float32Array);
    assert.throws(() => l.backward(), (e: Error) => e instanceof RuntimeError && SECOND.test(e.message));
    assert.deepEqual(Array.from(x.grad!.data as Float32Array), before, 'the refused pass accumulated nothing');
  }
});

test('nodes that saved no tensors (add, sum, reshape) can be run again, as in PyTorch', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const l = x.add(1).reshape([3, 1]).sum();
  l.backward();
  l.backward();
  assert.deepEqual(x.grad!.toArray(), [2, 2, 2]);
});

test('retainGraph keeps the graph: the second backward accumulates', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const l = x.mul(x).sum();
  l.backward(undefined, { retainGraph: true });
  l.backward();
  assert.deepEqual(x.grad!.toArray(), [4, 8, 12]);
  const y = tensor([1, 2, 3], { requiresGrad: true });
  const m = F.mseLoss(y, tensor([0, 0, 0]), { reduction: 'sum' });
  m.backward(undefined, { retainGraph: true });
  const first = y.grad!.data;
  m.backward(undefined, { retainGraph: true });
  assert.deepEqual(y.grad!.toArray(), [4, 8, 12]);
  assert.equal(y.grad!.data, first, 'accumulated in place into the gradient the leaf had');
  assert.throws(() => m.backward(undefined, { retainGraph: 'yes' as never }), /retainGraph must be a boolean/);
  assert.throws(() => m.backward(undefined, { retain_graph: true } as never), /unexpected keyword argument 'retain_graph'/);
});

test('zeroGrad(false) then backward: the gradient is right, accumulated in place', () => {
  for (const make of [(x: Tensor) => F.mseLoss(x, tensor([0, 0, 0]), { reduction: 'sum' }), (x: Tensor) => x.mul(x).sum()]) {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const opt = new optim.SGD([x], { lr: 0.1 });
    const l = make(x);
    l.backward(undefined, { retainGraph: true });
    const g = x.grad!.data;
    opt.zeroGrad(false);
    l.backward();
    assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
    assert.equal(x.grad!.data, g, 'the same array, zeroed then accumulated into');
  }
});

test('two leaves never share memory, nor a leaf and the caller\'s gradOutput', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const b = tensor([3, 4], { requiresGrad: true });
  a.add(b).sum().backward();
  assert.notEqual(a.grad!.data, b.grad!.data);
  a.grad!.data[0] = 100;
  assert.equal(b.grad!.data[0], 1);
  // the regression losses' gradient for the target is its own array too
  const x = tensor([1, 2], { requiresGrad: true });
  const y = tensor([0, 5], { requiresGrad: true });
  F.mseLoss(x, y, { reduction: 'sum' }).backward();
  assert.deepEqual([x.grad!.toArray(), y.grad!.toArray()], [[2, -6], [-2, 6]]);
  assert.notEqual(x.grad!.data.buffer, y.grad!.data.buffer);
  // a leaf's gradient from gradOutput straight through a reshape
  const z = tensor([1, 2, 3, 4], { requiresGrad: true });
  const go = tensor([[1, 1], [1, 1]]);
  z.reshape([2, 2]).backward(go);
  z.grad!.data[0] = 9;
  assert.deepEqual(go.toArray(), [[1, 1], [1, 1]]);
});

test('grad() returns gradients without touching .grad', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = tensor([1, 1], { requiresGrad: true });
  const [gx] = grad(x.mul(x).sum(), x);
  assert.deepEqual(gx!.toArray(), [2, 4, 6]);
  assert.equal(x.grad, null);
  assert.equal(gx!.requiresGrad, false);
  // gradOutputs, several inputs, allowUnused, retainGraph
  const out = x.mul(3);
  const [g1, g2] = grad(out, [x, y], { gradOutputs: tensor([1, 10, 100]), allowUnused: true, retainGraph: true });
  assert.deepEqual(g1!.toArray(), [3, 30, 300]);
  assert.equal(g2, null);
  assert.throws(() => grad(out.sum(), [x, y]), (e: Error) => e instanceof RuntimeError && /appears to not have been used in the graph/.test(e.message));
  assert.throws(() => grad(x.mul(x).sum(), tensor([1])), (e: Error) => e instanceof RuntimeError && /does not require grad/.test(e.message));
  // the fused losses hand their gradient to grad() as well, and free it
  const l = F.crossEntropy(tensor([[1, 2, 3]], { requiresGrad: true }), tensor([0], { dtype: 'int64' }));
  const leafIn = l.gradFn!.inputs[0];
  const [gl] = grad(l, leafIn);
  const p = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const s = p[0] + p[1] + p[2];
  (gl!.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - (p[i] / s - (i === 0 ? 1 : 0))) < 1e-6));
  assert.throws(() => grad(l, leafIn), (e: Error) => SECOND.test(e.message));
  // an intermediate as input: its gradient, nothing beyond it
  const h = x.mul(2);
  const [gh] = grad(h.mul(h).sum(), h);
  assert.deepEqual(gh!.toArray(), [4, 8, 12]);
  assert.equal(x.grad, null);
});

test('the grad setter takes a Tensor of the same shape and dtype, or null', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  assert.throws(() => { (x as any).grad = 'x'; }, (e: Error) => e.name === 'TypeError' && /assigned grad expected to be a Tensor/.test(e.message));
  assert.throws(() => { (x as any).grad = [1, 2, 3]; }, /assigned grad expected to be a Tensor/);
  assert.throws(() => { x.grad = tensor([1, 2]); }, (e: Error) => e instanceof RuntimeError && /^assigned grad has data of a different size/.test(e.message));
  assert.throws(() => { x.grad = tensor([1, 2, 3], { dtype: 'float64' }); }, /assigned grad has data of a different type/);
  x.grad = tensor([1, 1, 1]);
  x.mul(2).sum().backward();
  assert.deepEqual(x.grad.toArray(), [3, 3, 3]);
  x.grad = null;
  assert.equal(x.grad, null);
  assert.throws(() => noGrad('x' as never), (e: Error) => e.name === 'TypeError' && /noGrad\(\): argument 'fn' must be a function/.test(e.message));
});
