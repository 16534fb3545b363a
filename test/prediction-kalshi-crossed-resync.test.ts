// `spreadcore serve --market kalshi` (a real process) against the Kalshi replica with one market
// whose book is moved by hand: the replica's omitLevelRemovals fault leaves the orderbook_delta
// taking a level to zero out of the stream, so serve's book keeps that level and is crossed once
// prices move past it. After 1 s serve resubscribes the market's order book, the fresh snapshot
// puts it back in step, and it says so: one log line naming the market, GET /api/health
// execution.kalshi.crossed_resyncs.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KalshiReplica } from '../src/venues/kalshi/replica/index.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { startPredictionServe, type KalshiReplicaProc } from './support/prediction-replicas.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIV = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUB = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const A = 'KXCROSS-26DEC-A';

let tmp = '';
let replica: KalshiReplica | null = null;
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-kalshi-crossed-')); });
afterAll(async () => { stopAll(); await replica?.close(); rmSync(tmp, { recursive: true, force: true }); });

type Level = [string, string];
type Depth = { bids: Array<{ price: number }>; asks: Array<{ price: number }> };
type Health = { execution: { kalshi: { crossed_resyncs: number } } };

describe('serve --market kalshi: a book that stays crossed', () => {
  it('a missed level removal leaves the book crossed once prices move past it: the market is resubscribed and the book matches Kalshi', async () => {
    const r = await KalshiReplica.start({
      port: await freePort(), market: 'manual', keys: [{ keyId: 'k', publicKeyPem: PUB }], tier: 'prime',
      markets: [{ ticker: A, eventTicker: 'KXCROSS-26DEC', closeInMs: 3_600_000, yes: [['0.50', '10'], ['0.48', '10']], no: [['0.48', '10']] }],
    });
    replica = r;
    // serve reads only the replica's URL and key
    const k = { url: r.url, keyId: 'k', privateKeyPem: PRIV, markets: [A] } as unknown as KalshiReplicaProc;
    const s = await startPredictionServe({ kalshi: k, dataDir: join(tmp, 'data') });
    const out = s.proc.out;
    const book = async (yes: Level[], no: Level[]): Promise<void> => {
      const res = await fetch(`${r.url}/__replica/book`, { method: 'POST', body: JSON.stringify({ ticker: A, yes, no }) });
      expect(res.status).toBe(200);
    };
    const top = async (): Promise<{ bid: number | undefined; ask: number | undefined }> => {
      const d = await apiRequest<Depth>(s.port, `/api/market/depth?symbol=${A}&limit=5`);
      return { bid: d.bids[0]?.price, ask: d.asks[0]?.price };
    };
    const resyncs = async (): Promise<number> => (await apiRequest<Health>(s.port, '/api/health')).execution.kalshi.crossed_resyncs;
    const crossedLines = (): string[] => out().split('\n').filter((l) => l.includes('book crossed'));
    await waitUntil('serve\'s book at 0.50 / 0.52', async () => { const t = await top(); return t.bid === 0.5 && t.ask === 0.52; }, 20_000, out);
    expect(await resyncs()).toBe(0);

    const res = await fetch(`${r.url}/__replica/faults`, { method: 'POST', body: JSON.stringify({ omitLevelRemovals: 1 }) });
    expect(res.status).toBe(200);
    // the 0.50 YES bid goes; its removal is left out of the stream
    await book([['0.48', '10']], [['0.48', '10']]);
    await waitUntil('the removal left out', async () => r.counters.levelRemovalsOmitted === 1, 10_000, out);
    await new Promise((w) => setTimeout(w, 300));
    expect(await top()).toEqual({ bid: 0.5, ask: 0.52 });
    // prices move down past the ghost bid: YES 0.45 / 0.47
    await book([['0.45', '10']], [['0.53', '10']]);
    await waitUntil('a crossed resync', async () => (await resyncs()) >= 1, 20_000, out);
    expect(crossedLines()).toHaveLength(1);
    expect(crossedLines()[0]).toMatch(new RegExp(`kalshi: ${A} book crossed for \\d+ ms \\(YES bid 0\\.5000 >= ask 0\\.4700\\): out of step with Kalshi, resubscribing its order book for a fresh snapshot`));
    await waitUntil('the book uncrossed', async () => { const t = await top(); return t.bid === 0.45 && t.ask === 0.47; }, 20_000, out);
    await new Promise((w) => setTimeout(w, 2_500));
    expect(await resyncs()).toBe(1);
    expect(await top()).toEqual({ bid: 0.45, ask: 0.47 });
    expect(crossedLines()).toHaveLength(1);
    expect(out()).not.toContain('PRIVATE KEY');
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 90_000);
});
