// The driver of an instrument's fair price, in basis points:
//   dx = (drift + kappa * (anchor - x)) dt + sigma dW + jumps
// advanced exactly over any time step (the Ornstein-Uhlenbeck transition when
// kappa > 0: mean m = anchor + drift / kappa, x' = m + (x - m) e^{-kappa dt} +
// sigma * sqrt((1 - e^{-2 kappa dt}) / (2 kappa)) * Z; arithmetic Brownian motion with
// drift when kappa = 0). So the realized volatility of x over short steps is sigma
// (bps per sqrt(s)) whatever the step.
import type { RegimeParams } from './sim-config.js';
import type { Rng } from './rng.js';

export class DriverProcess {
  /** The driver value, bps. */
  xBps = 0;
  /** Level the mean reversion pulls towards (x when the regime began), bps. */
  anchorBps = 0;
  /** Time of xBps, seconds. */
  lastS = 0;
  /** Jumps applied so far. */
  jumps = 0;

  constructor(startS: number, xBps = 0) {
    this.lastS = startS;
    this.xBps = xBps;
    this.anchorBps = xBps;
  }

  /** Advances to toS (>= lastS) under regime p. */
  advanceTo(toS: number, p: RegimeParams, rng: Rng): void {
    const dt = toS - this.lastS;
    if (!(dt > 0)) return;
    this.lastS = toS;
    const sigma = p.sigmaBpsPerSqrtS;
    const kappa = p.meanReversionPerS;
    const z = rng.normal();
    if (kappa > 0) {
      const m = this.anchorBps + p.driftBpsPerS / kappa;
      const decay = Math.exp(-kappa * dt);
      this.xBps = m + (this.xBps - m) * decay + sigma * Math.sqrt((1 - decay * decay) / (2 * kappa)) * z;
    } else {
      this.xBps += p.driftBpsPerS * dt + sigma * Math.sqrt(dt) * z;
    }
  }

  /** A jump: normal with standard deviation sigmaBps. */
  jump(sigmaBps: number, rng: Rng): void {
    this.xBps += sigmaBps * rng.normal();
    this.jumps++;
  }

  /** A new regime began: mean reversion now pulls towards the current level. */
  resetAnchor(): void {
    this.anchorBps = this.xBps;
  }
}
