// Typed access to the WASM fast path for feed protocol v1 frames
// (assembly/feed/frame-apply.ts): the per-book records an ingest keeps in step
// with its own symbol states, one call per frame, and the frame's results.
// Allocation-free. The ingest (src/feed/ingest/feed-ingest.ts) decides what the
// results mean; this class only moves numbers in and out of linear memory.
import * as L from './layout.js';
import { loadCore, type WasmCore } from './load.js';

const OUT_I32 = L.FRAME_OUT_OFFSET / 4;
const OUT_F64 = L.FRAME_OUT_OFFSET / 8;
const REC_I32 = L.FAST_RECORD_BYTES / 4;
const REC_F64 = L.FAST_RECORD_BYTES / 8;
const STATE_I32 = L.FAST_STATE_OFFSET / 4;
const STATE_F64 = L.FAST_STATE_OFFSET / 8;

/** Why a frame went to the TS decoder, by -code (index 0, applied, is unused). */
export const FAST_FALLBACK_NAMES: readonly string[] = ['applied', 'size', 'invalid', 'type', 'symbol', 'seq'];

export class FrameFastPath {
  readonly core: WasmCore;
  /** Frames, messages and level updates (level set / change messages) applied by the fast path. */
  framesApplied = 0;
  messagesApplied = 0;
  levelUpdatesApplied = 0;
  /** Frames handed back, by -FAST_FALLBACK_* code. */
  readonly fallbacks = new Float64Array(L.FAST_FALLBACK_COUNT);
  /** Applied frames during which a listener threw (the caller reports them as sink-threw). */
  listenerThrew = 0;
  /** Whether the last frame given to apply() was applied here (false: it fell back). */
  lastApplied = false;

  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly x: WasmCore['exports'];

  constructor(core: WasmCore = loadCore()) {
    this.core = core;
    this.u8 = core.u8;
    this.i32 = core.i32;
    this.f64 = core.f64;
    this.x = core.exports;
  }

  // ---- records: written by the owning ingest whenever its view of a symbol changes ----
  /** Book slot `book` holds symbolId of ingest `owner` (> 0); live: in-sequence updates may apply in WASM. */
  setSymbol(book: number, owner: number, symbolId: number, live: boolean, nextSeq: number): void {
    const i = STATE_I32 + book * REC_I32;
    this.i32[i + L.FP_OWNER / 4] = owner;
    this.i32[i + L.FP_SYMBOL / 4] = symbolId;
    this.i32[i + L.FP_LIVE / 4] = live ? 1 : 0;
    this.f64[STATE_F64 + book * REC_F64 + L.FP_NEXT_SEQ / 8] = nextSeq;
  }
  setLive(book: number, live: boolean): void {
    this.i32[STATE_I32 + book * REC_I32 + L.FP_LIVE / 4] = live ? 1 : 0;
  }
  setNextSeq(book: number, nextSeq: number): void {
    this.f64[STATE_F64 + book * REC_F64 + L.FP_NEXT_SEQ / 8] = nextSeq;
  }
  /** The slot no longer belongs to any ingest. */
  release(book: number): void {
    const i = STATE_I32 + book * REC_I32;
    this.i32[i + L.FP_OWNER / 4] = 0;
    this.i32[i + L.FP_SYMBOL / 4] = -1;
    this.i32[i + L.FP_LIVE / 4] = 0;
  }

  // ---- one frame ----
  /**
   * Copies the frame into FRAME_IN and runs frameApply. Returns FAST_APPLIED, or a
   * FAST_FALLBACK_* code (< 0) when nothing was changed and the frame must go to the
   * TS decoder.
   */
  apply(frame: Uint8Array, owner: number, flags: number): number {
    const n = frame.byteLength;
    let r: number;
    if (n > L.FRAME_IN_BYTES) {
      r = L.FAST_FALLBACK_SIZE;
    } else {
      this.u8.set(frame, L.FRAME_IN_OFFSET);
      r = this.x.frameApply(n, owner, flags);
    }
    if (r !== L.FAST_APPLIED) return this.handBack(r);
    this.lastApplied = true;
    this.framesApplied++;
    this.messagesApplied += this.messageCount;
    this.levelUpdatesApplied += this.levelCount;
    return r;
  }

  /** Counts a frame handed back with FAST_FALLBACK_* code (< 0) without trying it; returns the code. */
  handBack(code: number): number {
    this.lastApplied = false;
    this.fallbacks[-code]!++;
    return code;
  }

  // ---- the last frame's results ----
  get status(): number { return this.i32[OUT_I32 + L.FO_STATUS / 4]!; }
  /** Message index that decided the last fallback (-1: the frame header, trailing bytes or size). */
  get fallbackAtMessage(): number { return this.i32[OUT_I32 + L.FO_AT_MESSAGE / 4]!; }
  get messageCount(): number { return this.i32[OUT_I32 + L.FO_MESSAGES / 4]!; }
  get levelCount(): number { return this.i32[OUT_I32 + L.FO_LEVELS / 4]!; }
  get endOfBatch(): boolean { return this.i32[OUT_I32 + L.FO_END_OF_BATCH / 4] === 1; }
  get sendTsNs(): number { return this.f64[OUT_F64 + L.FO_SEND_TS / 8]!; }
  /** Books the frame touched, in the order of their first message. */
  get touchedCount(): number { return this.i32[OUT_I32 + L.FO_TOUCHED / 4]!; }
  touchedBook(i: number): number { return this.i32[OUT_I32 + L.FO_TOUCHED_LIST / 4 + i]!; }
  /** Books that refused a level, in the order of the refusals. */
  get refusedCount(): number { return this.i32[OUT_I32 + L.FO_REFUSED / 4]!; }
  refusedBook(i: number): number { return this.i32[OUT_I32 + L.FO_REFUSED_LIST / 4 + i]!; }

  // ---- per book ----
  owner(book: number): number { return this.i32[STATE_I32 + book * REC_I32 + L.FP_OWNER / 4]!; }
  symbolOf(book: number): number { return this.i32[STATE_I32 + book * REC_I32 + L.FP_SYMBOL / 4]!; }
  live(book: number): boolean { return this.i32[STATE_I32 + book * REC_I32 + L.FP_LIVE / 4] === 1; }
  nextSeq(book: number): number { return this.f64[STATE_F64 + book * REC_F64 + L.FP_NEXT_SEQ / 8]!; }
  lastTsExchNs(book: number): number { return this.f64[STATE_F64 + book * REC_F64 + L.FP_LAST_TS / 8]!; }
  messages(book: number): number { return this.i32[STATE_I32 + book * REC_I32 + L.FP_MESSAGES / 4]!; }
  dropped(book: number): number { return this.i32[STATE_I32 + book * REC_I32 + L.FP_DROPPED / 4]!; }
  /** ERR_* of the level the book refused in the last frame; 0 = none. */
  refused(book: number): number { return this.i32[STATE_I32 + book * REC_I32 + L.FP_REFUSED / 4]!; }
  trades(book: number): number { return this.i32[STATE_I32 + book * REC_I32 + L.FP_TRADES / 4]!; }
  tradeSide(book: number): number { return this.i32[STATE_I32 + book * REC_I32 + L.FP_TRADE_SIDE / 4]!; }
  tradeTick(book: number): number { return this.f64[STATE_F64 + book * REC_F64 + L.FP_TRADE_TICK / 8]!; }
  tradeLot(book: number): number { return this.f64[STATE_F64 + book * REC_F64 + L.FP_TRADE_LOT / 8]!; }
  tradeId(book: number): number { return this.f64[STATE_F64 + book * REC_F64 + L.FP_TRADE_ID / 8]!; }
}
