// The order manager over the paper exchange: idempotent client order ids, checks,
// order states, exposure and position per strategy / symbol / side, cancelAll,
// replace, and fills that the journal and the ledger accept. Venue report orders the
// paper exchange never produces (fill before acceptance, a fill reported twice, a
// refused cancel, a fill after the cancel) come from a scripted venue.
import { afterEach, describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { OrderManager, type OrderFillEvent } from '../src/execution/order-manager.js';
import { PaperExchange } from '../src/execution/paper-exchange.js';
import type { PaperExchangeConfigInput } from '../src/execution/paper-config.js';
import type { Venue, VenueOrder, VenueReports } from '../src/execution/venue.js';
import { Instrument } from '../src/orderbook/instrument.js';
import { checkFill, checkOrder } from '../src/store/record-checks.js';
import { SymbolLedger } from '../src/accounting/symbol-ledger.js';
import type { OrderIntent, OrderSide, OrderType, TimeInForce } from '../src/trading/types.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const books = new WasmBooks(instantiateCore('debug'));
const T0 = 1_000_000_000_000;
const MS = 1_000_000;
const P = 5_000_000;
const E = 300_000; // ETHUSDT 3,000.00

let open: FeedIngest[] = [];
afterEach(() => { for (const i of open) i.close(); open = []; });

function intent(id: string, side: OrderSide, tick: number, lots: number, more: Partial<OrderIntent> = {}): OrderIntent {
  return { clientOrderId: id, strategyId: 's1', symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC', priceTick: tick, qtyLot: lots, reduceOnly: false, level: 1, ...more };
}

function make(config: PaperExchangeConfigInput = {}, retainClosedOrders?: number) {
  const ingest = new FeedIngest(books);
  open.push(ingest);
  ingest.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
  ingest.instrument({ symbolId: 2, symbol: 'ETHUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.01', resolutionTsNs: 0 });
  const paper = new PaperExchange(ingest, { orderLatencyNs: 0, cancelLatencyNs: 0, makerFeeBps: 2, takerFeeBps: 5, ...config });
  ingest.listener = paper;
  const fills: OrderFillEvent[] = [];
  const updates: string[] = [];
  const om = new OrderManager(paper, {
    listener: { onFill: (e) => fills.push(e), onOrderUpdate: (o, prev) => updates.push(`${o.clientOrderId} ${prev ?? '-'}>${o.status}`) },
    ...(retainClosedOrders !== undefined ? { retainClosedOrders } : {}),
  });
  const seqs = [0, 1, 1]; // per symbol id
  let tid = 1;
  const snap = (id: number, ts: number, b: number, a: number) => {
    ingest.snapshot(id, seqs[id]!++, ts, Float64Array.from([b, 10, b - 1, 5]), 2, Float64Array.from([a, 8, a + 1, 4]), 2);
    ingest.endOfBatch(0);
  };
  snap(1, T0, P, P + 1);
  snap(2, T0, E, E + 1);
  const h = {
    ingest, paper, om, fills, updates,
    sweep(symbolId: number, ts: number, aggressor: 0 | 1, tick: number, lots: number): void {
      ingest.trade(symbolId, seqs[symbolId]!++, ts, aggressor, tick, lots, tid++);
      ingest.levelChange(symbolId, seqs[symbolId]!++, ts, aggressor === 0 ? 1 : 0, tick, -lots);
      ingest.endOfBatch(0);
    },
    change(symbolId: number, ts: number, side: 0 | 1, tick: number, d: number): void {
      ingest.levelChange(symbolId, seqs[symbolId]!++, ts, side, tick, d);
      ingest.endOfBatch(0);
    },
    tick(ts: number): void { ingest.levelChange(1, seqs[1]!++, ts, 0, P - 3, 1); ingest.endOfBatch(0); },
  };
  return h;
}

describe('client order ids', () => {
  it('a retried submit with the same id and fields is the same order: sent once', () => {
    const h = make();
    const first = h.om.submit(intent('c1', 'BUY', P, 3));
    const again = h.om.submit(intent('c1', 'BUY', P, 3));
    expect(first.outcome).toBe('SENT');
    expect(again.outcome).toBe('DUPLICATE');
    expect(again.order).toBe(first.order);
    expect(h.paper.counters.ordersReceived).toBe(1);
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(3);
    // still the same after it is closed
    h.om.cancel('c1');
    expect(h.om.submit(intent('c1', 'BUY', P, 3)).outcome).toBe('DUPLICATE');
    expect(h.paper.counters.ordersReceived).toBe(1);
  });

  it('a reused id with different fields is refused and the existing order is untouched', () => {
    const h = make();
    h.om.submit(intent('c1', 'BUY', P, 3));
    for (const other of [intent('c1', 'BUY', P - 1, 3), intent('c1', 'BUY', P, 4), intent('c1', 'SELL', P, 3), intent('c1', 'BUY', P, 3, { strategyId: 's2' }), intent('c1', 'BUY', P, 3, { timeInForce: 'IOC' })]) {
      const r = h.om.submit(other);
      expect(r.outcome).toBe('ID_CONFLICT');
      expect(r.reason).toMatch(/already used/);
    }
    expect(h.om.order('c1')!.intent.priceTick).toBe(P);
    expect(h.om.order('c1')!.status).toBe('ACTIVE');
    expect(h.paper.counters.ordersReceived).toBe(1);
    expect(h.om.counters.idConflicts).toBe(5);
  });

  it('closed orders are remembered up to retainClosedOrders', () => {
    const h = make({}, 2);
    for (const id of ['a', 'b', 'c']) { h.om.submit(intent(id, 'BUY', P - 10, 1)); h.om.cancel(id); }
    expect(h.om.order('a')).toBeUndefined();
    expect(h.om.order('b')!.status).toBe('CANCELLED');
    expect(h.om.submit(intent('b', 'BUY', P - 10, 1)).outcome).toBe('DUPLICATE');
  });

  it('order ids are unique and carry the prefix', () => {
    const h = make();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add(h.om.submit(intent(`c${i}`, 'BUY', P - 10, 1)).order!.orderId);
    expect(ids.size).toBe(50);
    expect([...ids][0]).toBe('o-1');
  });
});

describe('checks before anything is sent', () => {
  const cases: [string, Partial<OrderIntent>, RegExp][] = [
    ['unknown symbol', { symbol: 'NOPE' }, /unknown symbol/],
    ['zero quantity', { qtyLot: 0 }, /quantity/],
    ['fractional lots', { qtyLot: 1.5 }, /quantity/],
    ['no limit price', { priceTick: NaN }, /limit price/],
    ['negative price', { priceTick: -5 }, /limit price/],
    ['market post-only', { type: 'MARKET' as OrderType, timeInForce: 'POST_ONLY' as TimeInForce, priceTick: NaN }, /post-only/],
    ['no strategy', { strategyId: '' }, /strategyId/],
    ['bad side', { side: 'HOLD' as OrderSide }, /side/],
  ];
  for (const [name, change, why] of cases) {
    it(`rejects: ${name}`, () => {
      const h = make();
      const r = h.om.submit(intent('x', 'BUY', P, 1, change));
      expect(r.outcome).toBe('REJECTED');
      expect(r.reason).toMatch(why);
      expect(r.order!.status).toBe('REJECTED');
      expect(h.paper.counters.ordersReceived).toBe(0);
      expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(0);
      expect(h.updates).toEqual(['x ->REJECTED']);
    });
  }

  it('an empty client order id creates no order', () => {
    const h = make();
    const r = h.om.submit(intent('', 'BUY', P, 1));
    expect(r).toEqual({ outcome: 'REJECTED', order: null, reason: 'clientOrderId must be a non-empty string' });
  });

  it('reduce-only orders may not add to the position, counting working orders', () => {
    const h = make();
    expect(h.om.submit(intent('r0', 'SELL', P + 5, 1, { reduceOnly: true })).outcome).toBe('REJECTED');
    h.om.submit(intent('b', 'BUY', P + 1, 3)); // takes 3
    expect(h.om.positionLot('s1', 'BTCUSDT')).toBe(3);
    expect(h.om.submit(intent('r1', 'SELL', P + 5, 2, { reduceOnly: true })).outcome).toBe('SENT');
    expect(h.om.submit(intent('r2', 'SELL', P + 5, 2, { reduceOnly: true })).reason).toBe('reduce-only order would increase the position');
    expect(h.om.submit(intent('r3', 'SELL', P + 5, 1, { reduceOnly: true })).outcome).toBe('SENT');
  });
});

describe('exposure, position and events', () => {
  it('pending exposure is the unfilled quantity of open orders per strategy, symbol and side', () => {
    const h = make();
    h.om.submit(intent('b1', 'BUY', P, 3));
    h.om.submit(intent('b2', 'BUY', P - 1, 2));
    h.om.submit(intent('s1', 'SELL', P + 2, 4));
    h.om.submit(intent('x1', 'BUY', P, 7, { strategyId: 's2' }));
    h.om.submit(intent('e1', 'BUY', E, 9, { symbol: 'ETHUSDT' }));
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(5);
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'SELL')).toBe(4);
    expect(h.om.pendingExposureLot('s2', 'BTCUSDT', 'BUY')).toBe(7);
    expect(h.om.pendingExposureLot('s1', 'ETHUSDT', 'BUY')).toBe(9);
    expect(h.om.pendingExposureLot('nobody', 'BTCUSDT', 'BUY')).toBe(0);
    h.sweep(1, T0 + MS, 1, P, 10); // the 10 ahead of b1 and x1 trade
    h.change(1, T0 + 2 * MS, 0, P, 5); // new bids behind them
    h.sweep(1, T0 + 3 * MS, 1, P, 2); // b1 first: 2 of its 3; x1 (s2) is behind b1
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(3);
    expect(h.om.positionLot('s1', 'BTCUSDT')).toBe(2);
    expect(h.om.positionLot('s2', 'BTCUSDT')).toBe(0);
    expect(h.om.exposure.get('s1', 'BTCUSDT')!.openOrders).toBe(3);
  });

  it('an order waits for a market event of its own symbol', () => {
    const h = make({ orderLatencyNs: 5 * MS });
    h.om.submit(intent('b', 'BUY', P, 1));
    h.om.submit(intent('e', 'BUY', E - 5, 1, { symbol: 'ETHUSDT' }));
    h.change(2, T0 + 6 * MS, 0, E - 7, 1);
    expect(h.om.order('e')!.status).toBe('ACTIVE');
    expect(h.om.order('b')!.status).toBe('PENDING_NEW');
    h.tick(T0 + 7 * MS);
    expect(h.om.order('b')!.status).toBe('ACTIVE');
    expect(h.paper.queueAheadLot(h.om.order('b')!.orderId)).toBe(10);
    h.sweep(2, T0 + 8 * MS, 1, E, 10); // ETH sellers take the ETH best bid (above ours): nothing to do with BTC
    expect(h.om.order('e')!.status).toBe('ACTIVE');
    expect(h.paper.queueAheadLot(h.om.order('b')!.orderId)).toBe(10);
    expect(h.om.order('b')!.status).toBe('ACTIVE');
  });

  it('cancelAll by strategy, by symbol, or everything', () => {
    const h = make();
    h.om.submit(intent('a', 'BUY', P - 5, 1));
    h.om.submit(intent('b', 'SELL', P + 5, 1));
    h.om.submit(intent('c', 'BUY', E - 5, 1, { symbol: 'ETHUSDT' }));
    h.om.submit(intent('d', 'BUY', P - 5, 1, { strategyId: 's2' }));
    expect(h.om.cancelAll('s1', 'ETHUSDT')).toBe(1);
    expect(h.om.order('c')!.status).toBe('CANCELLED');
    expect(h.om.cancelAll('s1')).toBe(2);
    expect(h.om.openOrders().map((o) => o.clientOrderId)).toEqual(['d']);
    expect(h.om.cancelAll()).toBe(1);
    expect(h.om.cancelAll()).toBe(0);
  });

  it('cancelAll with cancel latency leaves orders PENDING_CANCEL and does not send twice', () => {
    const h = make({ cancelLatencyNs: 5 * MS });
    h.om.submit(intent('a', 'BUY', P - 5, 1));
    h.om.submit(intent('b', 'BUY', P - 6, 1));
    expect(h.om.cancelAll()).toBe(2);
    expect(h.om.cancelAll()).toBe(0);
    expect(h.paper.counters.cancelsReceived).toBe(2);
    h.tick(T0 + 5 * MS);
    expect(h.om.openOrders()).toEqual([]);
  });

  it('replace: cancels the old order and sends the new one; only an open order can be replaced', () => {
    const h = make();
    h.om.submit(intent('q1', 'BUY', P - 2, 2));
    const r = h.om.replace('q1', intent('q2', 'BUY', P - 1, 2));
    expect(r.cancel).toBe('SENT');
    expect(r.submit!.outcome).toBe('SENT');
    expect(h.om.order('q1')!.status).toBe('CANCELLED');
    expect(h.om.order('q2')!.status).toBe('ACTIVE');
    expect(h.om.replace('q1', intent('q3', 'BUY', P, 2))).toMatchObject({ cancel: 'CLOSED', submit: null });
    expect(h.om.replace('zz', intent('q3', 'BUY', P, 2))).toMatchObject({ cancel: 'UNKNOWN', submit: null });
    expect(h.om.replace('q2', intent('q2', 'BUY', P, 2))).toMatchObject({ cancel: 'NOT_SENT', submit: null });
    expect(h.om.replace('q2', intent('q4', 'SELL', P + 9, 2)).reason).toBe('a replacement keeps the strategy, symbol and side');
    expect(h.om.order('q2')!.status).toBe('ACTIVE');
  });

  it('fills are records the journal and the ledger accept, with the inventory after each', () => {
    const h = make();
    h.om.submit(intent('b', 'BUY', P + 1, 3)); // taker
    h.om.submit(intent('s', 'SELL', P + 3, 2));
    h.om.submit(intent('e', 'SELL', E, 4, { symbol: 'ETHUSDT' })); // taker on ETH
    h.sweep(1, T0 + MS, 0, P + 1, 5); // the rest of the ask at 50000.01: does not reach the sell at 50000.03
    const ledger = new SymbolLedger({ strategyId: 's1', symbol: 'BTCUSDT' });
    for (const e of h.fills) {
      checkFill(e.fill);
      if (e.fill.symbol === 'BTCUSDT') ledger.applyFill(e.fill);
    }
    for (const id of ['b', 's', 'e']) checkOrder(h.om.order(id)!.record!);
    const btc = h.fills.filter((e) => e.fill.symbol === 'BTCUSDT');
    // 0.003 × 50000.01 × 5 bps
    expect(btc.map((e) => [e.fill.side, e.fill.price, e.fill.qty, e.fill.fee, e.fill.liquidity, e.inventoryAfter])).toEqual([
      ['BUY', '50000.01', '0.003', '0.075000015', 'TAKER', '0.003'],
    ]);
    expect(ledger.position.toString()).toBe('0.003');
    const eth = h.fills.filter((e) => e.fill.symbol === 'ETHUSDT');
    expect(eth.map((e) => [e.fill.price, e.fill.qty, e.inventoryAfter, e.inventoryAfterLot])).toEqual([['3000.00', '0.04', '-0.04', -4]]);
    expect(new Set(h.fills.map((e) => e.fill.tradeId)).size).toBe(h.fills.length);
    expect(h.om.order('b')!.record).toMatchObject({ orderId: h.om.order('b')!.orderId, price: '50000.01', qty: '0.003', type: 'LIMIT', timeInForce: 'GTC' });
  });
});

/** A venue that only records what it is sent; the test writes its reports. */
class ScriptedVenue implements Venue {
  readonly name = 'scripted';
  reports!: VenueReports;
  sent: VenueOrder[] = [];
  cancels: string[] = [];
  private readonly inst = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' });
  nowNs(): number { return T0; }
  instrument(symbol: string): Instrument | undefined { return symbol === 'BTCUSDT' ? this.inst : undefined; }
  connect(r: VenueReports): void { this.reports = r; }
  submit(o: VenueOrder): void { this.sent.push(o); }
  cancel(orderId: string): void { this.cancels.push(orderId); }
}

describe('report orders a real venue can produce', () => {
  const setup = () => {
    const v = new ScriptedVenue();
    const updates: string[] = [];
    const fills: OrderFillEvent[] = [];
    const om = new OrderManager(v, { listener: { onFill: (e) => fills.push(e), onOrderUpdate: (o, p) => updates.push(`${p ?? '-'}>${o.status}`) } });
    om.submit(intent('a', 'BUY', P, 3));
    return { v, om, updates, fills, id: v.sent[0]!.orderId };
  };

  it('a fill before the acceptance; the same fill twice is applied once', () => {
    const { v, om, fills, id } = setup();
    v.reports.onFill(id, 'X1', P, 1, '0', 'MAKER', T0 + 1);
    v.reports.onFill(id, 'X1', P, 1, '0', 'MAKER', T0 + 1);
    v.reports.onAccepted(id, T0 + 2);
    expect(fills).toHaveLength(1);
    expect(om.order('a')!.status).toBe('PARTIALLY_FILLED');
    expect(om.counters.duplicateFills).toBe(1);
    expect(om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(2);
  });

  it('a refused cancel puts the order back in its working state', () => {
    const { v, om, updates, id } = setup();
    v.reports.onAccepted(id, T0 + 1);
    om.cancel('a');
    v.reports.onCancelRejected(id, 'venue busy', T0 + 2);
    expect(om.order('a')!.status).toBe('ACTIVE');
    expect(om.order('a')!.reason).toBe('venue busy');
    expect(updates).toEqual(['->PENDING_NEW', 'PENDING_NEW>ACTIVE', 'ACTIVE>PENDING_CANCEL', 'PENDING_CANCEL>ACTIVE']);
    expect(om.cancel('a')).toBe('SENT');
    expect(v.cancels).toEqual([id, id]);
  });

  it('a fill after the cancel was confirmed still moves the position, not the exposure', () => {
    const { v, om, fills, id } = setup();
    v.reports.onAccepted(id, T0 + 1);
    om.cancel('a');
    v.reports.onCancelled(id, 'cancelled', T0 + 2);
    v.reports.onFill(id, 'X9', P, 1, '0', 'MAKER', T0 + 3);
    expect(om.order('a')!.status).toBe('CANCELLED');
    expect(om.counters.lateFills).toBe(1);
    expect(fills[0]!.inventoryAfterLot).toBe(1);
    expect(om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(0);
  });

  it('reports for orders it does not know are counted and ignored', () => {
    const { v, om } = setup();
    v.reports.onAccepted('nope', T0);
    v.reports.onFill('nope', 'X', P, 1, '0', 'MAKER', T0);
    expect(om.counters.unknownReports).toBe(2);
  });

  it('tsInitNs comes from the given clock when there is one', () => {
    const v = new ScriptedVenue();
    const fills: OrderFillEvent[] = [];
    const om = new OrderManager(v, { clockNs: () => 42n, listener: { onFill: (e) => fills.push(e) } });
    om.submit(intent('a', 'BUY', P, 3));
    v.reports.onFill(v.sent[0]!.orderId, 'X1', P, 3, '0.01', 'MAKER', T0 + 5);
    expect(fills[0]!.fill.tsInitNs).toBe(42n);
    expect(fills[0]!.fill.tsEventNs).toBe(BigInt(T0 + 5));
    expect(om.order('a')!.record!.tsInitNs).toBe(42n);
    expect(om.order('a')!.status).toBe('FILLED');
  });
});
