// `spreadcore serve --market kalshi` against `spreadcore replica kalshi` (both real processes):
// an open order at Kalshi this process does not track (another client's, on the same account)
// whose cancel Kalshi keeps refusing (the replica's refuseCancels fault, an exchange pause). The
// reconcile's cancel is tried a few times with a pause between, then given up: one line names the
// order and what to do, the venue stays paused, and nothing is sent for it any more. Once the
// order is cancelled at Kalshi, POST /api/reconcile finds the venue clean.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNTRACKED_CANCEL_ATTEMPTS } from '../src/cli/serve-prediction.js';
import { replicaEndpoints } from '../src/venues/kalshi/endpoints.js';
import { KalshiRestClient } from '../src/venues/kalshi/rest-client.js';
import { KalshiSigner } from '../src/venues/kalshi/signing.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { replicaAdmin, replicaState, startKalshiReplica, startPredictionServe } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-kalshi-untracked-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

const ELEC = 'KXSIMELEC-28-DEM';
type KState = { orders: Array<{ order_id: string; status: string }>; counters: { cancelsRefused: number } };
type Health = { execution: { venues_down: string[]; kalshi: { paused: boolean; last_reconcile: { ok: boolean } | null } } };

describe('serve --market kalshi: an open order this process does not track that Kalshi will not cancel', () => {
  it('is tried a few times, then named with what to do; the venue stays paused until it is gone', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys'));
    const s = await startPredictionServe({ kalshi: k, dataDir: join(tmp, 'data') });
    const out = s.proc.out;
    const health = async (): Promise<Health['execution']> => (await apiRequest<Health>(s.port, '/api/health')).execution;
    await waitUntil('the venue up', async () => (await health()).venues_down.length === 0, 20_000, out);

    // another client's order rests far from the book; Kalshi refuses every cancel from now on
    const other = new KalshiRestClient({ endpoints: replicaEndpoints(k.url), signer: new KalshiSigner(k.keyId, k.privateKeyPem) });
    const placed = await other.createOrder({
      ticker: ELEC, client_order_id: 'outside-1', side: 'bid', count: '2.00', price: '0.0200', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross',
    });
    await replicaAdmin(k.url, 'faults', { refuseCancels: 1_000_000 });
    await replicaAdmin(k.url, 'faults', { disconnect: true });

    const giveUpText = (`kalshi: open order ${placed.order_id} \\(client order id outside-1, ${ELEC} buy 2\\.00 @ 0\\.0200\\) is not this process's, `
      + `and Kalshi refused to cancel it ${UNTRACKED_CANCEL_ATTEMPTS} times \\(last: Kalshi 503 exchange_unavailable: .*\\): the strategies stay paused \\(venue\\) while it rests\\. `
      + 'Cancel it at Kalshi, then POST /api/reconcile');
    const giveUp = new RegExp(giveUpText);
    await waitUntil('the line giving up on the order', async () => giveUp.test(out()), 60_000, out);
    const refused = (await replicaState<KState>(k.url)).counters.cancelsRefused;
    expect(refused).toBe(UNTRACKED_CANCEL_ATTEMPTS);
    // no more cancels for it, and no more reconciles they would start: a few seconds later nothing changed
    const lines = out().split('\n').length;
    await new Promise((r) => setTimeout(r, 4000));
    expect((await replicaState<KState>(k.url)).counters.cancelsRefused).toBe(refused);
    expect(out().match(new RegExp(giveUpText, 'g'))?.length).toBe(1);
    expect(out().split('\n').slice(lines - 1).join('\n')).not.toMatch(/kalshi: reconcile found|could not cancel/);
    const h = await health();
    expect(h.venues_down).toEqual(['kalshi']);
    expect(h.kalshi).toMatchObject({ paused: true, last_reconcile: { ok: false } });
    expect((await replicaState<KState>(k.url)).orders.find((o) => o.order_id === placed.order_id)?.status).toBe('resting');

    // asking while it still rests: not clean, and the answer names the order
    const ask = async (): Promise<{ status: number; body: { ok: boolean; hint?: string; venues: { kalshi: { unknown_orders: number } } } }> => {
      const res = await fetch(`http://127.0.0.1:${s.port}/api/reconcile`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
      return { status: res.status, body: await res.json() as { ok: boolean; hint?: string; venues: { kalshi: { unknown_orders: number } } } };
    };
    const still = await ask();
    expect(still.status).toBe(200);
    expect(still.body.ok).toBe(false);
    expect(still.body.venues.kalshi.unknown_orders).toBe(1);
    expect(still.body.hint).toContain(`Kalshi refused to cancel open order(s) ${placed.order_id} this process does not track: cancel them at Kalshi, then POST /api/reconcile`);
    expect((await replicaState<KState>(k.url)).counters.cancelsRefused).toBe(refused);

    // the operator cancels it at Kalshi once it accepts cancels, then asks: clean, quoting allowed again
    await replicaAdmin(k.url, 'faults', { refuseCancels: 0 });
    await other.cancelOrder(placed.order_id);
    const fixed = await ask();
    expect(fixed.status).toBe(200);
    expect(fixed.body.ok).toBe(true);
    await waitUntil('the venue up again', async () => (await health()).venues_down.length === 0, 20_000, out);

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});
