// GET /api/market/depth?symbol=&limit=: the top `limit` levels of a symbol's book
// as JSON numbers (prices and quantities on the instrument's grid), with the spread
// and mid price (null while a side is empty).
import type { FeedIngest } from '../feed/ingest/feed-ingest.js';
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
  const level = (l: { tick: number; qtyLot: number }): { price: number; qty: number } => ({ price: Number(price.format(l.tick)), qty: Number(qty.format(l.qtyLot)) });
  const bids = top.bids.map(level);
  const asks = top.asks.map(level);
  const bb = top.bids[0];
  const ba = top.asks[0];
  let spread: number | null = null;
  let mid: number | null = null;
  if (bb !== undefined && ba !== undefined) {
    spread = Number(price.format(ba.tick - bb.tick));
    mid = Number(((Number(price.format(bb.tick)) + Number(price.format(ba.tick))) / 2).toFixed(12));
  }
  return { symbol: s.symbol, bids, asks, spread, mid_price: mid };
}
