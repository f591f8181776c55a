// losskit plot: the sampled curves are the losses and their gradients (checked at known points),
// and every picture is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { plot } from '../../src/cli/plot.js';
import { capture, scratch } from './helpers.js';

interface Curve {
  label: string;
  x: number[];
  loss: number[];
  grad: number[];
}

/** The loss and gradient of curve `label` at input `x` (a sample point). */
function at(curves: Curve[], label: string, x: number): [number, number] {
  const c = curves.find((k) => k.label === label)!;
  assert.ok(c, label);
  const i = c.x.findIndex((v) => Math.abs(v - x) < 1e-9);
  assert.ok(i >= 0, `no sample at ${x}`);
  return [c.loss[i], c.grad[i]];
}

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('plot --json: every loss, its curves at known points, and the pictures', () => {
  const dir = scratch('plot');
  const r = capture(plot, ['--json', '--samples', '121', '--out', dir]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { losses: { name: string; curves: Curve[]; files: { svg: string } }[]; overview: { svg: string } };
  const by = Object.fromEntries(j.losses.map((l) => [l.name, l.curves]));
  assert.deepEqual(Object.keys(by), ['l1', 'mse', 'smooth-l1', 'huber', 'bce', 'bce-with-logits', 'hinge', 'soft-margin']);
  // regression losses against r in [-3, 3] (step 0.05)
  assert.deepEqual(at(by.l1, '|r|', -2), [2, -1]);
  assert.deepEqual(at(by.l1, '|r|', 0), [0, 0]);
  at(by.mse, 'r²', 1.5).forEach((v, k) => close(v, [2.25, 3][k]));
  at(by['smooth-l1'], 'β = 1', 0.5).forEach((v, k) => close(v, [0.125, 0.5][k]));
  at(by['smooth-l1'], 'β = 0.5', 2).forEach((v, k) => close(v, [1.75, 1][k]));
  at(by['smooth-l1'], 'β = 2', -1).forEach((v, k) => close(v, [0.25, -0.5][k]));
  at(by.huber, 'δ = 2', 3).forEach((v, k) => close(v, [4, 2][k]));
  at(by.huber, 'δ = 0.5', -1).forEach((v, k) => close(v, [0.375, -0.5][k]));
  // classification losses
  at(by['bce-with-logits'], 'target y = 1', 0).forEach((v, k) => close(v, [Math.LN2, -0.5][k]));
  at(by['bce-with-logits'], 'target y = 0', 0).forEach((v, k) => close(v, [Math.LN2, 0.5][k]));
  at(by.hinge, 'y = −1, margin 1', 0.5).forEach((v, k) => close(v, [0.5, -1][k]));
  at(by.hinge, 'y = −1, margin 2', 2.5).forEach((v, k) => close(v, [0, 0][k]));
  at(by.hinge, 'y = 1', 1).forEach((v, k) => close(v, [1, 1][k]));
  at(by['soft-margin'], 'target y = −1', 0).forEach((v, k) => close(v, [Math.LN2, 0.5][k]));
  const bce = by.bce.find((c) => c.label === 'target y = 1')!;
  const mid = bce.x.findIndex((v) => Math.abs(v - 0.5) < 1e-12);
  close(bce.loss[mid], Math.LN2);
  close(bce.grad[mid], -2);
  for (const l of j.losses) {
    assert.ok(existsSync(l.files.svg), l.name);
    assert.match(readFileSync(l.files.svg, 'utf8'), /gradient ∂loss\/∂input/);
  }
  assert.ok(existsSync(j.overview.svg));
});

test('plot --loss NAME draws one; text output lists the files; bad names are refused', () => {
  const dir = scratch('plot');
  const r = capture(plot, ['--loss', 'huber', '--no-png', '--out', dir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^HuberLoss\s+\S+plot-huber\.svg\n\s+0\.5 r² where \|r\| < δ/);
  assert.ok(!r.out.includes('plot-losses'));
  const bad = capture(plot, ['--loss', 'focal']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--loss must be one of all, l1, mse, smooth-l1, huber, bce, bce-with-logits, hinge, soft-margin, got 'focal'/);
});
