// A strategy's lifecycle:
//
//   loaded ──start──▶ running ◀──resume── paused (volatility / risk / manual)
//                       │  ──pause──▶        │
//                       └──stop──▶ stopped ◀─┘ stop
//   stopped ──start──▶ running
//
// paused is running with at least one pause reason: quotes are pulled and none are
// placed until every reason is cleared. stop cancels everything and clears the
// reasons; a stopped strategy can be started again or deleted.

export type StrategyStatus = 'loaded' | 'running' | 'paused' | 'stopped';
/**
 * volatility / risk / manual as named; instrument: the symbol's instrument was
 * redefined and the strategy is re-validated against it (lifted when it passes);
 * error: quoting threw (the message is in the strategy's lastError), lifted by a
 * PATCH that passes every check or by stop and start. venue: a live venue is
 * disconnected or being reconciled (lifted when its open orders, fills and positions
 * agree with the journal again).
 */
export type PauseReason = 'volatility' | 'risk' | 'manual' | 'instrument' | 'error' | 'venue';
export const PAUSE_REASONS: readonly PauseReason[] = ['volatility', 'risk', 'manual', 'instrument', 'error', 'venue'];

/** Quotes are being maintained (running, not paused). */
export function isQuoting(status: StrategyStatus): boolean {
  return status === 'running';
}

/** Started and not stopped: running or paused. */
export function isActive(status: StrategyStatus): boolean {
  return status === 'running' || status === 'paused';
}
