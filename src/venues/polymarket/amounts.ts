// Order amounts: a limit order at priceTick × tickSize for qtyLot × lotSize shares,
// expressed as the exchange's integer makerAmount / takerAmount in 6 decimals (pUSD
// collateral and the conditional tokens both have 6; clob-client-v2 src/config.ts
// COLLATERAL_TOKEN_DECIMALS / CONDITIONAL_TOKEN_DECIMALS).
//
// BUY:  maker gives collateral  = price × size, takes size shares;
// SELL: maker gives size shares, takes collateral = price × size
// (clob-client-v2 getOrderRawAmounts.ts). Everything here is BigInt arithmetic on the
// decimal strings' digits: no float ever touches an amount.
import { SpreadcoreError } from '../../errors.js';

export const AMOUNT_DECIMALS = 6;
const ONE = 10n ** BigInt(AMOUNT_DECIMALS);

/** Polymarket's tick sizes (clob-client-v2 types TickSize / roundingConfig.ts). */
export const TICK_SIZES = ['0.1', '0.01', '0.005', '0.0025', '0.001', '0.0001'] as const;
export type TickSize = (typeof TICK_SIZES)[number];
/** Order sizes have 2 decimals (roundingConfig.ts `size: 2` for every tick size). */
export const POLYMARKET_LOT_SIZE = '0.01';

export function isTickSize(s: string): s is TickSize { return (TICK_SIZES as readonly string[]).includes(s); }

/** A positive decimal string as digits × 10^-scale. */
export function parseDecimal(s: string): { digits: bigint; scale: number } {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (m === null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `not a decimal: ${JSON.stringify(s)}`);
  const frac = m[2] ?? '';
  return { digits: BigInt(m[1]! + frac), scale: frac.length };
}

/** Units of 10^-6 of a value `units × step`; throws when it has more than 6 decimals. */
export function toMicro(units: bigint, step: string): bigint {
  const { digits, scale } = parseDecimal(step);
  if (scale > AMOUNT_DECIMALS) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `step ${step} is finer than 6 decimals`);
  return units * digits * 10n ** BigInt(AMOUNT_DECIMALS - scale);
}

/** The number of ticks of 1.0 on a tick grid (100 for 0.01). */
export function ticksPerUnit(tickSize: string): bigint {
  const { digits, scale } = parseDecimal(tickSize);
  const one = 10n ** BigInt(scale);
  if (digits === 0n || one % digits !== 0n) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `tick size ${tickSize} does not divide 1`);
  return one / digits;
}

export interface OrderAmounts { readonly makerAmount: bigint; readonly takerAmount: bigint }

/**
 * makerAmount / takerAmount of a limit order. The price must be on the grid strictly
 * inside (0, 1): 1 ≤ priceTick ≤ ticksPerUnit − 1 (valid prices are [tick, 1 − tick],
 * clob-client-v2 utilities.ts priceValid); qtyLot ≥ 1.
 */
export function orderAmounts(side: 'BUY' | 'SELL', priceTick: number, qtyLot: number, tickSize: string, lotSize: string = POLYMARKET_LOT_SIZE): OrderAmounts {
  if (!Number.isSafeInteger(priceTick) || !Number.isSafeInteger(qtyLot)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'priceTick and qtyLot must be integers');
  const n = ticksPerUnit(tickSize);
  if (priceTick < 1 || BigInt(priceTick) >= n) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `price tick ${priceTick} is outside [${tickSize}, 1 - ${tickSize}]`);
  if (qtyLot < 1) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `quantity ${qtyLot} lots must be positive`);
  const t = parseDecimal(tickSize);
  const l = parseDecimal(lotSize);
  if (t.scale + l.scale > AMOUNT_DECIMALS) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `price × size on grids ${tickSize} × ${lotSize} needs more than 6 decimals`);
  const size = BigInt(qtyLot) * l.digits * 10n ** BigInt(AMOUNT_DECIMALS - l.scale);
  const notional = BigInt(priceTick) * t.digits * BigInt(qtyLot) * l.digits * 10n ** BigInt(AMOUNT_DECIMALS - t.scale - l.scale);
  return side === 'BUY' ? { makerAmount: notional, takerAmount: size } : { makerAmount: size, takerAmount: notional };
}

/**
 * The inverse (the replica reading a signed order): price in ticks and size in lots of
 * the market's grids, or null when the amounts are not an exact grid price and size.
 */
export function priceAndSize(side: 'BUY' | 'SELL', makerAmount: bigint, takerAmount: bigint, tickSize: string, lotSize: string = POLYMARKET_LOT_SIZE): { priceTick: number; qtyLot: number } | null {
  const size = side === 'BUY' ? takerAmount : makerAmount;
  const notional = side === 'BUY' ? makerAmount : takerAmount;
  if (size <= 0n || notional <= 0n) return null;
  const lotMicro = toMicro(1n, lotSize);
  if (size % lotMicro !== 0n) return null;
  // price = notional / size; ticks = price / tickSize = notional × 10^ts / (size × tickDigits)
  const t = parseDecimal(tickSize);
  const num = notional * 10n ** BigInt(t.scale);
  const den = size * t.digits;
  if (num % den !== 0n) return null;
  const tick = num / den;
  if (tick < 1n || tick >= ticksPerUnit(tickSize)) return null;
  return { priceTick: Number(tick), qtyLot: Number(size / lotMicro) };
}

/** A 6-decimal amount as a decimal string ("1.5" for 1500000n). */
export function formatMicro(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const int = a / ONE;
  const frac = (a % ONE).toString().padStart(AMOUNT_DECIMALS, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
}

/** A decimal string as an exact 6-decimal amount (digits past the 6th must be zero). */
export function decimalToMicro(s: string): bigint {
  const { digits, scale } = parseDecimal(s);
  if (scale <= AMOUNT_DECIMALS) return digits * 10n ** BigInt(AMOUNT_DECIMALS - scale);
  const d = 10n ** BigInt(scale - AMOUNT_DECIMALS);
  if (digits % d !== 0n) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${s} has more than 6 decimals`);
  return digits / d;
}
