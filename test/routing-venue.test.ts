// RoutingVenue: one Venue over several — each order goes to the venue that lists its
// symbol, every venue's reports reach the one order manager, an unknown symbol is
// rejected, cancels follow their order, and closed orders are forgotten.
import { describe, expect, it } from 'vitest';
import type { Venue, VenueOrder, VenueReports } from '../src/execution/venue.js';
import { Instrument } from '../src/orderbook/instrument.js';
import { RoutingVenue } from '../src/venues/routing-venue.js';

class StubVenue implements Venue {
  readonly sent: string[] = [];
  readonly cancels: string[] = [];
  reports: VenueReports | null = null;
  constructor(readonly name: string, private readonly symbols: string[]) {}
  nowNs(): number { return 0; }
  instrument(symbol: string): Instrument | undefined { return this.symbols.includes(symbol) ? new Instrument({ symbol, tickSize: '0.01', lotSize: '1', kind: 'binary' }) : undefined; }
  connect(r: VenueReports): void { this.reports = r; }
  submit(o: VenueOrder): void { this.sent.push(o.orderId); }
  cancel(id: string): void { this.cancels.push(id); }
}

const order = (orderId: string, symbol: string, qtyLot = 10): VenueOrder => ({
  orderId, clientOrderId: `c-${orderId}`, strategyId: 's', symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTick: 50, qtyLot,
});

describe('RoutingVenue', () => {
  it('routes by symbol, forwards reports, rejects unknown symbols and forgets closed orders', () => {
    const seen: string[] = [];
    const reports: VenueReports = {
      onAccepted: (id) => seen.push(`accepted ${id}`), onRejected: (id, why) => seen.push(`rejected ${id} ${why}`),
      onFill: (id, _t, _p, q) => seen.push(`fill ${id} ${q}`), onCancelled: (id) => seen.push(`cancelled ${id}`),
      onCancelRejected: (id, why) => seen.push(`cancel_rejected ${id} ${why}`),
    };
    const r = new RoutingVenue('kalshi+polymarket');
    r.connect(reports); // the order manager connects first; venues are added once their markets are read
    const k = new StubVenue('kalshi', ['KX-A']);
    const p = new StubVenue('polymarket', ['POLY-B']);
    r.add(k);
    r.add(p);
    expect(r.venueOf('KX-A')?.name).toBe('kalshi');
    expect(r.instrument('POLY-B')?.tickSize).toBe('0.01');
    r.submit(order('1', 'KX-A'));
    r.submit(order('2', 'POLY-B'));
    r.submit(order('3', 'NOPE'));
    expect([k.sent, p.sent]).toEqual([['1'], ['2']]);
    expect(seen).toEqual(['rejected 3 unknown_symbol']);
    k.reports!.onAccepted('1', 0);
    k.reports!.onFill('1', 't1', 50, 4, '0', 'MAKER', 0);
    r.cancel('1');
    r.cancel('2');
    expect([k.cancels, p.cancels]).toEqual([['1'], ['2']]);
    k.reports!.onCancelled('1', 'cancelled', 0);
    p.reports!.onFill('2', 't2', 50, 10, '0', 'TAKER', 0); // filled whole: closed
    expect(r.openOrders).toBe(0);
    r.cancel('1');
    expect(seen.slice(1)).toEqual(['accepted 1', 'fill 1 4', 'cancelled 1', 'fill 2 10', 'cancel_rejected 1 unknown_or_closed']);
  });
});
