// A prediction venue's local order book that stays crossed (best bid at or above best ask) is
// out of step with the venue: an update it never heard (a level's removal left out) keeps a
// level that is no longer there, and once prices move past it the book shows a bid at or above
// the ask. The risk gate refuses every order on a crossed book, so quoting would stop until that
// level happened to be updated again.
//
// A timer looks at every watched book each checkMs (nothing runs on the message path). A book
// seen crossed at every check for waitMs is resynced (its owner resubscribes it: the venue
// sends a fresh snapshot). The first wait is initialMs; while the book is crossed again after
// its resync (the venue's own book is crossed) the next wait doubles, up to maxMs; the wait
// starts over once the book is seen uncrossed. A crossing that ends in time changes nothing.
import { SpreadcoreError } from '../errors.js';

/** The best bid and ask of a crossed book, as the venue writes prices. */
export interface CrossedTop { readonly bid: string; readonly ask: string }

/** One resync of a book that stayed crossed. */
export interface CrossedResync {
  readonly market: string;
  /** How long the book was seen crossed before this resync, ms (at least waitMs). */
  readonly crossedMs: number;
  /** The wait this resync came after: initialMs, doubling while the book stays crossed after resyncs. */
  readonly waitMs: number;
  readonly bid: string;
  readonly ask: string;
}

export interface CrossedBookWatchOptions {
  /** The first wait, ms (default 1000). */
  readonly initialMs?: number;
  /** The longest wait, ms (default 60 000). */
  readonly maxMs?: number;
  /** How often the books are looked at, ms (default a quarter of initialMs, at most 250). */
  readonly checkMs?: number;
  /** The markets to look at (read at each check). */
  readonly markets: () => Iterable<string>;
  /**
   * A market's best bid and ask when its book is crossed; null when it is not; undefined when
   * there is no book to judge (no snapshot yet, the link down): its crossing clock stops.
   */
  readonly crossedTop: (market: string) => CrossedTop | null | undefined;
  /** Resyncs the market's book; false when it could not be asked for (the wait is tried again). */
  readonly resync: (r: CrossedResync) => boolean;
  /** Told each resync once it was asked for. */
  readonly onResync?: (r: CrossedResync) => void;
  readonly nowMs?: () => number;
}

export const CROSSED_RESYNC_INITIAL_MS = 1_000;
export const CROSSED_RESYNC_MAX_MS = 60_000;

interface Watched {
  /** When the book was first seen crossed in the current stretch (NaN: not crossed). */
  sinceMs: number;
  /** Resyncs in a row without the book being seen uncrossed in between. */
  inARow: number;
}

export class CrossedBookWatch {
  /** Books resynced because they stayed crossed. */
  resyncs = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly checkMs: number;
  private readonly nowMs: () => number;
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: CrossedBookWatchOptions) {
    this.initialMs = o.initialMs ?? CROSSED_RESYNC_INITIAL_MS;
    this.maxMs = o.maxMs ?? CROSSED_RESYNC_MAX_MS;
    if (!(this.initialMs > 0 && Number.isFinite(this.initialMs))) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `crossed resync initialMs must be a positive number, got ${this.initialMs}`);
    if (!(this.maxMs >= this.initialMs && Number.isFinite(this.maxMs))) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `crossed resync maxMs must be a number >= initialMs (${this.initialMs}), got ${this.maxMs}`);
    this.checkMs = o.checkMs ?? Math.max(10, Math.min(250, this.initialMs / 4));
    if (!(this.checkMs > 0 && Number.isFinite(this.checkMs))) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `crossed resync checkMs must be a positive number, got ${this.checkMs}`);
    this.nowMs = o.nowMs ?? Date.now;
  }

  /** The wait before the resync after `inARow` resyncs in a row: initialMs doubling, at most maxMs. */
  waitMs(inARow: number): number { return Math.min(this.maxMs, this.initialMs * 2 ** Math.min(30, Math.max(0, inARow))); }

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.check(), this.checkMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) { clearInterval(this.timer); this.timer = null; }
  }

  /** Looks at every book once (the timer calls this). */
  check(): void {
    const now = this.nowMs();
    for (const market of this.o.markets()) {
      const top = this.o.crossedTop(market);
      let w = this.watched.get(market);
      if (top === null) { if (w !== undefined) { w.sinceMs = Number.NaN; w.inARow = 0; } continue; }
      if (top === undefined) { if (w !== undefined) w.sinceMs = Number.NaN; continue; }
      if (w === undefined) { w = { sinceMs: Number.NaN, inARow: 0 }; this.watched.set(market, w); }
      if (Number.isNaN(w.sinceMs)) { w.sinceMs = now; continue; }
      const waitMs = this.waitMs(w.inARow);
      const crossedMs = now - w.sinceMs;
      if (crossedMs < waitMs) continue;
      const r: CrossedResync = { market, crossedMs, waitMs, bid: top.bid, ask: top.ask };
      if (!this.o.resync(r)) continue;
      this.o.onResync?.(r);
      this.resyncs++;
      w.inARow++;
      // the fresh snapshot follows: if it is crossed too, the next wait (doubled) runs from now
      w.sinceMs = now;
    }
  }
}
