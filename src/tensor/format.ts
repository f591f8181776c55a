import { asNumbers, isFloating, isHalf } from './dtype.js';
import type { Tensor } from './tensor.js';

/**
 * PyTorch-style text: `tensor(0.6250)`, `tensor([1., 2.])`, `tensor(1.5000, dtype=torch.float64)`.
 * Floats use 4 decimals, or scientific notation when the magnitudes call for it, as PyTorch's
 * default print options do.
 */
export function formatTensor(t: Tensor): string {
  const at = reader(t);
  // like PyTorch, tensors of more than 1000 elements show 3 items at each end of every dimension
  const summarize = t.numel > SUMMARIZE_ABOVE;
  const picks = t.shape.map((n) => (summarize && n > 2 * EDGE_ITEMS ? [...range(0, EDGE_ITEMS), -1, ...range(n - EDGE_ITEMS, n)] : range(0, n)));
  const vals = t.ndim === 0 ? [at(0)] : shownValues(t.shape, picks, at);
  const fmt = formatter(t, vals);
  // one column width for the whole tensor, as PyTorch aligns every row
  const width = Math.max(0, ...vals.map((v) => fmt(v).length));
  const body = t.numel === 0 && t.ndim > 0 ? '[]' : t.ndim === 0 ? fmt(at(0)) : nest(t.shape, picks, at, (v) => fmt(v).padStart(width), 0, 0, 'tensor('.length);
  const extras: string[] = [];
  if (t.dtype !== 'float32' && t.dtype !== 'int64' && t.dtype !== 'bool') extras.push(`dtype=torch.${t.dtype}`);
  if (t.numel === 0 && t.ndim !== 1) extras.push(`size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''})`);
  if (t.gradFn) extras.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${body}${extras.map((e) => `, ${e}`).join('')})`;
}

const SUMMARIZE_ABOVE = 1000;

/** Element i (row-major) of t; a view is read through its strides, so printing never copies it whole. */
function reader(t: Tensor): (i: number) => number {
  if (t.isPlain || isHalf(t.dtype)) {
    const all = asNumbers(t.data);
    return (i) => all[i];
  }
  const st = t.stride();
  const s = t.storage as ArrayLike<number | bigint | boolean>;
  const shape = t.shape;
  const off = t.offset;
  return (i) => {
    let k = off;
    for (let d = shape.length - 1; d >= 0; d--) {
      const n = shape[d];
      k += (i % n) * st[d];
      i = Math.floor(i / n);
    }
    return Number(s[k]);
  };
}
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80; // PyTorch's default print option linewidth

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** The values that will be printed (the formatter's choice of notation depends on them only). */
function shownValues(shape: readonly number[], picks: number[][], at: (i: number) => number): number[] {
  const out: number[] = [];
  const walk = (dim: number, offset: number): void => {
    let inner = 1;
    for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
    for (const i of picks[dim]) {
      if (i < 0) continue;
      if (dim === shape.length - 1) out.push(at(offset + i));
      else walk(dim + 1, offset + i * inner);
    }
  };
  walk(0, 0);
  return out;
}

function formatter(t: Tensor, vals: number[]): (v: number) => string {
  if (t.dtype === 'bool') return (v) => (v ? 'True' : 'False');
  if (!isFloating(t.dtype)) return (v) => String(v);
  const finite = vals.filter((v) => Number.isFinite(v));
  const special = (v: number): string | null => (v !== v ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : null);
  if (finite.every((v) => Number.isInteger(v))) {
    const nz = finite.map(Math.abs).filter((v) => v > 0);
    const big = nz.length > 0 && (Math.max(...nz) > 1e8 || Math.max(...nz) / Math.min(...nz) > 1000);
    return (v) => special(v) ?? (big ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : `${v}.`);
  }
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const max = Math.max(...abs, 0);
  const min = Math.min(...abs, Infinity);
  const sci = max >= 1e8 || min < 1e-4 || max / min > 1000;
  return (v) => special(v) ?? (sci ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(4));
}

function nest(
  shape: readonly number[],
  picks: number[][],
  vals: (i: number) => number,
  fmt: (v: number) => string,
  dim: number,
  offset: number,
  indent: number,
): string {
  if (dim === shape.length - 1) {
    // PyTorch's _vector_str: ' ...' for the skipped items, lines of at most LINE_WIDTH characters
    const items = picks[dim].map((i) => (i < 0 ? ' ...' : fmt(vals(offset + i))));
    if (items.length === 0) return '[]';
    const width = fmt(vals(offset + picks[dim][0])).length;
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  let inner = 1;
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  const rows = picks[dim].map((i) => (i < 0 ? '...' : nest(shape, picks, vals, fmt, dim + 1, offset + i * inner, indent + 1)));
  const sep = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(indent + 1)}`;
  return `[${rows.join(sep)}]`;
}
