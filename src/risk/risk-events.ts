// What the risk engine tells its caller: state transitions (to journal and stream),
// volatility pauses, adverse-selection triggers, and requests the engine must act on
// (cancel all, flatten, requote). Events are created only when something changes,
// never on the per-check path. Times are Unix epoch ns as numbers.
import type { TradingState } from '../trading/types.js';

/** Why a trading state changed. */
export type StateReason =
  | 'start'
  | 'manual_kill' | 'manual_resume' | 'manual_halt' | 'manual_reduce'
  | 'daily_loss' | 'daily_reset'
  | 'stop_loss' | 'flat'
  // a live venue's position differs from the ledgers' (halt), and agrees again at a reconciliation the operator asked for (lift)
  | 'reconcile_mismatch' | 'reconciled';

export type StateScope = 'global' | 'strategy' | 'symbol';

export interface StateChangeEvent {
  readonly type: 'state_change';
  readonly scope: StateScope;
  /** null for the global kill switch. */
  readonly strategyId: string | null;
  /** Set for scope 'symbol'. */
  readonly symbol: string | null;
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: StateReason;
  /** A note given with a manual change, or the numbers behind an automatic one. */
  readonly detail: string;
  readonly tsNs: number;
}

export interface VolatilityPauseEvent {
  /** `volatility_pause` when quoting stops, `volatility_resume` when it may start again. */
  readonly type: 'volatility_pause' | 'volatility_resume';
  readonly strategyId: string;
  readonly symbol: string;
  readonly rollingBps: number;
  readonly thresholdBps: number;
  readonly tsNs: number;
}

export type AdverseTrigger = 'large_trade' | 'volume_spike' | 'price_jump' | 'price_move';

export interface AdverseSelectionEvent {
  readonly type: 'adverse_selection';
  readonly trigger: AdverseTrigger;
  readonly strategyId: string;
  readonly symbol: string;
  /** large_trade: trade lots; volume_spike: window volume (lots); price_jump: last return (bps); price_move: mid move (ticks). */
  readonly value: number;
  /** The threshold value was compared with, in the same unit; NaN for price_jump (the volatility estimator's own jump rule). */
  readonly threshold: number;
  /** New orders (except reduce-only exits) are denied until then. */
  readonly cooldownUntilNs: number;
  readonly tsNs: number;
}

export type CancelReason = 'kill_switch' | 'halted' | 'reducing' | 'daily_loss' | 'stop_loss' | 'volatility_pause' | AdverseTrigger;

/** Cancel every open order in the scope (global: all; strategy: the strategy's; symbol: the strategy's on the symbol). */
export interface CancelAllRequest {
  readonly type: 'cancel_all';
  readonly scope: StateScope;
  readonly strategyId: string | null;
  readonly symbol: string | null;
  readonly reason: CancelReason;
  readonly tsNs: number;
}

/** Close the strategy's position on the symbol with reduce-only orders. */
export interface FlattenRequest {
  readonly type: 'flatten';
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed position at the time of the request (lots). */
  readonly positionLot: number;
  readonly reason: 'stop_loss';
  readonly tsNs: number;
}

/** A quote of the strategy on the symbol is older than max_quote_age_seconds: cancel the old quotes and quote again. */
export interface RequoteRequest {
  readonly type: 'requote';
  readonly strategyId: string;
  readonly symbol: string;
  readonly reason: 'max_quote_age';
  /** Age of the oldest quote, ns. */
  readonly ageNs: number;
  readonly tsNs: number;
}

/**
 * A strategy's trading day started (its daily_reset_utc passed): each symbol's P&L baseline
 * the day's loss is measured from (realized + unrealized at the first P&L update of the day),
 * for the engine to keep, so a restart the same day measures from the same baseline.
 */
export interface DayStartEvent {
  readonly type: 'day_start';
  readonly strategyId: string;
  /** Start of the trading day (ns). */
  readonly dayStartNs: number;
  readonly baselines: ReadonlyArray<{ readonly symbol: string; readonly baselineQuote: number }>;
  readonly tsNs: number;
}

export type RiskEvent =
  | StateChangeEvent | VolatilityPauseEvent | AdverseSelectionEvent
  | CancelAllRequest | FlattenRequest | RequoteRequest | DayStartEvent;

export type RiskEventListener = (e: RiskEvent) => void;
