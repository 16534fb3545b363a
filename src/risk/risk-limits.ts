// The risk parameters the strategy parameter schema does not carry: per-order caps,
// the price band, the order-rate limit, the volatility pause cooldown, the mid-move
// cooldown and the daily reset time. Same conventions as the schema: snake_case,
// units in the names, null = off. Everything else the gate uses comes from
// StrategyParams (max_position, stop_loss_bps, daily_loss_limit_pct, ...).
import { SpreadcoreError } from '../errors.js';

export interface RiskLimits {
  /** Largest quantity of one order; null = max_position. */
  readonly max_order_qty: number | null;
  /** Largest notional (quantity × price, quote currency) of one order; null = no cap. */
  readonly max_order_notional: number | null;
  /** Farthest an order's price may be from the mid, in bps of the mid. */
  readonly price_band_bps: number;
  /** Token bucket per strategy: sustained orders per second ... */
  readonly max_orders_per_second: number;
  /** ... and the bucket's size (orders allowed at once after a quiet period). */
  readonly order_burst: number;
  /** The volatility pause lifts once volatility has stayed at or below the threshold this long. */
  readonly volatility_pause_cooldown_ms: number;
  /** Quiet period after a mid move beyond requote_threshold_price (0 = requote at once). */
  readonly price_move_cooldown_ms: number;
  /** UTC time of day ("HH:MM") the daily loss counter restarts and a daily stop lifts. */
  readonly daily_reset_utc: string;
}

export const DEFAULT_RISK_LIMITS: Readonly<RiskLimits> = Object.freeze({
  max_order_qty: null,
  max_order_notional: null,
  price_band_bps: 500,
  max_orders_per_second: 50,
  order_burst: 100,
  volatility_pause_cooldown_ms: 10_000,
  price_move_cooldown_ms: 0,
  daily_reset_utc: '00:00',
});

const RESET_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after 00:00 UTC of a "HH:MM" daily reset time; NaN when malformed. */
export function resetMinuteUtc(hhmm: string): number {
  const m = RESET_RE.exec(hhmm);
  if (m === null) return NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

function fail(field: string, message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${field}: ${message}`);
}

function positive(field: string, v: unknown, nullable: boolean): void {
  if (v === null && nullable) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(field, `must be a positive number${nullable ? ' or null' : ''}, got ${String(v)}`);
}

function nonNegative(field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(field, `must be a number >= 0, got ${String(v)}`);
}

/** Defaults for what `input` leaves out; throws SPREADCORE_ERR_BAD_PARAM on an unknown field or a bad value. */
export function resolveRiskLimits(input: Partial<RiskLimits> = {}, base: Readonly<RiskLimits> = DEFAULT_RISK_LIMITS): RiskLimits {
  for (const k of Object.keys(input)) if (!(k in DEFAULT_RISK_LIMITS)) fail(k, 'unknown risk limit');
  const r: RiskLimits = { ...base, ...input };
  positive('max_order_qty', r.max_order_qty, true);
  positive('max_order_notional', r.max_order_notional, true);
  positive('price_band_bps', r.price_band_bps, false);
  if (r.price_band_bps > 10_000) fail('price_band_bps', `must be at most 10000, got ${r.price_band_bps}`);
  positive('max_orders_per_second', r.max_orders_per_second, false);
  positive('order_burst', r.order_burst, false);
  if (!Number.isInteger(r.order_burst)) fail('order_burst', `must be a whole number of orders, got ${r.order_burst}`);
  nonNegative('volatility_pause_cooldown_ms', r.volatility_pause_cooldown_ms);
  nonNegative('price_move_cooldown_ms', r.price_move_cooldown_ms);
  if (typeof r.daily_reset_utc !== 'string' || Number.isNaN(resetMinuteUtc(r.daily_reset_utc))) {
    fail('daily_reset_utc', `must be "HH:MM" (UTC, 00:00 to 23:59), got ${String(r.daily_reset_utc)}`);
  }
  return Object.freeze(r);
}
