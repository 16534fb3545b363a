// The built-in market: several simulated instruments on one simulated clock, driving
// a FeedSink. Deterministic: the same configuration and seed give the same sequence
// of sink calls, however the caller slices time (one advanceTo for an hour, or one per
// timer tick paced to the wall clock).
//
//   const sim = new MarketSimulator({}, 42);
//   sim.start(sink);                       // instrument definitions, one snapshot per symbol
//   sim.advanceTo(sim.nextEventTsNs(), sink);  // everything up to a simulated time
//
// Timestamps are simulated exchange times (Unix epoch ns, starting at startTsNs);
// endOfBatch carries sendTsNs = 0 (the simulator has no wire). Nothing here reads a
// clock or Math.random.
import { SpreadcoreError } from '../../errors.js';
import type { FeedSink, InstrumentDefinition } from '../feed-sink.js';
import { resolveSimConfig } from './resolve-sim-config.js';
import type { SimConfig, SimConfigInput } from './sim-config.js';
import { SymbolSim } from './symbol-sim.js';
import { BinaryUniverse } from './binary-universe.js';

export class MarketSimulator {
  readonly config: SimConfig;
  readonly seed: number;
  readonly startTsNs: number;
  private readonly symbols: SymbolSim[];
  private readonly heartbeatS: number;
  private nextHeartbeatS: number;
  private heartbeatIndex = 1;
  private started = false;
  private heartbeats = 0;
  /** The binary-market universe (config.universe), or null. */
  readonly universe: BinaryUniverse | null;

  /** Throws SPREADCORE_ERR_BAD_PARAM for an invalid configuration or seed. */
  constructor(config: SimConfigInput = {}, seed = 1) {
    if (!Number.isSafeInteger(seed)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `seed must be a safe integer, got ${seed}`);
    this.config = resolveSimConfig(config);
    this.seed = seed;
    this.startTsNs = this.config.startTsNs;
    this.symbols = this.config.instruments.map((c) => new SymbolSim(c, seed, this.startTsNs));
    this.heartbeatS = this.config.heartbeatIntervalMs / 1000;
    this.nextHeartbeatS = this.heartbeatS > 0 ? this.heartbeatS : Infinity;
    this.universe = config.universe === undefined ? null : new BinaryUniverse(config.universe, seed, this.startTsNs);
  }

  /** The instrument definitions start() sends. */
  definitions(): InstrumentDefinition[] {
    const defs = this.symbols.map((s) => s.definition);
    return this.universe === null ? defs : [...defs, ...this.universe.definitions()];
  }

  /** A simulated instrument by feed symbol id or symbol name (for reads: fair mid, regime, stats). */
  symbol(idOrName: number | string): SymbolSim | undefined {
    return this.symbols.find((s) => (typeof idOrName === 'number' ? s.config.symbolId === idOrName : s.config.symbol === idOrName))
      ?? this.universe?.symbol(idOrName);
  }

  get isStarted(): boolean { return this.started; }
  get heartbeatCount(): number { return this.heartbeats; }

  /** Sends every instrument definition, then one snapshot per symbol (each its own batch), at startTsNs. */
  start(sink: FeedSink): void {
    if (this.started) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'the simulator is already started');
    this.started = true;
    for (const s of this.symbols) sink.instrument(s.definition);
    for (const s of this.symbols) {
      s.writer.sink = sink;
      s.writer.tsNs = this.startTsNs;
      s.emitSnapshot();
    }
    this.universe?.start(sink);
  }

  /**
   * Sends a fresh snapshot of one symbol's book (or of every unresolved symbol),
   * continuing its sequence numbers: for a consumer that lost sync or joined late.
   */
  snapshot(sink: FeedSink, symbolId?: number): void {
    this.requireStarted();
    for (const s of this.symbols) {
      if (s.resolved || (symbolId !== undefined && s.config.symbolId !== symbolId)) continue;
      s.writer.sink = sink;
      s.writer.tsNs = s.tsNsAt(s.nowS);
      s.emitSnapshot();
    }
  }

  /** Simulated time of the next event, Unix epoch ns (Infinity when nothing is left). */
  nextEventTsNs(): number {
    let t = this.nextHeartbeatS;
    for (const s of this.symbols) if (s.nextS < t) t = s.nextS;
    if (this.universe !== null) t = Math.min(t, this.universe.nextS());
    return this.startTsNs + t * 1e9;
  }

  /** Emits every event with a simulated time <= tsNs, in time order; returns how many events ran. */
  advanceTo(tsNs: number, sink: FeedSink): number {
    this.requireStarted();
    if (!(tsNs < Infinity)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `advanceTo needs a finite time in ns, got ${tsNs}`);
    const syms = this.symbols;
    const n = syms.length;
    for (let i = 0; i < n; i++) syms[i]!.writer.sink = sink;
    const start = this.startTsNs;
    let events = 0;
    for (;;) {
      let best = -1;
      let bestS = Infinity;
      for (let i = 0; i < n; i++) {
        const t = syms[i]!.nextS;
        if (t < bestS) { bestS = t; best = i; }
      }
      const u = this.universe;
      const uS = u === null ? Infinity : u.nextS();
      if (uS < bestS && uS <= this.nextHeartbeatS) {
        if (start + uS * 1e9 > tsNs) break;
        u!.step(sink);
        events++;
        continue;
      }
      if (this.nextHeartbeatS < bestS) {
        if (start + this.nextHeartbeatS * 1e9 > tsNs) break;
        sink.heartbeat(start + this.nextHeartbeatS * 1e9);
        sink.endOfBatch(0);
        this.heartbeats++;
        this.heartbeatIndex++;
        this.nextHeartbeatS = this.heartbeatIndex * this.heartbeatS;
      } else {
        if (best < 0 || start + bestS * 1e9 > tsNs) break;
        syms[best]!.step();
      }
      events++;
    }
    return events;
  }

  private requireStarted(): void {
    if (!this.started) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'call start(sink) before advancing the simulator');
  }
}
