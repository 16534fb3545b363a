// Binance instruments the project knows, with the grids its books use.
// The book grids were checked against every price and quantity in the recorded
// streams of 2024-08-08 (depth, snapshot, bookTicker, trade). On spot, resting
// levels far from the market can carry quantities finer than today's order lot
// (placed under an older, finer step), so the book's quantity grid is finer than
// the exchange's order lot: orders must still use orderLotSize.
import { SpreadcoreError } from '../../errors.js';
import { Instrument } from '../../orderbook/instrument.js';
import type { BinanceMarket } from './messages.js';

export interface BinanceInstrumentSpec {
  readonly market: BinanceMarket;
  readonly symbol: string;
  /** Price grid of the book and of orders. */
  readonly tickSize: string;
  /** Quantity grid of the book (every level quantity the venue publishes lies on it). */
  readonly lotSize: string;
  /** The exchange's LOT_SIZE step for orders. */
  readonly orderLotSize: string;
}

export const BINANCE_INSTRUMENTS: readonly BinanceInstrumentSpec[] = [
  // book quantities seen with 6 decimals (e.g. 25.426189 at ask 200000.00)
  { market: 'spot', symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.000001', orderLotSize: '0.00001' },
  // book quantities seen with 5 decimals (e.g. 2292.22972 at ask 5000.00)
  { market: 'spot', symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.00001', orderLotSize: '0.0001' },
  { market: 'usdm', symbol: 'BTCUSDT', tickSize: '0.1', lotSize: '0.001', orderLotSize: '0.001' },
  // Binance's exchangeInfo: PRICE_FILTER tickSize 0.01, LOT_SIZE stepSize 0.001 (a futures book
  // publishes quantities on the order step)
  { market: 'usdm', symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.001', orderLotSize: '0.001' },
];

/** No grids are known for a Binance symbol (SPREADCORE_ERR_BAD_INPUT); a command adds how to give them. */
export class UnknownBinanceSymbolError extends SpreadcoreError {
  readonly market: BinanceMarket;
  readonly symbol: string;
  constructor(market: BinanceMarket, symbol: string, message: string) {
    super('SPREADCORE_ERR_BAD_INPUT', message);
    this.market = market;
    this.symbol = symbol;
  }
}

/** The spec for a market and symbol; UnknownBinanceSymbolError (SPREADCORE_ERR_BAD_INPUT) when unknown. */
export function binanceInstrumentSpec(market: BinanceMarket, symbol: string): BinanceInstrumentSpec {
  for (const s of BINANCE_INSTRUMENTS) {
    if (s.market === market && s.symbol === symbol) return s;
  }
  const known = BINANCE_INSTRUMENTS.filter((s) => s.market === market).map((s) => s.symbol).join(', ');
  throw new UnknownBinanceSymbolError(market, symbol, `unknown Binance ${market} symbol ${JSON.stringify(symbol)} (known: ${known || 'none'})`);
}

/**
 * The spec for a market and symbol from `overrides` (a user's grids for a symbol the
 * table does not know, or replacing its grids) when one matches, else from the table.
 */
export function resolveBinanceInstrumentSpec(market: BinanceMarket, symbol: string, overrides?: readonly BinanceInstrumentSpec[]): BinanceInstrumentSpec {
  const o = overrides?.find((s) => s.market === market && s.symbol === symbol);
  if (o !== undefined) return o;
  try {
    return binanceInstrumentSpec(market, symbol);
  } catch (e) {
    // grids given for the symbol, but for the other market: say so
    const other = overrides?.find((s) => s.market !== market && s.symbol === symbol);
    if (e instanceof UnknownBinanceSymbolError && other !== undefined) {
      throw new UnknownBinanceSymbolError(market, symbol, `${e.message}; the grids given for ${symbol} are for Binance ${other.market}, not ${market}`);
    }
    throw e;
  }
}

/** An Instrument with the book grids of a spec. */
export function instrumentOfSpec(s: BinanceInstrumentSpec): Instrument {
  return new Instrument({ symbol: s.symbol, tickSize: s.tickSize, lotSize: s.lotSize, kind: s.market === 'spot' ? 'spot' : 'perp' });
}

/** An Instrument with the book grids of a known Binance symbol. */
export function binanceInstrument(market: BinanceMarket, symbol: string): Instrument {
  const s = binanceInstrumentSpec(market, symbol);
  return new Instrument({
    symbol: s.symbol, tickSize: s.tickSize, lotSize: s.lotSize, kind: market === 'spot' ? 'spot' : 'perp',
  });
}

/** The grids of a symbol as the venue's exchangeInfo gives them (decimal strings as sent). */
export interface VenueGrid {
  /** PRICE_FILTER tickSize. */
  readonly tickSize: string;
  /** LOT_SIZE stepSize. */
  readonly stepSize: string;
  /** baseAssetPrecision: decimals of the base quantities the venue reports; null when absent. */
  readonly baseAssetPrecision: number | null;
  /** LOT_SIZE maxQty in base units (the largest order); null when absent or unlimited. */
  readonly maxQty?: number | null;
}

/** A book level may aggregate this many of the largest orders: its quantity must stay a safe integer of book units. */
const LEVEL_HEADROOM = 100;

/** A plain decimal string without trailing zeros ("0.01000000" → "0.01", "10.00" → "10"); null when not a plain positive decimal. */
export function plainDecimal(s: string): string | null {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (m === null) return null;
  const int = m[1]!.replace(/^0+(?=\d)/, '');
  const frac = (m[2] ?? '').replace(/0+$/, '');
  const out = frac === '' ? int : `${int}.${frac}`;
  return /[1-9]/.test(out) ? out : null;
}

/** 10^-decimals as a decimal string ("1", "0.1", "0.00000001"). */
function unitOf(decimals: number): string {
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

/** Decimals of a plain decimal string. */
function decimalsOf(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/**
 * The spec of a symbol from the venue's grids. Prices and orders: PRICE_FILTER tickSize and
 * LOT_SIZE stepSize. The book's quantity grid must hold every quantity the depth stream and
 * the snapshots publish: on USD-M that is the order step (a futures book publishes quantities
 * on it); on spot, resting orders placed under an older, finer step stay in the book, so the
 * book takes the finest quantity the venue reports, 10^-baseAssetPrecision, coarsened (never
 * past the step) where a level of LEVEL_HEADROOM × maxQty would not be a safe integer number
 * of book units (symbols traded in the billions, e.g. a step of 1 with 8 reported decimals).
 */
export function specFromVenueGrid(market: BinanceMarket, symbol: string, g: VenueGrid): BinanceInstrumentSpec {
  const tickSize = plainDecimal(g.tickSize);
  const stepSize = plainDecimal(g.stepSize);
  if (tickSize === null || stepSize === null) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT',
      `Binance ${market} exchangeInfo gives ${symbol} tickSize ${JSON.stringify(g.tickSize)} and stepSize ${JSON.stringify(g.stepSize)}: not positive decimals`);
  }
  let lotSize = stepSize;
  const p = g.baseAssetPrecision;
  if (market === 'spot' && p !== null && Number.isInteger(p) && p >= 0 && p <= 12) {
    const stepDecimals = decimalsOf(stepSize);
    const maxQty = g.maxQty ?? null;
    let d = p;
    if (maxQty !== null && Number.isFinite(maxQty) && maxQty > 0) {
      while (d > stepDecimals && maxQty * LEVEL_HEADROOM * 10 ** d > Number.MAX_SAFE_INTEGER) d--;
    }
    if (d > stepDecimals) lotSize = unitOf(d);
  }
  return { market, symbol, tickSize, lotSize, orderLotSize: stepSize };
}

/** The spec live execution trades a symbol with, and a line saying where it came from. */
export interface LiveInstrumentChoice {
  readonly spec: BinanceInstrumentSpec;
  /** table: the built-in grids, the same as the venue's; venue: the grids from exchangeInfo. */
  readonly source: 'table' | 'venue';
  /** Set when the built-in table has the symbol with other grids than the venue's (the venue's are used). */
  readonly tableDiffers: string | null;
}

/**
 * The grids live execution uses for a symbol the venue lists: the built-in table's when its
 * tick and order step are the venue's (its book quantity grid was checked against recorded
 * streams), else the venue's (specFromVenueGrid). Orders must lie on the venue's grid, so when
 * the venue changed a tick or step the venue's wins and `tableDiffers` says what changed.
 */
export function liveInstrumentSpec(market: BinanceMarket, symbol: string, g: VenueGrid): LiveInstrumentChoice {
  const venue = specFromVenueGrid(market, symbol, g);
  const table = BINANCE_INSTRUMENTS.find((s) => s.market === market && s.symbol === symbol);
  if (table === undefined) return { spec: venue, source: 'venue', tableDiffers: null };
  if (plainDecimal(table.tickSize) === venue.tickSize && plainDecimal(table.orderLotSize) === venue.orderLotSize) {
    return { spec: table, source: 'table', tableDiffers: null };
  }
  return {
    spec: venue, source: 'venue',
    tableDiffers: `Binance ${market} ${symbol}: the venue's exchangeInfo has tickSize ${venue.tickSize} and stepSize ${venue.orderLotSize}, `
      + `the built-in table tickSize ${table.tickSize} and stepSize ${table.orderLotSize}: trading on the venue's grid (book quantities on ${venue.lotSize})`,
  };
}
