// Every primitive op's backward rule against float64 central differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, rand, tensor, gradcheck, Tensor, where, maximum, minimum, matmul, F } from '../../src/index.js';

const opts = { dtype: 'float64' as const, requiresGrad: true };
const a = () => randn([3, 4], { ...opts, seed: 1 });
const b = () => randn([4], { ...opts, seed: 2 });
const pos = () => rand([3, 4], { ...opts, seed: 3 }).add(0.5).detach().double();

const unary: [string, (x: Tensor) => Tensor, () => Tensor][] = [
  ['neg', (x) => x.neg(), a],
  ['exp', (x) => x.exp(), a],
  ['log', (x) => x.log(), pos],
  ['log1p', (x) => x.log1p(), pos],
  ['expm1', (x) => x.expm1(), a],
  ['abs', (x) => x.abs(), a],
  ['sqrt', (x) => x.sqrt(), pos],
  ['square', (x) => x.square(), a],
  ['reciprocal', (x) => x.reciprocal(), pos],
  ['pow 3', (x) => x.pow(3), a],
  ['sigmoid', (x) => x.sigmoid(), a],
  ['logSigmoid', (x) => x.logSigmoid(), a],
  ['softplus', (x) => x.softplus(), a],
  ['tanh', (x) => x.tanh(), a],
  ['relu', (x) => x.relu(), a],
  ['clamp', (x) => x.clamp(-0.5, 0.5), a],
  ['sum dim', (x) => x.sum(1), a],
  ['sum all', (x) => x.sum(), a],
  ['mean dims keepdim', (x) => x.mean([0, 1], true), a],
  ['max dim', (x) => x.max(1), a],
  ['min all', (x) => x.min(), a],
  ['logsumexp', (x) => x.logsumexp(1), a],
  ['softmax', (x) => x.softmax(0), a],
  ['logSoftmax', (x) => x.logSoftmax(1), a],
  ['norm', (x) => x.norm(2, 1), a],
  ['reshape/permute', (x) => x.reshape(2, 6).T.mul(tensor([1, 2], { dtype: 'float64' })), a],
  ['gather', (x) => x.gather(1, tensor([[0, 3], [1, 1], [2, 0]], { dtype: 'int64' })), a],
  ['expand', (x) => x.sum(1, true).expand(3, 5), a],
];

for (const [name, f, make] of unary) {
  test(`gradcheck ${name}`, () => {
    const x = make();
    x.requiresGrad = true;
    assert.equal(gradcheck(f, [x]), true);
  });
}

const binary: [string, (x: Tensor, y: Tensor) => Tensor][] = [
  ['add (broadcast)', (x, y) => x.add(y)],
  ['sub', (x, y) => x.sub(y)],
  ['mul', (x, y) => x.mul(y)],
  ['div', (x, y) => x.div(y.abs().add(0.5))],
  ['pow tensor exponent', (x, y) => x.abs().add(0.5).pow(y)],
  ['maximum', (x, y) => maximum(x, y)],
  ['minimum', (x, y) => minimum(x, y)],
  ['where', (x, y) => where(x.gt(0), x, y.mul(2))],
  ['matmul', (x, y) => matmul(x, y)],
];

for (const [name, f] of binary) {
  test(`gradcheck ${name}`, () => {
    assert.equal(gradcheck(f, [a(), b()]), true);
  });
}

test('gradcheck matmul 2-D by 2-D', () => {
  assert.equal(gradcheck((x, y) => matmul(x, y), [a(), randn([4, 2], { ...opts, seed: 9 })]), true);
});

test('gradcheck F.logSoftmax and F.softmax on 4-D along dim 1', () => {
  const x = randn([2, 3, 2, 2], { ...opts, seed: 5 });
  assert.equal(gradcheck((t) => F.logSoftmax(t, 1), [x]), true);
  assert.equal(gradcheck((t) => F.softmax(t, 1), [x]), true);
});

test('ties: maximum splits the gradient, max over a dim shares it', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = tensor([1, 3], { requiresGrad: true });
  maximum(x, y).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [0.5, 0]);
  assert.deepEqual(y.grad!.toArray(), [0.5, 1]);
  const z = tensor([2, 2, 1], { requiresGrad: true });
  z.max().backward();
  assert.deepEqual(z.grad!.toArray(), [0.5, 0.5, 0]);
});

test('abs has gradient 0 at 0 and at NaN, like PyTorch', () => {
  const x = tensor([0, NaN, -2], { requiresGrad: true });
  x.abs().sum().backward();
  assert.deepEqual(x.grad!.toArray(), [0, 0, -1]);
});

test('logSoftmax is stable for large logits', () => {
  const x = tensor([1000, 0, -1000]);
  assert.deepEqual(x.logSoftmax(0).toArray(), [0, -1000, -2000]);
  assert.ok(Number.isNaN((tensor([-Infinity, -Infinity]).logSoftmax(0).toArray() as number[])[0]));
});
