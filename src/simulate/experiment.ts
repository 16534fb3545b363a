// The Monte-Carlo experiment of Avellaneda & Stoikov (2008), "High-frequency
// trading in a limit order book", Quantitative Finance 8(3), section 4: its
// constants, the tick size the quotes are rounded to, and the checks that keep a
// run meaningful (positive mid, fill probabilities ≤ 1) and bounded (paths × steps).
import { SpreadcoreError } from '../errors.js';

export type SimulationModel = 'avellaneda_stoikov' | 'glft';
export const SIMULATION_MODELS: readonly SimulationModel[] = ['avellaneda_stoikov', 'glft'];

/** The experiment's constants, named as in the paper (and as the CLI flags). */
export interface ExperimentParams {
  model: SimulationModel;
  /** Risk aversion γ, per price unit. */
  gamma: number;
  /** Mid volatility σ, price units per √time unit: each step moves the mid ±σ√dt. */
  sigma: number;
  /** Fill-intensity decay k, per price unit: intensity A·e^(−kδ) at depth δ. */
  k: number;
  /** Fill intensity A at depth 0, per time unit. */
  A: number;
  /** Time step, time units. */
  dt: number;
  /** Horizon T, time units; T / dt is the number of steps. */
  T: number;
  /** Starting mid s₀, price units. */
  s0: number;
}

/** Section 4 of the paper: s₀ = 100, σ = 2, T = 1, dt = 0.005, A = 140, k = 1.5. */
export const PAPER_CONSTANTS: Readonly<Omit<ExperimentParams, 'model' | 'gamma'>> = Object.freeze({
  sigma: 2, k: 1.5, A: 140, dt: 0.005, T: 1, s0: 100,
});

/**
 * Price units per tick of the quotes. The WASM ladder rounds bids down and asks up
 * to a tick, which widens each quote by half a tick on average: 0.00005 price units
 * against depths of ~0.7, far below the Monte-Carlo error of any statistic.
 */
export const SIM_TICK_SIZE = 0.0001;

export const MAX_PATHS = 1_000_000;
export const MAX_STEPS = 100_000;
/** paths × steps per run: ~1 µs per path-step on one core, so about two minutes of work at most. */
export const MAX_PATH_STEPS = 100_000_000;
/** Largest mid the walk may reach, price units (keeps ticks far inside ±2^52). */
export const MAX_MID = 1e9;

/** One run: the constants, the seed, and the paths [firstPath, firstPath + pathCount). */
export interface SimulationOptions extends ExperimentParams {
  /** Any integer 0..2^32−1; path i draws from its own stream seeded by pathSeed(seed, i). */
  seed: number;
  firstPath: number;
  pathCount: number;
}

/** Number of steps of T / dt (T must be a whole number of steps). */
export function stepCount(p: Pick<ExperimentParams, 'T' | 'dt'>): number {
  return Math.round(p.T / p.dt);
}

const PARAM_KEYS = ['gamma', 'sigma', 'k', 'A', 'dt', 'T', 's0'] as const;

/**
 * The first reason these constants and this many paths do not make a valid run, or
 * null. Messages name the field (the CLI flag of the same name) and its value.
 */
export function experimentProblem(p: ExperimentParams, paths: number): string | null {
  if (!SIMULATION_MODELS.includes(p.model)) return `model must be one of ${SIMULATION_MODELS.join(', ')}, got ${JSON.stringify(p.model)}`;
  for (const key of PARAM_KEYS) {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) return `${key} must be a positive finite number, got ${String(v)}`;
  }
  if (!Number.isInteger(paths) || paths < 1 || paths > MAX_PATHS) return `paths must be an integer from 1 to ${MAX_PATHS}, got ${paths}`;
  const steps = stepCount(p);
  if (steps < 1 || Math.abs(p.T / p.dt - steps) > 1e-9 * Math.max(1, steps)) {
    return `T (${p.T}) must be a whole number (at least 1) of dt steps (${p.dt})`;
  }
  if (steps > MAX_STEPS) return `T / dt gives ${steps} steps; at most ${MAX_STEPS}`;
  if (paths * steps > MAX_PATH_STEPS) return `paths × steps = ${paths} × ${steps} exceeds ${MAX_PATH_STEPS}`;
  if (p.A * p.dt > 1) return `A × dt (${p.A} × ${p.dt}) must be at most 1: it is the fill probability per step of a quote at the mid`;
  const maxMove = steps * p.sigma * Math.sqrt(p.dt);
  if (p.s0 - maxMove <= 0) return `s0 (${p.s0}) must exceed steps × sigma × √dt (${maxMove}) so that the mid stays positive`;
  if (p.s0 + maxMove > MAX_MID) return `s0 + steps × sigma × √dt (${p.s0 + maxMove}) must be at most ${MAX_MID}`;
  return null;
}

/** Throws SPREADCORE_ERR_BAD_PARAM unless the options describe a valid chunk of a run. */
export function checkSimulationOptions(o: SimulationOptions): void {
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `seed must be an integer from 0 to ${0xffffffff}, got ${o.seed}`);
  }
  if (!Number.isInteger(o.firstPath) || o.firstPath < 0 || o.firstPath >= MAX_PATHS) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `firstPath must be an integer from 0 to ${MAX_PATHS - 1}, got ${o.firstPath}`);
  }
  const problem = experimentProblem(o, o.pathCount);
  if (problem !== null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', problem.replace(/^paths /, 'pathCount '));
}
