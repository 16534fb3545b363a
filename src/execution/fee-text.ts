// Fees as exact decimal strings: price × qty × bps / 10,000, computed on integers
// (ticks × tick size, lots × lot size, bps with FEE_BPS_DECIMALS decimals) and
// printed without trailing zeros. Runs once per fill, so BigInt is fine here.
import type { Instrument } from '../orderbook/instrument.js';
import { FEE_BPS_DECIMALS } from './paper-config.js';

interface Scaled { readonly mantissa: bigint; readonly scale: number }

function parseStep(step: string): Scaled {
  const dot = step.indexOf('.');
  const int = dot < 0 ? step : step.slice(0, dot);
  const frac = dot < 0 ? '' : step.slice(dot + 1).replace(/0+$/, '');
  return { mantissa: BigInt((int === '' ? '0' : int) + frac), scale: frac.length };
}

const grids = new WeakMap<Instrument, { tick: Scaled; lot: Scaled }>();

function gridsOf(instrument: Instrument): { tick: Scaled; lot: Scaled } {
  let g = grids.get(instrument);
  if (g === undefined) {
    g = { tick: parseStep(instrument.tickSize), lot: parseStep(instrument.lotSize) };
    grids.set(instrument, g);
  }
  return g;
}

/** n × 10^-scale as a plain decimal string without trailing fractional zeros. */
export function scaledText(n: bigint, scale: number): string {
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    const int = digits.slice(0, digits.length - scale);
    const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
    digits = frac === '' ? int : `${int}.${frac}`;
  }
  return neg && digits !== '0' ? `-${digits}` : digits;
}

/** A fee rate in bps, fixed once, applied to fills. */
export class FeeRate {
  readonly bps: number;
  private readonly bpsMantissa: bigint;

  constructor(bps: number) {
    this.bps = bps;
    this.bpsMantissa = BigInt(Math.round(bps * 10 ** FEE_BPS_DECIMALS));
  }

  /** The fee of a fill of qtyLot at priceTick, exact, in the quote currency. */
  feeText(instrument: Instrument, priceTick: number, qtyLot: number): string {
    if (this.bpsMantissa === 0n) return '0';
    const g = gridsOf(instrument);
    const n = BigInt(priceTick) * g.tick.mantissa * BigInt(qtyLot) * g.lot.mantissa * this.bpsMantissa;
    return scaledText(n, g.tick.scale + g.lot.scale + FEE_BPS_DECIMALS + 4);
  }
}
