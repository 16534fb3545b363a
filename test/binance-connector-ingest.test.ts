// The Binance adapter on the common ingest path: the real recordings replayed
// through adapter → FeedIngest → WASM book match every bookTicker; a removed depth
// message is a gap on the next event (stale, no quotes) until a later snapshot.
import { MAX_BOOKS } from '../src/wasm/layout.js';
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { SIDE_ASK, SIDE_BID } from '../src/wasm/layout.js';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import {
  BinanceIngestAdapter, BookTickerOracle, LocalBookSync, binanceInstrument, loadBinanceRecording,
  SYNC_APPLIED, SYNC_BUFFERED, SYNC_GAP,
  type BinanceMarket, type BinanceMessage, type BookTicker, type DecimalPair, type DepthSnapshot, type DepthUpdate,
} from '../src/feed/binance/index.js';
import type { Instrument } from '../src/orderbook/instrument.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/binance/${name}`, import.meta.url));
const books = new WasmBooks(instantiateCore());
const REF = 31; // the LocalBookSync reference slot (each new ingest takes slots from 0 up)

function load(file: string): BinanceMessage[] {
  const { messages, faults } = loadBinanceRecording(fixture(file));
  expect(faults).toEqual([]);
  return messages.map((m) => m.msg);
}
const depthOf = (msgs: BinanceMessage[]): DepthUpdate[] => msgs.filter((m): m is DepthUpdate => m.kind === 'depth');
const tickersOf = (msgs: BinanceMessage[]): BookTicker[] => msgs.filter((m): m is BookTicker => m.kind === 'bookTicker');

function snapshotFromBook(inst: Instrument, book: number, lastUpdateId: number, n: number): DepthSnapshot {
  const { bids, asks } = books.topLevels(book, n);
  const fmt = (l: { tick: number; qtyLot: number }): DecimalPair => [inst.price.format(l.tick), inst.qty.format(l.qtyLot)];
  return { kind: 'snapshot', lastUpdateId, bids: bids.map(fmt), asks: asks.map(fmt) };
}

function feed(adapter: BinanceIngestAdapter, symbol: string, m: BinanceMessage): number {
  return m.kind === 'snapshot' ? adapter.onSnapshot(symbol, m) : adapter.onMessage(m);
}

interface Harness {
  ingest: FeedIngest;
  adapter: BinanceIngestAdapter;
  events: string[];
  bookOf: () => number;
}

function harness(market: BinanceMarket, symbol: string, onApplied?: (u: number) => void): Harness {
  const events: string[] = [];
  const listener: IngestListener = {
    onStale(s, reason) { events.push(`stale ${s.symbol} ${reason}`); },
    onLive(s) { events.push(`live ${s.symbol}`); },
  };
  const ingest = new FeedIngest(books, { listener, staleFeedMs: 60_000 });
  const adapter = new BinanceIngestAdapter(ingest, {
    market, symbols: [{ symbol, symbolId: 42 }], onApplied: (_s, u) => onApplied?.(u),
  });
  return { ingest, adapter, events, bookOf: () => ingest.symbolState(42)!.book };
}

describe('Binance recordings through adapter → FeedIngest → WASM book', () => {
  const cases: [BinanceMarket, string, string, number][] = [
    ['spot', 'spot_btcusdt_20240808.gz', 'BTCUSDT', 564],
    ['spot', 'spot_ethusdt_20240808.gz', 'ETHUSDT', 577],
    ['usdm', 'usdm_btcusdt_20240808.gz', 'BTCUSDT', 629],
  ];
  for (const [market, file, symbol, expectedChecks] of cases) {
    it(`${market} ${symbol}: zero bookTicker mismatches, every ingest message in sequence`, () => {
      const msgs = load(file);
      const inst = binanceInstrument(market, symbol);
      const oracle = new BookTickerOracle(inst, tickersOf(msgs));
      let crossed = 0;
      const h = harness(market, symbol, (u) => {
        oracle.check(books, h.bookOf(), u);
        if (books.isCrossed(h.bookOf())) crossed++;
        expect(h.ingest.quotable(42)).toBe(true);
      });
      const ref = new LocalBookSync(books, REF, inst, market);
      expect(h.bookOf()).not.toBe(REF);
      let tradesBeforeLive = 0;
      for (const m of msgs) {
        if (m.kind === 'trade' && !h.adapter.quotable(symbol)) tradesBeforeLive++;
        feed(h.adapter, symbol, m);
        if (m.kind === 'depth') ref.onDepth(m); else if (m.kind === 'snapshot') ref.onSnapshot(m);
      }
      const c = h.adapter.counters;
      const s = h.ingest.symbolState(42)!;
      const top = h.adapter.topOfBook();
      console.log(`${market} ${symbol} via ingest: ${c.appliedEvents} depth events applied, ${oracle.checks} bookTicker checks, ` +
        `${oracle.mismatches.length} mismatches; live check ${top.checks} checks ${top.mismatches} mismatches; ` +
        `${s.counters.messages} ingest messages, last seq ${h.adapter.feed(symbol)!.counter.seq}`);
      expect(oracle.mismatches.slice(0, 5)).toEqual([]);
      expect(oracle.checks).toBe(expectedChecks);
      expect(top.mismatches).toBe(0);
      expect(top.checks).toBeGreaterThan(expectedChecks / 2);
      expect(crossed).toBe(0);
      expect(c.gaps).toBe(0);
      expect(c.rejectedEvents).toBe(0);
      expect(c.appliedEvents).toBe(ref.appliedEvents);
      expect(c.snapshots).toBe(1);
      // the ingest saw one contiguous sequence: snapshot, levels and trades
      expect(s.state).toBe('live');
      expect(h.ingest.quotable(42)).toBe(true);
      expect(s.counters.gaps).toBe(0);
      expect(s.counters.outOfOrder).toBe(0);
      expect(s.counters.rejected).toBe(0);
      expect(s.counters.snapshots).toBe(1);
      expect(s.nextSeq).toBe(h.adapter.feed(symbol)!.counter.seq + 1);
      expect(s.counters.droppedWhileStale).toBe(tradesBeforeLive);
      expect(s.counters.trades).toBe(c.trades - tradesBeforeLive);
      expect(h.ingest.counters.malformed).toBe(0);
      expect(h.events).toEqual([`live ${symbol}`]);
      // the same book as the direct LocalBookSync path, level for level
      expect(books.topLevels(h.bookOf(), 1024)).toEqual(books.topLevels(REF, 1024));
    });
  }
});

describe('gap on the ingest path', () => {
  for (const [market, file] of [['spot', 'spot_btcusdt_20240808.gz'], ['usdm', 'usdm_btcusdt_20240808.gz']] as [BinanceMarket, string][]) {
    it(`${market} BTCUSDT: a removed depth message → gap on the next event, stale with no quotes, a later snapshot resyncs`, () => {
      const msgs = load(file);
      const inst = binanceInstrument(market, 'BTCUSDT');
      const depth = depthOf(msgs);
      const removed = depth[1500]!;
      const prev = depth[1499]!;
      const next = depth[1501]!;
      const oracle = new BookTickerOracle(inst, tickersOf(msgs));
      let checking = false;
      const h = harness(market, 'BTCUSDT', (u) => { if (checking) oracle.check(books, h.bookOf(), u); });
      const gaps: string[] = [];
      const ref = new LocalBookSync(books, REF, inst, market);
      let resyncSnapshot: DepthSnapshot | null = null;
      let sawGap = false;
      let staleChecks = 0;
      for (const m of msgs) {
        if (m.kind === 'depth') ref.onDepth(m); else if (m.kind === 'snapshot') ref.onSnapshot(m);
        const di = m.kind === 'depth' ? depth.indexOf(m) : -1;
        if (di === 1521) resyncSnapshot = snapshotFromBook(inst, REF, ref.updateId, 1000);
        if (m === removed) { expect(h.adapter.quotable('BTCUSDT')).toBe(true); continue; }
        const r = feed(h.adapter, 'BTCUSDT', m);
        if (m === next) {
          sawGap = true;
          expect(r).toBe(SYNC_GAP);
          const gap = h.adapter.sync('BTCUSDT')!.lastGap!;
          gaps.push(gap.message);
          expect(gap.bookUpdateId).toBe(prev.finalUpdateId);
          expect(gap.finalUpdateId).toBe(next.finalUpdateId);
          expect(h.adapter.counters.gaps).toBe(1);
          expect(h.adapter.lastError?.code).toBe('SPREADCORE_ERR_SEQUENCE_GAP');
        }
        if (sawGap && di >= 1501 && di <= 1551) {
          // stale from the gap until the resync: no quotes, cleared book, events held
          if (di > 1501) expect(r).toBe(SYNC_BUFFERED);
          const s = h.ingest.symbolState(42)!;
          expect(s.state).toBe('stale');
          expect(s.staleReason).toBe('invalidated');
          expect(h.ingest.quotable(42)).toBe(false);
          expect(h.adapter.needsSnapshot('BTCUSDT')).toBe(true);
          expect(books.levelCount(h.bookOf(), SIDE_BID) + books.levelCount(h.bookOf(), SIDE_ASK)).toBe(0);
          staleChecks++;
        }
        if (di === 1551) {
          expect(resyncSnapshot).not.toBeNull();
          expect(h.adapter.onSnapshot('BTCUSDT', resyncSnapshot!)).toBe(SYNC_APPLIED);
          expect(h.ingest.quotable(42)).toBe(true);
          expect(h.adapter.sync('BTCUSDT')!.updateId).toBe(depth[1551]!.finalUpdateId);
          checking = true;
        }
      }
      expect(sawGap).toBe(true);
      expect(staleChecks).toBe(51);
      expect(gaps[0]).toContain(`after u=${prev.finalUpdateId}`);
      expect(h.events).toEqual(['live BTCUSDT', 'stale BTCUSDT invalidated', 'live BTCUSDT']);
      const s = h.ingest.symbolState(42)!;
      expect(s.counters.gaps).toBe(1); // counted by invalidate, once
      expect(s.counters.outOfOrder).toBe(0);
      expect(s.counters.snapshots).toBe(2);
      expect(s.nextSeq).toBe(h.adapter.feed('BTCUSDT')!.counter.seq + 1);
      expect(oracle.mismatches.slice(0, 5)).toEqual([]);
      expect(oracle.checks).toBeGreaterThan(200);
      expect(books.topLevels(h.bookOf(), 100)).toEqual(books.topLevels(REF, 100));
    });
  }
});

describe('moving a live book to another connection (snapshot + that connection\'s events)', () => {
  it('usdm BTCUSDT: the symbol stays quotable through the switch and matches the reference after it', () => {
    const msgs = load('usdm_btcusdt_20240808.gz');
    const inst = binanceInstrument('usdm', 'BTCUSDT');
    const depth = depthOf(msgs);
    const oracle = new BookTickerOracle(inst, tickersOf(msgs));
    const h = harness('usdm', 'BTCUSDT', (u) => oracle.check(books, h.bookOf(), u));
    const ref = new LocalBookSync(books, REF, inst, 'usdm');
    // connection B opens at depth[3000]; the snapshot is taken at depth[3010]; the switch happens at depth[3020]
    const standby: DepthUpdate[] = [];
    let snap: DepthSnapshot | null = null;
    for (const m of msgs) {
      if (m.kind === 'depth') ref.onDepth(m); else if (m.kind === 'snapshot') ref.onSnapshot(m);
      const di = m.kind === 'depth' ? depth.indexOf(m) : -1;
      if (di >= 3000 && di <= 3020) standby.push(m as DepthUpdate);
      if (di === 3010) snap = snapshotFromBook(inst, REF, ref.updateId, 1000);
      if (di >= 3001 && di <= 3020) continue; // connection A is retired: its events from here are not used
      if (di === 3021) {
        expect(h.ingest.quotable(42)).toBe(true);
        expect(h.adapter.onSnapshotWith('BTCUSDT', snap!, standby)).toBe(SYNC_APPLIED);
        expect(h.adapter.sync('BTCUSDT')!.updateId).toBe(depth[3020]!.finalUpdateId);
        expect(h.ingest.quotable(42)).toBe(true);
      }
      feed(h.adapter, 'BTCUSDT', m);
    }
    expect(h.events).toEqual(['live BTCUSDT']);
    expect(h.adapter.counters.gaps).toBe(0);
    expect(oracle.mismatches.slice(0, 5)).toEqual([]);
    expect(books.topLevels(h.bookOf(), 100)).toEqual(books.topLevels(REF, 100));
  });
});

describe('trades and bookTickers', () => {
  it('maps the aggressor side, drops repeated trade ids, uses only the selected trade stream', () => {
    const h = harness('spot', 'BTCUSDT');
    const msgs = load('spot_btcusdt_20240808.gz');
    for (const m of msgs.slice(0, 40)) feed(h.adapter, 'BTCUSDT', m);
    expect(h.adapter.quotable('BTCUSDT')).toBe(true);
    const seen: string[] = [];
    h.ingest.listener.onTrade = (s, side, tick, lots, _ts, id) => seen.push(`${s.symbol} ${side} ${tick} ${lots} ${id}`);
    const t = { kind: 'trade', symbol: 'BTCUSDT', tradeTimeMs: 1, eventTimeMs: 1 } as const;
    h.adapter.onMessage({ ...t, tradeId: 9_000_000_001, price: '61837.63', qty: '0.02', buyerIsMaker: true });
    h.adapter.onMessage({ ...t, tradeId: 9_000_000_002, price: '61837.64', qty: '0.5', buyerIsMaker: false });
    h.adapter.onMessage({ ...t, tradeId: 9_000_000_002, price: '61837.64', qty: '0.5', buyerIsMaker: false });
    h.adapter.onMessage({ ...t, tradeId: 9_000_000_003, price: '61837.645', qty: '0.5', buyerIsMaker: false });
    h.adapter.onMessage({ kind: 'aggTrade', symbol: 'BTCUSDT', aggTradeId: 5, firstTradeId: 1, lastTradeId: 1, price: '1.00', qty: '1', tradeTimeMs: 1, eventTimeMs: 1, buyerIsMaker: true });
    h.adapter.onMessage({ ...t, symbol: 'XRPUSDT', tradeId: 1, price: '1.00', qty: '1', buyerIsMaker: true });
    expect(seen).toEqual([`BTCUSDT ${SIDE_ASK} 6183763 20000 9000000001`, `BTCUSDT ${SIDE_BID} 6183764 500000 9000000002`]);
    const c = h.adapter.counters;
    expect([c.repeatedTrades, c.badTrades, c.ignoredTrades, c.unknownSymbol]).toEqual([1, 1, 1, 1]);
    expect(h.adapter.lastError?.message).toContain('XRPUSDT');
    const s = h.ingest.symbolState(42)!;
    expect(s.nextSeq).toBe(h.adapter.feed('BTCUSDT')!.counter.seq + 1);
  });

  it('a bookTicker that disagrees with the book at its update id is counted as a mismatch', () => {
    const h = harness('spot', 'BTCUSDT');
    const msgs = load('spot_btcusdt_20240808.gz');
    for (const m of msgs.slice(0, 40)) feed(h.adapter, 'BTCUSDT', m);
    const u = h.adapter.sync('BTCUSDT')!.updateId;
    const bid = books.bestBidTick(h.bookOf());
    const inst = binanceInstrument('spot', 'BTCUSDT');
    const ok = {
      kind: 'bookTicker', symbol: 'BTCUSDT', updateId: u, eventTimeMs: -1, transactTimeMs: -1,
      bidPrice: inst.price.format(bid), bidQty: inst.qty.format(books.bestBidQty(h.bookOf())),
      askPrice: inst.price.format(books.bestAskTick(h.bookOf())), askQty: inst.qty.format(books.bestAskQty(h.bookOf())),
    } as const;
    h.adapter.onMessage(ok);
    h.adapter.onMessage({ ...ok, bidPrice: inst.price.format(bid - 1) });
    h.adapter.onMessage({ ...ok, bidPrice: '1.001' }); // off the grid: counted, not compared
    const top = h.adapter.topOfBook();
    expect([top.checks, top.mismatches]).toEqual([2, 1]);
    expect(top.lastMismatch).toContain(`u=${u}`);
    expect(h.adapter.feed('BTCUSDT')!.topCheck.counters.offGrid).toBe(1);
  });
});

describe('sharing the ingest with other sources', () => {
  it('refuses symbolIds or symbols another source declared, and a declaration the ingest refuses', () => {
    const ingest = new FeedIngest(books);
    ingest.instrument({ symbolId: 7, symbol: 'SIM1', kind: 'spot', tickSize: '0.01', lotSize: '1', resolutionTsNs: 0 });
    expect(() => new BinanceIngestAdapter(ingest, { market: 'spot', symbols: [{ symbol: 'BTCUSDT', symbolId: 7 }] })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_PARAM', message: 'symbolId 7 is already SIM1 in the ingest' }));
    const a = new BinanceIngestAdapter(ingest, { market: 'spot', symbols: [{ symbol: 'BTCUSDT', symbolId: 8 }] });
    expect(a.feed('BTCUSDT')!.symbolId).toBe(8);
    expect(() => new BinanceIngestAdapter(ingest, { market: 'spot', symbols: [{ symbol: 'BTCUSDT', symbolId: 9 }] })).toThrowError(
      'BTCUSDT is already symbolId 8 in the ingest');
    // the same binding again (a new connector on the same ingest) is fine
    expect(new BinanceIngestAdapter(ingest, { market: 'spot', symbols: [{ symbol: 'BTCUSDT', symbolId: 8 }] }).symbols).toEqual(['BTCUSDT']);
    // every book slot taken by other symbols
    for (let i = 0; i < MAX_BOOKS - 2; i++) ingest.instrument({ symbolId: 100 + i, symbol: `SIM${i + 2}`, kind: 'spot', tickSize: '0.01', lotSize: '1', resolutionTsNs: 0 });
    expect(() => new BinanceIngestAdapter(ingest, { market: 'spot', symbols: [{ symbol: 'ETHUSDT', symbolId: 9 }] })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BOOK_FULL' }));
  });
});
