// losskit fit-line: MSE reaches the closed-form least-squares line, the robust losses resist
// outliers, the JSON and text outputs, the pictures, and the flag errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fitLine, iterateSteps, leastSquares } from '../../src/cli/fit_line.js';
import { main } from '../../src/cli/main.js';
import { capture, scratch } from './helpers.js';

/** The least-squares line from the printed data, computed here independently of the command. */
function closedForm(x: number[], y: number[]): { slope: number; intercept: number } {
  const n = x.length;
  const sx = x.reduce((a, b) => a + b, 0);
  const sy = y.reduce((a, b) => a + b, 0);
  const sxx = x.reduce((a, b) => a + b * b, 0);
  const sxy = x.reduce((a, b, i) => a + b * y[i], 0);
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return { slope, intercept: (sy - slope * sx) / n };
}

test('fit-line --json (defaults: MSE, SGD): recovers the least-squares line to 1e-2 and writes the picture', () => {
  const dir = scratch('fit');
  const r = capture(fitLine, ['--json', '--out', dir]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.config.loss, 'mse');
  assert.equal(j.data.x.length, 40);
  const ls = closedForm(j.data.x, j.data.y);
  assert.ok(Math.abs(ls.slope - j.leastSquares.slope) < 1e-12 && Math.abs(ls.intercept - j.leastSquares.intercept) < 1e-12);
  const fit = j.fits[0];
  assert.ok(Math.abs(fit.fit.slope - ls.slope) < 1e-2, `slope ${fit.fit.slope} vs ${ls.slope}`);
  assert.ok(Math.abs(fit.fit.intercept - ls.intercept) < 1e-2, `intercept ${fit.fit.intercept} vs ${ls.intercept}`);
  assert.ok(Math.abs(fit.fromLeastSquares.slope) < 1e-3);
  // iterates w0..w6: the start, then later steps, ending at the fit, with the loss going down
  assert.deepEqual(fit.iterates.map((it: { step: number }) => it.step), [0, ...iterateSteps(100, 6)]);
  assert.equal(fit.iterates[0].label, 'w₀');
  assert.deepEqual(fit.iterates.at(-1).slope, fit.fit.slope);
  const losses = fit.iterates.map((it: { loss: number }) => it.loss);
  assert.ok(losses.every((l: number, i: number) => i === 0 || l <= losses[i - 1]));
  assert.equal(fit.lossCurve.length, 101);
  assert.ok(existsSync(j.files.svg));
  const svg = readFileSync(j.files.svg, 'utf8');
  assert.match(svg, /^<svg xmlns/);
  assert.match(svg, /true line y = 2x \+ 1/);
  assert.match(svg, /stroke-dasharray="7 5"/, 'iterates are dashed');
  if (j.files.png) assert.ok(readFileSync(j.files.png).subarray(1, 4).toString() === 'PNG');
});

test('fit-line --compare with outliers: L1, smooth L1 and Huber stay near the true line, MSE does not', () => {
  const dir = scratch('fit');
  const r = capture(fitLine, ['--json', '--compare', '--outliers', '5', '--steps', '150', '--no-png', '--out', dir]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const by = Object.fromEntries(j.fits.map((f: { loss: string }) => [f.loss, f]));
  assert.deepEqual(Object.keys(by), ['mse', 'l1', 'smooth-l1', 'huber']);
  assert.ok(Math.abs(by.mse.fromLeastSquares.slope) < 1e-2, 'MSE still finds least squares');
  assert.ok(Math.abs(by.mse.fromTrueLine.slope) > 0.5, 'which the outliers tilt');
  for (const robust of ['l1', 'smooth-l1', 'huber']) {
    assert.ok(Math.abs(by[robust].fromTrueLine.slope) < 0.2, `${robust} slope ${by[robust].fit.slope}`);
    assert.ok(Math.abs(by[robust].fromTrueLine.slope) < Math.abs(by.mse.fromTrueLine.slope) / 4);
  }
  assert.equal(j.data.outlier.filter(Boolean).length, 5);
  assert.equal(j.files.png, null);
  assert.ok(j.files.svg.endsWith('fit-line-compare.svg') && existsSync(j.files.svg));
});

test('fit-line text output: progress lines without a TTY, the iterates, both lines', () => {
  const r = capture(fitLine, ['--loss', 'l1', '--optimizer', 'adam', '--steps', '50', '--no-png', '--out', scratch('fit')]);
  assert.equal(r.code, 0, r.err);
  assert.ok(!r.out.includes('\r'));
  assert.match(r.out, /^L1Loss\s+5\/50 {2}loss \d/m);
  assert.match(r.out, /^L1Loss\s+50\/50 {2}loss \d/m);
  assert.match(r.out, /L1Loss: the iterates\n\s+w\s+step\s+slope\s+intercept\s+loss\n\s+w₀\s+0 /);
  assert.match(r.out, /least squares \(closed form\)\s+slope/);
  assert.match(r.out, /L1Loss fit\s+slope .* \(differs from least squares by /);
  assert.match(r.out, /picture: .*fit-line\.svg/);
});

test('fit-line on a TTY redraws one progress bar', () => {
  const r = capture(fitLine, ['--steps', '20', '--no-png', '--out', scratch('fit')], true);
  assert.ok(r.out.includes('\r\u001b[2KMSELoss'), 'clears the line and redraws');
  assert.match(r.out, /MSELoss\s+█+ 20\/20 {2}loss /);
});

test('fit-line: bad flags are usage errors (exit 2); --help; main() dispatches', () => {
  for (const [args, message] of [
    [['--loss', 'hinge'], /--loss must be one of mse, l1, smooth-l1, huber, got 'hinge'/],
    [['--steps', '0'], /--steps must be an integer >= 1/],
    [['--lr', 'fast'], /--lr must be a number >= 0, got 'fast'/],
    [['--frobnicate'], /losskit fit-line: Unknown option '--frobnicate'/],
    [['extra'], /unexpected argument 'extra'/],
    // HuberLoss refuses delta <= 0 (PyTorch: "huber_loss does not support non-positive values for delta.")
    [['--loss', 'huber', '--delta', '0'], /--delta must be a number > 0, got '0'/],
  ] as const) {
    const r = capture(fitLine, [...args]);
    assert.equal(r.code, 2);
    assert.match(r.err, message);
    assert.equal(r.err.trimEnd().split('\n').length, 1, `one line on stderr: ${r.err}`);
  }
  assert.match(capture(fitLine, ['--help']).out, /--loss mse\|l1\|smooth-l1\|huber/);
  let out = '';
  const code = main(['fit-line', '--json', '--steps', '5', '--no-png', '--out', scratch('fit')], { write: (s: string) => (out += s) } as any, { write: () => 0 } as any);
  assert.equal(code, 0);
  assert.equal(JSON.parse(out).fits[0].lossCurve.length, 6);
});

test('leastSquares is the normal equations', () => {
  const l = leastSquares([0, 1, 2, 3], [1, 3, 5, 7]);
  assert.deepEqual(l, { slope: 2, intercept: 1 });
});
