// Optimizer behaviour beyond the fixtures: option checks with PyTorch's messages, groups, zeroGrad,
// closures, skipped parameters, state and its JSON round trip, scheduler wiring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, optim, tensor, ValueError, LosskitTypeError } from '../../src/index.js';
import { captureWarnings } from '../helpers/index.js';

const param = (v: number[] = [1, 2, 3]) => tensor(v, { dtype: 'float64', requiresGrad: true });

test('option checks raise what PyTorch raises', () => {
  const p = [param()];
  assert.throws(() => new optim.SGD(p, { lr: -1 }), { name: 'ValueError', message: 'Invalid learning rate: -1' });
  assert.throws(() => new optim.SGD(p, { lr: 0.1, momentum: -0.5 }), { message: 'Invalid momentum value: -0.5' });
  assert.throws(() => new optim.SGD(p, { lr: 0.1, weightDecay: -1e-8 }), { message: 'Invalid weight_decay value: -1e-08' });
  assert.throws(() => new optim.SGD(p, { lr: 0.1, nesterov: true }), { message: 'Nesterov momentum requires a momentum and zero dampening' });
  assert.throws(() => new optim.SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), ValueError);
  assert.throws(() => new optim.Adam(p, { eps: -1 }), { message: 'Invalid epsilon value: -1' });
  assert.throws(() => new optim.Adam(p, { betas: [1, 0.999] }), { message: 'Invalid beta parameter at index 0: 1' });
  assert.throws(() => new optim.AdamW(p, { betas: [0.9, -0.1] }), { message: 'Invalid beta parameter at index 1: -0.1' });
  assert.throws(() => new optim.Adam([], {}), { name: 'ValueError', message: 'optimizer got an empty parameter list' });
  assert.throws(() => new optim.SGD(p, { lr: 0.1, weight_decay: 0.1 } as any), {
    name: 'TypeError',
    message: /unexpected keyword argument 'weight_decay' \(did you mean 'weightDecay'\?\)/,
  });
  assert.throws(() => new optim.SGD(param() as any), LosskitTypeError);
  assert.throws(() => new optim.SGD([p[0].mul(2)]), { message: "can't optimize a non-leaf Tensor" });
  assert.throws(() => new optim.SGD([{ params: p }, { params: p }]), { message: 'some parameters appear in more than one parameter group' });
});

test('defaults: PyTorch 2.x values, AdamW decays by default', () => {
  assert.equal(new optim.SGD([param()]).defaults.lr, 1e-3);
  const adam = new optim.Adam([param()]);
  assert.deepEqual([adam.defaults.lr, adam.defaults.betas, adam.defaults.eps, adam.defaults.weightDecay], [1e-3, [0.9, 0.999], 1e-8, 0]);
  assert.equal(new optim.AdamW([param()]).defaults.weightDecay, 1e-2);
});

test('groups take their own options and the defaults for the rest', () => {
  const a = param();
  const b = param();
  const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  assert.deepEqual(
    opt.paramGroups.map((g) => [g.lr, g.momentum]),
    [
      [0.1, 0.9],
      [0.5, 0.9],
    ],
  );
  a.grad = tensor([1, 1, 1], { dtype: 'float64' });
  b.grad = tensor([1, 1, 1], { dtype: 'float64' });
  opt.step();
  assert.deepEqual(Array.from(a.data as Float64Array), [0.9, 1.9, 2.9]);
  assert.deepEqual(Array.from(b.data as Float64Array), [0.5, 1.5, 2.5]);
});

test('a parameter without a gradient is left alone, with no state', () => {
  const a = param();
  const b = param();
  const opt = new optim.Adam([a, b], { lr: 0.1 });
  a.sum().backward();
  opt.step();
  assert.deepEqual(Array.from(b.data as Float64Array), [1, 2, 3]);
  assert.ok(opt.state.has(a) && !opt.state.has(b));
  // Adam's first step moves every coordinate by lr (m / sqrt(v) = sign(g) after bias correction)
  assert.ok(Array.from(a.data as Float64Array).every((v, i) => Math.abs(v - (i + 1 - 0.1)) < 1e-7));
});

test('zeroGrad clears (default) or zeroes gradients', () => {
  const a = param();
  const opt = new optim.SGD([a], { lr: 0.1 });
  a.sum().backward();
  opt.zeroGrad(false);
  assert.deepEqual(Array.from(a.grad!.data as Float64Array), [0, 0, 0]);
  opt.zeroGrad();
  assert.equal(a.grad, null);
});

test('step(closure) evaluates the loss with grad enabled and returns it', () => {
  const w = param([3]);
  const opt = new optim.SGD([w], { lr: 0.25 });
  const closure = () => {
    opt.zeroGrad();
    const loss = w.square().sum();
    loss.backward();
    return loss;
  };
  assert.equal(opt.step(closure), 9);
  assert.equal((w.data as Float64Array)[0], 1.5); // 3 - 0.25 * 6
  assert.equal(opt.step(closure), 2.25);
});

test('float32 parameters keep float32 state and data', () => {
  const w = tensor([1, -2], { requiresGrad: true });
  const opt = new optim.Adam([w], { lr: 0.1, amsgrad: true });
  w.square().sum().backward();
  opt.step();
  const state = opt.state.get(w)!;
  assert.ok(state.expAvg instanceof Float32Array && state.maxExpAvgSq instanceof Float32Array);
  assert.ok(w.data instanceof Float32Array);
  assert.ok(Math.abs((w.data as Float32Array)[0] - 0.9) < 1e-6);
});

test('optimizer stateDict is plain JSON and resumes training exactly', () => {
  const run = (resume: boolean) => {
    const model = new nn.Linear(3, 2, { dtype: 'float64', seed: 3 });
    let opt = new optim.Adam(model.parameters(), { lr: 0.05, amsgrad: true });
    const x = tensor([[1, 2, 3], [-1, 0.5, 2]], { dtype: 'float64' });
    const y = tensor([[0.5, -1], [2, 0]], { dtype: 'float64' });
    for (let i = 0; i < 6; i++) {
      if (resume && i === 3) {
        const saved = JSON.stringify({ model: model.stateDict(), opt: opt.stateDict() });
        const fresh = new nn.Linear(3, 2, { dtype: 'float64', seed: 99 });
        fresh.loadStateDict(JSON.parse(saved).model);
        model.weight.data = fresh.weight;
        model.bias!.data = fresh.bias!;
        opt = new optim.Adam(model.parameters(), { lr: 0.05, amsgrad: true });
        opt.loadStateDict(JSON.parse(saved).opt);
      }
      opt.zeroGrad();
      F.mseLoss(model.forward(x), y).backward();
      opt.step();
    }
    return Array.from(model.weight.data as Float64Array);
  };
  assert.deepEqual(run(true), run(false));
  const opt = new optim.SGD(new nn.Linear(2, 1).parameters(), { lr: 0.1, momentum: 0.9 });
  const sd = opt.stateDict();
  assert.deepEqual(sd.paramGroups[0].params, [0, 1]);
  assert.equal(sd.paramGroups[0].momentum, 0.9);
});

test('schedulers: set initialLr, warn when stepped before the optimizer, refuse non-optimizers', () => {
  const opt = new optim.SGD([param()], { lr: 1 });
  const sched = new optim.StepLR(opt, 2, { gamma: 0.5 });
  assert.equal(opt.paramGroups[0].initialLr, 1);
  const { warnings } = captureWarnings(() => sched.step());
  assert.match(warnings[0].message, /Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`/);
  assert.deepEqual(sched.getLastLr(), [1]);
  sched.step();
  assert.deepEqual(sched.getLastLr(), [0.5]);
  assert.throws(() => new optim.CosineAnnealingLR({} as any, 10), { name: 'TypeError', message: 'Object is not an Optimizer' });
  assert.throws(() => new optim.StepLR(new optim.SGD([param()], { lr: 1 }), 3, { lastEpoch: 4 }), {
    message: "param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer",
  });
});

test('cosine annealing: reaches etaMin at tMax, starts from the closed form when resuming', () => {
  const opt = new optim.SGD([param()], { lr: 0.1 });
  const sched = new optim.CosineAnnealingLR(opt, 4, { etaMin: 0.02 });
  const lrs = [sched.getLastLr()[0]];
  for (let i = 0; i < 8; i++) {
    opt.step();
    sched.step();
    lrs.push(sched.getLastLr()[0]);
  }
  assert.ok(Math.abs(lrs[4] - 0.02) < 1e-15 && Math.abs(lrs[8] - 0.1) < 1e-15);
  const opt2 = new optim.SGD([{ params: [param()], lr: 0.1, initialLr: 0.1 }], { lr: 0.1 });
  const resumed = new optim.CosineAnnealingLR(opt2, 4, { etaMin: 0.02, lastEpoch: 1 });
  assert.ok(Math.abs(resumed.getLastLr()[0] - lrs[2]) < 1e-15);
});

test('maximize climbs', () => {
  const w = param([0]);
  const opt = new optim.SGD([w], { lr: 0.1, maximize: true });
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    w.neg().add(1).square().neg().sum().backward(); // -(1 - w)^2, highest at w = 1
    opt.step();
  }
  assert.ok((w.data as Float64Array)[0] > 0.4);
});

test('loadStateDict checks everything before changing anything: a wrong-length expAvg, step "x", bad JSON, state null, a group without params', () => {
  const p = param([1, 2, 3]);
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([1, 1, 1], { dtype: 'float64' });
  opt.step();
  const good = opt.stateDict();
  const fresh = () => new optim.Adam([p], { lr: 0.1 });
  const withState = (s: object) => ({ ...good, state: { 0: { ...good.state[0], ...s } } });
  // PyTorch fails on the next step (size mismatch); losskit refuses the state dict itself
  assert.throws(() => fresh().loadStateDict(withState({ expAvg: [0, 0] })), { name: 'ValueError', message: /state\['0'\]\.expAvg must be an array of 3 numbers .*got an array of 2/ });
  assert.throws(() => fresh().loadStateDict(withState({ step: 'x' })), { name: 'ValueError', message: /state\['0'\]\.step must be a non-negative integer/ });
  assert.throws(() => fresh().loadStateDict(withState({ step: -1 })), ValueError);
  assert.throws(() => fresh().loadStateDict(withState({ expAvgSq: [1, 'a', 2] })), ValueError);
  assert.throws(() => fresh().loadStateDict('{bad'), { name: 'ValueError', message: /^Adam\.loadStateDict\(\): the string is not valid JSON/ });
  assert.throws(() => fresh().loadStateDict({ state: null, paramGroups: good.paramGroups } as never), { name: 'ValueError', message: /'state' must be an object/ });
  assert.throws(() => fresh().loadStateDict(null as never), LosskitTypeError);
  assert.throws(() => fresh().loadStateDict({ state: {}, paramGroups: [{ lr: 0.1 }] } as never), { name: 'ValueError', message: /paramGroups\[0\] must have 'params'/ });
  assert.throws(() => fresh().loadStateDict({ state: {}, paramGroups: [null] } as never), ValueError);
  assert.throws(() => fresh().loadStateDict({ state: {}, paramGroups: [{ ...good.paramGroups[0], lr: -1 }] }), { name: 'ValueError', message: 'Invalid learning rate: -1' });
  assert.throws(() => fresh().loadStateDict({ state: {}, paramGroups: [{ ...good.paramGroups[0], bogus: 1 }] }), LosskitTypeError);
  assert.throws(() => fresh().loadStateDict({ state: { x: {} }, paramGroups: good.paramGroups }), ValueError);
  // a failed load leaves the optimizer as it was
  const o = fresh();
  o.loadStateDict(good);
  const before = JSON.stringify(o.stateDict());
  assert.throws(() => o.loadStateDict(withState({ expAvg: [0] })), ValueError);
  assert.equal(JSON.stringify(o.stateDict()), before);
  const w = Array.from(p.data as Float64Array);
  o.step();
  assert.ok(Array.from(p.data as Float64Array).every((v, k) => Number.isFinite(v) && v !== w[k]));
});

test('step(closure): the closure must be a function returning the loss (a Tensor or a number)', () => {
  const p = param();
  const opt = new optim.SGD([p], { lr: 0.1 });
  assert.throws(() => opt.step((() => 'x') as never), { name: 'TypeError', message: /closure must return the loss, a one-element Tensor or a number, but returned the string "x"/ });
  assert.throws(() => opt.step((() => tensor([1, 2])) as never), LosskitTypeError);
  assert.throws(() => opt.step('x' as never), { name: 'TypeError', message: /argument 'closure' must be a function/ });
  assert.equal(opt.step(() => 2), 2);
});

test('found by the fuzzer: a state without its moments, a group whose params are not iterable, a scheduler given a symbol', () => {
  const p = param([1, 2]);
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([1, 1], { dtype: 'float64' });
  opt.step();
  const sd = opt.stateDict();
  const { expAvgSq: _dropped, ...partial } = sd.state[0];
  assert.throws(() => new optim.Adam([p]).loadStateDict({ ...sd, state: { 0: partial } }), { name: 'ValueError', message: /state\['0'\] lacks 'expAvgSq'/ });
  assert.throws(() => new optim.Adam([p]).loadStateDict({ ...sd, state: { 0: { ...sd.state[0], bogus: [1, 2] } } }), { name: 'ValueError', message: /has 'bogus', which Adam does not keep/ });
  assert.throws(() => new optim.SGD([{ params: 3 as never }]), { name: 'TypeError', message: /param group "params" must be a Tensor or an iterable of Tensors, but got number 3/ });
  assert.throws(() => new optim.StepLR(opt, Symbol('s') as never), { name: 'ValueError', message: /stepSize must be a positive integer, got symbol/ });
  assert.throws(() => new optim.CosineAnnealingLR(opt, {} as never), { name: 'ValueError', message: /tMax must be positive, got a Object/ });
});
