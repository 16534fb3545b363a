// Clocks. Monotonic ns (CLOCK_MONOTONIC, shared by every process on the host) is
// what send timestamps and latency measurements use; it is exact in f64 for 104
// days of uptime. Epoch ns is for exchange-style timestamps.

const HR_ORIGIN = process.hrtime.bigint();
const EPOCH_ORIGIN_NS = BigInt(Date.now()) * 1_000_000n;

/** CLOCK_MONOTONIC in ns as a number (allocates one BigInt: keep it off the innermost loops). */
export function monoNowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Unix epoch ns as a number (256 ns resolution in f64), anchored once at start. */
export function epochNowNs(): number {
  return Number(EPOCH_ORIGIN_NS + (process.hrtime.bigint() - HR_ORIGIN));
}
