// POST /api/reconcile: a trader who fixed a position mismatch at the venue asks the running
// engine to check again, as a trader meets it: `spreadcore replica binance --futures` and
// `spreadcore serve --execution binance-usdm-testnet`, real processes; another client on the
// account buys, a reconnect's reconciliation halts the strategy (reconcile_mismatch).
//   - POST /api/reconcile while the position still differs: answers the mismatch and what to
//     do, and the strategy stays halted (no quote at the venue);
//   - once the other client's position is closed: answers ok, lifts the halt, and the strategy
//     quotes at the venue again, without a restart;
//   - a reconciliation the venue fails answers 502 SPREADCORE_ERR_VENUE_UNAVAILABLE and is tried
//     again in the background;
//   - a mismatch the request finds halts too; with the kill switch on, the halt is lifted and the
//     kill switch is not;
//   - on the simulator (paper execution): 409 SPREADCORE_ERR_NOT_LIVE and nothing changes.
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, signedRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-reconcile-req-key-7d1e';
const SECRET = 'usdm-reconcile-req-secret-0b94c2aa';

let dir = '';
let simDir = '';
let replicaUrl = '';
let apiPort = 0;

interface ReconcileAnswer {
  ok: boolean; venue: string; mismatches: string[]; hint?: string; kill_switch: string;
  lifted: { strategy_id: string; symbols: string[] }[]; halted: { strategy_id: string; symbols: string[] }[];
}

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
const reconcile = async (port = apiPort): Promise<{ status: number; body: ReconcileAnswer & { error?: { code: string; message: string } } }> => {
  const res = await fetch(`http://127.0.0.1:${port}/api/reconcile`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
  return { status: res.status, body: await res.json() as ReconcileAnswer & { error?: { code: string; message: string } } };
};
const otherClient = (side: 'BUY' | 'SELL'): Promise<unknown> => signedRequest(replicaUrl, KEY, SECRET, '/fapi/v1/order', { symbol: 'BTCUSDT', side, type: 'MARKET', quantity: '0.003' }, { method: 'POST' });
const venueOpen = (): Promise<unknown[]> => signedRequest<unknown[]>(replicaUrl, KEY, SECRET, '/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
const riskState = async (): Promise<string> => (await api<{ strategies: { risk_state: string }[] }>('/api/strategies')).strategies[0]!.risk_state;

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort } = await startUsdmReplica('sc-live-usdm-reconcile-req-', 5, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  for (const d of [dir, simDir]) if (d !== '') rmSync(d, { recursive: true, force: true });
});

describe('POST /api/reconcile on USD-M', () => {
  it('keeps the halt while the position differs, lifts it once the position is put back, and the strategy quotes again without a restart', async () => {
    const serve: CliProcess = await startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);
    expect((await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 20, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    })).ok).toBe(true);
    await api('/api/strategy/mm/start', {});
    await waitUntil('quotes at the venue', async () => (await venueOpen()).length > 0, 30_000, serve.out);

    // positions agree: the request answers ok and lifts nothing; two at once both get the answer of a pass run after them
    const [clean, twice] = await Promise.all([reconcile(), reconcile()]);
    for (const r of [clean, twice]) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: true, venue: 'binance-usdm', mismatches: [], lifted: [], halted: [], kill_switch: 'ACTIVE' });
      expect(r.body.hint).toBeUndefined();
    }

    // a reconciliation the venue fails: 502 with the code, no key in it; tried again in the background until the strategy quotes again
    const fault = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ failRequests: { path: '/fapi/v1/openOrders', count: 1, status: 503 } }) });
    expect(fault.status).toBe(200);
    const failed = await reconcile();
    expect(failed.status).toBe(502);
    expect(failed.body.error!.code).toBe('SPREADCORE_ERR_VENUE_UNAVAILABLE');
    expect(failed.body.error!.message).toContain('tried again in the background');
    for (const secret of [KEY, SECRET]) expect(JSON.stringify(failed.body)).not.toContain(secret);
    await waitUntil('the strategy quoting again after the retry', async () => {
      const l = await api<{ strategies: { status: string; pause_reasons: string[] }[] }>('/api/strategies');
      return l.strategies[0]!.status === 'running' && !l.strategies[0]!.pause_reasons.includes('venue');
    }, 30_000, serve.out);
    await waitUntil('quotes at the venue after the retry', async () => (await venueOpen()).length > 0, 30_000, serve.out);

    // another client on the account buys; the reconnect's reconciliation halts the strategy
    await otherClient('BUY');
    const res = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ dropConnections: true }) });
    expect(res.status).toBe(200);
    await waitUntil('the strategy halted', async () => (await riskState()) === 'HALTED', 30_000, serve.out);
    await waitUntil('no quote left at the venue', async () => (await venueOpen()).length === 0, 30_000, serve.out);
    const line = serve.out().split('\n').find((l) => l.includes('MISMATCH'))!;
    expect(line).toContain('then POST /api/reconcile');

    // asking again before the position is fixed: the mismatch, what to do, and the halt stays
    const still = await reconcile();
    expect(still.status).toBe(200);
    expect(still.body.ok).toBe(false);
    expect(still.body.mismatches).toHaveLength(1);
    expect(still.body.mismatches[0]).toMatch(/^BTCUSDT position -?[\d.]+ in the ledgers, -?[\d.]+ at the venue$/);
    expect(still.body.halted).toEqual([{ strategy_id: 'mm', symbols: ['BTCUSDT'] }]);
    expect(still.body.lifted).toEqual([]);
    expect(still.body.hint).toContain('POST /api/reconcile');
    expect(await riskState()).toBe('HALTED');
    const overview = await api<{ risk_reason: string }>('/api/strategy/mm/overview?symbol=BTCUSDT');
    expect(overview.risk_reason).toBe('reconcile_mismatch');
    expect(await venueOpen()).toEqual([]);

    // the trader closes the other client's position at the venue and asks again: lifted, quoting again
    await otherClient('SELL');
    const fixed = await reconcile();
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ ok: true, mismatches: [], halted: [], lifted: [{ strategy_id: 'mm', symbols: ['BTCUSDT'] }] });
    expect(await riskState()).toBe('ACTIVE');
    await waitUntil('quotes at the venue again', async () => (await venueOpen()).length > 0, 30_000, serve.out);
    expect(serve.out()).toContain('reconcile_mismatch halt lifted');
    const health = await api<{ execution: { last_reconcile: { ok: boolean } } }>('/api/health');
    expect(health.execution.last_reconcile.ok).toBe(true);

    // a mismatch the request itself finds halts as well; under the kill switch the lift leaves the kill switch on
    await otherClient('BUY');
    const found = await reconcile();
    expect(found.body).toMatchObject({ ok: false, halted: [{ strategy_id: 'mm', symbols: ['BTCUSDT'] }], lifted: [] });
    expect(await riskState()).toBe('HALTED');
    expect((await api<{ ok: boolean }>('/api/kill', {})).ok).toBe(true);
    await otherClient('SELL');
    const underKill = await reconcile();
    expect(underKill.body).toMatchObject({ ok: true, lifted: [{ strategy_id: 'mm', symbols: ['BTCUSDT'] }], halted: [], kill_switch: 'HALTED' });
    expect(underKill.body.hint).toContain('POST /api/resume');
    expect(await riskState()).toBe('HALTED');
    const overview2 = await api<{ risk_reason: string; kill_switch: string }>('/api/strategy/mm/overview?symbol=BTCUSDT');
    expect(overview2).toMatchObject({ risk_reason: 'manual_kill', kill_switch: 'HALTED' });
    await waitUntil('no quote at the venue under the kill switch', async () => (await venueOpen()).length === 0, 30_000, serve.out);
    expect((await api<{ ok: boolean }>('/api/resume', {})).ok).toBe(true);
    expect(await riskState()).toBe('ACTIVE');
    await waitUntil('quotes at the venue once the kill switch is released', async () => (await venueOpen()).length > 0, 30_000, serve.out);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 180_000);

  it('on the simulator (paper execution): 409 SPREADCORE_ERR_NOT_LIVE, and nothing changes', async () => {
    simDir = mkdtempSync(join(tmpdir(), 'sc-reconcile-sim-'));
    const port = await freePort();
    const serve = await startCli(['serve', '--port', String(port), '--data-dir', simDir, '--rate-limit', '0'], /control API listening/);
    await apiRequest(port, '/api/strategy/load', {
      name: 'sim_mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 20, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    });
    await apiRequest(port, '/api/strategy/sim_mm/start', {});
    const view = async (): Promise<unknown> => {
      const l = await apiRequest<{ strategies: Record<string, unknown>[] }>(port, '/api/strategies');
      const h = await apiRequest<Record<string, unknown>>(port, '/api/health');
      return { strategies: l.strategies.map((s) => ({ ...s, uptime_seconds: 0 })), kill_switch: h['kill_switch'], execution: h['execution'] };
    };
    const before = await view();
    const r = await reconcile(port);
    expect(r.status).toBe(409);
    expect(r.body.ok).toBe(false);
    expect(r.body.error!.code).toBe('SPREADCORE_ERR_NOT_LIVE');
    expect(r.body.error!.message).toContain('paper exchange');
    expect(await view()).toEqual(before);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 60_000);
});
