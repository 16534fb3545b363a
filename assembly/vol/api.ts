// Exported volatility API: i32/f64 only. Entry points validate their arguments
// once and return a negative -ERR_* code on refusal, leaving the state unchanged.
// Readers return NaN for a bad book index.
import {
  MAX_BOOKS, ERR_OK, ERR_BAD_BOOK, ERR_BAD_PRICE, ERR_BAD_TIME, ERR_BAD_PARAM,
  VS_EWMA_SHORT, VS_EWMA_LONG, VS_LAST_RETURN_BPS, VS_SAMPLES, VS_JUMPS,
} from '../layout';
import { volPtr, ld } from './addr';
import { MIN_WINDOW_US, MAX_WINDOW_US, MAX_ABS_TS_US, BPS_PER_UNIT } from './defaults';
import { resetVolState, resetVolDefaults } from './state';
import { advanceClock } from './clock';
import { rollingVol } from './buckets';
import { ewmaRatio } from './ewma';
import { applyMid } from './update';

@inline function badBook(book: i32): bool { return <u32>book >= <u32>MAX_BOOKS; }
@inline function badTs(tsUs: f64): bool { return !(Math.abs(tsUs) <= MAX_ABS_TS_US); }
@inline function badMid(mid: f64): bool { return !(mid > 0 && mid < Infinity); }
@inline function badLimit(x: f64): bool { return !(x >= 0 && x < Infinity); }

/**
 * Sets the rolling window, the two EWMA time constants and the jump thresholds
 * (0 = off), and clears the history. Needs VOL_BUCKETS <= window <= 2^53 us and
 * 0 < shortTau <= longTau < Infinity.
 */
export function volConfigure(
  book: i32, windowUs: f64, shortTauUs: f64, longTauUs: f64, jumpBps: f64, jumpVolMult: f64,
): i32 {
  if (badBook(book)) return -ERR_BAD_BOOK;
  if (!(windowUs >= MIN_WINDOW_US && windowUs <= MAX_WINDOW_US)) return -ERR_BAD_PARAM;
  if (!(shortTauUs > 0 && shortTauUs <= longTauUs && longTauUs < Infinity)) return -ERR_BAD_PARAM;
  if (badLimit(jumpBps) || badLimit(jumpVolMult)) return -ERR_BAD_PARAM;
  resetVolState(volPtr(book), windowUs, shortTauUs, longTauUs, jumpBps, jumpVolMult);
  return ERR_OK;
}

/** Default configuration (60 s window, 10 s / 300 s EWMA, jumps off) and no history. */
export function volReset(book: i32): i32 {
  if (badBook(book)) return -ERR_BAD_BOOK;
  resetVolDefaults(volPtr(book));
  return ERR_OK;
}

/** One mid observation (any positive unit). Returns VOL_FLAG_* bits, or -ERR_*. */
export function volUpdate(book: i32, tsUs: f64, mid: f64): i32 {
  if (badBook(book)) return -ERR_BAD_BOOK;
  if (badTs(tsUs)) return -ERR_BAD_TIME;
  if (badMid(mid)) return -ERR_BAD_PRICE;
  return applyMid(volPtr(book), tsUs, mid);
}

/** Moves the clock to tsUs without an observation: expires buckets, decays the EWMAs. */
export function volAdvance(book: i32, tsUs: f64): i32 {
  if (badBook(book)) return -ERR_BAD_BOOK;
  if (badTs(tsUs)) return -ERR_BAD_TIME;
  advanceClock(volPtr(book), tsUs);
  return ERR_OK;
}

/** sqrt(sum of squared log returns in the window) in bps. */
export function volRollingBps(book: i32): f64 {
  if (badBook(book)) return NaN;
  return rollingVol(volPtr(book)) * BPS_PER_UNIT;
}
/** sqrt(S_short) in bps: volatility over about one short time constant. */
export function volEwmaShortBps(book: i32): f64 {
  if (badBook(book)) return NaN;
  return Math.sqrt(ld(volPtr(book), VS_EWMA_SHORT)) * BPS_PER_UNIT;
}
/** sqrt(S_long) in bps: volatility over about one long time constant. */
export function volEwmaLongBps(book: i32): f64 {
  if (badBook(book)) return NaN;
  return Math.sqrt(ld(volPtr(book), VS_EWMA_LONG)) * BPS_PER_UNIT;
}
/** Short over long volatility, per unit time; 1 with no history. */
export function volRatio(book: i32): f64 {
  if (badBook(book)) return NaN;
  return ewmaRatio(volPtr(book));
}
/** Signed log return of the last update in bps (0 before the second mid). */
export function volLastReturnBps(book: i32): f64 {
  if (badBook(book)) return NaN;
  return ld(volPtr(book), VS_LAST_RETURN_BPS);
}
/** Mids accepted since the last reset, the first one included. */
export function volSamples(book: i32): f64 {
  if (badBook(book)) return NaN;
  return ld(volPtr(book), VS_SAMPLES);
}
/** Returns flagged as jumps since the last reset. */
export function volJumps(book: i32): f64 {
  if (badBook(book)) return NaN;
  return ld(volPtr(book), VS_JUMPS);
}
