// Regenerates the pictures of docs/training.md with the losskit CLI (docs/img/*.png).
// Usage: npm run docs:img   (builds first; needs @resvg/resvg-js, a devDependency, for PNG)
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const OUT = 'docs/img';
const runs = [
  ['fit-line'],
  ['fit-line', '--outliers', '5', '--compare'],
  ['classify'],
  ['plot'],
];
for (const args of runs) {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args, '--out', OUT, '--json'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`losskit ${args.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
  console.log(`losskit ${args.join(' ')}: ok`);
}
// the README shows the PNGs; the SVGs are the same pictures
for (const f of readdirSync(OUT)) if (f.endsWith('.svg')) rmSync(join(OUT, f));
console.log(readdirSync(OUT).sort().join('\n'));
