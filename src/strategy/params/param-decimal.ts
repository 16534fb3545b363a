// Exact decimal arithmetic on parameter values. JSON numbers arrive as doubles; their
// shortest round-trip form ("0.001", "1e-7") is the decimal the user wrote, so
// conversions work on that decimal, never on the binary value.

/** The shortest decimal form of a finite number, without an exponent ("1e-7" → "0.0000001"). */
export function toDecimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const s = String(x);
  if (!s.includes('e')) return s;
  const [mant = '', expText = '0'] = x.toExponential().split('e');
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const point = 1 + Number(expText); // digits before the decimal point
  const sign = neg ? '-' : '';
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

interface Scaled { m: bigint; scale: number }

function parseScaled(s: string): Scaled {
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const int = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot + 1);
  const m = BigInt((int + frac) || '0');
  return { m: neg ? -m : m, scale: frac.length };
}

function pow10(n: number): bigint { return 10n ** BigInt(n); }
function abs(n: bigint): bigint { return n < 0n ? -n : n; }
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a); b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

type Decimal = number | string;

function scaled(x: Decimal): Scaled {
  return parseScaled(typeof x === 'number' ? toDecimalString(x) : x);
}

/** (Π numerators) / (Π denominators) as integers p / q (q > 0), from the decimal forms. */
function fractionParts(numerators: readonly Decimal[], denominators: readonly Decimal[]): { p: bigint; q: bigint } {
  let p = 1n;
  let q = 1n;
  for (const n of numerators) { const s = scaled(n); p *= s.m; q *= pow10(s.scale); }
  for (const d of denominators) { const s = scaled(d); q *= s.m; p *= pow10(s.scale); }
  if (q === 0n) throw new RangeError('division by zero');
  if (q < 0n) { p = -p; q = -q; }
  return { p, q };
}

function fractionToNumber(p: bigint, q: bigint): number {
  if (p % q === 0n) return Number(p / q);
  const g = gcd(p, q);
  return Number(p / g) / Number(q / g);
}

/**
 * a / b of the decimals, as a double: exact when the quotient is an integer, otherwise
 * the nearest double of the reduced fraction when both parts fit in 53 bits (one
 * rounding). Example: 0.001 / "0.01" = 0.1, not 0.09999999999999999.
 */
export function decimalRatio(a: Decimal, b: Decimal): number {
  const { p, q } = fractionParts([a], [b]);
  return fractionToNumber(p, q);
}

/** a × b / c of the decimals, as decimalRatio (price per unit × lot size / tick size = ticks per lot). */
export function decimalMulDiv(a: Decimal, b: Decimal, c: Decimal): number {
  const { p, q } = fractionParts([a, b], [c]);
  return fractionToNumber(p, q);
}

/** True when a is a whole multiple of b, decimally (0.003 of 0.001 yes, 0.0015 no). */
export function isWholeMultiple(a: Decimal, b: Decimal): boolean {
  const { p, q } = fractionParts([a], [b]);
  return p % q === 0n;
}

/** x × 10^k on the decimal form: 0.07 × 10^2 = 7 exactly. */
export function scaleByPow10(x: number, k: number): number {
  const [mant = '0', expText = '0'] = x.toExponential().split('e');
  return Number(`${mant}e${Number(expText) + k}`);
}

/** x × scale for an alias conversion: powers of ten on the decimal form, other factors (2, 0.5) in binary, where they are exact. */
export function scaleValue(x: number, scale: number): number {
  if (scale === 1) return x;
  const k = Math.log10(scale);
  if (Number.isInteger(k)) return scaleByPow10(x, k);
  return x * scale;
}
