import { type Panel, esc } from './panel.js';

export interface FigureOptions {
  width: number;
  height: number;
  title?: string;
  /** A line of smaller text under the title. */
  subtitle?: string;
}

/** Space the title and subtitle take at the top of a figure. */
export function headerHeight(opts: Pick<FigureOptions, 'title' | 'subtitle'>): number {
  return (opts.title ? 30 : 0) + (opts.subtitle ? 20 : 0) + (opts.title || opts.subtitle ? 6 : 0);
}

/** A whole picture: white page, title, and the panels (already positioned), as an SVG document. */
export function figure(opts: FigureOptions, panels: readonly Panel[]): string {
  const { width, height } = opts;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (opts.title) parts.push(`<text x="${width / 2}" y="26" text-anchor="middle" font-size="18" font-weight="bold" fill="#111">${esc(opts.title)}</text>`);
  if (opts.subtitle) parts.push(`<text x="${width / 2}" y="${opts.title ? 48 : 20}" text-anchor="middle" font-size="12.5" fill="#555">${esc(opts.subtitle)}</text>`);
  panels.forEach((p, i) => parts.push(p.render(`p${i}`)));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
