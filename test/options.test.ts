// The one options check every public entry uses: plain objects only, unknown keys refused with a
// did-you-mean, and PyTorch 2.x's ValueError for a reduction that is not a string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, optim, tensor, zeros, randn, gradcheck, LosskitTypeError, ValueError } from '../src/index.js';
import { didYouMean } from '../src/options.js';

test('did you mean: the camelCase spelling, another case, a near typo; nothing for unrelated keys', () => {
  const known = ['dtype', 'shape', 'requiresGrad'];
  assert.equal(didYouMean('requires_grad', known), 'requiresGrad');
  assert.equal(didYouMean('requiresgrad', known), 'requiresGrad');
  assert.equal(didYouMean('requiresGard', known), 'requiresGrad');
  assert.equal(didYouMean('dtpye', known), 'dtype');
  assert.equal(didYouMean('bogus', known), undefined);
  assert.equal(didYouMean('reductoin', ['reduction', 'weight']), 'reduction');
});

test('tensor creation refuses unknown option keys (requires_grad is not silently dropped) and a requiresGrad that is not a boolean', () => {
  // PyTorch: TypeError: tensor(): argument 'requires_grad' must be bool, not str
  assert.throws(() => tensor([1, 2], { requires_grad: true } as never), {
    name: 'TypeError',
    message: "tensor() got an unexpected keyword argument 'requires_grad' (did you mean 'requiresGrad'?)",
  });
  assert.throws(() => tensor([1, 2], { requiresGrad: 'yes' } as never), { name: 'TypeError', message: /argument 'requiresGrad' must be a boolean, but got the string "yes"/ });
  assert.throws(() => zeros([2], { dtpye: 'float64' } as never), { name: 'TypeError', message: /zeros\(\) got an unexpected keyword argument 'dtpye' \(did you mean 'dtype'\?\)/ });
  assert.throws(() => randn([2], { sead: 1 } as never), { name: 'TypeError', message: /did you mean 'seed'/ });
  assert.throws(() => randn([2], { seed: 'x' } as never), LosskitTypeError);
  assert.throws(() => tensor([1], null as never), { name: 'TypeError', message: /tensor\(\): options must be an object/ });
  assert.throws(() => tensor([1], [] as never), LosskitTypeError);
  assert.equal(tensor([1, 2], { requiresGrad: true }).requiresGrad, true);
});

test("reduction: null is PyTorch 2.x's ValueError 'None is not a valid value for reduction', in F and at nn construction", () => {
  // PyTorch 1.13 and 2.x: F.l1_loss(x, y, reduction=None) -> ValueError: None is not a valid value for reduction
  const x = zeros([3]);
  assert.throws(() => F.l1Loss(x, x, { reduction: null as never }), { name: 'ValueError', message: 'None is not a valid value for reduction' });
  assert.throws(() => F.crossEntropy(zeros([2, 3]), [0, 1], { reduction: 5 as never }), { name: 'ValueError', message: '5 is not a valid value for reduction' });
  assert.throws(() => new nn.L1Loss({ reduction: null as never }), { name: 'ValueError', message: 'None is not a valid value for reduction' });
  assert.throws(() => new nn.CrossEntropyLoss({ reduction: true as never }), { name: 'ValueError', message: 'True is not a valid value for reduction' });
  assert.throws(() => F.mseLoss(x, x, { sizeAverage: 'yes' as never }), LosskitTypeError);
});

test('nn loss constructors check their options object when constructed, not first at forward', () => {
  for (const bad of [null, 5, [], 'mean', () => 0]) {
    for (const Cls of [nn.MultiMarginLoss, nn.TripletMarginLoss, nn.TripletMarginWithDistanceLoss, nn.L1Loss, nn.CTCLoss]) {
      assert.throws(() => new (Cls as new (o: unknown) => unknown)(bad), { name: 'TypeError', message: new RegExp(`^${Cls.name}\\(\\): options must be an object`) }, `${Cls.name}(${String(bad)})`);
    }
  }
  assert.throws(() => new nn.L1Loss({ bogus: 1 } as never), { name: 'TypeError', message: /^L1Loss\(\) got an unexpected keyword argument 'bogus'/ });
  assert.throws(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as never), { name: 'TypeError', message: /did you mean 'labelSmoothing'/ });
  // PyTorch: TypeError: HuberLoss.__init__() got an unexpected keyword argument 'size_average'
  assert.throws(() => new nn.HuberLoss({ sizeAverage: true } as never), { name: 'TypeError', message: /^HuberLoss\(\) got an unexpected keyword argument 'sizeAverage'/ });
  assert.throws(() => new nn.NLLLoss2d({ ignore_index: 1 } as never), { name: 'TypeError', message: /did you mean 'ignoreIndex'/ });
  assert.equal(new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).reduction, 'mean');
});

test('optimizers and schedulers refuse options that are not an object, and unknown keys', () => {
  const p = [tensor([1, 2], { dtype: 'float64', requiresGrad: true })];
  for (const bad of [null, 5, []]) {
    assert.throws(() => new optim.SGD(p, bad as never), { name: 'TypeError', message: /^SGD\(\): options must be an object/ });
    assert.throws(() => new optim.Adam(p, bad as never), { name: 'TypeError', message: /^Adam\(\): options must be an object/ });
    assert.throws(() => new optim.StepLR(new optim.SGD(p, { lr: 0.1 }), 2, bad as never), { name: 'TypeError', message: /^StepLR\(\): options must be an object/ });
  }
  assert.throws(() => new optim.AdamW(p, { weight_decay: 0.1 } as never), { name: 'TypeError', message: /AdamW\(\) got an unexpected keyword argument 'weight_decay' \(did you mean 'weightDecay'\?\)/ });
  assert.throws(() => new optim.Adam(p, { amsgrad: 'yes' } as never), LosskitTypeError);
  assert.throws(() => new optim.StepLR(new optim.SGD(p, { lr: 0.1 }), 2, { gamma: 'x' } as never), LosskitTypeError);
  assert.throws(() => new optim.CosineAnnealingLR(new optim.SGD(p, { lr: 0.1 }), 2, { lastEpoch: 0.5 } as never), LosskitTypeError);
  assert.throws(() => new optim.CosineAnnealingLR(new optim.SGD(p, { lr: 0.1 }), 2, { lastEpoch: -5 }), ValueError);
});

test('gradcheck checks its arguments, and a function that does not return a Tensor', () => {
  const x = randn([3], { dtype: 'float64', requiresGrad: true, seed: 0 });
  assert.throws(() => gradcheck('x' as never, [x]), { name: 'TypeError', message: "gradcheck(): argument 'fn' must be a function, but got the string \"x\"" });
  assert.throws(() => gradcheck((t) => t, 'x' as never), { name: 'TypeError', message: /argument 'inputs' must be a Tensor or an array of Tensors/ });
  assert.throws(() => gradcheck(() => 3 as never, [x]), { name: 'TypeError', message: 'gradcheck(): fn must return a Tensor, but it returned number 3' });
  assert.throws(() => gradcheck((t) => t.mul(2), [x], { epsilon: 1e-6 } as never), { name: 'TypeError', message: /unexpected keyword argument 'epsilon' \(did you mean 'eps'\?\)/ });
  assert.throws(() => gradcheck((t) => t.mul(2), [x], { eps: 0 }), ValueError);
  // a single Tensor stands for [Tensor], as PyTorch's tuple-ification
  assert.equal(gradcheck((t) => t.mul(2), x), true);
  // a function that throws half way leaves the input as it was
  const before = Array.from(x.data as Float64Array);
  let calls = 0;
  assert.throws(() => gradcheck((t) => { if (++calls === 3) throw new ValueError('boom'); return t.mul(2); }, [x]), ValueError);
  assert.deepEqual(Array.from(x.data as Float64Array), before);
});
