// The worked examples of the strategy guides, through the linear model, in exact
// decimal prices (tick and lot grids parsed from strings).
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter, type QuoteLadder } from '../src/wasm/quote-api.js';
import { Instrument } from '../src/orderbook/instrument.js';
import * as L from '../src/wasm/layout.js';

const quoter = new WasmQuoter(instantiateCore('debug'));

function prices(inst: Instrument, ladder: QuoteLadder): { bids: string[]; asks: string[] } {
  return {
    bids: ladder.bids.map((l) => inst.price.format(l.tick)),
    asks: ladder.asks.map((l) => inst.price.format(l.tick)),
  };
}

describe('seed 000: BTCUSDT, spread_bps 4, 3 levels, 2 bps spacing', () => {
  const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' });
  quoter.configure(0, {
    halfSpreadBps: 4 / 2,
    levels: 3,
    levelSpacingBps: 2,
    orderSizeLot: btc.qty.toUnits('0.001'),
    maxPositionLot: btc.qty.toUnits('0.01'),
    skewMode: 'factor',
    skewFactor: 0.5,
  });

  it('quotes 49,990/49,980/49,970 against 50,010/50,020/50,030 at mid 50,000, flat', () => {
    const fair = btc.price.toUnits('50000');
    expect(fair).toBe(5_000_000);
    const ladder = quoter.ladder(0, -1, fair, 0);
    expect(prices(btc, ladder)).toEqual({
      bids: ['49990.00', '49980.00', '49970.00'],
      asks: ['50010.00', '50020.00', '50030.00'],
    });
    for (const l of [...ladder.bids, ...ladder.asks]) expect(btc.qty.format(l.qtyLot)).toBe('0.001');
    expect(ladder.halfSpreadTicks).toBe(1000);
    expect(ladder.flags).toBe(0);
  });

  it('skews the centre down when long: -(q / max) × skew_factor × half-spread', () => {
    // 0.004 BTC long of 0.01 max: shift = -(4/10) × 0.5 × 1000 ticks = -200 ticks = -2 USDT
    const ladder = quoter.ladder(0, -1, 5_000_000, 4);
    expect(ladder.skewTicks).toBe(-200);
    expect(prices(btc, ladder).bids[0]).toBe('49988.00');
    expect(prices(btc, ladder).asks[0]).toBe('50008.00');
    expect(ladder.flags & L.QF_SKEWED).toBe(L.QF_SKEWED);
  });
});

describe('seed 002: binary contract, target_spread 0.04, 1 cent per 10 contracts', () => {
  const yes = new Instrument({ symbol: 'YES', tickSize: '0.01', lotSize: '1', kind: 'binary' });
  quoter.configure(1, {
    halfSpreadTicks: yes.price.toUnits('0.02'),
    orderSizeLot: 10,
    skewMode: 'per_unit',
    adjTicksPerLot: 1 / 10,
    maxPositionLot: 100,
    minPriceTick: 1,
    maxPriceTick: 99,
  });
  const fair = yes.price.toUnits('0.52');
  const cases: [number, string, string][] = [
    [0, '0.50', '0.54'],
    [10, '0.49', '0.53'],
    [20, '0.48', '0.52'],
    [30, '0.47', '0.51'],
    [-10, '0.51', '0.55'],
  ];
  for (const [inventory, bid, ask] of cases) {
    it(`inventory ${inventory}: bid ${bid}, ask ${ask}`, () => {
      const ladder = quoter.ladder(1, -1, fair, inventory);
      expect(prices(yes, ladder)).toEqual({ bids: [bid], asks: [ask] });
      expect(ladder.bids[0]!.qtyLot).toBe(10);
      expect(ladder.asks[0]!.qtyLot).toBe(10);
    });
  }

  it('stops bidding at +100 (max inventory) but still offers', () => {
    const ladder = quoter.ladder(1, -1, fair, 100);
    expect(ladder.bids).toEqual([]);
    expect(ladder.asks.length).toBe(1);
    expect(ladder.flags & L.QF_BID_HARD_LIMIT).toBe(L.QF_BID_HARD_LIMIT);
  });

  it('trims the last bid to the room left under the limit', () => {
    const ladder = quoter.ladder(1, -1, fair, 96);
    expect(ladder.bids.map((l) => l.qtyLot)).toEqual([4]);
    expect(ladder.flags & L.QF_BID_HARD_LIMIT).toBe(0);
  });
});

describe('seed 004: stepped skew, threshold 10, ×1.3 spread, 1% per 10 contracts', () => {
  const yes = new Instrument({ symbol: 'YES', tickSize: '0.001', lotSize: '1', kind: 'binary' });
  quoter.configure(2, {
    halfSpreadTicks: yes.price.toUnits('0.02'), // base_spread 0.04
    orderSizeLot: 10,
    skewMode: 'stepped',
    softLimitLot: 10,
    softSpreadMult: 1.3,
    stepLot: 10,
    stepAdjTicks: yes.price.toUnits('0.01'),
  });
  const fair = yes.price.toUnits('0.50');

  it('scenario 1 (flat): 0.48 / 0.52', () => {
    expect(prices(yes, quoter.ladder(2, -1, fair, 0))).toEqual({ bids: ['0.480'], asks: ['0.520'] });
  });

  it('at the threshold (10) nothing changes yet', () => {
    const ladder = quoter.ladder(2, -1, fair, 10);
    expect(prices(yes, ladder)).toEqual({ bids: ['0.480'], asks: ['0.520'] });
    expect(ladder.skewTicks).toBe(0);
  });

  it('scenario 2 (+25): spread 0.052, shift -0.02 → bid 0.454, ask 0.506', () => {
    const ladder = quoter.ladder(2, -1, fair, 25);
    expect(prices(yes, ladder)).toEqual({ bids: ['0.454'], asks: ['0.506'] });
    expect(ladder.skewTicks).toBe(-20);
    expect(ladder.halfSpreadTicks).toBeCloseTo(26, 9);
  });

  it('mirrors when short (-25): 0.494 / 0.546', () => {
    expect(prices(yes, quoter.ladder(2, -1, fair, -25))).toEqual({ bids: ['0.494'], asks: ['0.546'] });
  });
});
