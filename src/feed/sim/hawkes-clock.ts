// A self-exciting (Hawkes) arrival clock with an exponential kernel:
//
//   lambda(t) = mu + sum over past events t_i of alpha * exp(-beta * (t - t_i))
//
// branching ratio n = alpha / beta (the mean number of events each event triggers);
// n < 1 is required for a stationary process, whose mean rate is mu / (1 - n).
// Arrival times are drawn exactly, without thinning, by the decomposition of
// Dassios & Zhao ("Exact simulation of Hawkes process with exponentially decaying
// intensity", Electron. Commun. Probab. 18, 2013): the next arrival is the earlier
// of an Exp(mu) baseline arrival and an arrival of the decaying excited part,
//   D = 1 + beta * ln(U) / (lambda(t) - mu);  S = -ln(D) / beta if D > 0, else none.
// The state (excess intensity above mu at a time) is Markov, so the next arrival can
// be redrawn from any moment, e.g. when the baseline rate mu changes with a regime.
import type { Rng } from './rng.js';

export class HawkesClock {
  /** Baseline rate mu, events per second. */
  baseRatePerS: number;
  readonly branchingRatio: number;
  readonly decayPerS: number;
  /** Intensity added by each event (alpha = n * beta), per second. */
  readonly excitationPerS: number;
  /** Excess intensity lambda - mu at stateTS. */
  private excessPerS = 0;
  private stateTS = 0;
  /** The next arrival time in seconds (Infinity when there is none). */
  nextS = Infinity;

  constructor(baseRatePerS: number, branchingRatio: number, decayPerS: number) {
    this.baseRatePerS = baseRatePerS;
    this.branchingRatio = branchingRatio;
    this.decayPerS = decayPerS;
    this.excitationPerS = branchingRatio * decayPerS;
  }

  /** Stationary mean event rate mu / (1 - n), events per second. */
  get stationaryRatePerS(): number {
    return this.baseRatePerS / (1 - this.branchingRatio);
  }

  /** Conditional intensity at time tS >= the last state time, per second. */
  intensityAt(tS: number): number {
    return this.baseRatePerS + this.excessPerS * Math.exp(-this.decayPerS * (tS - this.stateTS));
  }

  /** Moves the state to nowS (no event) and draws the next arrival after it. */
  reschedule(nowS: number, rng: Rng): void {
    this.excessPerS *= Math.exp(-this.decayPerS * (nowS - this.stateTS));
    this.stateTS = nowS;
    this.draw(rng);
  }

  /** The arrival at nextS happened: excite the intensity and draw the next one. */
  fire(rng: Rng): void {
    const t = this.nextS;
    this.excessPerS = this.excessPerS * Math.exp(-this.decayPerS * (t - this.stateTS)) + this.excitationPerS;
    this.stateTS = t;
    this.draw(rng);
  }

  private draw(rng: Rng): void {
    const mu = this.baseRatePerS;
    const baseline = mu > 0 ? rng.exp() / mu : Infinity;
    let excited = Infinity;
    const u = rng.uniformPositive(); // drawn every time, so the stream does not depend on the state
    if (this.excessPerS > 0) {
      const d = 1 + this.decayPerS * Math.log(u) / this.excessPerS;
      if (d > 0) excited = -Math.log(d) / this.decayPerS;
    }
    this.nextS = this.stateTS + Math.min(baseline, excited);
  }
}
