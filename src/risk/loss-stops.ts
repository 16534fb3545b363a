// The loss limits, on P&L numbers fed from accounting (quote currency):
//   stop loss per symbol  unrealized loss ≥ stop_loss_bps of the position's entry
//                         value → the symbol goes REDUCING with a flatten request;
//                         back to ACTIVE once the position is flat
//   daily stop            the day's loss (realized + unrealized since the day's
//                         baseline, all symbols) ≥ daily_loss_limit_pct of capital →
//                         the strategy goes HALTED until the next daily reset
// The trading day restarts at daily_reset_utc: every symbol's baseline becomes its
// current realized + unrealized, and a daily stop lifts.
import { nextDailyResetNs, NS_PER_DAY } from './daily-reset.js';
import type { GateState } from './gate-state.js';
import type { SlotRisk, StrategyRisk } from './risk-state.js';
import { setSlotState, setStrategyState } from './state-transitions.js';

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, '');
}

/** Starts a new trading day when tsNs reached the strategy's next reset (and schedules the first one). */
export function dailyReset(g: GateState, s: StrategyRisk, tsNs: number): void {
  if (!Number.isFinite(tsNs)) return;
  if (Number.isNaN(s.nextResetNs)) { s.nextResetNs = nextDailyResetNs(tsNs, s.limits.resetMinuteUtc); return; }
  if (tsNs < s.nextResetNs) return;
  for (const slot of s.slotList) slot.dayBaselineQuote = slot.realizedQuote + slot.unrealizedQuote;
  s.nextResetNs = nextDailyResetNs(tsNs, s.limits.resetMinuteUtc);
  // once a day: the baselines, for the engine to journal
  g.emit({
    type: 'day_start', strategyId: s.strategyId, dayStartNs: s.nextResetNs - NS_PER_DAY, tsNs,
    baselines: s.slotList.map((slot) => ({ symbol: slot.symbol.symbol, baselineQuote: slot.dayBaselineQuote })),
  });
  if (s.state === 'HALTED' && s.stateReason === 'daily_loss') setStrategyState(g, s, 'ACTIVE', 'daily_reset', '', tsNs);
}

export function stopLoss(g: GateState, slot: SlotRisk, tsNs: number): void {
  const bps = slot.limits.stopLossBps;
  const perLot = slot.limits.stopLossQuotePerLot;
  if ((!(bps < Infinity) && !(perLot < Infinity)) || slot.state !== 'ACTIVE') return;
  const u = slot.unrealizedQuote;
  const value = slot.entryValueQuote;
  if (!(u < 0 && value > 0)) return;
  if (bps < Infinity && -u * 1e4 >= bps * value) {
    slot.stopLosses++;
    const lossBps = (-u * 1e4) / value;
    setSlotState(g, slot, 'REDUCING', 'stop_loss', `unrealized ${fmt(u)} on entry value ${fmt(value)} = ${fmt(lossBps)} bps >= stop_loss_bps ${fmt(bps)}`, tsNs);
    return;
  }
  const lots = Math.abs(slot.positionLot);
  if (perLot < Infinity && lots > 0 && -u >= perLot * lots * (1 - 1e-12)) {
    slot.stopLosses++;
    setSlotState(g, slot, 'REDUCING', 'stop_loss', `unrealized ${fmt(u)} on ${lots} lots = ${fmt(-u / lots)} per lot >= binary_stop_loss_price ${fmt(perLot)} per lot`, tsNs);
  }
}

export function dailyLoss(g: GateState, s: StrategyRisk, tsNs: number): void {
  const limit = s.limits.dailyLossQuote;
  if (!(limit < Infinity) || s.state === 'HALTED') return;
  const day = s.dayPnlQuote();
  if (!(-day >= limit)) return;
  s.dailyStops++;
  setStrategyState(g, s, 'HALTED', 'daily_loss', `day P&L ${fmt(day)} <= -${fmt(limit)} (daily_loss_limit_pct of capital)`, tsNs);
}

/** After the position changed: a stop-loss REDUCING ends when the position is flat. */
export function flatCheck(g: GateState, slot: SlotRisk, tsNs: number): void {
  if (slot.positionLot === 0 && slot.state === 'REDUCING' && slot.stateReason === 'stop_loss') {
    setSlotState(g, slot, 'ACTIVE', 'flat', '', tsNs);
  }
}
