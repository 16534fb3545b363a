// Funding payments on live Binance USD-M, end to end: the project's Binance USD-M replica
// (`replica binance --futures --funding-interval-s 4`) and `spreadcore serve --execution
// binance-usdm-testnet` as real processes. The manual account holds a long; at every
// funding time the replica charges it (income = −position × mark × rate) and sends
// ACCOUNT_UPDATE FUNDING_FEE without a symbol; serve reads GET /fapi/v1/income and books
// each payment to the manual account's ledger:
//   - GET /api/accounts shows `funding` equal to the sum of the replica's FUNDING_FEE
//     records, and `realized_pnl` (net) includes it;
//   - serve killed with SIGKILL while a funding time passes, then started again: the
//     payment made while it was down is applied once, the ones before are not applied twice;
//   - the journal holds each payment once (by tranId), its share the replica's exact decimal.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import { Journal } from '../src/store/index.js';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { apiRequest, signedRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-funding-key-51c2';
const SECRET = 'usdm-funding-secret-9e04a7d3';
const INTERVAL_S = 4;

interface IncomeJson { symbol: string; incomeType: string; income: string; asset: string; time: number; tranId: number; tradeId: string }
interface ReplicaState { income: IncomeJson[]; trades: { commission: string; realizedPnl: string }[]; positions: { symbol: string; positionAmt: string }[] }
interface AccountsJson { accounts: { account: string; positions: { symbol: string; position: number; realized_pnl: number; funding: number }[] }[] }
interface OrderAnswer { ok: boolean; error?: { code: string; message: string } }

let dir = '';
let replicaUrl = '';
let apiPort = 0;

async function replicaState(): Promise<ReplicaState> {
  return await (await fetch(`${replicaUrl}/__replica/state`)).json() as ReplicaState;
}
/** The replica's FUNDING_FEE records of BTCUSDT (its admin state: polling the signed endpoint would use up the request weight serve needs). */
async function fundingRecords(): Promise<IncomeJson[]> {
  return (await replicaState()).income.filter((r) => r.incomeType === 'FUNDING_FEE' && r.symbol === 'BTCUSDT');
}
async function manualRow(): Promise<{ position: number; realized_pnl: number; funding: number } | undefined> {
  const a = await apiRequest<AccountsJson>(apiPort, '/api/accounts');
  return a.accounts?.find((x) => x.account === 'manual')?.positions.find((p) => p.symbol === 'BTCUSDT');
}
const sum = (rs: readonly IncomeJson[]): Decimal => rs.reduce((a, r) => a.add(r.income), new Decimal(0));

/** Waits until serve's manual funding equals the replica's FUNDING_FEE records (read around it, unchanged meanwhile); returns them. */
async function fundingAgrees(serve: CliProcess, what: string): Promise<IncomeJson[]> {
  let seen = '';
  let agreed: IncomeJson[] = [];
  await waitUntil(what, async () => {
    const before = await fundingRecords();
    const row = await manualRow();
    const after = await fundingRecords();
    seen = `serve ${JSON.stringify(row)}, replica ${JSON.stringify(after.map((r) => [r.tranId, r.income]))}`;
    if (before.length !== after.length || after.length === 0 || row === undefined) return false;
    agreed = after;
    return row.funding === sum(after).toNumber();
  }, 30_000, () => `${seen}; serve: ${serve.out().slice(-2000)}`);
  return agreed;
}

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort } = await startUsdmReplica('sc-live-usdm-funding-', 23, KEY, SECRET, ['--funding-interval-s', String(INTERVAL_S)]));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('funding payments on live USD-M', () => {
  it('books each funding payment once to the account holding the position, across a kill -9 with a funding time while down', async () => {
    let serve = await startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);
    await waitUntil('the book in sync at serve', async () => serve.out().includes('BTCUSDT in sync with Binance'), 30_000, serve.out);

    // a long of 0.002 through the manual account
    let r: OrderAnswer = { ok: false };
    await waitUntil('the market buy taken', async () => {
      r = await apiRequest<OrderAnswer>(apiPort, '/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.002, type: 'MARKET' });
      return !['DENY_BOOK_CROSSED', 'DENY_BOOK_STALE', 'DENY_FEED_STALE', 'DENY_NO_MARKET'].some((c) => r.error?.message.includes(c));
    }, 60_000, () => JSON.stringify(r));
    expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    await waitUntil('the long in the engine', async () => (await manualRow())?.position === 0.002, 30_000, serve.out);

    // a funding time passes: the replica's record, in serve's figures
    await waitUntil('a funding payment at the replica', async () => (await fundingRecords()).length >= 1, (INTERVAL_S + 5) * 1000);
    const first = await fundingAgrees(serve, 'serve\'s funding equal to the replica\'s records');
    expect(sum(first).isNegative()).toBe(true); // a long pays a positive rate
    const state = await replicaState();
    const commission = state.trades.reduce((a, t) => a.add(t.commission), new Decimal(0));
    // net realized: − commission + funding (no quantity closed), as the replica's income says
    await waitUntil('realized_pnl = funding − commission', async () => {
      const [row, recs] = [await manualRow(), await fundingRecords()];
      return row !== undefined && row.realized_pnl === sum(recs).sub(commission).toNumber() && row.funding === sum(recs).toNumber();
    }, 15_000, serve.out);

    // kill -9, and a funding time passes while serve is down
    serve.child.kill('SIGKILL');
    await serve.exited;
    const atKill = (await fundingRecords()).length;
    await waitUntil('a funding payment while serve is down', async () => (await fundingRecords()).length > atKill, (INTERVAL_S + 5) * 1000);

    // back up: the missed payment is applied (once), the earlier ones are not applied again
    serve = await startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);
    const after = await fundingAgrees(serve, 'serve\'s funding equal to the replica\'s records after the restart');
    expect(after.length).toBeGreaterThan(atKill);
    const health = await apiRequest<{ execution?: { last_reconcile?: { fundingApplied?: number | null } } }>(apiPort, '/api/health');
    expect(health.execution?.last_reconcile?.fundingApplied ?? null, JSON.stringify(health.execution)).not.toBeNull();
    expect(serve.out()).toMatch(/funding \((reconciliation|FUNDING_FEE event)\): \d+ payment\(s\) applied/);
    // a reconciliation on request reads the income history again and applies nothing twice
    const before = await manualRow();
    const rec = await apiRequest<{ ok: boolean; funding_applied: number | null }>(apiPort, '/api/reconcile', {});
    expect(rec.ok, JSON.stringify(rec)).toBe(true);
    expect(typeof rec.funding_applied).toBe('number');
    await fundingAgrees(serve, 'serve\'s funding equal to the replica\'s records after POST /api/reconcile');
    expect((await manualRow())!.funding).toBeLessThanOrEqual(before!.funding); // only payments made since, all charges of a long

    // the journal: each payment once, keyed by tranId, the share the replica's exact decimal
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    // the signed endpoint serve reads answers the same records
    const signed = await signedRequest<IncomeJson[]>(replicaUrl, KEY, SECRET, '/fapi/v1/income', { incomeType: 'FUNDING_FEE', symbol: 'BTCUSDT', startTime: '0', limit: '1000' });
    expect(signed).toEqual(await fundingRecords());
    const j = Journal.open(dir);
    try {
      const rows = j.funding();
      const records = await fundingRecords();
      const lastJournaled = Math.max(...rows.map((x) => Number(x.tsEventNs / 1_000_000n)));
      const expected = records.filter((x) => x.time <= lastJournaled);
      expect(rows.map((x) => x.tranId)).toEqual(expected.map((x) => String(x.tranId)));
      expect(rows.map((x) => [x.strategyId, x.symbol, x.asset, x.shareQuote, x.incomeQuote])).toEqual(expected.map((x) => ['manual', 'BTCUSDT', 'USDT', x.income, x.income]));
      expect(rows.map((x) => x.tsEventNs)).toEqual(expected.map((x) => BigInt(x.time) * 1_000_000n));
      expect(expected.length).toBeGreaterThanOrEqual(after.length);
    } finally {
      j.close();
    }
    expect(serve.out()).not.toContain(SECRET);
  }, 180_000);
});
