// The built library runs in a real browser (Debian's Chromium, headless): the tutorial's numbers
// and a gradient, computed in the page from dist/index.js, with plain WebAssembly memory; then, in a
// cross-origin isolated page (shared memory), the kernels on Web Workers against one thread and
// against Node. CI installs chromium (.ci/run); on a machine without it the tests are skipped,
// except under CI where its absence is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const dist = join(import.meta.dirname, '..', '..', 'dist');
const missing = !existsSync(CHROMIUM) ? 'chromium is not installed (apt-get install -y chromium)' : !existsSync(join(dist, 'index.js')) ? 'dist/ is not built (npm run build)' : null;

/** Serves dist/ (and an empty page at /), cross-origin isolated when asked, to a fresh Chromium. */
async function inBrowser<T>(isolated: boolean, fn: () => Promise<T>): Promise<T> {
  const { chromium } = await import('playwright-core');
  const headers: Record<string, string> = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const server = createServer((req, res) => {
    const file = join(dist, (req.url ?? '/').replace(/^\//, '') || 'index.html');
    if (req.url === '/' || !existsSync(file)) {
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html', ...headers });
      res.end('<!doctype html><title>losskit</title>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript', ...headers });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    return (await page.evaluate(fn)) as T;
  } finally {
    await browser.close();
    server.close();
  }
}

const skip = missing && !process.env.CI ? missing : false;

test('the library core runs in Chromium', { skip, timeout: 60_000 }, async () => {
  assert.equal(missing, null, missing ?? '');
  const result = await inBrowser(false, async () => {
    const lk: any = await import('/index.js' as string);
    const sample = lk.ones([2, 2]);
    const target = lk.tensor([[0, 1], [2, 3]]);
    const x = lk.tensor([[1, 2, 3], [0, 0, 0]], { requiresGrad: true });
    const ce = lk.F.crossEntropy(x, lk.tensor([2, 1], { dtype: 'int64' }));
    ce.backward();
    let error = '';
    try {
      lk.F.nllLoss(sample, target);
    } catch (e) {
      error = `${(e as Error).name}: ${(e as Error).message}`;
    }
    return {
      l1: lk.F.l1Loss(sample, target).item(),
      smooth: lk.F.smoothL1Loss(sample, target).item(),
      mse: lk.F.mseLoss(sample, target).item(),
      ce: lk.F.crossEntropy(sample, target).item(),
      grad: Array.from(x.grad.data as Float32Array),
      error,
      backend: lk.getBackend(),
      threads: await lk.threadsReady(),
      ua: navigator.userAgent,
    };
  });
  assert.equal(result.l1, 1);
  assert.equal(result.smooth, 0.625);
  assert.equal(result.mse, 1.5);
  assert.ok(Math.abs(result.ce - 2.0794415) < 1e-6);
  assert.match(result.error, /^RuntimeError: 0D or 1D target tensor expected/);
  // softmax([1,2,3]) - onehot(2), halved; softmax([0,0,0]) - onehot(1), halved
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const s = e.reduce((a, b) => a + b);
  const want = [e[0] / s / 2, e[1] / s / 2, (e[2] / s - 1) / 2, 1 / 6, (1 / 3 - 1) / 2, 1 / 6];
  result.grad.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-6, `grad[${i}] ${g} vs ${want[i]}`));
  assert.equal(result.backend, 'wasm', 'WebAssembly SIMD in the browser');
  assert.equal(result.threads, 1, 'no shared memory without cross-origin isolation: one thread');
  assert.match(result.ua, /Chrome/);
});

/**
 * Large enough for every kernel to split its work: cross entropy over rows (label smoothing) and
 * over K-dimensional input, BCE with logits, CTC. Inputs from a formula, so Node and the page agree.
 * Returns each case's loss and a few gradient entries (self-contained: it runs in the page too).
 */
async function bigCases(lk: any): Promise<number[][]> {
  const f = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7 + k) * 3);
  const ints = (n: number, c: number): BigInt64Array => BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7 + 3) % c));
  const pick = (t: any, l: any): number[] => {
    const g = t.grad.data as Float32Array;
    return [l.item(), g[0], g[1], g[12345], g[g.length - 1]];
  };
  const out: number[][] = [];
  let x = lk.tensor(f(512 * 300, 1), { shape: [512, 300], requiresGrad: true });
  let l = lk.F.crossEntropy(x, lk.tensor(ints(512, 300), { shape: [512] }), { labelSmoothing: 0.1 });
  l.backward();
  out.push(pick(x, l));
  x = lk.tensor(f(4 * 21 * 40 * 40, 2), { shape: [4, 21, 40, 40], requiresGrad: true });
  l = lk.F.crossEntropy(x, lk.tensor(ints(4 * 40 * 40, 21), { shape: [4, 40, 40] }));
  l.backward();
  out.push(pick(x, l));
  x = lk.tensor(f(1 << 17, 3), { shape: [1 << 17], requiresGrad: true });
  l = lk.F.binaryCrossEntropyWithLogits(x, lk.tensor(Float32Array.from(f(1 << 17, 4), (v) => (v + 3) / 6), { shape: [1 << 17] }));
  l.backward();
  out.push(pick(x, l));
  x = lk.tensor(f(100 * 8 * 20, 5), { shape: [100, 8, 20], requiresGrad: true });
  l = lk.F.ctcLoss(lk.F.logSoftmax(x, 2), lk.tensor(BigInt64Array.from({ length: 8 * 10 }, (_, i) => BigInt(1 + (i % 19))), { shape: [8, 10] }), new Array(8).fill(100), new Array(8).fill(10));
  l.backward();
  out.push(pick(x, l));
  return out;
}

test('in a cross-origin isolated page the kernels share their work with Web Workers', { skip, timeout: 120_000 }, async () => {
  assert.equal(missing, null, missing ?? '');
  // the page gets bigCases as source text inside the function it evaluates
  const page = await inBrowser(true, new Function(`return async () => {
    const lk = await import('/index.js');
    const __name = (f) => f; // the helper esbuild (tsx) puts into functions it compiles
    const bigCases = ${bigCases.toString()};
    const threads = await lk.threadsReady();
    lk.setNumThreads(1);
    const one = await bigCases(lk);
    lk.setNumThreads('auto');
    const all = await bigCases(lk);
    return { isolated: crossOriginIsolated, threads, one, all };
  };`)() as () => Promise<{ isolated: boolean; threads: number; one: number[][]; all: number[][] }>);
  assert.equal(page.isolated, true);
  assert.ok(page.threads >= 2, `threads ready: ${page.threads}`);
  assert.deepEqual(page.all, page.one, 'Web Workers give the single thread\'s bits');
  // the same WebAssembly in Node gives the same numbers
  const lk = await import('../../src/index.js');
  const node = await bigCases(lk);
  assert.deepEqual(page.all, node);
});
