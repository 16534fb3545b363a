// Errors of the Kalshi client. Kalshi answers errors with an HTTP status and a body
// {"error":{"code","message","details"}} (the shape kalshi-typescript's models describe);
// the class decides what the venue does with it.
export type KalshiErrorClass = 'rejected' | 'unknown_outcome' | 'rate_limited' | 'auth' | 'not_found' | 'budget';

export class KalshiApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly cls: KalshiErrorClass;
  constructor(status: number, code: string, message: string) {
    super(`Kalshi ${status} ${code}: ${message}`);
    this.name = 'KalshiApiError';
    this.status = status;
    this.code = code;
    this.cls = classify(status);
  }
}

/** Thrown before sending when the rate budget cannot pay for a request at its priority. */
export class KalshiBudgetError extends Error {
  readonly cls: KalshiErrorClass = 'budget';
  constructor(readonly bucket: string, readonly waitMs: number) {
    super(`Kalshi ${bucket} budget exhausted; retry in ${waitMs} ms`);
    this.name = 'KalshiBudgetError';
  }
}

/** 5xx and transport failures leave an order's outcome unknown: it is queried, never resent. */
export function classify(status: number): KalshiErrorClass {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status >= 500 || status === 0) return 'unknown_outcome';
  return 'rejected';
}
