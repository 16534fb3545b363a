// Typed access to the WASM books: single operations, the staging region for bulk
// updates, and reads. Allocation-free apart from topLevels(), which is for tools.
import * as L from './layout.js';
import { loadCore, type WasmCore } from './load.js';

const STAGE_F64 = L.STAGING_OFFSET / 8;
const STAGE_I32 = L.STAGING_OFFSET / 4;
const REC_F64 = L.STAGING_RECORD_BYTES / 8;
const REC_I32 = L.STAGING_RECORD_BYTES / 4;
const DEPTH_F64 = L.DEPTH_OUT_OFFSET / 8;
const DEPTH_ASK_F64 = DEPTH_F64 + L.MAX_DEPTH_LEVELS * 2;

export interface LevelTicks { tick: number; qtyLot: number }
export interface TopLevels { bids: LevelTicks[]; asks: LevelTicks[] }

export class WasmBooks {
  readonly core: WasmCore;
  private staged = 0;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly x: WasmCore['exports'];

  constructor(core: WasmCore = loadCore()) {
    this.core = core;
    this.f64 = core.f64;
    this.i32 = core.i32;
    this.x = core.exports;
  }

  // ---- single operations (return an ERR_* status) ----
  reset(book: number): number { return this.x.bookReset(book); }
  clear(book: number): number { return this.x.bookClear(book); }
  clearSide(book: number, side: number): number { return this.x.bookClearSide(book, side); }
  set(book: number, side: number, tick: number, qtyLot: number): number { return this.x.bookSet(book, side, tick, qtyLot); }
  change(book: number, side: number, tick: number, deltaLot: number): number { return this.x.bookChange(book, side, tick, deltaLot); }

  // ---- staging: write records, then flush() applies them in one call ----
  get stagedCount(): number { return this.staged; }

  private stage(book: number, op: number, tick: number, qtyLot: number): void {
    if (this.staged === L.STAGING_CAP) this.flush();
    const n = this.staged++;
    const ib = STAGE_I32 + n * REC_I32;
    const fb = STAGE_F64 + n * REC_F64;
    this.i32[ib] = book;
    this.i32[ib + 1] = op;
    this.f64[fb + 1] = tick;
    this.f64[fb + 2] = qtyLot;
  }
  stageSet(book: number, side: number, tick: number, qtyLot: number): void {
    this.stage(book, L.OP_SET | (side << L.OP_SIDE_SHIFT), tick, qtyLot);
  }
  stageChange(book: number, side: number, tick: number, deltaLot: number): void {
    this.stage(book, L.OP_CHANGE | (side << L.OP_SIDE_SHIFT), tick, deltaLot);
  }
  stageClearSide(book: number, side: number): void {
    this.stage(book, L.OP_CLEAR_SIDE | (side << L.OP_SIDE_SHIFT), 0, 0);
  }
  stageClearBook(book: number): void {
    this.stage(book, L.OP_CLEAR_BOOK, 0, 0);
  }
  /** Applies every staged record; returns how many were refused. */
  flush(): number {
    const n = this.staged;
    this.staged = 0;
    return n === 0 ? 0 : this.x.applyStaged(n);
  }
  /** Status (ERR_*) of staged record i after the last flush. */
  stagedStatus(i: number): number {
    return this.i32[STAGE_I32 + i * REC_I32 + L.SR_STATUS / 4] ?? L.ERR_BAD_COUNT;
  }

  // ---- reads ----
  bestBidTick(book: number): number { return this.x.bookBestBidTick(book); }
  bestAskTick(book: number): number { return this.x.bookBestAskTick(book); }
  bestBidQty(book: number): number { return this.x.bookBestBidQty(book); }
  bestAskQty(book: number): number { return this.x.bookBestAskQty(book); }
  levelQty(book: number, side: number, tick: number): number { return this.x.bookLevelQty(book, side, tick); }
  midTick(book: number): number { return this.x.bookMidTick(book); }
  micropriceTick(book: number): number { return this.x.bookMicropriceTick(book); }
  imbalance(book: number, levels: number): number { return this.x.bookImbalance(book, levels); }
  flags(book: number): number { return this.x.bookFlags(book); }
  isCrossed(book: number): boolean { return (this.x.bookFlags(book) & L.BOOK_FLAG_CROSSED) !== 0; }
  levelCount(book: number, side: number): number { return this.x.bookLevelCount(book, side); }
  overflowCount(book: number, side: number): number { return this.x.bookOverflowCount(book, side); }
  baseTick(book: number): number { return this.x.bookBaseTick(book); }
  errors(book: number): number { return this.x.bookErrors(book); }
  lastError(book: number): number { return this.x.bookLastError(book); }
  recenters(book: number): number { return this.x.bookRecenters(book); }
  updates(book: number): number { return this.x.bookUpdates(book); }

  /**
   * Writes the top n levels to the depth region and returns [bidCount, askCount]
   * packed as bidCount | askCount << 16; read them with depthBidTick(i), depthAskQty(i) and friends.
   */
  topN(book: number, n: number): number { return this.x.bookTopN(book, n); }
  depthBidTick(i: number): number { return this.f64[DEPTH_F64 + 2 * i] ?? NaN; }
  depthBidQty(i: number): number { return this.f64[DEPTH_F64 + 2 * i + 1] ?? NaN; }
  depthAskTick(i: number): number { return this.f64[DEPTH_ASK_F64 + 2 * i] ?? NaN; }
  depthAskQty(i: number): number { return this.f64[DEPTH_ASK_F64 + 2 * i + 1] ?? NaN; }

  /** Top n levels as objects (allocates: for tools and tests, not the hot path). */
  topLevels(book: number, n: number): TopLevels {
    const packed = this.topN(book, n);
    if (packed < 0) return { bids: [], asks: [] };
    const nb = packed & 0xffff;
    const na = packed >>> 16;
    const bids: LevelTicks[] = [];
    const asks: LevelTicks[] = [];
    for (let i = 0; i < nb; i++) bids.push({ tick: this.depthBidTick(i), qtyLot: this.depthBidQty(i) });
    for (let i = 0; i < na; i++) asks.push({ tick: this.depthAskTick(i), qtyLot: this.depthAskQty(i) });
    return { bids, asks };
  }
}
