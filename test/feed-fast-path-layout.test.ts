// The fast path's part of the memory map: its regions sit between the scratch
// region and the books without overlapping either, every record field fits its
// record, every frame-out field fits the frame-out region, and the regions hold
// what FeedIngest needs (a record per book slot, the touched and refused lists).
import { describe, it, expect } from 'vitest';
import * as L from '../src/wasm/layout.js';
import { FAST_FALLBACK_NAMES } from '../src/wasm/frame-fast-path.js';

describe('fast path memory map', () => {
  it('records, frame results and frame bytes lie between the scratch region and the books, 8-byte aligned', () => {
    const regions: [string, number, number][] = [
      ['scratch', L.SCRATCH_OFFSET, L.SCRATCH_BYTES],
      ['fast records', L.FAST_STATE_OFFSET, L.FAST_STATE_BYTES],
      ['frame out', L.FRAME_OUT_OFFSET, L.FRAME_OUT_BYTES],
      ['frame in', L.FRAME_IN_OFFSET, L.FRAME_IN_BYTES],
      ['books', L.BOOKS_OFFSET, L.BOOKS_BYTES],
    ];
    let end = regions[0]![1];
    for (const [name, off, bytes] of regions) {
      expect(off, name).toBe(end);
      expect(off % 8, `${name} is 8-byte aligned`).toBe(0);
      end = off + bytes;
    }
    // the Monte-Carlo kernel's regions follow the books up to LAYOUT_END (test/wasm-layout.test.ts)
    expect(end).toBe(L.MC_STEPS_OFFSET);
    expect(L.BOOKS_OFFSET % 16384, 'books stay 16 KiB aligned').toBe(0);
  });

  it('every record field fits a record, every frame-out field the frame-out region', () => {
    const i32 = [L.FP_OWNER, L.FP_SYMBOL, L.FP_LIVE, L.FP_GEN, L.FP_MESSAGES, L.FP_DROPPED, L.FP_REFUSED, L.FP_TRADES, L.FP_TRADE_SIDE];
    const w64 = [L.FP_NEXT_SEQ, L.FP_WORK_SEQ, L.FP_LAST_TS, L.FP_TRADE_TICK, L.FP_TRADE_LOT, L.FP_TRADE_ID];
    const fields = [...i32.map((o) => [o, 4]), ...w64.map((o) => [o, 8])].sort((a, b) => a[0]! - b[0]!);
    for (let k = 0; k < fields.length; k++) {
      const [o, w] = fields[k]!;
      expect(o! % w!, `field at ${o} aligned`).toBe(0);
      expect(o! + w!).toBeLessThanOrEqual(k + 1 < fields.length ? fields[k + 1]![0]! : L.FAST_RECORD_BYTES);
    }
    expect(L.FAST_STATE_BYTES).toBe(L.MAX_BOOKS * L.FAST_RECORD_BYTES);
    for (const o of [L.FO_STATUS, L.FO_MESSAGES, L.FO_LEVELS, L.FO_TOUCHED, L.FO_REFUSED, L.FO_END_OF_BATCH, L.FO_AT_MESSAGE]) {
      expect(o + 4).toBeLessThanOrEqual(L.FO_SEND_TS);
    }
    expect(L.FO_SEND_TS % 8).toBe(0);
    expect(L.FO_SEND_TS + 8).toBeLessThanOrEqual(L.FO_TOUCHED_LIST);
    expect(L.FO_TOUCHED_LIST + 4 * L.MAX_BOOKS).toBeLessThanOrEqual(L.FO_REFUSED_LIST);
    expect(L.FO_REFUSED_LIST + 4 * L.MAX_BOOKS).toBeLessThanOrEqual(L.FRAME_OUT_BYTES);
  });

  it('results: applied is 0, fallbacks are negative, each has a name', () => {
    const codes = [L.FAST_FALLBACK_SIZE, L.FAST_FALLBACK_INVALID, L.FAST_FALLBACK_TYPE, L.FAST_FALLBACK_SYMBOL, L.FAST_FALLBACK_SEQ];
    expect(L.FAST_APPLIED).toBe(0);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toBeLessThan(0);
    expect(Math.max(...codes.map((c) => -c)) + 1).toBe(L.FAST_FALLBACK_COUNT);
    expect(FAST_FALLBACK_NAMES.length).toBe(L.FAST_FALLBACK_COUNT);
  });
});
