// Min/max downsampling that keeps the extremes: the points are cut into buckets along x and
// each bucket keeps at most four points, its first, minimum, maximum and last (in their
// original order). Drawn as a polyline, the result covers the same vertical extent per
// bucket as the full data, so spikes never disappear. This is the M4 aggregation of
// Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation", PVLDB 7(10), 2014.

/** Marks a gap (a non-finite x or y between finite points) in an index list. */
export const GAP = -1;

/**
 * Indices of the points to keep, in order, with GAP where the line must break. Points with
 * a non-finite x or y are dropped and break the line. Buckets are `bucketCount` equal slices
 * of [xLo, xHi] (points outside go to the first or last bucket); a new bucket also starts
 * whenever x moves to a different slice, so unsorted x simply keeps more points.
 */
export function m4Indices(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  bucketCount: number,
  xLo: number,
  xHi: number,
): number[] {
  const n = Math.min(x.length, y.length);
  const out: number[] = [];
  const buckets = Math.max(1, Math.floor(bucketCount));
  // Halve before subtracting so that spans near the double range stay finite.
  const spanHalf = xHi / 2 - xLo / 2;
  const perHalf = spanHalf > 0 && Number.isFinite(spanHalf) ? buckets / spanHalf : 0;

  let cur = NaN; // current bucket
  let first = -1;
  let minI = -1;
  let maxI = -1;
  let last = -1;

  const flush = (): void => {
    if (first < 0) return;
    const keep = [first, minI, maxI, last].sort((a, b) => a - b);
    for (let k = 0; k < keep.length; k++) if (k === 0 || keep[k] !== keep[k - 1]) out.push(keep[k]!);
    first = -1;
  };

  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) {
      flush();
      cur = NaN;
      if (out.length > 0 && out[out.length - 1] !== GAP) out.push(GAP);
      continue;
    }
    let b = Math.floor((xi / 2 - xLo / 2) * perHalf);
    if (!(b >= 0)) b = 0;
    else if (b >= buckets) b = buckets - 1;
    if (b !== cur) {
      flush();
      cur = b;
      first = minI = maxI = last = i;
      continue;
    }
    last = i;
    if (yi < y[minI]!) minI = i;
    if (yi > y[maxI]!) maxI = i;
  }
  flush();
  if (out.length > 0 && out[out.length - 1] === GAP) out.pop();
  return out;
}
