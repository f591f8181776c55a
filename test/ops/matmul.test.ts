// Matrix products: the SIMD kernels (1 and 2 threads) and the TypeScript ones against a float64
// naive triple loop, on shapes around the block widths (4 rows, 8/4 columns, K blocks of 256), every
// transposed layout, with and without bias; torch.matmul's 1-D/2-D semantics and errors; gradients
// by finite differences in float64 (matmul and Linear, through the transposed backward kernels);
// who owns the results, and wasm memory that does not grow over repeated calls.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor, gradcheck, F, RuntimeError, type Tensor } from '../../src/index.js';
import { matmul } from '../../src/ops/matmul.js';
import { matmulKernel, MATMUL_PARALLEL_THRESHOLD } from '../../src/kernels/matmul.js';
import { setBackend, setNumThreads, threadsReady } from '../../src/kernels/index.js';
import { getRuntime, memoryStats } from '../../src/kernels/memory.js';

const wasm = getRuntime() !== null;
const BACKENDS = wasm ? (['wasm', 'ts'] as const) : (['ts'] as const);

let seed = 7;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296 - 0.5;
};
const rand = (n: number): Float64Array => Float64Array.from({ length: n }, rnd);

/** The reference: op(A) op(B) + bias in float64, k in order. */
function naive(a: ArrayLike<number>, ta: boolean, b: ArrayLike<number>, tb: boolean, M: number, K: number, N: number, bias: ArrayLike<number> | null): Float64Array {
  const o = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? a[k * M + i] : a[i * K + k]) * (tb ? b[j * K + k] : b[k * N + j]);
      o[i * N + j] = (bias ? bias[j] : 0) + s;
    }
  }
  return o;
}

function maxErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < ref.length; i++) e = Math.max(e, Math.abs(got[i] - ref[i]) / (1 + Math.abs(ref[i])));
  return e;
}

function withSettings<T>(backend: 'wasm' | 'ts', threads: number, fn: () => T): T {
  setBackend(backend);
  setNumThreads(threads);
  try {
    return fn();
  } finally {
    setBackend('auto');
    setNumThreads('auto');
  }
}

const SETTINGS = BACKENDS.flatMap((b) => (b === 'wasm' ? [[b, 1], [b, 2]] : [[b, 1]]) as ['wasm' | 'ts', number][]);
// around the micro-kernel's 4 rows, the 8 (float32) / 4 (float64) column panels, K blocks of 256,
// and one product above the threading threshold (M K N = 2^22)
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 5, 1], [3, 1, 9], [4, 4, 8], [5, 3, 7], [7, 9, 3], [9, 300, 13], [16, 257, 17], [64, 256, 256], [130, 70, 67], [0, 3, 4], [3, 0, 4], [3, 4, 0],
];

after(() => {
  setBackend('auto');
  setNumThreads('auto');
});

describe('matmulKernel against a float64 triple loop', () => {
  test('threads are up (the 2-thread cases below must really run on two)', async () => {
    assert.ok((await threadsReady()) >= 1);
    assert.ok(64 * 256 * 256 >= MATMUL_PARALLEL_THRESHOLD, 'one shape is above the threshold');
  });
  for (const [backend, threads] of SETTINGS) {
    for (const f64 of [false, true]) {
      test(`${backend}, ${threads} thread(s), ${f64 ? 'float64' : 'float32'}: every layout, with and without bias`, () => {
        withSettings(backend, threads, () => {
          for (const [M, K, N] of SHAPES) {
            for (const ta of [false, true]) {
              for (const tb of [false, true]) {
                for (const withBias of [false, true]) {
                  const T = f64 ? Float64Array : Float32Array;
                  const a = T.from(rand(M * K));
                  const b = T.from(rand(K * N));
                  const bias = withBias ? T.from(rand(N)) : null;
                  const got = matmulKernel({ a, transA: ta, b, transB: tb, M, K, N, bias });
                  assert.equal(got.constructor, T);
                  assert.equal(got.length, M * N);
                  // float32 sums in float32 (wasm): about sqrt(K) eps relative to the terms' sizes
                  const tol = f64 ? 1e-13 : 2e-6 * Math.sqrt(K + 1);
                  const e = maxErr(got, naive(a, ta, b, tb, M, K, N, bias));
                  assert.ok(e <= tol, `${M}x${K}x${N} ta=${ta} tb=${tb} bias=${withBias}: error ${e} > ${tol}`);
                }
              }
            }
          }
        });
      });
    }
  }

  test('known products: identity, a 2x3 by 3x2, NaN and infinity propagate (no skipped zeros)', () => {
    for (const [backend, threads] of SETTINGS) {
      withSettings(backend, threads, () => {
        const eye = Float32Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? 1 : 0));
        const x = Float32Array.from(rand(5 * 9));
        assert.deepEqual(matmulKernel({ a: eye, transA: false, b: x, transB: false, M: 5, K: 5, N: 9, bias: null }), x);
        const p = matmulKernel({ a: Float64Array.of(1, 2, 3, 4, 5, 6), transA: false, b: Float64Array.of(7, 8, 9, 10, 11, 12), transB: false, M: 2, K: 3, N: 2, bias: null });
        assert.deepEqual([...p], [58, 64, 139, 154]);
        const z = matmulKernel({ a: Float32Array.of(0, 1), transA: false, b: Float32Array.of(Infinity, NaN, 1, 1), transB: false, M: 1, K: 2, N: 2, bias: null });
        assert.ok(Number.isNaN(z[0]) && Number.isNaN(z[1]), `0 * inf and 0 * NaN are NaN, as in PyTorch: ${z}`);
      });
    }
  });
});

test('the same bits on 1 and 2 threads (threads split C by rows; each element sums the same way)', () => {
  if (!wasm) return;
  for (const f64 of [false, true]) {
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
      const [M, K, N] = [97, 300, 203];
      const T = f64 ? Float64Array : Float32Array;
      const p = { a: T.from(rand(M * K)), transA: ta, b: T.from(rand(K * N)), transB: tb, M, K, N, bias: T.from(rand(N)) };
      assert.ok(M * K * N >= MATMUL_PARALLEL_THRESHOLD);
      const one = withSettings('wasm', 1, () => matmulKernel(p));
      const two = withSettings('wasm', 2, () => matmulKernel(p));
      assert.deepEqual(two, one);
    }
  }
});

describe('matmul: torch.matmul on 1-D and 2-D operands', () => {
  test('shapes, values, dtype promotion and errors', () => {
    for (const [backend, threads] of SETTINGS) {
      withSettings(backend, threads, () => {
        const a = tensor([[1, 2, 3], [4, 5, 6]]);
        const b = tensor([[7, 8], [9, 10], [11, 12]]);
        assert.deepEqual(matmul(a, b).toArray(), [[58, 64], [139, 154]]);
        assert.deepEqual(matmul(tensor([1, 2, 3]), b).toArray(), [58, 64]);
        assert.deepEqual(matmul(a, tensor([1, 0, 1])).toArray(), [4, 10]);
        const dot = matmul(tensor([1, 2, 3]), tensor([4, 5, 6]));
        assert.deepEqual(dot.shape, []);
        assert.equal(dot.item(), 32);
        assert.equal(matmul(a, tensor([[1], [1], [1]], { dtype: 'float64' })).dtype, 'float64');
        assert.deepEqual(matmul(tensor(new Float32Array(0), { shape: [0, 3] }), b).shape, [0, 2]);
        assert.deepEqual(matmul(tensor(new Float32Array(0), { shape: [2, 0] }), tensor(new Float32Array(0), { shape: [0, 3] })).toArray(), [[0, 0, 0], [0, 0, 0]]);
        assert.throws(() => matmul(a, a), { name: 'RuntimeError', message: 'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)' });
        assert.throws(() => matmul(tensor(1), a), RuntimeError);
        assert.throws(() => matmul(tensor([1], { dtype: 'int64' }), tensor([1], { dtype: 'int64' })), { message: `"addmm_impl_cpu_" not implemented for 'int64'` });
      });
    }
  });

  test('gradients by finite differences in float64 (the transposed kernels of the backward)', () => {
    for (const [backend, threads] of SETTINGS) {
      withSettings(backend, threads, () => {
        for (const [M, K, N] of [[1, 1, 1], [5, 3, 7], [9, 10, 6]] as const) {
          const a = tensor(rand(M * K), { shape: [M, K], dtype: 'float64', requiresGrad: true });
          const b = tensor(rand(K * N), { shape: [K, N], dtype: 'float64', requiresGrad: true });
          assert.ok(gradcheck((x: Tensor, y: Tensor) => matmul(x, y), [a, b]));
          // transposed views from .T of the same tensors (A^T B^T has both flags on in the backward)
          assert.ok(gradcheck((x: Tensor, y: Tensor) => matmul(y.T, x.T), [a, b]));
        }
        const v = tensor(rand(4), { dtype: 'float64', requiresGrad: true });
        const m = tensor(rand(12), { shape: [4, 3], dtype: 'float64', requiresGrad: true });
        assert.ok(gradcheck((x: Tensor, y: Tensor) => matmul(x, y), [v, m]));
        assert.ok(gradcheck((x: Tensor, y: Tensor) => matmul(y.T, x), [v, m]));
      });
    }
  });

  test('analytic gradients of sum(A B): dA = 1 B^T, dB = A^T 1', () => {
    for (const [backend, threads] of SETTINGS) {
      withSettings(backend, threads, () => {
        const [M, K, N] = [6, 5, 9];
        const ad = rand(M * K);
        const bd = rand(K * N);
        const a = tensor(ad, { shape: [M, K], dtype: 'float64', requiresGrad: true });
        const b = tensor(bd, { shape: [K, N], dtype: 'float64', requiresGrad: true });
        matmul(a, b).sum().backward();
        const da = new Float64Array(M * K);
        for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) da[i * K + k] += bd[k * N + j];
        const db = new Float64Array(K * N);
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) for (let i = 0; i < M; i++) db[k * N + j] += ad[i * K + k];
        assert.ok(maxErr(a.grad!.data as Float64Array, da) < 1e-13);
        assert.ok(maxErr(b.grad!.data as Float64Array, db) < 1e-13);
      });
    }
  });
});

describe('nn.Linear on the fused product', () => {
  test('x W^T + b against the triple loop, batched input, and gradcheck of input, weight and bias', () => {
    for (const [backend, threads] of SETTINGS) {
      withSettings(backend, threads, () => {
        for (const [rows, inF, outF] of [[1, 1, 1], [7, 9, 5], [33, 20, 17]] as const) {
          const fc = new nn.Linear(inF, outF, { dtype: 'float64', seed: 3 });
          const xd = rand(rows * inF);
          const y = fc.forward(tensor(xd, { shape: [rows, inF], dtype: 'float64' }));
          const ref = naive(xd, false, fc.weight.data as Float64Array, true, rows, inF, outF, fc.bias!.data as Float64Array);
          assert.ok(maxErr(y.data as Float64Array, ref) < 1e-14);
          const x = tensor(xd, { shape: [rows, inF], dtype: 'float64', requiresGrad: true });
          assert.ok(gradcheck((xx: Tensor, w: Tensor, b: Tensor) => {
            fc.weight = w;
            fc.bias = b;
            return fc.forward(xx);
          }, [x, fc.weight, fc.bias!]));
        }
        const fc = new nn.Linear(4, 3, { dtype: 'float64', seed: 1, bias: false });
        const x3 = tensor(rand(2 * 5 * 4), { shape: [2, 5, 4], dtype: 'float64', requiresGrad: true });
        assert.deepEqual(fc.forward(x3).shape, [2, 5, 3]);
        assert.ok(gradcheck((xx: Tensor) => fc.forward(xx), [x3]));
        assert.deepEqual(fc.forward(tensor(rand(4), { dtype: 'float64' })).shape, [3]);
        assert.deepEqual(fc.forward(tensor(new Float64Array(0), { shape: [0, 4], dtype: 'float64' })).shape, [0, 3]);
        assert.throws(() => fc.forward(tensor(1, { dtype: 'float64' })), RuntimeError);
        // a bias replaced by one of another shape adds as a broadcast addition would, or fails as it
        const fb = new nn.Linear(2, 2, { dtype: 'float64' });
        fb.weight.data = [[1, 0], [0, 1]];
        fb.bias = tensor([10], { dtype: 'float64' });
        assert.deepEqual(fb.forward(tensor([[1, 2]], { dtype: 'float64' })).toArray(), [[11, 12]]);
        fb.bias = tensor([1, 2, 3], { dtype: 'float64' });
        assert.throws(() => fb.forward(tensor([[1, 2]], { dtype: 'float64' })), { name: 'RuntimeError', message: 'The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1' });
      });
    }
  });

  test('a float32 MLP step: wasm (float32 sums) and ts (float64 sums) agree to float32 rounding', () => {
    const xd = Float32Array.from(rand(128 * 300));
    const run = (backend: 'wasm' | 'ts', threads: number): number[] =>
      withSettings(backend, threads, () => {
        const fc1 = new nn.Linear(300, 64, { seed: 1 });
        const fc2 = new nn.Linear(64, 10, { seed: 2 });
        const x = tensor(xd.slice(), { shape: [128, 300] });
        const t = tensor(BigInt64Array.from({ length: 128 }, (_, i) => BigInt(i % 10)), { shape: [128] });
        const loss = F.crossEntropy(fc2.forward(fc1.forward(x).relu()), t);
        loss.backward();
        return [loss.item(), ...(fc1.weight.grad!.data as Float32Array).slice(0, 50), ...(fc2.bias!.grad!.data as Float32Array)];
      });
    const ref = run('ts', 1);
    for (const [backend, threads] of SETTINGS) {
      const got = run(backend, threads);
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(got[i] - ref[i]) <= 1e-5 + 1e-4 * Math.abs(ref[i]), `${backend}/${threads} [${i}]: ${got[i]} vs ${ref[i]}`);
    }
  });
});

describe('memory', () => {
  test('results and gradients are plain, exactly sized, unaliased; wasm memory does not grow over repeated calls', () => {
    for (const [backend, threads] of SETTINGS) {
      withSettings(backend, threads, () => {
        const step = (): Tensor[] => {
          const fc = new nn.Linear(200, 96, { seed: 4 });
          const x = tensor(Float32Array.from(rand(100 * 200)), { shape: [100, 200], requiresGrad: true });
          const y = fc.forward(x);
          y.sum().backward();
          return [y, x.grad!, fc.weight.grad!, fc.bias!.grad!, matmul(x, fc.weight.T)];
        };
        step();
        const before = memoryStats();
        for (let r = 0; r < 5; r++) {
          const outs = step();
          const buffers = new Set<ArrayBufferLike>();
          for (const t of outs) {
            const d = t.data as Float32Array;
            assert.ok(d.buffer instanceof ArrayBuffer, 'a plain ArrayBuffer, not wasm memory');
            assert.equal(d.byteOffset, 0);
            assert.equal(d.buffer.byteLength, d.byteLength, 'exactly its bytes');
            assert.ok(!buffers.has(d.buffer), 'no two results share a buffer');
            buffers.add(d.buffer);
          }
          const kept = (outs[0].data as Float32Array).slice();
          step();
          assert.deepEqual(outs[0].data, kept, 'a later call does not write an earlier result');
        }
        const now = memoryStats();
        assert.equal(now.wasmBytes, before.wasmBytes, 'wasm memory did not grow');
        assert.equal(now.scratchInUse, 0);
      });
    }
  });
});
