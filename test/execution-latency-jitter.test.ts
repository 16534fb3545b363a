// Latency jitter in the paper exchange: every order and cancel takes its fixed
// latency plus a draw uniform in [0, latencyJitterNs) from a generator seeded with
// the config's seed (mulberry32, in sending order). Orders reach the book at the
// first market event at or after their due time; with jitter they can overtake each
// other, and a cancel can overtake its order. Same seed, same arrivals.
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedIngest } from '../src/feed/ingest/index.js';
import type { PaperExchangeConfigInput } from '../src/execution/paper-config.js';
import { PaperExchange } from '../src/execution/paper-exchange.js';
import { mulberry32 } from '../src/numeric/mulberry32.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { paperMarket } from './support/paper-market.js';
import { spreadcoreErrorOf } from './support/thrown.js';

const books = new WasmBooks(instantiateCore('debug'));
const T0 = 1_000_000_000_000;
const MS = 1_000_000;
const P = 5_000_000;
const N = 40;

let open: FeedIngest[] = [];
afterEach(() => { for (const i of open) i.close(); open = []; });

/** Submits N resting bids at T0, then one market event per ms; returns each order's arrival time. */
function arrivals(config: PaperExchangeConfigInput): number[] {
  const m = paperMarket(books, config);
  open.push(m.ingest);
  m.snapshot(T0, [[P, 10], [P - 1, 5]], [[P + 1, 8]]);
  for (let i = 0; i < N; i++) m.om.submit(m.order(`o${i}`, 'BUY', P - 10 - i, 1));
  for (let t = 1; t <= 30; t++) m.changes(T0 + t * MS, [1, P + 2, 1]);
  return Array.from({ length: N }, (_, i) => {
    const o = m.om.order(`o${i}`)!;
    expect(o.status).toBe('ACTIVE');
    return o.updatedTsNs - T0;
  });
}

describe('paper exchange latency jitter', () => {
  it('each order arrives at the first event at or after its fixed latency plus its seeded draw', () => {
    const got = arrivals({ orderLatencyNs: 5 * MS, latencyJitterNs: 10 * MS, seed: 42 });
    const draw = mulberry32(42);
    const want = Array.from({ length: N }, () => Math.ceil((5 * MS + Math.floor(draw() * 10 * MS)) / MS) * MS);
    expect(got).toEqual(want);
    for (const t of got) { expect(t).toBeGreaterThanOrEqual(5 * MS); expect(t).toBeLessThanOrEqual(15 * MS); }
    expect(new Set(got).size).toBeGreaterThan(5); // spread out, not one latency
    // orders overtake each other: arrival order differs from sending order
    expect(got.some((t, i) => i > 0 && t < got[i - 1]!)).toBe(true);
  });

  it('same seed, same arrivals; another seed, others; no jitter, the fixed latency', () => {
    const a = arrivals({ orderLatencyNs: 5 * MS, latencyJitterNs: 10 * MS, seed: 7 });
    expect(arrivals({ orderLatencyNs: 5 * MS, latencyJitterNs: 10 * MS, seed: 7 })).toEqual(a);
    expect(arrivals({ orderLatencyNs: 5 * MS, latencyJitterNs: 10 * MS, seed: 8 })).not.toEqual(a);
    expect(arrivals({ orderLatencyNs: 5 * MS, seed: 8 })).toEqual(Array.from({ length: N }, () => 5 * MS));
  });

  it('a cancel can overtake its order: the order then never reaches the book', () => {
    const m = paperMarket(books, { orderLatencyNs: 5 * MS, cancelLatencyNs: 1 * MS, latencyJitterNs: 10 * MS, seed: 3 });
    open.push(m.ingest);
    m.snapshot(T0, [[P, 10]], [[P + 1, 8]]);
    for (let i = 0; i < N; i++) {
      m.om.submit(m.order(`o${i}`, 'BUY', P - 10 - i, 1));
      m.om.cancel(`o${i}`);
    }
    for (let t = 1; t <= 30; t++) m.changes(T0 + t * MS, [1, P + 2, 1]);
    const reasons = Array.from({ length: N }, (_, i) => {
      const o = m.om.order(`o${i}`)!;
      expect(o.status).toBe('CANCELLED');
      return o.reason;
    });
    const overtaken = reasons.filter((r) => r === 'cancelled before the order reached the book').length;
    const rested = N - overtaken;
    expect(overtaken).toBeGreaterThan(0);
    expect(rested).toBeGreaterThan(0);
    expect(m.paper.openOrders).toBe(0);
  });

  it('refuses a bad jitter or seed; the naive model has none', () => {
    const ingest = paperMarket(books).ingest;
    open.push(ingest);
    expect(spreadcoreErrorOf(() => new PaperExchange(ingest, { latencyJitterNs: -1 })).message).toMatch(/latencyJitterNs must be a whole number of ns/);
    expect(spreadcoreErrorOf(() => new PaperExchange(ingest, { latencyJitterNs: 1.5 })).code).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(spreadcoreErrorOf(() => new PaperExchange(ingest, { seed: 0.5 })).message).toMatch(/seed must be an integer/);
    expect(new PaperExchange(ingest, { fillModel: 'naive', latencyJitterNs: 5 * MS }).config.latencyJitterNs).toBe(0);
  });
});
