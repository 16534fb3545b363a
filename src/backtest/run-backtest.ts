// runBacktest(): a recording through the live engine path, synchronously, on the
// recording's own time: feed ingest (Binance adapter or the frame path) → WASM
// books → strategy → risk gate → paper exchange (latency, queue position, fees) →
// accounting. Two clocks: the paper exchange matches at the exchange times of the
// data; the engine (the strategy) runs on the paper exchange's strategy clock, set
// per step from the recording's receive time (feed_latency "recorded", corrected
// for the recorder's clock offset), or exchange time + a constant. The curves are
// sampled on exchange time. The ingest's stale-feed clock is the recording's
// receive/capture clock, ids carry a fixed prefix: nothing reads the wall clock, so
// the same bytes, spec and seed give the same result, byte for byte.
//
// Per step: set the ingest clock to the step's offset, apply the step (the engine
// reacts to each batch: fills, quotes, orders), then at most every TICK_MS of
// recording time check for a quiet feed and let the engine's clock run (cooldowns,
// quote ages, requotes due, marks). The strategy is loaded once the recording has
// declared its symbols and started once all of its books are live.
//
// Safe to call many times in a row in one thread (a piscina worker): the WASM core
// is loaded once per thread, and each run closes its engine (book and quoter slots
// go back). Parsed recordings are kept per data array (WeakMap), so a sweep that
// passes the same Uint8Array again does not parse it again.
import { analyticsView, type AnalyticsJson } from '../accounting/analytics-view.js';
import { Decimal } from '../accounting/decimal.js';
import { MIN_RATIO_BUCKETS } from '../accounting/equity-stats.js';
import { SpreadcoreError } from '../errors.js';
import type { PaperExchangeConfigInput } from '../execution/paper-config.js';
import { instrumentOfSpec, resolveBinanceInstrumentSpec, type BinanceInstrumentSpec } from '../feed/binance/instruments.js';
import type { BinanceMarket } from '../feed/binance/messages.js';
import { FeedIngest } from '../feed/ingest/feed-ingest.js';
import { isQuotable } from '../feed/ingest/symbol-state.js';
import { midPriceText } from '../engine/engine-views.js';
import type { FillEvent } from '../engine/engine-events.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { paramsJson } from '../strategy/market-making-strategy.js';
import type { StrategyLeg } from '../strategy/strategy-leg.js';
import { backtestInstrumentSpecs, requireBinanceGrids } from './backtest-instruments.js';
import {
  BACKTEST_RESULT_VERSION, type BacktestFillJson, type FeedLagJson, type BacktestObjectives, type BacktestResult, type BacktestSymbolJson, type CurveJson,
} from './backtest-result.js';
import type { BacktestSpec } from './backtest-spec.js';
import { planCacheFile, readPlanCache, recordingHash, writePlanCache, type PlanCacheOptions } from './plan-cache.js';
import { planRecording, type RecordingPlan, type StepApplier } from './recording-plan.js';

export interface BacktestOptions {
  /** Seeds the paper exchange's latency jitter (latency_jitter_ms); without jitter a replay draws no random numbers and runs differ by seed only in this field. */
  seed: number;
  /** Called once the recording is read (0 done), every 1024 steps, and at the end. */
  onProgress?: (eventsDone: number, eventsTotal: number) => void;
  /** Polled every 1024 steps; true ends the run early (the result has stopped: true). */
  shouldStop?: () => boolean;
  /**
   * A Binance recording's parse cache on disk (src/backtest/plan-cache.ts): read when this
   * process has not parsed the data array yet, written after the run that parsed it. The
   * result is the same with or without it.
   */
  parseCache?: PlanCacheOptions;
}

/** Fixed prefix of order, client order and trade ids: never time-based. */
export const BACKTEST_ID_PREFIX = 'bt';
/** Recording time between engine clock ticks (stale-feed check, cooldowns, requotes, marks). */
export const TICK_MS = 100;
/** Fills listed in the result at most (all are counted in the metrics). */
export const MAX_LISTED_FILLS = 100_000;
const PROGRESS_EVERY_STEPS = 1024;

const planCache = new WeakMap<Uint8Array, Map<string, RecordingPlan>>();
/** Plans parsed with a parse cache given and not yet written to it. */
const toWrite = new WeakMap<RecordingPlan, { file: string; hash: string; key: string; opts: PlanCacheOptions }>();

/** The grid key of the level cache ("priceStep|qtyStep") a run of this spec uses for symbol, or null. */
function gridOf(spec: BacktestSpec, market: BinanceMarket, symbol: string): string | null {
  try {
    // the adapter's choice of grid for the symbol (src/feed/binance/binance-ingest-adapter.ts)
    const inst = instrumentOfSpec(resolveBinanceInstrumentSpec(market, symbol, backtestInstrumentSpecs(market, spec.instruments)));
    return `${inst.price.step}|${inst.qty.step}`;
  } catch {
    return null;
  }
}

function planFor(data: Uint8Array, spec: BacktestSpec, cache: PlanCacheOptions | undefined): RecordingPlan {
  const key = `${spec.durationS ?? ''}|${spec.market ?? ''}`;
  let byKey = planCache.get(data);
  if (byKey === undefined) { byKey = new Map(); planCache.set(data, byKey); }
  let plan = byKey.get(key);
  if (plan === undefined) {
    if (cache !== undefined && data instanceof Uint8Array) {
      const hash = recordingHash(data);
      const file = planCacheFile(cache.dir, hash, key);
      const hit = readPlanCache(file, cache, hash, key, (m, sym) => gridOf(spec, m, sym));
      if (hit !== null) {
        plan = hit.plan;
        clockCache.set(plan, hit.clocks);
      } else {
        plan = planRecording(data, { durationS: spec.durationS, market: spec.market });
        if (plan.format === 'binance') toWrite.set(plan, { file, hash, key, opts: cache });
      }
    } else {
      plan = planRecording(data, { durationS: spec.durationS, market: spec.market });
    }
    byKey.set(key, plan);
  }
  return plan;
}

/** Writes the parse cache of a plan parsed by this process, once its first run has converted its levels. */
function writeCacheOf(plan: RecordingPlan, spec: BacktestSpec): void {
  const w = toWrite.get(plan);
  if (w === undefined) return;
  toWrite.delete(plan);
  const clocks = clockCache.get(plan);
  const grid = plan.market === null || plan.symbol === null ? null : gridOf(spec, plan.market, plan.symbol);
  if (clocks === undefined || grid === null) return;
  writePlanCache(w.file, w.opts, w.hash, w.key, grid, plan, clocks);
}

function paperInput(spec: BacktestSpec, seed: number): PaperExchangeConfigInput {
  const p: { -readonly [K in keyof PaperExchangeConfigInput]: PaperExchangeConfigInput[K] } = {
    fillModel: spec.fillModel, queueModel: spec.queueModel, queueExponent: spec.queueExponent, idPrefix: BACKTEST_ID_PREFIX, seed,
    latencyCurve: spec.latencyCurve,
  };
  if (typeof spec.feedLatency === 'number') p.feedLatencyNs = Math.round(spec.feedLatency * 1e6);
  if (spec.responseLatencyMs !== null) p.responseLatencyNs = Math.round(spec.responseLatencyMs * 1e6);
  if (spec.latencyJitterMs !== null) p.latencyJitterNs = Math.round(spec.latencyJitterMs * 1e6);
  if (spec.orderLatencyMs !== null) p.orderLatencyNs = Math.round(spec.orderLatencyMs * 1e6);
  if (spec.cancelLatencyMs !== null) p.cancelLatencyNs = Math.round(spec.cancelLatencyMs * 1e6);
  if (spec.makerFeeBps !== null) p.makerFeeBps = spec.makerFeeBps;
  if (spec.takerFeeBps !== null) p.takerFeeBps = spec.takerFeeBps;
  return p;
}

const round8 = (x: number): number => Math.round(x * 1e8) / 1e8;

/** The Sharpe objective with its sampling stated: null with a reason when there are too few buckets, 0 when equity never moved. */
function sharpeObjective(a: AnalyticsJson | undefined): Pick<BacktestObjectives, 'sharpe' | 'sharpe_interval_s' | 'sharpe_samples' | 'sharpe_note'> {
  if (a === undefined) return { sharpe: null, sharpe_interval_s: 0, sharpe_samples: 0, sharpe_note: 'no symbol' };
  const r = a.risk;
  const enough = r.return_buckets >= MIN_RATIO_BUCKETS;
  return {
    sharpe: r.sharpe ?? (enough ? 0 : null),
    sharpe_interval_s: r.return_bucket_seconds,
    sharpe_samples: r.return_buckets,
    sharpe_note: enough ? null : r.sharpe_note,
  };
}

interface RecordedClocks {
  /** Added to every receive time so that no step is received before its exchange time, ns. */
  readonly correctionNs: number;
  readonly stats: FeedLagJson | null;
}

const clockCache = new WeakMap<RecordingPlan, RecordedClocks>();

/**
 * The recording's feed latency: receive (capture) time − exchange time of every step
 * that carries an exchange time, read by replaying the steps once into a bare ingest
 * (cached per plan). The recorder's clock is not the exchange's: on the bundled
 * Binance recordings the receive times are ~1.3 s *before* the event times. As
 * hftbacktest's correct_local_timestamp does, every receive time is shifted by the
 * most negative latency seen (when there is one), so the fastest message arrives at
 * its exchange time and the others keep their recorded delays relative to it; the
 * latency so measured is a lower bound (the shift also removes the true minimum
 * latency).
 */
function recordedClocks(plan: RecordingPlan, books: FeedIngest['books'], specs: readonly BinanceInstrumentSpec[]): RecordedClocks {
  const hit = clockCache.get(plan);
  if (hit !== undefined) return hit;
  const ingest = new FeedIngest(books);
  const lag = new Float64Array(plan.steps);
  let k = 0;
  try {
    ingest.setClock(0);
    const steps = plan.bind(ingest, specs);
    const start = Number(plan.startEpochNs);
    let last = 0;
    for (let i = 0; i < plan.steps; i++) {
      const t = plan.offsetNs[i]!;
      ingest.setClock(t);
      steps.apply(i);
      let exch = 0;
      for (const s of ingest.symbols()) if (s.lastTsExchNs > exch) exch = s.lastTsExchNs;
      if (exch > last) { lag[k++] = start + t - exch; last = exch; }
    }
  } catch {
    k = 0; // a recording the run itself will refuse, with its own message
  } finally {
    ingest.close();
  }
  if (k === 0) {
    const none = { correctionNs: 0, stats: null };
    clockCache.set(plan, none);
    return none;
  }
  const sorted = lag.subarray(0, k).sort();
  const min = sorted[0]!;
  const correction = min < 0 ? -min : 0;
  const q = (p: number): number => Math.round((sorted[Math.min(k - 1, Math.floor(p * k))]! + correction) / 1e3) / 1e3;
  const out: RecordedClocks = {
    correctionNs: correction,
    stats: { steps: k, clock_correction_ms: Math.round(correction / 1e3) / 1e3, p1: q(0.01), p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) },
  };
  clockCache.set(plan, out);
  return out;
}
const msOf = (ns: number): number => Math.floor(ns / 1e6);

function legMid(leg: StrategyLeg): string | undefined {
  return midPriceText(leg.instrument, leg.market.bestBidTick, leg.market.bestAskTick);
}

/** Runs one backtest. Throws SpreadcoreError for bad data or a spec the recording cannot run. */
export function runBacktest(data: Uint8Array, spec: BacktestSpec, options: BacktestOptions): BacktestResult {
  if (!Number.isSafeInteger(options.seed)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `seed must be an integer, got ${String(options.seed)}`);
  const plan = planFor(data, spec, options.parseCache);
  const specs = plan.market === null ? [] : backtestInstrumentSpecs(plan.market, spec.instruments);
  if (plan.market !== null && plan.symbol !== null) {
    const missing = spec.symbols.filter((s) => s !== plan.symbol);
    if (missing.length > 0) {
      throw new SpreadcoreError('SPREADCORE_ERR_UNKNOWN_SYMBOL',
        `params file: the recording carries ${plan.symbol} only, not ${missing.join(', ')} (a Binance recording holds one symbol)`);
    }
    requireBinanceGrids(plan.market, plan.symbol, specs);
  }
  // marks (equity, time at best, markouts) every tick: a markout reads the mid of the last mark at or
  // before fill time + h, so with the engine's default of one mark a second a "1 s" markout read the
  // mid anywhere from 0 to 1 s after the fill
  const engine = new TradingEngine({ idPrefix: BACKTEST_ID_PREFIX, paper: paperInput(spec, options.seed), markIntervalMs: TICK_MS });
  let result: BacktestResult;
  try {
    result = drive(engine, plan, spec, specs, options);
  } finally {
    engine.close();
  }
  writeCacheOf(plan, spec);
  return result;
}

/**
 * One run's replay: the steps through the engine on the recording's clocks, the curves sampled
 * on exchange time. A class, so that every run of a process calls the same methods on objects of
 * one shape (V8 keeps its optimized replay loop from one run to the next).
 */
class Replay {
  legs: readonly StrategyLeg[] = [];
  startedNs: number | null = null;
  nextSampleNs = Infinity;
  /** Events in the steps replayed so far. */
  eventsDone = 0;
  /** shouldStop ended the replay early. */
  stopped = false;
  readonly intervalNs: number;
  readonly inventory = new Map<string, CurveJson>();
  readonly mids = new Map<string, CurveJson>();
  readonly equity: CurveJson = { t_ms: [], values: [] };
  readonly ingest: FeedIngest;
  readonly exchange: TradingEngine['paper'];

  constructor(private readonly engine: TradingEngine, private readonly spec: BacktestSpec, private readonly steps: StepApplier) {
    this.ingest = engine.ingest;
    this.exchange = engine.paper;
    this.intervalNs = spec.sampleIntervalMs * 1e6;
    for (const s of spec.symbols) { this.inventory.set(s, { t_ms: [], values: [] }); this.mids.set(s, { t_ms: [], values: [] }); }
  }

  /** Equity (and each leg's mid) at exchange time tNs. */
  sample(tNs: number): void {
    let total = 0;
    for (const leg of this.legs) {
      const mid = legMid(leg);
      const ledger = leg.ledger!;
      const mark = mid ?? ledger.markPrice?.toString();
      total += mark === undefined ? ledger.realizedNet.toNumber() : ledger.realizedNet.plus(ledger.unrealizedAt(new Decimal(mark))).toNumber();
      if (mid !== undefined) {
        const c = this.mids.get(leg.symbol)!;
        c.t_ms.push(msOf(tNs));
        c.values.push(Number(mid));
      }
    }
    this.equity.t_ms.push(msOf(tNs));
    this.equity.values.push(round8(total));
  }

  /** Loads the strategy once the recording has declared all of its symbols. */
  tryLoad(): void {
    const spec = this.spec;
    for (const s of spec.symbols) if (this.ingest.bySymbolName(s) === undefined) return;
    this.engine.load({ name: spec.name, type: 'MarketMaking', symbols: [...spec.symbols], parameters: { ...spec.parameters } });
    this.legs = this.engine.legs(spec.name);
  }

  /** Starts it once all of its books are live. */
  tryStart(): void {
    for (const leg of this.legs) {
      const st = this.ingest.bySymbolName(leg.symbol);
      if (st === undefined || !isQuotable(st)) return;
    }
    // curves are on exchange time whatever the strategy's clock (feed latency) is
    const t = this.exchange.exchangeNowNs();
    this.engine.start(this.spec.name);
    this.startedNs = t;
    for (const s of this.spec.symbols) {
      const c = this.inventory.get(s)!;
      c.t_ms.push(msOf(t));
      c.values.push(0);
    }
    this.sample(t);
    this.nextSampleNs = (Math.floor(t / this.intervalNs) + 1) * this.intervalNs;
  }

  /**
   * The steps in order (see the top of the file). recorded: the strategy's clock is each
   * market-data step's receive time + localBaseNs. Returns the steps replayed (eventsDone and
   * stopped tell the rest). Nothing but the loop comes after the loop: code an optimized loop
   * has never run would have V8 drop that code each time it is reached.
   */
  run(plan: RecordingPlan, recorded: boolean, localBaseNs: number, options: BacktestOptions): number {
    const engine = this.engine;
    const ingest = this.ingest;
    const exchange = this.exchange;
    const steps = this.steps;
    const n = plan.steps;
    const offsets = plan.offsetNs;
    const events = plan.events;
    const total = plan.eventsTotal;
    const tickNs = TICK_MS * 1e6;
    let nextTickNs = 0;
    let i = 0;
    options.onProgress?.(0, total);
    for (; i < n; i++) {
      if ((i & (PROGRESS_EVERY_STEPS - 1)) === 0 && i > 0) {
        options.onProgress?.(this.eventsDone, total);
        if (options.shouldStop?.() === true) { this.stopped = true; break; }
      }
      const t = offsets[i]!;
      ingest.setClock(t);
      // the strategy clock moves with the steps that carry market data: a Binance bookTicker line
      // (no event) is not in a .screc of the same market, and must not move it either
      const moves = !recorded || events[i]! > 0;
      if (recorded && moves) exchange.setLocalClock(localBaseNs + t);
      steps.apply(i);
      this.eventsDone += events[i]!;
      if (this.startedNs === null) {
        if (this.legs.length === 0) this.tryLoad();
        if (this.legs.length > 0) this.tryStart();
      }
      if (t >= nextTickNs && moves) {
        ingest.checkStaleFeed(t);
        engine.tick(engine.nowNs());
        nextTickNs = t + tickNs;
      }
      if (this.startedNs !== null) {
        const now = exchange.exchangeNowNs();
        if (now >= this.nextSampleNs) {
          this.sample(now);
          this.nextSampleNs = (Math.floor(now / this.intervalNs) + 1) * this.intervalNs;
        }
      }
    }
    return i;
  }
}

function drive(
  engine: TradingEngine, plan: RecordingPlan, spec: BacktestSpec, specs: readonly BinanceInstrumentSpec[], options: BacktestOptions,
): BacktestResult {
  const ingest = engine.ingest;
  const exchange = engine.paper;
  const paper = exchange.config;
  ingest.setClock(0); // the recording's clock from here on: the ingest never reads the host's
  const replay = new Replay(engine, spec, plan.bind(ingest, specs));
  const id = spec.name;
  const warnings: string[] = [];
  const fills: BacktestFillJson[] = [];
  let fillsNotListed = 0;
  const { inventory, mids, equity } = replay;
  engine.events.on('fill', (e: FillEvent) => {
    const inv = inventory.get(e.symbol);
    if (inv !== undefined) {
      // a fill carries its trade's time, which can be a little before the previous fill's (a late trade
      // message): the curve's time never goes back
      const last = inv.t_ms.length > 0 ? inv.t_ms[inv.t_ms.length - 1]! : e.timestamp;
      inv.t_ms.push(e.timestamp > last ? e.timestamp : last);
      inv.values.push(e.inventory);
    }
    if (fills.length >= MAX_LISTED_FILLS) { fillsNotListed++; return; }
    fills.push({
      t_ms: e.timestamp, symbol: e.symbol, side: e.side, price: e.price, qty: e.qty, fee: e.fee, liquidity: e.liquidity,
      inventory: e.inventory, client_order_id: e.client_order_id, trade_id: e.trade_id,
    });
  });

  replay.tryLoad();
  // feed latency "recorded": the strategy's clock is the step's receive time, corrected for the
  // recorder's clock offset (the exchange still matches at exchange time)
  const clocks = recordedClocks(plan, ingest.books, specs);
  const recorded = spec.feedLatency === 'recorded' && paper.fillModel === 'queue';
  const localBaseNs = Number(plan.startEpochNs) + clocks.correctionNs + Math.round(spec.feedBaseLatencyMs * 1e6);
  const i = replay.run(plan, recorded, localBaseNs, options);
  const done = replay.eventsDone;
  const stopped = replay.stopped;
  options.onProgress?.(done, plan.eventsTotal);
  const legs = replay.legs;
  const startedNs = replay.startedNs;
  const offsets = plan.offsetNs;

  if (legs.length === 0) {
    const have = ingest.symbols().map((s) => s.symbol);
    throw new SpreadcoreError('SPREADCORE_ERR_UNKNOWN_SYMBOL',
      `params file: symbols ${JSON.stringify(spec.symbols)} are not all in the recording (it carries ${have.length > 0 ? have.join(', ') : 'no symbol'})`);
  }
  const lastOffset = i > 0 ? offsets[i - 1]! : 0;
  exchange.drainReports(); // reports still on their way when the recording ends reach the strategy
  engine.tick(engine.nowNs());
  const endNs = exchange.exchangeNowNs();
  if (startedNs !== null) replay.sample(endNs);
  else {
    let snapshots = 0;
    const why = spec.symbols.map((sym) => {
      const st = ingest.bySymbolName(sym)!;
      const c = st.counters;
      snapshots += c.snapshots;
      return `${sym} ${st.state}${st.staleReason !== null ? ` (${st.staleReason})` : ''}, ${c.rejected} updates refused by the book, ${c.snapshots} snapshots`;
    });
    // a book also waits for its snapshot when duration_s cuts the replay before it
    const short = spec.durationS !== null && snapshots === 0 ? `, or replay more than duration_s ${spec.durationS} (${Math.round(lastOffset / 1e6) / 1e3} s replayed, no snapshot among them)` : '';
    const hint = `check the instruments' tick and lot sizes${short}`;
    warnings.push(`the strategy never quoted: its books were never live together in the recording (${why.join('; ')}); ${hint}`);
  }
  if (recorded && clocks.stats !== null && clocks.stats.max === 0) {
    // the default feed latency on a recording stamped at exchange time (the simulator's) is no latency at all
    warnings.push('feed_latency "recorded": this recording\'s receive times are its exchange times (no delay on any step), so the strategy saw every event '
      + 'the moment it happened; give feed_latency a number of ms for a delay');
  }
  const curve = paper.latencyCurve;
  if (curve !== null && curve.samples > 1 && startedNs !== null) {
    // samples that never reach the replay (times in seconds, another day) leave every order at one end's latency
    const t0 = curve.tNs[0]!;
    const t1 = curve.tNs[curve.samples - 1]!;
    if (t1 < startedNs || t0 > endNs) {
      const utc = (ns: number): string => new Date(Math.floor(ns / 1e6)).toISOString();
      warnings.push(`order_latency_file ${spec.orderLatencyFile ?? ''}: its samples span ${utc(t0)} → ${utc(t1)}, outside the replay (${utc(startedNs)} → ${utc(endNs)}), `
        + `so every order and report took its ${t1 < startedNs ? 'last' : 'first'} sample's latencies; its times must be Unix epoch ms of exchange time`);
    }
  }
  if (plan.skippedLines > 0) warnings.push(`skipped ${plan.skippedLines} lines that are not market data (first: ${plan.firstProblem ?? '?'})`);

  const perSymbol: Record<string, BacktestSymbolJson> = {};
  const markouts: Record<string, AnalyticsJson['markouts']> = {};
  for (const leg of legs) {
    const a = analyticsView(leg.ledger!, legMid(leg));
    perSymbol[leg.symbol] = { metrics: engine.metrics(id, leg.symbol), analytics: a };
    markouts[leg.symbol] = a.markouts;
  }
  const summary = engine.metrics(id);
  const finalState = startedNs !== null ? engine.stop(id).final_state : null;
  for (const leg of legs) {
    const c = inventory.get(leg.symbol)!;
    if (c.t_ms.length > 0) { c.t_ms.push(Math.max(msOf(endNs), c.t_ms[c.t_ms.length - 1]!)); c.values.push(perSymbol[leg.symbol]!.analytics.inventory.position); }
  }

  const analytics = Object.values(perSymbol).map((s) => s.analytics);
  const fillsTotal = analytics.reduce((a, x) => a + x.fills.total, 0);
  const placed = analytics.reduce((a, x) => a + x.quoting.orders_placed, 0);
  const objectives: BacktestObjectives = {
    net_pnl: round8(analytics.reduce((a, x) => a + x.pnl.total, 0)),
    ...sharpeObjective(analytics[0]),
    max_drawdown: analytics.reduce((a, x) => Math.max(a, x.risk.max_drawdown), 0),
    fill_rate: placed > 0 ? round8((fillsTotal / placed) * 100) : 0,
    fills: fillsTotal,
    events: done,
  };
  const firstNs = startedNs ?? null;
  const gaps = ingest.symbols().reduce((a, s) => a + s.counters.gaps, 0);
  const c = engine.counters;
  const instruments: Record<string, { tick_size: string; lot_size: string }> = {};
  for (const leg of legs) instruments[leg.symbol] = { tick_size: leg.instrument.tickSize, lot_size: leg.instrument.lotSize };
  const params = engine.strategy(id).params;
  return {
    version: BACKTEST_RESULT_VERSION,
    seed: options.seed,
    stopped,
    data: {
      format: plan.format,
      market: plan.market,
      symbols: ingest.symbols().map((s) => s.symbol),
      first_ts_ms: Number(plan.startEpochNs / 1_000_000n),
      last_ts_ms: Number(plan.startEpochNs / 1_000_000n) + msOf(lastOffset),
      duration_seconds: Math.round(lastOffset / 1e6) / 1e3,
      steps: i,
      events: done,
      skipped_lines: plan.skippedLines,
      feed_latency_ms: clocks.stats,
    },
    config: {
      strategy_id: id,
      symbols: [...spec.symbols],
      parameters: paramsJson(params),
      fill_model: paper.fillModel,
      queue_model: paper.queueModel,
      order_latency_ms: paper.orderLatencyNs / 1e6,
      cancel_latency_ms: paper.cancelLatencyNs / 1e6,
      latency_jitter_ms: paper.latencyJitterNs / 1e6,
      queue_exponent: paper.queueModel === 'power' ? paper.queueExponent : null,
      feed_latency: paper.fillModel === 'naive' ? 'none' : spec.feedLatency,
      feed_base_latency_ms: spec.feedLatency === 'recorded' && paper.fillModel !== 'naive' ? spec.feedBaseLatencyMs : 0,
      response_latency_ms: paper.responseLatencyNs / 1e6,
      order_latency_file: paper.latencyCurve === null ? null : { path: spec.orderLatencyFile, samples: paper.latencyCurve.samples },
      // what the strategy is charged: its own maker_fee_bps / taker_fee_bps parameters, which the
      // params file's top-level fees (the venue's schedule) only fill in when they are not given
      maker_fee_bps: params.maker_fee_bps,
      taker_fee_bps: params.taker_fee_bps,
      instruments,
      sample_interval_ms: spec.sampleIntervalMs,
    },
    summary,
    symbols: perSymbol,
    objectives,
    started_ts_ms: firstNs === null ? null : msOf(firstNs),
    final_state: finalState,
    curves: {
      equity,
      inventory: Object.fromEntries(inventory),
      mid: Object.fromEntries(mids),
    },
    fills,
    fills_not_listed: fillsNotListed,
    markouts,
    counters: {
      batches: c.batches, decisions: c.decisions, orders_placed: c.ordersPlaced, orders_cancelled: c.ordersCancelled, fills: c.fills, gaps,
      fills_after_cancel_sent: exchange.counters.fillsAfterCancelSent, delayed_reports: exchange.counters.delayedReports,
    },
    warnings,
  };
}
