// The engine: market data → books → strategies → risk gate → execution → fills →
// accounting (+ journal) → events. It owns the wiring and the control methods the
// HTTP API calls (seed 000's endpoints); every method answers in seed 000's JSON.
//
//   const engine = new TradingEngine();                 // paper exchange on its own FeedIngest
//   const sim = new MarketSimulator({}, 42);
//   const driver = new SimDriver(engine, sim);          // or any source driving engine.ingest
//   engine.load({ name: 'btc_mm_1', symbols: ['BTCUSDT'], parameters: {...} });
//   driver.run(1);                                      // 1 s of market: books are live
//   engine.start('btc_mm_1');                           // → initial_quotes
//
// Per batch (FeedIngest.onBatch), synchronously: the paper exchange matches resting
// orders against the new book (fills land in the ledgers first), each changed
// symbol's volatility estimator takes the new mid, the risk engine runs its market
// rules and its clock, then every leg on a changed symbol decides and diffs its
// quotes; orders go through the risk gate to the order manager. Times are the
// market's exchange time (the venue's clock), so a simulated market runs at any speed
// and the same seed gives the same fills.
import { type BinaryContractLedger, BinaryContractLedger as BinaryLedger } from '../accounting/binary-contract-ledger.js';
import { binaryInventoryView } from '../accounting/binary-inventory-view.js';
import { Decimal } from '../accounting/decimal.js';
import { finalStateView } from '../accounting/final-state-view.js';
import { inventoryView } from '../accounting/inventory-view.js';
import { jsonNumber } from '../accounting/json-number.js';
import { type LedgerDefaults, LedgerSet } from '../accounting/ledger-set.js';
import { metricsView } from '../accounting/metrics-view.js';
import type { SymbolLedger } from '../accounting/symbol-ledger.js';
import { tradesView } from '../accounting/trades-view.js';
import { SpreadcoreError } from '../errors.js';
import type { ManagedOrder } from '../execution/managed-order.js';
import { type OrderFillEvent, OrderManager } from '../execution/order-manager.js';
import type { PaperExchangeConfigInput } from '../execution/paper-config.js';
import { checkFeeBps } from '../execution/paper-config.js';
import { PaperExchange } from '../execution/paper-exchange.js';
import type { SideCode } from '../feed/feed-sink.js';
import { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { SymbolState } from '../feed/ingest/symbol-state.js';
import type { Instrument } from '../orderbook/instrument.js';
import { ledgerPnl, reasonName, RiskEngine, type RiskEvent, type RiskLimits } from '../risk/index.js';
import type { Journal } from '../store/journal.js';
import { MarketMakingStrategy, paramsJson } from '../strategy/market-making-strategy.js';
import { DiffResult, diffQuotes, pullQuotes } from '../strategy/order-diff.js';
import { configView, givenParamNames, ParameterError, validateParams, type ConfigView, type ParamValue, type StrategyParams } from '../strategy/params/index.js';
import { decimalRatio, toDecimalString } from '../strategy/params/param-decimal.js';
import { QuoterSlots } from '../strategy/quoter-slots.js';
import { readStrategyDefinition, type StrategyDefinition } from '../strategy/strategy-definition.js';
import { StrategyError } from '../strategy/strategy-errors.js';
import {
  DECIDE_EXIT, DECIDE_QUOTE, PULL_REASONS, REDUCE_AGGRESSIVE, REDUCE_MARKET, REDUCE_MODERATE, REDUCE_PASSIVE, REDUCE_PROTECT, StrategyLeg,
} from '../strategy/strategy-leg.js';
import type { PauseReason, StrategyStatus } from '../strategy/strategy-status.js';
import { isActive } from '../strategy/strategy-status.js';
import { SymbolMarket } from '../strategy/symbol-market.js';
import type { OrderSide, OrderType } from '../trading/types.js';
import { WasmQuoter } from '../wasm/quote-api.js';
import { WasmVol } from '../wasm/vol-api.js';
import { EngineEvents, type FillEvent, type OrderEvent, type QuoteUpdateEvent } from './engine-events.js';
import { type LevelsJson, levelsView, midPriceNumber, midPriceText, priceNumber, qtyNumber, quotesView, type QuotesJson } from './engine-views.js';
import { OrderRouter, ROLE_EXIT } from './order-router.js';
import { DEFAULT_MANUAL_MAX_NOTIONAL, MANUAL_ACCOUNT, manualMaxPositionLot } from './manual-account.js';
import { DENY_SELF_CROSS } from '../risk/reason-codes.js';
import { spreadWarning, type SpreadWarning } from '../strategy/spread-warning.js';

let nextEngineId = 1;

export { MANUAL_ACCOUNT };

export interface EngineOptions {
  /** The market every source drives (default: a new FeedIngest on the shared WASM core). */
  ingest?: FeedIngest;
  paper?: PaperExchangeConfigInput;
  /** Risk limits beyond the strategy parameters (price band, order rate, ...), for every strategy. */
  riskLimits?: Partial<RiskLimits>;
  /** Fills, orders, strategies and parameter changes are written here before they are reported. */
  journal?: Journal;
  /** Prefix of client order ids, order ids and paper trade ids. Default "mm", or "mm<time>" with a journal (each run its own). */
  idPrefix?: string;
  /** How often each leg marks its ledger (time at best, drawdown, unrealized P&L) and the risk engine gets P&L, exchange ms. Default 1000. */
  markIntervalMs?: number;
  ledger?: LedgerDefaults;
  /** Open orders the risk engine tracks at once (default 4096). */
  maxOpenOrders?: number;
  /** Closed orders the order manager keeps findable by id (default 10,000; the journal keeps them all). */
  retainClosedOrders?: number;
  /** The manual account's position limit per symbol, quote currency at the mid when it first trades the symbol (default 1000). */
  manualMaxNotional?: number;
}

export interface LoadResult { ok: true; strategy_id: string; config: ConfigView; warnings?: SpreadWarning[] }
export interface StartResult { ok: true; strategy_id: string; status: StrategyStatus; initial_quotes: LevelsJson; symbols?: Record<string, LevelsJson> }
export interface StopResult {
  ok: true; strategy_id: string; status: StrategyStatus;
  final_state: { quotes_cancelled: number; position: number; unrealized_pnl: number; realized_pnl: number; total_pnl: number };
}
export interface PatchResult { ok: true; strategy_id: string; updated_parameters: Readonly<Record<string, ParamValue>>; warnings?: SpreadWarning[] }
export interface ReduceInventoryBody { target_position?: unknown; aggression?: unknown; symbol?: unknown }
export interface OrderBody { side?: unknown; symbol?: unknown; qty?: unknown; type?: unknown; price?: unknown; strategy_id?: unknown }

export interface StrategySummary {
  strategy_id: string;
  name: string;
  type: 'MarketMaking';
  symbols: string[];
  status: StrategyStatus;
  pause_reasons: PauseReason[];
  uptime_seconds: number;
  risk_state: string;
  /** Why the strategy cannot quote: restored with parameters that no longer pass, or quoting threw (paused, reason "error"). */
  error?: { code: string; message: string };
}

/** A journaled strategy that failed to load at restore. */
interface InvalidStrategy {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly symbols: readonly string[];
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly error: { readonly code: string; readonly message: string };
}

const FEE_PARAMS = ['maker_fee_bps', 'taker_fee_bps'] as const;

/**
 * The venue's fee schedule fills in the fee parameters a definition does not give
 * (by canonical name or alias): a strategy's fees are the venue's unless it says
 * otherwise, and they are what the paper exchange charges it.
 */
function withVenueFees(def: StrategyDefinition, schedule: { makerFeeBps: number; takerFeeBps: number }): StrategyDefinition {
  const given = givenParamNames(def.parameters);
  const fill: Record<string, number> = {};
  if (!given.has(FEE_PARAMS[0])) fill[FEE_PARAMS[0]] = schedule.makerFeeBps;
  if (!given.has(FEE_PARAMS[1])) fill[FEE_PARAMS[1]] = schedule.takerFeeBps;
  return Object.keys(fill).length === 0 ? def : { ...def, parameters: { ...def.parameters, ...fill } };
}

/** The fee parameters as the paper exchange charges them (at most FEE_BPS_DECIMALS decimals). */
function checkFees(p: StrategyParams): void {
  try {
    checkFeeBps('maker_fee_bps', p.maker_fee_bps);
    checkFeeBps('taker_fee_bps', p.taker_fee_bps);
  } catch (e) {
    if (e instanceof SpreadcoreError) throw new ParameterError([{ field: e.message.includes('maker') ? 'maker_fee_bps' : 'taker_fee_bps', message: e.message.replace('paper exchange ', '') }]);
    throw e;
  }
}

function badInput(message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class TradingEngine {
  readonly ingest: FeedIngest;
  readonly paper: PaperExchange;
  readonly orders: OrderManager;
  readonly risk: RiskEngine;
  readonly router: OrderRouter;
  readonly ledgers: LedgerSet;
  readonly events = new EngineEvents();
  readonly journal: Journal | undefined;
  readonly quoter: WasmQuoter;
  readonly vol: WasmVol;
  /** Engine-wide counters. */
  readonly counters = { batches: 0, decisions: 0, quoteUpdates: 0, ordersPlaced: 0, ordersCancelled: 0, fills: 0 };
  /** Told each batch's decision time (paper matching, risk, quoting), ns; for metrics. Must not throw or allocate. */
  batchTimer: ((durationNs: number) => void) | null = null;

  private readonly slots: QuoterSlots;
  /** Engines sharing a WASM core never share a quoter slot: keys carry the engine's number. */
  private readonly slotPrefix = `engine${nextEngineId++}:`;
  private readonly riskLimits: Partial<RiskLimits>;
  private readonly markIntervalNs: number;
  private readonly strategies = new Map<string, MarketMakingStrategy>();
  private readonly legsByStrategy = new Map<string, StrategyLeg[]>();
  /** strategy id → symbol → leg. */
  private readonly legIndex = new Map<string, Map<string, StrategyLeg>>();
  private readonly markets = new Map<string, SymbolMarket>();
  /** Legs per symbol name (the market's). */
  private readonly legsBySymbol = new Map<string, StrategyLeg[]>();
  /** SymbolMarket by feed symbol id. */
  private readonly marketById: (SymbolMarket | undefined)[] = [];
  private readonly binaryLedgers = new Map<string, BinaryContractLedger>();
  private readonly diff = new DiffResult();
  private nextMarkNs = -Infinity;
  /** Legs whose mark of the current interval is still to do. */
  private readonly markDue: StrategyLeg[] = [];
  /** Symbols the manual account trades → its max position there (lots). */
  private readonly manualSymbols = new Map<string, number>();
  private readonly manualMaxNotional: number;
  private readonly ownsIngest: boolean;
  /** Strategies the journal holds whose parameters no longer pass the checks: listed stopped with the reason; PATCH fixes, DELETE removes. */
  private readonly invalid = new Map<string, InvalidStrategy>();
  /** The last error quoting threw per strategy (pause reason "error"). */
  private readonly legErrors = new Map<string, string>();
  /** Why a strategy stays paused after its symbol was redefined (pause reason "instrument"). */
  private readonly instrumentErrors = new Map<string, string>();
  /** Symbols whose instrument was redefined after the manual account traded them: its limit is sized again at the next order. */
  private readonly manualResized = new Set<string>();

  constructor(options: EngineOptions = {}) {
    const ingest = options.ingest ?? new FeedIngest();
    this.ownsIngest = options.ingest === undefined;
    this.ingest = ingest;
    // with a journal, ids must not repeat across runs (the journal keeps orders and fills by id): a prefix per run
    const prefix = options.idPrefix ?? (options.journal === undefined ? 'mm' : `mm${Date.now().toString(36)}`);
    this.paper = new PaperExchange(ingest, { idPrefix: prefix, ...options.paper });
    this.journal = options.journal;
    this.quoter = new WasmQuoter(ingest.books.core);
    this.vol = new WasmVol(ingest.books.core);
    this.slots = QuoterSlots.forCore(ingest.books.core);
    this.riskLimits = options.riskLimits ?? {};
    this.markIntervalNs = (options.markIntervalMs ?? 1000) * 1e6;
    this.manualMaxNotional = options.manualMaxNotional ?? DEFAULT_MANUAL_MAX_NOTIONAL;
    this.ledgers = new LedgerSet(options.ledger ?? {});
    this.risk = new RiskEngine({
      ingest, vol: this.vol, ...(options.maxOpenOrders !== undefined ? { maxOpenOrders: options.maxOpenOrders } : {}),
      listener: (e) => this.onRisk(e),
    });
    this.orders = new OrderManager(this.paper, {
      orderIdPrefix: `${prefix}-o`,
      retainClosedOrders: options.retainClosedOrders ?? 10_000,
      listener: {
        onFill: (e) => this.onFill(e),
        onOrderUpdate: (o, prev) => this.onOrderUpdate(o, prev),
      },
    });
    this.router = new OrderRouter(this.risk, this.orders, `${prefix}-c`);
    const journal = this.journal;
    ingest.listener = journal === undefined
      ? {
        onBatch: (ing, dirty, n) => this.onBatch(ing, dirty, n),
        onTrade: (s, side, tick, qty, ts) => this.onTrade(s, side, tick, qty, ts),
        onStale: (s) => this.onStale(s),
        onRedefined: (s, prev) => this.onRedefined(s, prev),
      }
      : {
        // with a journal, everything one market event writes commits in one transaction, and is reported after it
        onBatch: (ing, dirty, n) => this.journaled(() => this.onBatch(ing, dirty, n)),
        onTrade: (s, side, tick, qty, ts) => this.journaled(() => this.onTrade(s, side, tick, qty, ts)),
        onStale: (s) => this.journaled(() => this.onStale(s)),
        onRedefined: (s, prev) => this.journaled(() => this.onRedefined(s, prev)),
      };
  }

  private journaled(fn: () => void): void {
    const ev = this.events;
    ev.hold();
    try {
      this.journal!.batch(fn);
    } catch (e) {
      ev.discard();
      throw e;
    }
    ev.release();
  }

  /** The exchange clock (the latest market event's time), Unix epoch ns. */
  nowNs(): number {
    return this.paper.nowNs();
  }

  // ======================================================================= market data

  private onTrade(s: SymbolState, side: SideCode, tick: number, qtyLot: number, tsNs: number): void {
    this.paper.onTrade(s, side, tick, qtyLot, tsNs);
    this.risk.onTrade(s.symbol, qtyLot, tsNs);
  }

  private onStale(s: SymbolState): void {
    this.paper.onStale(s);
    const legs = this.legsBySymbol.get(s.symbol);
    if (legs === undefined) return;
    const t = this.nowNs();
    for (const leg of legs) this.runLegGuarded(leg, t);
  }

  /**
   * The feed redefined a symbol's instrument (tick or lot size, kind, resolution). The
   * venue cancels every order on the old grid; each strategy trading the symbol pauses
   * (reason "instrument") and is checked again on the new grid: its parameters, its
   * risk limits and its position (a whole number of the new lots). It resumes when all
   * pass; otherwise it stays paused with the reason (a PATCH that passes on the new grid
   * resumes it). The manual account may not trade the symbol until its limit is sized
   * again at the new mid.
   */
  private onRedefined(s: SymbolState, prev: SymbolState): void {
    const inst = s.instrument;
    const old = prev.instrument;
    if (old.tickSize === inst.tickSize && old.lotSize === inst.lotSize && old.kind === inst.kind && prev.resolutionTsNs === s.resolutionTsNs) return;
    const t = this.nowNs();
    this.paper.onRedefined(s);
    const m = this.markets.get(s.symbol);
    if (m !== undefined) { this.marketById[prev.symbolId] = undefined; this.marketById[s.symbolId] = m; m.rebind(s); }
    if (this.manualSymbols.has(s.symbol)) {
      this.risk.rebindInstrument(MANUAL_ACCOUNT, inst);
      this.risk.capPosition(MANUAL_ACCOUNT, s.symbol, 0);
      this.manualSymbols.delete(s.symbol);
      this.manualResized.add(s.symbol);
    }
    for (const leg of [...(this.legsBySymbol.get(s.symbol) ?? [])]) {
      const strat = leg.strategy;
      this.pauseStrategy(strat, 'instrument', t);
      const detail = `${s.symbol} redefined: tick ${old.tickSize} → ${inst.tickSize}, lot ${old.lotSize} → ${inst.lotSize}, kind ${old.kind} → ${inst.kind}`;
      strat.replaceInstrument(s.symbol, inst);
      leg.rebind(inst);
      const problem = this.recheckGrid(strat, t);
      this.emitRisk('instrument_redefined', strat.id, s.symbol, { detail, ok: problem === null, ...(problem !== null ? { problem } : {}), timestamp: Math.floor(t / 1e6) });
      if (problem !== null) {
        this.instrumentErrors.set(strat.id, `${detail}; ${problem}`);
        continue;
      }
      this.instrumentErrors.delete(strat.id);
      this.resumeStrategy(strat, 'instrument', t);
    }
  }

  /**
   * After an instrument redefinition: the strategy's parameters, risk limits and
   * positions on the current grids of all its symbols. Applies the risk limits and
   * positions when everything passes and returns null; else the first problem.
   */
  private recheckGrid(strat: MarketMakingStrategy, tNs: number): string | null {
    for (const inst of strat.instruments) {
      const p = strat.replaceInstrument(inst.symbol, inst);
      if (p !== null) return p;
    }
    for (const leg of this.legsOf(strat.id)) {
      const lots = leg.instrument.qty.toUnitsOrNaN(leg.ledger!.position.toFixed());
      if (Number.isNaN(lots)) return `the position ${leg.ledger!.position.toFixed()} ${leg.symbol} is not a whole number of lots of ${leg.instrument.lotSize}; close it with a manual order first`;
    }
    try {
      for (const leg of this.legsOf(strat.id)) this.risk.rebindInstrument(strat.id, leg.instrument);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    for (const leg of this.legsOf(strat.id)) this.positionFromLedger(leg, tNs);
    return null;
  }

  /**
   * runLeg for the market's own steps: an error in one strategy's quoting pauses that
   * strategy (reason "error", its quotes pulled) instead of stopping the market step
   * for every strategy on the symbol.
   */
  private runLegGuarded(leg: StrategyLeg, tNs: number): void {
    try {
      this.runLeg(leg, tNs);
    } catch (e) {
      this.legFailed(leg, e, tNs);
    }
  }

  private legFailed(leg: StrategyLeg, e: unknown, tNs: number): void {
    const s = leg.strategy;
    const message = e instanceof Error ? e.message : String(e);
    this.legErrors.set(s.id, message);
    process.stderr.write(`strategy ${s.id} paused: quoting ${leg.symbol} failed: ${message}\n`);
    const change = s.pause('error');
    // pull what rests without deciding again (deciding is what failed)
    for (const l of this.legsOf(s.id)) {
      if (l.resting.count === 0) continue;
      const d = this.diff;
      d.reset();
      try { this.countChanges(l, d, pullQuotes(l, this.router, tNs, d), tNs); } catch { /* the risk gate's cancel-all below covers it */ }
    }
    for (const o of this.orders.openOrders(s.id)) if (o.status !== 'PENDING_CANCEL' && !o.intent.reduceOnly) this.router.cancel(o.clientOrderId);
    this.emitState(s, change, tNs);
  }

  private marketOf(s: SymbolState): SymbolMarket | undefined {
    let m = this.marketById[s.symbolId];
    if (m === undefined) {
      m = this.markets.get(s.symbol);
      if (m === undefined) return undefined;
      this.marketById[s.symbolId] = m;
    }
    if (m.state !== s) {
      if (m.symbol !== s.symbol) { this.marketById[s.symbolId] = undefined; return undefined; }
      m.rebind(s);
    }
    return m;
  }

  private onBatch(ingest: FeedIngest, dirty: Int32Array, n: number): void {
    const timer = this.batchTimer;
    const startMs = timer === null ? 0 : performance.now();
    this.counters.batches++;
    this.paper.onBatch(ingest, dirty, n);
    const t = this.nowNs();
    for (let i = 0; i < n; i++) {
      const s = ingest.symbolState(dirty[i]!);
      if (s === undefined) continue;
      const m = this.marketOf(s);
      if (m === undefined) continue;
      m.refresh(s.lastTsExchNs > 0 ? s.lastTsExchNs : t);
      this.risk.onMarket(m.symbol, t);
    }
    this.risk.tick(t);
    for (let i = 0; i < n; i++) {
      const s = ingest.symbolState(dirty[i]!);
      if (s === undefined) continue;
      const legs = this.legsBySymbol.get(s.symbol);
      if (legs === undefined) continue;
      for (let j = 0; j < legs.length; j++) this.runLegGuarded(legs[j]!, t);
    }
    // marks: at most one leg per batch, so a batch never carries every leg's decimal work
    if (t >= this.nextMarkNs) this.scheduleMarks(t);
    const due = this.markDue.pop();
    if (due !== undefined) this.markLeg(due, t);
    if (timer !== null) timer((performance.now() - startMs) * 1e6);
  }

  /**
   * The clock moved without market data (a timer, or a simulation step): the risk
   * engine's cooldowns and quote ages, requotes that came due, and the marks.
   */
  tick(tNs: number = this.nowNs()): void {
    if (this.journal !== undefined) this.journaled(() => this.tickNow(tNs));
    else this.tickNow(tNs);
  }

  private tickNow(tNs: number): void {
    this.risk.tick(tNs);
    for (const legs of this.legsByStrategy.values()) for (const leg of legs) if (leg.strategy.status === 'running') this.runLegGuarded(leg, tNs);
    if (tNs >= this.nextMarkNs) this.scheduleMarks(tNs);
    for (let leg = this.markDue.pop(); leg !== undefined; leg = this.markDue.pop()) this.markLeg(leg, tNs);
  }

  // ======================================================================= one leg

  private effectiveMask(leg: StrategyLeg): number {
    const state = this.risk.effectiveState(leg.strategy.id, leg.symbol);
    if (state === 'HALTED') return 0;
    if (state === 'REDUCING') return leg.inventoryLot > 0 ? 2 : leg.inventoryLot < 0 ? 1 : 0;
    return 3;
  }

  /** Decide, then diff (or pull) one leg's quotes at tNs; returns the orders sent + cancelled. */
  private runLeg(leg: StrategyLeg, tNs: number): number {
    this.counters.decisions++;
    leg.sideMask = this.effectiveMask(leg);
    const d = this.diff;
    d.reset();
    const r = leg.decide(tNs);
    if (r === DECIDE_QUOTE) diffQuotes(leg, this.router, tNs, leg.requoteTolTicks, d);
    else {
      if (leg.resting.count > 0) pullQuotes(leg, this.router, tNs, d);
      if (r === DECIDE_EXIT && leg.inventoryLot !== 0 && leg.reduceTargetLot !== 0) { leg.reduceTargetLot = 0; leg.reduceMode = REDUCE_PROTECT; }
    }
    if (leg.reduceTargetLot === leg.reduceTargetLot) this.workReduction(leg, tNs);
    const changes = d.placed + d.cancelled;
    this.countChanges(leg, d, changes, tNs);
    return changes;
  }

  private emitQuoteUpdate(leg: StrategyLeg, d: DiffResult, tNs: number): void {
    const inst = leg.instrument;
    const bids = leg.resting.bids;
    const asks = leg.resting.asks;
    const bid = bids.state[0] !== 0 ? priceNumber(inst, bids.tick[0]!) : null;
    const ask = asks.state[0] !== 0 ? priceNumber(inst, asks.tick[0]!) : null;
    const mid = midPriceNumber(leg);
    const e: QuoteUpdateEvent = {
      strategy_id: leg.strategy.id,
      symbol: leg.symbol,
      mid_price: mid ?? 0,
      bid,
      ask,
      spread_bps: bid !== null && ask !== null && mid !== null && mid > 0 ? Math.round(((ask - bid) / mid) * 1e4 * 1e4) / 1e4 : null,
      levels: Math.max(bids.count, asks.count),
      orders_placed: d.placed,
      orders_cancelled: d.cancelled,
      timestamp: Math.floor(tNs / 1e6),
    };
    if ((leg.ladderFlags() & 32) !== 0 && leg.inventoryLot !== 0) e.skew = leg.inventoryLot > 0 ? 'long' : 'short';
    this.events.emit('quote_update', e);
  }

  private countChanges(leg: StrategyLeg, d: DiffResult, n: number, tNs: number): void {
    if (n === 0) return;
    this.counters.ordersCancelled += d.cancelled;
    this.counters.ordersPlaced += d.placed;
    this.counters.quoteUpdates++;
    leg.ledger!.count('quote_updates');
    if (this.events.has('quote_update')) this.emitQuoteUpdate(leg, d, tNs);
  }

  /**
   * Works an inventory reduction (manual, stop-loss flatten, binary forced exit): one
   * reduce-only order at a time toward leg.reduceTargetLot, sent once no order of the
   * leg on the closing side is still open (the pulled quotes' cancels are confirmed),
   * so the risk gate's reduce-only rule counts it alone. Ends when the position
   * reaches (or passes) the target.
   */
  private workReduction(leg: StrategyLeg, tNs: number): void {
    if (leg.exitOrderId !== null) return;
    const target = leg.reduceTargetLot;
    const pos = leg.inventoryLot;
    const qty = pos - target;
    if (qty === 0 || (target > 0 && pos < target) || (target < 0 && pos > target)) {
      this.endReduction(leg);
      return;
    }
    const side: OrderSide = qty > 0 ? 'SELL' : 'BUY';
    if (this.orders.pendingExposureLot(leg.strategy.id, leg.symbol, side) > 0) return;
    const m = leg.market;
    const bid = m.bestBidTick;
    const ask = m.bestAskTick;
    const mode = leg.reduceMode;
    const sell = side === 'SELL';
    let type: OrderType = 'LIMIT';
    let price = NaN;
    if (mode === REDUCE_MARKET) type = 'MARKET';
    else if (mode === REDUCE_PROTECT) {
      if (!(bid > 0 && ask > 0) || tNs < leg.exitRetryAtNs) return;
      const p = leg.strategy.params;
      const midTick = (bid + ask) / 2;
      const slipTicks = leg.binary ? decimalRatio(p.binary_exit_max_slippage_price, leg.instrument.tickSize) : (midTick * p.exit_max_slippage_bps) / 1e4;
      // never worse than the band: a sell no lower, a buy no higher (rounded inward to the grid)
      price = sell ? Math.max(1, Math.ceil(midTick - slipTicks - 1e-9)) : Math.floor(midTick + slipTicks + 1e-9);
      if (leg.binary) price = Math.min(Math.max(price, 1), leg.payoutTicks - 1);
      leg.exitRetryAtNs = tNs + p.quote_refresh_ms * 1e6;
    } else {
      if (!(bid > 0 && ask > 0)) return;
      if (mode === REDUCE_AGGRESSIVE) price = sell ? bid : ask;
      else if (mode === REDUCE_MODERATE) price = sell ? Math.max(bid + 1, ask - 1) : Math.min(ask - 1, bid + 1);
      else price = sell ? ask : bid;
    }
    const tif = mode >= REDUCE_AGGRESSIVE ? 'IOC' : 'GTC';
    this.router.place(leg.strategy.id, leg.symbol, side, type, tif, price, Math.abs(qty), true, 0, tNs, leg, ROLE_EXIT);
    const id = leg.exitOrderId as string | null;
    if (id !== null && this.router.legByOrder.get(id) !== leg) leg.exitOrderId = null; // refused or closed at once
  }

  private endReduction(leg: StrategyLeg): void {
    leg.reduceTargetLot = NaN;
    leg.resting.requoteDue = true;
  }

  // ======================================================================= execution reports

  private legOf(strategyId: string, symbol: string): StrategyLeg | undefined {
    return this.legIndex.get(strategyId)?.get(symbol);
  }

  private onFill(e: OrderFillEvent): void {
    const fill = e.fill;
    this.counters.fills++;
    const leg = this.legOf(fill.strategyId ?? '', fill.symbol);
    const ledger = leg?.ledger ?? this.ledgers.ledger(fill.strategyId, fill.symbol);
    const entry = ledger.applyFill(fill);
    if (leg?.binary === true) this.binaryLedgers.get(leg.key)?.applyFill('YES', fill);
    this.journal?.recordFill(fill);
    const tNs = Number(fill.tsEventNs);
    // the event's ms from the exact ns (Number(ns) can round up past a ms boundary)
    const tsMs = Number(BigInt(fill.tsEventNs) / 1_000_000n);
    const id = fill.clientOrderId;
    if (!this.risk.onFill(id, e.qtyLot, tNs)) this.risk.onUntrackedFill(fill.strategyId ?? MANUAL_ACCOUNT, fill.symbol, fill.side, e.qtyLot, tNs);
    const inst = leg?.instrument ?? this.ingest.bySymbolName(fill.symbol)?.instrument;
    if (leg !== undefined) {
      const lots = inst!.qty.toUnitsOrNaN(entry.positionAfter.toFixed());
      leg.inventoryLot = Number.isNaN(lots) ? e.inventoryAfterLot : lots;
      const side = leg.resting.filled(id, e.qtyLot);
      leg.resting.requoteDue = true;
      if (side >= 0 && leg.strategy.params.cancel_on_fill) {
        leg.resting.holdSide = 1 - side;
        leg.resting.holdUntilNs = tNs + leg.strategy.params.quote_refresh_ms * 1e6;
      }
    }
    this.updatePnl(fill.strategyId ?? MANUAL_ACCOUNT, fill.symbol, ledger, leg, tNs, false);
    if (this.events.has('fill')) {
      const ev: FillEvent = {
        strategy_id: fill.strategyId ?? MANUAL_ACCOUNT,
        symbol: fill.symbol,
        side: fill.side,
        price: Number(fill.price),
        qty: Number(fill.qty),
        inventory: jsonNumber(entry.positionAfter),
        fee: Number(fill.fee),
        liquidity: fill.liquidity,
        client_order_id: id,
        trade_id: fill.tradeId,
        timestamp: tsMs,
      };
      if (entry.roundTripProfit !== null) ev.round_trip_profit = jsonNumber(entry.roundTripProfit, 10);
      this.events.emit('fill', ev);
    }
  }

  private onOrderUpdate(o: ManagedOrder, previous: string | null): void {
    const id = o.clientOrderId;
    const status = o.status;
    const leg = this.router.legByOrder.get(id);
    if (status === 'ACTIVE') leg?.resting.accepted(id);
    else if (status === 'CANCELLED' || status === 'REJECTED' || status === 'FILLED') {
      this.router.closed(id, status === 'FILLED');
      if (leg !== undefined) {
        if (status !== 'FILLED') leg.resting.remove(id);
        if (leg.exitOrderId === id) {
          leg.exitOrderId = null;
          leg.resting.requoteDue = true;
          // a protective exit's order is retried at once when it filled, after quote_refresh_ms when the band left it unfilled
          if (status === 'FILLED') leg.exitRetryAtNs = -Infinity;
        }
      }
    }
    const j = this.journal;
    if (j !== undefined && o.record !== null && (previous === null || status !== 'PENDING_CANCEL')) {
      const ts = BigInt(Math.max(0, Math.trunc(o.updatedTsNs)));
      if (previous === null) j.recordOrder(o.record, { status, tsEventNs: ts, ...(o.reason !== null ? { reason: o.reason } : {}) });
      else if (status !== previous) j.recordOrderStatus(o.orderId, status, { tsEventNs: ts, ...(o.reason !== null ? { reason: o.reason } : {}) });
    }
    if (this.events.has('order')) {
      const inst = this.ingest.bySymbolName(o.intent.symbol)?.instrument;
      const it = o.intent;
      const ev: OrderEvent = {
        strategy_id: it.strategyId,
        symbol: it.symbol,
        client_order_id: id,
        order_id: o.orderId,
        side: it.side,
        type: it.type,
        price: it.type === 'MARKET' || inst === undefined ? null : priceNumber(inst, it.priceTick),
        qty: inst === undefined ? it.qtyLot : qtyNumber(inst, it.qtyLot),
        filled_qty: inst === undefined ? o.filledLot : qtyNumber(inst, o.filledLot),
        status,
        previous_status: previous,
        level: it.level,
        timestamp: Math.floor(o.updatedTsNs / 1e6),
      };
      if (o.reason !== null) ev.reason = o.reason;
      this.events.emit('order', ev);
    }
  }

  // ======================================================================= risk events

  private onRisk(e: RiskEvent): void {
    switch (e.type) {
      case 'state_change': {
        if (e.scope === 'global' || e.scope === 'strategy') {
          for (const s of this.strategies.values()) {
            if (e.scope === 'strategy' && s.id !== e.strategyId) continue;
            const st = this.risk.killed ? 'HALTED' : this.risk.strategyState(s.id);
            if (st === 'HALTED') this.pauseStrategy(s, 'risk', e.tsNs);
            else this.resumeStrategy(s, 'risk', e.tsNs);
          }
        }
        this.emitRisk(e.type, e.strategyId, e.symbol, { scope: e.scope, from: e.from, to: e.to, reason: e.reason, detail: e.detail, timestamp: Math.floor(e.tsNs / 1e6) });
        return;
      }
      case 'volatility_pause':
      case 'volatility_resume': {
        const leg = this.legOf(e.strategyId, e.symbol);
        const paused = e.type === 'volatility_pause';
        if (leg !== undefined) {
          leg.volPaused = paused;
          if (paused) leg.ledger!.count('volatility_pauses');
          const legs = this.legsByStrategy.get(e.strategyId)!;
          const all = legs.every((l) => l.volPaused);
          if (all) this.pauseStrategy(leg.strategy, 'volatility', e.tsNs);
          else this.resumeStrategy(leg.strategy, 'volatility', e.tsNs);
          if (!paused) leg.resting.requoteDue = true;
        }
        if (this.events.has('volatility_pause')) {
          this.events.emit('volatility_pause', {
            strategy_id: e.strategyId, symbol: e.symbol, state: paused ? 'paused' : 'resumed',
            volatility_bps: e.rollingBps, threshold_bps: e.thresholdBps, timestamp: Math.floor(e.tsNs / 1e6),
          });
        }
        return;
      }
      case 'adverse_selection': {
        const leg = this.legOf(e.strategyId, e.symbol);
        if (leg !== undefined) {
          if (e.cooldownUntilNs > leg.cooldownUntilNs) leg.cooldownUntilNs = e.cooldownUntilNs;
          leg.ledger!.count('adverse_selection_events');
        }
        this.emitRisk(e.type, e.strategyId, e.symbol, {
          trigger: e.trigger, value: e.value, threshold: e.threshold, cooldown_until: Math.floor(e.cooldownUntilNs / 1e6), timestamp: Math.floor(e.tsNs / 1e6),
        });
        return;
      }
      case 'cancel_all': {
        const t = e.tsNs;
        for (const legs of this.legsByStrategy.values()) {
          for (const leg of legs) {
            if (e.scope !== 'global' && leg.strategy.id !== e.strategyId) continue;
            if (e.scope === 'symbol' && leg.symbol !== e.symbol) continue;
            // the event that asked for it (pause, cooldown, halt) already stops the leg quoting: deciding now pulls its quotes
            if (leg.resting.count > 0) { const d = this.diff; d.reset(); this.countChanges(leg, d, pullQuotes(leg, this.router, t, d), t); }
            leg.resting.requoteDue = true;
          }
        }
        for (const o of this.orders.openOrders(e.scope === 'global' ? undefined : e.strategyId ?? undefined, e.scope === 'symbol' ? e.symbol ?? undefined : undefined)) {
          if (o.status !== 'PENDING_CANCEL' && !o.intent.reduceOnly) this.router.cancel(o.clientOrderId);
        }
        this.emitRisk(e.type, e.strategyId, e.symbol, { scope: e.scope, reason: e.reason, timestamp: Math.floor(t / 1e6) });
        return;
      }
      case 'flatten': {
        const leg = this.legOf(e.strategyId, e.symbol);
        if (leg !== undefined) {
          leg.reduceTargetLot = 0;
          leg.reduceMode = REDUCE_PROTECT;
          leg.exitRetryAtNs = -Infinity;
          this.workReduction(leg, e.tsNs);
        }
        this.emitRisk(e.type, e.strategyId, e.symbol, { reason: e.reason, position_lots: e.positionLot, timestamp: Math.floor(e.tsNs / 1e6) });
        return;
      }
      case 'requote': {
        const leg = this.legOf(e.strategyId, e.symbol);
        if (leg !== undefined) leg.resting.requoteDue = true;
        this.emitRisk(e.type, e.strategyId, e.symbol, { reason: e.reason, age_ms: e.ageNs / 1e6, timestamp: Math.floor(e.tsNs / 1e6) });
        return;
      }
    }
  }

  private emitRisk(type: string, strategyId: string | null, symbol: string | null, fields: Record<string, unknown>): void {
    if (!this.events.has('risk')) return;
    this.events.emit('risk', { type, strategy_id: strategyId, symbol, ...fields });
  }

  private emitState(s: MarketMakingStrategy, change: { from: StrategyStatus; to: StrategyStatus; reason: PauseReason | null } | null, tNs: number): void {
    if (change === null || !this.events.has('strategy_state')) return;
    this.events.emit('strategy_state', { strategy_id: s.id, status: change.to, previous: change.from, reason: change.reason, timestamp: Math.floor(tNs / 1e6) });
  }

  private pauseStrategy(s: MarketMakingStrategy, reason: PauseReason, tNs: number): void {
    const change = s.pause(reason);
    if (change === null) return;
    for (const leg of this.legsByStrategy.get(s.id) ?? []) this.runLegGuarded(leg, tNs);
    this.emitState(s, change, tNs);
  }

  private resumeStrategy(s: MarketMakingStrategy, reason: PauseReason, tNs: number): void {
    const change = s.resume(reason);
    if (change === null) return;
    for (const leg of this.legsByStrategy.get(s.id) ?? []) leg.resting.requoteDue = true;
    this.emitState(s, change, tNs);
  }

  // ======================================================================= marks and P&L

  private markPrice(leg: StrategyLeg | undefined, symbol: string): string | undefined {
    if (leg !== undefined) return midPriceText(leg.instrument, leg.market.bestBidTick, leg.market.bestAskTick);
    const s = this.ingest.bySymbolName(symbol);
    if (s === undefined) return undefined;
    return midPriceText(s.instrument, this.ingest.books.bestBidTick(s.book), this.ingest.books.bestAskTick(s.book));
  }

  private updatePnl(strategyId: string, symbol: string, ledger: SymbolLedger, leg: StrategyLeg | undefined, tNs: number, emit: boolean): void {
    const mark = this.markPrice(leg, symbol) ?? ledger.markPrice?.toString();
    if (mark === undefined) return;
    const pnl = ledgerPnl(ledger, mark);
    this.risk.onPnl(strategyId, symbol, pnl.realizedQuote, pnl.unrealizedQuote, pnl.entryValueQuote, tNs);
    if (emit && this.events.has('pnl')) {
      this.events.emit('pnl', {
        strategy_id: strategyId, symbol, position: jsonNumber(ledger.position), mid_price: Number(mark),
        realized_pnl: Math.round(pnl.realizedQuote * 1e8) / 1e8, unrealized_pnl: Math.round(pnl.unrealizedQuote * 1e8) / 1e8,
        total_pnl: Math.round((pnl.realizedQuote + pnl.unrealizedQuote) * 1e8) / 1e8, timestamp: Math.floor(tNs / 1e6),
      });
    }
  }

  /** Every active leg is due for a mark (once per mark interval). */
  private scheduleMarks(tNs: number): void {
    this.nextMarkNs = tNs + this.markIntervalNs;
    this.markDue.length = 0;
    for (const legs of this.legsByStrategy.values()) for (const leg of legs) if (isActive(leg.strategy.status)) this.markDue.push(leg);
  }

  /** Marks a leg's ledger at its mid (time at best, equity, markouts) and gives the risk engine its P&L. */
  private markLeg(leg: StrategyLeg, tNs: number): void {
    const m = leg.market;
    const mid = midPriceText(leg.instrument, m.bestBidTick, m.bestAskTick);
    if (mid === undefined || leg.ledger === undefined) return;
    const ts = BigInt(Math.trunc(tNs));
    const b = leg.resting.bids;
    const a = leg.resting.asks;
    leg.ledger.applyMark({ tsNs: ts, mid, atBestBid: b.state[0] !== 0 && b.tick[0]! >= m.bestBidTick, atBestAsk: a.state[0] !== 0 && a.tick[0]! <= m.bestAskTick });
    if (leg.binary) this.binaryLedgers.get(leg.key)?.applyMark({ tsNs: ts, mid });
    this.updatePnl(leg.strategy.id, leg.symbol, leg.ledger, leg, tNs, true);
  }

  // ======================================================================= control API

  private require(id: string): MarketMakingStrategy {
    const s = typeof id === 'string' ? this.strategies.get(id) : undefined;
    if (s === undefined) {
      const bad = typeof id === 'string' ? this.invalid.get(id) : undefined;
      if (bad !== undefined) {
        throw new StrategyError('SPREADCORE_ERR_STRATEGY_INVALID',
          `strategy ${id} was restored from the journal stopped: ${bad.error.message}; fix it with PATCH /api/strategy/${id}/parameters or DELETE it`,
          { reason: bad.error.code });
      }
      throw new StrategyError('SPREADCORE_ERR_STRATEGY_NOT_FOUND', `no strategy ${JSON.stringify(id)}`);
    }
    return s;
  }

  private legsOf(id: string): StrategyLeg[] {
    return this.legsByStrategy.get(id) ?? [];
  }

  private leg(id: string, symbol?: unknown): StrategyLeg {
    const legs = this.legsOf(id);
    if (symbol === undefined) return legs[0]!;
    const leg = typeof symbol === 'string' ? this.legOf(id, symbol) : undefined;
    if (leg === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `strategy ${id} does not trade ${String(symbol)}`);
    return leg;
  }

  /** POST /api/strategy/load. */
  load(body: unknown): LoadResult {
    const def = withVenueFees(readStrategyDefinition(body), this.paper.feeSchedule);
    if (def.id === MANUAL_ACCOUNT) badInput(`"${MANUAL_ACCOUNT}" is the account of orders without a strategy: choose another name`);
    if (this.strategies.has(def.id) || this.invalid.has(def.id)) throw new StrategyError('SPREADCORE_ERR_STRATEGY_EXISTS', `strategy ${def.id} is already loaded`);
    const instruments: Instrument[] = def.symbols.map((sym) => {
      const s = this.ingest.bySymbolName(sym);
      if (s === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `the market has no symbol ${sym}`);
      return s.instrument;
    });
    if (this.slots.available < def.symbols.length) {
      throw new StrategyError('SPREADCORE_ERR_CAPACITY', `${def.symbols.length} quoter slots needed, ${this.slots.available} free`);
    }
    const strategy = new MarketMakingStrategy(def, instruments, this.journal);
    checkFees(strategy.params);
    const j = this.journal;
    if (j !== undefined) {
      const doc = { id: def.id, name: def.name, type: def.type, symbols: [...def.symbols], parameters: paramsJson(strategy.params), status: 'loaded' };
      if (j.strategy(def.id) === null) j.recordStrategy(doc);
      else { j.recordParameterChanges(def.id, doc.parameters, { source: 'load' }); j.updateStrategyStatus(def.id, 'loaded'); }
    }
    const t = this.nowNs();
    const limits = this.limitsFor(instruments);
    if (this.risk.hasStrategy(def.id)) this.risk.setParams(def.id, strategy.params, t, limits);
    else this.risk.addStrategy(def.id, strategy.params, limits);
    const legs: StrategyLeg[] = [];
    const index = new Map<string, StrategyLeg>();
    def.symbols.forEach((sym, i) => {
      if (this.risk.exposure(def.id, sym) === undefined) this.risk.addSymbol(def.id, instruments[i]!);
      let m = this.markets.get(sym);
      if (m === undefined) {
        m = new SymbolMarket(this.ingest.bySymbolName(sym)!, this.ingest.books, this.vol);
        m.configureVol(strategy.params.volatility_window_seconds);
        this.markets.set(sym, m);
        this.marketById[m.state.symbolId] = m;
        if (m.state.state === 'live') m.refresh(Math.max(t, m.state.lastTsExchNs));
      }
      const key = `${def.id}/${sym}`;
      const leg = new StrategyLeg(strategy, i, m, this.quoter, this.slots.acquire(this.slotPrefix + key));
      leg.ledger = this.ledgers.ledger(def.id, sym);
      if (leg.binary && !this.binaryLedgers.has(key)) this.binaryLedgers.set(key, new BinaryLedger({ strategyId: def.id, symbol: sym }));
      legs.push(leg);
      index.set(sym, leg);
      const list = this.legsBySymbol.get(sym) ?? [];
      list.push(leg);
      this.legsBySymbol.set(sym, list);
    });
    this.paper.setAccountFees(def.id, strategy.params.maker_fee_bps, strategy.params.taker_fee_bps);
    this.strategies.set(def.id, strategy);
    this.legsByStrategy.set(def.id, legs);
    this.legIndex.set(def.id, index);
    // the position always comes from the ledger (a reload after DELETE, a restart): leg, order manager and risk gate alike
    for (const leg of legs) this.positionFromLedger(leg, t);
    const warning = spreadWarning(strategy.params, this.midPriceOf(def.symbols[0]));
    return { ok: true, strategy_id: def.id, config: configView(strategy.params), ...(warning !== null ? { warnings: [warning] } : {}) };
  }

  /** Sets a leg's position (lots) from its ledger in the leg, the order manager's exposure and the risk gate. */
  private positionFromLedger(leg: StrategyLeg, tNs: number): void {
    const lots = leg.instrument.qty.toUnitsOrNaN(leg.ledger!.position.toFixed());
    leg.inventoryLot = Number.isNaN(lots) ? 0 : lots;
    this.orders.exposure.getOrCreate(leg.strategy.id, leg.symbol).positionLot = leg.inventoryLot;
    this.risk.setPosition(leg.strategy.id, leg.symbol, leg.inventoryLot, tNs);
  }

  /**
   * The risk limits of a strategy: the engine's. A binary contract's price moves in
   * whole cents of a 1-unit payout, so a spread of a few cents is hundreds of bps of
   * a low price: unless the engine's limits set price_band_bps, a strategy on a
   * binary contract gets the widest band (the contract's 0.01–0.99 bounds limit the
   * price instead).
   */
  private limitsFor(instruments: readonly Instrument[]): Partial<RiskLimits> {
    if (this.riskLimits.price_band_bps !== undefined || !instruments.some((i) => i.kind === 'binary')) return this.riskLimits;
    return { ...this.riskLimits, price_band_bps: 10_000 };
  }

  /** POST /api/strategy/{id}/start: quotes at once where the book is quotable. */
  start(id: string): StartResult {
    const s = this.require(id);
    const t = this.nowNs();
    const legs = this.legsOf(id);
    if (isActive(s.status)) throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${id} is already ${s.status}`);
    // every check quoting applies, before the status changes (a failure leaves the strategy as it was)
    const gridProblem = this.instrumentErrors.get(id);
    if (gridProblem !== undefined) throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${id} cannot start: ${gridProblem}`);
    for (const leg of legs) leg.syncParams();
    const change = s.start(t);
    this.legErrors.delete(id);
    for (const leg of legs) {
      leg.resting.requoteDue = true;
      leg.volPaused = false;
      leg.cooldownUntilNs = -Infinity;
    }
    if (this.risk.killed || this.risk.strategyState(id) === 'HALTED') s.pause('risk');
    this.emitState(s, change, t);
    for (const leg of legs) this.runLeg(leg, t);
    const out: StartResult = { ok: true, strategy_id: id, status: s.status, initial_quotes: levelsView(legs[0]!) };
    if (legs.length > 1) out.symbols = Object.fromEntries(legs.map((l) => [l.symbol, levelsView(l)]));
    return out;
  }

  /** POST /api/strategy/{id}/stop: cancels every quote and open order of the strategy. */
  stop(id: string): StopResult {
    const s = this.require(id);
    const t = this.nowNs();
    const change = s.stop(t);
    let cancelled = 0;
    for (const leg of this.legsOf(id)) {
      leg.reduceTargetLot = NaN;
      this.runLeg(leg, t);
      cancelled += this.diff.cancelled;
    }
    // anything else still open (an inventory reduction's order)
    for (const o of this.orders.openOrders(id)) if (o.status !== 'PENDING_CANCEL') this.router.cancel(o.clientOrderId);
    for (const leg of this.legsOf(id)) leg.exitOrderId = null;
    this.emitState(s, change, t);
    return { ok: true, strategy_id: id, status: s.status, final_state: { quotes_cancelled: cancelled, ...this.finalState(id) } };
  }

  private finalState(id: string): { position: number; unrealized_pnl: number; realized_pnl: number; total_pnl: number } {
    const legs = this.legsOf(id);
    const views = legs.map((l) => finalStateView(l.ledger!, this.markPrice(l, l.symbol)));
    const sum = (k: 'unrealized_pnl' | 'realized_pnl' | 'total_pnl'): number => Number(views.reduce((a, v) => a.plus(String(v[k])), new Decimal(0)).toString());
    return { position: views[0]!.position, unrealized_pnl: sum('unrealized_pnl'), realized_pnl: sum('realized_pnl'), total_pnl: sum('total_pnl') };
  }

  /** Pause quoting by hand (the risk gate and volatility pause themselves). */
  pause(id: string): { ok: true; strategy_id: string; status: StrategyStatus } {
    const s = this.require(id);
    const t = this.nowNs();
    if (!isActive(s.status)) throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${id} is ${s.status}, not running`);
    this.pauseStrategy(s, 'manual', t);
    return { ok: true, strategy_id: id, status: s.status };
  }

  resume(id: string): { ok: true; strategy_id: string; status: StrategyStatus } {
    const s = this.require(id);
    this.resumeStrategy(s, 'manual', this.nowNs());
    return { ok: true, strategy_id: id, status: s.status };
  }

  /** PATCH /api/strategy/{id}/parameters: applies at once; running quotes are requoted. */
  patchParameters(id: string, body: unknown): PatchResult {
    if (typeof id === 'string' && this.invalid.has(id)) return this.patchInvalid(id, body);
    const s = this.require(id);
    const t = this.nowNs();
    const r = s.patch(body, 'api', BigInt(Math.trunc(t)), (next) => { checkFees(next); this.risk.checkParams(id, next); });
    if (r.changes.length > 0) {
      this.risk.setParams(id, s.params, t);
      this.paper.setAccountFees(id, s.params.maker_fee_bps, s.params.taker_fee_bps);
      for (const leg of this.legsOf(id)) leg.syncParams();
      this.legErrors.delete(id);
      this.resumeStrategy(s, 'error', t);
      if (this.instrumentErrors.has(id)) {
        const problem = this.recheckGrid(s, t);
        if (problem === null) {
          this.instrumentErrors.delete(id);
          this.resumeStrategy(s, 'instrument', t);
        } else {
          this.instrumentErrors.set(id, problem);
        }
      }
      for (const leg of this.legsOf(id)) {
        leg.resting.requoteDue = true;
        if (s.status === 'running') this.runLegGuarded(leg, t);
      }
    }
    const warning = r.changes.length > 0 ? spreadWarning(s.params, this.midPriceOf(this.legsOf(id)[0]?.symbol)) : null;
    return { ok: true, strategy_id: id, updated_parameters: r.updatedParameters, ...(warning !== null ? { warnings: [warning] } : {}) };
  }

  /**
   * PATCH on a strategy the journal restored as invalid: the body is merged over its
   * journaled parameters and the strategy loaded again with them (stopped); when
   * they still fail, the error says why and nothing changes.
   */
  private patchInvalid(id: string, body: unknown): PatchResult {
    const bad = this.invalid.get(id)!;
    if (!isRecord(body)) badInput('the parameters must be a JSON object');
    this.invalid.delete(id);
    try {
      this.load({ name: bad.name, type: bad.type, symbols: [...bad.symbols], parameters: { ...bad.parameters, ...body } });
    } catch (e) {
      this.invalid.set(id, bad);
      throw e;
    }
    this.strategies.get(id)!.markRestored();
    const updated: Record<string, ParamValue> = {};
    for (const k of Object.keys(body)) updated[k] = body[k] as ParamValue;
    return { ok: true, strategy_id: id, updated_parameters: updated };
  }

  /** The symbol's book mid in price units, when the book has both sides. */
  private midPriceOf(symbol: string | undefined): number | undefined {
    if (symbol === undefined) return undefined;
    const st = this.ingest.bySymbolName(symbol);
    if (st === undefined) return undefined;
    const mid = this.ingest.books.midTick(st.book);
    return Number.isFinite(mid) ? st.instrument.price.toNumber(1) * mid : undefined;
  }

  /** GET /api/strategy/{id}/parameters: every canonical parameter with its current value (defaults included). */
  parameters(id: string): { ok: true; strategy_id: string; status: StrategyStatus; parameters: Record<string, unknown> } {
    const s = this.require(id);
    return { ok: true, strategy_id: id, status: s.status, parameters: paramsJson(s.params) };
  }

  /** GET /api/strategy/{id}/quotes (the first symbol unless one is named). */
  quotes(id: string, symbol?: string): QuotesJson {
    const s = this.require(id);
    const leg = this.leg(id, symbol);
    return quotesView(leg, this.orders, s.status, PULL_REASONS[leg.pullReason] ?? 'none');
  }

  /** GET /api/strategy/{id}/metrics. */
  metrics(id: string, symbol?: string): ReturnType<typeof metricsView> {
    if (id === MANUAL_ACCOUNT) return metricsView(this.manualLedger(symbol).ledger, { strategyId: id, uptimeSeconds: 0 });
    const s = this.require(id);
    const leg = this.leg(id, symbol);
    return metricsView(leg.ledger!, { strategyId: id, uptimeSeconds: s.uptimeSeconds(this.nowNs()) });
  }

  /** GET /api/strategy/{id}/inventory (binary contracts add their YES/NO holdings). */
  inventory(id: string, symbol?: string): ReturnType<typeof inventoryView> & { binary?: ReturnType<typeof binaryInventoryView> } {
    if (id === MANUAL_ACCOUNT) {
      const m = this.manualLedger(symbol);
      const inst = this.ingest.bySymbolName(m.symbol)!.instrument;
      const cap = this.manualSymbols.get(m.symbol) ?? 0;
      const mark = this.markPrice(undefined, m.symbol);
      return inventoryView(m.ledger, { strategyId: id, maxPosition: String(qtyNumber(inst, cap)), ...(mark !== undefined ? { markPrice: mark } : {}) });
    }
    const s = this.require(id);
    const leg = this.leg(id, symbol);
    const mark = this.markPrice(leg, leg.symbol);
    const out: ReturnType<typeof inventoryView> & { binary?: ReturnType<typeof binaryInventoryView> } = inventoryView(leg.ledger!, {
      strategyId: id, maxPosition: toDecimalString(s.params.max_position), ...(mark !== undefined ? { markPrice: mark } : {}),
    });
    const bin = this.binaryLedgers.get(leg.key);
    if (bin !== undefined) out.binary = binaryInventoryView(bin, toDecimalString(s.params.max_position));
    return out;
  }

  /** GET /api/strategy/{id}/trades?limit=N. */
  trades(id: string, limit = 100, symbol?: string): ReturnType<typeof tradesView> {
    if (!Number.isSafeInteger(limit) || limit < 0) badInput(`limit must be a non-negative integer, got ${String(limit)}`);
    if (id === MANUAL_ACCOUNT) return tradesView(this.manualLedger(symbol).ledger, { strategyId: id, limit });
    this.require(id);
    return tradesView(this.leg(id, symbol).ledger!, { strategyId: id, limit });
  }

  /**
   * POST /api/strategy/{id}/reduce_inventory: a reduce-only order toward
   * target_position; the ladder is pulled while it works. aggression: passive
   * (joins the best price on the closing side), moderate (one tick better than it,
   * inside the spread), aggressive (crosses the spread: takes liquidity, IOC).
   */
  reduceInventory(id: string, body: ReduceInventoryBody): Record<string, unknown> {
    this.require(id);
    if (!isRecord(body)) badInput('the body must be a JSON object');
    const leg = this.leg(id, body.symbol);
    const target = body.target_position ?? 0;
    if (typeof target !== 'number' || !Number.isFinite(target)) badInput('target_position must be a number');
    const aggression = body.aggression ?? 'moderate';
    if (aggression !== 'passive' && aggression !== 'moderate' && aggression !== 'aggressive') badInput('aggression must be "passive", "moderate" or "aggressive"');
    const inst = leg.instrument;
    const targetLot = inst.qty.toUnitsOrNaN(toDecimalString(target));
    if (Number.isNaN(targetLot)) badInput(`target_position ${target} is not a whole number of lots (${inst.lotSize})`);
    const pos = leg.inventoryLot;
    if (pos === 0 ? targetLot !== 0 : (targetLot * pos < 0 || Math.abs(targetLot) > Math.abs(pos))) {
      badInput(`target_position ${target} does not reduce the position ${qtyNumber(inst, pos)}`);
    }
    const qty = Math.abs(pos - targetLot);
    const sell = pos > targetLot;
    const out: Record<string, unknown> = {
      ok: true, strategy_id: id, action: 'inventory_reduction',
      method: `${aggression === 'passive' ? 'passive' : 'aggressive'}_${sell ? 'ask' : 'bid'}`,
      target_position: qtyNumber(inst, targetLot), current_position: qtyNumber(inst, pos),
      [sell ? 'qty_to_sell' : 'qty_to_buy']: qtyNumber(inst, qty),
    };
    const t = this.nowNs();
    if (leg.exitOrderId !== null) this.router.cancel(leg.exitOrderId, leg); // a new reduction replaces a working one
    leg.exitOrderId = null;
    if (qty === 0) { leg.reduceTargetLot = NaN; return out; }
    leg.reduceTargetLot = targetLot;
    leg.reduceMode = aggression === 'passive' ? REDUCE_PASSIVE : aggression === 'moderate' ? REDUCE_MODERATE : REDUCE_AGGRESSIVE;
    this.runLeg(leg, t); // pulls the ladder, then works the reduction
    // 'waiting': the pulled quotes' cancels are not confirmed yet; the order goes out once they are
    out['status'] = leg.exitOrderId !== null ? 'sent' : 'waiting';
    if (leg.exitOrderId !== null) out['client_order_id'] = leg.exitOrderId;
    return out;
  }

  /** POST /api/order: a single order through the same risk gate (strategy_id optional; without it the "manual" account). */
  placeOrder(body: OrderBody): Record<string, unknown> {
    if (!isRecord(body)) badInput('the order must be a JSON object');
    const { side, symbol, qty, type = 'LIMIT', price, strategy_id: sid } = body;
    if (side !== 'BUY' && side !== 'SELL') badInput('side must be "BUY" or "SELL"');
    if (type !== 'LIMIT' && type !== 'MARKET') badInput('type must be "LIMIT" or "MARKET"');
    if (typeof symbol !== 'string') badInput('symbol must be a string');
    const feed = this.ingest.bySymbolName(symbol);
    if (feed === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `the market has no symbol ${symbol}`);
    const inst = feed.instrument;
    if (typeof qty !== 'number' || !(qty > 0)) badInput('qty must be a positive number');
    const qtyLot = inst.qty.toUnitsOrNaN(toDecimalString(qty));
    if (!(qtyLot > 0)) badInput(`qty ${qty} is not a whole number of lots (${inst.lotSize})`);
    let priceTick = NaN;
    if (type === 'LIMIT') {
      if (typeof price !== 'number' || !(price > 0)) badInput('a LIMIT order needs a positive price');
      priceTick = inst.price.toUnitsOrNaN(toDecimalString(price));
      if (!(priceTick > 0)) badInput(`price ${price} is not on the tick grid (${inst.tickSize})`);
    } else if (price !== undefined) badInput('a MARKET order takes no price');
    let strategyId = MANUAL_ACCOUNT;
    if (sid !== undefined) {
      if (typeof sid !== 'string') badInput('strategy_id must be a string');
      this.require(sid);
      if (this.legOf(sid, symbol) === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `strategy ${sid} does not trade ${symbol}`);
      strategyId = sid;
    } else {
      this.manualAccount(inst);
    }
    const leg = this.legOf(strategyId, symbol);
    const r = this.router.place(strategyId, symbol, side, type, type === 'MARKET' ? 'IOC' : 'GTC', priceTick, qtyLot, false, 0, this.nowNs(), leg);
    if (r.submit === null || r.submit.order === null || r.submit.outcome !== 'SENT') {
      const reason = r.submit === null ? reasonName(r.code) : r.submit.reason ?? r.submit.outcome;
      if (r.submit === null && r.code === DENY_SELF_CROSS && strategyId !== MANUAL_ACCOUNT) {
        throw new StrategyError('SPREADCORE_ERR_ORDER_REJECTED',
          `order refused: ${reason}: it would cross strategy ${strategyId}'s own resting quotes on ${symbol}. To close its position while it quotes, `
          + `use POST /api/strategy/${strategyId}/reduce_inventory (it pulls the quotes first, then sends the order), or stop the strategy first`, { reason });
      }
      if (r.submit === null && strategyId === MANUAL_ACCOUNT && reason === 'DENY_MAX_POSITION') {
        const cap = this.manualSymbols.get(symbol) ?? 0;
        throw new StrategyError('SPREADCORE_ERR_ORDER_REJECTED',
          `order refused: ${reason}: the manual account may hold at most ${qtyNumber(inst, cap)} ${symbol} (serve --manual-max-notional ${this.manualMaxNotional}); `
          + 'to close a strategy\'s position name it with strategy_id', { reason });
      }
      throw new StrategyError('SPREADCORE_ERR_ORDER_REJECTED', `order refused: ${reason}`, { reason });
    }
    const o = r.submit.order;
    return {
      ok: true,
      order: {
        client_order_id: o.clientOrderId, order_id: o.orderId, strategy_id: strategyId, symbol, side, type,
        qty: qtyNumber(inst, qtyLot), price: type === 'LIMIT' ? priceNumber(inst, priceTick) : null, status: o.status,
        filled_qty: qtyNumber(inst, o.filledLot),
      },
    };
  }

  /**
   * The manual account on inst's symbol: registered with the risk gate at first use,
   * its limit sized from manualMaxNotional at the current mid, its position from the
   * ledger (a restart, earlier orders).
   */
  private manualAccount(inst: Instrument): void {
    if (this.manualSymbols.has(inst.symbol)) return;
    const mid = this.midPriceOf(inst.symbol);
    if (mid === undefined) throw new StrategyError('SPREADCORE_ERR_ORDER_REJECTED', `order refused: ${inst.symbol} has no mid price yet to size the manual account's limit`, { reason: 'no_mid_price' });
    const cap = manualMaxPositionLot(this.manualMaxNotional, mid, inst.lotSize);
    if (!this.risk.hasStrategy(MANUAL_ACCOUNT)) {
      this.risk.addStrategy(MANUAL_ACCOUNT, validateParams({ max_position: 1e9, stop_loss_bps: null, binary_stop_loss_price: null, daily_loss_limit_pct: null }), this.riskLimits);
    }
    if (this.manualResized.delete(inst.symbol)) this.risk.rebindInstrument(MANUAL_ACCOUNT, inst);
    else this.risk.addSymbol(MANUAL_ACCOUNT, inst);
    this.risk.capPosition(MANUAL_ACCOUNT, inst.symbol, cap);
    this.manualSymbols.set(inst.symbol, cap);
    const lots = inst.qty.toUnitsOrNaN(this.ledgers.ledger(MANUAL_ACCOUNT, inst.symbol).position.toFixed());
    const pos = Number.isNaN(lots) ? 0 : lots;
    this.orders.exposure.getOrCreate(MANUAL_ACCOUNT, inst.symbol).positionLot = pos;
    this.risk.setPosition(MANUAL_ACCOUNT, inst.symbol, pos, this.nowNs());
  }

  /** The manual account's ledger on a symbol (the one named, else the only or first one it traded). */
  private manualLedger(symbol?: unknown): { ledger: SymbolLedger; symbol: string } {
    if (symbol !== undefined) {
      if (typeof symbol !== 'string' || this.ingest.bySymbolName(symbol) === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `the market has no symbol ${String(symbol)}`);
      return { ledger: this.ledgers.ledger(MANUAL_ACCOUNT, symbol), symbol };
    }
    const traded = this.ledgers.forStrategy(MANUAL_ACCOUNT).map((l) => l.config.symbol);
    const first = traded[0];
    if (first === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', 'the manual account has not traded yet: name a symbol (?symbol=)');
    return { ledger: this.ledgers.ledger(MANUAL_ACCOUNT, first), symbol: first };
  }

  /** GET /api/accounts: every account (each strategy, and the manual account) with its position per symbol. */
  accounts(): { ok: true; accounts: { account: string; kind: 'strategy' | 'manual'; positions: { symbol: string; position: number; max_position: number | null; realized_pnl: number }[] }[] } {
    const row = (account: string, symbols: readonly string[], max: (sym: string) => number | null): { symbol: string; position: number; max_position: number | null; realized_pnl: number }[] =>
      symbols.map((sym) => {
        const l = this.ledgers.ledger(account, sym);
        return { symbol: sym, position: jsonNumber(l.position), max_position: max(sym), realized_pnl: jsonNumber(l.realizedNet) };
      });
    const out: { account: string; kind: 'strategy' | 'manual'; positions: ReturnType<typeof row> }[] = [];
    for (const s of this.strategies.values()) out.push({ account: s.id, kind: 'strategy', positions: row(s.id, s.symbols, () => s.params.max_position) });
    const manual = this.ledgers.forStrategy(MANUAL_ACCOUNT).map((l) => l.config.symbol);
    for (const sym of this.manualSymbols.keys()) if (!manual.includes(sym)) manual.push(sym);
    out.push({
      account: MANUAL_ACCOUNT, kind: 'manual',
      positions: row(MANUAL_ACCOUNT, manual, (sym) => {
        const cap = this.manualSymbols.get(sym);
        const inst = this.ingest.bySymbolName(sym)?.instrument;
        return cap === undefined || inst === undefined ? null : qtyNumber(inst, cap);
      }),
    });
    return { ok: true, accounts: out };
  }

  /** GET /api/orders: the open orders (of one account when named), oldest first. */
  openOrdersView(account?: string): { ok: true; orders: Record<string, unknown>[] } {
    if (account !== undefined && account !== MANUAL_ACCOUNT) this.require(account);
    return {
      ok: true,
      orders: this.orders.openOrders(account).map((o) => {
        const it = o.intent;
        const inst = this.ingest.bySymbolName(it.symbol)?.instrument;
        return {
          account: it.strategyId, client_order_id: o.clientOrderId, order_id: o.orderId, symbol: it.symbol, side: it.side, type: it.type,
          price: it.type === 'MARKET' || inst === undefined ? null : priceNumber(inst, it.priceTick),
          qty: inst === undefined ? it.qtyLot : qtyNumber(inst, it.qtyLot), filled_qty: inst === undefined ? o.filledLot : qtyNumber(inst, o.filledLot),
          status: o.status, reduce_only: it.reduceOnly,
        };
      }),
    };
  }

  /** The global kill switch: every order cancelled, every strategy paused (risk) until resumeTrading(). */
  kill(note = ''): { ok: true; state: 'HALTED'; orders_cancelled: number } {
    const open = this.orders.openOrders().filter((o) => o.status !== 'PENDING_CANCEL').length;
    this.risk.kill(this.nowNs(), note);
    this.journal?.setKillSwitch('HALTED', note === '' ? {} : { reason: note });
    return { ok: true, state: 'HALTED', orders_cancelled: open };
  }

  /** Turns the kill switch off; strategies quote again unless their own risk state stops them. */
  resumeTrading(note = ''): { ok: true; state: 'ACTIVE' } {
    this.risk.resume(this.nowNs(), note);
    this.journal?.setKillSwitch('OFF', note === '' ? {} : { reason: note });
    return { ok: true, state: 'ACTIVE' };
  }

  get killed(): boolean {
    return this.risk.killed;
  }

  list(): StrategySummary[] {
    const t = this.nowNs();
    const out: StrategySummary[] = [...this.strategies.values()].map((s) => {
      const row: StrategySummary = {
        strategy_id: s.id, name: s.name, type: s.type, symbols: [...s.symbols], status: s.status, pause_reasons: [...s.pauseReasons],
        uptime_seconds: s.uptimeSeconds(t), risk_state: (this.risk.killed ? 'HALTED' : this.risk.strategyState(s.id)) ?? 'ACTIVE',
      };
      const err = this.legErrors.get(s.id);
      if (err !== undefined && s.hasPauseReason('error')) row.error = { code: 'SPREADCORE_ERR_INTERNAL', message: err };
      const ierr = this.instrumentErrors.get(s.id);
      if (ierr !== undefined && s.hasPauseReason('instrument')) row.error = { code: 'SPREADCORE_ERR_BAD_PARAM', message: ierr };
      return row;
    });
    for (const bad of this.invalid.values()) {
      out.push({
        strategy_id: bad.id, name: bad.name, type: 'MarketMaking', symbols: [...bad.symbols], status: 'stopped', pause_reasons: [],
        uptime_seconds: 0, risk_state: this.risk.killed ? 'HALTED' : 'ACTIVE', error: { code: 'SPREADCORE_ERR_STRATEGY_INVALID', message: bad.error.message },
      });
    }
    return out;
  }

  /** The strategy object (parameters, status) — for tools and tests. */
  strategy(id: string): MarketMakingStrategy {
    return this.require(id);
  }

  /** The legs (one per symbol) of a strategy — for tools and tests. */
  legs(id: string): readonly StrategyLeg[] {
    this.require(id);
    return this.legsOf(id);
  }

  /** DELETE /api/strategy/{id}: only a loaded or stopped strategy. Its ledgers stay (a reload with the same id continues them). */
  delete(id: string): { ok: true; strategy_id: string } {
    if (typeof id === 'string' && this.invalid.has(id)) {
      this.invalid.delete(id);
      this.journal?.updateStrategyStatus(id, 'deleted');
      return { ok: true, strategy_id: id };
    }
    const s = this.require(id);
    if (isActive(s.status)) throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', `strategy ${id} is ${s.status}: stop it first`);
    for (const leg of this.legsOf(id)) {
      if (leg.quoting) { leg.quoting = false; s.quotingLegs--; }
      this.slots.release(this.slotPrefix + leg.key);
      const list = this.legsBySymbol.get(leg.symbol);
      if (list !== undefined) {
        const i = list.indexOf(leg);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.legsBySymbol.delete(leg.symbol);
      }
    }
    for (let i = this.markDue.length - 1; i >= 0; i--) if (this.markDue[i]!.strategy === s) this.markDue.splice(i, 1);
    this.strategies.delete(id);
    this.legsByStrategy.delete(id);
    this.legIndex.delete(id);
    this.legErrors.delete(id);
    this.instrumentErrors.delete(id);
    this.journal?.updateStrategyStatus(id, 'deleted');
    return { ok: true, strategy_id: id };
  }

  /**
   * Rebuilds the engine from its journal after a restart (call it once, on a new
   * engine, once the market's symbols are defined): every strategy that was not
   * deleted is loaded again with its last parameters (status loaded: start it to
   * quote), every fill is replayed into the ledgers, and each strategy's position
   * is set in its leg, the order manager and the risk engine; the kill switch comes
   * back on if it was. Orders left open by the previous run are not at this venue
   * (the paper exchange starts empty): they are reported in `open_orders` only.
   */
  restore(): { ok: true; strategies: string[]; fills: number; kill_switch: string; open_orders: number; invalid: { strategy_id: string; code: string; message: string }[] } {
    const j = this.journal;
    if (j === undefined) badInput('restore needs a journal');
    if (this.strategies.size > 0) throw new StrategyError('SPREADCORE_ERR_STRATEGY_STATE', 'restore runs on an engine with no strategy loaded');
    const r = j.restore();
    const loaded: string[] = [];
    const invalid: { strategy_id: string; code: string; message: string }[] = [];
    for (const s of r.strategies) {
      if (s.lastStatus === 'deleted') continue;
      try {
        this.load({ name: s.name, type: s.type, symbols: s.symbols, parameters: s.parameters });
      } catch (e) {
        // a journal never stops the engine from starting: the strategy comes back stopped, with the reason
        if (!(e instanceof SpreadcoreError) || e.code === 'SPREADCORE_ERR_UNKNOWN_SYMBOL' || e.code === 'SPREADCORE_ERR_CAPACITY') throw e;
        const error = { code: e.code, message: e.message };
        this.invalid.set(s.id, { id: s.id, name: s.name, type: s.type, symbols: [...s.symbols], parameters: { ...s.parameters }, error });
        invalid.push({ strategy_id: s.id, ...error });
        continue;
      }
      this.strategies.get(s.id)?.markRestored();
      loaded.push(s.id);
    }
    let fills = 0;
    for (const list of r.fillsByStrategy.values()) {
      for (const f of list) {
        const leg = this.legOf(f.strategyId ?? '', f.symbol);
        (leg?.ledger ?? this.ledgers.ledger(f.strategyId, f.symbol)).applyFill(f);
        if (leg?.binary === true) this.binaryLedgers.get(leg.key)?.applyFill('YES', f);
        fills++;
      }
    }
    const t = this.nowNs();
    for (const id of loaded) for (const leg of this.legsOf(id)) this.positionFromLedger(leg, t);
    if (r.killSwitch.state === 'HALTED' && !this.risk.killed) this.risk.kill(t, r.killSwitch.reason ?? 'restored');
    return { ok: true, strategies: loaded, fills, kill_switch: r.killSwitch.state, open_orders: r.openOrders.length, invalid };
  }

  /** Releases the quoter slots of every strategy, and the book slots of an ingest the engine created (the engine is done). */
  close(): void {
    for (const legs of this.legsByStrategy.values()) for (const leg of legs) this.slots.release(this.slotPrefix + leg.key);
    if (this.ownsIngest) this.ingest.close();
    this.legsByStrategy.clear();
    this.strategies.clear();
    this.legIndex.clear();
    this.legsBySymbol.clear();
  }
}
