// Default volatility configuration and the limits configuration is checked against.
import { VOL_BUCKETS } from '../layout';

export const DEFAULT_WINDOW_US: f64 = 60_000_000; // 1-minute rolling window
export const DEFAULT_SHORT_TAU_US: f64 = 10_000_000;
export const DEFAULT_LONG_TAU_US: f64 = 300_000_000;
export const DEFAULT_JUMP_BPS: f64 = 0; // off
export const DEFAULT_JUMP_VOL_MULT: f64 = 0; // off

/** Buckets are at least 1 us wide, so bucket ids stay exact integers for |ts| <= 2^53. */
export const MIN_WINDOW_US: f64 = <f64>VOL_BUCKETS;
export const MAX_WINDOW_US: f64 = 9007199254740992.0; // 2^53
/** Timestamps are exact integers of microseconds up to 2^53. */
export const MAX_ABS_TS_US: f64 = 9007199254740992.0;

/** Log return to basis points. */
export const BPS_PER_UNIT: f64 = 10_000;
