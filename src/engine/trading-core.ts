// The engine's hot path: market data → books → strategies → risk gate → order manager
// → venue, and the reports back (fills → accounting + journal → events). Everything
// here runs synchronously inside a market event or a clock tick. The control plane
// (load/start/stop/PATCH, the JSON views, restore) is TradingEngine, which extends this
// class (trading-engine.ts).
//
// Per batch (FeedIngest.onBatch), synchronously: the paper exchange matches resting
// orders against the new book (fills land in the ledgers first), each changed
// symbol's volatility estimator takes the new mid, the risk engine runs its market
// rules and its clock, then every leg on a changed symbol decides and diffs its
// quotes; orders go through the risk gate to the order manager and on to the venue
// (the paper exchange, or a live venue given in EngineOptions.venue). Times are the
// venue's clock (for paper: the market's exchange time), so a simulated market runs at
// any speed and the same seed gives the same fills.
import { BinaryContractLedger, BinaryContractLedger as BinaryLedger } from '../accounting/binary-contract-ledger.js';
import { splitFunding } from '../accounting/funding-split.js';
import { jsonNumber } from '../accounting/json-number.js';
import { type LedgerDefaults, LedgerSet } from '../accounting/ledger-set.js';
import type { SymbolLedger } from '../accounting/symbol-ledger.js';
import { SpreadcoreError } from '../errors.js';
import { gridChange } from '../execution/grid-change.js';
import type { ManagedOrder } from '../execution/managed-order.js';
import { type OrderFillEvent, OrderManager } from '../execution/order-manager.js';
import type { PaperExchangeConfigInput } from '../execution/paper-config.js';
import { checkFeeBps } from '../execution/paper-config.js';
import { PaperExchange } from '../execution/paper-exchange.js';
import type { Venue } from '../execution/venue.js';
import type { SideCode } from '../feed/feed-sink.js';
import { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { SymbolState } from '../feed/ingest/symbol-state.js';
import { ledgerPnl, RiskEngine, type RiskEvent, type RiskLimits } from '../risk/index.js';
import { DAY_START_KEY, type Journal } from '../store/journal.js';
import { MarketMakingStrategy } from '../strategy/market-making-strategy.js';
import { DiffResult, diffQuotes, pullQuotes } from '../strategy/order-diff.js';
import { givenParamNames, ParameterError, type ConfigView, type ParamValue, type StrategyParams } from '../strategy/params/index.js';
import { decimalRatio } from '../strategy/params/param-decimal.js';
import { QuoterSlots } from '../strategy/quoter-slots.js';
import { type StrategyDefinition } from '../strategy/strategy-definition.js';
import { DECIDE_EXIT, DECIDE_QUOTE, REDUCE_AGGRESSIVE, REDUCE_MARKET, REDUCE_MODERATE, REDUCE_PROTECT, StrategyLeg } from '../strategy/strategy-leg.js';
import type { PauseReason, StrategyStatus } from '../strategy/strategy-status.js';
import { isActive } from '../strategy/strategy-status.js';
import { SymbolMarket } from '../strategy/symbol-market.js';
import type { FillRecord, OrderSide, OrderType } from '../trading/types.js';
import { WasmQuoter } from '../wasm/quote-api.js';
import { WasmVol } from '../wasm/vol-api.js';
import { EngineEvents, type FillEvent, type OrderEvent, type QuoteUpdateEvent } from './engine-events.js';
import { type LevelsJson, midPriceNumber, midPriceText, priceNumber, qtyNumber } from './engine-views.js';
import { ROLE_EXIT } from './order-router.js';
import { EventRouter } from './event-router.js';
import { fundingHolders } from './funding-holders.js';
import { DEFAULT_MANUAL_MAX_NOTIONAL, MANUAL_ACCOUNT } from './manual-account.js';
import { type SpreadWarning } from '../strategy/spread-warning.js';

let nextEngineId = 1;

export { MANUAL_ACCOUNT };

export interface EngineOptions {
  /** Where the engine reports a strategy paused by an error (a pino logger in serve); default a line on stderr. */
  log?: { warn(fields: object, msg: string): void };
  /** The market every source drives (default: a new FeedIngest on the shared WASM core). */
  ingest?: FeedIngest;
  paper?: PaperExchangeConfigInput;
  /**
   * A live venue to trade through instead of the paper exchange (Binance, ...). The
   * strategies, risk gate and order manager cannot tell the difference; the paper
   * exchange then only provides the fee schedule and sees no orders.
   */
  venue?: Venue;
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
export interface InvalidStrategy {
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
export function withVenueFees(def: StrategyDefinition, schedule: { makerFeeBps: number; takerFeeBps: number }): StrategyDefinition {
  const given = givenParamNames(def.parameters);
  const fill: Record<string, number> = {};
  if (!given.has(FEE_PARAMS[0])) fill[FEE_PARAMS[0]] = schedule.makerFeeBps;
  if (!given.has(FEE_PARAMS[1])) fill[FEE_PARAMS[1]] = schedule.takerFeeBps;
  return Object.keys(fill).length === 0 ? def : { ...def, parameters: { ...def.parameters, ...fill } };
}

/** The fee parameters as the paper exchange charges them (at most FEE_BPS_DECIMALS decimals). */
export function checkFees(p: StrategyParams): void {
  try {
    checkFeeBps('maker_fee_bps', p.maker_fee_bps);
    checkFeeBps('taker_fee_bps', p.taker_fee_bps);
  } catch (e) {
    if (e instanceof SpreadcoreError) throw new ParameterError([{ field: e.message.includes('maker') ? 'maker_fee_bps' : 'taker_fee_bps', message: e.message.replace('paper exchange ', '') }]);
    throw e;
  }
}

export function badInput(message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class TradingCore {
  private readonly log: EngineOptions['log'];
  readonly ingest: FeedIngest;
  /** The simulated exchange: the venue in paper mode; in live mode it only keeps the fee schedule and sees the market. */
  readonly paper: PaperExchange;
  /** Where orders go: the paper exchange, or a live venue (EngineOptions.venue). */
  readonly venue: Venue;
  readonly orders: OrderManager;
  readonly risk: RiskEngine;
  readonly router: EventRouter;
  readonly ledgers: LedgerSet;
  readonly events = new EngineEvents();
  readonly journal: Journal | undefined;
  readonly quoter: WasmQuoter;
  readonly vol: WasmVol;
  /** Engine-wide counters. */
  readonly counters = { batches: 0, decisions: 0, quoteUpdates: 0, ordersPlaced: 0, ordersCancelled: 0, fills: 0 };
  /** Funding payments applied in this process, by the venue's id (without a journal, what keeps one from being applied twice). */
  protected readonly fundingSeen = new Set<string>();
  /** Told each batch's decision time (paper matching, risk, quoting), ns; for metrics. Must not throw or allocate. */
  batchTimer: ((durationNs: number) => void) | null = null;

  protected readonly slots: QuoterSlots;
  /** Engines sharing a WASM core never share a quoter slot: keys carry the engine's number. */
  protected readonly slotPrefix = `engine${nextEngineId++}:`;
  protected readonly riskLimits: Partial<RiskLimits>;
  protected readonly markIntervalNs: number;
  protected readonly strategies = new Map<string, MarketMakingStrategy>();
  protected readonly legsByStrategy = new Map<string, StrategyLeg[]>();
  /** strategy id → symbol → leg. */
  protected readonly legIndex = new Map<string, Map<string, StrategyLeg>>();
  protected readonly markets = new Map<string, SymbolMarket>();
  /** Legs per symbol name (the market's). */
  protected readonly legsBySymbol = new Map<string, StrategyLeg[]>();
  /** SymbolMarket by feed symbol id. */
  protected readonly marketById: (SymbolMarket | undefined)[] = [];
  protected readonly binaryLedgers = new Map<string, BinaryContractLedger>();
  protected readonly diff = new DiffResult();
  protected nextMarkNs = -Infinity;
  /** Legs whose mark of the current interval is still to do. */
  protected readonly markDue: StrategyLeg[] = [];
  /** Symbols the manual account trades → its max position there (lots). */
  protected readonly manualSymbols = new Map<string, number>();
  protected readonly manualMaxNotional: number;
  protected readonly ownsIngest: boolean;
  /** Strategies the journal holds whose parameters no longer pass the checks: listed stopped with the reason; PATCH fixes, DELETE removes. */
  protected readonly invalid = new Map<string, InvalidStrategy>();
  /** The last error quoting threw per strategy (pause reason "error"). */
  protected readonly legErrors = new Map<string, string>();
  /** Why a strategy stays paused after its symbol was redefined (pause reason "instrument"). */
  protected readonly instrumentErrors = new Map<string, string>();
  /** A live venue is down or being reconciled (venueDown): strategies started meanwhile stay paused (reason "venue"). */
  protected venueHeld = false;
  /** Symbols whose instrument was redefined after the manual account traded them: its limit is sized again at the next order. */
  protected readonly manualResized = new Set<string>();

  constructor(options: EngineOptions = {}) {
    this.log = options.log;
    const ingest = options.ingest ?? new FeedIngest();
    this.ownsIngest = options.ingest === undefined;
    this.ingest = ingest;
    // with a journal, ids must not repeat across runs (the journal keeps orders and fills by id): a prefix per run
    const prefix = options.idPrefix ?? (options.journal === undefined ? 'mm' : `mm${Date.now().toString(36)}`);
    this.paper = new PaperExchange(ingest, { idPrefix: prefix, ...options.paper });
    this.venue = options.venue ?? this.paper;
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
    this.orders = new OrderManager(this.venue, {
      orderIdPrefix: `${prefix}-o`,
      retainClosedOrders: options.retainClosedOrders ?? 10_000,
      listener: {
        onFill: (e) => this.onFill(e),
        onOrderUpdate: (o, prev) => this.onOrderUpdate(o, prev),
      },
    });
    this.router = new EventRouter(this.risk, this.orders, `${prefix}-c`);
    const journal = this.journal;
    ingest.listener = journal === undefined
      ? {
        onBatch: (ing, dirty, n) => this.onBatch(ing, dirty, n),
        onTrade: (s, side, tick, qty, ts) => this.onTrade(s, side, tick, qty, ts),
        onStale: (s) => this.onStale(s),
        onRedefined: (s, prev) => this.onRedefined(s, prev),
        onSettled: (s, outcome, ts) => this.onSettled(s, outcome, ts),
      }
      : {
        // with a journal, everything one market event writes commits in one transaction, and is reported after it
        onBatch: (ing, dirty, n) => this.journaled(() => this.onBatch(ing, dirty, n)),
        onTrade: (s, side, tick, qty, ts) => this.journaled(() => this.onTrade(s, side, tick, qty, ts)),
        onStale: (s) => this.journaled(() => this.onStale(s)),
        onRedefined: (s, prev) => this.journaled(() => this.onRedefined(s, prev)),
        onSettled: (s, outcome, ts) => this.journaled(() => this.onSettled(s, outcome, ts)),
      };
  }

  protected journaled(fn: () => void): void {
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
    return this.venue.nowNs();
  }

  // ======================================================================= market data

  protected onTrade(s: SymbolState, side: SideCode, tick: number, qtyLot: number, tsNs: number): void {
    this.paper.onTrade(s, side, tick, qtyLot, tsNs);
    this.risk.onTrade(s.symbol, qtyLot, tsNs);
  }

  protected onStale(s: SymbolState): void {
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
  protected onRedefined(s: SymbolState, prev: SymbolState): void {
    const inst = s.instrument;
    const old = prev.instrument;
    if (old.tickSize === inst.tickSize && old.lotSize === inst.lotSize && old.kind === inst.kind && prev.resolutionTsNs === s.resolutionTsNs) return;
    const t = this.nowNs();
    if (old.tickSize !== inst.tickSize || old.lotSize !== inst.lotSize) {
      // orders still open on the old grid (a live venue's cancels are on their way) and the risk gate's
      // traded volume count in the new units
      const change = gridChange(old, inst);
      this.orders.regrid(s.symbol, change);
      this.risk.regridSymbol(s.symbol, change);
    }
    if (this.venue === this.paper) this.paper.onRedefined(s);
    else for (const o of this.orders.openOrders(undefined, s.symbol)) if (o.status !== 'PENDING_CANCEL') this.router.cancel(o.clientOrderId);
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
  protected recheckGrid(strat: MarketMakingStrategy, tNs: number): string | null {
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
   * A binary contract resolved. Orders on it are cancelled (the paper exchange closes
   * them; a live venue closes its own), every account's position settles at 1 (YES)
   * or 0 in its ledger (realized P&L and metrics update), the legs stop quoting for
   * good, positions in the risk gate go to zero, a `market_resolved` event goes out,
   * and the settlement is journaled (a restart settles the restored ledgers again).
   */
  protected onSettled(s: SymbolState, outcome: 'yes' | 'no', tsNs: number): void {
    if (this.venue === this.paper) this.paper.onRedefined(s);
    else for (const o of this.orders.openOrders(undefined, s.symbol)) if (o.status !== 'PENDING_CANCEL') this.router.cancel(o.clientOrderId);
    const positions = this.settleLedgers(s.symbol, outcome, tsNs);
    for (const leg of this.legsBySymbol.get(s.symbol) ?? []) {
      leg.reduceTargetLot = NaN;
      leg.exitOrderId = null;
      this.positionFromLedger(leg, tsNs);
      this.runLegGuarded(leg, tsNs);
    }
    this.journal?.setState(`settled:${s.symbol}`, { outcome, tsNs: String(Math.trunc(tsNs)), resolutionTsNs: String(Math.trunc(s.resolutionTsNs)) });
    if (this.events.has('market_resolved')) {
      this.events.emit('market_resolved', {
        symbol: s.symbol, outcome: outcome === 'yes' ? 'YES' : 'NO', settlement_price: outcome === 'yes' ? 1 : 0, positions, timestamp: Math.floor(tsNs / 1e6),
      });
    }
  }

  /**
   * The YES/NO ledger of a leg on a binary contract; once its market resolved, a fill or
   * mark on the same symbol belongs to a new market listed under that name (a simulator
   * run, a recurring series), which starts a fresh one.
   */
  protected liveBinaryLedger(leg: StrategyLeg): BinaryContractLedger {
    let bin = this.binaryLedgers.get(leg.key);
    if (bin === undefined || bin.resolved !== null) {
      bin = new BinaryLedger({ strategyId: leg.strategy.id, symbol: leg.symbol });
      this.binaryLedgers.set(leg.key, bin);
    }
    return bin;
  }

  /** Settles every ledger on the symbol at the outcome's price; the positions settled and the P&L realized. */
  protected settleLedgers(symbol: string, outcome: 'yes' | 'no', tsNs: number): { strategy_id: string; position: number; realized_pnl: number }[] {
    const out: { strategy_id: string; position: number; realized_pnl: number }[] = [];
    const ts = BigInt(Math.max(0, Math.trunc(tsNs)));
    const price = outcome === 'yes' ? '1' : '0';
    for (const ledger of this.ledgers.ledgers()) {
      if (ledger.config.symbol !== symbol) continue;
      const account = ledger.config.strategyId ?? MANUAL_ACCOUNT;
      const held = ledger.position;
      const bin = this.binaryLedgers.get(`${account}/${symbol}`);
      if (bin !== undefined && bin.resolved === null) bin.resolve(outcome === 'yes' ? 'YES' : 'NO', ts);
      if (held.isZero()) continue;
      const realized = ledger.settle(price, ts);
      out.push({ strategy_id: account, position: jsonNumber(held), realized_pnl: jsonNumber(realized) });
      if (!this.legOf(account, symbol)) {
        const inst = this.ingest.bySymbolName(symbol)?.instrument;
        if (inst !== undefined && this.risk.hasStrategy(account)) this.risk.setPosition(account, symbol, 0, tsNs);
        this.orders.exposure.getOrCreate(account, symbol).positionLot = 0;
      }
    }
    return out;
  }

  /** The live venue is down or being reconciled: no strategy quotes until venueUp() (pause reason "venue"). */
  venueDown(): void {
    this.venueHeld = true;
    const t = this.nowNs();
    for (const s of this.strategies.values()) this.pauseStrategy(s, 'venue', t);
  }

  /** The venue agrees with the journal again: strategies quote again (unless something else pauses them). */
  venueUp(): void {
    this.venueHeld = false;
    const t = this.nowNs();
    for (const s of this.strategies.values()) this.resumeStrategy(s, 'venue', t);
  }

  /**
   * A funding payment of a perpetual the venue booked (its whole amount on the account's net
   * position on the symbol): split between the accounts that held the symbol at the funding
   * time in proportion to their signed positions then (splitFunding; the manual account keeps
   * its share), journaled once per venue payment (tranId) with each share, and applied to each
   * account's ledger as realized P&L, which the risk gate then sees (stop loss, daily loss
   * limit). 'duplicate': already journaled (nothing changes); 'unallocated': no account held
   * the symbol then (journaled, in no ledger).
   */
  applyFunding(p: { tranId: string; symbol: string; asset: string; incomeQuote: string; timeMs: number }): 'applied' | 'duplicate' | 'unallocated' {
    const tsEventNs = BigInt(Math.trunc(p.timeMs)) * 1_000_000n;
    const venue = this.venue.name;
    let out: 'applied' | 'duplicate' | 'unallocated' = 'duplicate';
    const apply = (): void => {
      if (this.journal === undefined ? this.fundingSeen.has(p.tranId) : this.journal.hasFunding(venue, p.tranId)) return;
      const shares = splitFunding(p.incomeQuote, fundingHolders(this.ledgers, this.journal, p.symbol, tsEventNs));
      this.journal?.recordFunding(
        { tranId: p.tranId, symbol: p.symbol, asset: p.asset, incomeQuote: p.incomeQuote, tsEventNs, tsInitNs: BigInt(this.nowNs()) },
        shares.map((sh) => ({ strategyId: sh.strategyId, shareQuote: sh.fundingText })), venue,
      );
      this.fundingSeen.add(p.tranId);
      out = shares.length === 0 ? 'unallocated' : 'applied';
      const tNs = this.nowNs();
      for (const sh of shares) {
        const account = sh.strategyId ?? MANUAL_ACCOUNT;
        const leg = this.legOf(account, p.symbol);
        const ledger = leg?.ledger ?? this.ledgers.ledger(sh.strategyId, p.symbol);
        ledger.applyFunding({ fundingId: `${p.symbol}:${p.tranId}`, strategyId: sh.strategyId, symbol: p.symbol, fundingQuote: sh.fundingText, tsEventNs });
        this.updatePnl(account, p.symbol, ledger, leg, tNs, false);
      }
    };
    if (this.journal === undefined) apply(); else this.journaled(apply);
    return out;
  }

  /**
   * A fill the venue reports for an order this process did not send (placed before a
   * restart, found by reconciliation): journaled once (the journal's unique venue trade
   * id makes a second report a no-op, which returns false), then applied like any fill
   * to the ledger, the risk gate, the leg and the event stream.
   */
  applyExternalFill(fill: FillRecord): boolean {
    const apply = (): boolean => {
      if (this.journal !== undefined && this.journal.recordFill(fill, this.venue.name) === 'duplicate') return false;
      const inst = this.ingest.bySymbolName(fill.symbol)?.instrument;
      const qtyLot = inst?.qty.toUnitsOrNaN(fill.qty) ?? NaN;
      const account = fill.strategyId ?? MANUAL_ACCOUNT;
      const leg = this.legOf(account, fill.symbol);
      const ledger = leg?.ledger ?? this.ledgers.ledger(fill.strategyId, fill.symbol);
      const entry = ledger.applyFill(fill);
      if (leg?.binary === true) this.liveBinaryLedger(leg).applyFill('YES', fill);
      this.counters.fills++;
      const tNs = Number(fill.tsEventNs);
      if (Number.isFinite(qtyLot) && qtyLot > 0) this.risk.onUntrackedFill(account, fill.symbol, fill.side, qtyLot, tNs);
      if (leg !== undefined) {
        this.positionFromLedger(leg, tNs);
        leg.resting.requoteDue = true;
      } else if (inst !== undefined) {
        const lots = inst.qty.toUnitsOrNaN(ledger.position.toFixed());
        if (!Number.isNaN(lots)) this.orders.exposure.getOrCreate(account, fill.symbol).positionLot = lots;
      }
      this.updatePnl(account, fill.symbol, ledger, leg, tNs, false);
      if (this.events.has('fill')) {
        const ev: FillEvent = {
          strategy_id: account, symbol: fill.symbol, side: fill.side, price: Number(fill.price), qty: Number(fill.qty),
          inventory: jsonNumber(entry.positionAfter), fee: Number(fill.fee), liquidity: fill.liquidity,
          client_order_id: fill.clientOrderId, trade_id: fill.tradeId, timestamp: Number(BigInt(fill.tsEventNs) / 1_000_000n),
        };
        if (entry.roundTripProfit !== null) ev.round_trip_profit = jsonNumber(entry.roundTripProfit, 10);
        this.events.emit('fill', ev);
      }
      return true;
    };
    if (this.journal === undefined) return apply();
    let out = false;
    this.journaled(() => { out = apply(); });
    return out;
  }

  /**
   * runLeg for the market's own steps: an error in one strategy's quoting pauses that
   * strategy (reason "error", its quotes pulled) instead of stopping the market step
   * for every strategy on the symbol.
   */
  protected runLegGuarded(leg: StrategyLeg, tNs: number): void {
    try {
      this.runLeg(leg, tNs);
    } catch (e) {
      this.legFailed(leg, e, tNs);
    }
  }

  protected legFailed(leg: StrategyLeg, e: unknown, tNs: number): void {
    const s = leg.strategy;
    const message = e instanceof Error ? e.message : String(e);
    this.legErrors.set(s.id, message);
    if (this.log !== undefined) this.log.warn({ strategy_id: s.id, symbol: leg.symbol }, `strategy ${s.id} paused: quoting ${leg.symbol} failed: ${message}`);
    else process.stderr.write(`strategy ${s.id} paused: quoting ${leg.symbol} failed: ${message}\n`);
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

  protected marketOf(s: SymbolState): SymbolMarket | undefined {
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

  protected onBatch(ingest: FeedIngest, dirty: Int32Array, n: number): void {
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

  protected tickNow(tNs: number): void {
    this.risk.tick(tNs);
    for (const legs of this.legsByStrategy.values()) for (const leg of legs) if (leg.strategy.status === 'running') this.runLegGuarded(leg, tNs);
    if (tNs >= this.nextMarkNs) this.scheduleMarks(tNs);
    for (let leg = this.markDue.pop(); leg !== undefined; leg = this.markDue.pop()) this.markLeg(leg, tNs);
  }

  // ======================================================================= one leg

  protected effectiveMask(leg: StrategyLeg): number {
    const state = this.risk.effectiveState(leg.strategy.id, leg.symbol);
    if (state === 'HALTED') return 0;
    if (state === 'REDUCING') return leg.inventoryLot > 0 ? 2 : leg.inventoryLot < 0 ? 1 : 0;
    return 3;
  }

  /** Decide, then diff (or pull) one leg's quotes at tNs; returns the orders sent + cancelled. */
  protected runLeg(leg: StrategyLeg, tNs: number): number {
    this.counters.decisions++;
    leg.sideMask = this.effectiveMask(leg);
    const d = this.diff;
    d.reset();
    const r = leg.decide(tNs);
    if (r === DECIDE_QUOTE) diffQuotes(leg, this.router, tNs, leg.requoteTolTicks, d);
    else {
      if (leg.resting.count > 0) pullQuotes(leg, this.router, tNs, d);
      if (r === DECIDE_EXIT && leg.inventoryLot !== 0 && leg.reduceTargetLot !== 0
        && Math.abs(leg.inventoryLot) > decimalRatio(leg.strategy.params.forced_exit_min_position, leg.instrument.lotSize)) {
        leg.reduceTargetLot = 0;
        leg.reduceMode = REDUCE_PROTECT;
      }
    }
    if (leg.reduceTargetLot === leg.reduceTargetLot) this.workReduction(leg, tNs);
    const changes = d.placed + d.cancelled;
    this.countChanges(leg, d, changes, tNs);
    return changes;
  }

  protected emitQuoteUpdate(leg: StrategyLeg, d: DiffResult, tNs: number): void {
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

  protected countChanges(leg: StrategyLeg, d: DiffResult, n: number, tNs: number): void {
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
  protected workReduction(leg: StrategyLeg, tNs: number): void {
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

  protected endReduction(leg: StrategyLeg): void {
    leg.reduceTargetLot = NaN;
    leg.resting.requoteDue = true;
  }

  // ======================================================================= execution reports

  protected legOf(strategyId: string, symbol: string): StrategyLeg | undefined {
    return this.legIndex.get(strategyId)?.get(symbol);
  }

  protected onFill(e: OrderFillEvent): void {
    const fill = e.fill;
    this.counters.fills++;
    const leg = this.legOf(fill.strategyId ?? '', fill.symbol);
    const ledger = leg?.ledger ?? this.ledgers.ledger(fill.strategyId, fill.symbol);
    const entry = ledger.applyFill(fill);
    if (leg?.binary === true) this.liveBinaryLedger(leg).applyFill('YES', fill);
    this.journal?.recordFill(fill, this.venue.name);
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

  protected onOrderUpdate(o: ManagedOrder, previous: string | null): void {
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

  protected onRisk(e: RiskEvent): void {
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
          if (e.trigger === 'large_trade' || e.trigger === 'volume_spike') leg.ledger!.count('adverse_selection_events'); // price moves are requotes; adverse fills are counted by the ledger's markouts
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
      case 'day_start': {
        // a restart later the same day measures the day's loss from these baselines (TradingEngine.restore)
        const baselines: Record<string, number> = {};
        for (const b of e.baselines) if (Number.isFinite(b.baselineQuote)) baselines[b.symbol] = b.baselineQuote;
        this.journal?.setState(DAY_START_KEY(e.strategyId), { day_start_ns: e.dayStartNs, baselines }, BigInt(Math.trunc(e.tsNs)));
        return;
      }
    }
  }

  protected emitRisk(type: string, strategyId: string | null, symbol: string | null, fields: Record<string, unknown>): void {
    if (!this.events.has('risk')) return;
    this.events.emit('risk', { type, strategy_id: strategyId, symbol, ...fields });
  }

  protected emitState(s: MarketMakingStrategy, change: { from: StrategyStatus; to: StrategyStatus; reason: PauseReason | null } | null, tNs: number): void {
    if (change === null || !this.events.has('strategy_state')) return;
    this.events.emit('strategy_state', { strategy_id: s.id, status: change.to, previous: change.from, reason: change.reason, timestamp: Math.floor(tNs / 1e6) });
  }

  protected pauseStrategy(s: MarketMakingStrategy, reason: PauseReason, tNs: number): void {
    const change = s.pause(reason);
    if (change === null) return;
    for (const leg of this.legsByStrategy.get(s.id) ?? []) this.runLegGuarded(leg, tNs);
    this.emitState(s, change, tNs);
  }

  protected resumeStrategy(s: MarketMakingStrategy, reason: PauseReason, tNs: number): void {
    const change = s.resume(reason);
    if (change === null) return;
    for (const leg of this.legsByStrategy.get(s.id) ?? []) leg.resting.requoteDue = true;
    this.emitState(s, change, tNs);
  }

  // ======================================================================= marks and P&L

  protected markPrice(leg: StrategyLeg | undefined, symbol: string): string | undefined {
    if (leg !== undefined) return midPriceText(leg.instrument, leg.market.bestBidTick, leg.market.bestAskTick);
    const s = this.ingest.bySymbolName(symbol);
    if (s === undefined) return undefined;
    return midPriceText(s.instrument, this.ingest.books.bestBidTick(s.book), this.ingest.books.bestAskTick(s.book));
  }

  protected updatePnl(
    strategyId: string, symbol: string, ledger: SymbolLedger, leg: StrategyLeg | undefined, tNs: number, emit: boolean, midText?: string, stopLoss = true,
  ): void {
    const mark = midText ?? this.markPrice(leg, symbol) ?? ledger.markPrice?.toString();
    if (mark === undefined) return;
    const pnl = ledgerPnl(ledger, mark);
    this.risk.onPnl(strategyId, symbol, pnl.realizedQuote, pnl.unrealizedQuote, pnl.entryValueQuote, tNs, stopLoss);
    if (emit && this.events.has('pnl')) {
      this.events.emit('pnl', {
        strategy_id: strategyId, symbol, position: jsonNumber(ledger.position), mid_price: Number(mark),
        realized_pnl: Math.round(pnl.realizedQuote * 1e8) / 1e8, unrealized_pnl: Math.round(pnl.unrealizedQuote * 1e8) / 1e8,
        total_pnl: Math.round((pnl.realizedQuote + pnl.unrealizedQuote) * 1e8) / 1e8, timestamp: Math.floor(tNs / 1e6),
      });
    }
  }

  /**
   * Every active leg is due for a mark (once per mark interval). A leg of a stopped (or not yet
   * started) strategy that holds a position is valued now for the day's P&L only: the day's
   * baseline at the reset is the position at the mark of that moment (not at the last mark
   * before the stop), and a loss while stopped counts toward the daily limit. Its stop loss is
   * left until it runs again (the first mark then): a stopped strategy sends no order.
   */
  protected scheduleMarks(tNs: number): void {
    this.nextMarkNs = tNs + this.markIntervalNs;
    this.markDue.length = 0;
    for (const legs of this.legsByStrategy.values()) {
      for (const leg of legs) {
        if (isActive(leg.strategy.status)) this.markDue.push(leg);
        else if (leg.inventoryLot !== 0 && leg.ledger !== undefined) this.updatePnl(leg.strategy.id, leg.symbol, leg.ledger, leg, tNs, false, undefined, false);
      }
    }
  }

  /** Marks a leg's ledger at its mid (time at best, equity, markouts) and gives the risk engine its P&L. */
  protected markLeg(leg: StrategyLeg, tNs: number): void {
    const m = leg.market;
    if (m.bestBidTick !== leg.markBidTick || m.bestAskTick !== leg.markAskTick) {
      // the same ticks give the same text: computed again only when the touch moved
      leg.markMidText = midPriceText(leg.instrument, m.bestBidTick, m.bestAskTick);
      leg.markBidTick = m.bestBidTick;
      leg.markAskTick = m.bestAskTick;
    }
    const mid = leg.markMidText;
    if (mid === undefined || leg.ledger === undefined) return;
    const ts = BigInt(Math.trunc(tNs));
    const b = leg.resting.bids;
    const a = leg.resting.asks;
    leg.ledger.applyMark({ tsNs: ts, mid, atBestBid: b.state[0] !== 0 && b.tick[0]! >= m.bestBidTick, atBestAsk: a.state[0] !== 0 && a.tick[0]! <= m.bestAskTick });
    if (leg.binary && leg.market.state.settled === null) this.liveBinaryLedger(leg).applyMark({ tsNs: ts, mid });
    this.updatePnl(leg.strategy.id, leg.symbol, leg.ledger, leg, tNs, true, mid);
  }

  protected legsOf(id: string): StrategyLeg[] {
    return this.legsByStrategy.get(id) ?? [];
  }

  /** Sets a leg's position (lots) from its ledger in the leg, the order manager's exposure and the risk gate. */
  protected positionFromLedger(leg: StrategyLeg, tNs: number): void {
    const lots = leg.instrument.qty.toUnitsOrNaN(leg.ledger!.position.toFixed());
    leg.inventoryLot = Number.isNaN(lots) ? 0 : lots;
    this.orders.exposure.getOrCreate(leg.strategy.id, leg.symbol).positionLot = leg.inventoryLot;
    this.risk.setPosition(leg.strategy.id, leg.symbol, leg.inventoryLot, tNs);
  }
}
