import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

function run(args: string[]) {
  let out = '';
  let err = '';
  const code = main(args, { write: (s: string) => (out += s) } as any, { write: (s: string) => (err += s) } as any);
  return { code, out, err };
}

const T = (data: number[], shape: number[]) => ({ dtype: 'float32', shape, data });

test('losskit parity: one line per failing case, a closing count, exit 1 on failure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'losskit-parity-'));
  const file = join(dir, 'cases.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: 'losskit-parity/1',
      cases: [
        { id: 'mse_loss/0', fn: 'mse_loss', args: [T([1, 1], [2]), T([0, 3], [2])], kwargs: {}, grad: [], expect: { value: T([2.5], []) } },
        { id: 'mse_loss/1', fn: 'mse_loss', args: [T([1, 1], [2]), T([0, 3], [2])], kwargs: {}, grad: [], expect: { value: T([2.6], []) } },
        { id: 'focal/0', fn: 'sigmoid_focal_loss', args: [], kwargs: {}, expect: { value: T([0], []) } },
      ],
    }),
  );
  const r = run(['parity', file]);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^FAIL mse_loss\/1: value\[0\]: got 2\.5, expected 2\.59999/);
  assert.match(lines[0], /worst error .*x tolerance/);
  assert.match(lines[1], /^FAIL focal\/0: F\.sigmoidFocalLoss is not implemented/);
  assert.equal(lines[2], '1 passed, 2 failed');
});

test('losskit parity over the committed fixtures passes, and takes folders', () => {
  const r = run(['parity', join(import.meta.dirname, '..', 'fixtures', 'torch')]);
  assert.match(r.out, /^\d+ passed, 0 failed$/m);
  assert.equal(r.code, 0);
});

test('losskit parity without files, or with an unreadable one', () => {
  assert.equal(run(['parity']).code, 2);
  const dir = mkdtempSync(join(tmpdir(), 'losskit-parity-'));
  writeFileSync(join(dir, 'bad.json'), '{not json');
  const r = run(['parity', join(dir, 'bad.json')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /cannot read/);
});
