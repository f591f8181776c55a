// Small helpers shared by the loss tests.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Tensor, tensor, setWarningHandler, type LosskitWarning } from '../../src/index.js';

export const f64 = (data: number[] | number[][], requiresGrad = true) => tensor(data as any, { dtype: 'float64', requiresGrad });

/** Arbitrary float64 tensors of a given shape, values in [-lo, lo]. */
export function arbTensor(shape: number[], lo = 5): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc
    .array(fc.double({ min: -lo, max: lo, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n })
    .map((v) => tensor(new Float64Array(v), { shape }));
}

export function close(a: number, b: number, rtol = 1e-9, atol = 1e-10, what = ''): void {
  if (Number.isNaN(a) && Number.isNaN(b)) return;
  assert.ok(Math.abs(a - b) <= atol + rtol * Math.abs(b), `${what} ${a} != ${b}`);
}

export function closeArrays(a: ArrayLike<number>, b: ArrayLike<number>, rtol = 1e-9, atol = 1e-10): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) close(a[i], b[i], rtol, atol, `[${i}]`);
}

export function values(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number>, Number);
}

/** Runs `fn` collecting warnings instead of printing them. */
export function captureWarnings<T>(fn: () => T): { result: T; warnings: LosskitWarning[] } {
  const warnings: LosskitWarning[] = [];
  const prev = setWarningHandler((w) => warnings.push(w));
  try {
    return { result: fn(), warnings };
  } finally {
    setWarningHandler(prev);
  }
}

/** A copy of each tensor's data, to prove afterwards that nothing was mutated. */
export function snapshot(...ts: Tensor[]): () => void {
  const before = ts.map((t) => Array.from(t.data as ArrayLike<number>, Number));
  return () => ts.forEach((t, i) => assert.deepEqual(Array.from(t.data as ArrayLike<number>, Number), before[i], 'an input was mutated'));
}
