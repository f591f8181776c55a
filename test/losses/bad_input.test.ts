// Whatever a caller passes, a loss either returns a Tensor or throws the library's own error:
// never a JavaScript TypeError from deep inside, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { F, LosskitError, Tensor, tensor, setWarningHandler } from '../../src/index.js';

const losses = Object.entries(F).filter(([name]) => /Loss$|^klDiv$|^crossEntropy$|^binaryCrossEntropy/.test(name)) as [string, (...a: unknown[]) => unknown][];

test('every loss of torch.nn is there', () => {
  assert.equal(losses.length, 21, losses.map(([n]) => n).join(' '));
});

const shapes = fc.constantFrom([], [0], [3], [2, 3], [3, 2], [2, 3, 2], [1, 3], [2, 1]);
const dtypes = fc.constantFrom('float32', 'float64', 'int64', 'int32', 'bool') as fc.Arbitrary<'float32' | 'float64' | 'int64' | 'int32' | 'bool'>;
const values = fc.constantFrom(0, 1, -1, 2, 0.5, NaN, Infinity, -Infinity, -100, 3);
const tensors = fc
  .tuple(shapes, dtypes, fc.array(values, { minLength: 12, maxLength: 12 }))
  .map(([shape, dtype, vals]) => tensor(vals.slice(0, (shape as readonly number[]).reduce((a: number, b: number) => a * b, 1)).map((v) => (dtype === 'float32' || dtype === 'float64' ? v : Number.isFinite(v) ? Math.trunc(v) : 0)), { shape, dtype }));
const junk = fc.constantFrom<unknown>(undefined, null, 'abc', {}, [[1, 2], [3]], () => 1, Symbol('s'), 1n, true, [], [1, 'x'], new Int16Array(2));
const arg = fc.oneof({ weight: 6, arbitrary: tensors }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: values });
const optionValue = fc.oneof(values, junk, tensors, fc.constantFrom('mean', 'sum', 'none', 'batchmean', 'avg'));
const options = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(
    fc.constantFrom('reduction', 'weight', 'posWeight', 'ignoreIndex', 'labelSmoothing', 'logTarget', 'logInput', 'full', 'eps', 'beta', 'delta', 'margin', 'p', 'swap', 'distanceFunction', 'blank', 'zeroInfinity', 'bogus'),
    optionValue,
    { maxKeys: 3 },
  ),
  junk,
);

test('losses given arbitrary arguments return a Tensor or throw a LosskitError', () => {
  const prev = setWarningHandler(() => {});
  try {
    fc.assert(
      fc.property(fc.constantFrom(...losses), fc.array(arg, { minLength: 0, maxLength: 4 }), options, ([name, fn], args, opts) => {
        try {
          const out = fn(...args, opts);
          assert.ok(out instanceof Tensor, `${name} returned ${String(out)}`);
          if ((out as Tensor).requiresGrad && (out as Tensor).numel === 1) (out as Tensor).backward();
        } catch (e) {
          if (!(e instanceof LosskitError)) {
            const show = (a: unknown): string => (a instanceof Tensor ? `Tensor${JSON.stringify(a.shape)}:${a.dtype}` : typeof a);
            const optText = opts && typeof opts === 'object' ? Object.entries(opts).map(([k, v]) => `${k}: ${show(v)}`).join(', ') : show(opts);
            throw new Error(`${name}(${args.map(show).join(', ')}, {${optText}}) threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
          }
        }
      }),
      { numRuns: 3000, seed: Number(process.env.FC_SEED ?? 42) },
    );
  } finally {
    setWarningHandler(prev);
  }
});
