// One simulated instrument: its fair-price driver under a regime chain, its order
// flow on a Hawkes clock, and its L2 book, emitted through a BookWriter.
//
// Events (each one exchange event, closed by endOfBatch; on equal times in this order):
//  - resolution (binary): the outcome is fixed and every resting level is cancelled in
//    one batch; the symbol sends nothing afterwards.
//  - regime switch: the next regime's dynamics and flow rate apply from now on (an
//    entry jump, if the regime has one, moves the fair price and re-centres the book).
//  - jump (compound Poisson at the regime's rate): the fair price jumps; re-centre.
//  - mid step (every midStepMs): the fair price diffuses to now; re-centre.
//  - order flow (Hawkes): a limit order, a cancel or a market order.
// Re-centring (the liquidity providers following the fair price F): a side quoted
// through F is stale; an informed market order may pick off stale levels first, then
// the rest are cancelled (a fresh quote goes in first if no level would remain); a
// best level farther than maxTouchGapTicks from F is re-quoted near F; gaps wider than
// 2 * levelGapTicks among the best denseLevels levels are filled; levels beyond
// maxLevelsPerSide or maxDepthTicks from F are cancelled; a side with fewer than
// minLevelsPerSide levels is refilled from the deepest level outwards.
// Invariants kept by construction: a bid is only placed below the best ask and an
// ask above the best bid, so the book never crosses; no market order, cancel or trim
// takes a side's last lot, so neither side empties (until a binary resolves).
import { DecimalGrid } from '../../numeric/decimal-grid.js';
import { SIDE_ASK, SIDE_BID, type InstrumentDefinition, type SideCode } from '../feed-sink.js';
import { BinaryPricer } from './binary-price.js';
import { BookWriter } from './book-writer.js';
import { DriverProcess } from './driver-process.js';
import { HawkesClock } from './hawkes-clock.js';
import { RegimeChain } from './regime-chain.js';
import { Rng } from './rng.js';
import { REGIME_NAMES, type BookShapeConfig, type FlowConfig, type RegimeName, type SimInstrumentConfig } from './sim-config.js';

/** Largest tick the WASM books accept. */
const MAX_TICK = 2 ** 52;

export interface SymbolSimStats {
  flowEvents: number;
  limitOrders: number;
  cancels: number;
  marketOrders: number;
  /** Flow events that found nothing to do (e.g. a market order against a one-level side). */
  skippedFlowEvents: number;
  midSteps: number;
  jumps: number;
  /** Informed market orders against stale quotes. */
  pickoffs: number;
  staleCancels: number;
  requotes: number;
  gapFills: number;
  trims: number;
  refills: number;
}

export type BinaryOutcome = 'yes' | 'no';

export class SymbolSim {
  readonly config: SimInstrumentConfig;
  readonly definition: InstrumentDefinition;
  readonly writer: BookWriter;
  readonly driver: DriverProcess;
  readonly chain: RegimeChain;
  readonly hawkes: HawkesClock;
  /** Set for binary contracts. */
  readonly pricer: BinaryPricer | null;
  readonly initialTick: number;
  readonly minTick: number;
  readonly maxTick: number;
  /** Fair mid, ticks (fractional). */
  fairTick: number;
  /** Next event time, seconds since the simulation start (Infinity when none). */
  nextS = Infinity;
  /** Time of the event being processed / last processed, seconds since start. */
  nowS = 0;
  resolved = false;
  outcome: BinaryOutcome | null = null;
  readonly stats: SymbolSimStats = {
    flowEvents: 0, limitOrders: 0, cancels: 0, marketOrders: 0, skippedFlowEvents: 0, midSteps: 0, jumps: 0,
    pickoffs: 0, staleCancels: 0, requotes: 0, gapFills: 0, trims: 0, refills: 0,
  };
  /** Seconds spent in each regime (REGIME_NAMES order), up to the last regime switch. */
  readonly regimeSeconds = new Float64Array(REGIME_NAMES.length);

  private readonly book: BookShapeConfig;
  private readonly flow: FlowConfig;
  private readonly rngPrice: Rng;
  private readonly rngRegime: Rng;
  private readonly rngFlow: Rng;
  private readonly startTsNs: number;
  private readonly midStepS: number;
  private readonly resolutionS: number;
  private readonly flowWeightTotal: number;
  private readonly arrivalCap: number;
  private midIndex = 1;
  private nextMidS: number;
  private nextJumpS = Infinity;
  private regimeSinceS = 0;

  constructor(config: SimInstrumentConfig, seed: number, startTsNs: number) {
    this.config = config;
    this.book = config.book;
    this.flow = config.flow;
    this.startTsNs = startTsNs;
    const stream = config.symbolId * 4;
    this.rngPrice = new Rng(seed, stream);
    this.rngRegime = new Rng(seed, stream + 1);
    this.rngFlow = new Rng(seed, stream + 2);

    const grid = new DecimalGrid(config.tickSize);
    this.initialTick = grid.toUnitsOrNaN(config.initialPrice);
    const binary = config.kind === 'binary';
    this.resolutionS = binary ? (config.resolutionTsNs - startTsNs) / 1e9 : Infinity;
    this.definition = {
      symbolId: config.symbolId, symbol: config.symbol, kind: config.kind, tickSize: config.tickSize,
      lotSize: config.lotSize, resolutionTsNs: binary ? config.resolutionTsNs : 0,
    };
    this.chain = new RegimeChain(config.regimes);
    if (binary) {
      this.minTick = grid.toUnitsOrNaN(config.minPrice);
      this.maxTick = grid.toUnitsOrNaN(config.maxPrice);
      const perUnit = grid.toUnitsOrNaN('1');
      this.pricer = new BinaryPricer(perUnit, this.minTick, this.maxTick, this.resolutionS, config.referenceSigmaBpsPerSqrtS);
      this.driver = new DriverProcess(0, this.pricer.scoreFor(this.initialTick / perUnit, 0));
    } else {
      this.minTick = 1;
      this.maxTick = MAX_TICK;
      this.pricer = null;
      this.driver = new DriverProcess(0, 0);
    }
    this.fairTick = this.initialTick;
    this.updateFair();

    this.arrivalCap = 2 * this.book.maxLevelsPerSide;
    this.writer = new BookWriter(config.symbolId, this.arrivalCap + 16);
    this.flowWeightTotal = this.flow.limitWeight + this.flow.cancelWeight + this.flow.marketWeight;
    this.midStepS = config.midStepMs / 1000;
    this.nextMidS = this.midStepS;

    const p = this.chain.regime;
    this.hawkes = new HawkesClock(this.flow.baseRatePerS * p.flowMultiplier, this.flow.branchingRatio, this.flow.decayPerS);
    this.chain.start(0, this.rngRegime);
    this.nextJumpS = p.jumpRatePerS > 0 ? this.rngPrice.exp() / p.jumpRatePerS : Infinity;
    this.hawkes.reschedule(0, this.rngFlow);
    this.buildInitialBook();
    this.computeNext();
  }

  get regime(): RegimeName { return this.chain.name; }

  /** Exchange timestamp of a simulation time, Unix epoch ns. */
  tsNsAt(tS: number): number { return this.startTsNs + tS * 1e9; }

  /** Processes the event at nextS. */
  step(): void {
    const t = this.nextS;
    this.nowS = t;
    this.writer.tsNs = this.startTsNs + t * 1e9;
    if (t === this.resolutionS) this.resolve();
    else if (t === this.chain.nextSwitchS) this.switchRegime(t);
    else if (t === this.nextJumpS) this.jump(t);
    else if (t === this.nextMidS) this.midStep(t);
    else this.flowEvent();
    this.computeNext();
  }

  private computeNext(): void {
    if (this.resolved) { this.nextS = Infinity; return; }
    let t = this.hawkes.nextS;
    if (this.nextMidS <= t) t = this.nextMidS;
    if (this.nextJumpS <= t) t = this.nextJumpS;
    if (this.chain.nextSwitchS <= t) t = this.chain.nextSwitchS;
    if (this.resolutionS <= t) t = this.resolutionS;
    this.nextS = t;
  }

  // ---- price ------------------------------------------------------------------------------
  private updateFair(): void {
    const x = this.driver.xBps;
    if (this.pricer !== null) {
      this.fairTick = this.pricer.fairTicks(x, this.nowS);
    } else {
      const f = this.initialTick * Math.exp(x * 1e-4);
      this.fairTick = f < this.minTick ? this.minTick : f > this.maxTick ? this.maxTick : f;
    }
  }

  private midStep(t: number): void {
    this.driver.advanceTo(t, this.chain.regime, this.rngPrice);
    this.updateFair();
    this.recentre();
    this.stats.midSteps++;
    this.midIndex++;
    this.nextMidS = this.midIndex * this.midStepS;
  }

  private jump(t: number): void {
    const p = this.chain.regime;
    this.driver.advanceTo(t, p, this.rngPrice);
    this.driver.jump(p.jumpSigmaBps, this.rngPrice);
    this.stats.jumps++;
    this.nextJumpS = t + this.rngPrice.exp() / p.jumpRatePerS;
    this.updateFair();
    this.recentre();
  }

  private switchRegime(t: number): void {
    this.driver.advanceTo(t, this.chain.regime, this.rngPrice);
    this.regimeSeconds[this.chain.current] = this.regimeSeconds[this.chain.current]! + (t - this.regimeSinceS);
    this.regimeSinceS = t;
    this.chain.advance(this.rngRegime);
    const p = this.chain.regime;
    this.driver.resetAnchor();
    this.nextJumpS = p.jumpRatePerS > 0 ? t + this.rngPrice.exp() / p.jumpRatePerS : Infinity;
    this.hawkes.baseRatePerS = this.flow.baseRatePerS * p.flowMultiplier;
    this.hawkes.reschedule(t, this.rngFlow);
    if (p.entryJumpSigmaBps > 0) {
      this.driver.jump(p.entryJumpSigmaBps, this.rngPrice);
      this.stats.jumps++;
      this.updateFair();
      this.recentre();
    }
  }

  /** Seconds spent in each regime up to tS (including the current stretch). */
  regimeSecondsAt(tS: number): Float64Array {
    const out = Float64Array.from(this.regimeSeconds);
    out[this.chain.current] = out[this.chain.current]! + Math.max(0, tS - this.regimeSinceS);
    return out;
  }

  private resolve(): void {
    this.driver.advanceTo(this.resolutionS, this.chain.regime, this.rngPrice);
    this.outcome = this.driver.xBps > 0 ? 'yes' : 'no';
    this.fairTick = this.outcome === 'yes' ? this.maxTick : this.minTick;
    this.resolved = true; // already visible to a sink reading it during the withdrawal batch
    const w = this.writer;
    while (w.bids.n > 0) w.cancelAt(SIDE_BID, w.bids.n - 1, w.bids.lots[w.bids.n - 1]!);
    while (w.asks.n > 0) w.cancelAt(SIDE_ASK, w.asks.n - 1, w.asks.lots[w.asks.n - 1]!);
    w.endBatch();
    w.sink.settle?.(w.symbolId, w.tsNs, this.outcome);
  }

  // ---- book shape ---------------------------------------------------------------------------
  private sizeAt(tick: number): number {
    const dist = Math.abs(tick - this.fairTick);
    const median = this.book.orderMedianLots * (1 + dist / this.book.sizeGrowthTicks);
    return Math.max(1, Math.round(this.rngFlow.logNormal(median, this.book.sizeSigma)));
  }

  /** The size of a fresh best quote at tick. */
  private touchSizeAt(tick: number): number {
    return this.book.touchSizeMultiplier === 1 ? this.sizeAt(tick) : Math.round(this.sizeAt(tick) * this.book.touchSizeMultiplier);
  }

  private marketSize(): number {
    return Math.max(1, Math.round(this.rngFlow.logNormal(this.flow.marketMedianLots, this.flow.marketSizeSigma)));
  }

  /** A fresh best quote near the fair mid, on the right side of it and never crossing. */
  private quoteTick(side: SideCode): number {
    const d = this.book.touchHalfSpreadTicks * this.rngFlow.exp();
    if (side === SIDE_BID) {
      const t = Math.min(Math.floor(this.fairTick - d), this.writer.asks.best() - 1, this.maxTick - 1);
      return Math.max(t, this.minTick);
    }
    const t = Math.max(Math.ceil(this.fairTick + d), this.writer.bids.best() + 1, this.minTick + 1);
    return Math.min(t, this.maxTick);
  }

  /** The next level beyond tick on a side, or NaN when it would leave the price range. */
  private deeperTick(side: SideCode, tick: number): number {
    const gap = 1 + Math.floor((this.book.levelGapTicks - 1) * this.rngFlow.exp() + 0.5);
    const t = side === SIDE_BID ? tick - gap : tick + gap;
    if (side === SIDE_BID ? t < this.minTick : t > this.maxTick) return NaN;
    if (Math.abs(t - this.fairTick) > this.book.maxDepthTicks) return NaN;
    return t;
  }

  private buildInitialBook(): void {
    for (const side of [SIDE_BID, SIDE_ASK] as const) {
      const s = this.writer.sideOf(side);
      let tick = this.quoteTick(side);
      while (s.n < this.book.levelsPerSide && !Number.isNaN(tick)) {
        s.add(tick, s.n === 0 ? this.touchSizeAt(tick) : this.sizeAt(tick));
        tick = this.deeperTick(side, tick);
      }
    }
  }

  private isStale(side: SideCode, tick: number): boolean {
    return side === SIDE_BID ? tick > this.fairTick : tick < this.fairTick;
  }

  private recentre(): void {
    const w = this.writer;
    if (w.asks.n > 0 && w.asks.ticks[0]! < this.fairTick) this.clearStale(SIDE_ASK);
    else if (w.bids.n > 0 && w.bids.ticks[0]! > this.fairTick) this.clearStale(SIDE_BID);
    this.requote(SIDE_BID);
    this.requote(SIDE_ASK);
    this.fillGaps(SIDE_BID);
    this.fillGaps(SIDE_ASK);
    this.trim(SIDE_BID);
    this.trim(SIDE_ASK);
    this.refill(SIDE_BID);
    this.refill(SIDE_ASK);
  }

  private clearStale(side: SideCode): void {
    const w = this.writer;
    const s = w.sideOf(side);
    if (this.book.pickoffProbability > 0 && this.rngFlow.uniform() < this.book.pickoffProbability) {
      let want = this.marketSize();
      let took = false;
      while (want > 0 && this.isStale(side, s.ticks[0]!)) {
        const take = Math.min(want, s.n > 1 ? s.lots[0]! : s.lots[0]! - 1); // never the side's last lot
        if (take <= 0) break;
        w.executeAt(side, 0, take);
        want -= take;
        took = true;
      }
      if (took) { w.endBatch(); this.stats.pickoffs++; }
    }
    if (this.isStale(side, s.ticks[s.n - 1]!)) { // every level is stale: quote first so the side never empties
      const tick = this.quoteTick(side);
      w.add(side, tick, this.touchSizeAt(tick));
      w.endBatch();
      this.stats.requotes++;
    }
    while (s.n > 1 && this.isStale(side, s.ticks[0]!)) {
      w.cancelAt(side, 0, s.lots[0]!);
      w.endBatch();
      this.stats.staleCancels++;
    }
  }

  private requote(side: SideCode): void {
    const s = this.writer.sideOf(side);
    const best = s.n > 0 ? s.ticks[0]! : NaN;
    const gap = s.n === 0 ? Infinity : side === SIDE_BID ? this.fairTick - best : best - this.fairTick;
    if (!(gap > this.book.maxTouchGapTicks)) return;
    const tick = this.quoteTick(side);
    if (s.n > 0 && (side === SIDE_BID ? tick <= best : tick >= best)) return;
    if (this.writer.add(side, tick, this.touchSizeAt(tick))) {
      this.writer.endBatch();
      this.stats.requotes++;
    }
  }

  /** Fills gaps wider than 2 * levelGapTicks among the best denseLevels levels, from the best outwards. */
  private fillGaps(side: SideCode): void {
    const s = this.writer.sideOf(side);
    const maxGap = 2 * this.book.levelGapTicks;
    for (let i = 0; i + 1 < s.n && i + 1 < this.book.denseLevels; i++) {
      const cur = s.ticks[i]!;
      const next = s.ticks[i + 1]!;
      if (Math.abs(next - cur) <= maxGap) continue;
      const tick = this.deeperTick(side, cur);
      if (Number.isNaN(tick) || (side === SIDE_BID ? tick <= next : tick >= next)) continue;
      if (!this.writer.add(side, tick, this.sizeAt(tick))) return;
      this.writer.endBatch();
      this.stats.gapFills++;
    }
  }

  private trim(side: SideCode): void {
    const s = this.writer.sideOf(side);
    const maxLevels = this.book.maxLevelsPerSide;
    const maxDepth = this.book.maxDepthTicks;
    while (s.n > 1 && (s.n > maxLevels || Math.abs(s.ticks[s.n - 1]! - this.fairTick) > maxDepth)) {
      this.writer.cancelAt(side, s.n - 1, s.lots[s.n - 1]!);
      this.writer.endBatch();
      this.stats.trims++;
    }
  }

  private refill(side: SideCode): void {
    const s = this.writer.sideOf(side);
    while (s.n < this.book.minLevelsPerSide) {
      const tick = s.n === 0 ? this.quoteTick(side) : this.deeperTick(side, s.ticks[s.n - 1]!);
      if (Number.isNaN(tick) || !this.writer.add(side, tick, this.sizeAt(tick))) return;
      this.writer.endBatch();
      this.stats.refills++;
    }
  }

  // ---- order flow -----------------------------------------------------------------------------
  private flowEvent(): void {
    this.hawkes.fire(this.rngFlow);
    this.stats.flowEvents++;
    const r = this.rngFlow;
    const u = r.uniform() * this.flowWeightTotal;
    const side: SideCode = r.uniform() < 0.5 ? SIDE_BID : SIDE_ASK;
    if (u < this.flow.limitWeight) this.limitOrder(side);
    else if (u < this.flow.limitWeight + this.flow.cancelWeight) this.cancelOrder(side);
    else this.marketOrder();
  }

  private limitOrder(side: SideCode): void {
    const w = this.writer;
    const s = w.sideOf(side);
    const d = this.book.touchHalfSpreadTicks + this.flow.arrivalDepthTicks * this.rngFlow.exp();
    let tick: number;
    // beyond a binary's price bound an order rests at the bound
    if (side === SIDE_BID) {
      tick = Math.max(Math.min(Math.floor(this.fairTick - d), w.asks.best() - 1, this.maxTick - 1), this.minTick);
    } else {
      tick = Math.min(Math.max(Math.ceil(this.fairTick + d), w.bids.best() + 1, this.minTick + 1), this.maxTick);
    }
    const lots = this.sizeAt(tick);
    if (Math.abs(tick - this.fairTick) > this.book.maxDepthTicks || s.n >= this.arrivalCap) {
      this.stats.skippedFlowEvents++;
      return;
    }
    w.add(side, tick, lots);
    w.endBatch();
    this.stats.limitOrders++;
  }

  private cancelOrder(side: SideCode): void {
    const s = this.writer.sideOf(side);
    const r = this.rngFlow;
    const i = s.n > 0 ? r.int(s.n) : 0;
    const full = r.uniform() < 0.5;
    const level = s.n > 0 ? s.lots[i]! : 0;
    let lots: number;
    if (full && s.n > 1) lots = level;
    else if (level > 1) lots = 1 + Math.floor(r.uniform() * (level - 1));
    else { this.stats.skippedFlowEvents++; return; }
    this.writer.cancelAt(side, i, lots);
    this.writer.endBatch();
    this.stats.cancels++;
  }

  private marketOrder(): void {
    const w = this.writer;
    const bid = w.bids.best();
    const ask = w.asks.best();
    // mildly informed: buys are likelier when the fair mid is above the book's mid
    const tilt = Math.tanh((this.fairTick - 0.5 * (bid + ask)) / Math.max(1, ask - bid));
    const buy = this.rngFlow.uniform() < 0.5 + 0.4 * (Number.isFinite(tilt) ? tilt : 0);
    const resting: SideCode = buy ? SIDE_ASK : SIDE_BID;
    const s = w.sideOf(resting);
    let lots = Math.min(this.marketSize(), s.lotsButOne());
    if (!(lots > 0)) { this.stats.skippedFlowEvents++; return; }
    while (lots > 0) {
      const take = Math.min(lots, s.lots[0]!);
      w.executeAt(resting, 0, take);
      lots -= take;
    }
    w.endBatch();
    this.stats.marketOrders++;
  }

  /** Emits a snapshot of the current book in its own batch. */
  emitSnapshot(): void {
    this.writer.snapshot();
    this.writer.endBatch();
  }
}
