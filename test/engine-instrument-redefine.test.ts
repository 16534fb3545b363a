// A feed that redefines a live symbol's instrument under a running strategy: the
// venue cancels every order on the old grid, the strategy pauses (reason
// "instrument") and is checked on the new grid; it resumes when its parameters,
// limits and position pass there, else it stays paused with the reason until a PATCH
// fixes it. Sizes, limits and prices never mix the two grids.
import { afterEach, describe, expect, it } from 'vitest';
import { TradingEngine, type FillEvent, type OrderEvent } from '../src/engine/index.js';
import type { Venue, VenueOrder, VenueReports } from '../src/execution/venue.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import type { Instrument } from '../src/orderbook/instrument.js';

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

/** A live venue: accepts at once, answers cancels only when told (they are on their way). */
class SlowCancelVenue implements Venue {
  readonly name = 'slow-cancel';
  reports!: VenueReports;
  readonly sent: VenueOrder[] = [];
  readonly cancels: string[] = [];
  constructor(private readonly ingest: FeedIngest, private readonly clock: () => number) {}
  nowNs(): number { return this.clock(); }
  instrument(symbol: string): Instrument | undefined { return this.ingest.bySymbolName(symbol)?.instrument; }
  connect(r: VenueReports): void { this.reports = r; }
  submit(o: VenueOrder): void { this.sent.push(o); this.reports.onAccepted(o.orderId, this.clock()); }
  cancel(orderId: string): void { this.cancels.push(orderId); }
}

describe('instrument redefinition on a live venue: old orders are open until their cancels are confirmed', () => {
  it('count in the new units: exposure, the self-cross check, a late fill, and the record as sent', () => {
    const ingest = new FeedIngest();
    let t = T0;
    const venue = new SlowCancelVenue(ingest, () => t);
    const engine = new TradingEngine({ ingest, venue, riskLimits: { max_orders_per_second: 1000, order_burst: 1000 } });
    cleanup.push(() => { engine.close(); ingest.close(); });
    ingest.staleFeedNs = 1e18;
    let seq = 1;
    const define = (tickSize: string, lotSize: string): void => {
      ingest.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize, lotSize, resolutionTsNs: 0 });
    };
    const book = (bids: [number, number][], asks: [number, number][]): void => {
      t += 1e9;
      ingest.snapshot(1, seq++, t, Float64Array.from(bids.flat()), bids.length, Float64Array.from(asks.flat()), asks.length);
      ingest.endOfBatch(0);
      engine.tick(t);
    };
    define('0.01', '0.001');
    book([[5000000, 5000]], [[5000100, 5000]]);
    engine.load({ name: 'mm', symbols: ['BTCUSDT'], parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.003, quote_levels: 1 } });
    engine.start('mm');
    const old = venue.sent.splice(0);
    expect(old.map((o) => [o.side, o.qtyLot])).toEqual([['BUY', 1], ['SELL', 1]]);
    const oldBid = old.find((o) => o.side === 'BUY')!;
    const oldBidPrice = engine.openOrdersView('mm').orders.find((o) => o.side === 'BUY')!.price;

    // the venue moves to tick 0.1, lot 0.0001: the old orders' cancels go out and are not confirmed yet
    define('0.1', '0.0001');
    expect(venue.cancels.sort()).toEqual(old.map((o) => o.orderId).sort());
    expect(engine.strategy('mm').status).toBe('running');
    // still exposure, in the new lots (1 old lot = 10 new); the old bid's price on the new grid
    expect(engine.risk.exposure('mm', 'BTCUSDT')).toMatchObject({ pendingBuyLot: 10, pendingSellLot: 10, openOrders: 2 });
    expect(engine.orders.pendingExposureLot('mm', 'BTCUSDT', 'BUY')).toBe(10);
    expect(engine.orders.order(oldBid.clientOrderId)!.intent.priceTick).toBe(Math.round(oldBid.priceTick / 10));
    const shown = engine.openOrdersView('mm').orders.find((o) => o.order_id === oldBid.orderId)!;
    expect(shown.qty).toBe(0.001);
    expect(Math.abs(Number(shown.price) - Number(oldBidPrice))).toBeLessThanOrEqual(0.05);

    // the strategy quotes on the new grid next to them: both sides (an ask above the old bid is
    // no self-cross), sizes in the new lots, and the gate counts old and new orders alike
    book([[500000, 50000]], [[500010, 50000]]);
    const now = venue.sent.splice(0);
    expect(now.map((o) => [o.side, o.qtyLot]).sort()).toEqual([['BUY', 10], ['SELL', 10]]);
    expect(engine.risk.exposure('mm', 'BTCUSDT')).toMatchObject({ pendingBuyLot: 20, pendingSellLot: 20, openOrders: 4 });
    expect(engine.orders.pendingExposureLot('mm', 'BTCUSDT', 'BUY')).toBe(20);

    // a late fill of the old bid, reported in the new units, closes it exactly
    venue.reports.onFill(oldBid.orderId, 'late-1', Math.round(oldBid.priceTick / 10), 10, '0', 'MAKER', t);
    expect(engine.orders.order(oldBid.clientOrderId)!.status).toBe('FILLED');
    expect(engine.risk.exposure('mm', 'BTCUSDT')).toMatchObject({ positionLot: 10, pendingBuyLot: 10, pendingSellLot: 20, openOrders: 3 });
    expect(engine.orders.pendingExposureLot('mm', 'BTCUSDT', 'BUY')).toBe(10);
    expect(engine.inventory('mm').inventory.position).toBe(0.001);
    // the order's record keeps the decimals it was sent with
    const rec = engine.orders.order(oldBid.clientOrderId)!.record!;
    expect([rec.price, rec.qty]).toEqual([Number(oldBidPrice).toFixed(2), '0.001']);
  });
});
