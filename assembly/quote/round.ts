// Rounding prices to the tick grid: bids down, asks up. A tolerance absorbs the
// floating-point error of the model arithmetic, so 453.99999999999994 is tick 454
// for a bid and 506.0000000000001 is tick 506 for an ask. The tolerance is
// 1e-9 tick plus 2^-40 (about 9e-13) of the value: thousands of ulps, yet far
// below a tick for any price that f64 can carry with a fractional part.

const EPS_ABS: f64 = 1e-9;
const EPS_REL: f64 = 9.094947017729282e-13; // 2^-40

@inline export function gridEps(x: f64): f64 {
  return EPS_ABS + Math.abs(x) * EPS_REL;
}
/** Largest integer <= x, treating values within gridEps below an integer as that integer. */
@inline export function floorGrid(x: f64): f64 {
  return Math.floor(x + gridEps(x));
}
/** Smallest integer >= x, treating values within gridEps above an integer as that integer. */
@inline export function ceilGrid(x: f64): f64 {
  return Math.ceil(x - gridEps(x));
}
