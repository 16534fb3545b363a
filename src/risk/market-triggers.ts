// The market-driven rules, run when market data arrives (onMarket / onTrade) or the
// clock moves (tick): they set the pause and cooldown fields the pre-trade check
// reads, and emit the events. Per strategy on a symbol:
//   volatility pause  rolling vol > volatility_threshold_bps (pause_on_volatility);
//                     lifts after volatility_pause_cooldown_ms at or below it
//   large trade       one market trade ≥ large_trade_qty → adverse_selection_cooldown_ms
//   volume spike      window volume > volume_spike_multiple × its baseline average → same cooldown
//   price jump        the volatility estimator flagged a jump → same cooldown
//   price move        mid moved > requote_threshold_price since the open quotes were
//                     placed → cancel them, price_move_cooldown_ms
//   quote age         the oldest open quote is older than max_quote_age_seconds → requote
// Each trigger (not the quote age) cancels the slot's quotes and counts as one
// adverse-selection event when it starts; a trigger inside its running cooldown
// only extends it.
import type { GateState } from './gate-state.js';
import type { AdverseTrigger } from './risk-events.js';
import type { SlotRisk } from './risk-state.js';

function startCooldown(
  g: GateState, slot: SlotRisk, trigger: AdverseTrigger, value: number, threshold: number, cooldownNs: number, tsNs: number,
): void {
  const until = tsNs + cooldownNs;
  let running: boolean;
  switch (trigger) {
    case 'large_trade':
      running = tsNs < slot.largeTradeUntilNs;
      if (until > slot.largeTradeUntilNs) slot.largeTradeUntilNs = until;
      if (!running) slot.largeTrades++;
      break;
    case 'volume_spike':
      running = tsNs < slot.volumeSpikeUntilNs;
      if (until > slot.volumeSpikeUntilNs) slot.volumeSpikeUntilNs = until;
      if (!running) slot.volumeSpikes++;
      break;
    case 'price_jump':
    case 'price_move':
      running = tsNs < slot.priceJumpUntilNs;
      if (until > slot.priceJumpUntilNs) slot.priceJumpUntilNs = until;
      if (!running) { if (trigger === 'price_jump') slot.priceJumps++; else slot.priceMoves++; }
      break;
  }
  if (running) return;
  const strategyId = slot.strategy.strategyId;
  const symbol = slot.symbol.symbol;
  g.emit({ type: 'adverse_selection', trigger, strategyId, symbol, value, threshold, cooldownUntilNs: until, tsNs });
  g.emit({ type: 'cancel_all', scope: 'symbol', strategyId, symbol, reason: trigger, tsNs });
}

/** The volatility pause of one slot, from the book's rolling volatility (book < 0: no reading). */
export function volatilityPause(g: GateState, slot: SlotRisk, book: number, tsNs: number): void {
  const L = slot.limits;
  const strategyId = slot.strategy.strategyId;
  const symbol = slot.symbol.symbol;
  if (!L.pauseOnVolatility) {
    if (slot.volPaused) {
      slot.volPaused = false;
      slot.volCalmSinceNs = NaN;
      g.emit({ type: 'volatility_resume', strategyId, symbol, rollingBps: book >= 0 ? g.vol.rollingBps(book) : NaN, thresholdBps: L.volatilityThresholdBps, tsNs });
    }
    return;
  }
  if (book < 0) return;
  const v = g.vol.rollingBps(book);
  if (v > L.volatilityThresholdBps) {
    slot.volCalmSinceNs = NaN;
    if (!slot.volPaused) {
      slot.volPaused = true;
      slot.volatilityPauses++;
      g.emit({ type: 'volatility_pause', strategyId, symbol, rollingBps: v, thresholdBps: L.volatilityThresholdBps, tsNs });
      g.emit({ type: 'cancel_all', scope: 'symbol', strategyId, symbol, reason: 'volatility_pause', tsNs });
    }
  } else if (v <= L.volatilityThresholdBps && slot.volPaused) {
    if (Number.isNaN(slot.volCalmSinceNs)) slot.volCalmSinceNs = tsNs;
    if (tsNs - slot.volCalmSinceNs >= L.volatilityCooldownNs) {
      slot.volPaused = false;
      slot.volCalmSinceNs = NaN;
      g.emit({ type: 'volatility_resume', strategyId, symbol, rollingBps: v, thresholdBps: L.volatilityThresholdBps, tsNs });
    }
  }
}

/** Price jumps flagged by the volatility estimator of `book`, and mid moves beyond the requote threshold. */
export function priceJump(g: GateState, slot: SlotRisk, book: number, midTick: number, tsNs: number): void {
  const L = slot.limits;
  if (book >= 0) {
    const jumps = g.vol.jumps(book);
    if (slot.lastJumpBook !== book || !(jumps >= slot.lastJumpCount)) {
      // first reading, another book, or the estimator was reset: start counting from here
      slot.lastJumpBook = book;
      slot.lastJumpCount = jumps;
    } else if (jumps > slot.lastJumpCount) {
      slot.lastJumpCount = jumps;
      startCooldown(g, slot, 'price_jump', g.vol.lastReturnBps(book), NaN, L.adverseCooldownNs, tsNs);
    }
  }
  if (L.requoteThresholdTick < Infinity && slot.openOrders > 0) {
    const ref = slot.refMidTick;
    const move = midTick > ref ? midTick - ref : ref - midTick;
    if (move > L.requoteThresholdTick) {
      slot.refMidTick = NaN;
      startCooldown(g, slot, 'price_move', move, L.requoteThresholdTick, L.priceMoveCooldownNs, tsNs);
    }
  }
}

/** A requote request when the slot's oldest open quote passed max_quote_age_seconds (once per quote). */
export function quoteAge(g: GateState, slot: SlotRisk, tsNs: number): void {
  const oldest = slot.oldestQuoteNs;
  if (!(oldest < Infinity)) return;
  const age = tsNs - oldest;
  if (age > slot.limits.maxQuoteAgeNs && slot.requoteRequestedForNs !== oldest) {
    slot.requoteRequestedForNs = oldest;
    slot.staleQuoteRequotes++;
    g.emit({ type: 'requote', strategyId: slot.strategy.strategyId, symbol: slot.symbol.symbol, reason: 'max_quote_age', ageNs: age, tsNs });
  }
}

/** One market trade on the slot's symbol: the large-trade and volume-spike rules. */
export function marketTrade(g: GateState, slot: SlotRisk, qtyLot: number, tsNs: number): void {
  const L = slot.limits;
  if (qtyLot >= L.largeTradeLot) startCooldown(g, slot, 'large_trade', qtyLot, L.largeTradeLot, L.adverseCooldownNs, tsNs);
  const w = slot.volume;
  w.add(tsNs, qtyLot);
  if (L.volumeSpikeMultiple > 0) {
    const avg = w.averagePerWindow();
    const current = w.current();
    if (avg > 0 && current > L.volumeSpikeMultiple * avg) {
      startCooldown(g, slot, 'volume_spike', current, L.volumeSpikeMultiple * avg, L.adverseCooldownNs, tsNs);
    }
  }
}
