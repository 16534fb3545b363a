// A feed that redefines a live symbol's instrument under a running strategy: the
// venue cancels every order on the old grid, the strategy pauses (reason
// "instrument") and is checked on the new grid; it resumes when its parameters,
// limits and position pass there, else it stays paused with the reason until a PATCH
// fixes it. Sizes, limits and prices never mix the two grids.
import { afterEach, describe, expect, it } from 'vitest';
import { TradingEngine, type FillEvent, type OrderEvent } from '../src/engine/index.js';
import { FeedIngest } from '../src/feed/ingest/index.js';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

const T0 = 1_700_000_000e9;

function market() {
  const ingest = new FeedIngest();
  const engine = new TradingEngine({ ingest, paper: { orderLatencyNs: 0, cancelLatencyNs: 0, makerFeeBps: 0, takerFeeBps: 0 } });
  cleanup.push(() => { engine.close(); ingest.close(); });
  let seq = 1;
  let tid = 1;
  let t = T0;
  const fills: FillEvent[] = [];
  const orders: OrderEvent[] = [];
  engine.events.on('fill', (f) => fills.push(f));
  engine.events.on('order', (o) => orders.push(o));
  const define = (tickSize: string, lotSize: string): void => {
    ingest.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize, lotSize, resolutionTsNs: 0 });
  };
  return {
    engine, fills, orders, define,
    book(bids: [number, number][], asks: [number, number][]): void {
      t += 1e9;
      ingest.snapshot(1, seq++, t, Float64Array.from(bids.flat()), bids.length, Float64Array.from(asks.flat()), asks.length);
      ingest.endOfBatch(0);
      engine.tick(t);
    },
    /** A market sell of lots at tick (hits bids at or above it). */
    sell(tick: number, lots: number): void {
      t += 1e6;
      ingest.trade(1, seq++, t, 1, tick, lots, tid++);
      ingest.endOfBatch(0);
    },
  };
}

const PARAMS = { spread_bps: 2, order_size: 0.001, max_position: 0.005, quote_levels: 1 };

describe('instrument redefinition under a running strategy', () => {
  it('a lot-size change cancels the old orders, pauses with the reason, and a PATCH on the new grid resumes', () => {
    const m = market();
    m.define('0.01', '0.001');
    m.book([[5000000, 5000]], [[5000100, 5000]]);
    m.engine.load({ name: 'mm', symbols: ['BTCUSDT'], parameters: PARAMS });
    m.engine.start('mm');
    expect(m.engine.openOrdersView('mm').orders.length).toBe(2);
    m.define('0.01', '0.1');
    // every order on the old grid is gone, the strategy is paused with the reason
    expect(m.engine.openOrdersView('mm').orders).toHaveLength(0);
    expect(m.orders.filter((o) => o.status === 'CANCELLED').map((o) => o.reason)).toEqual(['instrument_redefined', 'instrument_redefined']);
    expect(m.engine.strategy('mm').status).toBe('paused');
    expect(m.engine.strategy('mm').pauseReasons).toContain('instrument');
    const row = m.engine.list()[0]!;
    expect(row.error?.message).toContain('lot 0.001 → 0.1');
    expect(row.error?.message).toContain('order_size');
    // the market goes on at the new grid: the strategy quotes nothing, nothing fills
    m.book([[5000000, 50]], [[5000100, 50]]);
    m.sell(5000000, 50);
    expect(m.fills).toHaveLength(0);
    expect(m.engine.quotes('mm').quotes.bids).toHaveLength(0);
    expect(m.engine.start.bind(m.engine, 'mm')).toThrow(/already|cannot start/);
    // a PATCH that fits the new grid resumes it: sizes in the new lots, limits respected
    m.engine.patchParameters('mm', { order_size: 0.1, max_position: 0.2 });
    expect(m.engine.strategy('mm').status).toBe('running');
    expect(m.engine.list()[0]!.error).toBeUndefined();
    m.book([[5000000, 50]], [[5000100, 50]]);
    const q = m.engine.quotes('mm').quotes;
    expect(q.bids[0]!.qty).toBe(0.1);
    for (let i = 0; i < 6; i++) { m.sell(4999000, 50); m.book([[5000000, 50]], [[5000100, 50]]); }
    const pos = m.engine.inventory('mm').inventory.position;
    expect(pos).toBeGreaterThan(0);
    expect(pos).toBeLessThanOrEqual(0.2);
    for (const f of m.fills) expect(f.qty).toBe(0.1);
  });

  it('a tick-size change re-prices on the new grid: quotes and fills near the market, not 100 or 9,999', () => {
    const m = market();
    m.define('0.01', '0.001');
    m.book([[5000000, 5000]], [[5000100, 5000]]);
    m.engine.load({ name: 'mm', symbols: ['BTCUSDT'], parameters: PARAMS });
    m.engine.start('mm');
    m.define('0.1', '0.001');
    // the parameters pass on the new grid: resumed at once, quoting after the next book
    expect(m.engine.strategy('mm').status).toBe('running');
    m.book([[500000, 5000]], [[500010, 5000]]);
    const q = m.engine.quotes('mm').quotes;
    expect(q.bids[0]!.price).toBeGreaterThan(49_900);
    expect(q.bids[0]!.price).toBeLessThan(50_001);
    expect(q.asks[0]!.price).toBeGreaterThan(50_000);
    expect(q.asks[0]!.price).toBeLessThan(50_100);
    m.sell(499000, 5000);
    m.book([[500000, 5000]], [[500010, 5000]]);
    expect(m.fills.length).toBeGreaterThan(0);
    for (const f of m.fills) {
      expect(f.price).toBeGreaterThan(49_900);
      expect(f.price).toBeLessThan(50_100);
      expect(f.qty).toBe(0.001);
    }
  });

  it('a position that is not a whole number of the new lots keeps the strategy paused with that reason', () => {
    const m = market();
    m.define('0.01', '0.001');
    m.book([[5000000, 5000]], [[5000100, 5000]]);
    m.engine.load({ name: 'mm', symbols: ['BTCUSDT'], parameters: { ...PARAMS, order_size: 0.1, max_position: 1 } });
    m.engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.003, type: 'MARKET', strategy_id: 'mm' });
    m.engine.start('mm');
    m.define('0.01', '0.1');
    expect(m.engine.strategy('mm').status).toBe('paused');
    expect(m.engine.list()[0]!.error?.message).toContain('not a whole number of lots');
  });
});
