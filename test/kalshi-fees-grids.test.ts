// Kalshi's quadratic fee with its rounding (published examples), the price grids of the
// fixed-point migration, exact parsing of dollar strings and fixed-point counts, and the
// rate budget's read/write buckets.
import { describe, expect, it } from 'vitest';
import { kalshiFee, makerFee, takerFee, tradeFeeE4 } from '../src/venues/kalshi/fees.js';
import { isValidPriceTick, kalshiInstrument, priceRangesOf, STRUCTURE_RANGES } from '../src/venues/kalshi/price-grid.js';
import { LocalBook } from '../src/venues/kalshi/local-book.js';
import { KalshiPriority, KalshiRateBudget } from '../src/venues/kalshi/rate-budget.js';

describe('Kalshi fees', () => {
  it('taker fee examples: 0.07·C·P·(1−P) rounded up to the cent', () => {
    // 10 contracts at 50c: 0.175 → $0.18 (Kalshi's July 2025 fee change example)
    expect(takerFee('10', '0.50')).toBe('0.1800');
    // one contract at 50c: 0.0175 → $0.02, the highest per-contract taker fee
    expect(takerFee('1', '0.50')).toBe('0.0200');
    // 100 contracts (published table): 5c 0.3325 → 0.34, 10c 0.63, 25c 1.3125 → 1.32, 50c 1.75, 75c 1.32, 90c 0.63, 95c 0.34
    const table: Array<[string, string]> = [['0.05', '0.3400'], ['0.10', '0.6300'], ['0.25', '1.3200'], ['0.50', '1.7500'], ['0.75', '1.3200'], ['0.90', '0.6300'], ['0.95', '0.3400']];
    for (const [p, fee] of table) expect(takerFee('100', p), p).toBe(fee);
    // 1 contract at 5c: 0.003325 → $0.01
    expect(takerFee('1', '0.05')).toBe('0.0100');
  });

  it('maker fee examples: 0.0175·C·P·(1−P) rounded up to the cent', () => {
    const table: Array<[string, string]> = [['0.05', '0.0900'], ['0.10', '0.1600'], ['0.25', '0.3300'], ['0.50', '0.4400'], ['0.75', '0.3300'], ['0.90', '0.1600'], ['0.95', '0.0900']];
    for (const [p, fee] of table) expect(makerFee('100', p), p).toBe(fee);
    expect(makerFee('10', '0.50')).toBe('0.0500'); // 0.04375 → 0.05
  });

  it('the trade fee is rounded up to $0.0001 first; direct members keep centicent precision', () => {
    expect(tradeFeeE4('10', '0.50', '0.07')).toBe(1750n);
    expect(tradeFeeE4('3', '0.055', '0.07')).toBe(110n); // 0.0109725 → 0.0110
    expect(kalshiFee({ count: '10', price: '0.50', rate: '0.07', precision: '0.0001' })).toBe('0.1750');
    // a subpenny price: buy 3 at 5.5c — revenue −0.165, fee 0.0110, balance change −0.176 floors to −0.18: net 0.015
    expect(kalshiFee({ count: '3', price: '0.055', rate: '0.07' })).toBe('0.0150');
    expect(kalshiFee({ count: '10', price: '0.50', rate: '0' })).toBe('0.0000');
  });

  it('is exact decimal arithmetic and refuses what is not a price or count', () => {
    expect(() => takerFee('abc', '0.5')).toThrow();
    expect(() => takerFee('1', '1.5')).toThrow(/above \$1/);
    expect(() => takerFee('1', '0.12345')).toThrow();
  });
});

describe('Kalshi price grids', () => {
  it('linear_cent is one cent; deci_cent and tapered_deci_cent use a 0.001 tick', () => {
    expect(kalshiInstrument('A', 'linear_cent').tickSize).toBe('0.01');
    expect(kalshiInstrument('A', 'deci_cent').tickSize).toBe('0.001');
    expect(kalshiInstrument('A', 'tapered_deci_cent').tickSize).toBe('0.001');
  });

  it('a tapered market refuses sub-cent prices between $0.10 and $0.90', () => {
    const inst = kalshiInstrument('T', 'tapered_deci_cent');
    const r = STRUCTURE_RANGES.tapered_deci_cent;
    const ok = (p: string): boolean => isValidPriceTick(inst, r, inst.price.toUnits(p));
    expect(ok('0.055')).toBe(true);
    expect(ok('0.100')).toBe(true);
    expect(ok('0.105')).toBe(false);
    expect(ok('0.420')).toBe(true);
    expect(ok('0.425')).toBe(false);
    expect(ok('0.900')).toBe(true);
    expect(ok('0.935')).toBe(true);
    expect(ok('0.999')).toBe(true);
    expect(isValidPriceTick(inst, r, 0)).toBe(false);
    expect(isValidPriceTick(inst, r, 1000)).toBe(false); // $1.00
  });

  it('price_ranges from the market win over the structure', () => {
    const ranges = priceRangesOf('linear_cent', [{ start: '0.0000', end: '0.5000', step: '0.0100' }]);
    const inst = kalshiInstrument('X', 'linear_cent');
    expect(isValidPriceTick(inst, ranges, 40)).toBe(true);
    expect(isValidPriceTick(inst, ranges, 60)).toBe(false);
    expect(priceRangesOf('deci_cent', [{ start: 'x' }])).toBe(STRUCTURE_RANGES.deci_cent);
  });

  it('fixed-point counts and dollar strings parse exactly, never through floats', () => {
    const inst = kalshiInstrument('X', 'linear_cent');
    expect(inst.price.toUnitsOrNaN('0.4200')).toBe(42);
    expect(inst.price.toUnitsOrNaN('0.4250')).toBeNaN();
    expect(inst.qty.toUnitsOrNaN('13.00')).toBe(13);
    expect(inst.qty.toUnitsOrNaN('13.50')).toBeNaN();
    const b = new LocalBook('X');
    b.applySnapshot([['0.4200', '13.00'], ['0.4100', '5.00']], [['0.5500', '7.00']]);
    expect(b.bestYes()).toEqual({ bid: 4200, ask: 4500 });
    expect(b.applyDelta('yes', '0.4200', '-13.00')).toBe(0);
    expect(b.bestYes().bid).toBe(4100);
    expect(b.applyDelta('no', '0.5600', '2.00')).toBe(200);
    expect(b.bestYes().ask).toBe(4400);
    expect(b.toFp()).toEqual({ yes_dollars: [['0.4100', '5.00']], no_dollars: [['0.5500', '7.00'], ['0.5600', '2.00']] });
  });
});

describe('Kalshi rate budget', () => {
  it('read and write buckets per tier; deep levels wait first, cancels keep the last slice', () => {
    let now = 1_000_000;
    const b = new KalshiRateBudget({ tier: 'basic', now: () => now });
    let writes = 0;
    while (b.tryTake('write', 1, KalshiPriority.DEEP)) writes++;
    expect(writes).toBe(5); // half the 10/s bucket
    expect(b.tryTake('write', 1, KalshiPriority.TOP_REQUOTE)).toBe(true);
    let cancels = 0;
    while (b.tryTake('write', 1, KalshiPriority.CANCEL)) cancels++;
    expect(writes + 1 + cancels).toBe(10);
    expect(b.waitMs('write', 1, KalshiPriority.CANCEL)).toBe(100);
    now += 100;
    expect(b.tryTake('write', 1, KalshiPriority.CANCEL)).toBe(true);
    let reads = 0;
    while (b.tryTake('read', 1, KalshiPriority.CANCEL)) reads++;
    expect(reads).toBe(20);
    b.on429(2);
    now += 1000;
    expect(b.tryTake('read', 1, KalshiPriority.CANCEL)).toBe(false);
    now += 1001;
    expect(b.tryTake('read', 1, KalshiPriority.CANCEL)).toBe(true);
  });
});

describe('KalshiExecutionVenue fee of a fill', () => {
  it('uses fee_cost when Kalshi sends it, else the formula: taker rate, maker rate only on markets that charge makers', async () => {
    const { KalshiExecutionVenue, marketInfo } = await import('../src/venues/kalshi/kalshi-venue.js');
    const { KalshiRestClient } = await import('../src/venues/kalshi/rest-client.js');
    const v = new KalshiExecutionVenue({
      rest: new KalshiRestClient(),
      markets: [marketInfo({ ticker: 'M', event_ticker: 'E', status: 'active' }, true), marketInfo({ ticker: 'F', event_ticker: 'E', status: 'active' }, false)],
    });
    const fill = { fill_id: 'f', trade_id: 'f', order_id: 'o', ticker: 'M', side: 'yes' as const, action: 'buy' as const, count_fp: '100.00', yes_price_dollars: '0.2500', no_price_dollars: '0.7500' };
    expect(v.feeOf({ ...fill, is_taker: true }, 'M')).toBe('1.3200');
    expect(v.feeOf({ ...fill, is_taker: false }, 'M')).toBe('0.3300');
    expect(v.feeOf({ ...fill, is_taker: false }, 'F')).toBe('0.0000');
    expect(v.feeOf({ ...fill, side: 'no', is_taker: true }, 'M')).toBe('1.3200'); // P(1−P) is the same for the NO price
    expect(v.feeOf({ ...fill, is_taker: true, fee_cost: '0.0700' }, 'M')).toBe('0.0700');
    expect(v.instrument('M')?.tickSize).toBe('0.01');
  });
});

describe('Kalshi V2 order bodies', () => {
  it('BUY/SELL YES → bid/ask with fixed-point count and price; a 0.01 lot sends fractional counts', async () => {
    const { orderBody } = await import('../src/venues/kalshi/kalshi-venue.js');
    const base = { orderId: 'o', clientOrderId: 'c-1', strategyId: 's', symbol: 'M', type: 'LIMIT' as const };
    const whole = kalshiInstrument('M', 'linear_cent');
    expect(orderBody({ ...base, side: 'BUY', timeInForce: 'POST_ONLY', priceTick: 42, qtyLot: 10 }, whole)).toEqual({
      ticker: 'M', client_order_id: 'c-1', side: 'bid', count: '10.00', price: '0.4200', time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'taker_at_cross', post_only: true,
    });
    const frac = kalshiInstrument('M', 'tapered_deci_cent', '0.01');
    expect(orderBody({ ...base, side: 'SELL', timeInForce: 'IOC', priceTick: 935, qtyLot: 150, reduceOnly: true }, frac)).toEqual({
      ticker: 'M', client_order_id: 'c-1', side: 'ask', count: '1.50', price: '0.9350', time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'taker_at_cross', reduce_only: true,
    });
    expect(frac.qty.toUnitsOrNaN('2.25')).toBe(225);
  });
});

describe('KalshiExecutionVenue local checks', () => {
  it('refuses locally, without sending, what Kalshi would refuse: bad client ids, market orders, prices outside (0, 1)', async () => {
    const { KalshiExecutionVenue, marketInfo } = await import('../src/venues/kalshi/kalshi-venue.js');
    const { KalshiRestClient } = await import('../src/venues/kalshi/rest-client.js');
    let now = 1_000_000;
    const v = new KalshiExecutionVenue({ rest: new KalshiRestClient(), markets: [marketInfo({ ticker: 'M', event_ticker: 'E', status: 'active' })], now: () => now, retainClosedMs: 1000 });
    const seen: string[] = [];
    v.connect({ onAccepted() {}, onRejected: (id, why) => seen.push(`${id}:${why}`), onFill() {}, onCancelled() {}, onCancelRejected: (id, why) => seen.push(`${id}:${why}`) });
    v.submit({ orderId: 'x', clientOrderId: 'bad id with spaces', strategyId: 's', symbol: 'M', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTick: 40, qtyLot: 1 });
    v.submit({ orderId: 'y', clientOrderId: 'c-y', strategyId: 's', symbol: 'M', side: 'BUY', type: 'MARKET', timeInForce: 'IOC', priceTick: Number.NaN, qtyLot: 1 });
    v.submit({ orderId: 'z', clientOrderId: 'c-z', strategyId: 's', symbol: 'M', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTick: 100, qtyLot: 1 }); // $1.00
    expect(seen).toEqual(['x:bad_client_order_id', 'y:market_orders_unsupported', 'z:price_off_grid']);
    v.cancel('x');
    expect(seen.at(-1)).toBe('x:unknown_order');
    now += 2000;
    expect(v.counters.rejectedLocally).toBe(3);
  });
});
