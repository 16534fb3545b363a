// The trading day of the daily loss limit: it starts every day at a fixed UTC time
// of day (minutes after midnight UTC). Times are Unix epoch ns as numbers.

export const NS_PER_DAY = 86_400e9;
const NS_PER_MINUTE = 60e9;

/** The first day start strictly after tsNs; NaN for a non-finite time. */
export function nextDailyResetNs(tsNs: number, resetMinuteUtc: number): number {
  if (!Number.isFinite(tsNs)) return NaN;
  const offset = resetMinuteUtc * NS_PER_MINUTE;
  const dayStart = Math.floor((tsNs - offset) / NS_PER_DAY) * NS_PER_DAY + offset;
  return dayStart + NS_PER_DAY;
}
