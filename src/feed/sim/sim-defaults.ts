// Defaults of the built-in simulator: regime tables, book shapes, order flow, and
// the three built-in instruments (BTCUSDT, ETHUSDT and a binary YES contract).
// Numbers are chosen to look like the real markets at a glance: BTC ranging at
// ~0.5 bp/sqrt(s) (about 45 % a year), a spread of a few ticks, 20-60 levels per side,
// ~150 order-flow events/s with ~15 trades/s.
import type { BookShapeConfig, FlowConfig, RegimeChainConfig, RegimeName, RegimeParams, SimInstrumentConfig } from './sim-config.js';

/** 2024-01-01T00:00:00Z in ns. */
export const DEFAULT_START_TS_NS = 1_704_067_200_000_000_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
/** Binary contracts resolve this long after start unless given a resolution time. */
export const DEFAULT_BINARY_RESOLUTION_AFTER_S = 24 * 3600;

const regime = (meanDurationS: number, sigmaBpsPerSqrtS: number, p: Partial<RegimeParams> = {}): RegimeParams => ({
  meanDurationS, sigmaBpsPerSqrtS, driftBpsPerS: 0, meanReversionPerS: 0, jumpRatePerS: 0, jumpSigmaBps: 0,
  entryJumpSigmaBps: 0, flowMultiplier: 1, ...p,
});

/** Where each regime goes next (relative weights), shared by every instrument. */
export const DEFAULT_TRANSITIONS: Record<RegimeName, Partial<Record<RegimeName, number>>> = {
  ranging: { trending_up: 0.3, trending_down: 0.3, high_volatility: 0.3, news: 0.1 },
  trending_up: { ranging: 0.7, high_volatility: 0.2, news: 0.1 },
  trending_down: { ranging: 0.7, high_volatility: 0.2, news: 0.1 },
  high_volatility: { ranging: 0.6, trending_up: 0.15, trending_down: 0.15, news: 0.1 },
  news: { high_volatility: 0.6, ranging: 0.4 },
};

/** Small price jumps of the calm regimes: a real book's touch moves in bursts (see BTCUSDT_DEFAULTS). */
export interface MicroJumps {
  /** Jumps per second in ranging; trending and high volatility scale it by their flow multiplier. */
  ratePerS: number;
  sigmaBps: number;
}

/**
 * Crypto regimes for a coin with ranging diffusion sigma (bps/sqrt(s)), plus optional
 * small jumps in the ranging, trending and high-volatility regimes.
 */
export function cryptoRegimes(sigma: number, micro: MicroJumps = { ratePerS: 0, sigmaBps: 0 }): RegimeChainConfig {
  const j = (flowMultiplier: number): Partial<RegimeParams> => (micro.ratePerS > 0 ? { jumpRatePerS: micro.ratePerS * flowMultiplier, jumpSigmaBps: micro.sigmaBps } : {});
  return {
    initial: 'ranging',
    switching: true,
    params: {
      ranging: regime(900, sigma, { meanReversionPerS: 1 / 300, ...j(1) }),
      trending_up: regime(300, 1.2 * sigma, { driftBpsPerS: 0.1 * sigma, flowMultiplier: 1.2, ...j(1.2) }),
      trending_down: regime(300, 1.2 * sigma, { driftBpsPerS: -0.1 * sigma, flowMultiplier: 1.2, ...j(1.2) }),
      high_volatility: regime(120, 3 * sigma, { flowMultiplier: 2, ...j(2) }),
      news: regime(30, 8 * sigma, { entryJumpSigmaBps: 80, jumpRatePerS: 0.05, jumpSigmaBps: 20, flowMultiplier: 3 }),
    },
    transitions: DEFAULT_TRANSITIONS,
  };
}

/** Binary regimes: the score's dynamics in bps (its long-run diffusion, ~16 bps/sqrt(s), becomes the pricing reference). */
export function binaryRegimes(): RegimeChainConfig {
  return {
    initial: 'ranging',
    switching: true,
    params: {
      ranging: regime(1800, 10),
      trending_up: regime(600, 10, { driftBpsPerS: 1 }),
      trending_down: regime(600, 10, { driftBpsPerS: -1 }),
      high_volatility: regime(300, 20, { flowMultiplier: 2 }),
      news: regime(60, 20, { entryJumpSigmaBps: 1000, jumpRatePerS: 0.01, jumpSigmaBps: 800, flowMultiplier: 3 }),
    },
    transitions: DEFAULT_TRANSITIONS,
  };
}

// BTCUSDT is calibrated to Binance spot BTCUSDT as recorded on 2024-08-08 (test/fixtures/binance,
// measured by bench/sim-calibration.ts; both columns are in docs/simulator.md "Calibration"):
// a one-tick spread, ~0.1 BTC a level near the touch with about two levels in the 10 ticks
// behind it, ~28 trades/s of median 0.0006 BTC (mean ~0.02 BTC, heavy tail), and a mid
// volatility of ~1.27 bps/sqrt(s) that comes in bursts (most seconds the touch does not move,
// ~6 % of seconds move more than 2 bps; excess kurtosis ~25): diffusion 0.5 bps/sqrt(s) plus
// jumps of sigma 4 bps at 0.085/s (0.5^2 + 0.085 * 4^2 = 1.27^2).
const BTC_BOOK: BookShapeConfig = {
  levelsPerSide: 25, minLevelsPerSide: 20, maxLevelsPerSide: 60, levelGapTicks: 8, denseLevels: 10, touchHalfSpreadTicks: 0,
  maxTouchGapTicks: 1, maxDepthTicks: 5000, orderMedianLots: 3000, sizeGrowthTicks: 50, sizeSigma: 0.8,
  pickoffProbability: 0.3, touchSizeMultiplier: 50,
};
const BTC_FLOW: FlowConfig = {
  baseRatePerS: 95, branchingRatio: 0.6, decayPerS: 20, limitWeight: 0.5, cancelWeight: 0.4, marketWeight: 0.1,
  arrivalDepthTicks: 200, marketMedianLots: 60, marketSizeSigma: 2.7,
};
/** BTCUSDT's small jumps (see above). */
export const BTC_MICRO_JUMPS: MicroJumps = { ratePerS: 0.03, sigmaBps: 4 };

export const BTCUSDT_DEFAULTS: SimInstrumentConfig = {
  symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', initialPrice: '50000',
  midStepMs: 100, resolutionTsNs: 0, minPrice: '0', maxPrice: '0', referenceSigmaBpsPerSqrtS: 0,
  regimes: cryptoRegimes(0.5, BTC_MICRO_JUMPS), book: BTC_BOOK, flow: BTC_FLOW,
};

export const ETHUSDT_DEFAULTS: SimInstrumentConfig = {
  symbolId: 2, symbol: 'ETHUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.0001', initialPrice: '3000',
  midStepMs: 100, resolutionTsNs: 0, minPrice: '0', maxPrice: '0', referenceSigmaBpsPerSqrtS: 0,
  regimes: cryptoRegimes(0.7),
  book: {
    levelsPerSide: 25, minLevelsPerSide: 20, maxLevelsPerSide: 60, levelGapTicks: 3, denseLevels: 10, touchHalfSpreadTicks: 1,
    maxTouchGapTicks: 4, maxDepthTicks: 1000, orderMedianLots: 5000, sizeGrowthTicks: 10, sizeSigma: 0.8,
    pickoffProbability: 0.3, touchSizeMultiplier: 1,
  },
  flow: {
    baseRatePerS: 40, branchingRatio: 0.6, decayPerS: 20, limitWeight: 0.5, cancelWeight: 0.4, marketWeight: 0.1,
    arrivalDepthTicks: 40, marketMedianLots: 1000, marketSizeSigma: 1.2,
  },
};

export const BINARY_DEFAULTS: SimInstrumentConfig = {
  symbolId: 3, symbol: 'BTC-100K-YES', kind: 'binary', tickSize: '0.01', lotSize: '1', initialPrice: '0.35',
  midStepMs: 250, resolutionTsNs: 0, minPrice: '0.01', maxPrice: '0.99', referenceSigmaBpsPerSqrtS: 0,
  regimes: binaryRegimes(),
  book: {
    levelsPerSide: 20, minLevelsPerSide: 10, maxLevelsPerSide: 40, levelGapTicks: 1, denseLevels: 5, touchHalfSpreadTicks: 1,
    maxTouchGapTicks: 3, maxDepthTicks: 30, orderMedianLots: 100, sizeGrowthTicks: 5, sizeSigma: 0.7,
    pickoffProbability: 0.3, touchSizeMultiplier: 1,
  },
  flow: {
    baseRatePerS: 5, branchingRatio: 0.5, decayPerS: 2, limitWeight: 0.5, cancelWeight: 0.4, marketWeight: 0.1,
    arrivalDepthTicks: 4, marketMedianLots: 20, marketSizeSigma: 1,
  },
};

/** Built-in instruments by symbol; other symbols default by kind (spot/perp from ETHUSDT's shape scaled, binary from BTC-100K-YES). */
export const BUILT_IN_INSTRUMENTS: readonly SimInstrumentConfig[] = [BTCUSDT_DEFAULTS, ETHUSDT_DEFAULTS, BINARY_DEFAULTS];
