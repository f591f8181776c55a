// Runs every test/**/*.test.ts with node's test runner (Node 20's --test takes no globs).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return f === 'fixtures' ? [] : find(p);
      return p.endsWith('.test.ts') ? [p] : [];
    });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : find('test');
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
