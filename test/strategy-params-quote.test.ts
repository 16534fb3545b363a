// toQuoteParams(): canonical parameters → the WASM ladder's QuoteParams, checked field
// by field and by running the ladder on the seeds' worked examples.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter, type QuoteLadder } from '../src/wasm/quote-api.js';
import { Instrument } from '../src/orderbook/instrument.js';
import {
  validateParams, toQuoteParams, regimeAdjustment, effectiveSoftLimit, ParameterError,
} from '../src/strategy/params/index.js';

const quoter = new WasmQuoter(instantiateCore('debug'));

function prices(inst: Instrument, ladder: QuoteLadder): { bids: string[]; asks: string[] } {
  return {
    bids: ladder.bids.map((l) => inst.price.format(l.tick)),
    asks: ladder.asks.map((l) => inst.price.format(l.tick)),
  };
}

describe('units', () => {
  const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' });
  const yes = new Instrument({ symbol: 'YES', tickSize: '0.01', lotSize: '1', kind: 'binary' });

  it('order_size 0.001 on a 0.00001 lot is 100 lots; limits in lots; bps stay bps', () => {
    const q = toQuoteParams(validateParams({ spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_levels: 3 }), btc);
    expect(q).toMatchObject({
      orderSizeLot: 100, maxPositionLot: 1000, softLimitLot: 500, halfSpreadBps: 2, halfSpreadTicks: 0,
      levelSpacingBps: 2, levelSpacingTicks: 0, levels: 3, tickSize: 0.01, lotSize: 0.00001, minPriceTick: 0, maxPriceTick: 0,
    });
  });

  it('target_spread 0.04 on a 0.01 tick is a 2-tick half-spread; a binary is bounded to 1..99 cents', () => {
    const q = toQuoteParams(validateParams({ target_spread: 0.04, order_size: 10, max_inventory: 100 }), yes);
    expect(q).toMatchObject({ halfSpreadTicks: 2, halfSpreadBps: 0, levelSpacingTicks: 2, levelSpacingBps: 0, minPriceTick: 1, maxPriceTick: 99 });
  });

  it('price-unit clamps become ticks, bps clamps pass through, null is 0', () => {
    const q = toQuoteParams(validateParams({ base_spread: 0.06, min_spread: 0.03, max_spread: 0.15, min_spread_bps: 5, order_size: 5, max_inventory: 30 }), yes);
    expect(q).toMatchObject({ minSpreadTicks: 3, maxSpreadTicks: 15, minSpreadBps: 5, maxSpreadBps: 0 });
  });

  it('the skew style picks the skew mode and its inputs', () => {
    expect(toQuoteParams(validateParams({ skew_factor: 0.8 }), yes)).toMatchObject({ skewMode: 'factor', skewFactor: 0.8 });
    expect(toQuoteParams(validateParams({ inventory_adjustment_factor: 0.001 }), yes)).toMatchObject({ skewMode: 'per_unit', adjTicksPerLot: 0.1 });
    expect(toQuoteParams(validateParams({ inventory_adjustment_factor: 0.01 }), yes)).toMatchObject({ skewMode: 'per_unit', adjTicksPerLot: 1 });
    expect(toQuoteParams(validateParams({ skew_price_adjustment_per_10: 0.015 }), yes)).toMatchObject({ skewMode: 'stepped', stepLot: 10, stepAdjTicks: 1.5, softSpreadMult: 1.3 });
    expect(toQuoteParams(validateParams({ inventory_skew: false, skew_factor: 0.8 }), yes)).toMatchObject({ skewMode: 'none' });
  });

  it('per-unit skew on a fractional lot: price per unit × lot / tick, on the decimals', () => {
    const eth = new Instrument({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001' });
    const q = toQuoteParams(validateParams({ skew_price_per_unit: 3, order_size: 0.01 }), eth);
    expect(q.adjTicksPerLot).toBe(0.03);
  });

  it('the soft limit: skew threshold, else rebalance threshold, else half the max', () => {
    const at = (input: Record<string, unknown>): number => toQuoteParams(validateParams(input), yes).softLimitLot;
    expect(at({ max_inventory: 100 })).toBe(50);
    expect(at({ max_inventory: 100, rebalance_threshold: 25 })).toBe(25);
    expect(at({ max_inventory: 100, rebalance_threshold: 25, inventory_skew_threshold: 10 })).toBe(10);
    expect(at({ max_inventory: 100, inventory_skew_threshold: 0 })).toBe(0);
    expect(effectiveSoftLimit(validateParams({ max_position: 0.01, order_size: 0.001 }))).toBe(0.005);
  });

  it('level sizes become lots', () => {
    const q = toQuoteParams(validateParams({ order_size: 0.001, max_position: 0.01, quote_levels: 3, level_sizes: [0.002, 0.0015] }), btc);
    expect(q.levelSizesLot).toEqual([200, 150]);
  });

  it('sigma_bps becomes price units at the mid; the model constants pass through', () => {
    const p = validateParams({ quote_model: 'avellaneda_stoikov', sigma_bps: 1, gamma: 0.2, k: 2, horizon_seconds: 30 });
    expect(toQuoteParams(p, btc, 50000)).toMatchObject({ model: 'avellaneda_stoikov', sigma: 5, gamma: 0.2, k: 2, a: 140, horizon: 30 });
    expect(toQuoteParams(p, btc, '50000.00').sigma).toBe(5);
    // without a mid the leg converts sigma_bps at quote time: nothing here depends on the market
    expect(toQuoteParams(p, btc).sigma).toBe(0);
    expect(() => toQuoteParams(p, btc, 0)).toThrow('mid price must be a positive number');
    expect(toQuoteParams(validateParams({ quote_model: 'glft' }), btc).sigma).toBe(0);
  });

  it('refuses an order size off the lot grid', () => {
    const lot = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' });
    const p = validateParams({ order_size: 0.0015, max_position: 0.01 });
    expect(() => toQuoteParams(p, lot)).toThrow(ParameterError);
    expect(() => toQuoteParams(p, lot)).toThrow('order_size 0.0015 is not a whole number of lots (lot size 0.001 on BTCUSDT)');
  });
});

describe('the seeds\' quotes through the WASM ladder', () => {
  it('seed 000: 49,990 / 49,980 / 49,970 against 50,010 / 50,020 / 50,030', () => {
    const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' });
    const p = validateParams({
      spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3,
      level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5,
    }, { instrument: btc });
    quoter.configure(0, toQuoteParams(p, btc));
    const fair = btc.price.toUnits('50000');
    const flat = quoter.ladder(0, -1, fair, 0);
    expect(prices(btc, flat)).toEqual({ bids: ['49990.00', '49980.00', '49970.00'], asks: ['50010.00', '50020.00', '50030.00'] });
    for (const l of [...flat.bids, ...flat.asks]) expect(btc.qty.format(l.qtyLot)).toBe('0.001');
    // 0.004 BTC long is inside the default soft limit (0.005): no skew yet
    expect(quoter.ladder(0, -1, fair, 4).skewTicks).toBe(0);
    // 0.006 long: -(6/10) × 0.5 × 1000 ticks = -300 ticks
    expect(prices(btc, quoter.ladder(0, -1, fair, 6)).bids[0]).toBe('49987.00');
  });

  it('seed 000 with inventory_skew_threshold 0 skews from the first fill', () => {
    const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' });
    const p = validateParams({ spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_levels: 3, skew_factor: 0.5, inventory_skew_threshold: 0 });
    quoter.configure(0, toQuoteParams(p, btc));
    const ladder = quoter.ladder(0, -1, btc.price.toUnits('50000'), 4);
    expect(prices(btc, ladder)).toMatchObject({ bids: ['49988.00', '49978.00', '49968.00'], asks: ['50008.00', '50018.00', '50028.00'] });
  });

  it('seed 001: three levels 10 bps apart with sizes 2.0, 1.5, 1.0', () => {
    const btc = new Instrument({ symbol: 'BTC/USD', tickSize: '0.01', lotSize: '0.1' });
    const p = validateParams({ spread_bps: 20, quote_levels: 3, level_spacing_bps: 10, level_sizes: [2.0, 1.5, 1.0] }, { instrument: btc });
    quoter.configure(1, toQuoteParams(p, btc));
    const ladder = quoter.ladder(1, -1, btc.price.toUnits('50000'), 0);
    expect(prices(btc, ladder)).toEqual({ bids: ['49950.00', '49900.00', '49850.00'], asks: ['50050.00', '50100.00', '50150.00'] });
    expect(ladder.bids.map((l) => btc.qty.format(l.qtyLot))).toEqual(['2.0', '1.5', '1.0']);
  });

  describe('seed 002: target_spread 0.04, 1 cent per 10 contracts, from the first contract', () => {
    const yes = new Instrument({ symbol: 'YES', tickSize: '0.01', lotSize: '1', kind: 'binary' });
    const p = validateParams({
      target_spread: 0.04, order_size: 10, max_inventory: 100, inventory_adjustment_factor: 0.001, rebalance_threshold: 0,
    }, { instrument: yes });
    const fair = yes.price.toUnits('0.52');
    const cases: [number, string, string][] = [[0, '0.50', '0.54'], [10, '0.49', '0.53'], [20, '0.48', '0.52'], [30, '0.47', '0.51'], [-10, '0.51', '0.55']];
    for (const [inventory, bid, ask] of cases) {
      it(`inventory ${inventory}: ${bid} / ${ask}`, () => {
        quoter.configure(2, toQuoteParams(p, yes));
        expect(prices(yes, quoter.ladder(2, -1, fair, inventory))).toEqual({ bids: [bid], asks: [ask] });
      });
    }
    it('stops bidding at max inventory', () => {
      quoter.configure(2, toQuoteParams(p, yes));
      expect(quoter.ladder(2, -1, fair, 100).bids).toEqual([]);
    });
  });

  it('seed 004 scenarios 1 and 2: 0.48 / 0.52 flat, 0.454 / 0.506 at +25', () => {
    const yes = new Instrument({ symbol: 'KALSHI-BTC-100K-DEC24', tickSize: '0.001', lotSize: '1', kind: 'binary' });
    const p = validateParams({
      base_spread: 0.04, quote_size: 10, max_inventory: 40, inventory_skew_threshold: 10, skew_price_adjustment_per_10: 0.01,
    }, { instrument: yes });
    const q = toQuoteParams(p, yes);
    expect(q).toMatchObject({ halfSpreadTicks: 20, skewMode: 'stepped', softLimitLot: 10, stepLot: 10, stepAdjTicks: 10, softSpreadMult: 1.3, minPriceTick: 10, maxPriceTick: 990 });
    quoter.configure(3, q);
    const fair = yes.price.toUnits('0.50');
    expect(prices(yes, quoter.ladder(3, -1, fair, 0))).toEqual({ bids: ['0.480'], asks: ['0.520'] });
    expect(prices(yes, quoter.ladder(3, -1, fair, 10))).toEqual({ bids: ['0.480'], asks: ['0.520'] });
    expect(prices(yes, quoter.ladder(3, -1, fair, 25))).toEqual({ bids: ['0.454'], asks: ['0.506'] });
  });
});

describe('regimeAdjustment (seed 003 table)', () => {
  const on = validateParams({ regime_adjust: true });

  it('ranging, or regime_adjust off: the base parameters', () => {
    const base = { pause: false, quote: { spreadMult: 1, bidSpreadMult: 1, askSpreadMult: 1, skewFactor: 0.5, sizeMult: 1 } };
    expect(regimeAdjustment(on, 'ranging')).toEqual(base);
    expect(regimeAdjustment(validateParams({}), 'high_volatility')).toEqual(base);
  });

  it('trending: the side against the trend ×1.5, skew 0.3, size 80%', () => {
    expect(regimeAdjustment(on, 'trending_up')).toEqual({ pause: false, quote: { spreadMult: 1, bidSpreadMult: 1, askSpreadMult: 1.5, skewFactor: 0.3, sizeMult: 0.8 } });
    expect(regimeAdjustment(on, 'trending_down').quote).toMatchObject({ bidSpreadMult: 1.5, askSpreadMult: 1 });
  });

  it('high volatility: ×2 on top of spread_multiplier, skew 1.0, size 50%', () => {
    const p = validateParams({ regime_adjust: true, spread_multiplier: 1.5 });
    expect(regimeAdjustment(p, 'high_volatility')).toEqual({ pause: false, quote: { spreadMult: 3, bidSpreadMult: 1, askSpreadMult: 1, skewFactor: 1, sizeMult: 0.5 } });
  });

  it('news: pause with size 0, or the high-volatility settings when regime_news_pause is off', () => {
    expect(regimeAdjustment(on, 'news')).toMatchObject({ pause: true, quote: { sizeMult: 0 } });
    expect(regimeAdjustment(validateParams({ regime_adjust: true, regime_news_pause: false }), 'news'))
      .toEqual(regimeAdjustment(on, 'high_volatility'));
  });
});
