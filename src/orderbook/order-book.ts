// A symbol's L2 book in WASM memory, driven with decimal strings at the edge.
// Prices become integer ticks and quantities integer lots exactly (DecimalGrid);
// the WASM book does the rest.
import { SpreadcoreError, WASM_STATUS_TEXT } from '../errors.js';
import { Instrument, type InstrumentSpec } from './instrument.js';
import { WasmBooks } from '../wasm/book-api.js';
import { MAX_BOOKS, SIDE_BID, SIDE_ASK, ERR_OK } from '../wasm/layout.js';

export type DecimalLevel = [price: string, qty: string];
export interface DecimalDepth { bids: DecimalLevel[]; asks: DecimalLevel[] }
export type Side = 'bid' | 'ask';

const sharedSlots = new WeakMap<object, BookSlots>();

/** Hands out WASM book slots, one per symbol. */
export class BookSlots {
  /** The one registry for a WASM instance, so independent users never share a slot. */
  static forCore(core: object): BookSlots {
    let s = sharedSlots.get(core);
    if (s === undefined) {
      s = new BookSlots();
      sharedSlots.set(core, s);
    }
    return s;
  }

  private readonly used = new Map<string, number>();
  private readonly free: number[] = [];
  constructor() {
    for (let i = MAX_BOOKS - 1; i >= 0; i--) this.free.push(i);
  }
  acquire(symbol: string): number {
    const have = this.used.get(symbol);
    if (have !== undefined) return have;
    const slot = this.free.pop();
    if (slot === undefined) throw new SpreadcoreError('SPREADCORE_ERR_BOOK_FULL', `all ${MAX_BOOKS} book slots are in use`);
    this.used.set(symbol, slot);
    return slot;
  }
  release(symbol: string): void {
    const slot = this.used.get(symbol);
    if (slot === undefined) return;
    this.used.delete(symbol);
    this.free.push(slot);
  }
}

function sideIndex(side: Side): number {
  if (side === 'bid') return SIDE_BID;
  if (side === 'ask') return SIDE_ASK;
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `side must be "bid" or "ask", got ${JSON.stringify(side)}`);
}

function check(status: number, what: string): void {
  if (status !== ERR_OK) {
    throw new SpreadcoreError('SPREADCORE_ERR_BOOK_OP', `${what}: ${WASM_STATUS_TEXT[status] ?? `status ${status}`}`);
  }
}

export class OrderBook {
  readonly instrument: Instrument;
  readonly book: number;
  readonly books: WasmBooks;

  constructor(spec: InstrumentSpec | Instrument, book: number, books: WasmBooks = new WasmBooks()) {
    this.instrument = spec instanceof Instrument ? spec : new Instrument(spec);
    if (!Number.isInteger(book) || book < 0 || book >= MAX_BOOKS) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_BOOK', `book slot ${book} is not in 0..${MAX_BOOKS - 1}`);
    }
    this.book = book;
    this.books = books;
    books.reset(book);
  }

  private priceTicks(p: string): number { return this.instrument.price.toUnits(p, 'price'); }
  private qtyLots(q: string): number {
    const lots = this.instrument.qty.toUnits(q, 'quantity');
    if (lots < 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `quantity must not be negative, got ${q}`);
    return lots;
  }

  /**
   * Parses every level first, then applies: a bad level changes nothing.
   * Absolute quantities; "0" removes a level.
   */
  set(bids: readonly DecimalLevel[], asks: readonly DecimalLevel[]): void {
    const b = bids.map(([p, q]) => [this.priceTicks(p), this.qtyLots(q)] as const);
    const a = asks.map(([p, q]) => [this.priceTicks(p), this.qtyLots(q)] as const);
    for (const [t, q] of b) check(this.books.set(this.book, SIDE_BID, t, q), 'set bid');
    for (const [t, q] of a) check(this.books.set(this.book, SIDE_ASK, t, q), 'set ask');
  }

  /** Replaces the whole book. */
  snapshot(bids: readonly DecimalLevel[], asks: readonly DecimalLevel[]): void {
    const b = bids.map(([p, q]) => [this.priceTicks(p), this.qtyLots(q)] as const);
    const a = asks.map(([p, q]) => [this.priceTicks(p), this.qtyLots(q)] as const);
    check(this.books.clear(this.book), 'clear');
    for (const [t, q] of b) check(this.books.set(this.book, SIDE_BID, t, q), 'snapshot bid');
    for (const [t, q] of a) check(this.books.set(this.book, SIDE_ASK, t, q), 'snapshot ask');
  }

  /** Signed change at one price; a level may not go below zero (nothing changes then). */
  change(side: Side, price: string, delta: string): void {
    const s = sideIndex(side);
    const t = this.priceTicks(price);
    const d = this.instrument.qty.toUnits(delta, 'delta');
    check(this.books.change(this.book, s, t, d), `change ${side} ${price} by ${delta}`);
  }

  clearSide(side: Side): void { check(this.books.clearSide(this.book, sideIndex(side)), 'clear side'); }
  clear(): void { check(this.books.clear(this.book), 'clear'); }

  /** Top n levels per side as exact decimal strings. */
  depth(n: number): DecimalDepth {
    const { bids, asks } = this.books.topLevels(this.book, n);
    const fmt = (l: { tick: number; qtyLot: number }): DecimalLevel =>
      [this.instrument.price.format(l.tick), this.instrument.qty.format(l.qtyLot)];
    return { bids: bids.map(fmt), asks: asks.map(fmt) };
  }

  bestBid(): DecimalLevel | null {
    const t = this.books.bestBidTick(this.book);
    return t === -Infinity ? null : [this.instrument.price.format(t), this.instrument.qty.format(this.books.bestBidQty(this.book))];
  }
  bestAsk(): DecimalLevel | null {
    const t = this.books.bestAskTick(this.book);
    return t === Infinity ? null : [this.instrument.price.format(t), this.instrument.qty.format(this.books.bestAskQty(this.book))];
  }
  isCrossed(): boolean { return this.books.isCrossed(this.book); }
}
