// The fair price of a binary YES contract from its latent score x (bps): the contract
// pays 1 if x > 0 at the resolution time T. If the score keeps moving like a Brownian
// motion with reference sigma s (bps/sqrt(s)), the probability of YES given x at time t
// is the digital-option price
//   p = Phi(x / (s * sqrt(T - t)))
// so the price is a martingale under the reference dynamics, stays in (0, 1), and as
// T - t shrinks the same x maps ever closer to 0 or 1: the price converges to the
// outcome. Regimes change the score's actual diffusion, drift and jumps around this.
// In ticks, the fair price is clamped to [minTick, maxTick] (0.01 .. 0.99 by default).

/** Standard normal CDF, via erfc of Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function normalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

export class BinaryPricer {
  constructor(
    /** Ticks per 1.0 of price (100 on a 0.01 grid). */
    readonly ticksPerUnit: number,
    readonly minTick: number,
    readonly maxTick: number,
    /** Resolution time, seconds since the simulation start. */
    readonly resolutionS: number,
    readonly referenceSigmaBpsPerSqrtS: number,
  ) {}

  /** Probability of YES for score x at time tS. */
  probability(xBps: number, tS: number): number {
    const remaining = this.resolutionS - tS;
    if (!(remaining > 0)) return xBps > 0 ? 1 : 0;
    return normalCdf(xBps / (this.referenceSigmaBpsPerSqrtS * Math.sqrt(remaining)));
  }

  /** Fair price in ticks, within [minTick, maxTick] (fractional). */
  fairTicks(xBps: number, tS: number): number {
    const t = this.probability(xBps, tS) * this.ticksPerUnit;
    return t < this.minTick ? this.minTick : t > this.maxTick ? this.maxTick : t;
  }

  /** The score whose probability at tS is p (0 < p < 1), by bisection. */
  scoreFor(p: number, tS: number): number {
    const scale = this.referenceSigmaBpsPerSqrtS * Math.sqrt(Math.max(this.resolutionS - tS, 1e-9));
    let lo = -10;
    let hi = 10;
    for (let i = 0; i < 80; i++) {
      const mid = 0.5 * (lo + hi);
      if (normalCdf(mid) < p) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi) * scale;
  }
}
