// The memory map: every fixed region of linear memory, as constants.
// Mirrored by src/wasm/layout.ts; test/wasm-layout.test.ts checks the two agree.
// All offsets are absolute byte addresses. AssemblyScript's own static data and
// stack are placed above LAYOUT_END by `--memoryBase` (see asconfig.json).

export const LAYOUT_VERSION: i32 = 1;

// ---- order books -------------------------------------------------------------
export const MAX_BOOKS: i32 = 64;
/** Each book holds a window of 2^WINDOW_BITS price ticks per side in flat arrays. */
export const WINDOW_BITS: i32 = 18;
export const WINDOW_TICKS: i32 = 1 << WINDOW_BITS;
/** Level-0 bitmap: one bit per tick in the window. */
export const BITMAP_WORDS: i32 = WINDOW_TICKS >> 6;
/** Level-1 bitmap: one bit per non-zero level-0 word. */
export const SUMMARY_WORDS: i32 = BITMAP_WORDS >> 6;
/** Levels per side that lie outside the window, kept sorted by tick. */
export const OVERFLOW_CAP: i32 = 16384;
export const OVERFLOW_ENTRY_BYTES: i32 = 16; // i64 tick, i64 qty lots

export const SIDE_QTY_OFFSET: i32 = 0;
export const SIDE_L0_OFFSET: i32 = SIDE_QTY_OFFSET + WINDOW_TICKS * 8;
export const SIDE_L1_OFFSET: i32 = SIDE_L0_OFFSET + BITMAP_WORDS * 8;
export const SIDE_OVF_OFFSET: i32 = SIDE_L1_OFFSET + SUMMARY_WORDS * 8;
export const SIDE_BYTES: i32 = SIDE_OVF_OFFSET + OVERFLOW_CAP * OVERFLOW_ENTRY_BYTES;

export const BOOK_HEADER_BYTES: i32 = 256;
export const BOOK_BID_OFFSET: i32 = BOOK_HEADER_BYTES;
export const BOOK_ASK_OFFSET: i32 = BOOK_HEADER_BYTES + SIDE_BYTES;
export const BOOK_BYTES: i32 = BOOK_HEADER_BYTES + 2 * SIDE_BYTES;

// book header fields (byte offsets inside the header)
export const BH_BASE_TICK: i32 = 0; // i64: tick at window index 0
export const BH_WIN_BEST_BID: i32 = 8; // i32: window index of best bid in window, -1 none
export const BH_WIN_BEST_ASK: i32 = 12; // i32: window index of best ask in window, -1 none
export const BH_BID_LEVELS: i32 = 16; // i32: bid levels (window + overflow)
export const BH_ASK_LEVELS: i32 = 20; // i32
export const BH_BID_OVF: i32 = 24; // i32: bid levels in overflow
export const BH_ASK_OVF: i32 = 28; // i32
export const BH_FLAGS: i32 = 32; // i32: latched BOOK_FLAG_* bits
export const BH_ERRORS: i32 = 36; // i32: rejected operations
export const BH_RECENTERS: i32 = 40; // i32: window moves
export const BH_LAST_ERROR: i32 = 44; // i32: last ERR_* code
export const BH_UPDATES: i32 = 48; // f64: applied operations

// ---- staging: bulk operations written by JS, applied by applyStaged(n) -------
export const STAGING_CAP: i32 = 65536;
export const STAGING_RECORD_BYTES: i32 = 32;
export const SR_BOOK: i32 = 0; // i32 book index
export const SR_OP: i32 = 4; // i32 OP_* | side << OP_SIDE_SHIFT
export const SR_TICK: i32 = 8; // f64 integer price ticks
export const SR_QTY: i32 = 16; // f64 integer lots (SET: absolute, CHANGE: signed delta)
export const SR_STATUS: i32 = 24; // i32 ERR_* written back by applyStaged
export const SR_RESERVED: i32 = 28;

// ---- depth output: top-N levels written by bookTopN ----------------------------
export const MAX_DEPTH_LEVELS: i32 = 1024;
export const DEPTH_LEVEL_BYTES: i32 = 16; // f64 tick, f64 qty lots

// ---- quote ladder --------------------------------------------------------------
export const MAX_QUOTERS: i32 = 64;
export const MAX_QUOTE_LEVELS: i32 = 32;
/** f64 slots of one quoter's parameter block (QP_* indices, see assembly/quote). */
export const QUOTE_PARAM_SLOTS: i32 = 128;
/** f64 slots of one quoter's output block (QO_* indices). */
export const QUOTE_OUT_SLOTS: i32 = 160;

// ---- volatility ------------------------------------------------------------------
export const VOL_BUCKETS: i32 = 64;
/** f64 slots of one book's volatility state (VS_* indices, see assembly/vol). */
export const VOL_STATE_SLOTS: i32 = 128;

// ---- frame fast path: protocol v1 frames applied inside WASM (assembly/feed) ----------
/** Largest frame the fast path takes (bytes); a larger one goes to the TS decoder. */
export const FRAME_IN_BYTES: i32 = 1 << 20;
/** One record per book slot: which ingest and feed symbol own it, its sequence state, frame results. */
export const FAST_RECORD_BYTES: i32 = 128;
export const FP_OWNER: i32 = 0; // i32: id of the ingest whose symbol this book is; 0 = none
export const FP_SYMBOL: i32 = 4; // i32: the feed symbolId of that symbol
export const FP_LIVE: i32 = 8; // i32: 1 = in sequence and fed: in-sequence updates may apply in WASM
export const FP_GEN: i32 = 12; // i32: internal: the frame that last touched the record
export const FP_NEXT_SEQ: i32 = 16; // f64: seq the next message must carry (advanced by frameApply)
export const FP_WORK_SEQ: i32 = 24; // i64: internal: next seq while a frame is checked
export const FP_LAST_TS: i32 = 32; // f64 out: exchange ts of the last message admitted in the frame
export const FP_MESSAGES: i32 = 40; // i32 out: messages of the frame for this symbol
export const FP_DROPPED: i32 = 44; // i32 out: messages skipped after the book refused a level
export const FP_REFUSED: i32 = 48; // i32 out: ERR_* of the level the book refused; 0 = none
export const FP_TRADES: i32 = 52; // i32 out: trades of the frame for this symbol
export const FP_TRADE_SIDE: i32 = 56; // i32 out: last trade's aggressor side
export const FP_TRADE_TICK: i32 = 64; // f64 out: last trade's price ticks
export const FP_TRADE_LOT: i32 = 72; // f64 out: last trade's quantity lots
export const FP_TRADE_ID: i32 = 80; // f64 out: last trade's id
/** Frame results written by frameApply (byte offsets in the frame-out region). */
export const FO_STATUS: i32 = 0; // i32: FAST_* result
export const FO_MESSAGES: i32 = 4; // i32: messages in the frame
export const FO_LEVELS: i32 = 8; // i32: level set / change messages in the frame
export const FO_TOUCHED: i32 = 12; // i32: books the frame touched
export const FO_REFUSED: i32 = 16; // i32: books that refused a level
export const FO_END_OF_BATCH: i32 = 20; // i32: 1 when the frame ends a batch
export const FO_AT_MESSAGE: i32 = 24; // i32: message that decided a fallback; -1 the frame itself
export const FO_SEND_TS: i32 = 32; // f64: the frame's sendTsNs
export const FO_TOUCHED_LIST: i32 = 64; // i32 x MAX_BOOKS: touched books, first-touched first
export const FO_REFUSED_LIST: i32 = FO_TOUCHED_LIST + MAX_BOOKS * 4; // i32 x MAX_BOOKS: in refusal order
/** The frame-out region: FO_REFUSED_LIST + 4 * MAX_BOOKS bytes are used; the rest keeps the books 16 KiB aligned. */
export const FRAME_OUT_BYTES: i32 = 2 * 4096;

// ---- regions (absolute byte offsets, each 64 KiB aligned) -------------------------
export const REGION_ALIGN: i32 = 65536;
export const STAGING_OFFSET: i32 = REGION_ALIGN;
export const STAGING_BYTES: i32 = STAGING_CAP * STAGING_RECORD_BYTES;
export const DEPTH_OUT_OFFSET: i32 = STAGING_OFFSET + STAGING_BYTES;
export const DEPTH_OUT_BYTES: i32 = 2 * MAX_DEPTH_LEVELS * DEPTH_LEVEL_BYTES; // bids then asks
export const QUOTE_PARAMS_OFFSET: i32 = DEPTH_OUT_OFFSET + DEPTH_OUT_BYTES;
export const QUOTE_PARAMS_BYTES: i32 = MAX_QUOTERS * QUOTE_PARAM_SLOTS * 8;
export const QUOTE_OUT_OFFSET: i32 = QUOTE_PARAMS_OFFSET + QUOTE_PARAMS_BYTES;
export const QUOTE_OUT_BYTES: i32 = MAX_QUOTERS * QUOTE_OUT_SLOTS * 8;
export const VOL_OFFSET: i32 = QUOTE_OUT_OFFSET + QUOTE_OUT_BYTES;
export const VOL_BYTES: i32 = MAX_BOOKS * VOL_STATE_SLOTS * 8;
/** Scratch for window moves: every level of one side plus a second overflow array. */
export const SCRATCH_OFFSET: i32 = VOL_OFFSET + VOL_BYTES;
export const SCRATCH_BYTES: i32 = (WINDOW_TICKS + 2 * OVERFLOW_CAP) * OVERFLOW_ENTRY_BYTES;
/** Fast path: one record per book slot, the frame results, then the frame bytes. */
export const FAST_STATE_OFFSET: i32 = SCRATCH_OFFSET + SCRATCH_BYTES;
export const FAST_STATE_BYTES: i32 = MAX_BOOKS * FAST_RECORD_BYTES;
export const FRAME_OUT_OFFSET: i32 = FAST_STATE_OFFSET + FAST_STATE_BYTES;
export const FRAME_IN_OFFSET: i32 = FRAME_OUT_OFFSET + FRAME_OUT_BYTES;
export const BOOKS_OFFSET: i32 = FRAME_IN_OFFSET + FRAME_IN_BYTES;
export const BOOKS_BYTES: i32 = MAX_BOOKS * BOOK_BYTES;
/** Monte-Carlo experiment (assembly/sim): per-step model terms, per-path seeds and records. */
export const MC_MAX_STEPS: i32 = 100000;
export const MC_MAX_PATHS: i32 = 4096; // paths per mcRun call
export const MC_RECORD_FIELDS: i32 = 6; // f64 per path: profit, q, mean spread; inventory then symmetric
export const MC_STEPS_OFFSET: i32 = BOOKS_OFFSET + BOOKS_BYTES;
export const MC_STEPS_BYTES: i32 = MC_MAX_STEPS * 16; // f64 half-spread ticks, f64 skew ticks per unit of q
export const MC_SEEDS_OFFSET: i32 = MC_STEPS_OFFSET + MC_STEPS_BYTES;
export const MC_SEEDS_BYTES: i32 = MC_MAX_PATHS * 4; // u32 per path
export const MC_OUT_OFFSET: i32 = MC_SEEDS_OFFSET + MC_SEEDS_BYTES;
export const MC_OUT_BYTES: i32 = MC_MAX_PATHS * MC_RECORD_FIELDS * 8;
/** Paths run together step by step (independent work for the CPU to overlap), their state in columns. */
export const MC_BLOCK: i32 = 64;
export const MC_STATE_FIELDS: i32 = 10; // rng, mid, then q, cash, spread sum, quoted steps of each strategy
export const MC_STATE_OFFSET: i32 = MC_OUT_OFFSET + MC_OUT_BYTES;
export const MC_STATE_BYTES: i32 = MC_BLOCK * MC_STATE_FIELDS * 8;
export const LAYOUT_END: i32 = MC_STATE_OFFSET + MC_STATE_BYTES;

// ---- codes -----------------------------------------------------------------------
export const SIDE_BID: i32 = 0;
export const SIDE_ASK: i32 = 1;

export const OP_SET: i32 = 1; // absolute quantity, 0 removes
export const OP_CHANGE: i32 = 2; // signed delta
export const OP_CLEAR_SIDE: i32 = 3;
export const OP_CLEAR_BOOK: i32 = 4;
export const OP_SIDE_SHIFT: i32 = 8;
export const OP_CODE_MASK: i32 = 0xff;

export const ERR_OK: i32 = 0;
export const ERR_BAD_BOOK: i32 = 1; // book index out of range
export const ERR_BAD_SIDE: i32 = 2;
export const ERR_BAD_PRICE: i32 = 3; // not an integer tick, or beyond +-2^52
export const ERR_BAD_QTY: i32 = 4; // not an integer lot count, negative absolute, or beyond 2^53
export const ERR_NEGATIVE_LEVEL: i32 = 5; // a delta would take a level below zero
export const ERR_OVERFLOW_FULL: i32 = 6; // no room left for a level outside the window
export const ERR_BAD_OP: i32 = 7;
export const ERR_BAD_COUNT: i32 = 8; // staged count out of range
export const ERR_BAD_SLOT: i32 = 9; // quoter slot out of range
export const ERR_BAD_TIME: i32 = 10; // timestamp not finite or beyond +-2^53 us
export const ERR_BAD_PARAM: i32 = 11; // configuration value out of range

/** frameApply results: applied, or why the frame must go to the TS decoder (nothing was changed). */
export const FAST_APPLIED: i32 = 0;
export const FAST_FALLBACK_SIZE: i32 = -1; // longer than FRAME_IN_BYTES, or bad arguments
export const FAST_FALLBACK_INVALID: i32 = -2; // fails a check of the protocol: the TS decoder names it
export const FAST_FALLBACK_TYPE: i32 = -3; // a message other than level set / change (trade unless FAST_TRADES)
export const FAST_FALLBACK_SYMBOL: i32 = -4; // a symbol not mapped to this ingest, or not live
export const FAST_FALLBACK_SEQ: i32 = -5; // a seq other than the next one (gap, duplicate, reordering)
export const FAST_FALLBACK_COUNT: i32 = 6; // number of results: codes 0 .. -5
/** frameApply flag: trades may be applied in WASM (nobody wants a call per trade). */
export const FAST_TRADES: i32 = 1;

export const BOOK_FLAG_CROSSED: i32 = 1; // best bid >= best ask (computed on read)
export const BOOK_FLAG_INTEGRITY: i32 = 2; // a delta would have gone negative (latched)
export const BOOK_FLAG_OVERFLOW_FULL: i32 = 4; // a level was refused for lack of room (latched)
export const BOOK_FLAG_BID_EMPTY: i32 = 8;
export const BOOK_FLAG_ASK_EMPTY: i32 = 16;

// ---- quote parameter block: f64 slot indices inside one quoter's block -------------
export const QP_MODEL: i32 = 0; // QUOTE_MODEL_*
export const QP_LEVELS: i32 = 1; // levels per side, 1..MAX_QUOTE_LEVELS
export const QP_HALF_SPREAD_BPS: i32 = 2; // half-spread in bps of fair value
export const QP_HALF_SPREAD_TICKS: i32 = 3; // half-spread in ticks; > 0 takes precedence over bps
export const QP_LEVEL_SPACING_BPS: i32 = 4;
export const QP_LEVEL_SPACING_TICKS: i32 = 5; // > 0 takes precedence over bps
export const QP_ORDER_SIZE_LOT: i32 = 6;
export const QP_SKEW_MODE: i32 = 7; // SKEW_*
export const QP_SKEW_FACTOR: i32 = 8; // SKEW_FACTOR: shift = -(q / max) * factor * halfSpread
export const QP_MAX_POSITION_LOT: i32 = 9; // hard limit; 0 = none
export const QP_SOFT_LIMIT_LOT: i32 = 10; // skew applies when |q| > this
export const QP_ADJ_TICKS_PER_LOT: i32 = 11; // SKEW_PER_UNIT: shift = -q * this
export const QP_STEP_LOT: i32 = 12; // SKEW_STEPPED: shift = -sign(q) * floor(|q| / step) * stepAdj
export const QP_STEP_ADJ_TICKS: i32 = 13;
export const QP_SOFT_SPREAD_MULT: i32 = 14; // spread multiplier beyond the soft limit (SKEW_STEPPED)
export const QP_MIN_SPREAD_BPS: i32 = 15; // full spread clamps; 0 = none
export const QP_MAX_SPREAD_BPS: i32 = 16;
export const QP_MIN_SPREAD_TICKS: i32 = 17;
export const QP_MAX_SPREAD_TICKS: i32 = 18;
export const QP_SPREAD_MULT: i32 = 19; // volatility / regime multiplier on the half-spread
export const QP_BID_SPREAD_MULT: i32 = 20; // per-side multipliers (regimes)
export const QP_ASK_SPREAD_MULT: i32 = 21;
export const QP_EXTRA_SHIFT_TICKS: i32 = 22; // added to the centre (imbalance, regime)
export const QP_SIZE_MULT: i32 = 23; // quote size multiplier (regimes)
export const QP_POST_ONLY: i32 = 24; // 1: never cross the opposite best of the book
export const QP_GAMMA: i32 = 25; // risk aversion (AS, GLFT)
export const QP_SIGMA: i32 = 26; // volatility, price units per sqrt(time unit)
export const QP_K: i32 = 27; // order-arrival decay, per price unit
export const QP_A: i32 = 28; // order-arrival intensity (GLFT)
export const QP_HORIZON: i32 = 29; // T - t in time units (AS)
export const QP_TICK_SIZE: i32 = 30; // price units per tick (model maths only)
export const QP_LOT_SIZE: i32 = 31; // quantity units per lot (model maths only)
export const QP_MIN_PRICE_TICK: i32 = 32; // lowest quotable price tick; 0 with MAX 0 = none
export const QP_MAX_PRICE_TICK: i32 = 33; // highest quotable price tick
export const QP_FAIR_MODE: i32 = 34; // FAIR_* used when the fair value passed in is NaN
export const QP_LEVEL_SIZE_BASE: i32 = 48; // per-level sizes in lots (0 = order size)

export const QUOTE_MODEL_LINEAR: i32 = 0;
export const QUOTE_MODEL_AS: i32 = 1;
export const QUOTE_MODEL_GLFT: i32 = 2;
export const SKEW_NONE: i32 = 0;
export const SKEW_FACTOR: i32 = 1;
export const SKEW_PER_UNIT: i32 = 2;
export const SKEW_STEPPED: i32 = 3;
export const FAIR_MID: i32 = 0;
export const FAIR_MICROPRICE: i32 = 1;

// ---- quote output block: f64 slot indices -------------------------------------------
export const QO_BID_COUNT: i32 = 0;
export const QO_ASK_COUNT: i32 = 1;
export const QO_FAIR_TICK: i32 = 2;
export const QO_RESERVATION_TICK: i32 = 3; // centre after skew
export const QO_HALF_SPREAD_TICKS: i32 = 4; // after multipliers and clamps
export const QO_SKEW_TICKS: i32 = 5; // centre shift from inventory
export const QO_FLAGS: i32 = 6; // QF_* bits
export const QO_BIDS: i32 = 16; // (tick, qty lots) pairs, best first
export const QO_ASKS: i32 = 16 + 2 * MAX_QUOTE_LEVELS;

export const QF_BID_HARD_LIMIT: i32 = 1; // no bids: position at or beyond max
export const QF_ASK_HARD_LIMIT: i32 = 2;
export const QF_POST_ONLY_ADJUSTED: i32 = 4;
export const QF_MIN_SPREAD_CLAMP: i32 = 8;
export const QF_MAX_SPREAD_CLAMP: i32 = 16;
export const QF_SKEWED: i32 = 32;
export const QF_NO_FAIR: i32 = 64; // no fair value: nothing quoted
export const QF_BAD_PARAMS: i32 = 128; // a parameter is NaN/Inf or out of range: nothing quoted

// ---- volatility state: f64 slot indices inside one book's block ---------------------
export const VS_WINDOW_US: i32 = 0; // rolling window length
export const VS_SHORT_TAU_US: i32 = 1; // EWMA time constants
export const VS_LONG_TAU_US: i32 = 2;
export const VS_JUMP_BPS: i32 = 3; // |return| above this is a jump; 0 = off
export const VS_JUMP_VOL_MULT: i32 = 4; // |return| above this many rolling vols is a jump; 0 = off
export const VS_LAST_TS_US: i32 = 5;
export const VS_LAST_MID: i32 = 6;
export const VS_BUCKET_ID: i32 = 7; // floor(ts / bucket width) of the current bucket
export const VS_SUM_SQ: i32 = 8; // sum of squared log returns over the window
export const VS_EWMA_SHORT: i32 = 9; // exponentially weighted sums of squared returns
export const VS_EWMA_LONG: i32 = 10;
export const VS_LAST_RETURN_BPS: i32 = 11;
export const VS_SAMPLES: i32 = 12;
export const VS_JUMPS: i32 = 13;
export const VS_START_TS_US: i32 = 14; // clock time of the first mid (EWMA warm-up)
export const VS_BUCKETS: i32 = 32; // VOL_BUCKETS sums of squared returns

export const VOL_FLAG_JUMP: i32 = 1; // volUpdate result bit: this return was a price jump
