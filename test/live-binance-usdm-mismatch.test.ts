// A position at the venue that the engine did not make, found by the reconciliation after a
// reconnect, as a trader meets it: `spreadcore replica binance --futures` and `spreadcore serve
// --execution binance-usdm-testnet`, real processes; another client on the account buys.
//   - the mismatch halts the strategy and is said at warn level (it was an info line), with
//     what to do;
//   - doing that (closing the other client's position) and restarting lets the strategy trade
//     (POST /api/reconcile does it without a restart: live-binance-usdm-reconcile-request.test.ts).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { apiRequest, signedRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-mismatch-key-2c7a';
const SECRET = 'usdm-mismatch-secret-e51f08b3';

let dir = '';
let replicaUrl = '';
let apiPort = 0;

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
const otherClient = (side: 'BUY' | 'SELL'): Promise<unknown> => signedRequest(replicaUrl, KEY, SECRET, '/fapi/v1/order', { symbol: 'BTCUSDT', side, type: 'MARKET', quantity: '0.003' }, { method: 'POST' });

const startServe = (): Promise<CliProcess> => startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);
const riskState = async (): Promise<string> => (await api<{ strategies: { risk_state: string }[] }>('/api/strategies')).strategies[0]!.risk_state;

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort } = await startUsdmReplica('sc-live-usdm-mismatch-', 3, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('USD-M position mismatch after a reconnect', () => {
  it('halts, says so at warn level with what to do, and trades again once the position is put back and serve restarted', async () => {
    let serve = await startServe();
    expect((await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 20, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    })).ok).toBe(true);
    await api('/api/strategy/mm/start', {});
    expect(await riskState()).toBe('ACTIVE');

    await otherClient('BUY');
    const res = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ dropConnections: true }) });
    expect(res.status).toBe(200);
    await waitUntil('the mismatch on the log', async () => serve.out().includes('MISMATCH'), 20_000, serve.out);
    const line = serve.out().split('\n').find((l) => l.includes('MISMATCH'))!;
    const entry = JSON.parse(line) as { level: number; msg: string };
    expect(entry.level).toBe(40);
    expect(entry.msg).toContain('MISMATCH: BTCUSDT position ');
    expect(entry.msg).toContain('halted (reconcile_mismatch)');
    expect(entry.msg).toContain('then POST /api/reconcile');
    await waitUntil('the strategy halted', async () => (await riskState()) === 'HALTED', 10_000, serve.out);

    // what the line says to do
    await otherClient('SELL');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    serve = await startServe();
    expect(serve.out()).not.toContain('MISMATCH');
    expect(await riskState()).toBe('ACTIVE');
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 120_000);
});
