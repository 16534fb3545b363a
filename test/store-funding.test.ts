// Funding payments in the journal: each account's share of a venue payment written in one
// transaction, a payment journaled once per (venue, tranId), a payment no account held kept
// as one row without a strategy, bad records refused before anything is written, and
// restore() handing every share back in journal order after a reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { Journal, type FundingPayment } from '../src/store/index.js';

const T0 = 1_717_000_000_000_000_000n;
const open: Journal[] = [];
const dirs: string[] = [];

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spreadcore-funding-'));
  dirs.push(d);
  return join(d, 'data');
}
function openJournal(dir: string): Journal {
  const j = Journal.open(dir, { defaultVenue: 'binance-usdm' });
  open.push(j);
  return j;
}
afterEach(() => {
  for (const j of open.splice(0)) j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function payment(tranId: string, income: string, over: Partial<FundingPayment> = {}): FundingPayment {
  return { tranId, symbol: 'BTCUSDT', asset: 'USDT', incomeQuote: income, tsEventNs: T0, tsInitNs: T0 + 5n, ...over };
}

describe('funding in the journal', () => {
  it('writes the shares of a payment once, and restores them in order after a reopen', () => {
    const dir = dataDir();
    const j = openJournal(dir);
    expect(j.recordFunding(payment('9000000001', '-1.00000000'), [{ strategyId: 'a', shareQuote: '-0.33333333' }, { strategyId: 'b', shareQuote: '-0.66666667' }])).toBe('inserted');
    expect(j.hasFunding('binance-usdm', '9000000001')).toBe(true);
    expect(j.hasFunding('binance', '9000000001')).toBe(false);
    // the same payment again, with other shares: nothing written
    expect(j.recordFunding(payment('9000000001', '-1.00000000'), [{ strategyId: 'a', shareQuote: '-1' }])).toBe('duplicate');
    // nobody held the symbol: one row without a strategy keeps the payment known
    expect(j.recordFunding(payment('9000000002', '0.5', { tsEventNs: T0 + 1n }), [])).toBe('inserted');
    expect(j.recordFunding(payment('9000000002', '0.5'), [])).toBe('duplicate');
    j.close();
    const r = openJournal(dir).restore();
    expect(r.funding.map((f) => [f.venue, f.tranId, f.strategyId, f.incomeQuote, f.shareQuote, f.tsEventNs])).toEqual([
      ['binance-usdm', '9000000001', 'a', '-1.00000000', '-0.33333333', T0],
      ['binance-usdm', '9000000001', 'b', '-1.00000000', '-0.66666667', T0],
      ['binance-usdm', '9000000002', null, '0.5', '0.5', T0 + 1n],
    ]);
    expect(r.funding.map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  it('refuses a bad record before writing anything', () => {
    const j = openJournal(dataDir());
    const code = (f: () => unknown): string => { try { f(); } catch (e) { return (e as SpreadcoreError).code; } return 'none'; };
    expect(code(() => j.recordFunding(payment('1', '1e-3'), []))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(code(() => j.recordFunding(payment('', '1'), []))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(code(() => j.recordFunding(payment('2', '1'), [{ strategyId: 'a', shareQuote: 'x' }]))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(code(() => j.recordFunding(payment('3', '1'), [{ strategyId: 'a', shareQuote: '0.5' }, { strategyId: 'a', shareQuote: '0.5' }]))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(j.funding()).toEqual([]);
  });
});
