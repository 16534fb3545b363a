// The heat map's cells: one parameter across, another down, and in each cell the
// best value of the objective over every run with those two values (whatever the
// other parameters were); null where no run landed. With more distinct values than
// MAX_CELLS_PER_AXIS (random search), an axis is cut into BINS equal bins
// (geometric for a log range) labelled by their centres.
import type { ObjectiveName, RunRecord } from './objectives.js';
import { objectiveValue } from './objectives.js';
import type { SweepAxis } from './space.js';

export const MAX_CELLS_PER_AXIS = 24;
export const BINS = 12;

export interface HeatmapGrid {
  readonly xName: string;
  readonly yName: string;
  /** The axis is cut into BINS bins: its values are bin centres, not values any run had. */
  readonly xBinned: boolean;
  readonly yBinned: boolean;
  readonly xValues: number[];
  readonly yValues: number[];
  /** z[yi][xi] */
  readonly z: (number | null)[][];
}

/** True when every value the axis can take is a number (a heat-map axis). */
export function numericAxis(axis: SweepAxis): boolean {
  if (axis.kind === 'range') return true;
  return axis.values.every((v) => typeof v === 'number');
}

interface Binning { labels: number[]; cell: (v: number) => number; binned: boolean }

function binning(values: readonly number[], log: boolean): Binning {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= MAX_CELLS_PER_AXIS) {
    const at = new Map(distinct.map((v, i) => [v, i]));
    return { labels: distinct, cell: (v) => at.get(v)!, binned: false };
  }
  const lo = distinct[0]!;
  const hi = distinct[distinct.length - 1]!;
  const useLog = log && lo > 0;
  const f = (v: number): number => (useLog ? Math.log(v) : v);
  const span = f(hi) - f(lo);
  const labels = Array.from({ length: BINS }, (_, i) => {
    const mid = f(lo) + (span * (i + 0.5)) / BINS;
    return Number((useLog ? Math.exp(mid) : mid).toPrecision(4));
  });
  return { labels, cell: (v) => Math.min(BINS - 1, Math.floor(((f(v) - f(lo)) / span) * BINS)), binned: true };
}

export function heatmapGrid(axes: readonly SweepAxis[], xi: number, yi: number, runs: readonly RunRecord[], objective: ObjectiveName): HeatmapGrid {
  const xAxis = axes[xi]!;
  const yAxis = axes[yi]!;
  const xs = binning(runs.map((r) => r.values[xi] as number), xAxis.kind === 'range' && xAxis.log);
  const ys = binning(runs.map((r) => r.values[yi] as number), yAxis.kind === 'range' && yAxis.log);
  const z: (number | null)[][] = ys.labels.map(() => xs.labels.map((): number | null => null));
  for (const r of runs) {
    const v = objectiveValue(r, objective);
    if (v === null) continue;
    const row = z[ys.cell(r.values[yi] as number)]!;
    const c = xs.cell(r.values[xi] as number);
    const prev = row[c];
    if (prev === null || prev === undefined || v > prev) row[c] = v;
  }
  return { xName: xAxis.name, yName: yAxis.name, xBinned: xs.binned, yBinned: ys.binned, xValues: xs.labels, yValues: ys.labels, z };
}

export type HeatmapChoice =
  | { readonly kind: 'axes'; readonly x: number; readonly y: number }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * Which two swept parameters the heat map shows. `wanted` is the --heatmap flag:
 * "x,y" (names as in the space file, or canonical names), "none", or undefined for
 * the first two numeric parameters. Throws a usage error for a bad choice.
 */
export function chooseHeatmapAxes(axes: readonly SweepAxis[], wanted: string | undefined, usage: (m: string) => Error): HeatmapChoice {
  if (wanted === 'none') return { kind: 'none', reason: 'heat map turned off (--heatmap none)' };
  if (wanted === undefined) {
    const numeric = axes.map((a, i) => (numericAxis(a) ? i : -1)).filter((i) => i >= 0);
    if (numeric.length < 2) return { kind: 'none', reason: 'no heat map: it needs two swept numeric parameters' };
    return { kind: 'axes', x: numeric[0]!, y: numeric[1]! };
  }
  const parts = wanted.split(',').map((s) => s.trim());
  if (parts.length !== 2 || parts.some((p) => p === '')) throw usage(`--heatmap must be two swept parameters "x,y" or none, got ${JSON.stringify(wanted)}`);
  const find = (name: string): number => {
    const i = axes.findIndex((a) => a.name === name || a.spec.name === name);
    if (i < 0) throw usage(`--heatmap: ${name} is not a swept parameter (swept: ${axes.map((a) => a.name).join(', ')})`);
    if (!numericAxis(axes[i]!)) throw usage(`--heatmap: ${name} is not numeric`);
    return i;
  };
  const x = find(parts[0]!);
  const y = find(parts[1]!);
  if (x === y) throw usage(`--heatmap needs two different parameters, got ${JSON.stringify(wanted)}`);
  return { kind: 'axes', x, y };
}
