// Depth refused for a price or quantity off the instrument's grid, per symbol, on a live feed
// (the connector) or a Binance recording read with too coarse a grid (BinanceRecordingSource).
//
// A live book whose depth is off its grid (the venue changed the symbol's tick or step
// while we run, or the grids given are coarser than the venue's) refuses every snapshot
// and event: the symbol goes stale, resyncs and is refused again, forever. This counts the
// refusals per symbol and hands back one GridProblem the first time, so the caller warns
// once. Counting allocates nothing (the records are made at construction); the problem's
// text is built at the first refusal only.
import type { SpreadcoreError } from '../../errors.js';
import type { GridProblem } from '../replay/market-source.js';

interface SymbolCount {
  refused: number;
  /** The first refusal's text (the level, its price or quantity, the step), null until then. */
  first: string | null;
}

/** The grid a symbol's book is on, for the message. */
export interface GridOf { readonly tickSize: string; readonly lotSize: string }

export class OffGridDepth {
  private readonly counts = new Map<string, SymbolCount>();
  private readonly gridOf: (symbol: string) => GridOf | undefined;
  private readonly appliedOf: (symbol: string) => number;

  constructor(symbols: readonly string[], gridOf: (symbol: string) => GridOf | undefined, appliedOf: (symbol: string) => number) {
    for (const s of symbols) this.counts.set(s, { refused: 0, first: null });
    this.gridOf = gridOf;
    this.appliedOf = appliedOf;
  }

  /** Counts a refused snapshot or depth event; the symbol's problem at its first off-grid refusal, else null. */
  onRejected(symbol: string, error: SpreadcoreError): GridProblem | null {
    if (error.code !== 'SPREADCORE_ERR_OFF_GRID') return null;
    const c = this.counts.get(symbol);
    if (c === undefined) return null;
    c.refused++;
    if (c.first !== null) return null;
    c.first = error.message;
    return this.problem(symbol, c);
  }

  /**
   * The symbol moved to a new grid: its problem is gone (the count of refusals stays), and
   * its next off-grid refusal is a first one again.
   */
  clearProblem(symbol: string): void {
    const c = this.counts.get(symbol);
    if (c !== undefined) c.first = null;
  }

  /** Snapshots and depth events of `symbol` refused for a level off its grid, so far. */
  refused(symbol: string): number {
    return this.counts.get(symbol)?.refused ?? 0;
  }

  /** The symbols whose depth was refused for a level off their grid. */
  problems(): GridProblem[] {
    const out: GridProblem[] = [];
    for (const [symbol, c] of this.counts) {
      const p = this.problem(symbol, c);
      if (p !== null) out.push(p);
    }
    return out;
  }

  private problem(symbol: string, c: SymbolCount): GridProblem | null {
    const grid = this.gridOf(symbol);
    if (c.first === null || grid === undefined) return null;
    return { symbol, tickSize: grid.tickSize, lotSize: grid.lotSize, first: c.first, refused: c.refused, applied: this.appliedOf(symbol) };
  }
}

/** One line about a live symbol whose depth is off its grid: the symbol, the grid, an offending level, and what to do. */
export function liveGridProblemMessage(p: GridProblem): string {
  return `${p.symbol}: Binance's depth is not on the grid tick_size ${p.tickSize}, lot_size ${p.lotSize} (${p.first}), `
    + `so the book refuses it and resyncs again and again: the venue's grid of ${p.symbol} may have changed since serve read it; `
    + 'restart serve to pick up the new grid (or fix the grid given with --instruments FILE)';
}

/**
 * One line about a live symbol whose depth is off its grid while the venue's exchangeInfo, read
 * again, gives the grid in use: the venue's grid did not change, so serve cannot fix it by itself.
 */
export function sameGridProblemMessage(p: GridProblem, venue: { readonly tickSize: string; readonly orderLotSize: string }): string {
  return `${p.symbol}: Binance's depth is not on the grid tick_size ${p.tickSize}, lot_size ${p.lotSize} (${p.first}), `
    + `so the book refuses it and resyncs again and again; Binance's exchangeInfo, read again, gives the same grid (tick ${venue.tickSize}, step ${venue.orderLotSize}): `
    + 'the venue did not change it, so a restart would not help; check where the depth comes from (--binance-ws-url, --binance-rest-url)';
}
