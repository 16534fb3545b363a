// Exact amounts of the replica: every balance, price, quantity, notional and
// commission is a BigInt count of 1e-8 (Binance prints assets with 8 decimals).
// Prices and quantities come from integer ticks/lots of the instrument's grid, so
// nothing is ever rounded except a commission (half up, to 1e-8) and a futures
// position's cost share when part of it is closed (see futures-wallet.ts).
export const E8 = 100_000_000n;

/** A plain decimal string ("0.01", "-3", "12.50000000") as 1e-8 units; null when it has more than 8 significant decimals or is not a decimal. */
export function parseE8(text: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return null;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > 8) return null;
  const v = BigInt(m[2]!) * E8 + BigInt(frac.padEnd(8, '0') || '0');
  return m[1] === '-' ? -v : v;
}

/** 1e-8 units as a decimal string with exactly `decimals` (≤ 8) decimals; the value must fit (no rounding). */
export function formatE8(v: bigint, decimals = 8): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / E8;
  let frac = (a % E8).toString().padStart(8, '0');
  const cut = frac.slice(decimals);
  if (/[1-9]/.test(cut)) throw new Error(`formatE8: ${v} does not fit in ${decimals} decimals`);
  frac = frac.slice(0, decimals);
  const s = decimals > 0 ? `${int}.${frac}` : `${int}`;
  return neg && a !== 0n ? `-${s}` : s;
}

/** a × b / 1e8 rounded half away from zero (a product of two 1e-8 amounts). */
export function mulE8(a: bigint, b: bigint): bigint {
  const p = a * b;
  const neg = p < 0n;
  const ap = neg ? -p : p;
  const q = (ap + E8 / 2n) / E8;
  return neg ? -q : q;
}

/** a × b / 1e8 when exact, else null. */
export function mulE8Exact(a: bigint, b: bigint): bigint | null {
  const p = a * b;
  return p % E8 === 0n ? p / E8 : null;
}

/** n / d rounded half away from zero. */
export function divRound(n: bigint, d: bigint): bigint {
  const neg = (n < 0n) !== (d < 0n);
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an * 2n + ad) / (2n * ad);
  return neg ? -q : q;
}

/** A fee rate in bps (≤ 4 decimals) as a fraction of 1e-8 units: fee = amount × rateE8 / 1e8. */
export function bpsToRateE8(bps: number): bigint {
  const scaled = Math.round(bps * 10_000);
  if (Math.abs(scaled - bps * 10_000) > 1e-6) throw new Error(`fee ${bps} bps has more than 4 decimals`);
  return BigInt(scaled); // bps × 1e4 = rate × 1e8
}
