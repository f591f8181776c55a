// A quick run of the misuse fuzzer (test/fuzz/harness.ts): `npm run fuzz` makes the long one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from './harness.js';

test('fuzz: creation, losses, nn constructors, optimizers, state dicts and gradcheck return their result or throw a LosskitError, and mutate nothing', () => {
  const { findings, calls } = fuzz(Number(process.env.FUZZ_RUNS ?? 1500), Number(process.env.FC_SEED ?? 12));
  assert.equal(calls, Number(process.env.FUZZ_RUNS ?? 1500));
  assert.deepEqual(findings.slice(0, 5), []);
});
