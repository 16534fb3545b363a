// The heat map's cells: the best objective per (x, y) over the other parameters,
// null where no run landed; axis choice from --heatmap; the settings every point
// shares, printed under the title.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../src/backtest/index.js';
import { heatmapOption, renderHeatmapSvg } from '../src/report/index.js';
import { chooseHeatmapAxes, heatmapGrid, BINS } from '../src/sweep/heatmap-grid.js';
import { renderSweepHeatmap, sweepHeatmapOptions, sweepSettingsText } from '../src/sweep/render-heatmap.js';
import { runSweep, type SweepExecutor } from '../src/sweep/run-sweep.js';
import { ROOT } from './support/run-cli.js';
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
    expect([g.xBinned, g.yBinned]).toEqual([true, false]);
    // the image says the values are bin centres, in the axis name and the best-cell line
    const o = heatmapOption(sweepHeatmapOptions(parseSweepSpace({ spread_bps: { min: 1, max: 100 }, k: [1, 2] }), { kind: 'axes', x: 0, y: 1 }, runs, 'net_pnl'));
    const title = o.title as { text: string; subtext: string };
    expect(title.text).toBe('sweep: best net_pnl by spread_bps and k (100 runs)');
    expect(title.subtext).toBe('best (outlined): spread_bps (bin centre)=95.88, k=2, net_pnl=99');
    expect((o.xAxis as { name: string }).name).toBe('spread_bps (bin centre)');
    expect((o.yAxis as { name: string }).name).toBe('k');
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

describe('sweep heat map settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const PARAMS = join(ROOT, 'examples/sweep-params.json');

  it('names the fill model, latencies, fees, seed and the parameters every point shares', () => {
    const spec = parseBacktestSpec(JSON.parse(readFileSync(PARAMS, 'utf8')));
    expect(sweepSettingsText(spec, 7, ['spread_bps', 'max_position', 'quote_levels'])).toBe(
      'queue fills (proportional; feed latency recorded; order 2 / cancel 2 / response 0 ms); fees maker 0 / taker 4 bps; seed 7; '
      + 'fixed parameters: order_size=0.001, requote_threshold_price=0.01, quote_refresh_ms=100 (others default)');
    const naive = parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: { spread_bps: 3, maker_fee_bps: 1.5 }, fill_model: 'naive' });
    // the strategy's own fee parameter is what it is charged; the top-level default schedule is 10 bps
    expect(sweepSettingsText(naive, 1, ['spread_bps'])).toBe('naive fills (no latency, first in every queue); fees maker 1.5 / taker 10 bps; seed 1; fixed parameters: maker_fee_bps=1.5 (others default)');
    // a swept fee is not one point's value
    expect(sweepSettingsText(naive, 1, ['spread_bps', 'maker_fee_bps'])).toBe('naive fills (no latency, first in every queue); fees maker (swept) / taker 10 bps; seed 1; fixed parameters: none (others default)');
  });

  it('runSweep hands them to the heat map, which prints them under the title', async () => {
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ spread_bps: [2, 4], max_position: [0.004, 0.008] }));
    let settings = '';
    const executor: SweepExecutor = async ({ tasks, onResult }) => {
      for (const t of tasks) {
        onResult({ index: t.index, workerId: 1, workerInits: 1, wasmInstances: 1, workerTasks: 1, kind: 'done', elapsedMs: 1,
          objectives: { net_pnl: t.index, sharpe: null, max_drawdown: 0, fill_rate: 1, fills: 1, events: 1 } });
      }
      return { stopped: false };
    };
    await runSweep({
      dataPath: join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz'), paramsPath: PARAMS, spacePath: space, search: 'grid', samples: 0,
      objective: 'net_pnl', workers: 1, outDir: join(dir, 'out'), seed: 3, executor,
      renderHeatmap: (s, choice, runs, objective, text) => { settings = text; return renderSweepHeatmap(s, choice, runs, objective, text); },
    });
    expect(settings).toBe('queue fills (proportional; feed latency recorded; order 2 / cancel 2 / response 0 ms); fees maker 0 / taker 4 bps; seed 3; '
      + 'fixed parameters: order_size=0.001, quote_levels=1, requote_threshold_price=0.01, quote_refresh_ms=100 (others default)');
    expect(existsSync(join(dir, 'out', 'heatmap.png'))).toBe(true);
    const svg = renderHeatmapSvg({ title: 't', xName: 'a', yName: 'b', zName: 'pnl', xValues: [1], yValues: [1], z: [[1]], subtitle: settings });
    expect(svg).toContain('queue fills (proportional; feed latency recorded;');
    expect(svg).toContain('fixed parameters: order_size=0.001');
  });
});
