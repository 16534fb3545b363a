// Every error the project raises carries a code from this table.

export const ERROR_CODES = {
  SPREADCORE_ERR_WASM_MISSING: 'the WebAssembly build is missing',
  SPREADCORE_ERR_WASM_ABORT: 'the WebAssembly module aborted',
  SPREADCORE_ERR_WASM_LAYOUT: 'the WebAssembly memory map does not match',
  SPREADCORE_ERR_BAD_DECIMAL: 'not a valid decimal number',
  SPREADCORE_ERR_OFF_GRID: 'price or quantity is not a multiple of the tick or lot size',
  SPREADCORE_ERR_OUT_OF_RANGE: 'value out of the representable range',
  SPREADCORE_ERR_BAD_BOOK: 'unknown or invalid book',
  SPREADCORE_ERR_BOOK_FULL: 'no free book slot',
  SPREADCORE_ERR_BOOK_OP: 'the book refused an operation',
  SPREADCORE_ERR_BAD_INPUT: 'malformed input',
  SPREADCORE_ERR_BAD_FLAG: 'invalid command-line flag',
  SPREADCORE_ERR_IO: 'reading input or writing output failed',
  SPREADCORE_ERR_BAD_PARAM: 'invalid parameter',
  SPREADCORE_ERR_SEQUENCE_GAP: 'sequence gap in a market-data stream',
  SPREADCORE_ERR_UWS_NATIVE: 'uWebSockets.js native binding not loaded',
  SPREADCORE_ERR_LISTEN: 'could not listen on the address',
  SPREADCORE_ERR_BAD_RECORDING: 'the recording file is malformed',
  SPREADCORE_ERR_JOURNAL_SCHEMA: 'the journal was written with a schema this build does not know',
  SPREADCORE_ERR_JOURNAL_CORRUPT: 'the journal file is corrupt or not a spreadcore journal',
  SPREADCORE_ERR_JOURNAL_LOCKED: 'the journal is in use by another process',
  SPREADCORE_ERR_JOURNAL_IO: 'reading or writing the journal failed',
  SPREADCORE_ERR_JOURNAL_CONFLICT: 'the journal already holds a different record with this id',
  SPREADCORE_ERR_JOURNAL_NOT_FOUND: 'no such strategy or order in the journal',
  SPREADCORE_ERR_STRATEGY_NOT_FOUND: 'no such strategy',
  SPREADCORE_ERR_STRATEGY_EXISTS: 'a strategy with this id is already loaded',
  SPREADCORE_ERR_STRATEGY_STATE: 'the strategy is not in a state that allows this',
  SPREADCORE_ERR_STRATEGY_INVALID: 'the strategy restored from the journal no longer passes the parameter checks',
  SPREADCORE_ERR_UNKNOWN_SYMBOL: 'the market has no such symbol',
  SPREADCORE_ERR_ORDER_REJECTED: 'the order was rejected by the risk gate',
  SPREADCORE_ERR_CAPACITY: 'no free quoter slot or market for another strategy symbol',
  SPREADCORE_ERR_NOT_FOUND: 'no such route or resource',
  SPREADCORE_ERR_METHOD_NOT_ALLOWED: 'method not allowed on this route',
  SPREADCORE_ERR_BODY_TOO_LARGE: 'request body too large',
  SPREADCORE_ERR_UNSUPPORTED_MEDIA_TYPE: 'mutating requests must be application/json',
  SPREADCORE_ERR_BAD_JSON: 'malformed JSON body',
  SPREADCORE_ERR_BAD_QUERY: 'malformed query string',
  SPREADCORE_ERR_UNAUTHORIZED: 'a bearer token is required',
  SPREADCORE_ERR_FORBIDDEN: 'host or origin not allowed',
  SPREADCORE_ERR_NOT_READY: 'the engine is not ready yet',
  SPREADCORE_ERR_RATE_LIMITED: 'too many requests from this client',
  SPREADCORE_ERR_INTERNAL: 'internal error',
  // a live execution venue (docs/live-trading.md)
  /** HTTP 409: the request is about a live venue and this run trades on the paper exchange. */
  SPREADCORE_ERR_NOT_LIVE: 'this run has no live execution venue',
  /** HTTP 502: the live venue did not answer, or refused a query (e.g. the reconciliation's). */
  SPREADCORE_ERR_VENUE_UNAVAILABLE: 'the live execution venue could not be reached or refused the request',
  // serve --cluster (docs/cluster.md): a request forwarded to the node running its strategy or market
  /** HTTP 503: no node serves its subject (stopped, or not connected to NATS). */
  SPREADCORE_ERR_NODE_UNAVAILABLE: 'the cluster node running this strategy or market is not reachable',
  /** HTTP 504: the node did not answer within the forwarding timeout (paused, overloaded, cut off). */
  SPREADCORE_ERR_NODE_TIMEOUT: 'the cluster node running this strategy or market did not answer in time',
  SPREADCORE_ERR_WORKER: 'a worker thread failed',
  SPREADCORE_ERR_BAD_SWEEP_SPACE: 'the sweep space file is invalid or too large',
  SPREADCORE_ERR_BAD_CHART: 'invalid chart or report input',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SpreadcoreError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message?: string) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'SpreadcoreError';
    this.code = code;
  }
}

/** Message text for a WASM ERR_* status code. */
export const WASM_STATUS_TEXT: readonly string[] = [
  'ok',
  'book index out of range',
  'side must be 0 (bid) or 1 (ask)',
  'price is not an integer number of ticks within +-2^52',
  'quantity is not a non-negative integer number of lots within 2^53',
  'the change would take the level below zero',
  'no room left for a level outside the price window',
  'unknown operation',
  'staged record count out of range',
  'quoter slot out of range',
  'timestamp is not a finite number of microseconds',
  'parameter out of range',
];
