// Converted depth levels kept across replays of the same parsed messages (a backtest
// running a recording again): adapters sharing a level cache leave the same books and
// counters as an adapter without one, on the real USD-M recording and with an off-grid
// level (refused every time, from the cache too); a different grid gets its own entries.
import { describe, it, expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { BinanceIngestAdapter, loadBinanceRecording, type BinanceMessage, type DepthUpdate } from '../src/feed/binance/index.js';
import type { LevelCache } from '../src/feed/binance/depth-sync.js';

const books = new WasmBooks(instantiateCore());
const fixture = fileURLToPath(new URL('./fixtures/binance/usdm_btcusdt_20240808.gz', import.meta.url));
const { messages } = loadBinanceRecording(fixture);
const msgs: BinanceMessage[] = messages.map((m) => m.msg);

function replay(list: readonly BinanceMessage[], levelCache?: LevelCache, tick?: string): { top: unknown; counters: unknown } {
  const ingest = new FeedIngest(books, { staleFeedMs: 1e9 });
  try {
    const instruments = tick === undefined ? undefined : [{ market: 'usdm' as const, symbol: 'BTCUSDT', tickSize: tick, lotSize: '0.001', orderLotSize: '0.001' }];
    const adapter = new BinanceIngestAdapter(ingest, { market: 'usdm', symbols: [{ symbol: 'BTCUSDT', symbolId: 0 }], levelCache, instruments });
    for (const m of list) {
      if (m.kind === 'snapshot') adapter.onSnapshot('BTCUSDT', m);
      else adapter.onMessage(m);
    }
    return { top: books.topLevels(ingest.symbolState(0)!.book, 50), counters: { ...adapter.counters } };
  } finally {
    ingest.close();
  }
}

describe('depth level cache', () => {
  it('the same books and counters with and without the cache, first and later replays', () => {
    const plain = replay(msgs);
    const cache: LevelCache = new Map();
    expect(replay(msgs, cache)).toEqual(plain);
    expect(replay(msgs, cache)).toEqual(plain);
    expect(cache.size).toBe(1);
  });

  it('an off-grid level is refused from the cache as the first time', () => {
    const i = msgs.findIndex((m, k) => m.kind === 'depth' && k > msgs.length / 2);
    const ev = msgs[i] as DepthUpdate;
    const bad: DepthUpdate = { ...ev, bids: [['0.05', ev.bids[0]![1]], ...ev.bids.slice(1)] };
    const list = [...msgs.slice(0, i), bad, ...msgs.slice(i + 1)];
    const plain = replay(list);
    expect((plain.counters as { rejectedEvents: number }).rejectedEvents).toBeGreaterThan(0);
    const cache: LevelCache = new Map();
    expect(replay(list, cache)).toEqual(plain);
    expect(replay(list, cache)).toEqual(plain);
  });

  it('each grid has its own converted levels', () => {
    const cache: LevelCache = new Map();
    const fine = replay(msgs, cache);
    const coarse = replay(msgs, cache, '0.5');
    expect(cache.size).toBe(2);
    expect(coarse).toEqual(replay(msgs, undefined, '0.5'));
    expect(coarse).not.toEqual(fine);
  });
});
