// The parity runner must be able to fail: wrong values, dtypes, shapes, gradients and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCase, runParity, compareTensor, type ParityCase } from '../src/parity.js';
import { tensor } from '../src/index.js';

const t = (data: (number | string)[], shape: number[], dtype: 'float32' | 'float64' | 'int64' = 'float32') => ({ dtype, shape, data });

const base = (): ParityCase => ({
  id: 'l1_loss/x',
  fn: 'l1_loss',
  args: [t([1, 1, 1, 1], [2, 2]), t([0, 1, 2, 3], [2, 2])],
  kwargs: { reduction: 'mean' },
  grad: [0],
  expect: { value: t([1], []), grads: [t([0.25, 0, -0.25, -0.25], [2, 2])] },
});

test('a correct case passes', () => {
  assert.deepEqual(runCase(base()), { id: 'l1_loss/x', ok: true, worst: 0 });
});

test('a wrong value fails and says where', () => {
  const c = base();
  c.expect = { value: t([1.001], []) };
  const r = runCase(c);
  assert.equal(r.ok, false);
  assert.match(r.detail!, /^value\[0\]: got 1, expected 1\.001/);
});

test('a wrong gradient fails', () => {
  const c = base();
  (c.expect as any).grads = [t([0.25, 0, -0.25, 0.25], [2, 2])];
  const r = runCase(c);
  assert.equal(r.ok, false);
  assert.match(r.detail!, /grad of args\[0\]\[3\]/);
});

test('dtype and shape must match exactly', () => {
  const c = base();
  c.expect = { value: t([1], [], 'float64') };
  assert.match(runCase(c).detail!, /dtype float32, expected float64/);
  c.expect = { value: t([1], [1]) };
  assert.match(runCase(c).detail!, /shape \[\], expected \[1\]/);
});

test('NaN equals NaN, infinities must match exactly', () => {
  assert.equal(compareTensor(tensor([NaN]), t(['nan'], [1]), undefined, 'v').ok, true);
  assert.equal(compareTensor(tensor([Infinity]), t(['inf'], [1]), undefined, 'v').ok, true);
  assert.equal(compareTensor(tensor([Infinity]), t(['-inf'], [1]), undefined, 'v').ok, false);
  assert.equal(compareTensor(tensor([1]), t(['nan'], [1]), undefined, 'v').ok, false);
});

test('tolerances: float32 rtol 1e-5 by default, overridable per case', () => {
  assert.equal(compareTensor(tensor([1.000001]), t([1], [1]), undefined, 'v').ok, true);
  assert.equal(compareTensor(tensor([1.0001]), t([1], [1]), undefined, 'v').ok, false);
  assert.equal(compareTensor(tensor([1.0001]), t([1], [1]), { rtol: 1e-3 }, 'v').ok, true);
});

test('an expected error must be thrown, with the same class and message', () => {
  const c = base();
  c.kwargs = { reduction: 'bad' };
  c.expect = { error: 'ValueError: bad is not a valid value for reduction' };
  assert.equal(runCase(c).ok, true);
  c.expect = { error: 'RuntimeError: bad is not a valid value for reduction' };
  assert.match(runCase(c).detail!, /expected RuntimeError/);
  c.expect = { error: 'ValueError: something else' };
  assert.match(runCase(c).detail!, /message differs/);
  c.kwargs = { reduction: 'sum' };
  assert.match(runCase(c).detail!, /nothing was thrown/);
});

test('an unknown function or format is a failure, not a crash', () => {
  const c = base();
  c.fn = 'focal_loss';
  assert.deepEqual(runCase(c), { id: 'l1_loss/x', ok: false, detail: 'F.focalLoss is not implemented' });
  assert.equal(runParity({ format: 'other', cases: [] })[0].ok, false);
});

test('a case whose call throws unexpectedly fails with the error text', () => {
  const c = base();
  c.args = [t([1, 1], [2]), t([1, 1, 1], [3])];
  const r = runCase(c);
  assert.equal(r.ok, false);
  assert.match(r.detail!, /threw RuntimeError: The size of tensor a/);
});
