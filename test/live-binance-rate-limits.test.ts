// A running live serve meeting Binance's rate limits, as a trader watches it: the replica
// answers 429 with Retry-After, then bans the IP (418). Real processes (the replica and
// serve with the tutorial's variables):
//   - each block is said on serve's log at warn level, with its length and what the engine
//     does meanwhile (it was silent: a ban showed only as a counter in /metrics);
//   - afterwards the venue holds at most the strategy's ladder: a cancel refused by the
//     429 or the ban is sent again, so no order of a replaced quote stays resting.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { sleep } from './support/wait.js';
import { apiRequest, signedRequest, startReplicaAndServe, waitUntil } from './support/live-binance.js';

const KEY = 'limits-test-key-41d0';
const SECRET = 'limits-test-secret-8c2e77';

let dir = '';
let replicaUrl = '';
let apiPort = 0;
let serve: CliProcess;

const api = <T>(path: string, body?: unknown, method?: string): Promise<T> => apiRequest<T>(apiPort, path, body, method);
const venueOpen = (): Promise<{ side: string; clientOrderId: string }[]> =>
  signedRequest(replicaUrl, KEY, SECRET, '/api/v3/openOrders', { symbol: 'BTCUSDT' });
async function faults(body: unknown): Promise<void> {
  const res = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}
async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const m = new RegExp(`spreadcore_venue\\{venue="binance",name="${name}"\\} ([0-9.e+-]+)`).exec(text);
  return m === null ? Number.NaN : Number(m[1]);
}
/** serve's log lines (stderr is a pipe: one JSON object per line) that hold `text`. */
const logged = (text: string): { level: number; msg: string }[] => serve.out().split('\n')
  .filter((l) => l.startsWith('{') && l.includes(text)).map((l) => JSON.parse(l) as { level: number; msg: string });

beforeAll(async () => {
  requireDist();
  ({ dir, replicaUrl, apiPort, serve } = await startReplicaAndServe('sc-live-limits-', 11, KEY, SECRET));
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('serve in live mode under 429s and a 418 ban', () => {
  it('says each block on its log and leaves no replaced quote resting at the venue', async () => {
    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'limited', type: 'MarketMaking', symbols: ['BTCUSDT'],
      parameters: { spread_bps: 1, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    });
    expect(load.ok).toBe(true);
    await api('/api/strategy/limited/start', {});
    await waitUntil('quotes at the venue', async () => (await venueOpen()).length > 0, 20_000, serve.out);

    // 429 + Retry-After, several times while the strategy requotes
    for (let i = 0; i < 3; i++) {
      await faults({ rateLimit429: { count: 2, retryAfterS: 1 } });
      await waitUntil('the 429s answered', async () => (await (await fetch(`${replicaUrl}/__replica/faults`)).json() as { rateLimit429: { count: number } }).rateLimit429.count === 0, 20_000);
      await sleep(1500);
    }
    expect(await metric('budget_http429')).toBeGreaterThanOrEqual(1);
    const limited = logged('rate limit from Binance: nothing is sent for 1.0 s (Retry-After)');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.every((l) => l.level === 40)).toBe(true); // warn

    // a ban: every client refused for 3 s
    // (a quiet market can let the 3 s pass without a request: the ladder is moved so orders are
    // sent, and the ban set again until the engine met it)
    for (let attempt = 0; attempt < 5 && (await metric('budget_http418')) < 1; attempt++) {
      await faults({ ban418Ms: 3000 });
      await api('/api/strategy/limited/parameters', { spread_bps: attempt % 2 === 0 ? 3 : 1 }, 'PATCH');
      await sleep(3500);
    }
    await waitUntil('a 418 met by the engine', async () => (await metric('budget_http418')) >= 1, 20_000, serve.out);
    const banned = logged('Binance banned this IP for ');
    expect(banned.length).toBeGreaterThanOrEqual(1);
    expect(banned[0]!.level).toBe(40);
    expect(banned[0]!.msg).toMatch(/HTTP 418, Binance banned this IP for [0-9.]+ s \(Retry-After\): nothing is sent until then/);

    // once sending is allowed again the venue holds at most one order a side (quote_levels 1),
    // and keeps to it: a cancel the 429s or the ban refused went out again
    await sleep(4000);
    let calm = 0;
    await waitUntil('at most one order a side at the venue, five times in a row', async () => {
      const open = await venueOpen();
      const ok = open.filter((o) => o.side === 'BUY').length <= 1 && open.filter((o) => o.side === 'SELL').length <= 1;
      calm = ok ? calm + 1 : 0;
      return calm >= 5;
    }, 20_000, serve.out);
    expect(serve.out()).not.toContain(KEY);
    expect(serve.out()).not.toContain(SECRET);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);
});
