// Ranking finished runs by each objective: best first, ties and non-finite values
// ordered deterministically, whatever order the results arrived in.
import { describe, expect, it } from 'vitest';
import { rankRuns, runObjectives, OBJECTIVES, type RunRecord } from '../src/sweep/objectives.js';

function run(index: number, o: { net_pnl: number; sharpe: number; max_drawdown: number; fill_rate: number }): RunRecord {
  return { index, values: [index], objectives: runObjectives({ ...o, fills: 1, events: 10 }), elapsedMs: 100 - index, workerId: index % 2 };
}

const RUNS: RunRecord[] = [
  run(0, { net_pnl: 5, sharpe: 0.5, max_drawdown: 4, fill_rate: 0.2 }), //  dd_adjusted 1
  run(1, { net_pnl: 9, sharpe: NaN, max_drawdown: 10, fill_rate: 0.9 }), // dd_adjusted -1
  run(2, { net_pnl: -3, sharpe: 2.0, max_drawdown: 3, fill_rate: 0.5 }), // dd_adjusted -6
  run(3, { net_pnl: 5, sharpe: 0.5, max_drawdown: 1, fill_rate: 0.5 }), //  dd_adjusted 4
  run(4, { net_pnl: 9, sharpe: -1, max_drawdown: 0, fill_rate: NaN }), //   dd_adjusted 9
];

const EXPECTED: Record<typeof OBJECTIVES[number], number[]> = {
  net_pnl: [1, 4, 0, 3, 2], //        9, 9 (tie: index), 5, 5 (tie), -3
  sharpe: [2, 0, 3, 4, 1], //         2, 0.5, 0.5 (tie), -1, NaN last
  dd_adjusted_pnl: [4, 3, 0, 1, 2], // 9, 4, 1, -1, -6
  fill_rate: [1, 2, 3, 0, 4], //      0.9, 0.5, 0.5 (tie), 0.2, NaN last
};

describe('sweep ranking', () => {
  it.each(OBJECTIVES)('by %s: best first, ties by index, no value last', (objective) => {
    expect(rankRuns(RUNS, objective).map((r) => r.index)).toEqual(EXPECTED[objective]);
  });

  it('does not depend on the order results arrived in', () => {
    const shuffled = [RUNS[3]!, RUNS[1]!, RUNS[4]!, RUNS[0]!, RUNS[2]!];
    for (const objective of OBJECTIVES) {
      expect(rankRuns(shuffled, objective).map((r) => r.index)).toEqual(EXPECTED[objective]);
    }
  });

  it('dd_adjusted_pnl is net P&L minus the drawdown magnitude; NaN becomes null', () => {
    const o = runObjectives({ net_pnl: 10, sharpe: NaN, max_drawdown: -2.5, fill_rate: Infinity, fills: 0, events: 3 });
    expect(o.dd_adjusted_pnl).toBe(7.5);
    expect(o.sharpe).toBeNull();
    expect(o.fill_rate).toBeNull();
    expect(JSON.parse(JSON.stringify(o))).toEqual(o);
  });
});
