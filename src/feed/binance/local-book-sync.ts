// Binance's local order book algorithm (DepthSync) over one WASM book slot: the
// levels of each in-sequence event go straight into the book with one bookSet call
// per level (measured faster than staging + flush for JSON input, see
// docs/benchmarks.md); a gap or a bad event clears the slot.
import { SpreadcoreError, WASM_STATUS_TEXT } from '../../errors.js';
import type { Instrument } from '../../orderbook/instrument.js';
import type { WasmBooks } from '../../wasm/book-api.js';
import { MAX_BOOKS, SIDE_ASK, SIDE_BID } from '../../wasm/layout.js';
import { DepthSync, type DepthSyncOptions, type DepthSyncTarget } from './depth-sync.js';
import type { BinanceMarket } from './messages.js';

export type LocalBookSyncOptions = DepthSyncOptions;

/** A DepthSyncTarget writing into one WASM book slot. */
export class WasmSlotTarget implements DepthSyncTarget {
  constructor(readonly books: WasmBooks, readonly book: number) {}

  replaceBook(pairs: Float64Array, nBids: number, n: number): number {
    this.books.clear(this.book);
    return this.set(pairs, nBids, n);
  }

  applyEvent(pairs: Float64Array, nBids: number, n: number): number {
    return this.set(pairs, nBids, n);
  }

  private set(s: Float64Array, nb: number, n: number): number {
    const books = this.books;
    const book = this.book;
    let refused = 0;
    for (let i = 0; i < n; i++) {
      if (books.set(book, i < nb ? SIDE_BID : SIDE_ASK, s[2 * i]!, s[2 * i + 1]!) !== 0) refused++;
    }
    return refused;
  }

  invalidate(): void { this.books.clear(this.book); }
  reset(): void { this.books.reset(this.book); }

  refusalReason(): string {
    const status = this.books.lastError(this.book);
    return WASM_STATUS_TEXT[status] ?? `status ${status}`;
  }
}

export class LocalBookSync extends DepthSync {
  readonly books: WasmBooks;
  readonly book: number;

  constructor(books: WasmBooks, book: number, instrument: Instrument, market: BinanceMarket, options: LocalBookSyncOptions = {}) {
    if (!Number.isInteger(book) || book < 0 || book >= MAX_BOOKS) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_BOOK', `book slot ${book} is not in 0..${MAX_BOOKS - 1}`);
    }
    super(new WasmSlotTarget(books, book), instrument, market, options);
    this.books = books;
    this.book = book;
    books.reset(book);
  }
}
