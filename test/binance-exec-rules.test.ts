import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOrder, rulesFromExchangeInfo, symbolRulesFrom } from '../src/venues/binance/filters.js';
import { Priority, RateBudget } from '../src/venues/binance/rate-budget.js';
import { ClientOrderIdGenerator, isValidClientOrderId, newRunPrefix } from '../src/venues/binance/client-order-id.js';
import { parseSpotUserEvent, parseUsdmUserEvent } from '../src/venues/binance/user-events.js';

// filters.md example shapes
const BTCUSDT = {
  symbol: 'BTCUSDT', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT',
  filters: [
    { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
    { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
    { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
    { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
    { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
  ],
};

describe('exchangeInfo filters', () => {
  const r = symbolRulesFrom(BTCUSDT);
  it('builds the instrument grid', () => {
    expect(r.instrument.tickSize).toBe('0.01000000');
    expect(r.instrument.price.format(6123456)).toBe('61234.56');
    expect(r.instrument.qty.format(123)).toBe('0.00123');
    expect([r.minPriceTick, r.minQtyLot, r.maxQtyLot]).toEqual([1, 1, 900_000_000]);
    // 5 USDT / (0.01 × 0.00001) = 50,000,000 notional units
    expect(r.minNotionalUnits).toBe(50_000_000);
  });
  it('refuses with a coded reason before sending', () => {
    const mid = 6_000_000; // 60,000.00
    expect(checkOrder(r, 'BUY', false, 6_000_000, 10, mid)).toBe(null); // 60000 × 0.0001 = 6 USDT
    expect(checkOrder(r, 'BUY', false, 6_000_000, 8, mid)).toBe('filter_notional_below_min'); // 4.8 USDT
    expect(checkOrder(r, 'BUY', false, 0, 10, mid)).toBe('filter_price_below_min');
    expect(checkOrder(r, 'BUY', false, 200_000_000, 10, mid)).toBe('filter_price_above_max');
    expect(checkOrder(r, 'SELL', false, 6_000_000, 900_000_001, mid)).toBe('filter_qty_above_max');
    expect(checkOrder(r, 'SELL', false, 6_000_000 * 6, 10, mid)).toBe('filter_percent_price_above');
    expect(checkOrder(r, 'BUY', false, 1_000_000, 100, mid)).toBe('filter_percent_price_below');
    expect(checkOrder(r, 'BUY', false, 1_000_000, 100)).toBe(null); // no reference → rule skipped
    expect(checkOrder({ ...r, status: 'HALT' }, 'BUY', false, 6_000_000, 10)).toBe('filter_symbol_not_trading');
  });
  it('reads USD-M MIN_NOTIONAL `notional` and PERCENT_PRICE', () => {
    const m = rulesFromExchangeInfo({ symbols: [{ symbol: 'BTCUSDT', status: 'TRADING', filters: [
      { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' },
      { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' },
      { filterType: 'MIN_NOTIONAL', notional: '100' },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
    ] }] }, 'perp');
    const u = m.get('BTCUSDT')!;
    expect(u.minNotionalUnits).toBe(1_000_000); // 100 / (0.1 × 0.001)
    expect(checkOrder(u, 'BUY', false, 600_000, 1, 600_000)).toBe('filter_notional_below_min'); // 60000.0 × 0.001 = 60 < 100
    expect(checkOrder(u, 'BUY', false, 600_000, 2, 600_000)).toBe(null); // 120 ≥ 100
    expect(checkOrder(u, 'BUY', false, 630_000, 2, 600_000)).toBe(null); // exactly × 1.05
    expect(checkOrder(u, 'BUY', false, 630_001, 2, 600_000)).toBe('filter_percent_price_above');
    expect(checkOrder(u, 'SELL', false, 569_999, 2, 600_000)).toBe('filter_percent_price_below');
    // a band 2 % wider on each side (a reference that only approximates Binance's): 1.05 × 1.02, 0.95 × 0.98
    expect(checkOrder(u, 'BUY', false, 642_600, 2, 600_000, false, 0.02)).toBe(null);
    expect(checkOrder(u, 'BUY', false, 642_601, 2, 600_000, false, 0.02)).toBe('filter_percent_price_above');
    expect(checkOrder(u, 'SELL', false, 558_600, 2, 600_000, false, 0.02)).toBe(null);
    expect(checkOrder(u, 'SELL', false, 558_599, 2, 600_000, false, 0.02)).toBe('filter_percent_price_below');
  });
});

describe('rate budget', () => {
  const limits = [
    { rateLimitType: 'REQUEST_WEIGHT' as const, interval: 'MINUTE' as const, intervalNum: 1, limit: 100 },
    { rateLimitType: 'ORDERS' as const, interval: 'SECOND' as const, intervalNum: 10, limit: 10 },
  ];
  it('deep levels wait first, cancels last, nothing passes the limit', () => {
    let now = 1_000_000_000_000;
    const b = new RateBudget({ limits, now: () => now });
    let deep = 0;
    while (b.tryAcquire(1, 1, Priority.DEEP)) deep++;
    expect(deep).toBe(5); // 50% of 10 orders
    let top = 0;
    while (b.tryAcquire(1, 1, Priority.TOP_REQUOTE)) top++;
    expect(top).toBe(3); // up to 85% → 8
    expect(b.tryAcquire(1, 0, Priority.CANCEL)).toBe(true); // cancels carry no order count
    expect(b.counters.deferred[Priority.DEEP]).toBe(1);
    now += 10_000; // next 10 s window
    expect(b.tryAcquire(1, 1, Priority.DEEP)).toBe(true);
  });
  it('headers raise the count; WS rateLimits too', () => {
    const now = 1_000_000_000_000;
    const b = new RateBudget({ limits, now: () => now });
    b.observeHeaders(new Headers({ 'X-MBX-USED-WEIGHT-1M': '94', 'X-MBX-ORDER-COUNT-10S': '2' }));
    expect(b.mayISend(1, 0, Priority.CANCEL)).toBe(true);   // 95 ≤ 95
    expect(b.mayISend(1, 0, Priority.NORMAL)).toBe(false);  // 95 > 70
    b.observeRateLimits([{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 100, count: 99 }]);
    expect(b.mayISend(1, 0, Priority.CANCEL)).toBe(false);
    b.observeHeaders(new Headers({ 'X-MBX-USED-WEIGHT-1M': '10' })); // never lowers within a window
    expect(b.mayISend(1, 0, Priority.CANCEL)).toBe(false);
  });
  it('after a 429 nothing is sent until Retry-After has passed', () => {
    let now = 1_000_000_000_000;
    const b = new RateBudget({ limits, now: () => now });
    b.onRateLimited(429, 3000);
    expect(b.tryAcquire(1, 0, Priority.CANCEL)).toBe(false);
    expect(b.waitMs(1, 0, Priority.CANCEL)).toBe(3000);
    now += 2999;
    expect(b.tryAcquire(1, 0, Priority.CANCEL)).toBe(false);
    now += 1;
    expect(b.tryAcquire(1, 0, Priority.CANCEL)).toBe(true);
    b.onRateLimited(418, 120_000);
    expect(b.isBanned).toBe(true);
    expect(b.counters.http418).toBe(1);
  });
  it('property: whatever the sequence, usage in any window never exceeds its limit', () => {
    fc.assert(fc.property(fc.array(fc.record({ dt: fc.integer({ min: 0, max: 3000 }), w: fc.integer({ min: 1, max: 20 }), o: fc.integer({ min: 0, max: 2 }), p: fc.integer({ min: 0, max: 3 }) }), { maxLength: 300 }), (ops) => {
      let now = 1_700_000_000_000;
      const b = new RateBudget({ limits, now: () => now });
      const used = new Map<string, number>();
      for (const op of ops) {
        now += op.dt;
        if (b.tryAcquire(op.w, op.o, op.p as Priority)) {
          const wk = `w${Math.floor(now / 60_000)}`;
          const ok = `o${Math.floor(now / 10_000)}`;
          used.set(wk, (used.get(wk) ?? 0) + op.w);
          used.set(ok, (used.get(ok) ?? 0) + op.o);
          if (used.get(wk)! > 100 || used.get(ok)! > 10) return false;
        }
      }
      return true;
    }), { numRuns: 200 });
  });
});

describe('rate budget: each block said once', () => {
  it('answers to requests sent together, each with its own Retry-After in whole seconds, are one block; a longer or a new one is said again', () => {
    let now = 1_000_000;
    const told: string[] = [];
    const b = new RateBudget({ now: () => now, onBlocked: (status, ms) => told.push(`${status} ${ms}`) });
    b.onRateLimited(418, 3000);
    now += 4;
    b.onRateLimited(418, 3000); // the ban's end a few ms later: Retry-After is rounded up to seconds
    now += 3;
    b.onRateLimited(418, 3000);
    expect(told).toEqual(['418 3000']);
    expect(b.blockedUntilMs).toBe(now + 3000); // the block still ends at the latest answer's end
    expect(b.counters.http418).toBe(3);
    now += 10;
    b.onRateLimited(418, 120_000); // a longer ban
    expect(told).toEqual(['418 3000', '418 120000']);
    now += 200_000;
    b.onRateLimited(429, 1000); // a new block after the ban
    expect(told).toEqual(['418 3000', '418 120000', '429 1000']);
    now += 2;
    b.onRateLimited(418, 2000); // a ban during a 429: said, whatever its length
    expect(told).toEqual(['418 3000', '418 120000', '429 1000', '418 2000']);
  });
});

describe('client order ids', () => {
  it('valid on both markets, never reused after a restart with the persisted sequence', () => {
    const prefix = newRunPrefix();
    const g = new ClientOrderIdGenerator(prefix);
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) ids.add(g.next());
    expect(ids.size).toBe(1000);
    for (const id of ids) { expect(isValidClientOrderId(id, 'spot')).toBe(true); expect(isValidClientOrderId(id, 'usdm')).toBe(true); }
    const restarted = new ClientOrderIdGenerator(prefix, g.sequence);
    for (let i = 0; i < 100; i++) expect(ids.has(restarted.next())).toBe(false);
    const crashed = new ClientOrderIdGenerator(prefix, 10); // journal lagged behind what reached the venue
    crashed.advancePast([`${prefix}-${(500).toString(36)}`, 'someone-else-1']);
    expect(crashed.sequence).toBe(500);
    expect(() => new ClientOrderIdGenerator('bad prefix!')).toThrow();
    expect(isValidClientOrderId('a'.repeat(37), 'spot')).toBe(false);
    expect(isValidClientOrderId('x/y:z.1', 'spot')).toBe(false);
    expect(isValidClientOrderId('x/y:z.1', 'usdm')).toBe(true);
  });
});

describe('user events, strict', () => {
  const er = { e: 'executionReport', E: 1, s: 'BTCUSDT', c: 'cancel-req', S: 'BUY', o: 'LIMIT', f: 'GTC', q: '1.00000000', p: '0.10000000', P: '0', F: '0', g: -1, C: 'orig-id', x: 'CANCELED', X: 'CANCELED', r: 'NONE', i: 7, l: '0', z: '0', L: '0', n: '0', N: null, T: 2, t: -1, I: 9, w: false, m: false, M: false, O: 1, Z: '0', Y: '0', Q: '0', V: 'NONE' };
  it('a spot cancel is attributed to the original client id (C)', () => {
    const ev = parseSpotUserEvent({ subscriptionId: 0, event: er });
    expect(ev.kind === 'order' && ev.clientOrderId).toBe('orig-id');
  });
  it('missing or mistyped fields throw', () => {
    const { i: _i, ...noId } = er;
    expect(() => parseSpotUserEvent({ subscriptionId: 0, event: noId })).toThrow(/field i/);
    expect(() => parseSpotUserEvent({ ...er, l: 0.5 })).toThrow(/field l/);
    expect(() => parseUsdmUserEvent({ e: 'ORDER_TRADE_UPDATE', E: 1, T: 1, o: { s: 'BTCUSDT' } })).toThrow();
    expect(parseSpotUserEvent({ e: 'balanceUpdate', E: 1 }).kind).toBe('other');
    expect(parseUsdmUserEvent({ e: 'listenKeyExpired', E: 5, listenKey: 'k' })).toMatchObject({ kind: 'stream_ended', reason: 'listenKeyExpired' });
  });
  it('a USD-M FUNDING_FEE ACCOUNT_UPDATE of a cross position has no P: parsed with no positions and the balance change', () => {
    const ev = parseUsdmUserEvent({ e: 'ACCOUNT_UPDATE', E: 1_700_000_000_123, T: 1_700_000_000_000, a: { m: 'FUNDING_FEE', B: [{ a: 'USDT', wb: '99.5', cw: '99.5', bc: '-0.00050003' }] } });
    expect(ev).toEqual({
      kind: 'futures_account', eventTimeMs: 1_700_000_000_123, transactTimeMs: 1_700_000_000_000, reason: 'FUNDING_FEE',
      balances: [{ asset: 'USDT', walletBalance: '99.5', balanceChange: '-0.00050003' }], positions: [],
    });
    expect(() => parseUsdmUserEvent({ e: 'ACCOUNT_UPDATE', E: 1, a: { m: 'ORDER', B: [], P: 'x' } })).toThrow(/a\.P/);
  });
});
