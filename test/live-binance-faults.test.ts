// A running `spreadcore serve` in live mode through the Binance replica's faults, both real
// processes (`spreadcore replica binance`, simulated market; serve with the tutorial's
// VELOZ_ variables). While the strategy quotes, the replica is told in turn to: ack late
// (the order live and its events sent before the answer), answer trading requests 503
// with the order placed (unknown outcome), refuse with 429 + Retry-After, send user events
// twice and out of order, run its clock behind ours (-1021), and drop every connection.
// After each fault the engine must go on quoting; at the end:
//   - the journal's trades equal the venue's myTrades (each venue fill once, its numbers);
//   - the engine's position equals the venue's (no reconcile MISMATCH);
//   - it never earned a 418 (its own budget counted none, the replica banned nobody);
//   - after the dropped connections it reconciled again before quoting.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { sleep } from './support/wait.js';
import { apiRequest, signedRequest, startLiveServe, startReplicaAndServe, waitUntil as waitFor } from './support/live-binance.js';

const KEY = 'faults-key-0c55e1';
const SECRET = 'faults-secret-9be2a7d403';

interface VenueTrade { id: number; price: string; qty: string; isBuyer: boolean; commission: string; commissionAsset: string }
interface EngineTrade { side: string; price: number; qty: number; fee: number }

let dir = '';
let replicaUrl = '';
let apiPort = 0;
let serve: CliProcess;

const api = <T>(path: string, body?: unknown, method?: string): Promise<T> => apiRequest<T>(apiPort, path, body, method);
const waitUntil = (what: string, cond: () => Promise<boolean>, timeoutMs: number): Promise<void> =>
  waitFor(what, cond, timeoutMs, () => `serve said:\n${serve.out().slice(-3000)}`);

async function signed<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  // the replica's clock, which the skew fault moves
  const { serverTime } = await (await fetch(`${replicaUrl}/__replica/state`)).json() as { serverTime: number };
  return signedRequest<T>(replicaUrl, KEY, SECRET, path, params, { timestampMs: serverTime, recvWindowMs: 60_000 });
}
// polling goes to the admin state (no weight): the REST limits count per IP, and this test
// shares 127.0.0.1 with the engine, whose budget must not be spent by the test
const venueTrades = (): Promise<VenueTrade[]> => signed<VenueTrade[]>('/api/v3/myTrades', { symbol: 'BTCUSDT', limit: '1000' });
interface State { trades: unknown[]; orders: { status: string }[]; limits: { bansEarned: number; refused429: number } }
const state = async (): Promise<State> => await (await fetch(`${replicaUrl}/__replica/state`)).json() as State;
const tradeCount = async (): Promise<number> => (await state()).trades.length;
const openCount = async (): Promise<number> => (await state()).orders.filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED').length;

async function faults(f: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
  expect(res.status).toBe(200);
}


async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const m = new RegExp(`spreadcore_venue\\{venue="binance",name="${name}"\\} (-?[0-9.e+]+)`).exec(text);
  if (m === null) throw new Error(`no metric ${name}`);
  return Number(m[1]);
}


/** More fills at the venue than now, and orders resting again: the engine trades on. */
async function tradesOn(what: string): Promise<void> {
  const n = await tradeCount();
  await waitUntil(`a fill after ${what}`, async () => (await tradeCount()) > n, 60_000);
  await waitUntil(`orders resting after ${what}`, async () => (await openCount()) > 0, 30_000);
}

const reconciles = (): number => (serve.out().match(/binance: reconciled BTCUSDT/g) ?? []).length;

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort, serve } = await startReplicaAndServe('sc-live-faults-', 5, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

// Timing under faults depends on the machine's load (late acks, backoff, the budget's waits): a
// run that times out is tried again, on the same replica and engine, whose journal must still
// equal the venue's trades at the end.
describe('serve in live mode through the replica\'s faults', { retry: 2 }, () => {
  it('keeps the journal equal to the venue\'s trades, never earns a 418, and reconciles after reconnecting', async () => {
    const load = await api<{ ok: boolean; error?: { code: string } }>('/api/strategy/load', {
      name: 'faulty', type: 'MarketMaking', symbols: ['BTCUSDT'],
      parameters: { spread_bps: 0.5, order_size: 0.001, max_position: 0.005, quote_levels: 2, level_spacing_bps: 0.5 },
    });
    // a retry finds the strategy of the attempt before loaded (stopped or not): it trades on
    if (load.ok !== true) expect(load.error?.code).toBe('SPREADCORE_ERR_STRATEGY_EXISTS');
    else expect(load.ok).toBe(true);
    await api(`/api/strategy/faulty/parameters`, { spread_bps: 0.5 }, 'PATCH');
    await api('/api/strategy/faulty/start', {});
    await tradesOn('the start');

    // late acks: the order is live and its events arrive before the answer
    await faults({ ackDelayMs: 400 });
    await tradesOn('late acks');
    await faults({ ackDelayMs: 0 });

    // 503 with the order placed: the venue queries, never resends
    const unknown0 = await metric('venue_unknownOutcomes');
    // (cancels among the 503s are resolved by the next cancel or query; orders count here: the fault is
    // set again until at least one order place got a 503)
    for (let attempt = 0; attempt < 6 && (await metric('venue_unknownOutcomes')) === unknown0; attempt++) {
      await faults({ unknownOutcome: { count: 3, mode: '5xx', status: 503 } });
      // a quiet market leaves resting quotes alone (the requote tolerance): move the ladder so orders are sent
      await api(`/api/strategy/faulty/parameters`, { spread_bps: attempt % 2 === 0 ? 3 : 0.5 }, 'PATCH');
      await waitUntil('the 503s answered', async () => (await (await fetch(`${replicaUrl}/__replica/faults`)).json() as { unknownOutcome: { count: number } }).unknownOutcome.count === 0, 30_000);
      await sleep(300);
    }
    await api(`/api/strategy/faulty/parameters`, { spread_bps: 0.5 }, 'PATCH');
    await waitUntil('an order with an unknown outcome resolved', async () => (await metric('venue_unknownOutcomes')) > unknown0 && (await metric('venue_queries')) > 0, 30_000);
    await tradesOn('503 answers');
    // the ladder moves above were requoted as order.cancelReplace (one request per level)
    expect(await metric('venue_replaces')).toBeGreaterThan(0);

    // 429 + Retry-After: every send waits the time out
    await faults({ rateLimit429: { count: 2, retryAfterS: 2 } });
    await waitUntil('a 429 seen by the budget', async () => (await metric('budget_http429')) >= 1, 30_000);
    await tradesOn('429 answers');

    // user events twice and swapped (set again until a duplicated event was a trade: the next 20
    // user events may all be order updates when the strategy requotes a lot)
    const dup0 = await metric('venue_duplicateFills');
    for (let attempt = 0; attempt < 6 && (await metric('venue_duplicateFills')) === dup0; attempt++) {
      await faults({ duplicateUserEvents: 20, reorderUserEvents: 10 });
      await tradesOn('duplicated and reordered user events');
    }
    await tradesOn('more duplicated and reordered user events');

    // the server's clock 2.5 s behind ours: -1021, one resync, the request retried
    await faults({ clockSkewMs: -2500 });
    await waitUntil('a clock resync after -1021', async () => (await metric('clock_skew_retries')) >= 1, 30_000);
    await tradesOn('the clock skew');
    expect(await metric('clock_offset_ms')).toBeLessThan(-1500);

    // every connection dropped: reconnect, reconcile, quote again
    const r0 = reconciles();
    await faults({ dropConnections: true });
    await waitUntil('a reconciliation after the reconnect', async () => reconciles() > r0, 30_000);
    await tradesOn('the dropped connections');

    await api('/api/strategy/faulty/stop', {});
    await waitUntil('no open order at the venue', async () => (await openCount()) === 0, 30_000);
    await sleep(1000);

    // the journal is the venue's trade list: every fill once, with its price, quantity and fee
    const venue = await venueTrades();
    const trades = (await api<{ trades: EngineTrade[] }>('/api/strategy/faulty/trades?limit=10000')).trades;
    expect(trades.map((t) => [t.side, t.price, t.qty])).toEqual(venue.map((t) => [t.isBuyer ? 'BUY' : 'SELL', Number(t.price), Number(t.qty)]));
    for (let i = 0; i < venue.length; i++) {
      const v = venue[i]!;
      expect(trades[i]!.fee).toBeCloseTo(v.commissionAsset === 'BTC' ? Number(v.commission) * Number(v.price) : Number(v.commission), 8);
    }
    // duplicated trade events were met, and dropped (the trade lists above are equal)
    expect(await metric('venue_duplicateFills')).toBeGreaterThan(dup0);
    // never a 418: none counted by the engine, none earned at the replica
    expect(await metric('budget_http418')).toBe(0);
    const st = await state();
    expect(st.limits.bansEarned).toBe(0);
    expect(st.limits.refused429).toBe(0); // the engine's budget kept it under the limits; the 429s it met were injected
    expect(serve.out()).not.toContain('MISMATCH');
    // a restart finds nothing the journal missed
    serve.child.kill('SIGTERM');
    await serve.exited;
    serve = await startLiveServe(apiPort, dir, replicaUrl, KEY, SECRET);
    expect(serve.out()).toContain('reconciled: 0 missed fills journaled');
    expect(serve.out()).not.toContain('MISMATCH');
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 400_000);
});
