// The sweep's heat map image: two swept parameters, the best objective per cell
// (heatmap-grid.ts), drawn by the report renderer, with the settings every point shares
// (fill model, latencies, fees, seed, the params file's other parameters) under the title.
import type { BacktestSpec } from '../backtest/backtest-spec.js';
import { PAPER_DEFAULTS } from '../execution/paper-config.js';
import { renderHeatmapPng } from '../report/index.js';
import type { HeatmapOptions } from '../report/types.js';
import { heatmapGrid, type HeatmapChoice } from './heatmap-grid.js';
import type { ObjectiveName, RunRecord } from './objectives.js';
import type { SweepSpace } from './space.js';

const show = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/**
 * What every point of a sweep shares, in one line: the fill model and its latencies, the fees,
 * the seed and the params file's parameters that are not swept (swept: the names of the space
 * and the parameters they replace).
 */
export function sweepSettingsText(spec: BacktestSpec, seed: number, swept: readonly string[]): string {
  const ms = (v: number | null, dflt: number): number => v ?? dflt / 1e6;
  let fill: string;
  if (spec.fillModel === 'naive') fill = 'naive fills (no latency, first in every queue)';
  else {
    const q = spec.queueModel === 'power' ? `power n=${spec.queueExponent}` : spec.queueModel;
    const feed = typeof spec.feedLatency === 'number' ? `${spec.feedLatency} ms` : spec.feedLatency;
    const base = spec.feedLatency === 'recorded' && spec.feedBaseLatencyMs > 0 ? ` + ${spec.feedBaseLatencyMs} ms` : '';
    const lat = spec.latencyCurve !== null
      ? `latency from ${spec.orderLatencyFile ?? 'a file'} (${spec.latencyCurve.samples} samples)`
      : `order ${ms(spec.orderLatencyMs, PAPER_DEFAULTS.orderLatencyNs)} / cancel ${ms(spec.cancelLatencyMs, PAPER_DEFAULTS.cancelLatencyNs)} / response ${ms(spec.responseLatencyMs, PAPER_DEFAULTS.responseLatencyNs)} ms`;
    const jitter = spec.latencyJitterMs !== null && spec.latencyJitterMs > 0 ? ` + jitter < ${spec.latencyJitterMs} ms` : '';
    fill = `queue fills (${q}; feed latency ${feed}${base}; ${lat}${jitter})`;
  }
  const p = spec.parameters;
  const fee = (name: string, top: number | null, dflt: number): string =>
    (swept.includes(name) ? '(swept)' : show(typeof p[name] === 'number' ? p[name] : top ?? dflt));
  const fees = `fees maker ${fee('maker_fee_bps', spec.makerFeeBps, PAPER_DEFAULTS.makerFeeBps)} / taker ${fee('taker_fee_bps', spec.takerFeeBps, PAPER_DEFAULTS.takerFeeBps)} bps`;
  const fixed = Object.entries(p).filter(([k]) => !swept.includes(k)).map(([k, v]) => `${k}=${show(v)}`);
  return `${fill}; ${fees}; seed ${seed}; fixed parameters: ${fixed.length === 0 ? 'none' : fixed.join(', ')} (others default)`;
}

/** The heat map's options: the best objective per cell of two swept parameters, and the settings. */
export function sweepHeatmapOptions(
  space: SweepSpace, choice: HeatmapChoice & { kind: 'axes' }, runs: readonly RunRecord[], objective: ObjectiveName, settings?: string,
): HeatmapOptions {
  const g = heatmapGrid(space.axes, choice.x, choice.y, runs, objective);
  return {
    title: `sweep: best ${objective} by ${g.xName} and ${g.yName} (${runs.length} runs)`,
    // a binned axis is labelled by bin centres: its name says so (also in the best-cell line)
    xName: g.xBinned ? `${g.xName} (bin centre)` : g.xName, yName: g.yBinned ? `${g.yName} (bin centre)` : g.yName,
    xValues: g.xValues, yValues: g.yValues, z: g.z, zName: objective,
    ...(settings === undefined ? {} : { subtitle: settings }),
  };
}

export function renderSweepHeatmap(
  space: SweepSpace, choice: HeatmapChoice & { kind: 'axes' }, runs: readonly RunRecord[], objective: ObjectiveName, settings?: string,
): Uint8Array {
  return renderHeatmapPng(sweepHeatmapOptions(space, choice, runs, objective, settings));
}
