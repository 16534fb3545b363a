// EWMA realized variance: S <- S * exp(-dt / tau) + r^2, and the short/long ratio.
import { describe, it, expect, beforeEach } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol } from '../src/wasm/vol-api.js';

const vol = new WasmVol(instantiateCore('debug'));
const B = 9;
const TS = 10_000_000; // short tau, us
const TL = 300_000_000; // long tau, us

function relClose(actual: number, expected: number, rel = 1e-12): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/** Mid after a log return of `bps`. */
const step = (mid: number, bps: number): number => mid * Math.exp(bps / 1e4);

describe('EWMA volatility', () => {
  beforeEach(() => { vol.configure(B, { shortTauUs: TS, longTauUs: TL }); });

  it('decays by exactly exp(-dt / tau) between updates', () => {
    vol.update(B, 0, 500);
    vol.update(B, 1_000_000, 505);
    const r = Math.log(505 / 500);
    relClose(vol.ewmaShortBps(B), Math.abs(r) * 1e4);
    relClose(vol.ewmaLongBps(B), Math.abs(r) * 1e4);
    let t = 1_000_000;
    for (const dt of [1, 250_000, 3_000_000, 17_000_000, 600_000_000]) {
      t += dt;
      vol.advance(B, t);
      const age = t - 1_000_000;
      // vol is sqrt(S): decays by exp(-age / (2 tau))
      relClose(vol.ewmaShortBps(B), Math.abs(r) * 1e4 * Math.exp(-age / TS / 2));
      relClose(vol.ewmaLongBps(B), Math.abs(r) * 1e4 * Math.exp(-age / TL / 2));
    }
  });

  it('is the exponentially weighted sum of squared returns', () => {
    const times = [0, 400_000, 2_100_000, 2_100_000, 9_000_000, 30_000_000, 31_000_000];
    const mids = [80, 80.4, 79.9, 80.05, 81, 80.2, 80.25];
    mids.forEach((m, i) => vol.update(B, times[i]!, m));
    const now = 45_000_000;
    vol.advance(B, now);
    let ss = 0;
    let sl = 0;
    for (let i = 1; i < mids.length; i++) {
      const r2 = Math.log(mids[i]! / mids[i - 1]!) ** 2;
      ss += r2 * Math.exp(-(now - times[i]!) / TS);
      sl += r2 * Math.exp(-(now - times[i]!) / TL);
    }
    relClose(vol.ewmaShortBps(B), Math.sqrt(ss) * 1e4, 1e-10);
    relClose(vol.ewmaLongBps(B), Math.sqrt(sl) * 1e4, 1e-10);
  });

  it('ratio is 1 before any return and exactly 1 with equal time constants', () => {
    expect(vol.ratio(B)).toBe(1);
    vol.update(B, 0, 100);
    vol.advance(B, 5_000_000);
    expect(vol.ratio(B)).toBe(1);
    vol.configure(B, { shortTauUs: TL, longTauUs: TL });
    let mid = 100;
    for (let i = 0; i < 500; i++) {
      mid = step(mid, (i % 7) - 3);
      vol.update(B, i * 333_000, mid);
      relClose(vol.ratio(B), 1, 1e-12);
    }
  });

  it('ratio stays near 1 for steady returns from the very first one', () => {
    let mid = 1_000;
    vol.update(B, 0, mid);
    for (let i = 1; i <= 36_000; i++) { // 60 minutes (12 long time constants) at 100 ms
      mid = step(mid, i % 2 === 0 ? 1 : -1);
      vol.update(B, i * 100_000, mid);
      if (i % 50 === 0) {
        expect(vol.ratio(B)).toBeGreaterThan(0.99);
        expect(vol.ratio(B)).toBeLessThan(1.01);
      }
    }
    // once warm (history >> tau_long) the ratio is sqrt((S_short / tau_short) / (S_long / tau_long))
    const sShort = (vol.ewmaShortBps(B) / 1e4) ** 2;
    const sLong = (vol.ewmaLongBps(B) / 1e4) ** 2;
    relClose(vol.ratio(B), Math.sqrt((sShort / TS) / (sLong / TL)), 1e-5);
  });

  it('ratio rises when recent returns are larger, then falls back when they calm', () => {
    let mid = 1_000;
    let t = 0;
    vol.update(B, t, mid);
    for (let i = 0; i < 6_000; i++) { // 10 minutes of 1 bp returns
      t += 100_000;
      mid = step(mid, i % 2 === 0 ? 1 : -1);
      vol.update(B, t, mid);
    }
    const calm = vol.ratio(B);
    expect(calm).toBeGreaterThan(0.98);
    expect(calm).toBeLessThan(1.02);
    for (let i = 0; i < 100; i++) { // 10 s of 5 bp returns
      t += 100_000;
      mid = step(mid, i % 2 === 0 ? 5 : -5);
      vol.update(B, t, mid);
    }
    const excited = vol.ratio(B);
    expect(excited).toBeGreaterThan(2.5);
    for (let i = 0; i < 600; i++) { // 60 s of 1 bp again
      t += 100_000;
      mid = step(mid, i % 2 === 0 ? 1 : -1);
      vol.update(B, t, mid);
    }
    expect(vol.ratio(B)).toBeLessThan(1);
  });

  it('ratio follows the warm-up formula with the kernel mass since the first mid', () => {
    const t0 = 7_000_000;
    let mid = 250;
    vol.update(B, t0, mid);
    const pts = [[t0 + 500_000, 3], [t0 + 2_000_000, -8], [t0 + 2_600_000, 2], [t0 + 40_000_000, 6]] as const;
    for (const [t, bps] of pts) { mid = step(mid, bps); vol.update(B, t, mid); }
    const now = t0 + 55_000_000;
    vol.advance(B, now);
    const elapsed = now - t0;
    const mass = (tau: number): number => tau * -Math.expm1(-elapsed / tau);
    const sShort = (vol.ewmaShortBps(B) / 1e4) ** 2;
    const sLong = (vol.ewmaLongBps(B) / 1e4) ** 2;
    relClose(vol.ratio(B), Math.sqrt((sShort / mass(TS)) / (sLong / mass(TL))), 1e-9);
  });

  it('does not decay when time goes backwards', () => {
    vol.update(B, 50_000_000, 100);
    vol.update(B, 60_000_000, 101);
    const s = vol.ewmaShortBps(B);
    vol.advance(B, 40_000_000);
    expect(vol.ewmaShortBps(B)).toBe(s);
    expect(vol.clockUs(B)).toBe(60_000_000);
  });
});
