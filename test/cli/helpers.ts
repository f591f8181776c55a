// Fake output streams and a scratch folder for the command tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Captured {
  code: number;
  out: string;
  err: string;
}

/** Runs a command function with string-collecting streams. */
export function capture(fn: (args: string[], out: any, err: any) => number, args: string[], isTTY = false): Captured {
  let out = '';
  let err = '';
  const code = fn(args, { write: (s: string) => (out += s), isTTY, columns: 100 }, { write: (s: string) => (err += s) });
  return { code, out, err };
}

export function scratch(name: string): string {
  return mkdtempSync(join(tmpdir(), `losskit-${name}-`));
}
