// When the exchangeInfo of a live symbol whose depth is refused off its grid may be read
// again: at the first refusal, then no more often than once per interval (30 s) while the
// refusals go on, one read at a time per symbol. A read that failed is tried again the same
// way: at the next refusal once the interval since it started has passed.

/** Least time between two exchangeInfo reads of one symbol, ms. */
export const GRID_REREAD_INTERVAL_MS = 30_000;

export class GridRereadThrottle {
  readonly intervalMs: number;
  /** Per symbol: when its last read started, ms. */
  private readonly startedMs = new Map<string, number>();
  private readonly reading = new Set<string>();

  constructor(intervalMs = GRID_REREAD_INTERVAL_MS) {
    if (!(intervalMs >= 0) || !Number.isFinite(intervalMs)) throw new RangeError(`intervalMs must be a non-negative number, got ${intervalMs}`);
    this.intervalMs = intervalMs;
  }

  /** A refusal of `symbol` at nowMs: true when a read starts now (then call done() when it ends). */
  take(symbol: string, nowMs: number): boolean {
    if (this.reading.has(symbol)) return false;
    const last = this.startedMs.get(symbol);
    if (last !== undefined && nowMs - last < this.intervalMs) return false;
    this.startedMs.set(symbol, nowMs);
    this.reading.add(symbol);
    return true;
  }

  /** The read of `symbol` ended (answered or failed). */
  done(symbol: string): void {
    this.reading.delete(symbol);
  }

  /** A read of `symbol` is under way. */
  busy(symbol: string): boolean {
    return this.reading.has(symbol);
  }
}
