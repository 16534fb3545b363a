// Property: for any configuration and any sequence of finite positive mids at
// increasing, repeated or decreasing timestamps (with clock advances mixed in),
// every reading is a finite, non-negative number, and the rolling sum never
// exceeds the sum of every squared return seen.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import * as L from '../src/wasm/layout.js';

const vol = new WasmVol(instantiateCore('debug'));
const B = 13;

const config = fc.record({
  windowUs: fc.oneof(fc.constant(60_000_000), fc.double({ min: L.VOL_BUCKETS, max: 1e12, noNaN: true })),
  shortTauUs: fc.double({ min: 1e-3, max: 1e9, noNaN: true }),
  longFactor: fc.double({ min: 1, max: 1e4, noNaN: true }),
  jumpBps: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e4, noNaN: true })),
  jumpVolMult: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true })),
});

const mid = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 90, max: 110, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }) },
);
const dtUs = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 2_000_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: -5_000_000, max: -1 }) }, // backwards
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e13, noNaN: true }) }, // long silences
);
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('update' as const), dtUs, mid }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('advance' as const), dtUs }) },
);

function finiteNonNegative(v: number, what: string): void {
  expect(Number.isFinite(v), `${what} = ${v}`).toBe(true);
  expect(v, what).toBeGreaterThanOrEqual(0);
}

describe('volatility readings', () => {
  it('are never NaN, infinite or negative', () => {
    fc.assert(fc.property(config, fc.double({ min: -1e15, max: 1e15, noNaN: true }), fc.array(op, { maxLength: 300 }),
      (c, t0, ops) => {
        vol.configure(B, {
          windowUs: c.windowUs, shortTauUs: c.shortTauUs, longTauUs: c.shortTauUs * c.longFactor,
          jumpBps: c.jumpBps, jumpVolMult: c.jumpVolMult,
        });
        let t = t0;
        let allSq = 0;
        let lastMid = 0;
        for (const o of ops) {
          t = Math.max(-(2 ** 53), Math.min(2 ** 53, t + o.dtUs));
          if (o.k === 'update') {
            const flags = vol.update(B, t, o.mid);
            expect(flags === 0 || flags === L.VOL_FLAG_JUMP).toBe(true);
            if (lastMid > 0) {
              const r = vol.lastReturnBps(B) / 1e4;
              expect(Number.isFinite(r)).toBe(true);
              allSq += r * r;
            }
            lastMid = o.mid;
          } else {
            expect(vol.advance(B, t)).toBe(L.ERR_OK);
          }
          const rolling = vol.rollingBps(B);
          finiteNonNegative(rolling, 'rolling');
          finiteNonNegative(vol.ewmaShortBps(B), 'ewma short');
          finiteNonNegative(vol.ewmaLongBps(B), 'ewma long');
          finiteNonNegative(vol.ratio(B), 'ratio');
          expect(vol.ewmaShortBps(B)).toBeLessThanOrEqual(vol.ewmaLongBps(B) * (1 + 1e-12));
          expect((rolling / 1e4) ** 2).toBeLessThanOrEqual(allSq * (1 + 1e-9) + 1e-300);
        }
      }), { numRuns: 300 });
  });
});
