// Typed Binance market-data records (spot and USD-M futures). Prices and
// quantities stay decimal strings until an instrument's DecimalGrid converts them.
// Update ids are below 2^53 on both venues and are kept as numbers.

export type BinanceMarket = 'spot' | 'usdm';

/** [price, quantity] as sent by Binance. */
export type DecimalPair = readonly [price: string, qty: string];

/** Diff. depth stream event (`<symbol>@depth`, `@depth@100ms`, futures `@depth@0ms`...). */
export interface DepthUpdate {
  readonly kind: 'depth';
  readonly symbol: string;
  /** U: first update id in the event. */
  readonly firstUpdateId: number;
  /** u: final update id in the event. */
  readonly finalUpdateId: number;
  /** pu: the previous event's u (USD-M futures only; -1 on spot). */
  readonly prevFinalUpdateId: number;
  /** E: event time, ms. */
  readonly eventTimeMs: number;
  /** T: transaction time, ms (futures; -1 on spot). */
  readonly transactTimeMs: number;
  /** Absolute quantities; "0" removes the level. */
  readonly bids: readonly DecimalPair[];
  readonly asks: readonly DecimalPair[];
}

/** Best bid/ask stream event. */
export interface BookTicker {
  readonly kind: 'bookTicker';
  readonly symbol: string;
  /** u: order book update id this best bid/ask corresponds to. */
  readonly updateId: number;
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
  /** E and T (futures only; -1 on spot). */
  readonly eventTimeMs: number;
  readonly transactTimeMs: number;
}

/** Trade stream event. */
export interface Trade {
  readonly kind: 'trade';
  readonly symbol: string;
  readonly tradeId: number;
  readonly price: string;
  readonly qty: string;
  readonly tradeTimeMs: number;
  readonly eventTimeMs: number;
  /** m: the buyer was the maker, so the aggressor sold. */
  readonly buyerIsMaker: boolean;
}

/** Aggregate trade stream event. */
export interface AggTrade {
  readonly kind: 'aggTrade';
  readonly symbol: string;
  readonly aggTradeId: number;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly price: string;
  readonly qty: string;
  readonly tradeTimeMs: number;
  readonly eventTimeMs: number;
  readonly buyerIsMaker: boolean;
}

/** REST depth snapshot (`/api/v3/depth`, `/fapi/v1/depth`). Carries no symbol. */
export interface DepthSnapshot {
  readonly kind: 'snapshot';
  readonly lastUpdateId: number;
  readonly bids: readonly DecimalPair[];
  readonly asks: readonly DecimalPair[];
}

export type BinanceMessage = DepthUpdate | BookTicker | Trade | AggTrade | DepthSnapshot;
