// An order and a trade as the replica keeps them (Binance's view: integer ids,
// statuses NEW / PARTIALLY_FILLED / FILLED / CANCELED / EXPIRED).
import type { ReplicaSymbol } from './replica-symbol.js';

export type Side = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'LIMIT_MAKER' | 'MARKET';
export type TimeInForce = 'GTC' | 'IOC' | 'GTX';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';

/** A new order after its parameters were checked. */
export interface NewOrder {
  readonly sym: ReplicaSymbol;
  readonly side: Side;
  readonly type: OrderType;
  /** null for LIMIT_MAKER and MARKET on spot. */
  readonly timeInForce: TimeInForce | null;
  /** NaN for MARKET. */
  readonly priceTick: number;
  readonly qtyLot: number;
  readonly clientOrderId: string | null;
  readonly reduceOnly: boolean;
}

export interface ReplicaOrder {
  readonly sym: ReplicaSymbol;
  readonly orderId: number;
  clientOrderId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce | null;
  priceTick: number;
  qtyLot: number;
  executedLot: number;
  cumQuoteE8: bigint;
  status: OrderStatus;
  readonly time: number;
  updateTime: number;
  /** When the order went on the book; -1 before. */
  workingTime: number;
  readonly reduceOnly: boolean;
  /** Spot: what this order still holds locked, and in which asset. */
  lockedE8: bigint;
  lockAsset: string;
  /** The id the paper exchange knows the order's current version by. */
  paperId: string;
  versions: number;
  cancelRequested: boolean;
  /** The client id of the cancel request (spot: becomes `c` of the CANCELED report, `C` the original). */
  cancelClientOrderId: string | null;
  /** Futures: realized PnL of this order's fills. */
  realizedE8: bigint;
}

export interface ReplicaTrade {
  readonly id: number;
  readonly symbol: string;
  readonly orderId: number;
  readonly side: Side;
  readonly priceTick: number;
  readonly qtyLot: number;
  readonly quoteE8: bigint;
  readonly commissionE8: bigint;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isMaker: boolean;
  readonly realizedE8: bigint;
}

export function isOpen(o: ReplicaOrder): boolean { return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'; }
