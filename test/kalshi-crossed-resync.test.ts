// A Kalshi book that stays crossed is out of step with Kalshi (an update it missed): KalshiLive
// resyncs the market's order book after 1 s — the market is deleted from its orderbook_delta
// subscription and added back (update_subscription), a fresh snapshot of that market alone
// replaces it — and the wait doubles while Kalshi's own book is crossed. Against the Kalshi
// replica (manual markets: A, moved by hand, and B in the same subscription), whose
// omitLevelRemovals fault leaves the orderbook_delta taking a level to zero out of the stream.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CrossedResync } from '../src/venues/crossed-book-watch.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { replicaEndpoints } from '../src/venues/kalshi/endpoints.js';
import { KalshiLive } from '../src/venues/kalshi/kalshi-live.js';
import { KalshiSigner } from '../src/venues/kalshi/signing.js';
import { KalshiReplica } from '../src/venues/kalshi/replica/index.js';
import { freePort } from './support/free-port.js';
import { sleep, waitFor } from './support/wait.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIV = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUB = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const A = 'KXCROSS-26DEC-A';
const B = 'KXCROSS-26DEC-B';

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

type Level = [string, string];

async function rig(crossedResync?: { initialMs: number; maxMs: number }): Promise<{
  r: KalshiReplica; live: KalshiLive; lines: string[]; resyncs: CrossedResync[]; snapshots: Map<string, number>;
  book: (yes: Level[], no: Level[]) => Promise<void>; top: () => { bid: number; ask: number; crossed: boolean; live: boolean };
}> {
  const r = await KalshiReplica.start({
    port: await freePort(), market: 'manual', keys: [{ keyId: 'k', publicKeyPem: PUB }], tier: 'prime',
    markets: [
      { ticker: A, eventTicker: 'KXCROSS-26DEC', closeInMs: 3_600_000, yes: [['0.50', '10'], ['0.48', '10']], no: [['0.48', '10']] },
      { ticker: B, eventTicker: 'KXCROSS-26DEC', closeInMs: 3_600_000, yes: [['0.30', '10']], no: [['0.60', '10']] },
    ],
  });
  cleanups.push(() => r.close());
  const ingest = new FeedIngest();
  cleanups.push(() => ingest.close());
  const lines: string[] = [];
  const resyncs: CrossedResync[] = [];
  const live = new KalshiLive({
    environment: replicaEndpoints(r.url), signer: new KalshiSigner('k', PRIV), tickers: [A, B], tier: 'prime', ingest,
    log: (l) => lines.push(l), onCrossedResync: (x) => resyncs.push(x), ...(crossedResync !== undefined ? { crossedResync } : {}),
  });
  cleanups.push(() => live.close());
  // orderbook_snapshot messages received, per market
  const snapshots = new Map<string, number>();
  live.ws.tap = (text) => {
    const m = JSON.parse(text) as { type?: string; msg?: { market_ticker?: string } };
    if (m.type === 'orderbook_snapshot') snapshots.set(m.msg!.market_ticker!, (snapshots.get(m.msg!.market_ticker!) ?? 0) + 1);
  };
  await live.start();
  const book = async (yes: Level[], no: Level[]): Promise<void> => {
    const res = await fetch(`${r.url}/__replica/book`, { method: 'POST', body: JSON.stringify({ ticker: A, yes, no }) });
    expect(res.status).toBe(200);
  };
  // ticks of 0.01: YES bid, and YES ask = 1 − the best NO bid
  const top = (): { bid: number; ask: number; crossed: boolean; live: boolean } => {
    const s = ingest.bySymbolName(A)!;
    const t = ingest.books.topLevels(s.book, 1);
    return { bid: t.bids[0]?.tick ?? -1, ask: t.asks[0]?.tick ?? -1, crossed: s.crossed, live: s.state === 'live' };
  };
  await waitFor('the book live', () => top().live && top().bid === 50, 5000);
  await waitFor('both markets snapshotted', () => snapshots.get(A) === 1 && snapshots.get(B) === 1, 5000);
  return { r, live, lines, resyncs, snapshots, book, top };
}

async function faults(r: KalshiReplica, body: unknown): Promise<void> {
  const res = await fetch(`${r.url}/__replica/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

describe('KalshiLive: a book that stays crossed', () => {
  it('a missed level removal leaves the book crossed once prices move past it: that market alone is re-snapshotted and matches Kalshi again', async () => {
    const { r, live, lines, resyncs, snapshots, book, top } = await rig();
    expect(live.ws.books.get(A)!.bestYes()).toEqual({ bid: 5000, ask: 5200 });
    await faults(r, { omitLevelRemovals: 1 });
    // the 0.50 YES bid goes; its removal is left out of the stream
    await book([['0.48', '10']], [['0.48', '10']]);
    await waitFor('the removal left out', () => r.counters.levelRemovalsOmitted === 1, 5000);
    await sleep(300);
    expect(top()).toMatchObject({ bid: 50, ask: 52, crossed: false });
    // prices move down past the ghost bid: YES 0.45 / 0.47
    await book([['0.45', '10']], [['0.53', '10']]);
    await waitFor('the ghost bid crosses the book', () => top().crossed, 5000);
    expect(top()).toMatchObject({ bid: 50, ask: 47, live: true });
    expect(live.crossedResyncs).toBe(0);
    await waitFor('a crossed resync', () => live.crossedResyncs === 1, 5000);
    expect(resyncs).toHaveLength(1);
    expect(resyncs[0]).toMatchObject({ market: A, waitMs: 1000, bid: '0.5000', ask: '0.4700' });
    expect(resyncs[0]!.crossedMs).toBeGreaterThanOrEqual(1000);
    expect(lines.filter((l) => l.includes('book crossed'))).toEqual([
      `kalshi: ${A} book crossed for ${resyncs[0]!.crossedMs} ms (YES bid 0.5000 >= ask 0.4700): out of step with Kalshi, resubscribing its order book for a fresh snapshot`,
    ]);
    // the fresh snapshot puts the book back in step with Kalshi
    await waitFor('the book live and uncrossed again', () => { const t = top(); return t.live && !t.crossed; }, 5000);
    expect(top()).toMatchObject({ bid: 45, ask: 47 });
    expect(live.ws.books.get(A)!.bestYes()).toEqual({ bid: 4500, ask: 4700 });
    expect(live.ws.counters.gaps).toBe(0);
    // one market resync on the same subscription: A got a second snapshot, B none
    expect(live.ws.counters).toMatchObject({ marketResyncs: 1, resubscribes: 0, updateErrors: 0 });
    expect(Object.fromEntries(snapshots)).toEqual({ [A]: 2, [B]: 1 });
    expect(live.ws.books.get(B)!.bestYes()).toEqual({ bid: 3000, ask: 4000 });
    // both books keep following Kalshi's deltas on the subscription (seq contiguous after the update)
    await book([['0.46', '10']], [['0.53', '10']]);
    await waitFor('A follows a delta after its resync', () => live.ws.books.get(A)!.bestYes().bid === 4600, 5000);
    expect(top()).toMatchObject({ bid: 46, ask: 47, crossed: false, live: true });
    const rb = await fetch(`${r.url}/__replica/book`, { method: 'POST', body: JSON.stringify({ ticker: B, yes: [['0.31', '10']], no: [['0.60', '10']] }) });
    expect(rb.status).toBe(200);
    await waitFor('B follows a delta', () => live.ws.books.get(B)!.bestYes().bid === 3100, 5000);
    expect(live.ws.counters.gaps).toBe(0);
    await sleep(2500);
    expect(live.crossedResyncs).toBe(1);
    expect(Object.fromEntries(snapshots)).toEqual({ [A]: 2, [B]: 1 });
  }, 30_000);

  it('a book that never crosses is never resynced', async () => {
    const { live, lines, book, top } = await rig();
    const resubscribes = live.ws.counters.resubscribes;
    expect(live.ws.counters.marketResyncs).toBe(0);
    await book([['0.48', '10']], [['0.48', '10']]);
    await waitFor('the bid at 0.48', () => top().bid === 48, 5000);
    await book([['0.45', '10']], [['0.53', '10']]);
    await waitFor('the book at 0.45 / 0.47', () => top().bid === 45 && top().ask === 47, 5000);
    await sleep(2500);
    expect(top()).toMatchObject({ bid: 45, ask: 47, crossed: false, live: true });
    expect(live.crossedResyncs).toBe(0);
    expect(live.ws.counters.resubscribes).toBe(resubscribes);
    expect(live.ws.counters.marketResyncs).toBe(0);
    expect(lines.filter((l) => l.includes('book crossed'))).toEqual([]);
  }, 30_000);

  it('while Kalshi\'s own book is crossed the wait doubles up to its cap, and starts over once the book is uncrossed', async () => {
    const { live, resyncs, book, top } = await rig({ initialMs: 200, maxMs: 800 });
    await book([['0.55', '10']], [['0.50', '10']]);
    await waitFor('the crossed book', () => top().crossed, 5000);
    await waitFor('four crossed resyncs', () => live.crossedResyncs >= 4, 10_000);
    expect(resyncs.slice(0, 4).map((x) => x.waitMs)).toEqual([200, 400, 800, 800]);
    await book([['0.45', '10']], [['0.50', '10']]);
    await waitFor('the book uncrossed', () => { const t = top(); return t.live && !t.crossed && t.bid === 45; }, 5000);
    await sleep(300);
    const n = live.crossedResyncs;
    await book([['0.55', '10']], [['0.50', '10']]);
    await waitFor('one more crossed resync', () => live.crossedResyncs === n + 1, 5000);
    expect(resyncs.at(-1)).toMatchObject({ waitMs: 200 });
  }, 30_000);
});
