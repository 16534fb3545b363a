// Guéant, Lehalle & Fernandez-Tapia (2013), "Dealing with the inventory risk: a
// solution to the market making problem", Mathematics and Financial Economics 7(4),
// closed-form asymptotic quotes as written in Guéant (2017), "Optimal market making",
// Applied Mathematical Finance 24(2), with ξ = γ and order size Δ = 1:
//   c1 = (1/γ) ln(1 + γ/k)
//   c2 = sqrt( γ / (2 A k) × (1 + γ/k)^(k/γ + 1) )
//   bid depth δb = c1 + σ c2 (q + 1/2),  ask depth δa = c1 + σ c2 (1/2 − q)
// so the quotes are centred on s − σ c2 q with half-spread c1 + σ c2 / 2.
// Prices in price units (s = fairTick × tickSize); q counts order-size units.
import { QP_GAMMA, QP_SIGMA, QP_K, QP_A, QP_TICK_SIZE, QP_SPREAD_MULT } from '../layout';
import { getSlot } from './slot';
import { setFrame } from './frame';
import { clampHalfSpread } from './spread';

/** Sets the frame; false when γ, k, A or the tick size are not positive, σ negative, or the result overflows. */
export function glftModel(p: usize, fairTick: f64, q: f64): bool {
  const gamma = getSlot(p, QP_GAMMA);
  const sigma = getSlot(p, QP_SIGMA);
  const k = getSlot(p, QP_K);
  const a = getSlot(p, QP_A);
  const tick = getSlot(p, QP_TICK_SIZE);
  if (!(gamma > 0 && k > 0 && a > 0 && tick > 0 && sigma >= 0)) return false;
  const ratio = gamma / k;
  const c1 = Math.log1p(ratio) / gamma;
  const c2 = Math.sqrt(gamma / (2.0 * a * k) * Math.pow(1.0 + ratio, 1.0 / ratio + 1.0));
  const sc2 = sigma * c2;
  if (!isFinite(c1) || !isFinite(sc2)) return false;
  const skew = -sc2 * q / tick;
  let half = (c1 + 0.5 * sc2) / tick * getSlot(p, QP_SPREAD_MULT);
  half = clampHalfSpread(p, fairTick, half);
  setFrame(fairTick + skew, half, skew);
  return true;
}
