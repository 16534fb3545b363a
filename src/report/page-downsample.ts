// Series data for the HTML page: at most PAGE_MAX_BUCKETS x 4 points per series (first, min,
// max and last of equal x slices, see downsample.ts), non-finite y as null (a gap in uPlot),
// points with a non-finite x dropped.

import { GAP, m4Indices } from './downsample.js';
import type { ChartSeries } from './types.js';

/** x slices per series on the page; a chart is rarely wider than this many pixels. */
export const PAGE_MAX_BUCKETS = 1000;

export interface PageSeriesData {
  x: number[];
  y: (number | null)[];
  /** Points in the input series. */
  pointsIn: number;
}

export function pageSeriesData(s: ChartSeries, maxBuckets = PAGE_MAX_BUCKETS): PageSeriesData {
  const n = Math.min(s.x.length, s.y.length);
  let keep: number[];
  if (n <= maxBuckets * 4) {
    keep = [];
    for (let i = 0; i < n; i++) {
      if (Number.isFinite(s.x[i]!) && Number.isFinite(s.y[i]!)) keep.push(i);
      else if (keep.length > 0 && keep[keep.length - 1] !== GAP) keep.push(GAP);
    }
    if (keep[keep.length - 1] === GAP) keep.pop();
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = s.x[i]!;
      if (Number.isFinite(v) && Number.isFinite(s.y[i]!)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    keep = lo <= hi ? m4Indices(s.x, s.y, maxBuckets, lo, hi) : [];
  }

  const x: number[] = [];
  const y: (number | null)[] = [];
  for (let k = 0; k < keep.length; k++) {
    const i = keep[k]!;
    if (i !== GAP) {
      x.push(s.x[i]!);
      y.push(s.y[i]!);
      continue;
    }
    // A gap becomes a null value half-way between its neighbours (uPlot breaks lines at null).
    const prev = x[x.length - 1];
    const next = keep[k + 1];
    if (prev === undefined || next === undefined || next === GAP) continue;
    const nextX = s.x[next]!;
    const mid = prev / 2 + nextX / 2;
    if (mid !== prev && mid !== nextX) {
      x.push(mid);
      y.push(null);
    }
  }
  return { x, y, pointsIn: n };
}
