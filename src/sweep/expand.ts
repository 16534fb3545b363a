// The points of a sweep: every combination of a grid (in a fixed order), or N seeded
// random samples. A point is the list of its values, one per axis, in the space
// file's order; its index is its position in that list of points.
import { Decimal } from 'decimal.js';
import { Rng } from '../feed/sim/rng.js';
import { MAX_AXIS_VALUES, spaceError, type RangeAxis, type SweepAxis, type SweepSpace, type SweepValue } from './space.js';

/** Most backtests one sweep may run (grid combinations or random samples). */
export const MAX_SWEEP_POINTS = 10_000;

export interface SweepPoint {
  /** Position in the grid order or the sample order, from 0. */
  readonly index: number;
  /** One value per axis, in the space's axis order. */
  readonly values: readonly SweepValue[];
}

/** 12 significant digits: 0.1 + 0.2 prints as 0.3, not 0.30000000000000004. */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Number of points of min + i × step within [min, max], computed exactly on the decimals. */
function stepCount(min: number, max: number, step: number): number {
  return new Decimal(max).minus(min).div(step).floor().toNumber() + 1;
}

function stepValue(min: number, step: number, i: number): number {
  return new Decimal(min).plus(new Decimal(step).times(i)).toNumber();
}

function spaced(axis: RangeAxis, count: number, i: number): number {
  if (count === 1) return axis.min;
  const f = i / (count - 1);
  const x = axis.log ? axis.min * Math.pow(axis.max / axis.min, f) : axis.min + (axis.max - axis.min) * f;
  return i === count - 1 ? axis.max : tidy(x);
}

/** The grid values of one axis. */
export function gridValues(axis: SweepAxis): SweepValue[] {
  if (axis.kind === 'list') return [...axis.values];
  const step = axis.step ?? (axis.integer && axis.count === null ? 1 : null);
  if (step !== null) {
    const n = stepCount(axis.min, axis.max, step);
    if (n > MAX_AXIS_VALUES) throw spaceError(`space file: ${axis.name}: step ${step} from ${axis.min} to ${axis.max} makes ${n} values, at most ${MAX_AXIS_VALUES} allowed`);
    return Array.from({ length: n }, (_, i) => stepValue(axis.min, step, i));
  }
  if (axis.count === null) throw spaceError(`space file: ${axis.name}: a grid range needs "step" or "count" (or list the values)`);
  const out: number[] = [];
  for (let i = 0; i < axis.count; i++) {
    const x = axis.integer ? Math.round(spaced(axis, axis.count, i)) : spaced(axis, axis.count, i);
    if (out[out.length - 1] !== x) out.push(x);
  }
  return out;
}

/** How many combinations the grid has (without building it). */
export function gridSize(space: SweepSpace): { perAxis: number[]; total: number } {
  const perAxis = space.axes.map((a) => gridValues(a).length);
  return { perAxis, total: perAxis.reduce((p, n) => p * n, 1) };
}

/**
 * Every combination, the last axis varying fastest (like nested loops in the file's
 * order). Refuses more than maxPoints combinations.
 */
export function expandGrid(space: SweepSpace, maxPoints = MAX_SWEEP_POINTS): SweepPoint[] {
  const lists = space.axes.map(gridValues);
  const total = lists.reduce((p, l) => p * l.length, 1);
  if (total > maxPoints) {
    const sizes = space.axes.map((a, i) => `${a.name} ${lists[i]!.length}`).join(' × ');
    throw spaceError(`the grid has ${total.toLocaleString('en-US')} combinations (${sizes}); the limit is ${maxPoints.toLocaleString('en-US')}: use fewer values, or --search random --samples N`);
  }
  const points: SweepPoint[] = [];
  for (let index = 0; index < total; index++) {
    const values: SweepValue[] = new Array<SweepValue>(lists.length);
    let rest = index;
    for (let a = lists.length - 1; a >= 0; a--) {
      const list = lists[a]!;
      values[a] = list[rest % list.length]!;
      rest = Math.floor(rest / list.length);
    }
    points.push({ index, values });
  }
  return points;
}

function sampleRange(axis: RangeAxis, rng: Rng): number {
  if (axis.count !== null) {
    const grid = gridValues(axis);
    return grid[rng.int(grid.length)] as number;
  }
  const u = rng.uniform();
  let x = axis.log
    ? Math.exp(Math.log(axis.min) + u * (Math.log(axis.max) - Math.log(axis.min)))
    : axis.min + u * (axis.max - axis.min);
  if (axis.step !== null) {
    const n = stepCount(axis.min, axis.max, axis.step);
    const i = Math.min(n - 1, Math.max(0, Math.round((x - axis.min) / axis.step)));
    return stepValue(axis.min, axis.step, i);
  }
  if (axis.integer) return Math.min(axis.max, Math.max(axis.min, Math.round(x)));
  x = tidy(x);
  return Math.min(axis.max, Math.max(axis.min, x));
}

/**
 * `samples` distinct random points, the same for the same seed and space. A space
 * with fewer distinct points than asked gives what it has (every draw is kept in
 * draw order; repeats are skipped).
 */
export function sampleRandom(space: SweepSpace, samples: number, seed: number, maxPoints = MAX_SWEEP_POINTS): SweepPoint[] {
  if (!Number.isInteger(samples) || samples < 1 || samples > maxPoints) {
    throw spaceError(`random search: ${samples} samples asked; the limit is ${maxPoints.toLocaleString('en-US')}`);
  }
  const rng = new Rng(seed, 7);
  const seen = new Set<string>();
  const points: SweepPoint[] = [];
  const maxDraws = samples * 50;
  for (let draw = 0; draw < maxDraws && points.length < samples; draw++) {
    const values = space.axes.map((axis): SweepValue => (axis.kind === 'list' ? axis.values[rng.int(axis.values.length)]! : sampleRange(axis, rng)));
    const key = JSON.stringify(values);
    if (seen.has(key)) continue;
    seen.add(key);
    points.push({ index: points.length, values });
  }
  return points;
}
