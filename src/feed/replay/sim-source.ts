// The built-in simulator as a market source: the first step (offset 0) starts it
// (instrument definitions, one snapshot per symbol), then each step runs the
// next simulated event, at its simulated time since the start, until the
// duration is reached. Deterministic by seed: the same seed, symbols and
// duration give the same sink calls, at any replay speed.
import { SpreadcoreError } from '../../errors.js';
import type { FeedSink } from '../feed-sink.js';
import { MarketSimulator } from '../sim/market-simulator.js';
import type { SimConfigInput } from '../sim/sim-config.js';
import type { Paced } from '../recording/pacer.js';
import type { MarketSource, SourceRun, SourceStats } from './market-source.js';

export const DEFAULT_SIM_DURATION_S = 60;

export interface SimSourceOptions {
  seed: number;
  /** Simulated seconds to run. */
  durationS: number;
  /** Symbols to simulate (built-in ones keep their settings; others default by kind). Default: the built-in set. */
  symbols?: readonly string[];
}

export class SimSource implements MarketSource<number> {
  readonly kind = 'sim';
  readonly label: string;
  readonly startEpochNs: bigint;
  readonly sim: MarketSimulator;
  private readonly endTsNs: number;
  private opened = false;
  private events = 0;
  private steps = 0;

  /** Throws SPREADCORE_ERR_BAD_PARAM for a bad seed, duration or symbol list. */
  constructor(options: SimSourceOptions) {
    const { seed, durationS } = options;
    if (!(durationS > 0) || !Number.isFinite(durationS)) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `the simulated duration must be a positive number of seconds, got ${durationS}`);
    }
    const config: SimConfigInput = options.symbols === undefined ? {} : { instruments: options.symbols.map((symbol) => ({ symbol })) };
    this.sim = new MarketSimulator(config, seed);
    this.startEpochNs = BigInt(this.sim.startTsNs);
    this.endTsNs = this.sim.startTsNs + durationS * 1e9;
    const names = this.sim.definitions().map((d) => d.symbol).join(',');
    this.label = `simulator seed ${seed}, ${durationS} s of ${names}`;
  }

  open(sink: FeedSink): SourceRun<number> {
    if (this.opened) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'a market source is opened once');
    this.opened = true;
    const sim = this.sim;
    return {
      steps: this.schedule(),
      apply: (tsNs) => {
        this.steps++;
        if (!sim.isStarted) sim.start(sink);
        else this.events += sim.advanceTo(tsNs, sink);
      },
    };
  }

  private async *schedule(): AsyncGenerator<Paced<number>> {
    const sim = this.sim;
    const start = sim.startTsNs;
    yield { offsetNs: 0, item: start };
    for (;;) {
      const t = sim.nextEventTsNs();
      if (!(t <= this.endTsNs)) return;
      yield { offsetNs: Math.round(t - start), item: t };
    }
  }

  stats(): SourceStats {
    return { steps: this.steps, events: this.events, heartbeats: this.sim.heartbeatCount };
  }
}
