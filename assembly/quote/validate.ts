// Checks a parameter block before it is used: every value finite, every mode a
// known code, every size, spread and multiplier non-negative. A block that fails
// quotes nothing (QF_BAD_PARAMS) instead of producing NaN or nonsense prices.
import {
  MAX_QUOTE_LEVELS, QP_MODEL, QP_LEVELS, QP_HALF_SPREAD_BPS, QP_HALF_SPREAD_TICKS,
  QP_LEVEL_SPACING_BPS, QP_LEVEL_SPACING_TICKS, QP_ORDER_SIZE_LOT, QP_SKEW_MODE,
  QP_MAX_POSITION_LOT, QP_SOFT_LIMIT_LOT, QP_STEP_LOT, QP_SOFT_SPREAD_MULT,
  QP_MIN_SPREAD_BPS, QP_MAX_SPREAD_BPS, QP_MIN_SPREAD_TICKS, QP_MAX_SPREAD_TICKS,
  QP_SPREAD_MULT, QP_BID_SPREAD_MULT, QP_ASK_SPREAD_MULT, QP_SIZE_MULT,
  QP_MIN_PRICE_TICK, QP_MAX_PRICE_TICK, QP_FAIR_MODE, QP_LEVEL_SIZE_BASE,
  QUOTE_MODEL_GLFT, SKEW_STEPPED, FAIR_MICROPRICE,
} from '../layout';
import { getSlot } from './slot';

@inline function isCode(x: f64, last: i32): bool {
  return x >= 0 && x <= <f64>last && x == Math.floor(x);
}
@inline function nonNegative(p: usize, idx: i32): bool {
  return getSlot(p, idx) >= 0; // false for NaN
}

export function paramsValid(p: usize): bool {
  // every scalar slot (0..QP_FAIR_MODE) finite
  let finite = true;
  for (let i = 0; i <= QP_FAIR_MODE; i++) finite = finite && isFinite(getSlot(p, i));
  if (!finite) return false;
  if (!isCode(getSlot(p, QP_MODEL), QUOTE_MODEL_GLFT)) return false;
  if (!isCode(getSlot(p, QP_SKEW_MODE), SKEW_STEPPED)) return false;
  if (!isCode(getSlot(p, QP_FAIR_MODE), FAIR_MICROPRICE)) return false;
  if (!(
    nonNegative(p, QP_LEVELS) && nonNegative(p, QP_HALF_SPREAD_BPS) && nonNegative(p, QP_HALF_SPREAD_TICKS) &&
    nonNegative(p, QP_LEVEL_SPACING_BPS) && nonNegative(p, QP_LEVEL_SPACING_TICKS) &&
    nonNegative(p, QP_ORDER_SIZE_LOT) && nonNegative(p, QP_MAX_POSITION_LOT) &&
    nonNegative(p, QP_SOFT_LIMIT_LOT) && nonNegative(p, QP_STEP_LOT) && nonNegative(p, QP_SOFT_SPREAD_MULT) &&
    nonNegative(p, QP_MIN_SPREAD_BPS) && nonNegative(p, QP_MAX_SPREAD_BPS) &&
    nonNegative(p, QP_MIN_SPREAD_TICKS) && nonNegative(p, QP_MAX_SPREAD_TICKS) &&
    nonNegative(p, QP_SPREAD_MULT) && nonNegative(p, QP_BID_SPREAD_MULT) && nonNegative(p, QP_ASK_SPREAD_MULT) &&
    nonNegative(p, QP_SIZE_MULT) && nonNegative(p, QP_MIN_PRICE_TICK) && nonNegative(p, QP_MAX_PRICE_TICK)
  )) return false;
  // per-level sizes of the levels in use
  const levels = <i32>Math.min(getSlot(p, QP_LEVELS), <f64>MAX_QUOTE_LEVELS);
  let sizesOk = true;
  for (let i = 0; i < levels; i++) {
    const s = getSlot(p, QP_LEVEL_SIZE_BASE + i);
    sizesOk = sizesOk && s >= 0 && s < Infinity;
  }
  return sizesOk;
}
