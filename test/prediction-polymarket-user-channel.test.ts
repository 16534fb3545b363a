// `spreadcore serve --market polymarket` against `spreadcore replica polymarket` (both real
// processes): the user channel (our fills and order updates) goes down while the market
// channel and REST stay up (the replica's userChannelDown fault). The strategies pause at once
// (venue), so no order is sent while our fills cannot be heard, even when the book moves; the
// drop is logged once however many reconnects fail. Once the channel is back, the reconcile
// that follows runs and the strategy quotes again by itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import {
  newWalletKey, pauseReasons, polySymbol, replicaAdmin, replicaState, startPolymarketQuoting, startPolymarketReplica, startPredictionServe,
} from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-poly-user-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

type PState = { orders: Array<{ id: string; status: string; asset_id: string }>; counters: { ordersAccepted: number; ordersRejected: number } };
type Health = { execution: { venues_down: string[]; polymarket: { paused: boolean; user_connected: boolean } } };

describe('serve --market polymarket: the user channel drops', () => {
  it('pauses the strategies until the channel is back and a reconcile ran: no order is sent meanwhile, quoting resumes after', async () => {
    const { p, s, target, walletKey, live } = await startPolymarketQuoting(join(tmp, 'data'));
    const out = s.proc.out;
    const state = (): Promise<PState> => replicaState<PState>(p.url);
    const received = async (): Promise<number> => { const c = (await state()).counters; return c.ordersAccepted + c.ordersRejected; };
    const health = async (): Promise<Health['execution']> => (await apiRequest<Health>(s.port, '/api/health')).execution;
    expect((await health()).polymarket.user_connected).toBe(true);

    // the user channel drops and stays down (refused at each reconnect); the market channel and REST stay up
    await replicaAdmin(p.url, 'faults', { userChannelDown: true });
    await waitUntil('serve sees the user channel down', async () => !(await health()).polymarket.user_connected, 20_000, out);
    const sent = await received();
    const before = new Set((await state()).orders.map((o) => o.id));
    // the book moves twice: a strategy still quoting would send new quotes
    await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [['0.30', '100']], asks: [['0.36', '100']] });
    await new Promise((r) => setTimeout(r, 1_500));
    await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [['0.50', '100']], asks: [['0.56', '100']] });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await received(), out()).toBe(sent);
    expect((await state()).orders.filter((o) => !before.has(o.id))).toEqual([]);
    expect(await pauseReasons(s.port)).toContain('venue');
    expect(await health()).toMatchObject({ venues_down: ['polymarket'], polymarket: { paused: true, user_connected: false } });
    // the resting quotes were pulled
    await waitUntil('no quote of ours resting', async () => (await live()).length === 0, 20_000, out);
    // one line for the drop, not one per failed reconnect
    expect(out().match(/polymarket: user channel down/g)?.length).toBe(1);
    expect(out()).toMatch(/polymarket: user channel down: our fills are not heard; strategies paused \(venue\) until it is back and a reconcile ran clean/);
    // a reconcile on request finds Polymarket clean, but the strategies stay paused while the channel is down
    const asked = await apiRequest<{ ok: boolean; lifted: unknown[]; hint?: string }>(s.port, '/api/reconcile', {});
    expect(asked).toMatchObject({ ok: true, lifted: [] });
    expect(asked.hint).toContain('Polymarket\'s user channel is down: the strategies resume at its reconnect');
    expect(await pauseReasons(s.port)).toContain('venue');
    expect(await received()).toBe(sent);

    // the channel is back: the reconcile runs, and the strategy quotes at the new book by itself
    await replicaAdmin(p.url, 'faults', { userChannelDown: false });
    await waitUntil('quoting again', async () => (await pauseReasons(s.port)).length === 0 && (await health()).venues_down.length === 0, 30_000, out);
    expect(out()).toMatch(/polymarket: user channel reconnected; reconciling before quoting/);
    await waitUntil('a new quote at Polymarket', async () => (await live()).some((id) => !before.has(id)), 30_000, out);
    expect(await health()).toMatchObject({ polymarket: { paused: false, user_connected: true } });
    expect(out().match(/polymarket: user channel down/g)?.length).toBe(1);
    expect(out()).not.toContain(walletKey.slice(2));

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);

  it('down from the start: serve starts paused (after waiting for the channel), sends nothing, and quotes once the channel connects', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300', '--heartbeat-timeout-ms', '600000']);
    await replicaAdmin(p.url, 'faults', { userChannelDown: true });
    const target = p.markets[1]!;
    const s = await startPredictionServe({ polymarket: p, dataDir: join(tmp, 'data-start'), walletKey: newWalletKey() });
    const out = s.proc.out;
    const received = async (): Promise<number> => { const c = (await replicaState<PState>(p.url)).counters; return c.ordersAccepted + c.ordersRejected; };
    const health = async (): Promise<Health['execution']> => (await apiRequest<Health>(s.port, '/api/health')).execution;
    expect(await health()).toMatchObject({ venues_down: ['polymarket'], polymarket: { user_connected: false } });
    expect(await apiRequest<{ ok: boolean }>(s.port, '/api/strategy/load', {
      name: 'p1', type: 'MarketMaking', symbols: [polySymbol(target.condition_id)],
      parameters: { base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket' },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/p1/start', {});
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await pauseReasons(s.port)).toContain('venue');
    expect(await received(), out()).toBe(0);

    await replicaAdmin(p.url, 'faults', { userChannelDown: false });
    await waitUntil('quoting once the channel connects', async () => (await pauseReasons(s.port)).length === 0 && (await health()).venues_down.length === 0, 30_000, out);
    expect(out()).toMatch(/polymarket: user channel connected; reconciling before quoting/);
    await waitUntil('a quote at Polymarket', async () => (await replicaState<PState>(p.url)).orders.some((o) => o.asset_id === target.yes && o.status === 'LIVE'), 30_000, out);
    expect(await health()).toMatchObject({ polymarket: { paused: false, user_connected: true } });
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});
