// The risk engine: the pre-trade gate every order passes, the loss stops, the
// trading states (per strategy, per strategy on a symbol, and the global kill
// switch), the volatility pause and the adverse-selection triggers. docs/risk.md
// lists every rule with its parameter and reason code.
//
// Inputs, all synchronous, all with explicit times (Unix epoch ns as numbers):
//   check(intent, ctx)          every order, before it leaves; ALLOW records it as open
//   onFill / onCancelRequested / onOrderClosed   the order manager's view of each open order
//   onMarket(symbol, t)         after the symbol's book (and volatility estimator) changed
//   onTrade(symbol, lots, t)    every market trade
//   onPnl(...)                  P&L numbers from accounting
//   tick(t)                     the clock: cooldowns ending, quote age, the daily reset
// Outputs: the answer codes (counted per reason), and events through the listener:
// state changes, volatility pauses, adverse-selection triggers, cancel-all /
// flatten / requote requests.
//
// check() never throws and does not allocate. The other inputs do not throw on bad
// numbers either; registration and parameter changes throw SpreadcoreError on bad
// input.
import { SpreadcoreError } from '../errors.js';
import type { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { Instrument } from '../orderbook/instrument.js';
import type { StrategyParams } from '../strategy/params/param-types.js';
import type { OrderIntent, OrderSide, TradingState } from '../trading/types.js';
import { WasmVol } from '../wasm/vol-api.js';
import { GateState } from './gate-state.js';
import { dailyLoss, dailyReset, flatCheck, stopLoss } from './loss-stops.js';
import { NS_PER_DAY, nextDailyResetNs } from './daily-reset.js';
import { marketTrade, priceJump, quoteAge, volatilityPause } from './market-triggers.js';
import type { GridChange } from '../execution/grid-change.js';
import { SIDE_BUY } from './own-orders.js';
import { preTradeCheck } from './pre-trade-check.js';
import { ALLOW, DENY_INVALID, RISK_REASONS } from './reason-codes.js';
import type { RiskEventListener, StateReason } from './risk-events.js';
import { type RiskLimits, resolveRiskLimits } from './risk-limits.js';
import { SlotRisk, StrategyRisk, SymbolRisk } from './risk-state.js';
import { toSlotLimits, toStrategyLimits } from './slot-limits.js';
import { setKill, setSlotState, setStrategyState } from './state-transitions.js';

/** What a check needs besides the intent; one object the caller reuses. */
export interface RiskCheckContext {
  /** Unix epoch ns (256 ns resolution as a number). */
  nowNs: number;
}

export interface RiskEngineOptions {
  /** Symbol states and books the market rules read (its WasmBooks core is the one the volatility estimators live in). */
  ingest: FeedIngest;
  /** The volatility estimators (default: a WasmVol on the ingest's core). */
  vol?: WasmVol;
  /** Open orders the engine can track at once, all strategies (default 4096). */
  maxOpenOrders?: number;
  listener?: RiskEventListener;
}

export interface SlotExposure {
  positionLot: number;
  pendingBuyLot: number;
  pendingSellLot: number;
  openOrders: number;
}

/** Counts for the metrics view (snake_case as in the API's JSON). */
export interface RiskMetrics {
  state: TradingState;
  state_reason: string;
  volatility_pauses: number;
  adverse_selection_events: number;
  large_trades: number;
  volume_spikes: number;
  price_jumps: number;
  price_moves: number;
  stale_quote_requotes: number;
  stop_losses: number;
  daily_stops: number;
  day_pnl: number;
  /** Denials by reason name (only reasons that occurred). */
  denials: Record<string, number>;
}

interface StrategyConfig { params: StrategyParams; limits: RiskLimits }

export class RiskEngine {
  private readonly g: GateState;
  private readonly configs = new Map<string, StrategyConfig>();
  private readonly instruments = new Map<SlotRisk, Instrument>();

  constructor(options: RiskEngineOptions) {
    const cap = options.maxOpenOrders ?? 4096;
    if (!Number.isSafeInteger(cap) || cap < 1) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `maxOpenOrders must be a positive integer, got ${cap}`);
    this.g = new GateState(options.ingest, options.vol ?? new WasmVol(options.ingest.books.core), cap, options.listener);
  }

  set listener(l: RiskEventListener | undefined) { this.g.listener = l; }
  get listener(): RiskEventListener | undefined { return this.g.listener; }
  /** What the listener threw last (it never reaches the caller). */
  get lastListenerError(): unknown { return this.g.lastListenerError; }

  // ---- registration and parameters ----------------------------------------------------

  addStrategy(strategyId: string, params: StrategyParams, limits: Partial<RiskLimits> = {}): void {
    if (typeof strategyId !== 'string' || strategyId.length === 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'strategy id must be a non-empty string');
    if (this.g.strategies.has(strategyId)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `strategy ${strategyId} is already registered`);
    const r = resolveRiskLimits(limits);
    const s = new StrategyRisk(strategyId, toStrategyLimits(params, r));
    this.g.strategies.set(strategyId, s);
    this.g.strategyList.push(s);
    this.configs.set(strategyId, { params, limits: r });
  }

  /** The strategy trades `instrument` (its symbol must match the feed's symbol name). */
  addSymbol(strategyId: string, instrument: Instrument): void {
    const s = this.strategy(strategyId);
    const symbol = instrument.symbol;
    if (s.slots.has(symbol)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `strategy ${strategyId} already trades ${symbol}`);
    const c = this.configs.get(strategyId)!;
    let sym = this.g.symbols.get(symbol);
    if (sym === undefined) { sym = new SymbolRisk(symbol); this.g.symbols.set(symbol, sym); }
    const slot = new SlotRisk(this.g.slotList.length, s, sym, toSlotLimits(c.params, c.limits, instrument));
    this.instruments.set(slot, instrument);
    this.g.slotList.push(slot);
    sym.slots.push(slot);
    s.slots.set(symbol, slot);
    s.slotList.push(slot);
  }

  /**
   * New parameters (and optionally risk limits, merged over the current ones) for a
   * strategy; they apply from the next check. Throws (changing nothing) on bad limits.
   */
  setParams(strategyId: string, params: StrategyParams, tsNs: number, limits?: Partial<RiskLimits>): void {
    const s = this.strategy(strategyId);
    const c = this.configs.get(strategyId)!;
    const r = limits === undefined ? c.limits : resolveRiskLimits(limits, c.limits);
    const sl = toStrategyLimits(params, r);
    const nextSlots = s.slotList.map((slot) => toSlotLimits(params, r, this.instruments.get(slot)!));
    // every conversion succeeded: apply
    this.configs.set(strategyId, { params, limits: r });
    if (sl.resetMinuteUtc !== s.limits.resetMinuteUtc) s.nextResetNs = NaN; // rescheduled at the next clock reading
    s.limits = sl;
    s.bucket.configure(sl.ordersPerSecond, sl.orderBurst);
    s.slotList.forEach((slot, i) => {
      const prev = slot.limits;
      const next = nextSlots[i]!;
      slot.limits = next;
      if (prev.volumeWindowNs !== next.volumeWindowNs || prev.volumeBaselineNs !== next.volumeBaselineNs) {
        slot.volume.configure(next.volumeWindowNs, next.volumeBaselineNs);
      }
      if (!next.pauseOnVolatility && slot.volPaused) volatilityPause(this.g, slot, this.bookOf(slot), tsNs);
    });
  }

  /**
   * Caps one symbol's position (and so its order size) below what the parameters say,
   * in lots: the manual account's per-symbol limit.
   */
  capPosition(strategyId: string, symbol: string, maxPositionLot: number): void {
    const slot = this.strategy(strategyId).slots.get(symbol);
    if (slot === undefined || !Number.isSafeInteger(maxPositionLot) || maxPositionLot < 0) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `cannot cap ${strategyId} on ${symbol} at ${maxPositionLot} lots`);
    }
    slot.limits = Object.freeze({ ...slot.limits, maxPositionLot, maxOrderLot: Math.min(slot.limits.maxOrderLot, maxPositionLot) });
  }

  /**
   * The symbol's instrument was redefined: the strategy's limits on it are converted
   * again on the new grid (lots, ticks). Throws, changing nothing, when they cannot be.
   */
  rebindInstrument(strategyId: string, instrument: Instrument): void {
    const s = this.strategy(strategyId);
    const slot = s.slots.get(instrument.symbol);
    if (slot === undefined) return;
    const c = this.configs.get(strategyId)!;
    const limits = toSlotLimits(c.params, c.limits, instrument);
    this.instruments.set(slot, instrument);
    slot.limits = limits;
  }

  /**
   * The venue changed the symbol's grid: orders sent on the old one that are still open (their
   * cancels on the way) keep counting as exposure and for the self-cross check, in the new
   * units; the volume-spike history is converted to the new lots.
   */
  regridSymbol(symbol: string, change: GridChange): void {
    const sym = this.g.symbols.get(symbol);
    if (sym !== undefined) this.g.orders.regridSymbol(sym, change);
  }

  /** Throws (changing nothing) when setParams(strategyId, params) would: every limit conversion of every symbol. */
  checkParams(strategyId: string, params: StrategyParams): void {
    const s = this.strategy(strategyId);
    const c = this.configs.get(strategyId)!;
    toStrategyLimits(params, c.limits);
    for (const slot of s.slotList) toSlotLimits(params, c.limits, this.instruments.get(slot)!);
  }

  /** The parameters and risk limits the strategy runs with. */
  config(strategyId: string): { params: StrategyParams; limits: RiskLimits } | undefined {
    return this.configs.get(strategyId);
  }

  hasStrategy(strategyId: string): boolean { return this.g.strategies.has(strategyId); }

  // ---- the gate ---------------------------------------------------------------------------

  /**
   * ALLOW (0) or the DENY_* code of the first rule the order breaks. An allowed order
   * is recorded as open (pending exposure on its side) until onOrderClosed, or fills
   * for its whole quantity.
   */
  /**
   * Whether the strategy's order-rate bucket holds a token at ctx.nowNs, the gate's last
   * rule: false means every order of the strategy would be refused now (an unknown
   * strategy: true, its refusal is the gate's to give).
   */
  hasOrderToken(strategyId: string, ctx: RiskCheckContext): boolean {
    const s = this.g.strategy(strategyId);
    return s === undefined || s.bucket.hasToken(ctx);
  }

  check(intent: OrderIntent, ctx: RiskCheckContext): number {
    const g = this.g;
    let code: number;
    try {
      code = preTradeCheck(g, intent, ctx);
    } catch {
      code = DENY_INVALID; // a getter on a hostile object threw: the order goes nowhere
      g.lastSlot = undefined;
    }
    g.answers[code]!++;
    const strat = g.lastStrategy;
    if (strat !== undefined) strat.answers[code]!++;
    const slot = g.lastSlot;
    if (code === ALLOW && slot !== undefined) {
      g.orders.add(intent.clientOrderId, slot, g.lastSide, g.lastOrderTick, intent.qtyLot, g.lastNowNs);
      if (intent.reduceOnly !== true) slot.refMidTick = g.lastMidTick;
      slot.strategy.bucket.take(g.lastNowNs);
    }
    return code;
  }

  // ---- order lifecycle --------------------------------------------------------------------

  /** A fill of an order the gate allowed; false when the id is not open (use onUntrackedFill). */
  onFill(clientOrderId: string, qtyLot: number, tsNs = NaN): boolean {
    if (!Number.isSafeInteger(qtyLot) || qtyLot <= 0) return false;
    const orders = this.g.orders;
    const row = orders.find(clientOrderId);
    if (row < 0) return false;
    const slot = orders.slotOf(row)!;
    const buy = orders.side[row] === SIDE_BUY;
    orders.fill(row, qtyLot);
    slot.positionLot += buy ? qtyLot : -qtyLot;
    flatCheck(this.g, slot, tsNs);
    return true;
  }

  /** A fill of an order the gate does not track (placed before a restart, or outside the gate). */
  onUntrackedFill(strategyId: string, symbol: string, side: OrderSide, qtyLot: number, tsNs = NaN): boolean {
    const slot = this.g.slot(strategyId, symbol);
    if (slot === undefined || !Number.isSafeInteger(qtyLot) || qtyLot <= 0 || (side !== 'BUY' && side !== 'SELL')) return false;
    slot.positionLot += side === 'BUY' ? qtyLot : -qtyLot;
    flatCheck(this.g, slot, tsNs);
    return true;
  }

  /** The order manager sent a cancel: the order still counts as exposure until closed, but no longer as an aging quote. */
  onCancelRequested(clientOrderId: string): boolean {
    const row = this.g.orders.find(clientOrderId);
    if (row < 0) return false;
    this.g.orders.requestCancel(row);
    return true;
  }

  /** The order ended without filling the rest (cancelled, rejected, expired, or never sent). */
  onOrderClosed(clientOrderId: string): boolean {
    const row = this.g.orders.find(clientOrderId);
    if (row < 0) return false;
    this.g.orders.remove(row);
    return true;
  }

  /** Sets the position (lots) from the ledger, e.g. after a restart or a reconciliation. */
  setPosition(strategyId: string, symbol: string, positionLot: number, tsNs = NaN): boolean {
    const slot = this.g.slot(strategyId, symbol);
    if (slot === undefined || !Number.isSafeInteger(positionLot)) return false;
    slot.positionLot = positionLot;
    flatCheck(this.g, slot, tsNs);
    return true;
  }

  // ---- market data and the clock ----------------------------------------------------------

  /** The symbol's book or volatility estimator changed: volatility pause, price jumps and moves, quote age. */
  onMarket(symbol: string, tsNs: number): void {
    const sym = this.g.symbol(symbol);
    if (sym === undefined || !Number.isFinite(tsNs)) return;
    const book = this.bookOf(sym.slots[0]!);
    const mid = book >= 0 ? this.g.books.midTick(book) : NaN;
    for (let i = 0; i < sym.slots.length; i++) {
      const slot = sym.slots[i]!;
      volatilityPause(this.g, slot, book, tsNs);
      priceJump(this.g, slot, book, mid, tsNs);
      quoteAge(this.g, slot, tsNs);
    }
  }

  /** One market trade on the symbol (any aggressor side): large trade and volume spike. */
  onTrade(symbol: string, qtyLot: number, tsNs: number): void {
    const sym = this.g.symbol(symbol);
    if (sym === undefined || !Number.isFinite(tsNs) || !(qtyLot > 0) || !Number.isFinite(qtyLot)) return;
    for (let i = 0; i < sym.slots.length; i++) marketTrade(this.g, sym.slots[i]!, qtyLot, tsNs);
  }

  /** The clock moved: volatility pauses lift after their cooldown, stale quotes are reported, the trading day rolls. */
  tick(tsNs: number): void {
    if (!Number.isFinite(tsNs)) return;
    const g = this.g;
    const strategies = g.strategyList;
    for (let i = 0; i < strategies.length; i++) dailyReset(g, strategies[i]!, tsNs);
    for (let i = 0; i < g.slotList.length; i++) {
      const slot = g.slotList[i]!;
      if (slot.volPaused) volatilityPause(g, slot, this.bookOf(slot), tsNs);
      quoteAge(g, slot, tsNs);
    }
  }

  // ---- P&L -------------------------------------------------------------------------------

  /**
   * P&L of the strategy on the symbol from accounting (quote currency): realized net
   * of fees since the ledger began, unrealized at the mark, and the open position's
   * entry value (|qty| × average entry). Runs the stop loss (unless checkStopLoss is
   * false: a stopped strategy's position, valued for the day only) and the daily stop.
   */
  onPnl(strategyId: string, symbol: string, realizedQuote: number, unrealizedQuote: number, entryValueQuote: number, tsNs: number, checkStopLoss = true): boolean {
    const s = this.g.strategies.get(strategyId);
    const slot = s?.slots.get(symbol);
    if (s === undefined || slot === undefined) return false;
    if (!Number.isFinite(realizedQuote) || !Number.isFinite(unrealizedQuote) || !Number.isFinite(entryValueQuote) || !Number.isFinite(tsNs)) return false;
    dailyReset(this.g, s, tsNs);
    slot.realizedQuote = realizedQuote;
    slot.unrealizedQuote = unrealizedQuote;
    slot.entryValueQuote = entryValueQuote < 0 ? -entryValueQuote : entryValueQuote;
    if (checkStopLoss) stopLoss(this.g, slot, tsNs);
    dailyLoss(this.g, s, tsNs);
    return true;
  }

  /** Start (ns) of the strategy's trading day that holds tsNs (its daily_reset_utc); NaN for an unknown strategy or time. */
  dayStartNs(strategyId: string, tsNs: number): number {
    const s = this.g.strategies.get(strategyId);
    if (s === undefined || !Number.isFinite(tsNs)) return NaN;
    return nextDailyResetNs(tsNs, s.limits.resetMinuteUtc) - NS_PER_DAY;
  }

  /** The realized + unrealized P&L the current day is measured from on the strategy's symbol; NaN when unknown. */
  dayBaseline(strategyId: string, symbol: string): number {
    return this.g.slot(strategyId, symbol)?.dayBaselineQuote ?? NaN;
  }

  /** The realized + unrealized P&L the current day is measured from (default 0; set it after a restart). */
  setDayBaseline(strategyId: string, symbol: string, equityQuote: number): boolean {
    const slot = this.g.slot(strategyId, symbol);
    if (slot === undefined || !Number.isFinite(equityQuote)) return false;
    slot.dayBaselineQuote = equityQuote;
    return true;
  }

  // ---- manual states -----------------------------------------------------------------------

  /** The global kill switch: every strategy HALTED, a global cancel-all request. */
  kill(tsNs: number, note = ''): boolean { return setKill(this.g, true, 'manual_kill', note, tsNs); }
  /** Turns the kill switch off (strategies keep their own states). */
  resume(tsNs: number, note = ''): boolean { return setKill(this.g, false, 'manual_resume', note, tsNs); }
  get killed(): boolean { return this.g.killed; }

  /** HALTED (reason `manual_halt`, or `reconcile_mismatch` from a live venue's reconciliation); a strategy already HALTED keeps its reason. */
  haltStrategy(strategyId: string, tsNs: number, note = '', reason: 'manual_halt' | 'reconcile_mismatch' = 'manual_halt'): boolean {
    return setStrategyState(this.g, this.strategy(strategyId), 'HALTED', reason, note, tsNs);
  }
  /**
   * Lifts a `reconcile_mismatch` halt (reason `reconciled`): true when the strategy was HALTED
   * for that reason. A halt for any other reason stays, and so does the kill switch.
   */
  liftReconcileHalt(strategyId: string, tsNs: number, note = ''): boolean {
    const s = this.strategy(strategyId);
    if (s.state !== 'HALTED' || s.stateReason !== 'reconcile_mismatch') return false;
    return setStrategyState(this.g, s, 'ACTIVE', 'reconciled', note, tsNs);
  }
  /** Why the strategy is in its state (its own, not the kill switch's). */
  strategyStateReason(strategyId: string): StateReason | undefined { return this.g.strategies.get(strategyId)?.stateReason; }
  reduceStrategy(strategyId: string, tsNs: number, note = ''): boolean {
    return setStrategyState(this.g, this.strategy(strategyId), 'REDUCING', 'manual_reduce', note, tsNs);
  }
  /** Back to ACTIVE (a daily stop can trigger again on the next P&L update while the day's loss is over the limit). */
  resumeStrategy(strategyId: string, tsNs: number, note = ''): boolean {
    return setStrategyState(this.g, this.strategy(strategyId), 'ACTIVE', 'manual_resume', note, tsNs);
  }
  /** Ends a symbol's stop-loss REDUCING before the position is flat. */
  resumeSymbol(strategyId: string, symbol: string, tsNs: number, note = ''): boolean {
    return setSlotState(this.g, this.slot(strategyId, symbol), 'ACTIVE', 'manual_resume', note, tsNs);
  }

  // ---- reads --------------------------------------------------------------------------------

  strategyState(strategyId: string): TradingState | undefined { return this.g.strategies.get(strategyId)?.state; }

  /** The state an order of the strategy on the symbol meets: the strictest of kill switch, strategy and symbol. */
  effectiveState(strategyId: string, symbol: string): TradingState | undefined {
    const slot = this.g.slot(strategyId, symbol);
    if (slot === undefined) return undefined;
    if (this.g.killed || slot.strategy.state === 'HALTED') return 'HALTED';
    if (slot.strategy.state === 'REDUCING' || slot.state === 'REDUCING') return 'REDUCING';
    return 'ACTIVE';
  }

  exposure(strategyId: string, symbol: string): SlotExposure | undefined {
    const slot = this.g.slot(strategyId, symbol);
    if (slot === undefined) return undefined;
    return { positionLot: slot.positionLot, pendingBuyLot: slot.pendingBuyLot, pendingSellLot: slot.pendingSellLot, openOrders: slot.openOrders };
  }

  /** Client order ids the gate counts as open for the strategy on the symbol. */
  openOrderIds(strategyId: string, symbol: string): string[] {
    const slot = this.g.slot(strategyId, symbol);
    const out: string[] = [];
    if (slot !== undefined) this.g.orders.forEachOfSlot(slot, (row) => { out.push(this.g.orders.idOf(row)!); });
    return out;
  }

  get openOrderCount(): number { return this.g.orders.size; }

  /** Gate answers by reason name (all strategies, or one). */
  answerCounts(strategyId?: string): Record<string, number> {
    const counts = strategyId === undefined ? this.g.answers : this.g.strategies.get(strategyId)?.answers;
    const out: Record<string, number> = {};
    for (const r of RISK_REASONS) out[r.name] = counts?.[r.code] ?? 0;
    return out;
  }

  /** Counts of one strategy across its symbols. */
  metrics(strategyId: string): RiskMetrics | undefined {
    const s = this.g.strategies.get(strategyId);
    if (s === undefined) return undefined;
    let volatilityPauses = 0, largeTrades = 0, volumeSpikes = 0, priceJumps = 0, priceMoves = 0, requotes = 0, stopLosses = 0;
    for (const slot of s.slotList) {
      volatilityPauses += slot.volatilityPauses;
      largeTrades += slot.largeTrades;
      volumeSpikes += slot.volumeSpikes;
      priceJumps += slot.priceJumps;
      priceMoves += slot.priceMoves;
      requotes += slot.staleQuoteRequotes;
      stopLosses += slot.stopLosses;
    }
    const denials: Record<string, number> = {};
    for (const r of RISK_REASONS) {
      const n = s.answers[r.code] ?? 0;
      if (r.code !== ALLOW && n > 0) denials[r.name] = n;
    }
    return {
      state: this.g.killed ? 'HALTED' : s.state,
      state_reason: this.g.killed ? this.g.killReason : s.stateReason,
      volatility_pauses: volatilityPauses,
      adverse_selection_events: largeTrades + volumeSpikes + priceJumps + priceMoves,
      large_trades: largeTrades,
      volume_spikes: volumeSpikes,
      price_jumps: priceJumps,
      price_moves: priceMoves,
      stale_quote_requotes: requotes,
      stop_losses: stopLosses,
      daily_stops: s.dailyStops,
      day_pnl: s.dayPnlQuote(),
      denials,
    };
  }

  // ---- helpers -------------------------------------------------------------------------------

  private strategy(strategyId: string): StrategyRisk {
    const s = this.g.strategies.get(strategyId);
    if (s === undefined) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `unknown strategy ${strategyId}`);
    return s;
  }

  private slot(strategyId: string, symbol: string): SlotRisk {
    const slot = this.strategy(strategyId).slots.get(symbol);
    if (slot === undefined) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `strategy ${strategyId} does not trade ${symbol}`);
    return slot;
  }

  /** The WASM book (and volatility estimator) index of the slot's symbol, -1 when the feed does not know it or it is not quotable. */
  private bookOf(slot: SlotRisk): number {
    const s = this.g.ingest.bySymbolName(slot.symbol.symbol);
    if (s === undefined || s.state !== 'live' || s.crossed || s.staleFeed) return -1;
    return s.book;
  }
}
