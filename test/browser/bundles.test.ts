// The packed package (npm pack, as published) in Chromium, three ways a page gets it: dist/index.js
// from a plain <script type="module">, an esbuild bundle (--splitting) and a vite build. Every
// page runs under a strict Content-Security-Policy, the minimal one the library needs (CSP below),
// with and without cross-origin isolation: the page loads only the WebAssembly build it can use
// (shared memory and Web Workers when isolated, the plain build otherwise) and gets the same
// numbers. Then what each part of the policy is for: without 'wasm-unsafe-eval' the TypeScript
// kernels serve the calls (the same numbers); without worker-src blob: the kernels run on one thread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
// @ts-expect-error: a plain .mjs script without types
import { esbuildApp, installPacked, root } from '../../scripts/bundle-size.mjs';

const CHROMIUM = '/usr/bin/chromium';
/** The minimal policy: the page's own scripts, compiling WebAssembly, and the blob: workers of the thread pool. */
export const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src blob:";
const missing = !existsSync(CHROMIUM) ? 'chromium is not installed (apt-get install -y chromium)' : !existsSync(join(root, 'dist', 'index.js')) ? 'dist/ is not built (npm run build)' : null;
const skip = missing && !process.env.CI ? missing : false;

/** The page: losses, a gradient, a job big enough for the workers; reports on window.__result. */
const PAGE = (from: string): string => `import * as lk from '${from}';
try {
  const x = lk.tensor([[1, 2, 3], [0, 0, 0]], { requiresGrad: true });
  const ce = lk.F.crossEntropy(x, lk.tensor([2, 1], { dtype: 'int64' }));
  ce.backward();
  const threads = await lk.threadsReady();
  const n = 512 * 300;
  const big = lk.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 3), { shape: [512, 300], requiresGrad: true });
  const bigLoss = lk.F.crossEntropy(big, lk.tensor(BigInt64Array.from({ length: 512 }, (_, i) => BigInt((i * 7 + 3) % 300)), { shape: [512] }), { labelSmoothing: 0.1 });
  bigLoss.backward();
  window.__result = {
    mse: lk.F.mseLoss(lk.ones([2, 2]), lk.tensor([[0, 1], [2, 3]])).item(),
    l1: lk.F.l1Loss(lk.ones([2, 2]), lk.tensor([[0, 1], [2, 3]])).item(),
    ce: ce.item(),
    grad: Array.from(x.grad.data),
    big: [bigLoss.item(), big.grad.data[0], big.grad.data[12345], big.grad.data[n - 1]],
    backend: lk.getBackend(),
    threads,
    isolated: crossOriginIsolated,
    wasm: performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /wasm[-_](shared|plain)/.test(u)).map((u) => u.match(/wasm[-_](shared|plain)/)[1]),
    // the library's files the page fetched (the plain page: one per module it imports, dist/ is not bundled)
    files: performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.includes('/losskit/dist/')).map((u) => u.split('/losskit/dist/')[1]),
  };
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
`;

// registered by a classic script before the modules run, so it sees what the library's loading hits
const LISTEN = `window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.effectiveDirective + ' ' + e.blockedURI));
`;
const html = (module: string): string => `<!doctype html><meta charset="utf-8"><title>losskit</title><script src="/listen.js"></script><script type="module" src="${module}"></script>`;

let dir = '';
let server: Server;
let port = 0;
let headers: Record<string, string> = {};
let browser: any;
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.cjs': 'text/javascript', '.html': 'text/html', '.mjs': 'text/javascript' };

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'losskit-pages-'));
  installPacked(dir);
  writeFileSync(join(dir, 'listen.js'), LISTEN);
  // a plain module page: the package's own dist/index.js by path, no bundler
  writeFileSync(join(dir, 'plain.js'), PAGE('/node_modules/losskit/dist/index.js'));
  writeFileSync(join(dir, 'plain.html'), html('/plain.js'));
  // esbuild: --bundle --minify --splitting --format=esm
  await esbuildApp(dir, join(dir, 'esbuild'), PAGE('losskit'));
  writeFileSync(join(dir, 'esbuild', 'index.html'), html('/esbuild/main.js'));
  // vite: an index.html with its module, built into vite/
  writeFileSync(join(dir, 'index.html'), html('/app.js').replace('<script src="/listen.js"></script>', ''));
  writeFileSync(join(dir, 'app.js'), PAGE('losskit'));
  const { build } = await import('vite');
  await build({ root: dir, configFile: false, logLevel: 'silent', base: '/vite/', build: { outDir: join(dir, 'vite'), emptyOutDir: true } });
  const built = readFileSync(join(dir, 'vite', 'index.html'), 'utf8');
  assert.ok(built.includes('<title>losskit</title>'));
  writeFileSync(join(dir, 'vite', 'index.html'), built.replace('<title>losskit</title>', '<title>losskit</title><script src="/listen.js"></script>'));
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0])).replace(/^\/+/, '');
    const file = join(dir, path.endsWith('/') || path === '' ? join(path, 'index.html') : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PageResult {
  error?: string;
  mse: number;
  l1: number;
  ce: number;
  grad: number[];
  big: number[];
  backend: string;
  threads: number;
  isolated: boolean;
  wasm: string[];
  files: string[];
  violations: string[];
}

/** Opens `path` served with `csp` (and COOP/COEP when `isolated`) and returns what the page reported. */
async function open(path: string, csp: string | null, isolated: boolean): Promise<PageResult> {
  headers = {
    ...(csp ? { 'content-security-policy': csp } : {}),
    ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
  };
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${port}${path}`);
    await page.waitForFunction(() => (window as any).__result !== undefined, null, { timeout: 60_000 });
    const r = await page.evaluate(() => ({ ...(window as any).__result, violations: (window as any).__violations }));
    assert.equal(r.error, undefined, r.error);
    return r;
  } finally {
    await page.close();
  }
}

// softmax([1,2,3]) - onehot(2), halved; softmax([0,0,0]) - onehot(1), halved
const e3 = [Math.exp(1), Math.exp(2), Math.exp(3)];
const s3 = e3[0] + e3[1] + e3[2];
const GRAD = [e3[0] / s3 / 2, e3[1] / s3 / 2, (e3[2] / s3 - 1) / 2, 1 / 6, (1 / 3 - 1) / 2, 1 / 6];

function checkNumbers(r: PageResult): void {
  assert.equal(r.mse, 1.5);
  assert.equal(r.l1, 1);
  assert.ok(Math.abs(r.ce - (Math.log(s3) - 3 + Math.log(3)) / 2) < 1e-6, `ce ${r.ce}`);
  r.grad.forEach((g, i) => assert.ok(Math.abs(g - GRAD[i]) < 1e-6, `grad[${i}] ${g} vs ${GRAD[i]}`));
}

const results: Record<string, PageResult> = {};
for (const [name, path] of [['plain <script type="module">', '/plain.html'], ['esbuild bundle', '/esbuild/'], ['vite build', '/vite/']] as const) {
  test(`${name} under the minimal CSP: the plain build on one thread`, { skip, timeout: 90_000 }, async (t) => {
    const r = await open(path, CSP, false);
    checkNumbers(r);
    assert.deepEqual(r.violations, []);
    assert.equal(r.isolated, false);
    assert.equal(r.backend, 'wasm');
    assert.equal(r.threads, 1);
    assert.deepEqual(r.wasm, ['plain'], 'only the plain build is loaded');
    if (path === '/plain.html') {
      // no bundler: the browser fetches dist/index.js and the modules it imports, ESM only
      assert.ok(r.files.includes('index.js') && r.files.includes('kernels/wasm_plain.js'), r.files.join());
      assert.deepEqual(r.files.filter((f) => !f.endsWith('.js') || f.includes('wasm_shared')), []);
      t.diagnostic(`the plain page fetched ${r.files.length} files of dist/`);
    } else assert.deepEqual(r.files, [], 'a bundled page fetches nothing from the package');
    results[`${path} plain`] = r;
  });
  test(`${name} under the minimal CSP, cross-origin isolated: the shared build on Web Workers`, { skip, timeout: 90_000 }, async () => {
    const r = await open(path, CSP, true);
    checkNumbers(r);
    assert.deepEqual(r.violations, []);
    assert.equal(r.isolated, true);
    assert.equal(r.backend, 'wasm');
    assert.ok(r.threads >= 2, `threads ${r.threads}`);
    assert.deepEqual(r.wasm, ['shared'], 'only the shared build is loaded');
    // the workers and the single thread, the two builds: the same bits
    const one = results[`${path} plain`];
    if (one) assert.deepEqual({ ...r, threads: 0, isolated: 0, wasm: 0, files: 0 }, { ...one, threads: 0, isolated: 0, wasm: 0, files: 0 });
  });
}

test("without 'wasm-unsafe-eval' the TypeScript kernels serve the calls: the same numbers", { skip, timeout: 90_000 }, async () => {
  const r = await open('/esbuild/', "default-src 'none'; script-src 'self'", false);
  checkNumbers(r);
  assert.equal(r.backend, 'ts');
  assert.ok(r.violations.some((v) => v.startsWith('script-src') && v.endsWith('wasm-eval')), r.violations.join());
  const wasm = results['/esbuild/ plain'];
  if (wasm) r.big.forEach((v, i) => assert.ok(Math.abs(v - wasm.big[i]) <= 1e-6 * Math.max(1, Math.abs(wasm.big[i])), `big[${i}] ${v} vs ${wasm.big[i]}`));
});

// A worker that the policy blocks fails with an error event, not a throw from new Worker(): the
// pool gives up for good and every call runs on the calling thread.
test('cross-origin isolated without worker-src blob: the kernels run on one thread', { skip, timeout: 90_000 }, async () => {
  const r = await open('/esbuild/', "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'", true);
  checkNumbers(r);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.threads, 1);
  assert.ok(r.violations.some((v) => v.startsWith('worker-src blob')), r.violations.join());
});
