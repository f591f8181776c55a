// crossEntropy, nllLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits: properties from their
// definitions, float64 gradchecks, and the error paths that matter most to users.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { F, nn, tensor, ones, gradcheck, randn, rand, randint, oneHot, RuntimeError, IndexError, ValueError, Tensor } from '../../src/index.js';
import { captureWarnings, close, closeArrays, snapshot, values } from '../helpers/index.js';

const f64 = { dtype: 'float64' as const };
const idx = (v: number | number[] | number[][] | number[][][]) => tensor(v as any, { dtype: 'int64' });

test('crossEntropy = nllLoss(logSoftmax) and = -log softmax[target] by hand', () => {
  const x = randn([4, 5], { ...f64, seed: 1 });
  const y = idx([1, 0, 4, 2]);
  const ce = F.crossEntropy(x, y, { reduction: 'none' });
  closeArrays(values(ce), values(F.nllLoss(F.logSoftmax(x, 1), y, { reduction: 'none' })));
  const rows = x.toArray() as number[][];
  const byHand = rows.map((r, n) => {
    const m = Math.max(...r);
    return Math.log(r.reduce((a, v) => a + Math.exp(v - m), 0)) + m - r[values(y)[n]];
  });
  closeArrays(values(ce), byHand, 1e-12);
});

test('class indices equal one-hot probability targets (with and without label smoothing)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (N, C, eps, seed) => {
      const x = randn([N, C], { ...f64, seed });
      const y = randint(0, C, [N], { seed: seed + 1 });
      const probs = oneHot(y, C).double();
      close(F.crossEntropy(x, y, { labelSmoothing: eps }).item(), F.crossEntropy(x, probs, { labelSmoothing: eps }).item(), 1e-9, 1e-12);
    }),
    { numRuns: 40 },
  );
});

test('ignoreIndex equals dropping those rows (mean, sum), for NLL and cross entropy', () => {
  fc.assert(
    fc.property(fc.array(fc.boolean(), { minLength: 2, maxLength: 8 }), fc.integer(), (drop, seed) => {
      const N = drop.length;
      const x = randn([N, 3], { ...f64, seed });
      const y = values(randint(0, 3, [N], { seed: seed + 7 }));
      const w = tensor([0.5, 1, 2], f64);
      const keep = drop.map((d, i) => (d ? -1 : i)).filter((i) => i >= 0);
      const masked = idx(y.map((v, i) => (drop[i] ? -100 : v)));
      for (const reduction of ['mean', 'sum']) {
        const got = F.crossEntropy(x, masked, { weight: w, reduction }).item();
        const want = keep.length === 0 ? (reduction === 'mean' ? NaN : 0) : F.crossEntropy(x.gather(0, idx(keep.map((i) => [i, i, i]))), idx(keep.map((i) => y[i])), { weight: w, reduction }).item();
        close(got, want, 1e-9, 1e-12);
      }
    }),
    { numRuns: 40 },
  );
});

test("'mean' with class weights is the weighted mean Σ w[y] l / Σ w[y]", () => {
  const x = randn([3, 4], { ...f64, seed: 3 });
  const y = idx([0, 3, 3]);
  const w = tensor([1, 2, 3, 4], f64);
  const none = values(F.crossEntropy(x, y, { weight: w, reduction: 'none' }));
  close(F.crossEntropy(x, y, { weight: w }).item(), none.reduce((a, b) => a + b) / (1 + 4 + 4));
});

test('label smoothing: per row -Σ_c w_c q_c log p_c with q = (1-ε) onehot + ε/C, mean over Σ w[y]', () => {
  const x = randn([3, 4], { ...f64, seed: 5 });
  const y = idx([2, 0, 1]);
  const w = tensor([0.5, 1, 1.5, 2], f64);
  const eps = 0.2;
  const lp = F.logSoftmax(x, 1).toArray() as number[][];
  const wv = values(w);
  const rows = lp.map((r, n) => -r.reduce((a, v, c) => a + wv[c] * ((c === values(y)[n] ? 1 - eps : 0) + eps / 4) * v, 0));
  const denom = values(y).reduce((a, c) => a + wv[c], 0);
  close(F.crossEntropy(x, y, { weight: w, labelSmoothing: eps }).item(), rows.reduce((a, b) => a + b) / denom);
});

test('float64 gradchecks: index targets (K-dim, weight, ignore, smoothing) and probability targets', () => {
  const x = randn([3, 4, 2], { ...f64, requiresGrad: true, seed: 7 });
  const y = idx([[0, 3], [-100, 1], [2, 2]]);
  const w = tensor([0.5, 1, 1.5, 2], f64);
  for (const reduction of ['none', 'mean', 'sum']) {
    assert.ok(gradcheck((a) => F.crossEntropy(a, y, { weight: w, reduction, labelSmoothing: 0.1 }), [x]));
    assert.ok(gradcheck((a) => F.nllLoss(a, y, { weight: w, reduction }), [x]));
  }
  const p = rand([3, 4], { ...f64, requiresGrad: true, seed: 8 });
  const logits = randn([3, 4], { ...f64, requiresGrad: true, seed: 9 });
  assert.ok(gradcheck((a, b) => F.crossEntropy(a, b, { weight: w, labelSmoothing: 0.3 }), [logits, p]));
});

test('BCE: float64 gradcheck away from the clamps, and the clamp/floor at 0 and 1', () => {
  const x = rand([2, 3], { ...f64, requiresGrad: true, seed: 1 }).mul(0.8).add(0.1).detach();
  x.requiresGrad = true;
  const y = rand([2, 3], { ...f64, requiresGrad: true, seed: 2 });
  const w = tensor([1, 2, 3], f64);
  for (const reduction of ['none', 'mean', 'sum']) assert.ok(gradcheck((a, b) => F.binaryCrossEntropy(a, b, { weight: w, reduction }), [x, y]));
  const edge = tensor([0, 1, 0, 1], { requiresGrad: true });
  const loss = F.binaryCrossEntropy(edge, tensor([1, 0, 0, 1]), { reduction: 'none' });
  assert.deepEqual(values(loss).map((v) => v + 0), [100, 100, 0, 0]);
  loss.sum().backward();
  assert.deepEqual(edge.grad!.toArray(), [-1e12, 1e12, 0, 0].map(Math.fround));
});

test('BCE: out-of-range inputs and targets are refused (2.x), sizes must match', () => {
  assert.throws(() => F.binaryCrossEntropy(tensor([1.5]), tensor([1])), (e: Error) => e instanceof RuntimeError && /all elements of input should be between 0 and 1/.test(e.message));
  assert.throws(() => F.binaryCrossEntropy(tensor([NaN]), tensor([1])), /all elements of input should be between 0 and 1/);
  assert.throws(() => F.binaryCrossEntropy(ones([2, 2]), tensor([[0, 1], [2, 3]])), /all elements of target should be between 0 and 1/);
  assert.throws(() => F.binaryCrossEntropy(ones([3, 1]), ones([3])), (e: Error) => e instanceof ValueError && /Using a target size \(torch.Size\(\[3\]\)\) that is different to the input size \(torch.Size\(\[3, 1\]\)\) is deprecated/.test(e.message));
  assert.throws(() => F.binaryCrossEntropy(ones([2]), ones([2], { dtype: 'float64' })), /Found dtype Double but expected Float/);
});

test('BCE with logits equals BCE of sigmoid, is stable at ±100, and posWeight scales positives', () => {
  const x = randn([4, 3], { ...f64, seed: 4 });
  const y = rand([4, 3], { ...f64, seed: 5 });
  close(F.binaryCrossEntropyWithLogits(x, y).item(), F.binaryCrossEntropy(x.sigmoid(), y).item(), 1e-12);
  assert.deepEqual(F.binaryCrossEntropyWithLogits(tensor([-100, 100]), tensor([1, 0]), { reduction: 'none' }).toArray(), [100, 100]);
  const p = tensor([1, 2, 3], f64);
  const ones1 = ones([4, 3], f64);
  const lp = F.binaryCrossEntropyWithLogits(x, ones1, { posWeight: p, reduction: 'none' });
  closeArrays(values(lp), values(F.binaryCrossEntropyWithLogits(x, ones1, { reduction: 'none' }).mul(p)), 1e-12);
  const xg = x.detach();
  xg.requiresGrad = true;
  const yg = y.detach();
  yg.requiresGrad = true;
  for (const reduction of ['none', 'mean', 'sum']) {
    assert.ok(gradcheck((a, b) => F.binaryCrossEntropyWithLogits(a, b, { posWeight: p, weight: tensor([2, 1, 0.5], f64), reduction }), [xg, yg]));
  }
  assert.throws(() => F.binaryCrossEntropyWithLogits(ones([3, 1]), ones([3])), /Target size \(torch.Size\(\[3\]\)\) must be the same as input size \(torch.Size\(\[3, 1\]\)\)/);
});

test('class weights are constants: asking for their gradient is an error', () => {
  const w = tensor([1, 2], { requiresGrad: true });
  assert.throws(() => F.crossEntropy(ones([2, 2]), idx([0, 1]), { weight: w }), /not differentiable with respect to argument 'weight'/);
  assert.throws(() => F.binaryCrossEntropyWithLogits(ones([2]), ones([2]), { posWeight: w }), /'pos_weight'/);
});

test('NLL errors: the tutorial call, out-of-range targets, batch sizes, weights', () => {
  const s = ones([2, 2]);
  assert.throws(() => F.nllLoss(s, tensor([[0, 1], [2, 3]])), /0D or 1D target tensor expected, multi-target not supported/);
  assert.throws(() => F.nllLoss(s, idx([0, 2])), (e: Error) => e instanceof IndexError && /Target 2 is out of bounds/.test(e.message));
  assert.throws(() => F.nllLoss(s, idx([-1, 0])), /Target -1 is out of bounds/);
  assert.throws(() => F.nllLoss(ones([4, 3]), idx([0, 1, 2])), (e: Error) => e instanceof ValueError && /Expected input batch_size \(4\) to match target batch_size \(3\)/.test(e.message));
  assert.throws(() => F.nllLoss(ones([2, 3]), idx([0, 1]), { weight: ones([4]) }), /weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: \[4\]/);
  assert.throws(() => F.nllLoss(ones([2, 3]), tensor([0, 1])), /expected scalar type Long but found Float/);
  assert.throws(() => F.nllLoss(tensor(1), idx(0)), /Expected 1 or more dimensions \(got 0\)/);
  assert.throws(() => F.crossEntropy(ones([2, 3]), ones([2, 3]), { labelSmoothing: 1.1 }), /label_smoothing must be between 0.0 and 1.0. Got: 1.1/);
  assert.throws(() => F.crossEntropy(ones([2, 3]), ones([2, 3]), { ignoreIndex: 0 }), /ignore_index is not supported for floating point target/);
});

test('NLLLoss2d warns that it is deprecated and otherwise is NLLLoss', () => {
  const x = F.logSoftmax(randn([1, 3, 2, 2], { seed: 1 }), 1);
  const y = idx([[[0, 1], [2, 0]]]);
  const { result, warnings } = captureWarnings(() => new nn.NLLLoss2d().forward(x, y));
  assert.match(warnings[0].message, /NLLLoss2d has been deprecated/);
  assert.equal(result.item(), new nn.NLLLoss().forward(x, y).item());
});

test('all targets ignored: mean is nan, sum is 0, gradients are zero', () => {
  const x = randn([2, 3], { requiresGrad: true, seed: 1 });
  const y = idx([-100, -100]);
  assert.ok(Number.isNaN(F.crossEntropy(x, y).item()));
  const s = F.crossEntropy(x, y, { reduction: 'sum', labelSmoothing: 0.1 });
  assert.equal(s.item(), 0);
  s.backward();
  assert.deepEqual(values(x.grad!), [0, 0, 0, 0, 0, 0]);
});

test('inputs are never mutated', () => {
  const x = randn([3, 4], { requiresGrad: true, seed: 2 });
  const y = idx([0, 1, 3]);
  const w = tensor([1, 2, 3, 4]);
  const same = snapshot(x, y as Tensor, w);
  F.crossEntropy(x, y, { weight: w, labelSmoothing: 0.1 }).backward();
  same();
});

test('crossEntropy K-dim and small inputs, fused on both backends: the composed path within float32 tolerance, threads, value only (NaN rows: kernels.test.ts)', async () => {
  const { setBackend, setNumThreads, threadsReady, withComposed } = await import('../../src/kernels/index.js');
  const { memoryStats } = await import('../../src/kernels/memory.js');
  const near = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-5 * Math.abs(b) + 1e-6;
  // [3, 7, 50, 123]: inner 6150, chunks of 18724 positions spanning outer slices; [4, 5] and
  // [2, 3, 5]: small enough for the TypeScript kernel on 'wasm' too
  for (const shape of [[3, 7, 50, 123], [4, 5], [2, 3, 5]]) {
    const C = shape[1];
    const tshape = [shape[0], ...shape.slice(2)];
    const n = tshape.reduce((a, b) => a * b, 1);
    const tv = Array.from({ length: n }, (_, i) => (i % 11 === 3 ? -100 : (i * 5) % C));
    const weight = rand([C], { seed: 4 }).add(0.5).detach();
    for (const backend of ['wasm', 'ts'] as const) {
      for (const threads of [1, 2]) {
        setBackend(backend);
        setNumThreads(threads);
        await threadsReady();
        try {
          for (const reduction of ['mean', 'sum', 'none']) {
            for (const opts of [{}, { weight, labelSmoothing: 0.2 }]) {
              const run = (composed: boolean, grad: boolean) => {
                const x = randn(shape, { seed: 2 }).detach();
                x.requiresGrad = grad;
                const f = () => {
                  const r0 = memoryStats().resultBytes;
                  const out = F.crossEntropy(x, tensor(Float64Array.from(tv) as never, { dtype: 'int64', shape: tshape }), { reduction, ...opts });
                  const made = memoryStats().resultBytes - r0;
                  if (grad) out.sum().backward();
                  return { v: [...out.data] as number[], g: grad ? ([...x.grad!.data] as number[]) : [], made };
                };
                return composed ? withComposed(f) : f();
              };
              const a = run(false, true);
              const b = run(true, true);
              const at = `${shape} ${backend} ${threads} threads ${reduction} ${JSON.stringify(Object.keys(opts))}`;
              a.v.forEach((v, k) => assert.ok(near(v, b.v[k]), `value[${k}] ${v} vs ${b.v[k]} (${at})`));
              a.g.forEach((v, k) => assert.ok(near(v, b.g[k]), `grad[${k}] ${v} vs ${b.g[k]} (${at})`));
              const nog = run(false, false);
              assert.equal(nog.made, reduction === 'none' ? n * 4 : 0, `value only: no gradient (${at})`);
            }
          }
        } finally {
          setBackend('auto');
          setNumThreads('auto');
        }
      }
    }
  }
});
