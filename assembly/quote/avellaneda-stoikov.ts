// Avellaneda & Stoikov (2008), "High-frequency trading in a limit order book",
// Quantitative Finance 8(3): with mid s, inventory q, risk aversion γ, volatility σ,
// time left τ = T − t and order-arrival decay k,
//   reservation price  r = s − q γ σ² τ
//   total spread       γ σ² τ + (2/γ) ln(1 + γ/k)
// quoted symmetrically around r. Prices in price units (s = fairTick × tickSize);
// q counts order-size units (inventoryLot / orderSizeLot).
import {
  QP_GAMMA, QP_SIGMA, QP_K, QP_HORIZON, QP_TICK_SIZE, QP_SPREAD_MULT,
} from '../layout';
import { getSlot } from './slot';
import { setFrame } from './frame';
import { clampHalfSpread } from './spread';

/** Sets the frame; false when γ, k or the tick size are not positive or σ, τ negative. */
export function avellanedaStoikovModel(p: usize, fairTick: f64, q: f64): bool {
  const gamma = getSlot(p, QP_GAMMA);
  const sigma = getSlot(p, QP_SIGMA);
  const k = getSlot(p, QP_K);
  const tau = getSlot(p, QP_HORIZON);
  const tick = getSlot(p, QP_TICK_SIZE);
  if (!(gamma > 0 && k > 0 && tick > 0 && sigma >= 0 && tau >= 0)) return false;
  const inventoryRisk = gamma * sigma * sigma * tau; // price units per order-size unit
  const spread = inventoryRisk + (2.0 / gamma) * Math.log1p(gamma / k);
  const skew = -q * inventoryRisk / tick;
  let half = spread * 0.5 / tick * getSlot(p, QP_SPREAD_MULT);
  half = clampHalfSpread(p, fairTick, half);
  setFrame(fairTick + skew, half, skew);
  return true;
}
