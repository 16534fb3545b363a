// A live Binance symbol whose depth is refused off its grid, or whose orders the venue refuses
// for a price or quantity off its tick or step: Binance may have changed the symbol's
// PRICE_FILTER tickSize or LOT_SIZE stepSize while we run (a finer grid shows in the depth, a
// coarser one only in refused orders). At the symbol's first such refusal, and no more often
// than once per 30 s while they go on (GridRereadThrottle, one for both kinds), the venue's
// exchangeInfo for the symbol is read again:
//   - another grid: the execution side adopts the new filters first (GridRead.adopt), then
//     the feed redefines the symbol's instrument (the engine rebinds or pauses the strategies
//     on it, the book resyncs from a new snapshot on the new grid); reported once per change;
//   - the same grid: the problem is not a change of the venue's grid; after a depth refusal
//     reported once (until a change), so the caller warns (a refused order is reported as such);
//   - no answer (an error status, no connection, the symbol unlisted): reported once until a
//     read succeeds; the next refusal after the interval reads again.
import { plainDecimal, type BinanceInstrumentSpec } from './instruments.js';
import { GridRereadThrottle } from './grid-reread-throttle.js';

/** A symbol's grids as the venue's exchangeInfo gives them now. */
export interface GridRead {
  readonly spec: BinanceInstrumentSpec;
  /** Moves the execution side (order filters and sizes) to this read's grid; called before the feed is redefined. */
  readonly adopt?: () => void;
}

/** What started a read: depth refused off the grid, or an order the venue refused off it. */
export type GridRereadCause = 'depth' | 'order';

export type GridRefreshEvent =
  | { readonly type: 'changed'; readonly symbol: string; readonly from: BinanceInstrumentSpec; readonly to: BinanceInstrumentSpec; readonly after: GridRereadCause }
  /** The venue still gives the grid in use (reported once until a change). */
  | { readonly type: 'same'; readonly symbol: string; readonly spec: BinanceInstrumentSpec }
  /** exchangeInfo could not be read (reported once until a read succeeds); read again at a refusal after retryAfterMs. */
  | { readonly type: 'read-failed'; readonly symbol: string; readonly error: string; readonly retryAfterMs: number; readonly after: GridRereadCause };

/** Where a live symbol's grids are read again, and where orders refused off the grid are heard of. */
export interface VenueGridSource {
  /** Reads the symbol's grids from the venue's exchangeInfo; rejects when it cannot. */
  readonly read: (symbol: string) => Promise<GridRead>;
  /** Registers a listener of the orders the venue refuses for a price or quantity off the symbol's grid. */
  readonly onGridRefusal?: (listener: (symbol: string) => void) => void;
  /** The symbols whose grids come from the venue (default: every symbol); the others' (given by the user) are never read again. */
  readonly symbols?: readonly string[];
}

export interface GridRefreshOptions {
  /** The grids in use, one per symbol. */
  readonly specs: readonly BinanceInstrumentSpec[];
  /** Reads the symbol's grids from the venue's exchangeInfo; rejects when it cannot. */
  readonly read: (symbol: string) => Promise<GridRead>;
  /** Redefines the symbol's instrument in the feed on the new grids. */
  readonly redefine: (symbol: string, spec: BinanceInstrumentSpec) => void;
  readonly report: (e: GridRefreshEvent) => void;
  readonly nowMs?: () => number;
  /** Least time between two reads of one symbol, ms (default GRID_REREAD_INTERVAL_MS, 30 s). */
  readonly intervalMs?: number;
}

/** The two specs put the book and the orders on the same grids. */
export function sameGrids(a: BinanceInstrumentSpec, b: BinanceInstrumentSpec): boolean {
  const eq = (x: string, y: string): boolean => (plainDecimal(x) ?? x) === (plainDecimal(y) ?? y);
  return eq(a.tickSize, b.tickSize) && eq(a.lotSize, b.lotSize) && eq(a.orderLotSize, b.orderLotSize);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class GridRefresh {
  private readonly specs = new Map<string, BinanceInstrumentSpec>();
  private readonly throttle: GridRereadThrottle;
  private readonly o: GridRefreshOptions;
  private readonly nowMs: () => number;
  private readonly changeCounts = new Map<string, number>();
  private readonly readCounts = new Map<string, number>();
  /** Symbols whose same-grid answer was reported since their last change. */
  private readonly sameReported = new Set<string>();
  /** Symbols whose last read failed (the failure was reported). */
  private readonly failing = new Set<string>();
  private stopped = false;

  constructor(o: GridRefreshOptions) {
    this.o = o;
    for (const s of o.specs) this.specs.set(s.symbol, s);
    this.throttle = new GridRereadThrottle(o.intervalMs);
    this.nowMs = o.nowMs ?? Date.now;
  }

  /** The grids in use for a symbol. */
  spec(symbol: string): BinanceInstrumentSpec | undefined { return this.specs.get(symbol); }
  /** Changes of the symbol's grid picked up so far. */
  changes(symbol: string): number { return this.changeCounts.get(symbol) ?? 0; }
  /** The last read of the symbol found the grid in use (since its last change). */
  venueHasSameGrid(symbol: string): boolean { return this.sameReported.has(symbol); }
  /** exchangeInfo reads of the symbol started so far. */
  reads(symbol: string): number { return this.readCounts.get(symbol) ?? 0; }

  /** An off-grid refusal of the symbol's depth; the read it started (null when none starts now). */
  onOffGrid(symbol: string): Promise<void> | null {
    return this.check(symbol, 'depth');
  }

  /** The venue refused an order of the symbol for a price or quantity off its grid; the read it started (null when none starts now). */
  onOrderRefused(symbol: string): Promise<void> | null {
    return this.check(symbol, 'order');
  }

  private check(symbol: string, after: GridRereadCause): Promise<void> | null {
    if (this.stopped || !this.specs.has(symbol) || !this.throttle.take(symbol, this.nowMs())) return null;
    this.readCounts.set(symbol, this.reads(symbol) + 1);
    return this.o.read(symbol).then((r) => { this.answered(symbol, r, after); }, (e: unknown) => { this.failed(symbol, e, after); })
      .finally(() => { this.throttle.done(symbol); });
  }

  /** Later answers are ignored. */
  stop(): void { this.stopped = true; }

  private answered(symbol: string, r: GridRead, after: GridRereadCause): void {
    if (this.stopped) return;
    this.failing.delete(symbol);
    const from = this.specs.get(symbol)!;
    if (sameGrids(from, r.spec)) {
      if (after !== 'depth' || this.sameReported.has(symbol)) return;
      this.sameReported.add(symbol);
      this.o.report({ type: 'same', symbol, spec: from });
      return;
    }
    r.adopt?.();
    this.specs.set(symbol, r.spec);
    this.o.redefine(symbol, r.spec);
    this.changeCounts.set(symbol, this.changes(symbol) + 1);
    this.sameReported.delete(symbol);
    this.o.report({ type: 'changed', symbol, from, to: r.spec, after });
  }

  private failed(symbol: string, e: unknown, after: GridRereadCause): void {
    if (this.stopped || this.failing.has(symbol)) return;
    this.failing.add(symbol);
    this.o.report({ type: 'read-failed', symbol, error: errorText(e), retryAfterMs: this.throttle.intervalMs, after });
  }
}
