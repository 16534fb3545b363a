// A reconciliation after a reconnect that fails (Binance answers a query with a 5xx), as a
// trader meets it: `spreadcore replica binance --futures` and `spreadcore serve --execution
// binance-usdm-testnet`, real processes. The strategies pause for the reconciliation; it is
// tried again until it succeeds (the outage said once, its end once), and they quote again.
// (They stayed paused, reason "venue", until the next reconnect, with an info line as the
// only trace.) And a user stream that stays
// down: no quote rests at the venue while no fill could be seen (POST /api/reconcile says so);
// quoting resumes once it is back and reconciled.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-retry-key-93be';
const SECRET = 'usdm-retry-secret-4d20c7a1';

let dir = '';
let replicaUrl = '';
let apiPort = 0;

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
interface Summary { status: string; pause_reasons: string[] }
const strategy = async (): Promise<Summary> => (await api<{ strategies: Summary[] }>('/api/strategies')).strategies[0]!;
async function venueOpen(): Promise<number> {
  const s = await (await fetch(`${replicaUrl}/__replica/state`)).json() as { orders: { status: string }[] };
  return s.orders.filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').length;
}

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort } = await startUsdmReplica('sc-live-usdm-retry-', 8, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('USD-M reconciliation that fails after a reconnect', () => {
  it('is tried again until it succeeds, said at warn level, and the strategy quotes again', async () => {
    const serve = await startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);
    expect((await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 20, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    })).ok).toBe(true);
    await api('/api/strategy/mm/start', {});
    await waitUntil('quotes at the venue', async () => (await venueOpen()) > 0, 20_000, serve.out);

    // the connections drop; the reconciliation's first two open-orders queries get a 503
    const res = await fetch(`${replicaUrl}/__replica/faults`, {
      method: 'POST', body: JSON.stringify({ failRequests: { path: '/fapi/v1/openOrders', count: 2, status: 503 }, dropConnections: true }),
    });
    expect(res.status).toBe(200);
    const health = async (): Promise<number> => (await api<{ execution: { reconcile_failures: number } }>('/api/health')).execution.reconcile_failures;
    // the third attempt comes 2 s after the second: until then health counts the two
    await waitUntil('two failed reconciliations in /api/health', async () => (await health()) === 2, 20_000, serve.out);
    // the outage is said once, at warn level, however many attempts fail
    const failed = serve.out().split('\n').filter((l) => l.includes('reconcile failed')).map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(failed).toHaveLength(1);
    expect(failed[0]!.level).toBe(40);
    expect(failed[0]!.msg).toMatch(/^binance: reconcile failed \(.*503.*\); strategies stay paused \(venue\), trying again in the background \(after 1 s, then up to every 30 s\) until Binance answers \(GET \/api\/health: execution\.reconcile_failures\)$/);
    await waitUntil('the strategy quoting again', async () => {
      const s = await strategy();
      return s.status === 'running' && !s.pause_reasons.includes('venue');
    }, 20_000, serve.out);
    await waitUntil('quotes at the venue again', async () => (await venueOpen()) > 0, 20_000, serve.out);
    expect(await health()).toBe(0);
    // and its end once
    await waitUntil('the end of the outage on the log', async () => serve.out().includes('binance: reconcile ran again after 2 failed attempt(s)'), 5_000, serve.out);
    expect(serve.out().split('reconcile failed').length - 1).toBe(1);
    const f = await (await fetch(`${replicaUrl}/__replica/faults`)).json() as { failRequests: { count: number } };
    expect(f.failRequests.count).toBe(0);

    // the user stream drops and cannot come back for a while (new listenKeys refused): the
    // strategy stops quoting meanwhile (no fill could be seen) and quotes again once it is back
    const down = await fetch(`${replicaUrl}/__replica/faults`, {
      method: 'POST', body: JSON.stringify({ failRequests: { path: '/fapi/v1/listenKey', count: 1000, status: 503 }, dropConnections: true }),
    });
    expect(down.status).toBe(200);
    await waitUntil('the strategy paused while the user stream is down', async () => (await strategy()).pause_reasons.includes('venue'), 10_000, serve.out);
    await waitUntil('no quote at the venue while the user stream is down', async () => (await venueOpen()) === 0, 10_000, serve.out);
    // /api/health says why: the user stream is down
    const h = await api<{ execution: { user_stream: { connected: boolean; reconnects: number } } }>('/api/health');
    expect(h.execution.user_stream.connected).toBe(false);
    const f2 = await (await fetch(`${replicaUrl}/__replica/faults`)).json() as { failRequests: { count: number } };
    expect(f2.failRequests.count).toBeGreaterThan(0); // still down
    // a reconciliation on request finds the positions agreeing, and says the strategies stay paused while the stream is down
    const rec = await api<{ ok: boolean; user_stream: string | null; hint?: string }>('/api/reconcile', {});
    expect(rec).toMatchObject({ ok: true, user_stream: 'down' });
    expect(rec.hint).toContain('user-data stream is down');
    expect((await strategy()).pause_reasons).toContain('venue');
    // the venue lets new listenKeys be made again
    expect((await fetch(`${replicaUrl}/__replica/faults`, { method: 'DELETE' })).status).toBe(200);
    await waitUntil('the strategy quoting again after the stream is back', async () => {
      const s = await strategy();
      return s.status === 'running' && !s.pause_reasons.includes('venue');
    }, 30_000, serve.out);
    await waitUntil('quotes at the venue once more', async () => (await venueOpen()) > 0, 20_000, serve.out);
    const h2 = await api<{ execution: { user_stream: { connected: boolean; reconnects: number } } }>('/api/health');
    expect(h2.execution.user_stream).toMatchObject({ connected: true });
    expect(h2.execution.user_stream.reconnects).toBeGreaterThanOrEqual(2);
    const rec2 = await api<{ ok: boolean; user_stream: string | null; hint?: string }>('/api/reconcile', {});
    expect(rec2).toMatchObject({ ok: true, user_stream: 'connected' });
    expect(rec2.hint).toBeUndefined();
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);
});
