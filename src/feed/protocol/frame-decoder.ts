// The hot-path decoder of feed protocol v1: reads a frame with a DataView and
// drives a FeedSink directly. Validate-then-apply: a first pass checks every
// message of the frame; only a frame that passes whole is applied (second pass),
// so a bad frame changes nothing. Allocation-free per message: 64-bit integers are
// read as two u32 halves (never BigInt), snapshot levels go through reusable
// Float64Array scratch; only instrument definitions (rare) build strings.
// docs/feed-protocol.md is the specification; reference-decoder.ts is the
// binary-parser version this one is tested against.
import type { FeedSink, InstrumentDefinition, SideCode } from '../feed-sink.js';
import {
  DECODE_CODE_COUNT, DECODE_ERR_BAD_FLAGS, DECODE_ERR_BAD_INSTRUMENT, DECODE_ERR_BAD_LENGTH, DECODE_ERR_BAD_MAGIC,
  DECODE_ERR_BAD_QTY, DECODE_ERR_BAD_SIDE, DECODE_ERR_BAD_VERSION, DECODE_ERR_BEYOND_FRAME, DECODE_ERR_FRAME_LENGTH,
  DECODE_ERR_SINK_THREW, DECODE_ERR_TRUNCATED, DECODE_ERR_UNKNOWN_SYMBOL, DECODE_ERR_UNKNOWN_TYPE,
  DECODE_ERR_UNSAFE_INTEGER, DECODE_OK, type DecodeCode,
} from './decode-codes.js';
import { isValidGridStep, isValidResolution, isValidSymbol, kindName, latin1 } from './instrument-fields.js';
import * as W from './wire-format.js';

/** Whether a symbolId has been declared by an instrument definition the sink accepted. */
export type SymbolLookup = (symbolId: number) => boolean;

export interface FrameDecoderOptions {
  /**
   * Decides which symbolIds are known (e.g. `id => ingest.symbolState(id) !== undefined`).
   * Default: the ids of the instrument definitions this decoder has applied.
   */
  isKnownSymbol?: SymbolLookup;
}

const HI_SAFE = 0x200000; // 2^21: the high u32 half of a value below 2^53

export class FrameDecoder {
  /** Frames per outcome, indexed by decode code (DECODE_OK = frames applied). */
  readonly frameCounts = new Float64Array(DECODE_CODE_COUNT);
  /** Messages and level updates (snapshot levels, level sets and changes) applied. */
  messagesApplied = 0;
  levelUpdatesApplied = 0;

  // ---- about the last frame --------------------------------------------------------
  /** Header fields of the last frame that had a readable header (0 otherwise). */
  sendTsNs = 0;
  messageCount = 0;
  endOfBatch = false;
  /** Where the last error was found: message index (-1: frame header) and byte offset. */
  errorMessageIndex = -1;
  errorOffset = -1;
  /** What the sink threw (DECODE_ERR_SINK_THREW). */
  lastSinkError: unknown = undefined;

  private readonly known: SymbolLookup;
  private readonly ownKnown = new Uint8Array(W.SYMBOL_ID_COUNT);
  /** definedGen[id] === gen: an instrument message of the current frame declares id. */
  private readonly definedGen = new Uint32Array(W.SYMBOL_ID_COUNT);
  private gen = 0;
  private bids = new Float64Array(2048);
  private asks = new Float64Array(2048);
  private dv: DataView = new DataView(new ArrayBuffer(0));
  private bytes: Uint8Array = new Uint8Array(0);
  private msgEnd = 0;

  constructor(options: FrameDecoderOptions = {}) {
    const own = this.ownKnown;
    this.known = options.isKnownSymbol ?? ((id: number) => own[id] === 1);
  }

  /** Decodes one frame into the sink; returns DECODE_OK or the code of the first problem. */
  decodeFrame(bytes: Uint8Array, sink: FeedSink): DecodeCode {
    const n = bytes.byteLength;
    this.errorMessageIndex = -1;
    this.errorOffset = 0;
    this.sendTsNs = 0;
    this.messageCount = 0;
    this.endOfBatch = false;
    if (n < W.FRAME_HEADER_BYTES) return this.fail(DECODE_ERR_TRUNCATED);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
    this.dv = dv;
    this.bytes = bytes;
    if (dv.getUint32(W.FH_MAGIC, true) !== W.FRAME_MAGIC) return this.fail(DECODE_ERR_BAD_MAGIC);
    this.errorOffset = W.FH_VERSION;
    if (dv.getUint8(W.FH_VERSION) !== W.PROTOCOL_VERSION) return this.fail(DECODE_ERR_BAD_VERSION);
    const flags = dv.getUint8(W.FH_FLAGS);
    this.errorOffset = W.FH_FLAGS;
    if ((flags & ~W.FRAME_FLAGS_KNOWN) !== 0) return this.fail(DECODE_ERR_BAD_FLAGS);
    const frameBytes = dv.getUint32(W.FH_FRAME_BYTES, true);
    this.errorOffset = W.FH_FRAME_BYTES;
    if (frameBytes > n) return this.fail(DECODE_ERR_TRUNCATED);
    if (frameBytes < n) return this.fail(DECODE_ERR_FRAME_LENGTH);
    const count = dv.getUint16(W.FH_COUNT, true);
    this.messageCount = count;
    this.endOfBatch = (flags & W.FRAME_FLAG_END_OF_BATCH) !== 0;
    this.sendTsNs = dv.getUint32(W.FH_SEND_TS + 4, true) * W.TWO_POW_32 + dv.getUint32(W.FH_SEND_TS, true);

    // pass 1: validate every message
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) { this.definedGen.fill(0); this.gen = 1; }
    let p = W.FRAME_HEADER_BYTES;
    for (let i = 0; i < count; i++) {
      const code = this.validateMessage(dv, p, n);
      if (code !== DECODE_OK) { this.errorMessageIndex = i; return this.fail(code); }
      p = this.msgEnd;
    }
    if (p !== n) { this.errorOffset = p; return this.fail(DECODE_ERR_BAD_LENGTH); }

    // pass 2: apply
    p = W.FRAME_HEADER_BYTES;
    let i = 0;
    try {
      for (; i < count; i++) p = this.applyMessage(dv, p, sink);
      if (this.endOfBatch) sink.endOfBatch(this.sendTsNs);
    } catch (e) {
      this.lastSinkError = e;
      this.errorMessageIndex = i;
      this.errorOffset = p;
      return this.fail(DECODE_ERR_SINK_THREW);
    }
    this.frameCounts[DECODE_OK]!++;
    return DECODE_OK;
  }

  private fail(code: DecodeCode): DecodeCode {
    this.frameCounts[code]!++;
    return code;
  }

  /** Checks the message at p; on success sets msgEnd. Sets errorOffset to the field at fault. */
  private validateMessage(dv: DataView, p: number, end: number): DecodeCode {
    this.errorOffset = p;
    if (end - p < W.MESSAGE_HEADER_BYTES) return DECODE_ERR_BEYOND_FRAME;
    const type = dv.getUint8(p + W.MH_TYPE);
    if (type < W.MSG_INSTRUMENT || type > W.MSG_HEARTBEAT) return DECODE_ERR_UNKNOWN_TYPE;
    this.errorOffset = p + W.MH_FLAGS;
    if (dv.getUint8(p + W.MH_FLAGS) !== 0) return DECODE_ERR_BAD_FLAGS;
    const len = dv.getUint32(p + W.MH_LENGTH, true);
    this.errorOffset = p + W.MH_LENGTH;
    if (len > end - p) return DECODE_ERR_BEYOND_FRAME;
    const b = p + W.MESSAGE_HEADER_BYTES;
    switch (type) {
      case W.MSG_INSTRUMENT:
        if (len < W.INSTRUMENT_FIXED_BYTES) return DECODE_ERR_BAD_LENGTH;
        if (W.INSTRUMENT_FIXED_BYTES + dv.getUint8(b + W.IN_SYMBOL_LEN) + dv.getUint8(b + W.IN_TICK_LEN)
          + dv.getUint8(b + W.IN_LOT_LEN) !== len) return DECODE_ERR_BAD_LENGTH;
        break;
      case W.MSG_SNAPSHOT:
        if (len < W.SNAPSHOT_FIXED_BYTES) return DECODE_ERR_BAD_LENGTH;
        if (W.SNAPSHOT_FIXED_BYTES + W.LEVEL_BYTES * (dv.getUint32(b + W.SN_N_BIDS, true) + dv.getUint32(b + W.SN_N_ASKS, true)) !== len) {
          return DECODE_ERR_BAD_LENGTH;
        }
        break;
      case W.MSG_LEVEL_SET:
      case W.MSG_LEVEL_CHANGE:
        if (len !== W.LEVEL_MESSAGE_BYTES) return DECODE_ERR_BAD_LENGTH;
        break;
      case W.MSG_TRADE:
        if (len !== W.TRADE_MESSAGE_BYTES) return DECODE_ERR_BAD_LENGTH;
        break;
      default: // heartbeat
        if (len !== W.HEARTBEAT_MESSAGE_BYTES) return DECODE_ERR_BAD_LENGTH;
    }
    this.msgEnd = p + len;
    const sym = dv.getUint16(p + W.MH_SYMBOL, true);
    this.errorOffset = p + W.MH_SYMBOL;
    if (type !== W.MSG_INSTRUMENT && type !== W.MSG_HEARTBEAT && this.definedGen[sym] !== this.gen && !this.known(sym)) {
      return DECODE_ERR_UNKNOWN_SYMBOL;
    }
    this.errorOffset = p + W.MH_SEQ;
    if (dv.getUint32(p + W.MH_SEQ + 4, true) >= HI_SAFE) return DECODE_ERR_UNSAFE_INTEGER;
    switch (type) {
      case W.MSG_INSTRUMENT: return this.validateInstrument(dv, b, sym);
      case W.MSG_SNAPSHOT: {
        const nLevels = dv.getUint32(b + W.SN_N_BIDS, true) + dv.getUint32(b + W.SN_N_ASKS, true);
        let o = b + W.SN_LEVELS;
        for (let k = 0; k < nLevels; k++, o += W.LEVEL_BYTES) {
          this.errorOffset = o;
          if (!safeI64(dv, o)) return DECODE_ERR_UNSAFE_INTEGER;
          this.errorOffset = o + 8;
          if (!safeI64(dv, o + 8)) return DECODE_ERR_UNSAFE_INTEGER;
          if (dv.getInt32(o + 12, true) < 0) return DECODE_ERR_BAD_QTY;
        }
        return DECODE_OK;
      }
      case W.MSG_LEVEL_SET:
      case W.MSG_LEVEL_CHANGE:
        this.errorOffset = b + W.LV_SIDE;
        if (dv.getUint8(b + W.LV_SIDE) > 1) return DECODE_ERR_BAD_SIDE;
        this.errorOffset = b + W.LV_TICK;
        if (!safeI64(dv, b + W.LV_TICK)) return DECODE_ERR_UNSAFE_INTEGER;
        this.errorOffset = b + W.LV_QTY;
        if (!safeI64(dv, b + W.LV_QTY)) return DECODE_ERR_UNSAFE_INTEGER;
        if (type === W.MSG_LEVEL_SET && dv.getInt32(b + W.LV_QTY + 4, true) < 0) return DECODE_ERR_BAD_QTY;
        return DECODE_OK;
      case W.MSG_TRADE: {
        this.errorOffset = b + W.TR_SIDE;
        if (dv.getUint8(b + W.TR_SIDE) > 1) return DECODE_ERR_BAD_SIDE;
        this.errorOffset = b + W.TR_TICK;
        if (!safeI64(dv, b + W.TR_TICK)) return DECODE_ERR_UNSAFE_INTEGER;
        this.errorOffset = b + W.TR_QTY;
        if (!safeI64(dv, b + W.TR_QTY)) return DECODE_ERR_UNSAFE_INTEGER;
        const qHi = dv.getInt32(b + W.TR_QTY + 4, true);
        if (qHi < 0 || (qHi === 0 && dv.getUint32(b + W.TR_QTY, true) === 0)) return DECODE_ERR_BAD_QTY;
        this.errorOffset = b + W.TR_ID;
        if (dv.getUint32(b + W.TR_ID + 4, true) >= HI_SAFE) return DECODE_ERR_UNSAFE_INTEGER;
        return DECODE_OK;
      }
      default:
        return DECODE_OK;
    }
  }

  private validateInstrument(dv: DataView, b: number, sym: number): DecodeCode {
    this.errorOffset = b;
    const kind = dv.getUint8(b + W.IN_KIND);
    if (kindName(kind) === undefined) return DECODE_ERR_BAD_INSTRUMENT;
    this.errorOffset = b + W.IN_RESOLUTION_TS;
    const resolution = u64(dv, b + W.IN_RESOLUTION_TS);
    if (!isValidResolution(kind, resolution)) return DECODE_ERR_BAD_INSTRUMENT;
    const sLen = dv.getUint8(b + W.IN_SYMBOL_LEN);
    const tLen = dv.getUint8(b + W.IN_TICK_LEN);
    const lLen = dv.getUint8(b + W.IN_LOT_LEN);
    const s0 = b + W.IN_STRINGS;
    this.errorOffset = s0;
    if (!isValidSymbol(latin1(this.bytes, s0, s0 + sLen))) return DECODE_ERR_BAD_INSTRUMENT;
    this.errorOffset = s0 + sLen;
    if (!isValidGridStep(latin1(this.bytes, s0 + sLen, s0 + sLen + tLen))) return DECODE_ERR_BAD_INSTRUMENT;
    this.errorOffset = s0 + sLen + tLen;
    if (!isValidGridStep(latin1(this.bytes, s0 + sLen + tLen, s0 + sLen + tLen + lLen))) return DECODE_ERR_BAD_INSTRUMENT;
    this.definedGen[sym] = this.gen;
    return DECODE_OK;
  }

  /** Drives the sink with the (validated) message at p; returns the next message's offset. */
  private applyMessage(dv: DataView, p: number, sink: FeedSink): number {
    const type = dv.getUint8(p + W.MH_TYPE);
    const len = dv.getUint32(p + W.MH_LENGTH, true);
    const sym = dv.getUint16(p + W.MH_SYMBOL, true);
    const seq = dv.getUint32(p + W.MH_SEQ + 4, true) * W.TWO_POW_32 + dv.getUint32(p + W.MH_SEQ, true);
    const ts = u64(dv, p + W.MH_TS_EXCH);
    const b = p + W.MESSAGE_HEADER_BYTES;
    switch (type) {
      case W.MSG_LEVEL_SET:
        sink.levelSet(sym, seq, ts, dv.getUint8(b + W.LV_SIDE) as SideCode, i64(dv, b + W.LV_TICK), i64(dv, b + W.LV_QTY));
        this.levelUpdatesApplied++;
        break;
      case W.MSG_LEVEL_CHANGE:
        sink.levelChange(sym, seq, ts, dv.getUint8(b + W.LV_SIDE) as SideCode, i64(dv, b + W.LV_TICK), i64(dv, b + W.LV_QTY));
        this.levelUpdatesApplied++;
        break;
      case W.MSG_TRADE:
        sink.trade(sym, seq, ts, dv.getUint8(b + W.TR_SIDE) as SideCode, i64(dv, b + W.TR_TICK), i64(dv, b + W.TR_QTY),
          u64(dv, b + W.TR_ID));
        break;
      case W.MSG_SNAPSHOT: {
        const nb = dv.getUint32(b + W.SN_N_BIDS, true);
        const na = dv.getUint32(b + W.SN_N_ASKS, true);
        if (this.bids.length < 2 * nb) this.bids = new Float64Array(grow(2 * nb));
        if (this.asks.length < 2 * na) this.asks = new Float64Array(grow(2 * na));
        const bids = this.bids;
        const asks = this.asks;
        let o = b + W.SN_LEVELS;
        for (let k = 0; k < 2 * nb; k += 2, o += W.LEVEL_BYTES) { bids[k] = i64(dv, o); bids[k + 1] = i64(dv, o + 8); }
        for (let k = 0; k < 2 * na; k += 2, o += W.LEVEL_BYTES) { asks[k] = i64(dv, o); asks[k + 1] = i64(dv, o + 8); }
        sink.snapshot(sym, seq, ts, bids, nb, asks, na);
        this.levelUpdatesApplied += nb + na;
        break;
      }
      case W.MSG_HEARTBEAT:
        sink.heartbeat(ts);
        break;
      default: { // instrument
        const s0 = b + W.IN_STRINGS;
        const s1 = s0 + dv.getUint8(b + W.IN_SYMBOL_LEN);
        const s2 = s1 + dv.getUint8(b + W.IN_TICK_LEN);
        const s3 = s2 + dv.getUint8(b + W.IN_LOT_LEN);
        const def: InstrumentDefinition = {
          symbolId: sym,
          symbol: latin1(this.bytes, s0, s1),
          kind: kindName(dv.getUint8(b + W.IN_KIND))!,
          tickSize: latin1(this.bytes, s1, s2),
          lotSize: latin1(this.bytes, s2, s3),
          resolutionTsNs: u64(dv, b + W.IN_RESOLUTION_TS),
        };
        sink.instrument(def);
        this.ownKnown[sym] = 1;
      }
    }
    this.messagesApplied++;
    return p + len;
  }
}

/** A signed 64-bit field is within ±(2^53 - 1). */
function safeI64(dv: DataView, o: number): boolean {
  const hi = dv.getInt32(o + 4, true);
  if (hi >= HI_SAFE || hi < -HI_SAFE) return false;
  return hi !== -HI_SAFE || dv.getUint32(o, true) !== 0;
}

/** A signed 64-bit field already checked to be safe: exact. */
function i64(dv: DataView, o: number): number {
  return dv.getInt32(o + 4, true) * W.TWO_POW_32 + dv.getUint32(o, true);
}

/** An unsigned 64-bit field as the nearest double (exact below 2^53; timestamps round). */
function u64(dv: DataView, o: number): number {
  return dv.getUint32(o + 4, true) * W.TWO_POW_32 + dv.getUint32(o, true);
}

function grow(need: number): number {
  let n = 2048;
  while (n < need) n *= 2;
  return n;
}
