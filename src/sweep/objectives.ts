// What a sweep ranks by, and the ranking itself. Every objective is "higher is
// better". Ties (and runs whose objective is not a finite number, which go last)
// are ordered by the point's index, so a ranking never depends on the order in
// which results arrived.
import type { SweepValue } from './space.js';

export const OBJECTIVES = ['net_pnl', 'sharpe', 'dd_adjusted_pnl', 'fill_rate'] as const;
export type ObjectiveName = typeof OBJECTIVES[number];

export const OBJECTIVE_TEXT: Readonly<Record<ObjectiveName, string>> = {
  net_pnl: 'net P&L after fees, quote currency',
  sharpe: 'Sharpe ratio of the run',
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
  readonly sharpe: number;
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
    sharpe: finiteOrNull(o.sharpe),
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

/** Best first; non-finite objectives last; ties by index. Returns a new array. */
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
