// The simulator's configuration: types, units and validation. Defaults and the
// built-in instruments are in sim-defaults.ts; resolveSimConfig() there merges a
// partial configuration onto them and calls validateSimConfig().
import type { InstrumentKind } from '../feed-sink.js';
import type { BinaryUniverseInput } from './binary-universe.js';

export const REGIME_NAMES = ['ranging', 'trending_up', 'trending_down', 'high_volatility', 'news'] as const;
export type RegimeName = typeof REGIME_NAMES[number];

/**
 * The dynamics of one regime. The driver is, for spot/perp instruments, the log of the
 * fair mid in basis points (x = 1e4 * ln(mid / initial mid)); for binary contracts a
 * latent score in the same units (see binary-price.ts):
 *   dx = (drift + meanReversion * (anchor - x)) dt + sigma dW + jumps,
 * anchor = x when the regime began.
 */
export interface RegimeParams {
  /** Mean time spent in the regime before switching, seconds (> 0). Durations are exponential. */
  meanDurationS: number;
  /** Diffusion, basis points per sqrt(second) (>= 0). */
  sigmaBpsPerSqrtS: number;
  /** Drift, basis points per second (any sign). */
  driftBpsPerS: number;
  /** Pull back towards the level where the regime began, per second (>= 0). */
  meanReversionPerS: number;
  /** Poisson rate of jumps, per second (>= 0). */
  jumpRatePerS: number;
  /** Jump sizes are normal with this standard deviation, basis points (>= 0). */
  jumpSigmaBps: number;
  /** A jump of this standard deviation on entering the regime (0 = none), basis points. */
  entryJumpSigmaBps: number;
  /** Multiplies the order-flow baseline rate while in the regime (> 0). */
  flowMultiplier: number;
}

export interface RegimeChainConfig {
  /** The regime at start. */
  initial: RegimeName;
  /** false: stay in the initial regime forever. */
  switching: boolean;
  params: Record<RegimeName, RegimeParams>;
  /**
   * Relative weights of the next regime when leaving each regime (the embedded jump
   * chain of a continuous-time Markov chain). Self-weights are ignored; each row
   * needs a positive total.
   */
  transitions: Record<RegimeName, Partial<Record<RegimeName, number>>>;
}

/** The resting book's shape and the market makers that keep it around the fair mid. */
export interface BookShapeConfig {
  /** Levels per side in the initial snapshot (>= minLevelsPerSide). */
  levelsPerSide: number;
  /** Deeper levels are added when a side has fewer (>= 1). */
  minLevelsPerSide: number;
  /** The deepest levels are cancelled when a side has more (>= levelsPerSide). */
  maxLevelsPerSide: number;
  /** Mean gap between adjacent levels of the initial book and of refills, ticks (>= 1). */
  levelGapTicks: number;
  /** The best this many levels of a side are kept at most 2 * levelGapTicks apart by filling gaps (>= 1). */
  denseLevels: number;
  /** Mean distance from the fair mid of a re-quoted best level, ticks (>= 0). */
  touchHalfSpreadTicks: number;
  /** A best level farther than this from the fair mid is re-quoted, ticks (>= 1). */
  maxTouchGapTicks: number;
  /** Levels farther than this from the fair mid are cancelled, ticks (>= 1). */
  maxDepthTicks: number;
  /** Median size of an order at the fair mid, lots (>= 1). */
  orderMedianLots: number;
  /** The median size grows by one orderMedianLots per this many ticks of distance (> 0). */
  sizeGrowthTicks: number;
  /** Log-normal dispersion of order sizes (>= 0). */
  sizeSigma: number;
  /** Probability that a stale side (quotes through the new fair mid) is hit by an informed market order before it is cancelled, [0, 1]. */
  pickoffProbability: number;
  /** A fresh best quote (the liquidity providers' re-quote at the touch) is this many times a normal order's size (>= 1). */
  touchSizeMultiplier: number;
}

/** Order flow: one Hawkes clock per instrument; each arrival is a limit order, a cancel or a market order. */
export interface FlowConfig {
  /** Hawkes baseline rate mu, events per second (> 0), times the regime's flowMultiplier. */
  baseRatePerS: number;
  /** Hawkes branching ratio n = alpha / beta, [0, 1). */
  branchingRatio: number;
  /** Hawkes kernel decay beta, per second (> 0). */
  decayPerS: number;
  /** Relative weights of the event types (>= 0, positive total). */
  limitWeight: number;
  cancelWeight: number;
  marketWeight: number;
  /** Limit orders arrive at touchHalfSpread + Exp(mean) ticks from the fair mid (> 0). */
  arrivalDepthTicks: number;
  /** Median market order size, lots (>= 1). */
  marketMedianLots: number;
  /** Log-normal dispersion of market order sizes (>= 0). */
  marketSizeSigma: number;
}

export interface SimInstrumentConfig {
  /** Feed symbol id (0..65535), unique. */
  symbolId: number;
  symbol: string;
  kind: InstrumentKind;
  /** Decimal strings. */
  tickSize: string;
  lotSize: string;
  /** Starting fair price, decimal string (binary: a probability, e.g. "0.35"). */
  initialPrice: string;
  /** The fair mid is re-drawn (and the book re-centred) this often, milliseconds (> 0). */
  midStepMs: number;
  /** Binary only: resolution time, Unix epoch ns (> start). 0 for other kinds. */
  resolutionTsNs: number;
  /** Binary only: price bounds, decimal strings (default "0.01" and "0.99"). */
  minPrice: string;
  maxPrice: string;
  /**
   * Binary only: the score's reference diffusion, bps per sqrt(s): the price is
   * Phi(x / (reference * sqrt(seconds to resolution))). 0 (the default): the regimes'
   * long-run diffusion (effectiveSigmaBpsPerSqrtS in regime-chain.ts).
   */
  referenceSigmaBpsPerSqrtS: number;
  regimes: RegimeChainConfig;
  book: BookShapeConfig;
  flow: FlowConfig;
}

export interface SimConfig {
  /** Simulated exchange time of start(), Unix epoch ns. */
  startTsNs: number;
  /** A heartbeat batch this often, milliseconds of simulated time; 0 = none. */
  heartbeatIntervalMs: number;
  instruments: SimInstrumentConfig[];
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** One instrument in a partial configuration: symbol is required; everything else defaults by symbol, then by kind. */
export type SimInstrumentInput = DeepPartial<SimInstrumentConfig> & { symbol: string };

export interface SimConfigInput {
  startTsNs?: number;
  heartbeatIntervalMs?: number;
  /** Default: BTCUSDT, ETHUSDT, BTC-100K-YES. */
  instruments?: SimInstrumentInput[];
  /** A universe of binary markets listed and resolved as the simulation runs (binary-universe.ts); off when absent. */
  universe?: BinaryUniverseInput;
}
