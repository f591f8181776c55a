import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue, demoSteps, SETUP, type DemoOutcome } from './demo.js';
import { colours } from './style.js';
import { runParity, type CaseResult, type ParityFile } from '../parity.js';
import { fitLine } from './fit_line.js';
import { classify } from './classify.js';
import { plot } from './plot.js';
import { type Out, UsageError, flags, runCommand } from './io.js';

const USAGE = `losskit: PyTorch's loss functions for TypeScript

Usage:
  losskit demo [--json]          the tutorial's walkthrough: each loss on ones(2,2) vs [[0,1],[2,3]]
  losskit parity FILE|DIR...     check PyTorch parity cases (losskit-parity/1 JSON); exit 1 on any failure
  losskit fit-line [options]     fit a line with a loss and an optimizer: iterates, loss curve, picture
  losskit classify [options]     train a small MLP on the Iris data with CrossEntropyLoss
  losskit plot [options]         draw each loss and its gradient against the residual or the logit
  losskit help                   this text

Training commands take --json (results as JSON only, no files unless --out is given) and --out DIR
(pictures, default ./losskit-out); \`losskit COMMAND --help\` lists a command's options.
Exit codes: 0 success, 1 failed parity cases (or an internal error), 2 bad usage or input.
`;

export function main(argv: string[], out = process.stdout, err = process.stderr): number {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'demo':
      return runCommand('demo', err, () => demo(rest, out));
    case 'parity':
      return runCommand('parity', err, () => parity(rest, out));
    case 'fit-line':
      return fitLine(rest, out, err);
    case 'classify':
      return classify(rest, out, err);
    case 'plot':
      return plot(rest, out, err);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out.write(USAGE);
      return 0;
    default:
      err.write(`losskit: unknown command '${cmd}' (losskit help lists the commands)\n`);
      return 2;
  }
}

const DEMO_USAGE = `losskit demo [--json]: the tutorial's walkthrough: each loss on ones(2,2) vs [[0,1],[2,3]]
  --json    the same, as JSON
`;

function demo(args: string[], out: Out): number {
  const v = flags('demo', args, { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false, short: 'h' } });
  if (v.help) {
    out.write(DEMO_USAGE);
    return 0;
  }
  const steps = demoSteps();
  const losses = catalogue();
  if (v.json) {
    out.write(JSON.stringify({ setup: SETUP, steps, catalogue: losses }, null, 2) + '\n');
    return 0;
  }
  const c = colours(out);
  const lines: string[] = [];
  const outcome = (o: DemoOutcome): string[] => [
    ...o.warnings.map((w) => c.yellow(`  ! ${w}`)),
    o.error ? c.red(`  ✗ ${o.error.type}: ${o.error.message}`) : c.green(`  = ${o.text}`),
  ];
  lines.push(c.bold('losskit demo: the tutorial, with today\'s PyTorch numbers'), '');
  lines.push(...SETUP.split('\n').map((l) => c.cyan(`  ${l}`)), '');
  for (const st of steps) {
    lines.push(c.bold(`── ${st.loss} ${'─'.repeat(Math.max(0, 60 - st.loss.length))}`));
    lines.push(c.cyan(`  ${st.code}`));
    lines.push(...outcome(st.outcome));
    lines.push(...st.why.map((w) => c.dim(`  ${w}`)));
    if (st.fix) {
      lines.push(`  ${c.bold('Used correctly:')}`, c.cyan(`  ${st.fix.code}`), ...outcome(st.fix.outcome), c.dim(`  ${st.fix.why}`));
    }
    lines.push('');
  }
  lines.push(c.bold(`── Every torch.nn loss, used as intended ${'─'.repeat(25)}`));
  const width = Math.max(...losses.map((l) => l.loss.length));
  for (const l of losses) {
    const result = l.outcome.error ? c.red(`${l.outcome.error.type}: ${l.outcome.error.message}`) : c.green(l.outcome.text ?? '');
    lines.push(`  ${c.bold(l.loss.padEnd(width))}  ${result}  ${c.dim(l.what)}`, c.cyan(`  ${' '.repeat(width)}  ${l.code}`));
  }
  lines.push('', c.bold('Every value above is computed by losskit as you watch; `losskit demo --json` gives them to machines.'));
  out.write(lines.join('\n') + '\n');
  return 0;
}

function parityFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

const PARITY_USAGE = `losskit parity FILE|DIR...: run PyTorch parity cases (losskit-parity/1 JSON, docs/parity-format.md)
  One line per failing case, then "N passed, M failed". Exit 0 when all pass, 1 when any case fails
  (a malformed case or an unreadable file counts as a failure), 2 for a missing path or an unknown option.
`;

function parity(args: string[], out: Out): number {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    out.write(PARITY_USAGE);
    return 0;
  }
  if (args.length === 0) throw new UsageError('losskit parity: give one or more parity files (or folders of them)');
  const flag = args.find((a) => a.startsWith('-'));
  if (flag) throw new UsageError(`losskit parity: unknown option '${flag}'`);
  const missing = args.find((a) => !existsSync(a));
  if (missing !== undefined) throw new UsageError(`losskit parity: no such file or directory: ${missing}`);
  let passed = 0;
  let failed = 0;
  for (const file of parityFiles(args)) {
    let results: CaseResult[];
    try {
      results = runParity(JSON.parse(readFileSync(file, 'utf8')) as ParityFile);
    } catch (e) {
      out.write(`FAIL ${file}: cannot read: ${String((e as Error).message).split('\n')[0]}\n`);
      failed++;
      continue;
    }
    for (const r of results) {
      if (r.ok) passed++;
      else {
        failed++;
        const worst = r.worst !== undefined && Number.isFinite(r.worst) ? ` (worst error ${r.worst.toPrecision(3)}x tolerance)` : '';
        out.write(`FAIL ${r.id}: ${r.detail}${worst}\n`);
      }
    }
  }
  out.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
