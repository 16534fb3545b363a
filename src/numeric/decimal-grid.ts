// Exact conversion between decimal strings and integer ticks/lots on a grid
// (tick size or lot size given as a decimal string). No parseFloat anywhere: the
// digits are accumulated as an integer mantissa with a decimal scale, so
// "61234.56000000" on a 0.01 grid is exactly 6123456 ticks.
import { SpreadcoreError } from '../errors.js';

const MAX_SAFE = 9007199254740991; // 2^53 - 1
const POW10: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 10) POW10.push(p);

// Result registers of scanDecimal (module-level so the hot path allocates nothing).
let scanMantissa = 0;
let scanScale = 0;
/** Why the last scanDecimal call failed: true when only the digit count was the problem. */
let scanTooLong = false;

/**
 * Scans a plain decimal string ("-12.3400"): optional sign, digits, optional
 * fraction. Trailing fractional zeros are dropped. Sets scanMantissa/scanScale and
 * returns true, or returns false for anything else (empty, exponents, NaN, spaces,
 * more than 15 significant digits).
 */
function scanDecimal(s: string): boolean {
  scanTooLong = false;
  const n = s.length;
  let i = 0;
  let neg = false;
  if (n === 0) return false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */ || c0 === 43 /* + */) { neg = c0 === 45; i = 1; }
  let m = 0;
  let scale = 0;
  let digits = 0;
  let sig = 0;
  let dot = false;
  let pendingZeros = 0; // fractional zeros not yet known to be significant
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (dot) return false;
      dot = true;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return false;
    digits++;
    if (dot) {
      if (d === 0) { pendingZeros++; continue; }
      // flush pending zeros, then this digit
      if (pendingZeros > 0) {
        if (sig > 0) sig += pendingZeros;
        if (pendingZeros > 22) { scanTooLong = true; return false; }
        m *= POW10[pendingZeros]!;
        scale += pendingZeros;
        pendingZeros = 0;
      }
      m = m * 10 + d;
      scale++;
    } else {
      m = m * 10 + d;
    }
    if (m !== 0) sig++;
    if (sig > 15 || m > MAX_SAFE) { scanTooLong = true; return false; }
  }
  if (digits === 0) return false;
  scanMantissa = neg ? -m : m;
  scanScale = scale;
  return true;
}

/** A tick-size or lot-size grid, parsed once from its decimal string. */
export class DecimalGrid {
  readonly step: string;
  private readonly stepMantissa: number;
  private readonly stepScale: number;

  constructor(step: string) {
    if (!scanDecimal(step) || scanMantissa <= 0) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_DECIMAL', `grid step must be a positive decimal string, got ${JSON.stringify(step)}`);
    }
    this.step = step;
    this.stepMantissa = scanMantissa;
    this.stepScale = scanScale;
  }

  /** Decimal places of values printed on this grid. */
  get scale(): number { return this.stepScale; }

  /**
   * Integer number of steps for a decimal string, or NaN when the string is not
   * a plain decimal, is off the grid, or is out of the exactly representable range.
   * Allocation-free: safe on the hot path.
   */
  toUnitsOrNaN(s: string): number {
    if (!scanDecimal(s)) return NaN;
    return this.unitsFromScan(scanMantissa, scanScale);
  }

  private unitsFromScan(m: number, scale: number): number {
    // value = m * 10^-scale ; step = sm * 10^-ss ; units = m * 10^(ss - scale) / sm
    const sm = this.stepMantissa;
    const ss = this.stepScale;
    if (ss >= scale) {
      const k = ss - scale;
      if (k > 22) return NaN;
      const num = m * POW10[k]!;
      if (!Number.isSafeInteger(num)) return NaN;
      return num % sm === 0 ? num / sm : NaN;
    }
    const k = scale - ss;
    if (k > 22) return NaN;
    const den = POW10[k]! * sm;
    if (!Number.isSafeInteger(den)) return NaN;
    return m % den === 0 ? m / den : NaN;
  }

  /** As toUnitsOrNaN, but throws a coded error naming what was wrong. */
  toUnits(s: string, what = 'value'): number {
    if (typeof s !== 'string') {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_DECIMAL', `${what} must be a decimal string like "123.45", got ${JSON.stringify(s)}`);
    }
    if (!scanDecimal(s)) {
      if (scanTooLong) {
        throw new SpreadcoreError('SPREADCORE_ERR_OUT_OF_RANGE', `${what} ${s} has more than 15 significant digits and cannot be represented exactly`);
      }
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_DECIMAL', `${what} must be a decimal string like "123.45", got ${JSON.stringify(s)}`);
    }
    const u = this.unitsFromScan(scanMantissa, scanScale);
    if (Number.isNaN(u)) {
      throw new SpreadcoreError('SPREADCORE_ERR_OFF_GRID', `${what} ${s} is not a whole multiple of ${this.step}`);
    }
    return u;
  }

  /** Exact decimal string of units * step, with the step's number of decimals. */
  format(units: number): string {
    if (!Number.isSafeInteger(units)) {
      throw new SpreadcoreError('SPREADCORE_ERR_OUT_OF_RANGE', `${units} is not a safe integer number of units`);
    }
    let n = units * this.stepMantissa;
    if (!Number.isSafeInteger(n)) {
      // fall back to BigInt for very large products (tools only, never the hot path)
      return formatScaled(BigInt(units) * BigInt(this.stepMantissa), this.stepScale);
    }
    return formatScaled(BigInt(n), this.stepScale);
  }

  /** units * step as a float (for display maths and model inputs, never for books). */
  toNumber(units: number): number {
    return (units * this.stepMantissa) / POW10[this.stepScale]!;
  }
}

function formatScaled(n: bigint, scale: number): string {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString();
  if (scale === 0) return (neg ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  const int = padded.slice(0, padded.length - scale);
  const frac = padded.slice(padded.length - scale);
  return `${neg ? '-' : ''}${int}.${frac}`;
}
