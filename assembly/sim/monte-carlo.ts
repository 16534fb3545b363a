// The Avellaneda–Stoikov Monte-Carlo experiment (src/simulate) in one call per
// chunk of paths: the same quotes quoteCompute gives for what the experiment
// configures (one level of one lot, no book, no clamps, multipliers or limits), the
// same mulberry32 streams, fill draws and mid moves as the TS loop, with no call
// across the boundary per quote.
//
// mcPrepare reads the two quoter slots (inventory: avellaneda_stoikov or glft;
// symmetric: linear with a half-spread in ticks), refuses settings this kernel does
// not reproduce, and writes the model's per-step terms (half-spread ticks and the
// skew in ticks per unit of inventory, which for Avellaneda–Stoikov depend on the
// horizon T − t) into the step table. mcRun then runs each path through every step
// with its whole state in locals: three draws (bid, ask, mid), both strategies'
// level-0 quotes rounded to the grid as the ladder rounds them, the mid move, the two
// fill draws against A·e^(−kδ)·dt, and writes MC_RECORD_FIELDS numbers per path.
import {
  MC_MAX_STEPS, MC_MAX_PATHS, MC_RECORD_FIELDS, MC_STEPS_OFFSET, MC_SEEDS_OFFSET, MC_OUT_OFFSET, MAX_QUOTERS,
  MC_BLOCK, MC_STATE_FIELDS, MC_STATE_OFFSET,
  QP_MODEL, QP_LEVELS, QP_HALF_SPREAD_TICKS, QP_ORDER_SIZE_LOT, QP_SKEW_MODE, QP_MAX_POSITION_LOT,
  QP_MIN_SPREAD_BPS, QP_MAX_SPREAD_BPS, QP_MIN_SPREAD_TICKS, QP_MAX_SPREAD_TICKS, QP_SPREAD_MULT,
  QP_BID_SPREAD_MULT, QP_ASK_SPREAD_MULT, QP_EXTRA_SHIFT_TICKS, QP_SIZE_MULT, QP_MIN_PRICE_TICK,
  QP_MAX_PRICE_TICK, QP_GAMMA, QP_SIGMA, QP_K, QP_A, QP_TICK_SIZE, QP_LEVEL_SIZE_BASE,
  QUOTE_MODEL_LINEAR, QUOTE_MODEL_AS, QUOTE_MODEL_GLFT, SKEW_NONE, ERR_BAD_SLOT, ERR_BAD_PARAM, ERR_BAD_COUNT,
} from '../layout';
import { paramPtr, getSlot } from '../quote/slot';
import { paramsValid } from '../quote/validate';
import { floorGrid, ceilGrid } from '../quote/round';

const MAX_TICK: f64 = 4503599627370496.0; // 2^52, as the ladder

let preparedSteps: i32 = 0;
let symHalf: f64 = 0;
let fillA: f64 = 0;
let fillK: f64 = 0;
let tickSize: f64 = 0;

/** True when the slot's settings are those the kernel reproduces (the ladder's defaults but the model's). */
function plainSlot(p: usize): bool {
  if (!paramsValid(p)) return false;
  return getSlot(p, QP_LEVELS) == 1 && getSlot(p, QP_ORDER_SIZE_LOT) == 1 && getSlot(p, QP_MAX_POSITION_LOT) == 0 &&
    getSlot(p, QP_MIN_SPREAD_BPS) == 0 && getSlot(p, QP_MAX_SPREAD_BPS) == 0 &&
    getSlot(p, QP_MIN_SPREAD_TICKS) == 0 && getSlot(p, QP_MAX_SPREAD_TICKS) == 0 &&
    getSlot(p, QP_SPREAD_MULT) == 1 && getSlot(p, QP_BID_SPREAD_MULT) == 1 && getSlot(p, QP_ASK_SPREAD_MULT) == 1 &&
    getSlot(p, QP_EXTRA_SHIFT_TICKS) == 0 && getSlot(p, QP_SIZE_MULT) == 1 &&
    getSlot(p, QP_MIN_PRICE_TICK) <= 1 && getSlot(p, QP_MAX_PRICE_TICK) == 0 && getSlot(p, QP_LEVEL_SIZE_BASE) == 0;
}

/**
 * Checks the two slots and fills the step table for `steps` steps of dt from horizon T.
 * Returns 0, or -ERR_BAD_SLOT / -ERR_BAD_COUNT / -ERR_BAD_PARAM (then mcRun refuses to run).
 */
export function mcPrepare(invSlot: i32, symSlot: i32, steps: i32, T: f64, dt: f64): i32 {
  preparedSteps = 0;
  if (!lnTableReady) fillLnTable();
  if (<u32>invSlot >= <u32>MAX_QUOTERS || <u32>symSlot >= <u32>MAX_QUOTERS) return -ERR_BAD_SLOT;
  if (steps < 1 || steps > MC_MAX_STEPS) return -ERR_BAD_COUNT;
  const p = paramPtr(invSlot);
  const s = paramPtr(symSlot);
  if (!plainSlot(p) || !plainSlot(s)) return -ERR_BAD_PARAM;
  const model = <i32>getSlot(p, QP_MODEL);
  if (model != QUOTE_MODEL_AS && model != QUOTE_MODEL_GLFT) return -ERR_BAD_PARAM;
  if (<i32>getSlot(s, QP_MODEL) != QUOTE_MODEL_LINEAR || <i32>getSlot(s, QP_SKEW_MODE) != SKEW_NONE) return -ERR_BAD_PARAM;
  const gamma = getSlot(p, QP_GAMMA);
  const sigma = getSlot(p, QP_SIGMA);
  const k = getSlot(p, QP_K);
  const a = getSlot(p, QP_A);
  const tick = getSlot(p, QP_TICK_SIZE);
  const half = getSlot(s, QP_HALF_SPREAD_TICKS);
  if (!(gamma > 0 && k > 0 && a > 0 && tick > 0 && sigma >= 0 && half > 0 && T >= 0 && dt > 0)) return -ERR_BAD_PARAM;
  if (getSlot(s, QP_TICK_SIZE) != tick) return -ERR_BAD_PARAM;
  // the model's terms, as avellanedaStoikovModel / glftModel compute them
  const table = <usize>MC_STEPS_OFFSET;
  if (model == QUOTE_MODEL_AS) {
    const fixed = (2.0 / gamma) * Math.log1p(gamma / k);
    for (let i = 0; i < steps; i++) {
      const tau = T - <f64>i * dt;
      if (!(tau >= 0)) return -ERR_BAD_PARAM;
      const inventoryRisk = gamma * sigma * sigma * tau;
      const spread = inventoryRisk + fixed;
      store<f64>(table + (<usize>i << 4), spread * 0.5 / tick);
      store<f64>(table + (<usize>i << 4), inventoryRisk, 8);
    }
  } else {
    const ratio = gamma / k;
    const c1 = Math.log1p(ratio) / gamma;
    const c2 = Math.sqrt(gamma / (2.0 * a * k) * Math.pow(1.0 + ratio, 1.0 / ratio + 1.0));
    const sc2 = sigma * c2;
    if (!isFinite(c1) || !isFinite(sc2)) return -ERR_BAD_PARAM;
    const h = (c1 + 0.5 * sc2) / tick;
    for (let i = 0; i < steps; i++) {
      store<f64>(table + (<usize>i << 4), h);
      store<f64>(table + (<usize>i << 4), sc2, 8);
    }
  }
  symHalf = half;
  fillA = a;
  fillK = k;
  tickSize = tick;
  preparedSteps = steps;
  return 0;
}

/** mulberry32's output for an advanced state: the 32 bits whose value / 2^32 is the uniform. */
@inline function nextBits(state: u32): u32 {
  let t = state;
  t = (t ^ (t >>> 15)) * (t | 1);
  t ^= t + (t ^ (t >>> 7)) * (t | 61);
  return t ^ (t >>> 14);
}

const LN2: f64 = 0.6931471805599453;
/** Mantissa bits that index LN_TABLE. */
const LN_BITS: i32 = 8;
/**
 * LN_TABLE[i] is the middle of ln m over the mantissas m in [1 + i/256, 1 + (i+1)/256),
 * so it is within ln(1 + 1/256) / 2 < 0.00196 of ln m for each of them.
 */
const LN_TABLE = new StaticArray<f64>(1 << LN_BITS);
let lnTableReady = false;
/** Bound on |lnOfBits − ln u| (0.00196) plus every rounding in the comparison (~1e-14). */
const LN_EPS: f64 = 0.0025;

function fillLnTable(): void {
  const n = 1 << LN_BITS;
  for (let i = 0; i < n; i++) {
    unchecked(LN_TABLE[i] = 0.5 * (Math.log1p(<f64>i / <f64>n) + Math.log1p(<f64>(i + 1) / <f64>n)));
  }
  lnTableReady = true;
}

/** ln(bits / 2^32) within 0.00196, for bits > 0: the leading bit's position and the next LN_BITS bits. */
@inline function lnOfBits(bits: u32): f64 {
  const lead = clz(bits);
  const idx = (bits << (lead + 1)) >>> (32 - LN_BITS); // a shift by 32 (bits == 1) is a shift by 0 in wasm: masked below
  return <f64>(-1 - <i32>lead) * LN2 + unchecked(LN_TABLE[lead == 31 ? 0 : idx]);
}

/**
 * The fill draw of the TS loop, u < A·e^(−k·depth·tick)·dt, decided the same way: in
 * logarithms, ln u − ln(A·dt) < −k·depth·tick, from lnU = ln u − ln(A·dt) known to within
 * LN_EPS; where the two sides are closer than that (a few draws in a thousand), or u is
 * 0, the TS loop's expression itself decides.
 */
@inline function fills(u: f64, lnU: f64, depth: f64, A: f64, k: f64, tick: f64, dt: f64): bool {
  const x = -k * depth * tick;
  const d = lnU - x;
  // the rare close call branches; the common case is a comparison, not a branch the CPU must guess
  if (Math.abs(d) <= LN_EPS || !(u > 0)) return u < A * Math.exp(x) * dt;
  return d < 0;
}

// Column c of the block state: MC_BLOCK f64 values.
@inline function col(c: i32): usize {
  return <usize>MC_STATE_OFFSET + ((<usize>c * <usize>MC_BLOCK) << 3);
}
const RNG: i32 = 0; // u32 in the low half of the slot
const MID: i32 = 1;
const Q0: i32 = 2;
const CASH0: i32 = 3;
const SPREAD0: i32 = 4;
const QUOTED0: i32 = 5;
const Q1: i32 = 6;
const CASH1: i32 = 7;
const SPREAD1: i32 = 8;
const QUOTED1: i32 = 9;

/** Level 0 of a one-level ladder from a raw bid and ask, as buildLadder places it (no book, no limits), into levelBid and levelAsk. */
@inline function levelZero(bidRaw: f64, askRaw: f64): void {
  let bid = floorGrid(bidRaw);
  let ask = ceilGrid(askRaw);
  if (ask <= bid) {
    const m = (bid + ask) * 0.5;
    bid = Math.ceil(m) - 1.0;
    ask = Math.floor(m) + 1.0;
  }
  levelBid = bid;
  levelAsk = ask;
}
let levelBid: f64 = 0;
let levelAsk: f64 = 0;

/**
 * Runs paths start .. start + n − 1 of the MC_SEEDS / MC_OUT regions (a seed, u32, each)
 * through the prepared steps from mid s0Tick, the mid moving ±moveTick per step. Writes
 * MC_RECORD_FIELDS f64 per path to MC_OUT:
 * profit, final q and mean quoted spread (price units) of the inventory strategy, then
 * of the symmetric one. Returns 0, or a negative ERR_* code (nothing written).
 *
 * Paths go through the steps MC_BLOCK at a time, step by step across the block: one
 * path's steps form a chain (the next quote needs this step's fills, which need an
 * exp), so running many paths side by side gives the CPU independent work to overlap.
 */
export function mcRun(start: i32, n: i32, s0Tick: f64, moveTick: f64, dt: f64): i32 {
  const steps = preparedSteps;
  if (steps < 1) return -ERR_BAD_PARAM;
  if (start < 0 || n < 0 || n > MC_MAX_PATHS - start) return -ERR_BAD_COUNT;
  if (!(s0Tick > 0 && moveTick >= 0 && dt > 0)) return -ERR_BAD_PARAM;
  const A = fillA;
  const k = fillK;
  const tick = tickSize;
  const sHalf = symHalf;
  const lnMaxP = Math.log(A * dt);
  const table = <usize>MC_STEPS_OFFSET;
  const rngCol = col(RNG), midCol = col(MID);
  const q0Col = col(Q0), cash0Col = col(CASH0), spread0Col = col(SPREAD0), quoted0Col = col(QUOTED0);
  const q1Col = col(Q1), cash1Col = col(CASH1), spread1Col = col(SPREAD1), quoted1Col = col(QUOTED1);
  const end = start + n;
  for (let first = start; first < end; first += MC_BLOCK) {
    const m = min(MC_BLOCK, end - first);
    memory.fill(col(0), 0, <usize>(MC_STATE_FIELDS * MC_BLOCK) << 3);
    for (let j = 0; j < m; j++) {
      store<u32>(rngCol + (<usize>j << 3), load<u32>(<usize>MC_SEEDS_OFFSET + (<usize>(first + j) << 2)));
      store<f64>(midCol + (<usize>j << 3), s0Tick);
    }
    for (let i = 0; i < steps; i++) {
      const e = table + (<usize>i << 4);
      const half = load<f64>(e);
      const risk = load<f64>(e, 8);
      for (let j = 0; j < m; j++) {
        const at = <usize>j << 3;
        let state = load<u32>(rngCol + at);
        state += 0x6d2b79f5;
        const bBid = nextBits(state);
        state += 0x6d2b79f5;
        const bAsk = nextBits(state);
        state += 0x6d2b79f5;
        const uMid = <f64>nextBits(state) / 4294967296.0;
        store<u32>(rngCol + at, state);
        const uBid = <f64>bBid / 4294967296.0;
        const uAsk = <f64>bAsk / 4294967296.0;
        const lnBid = bBid != 0 ? lnOfBits(bBid) - lnMaxP : -Infinity;
        const lnAsk = bAsk != 0 ? lnOfBits(bAsk) - lnMaxP : -Infinity;
        const fair = load<f64>(midCol + at);
        const moved = fair + (uMid < 0.5 ? moveTick : -moveTick);
        store<f64>(midCol + at, moved);

        // inventory strategy: centre fair + skew, the step's half-spread
        const q0 = load<f64>(q0Col + at);
        const centre = fair + -q0 * risk / tick;
        levelZero(centre - half, centre + half);
        let bid = levelBid;
        let ask = levelAsk;
        let hasBid = bid >= 1.0 && bid <= MAX_TICK;
        let hasAsk = ask >= 1.0 && ask <= MAX_TICK;
        let buy = hasBid && fills(uBid, lnBid, moved - bid, A, k, tick, dt);
        let sell = hasAsk && fills(uAsk, lnAsk, ask - moved, A, k, tick, dt);
        // dq and dCash as the TS loop sums them: 0, then −bid if bought, then +ask if sold
        let dq: f64 = select<f64>(1, 0, buy) - select<f64>(1, 0, sell);
        let dCash: f64 = (0.0 - select<f64>(bid, 0, buy)) + select<f64>(ask, 0, sell);
        let both = hasBid && hasAsk;
        store<f64>(spread0Col + at, load<f64>(spread0Col + at) + select<f64>(ask - bid, 0, both));
        store<f64>(quoted0Col + at, load<f64>(quoted0Col + at) + select<f64>(1, 0, both));
        store<f64>(q0Col + at, q0 + dq);
        store<f64>(cash0Col + at, load<f64>(cash0Col + at) + dCash);

        // symmetric strategy: centre fair, the fixed half-spread
        levelZero(fair - sHalf, fair + sHalf);
        bid = levelBid;
        ask = levelAsk;
        hasBid = bid >= 1.0 && bid <= MAX_TICK;
        hasAsk = ask >= 1.0 && ask <= MAX_TICK;
        buy = hasBid && fills(uBid, lnBid, moved - bid, A, k, tick, dt);
        sell = hasAsk && fills(uAsk, lnAsk, ask - moved, A, k, tick, dt);
        dq = select<f64>(1, 0, buy) - select<f64>(1, 0, sell);
        dCash = (0.0 - select<f64>(bid, 0, buy)) + select<f64>(ask, 0, sell);
        both = hasBid && hasAsk;
        store<f64>(spread1Col + at, load<f64>(spread1Col + at) + select<f64>(ask - bid, 0, both));
        store<f64>(quoted1Col + at, load<f64>(quoted1Col + at) + select<f64>(1, 0, both));
        store<f64>(q1Col + at, load<f64>(q1Col + at) + dq);
        store<f64>(cash1Col + at, load<f64>(cash1Col + at) + dCash);
      }
    }
    for (let j = 0; j < m; j++) {
      const at = <usize>j << 3;
      const mid = load<f64>(midCol + at);
      const q0 = load<f64>(q0Col + at), quoted0 = load<f64>(quoted0Col + at);
      const q1 = load<f64>(q1Col + at), quoted1 = load<f64>(quoted1Col + at);
      const out = <usize>MC_OUT_OFFSET + ((<usize>(first + j) * <usize>MC_RECORD_FIELDS) << 3);
      store<f64>(out, (load<f64>(cash0Col + at) + q0 * mid) * tick);
      store<f64>(out, q0, 8);
      store<f64>(out, quoted0 > 0 ? load<f64>(spread0Col + at) / quoted0 * tick : NaN, 16);
      store<f64>(out, (load<f64>(cash1Col + at) + q1 * mid) * tick, 24);
      store<f64>(out, q1, 32);
      store<f64>(out, quoted1 > 0 ? load<f64>(spread1Col + at) / quoted1 * tick : NaN, 40);
    }
  }
  return 0;
}
