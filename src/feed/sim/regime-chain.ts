// A continuous-time Markov chain over market regimes: the time spent in a regime is
// exponential with the regime's mean duration; on leaving, the next regime is drawn
// from the row of transition weights (self-transitions excluded). With switching
// off, the chain stays in its initial regime.
import { REGIME_NAMES, type RegimeChainConfig, type RegimeName, type RegimeParams } from './sim-config.js';
import type { Rng } from './rng.js';

const N = REGIME_NAMES.length;

export class RegimeChain {
  /** Regime params by index (REGIME_NAMES order). */
  readonly params: readonly RegimeParams[];
  /** Index of the current regime in REGIME_NAMES. */
  current: number;
  /** Time of the next switch, seconds (Infinity when switching is off). */
  nextSwitchS = Infinity;
  /** Switches so far. */
  switches = 0;
  private readonly switching: boolean;
  /** cumulative[i * N + j]: normalized cumulative weight of going from i to regimes 0..j. */
  private readonly cumulative = new Float64Array(N * N);

  constructor(config: RegimeChainConfig) {
    this.params = REGIME_NAMES.map((n) => config.params[n]);
    this.current = REGIME_NAMES.indexOf(config.initial);
    this.switching = config.switching;
    for (let i = 0; i < N; i++) {
      const row = config.transitions[REGIME_NAMES[i]!];
      let total = 0;
      for (let j = 0; j < N; j++) if (j !== i) total += row[REGIME_NAMES[j]!] ?? 0;
      let acc = 0;
      for (let j = 0; j < N; j++) {
        if (j !== i && total > 0) acc += (row[REGIME_NAMES[j]!] ?? 0) / total;
        this.cumulative[i * N + j] = acc;
      }
    }
  }

  get name(): RegimeName { return REGIME_NAMES[this.current]!; }
  get regime(): RegimeParams { return this.params[this.current]!; }

  /** Draws the first switch time after startS. */
  start(startS: number, rng: Rng): void {
    this.nextSwitchS = this.switching ? startS + rng.exp() * this.regime.meanDurationS : Infinity;
  }

  /** Moves to the next regime at nextSwitchS and draws the switch after it. */
  advance(rng: Rng): void {
    const now = this.nextSwitchS;
    const u = rng.uniform();
    const base = this.current * N;
    let next = this.current;
    for (let j = 0; j < N; j++) {
      if (j !== this.current && u < this.cumulative[base + j]!) { next = j; break; }
    }
    if (next === this.current) { // rounding at the top of the row: the last regime with weight
      for (let j = N - 1; j >= 0; j--) if (j !== this.current && this.cumulative[base + j]! > (j > 0 ? this.cumulative[base + j - 1]! : 0)) { next = j; break; }
    }
    this.current = next;
    this.switches++;
    this.nextSwitchS = now + rng.exp() * this.regime.meanDurationS;
  }

  /**
   * Stationary share of time in each regime: pi_i proportional to nu_i * meanDuration_i,
   * nu the stationary law of the jump chain (power iteration). For docs and tests.
   */
  stationaryTimeShares(): number[] {
    let nu = new Float64Array(N).fill(1 / N);
    let next = new Float64Array(N);
    for (let it = 0; it < 100_000; it++) {
      next.fill(0);
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < N; j++) {
          const lo = j > 0 ? this.cumulative[i * N + j - 1]! : 0;
          next[j] = next[j]! + nu[i]! * (this.cumulative[i * N + j]! - lo);
        }
      }
      // damped, so periodic chains converge too
      let change = 0;
      for (let j = 0; j < N; j++) {
        const v = 0.5 * next[j]! + 0.5 * nu[j]!;
        change += Math.abs(v - nu[j]!);
        next[j] = v;
      }
      [nu, next] = [next, nu];
      if (change < 1e-15) break;
    }
    const w = Array.from(nu, (v, i) => v * this.params[i]!.meanDurationS);
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((v) => v / total);
  }
}

/**
 * The long-run diffusion of the driver under a regime chain, bps per sqrt(s):
 *   sqrt( sum_i pi_i (sigma_i^2 + jumpRate_i * jumpSigma_i^2) + sum_i (pi_i / meanDuration_i) * entryJumpSigma_i^2 )
 * with pi the stationary time shares (all weight on the initial regime when switching is
 * off; its entry jump then never happens). Drifts are left out.
 */
export function effectiveSigmaBpsPerSqrtS(config: RegimeChainConfig): number {
  const chain = new RegimeChain(config);
  const shares = config.switching ? chain.stationaryTimeShares() : chain.params.map((_, i) => (i === chain.current ? 1 : 0));
  let v = 0;
  chain.params.forEach((p, i) => {
    const pi = shares[i]!;
    v += pi * (p.sigmaBpsPerSqrtS ** 2 + p.jumpRatePerS * p.jumpSigmaBps ** 2);
    if (config.switching) v += (pi / p.meanDurationS) * p.entryJumpSigmaBps ** 2;
  });
  return Math.sqrt(v);
}
