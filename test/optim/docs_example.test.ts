// The training loop of docs/training.md, as written there: it must run and say what the page says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, F, nn, optim } from '../../src/index.js';

test('docs/training.md: fitting y = 2x + 1 with Linear, SGD with momentum and StepLR', () => {
  // y = 2x + 1 with a little noise
  const x = tensor([[-2], [-1], [0], [1], [2]], { dtype: 'float64' });
  const y = tensor([[-3.1], [-0.9], [1.05], [2.9], [5.1]], { dtype: 'float64' });

  const model = new nn.Linear(1, 1, { dtype: 'float64', seed: 0 });
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const scheduler = new optim.StepLR(optimizer, 50, { gamma: 0.5 });

  for (let step = 0; step < 200; step++) {
    optimizer.zeroGrad();
    const loss = F.mseLoss(model.forward(x), y);
    loss.backward();
    optimizer.step();
    scheduler.step();
  }
  // the least-squares line: slope sum(xy) / sum(x^2) = 2.02, intercept mean(y) = 1.01
  assert.ok(Math.abs(model.weight.item() - 2.02) < 1e-4, String(model.weight.item()));
  assert.ok(Math.abs(model.bias!.item() - 1.01) < 1e-4, String(model.bias!.item()));
  assert.deepEqual(scheduler.getLastLr(), [0.1 * 0.5 ** 4]);
});

test('docs/training.md: a classifier, saved and loaded as JSON', () => {
  const model = new nn.Sequential(new nn.Linear(4, 16, { seed: 1 }), new nn.ReLU(), new nn.Linear(16, 3, { seed: 2 }));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const lossFn = new nn.CrossEntropyLoss();
  const x = tensor([[5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5]]);
  const y = tensor([0, 1, 2], { dtype: 'int64' });
  let first = 0;
  let last = 0;
  for (let epoch = 0; epoch < 100; epoch++) {
    optimizer.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    if (epoch === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(last < first / 10);
  const saved = JSON.stringify(model.stateDict());
  const copy = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
  copy.loadStateDict(JSON.parse(saved));
  assert.deepEqual(copy.eval().forward(x).argmax(1).toArray(), [0, 1, 2]);
});
