// Errors of the strategy lifecycle and the engine's control methods, each with a
// code and the HTTP status the control API answers with. Bad parameters stay
// ParameterError (SPREADCORE_ERR_BAD_PARAM, 400) and malformed bodies
// SpreadcoreError SPREADCORE_ERR_BAD_INPUT (400).

export const STRATEGY_ERROR_CODES = {
  SPREADCORE_ERR_STRATEGY_NOT_FOUND: { status: 404, message: 'no such strategy' },
  SPREADCORE_ERR_STRATEGY_EXISTS: { status: 409, message: 'a strategy with this id is already loaded' },
  SPREADCORE_ERR_STRATEGY_STATE: { status: 409, message: 'the strategy is not in a state that allows this' },
  SPREADCORE_ERR_UNKNOWN_SYMBOL: { status: 422, message: 'the market has no such symbol' },
  SPREADCORE_ERR_ORDER_REJECTED: { status: 422, message: 'the order was rejected by the risk gate' },
  SPREADCORE_ERR_CAPACITY: { status: 409, message: 'no free quoter slot or market for another strategy symbol' },
} as const;

export type StrategyErrorCode = keyof typeof STRATEGY_ERROR_CODES;

export class StrategyError extends Error {
  readonly code: StrategyErrorCode;
  /** HTTP status for the control API. */
  readonly status: number;
  /** Extra machine-readable detail (e.g. the risk reason of a rejected order). */
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: StrategyErrorCode, message?: string, detail?: Readonly<Record<string, unknown>>) {
    super(message ?? STRATEGY_ERROR_CODES[code].message);
    this.name = 'StrategyError';
    this.code = code;
    this.status = STRATEGY_ERROR_CODES[code].status;
    this.detail = detail;
  }
}
