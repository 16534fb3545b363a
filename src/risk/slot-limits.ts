// Strategy parameters + risk limits + an instrument → the plain numbers the gate
// compares against on the hot path: quantities in lots, prices in ticks, times in ns,
// "off" as Infinity (or 0 where a zero threshold would mean off). Quantity limits
// round down to whole lots (a limit never grows by rounding); price thresholds are
// exact decimal ratios.
import type { Instrument } from '../orderbook/instrument.js';
import type { StrategyParams } from '../strategy/params/param-types.js';
import { decimalRatio } from '../strategy/params/param-decimal.js';
import { type RiskLimits, resetMinuteUtc } from './risk-limits.js';

const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;

/** One strategy on one symbol. */
export interface SlotLimits {
  readonly maxPositionLot: number;
  readonly maxOrderLot: number;
  /** max_order_notional in lot·ticks (lots × ticks, compared with qtyLot × priceTick exactly); Infinity = no cap. */
  readonly maxNotionalLotTick: number;
  readonly priceBandBps: number;
  /** Mid move (ticks) since the resting quotes were placed that cancels them; Infinity = off. */
  readonly requoteThresholdTick: number;
  readonly priceMoveCooldownNs: number;
  /** A market trade of at least this many lots is a large trade; Infinity = off. */
  readonly largeTradeLot: number;
  /** Volume spike multiple; 0 = off. */
  readonly volumeSpikeMultiple: number;
  readonly volumeWindowNs: number;
  readonly volumeBaselineNs: number;
  readonly adverseCooldownNs: number;
  readonly pauseOnVolatility: boolean;
  readonly volatilityThresholdBps: number;
  readonly volatilityCooldownNs: number;
  readonly maxQuoteAgeNs: number;
  /** Unrealized loss in bps of the position's entry value that triggers the stop; Infinity = off (always off on binary contracts). */
  readonly stopLossBps: number;
  /** Binary contracts: unrealized loss per lot of position (quote currency) that triggers the stop; Infinity = off. */
  readonly stopLossQuotePerLot: number;
}

/** One strategy, across its symbols. */
export interface StrategyLimits {
  /** Loss of the day (quote currency) that halts the strategy; Infinity = off. */
  readonly dailyLossQuote: number;
  readonly ordersPerSecond: number;
  readonly orderBurst: number;
  /** Minutes after 00:00 UTC at which the trading day restarts. */
  readonly resetMinuteUtc: number;
}

function lotsDown(qty: number, lotSize: string): number {
  return Math.floor(decimalRatio(qty, lotSize));
}

export function toSlotLimits(p: StrategyParams, r: RiskLimits, inst: Instrument): SlotLimits {
  const maxPositionLot = lotsDown(p.max_position, inst.lotSize);
  return Object.freeze({
    maxPositionLot,
    maxOrderLot: r.max_order_qty === null ? maxPositionLot : lotsDown(r.max_order_qty, inst.lotSize),
    maxNotionalLotTick: r.max_order_notional === null ? Infinity : decimalRatio(decimalRatio(r.max_order_notional, inst.tickSize), inst.lotSize),
    priceBandBps: r.price_band_bps,
    requoteThresholdTick: p.requote_threshold_price === null ? Infinity : decimalRatio(p.requote_threshold_price, inst.tickSize),
    priceMoveCooldownNs: r.price_move_cooldown_ms * NS_PER_MS,
    largeTradeLot: p.large_trade_qty === null ? Infinity : Math.max(1, Math.ceil(decimalRatio(p.large_trade_qty, inst.lotSize))),
    volumeSpikeMultiple: p.volume_spike_multiple ?? 0,
    volumeWindowNs: p.volume_spike_window_seconds * NS_PER_S,
    volumeBaselineNs: p.volume_baseline_seconds * NS_PER_S,
    adverseCooldownNs: p.adverse_selection_cooldown_ms * NS_PER_MS,
    pauseOnVolatility: p.pause_on_volatility,
    volatilityThresholdBps: p.volatility_threshold_bps,
    volatilityCooldownNs: r.volatility_pause_cooldown_ms * NS_PER_MS,
    maxQuoteAgeNs: p.max_quote_age_seconds * NS_PER_S,
    stopLossBps: inst.kind === 'binary' ? Infinity : p.stop_loss_bps ?? Infinity,
    stopLossQuotePerLot: inst.kind !== 'binary' || p.binary_stop_loss_price === null ? Infinity : p.binary_stop_loss_price * Number(inst.lotSize),
  });
}

export function toStrategyLimits(p: StrategyParams, r: RiskLimits): StrategyLimits {
  return Object.freeze({
    dailyLossQuote: p.daily_loss_limit_pct === null ? Infinity : (p.daily_loss_limit_pct * p.capital) / 100,
    ordersPerSecond: r.max_orders_per_second,
    orderBurst: r.order_burst,
    resetMinuteUtc: resetMinuteUtc(r.daily_reset_utc),
  });
}
