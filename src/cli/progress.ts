import type { Out } from './io.js';

/**
 * A progress report for a training loop. On a terminal: one bar redrawn in place with the current
 * loss. Elsewhere (pipes, CI, tests): a plain line about every tenth of the way. Silent when
 * disabled (`--json`).
 */
export class Progress {
  private lastDraw = 0;
  private lastLine = -1;
  private readonly tty: boolean;

  constructor(
    private readonly out: Out,
    private readonly total: number,
    private readonly label: string,
    private readonly enabled = true,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  /** Reports that `done` of `total` are finished; `fields` (e.g. `{ loss: 0.25 }`) are shown beside. */
  update(done: number, fields: Record<string, string>): void {
    if (!this.enabled) return;
    const text = Object.entries(fields)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ');
    const last = done >= this.total;
    if (this.tty) {
      const now = Date.now();
      if (!last && now - this.lastDraw < 40) return; // redraw at most 25 times a second
      this.lastDraw = now;
      const width = Math.max(10, Math.min(30, (this.out.columns ?? 80) - 40 - text.length));
      const filled = Math.round((done / this.total) * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.out.write(`\r\u001b[2K${this.label} ${bar} ${String(done).padStart(String(this.total).length)}/${this.total}  ${text}${last ? '\n' : ''}`);
      return;
    }
    const tenth = Math.floor((done * 10) / this.total);
    if (tenth === this.lastLine && !last) return;
    if (last && this.lastLine === 10) return;
    this.lastLine = tenth;
    this.out.write(`${this.label} ${String(done).padStart(String(this.total).length)}/${this.total}  ${text}\n`);
  }
}
