// Instrument grids for Binance recordings in a backtest: the project's Binance
// table (src/feed/binance/instruments.ts), a few more symbols common in recorded
// data, and the params file's "instruments" on top. The book grid must hold every
// price and quantity the recording carries (see test/fixtures/README.md).
import { SpreadcoreError } from '../errors.js';
import { BINANCE_INSTRUMENTS, type BinanceInstrumentSpec } from '../feed/binance/instruments.js';
import type { BinanceMarket } from '../feed/binance/messages.js';
import type { InstrumentOverride } from './backtest-spec.js';

/** Symbols beyond the Binance table (grids from Binance's exchangeInfo: PRICE_FILTER tickSize, LOT_SIZE stepSize). */
export const BACKTEST_EXTRA_INSTRUMENTS: readonly BinanceInstrumentSpec[] = [
  { market: 'usdm', symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.001', orderLotSize: '0.001' },
];

/** The specs the Binance adapter gets for `market`: extras, then the params file's overrides (which win). */
export function backtestInstrumentSpecs(market: BinanceMarket, overrides: Readonly<Record<string, InstrumentOverride>>): BinanceInstrumentSpec[] {
  const out: BinanceInstrumentSpec[] = [];
  for (const [symbol, o] of Object.entries(overrides)) {
    if (o.market !== null && o.market !== market) continue;
    out.push({ market, symbol, tickSize: o.tickSize, lotSize: o.lotSize, orderLotSize: o.lotSize });
  }
  for (const s of BACKTEST_EXTRA_INSTRUMENTS) if (s.market === market && !out.some((o) => o.symbol === s.symbol)) out.push(s);
  return out;
}

/** Throws SPREADCORE_ERR_UNKNOWN_SYMBOL when no grid is known for a Binance symbol. */
export function requireBinanceGrids(market: BinanceMarket, symbol: string, specs: readonly BinanceInstrumentSpec[]): void {
  if (specs.some((s) => s.symbol === symbol) || BINANCE_INSTRUMENTS.some((s) => s.market === market && s.symbol === symbol)) return;
  const known = [...BINANCE_INSTRUMENTS, ...BACKTEST_EXTRA_INSTRUMENTS].filter((s) => s.market === market).map((s) => s.symbol);
  throw new SpreadcoreError('SPREADCORE_ERR_UNKNOWN_SYMBOL',
    `no tick and lot size known for Binance ${market} ${symbol} (built in: ${[...new Set(known)].join(', ')}): `
    + `add "instruments": {"${symbol}": {"tick_size": "…", "lot_size": "…"}} to the params file`);
}
