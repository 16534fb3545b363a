// Reconnect delays: exponential with "equal jitter". Attempt n (0-based) waits a
// uniformly random time in [d/2, d] where d = min(maxMs, initialMs * 2^n): the
// first retry comes within initialMs, consecutive ranges touch but do not overlap
// (so delays grow), and many clients that lost the same server spread out.
import { SpreadcoreError } from '../../errors.js';

export interface BackoffOptions {
  /** Upper bound of the first delay, ms. */
  initialMs: number;
  /** Cap on the upper bound, ms. */
  maxMs: number;
}

export function checkBackoff(o: BackoffOptions, what: string): void {
  if (!(o.initialMs > 0 && Number.isFinite(o.initialMs))) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what}.initialMs must be a positive number, got ${o.initialMs}`);
  }
  if (!(o.maxMs >= o.initialMs && Number.isFinite(o.maxMs))) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what}.maxMs must be a number >= initialMs (${o.initialMs}), got ${o.maxMs}`);
  }
}

/** The upper bound d of attempt n's delay. */
export function backoffCeilingMs(attempt: number, o: BackoffOptions): number {
  // 2^attempt overflows to Infinity for huge attempts; min() keeps it at the cap
  return Math.min(o.maxMs, o.initialMs * 2 ** Math.max(0, attempt));
}

/** The delay before attempt n, in [d/2, d]. `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const d = backoffCeilingMs(attempt, o);
  return d / 2 + random() * (d / 2);
}
