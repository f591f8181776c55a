// The resident set of STEPS synchronous value + gradient steps of one bench case (bench/cases.ts)
// in a fresh process, as a training loop runs them (no await anywhere): `node --import tsx
// bench/rss.ts mse_1e7 300` prints the peak RSS in MB (the case's data included, as PyTorch's
// `torch_bench.py rss` includes its own).
import { allCases } from './cases.js';

const numeric = /^\d+$/.test(process.argv[2] ?? '');
const id = numeric ? 'mse_1e7' : (process.argv[2] ?? 'mse_1e7');
const steps = Number((numeric ? process.argv[2] : process.argv[3]) ?? 300);
const c = allCases.find((x) => x.id === id);
if (!c) {
  console.error(`unknown case ${id}; the cases are: ${allCases.map((x) => x.id).join(', ')}`);
  process.exit(2);
}
const { losskit } = c.build();
for (let s = 0; s < steps; s++) losskit();
console.log(process.resourceUsage().maxRSS / 1024);
// the worker pool would keep the process alive
process.exit(0);
