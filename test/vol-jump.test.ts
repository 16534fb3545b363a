// Price-jump detection: a single return above a bps threshold, or above a multiple
// of the rolling volatility measured before that return.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import * as L from '../src/wasm/layout.js';

const vol = new WasmVol(instantiateCore('debug'));
const B = 2;
const step = (mid: number, bps: number): number => mid * Math.exp(bps / 1e4);

/** 100 returns of alternating +-1 bp at 100 ms: rolling vol 10 bps. Returns [ts, mid]. */
function warm(): [number, number] {
  let mid = 4_000;
  let t = 1_000_000;
  vol.update(B, t, mid);
  for (let i = 0; i < 100; i++) {
    t += 100_000;
    mid = step(mid, i % 2 === 0 ? 1 : -1);
    expect(vol.update(B, t, mid)).toBe(0);
  }
  expect(vol.rollingBps(B)).toBeCloseTo(10, 6);
  return [t, mid];
}

describe('jump flag', () => {
  it('flags a return above jumpBps and not one below, in either direction', () => {
    vol.configure(B, { jumpBps: 50 });
    let mid = 10_000;
    vol.update(B, 0, mid);
    const cases: [number, boolean][] = [[49, false], [51, true], [-49.9, false], [-50.1, true], [0, false], [200, true]];
    let t = 0;
    let jumps = 0;
    for (const [bps, isJump] of cases) {
      mid = step(mid, bps);
      t += 1_000_000;
      const flags = vol.update(B, t, mid);
      expect(flags, `${bps} bps`).toBe(isJump ? L.VOL_FLAG_JUMP : 0);
      expect(WasmVol.isJump(flags)).toBe(isJump);
      if (isJump) jumps++;
      expect(vol.jumps(B)).toBe(jumps);
    }
    expect(jumps).toBe(3);
  });

  it('flags a return above jumpVolMult x the rolling vol before it', () => {
    vol.configure(B, { jumpVolMult: 3 });
    let [t, mid] = warm();
    mid = step(mid, 31); // 31 > 3 x 10
    expect(vol.update(B, t + 100_000, mid)).toBe(L.VOL_FLAG_JUMP);
    expect(vol.jumps(B)).toBe(1);
    // the jump still counts toward the volatility
    expect(vol.rollingBps(B)).toBeCloseTo(Math.sqrt(100 + 31 * 31), 6);

    vol.configure(B, { jumpVolMult: 3 });
    [t, mid] = warm();
    mid = step(mid, -29); // 29 < 3 x 10
    expect(vol.update(B, t + 100_000, mid)).toBe(0);
    expect(vol.jumps(B)).toBe(0);
  });

  it('needs some rolling vol before the multiple applies', () => {
    vol.configure(B, { jumpVolMult: 3 });
    vol.update(B, 0, 100);
    vol.update(B, 1_000_000, 100); // unchanged: rolling stays 0
    expect(vol.update(B, 2_000_000, 150)).toBe(0);
    expect(vol.jumps(B)).toBe(0);
  });

  it('never flags with both thresholds off', () => {
    vol.configure(B, {});
    vol.update(B, 0, 100);
    expect(vol.update(B, 1, 300)).toBe(0);
    expect(vol.update(B, 2, 10)).toBe(0);
    expect(vol.jumps(B)).toBe(0);
  });

  it('flags on either rule when both are set', () => {
    vol.configure(B, { jumpBps: 1_000, jumpVolMult: 3 });
    let [t, mid] = warm();
    mid = step(mid, 40); // under 1000 bps but over 3 x 10
    expect(vol.update(B, (t += 100_000), mid)).toBe(L.VOL_FLAG_JUMP);
    mid = step(mid, -40); // rolling is now ~41 bps: under both
    expect(vol.update(B, (t += 100_000), mid)).toBe(0);
    mid = step(mid, 1_001);
    expect(vol.update(B, (t += 100_000), mid)).toBe(L.VOL_FLAG_JUMP);
    expect(vol.jumps(B)).toBe(2);
  });
});
