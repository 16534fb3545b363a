// The kill switch and Ctrl-C on USD-M while Binance refuses requests for a while (a 418 ban,
// a 429 with Retry-After), as a trader meets them: `spreadcore replica binance --futures` and
// `spreadcore serve --execution binance-usdm-testnet`, both real processes.
//   - the kill switch pressed during a ban: the venue-wide cancel (every open order of the
//     session's symbols, an order of another client on the account included) is sent again
//     once the ban is over, and the log says it was confirmed; it was tried once and given up;
//   - SIGTERM during a 429's Retry-After: the stop waits the block out (it is shorter than
//     the stop's 10 s) and cancels, so no quote stays resting at the venue; it gave up at
//     once and left the quotes there.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { apiRequest, signedRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-stop-key-7f31';
const SECRET = 'usdm-stop-secret-0b9d4e2a';

let dir = '';
let replicaUrl = '';
let apiPort = 0;

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);

interface StateOrder { clientOrderId: string; status: string; side: string }
/** Open orders from the replica's admin state (no weight, never refused by the faults). */
async function venueOpen(): Promise<StateOrder[]> {
  const s = await (await fetch(`${replicaUrl}/__replica/state`)).json() as { orders: StateOrder[] };
  return s.orders.filter((o) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED');
}
async function faults(body: unknown): Promise<void> {
  const res = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}
async function bestBid(): Promise<number> {
  const d = await api<{ bids: { price: number }[] }>('/api/market/depth?symbol=BTCUSDT&limit=1');
  return d.bids[0]!.price;
}

const startServe = (): Promise<CliProcess> => startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);
const count = (text: string, part: string): number => text.split(part).length - 1;

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort } = await startUsdmReplica('sc-live-usdm-stop-', 5, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('USD-M kill switch and stop while Binance refuses requests', () => {
  it('cancels everything once a ban or a Retry-After is over, and leaves nothing resting', async () => {
    const serve = await startServe();
    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'wide', type: 'MarketMaking', symbols: ['BTCUSDT'],
      parameters: { spread_bps: 20, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    });
    expect(load.ok).toBe(true);
    await api('/api/strategy/wide/start', {});
    await waitUntil('quotes at the venue', async () => (await venueOpen()).length > 0, 20_000, serve.out);

    // another client's order on the account: the kill switch cancels every open order of the symbol
    const price = (Math.round((await bestBid()) * 0.985 * 10) / 10).toFixed(1);
    await signedRequest(replicaUrl, KEY, SECRET, '/fapi/v1/order', {
      symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price, newClientOrderId: 'other-client-1',
    }, { method: 'POST' });
    expect((await venueOpen()).map((o) => o.clientOrderId)).toContain('other-client-1');

    // the kill switch during a 418 ban
    await faults({ ban418Ms: 3000 });
    expect((await api<{ state: string }>('/api/kill', {})).state).toBe('HALTED');
    await waitUntil('no order open at the venue after the ban', async () => (await venueOpen()).length === 0, 30_000, serve.out);
    await waitUntil('the kill switch\'s confirmation on the log', async () => serve.out().includes('kill switch: no order left open at Binance (confirmed by an open-orders query)'), 10_000, serve.out);
    expect(serve.out()).not.toContain('kill switch: cancelling at Binance failed');

    // quoting again, then SIGTERM during a 429's Retry-After
    // the kill switch paused the strategy; released, it quotes again
    expect((await api<{ state: string }>('/api/resume', {})).state).toBe('ACTIVE');
    await waitUntil('quotes at the venue again', async () => (await venueOpen()).length > 0, 20_000, serve.out);

    // a kill pressed during a ban and released before the ban is over: the venue-wide cancel
    // is not sent once the ban ends (it would cancel the quotes placed after the release)
    const confirmations = count(serve.out(), 'kill switch: no order left open at Binance');
    const bans = count(serve.out(), 'Binance banned this IP');
    await faults({ ban418Ms: 3000 });
    expect((await api<{ state: string }>('/api/kill', {})).state).toBe('HALTED');
    await waitUntil('the ban met by the kill', async () => count(serve.out(), 'Binance banned this IP') > bans, 3_000, serve.out);
    expect((await api<{ state: string }>('/api/resume', {})).state).toBe('ACTIVE');
    await waitUntil('the kill\'s cancel given up on the release', async () => serve.out().includes('kill switch: released before Binance confirmed'), 10_000, serve.out);
    await waitUntil('quotes at the venue after the ban', async () => (await venueOpen()).length > 0, 20_000, serve.out);
    expect(count(serve.out(), 'kill switch: no order left open at Binance')).toBe(confirmations);
    expect(serve.out()).not.toContain('kill switch: cancelling at Binance failed');
    const seen429 = count(serve.out(), 'HTTP 429 rate limit from Binance');
    await faults({ rateLimit429: { count: 1, retryAfterS: 4 } });
    // a manual order meets the 429 (it is refused rate_limited; nothing of it rests)
    const bid = (Math.round((await bestBid()) * 0.99 * 10) / 10);
    expect((await api<{ ok: boolean }>('/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price: bid })).ok).toBe(true);
    await waitUntil('the 429 on serve\'s log', async () => count(serve.out(), 'HTTP 429 rate limit from Binance') > seen429, 20_000, serve.out);
    expect((await venueOpen()).length).toBeGreaterThan(0);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.out()).toContain('spreadcore serve: no order left open at Binance');
    expect(await venueOpen()).toEqual([]);
    expect(serve.out()).not.toContain(SECRET);
  }, 180_000);
});
