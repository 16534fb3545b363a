// Classifies a symbol's market into seed 003's regimes from its volatility
// estimator, once per mid update, without allocating:
//   news             short/long volatility ratio ≥ NEWS_RATIO (a burst far above the norm)
//   high_volatility  ratio ≥ HIGH_VOL_RATIO
//   trending_up/down the mid's drift over the long EWMA horizon is more than
//                    TREND_Z times its noise (drift z-score), up or down
//   ranging          otherwise
// The drift is an EWMA of signed log returns with the long time constant,
// D ← D·exp(−dt/τ) + r; a driftless walk gives |D| about 0.7 × the long EWMA
// volatility, so TREND_Z = 2 is a rare reading without a drift.
import type { MarketRegime } from './params/index.js';

export const HIGH_VOL_RATIO = 2;
export const NEWS_RATIO = 4;
export const TREND_Z = 2;

export const REGIME_CODES: readonly MarketRegime[] = ['ranging', 'trending_up', 'trending_down', 'high_volatility', 'news'];
export const REGIME_RANGING = 0;
export const REGIME_TRENDING_UP = 1;
export const REGIME_TRENDING_DOWN = 2;
export const REGIME_HIGH_VOL = 3;
export const REGIME_NEWS = 4;

export class RegimeDetector {
  /** Drift: EWMA of signed returns, bps. */
  driftBps = 0;
  private lastUs = NaN;
  private tauUs: number;
  /** Current regime code (REGIME_*). */
  regime = REGIME_RANGING;

  constructor(longTauUs: number) {
    this.tauUs = longTauUs;
  }

  reset(longTauUs: number = this.tauUs): void {
    this.tauUs = longTauUs;
    this.driftBps = 0;
    this.lastUs = NaN;
    this.regime = REGIME_RANGING;
  }

  /** One return (bps, signed) at tsUs, with the estimator's ratio and long EWMA volatility; returns the regime code. */
  update(tsUs: number, returnBps: number, ratio: number, ewmaLongBps: number): number {
    const dt = Number.isNaN(this.lastUs) ? 0 : tsUs - this.lastUs;
    if (dt > 0) this.driftBps *= Math.exp(-dt / this.tauUs);
    if (!Number.isNaN(tsUs) && !(tsUs < this.lastUs)) this.lastUs = tsUs;
    if (Number.isFinite(returnBps)) this.driftBps += returnBps;
    let r = REGIME_RANGING;
    if (ratio >= NEWS_RATIO) r = REGIME_NEWS;
    else if (ratio >= HIGH_VOL_RATIO) r = REGIME_HIGH_VOL;
    else if (ewmaLongBps > 0) {
      const z = this.driftBps / ewmaLongBps;
      if (z > TREND_Z) r = REGIME_TRENDING_UP;
      else if (z < -TREND_Z) r = REGIME_TRENDING_DOWN;
    }
    this.regime = r;
    return r;
  }
}
