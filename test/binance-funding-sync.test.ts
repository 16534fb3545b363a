// FundingSync on its own, with a scripted income history: the first run starts at the
// server time; later runs ask from the last funding time seen, inclusive (a record of
// another symbol at the same ms is not skipped), and hand each record to the engine,
// which knows the ones already applied; full pages are followed by the next page;
// other symbols and other assets are left out; the state is journaled.
import { describe, expect, it } from 'vitest';
import { FundingSync, type VenueFunding } from '../src/venues/binance/funding-sync.js';
import type { IncomeAnswer } from '../src/venues/binance/rest-client.js';

function rec(tranId: number, symbol: string, time: number, income = '-0.01000000', asset = 'USDT'): IncomeAnswer {
  return { symbol, incomeType: 'FUNDING_FEE', income, asset, info: 'FUNDING_FEE', time, tranId, tradeId: '' };
}

function harness(history: IncomeAnswer[], nowMs = 1_000): {
  sync: FundingSync; queries: { startTime: number; page: number; limit: number }[]; applied: VenueFunding[]; logs: string[];
} {
  const queries: { startTime: number; page: number; limit: number }[] = [];
  const applied: VenueFunding[] = [];
  const seen = new Set<string>();
  const logs: string[] = [];
  const sync = new FundingSync({
    market: 'usdm', symbols: ['BTCUSDT', 'ETHUSDT'],
    income: async (q) => {
      queries.push({ startTime: q.startTime, page: q.page, limit: q.limit });
      const hits = history.filter((r) => r.time >= q.startTime).sort((a, b) => a.time - b.time);
      return hits.slice((q.page - 1) * q.limit, q.page * q.limit);
    },
    quoteAsset: () => 'USDT',
    apply: (f) => { if (seen.has(f.tranId)) return 'duplicate'; seen.add(f.tranId); applied.push(f); return 'applied'; },
    journal: () => undefined,
    serverNowMs: () => nowMs + 0.4,
    log: (l) => logs.push(l),
  });
  return { sync, queries, applied, logs };
}

describe('FundingSync', () => {
  it('first run: starts at the server time (whole ms), applies nothing from before', async () => {
    const h = harness([rec(1, 'BTCUSDT', 500)]);
    expect(await h.sync.sync()).toEqual({ applied: 0, duplicates: 0, unallocated: 0, sinceMs: 1000 });
    expect(h.queries).toEqual([]);
    expect(await h.sync.sync()).toMatchObject({ applied: 0, sinceMs: 1000 });
    expect(h.queries).toEqual([{ startTime: 1000, page: 1, limit: 1000 }]);
  });

  it('asks from the last funding time inclusive: a record at the same ms booked later is applied, the seen one is not', async () => {
    const history = [rec(1, 'BTCUSDT', 2000)];
    const h = harness(history);
    await h.sync.sync();
    expect(await h.sync.sync()).toMatchObject({ applied: 1, sinceMs: 2000 });
    history.push(rec(2, 'ETHUSDT', 2000));
    expect(await h.sync.sync()).toMatchObject({ applied: 1, duplicates: 1, sinceMs: 2000 });
    expect(h.queries.at(-1)).toEqual({ startTime: 2000, page: 1, limit: 1000 });
    expect(h.applied.map((f) => [f.tranId, f.symbol, f.incomeQuote, f.timeMs])).toEqual([['1', 'BTCUSDT', '-0.01000000', 2000], ['2', 'ETHUSDT', '-0.01000000', 2000]]);
  });

  it('follows full pages, leaves out other symbols and other assets', async () => {
    const history: IncomeAnswer[] = [];
    for (let i = 0; i < 1500; i++) history.push(rec(10 + i, i % 2 === 0 ? 'BTCUSDT' : 'XRPUSDT', 2000 + i));
    history.push(rec(5000, 'ETHUSDT', 9000, '1', 'BNB'));
    const h = harness(history);
    await h.sync.sync();
    const r = await h.sync.sync();
    expect(h.queries.slice(-2)).toEqual([{ startTime: 1000, page: 1, limit: 1000 }, { startTime: 1000, page: 2, limit: 1000 }]);
    expect(r).toMatchObject({ applied: 750, duplicates: 0, sinceMs: 9000 });
    expect(h.applied.every((f) => f.symbol === 'BTCUSDT')).toBe(true);
    expect(h.logs.join('\n')).toMatch(/funding 5000 on ETHUSDT is paid in BNB, not USDT/);
  });
});
