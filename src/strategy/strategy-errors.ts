// Errors of the strategy lifecycle and the engine's control methods: codes from
// the project's one table (src/errors.ts), plus the HTTP status the control API
// answers with. Bad parameters stay
// ParameterError (SPREADCORE_ERR_BAD_PARAM, 400) and malformed bodies
// SpreadcoreError SPREADCORE_ERR_BAD_INPUT (400).

import { SpreadcoreError } from '../errors.js';

/** HTTP status per strategy error code. */
export const STRATEGY_ERROR_STATUS = {
  SPREADCORE_ERR_STRATEGY_NOT_FOUND: 404,
  SPREADCORE_ERR_STRATEGY_EXISTS: 409,
  SPREADCORE_ERR_STRATEGY_STATE: 409,
  SPREADCORE_ERR_STRATEGY_INVALID: 409,
  SPREADCORE_ERR_UNKNOWN_SYMBOL: 422,
  SPREADCORE_ERR_ORDER_REJECTED: 422,
  SPREADCORE_ERR_CAPACITY: 409,
} as const;

export type StrategyErrorCode = keyof typeof STRATEGY_ERROR_STATUS;

export class StrategyError extends SpreadcoreError {
  declare readonly code: StrategyErrorCode;
  /** HTTP status for the control API. */
  readonly status: number;
  /** Extra machine-readable detail (e.g. the risk reason of a rejected order). */
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: StrategyErrorCode, message?: string, detail?: Readonly<Record<string, unknown>>) {
    super(code, message);
    this.name = 'StrategyError';
    this.status = STRATEGY_ERROR_STATUS[code];
    this.detail = detail;
  }
}
