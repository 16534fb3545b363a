// The WebAssembly module's exported functions, typed. Only i32/f64 cross.

export interface BookExports {
  bookReset(book: number): number;
  bookClear(book: number): number;
  bookClearSide(book: number, side: number): number;
  bookSet(book: number, side: number, tick: number, qty: number): number;
  bookChange(book: number, side: number, tick: number, delta: number): number;
  applyStaged(n: number): number;
  bookBestBidTick(book: number): number;
  bookBestAskTick(book: number): number;
  bookBestBidQty(book: number): number;
  bookBestAskQty(book: number): number;
  bookLevelQty(book: number, side: number, tick: number): number;
  bookMidTick(book: number): number;
  bookMicropriceTick(book: number): number;
  bookImbalance(book: number, n: number): number;
  bookTopN(book: number, n: number): number;
  bookFlags(book: number): number;
  bookLevelCount(book: number, side: number): number;
  bookOverflowCount(book: number, side: number): number;
  bookBaseTick(book: number): number;
  bookErrors(book: number): number;
  bookLastError(book: number): number;
  bookRecenters(book: number): number;
  bookUpdates(book: number): number;
}

export interface QuoteExports {
  quoteReset(slot: number): number;
  quoteCompute(slot: number, book: number, fairTick: number, inventoryLot: number): number;
}

export interface VolExports {
  volConfigure(book: number, windowUs: number, shortTauUs: number, longTauUs: number, jumpBps: number, jumpVolMult: number): number;
  volReset(book: number): number;
  volUpdate(book: number, tsUs: number, mid: number): number;
  volAdvance(book: number, tsUs: number): number;
  volRollingBps(book: number): number;
  volEwmaShortBps(book: number): number;
  volEwmaLongBps(book: number): number;
  volRatio(book: number): number;
  volLastReturnBps(book: number): number;
  volSamples(book: number): number;
  volJumps(book: number): number;
}

export interface FrameFastPathExports {
  /** Checks, then applies, the protocol v1 frame of len bytes at FRAME_IN for ingest owner; FAST_* result. */
  frameApply(len: number, owner: number, flags: number): number;
}

export interface MonteCarloExports {
  /** Checks the inventory and symmetric quoter slots and writes the per-step model terms; 0 or -ERR_*. */
  mcPrepare(invSlot: number, symSlot: number, steps: number, T: number, dt: number): number;
  /** Runs paths start .. start + n − 1 (seeds at MC_SEEDS) through the prepared steps, records to MC_OUT; 0 or -ERR_*. */
  mcRun(start: number, n: number, s0Tick: number, moveTick: number, dt: number): number;
}

export interface CoreExports extends BookExports, QuoteExports, VolExports, FrameFastPathExports, MonteCarloExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
}
