import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatNumberTicks, niceTicks, padRange, timeTicks } from '../src/report/index.js';

/** m in {1, 2, 5} with step = m * 10^k, checked through the decimal text of the step. */
function mantissa(step: number): number {
  const [m] = step.toExponential(12).split('e');
  return Number(m);
}

describe('value axis ticks', () => {
  it('uses 1, 2 or 5 x 10^k steps, stays inside the range, and respects the tick budget', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e12, max: 1e12, noNaN: true }),
        fc.double({ min: 1e-9, max: 1e12, noNaN: true }),
        fc.integer({ min: 2, max: 15 }),
        (lo, span, maxTicks) => {
          const hi = lo + span;
          // Ranges narrower than ~1e-9 of their magnitude get end-point ticks (tested below).
          fc.pre(hi > lo && span >= Math.abs(lo) * 1e-9);
          const t = niceTicks({ lo, hi }, maxTicks);
          expect([1, 2, 5]).toContain(mantissa(t.step));
          expect(t.values.length).toBeLessThanOrEqual(maxTicks);
          // A 1/2/5 step at least span/maxTicks and at most 5x that leaves one tick or more.
          expect(t.values.length).toBeGreaterThanOrEqual(1);
          for (const v of t.values) {
            expect(v).toBeGreaterThanOrEqual(lo - span * 1e-9);
            expect(v).toBeLessThanOrEqual(hi + span * 1e-9);
            // Every tick is a whole multiple of the step.
            expect(Math.abs(v / t.step - Math.round(v / t.step))).toBeLessThan(1e-6);
          }
          expect(new Set(t.labels).size).toBe(t.labels.length);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('prints exact decimals for ordinary ranges', () => {
    const t = niceTicks({ lo: 0, hi: 1 }, 6);
    expect(t.step).toBe(0.2);
    expect(t.labels).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(niceTicks({ lo: 59_430, hi: 60_570 }, 6).labels).toEqual(['59600', '59800', '60000', '60200', '60400']);
    expect(niceTicks({ lo: -0.3, hi: 0.3 }, 4).labels).toEqual(['-0.2', '0.0', '0.2']);
  });

  it('switches to exponent labels for huge and tiny magnitudes, all distinct', () => {
    const huge = niceTicks({ lo: -1e300, hi: 1e300 }, 5);
    expect(huge.labels).toContain('0');
    expect(huge.labels.every((l) => l === '0' || /e[+-]\d+$/.test(l))).toBe(true);
    const tiny = niceTicks({ lo: 1e-12, hi: 3e-12 }, 5);
    expect(new Set(tiny.labels).size).toBe(tiny.labels.length);
    expect(tiny.labels.every((l) => /e-1[12]$/.test(l))).toBe(true);
    expect(formatNumberTicks([1.5e12, 2e12], 5e11)).toEqual(['1.5e+12', '2e+12']);
  });

  it('returns promptly with end-point ticks when a range is too narrow for its magnitude', () => {
    const t = niceTicks({ lo: 1e12, hi: 1e12 + 1e-3 }, 5);
    expect(t.values.length).toBeGreaterThanOrEqual(1);
    expect(t.values.length).toBeLessThanOrEqual(5);
    const e = niceTicks({ lo: 1e15, hi: 1e15 + 0.25 }, 5);
    expect(e.values.length).toBeLessThanOrEqual(5);
    expect(new Set(e.labels).size).toBe(e.labels.length);
  });

  it('pads degenerate and empty extents to a drawable range', () => {
    expect(padRange(null, 0.05)).toEqual({ lo: 0, hi: 1 });
    const r = padRange({ lo: 7, hi: 7 }, 0.05);
    expect(r.lo).toBeLessThan(7);
    expect(r.hi).toBeGreaterThan(7);
    expect((r.lo + r.hi) / 2).toBeCloseTo(7, 12);
    const z = padRange({ lo: 0, hi: 0 }, 0.05);
    expect(z).toEqual({ lo: -1, hi: 1 });
    const big = padRange({ lo: -Number.MAX_VALUE, hi: Number.MAX_VALUE }, 0.05);
    expect(Number.isFinite(big.hi - big.lo)).toBe(true);
  });
});

describe('UTC time axis ticks', () => {
  const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);

  it('labels ticks HH:MM:SS in UTC at round steps', () => {
    const t = timeTicks({ lo: t0 + 7_000, hi: t0 + 3_600_000 }, 8);
    expect(t.step).toBe(10 * 60_000);
    expect(t.labels).toEqual(['12:10:00', '12:20:00', '12:30:00', '12:40:00', '12:50:00', '13:00:00']);
    for (let i = 0; i < t.values.length; i++) {
      expect(t.labels[i]).toBe(new Date(t.values[i]!).toISOString().slice(11, 19));
    }
  });

  it('adds milliseconds below one second and dates at midnight for long spans', () => {
    const ms = timeTicks({ lo: t0, hi: t0 + 900 }, 5);
    expect(ms.labels[0]).toBe('12:00:00.000');
    expect(ms.labels).toContain('12:00:00.200');
    const days = timeTicks({ lo: Date.UTC(2024, 4, 1, 5), hi: Date.UTC(2024, 4, 3, 5) }, 8);
    expect(days.step).toBe(6 * 3_600_000);
    expect(days.labels).toContain('2024-05-02');
    expect(days.labels).toContain('06:00:00');
  });

  it('never exceeds the tick budget, for any span from milliseconds to years', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000_000_000 }), fc.double({ min: 1, max: 3e11, noNaN: true }), fc.integer({ min: 2, max: 12 }), (lo, span, n) => {
        const t = timeTicks({ lo, hi: lo + span }, n);
        expect(t.values.length).toBeLessThanOrEqual(n);
        for (let i = 1; i < t.values.length; i++) expect(t.values[i]! - t.values[i - 1]!).toBe(t.step);
        for (const v of t.values) expect(v % t.step).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
