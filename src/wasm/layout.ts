// Mirror of assembly/layout.ts: the memory map as seen from TypeScript.
// test/wasm-layout.test.ts checks every constant against the module's exports.

export const LAYOUT_VERSION = 1;

// ---- order books -------------------------------------------------------------
export const MAX_BOOKS = 64;
/** Each book holds a window of 2^WINDOW_BITS price ticks per side in flat arrays. */
export const WINDOW_BITS = 18;
export const WINDOW_TICKS = 1 << WINDOW_BITS;
/** Level-0 bitmap: one bit per tick in the window. */
export const BITMAP_WORDS = WINDOW_TICKS >> 6;
/** Level-1 bitmap: one bit per non-zero level-0 word. */
export const SUMMARY_WORDS = BITMAP_WORDS >> 6;
/** Levels per side that lie outside the window, kept sorted by tick. */
export const OVERFLOW_CAP = 16384;
export const OVERFLOW_ENTRY_BYTES = 16; // i64 tick, i64 qty lots

export const SIDE_QTY_OFFSET = 0;
export const SIDE_L0_OFFSET = SIDE_QTY_OFFSET + WINDOW_TICKS * 8;
export const SIDE_L1_OFFSET = SIDE_L0_OFFSET + BITMAP_WORDS * 8;
export const SIDE_OVF_OFFSET = SIDE_L1_OFFSET + SUMMARY_WORDS * 8;
export const SIDE_BYTES = SIDE_OVF_OFFSET + OVERFLOW_CAP * OVERFLOW_ENTRY_BYTES;

export const BOOK_HEADER_BYTES = 256;
export const BOOK_BID_OFFSET = BOOK_HEADER_BYTES;
export const BOOK_ASK_OFFSET = BOOK_HEADER_BYTES + SIDE_BYTES;
export const BOOK_BYTES = BOOK_HEADER_BYTES + 2 * SIDE_BYTES;

// book header fields (byte offsets inside the header)
export const BH_BASE_TICK = 0; // i64: tick at window index 0
export const BH_WIN_BEST_BID = 8; // i32: window index of best bid in window, -1 none
export const BH_WIN_BEST_ASK = 12; // i32: window index of best ask in window, -1 none
export const BH_BID_LEVELS = 16; // i32: bid levels (window + overflow)
export const BH_ASK_LEVELS = 20; // i32
export const BH_BID_OVF = 24; // i32: bid levels in overflow
export const BH_ASK_OVF = 28; // i32
export const BH_FLAGS = 32; // i32: latched BOOK_FLAG_* bits
export const BH_ERRORS = 36; // i32: rejected operations
export const BH_RECENTERS = 40; // i32: window moves
export const BH_LAST_ERROR = 44; // i32: last ERR_* code
export const BH_UPDATES = 48; // f64: applied operations

// ---- staging: bulk operations written by JS, applied by applyStaged(n) -------
export const STAGING_CAP = 65536;
export const STAGING_RECORD_BYTES = 32;
export const SR_BOOK = 0; // i32 book index
export const SR_OP = 4; // i32 OP_* | side << OP_SIDE_SHIFT
export const SR_TICK = 8; // f64 integer price ticks
export const SR_QTY = 16; // f64 integer lots (SET: absolute, CHANGE: signed delta)
export const SR_STATUS = 24; // i32 ERR_* written back by applyStaged
export const SR_RESERVED = 28;

// ---- depth output: top-N levels written by bookTopN ----------------------------
export const MAX_DEPTH_LEVELS = 1024;
export const DEPTH_LEVEL_BYTES = 16; // f64 tick, f64 qty lots

// ---- quote ladder --------------------------------------------------------------
export const MAX_QUOTERS = 64;
export const MAX_QUOTE_LEVELS = 32;
/** f64 slots of one quoter's parameter block (QP_* indices, see assembly/quote). */
export const QUOTE_PARAM_SLOTS = 128;
/** f64 slots of one quoter's output block (QO_* indices). */
export const QUOTE_OUT_SLOTS = 160;

// ---- volatility ------------------------------------------------------------------
export const VOL_BUCKETS = 64;
/** f64 slots of one book's volatility state (VS_* indices, see assembly/vol). */
export const VOL_STATE_SLOTS = 128;

// ---- frame fast path: protocol v1 frames applied inside WASM (assembly/feed) ----------
/** Largest frame the fast path takes (bytes); a larger one goes to the TS decoder. */
export const FRAME_IN_BYTES = 1 << 20;
/** One record per book slot: which ingest and feed symbol own it, its sequence state, frame results. */
export const FAST_RECORD_BYTES = 128;
export const FP_OWNER = 0; // i32: id of the ingest whose symbol this book is; 0 = none
export const FP_SYMBOL = 4; // i32: the feed symbolId of that symbol
export const FP_LIVE = 8; // i32: 1 = in sequence and fed: in-sequence updates may apply in WASM
export const FP_GEN = 12; // i32: internal: the frame that last touched the record
export const FP_NEXT_SEQ = 16; // f64: seq the next message must carry (advanced by frameApply)
export const FP_WORK_SEQ = 24; // i64: internal: next seq while a frame is checked
export const FP_LAST_TS = 32; // f64 out: exchange ts of the last message admitted in the frame
export const FP_MESSAGES = 40; // i32 out: messages of the frame for this symbol
export const FP_DROPPED = 44; // i32 out: messages skipped after the book refused a level
export const FP_REFUSED = 48; // i32 out: ERR_* of the level the book refused; 0 = none
export const FP_TRADES = 52; // i32 out: trades of the frame for this symbol
export const FP_TRADE_SIDE = 56; // i32 out: last trade's aggressor side
export const FP_TRADE_TICK = 64; // f64 out: last trade's price ticks
export const FP_TRADE_LOT = 72; // f64 out: last trade's quantity lots
export const FP_TRADE_ID = 80; // f64 out: last trade's id
/** Frame results written by frameApply (byte offsets in the frame-out region). */
export const FO_STATUS = 0; // i32: FAST_* result
export const FO_MESSAGES = 4; // i32: messages in the frame
export const FO_LEVELS = 8; // i32: level set / change messages in the frame
export const FO_TOUCHED = 12; // i32: books the frame touched
export const FO_REFUSED = 16; // i32: books that refused a level
export const FO_END_OF_BATCH = 20; // i32: 1 when the frame ends a batch
export const FO_AT_MESSAGE = 24; // i32: message that decided a fallback; -1 the frame itself
export const FO_SEND_TS = 32; // f64: the frame's sendTsNs
export const FO_TOUCHED_LIST = 64; // i32 x MAX_BOOKS: touched books, first-touched first
export const FO_REFUSED_LIST = FO_TOUCHED_LIST + MAX_BOOKS * 4; // i32 x MAX_BOOKS: in refusal order
/** The frame-out region: FO_REFUSED_LIST + 4 * MAX_BOOKS bytes are used; the rest keeps the books 16 KiB aligned. */
export const FRAME_OUT_BYTES = 2 * 4096;

// ---- regions (absolute byte offsets, each 64 KiB aligned) -------------------------
export const REGION_ALIGN = 65536;
export const STAGING_OFFSET = REGION_ALIGN;
export const STAGING_BYTES = STAGING_CAP * STAGING_RECORD_BYTES;
export const DEPTH_OUT_OFFSET = STAGING_OFFSET + STAGING_BYTES;
export const DEPTH_OUT_BYTES = 2 * MAX_DEPTH_LEVELS * DEPTH_LEVEL_BYTES; // bids then asks
export const QUOTE_PARAMS_OFFSET = DEPTH_OUT_OFFSET + DEPTH_OUT_BYTES;
export const QUOTE_PARAMS_BYTES = MAX_QUOTERS * QUOTE_PARAM_SLOTS * 8;
export const QUOTE_OUT_OFFSET = QUOTE_PARAMS_OFFSET + QUOTE_PARAMS_BYTES;
export const QUOTE_OUT_BYTES = MAX_QUOTERS * QUOTE_OUT_SLOTS * 8;
export const VOL_OFFSET = QUOTE_OUT_OFFSET + QUOTE_OUT_BYTES;
export const VOL_BYTES = MAX_BOOKS * VOL_STATE_SLOTS * 8;
/** Scratch for window moves: every level of one side plus a second overflow array. */
export const SCRATCH_OFFSET = VOL_OFFSET + VOL_BYTES;
export const SCRATCH_BYTES = (WINDOW_TICKS + 2 * OVERFLOW_CAP) * OVERFLOW_ENTRY_BYTES;
/** Fast path: one record per book slot, the frame results, then the frame bytes. */
export const FAST_STATE_OFFSET = SCRATCH_OFFSET + SCRATCH_BYTES;
export const FAST_STATE_BYTES = MAX_BOOKS * FAST_RECORD_BYTES;
export const FRAME_OUT_OFFSET = FAST_STATE_OFFSET + FAST_STATE_BYTES;
export const FRAME_IN_OFFSET = FRAME_OUT_OFFSET + FRAME_OUT_BYTES;
export const BOOKS_OFFSET = FRAME_IN_OFFSET + FRAME_IN_BYTES;
export const BOOKS_BYTES = MAX_BOOKS * BOOK_BYTES;
/** Monte-Carlo experiment (assembly/sim): per-step model terms, per-path seeds and records. */
export const MC_MAX_STEPS = 100000;
export const MC_MAX_PATHS = 4096; // paths per mcRun call
export const MC_RECORD_FIELDS = 6; // f64 per path: profit, q, mean spread; inventory then symmetric
export const MC_STEPS_OFFSET = BOOKS_OFFSET + BOOKS_BYTES;
export const MC_STEPS_BYTES = MC_MAX_STEPS * 16; // f64 half-spread ticks, f64 skew ticks per unit of q
export const MC_SEEDS_OFFSET = MC_STEPS_OFFSET + MC_STEPS_BYTES;
export const MC_SEEDS_BYTES = MC_MAX_PATHS * 4; // u32 per path
export const MC_OUT_OFFSET = MC_SEEDS_OFFSET + MC_SEEDS_BYTES;
export const MC_OUT_BYTES = MC_MAX_PATHS * MC_RECORD_FIELDS * 8;
/** Paths run together step by step (independent work for the CPU to overlap), their state in columns. */
export const MC_BLOCK = 64;
export const MC_STATE_FIELDS = 10; // rng, mid, then q, cash, spread sum, quoted steps of each strategy
export const MC_STATE_OFFSET = MC_OUT_OFFSET + MC_OUT_BYTES;
export const MC_STATE_BYTES = MC_BLOCK * MC_STATE_FIELDS * 8;
export const LAYOUT_END = MC_STATE_OFFSET + MC_STATE_BYTES;

// ---- codes -----------------------------------------------------------------------
export const SIDE_BID = 0;
export const SIDE_ASK = 1;

export const OP_SET = 1; // absolute quantity, 0 removes
export const OP_CHANGE = 2; // signed delta
export const OP_CLEAR_SIDE = 3;
export const OP_CLEAR_BOOK = 4;
export const OP_SIDE_SHIFT = 8;
export const OP_CODE_MASK = 0xff;

export const ERR_OK = 0;
export const ERR_BAD_BOOK = 1; // book index out of range
export const ERR_BAD_SIDE = 2;
export const ERR_BAD_PRICE = 3; // not an integer tick, or beyond +-2^52
export const ERR_BAD_QTY = 4; // not an integer lot count, negative absolute, or beyond 2^53
export const ERR_NEGATIVE_LEVEL = 5; // a delta would take a level below zero
export const ERR_OVERFLOW_FULL = 6; // no room left for a level outside the window
export const ERR_BAD_OP = 7;
export const ERR_BAD_COUNT = 8; // staged count out of range
export const ERR_BAD_SLOT = 9; // quoter slot out of range
export const ERR_BAD_TIME = 10; // timestamp not finite or beyond +-2^53 us
export const ERR_BAD_PARAM = 11; // configuration value out of range

/** frameApply results: applied, or why the frame must go to the TS decoder (nothing was changed). */
export const FAST_APPLIED = 0;
export const FAST_FALLBACK_SIZE = -1; // longer than FRAME_IN_BYTES, or bad arguments
export const FAST_FALLBACK_INVALID = -2; // fails a check of the protocol: the TS decoder names it
export const FAST_FALLBACK_TYPE = -3; // a message other than level set / change (trade unless FAST_TRADES)
export const FAST_FALLBACK_SYMBOL = -4; // a symbol not mapped to this ingest, or not live
export const FAST_FALLBACK_SEQ = -5; // a seq other than the next one (gap, duplicate, reordering)
export const FAST_FALLBACK_COUNT = 6; // number of results: codes 0 .. -5
/** frameApply flag: trades may be applied in WASM (nobody wants a call per trade). */
export const FAST_TRADES = 1;

export const BOOK_FLAG_CROSSED = 1; // best bid >= best ask (computed on read)
export const BOOK_FLAG_INTEGRITY = 2; // a delta would have gone negative (latched)
export const BOOK_FLAG_OVERFLOW_FULL = 4; // a level was refused for lack of room (latched)
export const BOOK_FLAG_BID_EMPTY = 8;
export const BOOK_FLAG_ASK_EMPTY = 16;

// ---- quote parameter block: f64 slot indices inside one quoter's block -------------
export const QP_MODEL = 0; // QUOTE_MODEL_*
export const QP_LEVELS = 1; // levels per side, 1..MAX_QUOTE_LEVELS
export const QP_HALF_SPREAD_BPS = 2; // half-spread in bps of fair value
export const QP_HALF_SPREAD_TICKS = 3; // half-spread in ticks; > 0 takes precedence over bps
export const QP_LEVEL_SPACING_BPS = 4;
export const QP_LEVEL_SPACING_TICKS = 5; // > 0 takes precedence over bps
export const QP_ORDER_SIZE_LOT = 6;
export const QP_SKEW_MODE = 7; // SKEW_*
export const QP_SKEW_FACTOR = 8; // SKEW_FACTOR: shift = -(q / max) * factor * halfSpread
export const QP_MAX_POSITION_LOT = 9; // hard limit; 0 = none
export const QP_SOFT_LIMIT_LOT = 10; // skew applies when |q| > this
export const QP_ADJ_TICKS_PER_LOT = 11; // SKEW_PER_UNIT: shift = -q * this
export const QP_STEP_LOT = 12; // SKEW_STEPPED: shift = -sign(q) * floor(|q| / step) * stepAdj
export const QP_STEP_ADJ_TICKS = 13;
export const QP_SOFT_SPREAD_MULT = 14; // spread multiplier beyond the soft limit (SKEW_STEPPED)
export const QP_MIN_SPREAD_BPS = 15; // full spread clamps; 0 = none
export const QP_MAX_SPREAD_BPS = 16;
export const QP_MIN_SPREAD_TICKS = 17;
export const QP_MAX_SPREAD_TICKS = 18;
export const QP_SPREAD_MULT = 19; // volatility / regime multiplier on the half-spread
export const QP_BID_SPREAD_MULT = 20; // per-side multipliers (regimes)
export const QP_ASK_SPREAD_MULT = 21;
export const QP_EXTRA_SHIFT_TICKS = 22; // added to the centre (imbalance, regime)
export const QP_SIZE_MULT = 23; // quote size multiplier (regimes)
export const QP_POST_ONLY = 24; // 1: never cross the opposite best of the book
export const QP_GAMMA = 25; // risk aversion (AS, GLFT)
export const QP_SIGMA = 26; // volatility, price units per sqrt(time unit)
export const QP_K = 27; // order-arrival decay, per price unit
export const QP_A = 28; // order-arrival intensity (GLFT)
export const QP_HORIZON = 29; // T - t in time units (AS)
export const QP_TICK_SIZE = 30; // price units per tick (model maths only)
export const QP_LOT_SIZE = 31; // quantity units per lot (model maths only)
export const QP_MIN_PRICE_TICK = 32; // lowest quotable price tick; 0 with MAX 0 = none
export const QP_MAX_PRICE_TICK = 33; // highest quotable price tick
export const QP_FAIR_MODE = 34; // FAIR_* used when the fair value passed in is NaN
export const QP_LEVEL_SIZE_BASE = 48; // per-level sizes in lots (0 = order size)

export const QUOTE_MODEL_LINEAR = 0;
export const QUOTE_MODEL_AS = 1;
export const QUOTE_MODEL_GLFT = 2;
export const SKEW_NONE = 0;
export const SKEW_FACTOR = 1;
export const SKEW_PER_UNIT = 2;
export const SKEW_STEPPED = 3;
export const FAIR_MID = 0;
export const FAIR_MICROPRICE = 1;

// ---- quote output block: f64 slot indices -------------------------------------------
export const QO_BID_COUNT = 0;
export const QO_ASK_COUNT = 1;
export const QO_FAIR_TICK = 2;
export const QO_RESERVATION_TICK = 3; // centre after skew
export const QO_HALF_SPREAD_TICKS = 4; // after multipliers and clamps
export const QO_SKEW_TICKS = 5; // centre shift from inventory
export const QO_FLAGS = 6; // QF_* bits
export const QO_BIDS = 16; // (tick, qty lots) pairs, best first
export const QO_ASKS = 16 + 2 * MAX_QUOTE_LEVELS;

export const QF_BID_HARD_LIMIT = 1; // no bids: position at or beyond max
export const QF_ASK_HARD_LIMIT = 2;
export const QF_POST_ONLY_ADJUSTED = 4;
export const QF_MIN_SPREAD_CLAMP = 8;
export const QF_MAX_SPREAD_CLAMP = 16;
export const QF_SKEWED = 32;
export const QF_NO_FAIR = 64; // no fair value: nothing quoted
export const QF_BAD_PARAMS = 128; // a parameter is NaN/Inf or out of range: nothing quoted

// ---- volatility state: f64 slot indices inside one book's block ---------------------
export const VS_WINDOW_US = 0; // rolling window length
export const VS_SHORT_TAU_US = 1; // EWMA time constants
export const VS_LONG_TAU_US = 2;
export const VS_JUMP_BPS = 3; // |return| above this is a jump; 0 = off
export const VS_JUMP_VOL_MULT = 4; // |return| above this many rolling vols is a jump; 0 = off
export const VS_LAST_TS_US = 5;
export const VS_LAST_MID = 6;
export const VS_BUCKET_ID = 7; // floor(ts / bucket width) of the current bucket
export const VS_SUM_SQ = 8; // sum of squared log returns over the window
export const VS_EWMA_SHORT = 9; // exponentially weighted sums of squared returns
export const VS_EWMA_LONG = 10;
export const VS_LAST_RETURN_BPS = 11;
export const VS_SAMPLES = 12;
export const VS_JUMPS = 13;
export const VS_START_TS_US = 14; // clock time of the first mid (EWMA warm-up)
export const VS_BUCKETS = 32; // VOL_BUCKETS sums of squared returns

export const VOL_FLAG_JUMP = 1; // volUpdate result bit: this return was a price jump
