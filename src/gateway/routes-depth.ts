// GET /api/market/depth?symbol=&limit=: the top `limit` levels of a symbol's book
// as JSON numbers (prices and quantities on the instrument's grid), with the spread
// and mid price (null while a side is empty) — both on the tick grid: the mid is the
// exact decimal (bidTick + askTick) / 2 ticks as a number, never a float average.
import type { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { DecimalGrid } from '../numeric/decimal-grid.js';
import { midPriceOnGrid } from '../engine/engine-views.js';
import { HttpError } from './http-errors.js';

export interface DepthJson {
  symbol: string;
  bids: { price: number; qty: number }[];
  asks: { price: number; qty: number }[];
  spread: number | null;
  mid_price: number | null;
}

export function depthView(ingest: FeedIngest, symbol: string, limit: number): DepthJson {
  const s = ingest.bySymbolName(symbol);
  if (s === undefined) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `the market has no symbol ${JSON.stringify(symbol)}`);
  const { price, qty } = s.instrument;
  const top = ingest.books.topLevels(s.book, limit);
  const level = (l: { tick: number; qtyLot: number }): { price: number; qty: number } => ({ price: gridNumber(price, l.tick), qty: gridNumber(qty, l.qtyLot) });
  const bids = top.bids.map(level);
  const asks = top.asks.map(level);
  const bb = top.bids[0];
  const ba = top.asks[0];
  let spread: number | null = null;
  let mid: number | null = null;
  if (bb !== undefined && ba !== undefined) {
    spread = gridNumber(price, ba.tick - bb.tick);
    mid = midPriceOnGrid(s.instrument, bb.tick, ba.tick);
  }
  return { symbol: s.symbol, bids, asks, spread, mid_price: mid };
}

/** Largest |units| whose units × step mantissa is an exact integer in a double, per grid. */
const exactLimit = new WeakMap<DecimalGrid, number>();

/**
 * units × step as the JSON number of its exact decimal, i.e. Number(grid.format(units)),
 * without building the string: (units × mantissa) / 10^scale is one correctly rounded
 * division of two exact integers, the same double Number() parses from the decimal.
 * Outside that range it falls back to the string.
 */
export function gridNumber(grid: DecimalGrid, units: number): number {
  let limit = exactLimit.get(grid);
  if (limit === undefined) {
    const mantissa = Math.round(grid.toNumber(1) * 10 ** grid.scale);
    limit = grid.scale <= 22 && mantissa > 0 ? Math.floor(Number.MAX_SAFE_INTEGER / mantissa) : 0;
    exactLimit.set(grid, limit);
  }
  return Number.isInteger(units) && Math.abs(units) <= limit ? grid.toNumber(units) : Number(grid.format(units));
}
