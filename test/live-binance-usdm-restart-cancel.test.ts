// A restart after kill -9 with quotes resting on USD-M, when Binance answers the first cancel of
// a leftover order with a 5xx: `spreadcore replica binance --futures` and `spreadcore serve
// --execution binance-usdm-testnet`, real processes. The reconciliation sends the cancel again
// and no order of the crashed run stays resting. (It logged "could not cancel untracked order"
// and left the order at the venue until some later reconciliation.)
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { apiRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-restart-key-0e4d';
const SECRET = 'usdm-restart-secret-b7c2a915';

let dir = '';
let replicaUrl = '';
let apiPort = 0;

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
async function venueOpen(): Promise<number> {
  const s = await (await fetch(`${replicaUrl}/__replica/state`)).json() as { orders: { status: string }[] };
  return s.orders.filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').length;
}
const startServe = (): Promise<CliProcess> => startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort } = await startUsdmReplica('sc-live-usdm-restart-', 13, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('USD-M restart after kill -9: a leftover order\'s cancel answered 5xx', () => {
  it('is sent again, and nothing of the crashed run stays resting', async () => {
    let serve = await startServe();
    expect((await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 30, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    })).ok).toBe(true);
    await api('/api/strategy/mm/start', {});
    await waitUntil('quotes at the venue', async () => (await venueOpen()) === 2, 20_000, serve.out);
    serve.child.kill('SIGKILL');
    await serve.exited;
    expect(await venueOpen()).toBe(2);

    // the first cancel of the restart's reconciliation meets a 503 (and does nothing)
    const res = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ failRequests: { path: '/fapi/v1/order', count: 1, status: 503 } }) });
    expect(res.status).toBe(200);
    serve = await startServe();
    expect(serve.out()).toContain('reconciled: 0 missed fills journaled, 2 untracked orders cancelled');
    expect(await venueOpen()).toBe(0);
    expect(serve.out()).not.toContain('could not cancel untracked order');
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 120_000);
});
