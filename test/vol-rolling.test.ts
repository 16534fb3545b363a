// Rolling window volatility: sqrt(sum of squared log returns) over the window,
// in bps, with returns leaving the window as the clock passes them.
import { describe, it, expect, beforeEach } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import * as L from '../src/wasm/layout.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const vol = new WasmVol(instantiateCore('debug'));
const B = 5;
const W = 60_000_000;
const WIDTH = W / L.VOL_BUCKETS;

function relClose(actual: number, expected: number, rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);
}


describe('rolling volatility', () => {
  beforeEach(() => { vol.configure(B, { windowUs: W }); });

  it('is exactly 0 for a constant mid', () => {
    for (let i = 0; i < 2_000; i++) expect(vol.update(B, 1_000_000 + i * 37_000, 12_345.5)).toBe(0);
    expect(vol.rollingBps(B)).toBe(0);
    expect(vol.ewmaShortBps(B)).toBe(0);
    expect(vol.ewmaLongBps(B)).toBe(0);
    expect(vol.lastReturnBps(B)).toBe(0);
    expect(vol.samples(B)).toBe(2_000);
  });

  it('equals sqrt(sum r^2) * 1e4 for a known sequence inside one window', () => {
    const mids = [100, 101, 99.5, 102, 102, 98, 100.25, 100.3, 97.1];
    let sum = 0;
    mids.forEach((m, i) => {
      expect(vol.update(B, 2_000_000 + i * 1_500_000, m)).toBe(0);
      if (i > 0) {
        const r = Math.log(m / mids[i - 1]!);
        sum += r * r;
        relClose(vol.lastReturnBps(B), r * 1e4);
      }
      relClose(vol.rollingBps(B), Math.sqrt(sum) * 1e4);
    });
    expect(vol.rollingBps(B)).toBeGreaterThan(0);
  });

  it('keeps a return for window - bucket width and drops it after one window', () => {
    const r = rng(7);
    for (let k = 0; k < 40; k++) {
      vol.configure(B, { windowUs: W });
      const t0 = Math.floor(r() * 1e12);
      const t1 = t0 + Math.floor(r() * 5e6);
      vol.update(B, t0, 1000);
      vol.update(B, t1, 1010);
      const expected = Math.abs(Math.log(1.01)) * 1e4;
      relClose(vol.rollingBps(B), expected);
      vol.advance(B, t1 + W - WIDTH - 1);
      relClose(vol.rollingBps(B), expected);
      vol.advance(B, t1 + W);
      expect(vol.rollingBps(B)).toBe(0);
    }
  });

  it('drops only the returns that left the window', () => {
    vol.update(B, 0, 100);
    vol.update(B, 1_000_000, 103); // large, early
    vol.update(B, 31_000_000, 103.1); // small, 30 s later
    const small = Math.log(103.1 / 103);
    const large = Math.log(1.03);
    relClose(vol.rollingBps(B), Math.sqrt(small * small + large * large) * 1e4);
    vol.advance(B, 1_000_000 + W);
    relClose(vol.rollingBps(B), Math.abs(small) * 1e4);
    // an unchanged mid moves the clock just like advance()
    vol.update(B, 31_000_000 + W, 103.1);
    expect(vol.rollingBps(B)).toBe(0);
  });

  it('matches an independent bucket-rule reference over a long random path', () => {
    // The documented rule: a return at time t is in the window at clock u while
    // floor(u / width) - floor(t / width) < VOL_BUCKETS.
    const r = rng(42);
    const kept: { bucket: number; r2: number }[] = [];
    let ts = 5_000_000;
    let mid = 2_500;
    vol.update(B, ts, mid);
    for (let i = 0; i < 20_000; i++) {
      const gap = r() < 0.01 ? r() * 90e6 : r() * 200_000; // mostly busy, sometimes long silences
      ts = Math.floor(ts + gap);
      const next = mid * Math.exp((r() - 0.5) * 2e-3);
      vol.update(B, ts, next);
      const lr = Math.log(next / mid);
      mid = next;
      const now = Math.floor(ts / WIDTH);
      kept.push({ bucket: now, r2: lr * lr });
      while (kept.length > 0 && now - kept[0]!.bucket >= L.VOL_BUCKETS) kept.shift();
      if (i % 97 === 0) {
        const ref = Math.sqrt(kept.reduce((s, k) => s + k.r2, 0)) * 1e4;
        relClose(vol.rollingBps(B), ref, 1e-9);
      }
    }
  });
});
