// The float64 regression kernel in WebAssembly (assembly/elementwise64.ts, job kind 14): equal to
// the TypeScript kernel element for element (both compute PyTorch's float64 operations in their
// order), to the composed path through the public API, on one thread and on two, small and
// threaded sizes, value only without a gradient pass or gradient memory, and a failed call
// leaving the pool exact. The PyTorch fixtures run on both backends in test/parity.test.ts.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { F, tensor, noGrad, RuntimeError, type Tensor } from '../../src/index.js';
import { setBackend, setNumThreads, threadsReady, withComposed } from '../../src/kernels/index.js';
import { HEAP_START, SCRATCH, buffer, getRuntime, memoryStats, scratch } from '../../src/kernels/memory.js';
import { shutdownThreads } from '../../src/kernels/threads.js';
import { tsBackend } from '../../src/kernels/ts.js';
import { PARALLEL_THRESHOLD_64, setParallelThreshold, wasmBackend } from '../../src/kernels/wasm.js';
import type { ElementwiseKind, ElementwiseProblem } from '../../src/kernels/types.js';

let seed = 11;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
/** Differences spread over both sides of beta/delta, with kinks, |d| == param exactly, NaN and infinities. */
function pair(n: number): [Float64Array, Float64Array] {
  const x = Float64Array.from({ length: n }, () => (rnd() - 0.5) * 8);
  const y = Float64Array.from({ length: n }, () => (rnd() - 0.5) * 8);
  for (let i = 0; i + 6 < n; i += 97) {
    y[i] = x[i];
    y[i + 1] = x[i + 1] - 1;
    y[i + 2] = x[i + 2] + 0.75;
    x[i + 3] = NaN;
    x[i + 4] = Infinity;
    y[i + 5] = -Infinity;
  }
  return [x, y];
}

const KINDS: [ElementwiseKind, number][] = [
  ['mse', 0],
  ['l1', 0],
  ['smoothL1', 1],
  ['smoothL1', 0.75],
  ['huber', 1],
  ['huber', 0.75],
];
const rt = getRuntime();

function sameBits(a: Float64Array | Float32Array | null, b: Float64Array | Float32Array | null, what: string): void {
  assert.equal(a === null, b === null, `${what}: presence`);
  if (!a || !b) return;
  assert.ok(a instanceof Float64Array, `${what}: float64`);
  assert.equal(a.length, b.length, `${what}: length`);
  const bad = a.findIndex((v, i) => !Object.is(v, b[i]));
  assert.equal(bad, -1, `${what}[${bad}]: wasm ${a[bad]}, ts ${b[bad]}`);
}

function closeSum(a: number, b: number, what: string): void {
  if (Number.isNaN(b) || !Number.isFinite(b)) assert.ok(Object.is(a, b), `${what}: ${a} vs ${b}`);
  else assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b) + 1e-300, `${what}: ${a} vs ${b}`);
}

describe('float64 regression kernel (WebAssembly) equals the TypeScript kernel', { skip: !rt }, () => {
  after(() => shutdownThreads());

  const sizes = [1, 2, 3, 4, 5, 7, 203, 4097, PARALLEL_THRESHOLD_64 + 3];
  test('every kind, loss and gradient bit for bit, every combination of wanted results', async () => {
    await threadsReady();
    for (const n of sizes) {
      const [x, y] = pair(n);
      // NaN and infinities only in the large sizes: the small ones check the sums closely
      if (n < 100) for (let i = 0; i < n; i++) if (!Number.isFinite(x[i] - y[i])) x[i] = y[i] = 0.5;
      for (const [kind, param] of KINDS) {
        for (const [wantLoss, wantGrad] of [[false, true], [true, true], [true, false], [false, false]]) {
          const p: ElementwiseProblem = { kind, x, y, weight: null, posWeight: null, param, scale: 1 / n, wantLoss, wantGrad };
          const a = wasmBackend.elementwise(p);
          const b = tsBackend.elementwise(p);
          const what = `${kind}(${param}) n=${n} loss=${wantLoss} grad=${wantGrad}`;
          sameBits(a.loss, b.loss, `${what} loss`);
          sameBits(a.grad, b.grad, `${what} grad`);
          closeSum(a.sum, b.sum, `${what} sum`);
        }
      }
    }
    assert.equal(memoryStats().scratchInUse, 0);
  });

  test('two threads give the single thread\'s results bit for bit, from the threshold and below it', { skip: !rt?.shared }, async () => {
    setNumThreads(2);
    assert.equal(await threadsReady(), 2);
    const [x, y] = pair(300_007);
    try {
      for (const forced of [0, null]) {
        setParallelThreshold(forced);
        for (const [kind, param] of KINDS) {
          const p: ElementwiseProblem = { kind, x, y, weight: null, posWeight: null, param, scale: 1, wantLoss: true, wantGrad: true };
          setNumThreads(2);
          const a = wasmBackend.elementwise(p);
          setNumThreads(1);
          const b = wasmBackend.elementwise(p);
          sameBits(a.loss, b.loss, `${kind} loss`);
          sameBits(a.grad, b.grad, `${kind} grad`);
          assert.ok(Object.is(a.sum, b.sum), `${kind} sum ${a.sum} vs ${b.sum}`);
        }
      }
    } finally {
      setParallelThreshold(null);
      setNumThreads('auto');
    }
  });
});

const LOSSES: [string, (x: Tensor, y: Tensor, reduction: 'mean' | 'sum' | 'none') => Tensor][] = [
  ['mse', (x, y, reduction) => F.mseLoss(x, y, { reduction })],
  ['l1', (x, y, reduction) => F.l1Loss(x, y, { reduction })],
  ['smoothL1', (x, y, reduction) => F.smoothL1Loss(x, y, { reduction })],
  ['smoothL1 beta 0.75', (x, y, reduction) => F.smoothL1Loss(x, y, { reduction, beta: 0.75 })],
  ['huber', (x, y, reduction) => F.huberLoss(x, y, { reduction })],
  ['huber delta 0.75', (x, y, reduction) => F.huberLoss(x, y, { reduction, delta: 0.75 })],
];

function closeArr(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    if (Object.is(a[i], b[i])) continue;
    assert.ok(Number.isFinite(b[i]) && Math.abs(a[i] - b[i]) <= 1e-12 * Math.abs(b[i]), `${what}[${i}]: fused ${a[i]}, composed ${b[i]}`);
  }
}

for (const backend of ['wasm', 'ts'] as const) {
  describe(`float64 regression losses equal the composed path [${backend}]`, { skip: backend === 'wasm' && !rt }, () => {
    after(() => shutdownThreads());
    for (const n of [5, 203, PARALLEL_THRESHOLD_64 + 1]) {
      test(`n = ${n}: every loss and reduction, both gradients, value only`, async () => {
        await threadsReady();
        const [xd, yd] = pair(n);
        for (let i = 0; i < n; i++) if (!Number.isFinite(xd[i] - yd[i])) xd[i] = yd[i] = 0.25;
        const gOut = Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 3));
        for (const [name, fn] of LOSSES) {
          for (const reduction of ['mean', 'sum', 'none'] as const) {
            const call = (): { v: Float64Array; gx: Float64Array; gy: Float64Array; only: Float64Array; only2: Float64Array } => {
              const x = tensor(xd, { shape: [n], requiresGrad: true });
              const y = tensor(yd, { shape: [n], requiresGrad: true });
              const out = fn(x, y, reduction);
              if (out.ndim === 0) out.backward();
              else out.backward(tensor(gOut, { shape: [n], dtype: 'float64' }));
              const only = noGrad(() => fn(x, y, reduction)).data as Float64Array;
              const only2 = fn(tensor(xd, { shape: [n] }), tensor(yd, { shape: [n] }), reduction).data as Float64Array;
              return { v: out.data as Float64Array, gx: x.grad!.data as Float64Array, gy: y.grad!.data as Float64Array, only, only2 };
            };
            const want = withComposed(call);
            setBackend(backend);
            try {
              const got = call();
              for (const k of ['v', 'gx', 'gy', 'only', 'only2'] as const) {
                assert.ok(got[k] instanceof Float64Array, `${name} ${reduction} ${k}: float64`);
                closeArr(got[k], want[k], `${name} ${reduction} ${k}`);
              }
            } finally {
              setBackend('auto');
            }
          }
        }
      });
    }
  });
}

describe('float64 value only: no gradient pass, no gradient memory', { skip: !rt }, () => {
  test('results are the loss alone, and the copy of the input is left as it was', () => {
    const n = 4099;
    const [xd, yd] = pair(n);
    setBackend('wasm');
    try {
      for (const [name, fn] of LOSSES) {
        for (const reduction of ['mean', 'none'] as const) {
          for (const grad of [false, true]) {
            const before = memoryStats().resultBytes;
            const x = tensor(xd, { shape: [n], requiresGrad: grad });
            const out = noGrad(() => fn(x, tensor(yd, { shape: [n] }), reduction));
            assert.equal(out.requiresGrad, false);
            assert.equal(memoryStats().resultBytes - before, reduction === 'none' ? n * 8 : 0, `${name} ${reduction}: result bytes`);
            // the input's copy is the first scratch of the call: a gradient pass would have written over it
            const copy = new Float64Array(buffer(), HEAP_START, n);
            const bad = copy.findIndex((v, i) => !Object.is(v, xd[i]));
            assert.equal(bad, -1, `${name} ${reduction}: the input's copy changed at ${bad}`);
          }
        }
      }
      // and with a gradient the same memory holds it (the check above can fail)
      const x = tensor(xd, { shape: [n], requiresGrad: true });
      F.mseLoss(x, tensor(yd, { shape: [n] }));
      assert.notDeepEqual(new Float64Array(buffer(), HEAP_START, 8), xd.subarray(0, 8));
    } finally {
      setBackend('auto');
    }
  });
});

describe('a failed float64 call leaves nothing behind', { skip: !rt?.shared }, () => {
  after(() => shutdownThreads());
  test('a detached input at a threaded size raises naming it; the next call is exact', async () => {
    setNumThreads(2);
    assert.equal(await threadsReady(), 2);
    const n = PARALLEL_THRESHOLD_64 * 2 + 5;
    setBackend('wasm');
    try {
      for (const which of ['input', 'target'] as const) {
        const xd = new Float64Array(n).fill(0.25);
        const yd = new Float64Array(n);
        const x = tensor(xd, { shape: [n], requiresGrad: true });
        const y = tensor(yd, { shape: [n] });
        const buf = which === 'input' ? xd.buffer : yd.buffer;
        structuredClone(buf, { transfer: [buf] });
        const before = memoryStats().resultBytes;
        assert.throws(() => F.huberLoss(x, y), (e: Error) => e instanceof RuntimeError && e.message.includes(`'${which}'`) && /detached/.test(e.message), which);
        assert.equal(memoryStats().resultBytes, before, 'nothing was allocated');
        assert.equal(memoryStats().scratchInUse, 0);
        const x2 = tensor(new Float64Array(n).fill(0.25), { shape: [n], requiresGrad: true });
        const l = F.mseLoss(x2, tensor(new Float64Array(n), { shape: [n] }));
        l.backward();
        assert.equal(l.item(), 0.0625);
        const g = x2.grad!.data as Float64Array;
        const bad = g.findIndex((v) => v !== (2 * 0.25) * (1 / n));
        assert.equal(bad, -1, `gradient element ${bad} is ${g[bad]}`);
      }
    } finally {
      setBackend('auto');
      setNumThreads('auto');
    }
  });
});

describe('smooth L1 with beta 1 runs as Huber with delta 1', { skip: !rt }, () => {
  test('the float32 kernels agree bit for bit (loss, gradient, sum), NaN and infinities included', () => {
    const n = 1003;
    const [x64, y64] = pair(n);
    const x = Float32Array.from(x64);
    const y = Float32Array.from(y64);
    const k = rt!.exports;
    const out = (kind: number): { sum: number; loss: Float32Array; grad: Float32Array } =>
      scratch((take) => {
        const xo = take(n * 4);
        const yo = take(n * 4);
        const lo = take(n * 4);
        const go = take(n * 4);
        new Float32Array(buffer(), xo, n).set(x);
        new Float32Array(buffer(), yo, n).set(y);
        const sum = k.elementwise(kind, xo, yo, 0, 0, 0, 0, 0, n, 1 / n, 1, lo, go, SCRATCH);
        return { sum, loss: new Float32Array(buffer(), lo, n).slice(), grad: new Float32Array(buffer(), go, n).slice() };
      });
    const smooth = out(2);
    const huber = out(3);
    assert.ok(Object.is(smooth.sum, huber.sum));
    assert.ok(smooth.loss.every((v, i) => Object.is(v, huber.loss[i])), 'loss');
    assert.ok(smooth.grad.every((v, i) => Object.is(v, huber.grad[i])), 'grad');
    assert.ok(smooth.loss.some((v) => Number.isNaN(v)) && smooth.grad.some((v) => v === Math.fround(1 / n)) && smooth.loss.some((v) => v > 0 && v < 0.5));
  });
});

describe('float64 cross entropy rows, value only', { skip: !rt }, () => {
  test('no gradient pass: the copy of the logits holds exp(x - max) per row, and no gradient memory', () => {
    const rows = 9;
    const C = 37;
    const xd = Float64Array.from({ length: rows * C }, () => (rnd() - 0.5) * 6);
    const td = BigInt64Array.from({ length: rows }, (_, i) => (i === 4 ? -100n : BigInt(Math.floor(rnd() * C))));
    setBackend('wasm');
    try {
      for (const reduction of ['mean', 'none'] as const) {
        const want = withComposed(() => F.crossEntropy(tensor(xd, { shape: [rows, C] }), tensor(td, { shape: [rows] }), { reduction }));
        const before = memoryStats().resultBytes;
        const got = noGrad(() => F.crossEntropy(tensor(xd, { shape: [rows, C], requiresGrad: true }), tensor(td, { shape: [rows] }), { reduction }));
        assert.equal(memoryStats().resultBytes - before, reduction === 'none' ? rows * 8 : 0, `${reduction}: result bytes`);
        closeArr(got.data as Float64Array, want.data as Float64Array, `${reduction} value`);
        // the logits' copy is the call's first scratch: each row's maximum became exactly 1, the
        // ignored row kept its logits (a gradient pass would have scaled or zeroed them)
        const copy = new Float64Array(buffer(), HEAP_START, rows * C);
        for (let r = 0; r < rows; r++) {
          const row = xd.subarray(r * C, (r + 1) * C);
          const m = row.indexOf(Math.max(...row));
          if (r === 4) assert.equal(copy[r * C + m], row[m], 'ignored row');
          else assert.equal(copy[r * C + m], 1, `row ${r}`);
        }
      }
      // with a gradient the same place holds it (the check above can fail)
      const x = tensor(xd, { shape: [rows, C], requiresGrad: true });
      F.crossEntropy(x, tensor(td, { shape: [rows] })).backward();
      assert.notEqual(new Float64Array(buffer(), HEAP_START, C)[xd.subarray(0, C).indexOf(Math.max(...xd.subarray(0, C)))], 1);
    } finally {
      setBackend('auto');
    }
  });
});
