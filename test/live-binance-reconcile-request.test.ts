// POST /api/reconcile on Binance spot: `spreadcore replica binance` and `spreadcore serve` in
// live spot-testnet mode, real processes. Spot has no position at the venue: the check is the
// ledgers' position against the venue's own trades since the journal's first live run, so a
// buy by another client on the account is a mismatch.
//   - the request finds it and halts the strategy (reconcile_mismatch), and says what to do;
//   - once the other client sold it back, the request lifts the halt and the strategy quotes
//     at the venue again, without a restart.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { apiRequest, signedRequest, startReplicaAndServe, waitUntil } from './support/live-binance.js';

const KEY = 'spot-reconcile-req-key-5a93';
const SECRET = 'spot-reconcile-req-secret-c02f7e11';

let dir = '';
let replicaUrl = '';
let apiPort = 0;
let serve: CliProcess;

interface Answer { ok: boolean; venue: string; mismatches: string[]; hint?: string; lifted: { strategy_id: string }[]; halted: { strategy_id: string }[] }

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
const reconcile = async (): Promise<{ status: number; body: Answer }> => {
  const res = await fetch(`http://127.0.0.1:${apiPort}/api/reconcile`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
  return { status: res.status, body: await res.json() as Answer };
};
const otherClient = (side: 'BUY' | 'SELL'): Promise<unknown> => signedRequest(replicaUrl, KEY, SECRET, '/api/v3/order', { symbol: 'BTCUSDT', side, type: 'MARKET', quantity: '0.003' }, { method: 'POST' });
const venueOpen = (): Promise<unknown[]> => signedRequest<unknown[]>(replicaUrl, KEY, SECRET, '/api/v3/openOrders', { symbol: 'BTCUSDT' });
const riskState = async (): Promise<string> => (await api<{ strategies: { risk_state: string }[] }>('/api/strategies')).strategies[0]!.risk_state;

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort, serve } = await startReplicaAndServe('sc-live-spot-reconcile-req-', 6, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/reconcile on spot', () => {
  it('halts on another client\'s trade, and lifts the halt once it is traded back', async () => {
    // quotes far from the market: the other client's market orders trade with the replica's book, not with ours
    expect((await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 200, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    })).ok).toBe(true);
    await api('/api/strategy/mm/start', {});
    await waitUntil('quotes at the venue', async () => (await venueOpen()).length > 0, 30_000, serve.out);
    const clean = await reconcile();
    expect(clean.body).toMatchObject({ ok: true, venue: 'binance', mismatches: [], lifted: [], halted: [] });

    await otherClient('BUY');
    const found = await reconcile();
    expect(found.status).toBe(200);
    expect(found.body.ok).toBe(false);
    expect(found.body.mismatches).toHaveLength(1);
    expect(found.body.mismatches[0]).toMatch(/^BTCUSDT position -?[\d.]+ in the ledgers, -?[\d.]+ from the venue's trades$/);
    expect(found.body.halted).toEqual([{ strategy_id: 'mm', symbols: ['BTCUSDT'] }]);
    expect(found.body.hint).toContain('then POST /api/reconcile');
    expect(await riskState()).toBe('HALTED');
    await waitUntil('no quote at the venue while halted', async () => (await venueOpen()).length === 0, 30_000, serve.out);

    await otherClient('SELL');
    const fixed = await reconcile();
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ ok: true, mismatches: [], halted: [], lifted: [{ strategy_id: 'mm', symbols: ['BTCUSDT'] }] });
    expect(await riskState()).toBe('ACTIVE');
    await waitUntil('quotes at the venue again', async () => (await venueOpen()).length > 0, 30_000, serve.out);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);
});
