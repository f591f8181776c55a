/**
 * `losskit plot`: each loss drawn against the residual (regression losses) or the input score
 * (classification losses), beside its gradient, so that the shapes the tutorial describes in words
 * can be seen: L1's constant slope, MSE's growing one, smooth L1 and Huber joining the two at
 * beta / delta, BCE's walls at 0 and 1, the hinge's kink and soft margin's smooth version of it.
 *
 * Every curve is computed by losskit itself (`F.*` with reduction 'none', gradients by autograd).
 */
import { F, full, linspace, type Tensor } from '../index.js';
import { Panel, PALETTE, figure, headerHeight } from '../plot/index.js';
import { type Out, OUTPUT_FLAGS, choice, flags, num, outputDir, runCommand, writePicture, PNG_HINT, pngAvailable } from './io.js';

export const PLOT_USAGE = `losskit plot: draw each loss and its gradient against the residual or the input score

Options:
  --loss NAME     one of l1, mse, smooth-l1, huber, bce, bce-with-logits, hinge, soft-margin, or all (default)
  --samples N     points per curve in the JSON output (default 61)
  --out DIR       where pictures go (default ./losskit-out; with --json, none unless given)
  --no-png        write SVG only
  --json          print the sampled curves as JSON only
`;

interface Curve {
  label: string;
  /** The unreduced loss at each input value. */
  loss: (x: Tensor) => Tensor;
}

interface LossPlot {
  name: string;
  /** PyTorch's class name. */
  title: string;
  formula: string;
  xLabel: string;
  domain: [number, number];
  /** Vertical ranges for the loss and the gradient, where the curves run off to infinity. */
  lossRange?: [number, number];
  gradRange?: [number, number];
  curves: Curve[];
}

const none = { reduction: 'none' } as const;
const like = (x: Tensor, v: number): Tensor => full([...x.shape], v, { dtype: x.dtype });

const RESIDUAL = 'residual r = input − target';

export const LOSS_PLOTS: LossPlot[] = [
  {
    name: 'l1',
    title: 'L1Loss',
    formula: '|r|: the gradient is ±1 however large the error (0 at r = 0), so outliers pull no harder than other points',
    xLabel: RESIDUAL,
    domain: [-3, 3],
    curves: [{ label: '|r|', loss: (x) => F.l1Loss(x, like(x, 0), none) }],
  },
  {
    name: 'mse',
    title: 'MSELoss',
    formula: 'r²: the gradient 2r grows with the error, so a far outlier pulls hardest',
    xLabel: RESIDUAL,
    domain: [-3, 3],
    curves: [{ label: 'r²', loss: (x) => F.mseLoss(x, like(x, 0), none) }],
  },
  {
    name: 'smooth-l1',
    title: 'SmoothL1Loss',
    formula: '0.5 r² / β where |r| < β, else |r| − 0.5 β: quadratic near 0, linear beyond β (gradient r / β, then ±1)',
    xLabel: RESIDUAL,
    domain: [-3, 3],
    curves: [0.5, 1, 2].map((beta) => ({ label: `β = ${beta}`, loss: (x: Tensor) => F.smoothL1Loss(x, like(x, 0), { ...none, beta }) })),
  },
  {
    name: 'huber',
    title: 'HuberLoss',
    formula: '0.5 r² where |r| < δ, else δ (|r| − 0.5 δ): smooth L1 times δ (gradient r, then ±δ)',
    xLabel: RESIDUAL,
    domain: [-3, 3],
    curves: [0.5, 1, 2].map((delta) => ({ label: `δ = ${delta}`, loss: (x: Tensor) => F.huberLoss(x, like(x, 0), { ...none, delta }) })),
  },
  {
    name: 'bce',
    title: 'BCELoss',
    formula: '−[y log p + (1 − y) log(1 − p)]: infinite as p reaches the wrong end (PyTorch clamps the log at −100)',
    xLabel: 'input: predicted probability p',
    domain: [0.001, 0.999],
    lossRange: [0, 6],
    gradRange: [-20, 20],
    curves: [1, 0].map((y) => ({ label: `target y = ${y}`, loss: (x: Tensor) => F.binaryCrossEntropy(x, like(x, y), none) })),
  },
  {
    name: 'bce-with-logits',
    title: 'BCEWithLogitsLoss',
    formula: 'BCE of sigmoid(z), computed stably: log(1 + e^−z) for y = 1; the gradient is sigmoid(z) − y, never above 1',
    xLabel: 'input: logit z',
    domain: [-6, 6],
    curves: [1, 0].map((y) => ({ label: `target y = ${y}`, loss: (x: Tensor) => F.binaryCrossEntropyWithLogits(x, like(x, y), none) })),
  },
  {
    name: 'hinge',
    title: 'HingeEmbeddingLoss',
    formula: 'x for similar pairs (y = 1); max(0, margin − x) for dissimilar ones (y = −1): no loss, no gradient past the margin',
    xLabel: 'input x (a distance)',
    domain: [-1, 3],
    curves: [
      { label: 'y = 1', loss: (x: Tensor) => F.hingeEmbeddingLoss(x, like(x, 1), none) },
      { label: 'y = −1, margin 1', loss: (x: Tensor) => F.hingeEmbeddingLoss(x, like(x, -1), { ...none, margin: 1 }) },
      { label: 'y = −1, margin 2', loss: (x: Tensor) => F.hingeEmbeddingLoss(x, like(x, -1), { ...none, margin: 2 }) },
    ],
  },
  {
    name: 'soft-margin',
    title: 'SoftMarginLoss',
    formula: 'log(1 + e^(−y x)): a smooth hinge; the gradient fades as the score gets the sign right',
    xLabel: 'input x (a score)',
    domain: [-4, 4],
    curves: [1, -1].map((y) => ({ label: `target y = ${y < 0 ? '−1' : '1'}`, loss: (x: Tensor) => F.softMarginLoss(x, like(x, y), none) })),
  },
];

export interface SampledCurve {
  label: string;
  x: number[];
  loss: number[];
  grad: number[];
}

/** The curves of one loss at `n` evenly spaced inputs: values and autograd gradients. */
export function sample(p: LossPlot, n: number): SampledCurve[] {
  return p.curves.map((c) => {
    const x = linspace(p.domain[0], p.domain[1], n, { dtype: 'float64', requiresGrad: true });
    const y = c.loss(x);
    y.sum().backward();
    return { label: c.label, x: Array.from(x.data as Float64Array), loss: Array.from(y.data as Float64Array), grad: Array.from(x.grad!.data as Float64Array) };
  });
}

function lossPicture(p: LossPlot): string {
  const curves = sample(p, 601);
  const title = `${p.title}: the loss and its gradient`;
  const top = headerHeight({ title, subtitle: p.formula });
  const [W, H] = [1200, 480];
  const value = new Panel({ x: 0, y: top, width: W / 2, height: H - top, title: 'loss', xLabel: p.xLabel, yLabel: 'loss', yDomain: p.lossRange, legend: 'top-left' });
  const grad = new Panel({ x: W / 2, y: top, width: W / 2, height: H - top, title: 'gradient ∂loss/∂input', xLabel: p.xLabel, yLabel: 'gradient', yDomain: p.gradRange, legend: 'top-left' });
  curves.forEach((c, i) => {
    // later curves thinner, so that where two coincide both stay visible
    const width = 3.2 - 0.7 * i;
    value.line(c.x, c.loss, { color: PALETTE[i], width, label: c.label });
    grad.line(c.x, c.grad, { color: PALETTE[i], width, label: c.label });
  });
  if (p.name === 'smooth-l1' || p.name === 'huber') {
    // L1 and MSE's halves for reference, thin and grey: the two losses these two interpolate
    const ref = sample(LOSS_PLOTS[0], 601)[0];
    value.line(ref.x, ref.loss, { color: '#999', width: 1.2, dash: '3 3', label: '|r| (L1)' });
    value.line(ref.x, ref.x.map((v) => 0.5 * v * v), { color: '#999', width: 1.2, dash: '8 3', label: '0.5 r²' });
  }
  return figure({ width: W, height: H, title, subtitle: p.formula }, [value, grad]);
}

function overview(plots: LossPlot[]): string {
  const title = 'The losses (solid) and their gradients (dashed)';
  const subtitle = 'regression losses against the residual r = input − target; classification losses against the input, for each target';
  const top = headerHeight({ title, subtitle });
  const cols = 4;
  const rows = Math.ceil(plots.length / cols);
  const [pw, ph] = [380, 340];
  const panels = plots.map((p, i) => {
    const curves = sample(p, 401);
    const all = curves.flatMap((c) => [...c.loss, ...c.grad]).filter(Number.isFinite);
    const lo = Math.max(Math.min(...all), p.gradRange?.[0] ?? -Infinity, -4);
    const hi = Math.min(Math.max(...all), p.lossRange?.[1] ?? Infinity, 6);
    const panel = new Panel({ x: (i % cols) * pw, y: top + Math.floor(i / cols) * ph, width: pw, height: ph, title: p.title, xLabel: p.xLabel.replace(/^input: /, ''), yDomain: [Math.floor(lo), Math.ceil(hi)], legend: 'top-left' });
    curves.forEach((c, k) => {
      panel.line(c.x, c.loss, { color: PALETTE[k], width: 2.2, label: c.label });
      panel.line(c.x, c.grad, { color: PALETTE[k], width: 1.6, dash: '6 4' });
    });
    return panel;
  });
  return figure({ width: cols * pw, height: top + rows * ph, title, subtitle }, panels);
}

/** Runs the command; returns the exit code. */
export function plot(args: string[], out: Out, err: Out): number {
  return runCommand('plot', err, () => run(args, out));
}

function run(args: string[], out: Out): number {
  const v = flags('plot', args, {
    loss: { type: 'string', default: 'all' },
    samples: { type: 'string', default: '61' },
    ...OUTPUT_FLAGS,
  });
  const which = choice('plot', 'loss', v.loss, ['all', ...LOSS_PLOTS.map((p) => p.name)]);
  const samples = num('plot', 'samples', v.samples, { min: 2, max: 100001, int: true });
  if (v.help) {
    out.write(PLOT_USAGE);
    return 0;
  }
  const dir = outputDir('plot', v.out as string | undefined, v.json);
  const plots = which === 'all' ? LOSS_PLOTS : LOSS_PLOTS.filter((p) => p.name === which);
  const png = !v['no-png'];
  const results = plots.map((p) => ({
    name: p.name,
    title: p.title,
    formula: p.formula,
    xLabel: p.xLabel,
    curves: sample(p, samples),
    files: dir === null ? null : writePicture(dir, `plot-${p.name}`, lossPicture(p), png),
  }));
  const all = which === 'all' && dir !== null ? writePicture(dir, 'plot-losses', overview(plots), png) : null;
  if (v.json) {
    out.write(JSON.stringify({ losses: results, overview: all }, null, 2) + '\n');
    return 0;
  }
  const lines = results.map((r) => `${r.title.padEnd(19)} ${r.files ? (r.files.png ?? r.files.svg) : ''}\n${' '.repeat(20)}${r.formula}`);
  if (all) lines.push(`${'all of them'.padEnd(19)} ${all.png ?? all.svg}`);
  if (png && !pngAvailable()) lines.push(PNG_HINT);
  out.write(lines.join('\n') + '\n');
  return 0;
}
