// What a browser page pays for losskit: packs the package as npm would publish it (npm pack),
// installs the tarball into a scratch app, bundles `import { F, tensor } from 'losskit'` with
// esbuild (--bundle --minify --splitting --format=esm) and gzips what the page loads before any
// code runs (the entry chunk and the chunks it imports statically) apart from the chunks loaded
// later (the one WebAssembly build a page uses). Needs dist/ (npm run build).
//   node scripts/bundle-size.mjs             prints the sizes
//   node scripts/bundle-size.mjs --max 50    also fails if the initial chunk is over 50 kB gzipped
// test/package/bundle.test.ts and test/browser/browser.test.ts use the exports below.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The page's code: the two names the budget is about, used so that nothing is shaken away. */
export const APP = `import { F, tensor } from 'losskit';
const loss = F.mseLoss(tensor([[1, 2], [3, 4]]), tensor([[0, 1], [2, 3]]));
globalThis.losskitResult = loss.item();
`;

/**
 * Packs the package into `dir` and installs it as dir/node_modules/losskit (the files npm would
 * publish, nothing else). Returns npm's list of packed files.
 */
export function installPacked(dir) {
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const info = JSON.parse(out)[0];
  const target = join(dir, 'node_modules', 'losskit');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, info.filename), '-C', target, '--strip-components=1']);
  return info;
}

/** esbuild's build of `source` (an ES module importing 'losskit') from `dir`, written to `outdir`. */
export async function esbuildApp(dir, outdir, source = APP) {
  const { build } = await import('esbuild');
  writeFileSync(join(dir, 'main.js'), source);
  const result = await build({
    entryPoints: [join(dir, 'main.js')],
    absWorkingDir: dir,
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    outdir,
    metafile: true,
    logLevel: 'error',
  });
  return result.metafile;
}

/**
 * The chunks a page loads: `initial` (the entry and what it imports statically, before any code
 * runs) and `lazy` (the chunks behind dynamic imports), with their sizes raw and gzipped.
 */
export function chunkSizes(metafile, dir) {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint);
  const initial = new Set();
  const visit = (k) => {
    if (initial.has(k)) return;
    initial.add(k);
    for (const i of outputs[k].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(entry);
  const size = (k) => {
    const bytes = readFileSync(join(dir, k));
    return { file: k, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, text: bytes.toString('utf8') };
  };
  const all = Object.keys(outputs).filter((k) => k.endsWith('.js')).map(size);
  const pick = (inInitial) => all.filter((c) => initial.has(c.file) === inInitial);
  const sum = (cs) => ({ bytes: cs.reduce((a, c) => a + c.bytes, 0), gzip: cs.reduce((a, c) => a + c.gzip, 0) });
  return { initial: { ...sum(pick(true)), chunks: pick(true) }, lazy: pick(false) };
}

/** Packs, installs, bundles and measures, in a scratch directory removed afterwards. */
export async function measure() {
  const dir = mkdtempSync(join(tmpdir(), 'losskit-bundle-'));
  try {
    const pack = installPacked(dir);
    const metafile = await esbuildApp(dir, join(dir, 'out'));
    return { pack, ...chunkSizes(metafile, dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await measure();
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`npm pack: ${m.pack.entryCount} files, ${kb(m.pack.size)} packed, ${kb(m.pack.unpackedSize)} unpacked`);
  console.log(`import { F, tensor } from 'losskit' (esbuild --bundle --minify --splitting --format=esm):`);
  console.log(`  initial: ${kb(m.initial.bytes)}, ${kb(m.initial.gzip)} gzipped (${m.initial.chunks.map((c) => relative('out', c.file)).join(', ')})`);
  for (const c of m.lazy) console.log(`  lazy:    ${kb(c.bytes)}, ${kb(c.gzip)} gzipped (${relative('out', c.file)})`);
  const i = process.argv.indexOf('--max');
  if (i > 0 && m.initial.gzip > Number(process.argv[i + 1]) * 1000) {
    console.error(`the initial chunk is over ${process.argv[i + 1]} kB gzipped`);
    process.exit(1);
  }
}
