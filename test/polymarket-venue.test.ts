// PolymarketExecutionVenue's rules on user-channel events alone (a stub REST client, no
// network): a fill only at CONFIRMED, once, whatever order and repetition the statuses
// come in; FAILED is final; a cancel's outcome waits for the order's pending trades; a
// refused cancel of an order whose matched trade then fails is told as refused.
import { describe, expect, it } from 'vitest';
import type { VenueOrder, VenueReports } from '../src/execution/venue.js';
import { PolymarketCredentials } from '../src/venues/polymarket/credentials.js';
import { contractsFor } from '../src/venues/polymarket/endpoints.js';
import { PolymarketExecutionVenue } from '../src/venues/polymarket/polymarket-venue.js';
import type { CancelResponse, OrderResponse, PolymarketRestClient } from '../src/venues/polymarket/rest-client.js';

const PK = '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a';

class Reports implements VenueReports {
  readonly log: string[] = [];
  onAccepted(id: string): void { this.log.push(`accepted ${id}`); }
  onRejected(id: string, r: string): void { this.log.push(`rejected ${id} ${r}`); }
  onFill(id: string, tradeId: string, tick: number, lot: number, fee: string, liq: string): void { this.log.push(`fill ${id} ${tradeId.split(':')[0]} ${tick} ${lot} ${fee} ${liq}`); }
  onCancelled(id: string, r: string): void { this.log.push(`cancelled ${id} ${r}`); }
  onCancelRejected(id: string, r: string): void { this.log.push(`cancelRejected ${id} ${r}`); }
}

function make(cancelAnswer: (hash: string) => CancelResponse, tickSize = '0.01') {
  const rest = {
    postOrder: async (): Promise<OrderResponse> => ({ success: true, errorMsg: '', orderID: '', status: 'live' }),
    cancelOrder: async (hash: string): Promise<CancelResponse> => cancelAnswer(hash),
  } as unknown as PolymarketRestClient;
  const venue = new PolymarketExecutionVenue({
    rest, credentials: new PolymarketCredentials(PK, { key: 'k', secret: 'c2VjcmV0', passphrase: 'p' }), chainId: 137, contracts: contractsFor(137),
    markets: [{ symbol: 'PM', tokenId: '123456789', conditionId: '0xc', tickSize, negRisk: false, fees: { rate: '0.03', exponent: 1 } }],
  });
  const reports = new Reports();
  venue.connect(reports);
  return { venue, reports };
}

const order = (id: string, side: 'BUY' | 'SELL' = 'BUY'): VenueOrder => ({ orderId: id, clientOrderId: id, strategyId: 's', symbol: 'PM', side, type: 'LIMIT', timeInForce: 'POST_ONLY', priceTick: 40, qtyLot: 1000 });
const tick = () => new Promise((r) => setTimeout(r, 20));

function makerTrade(id: string, status: string, hash: string, size: string, price = '0.40'): string {
  return JSON.stringify({ event_type: 'trade', type: 'TRADE', id, status, asset_id: '123456789', market: '0xc', side: 'SELL', price, size, taker_order_id: '0xother', owner: 'k', timestamp: '1700000000',
    maker_orders: [{ order_id: hash, asset_id: '123456789', matched_amount: size, price, owner: 'k', side: 'BUY' }] });
}

describe('PolymarketExecutionVenue user events', () => {
  it('reports a fill once, at CONFIRMED, whatever the order and repetition of statuses', async () => {
    const { venue, reports } = make(() => ({ canceled: [], not_canceled: {} }));
    venue.submit(order('a'));
    await tick();
    const h = venue.venueOrderId('a')!;
    expect(h).toMatch(/^0x[0-9a-f]{64}$/);
    venue.handleUserFrame(makerTrade('t1', 'MATCHED', h, '2.5'));
    venue.handleUserFrame(makerTrade('t1', 'MATCHED', h, '2.5'));
    expect(venue.pendingLots('a')).toBe(250);
    expect(venue.pendingExposure('PM')).toBe(250);
    venue.handleUserFrame(`[${makerTrade('t1', 'CONFIRMED', h, '2.5')},${makerTrade('t1', 'CONFIRMED', h, '2.5')}]`);
    venue.handleUserFrame(makerTrade('t1', 'MINED', h, '2.5')); // late
    // a second trade seen first as CONFIRMED
    venue.handleUserFrame(makerTrade('t2', 'CONFIRMED', h, '1'));
    expect(reports.log).toEqual(['accepted a', 'fill a t1 40 250 0 MAKER', 'fill a t2 40 100 0 MAKER']);
    expect(venue.pendingLots('a')).toBe(0);
  });

  it('a fill after a tick_size_change is in ticks of the new grid: exact when on it, else the nearest tick, counted', async () => {
    // finer: 0.01 → 0.001, an order at 0.40 fills at 400 new ticks
    const fine = make(() => ({ canceled: [], not_canceled: {} }));
    fine.venue.submit(order('f'));
    await tick();
    fine.venue.setTickSize('PM', '0.001');
    fine.venue.handleUserFrame(makerTrade('t8', 'CONFIRMED', fine.venue.venueOrderId('f')!, '1'));
    expect(fine.reports.log).toEqual(['accepted f', 'fill f t8 400 100 0 MAKER']);
    expect(fine.venue.counters.offGridFills).toBe(0);
    // coarser: 0.001 → 0.01, an order at 0.965 fills at the nearest new tick (0.97), one at 0.960 exactly (0.96)
    const coarse = make(() => ({ canceled: [], not_canceled: {} }), '0.001');
    coarse.venue.submit({ ...order('c'), priceTick: 965 });
    coarse.venue.submit({ ...order('e'), priceTick: 960 });
    await tick();
    coarse.venue.setTickSize('PM', '0.01');
    coarse.venue.handleUserFrame(makerTrade('t9', 'CONFIRMED', coarse.venue.venueOrderId('c')!, '1', '0.965'));
    coarse.venue.handleUserFrame(makerTrade('t10', 'CONFIRMED', coarse.venue.venueOrderId('e')!, '1', '0.960'));
    expect(coarse.reports.log.filter((l) => l.startsWith('fill'))).toEqual(['fill c t9 97 100 0 MAKER', 'fill e t10 96 100 0 MAKER']);
    expect(coarse.venue.counters.offGridFills).toBe(1);
  });

  it('FAILED is final: a later CONFIRMED for the same trade is ignored', async () => {
    const { venue, reports } = make(() => ({ canceled: [], not_canceled: {} }));
    venue.submit(order('b'));
    await tick();
    const h = venue.venueOrderId('b')!;
    venue.handleUserFrame(makerTrade('t3', 'MATCHED', h, '4'));
    venue.handleUserFrame(makerTrade('t3', 'RETRYING', h, '4'));
    venue.handleUserFrame(makerTrade('t3', 'FAILED', h, '4'));
    venue.handleUserFrame(makerTrade('t3', 'CONFIRMED', h, '4'));
    expect(reports.log).toEqual(['accepted b']);
    expect(venue.counters.failedTrades).toBe(1);
    expect(venue.pendingLots('b')).toBe(0);
  });

  it('a cancel is reported only after the pending trades of the order have settled', async () => {
    const { venue, reports } = make((hash) => ({ canceled: [hash], not_canceled: {} }));
    venue.submit(order('c'));
    await tick();
    const h = venue.venueOrderId('c')!;
    venue.handleUserFrame(makerTrade('t4', 'MATCHED', h, '3'));
    venue.cancel('c');
    await tick();
    expect(reports.log).toEqual(['accepted c']); // cancelled at the venue, but a fill may still come
    venue.handleUserFrame(makerTrade('t4', 'MINED', h, '3'));
    expect(reports.log).toEqual(['accepted c']);
    venue.handleUserFrame(makerTrade('t4', 'CONFIRMED', h, '3'));
    expect(reports.log).toEqual(['accepted c', 'fill c t4 40 300 0 MAKER', 'cancelled c cancelled']);
  });

  it('a refused cancel waits too, and is told as refused when the order is not filled', async () => {
    const { venue, reports } = make((hash) => ({ canceled: [], not_canceled: { [hash]: 'order is already matched' } }));
    venue.submit(order('d'));
    await tick();
    const h = venue.venueOrderId('d')!;
    venue.handleUserFrame(makerTrade('t5', 'MATCHED', h, '10'));
    venue.cancel('d');
    await tick();
    expect(reports.log).toEqual(['accepted d']);
    venue.handleUserFrame(makerTrade('t5', 'FAILED', h, '10'));
    expect(reports.log).toEqual(['accepted d', 'cancelRejected d order is already matched']);
  });

  it('a taker fill carries the market fee', async () => {
    const { venue, reports } = make(() => ({ canceled: [], not_canceled: {} }));
    venue.submit({ ...order('e'), timeInForce: 'GTC', priceTick: 60 });
    await tick();
    const h = venue.venueOrderId('e')!;
    venue.handleUserFrame(JSON.stringify({ event_type: 'trade', id: 't6', status: 'CONFIRMED', asset_id: '123456789', market: '0xc', side: 'BUY', price: '0.60', size: '10', taker_order_id: h, maker_orders: [], owner: 'k', timestamp: '1700000000' }));
    expect(reports.log).toEqual(['accepted e', 'fill e t6 60 1000 0.072 TAKER']); // 10 × 0.03 × 0.6 × 0.4
  });

  it('refuses what it cannot sign: an unknown symbol, a price off [tick, 1 − tick], a market order', () => {
    const { venue, reports } = make(() => ({ canceled: [], not_canceled: {} }));
    venue.submit({ ...order('f'), symbol: 'NOPE' });
    venue.submit({ ...order('g'), priceTick: 100 });
    venue.submit({ ...order('h'), type: 'MARKET', priceTick: NaN });
    expect(reports.log.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['rejected f unknown_symbol', 'rejected g invalid_order:', 'rejected h limit_orders_only']);
  });
});
