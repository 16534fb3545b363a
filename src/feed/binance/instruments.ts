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

/** The spec for a market and symbol; SPREADCORE_ERR_BAD_INPUT when unknown. */
export function binanceInstrumentSpec(market: BinanceMarket, symbol: string): BinanceInstrumentSpec {
  for (const s of BINANCE_INSTRUMENTS) {
    if (s.market === market && s.symbol === symbol) return s;
  }
  const known = BINANCE_INSTRUMENTS.filter((s) => s.market === market).map((s) => s.symbol).join(', ');
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT',
    `unknown Binance ${market} symbol ${JSON.stringify(symbol)} (known: ${known || 'none'})`);
}

/**
 * The spec for a market and symbol from `overrides` (a user's grids for a symbol the
 * table does not know, or replacing its grids) when one matches, else from the table.
 */
export function resolveBinanceInstrumentSpec(market: BinanceMarket, symbol: string, overrides?: readonly BinanceInstrumentSpec[]): BinanceInstrumentSpec {
  const o = overrides?.find((s) => s.market === market && s.symbol === symbol);
  return o ?? binanceInstrumentSpec(market, symbol);
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
