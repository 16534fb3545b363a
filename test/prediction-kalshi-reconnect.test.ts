// `spreadcore serve --market kalshi` against `spreadcore replica kalshi` (both real processes):
// a market determined while the WebSocket is down sends its lifecycle event to nobody; the
// reconcile after the reconnect reads the markets again and settles it, so the ledgers agree
// with Kalshi's positions and quoting resumes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { replicaAdmin, replicaState, startKalshiReplica, startPredictionServe, throughPrice, WIDE_PRICE_BAND } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-kalshi-reconnect-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

const ELEC = 'KXSIMELEC-28-DEM';
type Accounts = { accounts: Array<{ account: string; positions: Array<{ symbol: string; position: number; realized_pnl: number }> }> };
type KState = { positions: Record<string, number>; fills: Array<{ ticker: string; yes_price_dollars: string; fee_cost: string; count_fp: string }> };

describe('serve --market kalshi: a market settled while the WebSocket is down', () => {
  it('is settled at the reconcile after the reconnect, and the venue is clean again', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys'));
    const s = await startPredictionServe({ kalshi: k, args: WIDE_PRICE_BAND, dataDir: join(tmp, 'data') });
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: ELEC, qty: 3, type: 'LIMIT', price: await throughPrice(s.port, ELEC, 'BUY', 3) })).toMatchObject({ ok: true });
    const manual = async (): Promise<{ position: number; realized_pnl: number } | undefined> =>
      (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((p) => p.symbol === ELEC);
    await waitUntil('the fill in the ledger', async () => (await manual())?.position === 3, 15_000, s.proc.out);
    const fills = (await replicaState<KState>(k.url)).fills.filter((f) => f.ticker === ELEC);
    const payout = fills.reduce((a, f) => a + Number(f.count_fp) * (1 - Number(f.yes_price_dollars)) - Number(f.fee_cost), 0);

    // the link drops and the market settles before the client is back (it waits 250 ms at least)
    await replicaAdmin(k.url, 'faults', { disconnect: true });
    await replicaAdmin(k.url, 'settle', { ticker: ELEC, result: 'yes' });
    await waitUntil('reconnected and reconciled', async () => {
      const h = await apiRequest<{ execution: { venues_down: string[] } }>(s.port, '/api/health');
      return /kalshi: reconnected/.test(s.proc.out()) && h.execution.venues_down.length === 0;
    }, 20_000, s.proc.out);
    expect(s.proc.out()).toMatch(/kalshi: KXSIMELEC-28-DEM settled YES/);
    expect(s.proc.out()).not.toMatch(/MISMATCH/);
    // the drop is said once, with what it means
    expect(s.proc.out().match(/kalshi: WebSocket closed \(code \d+\): our fills are not heard; strategies paused \(venue\)/g)?.length).toBe(1);
    const after = await manual();
    expect(after?.position).toBe(0);
    expect(after?.realized_pnl).toBeCloseTo(payout, 6);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 60_000);
});

describe('serve --market kalshi: a market determined but not settled yet at Kalshi', () => {
  it('is not a position mismatch at a reconcile (Kalshi still lists the position until it settles)', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-d'));
    const s = await startPredictionServe({ kalshi: k, args: WIDE_PRICE_BAND, dataDir: join(tmp, 'data-d') });
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: ELEC, qty: 3, type: 'LIMIT', price: await throughPrice(s.port, ELEC, 'BUY', 3) })).toMatchObject({ ok: true });
    const manual = async (): Promise<{ position: number; realized_pnl: number } | undefined> =>
      (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((p) => p.symbol === ELEC);
    await waitUntil('the fill in the ledger', async () => (await manual())?.position === 3, 15_000, s.proc.out);
    await replicaAdmin(k.url, 'settle', { ticker: ELEC, result: 'yes', finalize: false });
    await waitUntil('settled in the engine at the determination', async () => (await manual())?.position === 0, 15_000, s.proc.out);
    expect((await replicaState<KState>(k.url)).positions[ELEC]).toBe(3);
    // a reconcile while Kalshi still holds the determined position
    await replicaAdmin(k.url, 'faults', { disconnect: true });
    await waitUntil('reconnected and reconciled', async () => {
      const h = await apiRequest<{ execution: { venues_down: string[]; kalshi: { last_reconcile: { at_ms: number } | null } } }>(s.port, '/api/health');
      return /kalshi: reconnected/.test(s.proc.out()) && h.execution.venues_down.length === 0;
    }, 20_000, s.proc.out);
    expect(s.proc.out()).not.toMatch(/MISMATCH/);
    await replicaAdmin(k.url, 'settle', { ticker: ELEC, result: 'yes' });
    expect((await replicaState<KState>(k.url)).positions[ELEC] ?? 0).toBe(0);
    expect((await manual())?.position).toBe(0);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 60_000);
});
