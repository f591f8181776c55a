// cosineEmbeddingLoss's one-node row cosine (src/losses/cosine_embedding_loss.ts rowCosine)
// against the composed row sums: the value bit for bit, the gradients of both inputs within the
// parity fixtures' tolerance (its per-row coefficients are float64, the composed ones rounded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tensor, F } from '../../src/index.js';
import { withComposed } from '../../src/kernels/index.js';

for (const dtype of ['float32', 'float64'] as const) {
  for (const reduction of ['mean', 'sum', 'none']) {
    for (const shape of [[6, 33], [17]]) {
      test(`cosineEmbeddingLoss ${dtype} ${reduction} ${shape}: fused row cosine equals composed`, () => {
        const run = (composed: boolean) => {
          const a = randn(shape, { seed: 1, dtype }).detach();
          const b = randn(shape, { seed: 2, dtype }).detach();
          a.data[0] = 0;
          if (shape.length === 2) for (let j = 0; j < 33; j++) b.data[33 + j] = 0; // a zero row: ε only
          a.requiresGrad = true;
          b.requiresGrad = true;
          const y = shape.length === 2 ? tensor([1, -1, 1, -1, -1, 1], { dtype }) : tensor(-1, { dtype });
          const f = () => {
            const out = F.cosineEmbeddingLoss(a, b, y, { reduction, margin: -0.5 });
            const v = [...out.data] as number[];
            out.sum().mul(0.7).backward();
            return { v, ga: [...a.grad!.data] as number[], gb: [...b.grad!.data] as number[] };
          };
          return composed ? withComposed(f) : f();
        };
        const x = run(false);
        const c = run(true);
        assert.deepEqual(x.v, c.v);
        const [rtol, atol] = dtype === 'float32' ? [1e-5, 1e-6] : [1e-9, 1e-10];
        for (const k of ['ga', 'gb'] as const) {
          x[k].forEach((v, i) => assert.ok(Math.abs(v - c[k][i]) <= rtol * Math.abs(c[k][i]) + atol, `${k}[${i}] ${v} vs ${c[k][i]}`));
        }
      });
    }
  }
}

test('cosineEmbeddingLoss with input1 === input2 and mixed dtypes takes the composed path', () => {
  const a = randn([3, 4], { seed: 1, requiresGrad: true });
  F.cosineEmbeddingLoss(a, a, tensor([1, -1, 1])).backward();
  assert.equal(a.grad!.shape.join(), '3,4');
  const b = randn([3, 4], { seed: 2, dtype: 'float64' });
  assert.ok(Number.isFinite(F.cosineEmbeddingLoss(a, b, tensor([1, -1, 1])).item()));
});
