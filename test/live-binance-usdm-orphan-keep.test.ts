// `serve --orphan-orders keep` on USD-M: an order of an earlier run left open at a restart keeps
// resting at the venue, and when it fills, the fill is ours and is journaled at once. Real
// processes for serve; the venue is the project's Binance replica on a market the test moves
// (the replica's manual market, so the order's fill comes when the test prints a trade).
// The fill was seen on the user stream as an order the venue did not track and dropped: the
// ledger's position stayed wrong until the next reconciliation (a reconnect, hours away).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { requireDist, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, signedRequest, waitUntil } from './support/live-binance.js';
import { replicaAdmin } from './support/venue-reports.js';

const KEY = 'usdm-keep-key-61aa';
const SECRET = 'usdm-keep-secret-7d93e0c4';

let dir = '';
let replica: BinanceReplica;
let apiPort = 0;

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
const venueOpen = (): Promise<{ clientOrderId: string }[]> => signedRequest(replica.restUrl, KEY, SECRET, '/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
const venueTrades = (): Promise<{ id: number; orderId: number; qty: string }[]> => signedRequest(replica.restUrl, KEY, SECRET, '/fapi/v1/userTrades', { symbol: 'BTCUSDT' });

function startServe(extra: string[] = []): Promise<CliProcess> {
  return startCli(
    ['serve', '--execution', 'binance-usdm-testnet', '--port', String(apiPort), '--data-dir', dir, '--binance-rest-url', replica.restUrl, '--rate-limit', '0', ...extra],
    /control API listening/,
    { SPREADCORE_BINANCE_API_KEY: KEY, SPREADCORE_BINANCE_API_SECRET: SECRET },
    30_000,
  );
}

beforeAll(async () => {
  requireDist();
  dir = mkdtempSync(join(tmpdir(), 'sc-live-usdm-keep-'));
  replica = await BinanceReplica.start({
    futures: true, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.1', lotSize: '0.001' }] },
    apiKeys: [{ apiKey: KEY, secret: SECRET }],
  });
  await replicaAdmin(replica, 'market', { symbol: 'BTCUSDT', bids: [['50000.0', '2.000']], asks: [['50001.0', '2.000']] });
  apiPort = await freePort();
}, 60_000);

afterAll(async () => {
  stopAll();
  await replica.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('USD-M --orphan-orders keep', () => {
  it('a kept order of an earlier run that fills after the restart is journaled at once', async () => {
    let serve = await startServe();
    // the manual market moves only when told: a change gives the connector a diff to sync on
    let n = 0;
    await waitUntil('the book in sync', async () => {
      await replicaAdmin(replica, 'market', { symbol: 'BTCUSDT', bids: [['50000.0', `${2 + (n++ % 2)}.000`]], asks: [['50001.0', '2.000']] });
      return serve.out().includes('in sync with Binance');
    }, 20_000, serve.out);
    const placed = await api<{ ok: boolean; order: { client_order_id: string } }>('/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.002, type: 'LIMIT', price: 49990 });
    expect(placed.ok).toBe(true);
    await waitUntil('the order at the venue', async () => (await venueOpen()).length === 1, 10_000, serve.out);
    serve.child.kill('SIGKILL');
    await serve.exited;

    serve = await startServe(['--orphan-orders', 'keep']);
    expect(serve.out()).toContain('reconciled: 0 missed fills journaled, 0 untracked orders cancelled');
    expect((await venueOpen()).length).toBe(1);

    // the market trades through the kept order
    await replicaAdmin(replica, 'market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '49990.0', qty: '1.000' } });
    await waitUntil('the fill at the venue', async () => (await venueTrades()).length === 1, 10_000, serve.out);
    await waitUntil('the fill in the manual account', async () => {
      const t = await api<{ trades?: { qty: number }[] }>('/api/strategy/manual/trades');
      return (t.trades ?? []).length === 1;
    }, 10_000, serve.out);
    const accounts = await api<{ accounts: { account: string; positions: { symbol: string; position: number }[] }[] }>('/api/accounts');
    expect(accounts.accounts.find((a) => a.account === 'manual')!.positions.find((p) => p.symbol === 'BTCUSDT')!.position).toBe(0.002);

    // a restart finds nothing more to journal and no mismatch
    serve.child.kill('SIGTERM');
    await serve.exited;
    serve = await startServe(['--orphan-orders', 'keep']);
    expect(serve.out()).toContain('reconciled: 0 missed fills journaled');
    expect(serve.out()).not.toContain('MISMATCH');
    expect(((await api<{ trades: unknown[] }>('/api/strategy/manual/trades')).trades)).toHaveLength(1);
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 120_000);
});
