// `spreadcore serve --market polymarket` against a replica listing as many markets as
// serve takes per venue (28): every market gets its own book, and a universe strategy
// with seed 004's high-frequency max_markets (25) quotes 25 of them at once through the
// venue (orders resting at the replica on 25 distinct tokens).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { newWalletKey, polySymbol, replicaState, startPolymarketReplica, startPredictionServe } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-pm-many-')); });
const afterTest: Array<() => void> = [];
afterEach(() => { for (const f of afterTest.splice(0)) f(); stopAll(); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface MarketsView {
  scanners: Array<{ strategy_id: string; max_markets: number; quoted: number }>;
  markets: Array<{ symbol: string; status: string; quoted: boolean; reason: string; mid: number | null }>;
}
type PState = { orders: Array<{ status: string; side: string; asset_id: string }> };

describe('serve --market polymarket with 28 markets', () => {
  it('books every market and quotes 25 at once (seed 004 max_markets 25)', async () => {
    const p = await startPolymarketReplica(['--markets', '28']);
    expect(p.markets.length).toBe(28);
    expect(new Set(p.markets.map((m) => m.condition_id)).size).toBe(28);
    const s = await startPredictionServe({ polymarket: p, dataDir: join(tmp, 'data'), walletKey: newWalletKey() });
    const out = s.proc.out;
    expect(out()).toMatch(/polymarket 28 markets/);
    const symbols = p.markets.map((m) => polySymbol(m.condition_id));
    await waitUntil('a book with a mid for all 28 markets', async () => {
      const v = await apiRequest<MarketsView>(s.port, '/api/markets');
      return v.markets.length === 28 && v.markets.every((m) => m.mid !== null);
    }, 30_000, out);
    expect((await apiRequest<MarketsView>(s.port, '/api/markets')).markets.map((m) => m.symbol).sort()).toEqual([...symbols].sort());

    await apiRequest(s.port, '/api/strategy/load', {
      name: 'hft', type: 'MarketMaking', universe: { venue: 'polymarket', kind: 'binary' },
      parameters: { max_markets: 25, min_liquidity: 0, max_time_to_resolution_hours: 1000, base_spread: 0.02, quote_size: 5, quote_levels: 1, max_inventory: 20, fee_model: 'polymarket' },
    });
    await apiRequest(s.port, '/api/strategy/hft/start', {});
    let lastView: MarketsView | undefined;
    const poll = setInterval(() => { void apiRequest<MarketsView>(s.port, '/api/markets').then((v) => { lastView = v; }, () => undefined); }, 1000);
    afterTest.push(() => clearInterval(poll));
    await waitUntil('25 markets quoted', async () => (await apiRequest<MarketsView>(s.port, '/api/markets')).scanners[0]?.quoted === 25, 30_000,
      () => `${out()}\nmarkets: ${JSON.stringify(lastView?.markets.map((m) => [m.symbol, m.reason]))}`);
    const view = await apiRequest<MarketsView>(s.port, '/api/markets');
    expect(view.scanners).toEqual([expect.objectContaining({ strategy_id: 'hft', max_markets: 25, quoted: 25 })]);
    expect(view.markets.filter((m) => m.quoted).length).toBe(25);
    // the one market on a 0.1 grid cannot carry a 0.02 spread; of the other 27, the strategy's 25 are quoted
    expect(view.markets.filter((m) => !m.quoted).map((m) => m.reason).sort()).toEqual(['bad_grid', 'max_markets_reached', 'max_markets_reached']);
    // the venue holds our orders on 25 distinct YES tokens
    const yesOf = new Map(p.markets.map((m) => [m.yes, polySymbol(m.condition_id)]));
    await waitUntil('resting orders on 25 markets at Polymarket', async () => {
      const live = (await replicaState<PState>(p.url)).orders.filter((o) => o.status === 'LIVE' && yesOf.has(o.asset_id));
      return new Set(live.map((o) => o.asset_id)).size === 25;
    }, 30_000, out);
    const quotedSymbols = new Set(view.markets.filter((m) => m.quoted).map((m) => m.symbol));
    const live = (await replicaState<PState>(p.url)).orders.filter((o) => o.status === 'LIVE' && yesOf.has(o.asset_id));
    for (const o of live) expect(quotedSymbols.has(yesOf.get(o.asset_id)!), o.asset_id).toBe(true);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);

  it('the replica refuses more markets than a core has books for', async () => {
    await expect(startPolymarketReplica(['--markets', '33'])).rejects.toThrow(/--markets must be an integer from 1 to 32|--markets.*33/);
  }, 30_000);
});
