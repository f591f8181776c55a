// The guides' code runs: every ```ts block in docs/*.md is written to a file of its own, with
// `from 'losskit'`, 'losskit/tfjs' and 'losskit/onnx' pointing at this repository's source,
// type-checked (strict, as the repository), and run with tsx in a fresh Node process, which must
// exit 0. The blocks check themselves with node:assert, so a guide whose numbers, errors or API
// drift from the code fails here. Code that must not run (shell, PyTorch, HTTP headers) goes in
// ```sh / ```python / ```http blocks.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = join(ROOT, 'docs');
// Inside the repository's node_modules, so the blocks' own imports (@tensorflow/tfjs-core,
// onnxruntime-common) resolve as they would in a project; .mts, because the repository's
// package.json type does not reach here and the source needs ESM.
const WORK = join(ROOT, 'node_modules', '.cache', 'losskit-docs', String(process.pid));

const ENTRY: Record<string, string> = {
  losskit: 'src/index.ts',
  'losskit/tfjs': 'src/bridges/tfjs.ts',
  'losskit/onnx': 'src/bridges/onnx.ts',
};

/** Fence languages a guide may use: ts runs, the others never do. */
const FENCES = new Set(['ts', 'sh', 'python', 'http', 'html', 'text', 'json']);

interface Block {
  doc: string;
  line: number;
  lang: string;
  code: string;
}

/** Every fenced block of a Markdown file, with the line its fence opens on. */
function blocks(doc: string, text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    assert.ok(i < lines.length, `${doc}:${start + 1}: a code fence that is never closed`);
    out.push({ doc, line: start + 1, lang: open[1], code: body.join('\n') + '\n' });
  }
  return out;
}

/**
 * The block with its losskit imports pointing at the source (a file URL to run, a path for tsc);
 * any other losskit subpath is an error.
 */
function rewrite(b: Block, as: 'url' | 'path'): string {
  return b.code.replace(/(from\s+|import\s+|import\s*\(\s*)(['"])(losskit(?:\/[^'"]*)?)\2/g, (_m, pre: string, q: string, spec: string) => {
    const file = ENTRY[spec];
    assert.ok(file, `${b.doc}:${b.line}: imports '${spec}', which is not a losskit entry point (${Object.keys(ENTRY).join(', ')})`);
    const target = join(ROOT, file);
    return `${pre}${q}${as === 'url' ? pathToFileURL(target).href : target}${q}`;
  });
}

/** Runs `node args` in the repository; resolves with the exit code and everything printed. */
function node(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const guides = readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();
const tsBlocks = guides.flatMap((g) => blocks(g, readFileSync(join(DOCS, g), 'utf8')).filter((b) => b.lang === 'ts'));
const fileOf = (b: Block, kind: 'run' | 'check'): string => join(WORK, kind, `${b.doc.replace(/\.md$/, '')}-${b.line}.mts`);

after(() => rmSync(WORK, { recursive: true, force: true }));

describe('docs/*.md: the guides exist and every ```ts block is one the runner can take', () => {
  for (const g of ['porting.md', 'memory-and-threads.md', 'bridges.md']) {
    it(`docs/${g} has runnable ts blocks`, () => {
      assert.ok(guides.includes(g), `docs/${g} is missing`);
      const n = tsBlocks.filter((b) => b.doc === g).length;
      assert.ok(n >= 3, `docs/${g}: ${n} ts blocks`);
    });
  }
  it('every fence names a known language (a ```typescript or ```js block would silently never run)', () => {
    for (const g of guides) {
      for (const b of blocks(g, readFileSync(join(DOCS, g), 'utf8'))) {
        assert.ok(FENCES.has(b.lang), `docs/${g}:${b.line}: fence language '${b.lang}' (use ts to run it, or one of ${[...FENCES].join(', ')})`);
      }
    }
  });
  // what a reader pastes into a strict TypeScript project compiles: the repository's compiler options
  it('every ts block type-checks', { timeout: 120_000 }, async () => {
    mkdirSync(join(WORK, 'check'), { recursive: true });
    for (const b of tsBlocks) writeFileSync(fileOf(b, 'check'), `${rewrite(b, 'path')}\nexport {};\n`);
    writeFileSync(
      join(WORK, 'check', 'tsconfig.json'),
      JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), compilerOptions: { noEmit: true, allowImportingTsExtensions: true }, include: ['*.mts'] }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const { out } = await node([tsc, '-p', join(WORK, 'check', 'tsconfig.json'), '--pretty', 'false']);
    // only the blocks' own errors: the source's are the repository type check's (npm run typecheck)
    const at = /losskit-docs[\\/]\d+[\\/]check[\\/]([\w-]+)-(\d+)\.mts\((\d+),\d+\)/;
    const named = out
      .split('\n')
      .filter((l) => at.test(l))
      .map((l) => l.replace(/^.*?losskit-docs[\\/]\d+[\\/]check[\\/]([\w-]+)-(\d+)\.mts\((\d+),\d+\)/, (_m, doc: string, fence: string, row: string) => `docs/${doc}.md:${Number(fence) + Number(row)}`));
    assert.deepEqual(named, [], `type errors in the guides' code:\n${named.join('\n')}`);
  });
});

for (const g of guides) {
  const bs = tsBlocks.filter((b) => b.doc === g);
  if (bs.length === 0) continue;
  // two at a time: each block is a Node process of its own (about a second), on a shared machine
  describe(`docs/${g}: every ts block runs and its assertions hold`, { concurrency: 2 }, () => {
    for (const b of bs) {
      it(`docs/${g}:${b.line}`, { timeout: 90_000 }, async () => {
        mkdirSync(join(WORK, 'run'), { recursive: true });
        const file = fileOf(b, 'run');
        writeFileSync(file, rewrite(b, 'url'));
        const { code, out } = await node(['--import', 'tsx', file]);
        assert.equal(code, 0, `docs/${g}:${b.line}: the block exited with ${code}:\n${out}`);
      });
    }
  });
}
