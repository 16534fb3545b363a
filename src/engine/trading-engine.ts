// The engine's control plane: the control methods the HTTP API calls (seed 000's
// endpoints: load, start, stop, PATCH, reduce_inventory, orders, kill; every method
// answers in seed 000's JSON), the views, and restore from the journal. The hot path
// they steer (market data → strategies → risk gate → order manager → venue, and the
// reports back) is TradingCore (trading-core.ts), which this class extends.
//
//   const engine = new TradingEngine();                 // paper exchange on its own FeedIngest
//   const sim = new MarketSimulator({}, 42);
//   const driver = new SimDriver(engine, sim);          // or any source driving engine.ingest
//   engine.load({ name: 'btc_mm_1', symbols: ['BTCUSDT'], parameters: {...} });
//   driver.run(1);                                      // 1 s of market: books are live
//   engine.start('btc_mm_1');                           // → initial_quotes
//
// With EngineOptions.venue a live venue (Binance, ...) takes the orders instead of the
// paper exchange; nothing else changes.
import { BinaryContractLedger as BinaryLedger } from '../accounting/binary-contract-ledger.js';
import { binaryInventoryView } from '../accounting/binary-inventory-view.js';
import { Decimal } from '../accounting/decimal.js';
import { finalStateView } from '../accounting/final-state-view.js';
import { inventoryView } from '../accounting/inventory-view.js';
import { jsonNumber } from '../accounting/json-number.js';
import { metricsView } from '../accounting/metrics-view.js';
import { SymbolLedger } from '../accounting/symbol-ledger.js';
import { tradesView } from '../accounting/trades-view.js';
import type { JournalFill, JournalFunding } from '../store/journal-records.js';
import { DAY_START_KEY } from '../store/journal.js';
import { SpreadcoreError } from '../errors.js';
import { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { Instrument } from '../orderbook/instrument.js';
import { ledgerPnl, reasonName, type RiskLimits } from '../risk/index.js';
import { MarketMakingStrategy, paramsJson } from '../strategy/market-making-strategy.js';
import { configView, validateParams, type ParamValue, type StrategyParams } from '../strategy/params/index.js';
import { toDecimalString } from '../strategy/params/param-decimal.js';
import { readStrategyDefinition } from '../strategy/strategy-definition.js';
import { StrategyError } from '../strategy/strategy-errors.js';
import { PULL_REASONS, REDUCE_AGGRESSIVE, REDUCE_MODERATE, REDUCE_PASSIVE, StrategyLeg } from '../strategy/strategy-leg.js';
import type { StrategyStatus } from '../strategy/strategy-status.js';
import { isActive } from '../strategy/strategy-status.js';
import { SymbolMarket } from '../strategy/symbol-market.js';
import { levelsView, priceNumber, qtyNumber, quotesView, type QuotesJson } from './engine-views.js';
import { MANUAL_ACCOUNT, manualMaxPositionLot } from './manual-account.js';
import { DENY_SELF_CROSS } from '../risk/reason-codes.js';
import { spreadWarning } from '../strategy/spread-warning.js';

import { UniverseCore } from './universe-core.js';
import { readScannerParams, splitScannerParams } from '../strategy/market-scanner.js';
import { DENY_MAX_EVENT_EXPOSURE, DENY_MAX_EVENT_EXPOSURE_NAME, DENY_NOT_LEASE_OWNER, DENY_NOT_LEASE_OWNER_NAME } from './event-router.js';
import {
  badInput, checkFees, isRecord, TradingCore, withVenueFees,
  type EngineOptions, type LoadResult, type OrderBody, type PatchResult, type ReduceInventoryBody, type StartResult, type StopResult, type StrategySummary,
} from './trading-core.js';

export {
  MANUAL_ACCOUNT, TradingCore,
  type EngineOptions, type LoadResult, type OrderBody, type PatchResult, type ReduceInventoryBody, type StartResult, type StopResult, type StrategySummary,
};

/** The fee model a strategy's parameters ask of a simulated venue. */
function feeModelOf(p: StrategyParams): { model: StrategyParams['fee_model']; polymarketRate: number; polymarketExponent: number } {
  return { model: p.fee_model, polymarketRate: p.polymarket_fee_rate, polymarketExponent: p.polymarket_fee_exponent };
}

/** The engine with its control plane: seed 000's control methods and views over the hot path (TradingCore). */
export class TradingEngine extends UniverseCore {
  /** Runs after the kill switch cancelled every order (a live venue confirms at the venue that none is left open). */
  afterKill: (() => void) | null = null;

  constructor(options: EngineOptions = {}) {
    super(options);
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

  private leg(id: string, symbol?: unknown): StrategyLeg {
    const legs = this.legsOf(id);
    if (symbol === undefined) {
      if (legs.length === 0) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `strategy ${id} quotes no market now: name one with ?symbol= (GET /api/markets lists them)`);
      return legs[0]!;
    }
    const leg = typeof symbol === 'string' ? this.legOf(id, symbol) : undefined;
    if (leg === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `strategy ${id} does not trade ${String(symbol)}`);
    return leg;
  }

  /** A leg's ledger; for a universe strategy also a market whose leg it removed (the ledger stays). */
  private legLedger(id: string, symbol?: unknown): SymbolLedger {
    if (typeof symbol === 'string' && this.legOf(id, symbol) === undefined && this.isUniverse(id)) {
      const kept = this.ledgers.forStrategy(id).find((l) => l.config.symbol === symbol);
      if (kept !== undefined) return kept;
    }
    return this.leg(id, symbol).ledger!;
  }

  /** POST /api/strategy/load. */
  load(body: unknown): LoadResult {
    const read = readStrategyDefinition(body);
    // the scanner's parameters (scan_interval_seconds, max_market_spread, min_volume, max_event_exposure) are the engine's, not the ladder's
    const split = splitScannerParams(read.parameters);
    const scanner = readScannerParams(split.scanner);
    const def = withVenueFees({ ...read, parameters: split.rest }, this.venue.feeSchedule ?? this.paper.feeSchedule);
    if (def.id === MANUAL_ACCOUNT) badInput(`"${MANUAL_ACCOUNT}" is the account of orders without a strategy: choose another name`);
    if (this.strategies.has(def.id) || this.invalid.has(def.id)) throw new StrategyError('SPREADCORE_ERR_STRATEGY_EXISTS', `strategy ${def.id} is already loaded`);
    if (def.universe !== undefined) return this.loadUniverse(def, scanner);
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
    this.venue.setAccountFees?.(def.id, strategy.params.maker_fee_bps, strategy.params.taker_fee_bps, feeModelOf(strategy.params));
    this.strategies.set(def.id, strategy);
    this.legsByStrategy.set(def.id, legs);
    this.legIndex.set(def.id, index);
    // the position always comes from the ledger (a reload after DELETE, a restart): leg, order manager and risk gate alike
    for (const leg of legs) this.positionFromLedger(leg, t);
    if (Object.keys(split.scanner).length > 0) this.setExtraParams(def.id, scanner, null);
    const warning = spreadWarning(strategy.params, this.midPriceOf(def.symbols[0]));
    return { ok: true, strategy_id: def.id, config: configView(strategy.params), ...(warning !== null ? { warnings: [warning] } : {}) };
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
    if (this.venueHeld) s.pause('venue');
    this.emitState(s, change, t);
    for (const leg of legs) this.runLeg(leg, t);
    if (this.isUniverse(id)) {
      // the scanner picks the markets now; its new legs quote at once
      this.scanNow();
      const now = this.legsOf(id);
      const out: StartResult = { ok: true, strategy_id: id, status: s.status, initial_quotes: now.length > 0 ? levelsView(now[0]!) : { bid_levels: [], ask_levels: [] } };
      out.symbols = Object.fromEntries(now.map((l) => [l.symbol, levelsView(l)]));
      return out;
    }
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
    return { position: views[0]?.position ?? 0, unrealized_pnl: sum('unrealized_pnl'), realized_pnl: sum('realized_pnl'), total_pnl: sum('total_pnl') };
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
    if (isRecord(body)) {
      const split = splitScannerParams(body);
      if (Object.keys(split.scanner).length > 0) {
        readScannerParams(split.scanner, this.scannerParams(id)); // checked before anything changes
        const rest = Object.keys(split.rest).length > 0 ? this.patchParameters(id, split.rest) : null;
        this.patchScanner(id, split.scanner);
        return { ok: true, strategy_id: id, updated_parameters: { ...(rest?.updated_parameters ?? {}), ...(split.scanner as Record<string, ParamValue>) }, ...(rest?.warnings !== undefined ? { warnings: rest.warnings } : {}) };
      }
    }
    const r = s.patch(body, 'api', BigInt(Math.trunc(t)), (next) => { checkFees(next); this.risk.checkParams(id, next); });
    if (r.changes.length > 0) {
      this.risk.setParams(id, s.params, t);
      this.venue.setAccountFees?.(id, s.params.maker_fee_bps, s.params.taker_fee_bps, feeModelOf(s.params));
      for (const leg of this.legsOf(id)) leg.syncParams();
      this.legErrors.delete(id);
      this.resumeStrategy(s, 'error', t);
      if (this.isUniverse(id)) this.requestScan(id); // max_markets, min_liquidity, ... apply at once
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
    return { ok: true, strategy_id: id, status: s.status, parameters: this.extraParams.has(id) ? { ...paramsJson(s.params), ...this.scannerParams(id) } : paramsJson(s.params) };
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
    return metricsView(this.legLedger(id, symbol), { strategyId: id, uptimeSeconds: s.uptimeSeconds(this.nowNs()) });
  }

  /** GET /api/strategy/{id}/inventory (binary contracts add their YES/NO holdings). */
  inventory(id: string, symbol?: string): ReturnType<typeof inventoryView> & { binary?: ReturnType<typeof binaryInventoryView> } {
    if (id === MANUAL_ACCOUNT) {
      const m = this.manualLedger(symbol);
      const inst = this.ingest.bySymbolName(m.symbol)!.instrument;
      const mark = this.markPrice(undefined, m.symbol);
      // the limit is sized at the account's first order on the symbol in this run; before it
      // (a restart, a redefined symbol, no order yet) it is shown as that order would size it
      // now: at the mid, else at the price the position is measured at (the last fill's)
      const cap = this.manualSymbols.get(m.symbol)
        ?? manualMaxPositionLot(this.manualMaxNotional, this.midPriceOf(m.symbol) ?? m.ledger.markPrice?.toNumber() ?? Number.NaN, inst.lotSize);
      return inventoryView(m.ledger, { strategyId: id, maxPosition: cap > 0 ? String(qtyNumber(inst, cap)) : null, ...(mark !== undefined ? { markPrice: mark } : {}) });
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
    return tradesView(this.legLedger(id, symbol), { strategyId: id, limit });
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
    // an order (market or limit) that only reduces the account's position (its working orders
    // on that side counted) is an exit: reduce-only, so a venue that refuses small orders unless
    // they are reduce-only (Binance USD-M, MIN_NOTIONAL) takes it
    const pos = this.orders.positionLot(strategyId, symbol);
    const pending = this.orders.pendingExposureLot(strategyId, symbol, side);
    const exit = side === 'BUY' ? pos < 0 && pos + pending + qtyLot <= 0 : pos > 0 && pos - pending - qtyLot >= 0;
    const r = this.router.place(strategyId, symbol, side, type, type === 'MARKET' ? 'IOC' : 'GTC', priceTick, qtyLot, exit, 0, this.nowNs(), leg);
    if (r.submit === null || r.submit.order === null || r.submit.outcome !== 'SENT') {
      const reason = r.submit === null ? (r.code === DENY_MAX_EVENT_EXPOSURE ? DENY_MAX_EVENT_EXPOSURE_NAME : r.code === DENY_NOT_LEASE_OWNER ? DENY_NOT_LEASE_OWNER_NAME : reasonName(r.code)) : r.submit.reason ?? r.submit.outcome;
      if (r.submit === null && r.code === DENY_SELF_CROSS) {
        // whose resting orders it would trade with (one venue account: no self-trade)
        const crossed = [...new Set(this.orders.openOrders(undefined, symbol)
          .filter((o) => o.intent.side !== side && (type === 'MARKET' || (side === 'BUY' ? o.intent.priceTick <= priceTick : o.intent.priceTick >= priceTick)))
          .map((o) => o.intent.strategyId))];
        const who = crossed.length === 0 ? 'our own resting orders' : `the resting orders of ${crossed.map((c) => (c === MANUAL_ACCOUNT ? 'the manual account' : `strategy ${c}`)).join(', ')}`;
        const fix = crossed.length === 1 && crossed[0] !== MANUAL_ACCOUNT
          ? ` To close strategy ${crossed[0]}'s position while it quotes, use POST /api/strategy/${crossed[0]}/reduce_inventory (it pulls the quotes first, then sends the order), or stop it first.`
          : ' Stop the quoting strategies on the symbol first, or place a limit order that does not cross them.';
        throw new StrategyError('SPREADCORE_ERR_ORDER_REJECTED', `order refused: ${reason}: it would trade with ${who} on ${symbol} (no self-trade).${fix}`, { reason, crossed });
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
      // a read of a symbol the account has not traded: an empty ledger, not one added to the account
      return { ledger: this.ledgers.view(MANUAL_ACCOUNT, symbol), symbol };
    }
    const traded = this.ledgers.forStrategy(MANUAL_ACCOUNT).map((l) => l.config.symbol);
    const first = traded[0];
    if (first === undefined) throw new StrategyError('SPREADCORE_ERR_UNKNOWN_SYMBOL', 'the manual account has not traded yet: name a symbol (?symbol=)');
    return { ledger: this.ledgers.ledger(MANUAL_ACCOUNT, first), symbol: first };
  }

  /** GET /api/accounts: every account (each strategy, and the manual account) with its position per symbol. */
  accounts(): { ok: true; accounts: { account: string; kind: 'strategy' | 'manual'; positions: { symbol: string; position: number; max_position: number | null; realized_pnl: number; funding: number }[] }[] } {
    const row = (account: string, symbols: readonly string[], max: (sym: string) => number | null): { symbol: string; position: number; max_position: number | null; realized_pnl: number; funding: number }[] =>
      symbols.map((sym) => {
        const l = this.ledgers.ledger(account, sym);
        // realized_pnl includes funding (perpetuals), also shown on its own
        return { symbol: sym, position: jsonNumber(l.position), max_position: max(sym), realized_pnl: jsonNumber(l.realizedNet), funding: jsonNumber(l.fundingQuote) };
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
    this.afterKill?.();
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
    this.dropUniverse(id);
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
      const ext = r.engineState.get(`strategy-ext:${s.id}`) as { universe?: unknown; scanner?: Record<string, unknown> } | undefined;
      const parameters = { ...s.parameters, ...(ext?.scanner ?? {}) };
      try {
        if (ext?.universe !== undefined && ext.universe !== null) this.load({ name: s.name, type: s.type, universe: ext.universe, parameters });
        else this.load({ name: s.name, type: s.type, symbols: s.symbols, parameters });
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
        if (leg?.binary === true) this.liveBinaryLedger(leg).applyFill('YES', f);
        fills++;
      }
    }
    // funding payments journaled (each account's share), after the fills
    for (const f of r.funding) {
      if (f.strategyId === null) continue;
      const leg = this.legOf(f.strategyId, f.symbol);
      (leg?.ledger ?? this.ledgers.ledger(f.strategyId, f.symbol)).applyFunding({
        fundingId: `${f.symbol}:${f.tranId}`, strategyId: f.strategyId, symbol: f.symbol, fundingQuote: f.shareQuote, tsEventNs: f.tsEventNs,
      });
    }
    // settlements of binary contracts journaled after those fills
    for (const [key, value] of r.engineState) {
      if (!key.startsWith('settled:')) continue;
      const v = value as { outcome?: unknown; tsNs?: unknown; resolutionTsNs?: unknown };
      if (v.outcome !== 'yes' && v.outcome !== 'no') continue;
      const symbol = key.slice('settled:'.length);
      this.settleLedgers(symbol, v.outcome, Number(v.tsNs ?? 0));
      // the market the source lists now is that one (same resolution time): it stays resolved; a new one under the name trades
      const st = this.ingest.bySymbolName(symbol);
      if (st !== undefined && st.settled === null && String(Math.trunc(st.resolutionTsNs)) === String(v.resolutionTsNs)) st.settled = v.outcome;
    }
    const t = this.nowNs();
    for (const id of loaded) for (const leg of this.legsOf(id)) this.positionFromLedger(leg, t);
    for (const id of loaded) for (const leg of this.legsOf(id)) this.restoreDayBaseline(leg, r.fillsByStrategy.get(id) ?? [], r.funding.filter((f) => f.strategyId === id), r.engineState, t);
    if (r.killSwitch.state === 'HALTED' && !this.risk.killed) this.risk.kill(t, r.killSwitch.reason ?? 'restored');
    // one name for the kill switch everywhere (API, health, logs, dashboard): the trading state it leaves, ACTIVE or HALTED
    return { ok: true, strategies: loaded, fills, kill_switch: r.killSwitch.state === 'OFF' ? 'ACTIVE' : 'HALTED', open_orders: r.openOrders.length, invalid };
  }

  /**
   * The daily loss limit counts from the start of the current trading day, and a restored
   * ledger holds every fill since it began: the day's baseline is the P&L the leg had at the
   * day's start. When the engine ran at that start, it journaled that baseline (the position
   * valued at the mark then), and that is used. Otherwise it comes from the fills (and
   * settlements) before the start, the position then valued at its last fill's price before it.
   * Without it a loss made today before a restart would be netted against earlier days'
   * profits, or earlier losses would stop the strategy today.
   */
  private restoreDayBaseline(leg: StrategyLeg, fills: readonly JournalFill[], funding: readonly JournalFunding[], engineState: ReadonlyMap<string, unknown>, tNs: number): void {
    const ledger = leg.ledger;
    const dayStartNs = this.risk.dayStartNs(leg.strategy.id, tNs);
    if (ledger === undefined || !Number.isFinite(dayStartNs)) return;
    const kept = engineState.get(DAY_START_KEY(leg.strategy.id)) as { day_start_ns?: unknown; baselines?: Record<string, unknown> } | undefined;
    const keptQuote = kept?.day_start_ns === dayStartNs ? kept.baselines?.[leg.symbol] : undefined;
    if (typeof keptQuote === 'number' && Number.isFinite(keptQuote)) {
      this.risk.setDayBaseline(leg.strategy.id, leg.symbol, keptQuote);
      return;
    }
    const before = new SymbolLedger(ledger.config);
    let lastPrice: string | undefined;
    for (const f of fills) {
      if (f.symbol !== leg.symbol || Number(f.tsEventNs) >= dayStartNs) continue;
      before.applyFill(f);
      lastPrice = f.price;
    }
    if (lastPrice === undefined) return; // the ledger began today: the day is measured from zero
    // funding paid or received before the day's start is part of that P&L
    for (const f of funding) {
      if (f.symbol === leg.symbol && f.strategyId !== null && Number(f.tsEventNs) < dayStartNs) {
        before.applyFunding({ fundingId: `${f.symbol}:${f.tranId}`, strategyId: f.strategyId, symbol: f.symbol, fundingQuote: f.shareQuote, tsEventNs: f.tsEventNs });
      }
    }
    const settled = engineState.get(`settled:${leg.symbol}`) as { outcome?: unknown; tsNs?: unknown } | undefined;
    if (settled !== undefined && (settled.outcome === 'yes' || settled.outcome === 'no') && Number(settled.tsNs ?? Infinity) < dayStartNs && !before.position.isZero()) {
      lastPrice = settled.outcome === 'yes' ? '1' : '0';
      before.settle(lastPrice, BigInt(Math.trunc(Number(settled.tsNs))));
    }
    const pnl = ledgerPnl(before, lastPrice);
    this.risk.setDayBaseline(leg.strategy.id, leg.symbol, pnl.realizedQuote + pnl.unrealizedQuote);
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
