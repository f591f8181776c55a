// Who owns what: every array a call hands out is the caller's own (plain, exactly sized, never
// written again, nothing else reachable through it); scratch is released within the call; a failed
// call leaves the pool idle and the next call exact; value-only calls make no gradient.
// References are analytic (MSE: (x - y)^2, gradient 2 (x - y) / n), never the code's own output.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { F, tensor, noGrad, optim, RuntimeError, ValueError, type Tensor } from '../../src/index.js';
import { setBackend, setNumThreads, threadsReady } from '../../src/kernels/index.js';
import { getRuntime, memoryStats, scratch } from '../../src/kernels/memory.js';
import { JOB_ELEMENTWISE, runJob, shutdownThreads } from '../../src/kernels/threads.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const wasm = getRuntime() !== null;
const BACKENDS = wasm ? (['wasm', 'ts'] as const) : (['ts'] as const);

let seed = 11;
const rnd = (): number => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 4294967296;
};
const floats = (n: number, lo = -2, hi = 2): Float32Array => Float32Array.from({ length: n }, () => lo + (hi - lo) * rnd());
const leaf = (d: Float32Array | Float64Array, shape: number[]): Tensor => tensor(d, { shape, requiresGrad: true });
/** MSE's gradient and loss for one element: the SIMD kernel works in float32 as PyTorch's, the TypeScript one in float64 rounded once. */
const mse = (backend: string, x: number, y: number, n: number): { g: number; l: number } => {
  const d = backend === 'wasm' ? Math.fround(x - y) : x - y;
  return { g: Math.fround((2 * d) / n), l: Math.fround(d * d) };
};

/** Every result array a fused call can hand out, for a problem of n elements (threaded from 2^16). */
function results(n: number): { what: string; data: Float32Array | Float64Array }[] {
  const C = 128;
  const rows = n / C;
  const xd = floats(n);
  const yd = floats(n, 0, 1);
  const t = tensor(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % C)), { shape: [rows] });
  const out: { what: string; data: Float32Array | Float64Array }[] = [];
  const grad = (what: string, loss: (x: Tensor) => Tensor, shape = [n], d: Float32Array | Float64Array = xd): void => {
    const x = leaf(d, shape);
    const l = loss(x);
    if (l.ndim > 0) out.push({ what: `${what} 'none' loss`, data: l.data as Float32Array });
    l.backward(l.ndim > 0 ? tensor(new Float32Array(l.numel).fill(1), { shape: [...l.shape], dtype: l.dtype }) : undefined);
    out.push({ what: `${what} gradient`, data: x.grad!.data as Float32Array });
  };
  grad('mse', (x) => F.mseLoss(x, tensor(yd, { shape: [n] })));
  grad('bce with logits', (x) => F.binaryCrossEntropyWithLogits(x, tensor(yd, { shape: [n] }), { reduction: 'none' }));
  grad('mse float64', (x) => F.mseLoss(x, tensor(Float64Array.from(yd), { shape: [n] }), { reduction: 'none' }), [n], Float64Array.from(xd));
  grad('cross entropy', (x) => F.crossEntropy(x, t), [rows, C]);
  grad('cross entropy K-dim', (x) => F.crossEntropy(x, tensor(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % C)), { shape: [rows / 4, 4] }), { reduction: 'none' }), [rows / 4, C, 4]);
  grad('nll', (x) => F.nllLoss(x, t, { reduction: 'none' }), [rows, C]);
  grad('kl', (x) => F.klDiv(x, tensor(yd, { shape: [rows, C] }), { reduction: 'batchmean' }), [rows, C]);
  grad('ctc', (x) => F.ctcLoss(x.logSoftmax(2), tensor(BigInt64Array.from({ length: 4 * 5 }, (_, i) => BigInt(1 + (i % 9))), { shape: [4, 5] }), [20, 20, 20, 20], [5, 5, 5, 5]), [20, 4, 10], xd.subarray(0, 800));
  const a = leaf(xd.subarray(0, 1000), [1000]);
  out.push({ what: 'tensor op', data: a.exp().add(1).data as Float32Array });
  return out;
}

for (const backend of BACKENDS) {
  describe(`result memory is the caller's own [${backend}]`, () => {
    test('backed by a plain ArrayBuffer holding exactly its bytes', () => {
      setBackend(backend);
      try {
        for (const { what, data } of results(1 << 16)) {
          assert.ok(data.buffer instanceof ArrayBuffer, `${what}: a plain ArrayBuffer, not ${data.buffer.constructor.name}`);
          assert.equal(data.byteOffset, 0, `${what}: byteOffset`);
          assert.equal(data.buffer.byteLength, data.byteLength, `${what}: the buffer holds exactly the result`);
        }
      } finally {
        setBackend('auto');
      }
    });

    test('kept subarrays and views over the buffer are unchanged after GC and further calls', async () => {
      setBackend(backend);
      try {
        const n = 1 << 17;
        const xd = floats(n);
        const yd = floats(n);
        const step = (): { sub: Float32Array; over: Float32Array; none: Float32Array } => {
          const x = leaf(xd, [n]);
          const none = F.mseLoss(x, tensor(yd, { shape: [n] }), { reduction: 'none' });
          F.mseLoss(x, tensor(yd, { shape: [n] })).backward();
          const d = x.grad!.data as Float32Array;
          return { sub: d.subarray(0, 16), over: new Float32Array(d.buffer, d.byteOffset + 64, 16), none: (none.data as Float32Array).subarray(100, 116) };
        };
        const kept = step(); // its tensors are dropped at once
        const other = floats(n, 5, 9); // other numbers through the same kernels
        for (let i = 0; i < 20; i++) {
          const o = leaf(other, [n]);
          F.mseLoss(o, tensor(yd, { shape: [n] }), { reduction: 'none' });
          F.mseLoss(o, tensor(yd, { shape: [n] })).backward();
          gc();
          await new Promise((r) => setTimeout(r, 1)); // finalizers may run
        }
        for (let i = 0; i < 16; i++) {
          assert.equal(kept.sub[i], mse(backend, xd[i], yd[i], n).g, `subarray[${i}]`);
          assert.equal(kept.over[i], mse(backend, xd[16 + i], yd[16 + i], n).g, `view over the buffer[${i}]`);
          assert.equal(kept.none[i], mse(backend, xd[100 + i], yd[100 + i], n).l, `'none' loss[${i}]`);
        }
      } finally {
        setBackend('auto');
      }
    });

    test('structuredClone is independent, and the buffer transfers to a worker and back', async () => {
      setBackend(backend);
      try {
        const n = 1 << 16;
        const xd = floats(n);
        const x = leaf(xd, [n]);
        const y = leaf(floats(n), [n]);
        F.mseLoss(x, tensor(new Float32Array(n), { shape: [n] })).backward();
        F.mseLoss(y, tensor(new Float32Array(n), { shape: [n] })).backward();
        const g = x.grad!.data as Float32Array;
        const want = Float32Array.from(xd, (v) => (2 * v) / n);
        const clone = structuredClone(g);
        clone.fill(7);
        assert.deepEqual(g, want, 'writing the clone left the gradient alone');
        const yBefore = (y.grad!.data as Float32Array).slice();
        // the worker doubles what it gets and sends it back
        const w = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (b) => { const a = new Float32Array(b); for (let i = 0; i < a.length; i++) a[i] *= 2; parentPort.postMessage(b, [b]); });', { eval: true });
        try {
          const back: ArrayBuffer = await new Promise((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage(g.buffer, [g.buffer]); // a transfer list takes it
          });
          assert.equal(g.length, 0, 'transferred: detached here');
          assert.equal(back.byteLength, n * 4);
          assert.deepEqual(new Float32Array(back), Float32Array.from(want, (v) => v * 2));
          assert.deepEqual(y.grad!.data, yBefore, "the worker's writes reached no other gradient");
        } finally {
          await w.terminate();
        }
      } finally {
        setBackend('auto');
      }
    });

    test('value-only calls make no gradient, and scratch is released after every call', () => {
      setBackend(backend);
      try {
        const n = 1 << 17;
        const xd = floats(n);
        const yd = floats(n);
        const t = tensor(BigInt64Array.from({ length: n / 128 }, (_, i) => BigInt(i % 128)), { shape: [n / 128] });
        const want = xd.reduce((a, v, i) => a + (v - yd[i]) ** 2, 0) / n;
        const calls: [string, () => Tensor][] = [
          ['noGrad mse', () => noGrad(() => F.mseLoss(leaf(xd, [n]), tensor(yd, { shape: [n] })))],
          ['mse without requiresGrad', () => F.mseLoss(tensor(xd, { shape: [n] }), tensor(yd, { shape: [n] }))],
          ['cross entropy without requiresGrad', () => F.crossEntropy(tensor(xd, { shape: [n / 128, 128] }), t)],
          ['noGrad bce with logits', () => noGrad(() => F.binaryCrossEntropyWithLogits(leaf(xd, [n]), tensor(yd, { shape: [n] })))],
        ];
        for (const [what, call] of calls) {
          const before = memoryStats().resultBytes;
          const out = call();
          assert.equal(memoryStats().resultBytes - before, 0, `${what}: no result memory beyond the value`);
          assert.equal(out.requiresGrad, false);
          assert.equal(memoryStats().scratchInUse, 0, `${what}: scratch released`);
        }
        const v = calls[0][1]().item();
        assert.ok(Math.abs(v - want) <= 1e-5 * want, `value ${v}, want ${want}`);
        // with a gradient, scratch is released too, and memory does not grow over calls
        const step = () => {
          const x = leaf(xd, [n]);
          F.mseLoss(x, tensor(yd, { shape: [n] })).backward();
          return x;
        };
        step();
        const wasmBytes = memoryStats().wasmBytes;
        for (let i = 0; i < 10; i++) step();
        assert.equal(memoryStats().scratchInUse, 0);
        assert.equal(memoryStats().wasmBytes, wasmBytes, 'wasm memory stays at the largest call');
      } finally {
        setBackend('auto');
      }
    });

    test('inputs may be any view into a larger buffer: read in place, never written', () => {
      setBackend(backend);
      try {
        const n = 1 << 16;
        const big = floats(3 * n + 3);
        const before = big.slice();
        const xv = big.subarray(1, n + 1); // byteOffset 4: not 16-byte aligned
        const yv = new Float32Array(big.buffer, (2 * n + 3) * 4, n);
        const x = leaf(xv, [n]);
        const l = F.mseLoss(x, tensor(yv, { shape: [n] }), { reduction: 'sum' });
        l.backward();
        assert.deepEqual(big, before, 'the buffer under the inputs is unchanged');
        const g = x.grad!.data as Float32Array;
        for (let i = 0; i < n; i += 997) assert.equal(g[i], mse(backend, xv[i], yv[i], 1).g, `grad[${i}]`);
      } finally {
        setBackend('auto');
      }
    });

    test('200 synchronous steps give the same numbers every step', () => {
      setBackend(backend);
      try {
        const n = 1 << 16;
        const xd = floats(n);
        const yd = floats(n);
        const td = BigInt64Array.from({ length: n / 256 }, (_, i) => BigInt((i * 7) % 256));
        const first: number[][] = [];
        for (let s = 0; s < 200; s++) {
          const a = leaf(xd, [n]);
          const b = leaf(xd, [n / 256, 256]);
          const la = F.mseLoss(a, tensor(yd, { shape: [n] }));
          const lb = F.crossEntropy(b, tensor(td, { shape: [n / 256] }));
          la.backward();
          lb.backward();
          const now = [la.item(), lb.item(), ...Array.from((a.grad!.data as Float32Array).subarray(n - 8)), ...Array.from((b.grad!.data as Float32Array).subarray(0, 8))];
          if (s === 0) first.push(now);
          else assert.deepEqual(now, first[0], `step ${s}`);
        }
        for (let i = 0; i < 8; i++) assert.equal(first[0][2 + i], mse(backend, xd[n - 8 + i], yd[n - 8 + i], n).g);
      } finally {
        setBackend('auto');
      }
    });
  });
}

describe('failures leave nothing behind', { skip: !getRuntime()?.shared }, () => {
  after(() => shutdownThreads());
  const n = 1 << 20;
  /** MSE of 0.25 against 0: 0.0625, gradient 0.5 / n everywhere. */
  const exactCall = (): void => {
    const x = leaf(new Float32Array(n).fill(0.25), [n]);
    const l = F.mseLoss(x, tensor(new Float32Array(n), { shape: [n] }));
    l.backward();
    assert.equal(l.item(), 0.0625);
    const g = x.grad!.data as Float32Array;
    const bad = g.findIndex((v) => v !== Math.fround(0.5 / n));
    assert.equal(bad, -1, `gradient element ${bad} is ${g[bad]}`);
  };

  test('a detached input raises a RuntimeError naming it before any work, and the next call is exact', async () => {
    setNumThreads(2);
    assert.equal(await threadsReady(), 2);
    setBackend('wasm');
    try {
      for (const which of ['input', 'target'] as const) {
        const xd = new Float32Array(n).fill(0.25);
        const yd = new Float32Array(n);
        const x = leaf(xd, [n]);
        const y = tensor(yd, { shape: [n] });
        structuredClone(which === 'input' ? xd.buffer : yd.buffer, { transfer: [which === 'input' ? xd.buffer : yd.buffer] });
        const before = memoryStats().resultBytes;
        assert.throws(() => F.mseLoss(x, y), (e: Error) => e instanceof RuntimeError && e.message.includes(`'${which}'`) && /detached/.test(e.message), which);
        assert.equal(memoryStats().resultBytes, before, 'nothing was allocated');
        exactCall();
      }
    } finally {
      setBackend('auto');
      setNumThreads('auto');
    }
  });

  test('a copy that fails in the middle of a threaded job leaves the pool idle and the next call exact', async () => {
    setNumThreads(2);
    assert.equal(await threadsReady(), 2);
    setBackend('wasm');
    try {
      const chunk = 1 << 15;
      scratch((take) => {
        const xo = take(n * 4);
        const partial = take((n / chunk) * 8);
        const job = { kind: JOB_ELEMENTWISE, n, chunk, partial, args: [0, xo, xo, 0, 0, 0, 0, 1, 0, 0, xo], collect: null, done: 0 };
        const stage = (c: number): void => {
          if (c === 3) throw new RangeError('copy failed');
        };
        assert.throws(() => runJob({ ...job, stage }, 2), /copy failed/);
      });
      assert.equal(memoryStats().scratchInUse, 0);
      for (let i = 0; i < 3; i++) exactCall();
    } finally {
      setBackend('auto');
      setNumThreads('auto');
    }
  });

  test('WebAssembly memory exhausted: a RuntimeError before any work, nothing kept, the next call exact', () => {
    assert.throws(
      () => scratch((take) => take(2 ** 33)),
      (e: Error) => e instanceof RuntimeError && /more than its 4 GiB/.test(e.message),
    );
    assert.equal(memoryStats().scratchInUse, 0);
    exactCall();
  });

  test('setNumThreads refuses what the pool cannot run, and keeps its setting', () => {
    for (const bad of [0, 33, 1e6, 1.5, -1, NaN, '2', null]) {
      assert.throws(() => setNumThreads(bad as never), (e: Error) => e instanceof ValueError && /setNumThreads\(\): expected an integer from 1 to 32/.test(e.message), String(bad));
    }
    setNumThreads(32); // the largest the pool takes
    try {
      exactCall();
    } finally {
      setNumThreads('auto');
    }
  });
});

describe('optimizer state is the caller\'s own', () => {
  test('stateDict arrays are copies: writing them changes no later step', () => {
    const run = (tamper: boolean): number[] => {
      const p = tensor([1, -2, 3], { dtype: 'float64', requiresGrad: true });
      const opt = new optim.Adam([p], { lr: 0.1 });
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        p.mul(p).sum().backward();
        opt.step();
        if (tamper) {
          const st = opt.stateDict() as any;
          for (const v of Object.values(st.state) as any[]) for (const k of Object.keys(v)) if (Array.isArray(v[k]?.data)) v[k].data.fill(1e9);
        }
      }
      return Array.from(p.data as Float64Array);
    };
    assert.deepEqual(run(true), run(false));
  });
});
