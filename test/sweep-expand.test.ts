// Grid expansion (count and order) and seeded random sampling (same seed → same samples).
import { describe, expect, it } from 'vitest';
import { expandGrid, gridValues, sampleRandom } from '../src/sweep/expand.js';
import { parseSweepSpace } from '../src/sweep/space.js';

describe('grid expansion', () => {
  it('has the product of the axis sizes, the last axis varying fastest', () => {
    const space = parseSweepSpace({ spread_bps: [2, 4, 8], quote_levels: [1, 3], fair_value: ['mid', 'microprice'] });
    const points = expandGrid(space);
    expect(points).toHaveLength(3 * 2 * 2);
    expect(points.map((p) => p.index)).toEqual([...Array(12).keys()]);
    expect(points.slice(0, 5).map((p) => p.values)).toEqual([
      [2, 1, 'mid'], [2, 1, 'microprice'], [2, 3, 'mid'], [2, 3, 'microprice'], [4, 1, 'mid'],
    ]);
    expect(points[11]!.values).toEqual([8, 3, 'microprice']);
    // every combination exactly once
    expect(new Set(points.map((p) => JSON.stringify(p.values))).size).toBe(12);
  });

  it('steps ranges exactly on the decimals, ends included', () => {
    const [axis] = parseSweepSpace({ order_size: { min: 0.001, max: 0.01, step: 0.001 } }).axes;
    expect(gridValues(axis!)).toEqual([0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.01]);
    const [uneven] = parseSweepSpace({ spread_bps: { min: 0.1, max: 1, step: 0.3 } }).axes;
    expect(gridValues(uneven!)).toEqual([0.1, 0.4, 0.7, 1]);
    const [short] = parseSweepSpace({ spread_bps: { min: 1, max: 2, step: 0.4 } }).axes;
    expect(gridValues(short!)).toEqual([1, 1.4, 1.8]);
  });

  it('counted ranges: linear and geometric, integer parameters rounded without repeats', () => {
    const [lin] = parseSweepSpace({ k: { min: 1, max: 2, count: 5 } }).axes;
    expect(gridValues(lin!)).toEqual([1, 1.25, 1.5, 1.75, 2]);
    const [geo] = parseSweepSpace({ k: { min: 1, max: 1000, count: 4, log: true } }).axes;
    expect(gridValues(geo!)).toEqual([1, 10, 100, 1000]);
    const [int] = parseSweepSpace({ quote_levels: { min: 1, max: 3, count: 5 } }).axes;
    expect(gridValues(int!)).toEqual([1, 2, 3]);
    const [intStep] = parseSweepSpace({ quote_levels: { min: 2, max: 5 } }).axes;
    expect(gridValues(intStep!)).toEqual([2, 3, 4, 5]);
  });
});

describe('random search', () => {
  const json = {
    spread_bps: { min: 1, max: 50, log: true },
    order_size: { min: 0.001, max: 0.01, step: 0.001 },
    quote_levels: { min: 1, max: 5 },
    fair_value: ['mid', 'microprice'],
  };

  it('gives the same samples for the same seed, other samples for another seed', () => {
    const a = sampleRandom(parseSweepSpace(json), 40, 7);
    const b = sampleRandom(parseSweepSpace(json), 40, 7);
    const c = sampleRandom(parseSweepSpace(json), 40, 8);
    expect(a).toEqual(b);
    expect(a).toHaveLength(40);
    expect(c).not.toEqual(a);
    // asking for fewer gives a prefix: the draws do not depend on the count
    expect(sampleRandom(parseSweepSpace(json), 10, 7)).toEqual(a.slice(0, 10));
  });

  it('stays within the ranges, on the step grid, integers whole, log-uniform', () => {
    const points = sampleRandom(parseSweepSpace(json), 400, 3);
    let belowSeven = 0;
    for (const { values: [spread, size, levels, fair] } of points) {
      expect(spread).toBeGreaterThanOrEqual(1);
      expect(spread).toBeLessThanOrEqual(50);
      if ((spread as number) < Math.sqrt(50)) belowSeven++;
      expect(Math.round((size as number) * 1000) / 1000).toBe(size);
      expect(size).toBeGreaterThanOrEqual(0.001);
      expect(size).toBeLessThanOrEqual(0.01);
      expect(Number.isInteger(levels)).toBe(true);
      expect(['mid', 'microprice']).toContain(fair);
    }
    // log-uniform on [1, 50]: half the mass below √50 ≈ 7.07 (a uniform draw would put ~12% there)
    expect(belowSeven / points.length).toBeGreaterThan(0.4);
    expect(belowSeven / points.length).toBeLessThan(0.6);
  });

  it('gives distinct points, and no more than a small discrete space holds', () => {
    const points = sampleRandom(parseSweepSpace({ spread_bps: [1, 2, 3], quote_levels: [1, 2] }), 50, 1);
    expect(points).toHaveLength(6);
    expect(new Set(points.map((p) => JSON.stringify(p.values))).size).toBe(6);
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
