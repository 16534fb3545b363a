// `spreadcore serve --market kalshi` against `spreadcore replica kalshi` (both real processes):
// another client on the same Kalshi account buys and sells back (signed orders sent to the
// replica outside the engine), so the positions still agree with the ledgers. The reconcile after
// the next reconnect finds those fills of orders the engine did not send, leaves them to the
// position check, and the strategy quotes again without POST /api/reconcile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaEndpoints } from '../src/venues/kalshi/endpoints.js';
import { KalshiRestClient } from '../src/venues/kalshi/rest-client.js';
import { KalshiSigner } from '../src/venues/kalshi/signing.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { replicaAdmin, replicaState, startKalshiReplica, startPredictionServe } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-kalshi-foreign-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

const ELEC = 'KXSIMELEC-28-DEM';
type KState = {
  orders: Array<{ order_id: string; ticker: string; status: string; client_order_id: string }>;
  fills: Array<{ ticker: string; client_order_id?: string }>; positions: Record<string, number>;
};
type Health = { execution: { venues_down: string[]; kalshi: { last_reconcile: { ok: boolean; at_ms: number } | null } } };

describe('serve --market kalshi: another client\'s trades that leave the positions agreeing', () => {
  it('do not keep the strategies paused after the reconnect\'s reconcile', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys'));
    const s = await startPredictionServe({ kalshi: k, dataDir: join(tmp, 'data') });
    const out = s.proc.out;
    const other = new KalshiRestClient({ endpoints: replicaEndpoints(k.url), signer: new KalshiSigner(k.keyId, k.privateKeyPem) });
    let n = 0;
    const otherTrade = async (side: 'BUY' | 'SELL', count: number): Promise<void> => {
      await other.createOrder({
        ticker: ELEC, client_order_id: `outside-${++n}`, side: side === 'BUY' ? 'bid' : 'ask', count: count.toFixed(2), price: side === 'BUY' ? '0.9900' : '0.0100',
        time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross',
      });
    };
    const venuePosition = async (): Promise<number> => (await replicaState<KState>(k.url)).positions[ELEC] ?? 0;
    const ours = async (): Promise<string[]> => (await replicaState<KState>(k.url)).orders
      .filter((o) => o.status === 'resting' && !o.client_order_id.startsWith('outside-')).map((o) => o.order_id);
    const pauseReasons = async (): Promise<string[]> => (await apiRequest<{ strategies: Array<{ pause_reasons: string[] }> }>(s.port, '/api/strategies')).strategies[0]!.pause_reasons;
    const health = async (): Promise<Health['execution']> => (await apiRequest<Health>(s.port, '/api/health')).execution;

    expect(await apiRequest<{ ok: boolean }>(s.port, '/api/strategy/load', {
      name: 'k1', type: 'MarketMaking', universe: { venue: 'kalshi', kind: 'binary' },
      parameters: { max_markets: 1, base_spread: 0.02, quote_size: 5, quote_levels: 1, max_inventory: 50, fee_model: 'kalshi_maker_fees' },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/k1/start', {});
    await waitUntil('a resting quote at Kalshi', async () => (await ours()).length > 0, 20_000, out);

    // the other client buys and sells it back: two fills at Kalshi, the position is 0 again
    await otherTrade('BUY', 3);
    await waitUntil('the other client\'s position at Kalshi', async () => (await venuePosition()) > 0, 15_000, out);
    await otherTrade('SELL', await venuePosition());
    await waitUntil('the position back to 0 at Kalshi', async () => (await venuePosition()) === 0, 15_000, out);
    const outsideFills = (await replicaState<KState>(k.url)).fills.filter((f) => f.ticker === ELEC && (f.client_order_id ?? '').startsWith('outside-')).length;
    expect(outsideFills).toBeGreaterThanOrEqual(2);

    // the link drops; the reconcile after the reconnect finds those fills
    const before = new Set(await ours());
    const lastAt = (await health()).kalshi.last_reconcile?.at_ms ?? 0;
    await replicaAdmin(k.url, 'faults', { disconnect: true });
    await waitUntil('the fills of the other client found by the reconnect\'s reconcile', async () =>
      /kalshi: reconnected/.test(out()) && /of an order this process did not send: left to the position check/.test(out()), 30_000, out);
    await waitUntil('quoting again after the reconnect', async () => {
      const h = await health();
      return h.venues_down.length === 0 && (h.kalshi.last_reconcile?.at_ms ?? 0) > lastAt && h.kalshi.last_reconcile?.ok === true && (await pauseReasons()).length === 0;
    }, 30_000, out);
    await waitUntil('a new quote at Kalshi', async () => (await ours()).some((id) => !before.has(id)), 30_000, out);
    expect(out()).not.toMatch(/MISMATCH/);
    expect(out()).not.toMatch(/reconcile on request/);

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});
