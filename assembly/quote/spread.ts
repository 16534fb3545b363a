// Clamping the full spread (2 × half-spread) into the configured [min, max].
// Both a tick floor and a bps floor may be set: the wider one wins. Both a tick
// ceiling and a bps ceiling may be set: the narrower one wins. 0 disables a bound.
// When the floor exceeds the ceiling the floor wins (a wider quote is the safe side).
import {
  QP_MIN_SPREAD_BPS, QP_MAX_SPREAD_BPS, QP_MIN_SPREAD_TICKS, QP_MAX_SPREAD_TICKS,
  QF_MIN_SPREAD_CLAMP, QF_MAX_SPREAD_CLAMP,
} from '../layout';
import { getSlot } from './slot';
import { addFlags } from './frame';

/** Half-spread in ticks after the full-spread clamps; sets QF_MIN/MAX_SPREAD_CLAMP. */
export function clampHalfSpread(p: usize, fairTick: f64, halfTick: f64): f64 {
  const minTicks = getSlot(p, QP_MIN_SPREAD_TICKS);
  const minFromBps = fairTick * getSlot(p, QP_MIN_SPREAD_BPS) / 1e4;
  const maxTicks = getSlot(p, QP_MAX_SPREAD_TICKS);
  const maxFromBps = fairTick * getSlot(p, QP_MAX_SPREAD_BPS) / 1e4;
  const lo = Math.max(minTicks, minFromBps);
  let hi: f64 = Infinity;
  if (maxTicks > 0) hi = maxTicks;
  if (maxFromBps > 0 && maxFromBps < hi) hi = maxFromBps;
  let full = 2.0 * halfTick;
  if (full > hi) {
    full = hi;
    addFlags(QF_MAX_SPREAD_CLAMP);
  }
  if (full < lo) {
    full = lo;
    addFlags(QF_MIN_SPREAD_CLAMP);
  }
  return full * 0.5;
}
