// The contract between the order manager and a venue (the paper exchange now, real
// venues later). The order manager owns order ids, client ids and order states; a
// venue receives orders and cancels and answers asynchronously through the reports
// it was connected to. Every answer names the order by the order manager's orderId
// (a real venue adapter maps its own ids to it).
//
// Units: prices in ticks and quantities in lots of the symbol's instrument; times
// are the venue's exchange clock, Unix epoch ns as f64 (exact to 256 ns).
import type { Instrument } from '../orderbook/instrument.js';
import type { Liquidity, OrderSide, OrderType, TimeInForce } from '../trading/types.js';

/** An order as it is sent to a venue. */
export interface VenueOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price in ticks; NaN for MARKET. */
  readonly priceTick: number;
  readonly qtyLot: number;
  /** Quote level (1 = best), 0 for orders outside the ladder: a live venue's rate budget lets deep levels wait first. */
  readonly level?: number;
  /** A reduce-only order (an exit): sent ahead of quotes when the rate budget is tight. */
  readonly reduceOnly?: boolean;
}

/** What a venue tells the order manager. Reports for one order come in the order they happened. */
export interface VenueReports {
  /** The order is live at the venue (it may be filled at once after this). */
  onAccepted(orderId: string, tsEventNs: number): void;
  /** The venue refused the order; nothing of it was filled. */
  onRejected(orderId: string, reason: string, tsEventNs: number): void;
  /** A fill. tradeId is unique at the venue; fee is an exact decimal string in the quote currency, negative for a rebate. */
  onFill(orderId: string, tradeId: string, priceTick: number, qtyLot: number, fee: string, liquidity: Liquidity, tsEventNs: number): void;
  /** The order's remaining quantity is gone without a fill: a cancel took effect, or an IOC / MARKET remainder expired. */
  onCancelled(orderId: string, reason: string, tsEventNs: number): void;
  /** A cancel could not be applied (the order was already closed, or the venue refused). */
  onCancelRejected(orderId: string, reason: string, tsEventNs: number): void;
}

export interface Venue {
  /** Short name, e.g. "paper"; fills are unique per venue and tradeId. */
  readonly name: string;
  /** The venue's clock: the exchange time of the latest market event seen, Unix epoch ns. */
  nowNs(): number;
  /** The instrument of a symbol traded here, or undefined when the venue does not know it. */
  instrument(symbol: string): Instrument | undefined;
  /** Where reports go. One order manager per venue. */
  connect(reports: VenueReports): void;
  /** Sends an order. Answers come through the reports (possibly before submit returns). */
  submit(order: VenueOrder): void;
  /** Sends a cancel for an order previously submitted. */
  cancel(orderId: string): void;
  /**
   * A simulated venue charges an account (strategy) its own fee rates, bps of notional;
   * a real venue charges what it charges and does not implement this.
   */
  setAccountFees?(account: string, makerFeeBps: number, takerFeeBps: number, model?: { readonly model: 'bps' | 'kalshi' | 'kalshi_maker_fees' | 'polymarket'; readonly polymarketRate: number; readonly polymarketExponent: number }): void;
  /** The venue's default fee schedule, bps of notional, where it has one (the paper exchange). */
  readonly feeSchedule?: { readonly makerFeeBps: number; readonly takerFeeBps: number };
}
