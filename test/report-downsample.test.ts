import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GAP, m4Indices, pageSeriesData } from '../src/report/index.js';

describe('min/max downsampling', () => {
  it('keeps, for every x slice, the first, last, lowest and highest point, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 50 }),
        (ys, buckets) => {
          const xs = ys.map((_, i) => i);
          const keep = m4Indices(xs, ys, buckets, 0, ys.length - 1);
          expect(keep).not.toContain(GAP);
          for (let k = 1; k < keep.length; k++) expect(keep[k]!).toBeGreaterThan(keep[k - 1]!);
          // Brute force over slices, computed here independently.
          const slice = (i: number): number => (ys.length === 1 ? 0 : Math.min(buckets - 1, Math.floor((i / (ys.length - 1)) * buckets)));
          const groups = new Map<number, number[]>();
          xs.forEach((i) => groups.set(slice(i), [...(groups.get(slice(i)) ?? []), i]));
          let expectedMax = 0;
          for (const idx of groups.values()) {
            const vals = idx.map((i) => ys[i]!);
            const lo = Math.min(...vals);
            const hi = Math.max(...vals);
            expect(keep).toContain(idx[0]!);
            expect(keep).toContain(idx[idx.length - 1]!);
            expect(keep.some((i) => idx.includes(i) && ys[i] === lo)).toBe(true);
            expect(keep.some((i) => idx.includes(i) && ys[i] === hi)).toBe(true);
            expectedMax += Math.min(4, idx.length);
          }
          expect(keep.length).toBeLessThanOrEqual(expectedMax);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('marks non-finite points as gaps and drops them', () => {
    const keep = m4Indices([0, 1, 2, 3, 4, NaN, 6], [1, 2, NaN, Infinity, 5, 6, 7], 100, 0, 6);
    expect(keep).toEqual([0, 1, GAP, 4, GAP, 6]);
    expect(m4Indices([NaN], [1], 10, 0, 1)).toEqual([]);
  });

  it('reduces a 200,000-point series for the page and keeps its extremes; short series pass through', () => {
    const n = 200_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = 1_700_000_000_000 + i * 10;
      y[i] = Math.sin(i / 3000) + (i === 77_777 ? 50 : 0) - (i === 150_001 ? 60 : 0);
    }
    const d = pageSeriesData({ name: 's', x, y }, 1000);
    expect(d.pointsIn).toBe(n);
    expect(d.x.length).toBeLessThanOrEqual(4000);
    expect(d.x.length).toBeGreaterThan(1000);
    expect(Math.max(...(d.y as number[]))).toBe(y[77_777]);
    expect(Math.min(...(d.y as number[]))).toBe(y[150_001]);
    expect(d.x).toContain(x[0]);
    expect(d.x).toContain(x[n - 1]);

    const short = pageSeriesData({ name: 's', x: [1, 2, 3, 4, 5], y: [10, 20, NaN, 40, 50] });
    // The gap is a null half-way between its neighbours, so uPlot breaks the line there.
    expect(short.x).toEqual([1, 2, 3, 4, 5]);
    expect(short.y).toEqual([10, 20, null, 40, 50]);
    const dropped = pageSeriesData({ name: 's', x: [1, NaN, 3, 5], y: [1, 2, 3, 4] });
    expect(dropped.x).toEqual([1, 2, 3, 5]);
    expect(dropped.y).toEqual([1, null, 3, 4]);
  });
});
