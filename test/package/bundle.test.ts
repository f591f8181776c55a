// The package as npm publishes it (npm test builds dist/ first): its files, the size of a browser
// bundle of `import { F, tensor } from 'losskit'` (scripts/bundle-size.mjs), and the packed
// package in Node, ESM and CommonJS, each loading only the WebAssembly build it uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs script without types
import { chunkSizes, esbuildApp, installPacked, root } from '../../scripts/bundle-size.mjs';

/** The budget for what a page loads before any code runs, gzipped (issue 14). */
const INITIAL_GZIP_MAX = 50_000;
const skip = existsSync(join(root, 'dist', 'index.js')) ? false : 'dist/ is not built (npm run build)';

const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'losskit-package-'));
const packed = skip ? null : (installPacked(dir) as { files: { path: string; size: number }[]; unpackedSize: number });
test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the package holds dist/, LICENSE, README.md and package.json, and no source maps', { skip }, () => {
  const files = packed!.files.map((f) => f.path).sort();
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  for (const f of ['dist/kernels/wasm_shared.js', 'dist/kernels/wasm_plain.js', 'dist/wasm-shared.cjs', 'dist/wasm-plain.cjs']) assert.ok(files.includes(f), `${f} is in the package`);
  const unwanted = files.filter((f) => !['LICENSE', 'README.md', 'package.json'].includes(f) && !/^dist\/[\w/.-]+\.(js|cjs|d\.ts|d\.cts)$/.test(f));
  assert.deepEqual(unwanted, [], 'nothing but dist/*.js|cjs|d.ts|d.cts and the three files');
  assert.match(readFileSync(join(dir, 'node_modules', 'losskit', 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) 2026 the losskit authors\n/);
  // every file package.json points at is in the package
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const targets: string[] = [pkg.main, pkg.module, pkg.types, ...Object.values(pkg.bin as Record<string, string>)];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') targets.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg.exports);
  for (const t of targets) if (t !== './package.json') assert.ok(files.includes(t.replace(/^\.\//, '')), `${t} (package.json) is in the package`);
  // the dry run npm publish uses agrees with the installed tarball
  const dry = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))[0];
  assert.deepEqual(dry.files.map((f: { path: string }) => f.path).sort(), files);
});

test(`import { F, tensor } from 'losskit': the initial chunk is at most ${INITIAL_GZIP_MAX / 1000} kB gzipped, each WebAssembly build a chunk of its own`, { skip }, async () => {
  const out = join(dir, 'out-esbuild');
  const sizes = chunkSizes(await esbuildApp(dir, out), dir);
  const kb = (n: number): string => `${(n / 1000).toFixed(1)} kB`;
  assert.ok(sizes.initial.gzip <= INITIAL_GZIP_MAX, `initial chunk ${kb(sizes.initial.bytes)}, ${kb(sizes.initial.gzip)} gzipped`);
  // "sideEffects": false drops unused modules, never the top-level code of one in use: Tensor's
  // module makes its methods compute 16-bit floats in float32 (upcastMethods(Tensor.prototype))
  assert.ok(sizes.initial.chunks.some((c: { text: string }) => c.text.includes('"toArray","detach","backward"')), 'upcastMethods and its list of own methods are in the bundle');
  // dist/ is one module per file, so what the app does not use stays out: nn and optim here
  for (const unused of ['Error(s) in loading state_dict', 'Invalid beta parameter']) {
    assert.ok(!sizes.initial.chunks.some((c: { text: string }) => c.text.includes(unused)), `no '${unused}' (nn, optim) in the initial chunk`);
  }
  // base64 of '\0asm' (a WebAssembly module's first bytes) appears in the lazy chunks only
  assert.ok(!sizes.initial.chunks.some((c: { text: string }) => c.text.includes('AGFzbQ')), 'no WebAssembly in the initial chunk');
  const wasm = sizes.lazy.filter((c: { text: string }) => c.text.includes('AGFzbQ'));
  assert.equal(wasm.length, 2, 'two lazy chunks, one per build');
  // the bundle runs in Node: the shared build (Node can share), and the loss
  const r = execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(out, 'main.js'))}); console.log(globalThis.losskitResult);`], { encoding: 'utf8' });
  assert.equal(r.trim(), '1');
});

test('the packed package in Node: ESM and CommonJS give the same loss on the WebAssembly kernels, each loading one build', { skip }, () => {
  const script = (kind: 'esm' | 'cjs'): string => `
    ${kind === 'esm' ? "const lk = await import('losskit');" : "const lk = require('losskit');"}
    const x = lk.tensor([[1, 2, 3], [0, 0, 0]], { requiresGrad: true });
    const l = lk.F.crossEntropy(x, lk.tensor([2, 1], { dtype: 'int64' }));
    l.backward();
    const loaded = ${kind === 'cjs' ? "Object.keys(require.cache).filter((k) => /wasm-/.test(k)).map((k) => k.split('/').pop())" : 'null'};
    console.log(JSON.stringify({ loss: l.item(), grad: Array.from(x.grad.data), backend: lk.getBackend(), mse: lk.F.mseLoss(lk.ones([2, 2]), lk.tensor([[0, 1], [2, 3]])).item(), loaded }));`;
  writeFileSync(join(dir, 'esm.mjs'), script('esm'));
  writeFileSync(join(dir, 'cjs.cjs'), script('cjs'));
  const run = (f: string): any => JSON.parse(execFileSync(process.execPath, [join(dir, f)], { cwd: dir, encoding: 'utf8' }));
  const esm = run('esm.mjs');
  const cjs = run('cjs.cjs');
  assert.equal(esm.backend, 'wasm');
  assert.equal(cjs.backend, 'wasm');
  assert.equal(esm.mse, 1.5);
  assert.deepEqual(cjs.loaded, ['wasm-shared.cjs'], 'CommonJS requires the shared build only');
  assert.deepEqual({ ...cjs, loaded: null }, esm);
});
