// Every PyTorch parity case in test/fixtures/torch, through the public API: values, dtypes,
// shapes, gradients and errors. The fixtures are written by scripts/fixtures/generate.py.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCase, type ParityFile } from '../src/parity.js';
import { setBackend } from '../src/kernels/index.js';

const dir = join(import.meta.dirname, 'fixtures', 'torch');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('there are fixtures for every loss of the tutorial', () => {
  for (const fn of ['l1_loss', 'mse_loss', 'smooth_l1_loss', 'huber_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'cross_entropy', 'nll_loss']) {
    assert.ok(files.includes(`${fn}.json`), `missing fixture file ${fn}.json`);
  }
});

// every case runs on both kernel backends: WebAssembly SIMD and plain TypeScript
for (const backend of ['wasm', 'ts'] as const) {
  for (const file of files) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ParityFile;
    describe(`parity ${file} [${backend}]`, () => {
      assert.equal(doc.format, 'losskit-parity/1');
      for (const c of doc.cases) {
        test(c.id, () => {
          setBackend(backend);
          try {
            const r = runCase(c);
            assert.ok(r.ok, `${c.id}${c.note ? ` (${c.note})` : ''} [${backend}]: ${r.detail}`);
          } finally {
            setBackend('auto');
          }
        });
      }
    });
  }
}
