// The long run of the misuse fuzzer: `npm run fuzz` (100,000 calls; FUZZ_RUNS and FC_SEED change it).
// Prints each finding (a non-library error, a mutated input, a wrong return value, NaN from finite
// inputs where PyTorch gives none) and exits 1 if there is any.
import { fuzz } from '../test/fuzz/harness.js';

const runs = Number(process.env.FUZZ_RUNS ?? 100_000);
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const start = performance.now();
const { findings, calls } = fuzz(runs, seed, (done) => {
  if (done % 10_000 === 0) process.stderr.write(`  ${done} calls, ${((performance.now() - start) / 1000).toFixed(0)} s\n`);
});
const seconds = ((performance.now() - start) / 1000).toFixed(1);
for (const f of findings) console.log(`FINDING ${f.target}: ${f.problem}\n  ${f.call}`);
console.log(`${calls} calls (seed ${seed}) in ${seconds} s: ${findings.length} findings`);
process.exitCode = findings.length > 0 ? 1 : 0;
