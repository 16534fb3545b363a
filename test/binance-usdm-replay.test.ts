import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import {
  readBinanceRecordingFile, binanceInstrument, LocalBookSync, BookTickerOracle,
  SYNC_APPLIED, SYNC_BUFFERED, SYNC_DROPPED, SYNC_OUTCOME_NAMES,
  type BinanceRecordedMessage, type BookTicker, type DepthSnapshot, type DepthUpdate,
} from '../src/feed/binance/index.js';

const file = fileURLToPath(new URL('./fixtures/binance/usdm_btcusdt_20240808.gz', import.meta.url));

describe('Binance USD-M futures local book rebuilt from the recording', () => {
  it('BTCUSDT: best bid/ask equal every matching bookTicker exactly (streamed from the gzip file)', async () => {
    const messages: BinanceRecordedMessage[] = [];
    for await (const item of readBinanceRecordingFile(file)) {
      if (item.kind === 'fault') throw item.error;
      messages.push(item);
    }
    expect(messages).toHaveLength(93_954);
    const depth = messages.flatMap((m) => (m.msg.kind === 'depth' ? [m.msg] : [])) as DepthUpdate[];
    const tickers = messages.flatMap((m) => (m.msg.kind === 'bookTicker' ? [m.msg] : [])) as BookTicker[];
    const snaps = messages.flatMap((m) => (m.msg.kind === 'snapshot' ? [m.msg] : [])) as DepthSnapshot[];
    expect(depth).toHaveLength(6_551);
    expect(snaps).toHaveLength(1);
    const lastUpdateId = snaps[0]!.lastUpdateId;
    // every futures depth event carries pu, chained to the previous event's u
    for (let i = 1; i < depth.length; i++) expect(depth[i]!.prevFinalUpdateId).toBe(depth[i - 1]!.finalUpdateId);

    const inst = binanceInstrument('usdm', 'BTCUSDT');
    const oracle = new BookTickerOracle(inst, tickers);
    const books = new WasmBooks(instantiateCore());
    const book = 7;
    let crossed = 0;
    const appliedIds: number[] = [];
    const sync = new LocalBookSync(books, book, inst, 'usdm', {
      onApplied(u) {
        appliedIds.push(u);
        oracle.check(books, book, u);
        if (books.isCrossed(book)) crossed++;
      },
    });
    const outcomes = [0, 0, 0, 0, 0, 0];
    for (const { msg } of messages) {
      if (msg.kind === 'depth') outcomes[sync.onDepth(msg)]!++;
      else if (msg.kind === 'snapshot') expect(sync.onSnapshot(msg), sync.lastError?.message).toBe(SYNC_APPLIED);
    }

    // futures keep events with u >= lastUpdateId; the first applied one straddles the snapshot
    const kept = depth.filter((d) => d.finalUpdateId >= lastUpdateId);
    const first = kept[0]!;
    expect(first.firstUpdateId).toBeLessThanOrEqual(lastUpdateId);
    expect(first.finalUpdateId).toBeGreaterThanOrEqual(lastUpdateId);
    expect(appliedIds[0]).toBe(first.finalUpdateId);
    expect(appliedIds).toEqual(kept.map((d) => d.finalUpdateId));
    const expectedChecks = kept.filter((d) => oracle.has(d.finalUpdateId)).length;

    console.log(`BTCUSDT usdm: ${depth.length} depth events, ${sync.appliedEvents} applied ` +
      `(${sync.appliedLevels} levels), ${oracle.checks} bookTicker checks, ${oracle.mismatches.length} mismatches; outcomes ` +
      SYNC_OUTCOME_NAMES.map((n, i) => `${n}=${outcomes[i]}`).join(' '));

    expect(oracle.mismatches.slice(0, 5)).toEqual([]);
    expect(oracle.checks).toBe(expectedChecks);
    expect(oracle.checks).toBeGreaterThanOrEqual(625); // the recording gives 629
    expect(sync.state).toBe('live');
    expect(sync.quotable).toBe(true);
    expect(sync.gaps).toBe(0);
    expect(sync.rejectedEvents).toBe(0);
    expect(sync.appliedEvents).toBe(kept.length);
    expect(sync.droppedEvents).toBe(depth.length - kept.length);
    expect(sync.appliedLevels).toBeGreaterThan(400_000);
    const snapLine = messages.findIndex((m) => m.msg.kind === 'snapshot');
    const heldCount = messages.slice(0, snapLine).filter((m) => m.msg.kind === 'depth').length;
    expect(heldCount).toBeGreaterThan(0);
    expect(outcomes[SYNC_BUFFERED]).toBe(heldCount);
    expect(outcomes[SYNC_APPLIED]! + outcomes[SYNC_DROPPED]!).toBe(depth.length - heldCount);
    expect(crossed).toBe(0);
    expect(books.errors(book)).toBe(0);
  });
});
