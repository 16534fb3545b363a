// A one-line progress bar for long commands (backtest, sweep, simulate): done of
// total, rate per second and ETA, redrawn in place at most every intervalMs.
// It only draws on a terminal (stream.isTTY); piped or redirected output stays
// clean, so scripts and CI logs never see carriage returns.
//
//   const bar = new ProgressBar({ stream: io.stderr, label: 'backtest', total: n, unit: 'events' });
//   for (...) bar.update(done);            // cheap: a clock read and a compare
//   bar.finish();                          // final state and a newline

export interface ProgressBarOptions {
  stream: NodeJS.WritableStream;
  label: string;
  /** What is counted; 0 or absent = unknown (no bar, no ETA). */
  total?: number;
  /** Name of the counted thing, e.g. "events", "paths". */
  unit?: string;
  /** Least time between redraws, ms (default 100). */
  intervalMs?: number;
  /** Clock in ms (default performance.now). */
  now?: () => number;
}

const BAR_WIDTH = 24;

/** 1234567 → "1.23M", 45300 → "45.3k", 999 → "999". */
export function compactCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Seconds → "12s", "3m05s", "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The text of one progress line (no control characters). */
export function progressLine(label: string, done: number, total: number, unit: string, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const rateText = `${compactCount(rate)} ${unit}/s`;
  if (!(total > 0)) return `${label} ${compactCount(done)} ${unit}  ${rateText}  ${formatDuration(elapsedMs / 1000)}`;
  const frac = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(frac * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '?';
  const pct = (frac * 100).toFixed(frac < 0.1 ? 1 : 0);
  return `${label} [${bar}] ${pct}% ${compactCount(done)}/${compactCount(total)} ${unit}  ${rateText}  ETA ${eta}`;
}

export class ProgressBar {
  /** True when it draws: the stream is a terminal. */
  readonly enabled: boolean;
  private readonly stream: NodeJS.WritableStream;
  private readonly label: string;
  private readonly unit: string;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly startMs: number;
  private total: number;
  private done = 0;
  private lastDrawMs = -Infinity;
  private lastWidth = 0;
  private finished = false;

  constructor(options: ProgressBarOptions) {
    this.stream = options.stream;
    this.label = options.label;
    this.unit = options.unit ?? 'items';
    this.total = options.total ?? 0;
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.enabled = (options.stream as { isTTY?: boolean }).isTTY === true;
    this.startMs = this.now();
  }

  /** Records progress; redraws when the interval has passed. */
  update(done: number, total?: number): void {
    if (!this.enabled || this.finished) return;
    this.done = done;
    if (total !== undefined) this.total = total;
    const t = this.now();
    if (t - this.lastDrawMs < this.intervalMs) return;
    this.lastDrawMs = t;
    this.draw(t);
  }

  /** Draws the final state and ends the line. Later calls do nothing. */
  finish(): void {
    if (!this.enabled || this.finished) return;
    this.finished = true;
    this.draw(this.now());
    this.stream.write('\n');
  }

  private draw(t: number): void {
    const line = progressLine(this.label, this.done, this.total, this.unit, t - this.startMs);
    const pad = this.lastWidth > line.length ? ' '.repeat(this.lastWidth - line.length) : '';
    this.lastWidth = line.length;
    this.stream.write(`\r${line}${pad}`);
  }
}
