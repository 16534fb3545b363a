// Funding payments in a ledger: a cash flow in realized P&L that leaves the position,
// its average entry and the fill counts alone, shown as its own figure in the views and
// included in net P&L; snapshots round-trip it (and older snapshots without it restore
// as zero). The split of one payment between accounts holding the symbol.
import { describe, expect, it } from 'vitest';
import type { FillRecord, OrderSide } from '../src/trading/types.js';
import { SpreadcoreError } from '../src/errors.js';
import { SymbolLedger } from '../src/accounting/symbol-ledger.js';
import { LedgerSet } from '../src/accounting/ledger-set.js';
import { summarizeLedger } from '../src/accounting/ledger-summary.js';
import { analyticsView } from '../src/accounting/analytics-view.js';
import { metricsView } from '../src/accounting/metrics-view.js';
import { splitFunding } from '../src/accounting/funding-split.js';
import type { FundingRecord } from '../src/accounting/funding-record.js';

const S = 1_000_000_000n;
let seq = 0;
function fill(side: OrderSide, qty: string, price: string, atS: number, fee = '0'): FillRecord {
  seq++;
  const ts = BigInt(atS) * S;
  return { tradeId: `t${seq}`, orderId: `o${seq}`, clientOrderId: `c${seq}`, strategyId: 's1', symbol: 'BTCUSDT', side, price, qty, fee, liquidity: 'MAKER', tsEventNs: ts, tsInitNs: ts };
}
function funding(amount: string, atS: number, strategyId: string | null = 's1', id = `f${++seq}`): FundingRecord {
  return { fundingId: id, strategyId, symbol: 'BTCUSDT', fundingQuote: amount, tsEventNs: BigInt(atS) * S };
}

describe('a funding payment in a ledger', () => {
  it('changes realized P&L only: position, average entry, open cost and fill counts stay', () => {
    const l = new SymbolLedger({ strategyId: 's1', symbol: 'BTCUSDT' });
    l.applyFill(fill('BUY', '0.002', '50000', 1, '0.01'));
    const before = summarizeLedger(l, '50100');
    l.applyFunding(funding('-0.01000000', 2));
    l.apply({ kind: 'funding', funding: funding('0.0025', 3) });
    const after = summarizeLedger(l, '50100');
    expect(after.position.toString()).toBe(before.position.toString());
    expect(after.avgEntry!.toString()).toBe('50000');
    expect(l.state.position.openCost.toString()).toBe('100');
    expect(after.unrealizedPnl.toString()).toBe(before.unrealizedPnl.toString());
    expect(after.fills).toBe(1);
    expect(after.realizedGross.toString()).toBe('0');
    expect(after.feesPaid.toString()).toBe('0.01');
    expect(after.funding.toString()).toBe('-0.0075');
    expect(after.fundingPayments).toBe(2);
    // net = gross − fees + funding
    expect(after.realizedNet.toString()).toBe('-0.0175');
    expect(after.totalPnl.toString()).toBe(after.realizedNet.plus(after.unrealizedPnl).toString());
    expect(l.fundingQuote.toString()).toBe('-0.0075');
  });

  it('is a separate figure in the analytics view, included in net P&L there and in the metrics view, and reaches the risk gate\'s P&L', () => {
    const l = new SymbolLedger({ strategyId: 's1', symbol: 'BTCUSDT' });
    l.applyFill(fill('BUY', '1', '100', 1));
    l.applyFill(fill('SELL', '1', '101', 2, '0.05'));
    expect(l.pnlAt('101').realizedQuote).toBeCloseTo(0.95, 12);
    l.applyFunding(funding('-0.2', 3));
    const a = analyticsView(l);
    expect(a.pnl.funding).toBe(-0.2);
    expect(a.pnl.realized_gross).toBe(1);
    expect(a.pnl.realized_net).toBe(0.75);
    const m = metricsView(l, { uptimeSeconds: 0 });
    expect(m.performance.net_profit).toBe(0.75);
    // the memoised figure the risk gate reads follows the funding
    expect(l.pnlAt('101').realizedQuote).toBeCloseTo(0.75, 12);
  });

  it('round-trips through a snapshot; a snapshot without funding totals restores them as zero', () => {
    const l = new SymbolLedger({ strategyId: 's1', symbol: 'BTCUSDT' });
    l.applyFill(fill('SELL', '0.5', '2000', 1));
    l.applyFunding(funding('1.23456789', 2));
    const snap = l.snapshot();
    const r = SymbolLedger.restore(snap);
    expect(r.fundingQuote.toString()).toBe('1.23456789');
    expect(r.state.totals.fundingPayments).toBe(1);
    expect(r.snapshot()).toEqual(snap);
    const old = JSON.parse(JSON.stringify(snap)) as typeof snap;
    delete (old.totals as Record<string, unknown>)['funding'];
    delete (old.totals as Record<string, unknown>)['fundingPayments'];
    const o = SymbolLedger.restore(old);
    expect(o.fundingQuote.toString()).toBe('0');
    expect(o.realizedNet.toString()).toBe('0');
  });

  it('refuses a payment of another strategy or symbol, and an amount that is not a plain decimal', () => {
    const l = new SymbolLedger({ strategyId: 's1', symbol: 'BTCUSDT' });
    expect(() => l.applyFunding(funding('1', 1, 's2'))).toThrow(SpreadcoreError);
    expect(() => l.applyFunding({ ...funding('1', 1), symbol: 'ETHUSDT' })).toThrow(/not s1\/BTCUSDT/);
    expect(() => l.applyFunding(funding('1e-3', 1))).toThrow(/plain decimal/);
    expect(l.state.totals.fundingPayments).toBe(0);
  });

  it('routes by strategy and symbol in a ledger set', () => {
    const set = new LedgerSet();
    set.applyFunding(funding('-0.5', 1, 'a'));
    set.applyFunding(funding('0.25', 1, 'b'));
    expect(set.get('a', 'BTCUSDT')!.fundingQuote.toString()).toBe('-0.5');
    expect(set.get('b', 'BTCUSDT')!.fundingQuote.toString()).toBe('0.25');
  });
});

describe('the split of one payment between holders', () => {
  const sum = (xs: { fundingQuote: { toString(): string } }[]): string => xs.reduce((a, s) => a + Number(s.fundingQuote.toString()), 0).toFixed(8);

  it('gives one holder the whole payment', () => {
    const s = splitFunding('-0.01000000', [{ strategyId: 'manual', position: '0.002' }]);
    expect(s.map((x) => [x.strategyId, x.fundingQuote.toString(), x.fundingText])).toEqual([['manual', '-0.01', '-0.01000000']]);
  });

  it('splits in proportion to the positions, exactly, the remainder to the largest holder', () => {
    const s = splitFunding('-1.00000000', [{ strategyId: 'a', position: '1' }, { strategyId: 'b', position: '2' }, { strategyId: 'c', position: '0' }]);
    expect(s.map((x) => [x.strategyId, x.fundingText])).toEqual([['a', '-0.33333333'], ['b', '-0.66666667']]);
    expect(sum(s)).toBe('-1.00000000');
  });

  it('a long pays and a short receives: signed shares of the net position\'s payment', () => {
    // net +1 long paid 0.1: the long of 3 pays 0.3, the short of 2 receives 0.2
    const s = splitFunding('-0.1', [{ strategyId: 'long', position: '3' }, { strategyId: 'short', position: '-2' }]);
    expect(s.map((x) => [x.strategyId, x.fundingQuote.toString()])).toEqual([['long', '-0.3'], ['short', '0.2']]);
  });

  it('nobody to pay: no holder, or positions that net to zero', () => {
    expect(splitFunding('-0.1', [])).toEqual([]);
    expect(splitFunding('-0.1', [{ strategyId: 'a', position: '0' }])).toEqual([]);
    expect(splitFunding('-0.1', [{ strategyId: 'a', position: '1' }, { strategyId: 'b', position: '-1' }])).toEqual([]);
  });
});
