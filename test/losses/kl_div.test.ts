import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, tensor, gradcheck, randn, rand, RuntimeError } from '../../src/index.js';
import { captureWarnings, close } from '../helpers/index.js';

const f64 = (shape: number[], seed: number, positive = false) =>
  positive ? rand(shape, { dtype: 'float64', requiresGrad: true, seed }).add(0.1).detach() : randn(shape, { dtype: 'float64', requiresGrad: true, seed });

test('klDiv: float64 gradcheck of input and target, every reduction, both target forms', () => {
  const x = F.logSoftmax(randn([3, 4], { dtype: 'float64', seed: 1 }), 1).detach();
  x.requiresGrad = true;
  const y = f64([3, 4], 2, true);
  y.requiresGrad = true;
  const yl = f64([3, 4], 3);
  for (const reduction of ['none', 'mean', 'sum', 'batchmean']) {
    captureWarnings(() => {
      assert.equal(gradcheck((a, b) => F.klDiv(a, b, { reduction }), [x, y]), true);
      assert.equal(gradcheck((a, b) => F.klDiv(a, b, { reduction, logTarget: true }), [x, yl]), true);
    });
  }
});

test("klDiv: 'batchmean' divides by the batch size, 'mean' warns", () => {
  const x = tensor([[0, 0], [0, 0]], { dtype: 'float64' });
  const y = tensor([[0.5, 0.5], [1, 0]], { dtype: 'float64' });
  const sum = F.klDiv(x, y, { reduction: 'sum' }).item();
  close(F.klDiv(x, y, { reduction: 'batchmean' }).item(), sum / 2);
  const { result, warnings } = captureWarnings(() => new nn.KLDivLoss().forward(x, y));
  close(result.item(), sum / 4);
  assert.match(warnings[0].message, /'batchmean' divides only by the batch size/);
  assert.throws(() => F.klDiv(tensor([1], { dtype: 'int64' }), tensor([1])), (e: Error) => e instanceof RuntimeError && e.message.includes('kl_div: Integral inputs not supported.'));
});
