// The order diff: the ladder the quoter just computed against the orders resting,
// level by level, with the requote rules. Cancels go out before new orders (so the
// risk gate never sees a stale or superseded quote next to its replacement).
//
// A resting order is kept (it keeps its queue priority) unless:
//   - its level is no longer in the ladder (fewer levels, the hard position limit
//     trimmed a side) or its side is held empty after a fill (cancel_on_fill): always;
//   - on a full requote pass: its price is more than the tolerance away from the
//     level's new price, its size differs from the level's new size, or it is older
//     than max_quote_age_seconds. The tolerance is requote_threshold_price in ticks;
//     when that is null, half the level's distance from the fair value: for seed
//     000's ladder (2, 4, 6 bps from the mid) 1, 2 and 3 bps; for a 4-cent binary
//     spread one tick at level 1. A quote still that close to its target keeps its
//     queue place, and an unchanged ladder sends nothing.
// With the default tolerance (requote_threshold_price null; an explicit threshold
// requotes at the precision asked for, without a budget), new quotes spend a
// placement budget (a token bucket per leg): it holds two full
// ladders (4 x quote_levels orders) and refills by one full ladder (2 x quote_levels)
// every 3 x quote_refresh_ms. Seed 000's ladder (3 levels, 1 s refresh) may place at
// most 12 + 20 = 32 orders in any 10 s and 120 a minute, against Binance's 50 per
// 10 s. Levels are served best first (both sides' level 1, then level 2, ...; within a
// level, the side that did not get the last new order first, so a budget that refills
// one order at a time serves the two sides in turn, and a side whose quote fills or
// moves at every refill cannot keep the other side unquoted): an
// empty level takes budget first; a quote off its target is replaced only while
// budget is left, otherwise it stays unless it is off by more than its level's whole
// distance from the fair value (then it is cancelled and its level waits for budget).
// A level without budget stays empty and is tried again at the next decision. Cancels
// that must happen (level gone, side held, quote too old) never wait for budget.
// A full requote pass runs every quote_refresh_ms, and at once after a fill, a
// parameter change, start, or a request (the risk gate's quote-age requote). Between
// passes, empty levels are filled, so a filled quote is replaced at once.
// Nothing here allocates; the sink sends (and names) the orders.
import { ALLOW, DENY_RATE_LIMIT, refusesEveryQuote } from '../risk/reason-codes.js';
import { MAX_QUOTE_LEVELS } from '../wasm/layout.js';
import { QS_EMPTY, type RestingSide } from './resting-quotes.js';
import type { StrategyLeg } from './strategy-leg.js';

export interface QuoteOrderSink {
  /**
   * Sends a new quote through the risk gate. When the gate allows it, the sink
   * records it in leg.resting (add) before sending it, since the venue may answer
   * (even fill it) before the send returns. Returns QUOTE_SENT (0), or why it was not
   * sent: the gate's DENY_* code, or QUOTE_NOT_SENT when the order manager refused it
   * (the level stays empty and is tried again later).
   */
  placeQuote(leg: StrategyLeg, side: 0 | 1, level: number, tick: number, qtyLot: number, nowNs: number): number;
  /**
   * Whether the risk gate's order-rate bucket of the leg's strategy holds a token now
   * (asked after a DENY_RATE_LIMIT instead of placing quotes that would get it again).
   */
  hasOrderToken(leg: StrategyLeg, nowNs: number): boolean;
  /** Cancels a resting quote (the leg has already let go of it). */
  cancelQuote(leg: StrategyLeg, clientOrderId: string, nowNs: number): void;
}

/** placeQuote's answers besides the risk gate's DENY_* codes (risk/reason-codes.ts). */
export const QUOTE_SENT = ALLOW;
export const QUOTE_NOT_SENT = -1;

/** Refusals that every other quote of the leg gets too (RiskReason.everyQuote in risk/reason-codes.ts). */
export { refusesEveryQuote };

/** What one diff did. */
export class DiffResult {
  placed = 0;
  cancelled = 0;
  /** Orders the risk gate refused. */
  refused = 0;
  /** A full requote pass ran. */
  fullPass = false;

  reset(): void {
    this.placed = 0;
    this.cancelled = 0;
    this.refused = 0;
    this.fullPass = false;
  }
}

function cancelLevel(leg: StrategyLeg, r: RestingSide, level: number, sink: QuoteOrderSink, nowNs: number, out: DiffResult): void {
  const id = r.ids[level]!;
  r.clear(level);
  sink.cancelQuote(leg, id, nowNs);
  out.cancelled++;
}

/** Cancels every resting quote of the leg; returns how many. */
export function pullQuotes(leg: StrategyLeg, sink: QuoteOrderSink, nowNs: number, out: DiffResult): number {
  const before = out.cancelled;
  for (let s = 0; s < 2; s++) {
    const r = leg.resting.side(s);
    for (let i = 0; i < MAX_QUOTE_LEVELS && r.count > 0; i++) if (r.state[i] !== QS_EMPTY) cancelLevel(leg, r, i, sink, nowNs, out);
  }
  return out.cancelled - before;
}

/**
 * The requote tolerance when requote_threshold_price is null: half the distance from the
 * fair value to the side's new level-1 price, in whole ticks (0 = same tick only).
 */
export function defaultToleranceTicks(leg: StrategyLeg, side: number, level: number): number {
  const d = side === 0 ? leg.fairTick() - leg.bidTick(level) : leg.askTick(level) - leg.fairTick();
  return d > 0 ? Math.floor(d / 2) : 0;
}

/** Tops up the leg's placement budget to nowNs; returns the orders it may place now. */
function placementBudget(leg: StrategyLeg, nowNs: number): number {
  const rq = leg.resting;
  const p = leg.strategy.params;
  const ladder = 2 * p.quote_levels;
  const cap = 2 * ladder;
  if (!(rq.budget >= 0) || nowNs < rq.budgetNs) { rq.budget = cap; rq.budgetNs = nowNs; return cap; }
  const refill = (ladder * (nowNs - rq.budgetNs)) / (3 * p.quote_refresh_ms * 1e6);
  rq.budget = Math.min(cap, rq.budget + refill);
  rq.budgetNs = nowNs;
  return rq.budget;
}

/** Diffs the leg's last ladder (decide() returned DECIDE_QUOTE) against its resting orders. */
export function diffQuotes(leg: StrategyLeg, sink: QuoteOrderSink, nowNs: number, tolTicks: number, out: DiffResult): void {
  const rq = leg.resting;
  const p = leg.strategy.params;
  const full = rq.requoteDue || nowNs - rq.lastRefreshNs >= p.quote_refresh_ms * 1e6;
  const maxAgeNs = p.max_quote_age_seconds * 1e9;
  const held = rq.holdSide >= 0 && nowNs < rq.holdUntilNs ? rq.holdSide : -1;
  if (held < 0) rq.holdSide = -1;
  const defaultTol = p.requote_threshold_price === null;

  const nb = leg.bidCount();
  const na = leg.askCount();
  const levels = nb > na ? nb : na;
  // cancels first: orders that must go (level gone, side held, too old) whatever the budget
  for (let s = 0; s < 2; s++) {
    const r = rq.side(s);
    if (r.count === 0) continue;
    const n = s === 0 ? nb : na;
    let left = r.count; // resting orders not looked at yet: stop once every one was
    for (let i = 0; i < MAX_QUOTE_LEVELS && left > 0; i++) {
      if (r.state[i] === QS_EMPTY) continue;
      left--;
      if (s === held || i >= n || (full && nowNs - r.placedNs[i]! > maxAgeNs)) cancelLevel(leg, r, i, sink, nowNs, out);
    }
  }
  // then, best levels first: an empty level takes one order of the budget; on a full pass an
  // order off its level's price (beyond the tolerance) or size is replaced while the budget
  // lasts, and otherwise stays where it is
  // the budget applies with the default tolerance; an explicit requote_threshold_price requotes at the precision asked for
  let budget = defaultTol ? placementBudget(leg, nowNs) : Infinity;
  let reserved = 0;
  const first = rq.firstSide;
  for (let i = 0; i < levels; i++) {
    for (let k = 0; k < 2; k++) {
      const s = k ^ first;
      if (s === held || i >= (s === 0 ? nb : na)) continue;
      const r = rq.side(s);
      if (r.state[i] === QS_EMPTY) { reserved++; continue; }
      if (!full) continue;
      const tick = s === 0 ? leg.bidTick(i) : leg.askTick(i);
      const qty = s === 0 ? leg.bidQtyLot(i) : leg.askQtyLot(i);
      const d = r.tick[i]! - tick;
      const off = d < 0 ? -d : d;
      const tol = defaultTol ? defaultToleranceTicks(leg, s, i) : tolTicks;
      if (off <= tol && r.qty[i] === qty) continue;
      if (reserved + 1 <= budget) {
        cancelLevel(leg, r, i, sink, nowNs, out);
        reserved++;
      } else if (defaultTol && off > 2 * tol) {
        // off by more than its level's whole distance from the fair value: cancelled even
        // without budget to replace it (the level stays empty until there is)
        cancelLevel(leg, r, i, sink, nowNs, out);
      }
    }
  }
  // new orders on the empty levels, in the same order, within the budget; a refusal that
  // every other quote would get too ends the placing for this decision, and after one for
  // the order rate nothing is placed until the strategy's bucket holds a token again
  let blocked = rq.rateLimited && !sink.hasOrderToken(leg, nowNs);
  if (!blocked) rq.rateLimited = false;
  for (let i = 0; i < levels && budget >= 1 && !blocked; i++) {
    for (let k = 0; k < 2 && budget >= 1; k++) {
      const s = k ^ first;
      if (s === held || i >= (s === 0 ? nb : na)) continue;
      const r = rq.side(s);
      if (r.state[i] !== QS_EMPTY) continue;
      const tick = s === 0 ? leg.bidTick(i) : leg.askTick(i);
      const qty = s === 0 ? leg.bidQtyLot(i) : leg.askQtyLot(i);
      const code = sink.placeQuote(leg, s as 0 | 1, i, tick, qty, nowNs);
      if (code === QUOTE_SENT) { out.placed++; budget--; rq.firstSide = 1 - s; continue; }
      out.refused++;
      if (code === DENY_RATE_LIMIT) rq.rateLimited = true;
      if (refusesEveryQuote(code)) { blocked = true; break; }
    }
  }
  if (defaultTol) rq.budget = budget;
  if (full) {
    out.fullPass = true;
    rq.requoteDue = false;
    rq.lastRefreshNs = nowNs;
    rq.refFairTick = leg.fairTick();
  }
}
