// CrossedBookWatch on a clock the test moves (check() called by hand, no timer): a book crossed
// for less than the wait is left alone; one crossed for the wait is resynced; the wait doubles
// while the book is crossed again after its resync, up to the cap, and starts over once the book
// is seen uncrossed; a book with nothing to judge stops the clock; a resync that could not be
// asked for is tried again at the next check.
import { describe, expect, it } from 'vitest';
import { CrossedBookWatch, type CrossedResync, type CrossedTop } from '../src/venues/crossed-book-watch.js';

function rig(o: { initialMs?: number; maxMs?: number; accept?: () => boolean } = {}): {
  watch: CrossedBookWatch; resyncs: CrossedResync[]; at: (ms: number, top: CrossedTop | null | undefined) => void;
} {
  let now = 0;
  let top: CrossedTop | null | undefined = null;
  const resyncs: CrossedResync[] = [];
  const watch = new CrossedBookWatch({
    ...(o.initialMs !== undefined ? { initialMs: o.initialMs } : {}), ...(o.maxMs !== undefined ? { maxMs: o.maxMs } : {}),
    markets: () => ['M'], crossedTop: () => top, nowMs: () => now,
    resync: (r) => { if (o.accept !== undefined && !o.accept()) return false; resyncs.push(r); return true; },
  });
  return { watch, resyncs, at: (ms, t) => { now = ms; top = t; watch.check(); } };
}

const X: CrossedTop = { bid: '0.50', ask: '0.47' };

describe('CrossedBookWatch', () => {
  it('leaves a crossing shorter than the wait alone, and resyncs one that lasts it', () => {
    const { watch, resyncs, at } = rig();
    at(0, X); at(500, X); at(900, null); at(1000, X); at(1900, X);
    expect(resyncs).toEqual([]);
    at(2000, X);
    expect(resyncs).toEqual([{ market: 'M', crossedMs: 1000, waitMs: 1000, bid: '0.50', ask: '0.47' }]);
    expect(watch.resyncs).toBe(1);
  });

  it('doubles the wait while the book stays crossed after its resyncs, up to 60 s, and starts over once it is uncrossed', () => {
    const { resyncs, at } = rig();
    let t = 0;
    at(t, X);
    for (let i = 0; i < 9; i++) { t += 250; while (resyncs.length === i) { at(t, X); t += 250; } }
    expect(resyncs.map((r) => r.waitMs)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    at(t, null);
    at(t + 250, X);
    at(t + 1250, X);
    expect(resyncs.at(-1)).toMatchObject({ waitMs: 1000 });
  });

  it('stops the clock while there is no book to judge, keeping the wait', () => {
    const { resyncs, at } = rig({ initialMs: 100, maxMs: 400 });
    at(0, X); at(100, X);
    expect(resyncs.map((r) => r.waitMs)).toEqual([100]);
    at(150, undefined); at(200, X); at(350, X);
    expect(resyncs).toHaveLength(1);
    at(400, X);
    expect(resyncs.map((r) => r.waitMs)).toEqual([100, 200]);
  });

  it('tries a resync that could not be asked for again at the next check', () => {
    let ok = false;
    const { watch, resyncs, at } = rig({ accept: () => ok });
    at(0, X); at(1000, X);
    expect(watch.resyncs).toBe(0);
    ok = true;
    at(1250, X);
    expect(resyncs).toMatchObject([{ waitMs: 1000, crossedMs: 1250 }]);
  });

  it('refuses a cap below the first wait', () => {
    expect(() => new CrossedBookWatch({ initialMs: 2000, maxMs: 1000, markets: () => [], crossedTop: () => null, resync: () => true })).toThrow(/maxMs must be a number >= initialMs/);
  });
});
