// The built library runs in a real browser (Debian's Chromium, headless): the tutorial's numbers
// and a gradient, computed in the page from dist/index.js. CI installs chromium (.ci/run); on a
// machine without it the test is skipped, except under CI where its absence is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const dist = join(import.meta.dirname, '..', '..', 'dist');
const missing = !existsSync(CHROMIUM) ? 'chromium is not installed (apt-get install -y chromium)' : !existsSync(join(dist, 'index.js')) ? 'dist/ is not built (npm run build)' : null;

test('the library core runs in Chromium', { skip: missing && !process.env.CI ? missing : false, timeout: 60_000 }, async () => {
  assert.equal(missing, null, missing ?? '');
  const { chromium } = await import('playwright-core');
  const server = createServer((req, res) => {
    const file = join(dist, (req.url ?? '/').replace(/^\//, '') || 'index.html');
    if (req.url === '/' || !existsSync(file)) {
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>losskit</title>');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' });
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
    const result = await page.evaluate(async () => {
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
    assert.match(result.ua, /Chrome/);
  } finally {
    await browser.close();
    server.close();
  }
});
