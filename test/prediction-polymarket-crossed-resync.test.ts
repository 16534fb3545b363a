// `spreadcore serve --market polymarket` against `spreadcore replica polymarket` (both real
// processes, the replica's book moved by hand): the replica's omitLevelRemovals fault leaves a
// level's removal (a price_change setting its size to 0) out of the market channel, so serve's
// book keeps that level and is crossed once prices move past it. After 1 s serve subscribes the
// asset again, the fresh `book` puts the book back in step, and it says so: one log line naming
// the market, GET /api/health execution.polymarket.crossed_resyncs. A book that never crosses is
// never resynced.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { newWalletKey, polySymbol, replicaAdmin, replicaState, startPolymarketReplica, startPredictionServe, type PolymarketReplicaProc, type PredictionServe } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-poly-crossed-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

type Level = [string, string];
type Depth = { bids: Array<{ price: number }>; asks: Array<{ price: number }> };
type Health = { execution: { polymarket: { crossed_resyncs: number } } };

async function rig(dir: string): Promise<{
  p: PolymarketReplicaProc; s: PredictionServe; sym: string; book: (bids: Level[], asks: Level[]) => Promise<void>;
  top: () => Promise<{ bid: number | undefined; ask: number | undefined }>; resyncs: () => Promise<number>;
}> {
  const p = await startPolymarketReplica(['--step-ms', '0']);
  const target = p.markets[1]!;
  expect(target.tick_size).toBe('0.01');
  const s = await startPredictionServe({ polymarket: p, dataDir: join(tmp, dir), walletKey: newWalletKey() });
  const sym = polySymbol(target.condition_id);
  const book = async (bids: Level[], asks: Level[]): Promise<void> => { await replicaAdmin(p.url, 'book', { token_id: target.yes, bids, asks }); };
  const top = async (): Promise<{ bid: number | undefined; ask: number | undefined }> => {
    const d = await apiRequest<Depth>(s.port, `/api/market/depth?symbol=${sym}&limit=5`);
    return { bid: d.bids[0]?.price, ask: d.asks[0]?.price };
  };
  const resyncs = async (): Promise<number> => (await apiRequest<Health>(s.port, '/api/health')).execution.polymarket.crossed_resyncs;
  await book([['0.50', '100'], ['0.48', '100']], [['0.52', '100']]);
  await waitUntil('serve\'s book at 0.50 / 0.52', async () => { const t = await top(); return t.bid === 0.5 && t.ask === 0.52; }, 20_000, s.proc.out);
  return { p, s, sym, book, top, resyncs };
}

const crossedLines = (out: string): string[] => out.split('\n').filter((l) => l.includes('book crossed'));

describe('serve --market polymarket: a book that stays crossed', () => {
  it('a missed level removal leaves the book crossed once prices move past it: the asset is subscribed again and the book matches Polymarket', async () => {
    const { p, s, sym, book, top, resyncs } = await rig('data-fault');
    const out = s.proc.out;
    expect(await resyncs()).toBe(0);
    await replicaAdmin(p.url, 'faults', { omitLevelRemovals: 1 });
    // the 0.50 bid goes; its removal is left out of the market channel
    await book([['0.48', '100']], [['0.52', '100']]);
    type PState = { counters: { levelRemovalsOmitted: number }; faults: { omitLevelRemovals: number } };
    await waitUntil('the removal left out', async () => (await replicaState<PState>(p.url)).counters.levelRemovalsOmitted === 1, 10_000, out);
    await new Promise((r) => setTimeout(r, 300));
    expect(await top()).toEqual({ bid: 0.5, ask: 0.52 });
    // prices move down past the ghost bid
    await book([['0.45', '100']], [['0.47', '100']]);
    await waitUntil('a crossed resync', async () => (await resyncs()) >= 1, 20_000, out);
    // the book was crossed at the resync: the ghost 0.50 bid over the 0.47 ask
    expect(crossedLines(out())).toHaveLength(1);
    expect(crossedLines(out())[0]).toMatch(new RegExp(`polymarket: ${sym} book crossed for \\d+ ms \\(bid 0\\.50 >= ask 0\\.47\\): out of step with Polymarket, subscribing its asset again for a fresh book`));
    // the fresh book puts serve's book back in step with Polymarket
    await waitUntil('the book uncrossed', async () => { const t = await top(); return t.bid === 0.45 && t.ask === 0.47; }, 20_000, out);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await resyncs()).toBe(1);
    expect(await top()).toEqual({ bid: 0.45, ask: 0.47 });
    expect(crossedLines(out())).toHaveLength(1);
    expect((await replicaState<PState>(p.url)).faults.omitLevelRemovals).toBe(0);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 90_000);

  it('a book that never crosses is never resynced', async () => {
    const { s, book, top, resyncs } = await rig('data-clean');
    await book([['0.48', '100']], [['0.52', '100']]);
    await waitUntil('the bid at 0.48', async () => (await top()).bid === 0.48, 20_000, s.proc.out);
    await book([['0.45', '100']], [['0.47', '100']]);
    await waitUntil('the book at 0.45 / 0.47', async () => { const t = await top(); return t.bid === 0.45 && t.ask === 0.47; }, 20_000, s.proc.out);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await top()).toEqual({ bid: 0.45, ask: 0.47 });
    expect(await resyncs()).toBe(0);
    expect(crossedLines(s.proc.out())).toEqual([]);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 90_000);
});
