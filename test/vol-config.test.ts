// Configuration: defaults at start and after reset, configure clears history,
// books are independent, and the TS wrapper's errors.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol, VOL_DEFAULTS } from '../src/wasm/vol-api.js';
import { SpreadcoreError } from '../src/errors.js';
import * as L from '../src/wasm/layout.js';

const core = instantiateCore('debug');
const vol = new WasmVol(core);
const block = (book: number): number[] => {
  const b = L.VOL_OFFSET / 8 + book * L.VOL_STATE_SLOTS;
  return Array.from(core.f64.subarray(b, b + L.VOL_STATE_SLOTS));
};

describe('volatility configuration', () => {
  it('every book starts in the default configuration with no history', () => {
    const fresh = new WasmVol(instantiateCore('debug'));
    for (let b = 0; b < L.MAX_BOOKS; b++) {
      expect(fresh.config(b)).toEqual(VOL_DEFAULTS);
      expect(fresh.clockUs(b)).toBe(-Infinity);
      expect(fresh.samples(b)).toBe(0);
      expect(fresh.ratio(b)).toBe(1);
    }
    // usable without configure()
    fresh.update(0, 0, 100);
    fresh.update(0, 1_000_000, 101);
    expect(fresh.rollingBps(0)).toBeCloseTo(Math.log(1.01) * 1e4, 9);
  });

  it('configure stores the values and clears the history', () => {
    const c = { windowUs: 30_000_000, shortTauUs: 2_000_000, longTauUs: 20_000_000, jumpBps: 25, jumpVolMult: 4 };
    vol.update(4, 0, 100);
    vol.update(4, 1_000, 120);
    expect(vol.rollingBps(4)).toBeGreaterThan(0);
    vol.configure(4, c);
    expect(vol.config(4)).toEqual(c);
    expect(vol.rollingBps(4)).toBe(0);
    expect(vol.ewmaShortBps(4)).toBe(0);
    expect(vol.ewmaLongBps(4)).toBe(0);
    expect(vol.samples(4)).toBe(0);
    expect(vol.jumps(4)).toBe(0);
    expect(vol.lastMid(4)).toBe(0);
    expect(vol.clockUs(4)).toBe(-Infinity);
    // the window is really 30 s now
    vol.update(4, 0, 100);
    vol.update(4, 1, 101);
    vol.advance(4, 30_000_001);
    expect(vol.rollingBps(4)).toBe(0);
  });

  it('missing fields take the defaults; reset() restores every default', () => {
    vol.configure(6, { jumpBps: 12 });
    expect(vol.config(6)).toEqual({ ...VOL_DEFAULTS, jumpBps: 12 });
    vol.update(6, 0, 10);
    vol.update(6, 10, 11);
    expect(vol.reset(6)).toBe(L.ERR_OK);
    expect(vol.config(6)).toEqual(VOL_DEFAULTS);
    expect(vol.samples(6)).toBe(0);
    expect(vol.reset(-1)).toBe(-L.ERR_BAD_BOOK);
  });

  it('clear() drops the history and keeps the configuration', () => {
    vol.configure(7, { windowUs: 5_000_000, jumpVolMult: 2.5 });
    vol.update(7, 0, 10);
    vol.update(7, 10, 11);
    expect(vol.clear(7)).toBe(L.ERR_OK);
    expect(vol.config(7)).toEqual({ ...VOL_DEFAULTS, windowUs: 5_000_000, jumpVolMult: 2.5 });
    expect(vol.samples(7)).toBe(0);
    expect(vol.rollingBps(7)).toBe(0);
    expect(vol.clear(L.MAX_BOOKS)).toBe(-L.ERR_BAD_BOOK);
  });

  it('configure throws coded errors and changes nothing on refusal', () => {
    vol.configure(8, { windowUs: 10_000_000 });
    vol.update(8, 0, 50);
    const before = block(8);
    const attempts: [number, object, string][] = [
      [8, { windowUs: 0 }, 'SPREADCORE_ERR_BAD_PARAM'],
      [8, { shortTauUs: 400_000_000 }, 'SPREADCORE_ERR_BAD_PARAM'],
      [8, { jumpBps: -1 }, 'SPREADCORE_ERR_BAD_PARAM'],
      [8, { jumpVolMult: NaN }, 'SPREADCORE_ERR_BAD_PARAM'],
      [L.MAX_BOOKS, {}, 'SPREADCORE_ERR_BAD_BOOK'],
    ];
    for (const [book, cfg, code] of attempts) {
      let caught: unknown;
      try { vol.configure(book, cfg); } catch (e) { caught = e; }
      expect(caught, JSON.stringify(cfg)).toBeInstanceOf(SpreadcoreError);
      expect((caught as SpreadcoreError).code).toBe(code);
      expect(block(8)).toEqual(before);
    }
  });

  it('books are independent', () => {
    vol.configure(20, {});
    vol.configure(21, {});
    const other = block(21);
    for (let i = 0; i < 500; i++) vol.update(20, i * 150_000, 100 + Math.sin(i));
    vol.advance(20, 1e12);
    expect(block(21)).toEqual(other);
  });

  it('counts accepted mids, first included, and not refused ones', () => {
    vol.configure(9, {});
    vol.update(9, 0, 100);
    vol.update(9, 1, 100);
    vol.update(9, 2, NaN);
    vol.update(9, NaN, 100);
    vol.update(9, 3, 101);
    expect(vol.samples(9)).toBe(3);
    expect(vol.lastMid(9)).toBe(101);
  });

  it('isJump ignores error codes', () => {
    expect(WasmVol.isJump(L.VOL_FLAG_JUMP)).toBe(true);
    expect(WasmVol.isJump(0)).toBe(false);
    expect(WasmVol.isJump(-L.ERR_BAD_BOOK)).toBe(false); // -1 has every bit set
  });
});
