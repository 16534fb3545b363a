import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { SIDE_ASK, SIDE_BID } from '../src/wasm/layout.js';
import { SpreadcoreError } from '../src/errors.js';
import {
  loadBinanceRecording, readBinanceRecordingBuffer, binanceInstrument, parseBinanceMessage, parseBinanceJson,
  LocalBookSync, BookTickerOracle,
  SYNC_APPLIED, SYNC_BUFFERED, SYNC_GAP, SYNC_REJECTED, SYNC_WRONG_SYMBOL,
  type BinanceMarket, type BinanceMessage, type BookTicker, type DecimalPair, type DepthSnapshot, type DepthUpdate,
} from '../src/feed/binance/index.js';
import type { Instrument } from '../src/orderbook/instrument.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/binance/${name}`, import.meta.url));
const SPOT_BTC = fixture('spot_btcusdt_20240808.gz');
const USDM_BTC = fixture('usdm_btcusdt_20240808.gz');

const books = new WasmBooks(instantiateCore());

function load(path: string): BinanceMessage[] {
  const { messages, faults } = loadBinanceRecording(path);
  expect(faults).toEqual([]);
  return messages.map((m) => m.msg);
}
const depthOf = (msgs: BinanceMessage[]): DepthUpdate[] => msgs.filter((m): m is DepthUpdate => m.kind === 'depth');
const tickersOf = (msgs: BinanceMessage[]): BookTicker[] => msgs.filter((m): m is BookTicker => m.kind === 'bookTicker');
const snapshotOf = (msgs: BinanceMessage[]): DepthSnapshot => msgs.find((m): m is DepthSnapshot => m.kind === 'snapshot')!;

/** The top n levels of a book as a REST-style snapshot (decimal strings). */
function snapshotFromBook(inst: Instrument, book: number, lastUpdateId: number, n: number): DepthSnapshot {
  const { bids, asks } = books.topLevels(book, n);
  const fmt = (l: { tick: number; qtyLot: number }): DecimalPair => [inst.price.format(l.tick), inst.qty.format(l.qtyLot)];
  return { kind: 'snapshot', lastUpdateId, bids: bids.map(fmt), asks: asks.map(fmt) };
}

function bookIsEmpty(book: number): boolean {
  return books.levelCount(book, SIDE_BID) === 0 && books.levelCount(book, SIDE_ASK) === 0 &&
    books.bestBidTick(book) === -Infinity && books.bestAskTick(book) === Infinity;
}

function feed(sync: LocalBookSync, msg: BinanceMessage): number {
  if (msg.kind === 'depth') return sync.onDepth(msg);
  if (msg.kind === 'snapshot') return sync.onSnapshot(msg);
  return -1;
}

describe('gap after the snapshot, then resync from a new snapshot', () => {
  for (const [market, path, book] of [['spot', SPOT_BTC, 10], ['usdm', USDM_BTC, 12]] as [BinanceMarket, string, number][]) {
    it(`${market} BTCUSDT: one depth message removed → gap on the very next depth event; a later snapshot resyncs`, () => {
      const msgs = load(path);
      const inst = binanceInstrument(market, 'BTCUSDT');
      const depth = depthOf(msgs);
      const removed = depth[1500]!;
      const prev = depth[1499]!;
      const next = depth[1501]!;
      const removedAt = msgs.indexOf(removed);
      const nextAt = msgs.indexOf(next);

      // reference: the untouched stream on another slot, to build the resync snapshot from
      const refBook = book + 1;
      const ref = new LocalBookSync(books, refBook, inst, market);
      const oracle = new BookTickerOracle(inst, tickersOf(msgs));
      let checking = false;
      const sync = new LocalBookSync(books, book, inst, market, {
        onApplied(u) { if (checking) oracle.check(books, book, u); },
      });

      const depthIdx = (m: BinanceMessage): number => (m.kind === 'depth' ? depth.indexOf(m) : -1);
      let snapshotForResync: DepthSnapshot | null = null;
      let sawGap = false;
      for (let i = 0; i < msgs.length; i++) {
        const m = msgs[i]!;
        feed(ref, m);
        const di = depthIdx(m);
        // the REST snapshot is taken 20 events after the gap and arrives 30 events later:
        // the events buffered in between are replayed on top of it
        if (di === 1521) snapshotForResync = snapshotFromBook(inst, refBook, ref.updateId, 1000);
        if (i === removedAt) { expect(sync.state).toBe('live'); continue; }
        const r = feed(sync, m);
        if (i === nextAt) {
          expect(r).toBe(SYNC_GAP);
          sawGap = true;
          const gap = sync.lastGap!;
          expect(gap.rule).toBe('continuity');
          expect(gap.bookUpdateId).toBe(prev.finalUpdateId);
          expect(gap.finalUpdateId).toBe(next.finalUpdateId);
          if (market === 'spot') {
            expect(gap.field).toBe('U');
            expect(gap.expected).toBe(prev.finalUpdateId + 1);
            expect(gap.expected).toBe(removed.firstUpdateId);
            expect(gap.received).toBe(next.firstUpdateId);
            expect(gap.message).toBe(`BTCUSDT spot: sequence gap after u=${prev.finalUpdateId}: ` +
              `expected U=${removed.firstUpdateId}, received U=${next.firstUpdateId} (event U=${next.firstUpdateId} u=${next.finalUpdateId})`);
          } else {
            expect(gap.field).toBe('pu');
            expect(gap.expected).toBe(prev.finalUpdateId);
            expect(gap.received).toBe(removed.finalUpdateId);
          }
          expect(gap.message).toContain(`expected ${gap.field}=${gap.expected}, received ${gap.field}=${gap.received}`);
          expect(sync.lastError?.code).toBe('SPREADCORE_ERR_SEQUENCE_GAP');
          expect(sync.state).toBe('stale');
          expect(sync.quotable).toBe(false);
          expect(sync.needsSnapshot).toBe(true);
          expect(sync.gaps).toBe(1);
          expect(bookIsEmpty(book)).toBe(true);
          expect(sync.bufferedCount).toBe(1);
        } else if (sawGap && di > 1501 && di <= 1551) {
          expect(r).toBe(SYNC_BUFFERED);
          expect(sync.quotable).toBe(false);
          expect(bookIsEmpty(book)).toBe(true);
        }
        if (di === 1551) {
          expect(sync.bufferedCount).toBe(51);
          expect(snapshotForResync).not.toBeNull();
          expect(sync.onSnapshot(snapshotForResync!), sync.lastError?.message).toBe(SYNC_APPLIED);
          // 21 buffered events were dropped (u <= lastUpdateId), the other 30 applied on top
          expect(sync.state).toBe('live');
          expect(sync.quotable).toBe(true);
          expect(sync.updateId).toBe(depth[1551]!.finalUpdateId);
          expect(sync.bufferedCount).toBe(0);
          checking = true;
        }
      }
      expect(sawGap).toBe(true);
      expect(sync.state).toBe('live');
      expect(sync.gaps).toBe(1);
      expect(sync.snapshots).toBe(2);
      expect(sync.updateId).toBe(depth[depth.length - 1]!.finalUpdateId);
      // after the resync the rebuilt top of book matches Binance's bookTicker again
      expect(oracle.mismatches.slice(0, 5)).toEqual([]);
      expect(oracle.checks).toBeGreaterThan(200);
      // and the top 100 levels equal the uninterrupted book's
      expect(books.topLevels(book, 100)).toEqual(books.topLevels(refBook, 100));
    });
  }
});

describe('gap before the snapshot', () => {
  it('spot: without the buffered event that bridges the snapshot, the first live event is a gap', () => {
    const msgs = load(SPOT_BTC);
    const snap = snapshotOf(msgs);
    const L = snap.lastUpdateId; // 50093239218
    const bridging = depthOf(msgs).find((d) => d.firstUpdateId <= L + 1 && d.finalUpdateId >= L + 1)!;
    expect([bridging.firstUpdateId, bridging.finalUpdateId]).toEqual([50093239208, 50093239224]);
    expect(msgs.indexOf(bridging)).toBeLessThan(msgs.indexOf(snap)); // it was written before the snapshot
    const gapped = msgs.filter((m) => m !== bridging);
    const firstAfter = depthOf(gapped).find((d) => d.finalUpdateId > L)!;

    const inst = binanceInstrument('spot', 'BTCUSDT');
    const sync = new LocalBookSync(books, 14, inst, 'spot');
    let outcome = -1;
    for (const m of gapped) {
      const r = feed(sync, m);
      if (m === snap) {
        expect(r).toBe(SYNC_APPLIED); // the two older buffered events are dropped
        expect(sync.state).toBe('syncing');
        expect(sync.quotable).toBe(false);
        expect(sync.droppedEvents).toBe(2);
      }
      if (m === firstAfter) { outcome = r; break; }
    }
    expect(outcome).toBe(SYNC_GAP);
    expect(sync.lastGap).toMatchObject({
      rule: 'first-event', field: 'U', expected: L + 1, received: 50093239225, bookUpdateId: L,
      firstUpdateId: 50093239225, finalUpdateId: 50093239237,
    });
    expect(sync.lastError?.code).toBe('SPREADCORE_ERR_SEQUENCE_GAP');
    expect(sync.lastError?.message).toBe(
      'BTCUSDT spot: no event bridges snapshot lastUpdateId=50093239218: expected U <= 50093239219 <= u, received U=50093239225 u=50093239237');
    expect(sync.state).toBe('stale');
    expect(bookIsEmpty(14)).toBe(true);

    // the same snapshot again cannot resync (the buffer starts after it) ...
    expect(sync.onSnapshot(snap)).toBe(SYNC_GAP);
    expect(sync.state).toBe('stale');
    // ... a fresh run with the original stream does
    const fresh = new LocalBookSync(books, 15, inst, 'spot');
    for (const m of msgs) feed(fresh, m);
    expect(fresh.state).toBe('live');
    expect(fresh.gaps).toBe(0);
  });

  it('usdm: a snapshot older than every buffered event is a first-event gap on pu/U', () => {
    const msgs = load(USDM_BTC);
    const depth = depthOf(msgs);
    const inst = binanceInstrument('usdm', 'BTCUSDT');
    const sync = new LocalBookSync(books, 16, inst, 'usdm');
    for (const d of depth.slice(0, 10)) expect(sync.onDepth(d)).toBe(SYNC_BUFFERED);
    const old = { ...snapshotOf(msgs), lastUpdateId: depth[0]!.prevFinalUpdateId - 1 };
    expect(sync.onSnapshot(old)).toBe(SYNC_GAP);
    expect(sync.lastGap).toMatchObject({
      rule: 'first-event', field: 'U', expected: old.lastUpdateId, received: depth[0]!.firstUpdateId,
      prevFinalUpdateId: depth[0]!.prevFinalUpdateId,
    });
    expect(sync.state).toBe('stale');
    expect(sync.bufferedCount).toBe(10);
    // a snapshot that falls between two events (pu <= lastUpdateId < U) bridges
    const between = { ...old, lastUpdateId: depth[0]!.prevFinalUpdateId };
    expect(sync.onSnapshot(between)).toBe(SYNC_APPLIED);
    expect(sync.state).toBe('live');
    expect(sync.updateId).toBe(depth[9]!.finalUpdateId);
  });
});

describe('malformed input', () => {
  it('bad JSON in the recording is a fault with its line number; skipping it makes the next depth event a gap', () => {
    const lines = gunzipSync(readFileSync(SPOT_BTC)).toString('utf8').split('\n');
    // line 100 (1-based) is a depth event: cut it in half
    const badLineNo = lines.findIndex((l, i) => i > 50 && l.includes('"depthUpdate"')) + 1;
    const original = lines[badLineNo - 1]!;
    lines[badLineNo - 1] = original.slice(0, original.length >> 1);
    const items = [...readBinanceRecordingBuffer(Buffer.from(lines.join('\n')))];
    const faults = items.filter((x) => x.kind === 'fault');
    expect(faults).toHaveLength(1);
    expect(faults[0]!.lineNo).toBe(badLineNo);
    expect(faults[0]!.error).toBeInstanceOf(SpreadcoreError);
    expect(faults[0]!.error.code).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(faults[0]!.error.message).toMatch(new RegExp(`^recording line ${badLineNo}: bad JSON`));

    const removed = parseBinanceJson(original.slice(original.indexOf(' ') + 1)) as DepthUpdate;
    const inst = binanceInstrument('spot', 'BTCUSDT');
    const sync = new LocalBookSync(books, 17, inst, 'spot');
    let gapAt = -1;
    for (const x of items) {
      if (x.kind !== 'message') continue;
      if (feed(sync, x.msg) === SYNC_GAP) { gapAt = x.lineNo; break; }
    }
    const nextDepthLine = lines.findIndex((l, i) => i >= badLineNo && l.includes('"depthUpdate"')) + 1;
    expect(gapAt).toBe(nextDepthLine);
    expect(sync.lastGap?.expected).toBe(removed.firstUpdateId);
    expect(sync.state).toBe('stale');
  });

  function liveSync(book: number): { sync: LocalBookSync; msgs: BinanceMessage[]; nextDepth: DepthUpdate } {
    const msgs = load(SPOT_BTC);
    const sync = new LocalBookSync(books, book, binanceInstrument('spot', 'BTCUSDT'), 'spot');
    const depth = depthOf(msgs);
    const stop = msgs.indexOf(depth[100]!);
    for (const m of msgs.slice(0, stop)) feed(sync, m);
    expect(sync.state).toBe('live');
    return { sync, msgs, nextDepth: depth[100]! };
  }

  it('a NaN quantity rejects the whole event before anything is applied', () => {
    const { sync, nextDepth } = liveSync(18);
    const updatesBefore = books.updates(18);
    const bids = [...nextDepth.bids, ['61000.00', 'NaN'] as const];
    const bad: DepthUpdate = { ...nextDepth, bids };
    expect(nextDepth.bids.length + nextDepth.asks.length).toBeGreaterThan(0);
    expect(sync.onDepth(bad)).toBe(SYNC_REJECTED);
    expect(books.updates(18)).toBe(updatesBefore); // none of the valid levels was applied
    expect(books.stagedCount).toBe(0);
    expect(sync.lastError?.code).toBe('SPREADCORE_ERR_BAD_DECIMAL');
    expect(sync.lastError?.message).toBe(
      `BTCUSDT spot depth event u=${nextDepth.finalUpdateId}: bid level ${bids.length - 1} quantity must be a decimal string like "123.45", got "NaN"`);
    expect(sync.rejectedEvents).toBe(1);
    expect(sync.state).toBe('stale');
    expect(sync.quotable).toBe(false);
    expect(bookIsEmpty(18)).toBe(true);
  });

  it('an off-grid price rejects the event with SPREADCORE_ERR_OFF_GRID', () => {
    const { sync, nextDepth } = liveSync(19);
    const bad: DepthUpdate = { ...nextDepth, asks: [['61837.645', '1.00000000']] };
    expect(sync.onDepth(bad)).toBe(SYNC_REJECTED);
    expect(sync.lastError?.code).toBe('SPREADCORE_ERR_OFF_GRID');
    expect(sync.lastError?.message).toBe(
      `BTCUSDT spot depth event u=${nextDepth.finalUpdateId}: ask level 0 price 61837.645 is not a whole multiple of 0.01`);
    expect(sync.state).toBe('stale');
  });

  it('a depth event for another symbol changes nothing', () => {
    const { sync, nextDepth } = liveSync(20);
    const bid = books.bestBidTick(20);
    const updates = books.updates(20);
    expect(sync.onDepth({ ...nextDepth, symbol: 'ETHUSDT' })).toBe(SYNC_WRONG_SYMBOL);
    expect(sync.lastError?.code).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(sync.lastError?.message).toBe(
      `depth event for ETHUSDT (u=${nextDepth.finalUpdateId}) sent to the BTCUSDT spot book`);
    expect(sync.state).toBe('live');
    expect(books.bestBidTick(20)).toBe(bid);
    expect(books.updates(20)).toBe(updates);
    // and the real event still applies
    expect(sync.onDepth(nextDepth)).toBe(SYNC_APPLIED);
  });

  it('unknown symbols, NaN scalars and unknown shapes are coded errors', () => {
    expect(() => binanceInstrument('spot', 'XRPUSDT')).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT', message: 'unknown Binance spot symbol "XRPUSDT" (known: BTCUSDT, ETHUSDT)' }));
    expect(() => binanceInstrument('usdm', 'SOLUSDT')).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT', message: 'unknown Binance usdm symbol "SOLUSDT" (known: BTCUSDT, ETHUSDT)' }));
    expect(() => parseBinanceMessage({ u: 1, s: 'BTCUSDT', b: 'NaN', B: '1', a: '2', A: '1' })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_DECIMAL', message: 'Binance bookTicker: field "b" must be a decimal string like "123.45", got "NaN"' }));
    expect(() => parseBinanceMessage({ e: 'trade', E: 1, T: 1, s: 'BTCUSDT', t: 5, p: '61000.00', q: '1e-3', m: true })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_DECIMAL' }));
    expect(() => parseBinanceMessage({ e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: 'x', u: 2, b: [], a: [] })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT', message: 'Binance depthUpdate: field "U" must be a non-negative integer below 2^53, got "x"' }));
    expect(() => parseBinanceMessage({ e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: 1, u: 2, b: [['1.00']], a: [] })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT', message: 'Binance depthUpdate: "b"[0] must be a [price, qty] pair of strings, got ["1.00"]' }));
    expect(() => parseBinanceMessage({ stream: 'btcusdt@kline_1m', data: { e: 'kline' } })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT', message: 'Binance message: unsupported event type "kline"' }));
    expect(() => parseBinanceJson('{"e":"trade",')).toThrowError(expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT' }));
  });

  it('a futures depth event without pu is rejected', () => {
    const msgs = load(USDM_BTC);
    const sync = new LocalBookSync(books, 21, binanceInstrument('usdm', 'BTCUSDT'), 'usdm');
    const d = depthOf(msgs)[0]!;
    expect(sync.onDepth({ ...d, prevFinalUpdateId: -1 })).toBe(SYNC_REJECTED);
    expect(sync.lastError?.message).toBe(`BTCUSDT usdm depth event u=${d.finalUpdateId} has no "pu" (previous final update id)`);
    expect(sync.bufferedCount).toBe(0);
    expect(sync.state).toBe('awaiting-snapshot');
  });
});
