import { asNumbers, isFloating } from './dtype.js';
import type { Tensor } from './tensor.js';

/**
 * PyTorch-style text: `tensor(0.6250)`, `tensor([1., 2.])`, `tensor(1.5000, dtype=torch.float64)`.
 * Floats use 4 decimals, or scientific notation when the magnitudes call for it, as PyTorch's
 * default print options do.
 */
export function formatTensor(t: Tensor): string {
  const vals = Array.from(asNumbers(t.data));
  const fmt = formatter(t, vals);
  const body = t.ndim === 0 ? fmt(vals[0]) : nest(t.shape, vals, fmt, 0, 0, 'tensor('.length);
  const extras: string[] = [];
  if (t.dtype !== 'float32' && t.dtype !== 'int64' && t.dtype !== 'bool') extras.push(`dtype=torch.${t.dtype}`);
  if (t.numel === 0 && t.ndim !== 1) extras.push(`size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''})`);
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => `, ${e}`).join('')})`;
}

function formatter(t: Tensor, vals: number[]): (v: number) => string {
  if (t.dtype === 'bool') return (v) => (v ? 'True' : 'False');
  if (!isFloating(t.dtype)) return (v) => String(v);
  const finite = vals.filter((v) => Number.isFinite(v));
  const special = (v: number): string | null => (v !== v ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null);
  if (finite.every((v) => Number.isInteger(v))) {
    const big = finite.some((v) => Math.abs(v) >= 1e8);
    return (v) => special(v) ?? (big ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : `${v}.`);
  }
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const max = Math.max(...abs, 0);
  const min = Math.min(...abs, Infinity);
  const sci = max >= 1e8 || min < 1e-4 || max / min > 1000;
  return (v) => special(v) ?? (sci ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(4));
}

function nest(shape: readonly number[], vals: number[], fmt: (v: number) => string, dim: number, offset: number, indent: number): string {
  if (dim === shape.length - 1) {
    const items = vals.slice(offset, offset + shape[dim]).map(fmt);
    const w = Math.max(0, ...items.map((s) => s.length));
    return `[${items.map((s) => s.padStart(w)).join(', ')}]`;
  }
  let inner = 1;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  const rows: string[] = [];
  for (let i = 0; i < shape[dim]; i++) rows.push(nest(shape, vals, fmt, dim + 1, offset + i * inner, indent + 1));
  const sep = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(indent + 1)}`;
  return `[${rows.join(sep)}]`;
}
