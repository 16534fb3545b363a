// What a sweep ranks by, and the ranking itself. Every objective is "higher is
// better". Ties (and runs whose objective is not a finite number, which go last)
// are ordered by the point's index, so a ranking never depends on the order in
// which results arrived.
import { MIN_RATIO_BUCKETS } from '../accounting/equity-stats.js';
import { SpreadcoreError } from '../errors.js';
import type { SweepValue } from './space.js';

export const OBJECTIVES = ['net_pnl', 'sharpe', 'dd_adjusted_pnl', 'fill_rate'] as const;
export type ObjectiveName = typeof OBJECTIVES[number];

export const OBJECTIVE_TEXT: Readonly<Record<ObjectiveName, string>> = {
  net_pnl: 'net P&L after fees, quote currency',
  sharpe: 'annualised Sharpe ratio of the first symbol\'s 1-minute equity buckets (needs >= 30 of them)',
  dd_adjusted_pnl: 'net P&L minus the largest drawdown, quote currency',
  fill_rate: 'fills per order placed, %',
};

/** The numbers one backtest reports (BacktestResult.objectives), plus the derived one. */
export interface RunObjectives {
  readonly net_pnl: number;
  readonly sharpe: number | null;
  readonly max_drawdown: number;
  readonly dd_adjusted_pnl: number;
  readonly fill_rate: number | null;
  readonly fills: number;
  readonly events: number;
}

export interface BacktestObjectives {
  readonly net_pnl: number;
  /** null (or NaN) when the run cannot give one (fewer than 30 return buckets). */
  readonly sharpe: number | null;
  readonly max_drawdown: number;
  readonly fill_rate: number;
  readonly fills: number;
  readonly events: number;
}

/** NaN and ±Infinity become null (JSON has no NaN): a run without fills has no Sharpe ratio. */
function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** A backtest's objectives with dd_adjusted_pnl = net_pnl − |max_drawdown|. */
export function runObjectives(o: BacktestObjectives): RunObjectives {
  // rounded to 1e-8 like the backtest's own figures: no float noise in the last digits
  const ddAdjusted = Math.round((o.net_pnl - Math.abs(o.max_drawdown)) * 1e8) / 1e8;
  return {
    net_pnl: o.net_pnl,
    sharpe: o.sharpe === null ? null : finiteOrNull(o.sharpe),
    max_drawdown: o.max_drawdown,
    dd_adjusted_pnl: ddAdjusted,
    fill_rate: finiteOrNull(o.fill_rate),
    fills: o.fills,
    events: o.events,
  };
}

/** One finished run. */
export interface RunRecord {
  readonly index: number;
  readonly values: readonly SweepValue[];
  readonly objectives: RunObjectives;
  /** Wall time of the backtest in its worker, ms (a timing field: varies run to run). */
  readonly elapsedMs: number;
  /** The worker thread that ran it (a timing field). */
  readonly workerId: number;
}

export function objectiveValue(r: RunRecord, objective: ObjectiveName): number | null {
  const v = r.objectives[objective];
  return v !== null && Number.isFinite(v) ? v : null;
}

/**
 * Ranking by sharpe when no finished run has one is refused (SPREADCORE_ERR_BAD_PARAM):
 * a backtest reports a Sharpe ratio only from 30 or more return buckets (a flat run
 * counts as 0), so a sweep whose recording is too short for that has nothing to rank.
 * Checked once every point has answered (any run could be the one that has a ratio).
 */
export function requireObjective(runs: readonly RunRecord[], objective: ObjectiveName): void {
  if (objective === 'sharpe' && runs.length > 0 && runs.every((r) => objectiveValue(r, 'sharpe') === null)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM',
      `--objective sharpe cannot be computed: no run has a Sharpe ratio (${runs.length} finished) — a backtest reports one only from at least ${MIN_RATIO_BUCKETS} one-minute equity buckets, ` +
      `so the recording must cover ${MIN_RATIO_BUCKETS} minutes or more after the strategy starts; rank by net_pnl or dd_adjusted_pnl instead`);
  }
}

/**
 * Before anything runs: a replay of spanS seconds closes at most floor(spanS / 60) + 1
 * one-minute buckets, so when that is under the minimum no run can have a Sharpe ratio
 * and ranking by it is refused at once.
 */
export function requireSharpeSpan(objective: ObjectiveName, spanS: number): void {
  const most = Math.floor(spanS / 60) + 1;
  if (objective === 'sharpe' && most < MIN_RATIO_BUCKETS) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM',
      `--objective sharpe cannot be computed: the replay covers ${Math.round(spanS * 10) / 10} s, at most ${most} one-minute equity buckets, and a backtest reports a Sharpe ratio ` +
      `only from at least ${MIN_RATIO_BUCKETS} of them; rank by net_pnl or dd_adjusted_pnl instead`);
  }
}

/** Best first; non-finite objectives (a run without a Sharpe ratio) last; ties by index. Returns a new array. */
export function rankRuns(runs: readonly RunRecord[], objective: ObjectiveName): RunRecord[] {
  return [...runs].sort((a, b) => {
    const va = objectiveValue(a, objective);
    const vb = objectiveValue(b, objective);
    if (va !== vb) {
      if (va === null) return 1;
      if (vb === null) return -1;
      return vb - va;
    }
    return a.index - b.index;
  });
}

export function parseObjective(v: string | undefined): ObjectiveName | undefined {
  return (OBJECTIVES as readonly string[]).includes(v ?? '') ? v as ObjectiveName : undefined;
}
