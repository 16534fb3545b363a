// The pre-trade rules, in order; the first that fails gives the answer. Reads
// numbers only (no allocation; a malformed intent is an answer, not an exception,
// and the engine catches what a hostile getter throws): the intent's fields, the
// strategy and slot records, the feed's symbol state, the WASM book's best prices,
// our open orders' aggregates, the order-rate bucket. Changes nothing but the
// "last check" fields of GateState; recording an allowed order is the engine's.
//
// Exits: an intent flagged reduceOnly that passes the reduce-only rule is exempt
// from the volatility pause, the adverse-selection cooldowns and the quote-age rule
// (those stop quoting, not closing a position); every other rule applies to it.
import type { OrderIntent } from '../trading/types.js';
import type { GateState } from './gate-state.js';
import type { RiskCheckContext } from './risk-engine.js';
import { SIDE_BUY, SIDE_SELL } from './own-orders.js';
import {
  ALLOW, DENY_BOOK_CROSSED, DENY_BOOK_STALE, DENY_DUPLICATE_ORDER, DENY_FEED_STALE, DENY_HALTED, DENY_INVALID, DENY_KILL_SWITCH,
  DENY_LARGE_TRADE, DENY_MAX_NOTIONAL, DENY_MAX_ORDER_SIZE, DENY_MAX_POSITION, DENY_NO_MARKET, DENY_ORDER_TABLE_FULL, DENY_PRICE_BAND,
  DENY_PRICE_JUMP, DENY_QUOTE_STALE, DENY_RATE_LIMIT, DENY_REDUCE_ONLY, DENY_SELF_CROSS, DENY_UNKNOWN, DENY_VOLATILITY_PAUSE,
  DENY_VOLUME_SPIKE,
} from './reason-codes.js';

export function preTradeCheck(g: GateState, intent: OrderIntent, ctx: RiskCheckContext): number {
  g.lastStrategy = undefined;
  g.lastSlot = undefined;
  // the clock is read here, not passed in: a double argument to a call that is not
  // inlined is boxed (an allocation per check)
  const nowNs = ctx.nowNs;

  // ---- well-formed ----
  if (typeof intent !== 'object' || intent === null) return DENY_INVALID;
  const strat = g.strategy(intent.strategyId);
  g.lastStrategy = strat; // answers are counted for the strategy even when the rest is malformed
  if (!Number.isFinite(nowNs)) return DENY_INVALID;
  const sideText = intent.side;
  const side = sideText === 'BUY' ? SIDE_BUY : sideText === 'SELL' ? SIDE_SELL : -1;
  if (side < 0) return DENY_INVALID;
  const type = intent.type;
  const market = type === 'MARKET';
  if (!market && type !== 'LIMIT') return DENY_INVALID;
  const qty = intent.qtyLot;
  if (!Number.isSafeInteger(qty) || qty <= 0) return DENY_INVALID;
  const limitTick = intent.priceTick;
  if (!market && (!Number.isSafeInteger(limitTick) || limitTick <= 0)) return DENY_INVALID;
  const id = intent.clientOrderId;
  if (typeof id !== 'string' || id.length === 0) return DENY_INVALID;

  // ---- who ----
  if (strat === undefined) return DENY_UNKNOWN;
  const slot = g.slotOf(strat, intent.symbol);
  if (slot === undefined) return DENY_UNKNOWN;
  if (g.orders.has(id)) return DENY_DUPLICATE_ORDER;

  // ---- trading state ----
  if (g.killed) return DENY_KILL_SWITCH;
  if (strat.state === 'HALTED') return DENY_HALTED;
  const pos = slot.positionLot;
  const reduces = side === SIDE_BUY
    ? pos < 0 && pos + slot.pendingBuyLot + qty <= 0
    : pos > 0 && pos - slot.pendingSellLot - qty >= 0;
  const exit = intent.reduceOnly === true;
  if ((exit || strat.state === 'REDUCING' || slot.state === 'REDUCING') && !reduces) return DENY_REDUCE_ONLY;

  // ---- market data ----
  const s = g.ingest.bySymbolName(slot.symbol.symbol);
  if (s === undefined) return DENY_NO_MARKET;
  if (s.state !== 'live') return DENY_BOOK_STALE;
  if (s.crossed) return DENY_BOOK_CROSSED;
  if (s.staleFeed) return DENY_FEED_STALE;
  const bid = g.books.bestBidTick(s.book);
  const ask = g.books.bestAskTick(s.book);
  if (!(bid > -Infinity && ask < Infinity)) return DENY_NO_MARKET;
  const mid = (bid + ask) * 0.5;
  const price = market ? (side === SIDE_BUY ? ask : bid) : limitTick;

  // ---- order limits ----
  const L = slot.limits;
  if (qty > L.maxOrderLot) return DENY_MAX_ORDER_SIZE;
  if (qty * price > L.maxNotionalLotTick) return DENY_MAX_NOTIONAL;
  const dev = price > mid ? price - mid : mid - price;
  if (dev * 1e4 > L.priceBandBps * mid) return DENY_PRICE_BAND;
  const sym = slot.symbol;
  if (side === SIDE_BUY) {
    if (market ? sym.minAskTick < Infinity : price >= sym.minAskTick) return DENY_SELF_CROSS;
    if (pos + slot.pendingBuyLot + qty > L.maxPositionLot) return DENY_MAX_POSITION;
  } else {
    if (market ? sym.maxBidTick > -Infinity : price <= sym.maxBidTick) return DENY_SELF_CROSS;
    if (pos - slot.pendingSellLot - qty < -L.maxPositionLot) return DENY_MAX_POSITION;
  }

  // ---- pauses and cooldowns (not for exits) ----
  if (!exit) {
    if (slot.volPaused && !(nowNs - slot.volCalmSinceNs >= L.volatilityCooldownNs)) return DENY_VOLATILITY_PAUSE;
    if (nowNs < slot.largeTradeUntilNs) return DENY_LARGE_TRADE;
    if (nowNs < slot.volumeSpikeUntilNs) return DENY_VOLUME_SPIKE;
    if (nowNs < slot.priceJumpUntilNs) return DENY_PRICE_JUMP;
    if (nowNs - slot.oldestQuoteNs > L.maxQuoteAgeNs) return DENY_QUOTE_STALE;
  }

  // ---- capacity and rate ----
  if (g.orders.full) return DENY_ORDER_TABLE_FULL;
  if (!strat.bucket.hasToken(ctx)) return DENY_RATE_LIMIT;

  g.lastSlot = slot;
  g.lastSide = side;
  g.lastOrderTick = market ? (side === SIDE_BUY ? Infinity : -Infinity) : price;
  g.lastMidTick = mid;
  g.lastNowNs = nowNs;
  return ALLOW;
}
