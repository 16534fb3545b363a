// The linear ("bps") model: a half-spread in bps of fair value or in ticks, spread
// multipliers, full-spread clamps, and an inventory skew that shifts the quote
// centre away from the side the position is on (down when long).
//   SKEW_FACTOR   shift = -(q / maxPosition) × skewFactor × halfSpread
//   SKEW_PER_UNIT shift = -q × adjTicksPerLot
//   SKEW_STEPPED  shift = -sign(q) × floor(|q| / stepLot) × stepAdjTicks, and the
//                 half-spread × softSpreadMult beyond the soft limit
// The skew applies only when |q| exceeds the soft limit. q is in lots.
import {
  QP_HALF_SPREAD_BPS, QP_HALF_SPREAD_TICKS, QP_SPREAD_MULT, QP_SKEW_MODE, QP_SKEW_FACTOR,
  QP_MAX_POSITION_LOT, QP_SOFT_LIMIT_LOT, QP_ADJ_TICKS_PER_LOT, QP_STEP_LOT, QP_STEP_ADJ_TICKS,
  QP_SOFT_SPREAD_MULT, SKEW_FACTOR, SKEW_PER_UNIT, SKEW_STEPPED,
} from '../layout';
import { getSlot } from './slot';
import { setFrame } from './frame';
import { clampHalfSpread } from './spread';

export function linearModel(p: usize, fairTick: f64, inventoryLot: f64): void {
  const hsTicks = getSlot(p, QP_HALF_SPREAD_TICKS);
  let half = hsTicks > 0 ? hsTicks : fairTick * getSlot(p, QP_HALF_SPREAD_BPS) / 1e4;
  half *= getSlot(p, QP_SPREAD_MULT);
  const mode = <i32>getSlot(p, QP_SKEW_MODE);
  const absQ = Math.abs(inventoryLot);
  const beyondSoft = absQ > getSlot(p, QP_SOFT_LIMIT_LOT);
  if (mode == SKEW_STEPPED && beyondSoft) half *= getSlot(p, QP_SOFT_SPREAD_MULT);
  half = clampHalfSpread(p, fairTick, half);

  let skew: f64 = 0;
  if (beyondSoft) {
    if (mode == SKEW_FACTOR) {
      const maxPos = getSlot(p, QP_MAX_POSITION_LOT);
      if (maxPos > 0) skew = -(inventoryLot / maxPos) * getSlot(p, QP_SKEW_FACTOR) * half;
    } else if (mode == SKEW_PER_UNIT) {
      skew = -inventoryLot * getSlot(p, QP_ADJ_TICKS_PER_LOT);
    } else if (mode == SKEW_STEPPED) {
      const step = getSlot(p, QP_STEP_LOT);
      if (step > 0) {
        const steps = Math.floor(absQ / step);
        skew = (inventoryLot > 0 ? -steps : steps) * getSlot(p, QP_STEP_ADJ_TICKS);
      }
    }
  }
  setFrame(fairTick + skew, half, skew);
}
