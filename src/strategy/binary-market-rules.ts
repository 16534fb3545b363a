// Seed 004's rules for binary YES/NO contracts (price 0.01–0.99, paying 1 or 0 at
// resolution), as plain functions of the time left and the strategy's parameters:
//   - more than max_time_to_resolution_hours left: the market is skipped;
//   - within a resolution tier (resolution_tier_hours / _multipliers; seed 004: under
//     6 h the spread doubles, "time multiplier (< 6h): spread = base × 2.0");
//   - under forced_exit_hours (seed 004: 0.5 h) left: no more quotes, and a position
//     larger than forced_exit_min_position (seed 004: 5) is closed ("FORCE EXIT ...
//     better to take a small loss than risk the full position");
//   - at or after resolution: nothing is traded.
// The YES/NO complement: one YES plus one NO pays exactly 1, so selling YES at p is
// the same position as buying NO at 1 − p; the strategy quotes the YES book and
// shows each YES ask as the NO bid it is.
import type { StrategyParams } from './params/index.js';

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
  if (hoursLeft < p.forced_exit_hours) return BINARY_FORCED_EXIT;
  if (p.max_time_to_resolution_hours !== null && hoursLeft > p.max_time_to_resolution_hours) return BINARY_TOO_FAR;
  return BINARY_QUOTE;
}

/** Spread multiplier for the time left: the tightest tier whose hours exceed it (1 far from resolution). */
export function resolutionSpreadMultiplier(p: StrategyParams, hoursLeft: number): number {
  const hours = p.resolution_tier_hours;
  let best = Infinity;
  let mult = 1;
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i]!;
    if (hoursLeft < h && h < best) { best = h; mult = p.resolution_tier_multipliers[i] ?? 1; }
  }
  return mult;
}

/** Ticks in one unit of payout (1 / tick size): the NO price of a YES tick is this minus the tick. */
export function payoutTicks(tickSize: number): number {
  return Math.round(1 / tickSize);
}

/** The NO price (ticks) equivalent to a YES price (ticks). */
export function complementTick(yesTick: number, ticksPerUnit: number): number {
  return ticksPerUnit - yesTick;
}
