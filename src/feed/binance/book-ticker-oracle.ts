// Checks a rebuilt book against Binance's own best bid/ask: a bookTicker whose
// update id u equals a depth event's final update id u carries the exact best
// bid and ask (price and quantity) the book must show right after that event.
// Collect the bookTickers first (one may be received before or after its depth
// event), then call check(u) after each applied depth event.
import type { Instrument } from '../../orderbook/instrument.js';
import type { WasmBooks } from '../../wasm/book-api.js';
import type { BookTicker } from './messages.js';

interface ExpectedTop { bidTick: number; bidLot: number; askTick: number; askLot: number; ticker: BookTicker }

export class BookTickerOracle {
  readonly instrument: Instrument;
  private readonly byUpdateId = new Map<number, ExpectedTop>();
  /** Comparisons made. */
  checks = 0;
  /** One line per comparison that differed. */
  readonly mismatches: string[] = [];

  constructor(instrument: Instrument, tickers: Iterable<BookTicker>) {
    this.instrument = instrument;
    const p = instrument.price;
    const q = instrument.qty;
    for (const t of tickers) {
      if (t.symbol !== instrument.symbol) continue;
      this.byUpdateId.set(t.updateId, {
        bidTick: p.toUnits(t.bidPrice, 'bookTicker bid price'),
        bidLot: q.toUnits(t.bidQty, 'bookTicker bid quantity'),
        askTick: p.toUnits(t.askPrice, 'bookTicker ask price'),
        askLot: q.toUnits(t.askQty, 'bookTicker ask quantity'),
        ticker: t,
      });
    }
  }

  get size(): number { return this.byUpdateId.size; }
  has(updateId: number): boolean { return this.byUpdateId.has(updateId); }

  /**
   * Compares the book's best bid/ask with the bookTicker of update id u, if there
   * is one. Returns true when compared and equal, false when compared and different,
   * undefined when no bookTicker has this u.
   */
  check(books: WasmBooks, book: number, updateId: number): boolean | undefined {
    const e = this.byUpdateId.get(updateId);
    if (e === undefined) return undefined;
    this.checks++;
    const bt = books.bestBidTick(book);
    const bq = books.bestBidQty(book);
    const at = books.bestAskTick(book);
    const aq = books.bestAskQty(book);
    if (bt === e.bidTick && bq === e.bidLot && at === e.askTick && aq === e.askLot) return true;
    const p = this.instrument.price;
    const q = this.instrument.qty;
    const fmt = (t: number, l: number): string =>
      `${Number.isFinite(t) ? p.format(t) : String(t)} x ${q.format(l)}`;
    this.mismatches.push(
      `u=${updateId}: book bid ${fmt(bt, bq)} ask ${fmt(at, aq)}; bookTicker bid ${e.ticker.bidPrice} x ${e.ticker.bidQty} ask ${e.ticker.askPrice} x ${e.ticker.askQty}`);
    return false;
  }
}
