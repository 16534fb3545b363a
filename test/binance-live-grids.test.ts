// The grids live execution takes from a venue's exchangeInfo entry (src/feed/binance/instruments.ts
// liveInstrumentSpec), read through the same exchangeInfo reader the execution client uses:
//   - a symbol the built-in table lacks: tick = PRICE_FILTER tickSize, order step = LOT_SIZE
//     stepSize; the book's quantity grid is the order step on USD-M and 10^-baseAssetPrecision on
//     spot (resting spot orders may carry quantities finer than today's step);
//   - a table symbol whose tick and step are the venue's: the table's grids (its spot book grid was
//     checked against recorded streams);
//   - a table symbol the venue changed: the venue's grids, with a line naming both.
import { describe, expect, it } from 'vitest';
import { instrumentOfSpec, liveInstrumentSpec, plainDecimal, specFromVenueGrid, type VenueGrid } from '../src/feed/binance/instruments.js';
import { symbolRulesFrom } from '../src/venues/binance/filters.js';

/** A spot exchangeInfo entry in Binance's shape (8-decimal strings). */
function spotEntry(symbol: string, tickSize: string, stepSize: string, baseAssetPrecision = 8): Record<string, unknown> {
  return {
    symbol, status: 'TRADING', baseAsset: symbol.replace(/USDT$/, ''), baseAssetPrecision, quoteAsset: 'USDT', quotePrecision: 8,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: tickSize, maxPrice: '1000000.00000000', tickSize },
      { filterType: 'LOT_SIZE', minQty: stepSize, maxQty: '9000.00000000', stepSize },
      { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
    ],
  };
}

/** A USD-M exchangeInfo entry in Binance's shape (MIN_NOTIONAL carries `notional`). */
function usdmEntry(symbol: string, tickSize: string, stepSize: string): Record<string, unknown> {
  return {
    symbol, status: 'TRADING', baseAsset: symbol.replace(/USDT$/, ''), quoteAsset: 'USDT', marginAsset: 'USDT', baseAssetPrecision: 8, quantityPrecision: 2,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.0100', maxPrice: '6857', tickSize },
      { filterType: 'LOT_SIZE', minQty: stepSize, maxQty: '1000000', stepSize },
      { filterType: 'MIN_NOTIONAL', notional: '5' },
    ],
  };
}

function gridOf(entry: Record<string, unknown>, kind: 'spot' | 'perp'): VenueGrid {
  const r = symbolRulesFrom(entry, kind);
  return { tickSize: r.instrument.tickSize, stepSize: r.instrument.lotSize, baseAssetPrecision: r.baseAssetPrecision, maxQty: r.maxQtyLot * Number(r.instrument.lotSize) };
}

describe('live execution grids from exchangeInfo', () => {
  it('USD-M symbol the table lacks: the venue tick and step, book quantities on the step', () => {
    const c = liveInstrumentSpec('usdm', 'SOLUSDT', gridOf(usdmEntry('SOLUSDT', '0.0100', '0.01'), 'perp'));
    expect(c.source).toBe('venue');
    expect(c.tableDiffers).toBeNull();
    expect(c.spec).toEqual({ market: 'usdm', symbol: 'SOLUSDT', tickSize: '0.01', lotSize: '0.01', orderLotSize: '0.01' });
    const inst = instrumentOfSpec(c.spec);
    expect([inst.kind, inst.price.toUnits('151.37', 'price'), inst.qty.toUnits('2.5', 'qty')]).toEqual(['perp', 15137, 250]);
  });

  it('spot symbol the table lacks: the book holds quantities down to 10^-baseAssetPrecision, orders on the LOT_SIZE step', () => {
    const g = gridOf(spotEntry('BNBUSDT', '0.01000000', '0.00100000'), 'spot');
    expect(g.baseAssetPrecision).toBe(8);
    const c = liveInstrumentSpec('spot', 'BNBUSDT', g);
    expect(c.source).toBe('venue');
    expect(c.spec).toEqual({ market: 'spot', symbol: 'BNBUSDT', tickSize: '0.01', lotSize: '0.00000001', orderLotSize: '0.001' });
    // a resting quantity finer than the order step (placed under an older step) lies on the book grid
    expect(instrumentOfSpec(c.spec).qty.toUnits('12.34567891', 'qty')).toBe(1_234_567_891);
  });

  it('spot step as fine as the reported precision, or no precision given: the book grid is the step', () => {
    expect(specFromVenueGrid('spot', 'XUSDT', { tickSize: '0.0001', stepSize: '0.00000001', baseAssetPrecision: 8 }).lotSize).toBe('0.00000001');
    expect(specFromVenueGrid('spot', 'XUSDT', { tickSize: '0.0001', stepSize: '1.00000000', baseAssetPrecision: null }).lotSize).toBe('1');
    expect(specFromVenueGrid('spot', 'XUSDT', { tickSize: '0.0001', stepSize: '10', baseAssetPrecision: 0 }).lotSize).toBe('10');
  });

  it('spot symbol traded in the billions: the book grid stays coarse enough for a level of 100 × maxQty, never coarser than the step', () => {
    // a step of 1 and a maxQty of 92,141,578 (a low-priced coin): 100 × maxQty × 10^5 < 2^53 ≤ … × 10^6
    const g = gridOf({ ...spotEntry('PEPEUSDT', '0.00000001', '1.00000000'), filters: [
      { filterType: 'PRICE_FILTER', minPrice: '0.00000001', maxPrice: '1.00000000', tickSize: '0.00000001' },
      { filterType: 'LOT_SIZE', minQty: '1.00000000', maxQty: '92141578.00000000', stepSize: '1.00000000' },
    ] }, 'spot');
    const c = liveInstrumentSpec('spot', 'PEPEUSDT', g);
    expect(c.spec).toMatchObject({ tickSize: '0.00000001', lotSize: '0.00001', orderLotSize: '1' });
    expect(instrumentOfSpec(c.spec).qty.toUnits('9214157800', 'a level of 100 × maxQty')).toBe(921_415_780_000_000);
    // a maxQty so large no finer grid fits: the step
    expect(specFromVenueGrid('spot', 'XUSDT', { tickSize: '0.0001', stepSize: '1', baseAssetPrecision: 8, maxQty: 9e13 }).lotSize).toBe('1');
  });

  it('table symbol with the venue grid: the table spec (spot BTCUSDT book grid finer than the order step)', () => {
    const c = liveInstrumentSpec('spot', 'BTCUSDT', gridOf(spotEntry('BTCUSDT', '0.01000000', '0.00001000'), 'spot'));
    expect(c.source).toBe('table');
    expect(c.tableDiffers).toBeNull();
    expect(c.spec).toMatchObject({ tickSize: '0.01', lotSize: '0.000001', orderLotSize: '0.00001' });
    const u = liveInstrumentSpec('usdm', 'BTCUSDT', gridOf(usdmEntry('BTCUSDT', '0.10', '0.001'), 'perp'));
    expect([u.source, u.spec.tickSize, u.spec.lotSize]).toEqual(['table', '0.1', '0.001']);
  });

  it('table symbol the venue changed: the venue grid, and a line naming both', () => {
    const c = liveInstrumentSpec('usdm', 'ETHUSDT', gridOf(usdmEntry('ETHUSDT', '0.05', '0.001'), 'perp'));
    expect(c.source).toBe('venue');
    expect(c.spec).toEqual({ market: 'usdm', symbol: 'ETHUSDT', tickSize: '0.05', lotSize: '0.001', orderLotSize: '0.001' });
    expect(c.tableDiffers).toBe("Binance usdm ETHUSDT: the venue's exchangeInfo has tickSize 0.05 and stepSize 0.001, "
      + "the built-in table tickSize 0.01 and stepSize 0.001: trading on the venue's grid (book quantities on 0.001)");
    const s = liveInstrumentSpec('spot', 'ETHUSDT', gridOf(spotEntry('ETHUSDT', '0.01000000', '0.00010000', 8), 'spot'));
    expect(s.source).toBe('table');
    const changed = liveInstrumentSpec('spot', 'ETHUSDT', gridOf(spotEntry('ETHUSDT', '0.01000000', '0.00100000', 8), 'spot'));
    expect([changed.source, changed.spec.orderLotSize, changed.spec.lotSize]).toEqual(['venue', '0.001', '0.00000001']);
    expect(changed.tableDiffers).toContain('stepSize 0.001, the built-in table tickSize 0.01 and stepSize 0.0001');
  });

  it('decimal strings as exchangeInfo sends them', () => {
    expect(['0.01000000', '1.00000000', '10', '0.0100', '00.5', '0'].map(plainDecimal)).toEqual(['0.01', '1', '10', '0.01', '0.5', null]);
    expect(() => specFromVenueGrid('usdm', 'XUSDT', { tickSize: '0', stepSize: '1', baseAssetPrecision: null })).toThrow(/XUSDT tickSize "0"/);
  });
});
