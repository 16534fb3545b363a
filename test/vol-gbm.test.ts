// Statistical check: on a simulated geometric Brownian motion with known sigma,
// the rolling 60 s volatility is close to sigma * sqrt(60 s) and the EWMA ratio
// is close to 1. The path comes from a seeded PRNG, so every run is identical.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const vol = new WasmVol(instantiateCore('debug'));
const B = 11;

/** Standard normals by Box-Muller. */
function normals(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

describe('geometric Brownian motion', () => {
  for (const [sigmaPerSqrtS, dtUs, seed] of [[2e-4, 50_000, 1], [1e-3, 250_000, 2], [5e-5, 20_000, 3]] as const) {
    it(`sigma ${sigmaPerSqrtS}/sqrt(s) sampled every ${dtUs / 1000} ms`, () => {
      vol.configure(B, { windowUs: 60_000_000, shortTauUs: 10_000_000, longTauUs: 300_000_000 });
      const z = normals(seed);
      const dtS = dtUs / 1e6;
      const expectedBps = sigmaPerSqrtS * Math.sqrt(60) * 1e4;
      let mid = 30_000;
      let t = 1_700_000_000_000_000; // a realistic epoch timestamp in us
      vol.update(B, t, mid);
      const steps = Math.round(900 / dtS); // 15 minutes
      let sumSq = 0;
      let checks = 0;
      let worst = 0;
      for (let i = 1; i <= steps; i++) {
        t += dtUs;
        mid *= Math.exp(sigmaPerSqrtS * Math.sqrt(dtS) * z() - 0.5 * sigmaPerSqrtS ** 2 * dtS);
        expect(vol.update(B, t, mid)).toBe(0);
        if (i * dtS > 60 && i % Math.round(1 / dtS) === 0) { // once a second after the first minute
          const v = vol.rollingBps(B);
          worst = Math.max(worst, Math.abs(v / expectedBps - 1));
          sumSq += v * v;
          checks++;
        }
      }
      expect(checks).toBeGreaterThan(800);
      // sqrt of a chi-square with n degrees of freedom: relative sd about 1 / sqrt(2n)
      const returnsPerWindow = 60 / dtS;
      expect(worst).toBeLessThan(5 / Math.sqrt(2 * returnsPerWindow));
      // the mean of squares averages ~14 independent windows
      expect(Math.sqrt(sumSq / checks) / expectedBps).toBeGreaterThan(0.95);
      expect(Math.sqrt(sumSq / checks) / expectedBps).toBeLessThan(1.05);
      // the EWMAs estimate the same process over their own horizons
      expect(vol.ewmaLongBps(B) / (sigmaPerSqrtS * Math.sqrt(300) * 1e4)).toBeGreaterThan(0.85);
      expect(vol.ewmaLongBps(B) / (sigmaPerSqrtS * Math.sqrt(300) * 1e4)).toBeLessThan(1.15);
      expect(vol.ratio(B)).toBeGreaterThan(0.6);
      expect(vol.ratio(B)).toBeLessThan(1.5);
    });
  }
});
