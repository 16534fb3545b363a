// Binance error codes → what the execution client does about them.
//
// Sources: binance-spot-api-docs errors.md (codes and messages), rest-api.md "General API
// Information" / "LIMITS" (HTTP 4XX/418/429/5XX, Retry-After, -1007 = execution status
// unknown), web-socket-api.md "Status codes". USD-M codes (-5022 post-only, -4xxx filter
// failures) from the USDⓈ-M futures error-code page of developers.binance.com.
//
// Classes:
//   rejected               final: the request did nothing (order → onRejected / cancel → onCancelRejected)
//   post_only_would_cross  a normal event for a maker quote: the order did nothing; requote
//   unknown_outcome        the request may or may not have executed: query, never resend blindly
//   rate_limited           stop sending (obey Retry-After); the request did nothing
//   banned                 HTTP 418: the IP is banned until Retry-After; stop everything
//   clock_skew             -1021: resync the server clock, retry once
//   not_found              -2013: order unknown (not final right after placing)
//   listen_key_expired     -1125: create a new listenKey
export type ErrorClass =
  | 'rejected' | 'post_only_would_cross' | 'unknown_outcome' | 'rate_limited' | 'banned'
  | 'clock_skew' | 'not_found' | 'listen_key_expired';

export interface CodeInfo { readonly name: string; readonly cls: ErrorClass }

/** The table (codes not listed are `rejected`, a 4XX with no code too). */
export const BINANCE_ERROR_TABLE: ReadonlyMap<number, CodeInfo> = new Map<number, CodeInfo>([
  [-1000, { name: 'UNKNOWN', cls: 'unknown_outcome' }],
  [-1001, { name: 'DISCONNECTED', cls: 'unknown_outcome' }],
  [-1003, { name: 'TOO_MANY_REQUESTS', cls: 'rate_limited' }],
  [-1006, { name: 'UNEXPECTED_RESP', cls: 'unknown_outcome' }],
  [-1007, { name: 'TIMEOUT', cls: 'unknown_outcome' }],
  [-1008, { name: 'SERVER_BUSY', cls: 'rate_limited' }],
  [-1013, { name: 'INVALID_MESSAGE', cls: 'rejected' }],
  [-1015, { name: 'TOO_MANY_ORDERS', cls: 'rate_limited' }],
  [-1021, { name: 'INVALID_TIMESTAMP', cls: 'clock_skew' }],
  [-1022, { name: 'INVALID_SIGNATURE', cls: 'rejected' }],
  [-1100, { name: 'ILLEGAL_CHARS', cls: 'rejected' }],
  [-1102, { name: 'MANDATORY_PARAM_EMPTY_OR_MALFORMED', cls: 'rejected' }],
  [-1111, { name: 'BAD_PRECISION', cls: 'rejected' }],
  [-1121, { name: 'BAD_SYMBOL', cls: 'rejected' }],
  [-1125, { name: 'INVALID_LISTEN_KEY', cls: 'listen_key_expired' }],
  [-2010, { name: 'NEW_ORDER_REJECTED', cls: 'rejected' }],
  [-2011, { name: 'CANCEL_REJECTED', cls: 'rejected' }],
  [-2013, { name: 'NO_SUCH_ORDER', cls: 'not_found' }],
  [-2014, { name: 'BAD_API_KEY_FMT', cls: 'rejected' }],
  [-2015, { name: 'REJECTED_MBX_KEY', cls: 'rejected' }],
  [-2021, { name: 'ORDER_CANCEL_REPLACE_PARTIALLY_FAILED', cls: 'rejected' }],
  [-2022, { name: 'ORDER_CANCEL_REPLACE_FAILED', cls: 'rejected' }],
  [-5022, { name: 'GTX_ORDER_REJECT', cls: 'post_only_would_cross' }],
]);

/** errors.md "Messages for -2010 …": the LIMIT_MAKER refusal. */
export const SPOT_POST_ONLY_MESSAGE = 'Order would immediately match and take.';

/** Codes of this module's own errors (never Binance's). */
export type BinanceLocalCode =
  | 'BINANCE_ERR_KEYS' | 'BINANCE_ERR_API' | 'BINANCE_ERR_BAD_RESPONSE' | 'BINANCE_ERR_FILTER'
  | 'BINANCE_ERR_BUDGET' | 'BINANCE_ERR_CLIENT_ID' | 'BINANCE_ERR_CLOSED' | 'BINANCE_ERR_CONFIG' | 'BINANCE_ERR_UNLISTED_SYMBOL';

/** A local error with a code (messages never carry key material). */
export class BinanceError extends Error {
  readonly code: BinanceLocalCode;
  constructor(code: BinanceLocalCode, message: string) {
    super(message);
    this.name = 'BinanceError';
    this.code = code;
  }
}

/** An answer from Binance that was not a success (or no answer at all), classified. */
export class BinanceApiError extends Error {
  readonly code = 'BINANCE_ERR_API' as const;
  /** HTTP status (or WS API `status`); 0 when there was no answer (timeout, network). */
  readonly status: number;
  /** Binance's error code; 0 when the answer had none. */
  readonly binanceCode: number;
  readonly binanceMsg: string;
  readonly cls: ErrorClass;
  /** Milliseconds to wait (Retry-After) for rate_limited / banned; 0 otherwise. */
  readonly retryAfterMs: number;
  /** The error's `data` where Binance sends one (order.cancelReplace: the result of each part). */
  readonly data: unknown;
  constructor(status: number, binanceCode: number, binanceMsg: string, cls: ErrorClass, retryAfterMs = 0, data: unknown = undefined) {
    super(`Binance ${status}${binanceCode !== 0 ? ` ${binanceCode}` : ''}: ${binanceMsg} [${cls}]`);
    this.name = 'BinanceApiError';
    this.status = status;
    this.binanceCode = binanceCode;
    this.binanceMsg = binanceMsg;
    this.cls = cls;
    this.retryAfterMs = retryAfterMs;
    this.data = data;
  }
  /** The reason string handed to onRejected / onCancelRejected. */
  get reason(): string {
    if (this.cls === 'post_only_would_cross') return 'post_only_would_cross';
    const info = BINANCE_ERROR_TABLE.get(this.binanceCode);
    return info !== undefined ? `binance_${this.binanceCode}_${info.name.toLowerCase()}` : `binance_${this.status}_${this.binanceCode}`;
  }
}

/**
 * Classifies an answer. `status` is the HTTP status (WS API: the `status` field), 0 for
 * no answer; `code`/`msg` from the body (`{"code":…,"msg":…}`) when there is one.
 */
export function classify(status: number, code: number, msg: string): ErrorClass {
  if (status === 418) return 'banned';
  if (status === 429) return 'rate_limited';
  if (status === 0 || status >= 500) return 'unknown_outcome'; // rest-api.md: 5XX → execution status UNKNOWN
  if (code === -2010 && msg === SPOT_POST_ONLY_MESSAGE) return 'post_only_would_cross';
  const info = BINANCE_ERROR_TABLE.get(code);
  if (info !== undefined) return info.cls;
  if (status === 403) return 'rate_limited'; // WAF block (web-socket-api.md "Status codes")
  return 'rejected';
}

/** Retry-After (seconds, rest-api.md "LIMITS") in ms; `fallbackMs` when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, fallbackMs: number): number {
  if (header === null || header === undefined || header === '') return fallbackMs;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return Math.ceil(s * 1000);
  const t = Date.parse(header);
  return Number.isFinite(t) ? Math.max(0, t - Date.now()) : fallbackMs;
}

export function apiError(status: number, code: number, msg: string, retryAfter = 0, data: unknown = undefined): BinanceApiError {
  return new BinanceApiError(status, code, msg, classify(status, code, msg), retryAfter, data);
}
