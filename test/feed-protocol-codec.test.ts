// Feed protocol v1: the encoder and both decoders on every message type, the exact
// byte layout of docs/feed-protocol.md, and every decode error code with the
// validate-then-apply rule (a bad frame drives the sink not at all).
import { describe, it, expect } from 'vitest';
import {
  CallLogSink, FrameDecoder, FrameEncoder, ReferenceDecoder, parseWholeFrame,
  DECODE_OK, DECODE_ERR_TRUNCATED, DECODE_ERR_BAD_MAGIC, DECODE_ERR_BAD_VERSION, DECODE_ERR_BAD_FLAGS,
  DECODE_ERR_FRAME_LENGTH, DECODE_ERR_UNKNOWN_TYPE, DECODE_ERR_BEYOND_FRAME, DECODE_ERR_BAD_LENGTH,
  DECODE_ERR_UNSAFE_INTEGER, DECODE_ERR_BAD_QTY, DECODE_ERR_BAD_SIDE, DECODE_ERR_UNKNOWN_SYMBOL,
  DECODE_ERR_BAD_INSTRUMENT, DECODE_ERR_SINK_THREW, DECODE_CODE_NAMES, DECODE_CODE_TEXT, DECODE_CODE_COUNT,
  FRAME_HEADER_BYTES, MESSAGE_HEADER_BYTES, LEVEL_MESSAGE_BYTES, FH_FRAME_BYTES, FH_COUNT, FH_FLAGS, FH_VERSION,
  MH_TYPE, MH_FLAGS, MH_LENGTH, MH_SYMBOL, MH_SEQ, LV_SIDE, LV_TICK, LV_QTY, TR_QTY, TR_ID, SN_N_BIDS, IN_KIND,
  IN_STRINGS, IN_RESOLUTION_TS,
  type SinkCall,
} from '../src/feed/protocol/index.js';
import type { FeedSink, InstrumentDefinition } from '../src/feed/feed-sink.js';
import { SpreadcoreError } from '../src/errors.js';

const BTC: InstrumentDefinition = { symbolId: 7, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 };
const YES: InstrumentDefinition = { symbolId: 300, symbol: 'FED-CUT-SEP.YES', kind: 'binary', tickSize: '0.01', lotSize: '1', resolutionTsNs: 1_726_000_000_000_000_000 };
const TS = 1_723_161_599_000_000_000; // an epoch-ns timestamp (above 2^53: carried to 256 ns)
const MAX = Number.MAX_SAFE_INTEGER;

/** Decodes with both decoders (each with a fresh call log); both must agree. */
function decodeBoth(bytes: Uint8Array, known: (id: number) => boolean = () => false): { code: number; calls: SinkCall[]; dec: FrameDecoder } {
  const dec = new FrameDecoder({ isKnownSymbol: known });
  const ref = new ReferenceDecoder({ isKnownSymbol: known });
  const a = new CallLogSink();
  const b = new CallLogSink();
  const code = dec.decodeFrame(bytes, a);
  const refCode = ref.decodeFrame(bytes, b);
  expect(DECODE_CODE_NAMES[code]).toBe(DECODE_CODE_NAMES[refCode]);
  expect(dec.errorMessageIndex).toBe(ref.errorMessageIndex);
  expect(a.calls).toEqual(b.calls);
  return { code, calls: a.calls, dec };
}

function frameOf(fill: (e: FrameEncoder) => void, sendTsNs = 123_456_789): Uint8Array {
  const e = new FrameEncoder({ initialBytes: 256 });
  fill(e);
  e.endOfBatch(sendTsNs);
  return e.flush();
}

const known7 = (id: number): boolean => id === 7;

/** A frame with [level set 7, level set 7, level set 7], for patching. */
function threeLevels(): Uint8Array {
  return frameOf((e) => {
    e.levelSet(7, 1, TS, 0, 100, 5);
    e.levelSet(7, 2, TS, 1, 101, 6);
    e.levelSet(7, 3, TS, 0, 99, 7);
  });
}
const msgAt = (i: number): number => FRAME_HEADER_BYTES + i * LEVEL_MESSAGE_BYTES;

function patch(bytes: Uint8Array, f: (dv: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  f(new DataView(copy.buffer));
  return copy;
}

describe('feed protocol v1 codec', () => {
  it('round-trips every message type through the encoder and both decoders', () => {
    const input = new CallLogSink();
    const e = new FrameEncoder({ initialBytes: 256 }); // forces growth
    const calls = (s: FeedSink): void => {
      s.instrument(BTC);
      s.instrument(YES);
      s.snapshot(7, 10, TS, Float64Array.from([6_123_456, 150_000, 6_123_455, 3]), 2, Float64Array.from([6_123_460, 1, 6_200_000, MAX]), 2);
      s.levelSet(7, 11, TS + 256, 0, 6_123_456, 0);
      s.levelChange(7, 12, TS + 512, 1, 6_123_460, -1);
      s.levelChange(7, 13, TS + 512, 1, -MAX, MAX);
      s.trade(7, 14, TS + 768, 1, 6_123_460, 2, MAX);
      s.snapshot(300, 1, TS, new Float64Array(0), 0, Float64Array.from([55, 10]), 1);
      s.heartbeat(TS + 1024);
      s.endOfBatch(987_654_321_012);
    };
    calls(input);
    calls(e);
    const bytes = e.flush();
    const { code, calls: out } = decodeBoth(bytes);
    expect(code).toBe(DECODE_OK);
    expect(out).toEqual(input.calls);
    // the one-parse binary-parser schema reads the same frame
    const whole = parseWholeFrame(bytes);
    expect(whole.count).toBe(9);
    expect(whole.frameBytes).toBe(bytes.length);
    expect(whole.sendTsNs).toBe(987_654_321_012n);
    expect(whole.messages.map((m) => m.type)).toEqual([1, 1, 2, 3, 4, 4, 5, 2, 6]);
    expect(whole.messages[5]!.body).toEqual({ side: 1, tick: -BigInt(MAX), qtyLot: BigInt(MAX) });
  });

  it('lays bytes out exactly as documented (a golden level-set frame)', () => {
    const bytes = frameOf((e) => e.levelSet(0x0102, 0x0a0b0c0d0e0f, 2 ** 32 + 5, 1, -2, 0x1_0000_0003), 0x1122_3344_5566);
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toBe([
      '53434644', '01', '01', '0100', '3d000000', '6655443322110000', // frame header: magic, version, EOB, 1 msg, 61 bytes, sendTs
      '03', '00', '0201', '29000000', '0f0e0d0c0b0a0000', '0500000001000000', // message header: type 3, flags, symbol, 41 bytes, seq, ts
      '01', 'feffffffffffffff', '0300000001000000', // side ask, tick -2, qty 2^32 + 3
    ].join(''));
  });

  it('rounds exchange timestamps above 2^53 to the nearest double, exactly as Number(BigInt) does', () => {
    const bytes = frameOf((e) => e.heartbeat(0));
    const b = patch(bytes, (dv) => {
      dv.setBigUint64(FRAME_HEADER_BYTES + 16, 1_723_161_599_123_456_789n, true);
      dv.setBigUint64(12, 2n ** 64n - 1n, true);
    });
    const { code, calls } = decodeBoth(b);
    expect(code).toBe(DECODE_OK);
    expect(calls).toEqual([['heartbeat', Number(1_723_161_599_123_456_789n)], ['endOfBatch', 2 ** 64]]);
  });

  it('a frame without the end-of-batch flag does not end the batch; an empty frame is valid', () => {
    const e = new FrameEncoder();
    e.levelSet(7, 1, TS, 0, 100, 1);
    const noEob = e.flush(55);
    expect(decodeBoth(noEob, known7).calls).toEqual([['levelSet', 7, 1, TS, 0, 100, 1]]);
    const empty = frameOf(() => undefined, 77);
    expect(decodeBoth(empty).calls).toEqual([['endOfBatch', 77]]);
    const dec = new FrameDecoder();
    dec.decodeFrame(empty, new CallLogSink());
    expect(dec.sendTsNs).toBe(77);
    expect(dec.endOfBatch).toBe(true);
    expect(dec.messageCount).toBe(0);
  });

  it('an instrument earlier in the frame declares its symbol for the rest of the frame and for later frames', () => {
    const dec = new FrameDecoder();
    const sink = new CallLogSink();
    expect(dec.decodeFrame(frameOf((e) => e.levelSet(7, 1, TS, 0, 1, 1)), sink)).toBe(DECODE_ERR_UNKNOWN_SYMBOL);
    expect(dec.decodeFrame(frameOf((e) => { e.instrument(BTC); e.levelSet(7, 1, TS, 0, 1, 1); }), sink)).toBe(DECODE_OK);
    expect(dec.decodeFrame(frameOf((e) => e.levelSet(7, 2, TS, 0, 1, 2)), sink)).toBe(DECODE_OK);
    expect(sink.calls.filter((c) => c[0] === 'levelSet')).toHaveLength(2);
  });

  it('reuses its snapshot scratch arrays (no allocation per snapshot)', () => {
    const seen: Float64Array[] = [];
    const sink = new CallLogSink();
    sink.snapshot = (_id, _s, _t, bids, _nb, asks) => { seen.push(bids, asks); };
    const dec = new FrameDecoder({ isKnownSymbol: known7 });
    for (let k = 0; k < 3; k++) {
      dec.decodeFrame(frameOf((e) => e.snapshot(7, k, TS, Float64Array.from([10, 1]), 1, Float64Array.from([11, 1]), 1)), sink);
    }
    expect(seen[0]).toBe(seen[2]);
    expect(seen[1]).toBe(seen[5]);
  });

  describe('every bad input has its code, is counted, and drives the sink not at all', () => {
    const cases: [string, number, () => Uint8Array][] = [
      ['shorter than a frame header', DECODE_ERR_TRUNCATED, () => threeLevels().subarray(0, 19)],
      ['cut inside the messages', DECODE_ERR_TRUNCATED, () => threeLevels().subarray(0, msgAt(2) + 10)],
      ['wrong magic', DECODE_ERR_BAD_MAGIC, () => patch(threeLevels(), (dv) => dv.setUint8(0, 0x54))],
      ['wrong version', DECODE_ERR_BAD_VERSION, () => patch(threeLevels(), (dv) => dv.setUint8(FH_VERSION, 2))],
      ['reserved frame flag', DECODE_ERR_BAD_FLAGS, () => patch(threeLevels(), (dv) => dv.setUint8(FH_FLAGS, 0x81))],
      ['reserved message flags', DECODE_ERR_BAD_FLAGS, () => patch(threeLevels(), (dv) => dv.setUint8(msgAt(2) + MH_FLAGS, 1))],
      ['bytes after the declared frame', DECODE_ERR_FRAME_LENGTH, () => { const b = threeLevels(); const c = new Uint8Array(b.length + 3); c.set(b); return c; }],
      ['unknown message type', DECODE_ERR_UNKNOWN_TYPE, () => patch(threeLevels(), (dv) => dv.setUint8(msgAt(1) + MH_TYPE, 9))],
      ['message type 0', DECODE_ERR_UNKNOWN_TYPE, () => patch(threeLevels(), (dv) => dv.setUint8(msgAt(1) + MH_TYPE, 0))],
      ['message count larger than the frame', DECODE_ERR_BEYOND_FRAME, () => patch(threeLevels(), (dv) => dv.setUint16(FH_COUNT, 0xffff, true))],
      ['message length huge', DECODE_ERR_BEYOND_FRAME, () => patch(threeLevels(), (dv) => dv.setUint32(msgAt(1) + MH_LENGTH, 0xffffffff, true))],
      ['message length wrong for its type', DECODE_ERR_BAD_LENGTH, () => patch(threeLevels(), (dv) => dv.setUint32(msgAt(1) + MH_LENGTH, 40, true))],
      ['fewer messages than the bytes hold', DECODE_ERR_BAD_LENGTH, () => patch(threeLevels(), (dv) => dv.setUint16(FH_COUNT, 2, true))],
      ['snapshot level count huge', DECODE_ERR_BAD_LENGTH, () => patch(
        frameOf((e) => e.snapshot(7, 1, TS, Float64Array.from([1, 1]), 1, new Float64Array(0), 0)),
        (dv) => dv.setUint32(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + SN_N_BIDS, 0xffffffff, true))],
      ['tick of 2^53', DECODE_ERR_UNSAFE_INTEGER, () => patch(threeLevels(), (dv) => dv.setBigInt64(msgAt(1) + MESSAGE_HEADER_BYTES + LV_TICK, 2n ** 53n, true))],
      ['tick of -2^53', DECODE_ERR_UNSAFE_INTEGER, () => patch(threeLevels(), (dv) => dv.setBigInt64(msgAt(1) + MESSAGE_HEADER_BYTES + LV_TICK, -(2n ** 53n), true))],
      ['quantity of 2^63-1', DECODE_ERR_UNSAFE_INTEGER, () => patch(threeLevels(), (dv) => dv.setBigInt64(msgAt(1) + MESSAGE_HEADER_BYTES + LV_QTY, 2n ** 63n - 1n, true))],
      ['seq of 2^53', DECODE_ERR_UNSAFE_INTEGER, () => patch(threeLevels(), (dv) => dv.setBigUint64(msgAt(2) + MH_SEQ, 2n ** 53n, true))],
      ['trade id of 2^64-1', DECODE_ERR_UNSAFE_INTEGER, () => patch(
        frameOf((e) => e.trade(7, 1, TS, 0, 5, 1, 9)), (dv) => dv.setBigUint64(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + TR_ID, 2n ** 64n - 1n, true))],
      ['negative absolute quantity', DECODE_ERR_BAD_QTY, () => patch(threeLevels(), (dv) => dv.setBigInt64(msgAt(2) + MESSAGE_HEADER_BYTES + LV_QTY, -1n, true))],
      ['negative snapshot quantity', DECODE_ERR_BAD_QTY, () => patch(
        frameOf((e) => e.snapshot(7, 1, TS, Float64Array.from([1, 1]), 1, Float64Array.from([2, 1]), 1)),
        (dv) => dv.setBigInt64(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + 8 + 16 + 8, -5n, true))],
      ['trade quantity of zero', DECODE_ERR_BAD_QTY, () => patch(
        frameOf((e) => e.trade(7, 1, TS, 0, 5, 1, 9)), (dv) => dv.setBigInt64(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + TR_QTY, 0n, true))],
      ['side 2', DECODE_ERR_BAD_SIDE, () => patch(threeLevels(), (dv) => dv.setUint8(msgAt(1) + MESSAGE_HEADER_BYTES + LV_SIDE, 2))],
      ['unknown symbolId', DECODE_ERR_UNKNOWN_SYMBOL, () => patch(threeLevels(), (dv) => dv.setUint16(msgAt(2) + MH_SYMBOL, 8, true))],
      ['instrument kind 3', DECODE_ERR_BAD_INSTRUMENT, () => patch(frameOf((e) => e.instrument(BTC)), (dv) => dv.setUint8(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + IN_KIND, 3))],
      ['resolution time on a spot instrument', DECODE_ERR_BAD_INSTRUMENT, () => patch(frameOf((e) => e.instrument(BTC)),
        (dv) => dv.setBigUint64(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + IN_RESOLUTION_TS, 1n, true))],
      ['symbol with a space', DECODE_ERR_BAD_INSTRUMENT, () => patch(frameOf((e) => e.instrument(BTC)),
        (dv) => dv.setUint8(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + IN_STRINGS + 3, 0x20))],
      ['tick size not a decimal', DECODE_ERR_BAD_INSTRUMENT, () => patch(frameOf((e) => e.instrument(BTC)),
        (dv) => dv.setUint8(FRAME_HEADER_BYTES + MESSAGE_HEADER_BYTES + IN_STRINGS + 7 + 1, 0x2c /* , */))],
      ['lot size zero', DECODE_ERR_BAD_INSTRUMENT, () => frameOf((e) => e.instrument({ ...BTC, lotSize: '1' })).map((x, i, a) => (i === a.length - 1 ? 0x30 : x))],
    ];
    for (const [name, want, make] of cases) {
      it(`${name} → ${DECODE_CODE_NAMES[want]}`, () => {
        const bytes = make();
        const { code, calls, dec } = decodeBoth(bytes, known7);
        expect(DECODE_CODE_NAMES[code]).toBe(DECODE_CODE_NAMES[want]);
        expect(calls).toEqual([]);
        expect(dec.frameCounts[want]).toBe(1);
        expect(dec.frameCounts[DECODE_OK]).toBe(0);
      });
    }
    it('the error points at the message at fault', () => {
      const { dec } = decodeBoth(patch(threeLevels(), (dv) => dv.setUint8(msgAt(2) + MESSAGE_HEADER_BYTES + LV_SIDE, 7)), known7);
      expect(dec.errorMessageIndex).toBe(2);
      expect(dec.errorOffset).toBe(msgAt(2) + MESSAGE_HEADER_BYTES + LV_SIDE);
    });
  });

  it('a sink that throws is reported as sink-threw: the rest of the frame is skipped, nothing escapes', () => {
    const sink = new CallLogSink();
    const boom = new Error('boom');
    sink.levelSet = function (this: CallLogSink, ...args) {
      if (args[1] === 2) throw boom;
      CallLogSink.prototype.levelSet.apply(this, args);
    };
    const dec = new FrameDecoder({ isKnownSymbol: known7 });
    expect(dec.decodeFrame(threeLevels(), sink)).toBe(DECODE_ERR_SINK_THREW);
    expect(dec.lastSinkError).toBe(boom);
    expect(dec.errorMessageIndex).toBe(1);
    expect(sink.calls).toEqual([['levelSet', 7, 1, TS, 0, 100, 5]]);
    const ref = new ReferenceDecoder({ isKnownSymbol: known7 });
    const sink2 = new CallLogSink();
    sink2.levelSet = sink.levelSet;
    expect(ref.decodeFrame(threeLevels(), sink2)).toBe(DECODE_ERR_SINK_THREW);
    expect(sink2.calls).toEqual(sink.calls);
  });

  it('every code has a name and a text', () => {
    expect(DECODE_CODE_NAMES).toHaveLength(DECODE_CODE_COUNT);
    expect(DECODE_CODE_TEXT).toHaveLength(DECODE_CODE_COUNT);
    expect(new Set(DECODE_CODE_NAMES).size).toBe(DECODE_CODE_COUNT);
  });

  it('the encoder refuses bad input with a coded error and writes nothing', () => {
    const e = new FrameEncoder();
    e.levelSet(7, 1, TS, 0, 100, 1);
    const before = e.byteLength;
    const bad: [string, () => void][] = [
      ['NaN tick', () => e.levelSet(7, 2, TS, 0, NaN, 1)],
      ['fractional qty', () => e.levelSet(7, 2, TS, 0, 1, 0.5)],
      ['negative qty', () => e.levelSet(7, 2, TS, 0, 1, -1)],
      ['unsafe tick', () => e.levelChange(7, 2, TS, 0, 2 ** 53, 1)],
      ['side 2', () => e.levelSet(7, 2, TS, 2 as 0, 1, 1)],
      ['symbolId 65536', () => e.levelSet(65536, 2, TS, 0, 1, 1)],
      ['negative seq', () => e.levelSet(7, -1, TS, 0, 1, 1)],
      ['infinite timestamp', () => e.heartbeat(Infinity)],
      ['trade qty 0', () => e.trade(7, 2, TS, 0, 1, 0, 1)],
      ['snapshot count beyond the array', () => e.snapshot(7, 2, TS, new Float64Array(2), 2, new Float64Array(0), 0)],
      ['bad kind', () => e.instrument({ ...BTC, kind: 'future' as 'spot' })],
      ['bad tick size', () => e.instrument({ ...BTC, tickSize: '0' })],
      ['symbol with a space', () => e.instrument({ ...BTC, symbol: 'BTC USDT' })],
      ['resolution on perp', () => e.instrument({ ...BTC, kind: 'perp', resolutionTsNs: 5 })],
    ];
    for (const [name, f] of bad) {
      let err: unknown;
      try { f(); } catch (x) { err = x; }
      expect(err, name).toBeInstanceOf(SpreadcoreError);
      expect((err as SpreadcoreError).code, name).toBe('SPREADCORE_ERR_BAD_INPUT');
      expect(e.byteLength, name).toBe(before);
    }
    expect(e.messageCount).toBe(1);
  });

  it('the encoder hands frames to onFrame at each end of batch, and insists on a flush otherwise', () => {
    const frames: Uint8Array[] = [];
    const e = new FrameEncoder({ onFrame: (f) => frames.push(f.slice()) });
    e.levelSet(7, 1, TS, 0, 100, 1);
    e.endOfBatch(5);
    e.levelSet(7, 2, TS, 0, 100, 2);
    e.endOfBatch(6);
    expect(frames).toHaveLength(2);
    expect(decodeBoth(frames[1]!, known7).calls).toEqual([['levelSet', 7, 2, TS, 0, 100, 2], ['endOfBatch', 6]]);
    const plain = new FrameEncoder();
    plain.endOfBatch(1);
    expect(() => plain.levelSet(7, 1, TS, 0, 1, 1)).toThrow(/flush/);
    plain.flush();
    plain.levelSet(7, 1, TS, 0, 1, 1);
    expect(plain.messageCount).toBe(1);
  });

  it('decodes a frame that sits inside a larger buffer (a view with an offset)', () => {
    const f = threeLevels();
    const big = new Uint8Array(f.length + 13);
    big.set(f, 13);
    expect(decodeBoth(big.subarray(13), known7).code).toBe(DECODE_OK);
    expect(decodeBoth(big.subarray(13), known7).calls).toHaveLength(4);
  });
});
