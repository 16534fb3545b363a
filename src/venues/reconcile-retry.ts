// The background retry of a live venue session's reconcile (BinanceLive, KalshiLive, PolymarketLive):
// a reconcile that fails (the venue answers 5xx or 429, or not at all) is run again after 1 s,
// 2 s, 4 s … at most 30 s apart until one runs, one attempt pending at a time. The first failure
// of an outage is logged once, with the health field that counts it, and the outage's end once.
// A reconcile that runs but is not clean for a reason the next pass can clear (orders the venue
// no longer lists, closed meanwhile; fills being looked up or journaled) is run again the same
// way until one is clean, logged once when it starts and once when it ends: without it the
// strategies would stay paused until the next reconnect or a reconcile on request. A position
// mismatch is not retried here: it waits for the operator.
// After close() nothing is retried or logged.

export interface ReconcileRetryOptions {
  /** The venue as in log lines and GET /api/health (`kalshi`, `polymarket`). */
  readonly venue: string;
  /** The venue as a trader names it (`Kalshi`, `Polymarket`). */
  readonly name: string;
  /** Runs the reconcile again; it reports back through failed() or ran(). */
  readonly retry: () => void;
  readonly log: (line: string) => void;
  /** Where the outage's first line goes (default log): a warning where the session has one. */
  readonly warn?: (line: string) => void;
  /** GET /api/health's object holding reconcile_failures and reconcile_unclean (default `execution.<venue>`). */
  readonly health?: string;
}

export class ReconcileRetry {
  /** Reconciles that failed in a row (0 once one ran). */
  failuresInARow = 0;
  /** Reconciles that ran but were not clean in a row (0 once one was clean). */
  uncleanInARow = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly o: ReconcileRetryOptions) {}

  private get healthPath(): string { return this.o.health ?? `execution.${this.o.venue}`; }

  /** Delay before the retry after `failures` failed reconciles in a row: 1 s, 2 s, 4 s … at most 30 s. */
  static delayMs(failures: number): number { return Math.min(30_000, 1000 * 2 ** Math.min(5, Math.max(0, failures - 1))); }

  /** A reconcile failed (`why`): the first failure of an outage is logged; the next attempt is scheduled (once). */
  failed(why: string): void {
    if (this.closed) return;
    this.failuresInARow++;
    if (this.failuresInARow === 1) {
      (this.o.warn ?? this.o.log)(`${this.o.venue}: reconcile failed (${why}); strategies stay paused (venue), trying again in the background `
        + `(after 1 s, then up to every 30 s) until ${this.o.name} answers (GET /api/health: ${this.healthPath}.reconcile_failures)`);
    }
    this.schedule(this.failuresInARow);
  }

  /**
   * A reconcile ran (after ran()) and found `what` (orders or fills still to settle): the first
   * of a series is logged; the next pass is scheduled (once), 1 s, 2 s, 4 s … at most 30 s apart.
   */
  unclean(what: string): void {
    if (this.closed) return;
    this.uncleanInARow++;
    if (this.uncleanInARow === 1) {
      this.o.log(`${this.o.venue}: reconcile found ${what}; staying paused (venue), reconciling again in the background `
        + `(after 1 s, then up to every 30 s) until it is clean (GET /api/health: ${this.healthPath}.reconcile_unclean)`);
    }
    this.schedule(this.uncleanInARow);
  }

  /** A reconcile ran clean: a series of unclean ones (if any) is over, the pending pass goes. */
  clean(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    if (this.uncleanInARow > 0) this.o.log(`${this.o.venue}: reconcile clean after ${this.uncleanInARow} pass(es) that were not`);
    this.uncleanInARow = 0;
  }

  private schedule(inARow: number): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => { this.timer = null; if (!this.closed) this.o.retry(); }, ReconcileRetry.delayMs(inARow));
    this.timer.unref();
  }

  /** A reconcile ran: the outage (if any) is over, the pending retry goes. */
  ran(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    if (this.failuresInARow > 0) this.o.log(`${this.o.venue}: reconcile ran again after ${this.failuresInARow} failed attempt(s)`);
    this.failuresInARow = 0;
  }

  /** No retry after this (the pending one goes). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
  }
}
