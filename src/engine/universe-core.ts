// Many markets at once (seed 004): strategies loaded with a universe instead of fixed
// symbols, whose legs the engine adds and retires while they run, and the event map
// that ties symbols of several venues to one event (cross-platform inventory). Sits
// between the hot path (TradingCore) and the control plane (TradingEngine).
//
// A universe strategy starts with no legs. Its scanner (market-scanner.ts) runs at
// start, every scan_interval_seconds of exchange time, whenever the market lists a new
// binary symbol and after every settlement: it reads every candidate (hours to
// resolution, liquidity, spread, volume), keeps up to max_markets quoted — a new leg
// takes a quoter slot (src/wasm/layout.ts MAX_QUOTERS = 64 per WASM core, shared by all
// strategies) — and retires the others: a retired leg quotes no more (its orders are
// cancelled; a binary forced exit still closes its position), and once it has no open
// order and no position (or its market settled) it is removed and its slot released.
// Its ledger stays: GET /api/strategy/{id}/metrics?symbol= and a later leg on the same
// symbol continue it.
import { BinaryContractLedger as BinaryLedger } from '../accounting/binary-contract-ledger.js';
import { isQuotable, type SymbolState } from '../feed/ingest/symbol-state.js';
import type { SideCode } from '../feed/feed-sink.js';
import type { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { Instrument } from '../orderbook/instrument.js';
import { hoursToResolution } from '../strategy/binary-market-rules.js';
import { checkQuotable, MarketMakingStrategy, paramsJson } from '../strategy/market-making-strategy.js';
import {
  readScannerParams, scanMarkets, SCANNER_PARAM_DEFAULTS, type MarketReading, type ScanDecision, type ScannerParams,
} from '../strategy/market-scanner.js';
import { configView, validateParams } from '../strategy/params/index.js';
import { decimalMulDiv } from '../strategy/params/param-decimal.js';
import type { StrategyDefinition, UniverseSpec } from '../strategy/strategy-definition.js';
import { PULL_REASONS, StrategyLeg } from '../strategy/strategy-leg.js';
import { isActive } from '../strategy/strategy-status.js';
import { SymbolMarket } from '../strategy/symbol-market.js';
import type { OrderSide } from '../trading/types.js';
import type { OrderFillEvent } from '../execution/order-manager.js';
import type { ArbitrageSignalEvent } from './engine-events.js';
import { EventMap, readEventDef, type EventDef } from './event-map.js';
import { TradingCore, type EngineOptions, type LoadResult } from './trading-core.js';
import { midPriceOnGrid } from './engine-views.js';

interface UniverseState {
  readonly spec: UniverseSpec;
  /** The last scan's decision per symbol, with its reading. */
  decisions: Map<string, { decision: ScanDecision; reading: MarketReading }>;
  nextScanNs: number;
}

/** A market that settled, kept for GET /api/markets. */
interface ResolvedMarket {
  readonly symbol: string;
  readonly outcome: 'yes' | 'no';
  readonly tsNs: number;
  readonly resolutionTsNs: number;
  readonly volume: number;
}

const MAX_RESOLVED_KEPT = 200;
const DEFAULT_VIEW_LEVELS = 5;
const SIGNAL_MIN_INTERVAL_NS = 1e9;

export interface MarketRow {
  symbol: string;
  status: 'open' | 'resolved';
  outcome?: 'YES' | 'NO';
  resolution_time: string | null;
  hours_to_resolution: number | null;
  liquidity: number | null;
  mid: number | null;
  spread: number | null;
  volume: number;
  quoted: boolean;
  quoted_by: string[];
  reason: string;
  /** Per universe strategy: its last scan's reason, rank and liquidity reading, and its leg's state (a pull reason, "none" = quoting). */
  strategies: Record<string, { reason: string; rank: number; leg: string | null; scanned_liquidity: number | null }>;
  events: string[];
}

export class UniverseCore extends TradingCore {
  /** Events tying symbols together (serve --event-map, PUT /api/events/:id). */
  readonly eventMap = new EventMap();
  /** Scanner parameters (and max_event_exposure) of every strategy. */
  protected readonly extraParams = new Map<string, ScannerParams>();
  protected readonly universes = new Map<string, UniverseState>();
  private nextUniverseScanNs = Infinity;
  private scanDue = false;
  /** The symbol state last seen per feed symbol id (a new one is a new listing). */
  private readonly seenState: (SymbolState | undefined)[] = [];
  /** Lots traded per feed symbol id since its listing was first seen. */
  private readonly volumeLots = new Float64Array(65536);
  private readonly resolved = new Map<string, ResolvedMarket>();
  /** Net exposure per event (contracts, event direction), all accounts. */
  private readonly eventNet = new Map<string, number>();
  private readonly lastSignal = new Map<string, ArbitrageSignalEvent & { tsNs: number }>();
  private readonly gridChecks = new Map<string, string | null>();

  constructor(options: EngineOptions = {}) {
    super(options);
    this.router.eventGuard = (sid, sym, side, lots) => this.eventAllows(sid, sym, side, lots);
  }

  // ======================================================================= hooks on the hot path

  protected override onBatch(ingest: FeedIngest, dirty: Int32Array, n: number): void {
    super.onBatch(ingest, dirty, n);
    const events = this.eventMap.size !== 0;
    const t = events ? this.nowNs() : 0;
    for (let i = 0; i < n; i++) {
      const s = ingest.symbolState(dirty[i]!);
      if (s === undefined) continue;
      // a binary symbol's first batch (its snapshot after the definition): a new listing for the scanners
      if (this.seenState[s.symbolId] !== s && s.kind === 'binary') this.newListing(s);
      if (events && this.eventMap.of(s.symbol).length !== 0) this.checkArbitrage(s.symbol, t);
    }
    if (this.universes.size === 0) return;
    const now = this.nowNs();
    if (this.scanDue || now >= this.nextUniverseScanNs) this.scanAll(now);
  }

  protected override tickNow(tNs: number): void {
    super.tickNow(tNs);
    if (this.scanDue || tNs >= this.nextUniverseScanNs) this.scanAll(tNs);
  }

  protected override onTrade(s: SymbolState, side: SideCode, tick: number, qtyLot: number, tsNs: number): void {
    super.onTrade(s, side, tick, qtyLot, tsNs);
    if (this.seenState[s.symbolId] === s) this.volumeLots[s.symbolId]! += qtyLot;
  }

  protected override onSettled(s: SymbolState, outcome: 'yes' | 'no', tsNs: number): void {
    super.onSettled(s, outcome, tsNs);
    this.resolved.set(s.symbol, { symbol: s.symbol, outcome, tsNs, resolutionTsNs: s.resolutionTsNs, volume: this.volumeOf(s) });
    if (this.resolved.size > MAX_RESOLVED_KEPT) this.resolved.delete(this.resolved.keys().next().value!);
    for (const { event } of this.eventMap.of(s.symbol)) this.recomputeEvent(event);
    if (this.universes.size !== 0) this.scanDue = true;
  }

  protected override onFill(e: OrderFillEvent): void {
    super.onFill(e);
    if (this.eventMap.size !== 0) for (const { event } of this.eventMap.of(e.fill.symbol)) this.recomputeEvent(event);
  }

  private newListing(s: SymbolState): void {
    this.seenState[s.symbolId] = s;
    this.volumeLots[s.symbolId] = 0;
    if (this.universes.size !== 0) this.scanDue = true;
  }

  private volumeOf(s: SymbolState): number {
    return this.seenState[s.symbolId] === s ? this.volumeLots[s.symbolId]! * Number(s.instrument.lotSize) : 0;
  }

  // ======================================================================= universe strategies

  /** The scanner parameters of a strategy (defaults when it gave none). */
  scannerParams(id: string): ScannerParams {
    return this.extraParams.get(id) ?? SCANNER_PARAM_DEFAULTS;
  }

  /** Loads a strategy whose markets the scanner picks (def.universe); it starts with no legs. */
  protected loadUniverse(def: StrategyDefinition, scanner: ScannerParams): LoadResult {
    const spec = def.universe!;
    const strategy = new MarketMakingStrategy(def, [], this.journal);
    const j = this.journal;
    if (j !== undefined) {
      const doc = { id: def.id, name: def.name, type: def.type, symbols: [] as string[], parameters: paramsJson(strategy.params), status: 'loaded' };
      if (j.strategy(def.id) === null) j.recordStrategy(doc);
      else { j.recordParameterChanges(def.id, doc.parameters, { source: 'load' }); j.updateStrategyStatus(def.id, 'loaded'); }
    }
    const t = this.nowNs();
    const limits = this.riskLimits.price_band_bps !== undefined ? this.riskLimits : { ...this.riskLimits, price_band_bps: 10_000 };
    if (this.risk.hasStrategy(def.id)) this.risk.setParams(def.id, strategy.params, t, limits);
    else this.risk.addStrategy(def.id, strategy.params, limits);
    const p = strategy.params;
    this.venue.setAccountFees?.(def.id, p.maker_fee_bps, p.taker_fee_bps, { model: p.fee_model, polymarketRate: p.polymarket_fee_rate, polymarketExponent: p.polymarket_fee_exponent });
    this.strategies.set(def.id, strategy);
    this.legsByStrategy.set(def.id, []);
    this.legIndex.set(def.id, new Map());
    this.universes.set(def.id, { spec, decisions: new Map(), nextScanNs: -Infinity });
    this.setExtraParams(def.id, scanner, spec);
    this.scanUniverse(def.id, t);
    return { ok: true, strategy_id: def.id, config: configView(strategy.params) };
  }

  /** Keeps a strategy's scanner parameters (journaled with its universe, so restore brings both back). */
  protected setExtraParams(id: string, scanner: ScannerParams, spec?: UniverseSpec | null): void {
    this.extraParams.set(id, scanner);
    const universe = spec !== undefined ? spec : (this.universes.get(id)?.spec ?? null);
    this.journal?.setState(`strategy-ext:${id}`, { universe, scanner });
  }

  /** PATCH of scanner parameters: checked, applied, journaled; a re-scan follows. */
  protected patchScanner(id: string, given: Record<string, unknown>): void {
    const next = readScannerParams(given, this.scannerParams(id));
    this.setExtraParams(id, next);
    this.requestScan(id);
    for (const e of this.eventMap.list()) this.recomputeEvent(e);
  }

  /** The universe strategy scans again at the next market event or clock step. */
  protected requestScan(id: string): void {
    const u = this.universes.get(id);
    if (u === undefined) return;
    u.nextScanNs = -Infinity;
    this.scanDue = true;
  }

  protected isUniverse(id: string): boolean {
    return this.universes.has(id);
  }

  /** Forgets a deleted strategy's universe (its legs were removed by the caller). */
  protected dropUniverse(id: string): void {
    this.universes.delete(id);
    this.extraParams.delete(id);
    this.recomputeNextScan();
  }

  /** Scans every universe strategy now. */
  scanNow(): void {
    this.scanAll(this.nowNs());
  }

  private scanAll(t: number): void {
    this.scanDue = false;
    for (const id of this.universes.keys()) this.scanUniverse(id, t);
    this.recomputeNextScan();
  }

  private recomputeNextScan(): void {
    let next = Infinity;
    for (const u of this.universes.values()) if (u.nextScanNs < next) next = u.nextScanNs;
    this.nextUniverseScanNs = next;
  }

  /**
   * The venue a symbol trades on, when the engine trades several (Kalshi and Polymarket
   * at once): a universe on one venue takes only its symbols. Null: every symbol is the
   * market's own (the simulator, a recording), whatever universe.venue says.
   */
  symbolVenue: ((symbol: string) => string | undefined) | null = null;

  /** The candidates of a universe: the market's binary symbols (with the prefix; on the universe's venue when the engine trades several). */
  private candidates(spec: UniverseSpec): SymbolState[] {
    const out: SymbolState[] = [];
    const venueOf = this.symbolVenue;
    for (const s of this.ingest.symbols()) {
      if (s.kind !== spec.kind) continue;
      if (venueOf !== null && venueOf(s.symbol) !== spec.venue) continue;
      if (spec.prefix !== undefined && !s.symbol.startsWith(spec.prefix)) continue;
      out.push(s);
    }
    return out;
  }

  /** Liquidity (quote currency in the top `levels` levels of both sides), touch spread (price) and mid of a symbol. */
  private readBook(s: SymbolState, levels: number): { liquidity: number; spread: number; mid: number | null } {
    const books = this.ingest.books;
    const inst = s.instrument;
    const bid = books.bestBidTick(s.book);
    const ask = books.bestAskTick(s.book);
    const live = s.state === 'live' && bid > 0 && ask > 0;
    if (!live) return { liquidity: 0, spread: NaN, mid: null };
    let liq = 0;
    const packed = books.topN(s.book, levels);
    if (packed >= 0) {
      const nb = packed & 0xffff;
      const na = packed >>> 16;
      for (let i = 0; i < nb; i++) liq += books.depthBidTick(i) * books.depthBidQty(i);
      for (let i = 0; i < na; i++) liq += books.depthAskTick(i) * books.depthAskQty(i);
      liq *= decimalMulDiv(inst.tickSize, inst.lotSize, 1);
    }
    const tick = Number(inst.tickSize);
    return { liquidity: Math.round(liq * 100) / 100, spread: Math.round((ask - bid) * tick * 1e8) / 1e8, mid: midPriceOnGrid(inst, bid, ask) };
  }

  /** Why the strategy's parameters do not fit an instrument's grid, or null (cached per parameter version and grid). */
  private gridProblem(s: MarketMakingStrategy, inst: Instrument): string | null {
    const key = `${s.id}\u0000${s.paramsVersion}\u0000${inst.tickSize}\u0000${inst.lotSize}`;
    const have = this.gridChecks.get(key);
    if (have !== undefined) return have;
    let problem: string | null = null;
    try {
      validateParams(paramsJson(s.params), { instrument: inst });
      checkQuotable(s.params, [inst]);
    } catch (e) {
      problem = e instanceof Error ? e.message : String(e);
    }
    if (this.gridChecks.size > 1000) this.gridChecks.clear();
    this.gridChecks.set(key, problem);
    return problem;
  }

  private scanUniverse(id: string, t: number): void {
    const u = this.universes.get(id)!;
    const s = this.strategies.get(id)!;
    const p = s.params;
    const x = this.scannerParams(id);
    const index = this.legIndex.get(id)!;
    const states = this.candidates(u.spec);
    const readings: MarketReading[] = states.map((st) => {
      const b = this.readBook(st, p.imbalance_depth_levels);
      const leg = index.get(st.symbol);
      return {
        symbol: st.symbol, hoursToResolution: hoursToResolution(st.resolutionTsNs, t), settled: st.settled !== null,
        liquidity: b.liquidity, spread: b.spread, volume: this.volumeOf(st),
        incumbent: leg !== undefined && !leg.retired && leg.market.state === st, gridProblem: this.gridProblem(s, st.instrument),
      };
    });
    const decisions = scanMarkets(readings, {
      maxMarkets: p.max_markets, minLiquidity: p.min_liquidity, maxHoursToResolution: p.max_time_to_resolution_hours,
      forcedExitHours: p.forced_exit_hours, maxSpread: x.max_market_spread, minVolume: x.min_volume,
    });
    const next = new Map<string, { decision: ScanDecision; reading: MarketReading }>();
    const active = isActive(s.status);
    decisions.forEach((d, i) => {
      const st = states[i]!;
      let decision = d;
      if (active) {
        const leg = index.get(st.symbol);
        if (d.quote) {
          if (leg === undefined || leg.market.state !== st) {
            if (leg !== undefined) this.removeLeg(leg, t, 'relisted');
            if (this.addLeg(s, st, t, readings[i]!) === null) decision = { ...d, quote: false, reason: 'no_quoter_slot' };
          } else if (leg.retired) {
            leg.retired = false;
            leg.resting.requoteDue = true;
            this.emitScan(id, st.symbol, 'added', 'quoted', readings[i]!, t);
          }
        } else if (leg !== undefined && !leg.retired) {
          this.retireLeg(leg, d.reason, readings[i]!, t);
        }
      }
      next.set(st.symbol, { decision, reading: readings[i]! });
    });
    u.decisions = next;
    // legs whose symbol the market no longer lists (its id went to a new listing) are retired too
    for (const leg of [...this.legsOf(id)]) {
      if (!next.has(leg.symbol) && !leg.retired) this.retireLeg(leg, 'resolved', null, t);
    }
    this.sweepRetired(id, t);
    u.nextScanNs = t + x.scan_interval_seconds * 1e9;
  }

  /** Adds a leg on st's symbol to a running universe strategy; null when no quoter slot is free. */
  private addLeg(s: MarketMakingStrategy, st: SymbolState, t: number, reading: MarketReading): StrategyLeg | null {
    const sym = st.symbol;
    const key = `${s.id}/${sym}`;
    let slot: number;
    try {
      slot = this.slots.acquire(this.slotPrefix + key);
    } catch {
      return null;
    }
    (s.symbols as string[]).push(sym);
    (s.instruments as Instrument[]).push(st.instrument);
    if (this.risk.exposure(s.id, sym) === undefined) this.risk.addSymbol(s.id, st.instrument);
    else this.risk.rebindInstrument(s.id, st.instrument);
    let m = this.markets.get(sym);
    if (m === undefined || m.state !== st) {
      m = new SymbolMarket(st, this.ingest.books, this.vol);
      m.configureVol(s.params.volatility_window_seconds);
      this.markets.set(sym, m);
      if (st.state === 'live') m.refresh(Math.max(t, st.lastTsExchNs));
    }
    this.marketById[st.symbolId] = m;
    const leg = new StrategyLeg(s, s.symbols.length - 1, m, this.quoter, slot);
    leg.ledger = this.ledgers.ledger(s.id, sym);
    if (leg.binary && !this.binaryLedgers.has(key)) this.binaryLedgers.set(key, new BinaryLedger({ strategyId: s.id, symbol: sym }));
    this.legsByStrategy.get(s.id)!.push(leg);
    this.legIndex.get(s.id)!.set(sym, leg);
    const list = this.legsBySymbol.get(sym) ?? [];
    list.push(leg);
    this.legsBySymbol.set(sym, list);
    this.positionFromLedger(leg, t);
    this.updateSkew(leg);
    leg.resting.requoteDue = true;
    this.emitScan(s.id, sym, 'added', 'quoted', reading, t);
    if (s.status === 'running') this.runLegGuarded(leg, t);
    return leg;
  }

  /** Stops quoting a leg (its orders are cancelled); it is removed once nothing of it is left open. */
  private retireLeg(leg: StrategyLeg, reason: string, reading: MarketReading | null, t: number): void {
    leg.retired = true;
    this.runLegGuarded(leg, t);
    this.emitScan(leg.strategy.id, leg.symbol, 'retired', reason, reading, t);
  }

  /** Removes retired legs with no open order, no exit working and no position (or a settled market). */
  private sweepRetired(id: string, t: number): void {
    for (const leg of [...this.legsOf(id)]) {
      if (!leg.retired || leg.resting.count > 0 || leg.exitOrderId !== null || leg.reduceTargetLot === leg.reduceTargetLot) continue;
      if (this.orders.openOrders(id, leg.symbol).length > 0) continue;
      if (leg.inventoryLot !== 0 && leg.market.state.settled === null && this.ingest.bySymbolName(leg.symbol) === leg.market.state) continue;
      this.removeLeg(leg, t, 'removed');
    }
  }

  /** Takes a leg out of the strategy and the engine, releasing its quoter slot; its ledger stays. */
  protected removeLeg(leg: StrategyLeg, t: number, reason: string): void {
    const s = leg.strategy;
    if (leg.quoting) { leg.quoting = false; s.quotingLegs--; }
    this.slots.release(this.slotPrefix + leg.key);
    const bySym = this.legsBySymbol.get(leg.symbol);
    if (bySym !== undefined) {
      const i = bySym.indexOf(leg);
      if (i >= 0) bySym.splice(i, 1);
      if (bySym.length === 0) this.legsBySymbol.delete(leg.symbol);
    }
    const legs = this.legsByStrategy.get(s.id);
    if (legs !== undefined) { const i = legs.indexOf(leg); if (i >= 0) legs.splice(i, 1); }
    if (this.legIndex.get(s.id)?.get(leg.symbol) === leg) this.legIndex.get(s.id)!.delete(leg.symbol);
    for (let i = this.markDue.length - 1; i >= 0; i--) if (this.markDue[i] === leg) this.markDue.splice(i, 1);
    const k = s.symbols.indexOf(leg.symbol);
    if (k >= 0) { (s.symbols as string[]).splice(k, 1); (s.instruments as Instrument[]).splice(k, 1); }
    this.emitScan(s.id, leg.symbol, 'removed', reason, null, t);
  }

  private emitScan(id: string, symbol: string, action: 'added' | 'retired' | 'removed', reason: string, r: MarketReading | null, t: number): void {
    if (!this.events.has('market_scan')) return;
    const h = r === null ? NaN : r.hoursToResolution;
    this.events.emit('market_scan', {
      strategy_id: id, symbol, action, reason, hours_to_resolution: Number.isFinite(h) ? Math.round(h * 1e4) / 1e4 : null,
      liquidity: r === null ? 0 : r.liquidity, timestamp: Math.floor(t / 1e6),
    });
  }

  // ======================================================================= GET /api/markets

  /** Every binary market the engine sees (and those settled), quoted or why not. */
  marketsView(): { ok: true; timestamp: number; scanners: { strategy_id: string; max_markets: number; quoted: number; next_scan_in_seconds: number | null }[]; markets: MarketRow[] } {
    const t = this.nowNs();
    const rows: MarketRow[] = [];
    const seen = new Set<string>();
    for (const st of this.ingest.symbols()) {
      if (st.kind !== 'binary') continue;
      seen.add(st.symbol);
      const b = this.readBook(st, DEFAULT_VIEW_LEVELS);
      const h = hoursToResolution(st.resolutionTsNs, t);
      // a resolved market has no time left and no book to read (a venue may resolve it before its scheduled time)
      const open = st.settled === null;
      const row: MarketRow = {
        symbol: st.symbol, status: open ? 'open' : 'resolved',
        resolution_time: st.resolutionTsNs > 0 ? new Date(Math.floor(st.resolutionTsNs / 1e6)).toISOString() : null,
        hours_to_resolution: !open ? 0 : Number.isFinite(h) ? Math.round(Math.max(0, h) * 1e4) / 1e4 : null,
        liquidity: open ? b.liquidity : null, mid: open ? b.mid : null, spread: open && Number.isFinite(b.spread) ? b.spread : null, volume: this.volumeOf(st),
        quoted: false, quoted_by: [], reason: this.universes.size === 0 ? 'not_scanned' : 'not_candidate', strategies: {},
        events: this.eventMap.of(st.symbol).map((e) => e.event.id),
      };
      if (st.settled !== null) { row.outcome = st.settled === 'yes' ? 'YES' : 'NO'; row.reason = 'resolved'; }
      this.fillStrategies(row);
      rows.push(row);
    }
    for (const r of this.resolved.values()) {
      if (seen.has(r.symbol)) continue;
      const row: MarketRow = {
        symbol: r.symbol, status: 'resolved', outcome: r.outcome === 'yes' ? 'YES' : 'NO',
        resolution_time: r.resolutionTsNs > 0 ? new Date(Math.floor(r.resolutionTsNs / 1e6)).toISOString() : null,
        hours_to_resolution: 0, liquidity: null, mid: null, spread: null, volume: r.volume, quoted: false, quoted_by: [], reason: 'resolved',
        strategies: {}, events: this.eventMap.of(r.symbol).map((e) => e.event.id),
      };
      this.fillStrategies(row);
      rows.push(row);
    }
    const scanners = [...this.universes.entries()].map(([id, u]) => ({
      strategy_id: id, max_markets: this.strategies.get(id)!.params.max_markets,
      quoted: this.legsOf(id).filter((l) => !l.retired).length,
      next_scan_in_seconds: Number.isFinite(u.nextScanNs) ? Math.max(0, Math.round((u.nextScanNs - t) / 1e6) / 1e3) : null,
    }));
    return { ok: true, timestamp: Math.floor(t / 1e6), scanners, markets: rows };
  }

  private fillStrategies(row: MarketRow): void {
    let best: string | null = null;
    for (const [id, u] of this.universes) {
      const d = u.decisions.get(row.symbol);
      const leg = this.legOf(id, row.symbol);
      const quoting = leg !== undefined && !leg.retired;
      let reason = d?.decision.reason ?? (row.status === 'resolved' ? 'resolved' : 'not_candidate');
      if (row.status === 'resolved') reason = 'resolved';
      else if (quoting) reason = 'quoted';
      else if (reason === 'quoted') reason = isActive(this.strategies.get(id)!.status) ? 'quoted' : 'strategy_not_running';
      if (quoting) row.quoted_by.push(id);
      row.strategies[id] = {
        reason, rank: d?.decision.rank ?? 0, leg: leg === undefined ? null : (PULL_REASONS[leg.pullReason] ?? null),
        scanned_liquidity: d?.reading.liquidity ?? null,
      };
      // the row's reason: quoted by any strategy, else the first strategy the market is a candidate of
      if (best === null || reason === 'quoted' || (best === 'not_candidate' && reason !== 'not_candidate')) best = reason;
    }
    // strategies loaded with fixed symbols that quote the market now
    for (const leg of this.legsBySymbol.get(row.symbol) ?? []) {
      if (!leg.quoting || row.quoted_by.includes(leg.strategy.id) || leg.market.state !== this.ingest.bySymbolName(row.symbol)) continue;
      row.quoted_by.push(leg.strategy.id);
      best = 'quoted';
    }
    row.quoted = row.quoted_by.length > 0;
    if (best !== null) row.reason = best;
  }

  // ======================================================================= events (cross-platform inventory)

  /** PUT /api/events/:id. */
  putEvent(id: string, body: unknown): { ok: true; event: EventDef; created: boolean } {
    const def = readEventDef(body, id);
    const created = this.eventMap.put(def);
    this.recomputeAllEvents();
    return { ok: true, event: def, created };
  }

  /** Loads events (serve --event-map). */
  loadEvents(defs: readonly EventDef[]): void {
    for (const d of defs) this.eventMap.put(d);
    this.recomputeAllEvents();
  }

  /** GET /api/events. */
  eventsView(): { ok: true; events: (EventDef & { net_exposure: number })[] } {
    return { ok: true, events: this.eventMap.list().map((e) => ({ ...e, net_exposure: round8(this.eventNet.get(e.id) ?? 0) })) };
  }

  /** GET /api/events/:id/exposure: positions per symbol and account in the event's direction, the net, limits and the last arbitrage signal. */
  eventExposure(id: string): Record<string, unknown> | null {
    const e = this.eventMap.get(id);
    if (e === undefined) return null;
    const t = this.nowNs();
    const symbols = e.symbols.map((es) => {
      const sign = es.direction === 'same' ? 1 : -1;
      const accounts: { account: string; position: number; exposure: number }[] = [];
      for (const l of this.ledgers.ledgers()) {
        if (l.config.symbol !== es.symbol) continue;
        const pos = Number(l.position.toString());
        if (pos === 0) continue;
        accounts.push({ account: l.config.strategyId ?? 'manual', position: pos, exposure: sign * pos });
      }
      const st = this.ingest.bySymbolName(es.symbol);
      const b = st === undefined ? null : this.readBook(st, DEFAULT_VIEW_LEVELS);
      const ev = st === undefined ? null : this.eventQuote(st, sign);
      return {
        symbol: es.symbol, direction: es.direction, listed: st !== undefined, mid: b?.mid ?? null,
        event_bid: ev?.bid ?? null, event_ask: ev?.ask ?? null,
        exposure: round8(accounts.reduce((a, x) => a + x.exposure, 0)), accounts,
      };
    });
    const byAccount: Record<string, number> = {};
    for (const s of symbols) for (const a of s.accounts) byAccount[a.account] = round8((byAccount[a.account] ?? 0) + a.exposure);
    const limits: Record<string, number> = {};
    for (const [sid, x] of this.extraParams) if (x.max_event_exposure !== null) limits[sid] = x.max_event_exposure;
    const sig = this.lastSignal.get(id);
    this.checkArbitrageEvent(e, t);
    return {
      ok: true, event_id: id, description: e.description, net_exposure: round8(this.eventNet.get(id) ?? 0),
      by_account: byAccount, max_event_exposure: limits, symbols,
      arbitrage: this.arbitrageNow(e),
      last_arbitrage_signal: sig === undefined ? null : { ...sig, tsNs: undefined },
      timestamp: Math.floor(t / 1e6),
    };
  }

  /** The event's bid and ask on one symbol (prices of the event happening): a NO side is 1 − the YES price. */
  private eventQuote(st: SymbolState, sign: number): { bid: number; ask: number } | null {
    const books = this.ingest.books;
    const bid = books.bestBidTick(st.book);
    const ask = books.bestAskTick(st.book);
    if (!(bid > 0 && ask > 0) || st.state !== 'live' || st.settled !== null) return null;
    const tick = Number(st.instrument.tickSize);
    const yb = bid * tick;
    const ya = ask * tick;
    return sign > 0 ? { bid: round8(yb), ask: round8(ya) } : { bid: round8(1 - ya), ask: round8(1 - yb) };
  }

  private recomputeAllEvents(): void {
    for (const e of this.eventMap.list()) this.recomputeEvent(e);
  }

  /** A leg whose fair value comes from its event (fair_value_source "event") reads it before deciding. */
  protected override runLeg(leg: StrategyLeg, tNs: number): number {
    if (leg.strategy.params.fair_value_source === 'event') leg.sourceFairTick = this.eventFairTick(leg);
    return super.runLeg(leg, tNs);
  }

  /**
   * The fair value of a leg's symbol from the other symbols of its (first) event: each
   * one's mid with a two-sided live book, in the leg's direction (1 − mid across
   * directions), averaged; in the leg's ticks, NaN when there is none.
   */
  private eventFairTick(leg: StrategyLeg): number {
    const evs = this.eventMap.of(leg.symbol);
    if (evs.length === 0) return NaN;
    const { event, sign } = evs[0]!;
    const books = this.ingest.books;
    let sum = 0;
    let n = 0;
    for (const es of event.symbols) {
      if (es.symbol === leg.symbol) continue;
      const st = this.ingest.bySymbolName(es.symbol);
      if (st === undefined || st.settled !== null || !isQuotable(st)) continue;
      const bid = books.bestBidTick(st.book);
      const ask = books.bestAskTick(st.book);
      if (!(bid > -Infinity && ask < Infinity)) continue;
      const mid = ((bid + ask) / 2) * Number(st.instrument.tickSize);
      sum += (es.direction === 'same' ? 1 : -1) === sign ? mid : 1 - mid;
      n++;
    }
    return n === 0 ? NaN : sum / n / Number(leg.instrument.tickSize);
  }

  /** The event's net exposure from the ledgers; the mapped legs skew by it. */
  private recomputeEvent(e: EventDef): void {
    let net = 0;
    const signs = new Map(e.symbols.map((s) => [s.symbol, s.direction === 'same' ? 1 : -1]));
    for (const l of this.ledgers.ledgers()) {
      const sign = signs.get(l.config.symbol);
      if (sign === undefined) continue;
      const st = this.ingest.bySymbolName(l.config.symbol);
      if (st !== undefined && st.settled !== null) continue; // a settled position is no exposure
      net += sign * Number(l.position.toString());
    }
    this.eventNet.set(e.id, net);
    for (const s of e.symbols) for (const leg of this.legsBySymbol.get(s.symbol) ?? []) this.updateSkew(leg);
  }

  /** A leg on a mapped symbol skews by its event's net exposure (in its own direction, lots); others by their position. */
  private updateSkew(leg: StrategyLeg): void {
    const evs = this.eventMap.of(leg.symbol);
    if (evs.length === 0) { leg.skewInventoryLot = NaN; return; }
    const { event, sign } = evs[0]!;
    const net = this.eventNet.get(event.id) ?? 0;
    const lots = Math.round((sign * net) / Number(leg.instrument.lotSize));
    if (lots !== leg.skewInventoryLot) { leg.skewInventoryLot = lots; leg.resting.requoteDue = true; }
  }

  /** The event guard of the order router: false when the order would take an event past the strategy's max_event_exposure. */
  private eventAllows(strategyId: string, symbol: string, side: OrderSide, qtyLot: number): boolean {
    const evs = this.eventMap.of(symbol);
    if (evs.length === 0) return true;
    const max = this.extraParams.get(strategyId)?.max_event_exposure ?? null;
    if (max === null) return true;
    const st = this.ingest.bySymbolName(symbol);
    if (st === undefined) return true;
    const lot = Number(st.instrument.lotSize);
    const pending = this.orders.pendingExposureLot(strategyId, symbol, side);
    const dir = side === 'BUY' ? 1 : -1;
    for (const { event, sign } of evs) {
      const net = this.eventNet.get(event.id) ?? 0;
      const after = net + sign * dir * (qtyLot + pending) * lot;
      if (Math.abs(after) > max + 1e-9 && Math.abs(after) > Math.abs(net)) return false;
    }
    return true;
  }

  /** The best cross-symbol gap of an event now: buy where the event is cheapest, sell where it is dearest. */
  private arbitrageNow(e: EventDef): Omit<ArbitrageSignalEvent, 'timestamp' | 'event_id'> | null {
    let buy: { symbol: string; direction: 'same' | 'opposite'; price: number } | null = null;
    let sell: { symbol: string; direction: 'same' | 'opposite'; price: number } | null = null;
    for (const es of e.symbols) {
      const st = this.ingest.bySymbolName(es.symbol);
      if (st === undefined) continue;
      const q = this.eventQuote(st, es.direction === 'same' ? 1 : -1);
      if (q === null) continue;
      if (buy === null || q.ask < buy.price) buy = { symbol: es.symbol, direction: es.direction, price: q.ask };
      if (sell === null || q.bid > sell.price) sell = { symbol: es.symbol, direction: es.direction, price: q.bid };
    }
    if (buy === null || sell === null || buy.symbol === sell.symbol) return null;
    const gap = round8(sell.price - buy.price);
    const bps = this.paper.feeSchedule.takerFeeBps;
    // taking both sides: the taker fee on each contract's own price (a NO bought at 1 − bid costs that)
    const fees = round8(((buy.direction === 'same' ? buy.price : 1 - buy.price) + (sell.direction === 'same' ? sell.price : 1 - sell.price)) * bps / 1e4);
    return { buy, sell, gap, fees, edge: round8(gap - fees) };
  }

  private checkArbitrage(symbol: string, t: number): void {
    for (const { event } of this.eventMap.of(symbol)) this.checkArbitrageEvent(event, t);
  }

  private checkArbitrageEvent(e: EventDef, t: number): void {
    const a = this.arbitrageNow(e);
    if (a === null || !(a.edge > 0)) return;
    const last = this.lastSignal.get(e.id);
    if (last !== undefined && t - last.tsNs < SIGNAL_MIN_INTERVAL_NS && last.gap === a.gap && last.buy.symbol === a.buy.symbol) return;
    const ev: ArbitrageSignalEvent = { event_id: e.id, ...a, timestamp: Math.floor(t / 1e6) };
    this.lastSignal.set(e.id, { ...ev, tsNs: t });
    if (this.events.has('arbitrage_signal')) this.events.emit('arbitrage_signal', ev);
  }
}

function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
