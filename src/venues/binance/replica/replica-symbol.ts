// What the replica knows about a tradable symbol: the feed's instrument grids as
// exact 1e-8 amounts (the units of every price and quantity), the venue's published
// PRICE_FILTER tickSize and LOT_SIZE stepSize (whole multiples of them, published-grid.ts),
// its base and quote assets, and the filters exchangeInfo shows.
import type { SymbolState } from '../../../feed/ingest/symbol-state.js';
import { formatE8, parseE8 } from './fixed.js';
import { MARKET_GRID, type PublishedGrid } from './published-grid.js';

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'USD'];

export interface FilterSettings {
  /** NOTIONAL minNotional (spot) / MIN_NOTIONAL notional (futures), decimal string. */
  readonly minNotional: string;
  readonly maxNotional: string;
  /** PERCENT_PRICE_BY_SIDE multipliers (spot) as decimal strings. */
  readonly bidMultiplierUp: string;
  readonly bidMultiplierDown: string;
  readonly askMultiplierUp: string;
  readonly askMultiplierDown: string;
  /** PERCENT_PRICE (futures). */
  readonly multiplierUp: string;
  readonly multiplierDown: string;
  /** LOT_SIZE maxQty and PRICE_FILTER maxPrice in lots/ticks. */
  readonly maxLots: number;
  readonly maxTicks: number;
}

export const DEFAULT_FILTERS: FilterSettings = Object.freeze({
  minNotional: '5', maxNotional: '9000000',
  bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2',
  multiplierUp: '1.05', multiplierDown: '0.95',
  maxLots: 900_000_000, maxTicks: 1_000_000_000,
});

function req(v: bigint | null, what: string): bigint {
  if (v === null) throw new Error(`replica: ${what} needs at most 8 decimals`);
  return v;
}

export class ReplicaSymbol {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly state: SymbolState;
  readonly tickE8: bigint;
  readonly lotE8: bigint;
  readonly minNotionalE8: bigint;
  readonly maxNotionalE8: bigint;
  /** PRICE_FILTER tickSize and LOT_SIZE stepSize, 1e-8 units: orders off them are refused. */
  readonly filterTickE8: bigint;
  readonly filterLotE8: bigint;
  readonly grid: PublishedGrid;
  readonly f: FilterSettings;
  readonly mult: { bidUp: bigint; bidDown: bigint; askUp: bigint; askDown: bigint; up: bigint; down: bigint };

  constructor(state: SymbolState, f: FilterSettings, grid: PublishedGrid = MARKET_GRID) {
    this.state = state;
    this.symbol = state.symbol;
    const q = QUOTES.find((x) => state.symbol.endsWith(x) && state.symbol.length > x.length);
    this.baseAsset = q === undefined ? state.symbol : state.symbol.slice(0, -q.length);
    this.quoteAsset = q ?? 'USD';
    this.tickE8 = req(parseE8(state.instrument.tickSize), `${state.symbol} tick size`);
    this.lotE8 = req(parseE8(state.instrument.lotSize), `${state.symbol} lot size`);
    if ((this.tickE8 * this.lotE8) % 100_000_000n !== 0n) throw new Error(`replica: ${state.symbol} tick size × lot size needs at most 8 decimals (exact notionals)`);
    this.grid = grid;
    this.filterTickE8 = this.tickE8 * BigInt(grid.ticksPerTick);
    this.filterLotE8 = this.lotE8 * BigInt(grid.lotsPerStep);
    this.f = f;
    this.minNotionalE8 = req(parseE8(f.minNotional), 'minNotional');
    this.maxNotionalE8 = req(parseE8(f.maxNotional), 'maxNotional');
    this.mult = {
      bidUp: req(parseE8(f.bidMultiplierUp), 'bidMultiplierUp'), bidDown: req(parseE8(f.bidMultiplierDown), 'bidMultiplierDown'),
      askUp: req(parseE8(f.askMultiplierUp), 'askMultiplierUp'), askDown: req(parseE8(f.askMultiplierDown), 'askMultiplierDown'),
      up: req(parseE8(f.multiplierUp), 'multiplierUp'), down: req(parseE8(f.multiplierDown), 'multiplierDown'),
    };
  }

  priceE8(tick: number): bigint { return BigInt(tick) * this.tickE8; }
  qtyE8(lot: number): bigint { return BigInt(lot) * this.lotE8; }
  /** price × qty, exact. */
  notionalE8(tick: number, lot: number): bigint { return (BigInt(tick) * this.tickE8 * BigInt(lot) * this.lotE8) / 100_000_000n; }
  price(tick: number): string { return formatE8(this.priceE8(tick)); }
  qty(lot: number): string { return formatE8(this.qtyE8(lot)); }

  /** PRICE_FILTER maxPrice and LOT_SIZE maxQty (1e-8 units): the market's limits, down to the published grid. */
  get maxPriceE8(): bigint { const m = this.tickE8 * BigInt(this.f.maxTicks); return m - (m % this.filterTickE8); }
  get maxQtyE8(): bigint { const m = this.lotE8 * BigInt(this.f.maxLots); return m - (m % this.filterLotE8); }

  spotFilters(): Record<string, unknown>[] {
    const f = this.f;
    return [
      { filterType: 'PRICE_FILTER', minPrice: formatE8(this.filterTickE8), maxPrice: formatE8(this.maxPriceE8), tickSize: formatE8(this.filterTickE8) },
      { filterType: 'LOT_SIZE', minQty: formatE8(this.filterLotE8), maxQty: formatE8(this.maxQtyE8), stepSize: formatE8(this.filterLotE8) },
      { filterType: 'NOTIONAL', minNotional: formatE8(this.minNotionalE8), applyMinToMarket: true, maxNotional: formatE8(this.maxNotionalE8), applyMaxToMarket: false, avgPriceMins: 0 },
      {
        filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: f.bidMultiplierUp, bidMultiplierDown: f.bidMultiplierDown,
        askMultiplierUp: f.askMultiplierUp, askMultiplierDown: f.askMultiplierDown, avgPriceMins: 0,
      },
    ];
  }

  futuresFilters(): Record<string, unknown>[] {
    const f = this.f;
    const d = this.pricePrecision;
    return [
      { filterType: 'PRICE_FILTER', minPrice: formatE8(this.filterTickE8, d), maxPrice: formatE8(this.maxPriceE8, d), tickSize: formatE8(this.filterTickE8, d) },
      { filterType: 'LOT_SIZE', minQty: formatE8(this.filterLotE8, this.quantityPrecision), maxQty: formatE8(this.maxQtyE8, this.quantityPrecision), stepSize: formatE8(this.filterLotE8, this.quantityPrecision) },
      { filterType: 'MARKET_LOT_SIZE', minQty: formatE8(this.filterLotE8, this.quantityPrecision), maxQty: formatE8(this.maxQtyE8, this.quantityPrecision), stepSize: formatE8(this.filterLotE8, this.quantityPrecision) },
      { filterType: 'MIN_NOTIONAL', notional: f.minNotional },
      { filterType: 'PERCENT_PRICE', multiplierUp: f.multiplierUp, multiplierDown: f.multiplierDown, multiplierDecimal: '4' },
    ];
  }

  get pricePrecision(): number { return this.state.instrument.price.scale; }
  get quantityPrecision(): number { return this.state.instrument.qty.scale; }
}
