// Hand-checked sequences through one ledger: crossing through zero, fees and
// rebates, round trips and win rate, holding time, drawdown, Sharpe / Sortino,
// markouts, time at best, counters, bad input.
import { describe, expect, it } from 'vitest';
import type { FillRecord, Liquidity, OrderSide } from '../src/trading/types.js';
import { SpreadcoreError } from '../src/errors.js';
import { Decimal } from '../src/accounting/decimal.js';
import { SECONDS_PER_YEAR } from '../src/accounting/equity-stats.js';
import { SymbolLedger } from '../src/accounting/symbol-ledger.js';
import { summarizeLedger } from '../src/accounting/ledger-summary.js';
import { analyticsView } from '../src/accounting/analytics-view.js';

let seq = 0;
const S = 1_000_000_000n; // ns per second

function fill(side: OrderSide, qty: string, price: string, atS: number, fee = '0', liquidity: Liquidity = 'MAKER'): FillRecord {
  seq++;
  const ts = BigInt(atS) * S;
  return {
    tradeId: `t${seq}`, orderId: `o${seq}`, clientOrderId: `c${seq}`, strategyId: 's1', symbol: 'X',
    side, price, qty, fee, liquidity, tsEventNs: ts, tsInitNs: ts,
  };
}

const ledger = (o: { markoutHorizonsMs?: number[]; returnBucketMs?: number; minReturnBuckets?: number; tradeHistoryLimit?: number } = {}) =>
  new SymbolLedger({ strategyId: 's1', symbol: 'X', ...o });
const mark = (l: SymbolLedger, atS: number, mid: string, atBestBid = false, atBestAsk = false) =>
  l.applyMark({ tsNs: BigInt(atS) * S, mid, atBestBid, atBestAsk });
const str = (d: Decimal | null) => (d === null ? null : d.toString());

describe('position and average entry', () => {
  it('averages entries and keeps the average on reductions', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '2', '100', 0));
    l.applyFill(fill('BUY', '1', '103', 1));
    expect(str(summarizeLedger(l).avgEntry)).toBe('101');
    const e = l.applyFill(fill('SELL', '1', '105', 2));
    expect(str(e.roundTripGross)).toBe('4');
    expect(str(summarizeLedger(l).avgEntry)).toBe('101');
    expect(l.position.toString()).toBe('2');
  });

  it('splits a fill that crosses through zero into a closing and an opening part', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '2', '100', 0, '0.2'));
    // sell 5 @ 110: closes 2 (+20 gross) and opens a 3 short at 110; fee 0.5 split 0.2 / 0.3
    const e = l.applyFill(fill('SELL', '5', '110', 10, '0.5'));
    expect(e.positionAfter.toString()).toBe('-3');
    expect(str(e.roundTripGross)).toBe('20');
    // 20 − 0.2 (closing share of this fee) − 0.2 (the entry's fee)
    expect(str(e.roundTripProfit)).toBe('19.6');
    expect(str(e.closedRoundTripProfit)).toBe('19.6');
    const x = summarizeLedger(l);
    expect(str(x.avgEntry)).toBe('110');
    expect(x.roundTrips).toBe(1);
    // the short pays its 0.3 share when it is covered: buy 3 @ 104 → 18 − 0.3 − 0.3
    const c = l.applyFill(fill('BUY', '3', '104', 20, '0.3'));
    expect(str(c.roundTripProfit)).toBe('17.4');
    const y = summarizeLedger(l);
    expect(y.roundTrips).toBe(2);
    expect(str(y.realizedGross)).toBe('38');
    expect(str(y.feesPaid)).toBe('1');
    expect(str(y.realizedNet)).toBe('37');
    expect(str(y.avgClosedRoundTripProfit)).toBe('18.5');
    expect(str(y.avgEntry)).toBe(null);
    expect(str(y.maxAbsPosition)).toBe('3');
    // the position was non-zero from 0 to 20 s without a break
    expect(str(y.timeInPositionSeconds)).toBe('20');
    expect(str(y.avgRoundTripSeconds)).toBe('10');
    // 2 units held 10 s, 3 units held 10 s
    expect(str(y.avgHoldingSecondsPerUnit)).toBe('10');
  });

  it('shorts: selling first, covering higher loses', () => {
    const l = ledger();
    l.applyFill(fill('SELL', '1.5', '20', 0));
    mark(l, 1, '21');
    expect(str(summarizeLedger(l).unrealizedPnl)).toBe('-1.5');
    const e = l.applyFill(fill('BUY', '1.5', '21', 2));
    expect(str(e.roundTripProfit)).toBe('-1.5');
    const x = summarizeLedger(l);
    expect(x.roundTrips).toBe(1);
    expect(x.winningRoundTrips).toBe(0);
    expect(str(x.winRatePct)).toBe('0');
  });

  it('average entry with a repeating fraction stays exact once the position is closed', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '1', '1', 0));
    l.applyFill(fill('BUY', '1', '1', 0));
    l.applyFill(fill('BUY', '1', '2', 0)); // average 4/3
    l.applyFill(fill('SELL', '1', '2', 1));
    l.applyFill(fill('SELL', '1', '2', 1));
    l.applyFill(fill('SELL', '1', '2', 1));
    expect(str(summarizeLedger(l).realizedGross)).toBe('2');
  });
});

describe('fees and rebates', () => {
  it('maker rebates are negative fees; taker fees add', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '1', '100', 0, '-0.01', 'MAKER'));
    l.applyFill(fill('SELL', '1', '100.5', 1, '0.05', 'TAKER'));
    const x = summarizeLedger(l);
    expect(str(x.makerFees)).toBe('-0.01');
    expect(str(x.takerFees)).toBe('0.05');
    expect(str(x.feesPaid)).toBe('0.04');
    expect(str(x.realizedGross)).toBe('0.5');
    expect(str(x.realizedNet)).toBe('0.46');
    expect(str(x.profitPerRoundTrip)).toBe('0.46');
  });

  it('a round trip that is positive before fees but not after is not a win', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '1', '100', 0, '0.1'));
    l.applyFill(fill('SELL', '1', '100.1', 1, '0.1'));
    l.applyFill(fill('BUY', '1', '100', 2));
    l.applyFill(fill('SELL', '1', '100.1', 3));
    const x = summarizeLedger(l);
    expect(x.roundTrips).toBe(2);
    expect(x.winningRoundTrips).toBe(1);
    expect(str(x.winRatePct)).toBe('50');
  });
});

describe('equity: drawdown, Sharpe, Sortino', () => {
  it('max drawdown is the largest fall of realized − fees + unrealized from its peak at marks', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '1', '100', 0, '0.5'));
    mark(l, 1, '104'); // 3.5 peak
    mark(l, 2, '99'); // −1.5: drawdown 5
    mark(l, 3, '106'); // 5.5 new peak
    l.applyFill(fill('SELL', '1', '106', 4, '0.5')); // realized 6 − 1 fee
    mark(l, 5, '90'); // flat: equity 5, drawdown 0.5 from 5.5
    expect(str(summarizeLedger(l).maxDrawdown)).toBe('5');
  });

  it('marks at an unchanged mid still see every fill, fee and settlement between them', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '1', '100', 0));
    mark(l, 1, '110'); // equity 10: the peak
    mark(l, 2, '110'); // same mid, nothing applied: still 10
    expect(l.state.equity.lastEquity.toString()).toBe('10');
    l.applyFill(fill('BUY', '1', '110', 3, '1')); // position 2 at 210: unrealized 10, fee 1
    mark(l, 4, '110'); // same mid text, new position and fees: 9
    expect(l.state.equity.lastEquity.toString()).toBe('9');
    expect(l.pnlAt('110')).toEqual({ realizedQuote: -1, unrealizedQuote: 10, entryValueQuote: 210 });
    l.applyFill(fill('SELL', '2', '105', 5)); // 210 back for 210 paid: flat, realized 0 − 1 fee
    mark(l, 6, '110');
    expect(l.state.equity.lastEquity.toString()).toBe('-1');
    expect(l.pnlAt('110')).toEqual({ realizedQuote: -1, unrealizedQuote: 0, entryValueQuote: 0 });
    expect(str(summarizeLedger(l).maxDrawdown)).toBe('11'); // from 10 to −1
    mark(l, 7, '90');
    mark(l, 8, '110');
    expect(str(summarizeLedger(l).maxDrawdown)).toBe('11');
  });

  it('a loss from the start counts from a peak of 0', () => {
    const l = ledger();
    l.applyFill(fill('SELL', '2', '10', 0));
    mark(l, 1, '12');
    expect(str(summarizeLedger(l).maxDrawdown)).toBe('4');
  });

  it('Sharpe and Sortino from 1-minute equity changes, annualized with √(525,600)', () => {
    const l = ledger({ returnBucketMs: 60_000, minReturnBuckets: 2 }); // the formula on 5 buckets (30 by default)
    l.applyFill(fill('BUY', '1', '100', 0));
    // bucket closes (equity at the last mark of each minute): 2, 1, 4, (4 again: empty minute), 3
    mark(l, 10, '101');
    mark(l, 50, '102'); // minute 0 closes at 2
    mark(l, 70, '101'); // minute 1 closes at 1
    mark(l, 150, '104'); // minute 2 closes at 4; minute 3 has no mark
    mark(l, 250, '103'); // minute 4 (open until a later mark)
    mark(l, 300, '103'); // minute 5: closes minute 4 at 3
    // returns: 2, −1, 3, 0, −1 → mean 0.6, sample variance (4+1+9+0+1 − 5·0.36)/4 = 3.3
    const x = summarizeLedger(l);
    expect(x.returnBuckets).toBe(5);
    const perYear = Math.sqrt(SECONDS_PER_YEAR / 60);
    expect(x.sharpe!.toNumber()).toBeCloseTo((0.6 / Math.sqrt(3.3)) * perYear, 9);
    // downside deviation √((1 + 1) / 5)
    expect(x.sortino!.toNumber()).toBeCloseTo((0.6 / Math.sqrt(2 / 5)) * perYear, 9);
  });

  it('no ratios without two buckets or without variation', () => {
    const l = ledger({ returnBucketMs: 1000 });
    mark(l, 0, '1');
    mark(l, 1, '1');
    expect(summarizeLedger(l).sharpe).toBe(null);
    mark(l, 2, '1');
    const x = summarizeLedger(l);
    expect(x.returnBuckets).toBe(2);
    expect(x.sharpe).toBe(null); // all returns 0
    expect(x.sortino).toBe(null);
  });
});

describe('markouts', () => {
  it('P&L per unit against the prevailing mid 1 s, 5 s, 30 s after each fill, per side; pending until the horizon passes', () => {
    const l = ledger();
    mark(l, 0, '100');
    l.applyFill(fill('BUY', '2', '99.9', 0)); // buys 2 @ 99.9
    l.applyFill(fill('SELL', '1', '100.1', 0)); // sells 1 @ 100.1
    mark(l, 1, '100.2'); // 1 s: buy +0.3, sell −0.1
    mark(l, 3, '99.7');
    let x = summarizeLedger(l);
    expect(x.markouts.map((m) => m.horizonMs)).toEqual([1000, 5000, 30000]);
    expect(str(x.markouts[0]!.buy.avgPerUnit)).toBe('0.3');
    expect(str(x.markouts[0]!.sell.avgPerUnit)).toBe('-0.1');
    expect(x.markouts[1]!.pending).toBe(2);
    // no mark at 5 s: at the mark at 7 s the mid prevailing at 5 s is the 3 s mark's 99.7
    mark(l, 7, '120');
    x = summarizeLedger(l);
    expect(str(x.markouts[1]!.buy.avgPerUnit)).toBe('-0.2');
    expect(str(x.markouts[1]!.sell.avgPerUnit)).toBe('0.4');
    expect(x.markouts[1]!.pending).toBe(0);
    expect(x.markouts[2]!.pending).toBe(2);
    l.applyFill(fill('BUY', '1', '119.9', 8));
    mark(l, 30, '101');
    x = summarizeLedger(l);
    // 30 s horizon of the first two fills: mid 101; the third fill's 30 s is still pending
    expect(str(x.markouts[2]!.buy.avgPerUnit)).toBe('1.1');
    expect(x.markouts[2]!.buy.fills).toBe(1);
    expect(x.markouts[2]!.pending).toBe(1);
    // 1 s horizon, buy side weighted by quantity: (2 × 0.3 + 1 × 0.1) / 3, the third fill at 120 (from 9 s)
    expect(x.markouts[0]!.buy.avgPerUnit!.toDecimalPlaces(12).toString()).toBe(new Decimal('0.7').div(3).toDecimalPlaces(12).toString());
  });
});

describe('quoting activity', () => {
  it('time at best from mark flags, fill rate, cancel-to-fill, counters', () => {
    const l = ledger();
    mark(l, 0, '10', true, false);
    mark(l, 30, '10', true, true);
    mark(l, 60, '10', false, true);
    mark(l, 100, '10', false, false);
    l.count('orders_placed', 40);
    l.count('orders_cancelled', 30);
    l.count('quote_updates');
    l.applyFill(fill('BUY', '1', '10', 100));
    l.applyFill(fill('SELL', '1', '10', 100));
    const x = summarizeLedger(l);
    expect(str(x.timeAtBestBidPct)).toBe('60');
    expect(str(x.timeAtBestAskPct)).toBe('70');
    expect(str(x.fillRatePct)).toBe('5');
    expect(str(x.cancelToFillRatio)).toBe('15');
    expect(x.quoteUpdates).toBe(1);
    const a = analyticsView(l);
    expect(a.quoting).toEqual({
      orders_placed: 40, orders_cancelled: 30, quote_updates: 1, fill_rate_pct: 5, cancel_to_fill_ratio: 15,
      time_at_best_bid_pct: 60, time_at_best_ask_pct: 70,
    });
  });

  it('refuses unknown counters and bad counts', () => {
    const l = ledger();
    expect(() => l.count('fills' as never)).toThrow(SpreadcoreError);
    expect(() => l.count('quote_updates', -1)).toThrow(SpreadcoreError);
    expect(() => l.count('quote_updates', 1.5)).toThrow(SpreadcoreError);
  });
});

describe('input checks and time order', () => {
  it('refuses malformed fills without changing state', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '1', '10', 0));
    const before = JSON.stringify(l.snapshot());
    const bad: Partial<FillRecord>[] = [
      { price: '1e3' }, { price: 'NaN' }, { qty: '0' }, { qty: '-1' }, { fee: '' }, { symbol: 'Y' }, { strategyId: 's2' },
      { side: 'HOLD' as OrderSide }, { liquidity: 'X' as Liquidity },
    ];
    for (const b of bad) {
      expect(() => l.applyFill({ ...fill('SELL', '1', '11', 1), ...b })).toThrow(SpreadcoreError);
    }
    expect(() => l.applyMark({ tsNs: 5n, mid: 'Infinity' })).toThrow(SpreadcoreError);
    expect(JSON.stringify(l.snapshot())).toBe(before);
  });

  it('a fill older than the last event is accounted at the last event time', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '1', '10', 100));
    const e = l.applyFill(fill('SELL', '1', '11', 50));
    expect(e.tsEventNs).toBe(50n * S); // the record keeps its own time
    const x = summarizeLedger(l);
    expect(str(x.avgHoldingSecondsPerUnit)).toBe('0');
    expect(str(x.avgRoundTripSeconds)).toBe('0');
  });

  it('settle closes the position at a price without a fill', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '4', '0.3', 0, '0.01'));
    expect(l.settle('1', 60n * S).toString()).toBe('2.8');
    const x = summarizeLedger(l);
    expect(x.fills).toBe(1);
    expect(x.roundTrips).toBe(1);
    expect(str(x.realizedNet)).toBe('2.79');
    expect(l.position.isZero()).toBe(true);
  });

  it('keeps the most recent trades up to its limit', () => {
    const l = ledger({ tradeHistoryLimit: 3 });
    for (let i = 0; i < 500; i++) l.applyFill(fill(i % 2 === 0 ? 'BUY' : 'SELL', '1', String(100 + i), i));
    expect(l.recentTrades(10).map((t) => t.price)).toEqual(['597', '598', '599']);
    expect(l.snapshot().trades.length).toBe(3);
    expect(ledger({ tradeHistoryLimit: 0 }).recentTrades(5)).toEqual([]);
  });
});
