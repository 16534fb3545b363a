// Records shared by strategy, risk, execution, accounting and the journal.
// Immutable event records carry ts_event (when it happened at the venue or paper
// exchange) and ts_init (when this process created the record), both Unix epoch ns
// as bigint at this edge (records are not on the per-book-update path).
// Prices and quantities are exact decimal strings (the instrument's grids).

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'LIMIT' | 'MARKET';
export type Liquidity = 'MAKER' | 'TAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'POST_ONLY';
export type OrderStatus = 'PENDING_NEW' | 'ACTIVE' | 'PARTIALLY_FILLED' | 'FILLED' | 'PENDING_CANCEL' | 'CANCELLED' | 'REJECTED';

export interface OrderRecord {
  readonly orderId: string;
  /** Client order id: unique and idempotent (a retried submit with the same id never double-sends). */
  readonly clientOrderId: string;
  readonly strategyId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price; null for MARKET. */
  readonly price: string | null;
  readonly qty: string;
  readonly tsInitNs: bigint;
}

export interface FillRecord {
  /** Stable, unique per venue (paper: deterministic from the run). */
  readonly tradeId: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly strategyId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: string;
  readonly qty: string;
  /** Fee in the quote currency; negative for a rebate. */
  readonly fee: string;
  readonly liquidity: Liquidity;
  readonly tsEventNs: bigint;
  readonly tsInitNs: bigint;
}

/**
 * An order as the strategy, risk gate and execution layer pass it around: integer
 * ticks and lots of the symbol's instrument (the hot-path form). Decimal strings
 * appear only when it is journaled or reported (OrderRecord / FillRecord).
 */
export interface OrderIntent {
  /** Unique per order; a retried submit with the same id is the same order (idempotent). */
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price in ticks; NaN for MARKET. */
  readonly priceTick: number;
  readonly qtyLot: number;
  /** May only reduce the position (REDUCING state, inventory reduction). */
  readonly reduceOnly: boolean;
  /** Quote level this order belongs to (1 = best), 0 for non-ladder orders. */
  readonly level: number;
}

/** Trading states of the risk engine (per strategy, and a global kill switch). */
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
