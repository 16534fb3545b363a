// Exponentially weighted sums of squared log returns with a short and a long time
// constant: S <- S * exp(-dt / tau) + r^2, and the short/long variance-rate ratio.
import {
  VS_SHORT_TAU_US, VS_LONG_TAU_US, VS_EWMA_SHORT, VS_EWMA_LONG, VS_LAST_TS_US, VS_START_TS_US,
} from '../layout';
import { ld, st } from './addr';

/** Decays both sums over dtUs > 0. */
export function decayEwma(p: usize, dtUs: f64): void {
  const s = ld(p, VS_EWMA_SHORT);
  if (s != 0) st(p, VS_EWMA_SHORT, s * Math.exp(-dtUs / ld(p, VS_SHORT_TAU_US)));
  const l = ld(p, VS_EWMA_LONG);
  if (l != 0) st(p, VS_EWMA_LONG, l * Math.exp(-dtUs / ld(p, VS_LONG_TAU_US)));
}

@inline export function addSquaredEwma(p: usize, r2: f64): void {
  st(p, VS_EWMA_SHORT, ld(p, VS_EWMA_SHORT) + r2);
  st(p, VS_EWMA_LONG, ld(p, VS_EWMA_LONG) + r2);
}

/**
 * Weight the kernel exp(-t / tau) has accumulated over `elapsedUs` of history:
 * tau * (1 - exp(-elapsed / tau)). It tends to tau once elapsed >> tau.
 */
@inline function kernelMassUs(elapsedUs: f64, tauUs: f64): f64 {
  return -tauUs * Math.expm1(-elapsedUs / tauUs);
}

/**
 * Short over long volatility as the square root of the ratio of variance rates,
 * sqrt((S_short / m_short) / (S_long / m_long)), where m is each kernel's mass over
 * the history since the first mid. Once that history is much longer than the long
 * time constant, m = tau. With no history yet the ratio is 1.
 */
export function ewmaRatio(p: usize): f64 {
  const l = ld(p, VS_EWMA_LONG);
  if (!(l > 0)) return 1.0;
  const s = ld(p, VS_EWMA_SHORT);
  const elapsed = ld(p, VS_LAST_TS_US) - ld(p, VS_START_TS_US);
  const ms = kernelMassUs(elapsed, ld(p, VS_SHORT_TAU_US));
  const ml = kernelMassUs(elapsed, ld(p, VS_LONG_TAU_US));
  // no elapsed time: both masses tend to the same value, their ratio to 1
  const massRatio = ms > 0 && ml > 0 ? ml / ms : 1.0;
  return Math.sqrt((s / l) * massRatio);
}
