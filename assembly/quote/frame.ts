// Result registers of one quoteCompute call, shared by the model functions and
// the ladder builder. Module globals keep the hot path allocation-free.

/** Quote centre in ticks: fair value plus inventory skew plus the extra shift. */
export let centreTick: f64 = 0;
/** Half-spread in ticks after multipliers and clamps (before per-side multipliers). */
export let halfTicks: f64 = 0;
/** Centre shift from inventory, ticks (negative when long). */
export let skewTicks: f64 = 0;
/** QF_* bits gathered so far. */
export let frameFlags: i32 = 0;

@inline export function setFrame(centre: f64, half: f64, skew: f64): void {
  centreTick = centre;
  halfTicks = half;
  skewTicks = skew;
}
@inline export function clearFlags(): void { frameFlags = 0; }
@inline export function addFlags(f: i32): void { frameFlags |= f; }
