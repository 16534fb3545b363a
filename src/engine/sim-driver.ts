// Drives the engine from the built-in simulator at full speed on simulated time:
// each step hands the simulator's events up to the step's end to the engine's
// FeedIngest, sets the ingest's clock to simulated time (so a quiet symbol goes
// stale in simulated seconds), then lets the engine's clock move (cooldowns, quote
// age, requotes due, marks). The same simulator seed and the same control calls at
// the same simulated times give the same fills.
import { SpreadcoreError } from '../errors.js';
import type { MarketSimulator } from '../feed/sim/market-simulator.js';
import type { TradingEngine } from './trading-engine.js';

export interface SimDriverOptions {
  /** Simulated time per step, ms (the engine's clock moves at least this often). Default 100. */
  stepMs?: number;
}

export class SimDriver {
  readonly engine: TradingEngine;
  readonly sim: MarketSimulator;
  /** Simulated time reached, Unix epoch ns. */
  nowNs: number;
  /** Market events run so far. */
  events = 0;
  private readonly stepNs: number;

  /** Starts the simulator on the engine's ingest (instrument definitions and snapshots) unless it already runs. */
  constructor(engine: TradingEngine, sim: MarketSimulator, options: SimDriverOptions = {}) {
    const stepMs = options.stepMs ?? 100;
    if (!(stepMs > 0) || !Number.isFinite(stepMs)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `stepMs must be a positive number, got ${stepMs}`);
    this.engine = engine;
    this.sim = sim;
    this.stepNs = stepMs * 1e6;
    this.nowNs = sim.startTsNs;
    if (!sim.isStarted) {
      engine.ingest.setClock(this.nowNs);
      sim.start(engine.ingest);
    }
  }

  /** Runs `seconds` of simulated market; returns the number of market events. */
  run(seconds: number): number {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `seconds must be a finite number >= 0, got ${seconds}`);
    return this.runUntil(this.nowNs + seconds * 1e9);
  }

  /** Runs until simulated time endNs (Unix epoch ns). */
  runUntil(endNs: number): number {
    const ingest = this.engine.ingest;
    let n = 0;
    while (this.nowNs < endNs) {
      const t = Math.min(endNs, this.nowNs + this.stepNs);
      ingest.setClock(t);
      n += this.sim.advanceTo(t, ingest);
      ingest.checkStaleFeed(t);
      this.nowNs = t;
      this.engine.tick(t);
    }
    this.events += n;
    return n;
  }
}
