// PyTorch's optimizer and scheduler trajectories (test/fixtures/torch_optim/optim.json, written by
// scripts/fixtures/gen_optim.py) replayed through the public API: every optimizer, every option,
// parameter groups, a parameter without gradient, schedulers driving an optimizer; 15 steps each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { F, nn, optim, tensor, type Tensor } from '../../src/index.js';

interface Case {
  id: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  groups: ({ params: string[] } & Record<string, unknown>)[] | null;
  frozen: string[];
  scheduler: { name: 'StepLR' | 'CosineAnnealingLR'; args: number[]; options: Record<string, number> } | null;
  dtype: 'float32' | 'float64';
  model: { in: number; out: number; weight: number[][]; bias: number[] };
  input: number[][];
  target: number[] | number[][];
  loss: 'mse' | 'l1' | 'smooth_l1' | 'huber' | 'cross_entropy';
  lossOptions: Record<string, unknown>;
  steps: number;
  trajectory: { loss: number; lr: number[]; weight: number[][]; bias: number[] }[];
}

interface SchedulerCase {
  id: string;
  name: 'StepLR' | 'CosineAnnealingLR';
  args: number[];
  options: Record<string, number>;
  lrs0: number[];
  epochs: number;
  lrs: number[][];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch_optim/optim.json', import.meta.url), 'utf8')) as {
  format: string;
  cases: Case[];
  schedulers: SchedulerCase[];
};

const LOSSES = {
  mse: F.mseLoss,
  l1: F.l1Loss,
  smooth_l1: F.smoothL1Loss,
  huber: F.huberLoss,
  cross_entropy: F.crossEntropy,
} as const;

function closeTo(actual: ArrayLike<number>, expected: number[], dtype: string, what: string): void {
  const [rtol, atol] = dtype === 'float64' ? [1e-9, 1e-12] : [2e-5, 1e-6];
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: ${a} != ${e} (diff ${Math.abs(a - e)})`);
  }
}

function makeScheduler(opt: optim.Optimizer<{ lr: number }>, s: NonNullable<Case['scheduler']>): optim.LRScheduler {
  return s.name === 'StepLR'
    ? new optim.StepLR(opt, s.args[0], s.options)
    : new optim.CosineAnnealingLR(opt, s.args[0], s.options);
}

test('the fixture file is the optimizer format', () => {
  assert.equal(fixture.format, 'losskit-optim/1');
  assert.ok(fixture.cases.length >= 30);
  for (const name of ['SGD', 'Adam', 'AdamW']) assert.ok(fixture.cases.some((c) => c.optimizer === name));
});

for (const c of fixture.cases) {
  test(`optimizer trajectory: ${c.id}`, () => {
    const model = new nn.Linear(c.model.in, c.model.out, { dtype: c.dtype });
    // losskit's generator is not PyTorch's: start from PyTorch's recorded initial weights
    model.weight.data = c.model.weight;
    model.bias!.data = c.model.bias;
    const named = Object.fromEntries(model.namedParameters()) as Record<string, Tensor>;
    for (const name of c.frozen) named[name].requiresGrad = false;
    const params = c.groups
      ? c.groups.map(({ params, ...rest }) => ({ ...rest, params: params.map((n) => named[n]) }))
      : model.parameters();
    const opt: optim.Optimizer<any> = new optim[c.optimizer](params as any, c.options as any);
    const sched = c.scheduler ? makeScheduler(opt, c.scheduler) : null;
    const x = tensor(c.input, { dtype: c.dtype });
    const y = c.loss === 'cross_entropy' ? tensor(c.target as number[], { dtype: 'int64' }) : tensor(c.target as number[][], { dtype: c.dtype });
    const lossFn = LOSSES[c.loss] as (a: Tensor, b: Tensor, o: object) => Tensor;
    assert.equal(c.trajectory.length, c.steps);
    c.trajectory.forEach((expected, step) => {
      opt.zeroGrad();
      const loss = lossFn(model.forward(x), y, c.lossOptions);
      loss.backward();
      closeTo([loss.item()], [expected.loss], c.dtype, `step ${step + 1} loss`);
      closeTo(opt.paramGroups.map((g) => g.lr), expected.lr, 'float64', `step ${step + 1} lr`);
      opt.step();
      sched?.step();
      closeTo(model.weight.data as Float64Array, expected.weight.flat(), c.dtype, `step ${step + 1} weight`);
      closeTo(model.bias!.data as Float64Array, expected.bias, c.dtype, `step ${step + 1} bias`);
    });
  });
}

for (const s of fixture.schedulers) {
  test(`lr schedule: ${s.id}`, () => {
    const params = s.lrs0.map(() => tensor([0], { dtype: 'float64', requiresGrad: true }));
    const opt = new optim.SGD(
      params.map((p, i) => ({ params: [p], lr: s.lrs0[i] })),
      { lr: s.lrs0[0] },
    );
    const sched = makeScheduler(opt, s);
    closeTo(sched.getLastLr(), s.lrs[0], 'float64', 'epoch 0');
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      opt.step();
      sched.step();
      closeTo(sched.getLastLr(), s.lrs[epoch], 'float64', `epoch ${epoch}`);
      closeTo(opt.paramGroups.map((g) => g.lr), s.lrs[epoch], 'float64', `epoch ${epoch} groups`);
    }
  });
}
