/**
 * One chart panel: a frame with axes, grid, ticks and labels, and the series drawn in it (lines,
 * points, labels), clipped to the frame, with a legend. `render()` gives an SVG fragment placed
 * at the panel's position; `figure()` (figure.ts) puts panels on a page.
 */
import { type Scale, linearScale, logDomain, logScale, niceDomain } from './scale.js';

export interface LineStyle {
  color?: string;
  width?: number;
  /** SVG dash pattern, e.g. '6 4'. */
  dash?: string;
  opacity?: number;
  /** Shown in the legend when given. */
  label?: string;
}

export interface PointStyle {
  color?: string;
  radius?: number;
  marker?: 'circle' | 'cross';
  opacity?: number;
  label?: string;
}

export interface PanelOptions {
  /** Position and size in the figure, in pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Fixed axis ranges; by default they fit the data (rounded outwards). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  yLog?: boolean;
  legend?: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'none';
}

type Series =
  | { kind: 'line'; xs: number[]; ys: number[]; style: LineStyle }
  | { kind: 'points'; xs: number[]; ys: number[]; style: PointStyle }
  | { kind: 'text'; x: number; y: number; text: string; color: string; anchor: 'start' | 'middle' | 'end'; size: number };

/** Colours that stay apart for most readers (Tableau 10). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** From light to dark blue as t goes 0 -> 1 (for a sequence such as iterates). */
export function blueRamp(t: number): string {
  const a = [0xc6, 0xdb, 0xef];
  const b = [0x08, 0x30, 0x6b];
  const c = a.map((v, i) => Math.round(v + (b[i] - v) * Math.min(1, Math.max(0, t))));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number): string => (Math.round(v * 100) / 100).toString();
/** Rough text width in DejaVu Sans, for laying out legends. */
const textWidth = (s: string, size: number): number => s.length * size * 0.6;

export class Panel {
  private readonly series: Series[] = [];
  private readonly margin = { left: 62, right: 14, top: 30, bottom: 46 };

  constructor(readonly opts: PanelOptions) {}

  line(xs: ArrayLike<number>, ys: ArrayLike<number>, style: LineStyle = {}): this {
    this.series.push({ kind: 'line', xs: Array.from(xs), ys: Array.from(ys), style });
    return this;
  }

  points(xs: ArrayLike<number>, ys: ArrayLike<number>, style: PointStyle = {}): this {
    this.series.push({ kind: 'points', xs: Array.from(xs), ys: Array.from(ys), style });
    return this;
  }

  /** Text at a data position. */
  text(x: number, y: number, text: string, opts: { color?: string; anchor?: 'start' | 'middle' | 'end'; size?: number } = {}): this {
    this.series.push({ kind: 'text', x, y, text, color: opts.color ?? '#333', anchor: opts.anchor ?? 'start', size: opts.size ?? 11 });
    return this;
  }

  private domains(): { x: [number, number]; y: [number, number] } {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const s of this.series) {
      if (s.kind === 'text') continue;
      s.xs.forEach((x, i) => {
        const y = s.ys[i];
        if (Number.isFinite(x) && Number.isFinite(y) && (!this.opts.yLog || y > 0)) {
          xs.push(x);
          ys.push(y);
        }
      });
    }
    const span = (v: number[]): [number, number] => (v.length ? [Math.min(...v), Math.max(...v)] : [0, 1]);
    const x = this.opts.xDomain ?? span(xs);
    let y = this.opts.yDomain;
    if (!y) {
      const [lo, hi] = span(ys);
      // a little room, so that a curve along its extreme value does not hide under the frame
      const pad = 0.04 * (hi - lo);
      y = this.opts.yLog ? logDomain(Math.max(lo, 1e-300), hi) : niceDomain(lo - pad, hi + pad);
    }
    return { x, y };
  }

  /** The panel as an SVG fragment; `id` must be unique in the figure (it names the clip path). */
  render(id = 'p0'): string {
    const { x: px, y: py, width, height } = this.opts;
    const m = this.margin;
    const [left, top] = [px + m.left, py + m.top];
    const [w, h] = [width - m.left - m.right, height - m.top - m.bottom];
    const d = this.domains();
    const sx = linearScale(d.x, [left, left + w], Math.max(4, Math.round(w / 80)));
    const sy: Scale = this.opts.yLog ? logScale(d.y, [top + h, top]) : linearScale(d.y, [top + h, top], Math.max(3, Math.round(h / 60)));
    const clip = `clip-${id}`;
    const out: string[] = [];
    out.push(`<clipPath id="${clip}"><rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(w)}" height="${fmt(h)}"/></clipPath>`);
    out.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(w)}" height="${fmt(h)}" fill="#fcfcfc" stroke="none"/>`);
    // grid and ticks
    for (const t of sx.ticks) {
      const X = fmt(sx(t));
      out.push(`<line x1="${X}" y1="${fmt(top)}" x2="${X}" y2="${fmt(top + h)}" stroke="#e6e6e6"/>`);
      out.push(`<line x1="${X}" y1="${fmt(top + h)}" x2="${X}" y2="${fmt(top + h + 5)}" stroke="#444"/>`);
      out.push(`<text x="${X}" y="${fmt(top + h + 18)}" text-anchor="middle" font-size="11" fill="#333">${esc(sx.format(t))}</text>`);
    }
    for (const t of sy.ticks) {
      const Y = fmt(sy(t));
      out.push(`<line x1="${fmt(left)}" y1="${Y}" x2="${fmt(left + w)}" y2="${Y}" stroke="#e6e6e6"/>`);
      out.push(`<line x1="${fmt(left - 5)}" y1="${Y}" x2="${fmt(left)}" y2="${Y}" stroke="#444"/>`);
      out.push(`<text x="${fmt(left - 8)}" y="${fmt(sy(t) + 4)}" text-anchor="end" font-size="11" fill="#333">${esc(sy.format(t))}</text>`);
    }
    // zero lines, where zero is inside the range, help read signs (residuals, gradients)
    if (!sy.log && d.y[0] < 0 && d.y[1] > 0) out.push(`<line x1="${fmt(left)}" y1="${fmt(sy(0))}" x2="${fmt(left + w)}" y2="${fmt(sy(0))}" stroke="#bbb"/>`);
    if (d.x[0] < 0 && d.x[1] > 0) out.push(`<line x1="${fmt(sx(0))}" y1="${fmt(top)}" x2="${fmt(sx(0))}" y2="${fmt(top + h)}" stroke="#bbb"/>`);
    // series
    out.push(`<g clip-path="url(#${clip})">`);
    for (const s of this.series) out.push(this.draw(s, sx, sy));
    out.push('</g>');
    out.push(`<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(w)}" height="${fmt(h)}" fill="none" stroke="#444"/>`);
    // labels
    const o = this.opts;
    if (o.title) out.push(`<text x="${fmt(left + w / 2)}" y="${fmt(py + 19)}" text-anchor="middle" font-size="14" font-weight="bold" fill="#222">${esc(o.title)}</text>`);
    if (o.xLabel) out.push(`<text x="${fmt(left + w / 2)}" y="${fmt(top + h + 38)}" text-anchor="middle" font-size="12" fill="#222">${esc(o.xLabel)}</text>`);
    if (o.yLabel) {
      const cx = fmt(px + 14);
      const cy = fmt(top + h / 2);
      out.push(`<text x="${cx}" y="${cy}" transform="rotate(-90 ${cx} ${cy})" text-anchor="middle" font-size="12" fill="#222">${esc(o.yLabel)}</text>`);
    }
    out.push(this.legend(left, top, w, h));
    return out.join('\n');
  }

  private draw(s: Series, sx: Scale, sy: Scale): string {
    if (s.kind === 'text') {
      return `<text x="${fmt(sx(s.x))}" y="${fmt(sy(s.y))}" text-anchor="${s.anchor}" font-size="${s.size}" fill="${s.color}">${esc(s.text)}</text>`;
    }
    const ok = (i: number) => Number.isFinite(s.xs[i]) && Number.isFinite(s.ys[i]) && (!sy.log || s.ys[i] > 0);
    if (s.kind === 'points') {
      const st = s.style;
      const r = st.radius ?? 3.5;
      const color = st.color ?? PALETTE[0];
      const op = st.opacity ?? 0.85;
      const marks: string[] = [];
      s.xs.forEach((_, i) => {
        if (!ok(i)) return;
        const [X, Y] = [sx(s.xs[i]), sy(s.ys[i])];
        if (st.marker === 'cross') {
          marks.push(`<path d="M${fmt(X - r)} ${fmt(Y - r)}L${fmt(X + r)} ${fmt(Y + r)}M${fmt(X - r)} ${fmt(Y + r)}L${fmt(X + r)} ${fmt(Y - r)}" stroke="${color}" stroke-width="2.2" opacity="${op}"/>`);
        } else {
          marks.push(`<circle cx="${fmt(X)}" cy="${fmt(Y)}" r="${r}" fill="${color}" fill-opacity="${op}" stroke="#fff" stroke-width="0.8"/>`);
        }
      });
      return marks.join('');
    }
    // a line breaks at non-finite values (a loss that is infinite at an end, say); huge values are
    // clamped far outside the frame, where the clip path hides them
    const segments: string[] = [];
    let cur = '';
    const clampPx = (v: number) => Math.max(-1e5, Math.min(1e5, v));
    s.xs.forEach((_, i) => {
      if (!ok(i)) {
        if (cur) segments.push(cur);
        cur = '';
        return;
      }
      cur += `${cur ? 'L' : 'M'}${fmt(clampPx(sx(s.xs[i])))} ${fmt(clampPx(sy(s.ys[i])))}`;
    });
    if (cur) segments.push(cur);
    const st = s.style;
    const attrs = `fill="none" stroke="${st.color ?? PALETTE[0]}" stroke-width="${st.width ?? 2}" stroke-linejoin="round" stroke-linecap="round"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}${st.opacity !== undefined ? ` opacity="${st.opacity}"` : ''}`;
    return segments.map((dd) => `<path d="${dd}" ${attrs}/>`).join('');
  }

  private legend(left: number, top: number, w: number, h: number): string {
    const where = this.opts.legend ?? 'top-right';
    const items = this.series.filter((s): s is Exclude<Series, { kind: 'text' }> => s.kind !== 'text' && Boolean(s.style.label));
    if (where === 'none' || items.length === 0) return '';
    const size = 11;
    const rowH = 16;
    const boxW = 34 + Math.max(...items.map((s) => textWidth(s.style.label!, size)));
    const boxH = 8 + rowH * items.length;
    const bx = where.endsWith('left') ? left + 8 : left + w - boxW - 8;
    const by = where.startsWith('top') ? top + 8 : top + h - boxH - 8;
    const out = [`<rect x="${fmt(bx)}" y="${fmt(by)}" width="${fmt(boxW)}" height="${fmt(boxH)}" fill="#fff" fill-opacity="0.9" stroke="#bbb" rx="3"/>`];
    items.forEach((s, i) => {
      const y = by + 4 + rowH * i + rowH / 2;
      if (s.kind === 'line') {
        const st = s.style;
        out.push(
          `<line x1="${fmt(bx + 6)}" y1="${fmt(y)}" x2="${fmt(bx + 26)}" y2="${fmt(y)}" stroke="${st.color ?? PALETTE[0]}" stroke-width="${Math.min(st.width ?? 2, 5)}"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}${st.opacity !== undefined ? ` opacity="${st.opacity}"` : ''}/>`,
        );
      } else if (s.style.marker === 'cross') {
        out.push(`<path d="M${fmt(bx + 12)} ${fmt(y - 4)}L${fmt(bx + 20)} ${fmt(y + 4)}M${fmt(bx + 12)} ${fmt(y + 4)}L${fmt(bx + 20)} ${fmt(y - 4)}" stroke="${s.style.color ?? PALETTE[0]}" stroke-width="2.2"/>`);
      } else {
        out.push(`<circle cx="${fmt(bx + 16)}" cy="${fmt(y)}" r="3.5" fill="${s.style.color ?? PALETTE[0]}"/>`);
      }
      out.push(`<text x="${fmt(bx + 32)}" y="${fmt(y + 4)}" font-size="${size}" fill="#222">${esc(s.style.label!)}</text>`);
    });
    return out.join('\n');
  }
}
