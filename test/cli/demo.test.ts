// The demo's numbers are computed live: check them against PyTorch's (from the reference) and
// its errors against PyTorch's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { demoSteps } from '../../src/cli/demo.js';

function capture(args: string[], isTTY = false): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, { write: (s: string) => (out += s), isTTY } as any, { write: (s: string) => (err += s) } as any);
  return { code, out, err };
}

test('demo --json: the tutorial values and errors of current PyTorch', () => {
  const { code, out } = capture(['demo', '--json']);
  assert.equal(code, 0);
  const { steps } = JSON.parse(out) as { steps: ReturnType<typeof demoSteps> };
  const by = Object.fromEntries(steps.map((s) => [s.loss, s]));
  assert.equal(by.L1Loss.outcome.value, 1);
  assert.equal(by.SmoothL1Loss.outcome.value, 0.625);
  assert.equal(by.MSELoss.outcome.value, 1.5);
  assert.ok(Math.abs(by.CrossEntropyLoss.outcome.value! - 2.0794415) < 1e-6);
  assert.equal(by.BCELoss.outcome.error!.type, 'RuntimeError');
  assert.match(by.BCELoss.outcome.error!.message, /all elements of target should be between 0 and 1/);
  for (const name of ['NLLLoss', 'NLLLoss2d']) {
    assert.match(by[name].outcome.error!.message, /^0D or 1D target tensor expected, multi-target not supported/);
    assert.ok(Math.abs(by[name].fix!.outcome.value! - Math.LN2) < 1e-6);
  }
  assert.match(by.NLLLoss2d.outcome.warnings[0], /NLLLoss2d has been deprecated/);
  assert.ok(Math.abs(by.CrossEntropyLoss.fix!.outcome.value! - Math.LN2) < 1e-6);
  assert.ok(by.BCELoss.fix!.outcome.value! > 0);
});

test('demo closes with all 21 losses used correctly, at PyTorch\'s values', () => {
  const { catalogue } = JSON.parse(capture(['demo', '--json']).out) as { catalogue: { loss: string; outcome: { value?: number; error?: unknown } }[] };
  assert.equal(catalogue.length, 21);
  // torch 1.13 on the same calls (CTC's random logits come from losskit's generator: covered by the parity fixtures)
  const torch: Record<string, number> = {
    L1Loss: 1, MSELoss: 1.5, SmoothL1Loss: 0.8125, HuberLoss: 0.75, BCELoss: 0.8133, BCEWithLogitsLoss: 0.9177,
    CrossEntropyLoss: 0.6931, NLLLoss: 0.6931, KLDivLoss: 0.1109, PoissonNLLLoss: 1.2183, GaussianNLLLoss: 1.1534,
    MarginRankingLoss: 1.5, HingeEmbeddingLoss: 0.3, MultiLabelMarginLoss: 0.85, SoftMarginLoss: 0.8133,
    MultiLabelSoftMarginLoss: 0.5633, CosineEmbeddingLoss: 0.6367, MultiMarginLoss: 0.325, TripletMarginLoss: 1.2038,
    TripletMarginWithDistanceLoss: 1,
  };
  for (const entry of catalogue) {
    assert.equal(entry.outcome.error, undefined, entry.loss);
    assert.ok(Number.isFinite(entry.outcome.value), entry.loss);
    if (entry.loss in torch) assert.ok(Math.abs(entry.outcome.value! - torch[entry.loss]) < 6e-5, `${entry.loss}: ${entry.outcome.value}`);
  }
});

test('demo explains the historic BCE values from their formulas', () => {
  const bce = demoSteps().find((s) => s.loss === 'BCELoss')!;
  const text = bce.why.join('\n');
  assert.match(text, /tensor\(-13\.8155\)/);
  assert.match(text, /tensor\(-50\.\)/);
});

test('demo text: plain without a TTY, coloured with FORCE_COLOR', () => {
  const plain = capture(['demo']);
  assert.equal(plain.code, 0);
  assert.ok(!plain.out.includes('\u001b['));
  assert.match(plain.out, /── CrossEntropyLoss/);
  assert.match(plain.out, /= tensor\(2\.0794\)/);
  const prev = process.env.FORCE_COLOR;
  process.env.FORCE_COLOR = '1';
  try {
    assert.ok(capture(['demo']).out.includes('\u001b[31m'));
  } finally {
    if (prev === undefined) delete process.env.FORCE_COLOR;
    else process.env.FORCE_COLOR = prev;
  }
});

test('unknown commands fail with usage', () => {
  const r = capture(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command 'frobnicate'/);
  assert.match(capture(['help']).out, /losskit parity FILE/);
});
