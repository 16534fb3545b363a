// exchangeInfo symbol → Instrument and the symbol's filters, and the pre-send check
// that keeps an order breaking a filter inside the process (filters.md "Symbol filters":
// PRICE_FILTER, PERCENT_PRICE, PERCENT_PRICE_BY_SIDE, LOT_SIZE, MIN_NOTIONAL, NOTIONAL,
// MARKET_LOT_SIZE; USD-M's MIN_NOTIONAL carries `notional` instead of `minNotional`).
//
// Everything is converted once, at load, into integer ticks/lots (and "notional units"
// of tickSize × lotSize), so the check on the order path is integer compares only.
import { Instrument, type InstrumentKind } from '../../orderbook/instrument.js';
import type { OrderSide } from '../../trading/types.js';
import { BinanceError } from './errors.js';

/** Why the pre-send check refused an order (stable codes). */
export type FilterReason =
  | 'filter_symbol_not_trading' | 'filter_price_below_min' | 'filter_price_above_max'
  | 'filter_qty_below_min' | 'filter_qty_above_max' | 'filter_market_qty_below_min' | 'filter_market_qty_above_max'
  | 'filter_notional_below_min' | 'filter_notional_above_max'
  | 'filter_percent_price_above' | 'filter_percent_price_below';

export interface SymbolRules {
  readonly symbol: string;
  readonly instrument: Instrument;
  readonly status: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** baseAssetPrecision (decimals of the base quantities the venue reports); null when absent. */
  readonly baseAssetPrecision: number | null;
  /** Limits in ticks / lots; 0 / Infinity when the rule is disabled or absent. */
  readonly minPriceTick: number;
  readonly maxPriceTick: number;
  readonly minQtyLot: number;
  readonly maxQtyLot: number;
  readonly marketMinQtyLot: number;
  readonly marketMaxQtyLot: number;
  /** Notional limits in units of tickSize × lotSize (priceTick × qtyLot is compared to them). */
  readonly minNotionalUnits: number;
  readonly maxNotionalUnits: number;
  /** Percent-price multipliers as integer / 10^scale, per side; null when absent. */
  readonly percent: PercentBand | null;
}

export interface PercentBand {
  readonly scalePow: number;
  readonly bidUp: number; readonly bidDown: number;
  readonly askUp: number; readonly askDown: number;
}

interface Dec { m: bigint; s: number }

function dec(v: unknown, what: string): Dec {
  if (typeof v !== 'string' && typeof v !== 'number') throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', `exchangeInfo: ${what} is missing`);
  const str = String(v);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(str);
  if (m === null) throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', `exchangeInfo: ${what} ${JSON.stringify(str)} is not a plain decimal`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return { m: BigInt(m[1]! + frac), s: frac.length };
}

function pow10(n: number): bigint { return 10n ** BigInt(n); }

/** ceil or floor of a / b for positive bigints. */
function divRound(a: bigint, b: bigint, up: boolean): bigint {
  const q = a / b;
  return up && q * b !== a ? q + 1n : q;
}

/** value / step as a count of steps, rounded up (min limits) or down (max limits). */
function steps(value: Dec, step: Dec, up: boolean): number {
  // value.m·10^-vs / (step.m·10^-ss) = value.m·10^ss / (step.m·10^vs)
  const n = divRound(value.m * pow10(step.s), step.m * pow10(value.s), up);
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(n);
}

interface RawFilter { filterType?: unknown; [k: string]: unknown }

/** Reads one exchangeInfo `symbols[]` entry (spot or USD-M). */
export function symbolRulesFrom(entry: unknown, kind: InstrumentKind = 'spot'): SymbolRules {
  if (typeof entry !== 'object' || entry === null) throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', 'exchangeInfo: symbol entry is not an object');
  const e = entry as Record<string, unknown>;
  const symbol = e['symbol'];
  if (typeof symbol !== 'string' || symbol === '') throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', 'exchangeInfo: symbol name missing');
  const filters = Array.isArray(e['filters']) ? (e['filters'] as RawFilter[]) : [];
  const byType = new Map<string, RawFilter>();
  for (const f of filters) if (typeof f?.filterType === 'string') byType.set(f.filterType, f);
  const pf = byType.get('PRICE_FILTER');
  const ls = byType.get('LOT_SIZE');
  if (pf === undefined) throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', `exchangeInfo: ${symbol} has no PRICE_FILTER filter`);
  if (ls === undefined) throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', `exchangeInfo: ${symbol} has no LOT_SIZE filter`);
  const tick = dec(pf['tickSize'], `${symbol} tickSize`);
  const lot = dec(ls['stepSize'], `${symbol} stepSize`);
  if (tick.m === 0n || lot.m === 0n) throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', `exchangeInfo: ${symbol} tickSize/stepSize of 0 is not supported`);
  const instrument = new Instrument({ symbol, tickSize: String(pf['tickSize']), lotSize: String(ls['stepSize']), kind });

  const minMax = (f: RawFilter | undefined, minKey: string, maxKey: string, step: Dec): [number, number] => {
    if (f === undefined) return [0, Number.POSITIVE_INFINITY];
    const lo = f[minKey] === undefined ? 0 : steps(dec(f[minKey], `${symbol} ${minKey}`), step, true);
    const hiDec = f[maxKey] === undefined ? null : dec(f[maxKey], `${symbol} ${maxKey}`);
    const hi = hiDec === null || hiDec.m === 0n ? Number.POSITIVE_INFINITY : steps(hiDec, step, false);
    return [lo, hi];
  };
  const [minPriceTick, maxPriceTick] = minMax(pf, 'minPrice', 'maxPrice', tick);
  const [minQtyLot, maxQtyLot] = minMax(ls, 'minQty', 'maxQty', lot);
  const [marketMinQtyLot, marketMaxQtyLot] = minMax(byType.get('MARKET_LOT_SIZE'), 'minQty', 'maxQty', lot);

  // notional units: tickSize × lotSize = (tick.m·lot.m)·10^-(ts+ls)
  const unit: Dec = { m: tick.m * lot.m, s: tick.s + lot.s };
  let minNotionalUnits = 0;
  let maxNotionalUnits = Number.POSITIVE_INFINITY;
  const mn = byType.get('MIN_NOTIONAL');
  if (mn !== undefined) {
    const v = mn['minNotional'] ?? mn['notional']; // spot / USD-M
    if (v !== undefined) minNotionalUnits = Math.max(minNotionalUnits, steps(dec(v, `${symbol} minNotional`), unit, true));
  }
  const nt = byType.get('NOTIONAL');
  if (nt !== undefined) {
    if (nt['minNotional'] !== undefined) minNotionalUnits = Math.max(minNotionalUnits, steps(dec(nt['minNotional'], `${symbol} minNotional`), unit, true));
    if (nt['maxNotional'] !== undefined) {
      const mx = dec(nt['maxNotional'], `${symbol} maxNotional`);
      if (mx.m !== 0n) maxNotionalUnits = steps(mx, unit, false);
    }
  }

  let percent: PercentBand | null = null;
  const pps = byType.get('PERCENT_PRICE_BY_SIDE');
  const pp = byType.get('PERCENT_PRICE');
  if (pps !== undefined || pp !== undefined) {
    const names = pps !== undefined
      ? [['bidMultiplierUp', pps], ['bidMultiplierDown', pps], ['askMultiplierUp', pps], ['askMultiplierDown', pps]] as const
      : [['multiplierUp', pp!], ['multiplierDown', pp!], ['multiplierUp', pp!], ['multiplierDown', pp!]] as const;
    const ds = names.map(([k, f]) => dec(f[k], `${symbol} ${k}`));
    const s = Math.max(...ds.map((d) => d.s));
    const v = ds.map((d) => Number(d.m * pow10(s - d.s)));
    percent = { scalePow: 10 ** s, bidUp: v[0]!, bidDown: v[1]!, askUp: v[2]!, askDown: v[3]! };
  }

  return {
    symbol, instrument, status: typeof e['status'] === 'string' ? e['status'] : 'TRADING',
    baseAsset: typeof e['baseAsset'] === 'string' ? e['baseAsset'] : '',
    quoteAsset: typeof e['quoteAsset'] === 'string' ? e['quoteAsset'] : '',
    baseAssetPrecision: typeof e['baseAssetPrecision'] === 'number' && Number.isInteger(e['baseAssetPrecision']) ? e['baseAssetPrecision'] : null,
    minPriceTick, maxPriceTick, minQtyLot, maxQtyLot, marketMinQtyLot, marketMaxQtyLot,
    minNotionalUnits, maxNotionalUnits, percent,
  };
}

/** Every symbol of an exchangeInfo answer, by name. */
export function rulesFromExchangeInfo(info: unknown, kind: InstrumentKind = 'spot'): Map<string, SymbolRules> {
  const symbols = (info as { symbols?: unknown } | null)?.symbols;
  if (!Array.isArray(symbols)) throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', 'exchangeInfo: no symbols array');
  const out = new Map<string, SymbolRules>();
  for (const s of symbols) {
    const r = symbolRulesFrom(s, kind);
    out.set(r.symbol, r);
  }
  return out;
}

/** The rules of the symbols a process trades, read from an exchangeInfo answer that may list many more. */
export interface NeededRules {
  /** Every entry that parsed, by name (the needed symbols among them). */
  readonly rules: Map<string, SymbolRules>;
  /** Entries of other symbols that could not be read (skipped), and the first one's problem. */
  readonly skipped: number;
  readonly firstSkipped: string | null;
}

function entryName(entry: unknown): string | null {
  const name = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['symbol'] : undefined;
  return typeof name === 'string' && name !== '' ? name : null;
}

/**
 * The rules of an exchangeInfo answer, leniently: an entry of a symbol in `needed` must
 * read (else BINANCE_ERR_BAD_RESPONSE naming the symbol and the field); an entry of any
 * other symbol that does not (a malformed filter, no name, not an object) is skipped and
 * counted, so one bad entry among the venue's thousands does not stop the process.
 */
export function neededRulesFromExchangeInfo(info: unknown, kind: InstrumentKind, needed: readonly string[]): NeededRules {
  const symbols = (info as { symbols?: unknown } | null)?.symbols;
  if (!Array.isArray(symbols)) throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', 'exchangeInfo: no symbols array');
  const want = new Set(needed);
  const rules = new Map<string, SymbolRules>();
  let skipped = 0;
  let firstSkipped: string | null = null;
  for (const entry of symbols) {
    const name = entryName(entry);
    if (name !== null && want.has(name)) {
      rules.set(name, symbolRulesFrom(entry, kind));
      continue;
    }
    try {
      const r = symbolRulesFrom(entry, kind);
      rules.set(r.symbol, r);
    } catch (e) {
      if (!(e instanceof BinanceError)) throw e;
      skipped++;
      firstSkipped ??= e.message;
    }
  }
  return { rules, skipped, firstSkipped };
}

/**
 * The pre-send check: null when the order passes every filter we can check locally,
 * else the first failing rule. `refPriceTick` is the reference price for PERCENT_PRICE
 * (the engine's mid or the symbol's average price); NaN skips that rule. `minNotionalExempt`:
 * the order may be below the minimum notional (a USD-M reduce-only order). `refMargin`
 * widens the PERCENT_PRICE band by that fraction on each side (up × (1 + m), down × (1 − m)),
 * for a reference that only approximates the venue's own. Allocation-free.
 */
export function checkOrder(r: SymbolRules, side: OrderSide, isMarket: boolean, priceTick: number, qtyLot: number, refPriceTick = Number.NaN, minNotionalExempt = false, refMargin = 0): FilterReason | null {
  if (r.status !== 'TRADING') return 'filter_symbol_not_trading';
  if (isMarket) {
    if (qtyLot < r.marketMinQtyLot || qtyLot < r.minQtyLot) return 'filter_market_qty_below_min';
    if (qtyLot > r.marketMaxQtyLot) return 'filter_market_qty_above_max';
    return null;
  }
  if (priceTick < r.minPriceTick || priceTick <= 0) return 'filter_price_below_min';
  if (priceTick > r.maxPriceTick) return 'filter_price_above_max';
  if (qtyLot < r.minQtyLot || qtyLot <= 0) return 'filter_qty_below_min';
  if (qtyLot > r.maxQtyLot) return 'filter_qty_above_max';
  const notional = priceTick * qtyLot; // exact while < 2^53 (1e7 ticks × 1e8 lots)
  if (notional < r.minNotionalUnits && !minNotionalExempt) return 'filter_notional_below_min';
  if (notional > r.maxNotionalUnits) return 'filter_notional_above_max';
  const p = r.percent;
  if (p !== null && refPriceTick === refPriceTick) {
    const scaled = priceTick * p.scalePow;
    const up = side === 'BUY' ? p.bidUp : p.askUp;
    const down = side === 'BUY' ? p.bidDown : p.askDown;
    if (scaled > refPriceTick * up * (1 + refMargin)) return 'filter_percent_price_above';
    if (scaled < refPriceTick * down * (1 - refMargin)) return 'filter_percent_price_below';
  }
  return null;
}
