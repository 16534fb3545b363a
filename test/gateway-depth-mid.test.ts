// GET /api/market/depth's mid_price is computed on the tick grid: (bidTick + askTick)
// / 2 ticks as an exact decimal, then a number — 50000.12, never the float average
// 50000.119999999995; half a tick is an exact decimal too (50000.115).
import { describe, expect, it } from 'vitest';
import { midPriceText } from '../src/engine/engine-views.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { depthView } from '../src/gateway/routes-depth.js';
import { Instrument } from '../src/orderbook/instrument.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const books = new WasmBooks(instantiateCore('debug'));

function depthOf(tickSize: string, bid: number, ask: number): ReturnType<typeof depthView> {
  const ingest = new FeedIngest(books);
  try {
    ingest.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize, lotSize: '0.001', resolutionTsNs: 0 });
    ingest.snapshot(1, 1, 1, Float64Array.of(bid, 1000), 1, Float64Array.of(ask, 2000), 1);
    ingest.endOfBatch(0);
    return depthView(ingest, 'BTCUSDT', 5);
  } finally {
    ingest.close();
  }
}

describe('depth mid_price on the tick grid', () => {
  it('the hostile case: bid 50000.11, ask 50000.13 → 50000.12', () => {
    const d = depthOf('0.01', 5_000_011, 5_000_013);
    expect(d.bids[0]!.price).toBe(50000.11);
    expect(d.asks[0]!.price).toBe(50000.13);
    expect(d.mid_price).toBe(50000.12);
    expect(JSON.stringify(d)).toContain('"mid_price":50000.12}');
    expect(d.spread).toBe(0.02);
  });

  it('half a tick is exact: bid 50000.11, ask 50000.12 → 50000.115', () => {
    expect(depthOf('0.01', 5_000_011, 5_000_012).mid_price).toBe(50000.115);
  });

  it('every mid of a range of books equals the number of its exact decimal', () => {
    for (const [tick, scale] of [['0.01', 2], ['0.5', 1], ['0.00001', 5], ['0.25', 2]] as const) {
      const inst = new Instrument({ symbol: 'X', tickSize: tick, lotSize: '1' });
      const step = BigInt(Math.round(Number(tick) * 10 ** scale));
      for (let bid = 4_999_990; bid < 5_000_030; bid += 3) {
        for (const gap of [1, 2, 3, 7, 10]) {
          const ask = bid + gap;
          // exact: (bid + ask) × step / 2 = (bid + ask) × step × 5 / 10^(scale + 1)
          const n = BigInt(bid + ask) * step * 5n;
          const s = n.toString().padStart(scale + 2, '0');
          const exact = `${s.slice(0, s.length - scale - 1)}.${s.slice(s.length - scale - 1)}`;
          const text = midPriceText(inst, bid, ask)!;
          expect(Number(text), `${tick} ${bid} ${ask}`).toBe(Number(exact));
          expect(text).not.toMatch(/e/i);
        }
      }
    }
  });

  it('tiny grids never come back in exponent notation; an empty side is null', () => {
    const inst = new Instrument({ symbol: 'X', tickSize: '0.00000001', lotSize: '1' });
    expect(midPriceText(inst, 1, 2)).toBe('0.000000015');
    expect(midPriceText(inst, 0, 1)).toBe('0.000000005');
    const ingest = new FeedIngest(books);
    ingest.instrument({ symbolId: 1, symbol: 'ETHUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
    ingest.snapshot(1, 1, 1, Float64Array.of(100, 1), 1, new Float64Array(0), 0);
    ingest.endOfBatch(0);
    expect(depthView(ingest, 'ETHUSDT', 5)).toMatchObject({ mid_price: null, spread: null });
    ingest.close();
  });
});
