// One mid-price observation: advance the clock, take the log return from the last
// mid, test it for a jump against the state before it, then add its square to the
// rolling window and both EWMA sums. Arguments are valid (checked by the caller).
import {
  VS_LAST_MID, VS_LAST_TS_US, VS_START_TS_US, VS_SAMPLES, VS_JUMPS, VS_LAST_RETURN_BPS,
  VS_JUMP_BPS, VS_JUMP_VOL_MULT, VOL_FLAG_JUMP,
} from '../layout';
import { ld, st } from './addr';
import { advanceClock } from './clock';
import { addSquared, rollingVol } from './buckets';
import { addSquaredEwma } from './ewma';
import { BPS_PER_UNIT } from './defaults';

/** Returns VOL_FLAG_* bits. */
export function applyMid(p: usize, tsUs: f64, mid: f64): i32 {
  advanceClock(p, tsUs);
  st(p, VS_SAMPLES, ld(p, VS_SAMPLES) + 1);
  const last = ld(p, VS_LAST_MID);
  st(p, VS_LAST_MID, mid);
  if (last == 0) {
    st(p, VS_START_TS_US, ld(p, VS_LAST_TS_US));
    return 0;
  }
  let r = Math.log(mid / last);
  // the quotient over- or underflows only for mids hundreds of decades apart
  if (!isFinite(r)) r = Math.log(mid) - Math.log(last);
  const absBps = Math.abs(r) * BPS_PER_UNIT;

  let flags = 0;
  const jumpBps = ld(p, VS_JUMP_BPS);
  if (jumpBps > 0 && absBps > jumpBps) {
    flags = VOL_FLAG_JUMP;
  } else {
    const mult = ld(p, VS_JUMP_VOL_MULT);
    if (mult > 0) {
      const rollBps = rollingVol(p) * BPS_PER_UNIT;
      if (rollBps > 0 && absBps > mult * rollBps) flags = VOL_FLAG_JUMP;
    }
  }
  if (flags != 0) st(p, VS_JUMPS, ld(p, VS_JUMPS) + 1);

  const r2 = r * r;
  addSquared(p, r2);
  addSquaredEwma(p, r2);
  st(p, VS_LAST_RETURN_BPS, r * BPS_PER_UNIT);
  return flags;
}
