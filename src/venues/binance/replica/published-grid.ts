// The grid the replica's venue publishes for a symbol: its PRICE_FILTER tickSize and LOT_SIZE
// stepSize, whole multiples of the grid the market runs on (the simulator's, a recording's or a
// manual market's ticks and lots). By default the two are the same; POST /__replica/grid changes
// the venue's while the replica runs, as Binance changes a live symbol's tick or step size. The
// market goes on running on its own grid; what the venue shows is put on the published one:
//   - depth (snapshots, the diff-depth stream, bookTicker): a bid at the published tick at or
//     below it, an ask at or above it (the published book is never crossed when the market's is
//     not), quantities summed per published price and rounded down to the step (a level left
//     with nothing is not shown);
//   - trades: the price rounded the aggressor's way (a buy up, a sell down), the quantity down to
//     the step (a trade left with nothing is not printed);
//   - orders: a price or quantity off the published grid is refused by the filters
//     (order-params.ts), as Binance refuses one off PRICE_FILTER / LOT_SIZE.
import type { SymbolState } from '../../../feed/ingest/symbol-state.js';
import { parseE8 } from './fixed.js';

export interface PublishedGrid {
  /** The market's ticks per published tick (1: the same grid). */
  readonly ticksPerTick: number;
  /** The market's lots per published step. */
  readonly lotsPerStep: number;
}

export const MARKET_GRID: PublishedGrid = Object.freeze({ ticksPerTick: 1, lotsPerStep: 1 });

export interface LevelUnits { readonly tick: number; readonly qtyLot: number }

/** How many `unit`s make `size` (both decimal strings); throws naming `what` when it is not a whole positive number of them. */
function multipleOf(size: string, unit: string, what: string, symbol: string): number {
  const s = parseE8(size);
  const u = parseE8(unit);
  if (s === null || s <= 0n) throw new Error(`${what} must be a positive decimal with at most 8 decimals, got ${JSON.stringify(size)}`);
  if (u === null || u <= 0n || s % u !== 0n) {
    throw new Error(`${what} ${size} of ${symbol} must be a whole multiple of ${unit}, the grid the replica's market runs on`);
  }
  const n = s / u;
  if (n > 1_000_000n) throw new Error(`${what} ${size} of ${symbol} is more than 1,000,000 times ${unit}, the grid the replica's market runs on`);
  return Number(n);
}

/** The published grid of tickSize / stepSize for a symbol whose market runs on `state`'s instrument (the market's own size when not given). */
export function publishedGridOf(state: SymbolState, tickSize: string | undefined, stepSize: string | undefined): PublishedGrid {
  const inst = state.instrument;
  return {
    ticksPerTick: tickSize === undefined ? 1 : multipleOf(tickSize, inst.tickSize, 'tickSize', state.symbol),
    lotsPerStep: stepSize === undefined ? 1 : multipleOf(stepSize, inst.lotSize, 'stepSize', state.symbol),
  };
}

/** The market's tick at the published tick on or beyond it: down for bids and sells, up for asks and buys. */
export function publishedTick(g: PublishedGrid, tick: number, up: boolean): number {
  const k = g.ticksPerTick;
  if (k === 1) return tick;
  return (up ? Math.ceil(tick / k) : Math.floor(tick / k)) * k;
}

/** The market's lots rounded down to the published step. */
export function publishedLots(g: PublishedGrid, lots: number): number {
  const m = g.lotsPerStep;
  return m === 1 ? lots : Math.floor(lots / m) * m;
}

/**
 * One side of the market's book (best first) on the published grid, best first. `complete`:
 * the levels are the whole side; otherwise the last published price may lack market levels
 * beyond the ones read, and is left out.
 */
export function publishedLevels(g: PublishedGrid, levels: readonly LevelUnits[], ask: boolean, complete: boolean): LevelUnits[] {
  if (g.ticksPerTick === 1 && g.lotsPerStep === 1) return [...levels];
  const out: { tick: number; qtyLot: number }[] = [];
  for (const l of levels) {
    const t = publishedTick(g, l.tick, ask);
    const last = out[out.length - 1];
    if (last !== undefined && last.tick === t) last.qtyLot += l.qtyLot;
    else out.push({ tick: t, qtyLot: l.qtyLot });
  }
  if (!complete) out.pop();
  const shown: LevelUnits[] = [];
  for (const l of out) {
    const q = publishedLots(g, l.qtyLot);
    if (q > 0) shown.push({ tick: l.tick, qtyLot: q });
  }
  return shown;
}
