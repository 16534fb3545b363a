// A live consistency check of a rebuilt book against Binance's bookTicker stream:
// a bookTicker whose update id u equals the book's update id carries the exact
// best bid and ask the book must show. bookTickers can arrive before or after the
// depth event with the same u, so those ahead of the book are held (a bounded
// number) until the book reaches their u; older ones can no longer be compared.
import type { Instrument } from '../../orderbook/instrument.js';
import type { WasmBooks } from '../../wasm/book-api.js';
import type { BookTicker } from './messages.js';

interface Expected { bidTick: number; bidLot: number; askTick: number; askLot: number; ticker: BookTicker }

export interface TopOfBookCounters {
  /** Comparisons made. */
  checks: number;
  mismatches: number;
  /** bookTickers whose prices or quantities are off the instrument's grid. */
  offGrid: number;
  /** Held bookTickers discarded because the hold was full or the book moved past them. */
  expired: number;
}

export class TopOfBookCheck {
  readonly instrument: Instrument;
  readonly counters: TopOfBookCounters = { checks: 0, mismatches: 0, offGrid: 0, expired: 0 };
  /** The last mismatch, as a sentence. */
  lastMismatch: string | null = null;
  private readonly held = new Map<number, Expected>();
  private readonly maxHeld: number;

  constructor(instrument: Instrument, maxHeld = 1024) {
    this.instrument = instrument;
    this.maxHeld = maxHeld;
  }

  /**
   * A bookTicker arrived. `bookUpdateId` is the book's update id, or -1 when the
   * book is not live. Returns true/false when compared now, undefined otherwise.
   */
  onBookTicker(t: BookTicker, books: WasmBooks, book: number, bookUpdateId: number): boolean | undefined {
    const p = this.instrument.price;
    const q = this.instrument.qty;
    const e: Expected = {
      bidTick: p.toUnitsOrNaN(t.bidPrice), bidLot: q.toUnitsOrNaN(t.bidQty),
      askTick: p.toUnitsOrNaN(t.askPrice), askLot: q.toUnitsOrNaN(t.askQty), ticker: t,
    };
    if (Number.isNaN(e.bidTick + e.bidLot + e.askTick + e.askLot)) { this.counters.offGrid++; return undefined; }
    if (bookUpdateId >= 0 && t.updateId === bookUpdateId) return this.compare(e, books, book, bookUpdateId);
    if (bookUpdateId >= 0 && t.updateId < bookUpdateId) return undefined;
    if (this.held.size >= this.maxHeld) {
      const oldest = this.held.keys().next();
      if (oldest.done !== true) this.held.delete(oldest.value);
      this.counters.expired++;
    }
    this.held.set(t.updateId, e);
    return undefined;
  }

  /** The book now reflects update id u: compare with a held bookTicker of the same u, if any. */
  onApplied(updateId: number, books: WasmBooks, book: number): boolean | undefined {
    if (this.held.size === 0) return undefined;
    const e = this.held.get(updateId);
    // drop what the book has moved past (insertion order is update-id order)
    for (const k of this.held.keys()) {
      if (k > updateId) break;
      this.held.delete(k);
      if (k !== updateId) this.counters.expired++;
    }
    return e === undefined ? undefined : this.compare(e, books, book, updateId);
  }

  /** Forget held bookTickers (the book was reset). */
  clear(): void { this.held.clear(); }

  private compare(e: Expected, books: WasmBooks, book: number, u: number): boolean {
    this.counters.checks++;
    const bt = books.bestBidTick(book);
    const bq = books.bestBidQty(book);
    const at = books.bestAskTick(book);
    const aq = books.bestAskQty(book);
    if (bt === e.bidTick && bq === e.bidLot && at === e.askTick && aq === e.askLot) return true;
    this.counters.mismatches++;
    const p = this.instrument.price;
    const q = this.instrument.qty;
    const fmt = (t: number, l: number): string => `${Number.isFinite(t) ? p.format(t) : String(t)} x ${q.format(l)}`;
    const t = e.ticker;
    this.lastMismatch = `${t.symbol} u=${u}: book bid ${fmt(bt, bq)} ask ${fmt(at, aq)}; bookTicker bid ${t.bidPrice} x ${t.bidQty} ask ${t.askPrice} x ${t.askQty}`;
    return false;
  }
}
