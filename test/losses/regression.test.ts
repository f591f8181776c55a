// l1Loss, mseLoss, smoothL1Loss, huberLoss: gradients, reduction properties, analytic values, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { F, nn, tensor, ones, gradcheck, randn, RuntimeError, ValueError, LosskitTypeError } from '../../src/index.js';
import { arbTensor, captureWarnings, close, closeArrays, snapshot, values } from '../helpers/index.js';

const losses = {
  l1Loss: F.l1Loss,
  mseLoss: F.mseLoss,
  smoothL1Loss: F.smoothL1Loss,
  huberLoss: F.huberLoss,
} as const;

// analytic references, written from the formulas in PyTorch's docs
const refs: Record<keyof typeof losses, (d: number, k?: number) => number> = {
  l1Loss: (d) => Math.abs(d),
  mseLoss: (d) => d * d,
  smoothL1Loss: (d, beta = 1) => (Math.abs(d) < beta ? (0.5 * d * d) / beta : Math.abs(d) - 0.5 * beta),
  huberLoss: (d, delta = 1) => (Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta)),
};

test('the tutorial numbers', () => {
  const s = ones([2, 2]);
  const t = tensor([[0, 1], [2, 3]]);
  assert.equal(new nn.L1Loss().forward(s, t).item(), 1);
  assert.equal(new nn.SmoothL1Loss().forward(s, t).item(), 0.625);
  assert.equal(new nn.MSELoss().forward(s, t).item(), 1.5);
  assert.equal(new nn.HuberLoss().forward(s, t).item(), 0.625);
  assert.equal(F.l1Loss(s, t, { reduction: 'sum' }).item(), 4);
  assert.deepEqual(F.l1Loss(s, t, { reduction: 'none' }).toArray(), [[1, 0], [1, 2]]);
});

for (const [name, fn] of Object.entries(losses)) {
  const ref = refs[name as keyof typeof losses];
  test(`${name}: 'none' matches the analytic formula, 'sum' and 'mean' reduce it`, () => {
    fc.assert(
      fc.property(arbTensor([3, 4]), arbTensor([3, 4]), (x, y) => {
        const none = fn(x, y, { reduction: 'none' });
        const want = values(x).map((v, i) => ref(v - values(y)[i]));
        closeArrays(values(none), want, 1e-12, 1e-12);
        close(fn(x, y, { reduction: 'sum' }).item(), want.reduce((a, b) => a + b, 0), 1e-12, 1e-12);
        close(fn(x, y).item(), want.reduce((a, b) => a + b, 0) / 12, 1e-12, 1e-12);
      }),
      { numRuns: 30 },
    );
  });

  test(`${name}: float64 gradcheck of input and target`, () => {
    const x = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 11 });
    const y = randn([3, 4], { dtype: 'float64', requiresGrad: true, seed: 12 });
    for (const reduction of ['none', 'mean', 'sum']) assert.equal(gradcheck((a, b) => fn(a, b, { reduction }), [x, y]), true);
  });

  test(`${name}: inputs are never mutated, empty input gives nan/0`, () => {
    const x = randn([5], { requiresGrad: true, seed: 1 });
    const y = randn([5], { seed: 2 });
    const same = snapshot(x, y);
    fn(x, y).backward();
    same();
    const e = tensor([]);
    assert.ok(Number.isNaN(fn(e, e).item()));
    assert.equal(fn(e, e, { reduction: 'sum' }).item(), 0);
    assert.deepEqual(fn(e, e, { reduction: 'none' }).shape, [0]);
  });

  test(`${name}: errors name what is wrong`, () => {
    assert.throws(() => fn(ones([2]), ones([2]), { reduction: 'avg' }), (e: Error) => e instanceof ValueError && /avg is not a valid value for reduction/.test(e.message));
    assert.throws(() => fn(ones([4]), ones([5])), (e: Error) => e instanceof RuntimeError && /size of tensor a \(4\) must match the size of tensor b \(5\)/.test(e.message));
    assert.throws(() => fn(undefined as any, ones([2])), (e: Error) => e instanceof LosskitTypeError && /argument 'input'/.test(e.message));
    assert.throws(() => fn(ones([2]), ones([2]), { reductoin: 'sum' } as any), (e: Error) => e instanceof LosskitTypeError && /unexpected keyword argument 'reductoin'/.test(e.message));
  });

  test(`${name}: a target of another size is broadcast, with PyTorch's warning`, () => {
    const { result, warnings } = captureWarnings(() => fn(ones([3, 1]), ones([3]), { reduction: 'none' }));
    assert.deepEqual(result.shape, [3, 3]);
    assert.match(warnings[0].message, /Using a target size \(torch.Size\(\[3\]\)\) that is different to the input size \(torch.Size\(\[3, 1\]\)\)/);
  });
}

test('smoothL1Loss: beta = 0 is L1 with gradient 0 at d = 0 (PyTorch 2.x), negative beta refused', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  F.smoothL1Loss(x, tensor([1, 0, 5]), { beta: 0, reduction: 'sum' }).backward();
  assert.deepEqual(x.grad!.toArray(), [0, 1, -1]);
  assert.throws(() => F.smoothL1Loss(x, x, { beta: -1 }), /smooth_l1_loss does not support negative values for beta/);
});

test('smoothL1Loss and huberLoss: gradient at |d| = beta is the linear slope', () => {
  const x = tensor([2, -2], { dtype: 'float64', requiresGrad: true });
  F.smoothL1Loss(x, tensor([0, 0], { dtype: 'float64' }), { beta: 2, reduction: 'sum' }).backward();
  assert.deepEqual(x.grad!.toArray(), [1, -1]);
  x.grad = null;
  F.huberLoss(x, tensor([0, 0], { dtype: 'float64' }), { delta: 2, reduction: 'sum' }).backward();
  assert.deepEqual(x.grad!.toArray(), [2, -2]);
});

test('huberLoss = delta * smoothL1Loss(beta = delta)', () => {
  fc.assert(
    fc.property(arbTensor([6]), arbTensor([6]), fc.double({ min: 0.1, max: 4, noNaN: true }), (x, y, delta) => {
      close(F.huberLoss(x, y, { delta }).item(), delta * F.smoothL1Loss(x, y, { beta: delta }).item(), 1e-12, 1e-12);
    }),
    { numRuns: 30 },
  );
  assert.throws(() => F.huberLoss(ones([1]), ones([1]), { delta: 0 }), /huber_loss does not support non-positive values for delta/);
});

test('functional weight (PyTorch 2.x): l1/mse mean is Σwℓ/Σw, huber mean is mean(wℓ)', () => {
  const x = tensor([1, 2, 3]);
  const y = tensor([0, 0, 0]);
  const w = tensor([1, 0, 3]);
  close(F.l1Loss(x, y, { weight: w }).item(), (1 + 0 + 9) / 4, 1e-6);
  close(F.mseLoss(x, y, { weight: w }).item(), (1 + 0 + 27) / 4, 1e-6);
  close(F.huberLoss(x, y, { weight: w }).item(), (0.5 + 0 + 3 * 2.5) / 3, 1e-6);
  assert.throws(() => F.mseLoss(x, y, { weight: tensor([1, 2]) }), (e: Error) => e instanceof ValueError && /Weights and input must have the same size/.test(e.message));
  assert.throws(() => F.l1Loss(x, y, { weight: w, reduction: 'avg' }), /Invalid reduction mode: avg/);
});

test('legacy sizeAverage/reduce override reduction, with a deprecation warning', () => {
  const { result, warnings } = captureWarnings(() => F.mseLoss(ones([2]), tensor([0, 2]), { reduction: 'mean', sizeAverage: false }));
  assert.equal(result.item(), 2);
  assert.match(warnings[0].message, /size_average and reduce args will be deprecated, please use reduction='sum' instead/);
  assert.deepEqual(captureWarnings(() => F.l1Loss(ones([2]), tensor([0, 2]), { reduce: false })).result.toArray(), [1, 1]);
});

test("l1Loss on integers: 'sum' works, 'mean' refuses like PyTorch", () => {
  const a = tensor([1, 5], { dtype: 'int64' });
  const b = tensor([2, 2], { dtype: 'int64' });
  const s = F.l1Loss(a, b, { reduction: 'sum' });
  assert.equal(s.dtype, 'int64');
  assert.equal(s.item(), 4);
  assert.throws(() => F.l1Loss(a, b), /mean\(\): could not infer output dtype/);
  assert.throws(() => F.mseLoss(a, b), /"mse_cpu" not implemented for 'Long'/);
});
