// Pacing: recorded pace x speed, or as fast as possible; order always kept.
import { describe, it, expect } from 'vitest';
import { pace, parseSpeed, type Paced } from '../src/feed/recording/index.js';
import { SpreadcoreError } from '../src/errors.js';

const items = (n: number, stepNs: number): Paced<number>[] => Array.from({ length: n }, (_, i) => ({ offsetNs: 5e9 + i * stepNs, item: i }));

describe('pace', () => {
  it('max speed emits everything in order without waiting for the recorded times', async () => {
    const got: number[] = [];
    const t0 = performance.now();
    expect(await pace(items(1000, 1e9), 'max', (x) => got.push(x))).toBe(1000);
    expect(got).toEqual([...Array(1000).keys()]);
    expect(performance.now() - t0).toBeLessThan(10_000); // 1000 s of recording did not take 1000 s
  });

  it('speed 10 spreads 300 ms of recording over at least 30 ms, each item not before it is due', async () => {
    const due: number[] = [];
    const start = performance.now();
    await pace(items(31, 10e6), 10, (x) => due.push(performance.now() - start - x * 1.0));
    // item i is due at i * 1 ms; it may be late (a loaded machine) but never early
    for (const lateness of due) expect(lateness).toBeGreaterThanOrEqual(-0.5);
  });

  it('an abort stops the replay', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const n = await pace(items(100, 50e6), 1, () => undefined, ac.signal);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(100);
  });

  it.each([['1', 1], ['10', 10], ['0.5', 0.5], ['max', 'max']])('parses --speed %s', (s, v) => expect(parseSpeed(s)).toBe(v));
  it.each(['0', '-1', 'fast', '', '1e3', 'Infinity', 'NaN'])('refuses --speed %j', (s) => {
    expect(() => parseSpeed(s)).toThrow(SpreadcoreError);
  });
});
