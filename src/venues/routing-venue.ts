// One `Venue` over several: each order goes to the venue that lists its symbol (Kalshi
// tickers to Kalshi, Polymarket tokens to Polymarket), and every venue's reports come back
// to the one order manager. Venues can be added after the engine is built (their markets
// are read at connect time); a symbol no venue lists is rejected as unknown_symbol.
import type { Instrument } from '../orderbook/instrument.js';
import type { Venue, VenueOrder, VenueReports } from '../execution/venue.js';

export class RoutingVenue implements Venue {
  private readonly venues: Venue[] = [];
  /** Open orders: their venue and the lots not yet filled (forgotten once closed). */
  private readonly byOrder = new Map<string, { venue: Venue; leftLot: number }>();
  private reports: VenueReports | null = null;

  /** names: the venues' names joined with "+" (what the journal records fills under). */
  constructor(readonly name: string) {}

  add(v: Venue): void {
    this.venues.push(v);
    if (this.reports !== null) v.connect(this.wrap(this.reports));
  }

  private wrap(r: VenueReports): VenueReports {
    const done = (orderId: string): void => { this.byOrder.delete(orderId); };
    // after close() the engine and its journal are gone: an answer still in flight is dropped (the next start reconciles)
    return {
      onAccepted: (id, ts) => { if (!this.closed) r.onAccepted(id, ts); },
      onRejected: (id, why, ts) => { if (this.closed) return; done(id); r.onRejected(id, why, ts); },
      onFill: (id, trade, p, q, fee, liq, ts) => {
        if (this.closed) return;
        const o = this.byOrder.get(id);
        if (o !== undefined && (o.leftLot -= q) <= 0) done(id);
        r.onFill(id, trade, p, q, fee, liq, ts);
      },
      onCancelled: (id, why, ts) => { if (this.closed) return; done(id); r.onCancelled(id, why, ts); },
      onCancelRejected: (id, why, ts) => { if (!this.closed) r.onCancelRejected(id, why, ts); },
    };
  }

  private closed = false;

  /** No report reaches the engine after this (serve is shutting down: the engine and the journal close next). */
  close(): void { this.closed = true; }

  /** Orders sent and not yet closed (filled, cancelled or rejected). */
  get openOrders(): number { return this.byOrder.size; }

  /** The venue that lists a symbol. */
  venueOf(symbol: string): Venue | undefined {
    for (const v of this.venues) if (v.instrument(symbol) !== undefined) return v;
    return undefined;
  }

  nowNs(): number { return Date.now() * 1e6; }
  instrument(symbol: string): Instrument | undefined { return this.venueOf(symbol)?.instrument(symbol); }
  connect(reports: VenueReports): void {
    this.reports = reports;
    for (const v of this.venues) v.connect(this.wrap(reports));
  }

  submit(order: VenueOrder): void {
    const v = this.venueOf(order.symbol);
    if (v === undefined) { this.reports?.onRejected(order.orderId, 'unknown_symbol', this.nowNs()); return; }
    this.byOrder.set(order.orderId, { venue: v, leftLot: order.qtyLot });
    v.submit(order);
  }

  cancel(orderId: string): void {
    const o = this.byOrder.get(orderId);
    if (o === undefined) { this.reports?.onCancelRejected(orderId, 'unknown_or_closed', this.nowNs()); return; }
    o.venue.cancel(orderId);
  }
}
