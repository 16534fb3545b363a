// A simulated universe of binary prediction markets (seed 004: "scan many markets"):
// `binaryMarkets` contracts listed at once, each its own SymbolSim with its own book
// depth and trade rate (liquidity tiers from very thin to deep), starting probability,
// resolution time (log-uniform from minutes to days) and the binary regime chain with
// its news jumps. When a market resolves (the instrument's settle() goes out), a new
// market is listed relistDelayS later on the same feed symbol id under a new symbol
// name: the ingest frees the resolved market's book slot for it, so the number of WASM
// books in use stays binaryMarkets (src/wasm/layout.ts MAX_BOOKS = 64 per core, shared
// with the simulator's fixed instruments).
//
// Deterministic by seed: every listing draws its shape from its own random stream
// (seed, listing number), and its SymbolSim runs on a seed mixed from both.
//
//   new MarketSimulator({ universe: { binaryMarkets: 24 } }, 42)   // opt-in via the simulator config
import { SpreadcoreError } from '../../errors.js';
import type { FeedSink, InstrumentDefinition } from '../feed-sink.js';
import { resolveSimConfig } from './resolve-sim-config.js';
import { Rng } from './rng.js';
import { SymbolSim } from './symbol-sim.js';

export interface BinaryUniverseInput {
  /** Markets listed at once (1..MAX_UNIVERSE_MARKETS). */
  binaryMarkets?: number;
  /** Feed symbol id of the first market's slot; slot i uses firstSymbolId + i. Default 100. */
  firstSymbolId?: number;
  /** Resolution times are log-uniform between these, seconds after listing. Default 180 s and 7 days. */
  minResolutionS?: number;
  maxResolutionS?: number;
  /** A resolved market's slot lists a new market this many seconds later. Default 10. */
  relistDelayS?: number;
  /** Symbol names are `<prefix>-<listing number>-YES`. Default "PM". */
  prefix?: string;
}

export interface BinaryUniverseConfig {
  binaryMarkets: number;
  firstSymbolId: number;
  minResolutionS: number;
  maxResolutionS: number;
  relistDelayS: number;
  prefix: string;
}

/** One listing of the universe (current or resolved). */
export interface UniverseListing {
  readonly listing: number;
  readonly slot: number;
  readonly symbol: string;
  readonly symbolId: number;
  readonly listedTsNs: number;
  readonly resolutionTsNs: number;
  /** Liquidity tier: multiplies the default binary book depth (0.05 thin .. 5 deep). */
  readonly depthMultiplier: number;
  readonly initialPrice: string;
  outcome: 'yes' | 'no' | null;
}

/** Universe markets at most: with the simulator's three fixed instruments, well within MAX_BOOKS (64), which the replicas and other sources of one process share. */
export const MAX_UNIVERSE_MARKETS = 28;

export function resolveUniverseConfig(input: BinaryUniverseInput): BinaryUniverseConfig {
  const bad = (m: string): never => { throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `universe.${m}`); };
  const c: BinaryUniverseConfig = {
    binaryMarkets: input.binaryMarkets ?? 24,
    firstSymbolId: input.firstSymbolId ?? 100,
    minResolutionS: input.minResolutionS ?? 180,
    maxResolutionS: input.maxResolutionS ?? 7 * 86400,
    relistDelayS: input.relistDelayS ?? 10,
    prefix: input.prefix ?? 'PM',
  };
  if (!Number.isInteger(c.binaryMarkets) || c.binaryMarkets < 1 || c.binaryMarkets > MAX_UNIVERSE_MARKETS) bad(`binaryMarkets must be an integer in 1..${MAX_UNIVERSE_MARKETS}, got ${c.binaryMarkets}`);
  if (!Number.isInteger(c.firstSymbolId) || c.firstSymbolId < 0 || c.firstSymbolId + c.binaryMarkets > 65536) bad(`firstSymbolId must leave room for ${c.binaryMarkets} ids below 65536`);
  if (!(c.minResolutionS > 0) || !(c.maxResolutionS >= c.minResolutionS) || !Number.isFinite(c.maxResolutionS)) bad('minResolutionS and maxResolutionS must be positive with min <= max');
  if (!(c.relistDelayS >= 0) || !Number.isFinite(c.relistDelayS)) bad('relistDelayS must be >= 0');
  if (!/^[A-Z0-9-]{1,20}$/.test(c.prefix)) bad('prefix must be 1-20 of A-Z, 0-9, "-"');
  return c;
}

interface Slot {
  sim: SymbolSim | null;
  /** The listing's start, seconds after the simulator's start. */
  offsetS: number;
  listing: UniverseListing | null;
  /** A new listing is due at this time (seconds after the simulator's start); Infinity when none. */
  relistAtS: number;
}

export class BinaryUniverse {
  readonly config: BinaryUniverseConfig;
  /** Every market listed so far, in listing order. */
  readonly listings: UniverseListing[] = [];
  private readonly seed: number;
  private readonly startTsNs: number;
  private readonly slots: Slot[] = [];
  private listed = 0;
  private sink: FeedSink | null = null;

  constructor(input: BinaryUniverseInput, seed: number, startTsNs: number) {
    this.config = resolveUniverseConfig(input);
    this.seed = seed;
    this.startTsNs = startTsNs;
    for (let i = 0; i < this.config.binaryMarkets; i++) this.slots.push({ sim: null, offsetS: 0, listing: null, relistAtS: Infinity });
    // the first markets are built now (definitions() lists them before start)
    for (let i = 0; i < this.slots.length; i++) this.list(i, 0, false);
  }

  /** Definitions of the markets listed now. */
  definitions(): InstrumentDefinition[] {
    const out: InstrumentDefinition[] = [];
    for (const s of this.slots) if (s.sim !== null) out.push(s.sim.definition);
    return out;
  }

  /** The current market of a symbol id or name. */
  symbol(idOrName: number | string): SymbolSim | undefined {
    for (const s of this.slots) {
      const sim = s.sim;
      if (sim !== null && (typeof idOrName === 'number' ? sim.config.symbolId === idOrName : sim.config.symbol === idOrName)) return sim;
    }
    return undefined;
  }

  /** The listings open now (not resolved). */
  openListings(): UniverseListing[] {
    return this.slots.flatMap((s) => (s.listing !== null && s.listing.outcome === null ? [s.listing] : []));
  }

  start(sink: FeedSink): void {
    this.sink = sink;
    for (const s of this.slots) if (s.sim !== null) sink.instrument(s.sim.definition);
    for (const s of this.slots) {
      const sim = s.sim!;
      sim.writer.sink = sink;
      sim.writer.tsNs = this.startTsNs;
      sim.emitSnapshot();
    }
  }

  /** Time of the next event, seconds after the simulator's start (Infinity when none). */
  nextS(): number {
    let t = Infinity;
    for (const s of this.slots) {
      if (s.relistAtS < t) t = s.relistAtS;
      if (s.sim !== null) { const n = s.offsetS + s.sim.nextS; if (n < t) t = n; }
    }
    return t;
  }

  /** Runs the next event (a market's step, or a new listing). */
  step(sink: FeedSink): void {
    this.sink = sink;
    let best = -1;
    let bestS = Infinity;
    let relist = false;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i]!;
      if (s.relistAtS < bestS) { bestS = s.relistAtS; best = i; relist = true; }
      if (s.sim !== null) { const n = s.offsetS + s.sim.nextS; if (n < bestS) { bestS = n; best = i; relist = false; } }
    }
    if (best < 0) return;
    const slot = this.slots[best]!;
    if (relist) { this.list(best, bestS, true); return; }
    const sim = slot.sim!;
    sim.writer.sink = sink;
    sim.step();
    if (sim.resolved && slot.listing!.outcome === null) {
      slot.listing!.outcome = sim.outcome;
      slot.relistAtS = slot.offsetS + sim.nowS + this.config.relistDelayS;
      slot.sim = null; // nothing more comes from a resolved market
    }
  }

  /** Lists a new market in slot i at atS (seconds after start); with emit, defines it and sends its snapshot. */
  private list(i: number, atS: number, emit: boolean): void {
    const c = this.config;
    const n = ++this.listed;
    const rng = new Rng(this.seed, 1_000_000 + n);
    const symbolId = c.firstSymbolId + i;
    const symbol = `${c.prefix}-${String(n).padStart(3, '0')}-YES`;
    const listedTsNs = this.startTsNs + Math.round(atS * 1e3) * 1e6;
    // resolution: log-uniform between min and max; whole seconds
    const lnMin = Math.log(c.minResolutionS);
    const lnMax = Math.log(c.maxResolutionS);
    const resolutionS = Math.max(1, Math.round(Math.exp(lnMin + (lnMax - lnMin) * rng.uniform())));
    // liquidity tier: depth log-uniform 0.05x..5x of the default binary book; trade rate with the square root
    const depth = Math.exp(Math.log(0.05) + Math.log(100) * rng.uniform());
    const thin = depth < 0.3;
    const cents = 10 + rng.int(81); // 0.10 .. 0.90
    const initialPrice = `0.${String(cents).padStart(2, '0')}`;
    const touch = thin ? 2 + rng.int(3) : 1;
    const cfg = resolveSimConfig({
      startTsNs: listedTsNs,
      heartbeatIntervalMs: 0,
      instruments: [{
        symbol, symbolId, kind: 'binary', initialPrice, resolutionTsNs: listedTsNs + resolutionS * 1e9,
        book: {
          orderMedianLots: Math.max(1, Math.round(100 * depth)), touchHalfSpreadTicks: touch, maxTouchGapTicks: touch + 2,
          levelGapTicks: thin ? 2 : 1, maxDepthTicks: thin ? 40 : 30,
        },
        flow: { baseRatePerS: 5 * Math.sqrt(depth), marketMedianLots: Math.max(1, Math.round(20 * depth)) },
      }],
    }).instruments[0]!;
    const simSeed = (this.seed * 7919 + n * 104_729) % Number.MAX_SAFE_INTEGER;
    const sim = new SymbolSim(cfg, simSeed, listedTsNs);
    const listing: UniverseListing = {
      listing: n, slot: i, symbol, symbolId, listedTsNs, resolutionTsNs: cfg.resolutionTsNs,
      depthMultiplier: Math.round(depth * 1000) / 1000, initialPrice, outcome: null,
    };
    this.listings.push(listing);
    const slot = this.slots[i]!;
    slot.sim = sim;
    slot.offsetS = (listedTsNs - this.startTsNs) / 1e9;
    slot.listing = listing;
    slot.relistAtS = Infinity;
    if (emit && this.sink !== null) {
      const sink = this.sink;
      sink.instrument(sim.definition);
      sim.writer.sink = sink;
      sim.writer.tsNs = listedTsNs;
      sim.emitSnapshot();
    }
  }
}
