// The reference decoder of feed protocol v1: binary-parser schemas turn bytes into
// plain objects (64-bit fields as BigInt), the checks of docs/feed-protocol.md run
// on those objects in the documented order, and only a frame that passes whole
// drives the sink. Straightforward rather than fast: the hand-written FrameDecoder
// must behave exactly like this (same code, same sink calls) on any input.
import type { FeedSink } from '../feed-sink.js';
import {
  DECODE_ERR_BAD_FLAGS, DECODE_ERR_BAD_INSTRUMENT, DECODE_ERR_BAD_LENGTH, DECODE_ERR_BAD_MAGIC, DECODE_ERR_BAD_QTY,
  DECODE_ERR_BAD_SIDE, DECODE_ERR_BAD_VERSION, DECODE_ERR_BEYOND_FRAME, DECODE_ERR_FRAME_LENGTH, DECODE_ERR_SINK_THREW,
  DECODE_ERR_TRUNCATED, DECODE_ERR_UNKNOWN_SYMBOL, DECODE_ERR_UNKNOWN_TYPE, DECODE_ERR_UNSAFE_INTEGER, DECODE_OK,
  type DecodeCode,
} from './decode-codes.js';
import type { SymbolLookup } from './frame-decoder.js';
import {
  BODY_SCHEMAS, InstrumentFixedSchema, SnapshotCountsSchema, parseFrameHeader, parseMessageHeader,
  type InstrumentBody, type InstrumentFixedFields, type LevelBody, type SnapshotBody, type SnapshotCounts,
  type TradeBody, type WireFrame, type WireLevel, type WireMessage,
} from './frame-schema.js';
import { isValidGridStep, isValidResolution, isValidSymbol, kindName } from './instrument-fields.js';
import * as W from './wire-format.js';

const MAX_SAFE = 2n ** 53n - 1n;
const safeSigned = (v: bigint): boolean => v >= -MAX_SAFE && v <= MAX_SAFE;
const safeUnsigned = (v: bigint): boolean => v <= MAX_SAFE;

export interface ReferenceParse {
  code: DecodeCode;
  /** Index of the message at fault, -1 for the frame header or a frame-level problem. */
  messageIndex: number;
  /** The frame as objects when code is DECODE_OK. */
  frame: WireFrame | null;
}

/** Parses and validates a frame without applying it. */
export function parseFrameReference(bytes: Uint8Array, isKnownSymbol: SymbolLookup): ReferenceParse {
  const fail = (code: DecodeCode, messageIndex = -1): ReferenceParse => ({ code, messageIndex, frame: null });
  const n = bytes.byteLength;
  if (n < W.FRAME_HEADER_BYTES) return fail(DECODE_ERR_TRUNCATED);
  const h = parseFrameHeader(bytes.subarray(0, W.FRAME_HEADER_BYTES));
  if (h.magic !== W.FRAME_MAGIC) return fail(DECODE_ERR_BAD_MAGIC);
  if (h.version !== W.PROTOCOL_VERSION) return fail(DECODE_ERR_BAD_VERSION);
  if ((h.flags & ~W.FRAME_FLAGS_KNOWN) !== 0) return fail(DECODE_ERR_BAD_FLAGS);
  if (h.frameBytes > n) return fail(DECODE_ERR_TRUNCATED);
  if (h.frameBytes < n) return fail(DECODE_ERR_FRAME_LENGTH);
  const definedHere = new Set<number>();
  const messages: WireMessage[] = [];
  let p = W.FRAME_HEADER_BYTES;
  for (let i = 0; i < h.count; i++) {
    const r = parseMessage(bytes, p, n, isKnownSymbol, definedHere);
    if (typeof r === 'number') return fail(r, i);
    messages.push(r);
    p += r.length;
  }
  if (p !== n) return fail(DECODE_ERR_BAD_LENGTH);
  return { code: DECODE_OK, messageIndex: -1, frame: { ...h, messages } };
}

function parseMessage(bytes: Uint8Array, p: number, n: number, isKnownSymbol: SymbolLookup, definedHere: Set<number>): WireMessage | DecodeCode {
  if (n - p < W.MESSAGE_HEADER_BYTES) return DECODE_ERR_BEYOND_FRAME;
  const h = parseMessageHeader(bytes.subarray(p, p + W.MESSAGE_HEADER_BYTES));
  const bodySchema = BODY_SCHEMAS[h.type];
  if (bodySchema === undefined) return DECODE_ERR_UNKNOWN_TYPE;
  if (h.flags !== 0) return DECODE_ERR_BAD_FLAGS;
  if (h.length > n - p) return DECODE_ERR_BEYOND_FRAME;
  const b = p + W.MESSAGE_HEADER_BYTES;
  switch (h.type) {
    case W.MSG_INSTRUMENT: {
      if (h.length < W.INSTRUMENT_FIXED_BYTES) return DECODE_ERR_BAD_LENGTH;
      const f = InstrumentFixedSchema.parse(bytes.subarray(b, b + W.IN_STRINGS)) as InstrumentFixedFields;
      if (W.INSTRUMENT_FIXED_BYTES + f.symbolLen + f.tickSizeLen + f.lotSizeLen !== h.length) return DECODE_ERR_BAD_LENGTH;
      break;
    }
    case W.MSG_SNAPSHOT: {
      if (h.length < W.SNAPSHOT_FIXED_BYTES) return DECODE_ERR_BAD_LENGTH;
      const c = SnapshotCountsSchema.parse(bytes.subarray(b, b + W.SN_LEVELS)) as SnapshotCounts;
      if (W.SNAPSHOT_FIXED_BYTES + W.LEVEL_BYTES * (c.nBids + c.nAsks) !== h.length) return DECODE_ERR_BAD_LENGTH;
      break;
    }
    case W.MSG_LEVEL_SET:
    case W.MSG_LEVEL_CHANGE:
      if (h.length !== W.LEVEL_MESSAGE_BYTES) return DECODE_ERR_BAD_LENGTH;
      break;
    case W.MSG_TRADE:
      if (h.length !== W.TRADE_MESSAGE_BYTES) return DECODE_ERR_BAD_LENGTH;
      break;
    default:
      if (h.length !== W.HEARTBEAT_MESSAGE_BYTES) return DECODE_ERR_BAD_LENGTH;
  }
  if (h.type !== W.MSG_INSTRUMENT && h.type !== W.MSG_HEARTBEAT && !definedHere.has(h.symbolId) && !isKnownSymbol(h.symbolId)) {
    return DECODE_ERR_UNKNOWN_SYMBOL;
  }
  if (!safeUnsigned(h.seq)) return DECODE_ERR_UNSAFE_INTEGER;
  const body = bodySchema.parse(bytes.subarray(b, p + h.length)) as WireMessage['body'];
  const code = checkBody(h.type, body);
  if (code !== DECODE_OK) return code;
  if (h.type === W.MSG_INSTRUMENT) definedHere.add(h.symbolId);
  return { ...h, body };
}

function checkLevel(l: WireLevel): DecodeCode {
  if (!safeSigned(l.tick) || !safeSigned(l.qtyLot)) return DECODE_ERR_UNSAFE_INTEGER;
  return l.qtyLot < 0n ? DECODE_ERR_BAD_QTY : DECODE_OK;
}

function checkBody(type: number, body: WireMessage['body']): DecodeCode {
  switch (type) {
    case W.MSG_INSTRUMENT: {
      const b = body as InstrumentBody;
      if (kindName(b.kind) === undefined) return DECODE_ERR_BAD_INSTRUMENT;
      if (!isValidResolution(b.kind, b.resolutionTsNs)) return DECODE_ERR_BAD_INSTRUMENT;
      if (!isValidSymbol(b.symbol) || !isValidGridStep(b.tickSize) || !isValidGridStep(b.lotSize)) return DECODE_ERR_BAD_INSTRUMENT;
      return DECODE_OK;
    }
    case W.MSG_SNAPSHOT: {
      const b = body as SnapshotBody;
      for (const l of b.bids) { const c = checkLevel(l); if (c !== DECODE_OK) return c; }
      for (const l of b.asks) { const c = checkLevel(l); if (c !== DECODE_OK) return c; }
      return DECODE_OK;
    }
    case W.MSG_LEVEL_SET:
    case W.MSG_LEVEL_CHANGE: {
      const b = body as LevelBody;
      if (b.side > 1) return DECODE_ERR_BAD_SIDE;
      if (!safeSigned(b.tick) || !safeSigned(b.qtyLot)) return DECODE_ERR_UNSAFE_INTEGER;
      return type === W.MSG_LEVEL_SET && b.qtyLot < 0n ? DECODE_ERR_BAD_QTY : DECODE_OK;
    }
    case W.MSG_TRADE: {
      const b = body as TradeBody;
      if (b.side > 1) return DECODE_ERR_BAD_SIDE;
      if (!safeSigned(b.tick) || !safeSigned(b.qtyLot)) return DECODE_ERR_UNSAFE_INTEGER;
      if (b.qtyLot <= 0n) return DECODE_ERR_BAD_QTY;
      return safeUnsigned(b.tradeId) ? DECODE_OK : DECODE_ERR_UNSAFE_INTEGER;
    }
    default:
      return DECODE_OK;
  }
}

function pairs(levels: readonly WireLevel[]): Float64Array {
  const out = new Float64Array(2 * levels.length);
  levels.forEach((l, i) => { out[2 * i] = Number(l.tick); out[2 * i + 1] = Number(l.qtyLot); });
  return out;
}

/** Drives a sink with a validated frame's messages (and endOfBatch when flagged). */
export function applyWireFrame(frame: WireFrame, sink: FeedSink): void {
  for (const m of frame.messages) applyWireMessage(m, sink);
  if ((frame.flags & W.FRAME_FLAG_END_OF_BATCH) !== 0) sink.endOfBatch(Number(frame.sendTsNs));
}

export function applyWireMessage(m: WireMessage, sink: FeedSink): void {
  const seq = Number(m.seq);
  const ts = Number(m.tsExchNs);
  switch (m.type) {
    case W.MSG_INSTRUMENT: {
      const b = m.body as InstrumentBody;
      sink.instrument({
        symbolId: m.symbolId, symbol: b.symbol, kind: kindName(b.kind)!, tickSize: b.tickSize, lotSize: b.lotSize,
        resolutionTsNs: Number(b.resolutionTsNs),
      });
      break;
    }
    case W.MSG_SNAPSHOT: {
      const b = m.body as SnapshotBody;
      sink.snapshot(m.symbolId, seq, ts, pairs(b.bids), b.bids.length, pairs(b.asks), b.asks.length);
      break;
    }
    case W.MSG_LEVEL_SET: {
      const b = m.body as LevelBody;
      sink.levelSet(m.symbolId, seq, ts, b.side as 0 | 1, Number(b.tick), Number(b.qtyLot));
      break;
    }
    case W.MSG_LEVEL_CHANGE: {
      const b = m.body as LevelBody;
      sink.levelChange(m.symbolId, seq, ts, b.side as 0 | 1, Number(b.tick), Number(b.qtyLot));
      break;
    }
    case W.MSG_TRADE: {
      const b = m.body as TradeBody;
      sink.trade(m.symbolId, seq, ts, b.side as 0 | 1, Number(b.tick), Number(b.qtyLot), Number(b.tradeId));
      break;
    }
    default:
      sink.heartbeat(ts);
  }
}

export interface ReferenceDecoderOptions {
  /** As FrameDecoderOptions.isKnownSymbol; default: the ids of the instrument definitions this decoder applied. */
  isKnownSymbol?: SymbolLookup;
}

/** The reference counterpart of FrameDecoder.decodeFrame. */
export class ReferenceDecoder {
  lastSinkError: unknown = undefined;
  /** Message index of the last error (-1: frame level). */
  errorMessageIndex = -1;
  private readonly applied = new Set<number>();
  private readonly known: SymbolLookup;

  constructor(options: ReferenceDecoderOptions = {}) {
    this.known = options.isKnownSymbol ?? ((id: number) => this.applied.has(id));
  }

  decodeFrame(bytes: Uint8Array, sink: FeedSink): DecodeCode {
    const r = parseFrameReference(bytes, this.known);
    this.errorMessageIndex = r.messageIndex;
    if (r.frame === null) return r.code;
    const frame = r.frame;
    let i = 0;
    try {
      for (; i < frame.messages.length; i++) {
        const m = frame.messages[i]!;
        applyWireMessage(m, sink);
        if (m.type === W.MSG_INSTRUMENT) this.applied.add(m.symbolId);
      }
      if ((frame.flags & W.FRAME_FLAG_END_OF_BATCH) !== 0) sink.endOfBatch(Number(frame.sendTsNs));
    } catch (e) {
      this.lastSinkError = e;
      this.errorMessageIndex = i;
      return DECODE_ERR_SINK_THREW;
    }
    return DECODE_OK;
  }
}
