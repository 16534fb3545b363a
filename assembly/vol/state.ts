// Resets one book's volatility block to a configuration with no history, and
// puts every block in the default configuration when the module starts.
import {
  MAX_BOOKS, VOL_STATE_SLOTS, VOL_BUCKETS,
  VS_WINDOW_US, VS_SHORT_TAU_US, VS_LONG_TAU_US, VS_JUMP_BPS, VS_JUMP_VOL_MULT,
  VS_LAST_TS_US, VS_START_TS_US,
} from '../layout';
import { volPtr, st } from './addr';
import {
  DEFAULT_WINDOW_US, DEFAULT_SHORT_TAU_US, DEFAULT_LONG_TAU_US, DEFAULT_JUMP_BPS, DEFAULT_JUMP_VOL_MULT,
} from './defaults';

/** Bucket indices are taken with a mask. */
assert((VOL_BUCKETS & (VOL_BUCKETS - 1)) == 0, 'VOL_BUCKETS must be a power of two');

/** Arguments are assumed valid (checked by the caller). */
export function resetVolState(
  p: usize, windowUs: f64, shortTauUs: f64, longTauUs: f64, jumpBps: f64, jumpVolMult: f64,
): void {
  memory.fill(p, 0, <usize>VOL_STATE_SLOTS << 3);
  st(p, VS_WINDOW_US, windowUs);
  st(p, VS_SHORT_TAU_US, shortTauUs);
  st(p, VS_LONG_TAU_US, longTauUs);
  st(p, VS_JUMP_BPS, jumpBps);
  st(p, VS_JUMP_VOL_MULT, jumpVolMult);
  st(p, VS_LAST_TS_US, -Infinity); // no clock yet
  st(p, VS_START_TS_US, NaN); // no mid yet
}

export function resetVolDefaults(p: usize): void {
  resetVolState(p, DEFAULT_WINDOW_US, DEFAULT_SHORT_TAU_US, DEFAULT_LONG_TAU_US,
    DEFAULT_JUMP_BPS, DEFAULT_JUMP_VOL_MULT);
}

// Runs once at instantiation: every book starts in the default configuration,
// so volUpdate never sees a zero window.
for (let b = 0; b < MAX_BOOKS; b++) resetVolDefaults(volPtr(b));
