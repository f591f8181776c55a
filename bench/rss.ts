// The resident set of STEPS synchronous value + gradient steps of one bench case (bench/cases.ts)
// in a fresh process, as a training loop runs them (no await anywhere): `node --import tsx
// bench/rss.ts mse_1e7 300` prints the peak RSS in MB (the case's data included, as PyTorch's
// `torch_bench.py rss` includes its own).
import { existsSync, readFileSync } from 'node:fs';
import { allCases } from './cases.js';

/**
 * This process's peak RSS in MB: VmHWM, the high-water mark of its own address space. Not
 * getrusage's maxRSS, which Linux carries over from the parent at fork and exec (a child of a
 * 800 MB bench process reported 800 MB whatever it did).
 */
function peakMB(): number {
  const m = existsSync('/proc/self/status') ? /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')) : null;
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

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
console.log(peakMB());
// the worker pool would keep the process alive
process.exit(0);
