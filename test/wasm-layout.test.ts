import { describe, it, expect } from 'vitest';
import * as L from '../src/wasm/layout.js';
import { instantiateCore } from '../src/wasm/load.js';

describe('memory map', () => {
  for (const target of ['debug', 'release'] as const) {
    it(`TS mirror equals every constant exported by ${target}.wasm`, () => {
      const core = instantiateCore(target);
      const exported = core.exports as unknown as Record<string, unknown>;
      const names = Object.keys(L);
      expect(names.length).toBeGreaterThan(100);
      for (const name of names) {
        const g = exported[name] as WebAssembly.Global | undefined;
        expect(g, `${name} is not exported by the module`).toBeDefined();
        expect(g!.value, name).toBe((L as Record<string, number>)[name]);
      }
      // and the other way round: every exported global is mirrored
      for (const [name, v] of Object.entries(exported)) {
        if (v instanceof WebAssembly.Global) expect(names, `${name} missing from src/wasm/layout.ts`).toContain(name);
      }
    });
  }

  it('regions do not overlap and the static data sits above them', () => {
    const core = instantiateCore('debug');
    const regions: [string, number, number][] = [
      ['staging', L.STAGING_OFFSET, L.STAGING_BYTES],
      ['depth', L.DEPTH_OUT_OFFSET, L.DEPTH_OUT_BYTES],
      ['quote params', L.QUOTE_PARAMS_OFFSET, L.QUOTE_PARAMS_BYTES],
      ['quote out', L.QUOTE_OUT_OFFSET, L.QUOTE_OUT_BYTES],
      ['vol', L.VOL_OFFSET, L.VOL_BYTES],
      ['scratch', L.SCRATCH_OFFSET, L.SCRATCH_BYTES],
      ['books', L.BOOKS_OFFSET, L.BOOKS_BYTES],
      ['monte-carlo steps', L.MC_STEPS_OFFSET, L.MC_STEPS_BYTES],
      ['monte-carlo seeds', L.MC_SEEDS_OFFSET, L.MC_SEEDS_BYTES],
      ['monte-carlo records', L.MC_OUT_OFFSET, L.MC_OUT_BYTES],
      ['monte-carlo block state', L.MC_STATE_OFFSET, L.MC_STATE_BYTES],
    ];
    let end = 0;
    for (const [name, off, bytes] of regions) {
      expect(off, name).toBeGreaterThanOrEqual(end);
      expect(off % 8, `${name} is 8-byte aligned`).toBe(0);
      end = off + bytes;
    }
    expect(end).toBe(L.LAYOUT_END);
    expect(core.exports.heapBase()).toBeGreaterThanOrEqual(L.LAYOUT_END);
    expect(core.memory.buffer.byteLength).toBeGreaterThanOrEqual(L.LAYOUT_END);
    expect(L.QO_ASKS + 2 * L.MAX_QUOTE_LEVELS).toBeLessThanOrEqual(L.QUOTE_OUT_SLOTS);
    expect(L.QP_LEVEL_SIZE_BASE + L.MAX_QUOTE_LEVELS).toBeLessThanOrEqual(L.QUOTE_PARAM_SLOTS);
    expect(L.VS_BUCKETS + L.VOL_BUCKETS).toBeLessThanOrEqual(L.VOL_STATE_SLOTS);
  });

  it('memory cannot grow, so views never detach', () => {
    const core = instantiateCore('release');
    expect(() => core.memory.grow(1)).toThrow();
    expect(core.memory.buffer).toBe(core.buffer);
  });
});

describe('status texts', () => {
  it('every ERR_* code has a message', async () => {
    const { WASM_STATUS_TEXT } = await import('../src/errors.js');
    const codes = Object.entries(L).filter(([k]) => k.startsWith('ERR_')).map(([, v]) => v as number);
    for (const c of codes) expect(WASM_STATUS_TEXT[c], `ERR code ${c}`).toBeTypeOf('string');
    expect(WASM_STATUS_TEXT.length).toBe(Math.max(...codes) + 1);
  });
});
