// Writes feed protocol v1 frames. A FeedSink: whatever drives it (simulator,
// recording replay, a test) produces frames. Messages accumulate in a growable
// buffer; endOfBatch() marks the frame as ending a batch and completes it. With an
// onFrame callback each completed frame is handed over at once (a view, valid
// during the call); without one, call flush() to take it.
// Bad arguments throw SPREADCORE_ERR_BAD_INPUT before anything is written.
import { SpreadcoreError } from '../../errors.js';
import type { FeedSink, InstrumentDefinition, SideCode } from '../feed-sink.js';
import { isValidGridStep, isValidResolution, isValidSymbol, kindCode } from './instrument-fields.js';
import * as W from './wire-format.js';

export interface FrameEncoderOptions {
  /** Receives each frame endOfBatch completes (a view into the encoder's buffer, valid during the call). */
  onFrame?: (frame: Uint8Array) => void;
  /** Initial buffer size in bytes (it grows as needed). Default 64 KiB. */
  initialBytes?: number;
}

const TWO_POW_64 = 18446744073709551616;
const MAX_FRAME_BYTES = 0xffffffff;

function bad(what: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `feed encoder: ${what}`);
}

export class FrameEncoder implements FeedSink {
  private buf: Uint8Array;
  private dv: DataView;
  private len = W.FRAME_HEADER_BYTES;
  private count = 0;
  private flags = 0;
  private batchSendTsNs = 0;
  private finished = false;
  private readonly onFrame: ((frame: Uint8Array) => void) | undefined;

  constructor(options: FrameEncoderOptions = {}) {
    const n = Math.max(256, options.initialBytes ?? 65536);
    this.buf = new Uint8Array(n);
    this.dv = new DataView(this.buf.buffer);
    this.onFrame = options.onFrame;
  }

  /** Messages in the pending frame. */
  get messageCount(): number { return this.count; }
  /** Bytes of the pending frame, header included. */
  get byteLength(): number { return this.len; }

  // ---- FeedSink ------------------------------------------------------------------------
  instrument(def: InstrumentDefinition): void {
    this.checkSymbolId(def.symbolId);
    const kind = kindCode(def.kind);
    if (kind < 0) bad(`instrument kind must be spot, perp or binary, got ${JSON.stringify(def.kind)}`);
    if (!isValidSymbol(def.symbol)) bad(`symbol must be 1-255 printable ASCII characters without spaces, got ${JSON.stringify(def.symbol)}`);
    if (!isValidGridStep(def.tickSize)) bad(`tick size must be a positive decimal string, got ${JSON.stringify(def.tickSize)}`);
    if (!isValidGridStep(def.lotSize)) bad(`lot size must be a positive decimal string, got ${JSON.stringify(def.lotSize)}`);
    this.checkTs(def.resolutionTsNs, 'resolution time');
    if (!isValidResolution(kind, def.resolutionTsNs)) bad(`only binary contracts carry a resolution time (${def.symbol} is ${def.kind})`);
    const total = W.INSTRUMENT_FIXED_BYTES + def.symbol.length + def.tickSize.length + def.lotSize.length;
    const b = this.header(W.MSG_INSTRUMENT, def.symbolId, total, 0, 0);
    const dv = this.dv;
    dv.setUint8(b + W.IN_KIND, kind);
    dv.setUint8(b + W.IN_SYMBOL_LEN, def.symbol.length);
    dv.setUint8(b + W.IN_TICK_LEN, def.tickSize.length);
    dv.setUint8(b + W.IN_LOT_LEN, def.lotSize.length);
    this.u64(b + W.IN_RESOLUTION_TS, def.resolutionTsNs);
    let o = b + W.IN_STRINGS;
    for (const s of [def.symbol, def.tickSize, def.lotSize]) {
      for (let i = 0; i < s.length; i++) this.buf[o++] = s.charCodeAt(i);
    }
  }

  snapshot(symbolId: number, seq: number, tsExchNs: number, bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void {
    this.checkCommon(symbolId, seq, tsExchNs);
    if (!Number.isInteger(nBids) || nBids < 0 || 2 * nBids > bids.length) bad(`nBids ${nBids} does not fit the ${bids.length / 2} bid pairs given`);
    if (!Number.isInteger(nAsks) || nAsks < 0 || 2 * nAsks > asks.length) bad(`nAsks ${nAsks} does not fit the ${asks.length / 2} ask pairs given`);
    for (let i = 0; i < 2 * nBids; i += 2) this.checkLevel(bids[i]!, bids[i + 1]!, 'snapshot bid');
    for (let i = 0; i < 2 * nAsks; i += 2) this.checkLevel(asks[i]!, asks[i + 1]!, 'snapshot ask');
    const total = W.SNAPSHOT_FIXED_BYTES + W.LEVEL_BYTES * (nBids + nAsks);
    const b = this.header(W.MSG_SNAPSHOT, symbolId, total, seq, tsExchNs);
    this.dv.setUint32(b + W.SN_N_BIDS, nBids, true);
    this.dv.setUint32(b + W.SN_N_ASKS, nAsks, true);
    let o = b + W.SN_LEVELS;
    for (let i = 0; i < 2 * nBids; i += 2, o += W.LEVEL_BYTES) { this.i64(o, bids[i]!); this.i64(o + 8, bids[i + 1]!); }
    for (let i = 0; i < 2 * nAsks; i += 2, o += W.LEVEL_BYTES) { this.i64(o, asks[i]!); this.i64(o + 8, asks[i + 1]!); }
  }

  levelSet(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, qtyLot: number): void {
    this.checkCommon(symbolId, seq, tsExchNs);
    this.checkSide(side);
    this.checkLevel(tick, qtyLot, 'level set');
    this.level(W.MSG_LEVEL_SET, symbolId, seq, tsExchNs, side, tick, qtyLot);
  }

  levelChange(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, deltaLot: number): void {
    this.checkCommon(symbolId, seq, tsExchNs);
    this.checkSide(side);
    if (!Number.isSafeInteger(tick)) bad(`tick must be an integer within ±(2^53-1), got ${tick}`);
    if (!Number.isSafeInteger(deltaLot)) bad(`delta must be an integer number of lots within ±(2^53-1), got ${deltaLot}`);
    this.level(W.MSG_LEVEL_CHANGE, symbolId, seq, tsExchNs, side, tick, deltaLot);
  }

  trade(symbolId: number, seq: number, tsExchNs: number, aggressorSide: SideCode, tick: number, qtyLot: number, tradeId: number): void {
    this.checkCommon(symbolId, seq, tsExchNs);
    this.checkSide(aggressorSide);
    if (!Number.isSafeInteger(tick)) bad(`trade tick must be an integer within ±(2^53-1), got ${tick}`);
    if (!Number.isSafeInteger(qtyLot) || qtyLot <= 0) bad(`trade quantity must be a positive integer number of lots, got ${qtyLot}`);
    if (!Number.isSafeInteger(tradeId) || tradeId < 0) bad(`trade id must be a non-negative integer below 2^53, got ${tradeId}`);
    const b = this.header(W.MSG_TRADE, symbolId, W.TRADE_MESSAGE_BYTES, seq, tsExchNs);
    this.dv.setUint8(b + W.TR_SIDE, aggressorSide);
    this.i64(b + W.TR_TICK, tick);
    this.i64(b + W.TR_QTY, qtyLot);
    this.u64(b + W.TR_ID, tradeId);
  }

  heartbeat(tsExchNs: number): void {
    this.checkTs(tsExchNs, 'exchange timestamp');
    this.header(W.MSG_HEARTBEAT, 0, W.HEARTBEAT_MESSAGE_BYTES, 0, tsExchNs);
  }

  /** Completes the frame with the end-of-batch flag; hands it to onFrame when there is one. */
  endOfBatch(sendTsNs: number): void {
    this.checkTs(sendTsNs, 'send timestamp');
    this.checkOpen();
    this.flags |= W.FRAME_FLAG_END_OF_BATCH;
    this.batchSendTsNs = sendTsNs;
    this.finished = true;
    if (this.onFrame !== undefined) this.onFrame(this.flushView());
  }

  // ---- taking frames -------------------------------------------------------------------------
  /**
   * The pending frame as a new Uint8Array (a frame without messages is valid), and a
   * fresh frame started. sendTsNs defaults to the one endOfBatch gave (or 0).
   */
  flush(sendTsNs?: number): Uint8Array {
    return this.flushView(sendTsNs).slice();
  }

  /** As flush(), but a view into the encoder's buffer: valid until the next call on the encoder. */
  flushView(sendTsNs: number = this.batchSendTsNs): Uint8Array {
    this.checkTs(sendTsNs, 'send timestamp');
    const dv = this.dv;
    dv.setUint32(W.FH_MAGIC, W.FRAME_MAGIC, true);
    dv.setUint8(W.FH_VERSION, W.PROTOCOL_VERSION);
    dv.setUint8(W.FH_FLAGS, this.flags);
    dv.setUint16(W.FH_COUNT, this.count, true);
    dv.setUint32(W.FH_FRAME_BYTES, this.len, true);
    this.u64(W.FH_SEND_TS, sendTsNs);
    const view = this.buf.subarray(0, this.len);
    this.len = W.FRAME_HEADER_BYTES;
    this.count = 0;
    this.flags = 0;
    this.batchSendTsNs = 0;
    this.finished = false;
    return view;
  }

  /** Drops the pending frame. */
  reset(): void {
    this.len = W.FRAME_HEADER_BYTES;
    this.count = 0;
    this.flags = 0;
    this.batchSendTsNs = 0;
    this.finished = false;
  }

  // ---- internals -------------------------------------------------------------------------------
  private level(type: number, symbolId: number, seq: number, ts: number, side: number, tick: number, qty: number): void {
    const b = this.header(type, symbolId, W.LEVEL_MESSAGE_BYTES, seq, ts);
    this.dv.setUint8(b + W.LV_SIDE, side);
    this.i64(b + W.LV_TICK, tick);
    this.i64(b + W.LV_QTY, qty);
  }

  /** Reserves a message of `total` bytes, writes its header, returns the body offset. */
  private header(type: number, symbolId: number, total: number, seq: number, ts: number): number {
    this.checkOpen();
    if (this.count === W.MAX_FRAME_MESSAGES) bad(`a frame holds at most ${W.MAX_FRAME_MESSAGES} messages: flush first`);
    if (this.len + total > MAX_FRAME_BYTES) bad('the frame would exceed 2^32-1 bytes: flush first');
    this.ensure(this.len + total);
    const p = this.len;
    const dv = this.dv;
    dv.setUint8(p + W.MH_TYPE, type);
    dv.setUint8(p + W.MH_FLAGS, 0);
    dv.setUint16(p + W.MH_SYMBOL, symbolId, true);
    dv.setUint32(p + W.MH_LENGTH, total, true);
    this.u64(p + W.MH_SEQ, seq);
    this.u64(p + W.MH_TS_EXCH, ts);
    this.len = p + total;
    this.count++;
    return p + W.MESSAGE_HEADER_BYTES;
  }

  private ensure(n: number): void {
    if (n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  private u64(o: number, v: number): void {
    const hi = Math.floor(v / W.TWO_POW_32);
    this.dv.setUint32(o, v - hi * W.TWO_POW_32, true);
    this.dv.setUint32(o + 4, hi, true);
  }

  private i64(o: number, v: number): void {
    const hi = Math.floor(v / W.TWO_POW_32);
    this.dv.setUint32(o, v - hi * W.TWO_POW_32, true);
    this.dv.setInt32(o + 4, hi, true);
  }

  private checkOpen(): void {
    if (this.finished) bad('the frame was completed by endOfBatch: flush() it before adding messages');
  }

  private checkSymbolId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= W.SYMBOL_ID_COUNT) bad(`symbolId must be an integer in 0..65535, got ${id}`);
  }

  private checkTs(ts: number, what: string): void {
    if (!Number.isInteger(ts) || ts < 0 || ts >= TWO_POW_64) bad(`${what} must be a non-negative integer number of ns below 2^64, got ${ts}`);
  }

  private checkCommon(symbolId: number, seq: number, tsExchNs: number): void {
    this.checkSymbolId(symbolId);
    if (!Number.isSafeInteger(seq) || seq < 0) bad(`seq must be a non-negative integer below 2^53, got ${seq}`);
    this.checkTs(tsExchNs, 'exchange timestamp');
  }

  private checkSide(side: number): void {
    if (side !== 0 && side !== 1) bad(`side must be 0 (bid) or 1 (ask), got ${side}`);
  }

  private checkLevel(tick: number, qtyLot: number, what: string): void {
    if (!Number.isSafeInteger(tick)) bad(`${what}: tick must be an integer within ±(2^53-1), got ${tick}`);
    if (!Number.isSafeInteger(qtyLot) || qtyLot < 0) bad(`${what}: quantity must be a non-negative integer number of lots below 2^53, got ${qtyLot}`);
  }
}
