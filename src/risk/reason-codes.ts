// The pre-trade gate's answers: ALLOW (0) or one DENY_* code per rule, in the order
// the gate checks them. RISK_REASONS is the one table of names and messages; the
// gate keeps a counter per code (risk-engine.ts).

export const ALLOW = 0;
/** Malformed intent or context: bad side or type, NaN / non-integer / non-positive price or quantity, NaN clock. */
export const DENY_INVALID = 1;
/** The strategy, or the symbol for that strategy, is not registered with the risk engine. */
export const DENY_UNKNOWN = 2;
/** An order with this clientOrderId is already open. */
export const DENY_DUPLICATE_ORDER = 3;
/** The global kill switch is on. */
export const DENY_KILL_SWITCH = 4;
/** The strategy is HALTED. */
export const DENY_HALTED = 5;
/** REDUCING (strategy or symbol) or a reduceOnly intent: the order would not reduce |position| or could flip it. */
export const DENY_REDUCE_ONLY = 6;
/** The feed does not know the symbol, or a side of its book is empty. */
export const DENY_NO_MARKET = 7;
/** The book is awaiting a snapshot or out of sync (gap, integrity error). */
export const DENY_BOOK_STALE = 8;
export const DENY_BOOK_CROSSED = 9;
/** No market data for longer than the feed's stale interval. */
export const DENY_FEED_STALE = 10;
export const DENY_MAX_ORDER_SIZE = 11;
export const DENY_MAX_NOTIONAL = 12;
export const DENY_PRICE_BAND = 13;
/** The order would trade against one of our own resting orders on the symbol. */
export const DENY_SELF_CROSS = 14;
/** position + pending orders on that side + this order beyond ±max_position. */
export const DENY_MAX_POSITION = 15;
export const DENY_VOLATILITY_PAUSE = 16;
export const DENY_LARGE_TRADE = 17;
export const DENY_VOLUME_SPIKE = 18;
export const DENY_PRICE_JUMP = 19;
/** A resting quote is older than max_quote_age_seconds and no cancel was requested: requote first. */
export const DENY_QUOTE_STALE = 20;
export const DENY_ORDER_TABLE_FULL = 21;
export const DENY_RATE_LIMIT = 22;

export const REASON_COUNT = 23;

export interface RiskReason {
  readonly code: number;
  readonly name: string;
  readonly message: string;
  /**
   * The refusal applies to every quote of the symbol for that strategy at this moment,
   * whatever its side, price or size (the whole engine, strategy or market is refused,
   * or the order-rate bucket is empty; a refusal takes no token). The quote diff places
   * nothing more until its next decision after such an answer.
   */
  readonly everyQuote: boolean;
}

/** Every answer of the gate, indexed by code. */
export const RISK_REASONS: readonly RiskReason[] = Object.freeze([
  { code: ALLOW, name: 'ALLOW', message: 'the order passes every pre-trade check', everyQuote: false },
  { code: DENY_INVALID, name: 'DENY_INVALID', message: 'malformed order intent (side, type, price or quantity) or clock', everyQuote: false },
  { code: DENY_UNKNOWN, name: 'DENY_UNKNOWN', message: 'strategy or symbol not registered with the risk engine', everyQuote: true },
  { code: DENY_DUPLICATE_ORDER, name: 'DENY_DUPLICATE_ORDER', message: 'an order with this client order id is already open', everyQuote: false },
  { code: DENY_KILL_SWITCH, name: 'DENY_KILL_SWITCH', message: 'the global kill switch is on: every order is blocked', everyQuote: true },
  { code: DENY_HALTED, name: 'DENY_HALTED', message: 'the strategy is halted: every order is blocked', everyQuote: true },
  { code: DENY_REDUCE_ONLY, name: 'DENY_REDUCE_ONLY', message: 'reduce-only: the order would not reduce the position, or could flip it counting pending orders', everyQuote: false },
  { code: DENY_NO_MARKET, name: 'DENY_NO_MARKET', message: 'no market: the symbol is unknown to the feed or a side of its book is empty', everyQuote: true },
  { code: DENY_BOOK_STALE, name: 'DENY_BOOK_STALE', message: 'the book is stale (awaiting a snapshot, or out of sequence)', everyQuote: true },
  { code: DENY_BOOK_CROSSED, name: 'DENY_BOOK_CROSSED', message: 'the book is crossed', everyQuote: true },
  { code: DENY_FEED_STALE, name: 'DENY_FEED_STALE', message: 'no market data for longer than the stale-feed interval', everyQuote: true },
  { code: DENY_MAX_ORDER_SIZE, name: 'DENY_MAX_ORDER_SIZE', message: 'order quantity above max_order_qty', everyQuote: false },
  { code: DENY_MAX_NOTIONAL, name: 'DENY_MAX_NOTIONAL', message: 'order notional above max_order_notional', everyQuote: false },
  { code: DENY_PRICE_BAND, name: 'DENY_PRICE_BAND', message: 'order price farther from the mid than price_band_bps', everyQuote: false },
  { code: DENY_SELF_CROSS, name: 'DENY_SELF_CROSS', message: 'the order would cross one of our own resting orders (self-trade)', everyQuote: false },
  { code: DENY_MAX_POSITION, name: 'DENY_MAX_POSITION', message: 'position plus pending orders plus this order would exceed max_position', everyQuote: false },
  { code: DENY_VOLATILITY_PAUSE, name: 'DENY_VOLATILITY_PAUSE', message: 'quoting paused: volatility above volatility_threshold_bps (or in its cooldown)', everyQuote: true },
  { code: DENY_LARGE_TRADE, name: 'DENY_LARGE_TRADE', message: 'cooldown after a market trade of at least large_trade_qty', everyQuote: true },
  { code: DENY_VOLUME_SPIKE, name: 'DENY_VOLUME_SPIKE', message: 'cooldown after traded volume above volume_spike_multiple × its average', everyQuote: true },
  { code: DENY_PRICE_JUMP, name: 'DENY_PRICE_JUMP', message: 'cooldown after a price jump or a mid move beyond requote_threshold_price', everyQuote: true },
  { code: DENY_QUOTE_STALE, name: 'DENY_QUOTE_STALE', message: 'a resting quote is older than max_quote_age_seconds: cancel it (requote) first', everyQuote: true },
  { code: DENY_ORDER_TABLE_FULL, name: 'DENY_ORDER_TABLE_FULL', message: 'too many open orders for the risk engine\'s order table', everyQuote: true },
  { code: DENY_RATE_LIMIT, name: 'DENY_RATE_LIMIT', message: 'order rate above max_orders_per_second (burst order_burst)', everyQuote: true },
].map((r) => Object.freeze(r)));

const EVERY_QUOTE = Uint8Array.from(RISK_REASONS, (r) => (r.everyQuote ? 1 : 0));

/** Whether the gate's answer `code` refuses every other quote of the leg too (RiskReason.everyQuote). */
export function refusesEveryQuote(code: number): boolean {
  return EVERY_QUOTE[code] === 1;
}

/** The name of a code ("DENY_PRICE_BAND"), or "UNKNOWN_<n>". */
export function reasonName(code: number): string {
  return RISK_REASONS[code]?.name ?? `UNKNOWN_${code}`;
}

export function reasonMessage(code: number): string {
  return RISK_REASONS[code]?.message ?? 'unknown risk reason code';
}
