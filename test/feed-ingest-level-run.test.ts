// FeedIngest.levelSetRun (one call for a depth event's levels, as the Binance depth
// target uses it) against the same levels through levelSet one by one (fast-check):
// the same books, states, counters, listener calls and batches after every step, with
// gaps, repeats, levels the book refuses, stale and stale-feed symbols, unknown symbols.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const books = new WasmBooks(instantiateCore('debug'));
const BTC = 3;
const FEED_STALE_NS = 1e9;

type Op =
  | { op: 'snapshot'; delta: number }
  | { op: 'run'; sym: number; delta: number; ts: number; levels: [number, number][]; nBids: number }
  | { op: 'trade'; delta: number }
  | { op: 'end' }
  | { op: 'quiet' };

function setup(): { ingest: FeedIngest; log: string[] } {
  const log: string[] = [];
  const ingest = new FeedIngest(books, {
    staleFeedMs: FEED_STALE_NS / 1e6,
    listener: {
      onBatch(_i, dirty, n) { log.push(`batch ${[...dirty.subarray(0, n)].join(',')}`); },
      onStale(s, reason) { log.push(`stale ${s.symbol} ${reason}`); },
      onLive(s) { log.push(`live ${s.symbol}`); },
      onTrade(s, side, tick, qty) { log.push(`trade ${s.symbol} ${side} ${tick} ${qty}`); },
    },
  });
  ingest.setClock(0);
  ingest.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
  return { ingest, log };
}

function view(ingest: FeedIngest): unknown {
  const s = ingest.symbolState(BTC)!;
  return {
    state: s.state, reason: s.staleReason, crossed: s.crossed, staleFeed: s.staleFeed, nextSeq: s.nextSeq, ts: s.lastTsExchNs,
    mono: s.lastMsgMonoNs, counters: { ...s.counters }, ingest: { ...ingest.counters }, top: books.topLevels(s.book, 20),
  };
}

const level = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.integer({ min: 90, max: 110 }), fc.integer({ min: 0, max: 5 })) },
  { weight: 1, arbitrary: fc.constantFrom<[number, number]>([100.5, 1], [101, -1], [-3, 1]) }, // refused by the book
);
const delta = fc.oneof({ weight: 20, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-3, -1, 1, 2) });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: delta.map((d) => ({ op: 'snapshot' as const, delta: d })) },
  {
    weight: 12,
    arbitrary: fc.record({
      sym: fc.oneof({ weight: 20, arbitrary: fc.constant(BTC) }, { weight: 1, arbitrary: fc.constant(11) }),
      delta, ts: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 1e6 }) }, { weight: 1, arbitrary: fc.constant(Number.NaN) }),
      levels: fc.array(level, { minLength: 0, maxLength: 8 }),
    }).chain((r) => fc.integer({ min: 0, max: r.levels.length }).map((nBids) => ({ op: 'run' as const, ...r, nBids }))),
  },
  { weight: 2, arbitrary: delta.map((d) => ({ op: 'trade' as const, delta: d })) },
  { weight: 4, arbitrary: fc.constant({ op: 'end' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'quiet' as const }) },
);

describe('FeedIngest.levelSetRun', () => {
  it('has the outcome of levelSet on each level in turn', () => {
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
      const a = setup();
      const b = setup();
      let clock = 0;
      try {
        for (const o of ops) {
          const next = a.ingest.symbolState(BTC)!.nextSeq;
          for (const [side, x] of [['a', a], ['b', b]] as const) {
            const ing = x.ingest;
            switch (o.op) {
              case 'snapshot':
                ing.snapshot(BTC, Math.max(0, next + o.delta), 1, Float64Array.of(95, 2, 94, 1), 2, Float64Array.of(105, 2), 1);
                break;
              case 'run': {
                const pairs = Float64Array.from(o.levels.flat());
                const first = next + o.delta;
                if (side === 'a') ing.levelSetRun(o.sym, first, o.ts, pairs, o.nBids, o.levels.length);
                else for (let i = 0; i < o.levels.length; i++) ing.levelSet(o.sym, first + i, o.ts, i < o.nBids ? 0 : 1, pairs[2 * i]!, pairs[2 * i + 1]!);
                break;
              }
              case 'trade': ing.trade(BTC, next + o.delta, 5, 1, 100, 1, 1); break;
              case 'end': ing.endOfBatch(0); break;
              case 'quiet':
                if (side === 'a') clock += 2 * FEED_STALE_NS;
                ing.setClock(clock);
                ing.checkStaleFeed(clock);
                break;
            }
          }
          expect(view(a.ingest)).toEqual(view(b.ingest));
          expect(a.log).toEqual(b.log);
        }
      } finally {
        a.ingest.close();
        b.ingest.close();
      }
    }), { numRuns: 300 });
  });
});
