/**
 * `losskit fit-line`: the tutorial's figure, live. Points from a known line plus noise (and,
 * optionally, outliers) are fitted by a one-input Linear layer with a chosen loss and optimizer.
 * The iterates w1, w2, ... (slope and intercept after chosen steps) are printed and drawn dashed
 * over the data and the true line, with the loss curve beside. The closed-form least-squares line
 * is computed too: MSE training must reach it; L1 and Huber, which resist outliers, need not.
 */
import { F, nn, optim, tensor, Generator, type Tensor } from '../index.js';
import { Panel, PALETTE, blueRamp, figure, headerHeight, niceDomain } from '../plot/index.js';
import { type Out, OUTPUT_FLAGS, choice, flags, fmt, num, outputDir, runCommand, writePicture, PNG_HINT, pngAvailable } from './io.js';
import { Progress } from './progress.js';

export const FIT_LINE_USAGE = `losskit fit-line: fit a line to noisy points with a loss and an optimizer, and draw it

Options:
  --loss mse|l1|smooth-l1|huber   the loss (default mse)
  --optimizer sgd|adam|adamw      the optimizer (default sgd)
  --lr N                          learning rate (default 0.05)
  --momentum N                    SGD momentum (default 0)
  --weight-decay N                weight decay (default: 0 for sgd and adam, 0.01 for adamw)
  --schedule none|cosine|step     learning-rate schedule (default none)
  --steps N                       full-batch steps (default 100)
  --points N                      points on the line (default 40)
  --noise N                       standard deviation of the noise (default 0.5)
  --outliers N                    extra points far above the line, at its right end (default 0)
  --slope N --intercept N         the true line (default 2 and 1)
  --beta N / --delta N            smooth-l1's beta / huber's delta (default 1)
  --iterates N                    how many iterates w1, w2, ... to show (default 6)
  --compare                       fit every loss on the same points and draw them side by side
  --seed N                        seeds the points and the initial weights (default 0)
  --out DIR                       where pictures go (default ./losskit-out; with --json, none unless given)
  --no-png                        write SVG only
  --json                          print the results as JSON only
`;

const LOSSES = ['mse', 'l1', 'smooth-l1', 'huber'] as const;
type LossName = (typeof LOSSES)[number];
const OPTIMIZERS = ['sgd', 'adam', 'adamw'] as const;

export interface FitLineConfig {
  loss: LossName;
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  momentum: number;
  /** null: the optimizer's default. */
  weightDecay: number | null;
  schedule: 'none' | 'cosine' | 'step';
  steps: number;
  points: number;
  noise: number;
  outliers: number;
  slope: number;
  intercept: number;
  beta: number;
  delta: number;
  iterates: number;
  seed: number;
}

export interface Line {
  slope: number;
  intercept: number;
}

export interface Iterate extends Line {
  label: string;
  step: number;
  /** The loss at these weights. */
  loss: number;
}

export interface Fit {
  loss: LossName;
  fit: Line;
  /** Iterates w0 (the initial weights), w1, ... (the last is the final fit). */
  iterates: Iterate[];
  /** The loss before each step, and after the last (length steps + 1). */
  lossCurve: number[];
  /** The fit minus the least-squares line (what MSE converges to). */
  fromLeastSquares: Line;
  /** The fit minus the true line. */
  fromTrueLine: Line;
}

const LOSS_TITLES: Record<LossName, string> = { mse: 'MSELoss', l1: 'L1Loss', 'smooth-l1': 'SmoothL1Loss', huber: 'HuberLoss' };

/** Seeded points: x uniform on [-3, 3], y = slope x + intercept + noise; outliers 8-12 above the line at x in [1.5, 3]. */
export function makePoints(c: Pick<FitLineConfig, 'points' | 'noise' | 'outliers' | 'slope' | 'intercept' | 'seed'>): { x: number[]; y: number[]; outlier: boolean[] } {
  const g = new Generator(c.seed);
  const x: number[] = [];
  const y: number[] = [];
  const outlier: boolean[] = [];
  for (let i = 0; i < c.points; i++) {
    const xi = -3 + 6 * g.uniform();
    x.push(xi);
    y.push(c.slope * xi + c.intercept + c.noise * g.normal());
    outlier.push(false);
  }
  for (let i = 0; i < c.outliers; i++) {
    const xi = 1.5 + 1.5 * g.uniform();
    x.push(xi);
    y.push(c.slope * xi + c.intercept + 8 + 4 * g.uniform());
    outlier.push(true);
  }
  return { x, y, outlier };
}

/** The line minimising the mean squared error, in closed form (the normal equations). */
export function leastSquares(x: number[], y: number[]): Line {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

function lossFn(name: LossName, c: FitLineConfig): (a: Tensor, b: Tensor) => Tensor {
  switch (name) {
    case 'mse':
      return (a, b) => F.mseLoss(a, b);
    case 'l1':
      return (a, b) => F.l1Loss(a, b);
    case 'smooth-l1':
      return (a, b) => F.smoothL1Loss(a, b, { beta: c.beta });
    case 'huber':
      return (a, b) => F.huberLoss(a, b, { delta: c.delta });
  }
}

/** Steps after which iterates are shown: roughly geometric (1, 3, 8, 22, ...), ending at the last step. */
export function iterateSteps(steps: number, count: number): number[] {
  const out = new Set<number>();
  for (let k = 1; k <= count; k++) out.add(Math.max(1, Math.round(steps ** (k / count))));
  return [...out].sort((a, b) => a - b);
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
const subscript = (n: number): string => [...String(n)].map((d) => SUB[Number(d)]).join('');

/** Trains nn.Linear(1, 1) on the points with one loss; `onStep` reports progress. */
export function fitOne(c: FitLineConfig, loss: LossName, data: { x: number[]; y: number[] }, onStep?: (step: number, loss: number) => void): Fit {
  const x = tensor(data.x.map((v) => [v]), { dtype: 'float64' });
  const y = tensor(data.y.map((v) => [v]), { dtype: 'float64' });
  const model = new nn.Linear(1, 1, { dtype: 'float64', seed: c.seed });
  const params = model.parameters();
  const decay = c.weightDecay === null ? {} : { weightDecay: c.weightDecay };
  const opt =
    c.optimizer === 'sgd'
      ? new optim.SGD(params, { lr: c.lr, momentum: c.momentum, ...decay })
      : c.optimizer === 'adam'
        ? new optim.Adam(params, { lr: c.lr, ...decay })
        : new optim.AdamW(params, { lr: c.lr, ...decay });
  const sched =
    c.schedule === 'cosine' ? new optim.CosineAnnealingLR(opt, c.steps) : c.schedule === 'step' ? new optim.StepLR(opt, Math.max(1, Math.ceil(c.steps / 4)), { gamma: 0.3 }) : null;
  const f = lossFn(loss, c);
  const line = (): Line => ({ slope: model.weight.data[0] as number, intercept: model.bias!.data[0] as number });
  const shown = new Set(iterateSteps(c.steps, c.iterates));
  const lossCurve: number[] = [];
  const iterates: Iterate[] = [];
  for (let step = 0; step <= c.steps; step++) {
    opt.zeroGrad();
    const l = f(model.forward(x), y);
    lossCurve.push(l.item());
    if (step === 0 || shown.has(step)) iterates.push({ label: `w${subscript(iterates.length)}`, step, ...line(), loss: l.item() });
    if (step === c.steps) break;
    l.backward();
    opt.step();
    sched?.step();
    onStep?.(step + 1, l.item());
  }
  const fit = line();
  const ls = leastSquares(data.x, data.y);
  return {
    loss,
    fit,
    iterates,
    lossCurve,
    fromLeastSquares: { slope: fit.slope - ls.slope, intercept: fit.intercept - ls.intercept },
    fromTrueLine: { slope: fit.slope - c.slope, intercept: fit.intercept - c.intercept },
  };
}

function readConfig(args: string[]): { c: FitLineConfig; compare: boolean; out: string | undefined; json: boolean; png: boolean; help: boolean } {
  const v = flags('fit-line', args, {
    loss: { type: 'string', default: 'mse' },
    optimizer: { type: 'string', default: 'sgd' },
    lr: { type: 'string', default: '0.05' },
    momentum: { type: 'string', default: '0' },
    'weight-decay': { type: 'string' },
    schedule: { type: 'string', default: 'none' },
    steps: { type: 'string', default: '100' },
    points: { type: 'string', default: '40' },
    noise: { type: 'string', default: '0.5' },
    outliers: { type: 'string', default: '0' },
    slope: { type: 'string', default: '2' },
    intercept: { type: 'string', default: '1' },
    beta: { type: 'string', default: '1' },
    delta: { type: 'string', default: '1' },
    iterates: { type: 'string', default: '6' },
    seed: { type: 'string', default: '0' },
    compare: { type: 'boolean', default: false },
    ...OUTPUT_FLAGS,
  });
  const n = (name: string, o?: Parameters<typeof num>[3]) => num('fit-line', name, (v as unknown as Record<string, string>)[name], o);
  const c: FitLineConfig = {
    loss: choice('fit-line', 'loss', v.loss, LOSSES),
    optimizer: choice('fit-line', 'optimizer', v.optimizer, OPTIMIZERS),
    lr: n('lr', { min: 0 }),
    momentum: n('momentum', { min: 0 }),
    weightDecay: v['weight-decay'] === undefined ? null : n('weight-decay', { min: 0 }),
    schedule: choice('fit-line', 'schedule', v.schedule, ['none', 'cosine', 'step'] as const),
    steps: n('steps', { min: 1, max: 1e6, int: true }),
    points: n('points', { min: 2, max: 1e5, int: true }),
    noise: n('noise', { min: 0 }),
    outliers: n('outliers', { min: 0, max: 1e5, int: true }),
    slope: n('slope'),
    intercept: n('intercept'),
    beta: n('beta', { min: 0 }),
    // HuberLoss needs delta > 0; smooth L1's beta = 0 is L1
    delta: n('delta', { above: 0 }),
    iterates: n('iterates', { min: 1, max: 20, int: true }),
    seed: n('seed', { int: true }),
  };
  return { c, compare: v.compare, out: v.out, json: v.json, png: !v['no-png'], help: v.help };
}

/** Runs the command; returns the exit code. */
export function fitLine(args: string[], out: Out, err: Out): number {
  return runCommand('fit-line', err, () => run(args, out));
}

function run(args: string[], out: Out): number {
  const cfg = readConfig(args);
  if (cfg.help) {
    out.write(FIT_LINE_USAGE);
    return 0;
  }
  const { c, compare, json } = cfg;
  const dir = outputDir('fit-line', cfg.out, json);
  const data = makePoints(c);
  const ls = leastSquares(data.x, data.y);
  const losses: LossName[] = compare ? [...LOSSES] : [c.loss];
  const fits = losses.map((loss) => {
    const progress = new Progress(out, c.steps, `${LOSS_TITLES[loss].padEnd(12)}`, !json);
    return fitOne(c, loss, data, (step, l) => progress.update(step, { loss: fmt(l) }));
  });
  const svg = compare ? compareFigure(c, data, ls, fits) : fitFigure(c, data, ls, fits[0]);
  const files = dir === null ? null : writePicture(dir, compare ? 'fit-line-compare' : 'fit-line', svg, cfg.png);

  if (json) {
    const result = {
      config: c,
      compare,
      data: { x: data.x, y: data.y, outlier: data.outlier },
      trueLine: { slope: c.slope, intercept: c.intercept },
      leastSquares: ls,
      fits,
      files,
    };
    out.write(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [''];
  lines.push(`${data.x.length} points (${c.points} on y = ${fmt(c.slope)} x + ${fmt(c.intercept)} with noise ${fmt(c.noise)}${c.outliers ? `, ${c.outliers} outliers` : ''}), seed ${c.seed}`);
  lines.push(`optimizer ${c.optimizer}, lr ${fmt(c.lr)}${c.optimizer === 'sgd' && c.momentum ? `, momentum ${fmt(c.momentum)}` : ''}${c.schedule !== 'none' ? `, ${c.schedule} schedule` : ''}, ${c.steps} steps`);
  for (const fit of fits) {
    lines.push('', `${LOSS_TITLES[fit.loss]}: the iterates`);
    lines.push(`  ${'w'.padEnd(4)} ${'step'.padStart(6)} ${'slope'.padStart(10)} ${'intercept'.padStart(10)} ${'loss'.padStart(10)}`);
    for (const it of fit.iterates) {
      lines.push(`  ${it.label.padEnd(4)} ${String(it.step).padStart(6)} ${fmt(it.slope, 5).padStart(10)} ${fmt(it.intercept, 5).padStart(10)} ${fmt(it.loss).padStart(10)}`);
    }
  }
  lines.push('');
  const row = (name: string, l: Line) => `  ${name.padEnd(28)} slope ${fmt(l.slope, 6).padStart(9)}   intercept ${fmt(l.intercept, 6).padStart(9)}`;
  lines.push(row('true line', { slope: c.slope, intercept: c.intercept }));
  lines.push(row('least squares (closed form)', ls));
  for (const fit of fits) {
    const d = Math.max(Math.abs(fit.fromLeastSquares.slope), Math.abs(fit.fromLeastSquares.intercept));
    lines.push(`${row(`${LOSS_TITLES[fit.loss]} fit`, fit.fit)}   (${fit.loss === 'mse' ? 'from least squares' : 'differs from least squares by'} ${fmt(d, 2)})`);
  }
  if (fits.length > 1 && c.beta === 1 && c.delta === 1) {
    lines.push('', 'With beta = delta = 1, SmoothL1Loss and HuberLoss are the same function (try --beta 0.5 --delta 2).');
  }
  if (c.outliers && fits.length > 1) {
    lines.push('', 'With outliers, MSE is pulled towards them (its gradient grows with the residual); L1, smooth L1 and Huber are not (theirs stay bounded).');
  }
  if (files) lines.push('', `picture: ${files.svg}${files.png ? `\n         ${files.png}` : ''}`);
  if (files && cfg.png && !files.png && !pngAvailable()) lines.push(PNG_HINT);
  out.write(lines.join('\n') + '\n');
  return 0;
}

// ---- pictures ---------------------------------------------------------------------------------

function xRange(data: { x: number[] }): [number, number] {
  return [Math.min(-3, ...data.x) - 0.15, Math.max(3, ...data.x) + 0.15];
}

/** Data, true line (thick), least-squares line, iterates (dashed, light to dark), into `p`. */
function drawLines(p: Panel, c: FitLineConfig, data: ReturnType<typeof makePoints>, ls: Line, fit: Fit, withLegend: boolean): void {
  const [x0, x1] = xRange(data);
  const xs = [x0, x1];
  const at = (l: Line) => xs.map((x) => l.slope * x + l.intercept);
  const inliers = data.x.map((_, i) => i).filter((i) => !data.outlier[i]);
  const outliers = data.x.map((_, i) => i).filter((i) => data.outlier[i]);
  p.line(xs, at({ slope: c.slope, intercept: c.intercept }), { color: '#222', width: 6, opacity: 0.35, label: withLegend ? `true line y = ${fmt(c.slope)}x + ${fmt(c.intercept)}` : undefined });
  p.line(xs, at(ls), { color: PALETTE[1], width: 1.6, dash: '2 3', label: withLegend ? 'least squares (closed form)' : undefined });
  p.points(inliers.map((i) => data.x[i]), inliers.map((i) => data.y[i]), { color: '#555', radius: 3.2, opacity: 0.7, label: withLegend ? 'data' : undefined });
  if (outliers.length) p.points(outliers.map((i) => data.x[i]), outliers.map((i) => data.y[i]), { color: PALETTE[3], marker: 'cross', radius: 5, label: withLegend ? 'outliers' : undefined });
  const n = fit.iterates.length;
  fit.iterates.forEach((it, k) => {
    const last = k === n - 1;
    p.line(xs, at(it), {
      color: last ? PALETTE[0] : blueRamp(0.15 + (0.85 * k) / Math.max(1, n - 1)),
      width: last ? 2.6 : 1.8,
      dash: last ? undefined : '7 5',
      label: withLegend ? `${it.label} (step ${it.step})${last ? ': fit' : ''}` : undefined,
    });
  });
}

function fitFigure(c: FitLineConfig, data: ReturnType<typeof makePoints>, ls: Line, fit: Fit): string {
  const title = `Fitting a line with ${LOSS_TITLES[fit.loss]} and ${c.optimizer.toUpperCase()} (lr ${fmt(c.lr)}, ${c.steps} steps)`;
  const subtitle =
    `${data.x.length} points from y = ${fmt(c.slope)}x + ${fmt(c.intercept)} + noise${c.outliers ? ` (${c.outliers} outliers)` : ''}; ` +
    `fit y = ${fmt(fit.fit.slope)}x + ${fmt(fit.fit.intercept)}, least squares y = ${fmt(ls.slope)}x + ${fmt(ls.intercept)}`;
  const top = headerHeight({ title, subtitle });
  const [W, H] = [1280, 640];
  const left = new Panel({ x: 0, y: top, width: 760, height: H - top, title: 'the data, the true line and the iterates', xLabel: 'x', yLabel: 'y', legend: 'top-left' });
  drawLines(left, c, data, ls, fit, true);
  const right = new Panel({
    x: 760,
    y: top,
    width: W - 760,
    height: H - top,
    title: `${LOSS_TITLES[fit.loss]} during training`,
    xLabel: 'step',
    yLabel: 'loss (log scale)',
    yLog: true,
    legend: 'top-right',
    // room on the right for the last iterate's mark and label
    xDomain: [0, c.steps * 1.08],
  });
  right.line(fit.lossCurve.map((_, i) => i), fit.lossCurve, { color: PALETTE[0], width: 2.2, label: 'loss' });
  right.points(fit.iterates.map((it) => it.step), fit.iterates.map((it) => it.loss), { color: PALETTE[3], radius: 4.5, label: 'iterates w₀, w₁, ...' });
  fit.iterates.forEach((it) => right.text(it.step, it.loss, ` ${it.label}`, { color: PALETTE[3] }));
  return figure({ width: W, height: H, title, subtitle }, [left, right]);
}

function compareFigure(c: FitLineConfig, data: ReturnType<typeof makePoints>, ls: Line, fits: Fit[]): string {
  const title = `The same ${data.x.length} points${c.outliers ? ` (${c.outliers} outliers)` : ''}, four losses (${c.optimizer.toUpperCase()}, lr ${fmt(c.lr)}, ${c.steps} steps)`;
  const subtitle = `true line y = ${fmt(c.slope)}x + ${fmt(c.intercept)} (thick grey), least squares (orange dots), iterates dashed light to dark, the fit solid blue`;
  const top = headerHeight({ title, subtitle });
  const [W, H] = [1280, 900];
  const [pw, ph] = [W / 2, (H - top) / 2];
  const ys = data.y;
  const yDomain = niceDomain(Math.min(...ys) - 0.5, Math.max(...ys) + 0.5);
  const panels = fits.map((fit, i) => {
    const p = new Panel({
      x: (i % 2) * pw,
      y: top + Math.floor(i / 2) * ph,
      width: pw,
      height: ph,
      title: `${LOSS_TITLES[fit.loss]}: y = ${fmt(fit.fit.slope, 3)}x + ${fmt(fit.fit.intercept, 3)}`,
      xLabel: 'x',
      yLabel: 'y',
      yDomain,
      legend: 'top-left',
    });
    drawLines(p, c, data, ls, fit, i === 0);
    return p;
  });
  return figure({ width: W, height: H, title, subtitle }, panels);
}
