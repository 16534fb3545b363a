// The heat map's cells: the best objective per (x, y) over the other parameters,
// null where no run landed; axis choice from --heatmap.
import { describe, expect, it } from 'vitest';
import { chooseHeatmapAxes, heatmapGrid, BINS } from '../src/sweep/heatmap-grid.js';
import { runObjectives, type RunRecord } from '../src/sweep/objectives.js';
import { parseSweepSpace } from '../src/sweep/space.js';

function run(index: number, values: (number | string)[], pnl: number): RunRecord {
  return { index, values, elapsedMs: 1, workerId: 1, objectives: runObjectives({ net_pnl: pnl, sharpe: NaN, max_drawdown: 0, fill_rate: 0, fills: 0, events: 1 }) };
}
const usage = (m: string): Error => new Error(m);

describe('sweep heat map grid', () => {
  const axes = parseSweepSpace({ spread_bps: [2, 4], fair_value: ['mid', 'microprice'], quote_levels: [1, 2, 3] }).axes;

  it('takes the best value over the other parameters per cell; empty cells are null', () => {
    const runs = [
      run(0, [2, 'mid', 1], 5), run(1, [2, 'microprice', 1], 7), // cell (2, 1): best 7
      run(2, [4, 'mid', 1], -2),
      run(3, [2, 'mid', 3], -1), run(4, [2, 'microprice', 3], -4), // cell (2, 3): best -1
    ];
    const g = heatmapGrid(axes, 0, 2, runs, 'net_pnl');
    expect(g.xName).toBe('spread_bps');
    expect(g.yName).toBe('quote_levels');
    expect(g.xValues).toEqual([2, 4]);
    expect(g.yValues).toEqual([1, 3]);
    expect(g.z).toEqual([[7, -2], [-1, null]]);
  });

  it('bins an axis with many distinct values', () => {
    const space = parseSweepSpace({ spread_bps: { min: 1, max: 100 }, k: [1, 2] }).axes;
    const runs = Array.from({ length: 100 }, (_, i) => run(i, [i + 1, 1 + (i % 2)], i));
    const g = heatmapGrid(space, 0, 1, runs, 'net_pnl');
    expect(g.xValues).toHaveLength(BINS);
    expect(g.xValues[0]).toBeCloseTo(1 + 99 / BINS / 2, 6);
    expect(g.z[1]![BINS - 1]).toBe(99); // value 100 (index 99, k = 2) lands in the last bin
    expect(g.z[0]![BINS - 1]).toBe(98);
  });

  it('picks the first two numeric parameters by default, or the named ones, and refuses bad names', () => {
    expect(chooseHeatmapAxes(axes, undefined, usage)).toEqual({ kind: 'axes', x: 0, y: 2 });
    expect(chooseHeatmapAxes(axes, 'quote_levels,spread_bps', usage)).toEqual({ kind: 'axes', x: 2, y: 0 });
    expect(chooseHeatmapAxes(axes, 'none', usage).kind).toBe('none');
    expect(() => chooseHeatmapAxes(axes, 'fair_value,spread_bps', usage)).toThrow(/fair_value is not numeric/);
    expect(() => chooseHeatmapAxes(axes, 'k,spread_bps', usage)).toThrow(/k is not a swept parameter/);
    expect(() => chooseHeatmapAxes(axes, 'spread_bps', usage)).toThrow(/two swept parameters/);
    expect(() => chooseHeatmapAxes(axes, 'spread_bps,spread_bps', usage)).toThrow(/two different/);
    expect(chooseHeatmapAxes(parseSweepSpace({ spread_bps: [1, 2] }).axes, undefined, usage).kind).toBe('none');
  });
});
