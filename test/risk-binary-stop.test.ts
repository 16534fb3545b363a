// The stop loss on binary contracts: the spread alone never triggers it (a one-cent
// spread is hundreds of bps of a 36-cent price), it fires on a real adverse move of
// binary_stop_loss_price per contract, and its exit is an IOC limit inside
// binary_exit_max_slippage_price of the mid — never a sale at any price. On a linear
// instrument the exit is limited by exit_max_slippage_bps.
import { afterEach, describe, expect, it } from 'vitest';
import { TradingEngine, type FillEvent, type OrderEvent } from '../src/engine/index.js';
import { FeedIngest } from '../src/feed/ingest/index.js';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

const HOUR_NS = 3600e9;
const T0 = 1_700_000_000e9;

function market(kind: 'binary' | 'spot') {
  const ingest = new FeedIngest();
  const engine = new TradingEngine({ ingest, paper: { orderLatencyNs: 0, cancelLatencyNs: 0, makerFeeBps: 0, takerFeeBps: 0 } });
  cleanup.push(() => { engine.close(); ingest.close(); });
  const symbol = kind === 'binary' ? 'FEDYES' : 'BTCUSDT';
  ingest.instrument(kind === 'binary'
    ? { symbolId: 1, symbol, kind: 'binary', tickSize: '0.01', lotSize: '1', resolutionTsNs: T0 + 500 * HOUR_NS }
    : { symbolId: 1, symbol, kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
  let seq = 1;
  let t = T0;
  const fills: FillEvent[] = [];
  const orders: OrderEvent[] = [];
  engine.events.on('fill', (f) => fills.push(f));
  engine.events.on('order', (o) => orders.push(o));
  return {
    engine, symbol, fills, orders,
    /** A fresh book: [tick, lots] levels, one second later. */
    book(bids: [number, number][], asks: [number, number][]): void {
      t += 1e9;
      ingest.snapshot(1, seq++, t, Float64Array.from(bids.flat()), bids.length, Float64Array.from(asks.flat()), asks.length);
      ingest.endOfBatch(0);
      engine.tick(t);
    },
  };
}

describe('binary stop loss', () => {
  it('the spread alone does not stop out a fresh position (the reported 416 bps case)', () => {
    const m = market('binary');
    // a two-cent spread: entry at the ask is 270 bps under water at the mid (the old 2% default fired here)
    m.book([[35, 500]], [[37, 500]]);
    m.engine.load({ name: 'pm', symbols: [m.symbol], parameters: { order_size: 10, max_position: 100, spread_price: 0.6 } });
    m.engine.placeOrder({ side: 'BUY', symbol: m.symbol, qty: 30, type: 'MARKET', strategy_id: 'pm' });
    m.engine.start('pm'); // the stop watches a running strategy's position (its quotes are far from the touch here)
    expect(m.fills.map((f) => [f.side, f.price, f.qty])).toEqual([['BUY', 0.37, 30]]);
    for (let i = 0; i < 5; i++) m.book([[35, 500]], [[37, 500]]);
    expect(m.engine.risk.effectiveState('pm', m.symbol)).toBe('ACTIVE');
    expect(m.fills).toHaveLength(1);
    // 9 cents against the entry: still inside the default 10-cent stop
    m.book([[27, 500]], [[29, 500]]);
    expect(m.engine.risk.effectiveState('pm', m.symbol)).toBe('ACTIVE');
  });

  it('a move past binary_stop_loss_price stops out with an IOC limit inside 3 cents of the mid: no sale into an empty bid', () => {
    const m = market('binary');
    m.book([[36, 500]], [[37, 500]]);
    m.engine.load({ name: 'pm', symbols: [m.symbol], parameters: { order_size: 10, max_position: 100, spread_price: 0.6 } });
    m.engine.placeOrder({ side: 'BUY', symbol: m.symbol, qty: 30, type: 'MARKET', strategy_id: 'pm' });
    m.engine.start('pm'); // the stop watches a running strategy's position (its quotes are far from the touch here)
    // the bid collapses to 1 cent, the ask at 30: mid 0.155, 21.5 cents against the entry
    m.book([[1, 500]], [[30, 500]]);
    expect(m.engine.risk.effectiveState('pm', m.symbol)).toBe('REDUCING');
    const exits = m.orders.filter((o) => o.side === 'SELL' && o.previous_status === null);
    expect(exits.length).toBeGreaterThan(0);
    for (const o of exits) {
      expect(o.type).toBe('LIMIT');
      expect(o.price).toBeGreaterThanOrEqual(0.13); // ceil(15.5 - 3) ticks
    }
    expect(m.fills.filter((f) => f.side === 'SELL')).toHaveLength(0);
    // no storm: while the band leaves it unfilled, at most one exit per quote_refresh_ms (1 s default) per book update second
    const before = exits.length;
    for (let i = 0; i < 5; i++) m.book([[1, 500]], [[30, 500]]);
    const after = m.orders.filter((o) => o.side === 'SELL' && o.previous_status === null).length;
    expect(after - before).toBeLessThanOrEqual(5);
    // a bid inside the band comes back: the exit sells there, at no worse than mid - 3 cents
    m.book([[22, 500]], [[24, 500]]);
    m.book([[22, 500]], [[24, 500]]);
    const sells = m.fills.filter((f) => f.side === 'SELL');
    expect(sells.reduce((a, f) => a + f.qty, 0)).toBe(30);
    for (const f of sells) expect(f.price).toBeGreaterThanOrEqual(0.20);
    expect(m.engine.risk.effectiveState('pm', m.symbol)).toBe('ACTIVE');
  });
});

describe('linear stop loss exit', () => {
  it('the flatten is an IOC limit within exit_max_slippage_bps of the mid, not a market order', () => {
    const m = market('spot');
    m.book([[5000000, 1000]], [[5000001, 1000]]);
    m.engine.load({ name: 'mm', symbols: [m.symbol], parameters: { order_size: 0.001, max_position: 0.01, spread_bps: 800, stop_loss_bps: 50, exit_max_slippage_bps: 20 } });
    m.engine.placeOrder({ side: 'BUY', symbol: m.symbol, qty: 0.005, type: 'MARKET', strategy_id: 'mm' });
    m.engine.start('mm');
    // mid falls 1% with a hole under it: the best bid is 2% down
    m.book([[4900000, 1000]], [[5000000, 1000]]);
    expect(m.engine.risk.effectiveState('mm', m.symbol)).toBe('REDUCING');
    const exits = m.orders.filter((o) => o.side === 'SELL' && o.previous_status === null);
    expect(exits.length).toBeGreaterThan(0);
    const mid = 49500;
    for (const o of exits) {
      expect(o.type).toBe('LIMIT');
      expect(o.price!).toBeGreaterThanOrEqual(mid * (1 - 20 / 1e4) - 0.01);
    }
    expect(m.fills.filter((f) => f.side === 'SELL')).toHaveLength(0);
  });
});
