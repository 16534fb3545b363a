import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import {
  loadBinanceRecording, binanceInstrument, LocalBookSync, BookTickerOracle,
  SYNC_APPLIED, SYNC_BUFFERED, SYNC_DROPPED, SYNC_OUTCOME_NAMES,
  type BookTicker, type DepthSnapshot, type DepthUpdate,
} from '../src/feed/binance/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/binance/${name}`, import.meta.url));

// [file, symbol, lower bound on bookTicker checks (the recordings give 564 and 577)]
const cases: [string, string, number][] = [
  ['spot_btcusdt_20240808.gz', 'BTCUSDT', 560],
  ['spot_ethusdt_20240808.gz', 'ETHUSDT', 570],
];

describe('Binance spot local book rebuilt from the recording', () => {
  const books = new WasmBooks(instantiateCore());

  for (const [file, symbol, minChecks] of cases) {
    it(`${symbol}: best bid/ask equal every matching bookTicker exactly`, () => {
      const { messages, faults } = loadBinanceRecording(fixture(file));
      expect(faults).toEqual([]);
      const depth = messages.flatMap((m) => (m.msg.kind === 'depth' ? [m.msg] : [])) as DepthUpdate[];
      const tickers = messages.flatMap((m) => (m.msg.kind === 'bookTicker' ? [m.msg] : [])) as BookTicker[];
      const snaps = messages.flatMap((m) => (m.msg.kind === 'snapshot' ? [m.msg] : [])) as DepthSnapshot[];
      expect(snaps).toHaveLength(1);
      const lastUpdateId = snaps[0]!.lastUpdateId;

      const inst = binanceInstrument('spot', symbol);
      const oracle = new BookTickerOracle(inst, tickers);
      const book = 3;
      let crossed = 0;
      const sync = new LocalBookSync(books, book, inst, 'spot', {
        onApplied(u) {
          oracle.check(books, book, u);
          if (books.isCrossed(book)) crossed++;
        },
      });
      const outcomes = [0, 0, 0, 0, 0, 0];
      for (const { msg } of messages) {
        if (msg.kind === 'depth') outcomes[sync.onDepth(msg)]!++;
        else if (msg.kind === 'snapshot') expect(sync.onSnapshot(msg), sync.lastError?.message).toBe(SYNC_APPLIED);
      }

      // independent expectations from the file itself
      const before = depth.filter((d) => d.finalUpdateId <= lastUpdateId).length;
      const after = depth.length - before;
      const expectedChecks = depth.filter((d) => d.finalUpdateId > lastUpdateId && oracle.has(d.finalUpdateId)).length;
      console.log(`${symbol} spot: ${depth.length} depth events, ${sync.appliedEvents} applied ` +
        `(${sync.appliedLevels} levels), ${oracle.checks} bookTicker checks, ${oracle.mismatches.length} mismatches; outcomes ` +
        SYNC_OUTCOME_NAMES.map((n, i) => `${n}=${outcomes[i]}`).join(' '));

      expect(oracle.mismatches.slice(0, 5)).toEqual([]);
      expect(oracle.checks).toBe(expectedChecks);
      expect(oracle.checks).toBeGreaterThanOrEqual(minChecks);
      expect(sync.state).toBe('live');
      expect(sync.quotable).toBe(true);
      expect(sync.gaps).toBe(0);
      expect(sync.rejectedEvents).toBe(0);
      expect(sync.appliedEvents).toBe(after);
      expect(sync.droppedEvents).toBe(before);
      expect(sync.appliedLevels).toBeGreaterThan(100_000);
      expect(sync.updateId).toBe(depth[depth.length - 1]!.finalUpdateId);
      // the depth events written before the snapshot line were held, then replayed
      const snapLine = messages.findIndex((m) => m.msg.kind === 'snapshot');
      const heldCount = messages.slice(0, snapLine).filter((m) => m.msg.kind === 'depth').length;
      expect(heldCount).toBeGreaterThan(0);
      expect(outcomes[SYNC_BUFFERED]).toBe(heldCount);
      expect(outcomes[SYNC_APPLIED]! + outcomes[SYNC_DROPPED]!).toBe(depth.length - heldCount);
      expect(crossed).toBe(0);
      expect(books.errors(book)).toBe(0);
    });
  }
});
