// F.causalLmLoss, F.perplexity, F.slidingWindowPerplexity. PyTorch parity of shift + cross entropy
// is in test/fixtures/torch/causal_lm_loss.json (scripts/fixtures/gen_causal_lm_loss.py, run by
// test/parity.test.ts); here: gradient accumulation, perplexity and the windows against plain
// arithmetic written out below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, nn, grad, tensor, randn, zeros, cat, Tensor, ValueError, RuntimeError } from '../../src/index.js';
import { close, closeArrays, values } from '../helpers/index.js';

const ids = (v: number[][] | number[]) => tensor(v as never, { dtype: 'int64' });

/** -log softmax(row)[k], in plain arithmetic. */
function nll(row: number[], k: number): number {
  const m = Math.max(...row);
  return Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) + m - row[k];
}

/** Σ and count of the next-token NLL of (B, T, V) logits against (B, T) labels, plain arithmetic. */
function reference(logits: Tensor, labels: number[][], ignore = -100): { sum: number; count: number } {
  const [B, T, V] = logits.shape;
  const x = values(logits);
  let sum = 0;
  let count = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t + 1 < T; t++) {
      const k = labels[b][t + 1];
      if (k === ignore) continue;
      sum += nll(x.slice((b * T + t) * V, (b * T + t + 1) * V), k);
      count++;
    }
  }
  return { sum, count };
}

const labels = [
  [2, 4, 1, -100, -100, -100],
  [0, 3, 3, 2, 1, 4],
  [-100, 1, 2, 0, -100, -100],
  [4, 4, 0, 1, 2, -100],
];

test('causalLmLoss: mean and sum against plain arithmetic; nn.CausalLMLoss; int32 labels', () => {
  const x = randn([4, 6, 5], { dtype: 'float64', seed: 1 });
  const ref = reference(x, labels);
  close(F.causalLmLoss(x, ids(labels)).item(), ref.sum / ref.count, 1e-12);
  close(F.causalLmLoss(x, labels, { reduction: 'sum' }).item(), ref.sum, 1e-12);
  close(new nn.CausalLMLoss({ reduction: 'sum' }).forward(x, ids(labels)).item(), ref.sum, 1e-12);
  const i32 = tensor(new Int32Array(labels.flat()), { shape: [4, 6], dtype: 'int32' });
  close(F.causalLmLoss(x, i32).item(), ref.sum / ref.count, 1e-12);
  const none = F.causalLmLoss(x, ids(labels), { reduction: 'none' });
  assert.deepEqual(none.shape, [4, 5]);
  close(values(none).reduce((a, b) => a + b, 0), ref.sum, 1e-12);
});

test('causalLmLoss: micro-batches with numItemsInBatch add up to the full batch, value and gradient', () => {
  const x = randn([4, 6, 5], { dtype: 'float64', seed: 2, requiresGrad: true });
  const full = F.causalLmLoss(x, ids(labels));
  const [fullGrad] = grad([full], [x]);
  const n = reference(x, labels).count; // 15 labels counted over the whole batch, unevenly per row
  for (const split of [[1, 3], [2, 2], [1, 1, 1, 1]]) {
    let start = 0;
    let total = 0;
    let plainMeans = 0;
    const parts: Tensor[] = [];
    for (const rows of split) {
      const part = x.detach().narrow(0, start, rows).clone();
      const micro = tensor(part.data, { shape: part.shape, requiresGrad: true });
      const y = ids(labels.slice(start, start + rows));
      const loss = F.causalLmLoss(micro, y, { numItemsInBatch: n });
      total += loss.item();
      parts.push(grad([loss], [micro])[0]!);
      plainMeans += F.causalLmLoss(micro, y).item() / split.length;
      start += rows;
    }
    close(total, full.item(), 1e-12);
    closeArrays(values(cat(parts, 0)), values(fullGrad!), 1e-12, 1e-15);
    // the accumulation error numItemsInBatch fixes: averaging the micro-batch means is not the mean,
    // unless every part counts as many labels ([2, 2]: 7 and 7)
    if (split.length !== 2 || split[0] !== 2) assert.ok(Math.abs(plainMeans - full.item()) > 1e-3, `split ${split}`);
    else close(plainMeans, full.item(), 1e-12);
  }
  close(F.causalLmLoss(x, ids(labels), { numItemsInBatch: tensor(n) }).item(), full.item(), 1e-12);
});

test('causalLmLoss: errors', () => {
  const x = zeros([2, 3, 4]);
  const y = ids([[0, 1, 2], [3, 2, 1]]);
  const isValue = (msg: string) => (e: Error) => e instanceof ValueError && e.message.includes(msg);
  assert.throws(() => F.causalLmLoss(x, y, { numItemsInBatch: 4, reduction: 'sum' }), isValue("goes with reduction='mean'"));
  assert.throws(() => F.causalLmLoss(x, y, { numItemsInBatch: 0 }), isValue('numItemsInBatch must be a positive number'));
  assert.throws(() => F.causalLmLoss(x, ids([0, 1, 2])), isValue('labels must have the logits'));
  assert.throws(() => F.causalLmLoss(zeros([4]), ids([1])), isValue('expected logits of shape (B, T, V)'));
  assert.throws(() => F.causalLmLoss(x, zeros([2, 3])), (e: Error) => e instanceof RuntimeError && e.message.startsWith('expected scalar type Long but found Float'));
  assert.throws(() => F.causalLmLoss(x, y, { numitemsInBatch: 3 } as never), /did you mean 'numItemsInBatch'/);
});

test('perplexity: uniform logits give V; mean over the batch and one per sequence', () => {
  close(F.perplexity(zeros([2, 5, 8], { dtype: 'float64' }), ids([[1, 2, 3, 4, 5], [0, 0, 0, 0, 0]])).item(), 8, 1e-12);
  const x = randn([4, 6, 5], { dtype: 'float64', seed: 3 });
  const ref = reference(x, labels);
  close(F.perplexity(x, ids(labels)).item(), Math.exp(ref.sum / ref.count), 1e-12);
  const each = F.perplexity(x, ids(labels), { reduction: 'none' });
  assert.deepEqual(each.shape, [4]);
  labels.forEach((row, b) => {
    const r = reference(x.narrow(0, b, 1).clone(), [row]);
    close(values(each)[b], Math.exp(r.sum / r.count), 1e-12);
  });
  assert.throws(() => F.perplexity(x, ids(labels), { reduction: 'sum' } as never), ValueError);
});

/** A bigram model: the logits at t depend on the token at t only, so context never matters. */
function bigram(V: number, seed: number) {
  const table = randn([V, V], { dtype: 'float64', seed });
  const rows = values(table);
  const model = (w: Tensor): Tensor => {
    const out = new Float64Array(w.numel * V);
    Array.from(w.data as BigInt64Array, Number).forEach((k, i) => out.set(rows.slice(k * V, (k + 1) * V), i * V));
    return tensor(out, { shape: [...w.shape, V] });
  };
  return { model, rows };
}

test('slidingWindowPerplexity: every token scored once with context, exact counts; async models', async () => {
  const V = 6;
  const N = 23;
  const seq = Array.from({ length: N }, (_, i) => (i * 7 + 3) % V);
  const seq2 = Array.from({ length: N }, (_, i) => (i * i + 1) % V);
  const { model, rows } = bigram(V, 4);
  // the whole sequence in one window, in plain arithmetic
  let sum = 0;
  for (const s of [seq, seq2]) for (let t = 1; t < N; t++) sum += nll(rows.slice(s[t - 1] * V, s[t - 1] * V + V), s[t]);
  const whole = Math.exp(sum / (2 * (N - 1)));
  const calls: number[][] = [];
  const traced = (w: Tensor) => (calls.push([...w.shape]), model(w));
  for (const [maxLength, stride] of [[8, 3], [8, 7], [5, 1], [30, 10]]) {
    calls.length = 0;
    const r = F.slidingWindowPerplexity(traced, ids([seq, seq2]), { maxLength, stride });
    assert.equal(r.tokens, 2 * (N - 1), `maxLength ${maxLength} stride ${stride}`);
    close(r.perplexity, whole, 1e-12);
    assert.ok(calls.every(([b, l]) => b === 2 && l <= maxLength));
  }
  // disjoint chunks: the first token of each chunk has no context and is not scored
  const r = F.slidingWindowPerplexity(model, ids(seq), { maxLength: 5 });
  assert.equal(r.tokens, N - Math.ceil(N / 5));
  const a = await F.slidingWindowPerplexity(async (w: Tensor) => model(w), ids([seq, seq2]), { maxLength: 8, stride: 3 });
  close(a.perplexity, whole, 1e-12);
  assert.throws(() => F.slidingWindowPerplexity(model, ids(seq), { maxLength: 4, stride: 5 }), ValueError);
  assert.throws(() => F.slidingWindowPerplexity(model, ids(seq), { maxLength: 0 }), ValueError);
});
