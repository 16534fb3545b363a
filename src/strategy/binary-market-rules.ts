// Seed 004's rules for binary YES/NO contracts (price 0.01–0.99, paying 1 or 0 at
// resolution), as plain functions of the time left:
//   - more than max_time_to_resolution_hours left: the market is skipped;
//   - under NEAR_RESOLUTION_HOURS (6 h) left: the spread doubles ("time multiplier
//     (< 6h): spread = base × 2.0");
//   - under FORCED_EXIT_HOURS (0.5 h) left: no more quotes, and any inventory is
//     closed with a reduce-only order ("FORCE EXIT ... better to take a small loss
//     than risk the full position");
//   - at or after resolution: nothing is traded.
// The YES/NO complement: one YES plus one NO pays exactly 1, so selling YES at p is
// the same position as buying NO at 1 − p; the strategy quotes the YES book and
// shows each YES ask as the NO bid it is.
import type { StrategyParams } from './params/index.js';

export const NEAR_RESOLUTION_HOURS = 6;
export const NEAR_RESOLUTION_SPREAD_MULT = 2;
export const FORCED_EXIT_HOURS = 0.5;

export const BINARY_QUOTE = 0;
export const BINARY_TOO_FAR = 1;
export const BINARY_FORCED_EXIT = 2;
export const BINARY_RESOLVED = 3;

/** Hours from nowNs to the resolution time (both Unix epoch ns); Infinity without one. */
export function hoursToResolution(resolutionTsNs: number, nowNs: number): number {
  if (!(resolutionTsNs > 0)) return Infinity;
  return (resolutionTsNs - nowNs) / 3.6e12;
}

/** BINARY_* phase of a market with `hoursLeft` to resolution. */
export function binaryPhase(p: StrategyParams, hoursLeft: number): number {
  if (hoursLeft <= 0) return BINARY_RESOLVED;
  if (hoursLeft < FORCED_EXIT_HOURS) return BINARY_FORCED_EXIT;
  if (p.max_time_to_resolution_hours !== null && hoursLeft > p.max_time_to_resolution_hours) return BINARY_TOO_FAR;
  return BINARY_QUOTE;
}

/** Spread multiplier for the time left (1 far from resolution). */
export function resolutionSpreadMultiplier(hoursLeft: number): number {
  return hoursLeft < NEAR_RESOLUTION_HOURS ? NEAR_RESOLUTION_SPREAD_MULT : 1;
}

/** Ticks in one unit of payout (1 / tick size): the NO price of a YES tick is this minus the tick. */
export function payoutTicks(tickSize: number): number {
  return Math.round(1 / tickSize);
}

/** The NO price (ticks) equivalent to a YES price (ticks). */
export function complementTick(yesTick: number, ticksPerUnit: number): number {
  return ticksPerUnit - yesTick;
}
