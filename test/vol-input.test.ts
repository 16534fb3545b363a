// Bad input is refused with a negative -ERR_* code and leaves every volatility
// block untouched; odd but valid timing (backwards, repeated) never un-rolls.
import { describe, it, expect, beforeEach } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import * as L from '../src/wasm/layout.js';

const core = instantiateCore('debug');
const vol = new WasmVol(core);
const x = core.exports;
const B = 1;
const VOL_F64 = L.VOL_OFFSET / 8;
const REGION_F64 = L.MAX_BOOKS * L.VOL_STATE_SLOTS;

/** Every f64 of the volatility region (NaN and -Infinity compare as themselves). */
const region = (): number[] => Array.from(core.f64.subarray(VOL_F64, VOL_F64 + REGION_F64));

function withHistory(): void {
  vol.configure(B, { jumpBps: 30, jumpVolMult: 2 });
  const mids = [100, 100.2, 99.9, 100.4, 100.1];
  mids.forEach((m, i) => vol.update(B, 10_000_000 + i * 700_000, m));
}

describe('refused input', () => {
  beforeEach(withHistory);

  const badTimes = [NaN, Infinity, -Infinity, 2 ** 53 + 2, -(2 ** 53) - 2, 1e300];
  const badMids = [0, -0, -1, -1e-300, NaN, Infinity, -Infinity];

  it('volUpdate: bad timestamp -> -ERR_BAD_TIME, state unchanged', () => {
    for (const ts of badTimes) {
      const before = region();
      expect(vol.update(B, ts, 100.3), String(ts)).toBe(-L.ERR_BAD_TIME);
      expect(region()).toEqual(before);
    }
  });

  it('volUpdate: bad mid -> -ERR_BAD_PRICE, state unchanged', () => {
    for (const mid of badMids) {
      const before = region();
      expect(vol.update(B, 20_000_000, mid), String(mid)).toBe(-L.ERR_BAD_PRICE);
      expect(region()).toEqual(before);
    }
    expect(vol.samples(B)).toBe(5);
  });

  it('bad book index -> -ERR_BAD_BOOK everywhere, readers NaN', () => {
    for (const book of [-1, L.MAX_BOOKS, L.MAX_BOOKS + 7, 2 ** 31 - 1]) {
      const before = region();
      expect(x.volUpdate(book, 20_000_000, 100)).toBe(-L.ERR_BAD_BOOK);
      expect(x.volAdvance(book, 20_000_000)).toBe(-L.ERR_BAD_BOOK);
      expect(x.volReset(book)).toBe(-L.ERR_BAD_BOOK);
      expect(x.volConfigure(book, 60e6, 10e6, 300e6, 0, 0)).toBe(-L.ERR_BAD_BOOK);
      expect(region()).toEqual(before);
      for (const read of [x.volRollingBps, x.volEwmaShortBps, x.volEwmaLongBps, x.volRatio,
        x.volLastReturnBps, x.volSamples, x.volJumps]) {
        expect(read(book)).toBeNaN();
      }
      expect(vol.clockUs(book)).toBeNaN();
    }
  });

  it('volAdvance: bad timestamp -> -ERR_BAD_TIME, state unchanged', () => {
    for (const ts of badTimes) {
      const before = region();
      expect(vol.advance(B, ts), String(ts)).toBe(-L.ERR_BAD_TIME);
      expect(region()).toEqual(before);
    }
  });

  it('volConfigure: out-of-range parameters -> -ERR_BAD_PARAM, state unchanged', () => {
    const ok = [60e6, 10e6, 300e6, 0, 0];
    const bad: [number, number][] = [
      [0, 0], [0, -1], [0, L.VOL_BUCKETS - 1], [0, NaN], [0, Infinity], [0, 2 ** 53 + 2],
      [1, 0], [1, -5], [1, NaN], [1, 300e6 + 1],
      [2, Infinity], [2, NaN], [2, 5e6],
      [3, -1], [3, NaN], [3, Infinity],
      [4, -0.5], [4, NaN], [4, Infinity],
    ];
    for (const [i, v] of bad) {
      const args = [...ok];
      args[i] = v;
      const before = region();
      expect(x.volConfigure(B, args[0]!, args[1]!, args[2]!, args[3]!, args[4]!), `arg ${i} = ${v}`).toBe(-L.ERR_BAD_PARAM);
      expect(region()).toEqual(before);
    }
    // the edges that are allowed
    expect(x.volConfigure(B, L.VOL_BUCKETS, 1e-9, 1e-9, 0, 0)).toBe(L.ERR_OK);
    expect(x.volConfigure(B, 2 ** 53, 5, 1e300, 1e300, 1e300)).toBe(L.ERR_OK);
  });
});

describe('timing', () => {
  beforeEach(() => { vol.configure(B, {}); });

  it('a timestamp earlier than the clock counts as dt = 0 and never un-rolls', () => {
    vol.update(B, 100_000_000, 100);
    vol.update(B, 110_000_000, 101);
    const short = vol.ewmaShortBps(B);
    const r2 = Math.log(101 / 100) ** 2;
    const back = Math.log(100.5 / 101);
    expect(vol.update(B, 50_000_000, 100.5)).toBe(0);
    expect(vol.clockUs(B)).toBe(110_000_000);
    // added without any decay, to the current bucket
    expect(vol.ewmaShortBps(B)).toBeCloseTo(Math.sqrt((short / 1e4) ** 2 + back * back) * 1e4, 9);
    expect(vol.rollingBps(B)).toBeCloseTo(Math.sqrt(r2 + back * back) * 1e4, 9);
    // and it leaves the window with the current bucket, not earlier
    vol.advance(B, 110_000_000 + 59_000_000);
    expect(vol.rollingBps(B)).toBeGreaterThan(0);
    vol.advance(B, 110_000_000 + 60_000_000);
    expect(vol.rollingBps(B)).toBe(0);
    // advancing backwards changes nothing
    const before = region();
    expect(vol.advance(B, 1)).toBe(L.ERR_OK);
    expect(region()).toEqual(before);
  });

  it('several mids at one timestamp all count', () => {
    vol.update(B, 5_000_000, 100);
    vol.update(B, 5_000_000, 102);
    vol.update(B, 5_000_000, 101);
    const expected = Math.sqrt(Math.log(1.02) ** 2 + Math.log(101 / 102) ** 2) * 1e4;
    expect(vol.rollingBps(B)).toBeCloseTo(expected, 9);
    expect(vol.ewmaShortBps(B)).toBeCloseTo(expected, 9);
    expect(vol.ratio(B)).toBeCloseTo(1, 12); // no elapsed time: short and long weigh alike
  });

  it('works with negative timestamps and across zero', () => {
    vol.update(B, -30_000_000, 100);
    vol.update(B, -1, 101);
    vol.update(B, 1, 100);
    expect(vol.rollingBps(B)).toBeCloseTo(Math.sqrt(Math.log(1.01) ** 2 + Math.log(100 / 101) ** 2) * 1e4, 9);
    vol.advance(B, 60_000_000);
    expect(vol.rollingBps(B)).toBe(0);
  });

  it('mids hundreds of decades apart give a finite return', () => {
    vol.update(B, 0, 1e-300);
    expect(vol.update(B, 1, 1e300)).toBe(0);
    expect(vol.lastReturnBps(B)).toBeCloseTo(Math.log(1e300) * 2 * 1e4, 3);
    expect(Number.isFinite(vol.rollingBps(B))).toBe(true);
  });
});
