// `spreadcore serve --market kalshi` against `spreadcore replica kalshi` (both real processes):
// Kalshi stops answering REST (the replica's failRequests fault) while the WebSocket drops, so
// the reconcile after the reconnect fails. It is run again in the background, the failure is
// logged once for the whole outage, and once Kalshi answers again the strategy quotes by itself,
// without POST /api/reconcile or another reconnect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { failAtReconnect, pauseReasons, replicaAdmin, replicaState, startKalshiReplica, startPredictionServe } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-kalshi-retry-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

type KState = { orders: Array<{ order_id: string; status: string }>; counters: { requestsFailed: number } };
type Health = { execution: { venues_down: string[]; kalshi: { paused: boolean; reconcile_failures: number } } };

describe('serve --market kalshi: a reconcile that fails after a reconnect', () => {
  it('is run again in the background until Kalshi answers, and the strategy quotes again by itself', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys'));
    const s = await startPredictionServe({ kalshi: k, dataDir: join(tmp, 'data') });
    const out = s.proc.out;
    const resting = async (): Promise<string[]> => (await replicaState<KState>(k.url)).orders.filter((o) => o.status === 'resting').map((o) => o.order_id);
    const health = async (): Promise<Health['execution']> => (await apiRequest<Health>(s.port, '/api/health')).execution;

    expect(await apiRequest<{ ok: boolean }>(s.port, '/api/strategy/load', {
      name: 'k1', type: 'MarketMaking', universe: { venue: 'kalshi', kind: 'binary' },
      parameters: { max_markets: 1, base_spread: 0.02, quote_size: 5, quote_levels: 1, max_inventory: 50, fee_model: 'kalshi_maker_fees' },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/k1/start', {});
    await waitUntil('a resting quote at Kalshi', async () => (await resting()).length > 0, 20_000, out);

    // Kalshi's REST fails, and the WebSocket drops: the reconnect's reconcile fails
    await failAtReconnect(s, 'kalshi', k.url);
    // one line for the outage, not one per attempt
    expect(out().match(/kalshi: reconcile failed/g)?.length).toBe(1);
    expect(out()).toMatch(/kalshi: reconcile failed \(Kalshi 503 service_unavailable: .*\); strategies stay paused \(venue\), trying again in the background/);
    expect(out()).not.toContain(k.privateKeyPem.split('\n')[1]!);

    // Kalshi answers again: the next retry reconciles and the strategy quotes, nothing asked
    const before = new Set(await resting());
    await replicaAdmin(k.url, 'faults', { failRequests: 0 });
    await waitUntil('quoting again', async () => (await pauseReasons(s.port)).length === 0 && (await health()).venues_down.length === 0, 60_000, out);
    await waitUntil('a new quote at Kalshi', async () => (await resting()).some((id) => !before.has(id)), 30_000, out);
    expect((await health()).kalshi.reconcile_failures).toBe(0);
    expect(out()).toMatch(/kalshi: reconcile ran again after \d+ failed attempt\(s\)/);
    expect(out().match(/kalshi: reconcile failed/g)?.length).toBe(1);
    expect(out()).not.toMatch(/POST \/api\/reconcile.*lifted|reconcile on request/);

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 180_000);
});
