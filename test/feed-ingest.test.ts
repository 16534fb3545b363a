// The ingest engine: sequence rules, stale/resync, integrity, crossed books,
// stale feeds, bad messages, and the batch report.
import { describe, it, expect, beforeEach } from 'vitest';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { MAX_BOOKS } from '../src/wasm/layout.js';

const books = new WasmBooks(instantiateCore('debug'));
const BTC = 7;
const ETH = 9;

function pairs(...xs: number[]): Float64Array { return Float64Array.from(xs); }

describe('FeedIngest', () => {
  let ingest: FeedIngest;
  let events: string[];
  let batches: number[][];

  beforeEach(() => {
    events = [];
    batches = [];
    const listener: IngestListener = {
      onBatch(_i, dirty, n) { batches.push([...dirty.subarray(0, n)]); },
      onStale(s, reason) { events.push(`stale ${s.symbol} ${reason}`); },
      onLive(s) { events.push(`live ${s.symbol}`); },
      onTrade(s, side, tick, qty) { events.push(`trade ${s.symbol} ${side} ${tick} ${qty}`); },
    };
    ingest = new FeedIngest(books, { listener, staleFeedMs: 1000 });
    ingest.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
    ingest.instrument({ symbolId: ETH, symbol: 'ETHUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.0001', resolutionTsNs: 0 });
  });

  const snap = (id: number, seq: number): void => {
    ingest.snapshot(id, seq, 1, pairs(100, 5, 99, 3), 2, pairs(101, 4, 102, 6), 2);
    ingest.endOfBatch(0);
  };

  it('a snapshot makes the book live; in-sequence levels apply; the batch reports dirty symbols', () => {
    snap(BTC, 10);
    expect(events).toEqual(['live BTCUSDT']);
    const s = ingest.symbolState(BTC)!;
    expect(s.state).toBe('live');
    expect(ingest.quotable(BTC)).toBe(true);
    ingest.levelSet(BTC, 11, 2, 0, 100, 0);
    ingest.levelChange(BTC, 12, 2, 1, 101, -1);
    ingest.trade(BTC, 13, 2, 1, 101, 1, 555);
    ingest.endOfBatch(0);
    expect(books.topLevels(s.book, 5)).toEqual({
      bids: [{ tick: 99, qtyLot: 3 }],
      asks: [{ tick: 101, qtyLot: 3 }, { tick: 102, qtyLot: 6 }],
    });
    expect(batches).toEqual([[BTC], [BTC]]);
    expect(events).toContain('trade BTCUSDT 1 101 1');
    expect(s.lastTradeId).toBe(555);
    expect(s.nextSeq).toBe(14);
  });

  it('a gap clears the book, pulls quotes, drops messages until a snapshot resyncs', () => {
    snap(BTC, 10);
    ingest.levelSet(BTC, 12, 2, 0, 98, 1); // 11 is missing
    const s = ingest.symbolState(BTC)!;
    expect(s.state).toBe('stale');
    expect(s.staleReason).toBe('gap');
    expect(s.counters.gaps).toBe(1);
    expect(books.levelCount(s.book, 0) + books.levelCount(s.book, 1)).toBe(0);
    expect(events).toEqual(['live BTCUSDT', 'stale BTCUSDT gap']);
    ingest.levelSet(BTC, 13, 2, 0, 98, 1);
    expect(s.counters.droppedWhileStale).toBe(1);
    snap(BTC, 20);
    expect(s.state).toBe('live');
    expect(events.at(-1)).toBe('live BTCUSDT');
    ingest.levelSet(BTC, 21, 3, 0, 98, 1);
    expect(books.levelQty(s.book, 0, 98)).toBe(1);
  });

  it('duplicates and reordered messages are ignored, not gaps', () => {
    snap(BTC, 10);
    ingest.levelSet(BTC, 11, 2, 0, 98, 1);
    ingest.levelSet(BTC, 11, 2, 0, 98, 7); // duplicate
    ingest.levelSet(BTC, 5, 2, 0, 98, 7); // old
    const s = ingest.symbolState(BTC)!;
    expect(s.counters.outOfOrder).toBe(2);
    expect(s.state).toBe('live');
    expect(books.levelQty(s.book, 0, 98)).toBe(1);
  });

  it('symbols are independent', () => {
    snap(BTC, 1);
    snap(ETH, 1);
    ingest.levelSet(ETH, 5, 1, 0, 50, 1); // gap on ETH
    expect(ingest.symbolState(ETH)!.state).toBe('stale');
    expect(ingest.symbolState(BTC)!.state).toBe('live');
    expect(ingest.symbolState(BTC)!.book).not.toBe(ingest.symbolState(ETH)!.book);
  });

  it('a level the book refuses is an integrity error: stale until the next snapshot', () => {
    snap(BTC, 1);
    ingest.levelChange(BTC, 2, 1, 0, 100, -6); // only 5 there
    const s = ingest.symbolState(BTC)!;
    expect(s.state).toBe('stale');
    expect(s.staleReason).toBe('integrity');
    expect(s.counters.rejected).toBe(1);
    ingest.levelSet(BTC, 3, 1, 0, 100.5, 1);
    expect(s.counters.droppedWhileStale).toBe(1);
  });

  it('a snapshot with a bad level leaves the symbol stale, not half-live', () => {
    ingest.snapshot(BTC, 1, 1, pairs(100, 5, 99.5, 3), 2, pairs(101, 4), 1);
    const s = ingest.symbolState(BTC)!;
    expect(s.state).toBe('stale');
    expect(s.staleReason).toBe('integrity');
    expect(ingest.quotable(BTC)).toBe(false);
  });

  it('crossed books are reported at the end of the batch and recover when uncrossed', () => {
    snap(BTC, 1);
    ingest.levelSet(BTC, 2, 1, 0, 101, 1); // bid at the ask
    ingest.endOfBatch(0);
    const s = ingest.symbolState(BTC)!;
    expect(s.crossed).toBe(true);
    expect(ingest.quotable(BTC)).toBe(false);
    expect(s.counters.crossedBatches).toBe(1);
    expect(events.at(-1)).toBe('stale BTCUSDT crossed');
    ingest.levelSet(BTC, 3, 1, 1, 101, 0);
    ingest.endOfBatch(0);
    expect(s.crossed).toBe(false);
    expect(events.at(-1)).toBe('live BTCUSDT');
  });

  it('a quiet feed goes stale-feed; any message or a heartbeat revives it', () => {
    const t0 = Number(process.hrtime.bigint()) + 1e9;
    ingest.setClock(t0);
    snap(BTC, 1);
    snap(ETH, 1);
    expect(ingest.checkStaleFeed(t0 + 0.5e9)).toBe(0);
    expect(ingest.checkStaleFeed(t0 + 1.5e9)).toBe(2); // BTC and ETH
    expect(ingest.quotable(BTC)).toBe(false);
    expect(events.slice(-2)).toEqual(['stale BTCUSDT stale-feed', 'stale ETHUSDT stale-feed']);
    ingest.setClock(t0 + 1.6e9);
    ingest.heartbeat(0);
    expect(ingest.quotable(BTC)).toBe(true);
    expect(events.slice(-2)).toEqual(['live BTCUSDT', 'live ETHUSDT']);
    expect(ingest.symbolState(BTC)!.counters.staleFeeds).toBe(1);
  });

  it('bad messages are counted and change nothing', () => {
    snap(BTC, 1);
    const s = ingest.symbolState(BTC)!;
    const before = books.topLevels(s.book, 10);
    ingest.levelSet(4242, 2, 1, 0, 100, 1); // unknown symbol
    ingest.levelSet(BTC, 2.5, 1, 0, 100, 1); // fractional seq
    ingest.levelSet(BTC, NaN, 1, 0, 100, 1);
    ingest.levelSet(BTC, -1, 1, 0, 100, 1);
    ingest.levelSet(BTC, 2, NaN, 0, 100, 1); // NaN timestamp
    ingest.trade(BTC, 2, 1, 3 as 0, 100, 1, 1); // bad side: consumes seq 2, counted malformed
    ingest.instrument({ symbolId: 70000, symbol: 'X', kind: 'spot', tickSize: '0.01', lotSize: '1', resolutionTsNs: 0 });
    expect(ingest.counters.unknownSymbol).toBe(1);
    expect(ingest.counters.malformed).toBe(6);
    expect(books.topLevels(s.book, 10)).toEqual(before);
    expect(s.state).toBe('live');
  });

  it('a repeated identical definition changes nothing; a changed grid resets the symbol', () => {
    snap(BTC, 1);
    ingest.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
    expect(ingest.symbolState(BTC)!.state).toBe('live');
    ingest.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.1', lotSize: '0.00001', resolutionTsNs: 0 });
    expect(ingest.symbolState(BTC)!.state).toBe('awaiting-snapshot');
    expect(events.at(-1)).toBe('stale BTCUSDT redefined');
    expect(ingest.symbolState(BTC)!.instrument.tickSize).toBe('0.1');
  });

  it('two ingests on one WASM core never share a book slot', () => {
    const other = new FeedIngest(books);
    other.instrument({ symbolId: 1, symbol: 'SOLUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.01', resolutionTsNs: 0 });
    other.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
    const used = [ingest.symbolState(BTC)!.book, ingest.symbolState(ETH)!.book];
    expect(used).not.toContain(other.symbolState(1)!.book);
    expect(used).not.toContain(other.symbolState(BTC)!.book); // same symbol name, another source: another book
  });

  it('definitions beyond the book slots, or with bad grids, are counted and refused, not thrown', () => {
    const fresh = new FeedIngest(new WasmBooks(instantiateCore('debug')));
    for (let i = 0; i < MAX_BOOKS; i++) fresh.instrument({ symbolId: i, symbol: `S${i}`, kind: 'spot', tickSize: '0.01', lotSize: '1', resolutionTsNs: 0 });
    expect(fresh.counters.refusedDefinitions).toBe(0);
    fresh.instrument({ symbolId: 1040, symbol: 'ONE-TOO-MANY', kind: 'spot', tickSize: '0.01', lotSize: '1', resolutionTsNs: 0 });
    fresh.instrument({ symbolId: 1041, symbol: 'BAD', kind: 'spot', tickSize: '0', lotSize: '1', resolutionTsNs: 0 });
    expect(fresh.counters.refusedDefinitions).toBe(2);
    fresh.levelSet(1040, 0, 1, 0, 100, 1);
    expect(fresh.counters.unknownSymbol).toBe(1);
    // closing gives every slot back to the core
    fresh.close();
    const next = new FeedIngest(fresh.books);
    next.instrument({ symbolId: 1040, symbol: 'ONE-TOO-MANY', kind: 'spot', tickSize: '0.01', lotSize: '1', resolutionTsNs: 0 });
    expect(next.counters.refusedDefinitions).toBe(0);
    expect(next.symbolState(1040)).toBeDefined();
  });

  it('invalidate (a source-level sync loss) makes the symbol stale', () => {
    snap(BTC, 1);
    ingest.invalidate(BTC);
    expect(ingest.symbolState(BTC)!.staleReason).toBe('invalidated');
    expect(ingest.quotable(BTC)).toBe(false);
  });
});
