// The commands fail cleanly: one line on stderr, exit 2 for bad usage or input, files only where
// asked (--out, or the default directory the output names; none in --json mode without --out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';
import { fitLine } from '../../src/cli/fit_line.js';
import { classify } from '../../src/cli/classify.js';
import { plot } from '../../src/cli/plot.js';
import { capture, scratch } from './helpers.js';

const bin = resolve(import.meta.dirname, '..', '..', 'src', 'cli', 'bin.ts');
// resolved here: the child runs in a scratch directory, where `--import tsx` would not find it
const tsx = import.meta.resolve('tsx');

/** The real command in a child process: a command that spins is killed and fails the test (status null). */
function cli(args: string[], cwd = tmpdir()) {
  const r = spawnSync(process.execPath, ['--import', tsx, bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LOSSKIT_NO_PNG: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const oneLine = (err: string) => assert.equal(err.trimEnd().split('\n').length, 1, `one line on stderr, got:\n${err}`);

test('--out to a place that cannot be written fails at once: one line, exit 2 (never spins in mkdir under /proc)', () => {
  for (const args of [
    ['fit-line', '--steps', '3', '--out', '/proc/x'],
    ['fit-line', '--steps', '3', '--out', '/proc/x/y/z'],
    ['fit-line', '--steps', '3', '--out', '/etc/passwd'],
    ['fit-line', '--steps', '3', '--out', '/etc/passwd/sub'],
  ]) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    oneLine(r.err);
    assert.match(r.err, /^losskit fit-line: --out \/(proc|etc)\S*: /);
    assert.ok(!r.err.includes('    at '), 'no stack trace');
  }
});

test('bad input is one line on stderr with exit 2: a missing parity file, huber --delta 0, an unknown flag of demo', () => {
  const missing = cli(['parity', 'nope.json']);
  assert.equal(missing.code, 2);
  oneLine(missing.err);
  assert.match(missing.err, /^losskit parity: no such file or directory: nope\.json/);
  const delta = cli(['fit-line', '--loss', 'huber', '--delta', '0']);
  assert.equal(delta.code, 2);
  oneLine(delta.err);
  assert.match(delta.err, /--delta must be a number > 0, got '0'/);
  const demo = cli(['demo', '--bogus']);
  assert.equal(demo.code, 2);
  oneLine(demo.err);
  assert.match(demo.err, /^losskit demo: Unknown option '--bogus'/);
  const unknown = cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  oneLine(unknown.err);
  assert.equal(capture(main, ['parity', '--verbose', 'x.json']).code, 2);
});

test('--json writes no files unless --out is given; without --json the default directory is used and named', () => {
  const cwd = scratch('json');
  const here = process.cwd();
  process.chdir(cwd);
  try {
    for (const [fn, args] of [
      [fitLine, ['--json', '--steps', '3']],
      [classify, ['--json', '--epochs', '1']],
      [plot, ['--json', '--samples', '5']],
    ] as const) {
      const r = capture(fn, [...args]);
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(readdirSync(cwd), [], `${args.join(' ')} wrote files`);
      const j = JSON.parse(r.out) as { files?: unknown; overview?: unknown; losses?: { files: unknown }[] };
      if ('files' in j) assert.equal(j.files, null);
      if (j.losses) assert.ok(j.losses.every((l) => l.files === null) && j.overview === null);
    }
    const r = capture(plot, ['--loss', 'l1', '--no-png']);
    assert.equal(r.code, 0);
    assert.deepEqual(readdirSync(cwd), ['losskit-out']);
    assert.ok(r.out.includes(join(cwd, 'losskit-out', 'plot-l1.svg')), r.out);
    const dir = join(cwd, 'asked');
    assert.equal(capture(plot, ['--json', '--loss', 'l1', '--no-png', '--out', dir]).code, 0);
    assert.deepEqual(readdirSync(dir), ['plot-l1.svg']);
  } finally {
    process.chdir(here);
  }
});

test('losskit parity reports a malformed case (null, fn "to_string", no args) as a failure and goes on with the others', () => {
  const dir = mkdtempSync(join(tmpdir(), 'losskit-parity-'));
  const file = join(dir, 'cases.json');
  const T = (data: number[], shape: number[]) => ({ dtype: 'float32', shape, data });
  const good = { id: 'mse_loss/0', fn: 'mse_loss', args: [T([1, 1], [2]), T([0, 3], [2])], kwargs: {}, grad: [], expect: { value: T([2.5], []) } };
  writeFileSync(
    file,
    JSON.stringify({
      format: 'losskit-parity/1',
      cases: [
        null,
        { id: 'str/0', fn: 'to_string', args: [], kwargs: {}, expect: { value: T([0], []) } },
        { id: 'proto/0', fn: '__proto__', args: [], expect: { error: 'ValueError: x' } },
        { id: 'noargs/0', fn: 'mse_loss', expect: { value: T([0], []) } },
        { id: 'badkw/0', fn: 'mse_loss', args: [T([1], [1]), T([1], [1])], kwargs: null, expect: { value: T([0], []) } },
        good,
      ],
    }),
  );
  const r = capture(main, ['parity', file]);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n');
  assert.match(lines[0], /^FAIL \(case 0\): malformed case: a case must be an object, got null/);
  assert.match(lines[1], /^FAIL str\/0: F\.toString is not implemented/);
  assert.match(lines[2], /^FAIL proto\/0: /);
  assert.match(lines[3], /^FAIL noargs\/0: malformed case: a case needs 'args'/);
  assert.match(lines[4], /^FAIL badkw\/0: malformed case: 'kwargs' must be an object/);
  assert.equal(lines[5], '1 passed, 5 failed');
  writeFileSync(file, 'null');
  assert.match(capture(main, ['parity', file]).out, /FAIL \(file\): unknown format undefined/);
  assert.ok(!existsSync(join(dir, 'losskit-out')));
});
