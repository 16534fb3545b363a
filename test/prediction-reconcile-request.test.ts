// POST /api/reconcile on the prediction venues. Kalshi: `spreadcore replica kalshi` and
// `spreadcore serve --market kalshi`, real processes. Another client on the same Kalshi account (a signed order sent to the replica
// outside the engine) buys, the reconcile after a reconnect finds the position the ledgers do not
// hold, and the strategies stay paused (venue).
//   - POST /api/reconcile while it still differs: answers the mismatch and what to do, the
//     strategies stay paused and nothing of theirs rests at Kalshi;
//   - once that client sold it back: answers ok, and the strategy quotes at Kalshi again
//     without a restart;
//   - with Kalshi gone, the reconcile fails: 502 SPREADCORE_ERR_VENUE_UNAVAILABLE, still paused.
// Polymarket (`spreadcore replica polymarket`): the venue's reconcile runs on request and is
// answered, the strategy keeps quoting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaEndpoints } from '../src/venues/kalshi/endpoints.js';
import { KalshiRestClient } from '../src/venues/kalshi/rest-client.js';
import { KalshiSigner } from '../src/venues/kalshi/signing.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { polySymbol, replicaAdmin, replicaState, startKalshiReplica, startPolymarketReplica, startPredictionServe } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-kalshi-reconcile-req-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

const FED = 'KXSIMFED-26DEC-T4.25';
const ELEC = 'KXSIMELEC-28-DEM';
type KState = { orders: Array<{ ticker: string; status: string; client_order_id: string }>; positions: Record<string, number> };
interface Answer {
  ok: boolean; venue: string; mismatches: string[]; hint?: string;
  venues: { kalshi: { ok: boolean; paused: boolean; position_mismatches: Array<{ ticker: string; expected: string; venue: string }> } };
  lifted: Array<{ strategy_id: string }>; paused: Array<{ strategy_id: string }>;
}

describe('POST /api/reconcile on Kalshi', () => {
  it('keeps the strategies paused while a position differs, and lets them quote again once it is put back', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys'));
    const s = await startPredictionServe({ kalshi: k, dataDir: join(tmp, 'data') });
    const out = s.proc.out;
    const reconcile = async (): Promise<{ status: number; body: Answer }> => {
      const res = await fetch(`http://127.0.0.1:${s.port}/api/reconcile`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
      return { status: res.status, body: await res.json() as Answer };
    };
    // another client of the same account: the replica's key, its own requests
    const other = new KalshiRestClient({ endpoints: replicaEndpoints(k.url), signer: new KalshiSigner(k.keyId, k.privateKeyPem) });
    let n = 0;
    // a taker order through every level of the book (immediate or cancel): whatever the book holds up to `count` trades
    const otherTrade = async (side: 'BUY' | 'SELL', count: number): Promise<void> => {
      await other.createOrder({
        ticker: ELEC, client_order_id: `outside-${++n}`, side: side === 'BUY' ? 'bid' : 'ask', count: count.toFixed(2), price: side === 'BUY' ? '0.9900' : '0.0100',
        time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross',
      });
    };
    const venuePosition = async (): Promise<number> => (await replicaState<KState>(k.url)).positions[ELEC] ?? 0;
    const ours = async (): Promise<number> => (await replicaState<KState>(k.url)).orders.filter((o) => o.ticker === FED && o.status === 'resting' && !o.client_order_id.startsWith('outside-')).length;
    const paused = async (): Promise<boolean> => (await apiRequest<{ strategies: Array<{ pause_reasons: string[] }> }>(s.port, '/api/strategies')).strategies[0]!.pause_reasons.includes('venue');

    expect(await apiRequest<{ ok: boolean }>(s.port, '/api/strategy/load', {
      name: 'k1', type: 'MarketMaking', universe: { venue: 'kalshi', kind: 'binary' },
      parameters: { max_markets: 1, base_spread: 0.02, quote_size: 5, quote_levels: 1, max_inventory: 50, fee_model: 'kalshi_maker_fees', forced_exit_hours: 0.01 },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/k1/start', {});
    await waitUntil('a resting quote at Kalshi', async () => (await ours()) > 0, 20_000, out);

    // the other client buys; a reconnect's reconcile finds the position and the strategies pause
    await otherTrade('BUY', 3);
    await waitUntil('the other client\'s position at Kalshi', async () => (await venuePosition()) > 0, 15_000, out);
    const held = await venuePosition();
    const heldText = held.toFixed(2);
    await replicaAdmin(k.url, 'faults', { disconnect: true });
    await waitUntil('the mismatch on the log', async () => out().includes(`kalshi: MISMATCH ${ELEC} 0 in the ledgers, ${heldText} at Kalshi`), 30_000, out);
    expect(out()).toMatch(/kalshi: MISMATCH .*then POST \/api\/reconcile/);
    await waitUntil('the strategy paused (venue)', paused, 15_000, out);
    await waitUntil('no quote of ours left at Kalshi', async () => (await ours()) === 0, 15_000, out);

    // asking before the position is put back: the mismatch and what to do; still paused
    const still = await reconcile();
    expect(still.status, JSON.stringify(still.body)).toBe(200);
    expect(still.body.ok).toBe(false);
    expect(still.body.venue).toBe('kalshi');
    expect(still.body.mismatches).toEqual([`${ELEC} 0 in the ledgers, ${heldText} at Kalshi`]);
    expect(still.body.venues.kalshi.position_mismatches).toEqual([{ ticker: ELEC, expected: '0', venue: heldText }]);
    expect(still.body.paused.map((x) => x.strategy_id)).toEqual(['k1']);
    expect(still.body.lifted).toEqual([]);
    expect(still.body.hint).toContain('then POST /api/reconcile');
    expect(await paused()).toBe(true);
    expect(await ours()).toBe(0);

    // the other client sells it back; asking again: clean, and the strategy quotes again
    await otherTrade('SELL', held);
    await waitUntil('the position back to 0 at Kalshi', async () => (await venuePosition()) === 0, 15_000, out);
    const fixed = await reconcile();
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);
    expect(fixed.body).toMatchObject({ ok: true, mismatches: [], paused: [], lifted: [{ strategy_id: 'k1' }] });
    expect(fixed.body.venues.kalshi).toMatchObject({ ok: true, paused: false, position_mismatches: [] });
    expect(fixed.body.hint).toBeUndefined();
    expect(await paused()).toBe(false);
    await waitUntil('quotes at Kalshi again', async () => (await ours()) > 0, 20_000, out);

    // Kalshi gone: the reconcile fails, 502 with the code, and the strategies stay paused
    k.proc.child.kill('SIGTERM');
    await k.proc.exited;
    const res = await fetch(`http://127.0.0.1:${s.port}/api/reconcile`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
    expect(res.status).toBe(502);
    const gone = await res.json() as { ok: boolean; error: { code: string; message: string } };
    expect(gone.error.code).toBe('SPREADCORE_ERR_VENUE_UNAVAILABLE');
    expect(gone.error.message).toMatch(/^the reconcile failed: kalshi: /);
    expect(gone.error.message).not.toContain(k.privateKeyPem.split('\n')[1]!);
    expect(await paused()).toBe(true);

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);

  it('on Polymarket runs the venue\'s reconcile and answers it; the strategy keeps quoting', async () => {
    const p = await startPolymarketReplica();
    const s = await startPredictionServe({ polymarket: p, dataDir: join(tmp, 'data-p') });
    const out = s.proc.out;
    const target = p.markets[0]!;
    const sym = polySymbol(target.condition_id);
    await apiRequest(s.port, '/api/strategy/load', {
      name: 'p1', type: 'MarketMaking', universe: { venue: 'polymarket', kind: 'binary', prefix: sym },
      parameters: { max_markets: 1, base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket', polymarket_fee_rate: 0.03 },
    });
    await apiRequest(s.port, '/api/strategy/p1/start', {});
    type PState = { orders: Array<{ status: string; asset_id: string }> };
    const live = async (): Promise<number> => (await replicaState<PState>(p.url)).orders.filter((o) => o.status === 'LIVE' && o.asset_id === target.yes).length;
    await waitUntil('our quotes at Polymarket', async () => (await live()) > 0, 20_000, out);
    const res = await fetch(`http://127.0.0.1:${s.port}/api/reconcile`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
    expect(res.status).toBe(200);
    const body = await res.json() as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, venue: 'polymarket', mismatches: [], lifted: [], paused: [], kill_switch: 'ACTIVE' });
    expect(body['venues']).toMatchObject({ polymarket: { ok: true, paused: false, unknown_orders: 0, orders_missing_at_venue: 0 } });
    const list = await apiRequest<{ strategies: Array<{ status: string; pause_reasons: string[] }> }>(s.port, '/api/strategies');
    expect(list.strategies[0]).toMatchObject({ status: 'running', pause_reasons: [] });
    await waitUntil('our quotes at Polymarket after the reconcile', async () => (await live()) > 0, 20_000, out);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 60_000);
});
