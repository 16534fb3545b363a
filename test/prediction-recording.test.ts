// Recordings of prediction-market streams: `spreadcore serve --market kalshi,polymarket
// --record FILE` against both replicas writes every market-data message with its receive
// time; replayed through the connectors' adapters it rebuilds the books and settles the
// markets the venues resolved; `spreadcore backtest --data FILE` recognises the format and
// runs a strategy on it, with the settlement at the end in its P&L.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TradingEngine, type MarketResolvedEvent } from '../src/engine/index.js';
import { bindPredictionReplay, parsePredictionRecording } from '../src/feed/prediction/prediction-recording.js';
import { requireDist, runCli, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { polySymbol, replicaAdmin, startKalshiReplica, startPolymarketReplica, startPredictionServe } from './support/prediction-replicas.js';
import { sleep } from './support/wait.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-pm-rec-')); });
afterEach(() => stopAll());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ELEC = 'KXSIMELEC-28-DEM';

describe('prediction-market recordings', () => {
  it('records both venues from serve, replays them with settlement, and backtests on them', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys'));
    const p = await startPolymarketReplica();
    const poly = p.markets[0]!;
    const polySym = polySymbol(poly.condition_id);
    const file = join(tmp, 'session.pmrec.gz');
    const s = await startPredictionServe({ kalshi: k, polymarket: p, dataDir: join(tmp, 'data'), args: ['--record', file] });
    const out = s.proc.out;
    await sleep(3000);
    // large market sells through ELEC's bids (recorded as Kalshi trade messages), a few, half a second apart
    type Depth = { bids: Array<{ price: number }> };
    for (let i = 0; i < 3; i++) {
      const bid = (await apiRequest<Depth>(s.port, `/api/market/depth?symbol=${ELEC}&limit=1`)).bids[0]!.price;
      await replicaAdmin(k.url, 'trade', { ticker: ELEC, taker_side: 'no', yes_price_dollars: (bid - 0.02).toFixed(4), count: 100000 });
      await sleep(500);
    }
    await sleep(1000);
    // both venues resolve a market
    await replicaAdmin(k.url, 'settle', { ticker: ELEC, result: 'yes' });
    await replicaAdmin(p.url, 'resolve', { token_id: poly.yes, winner: 'No' });
    type Markets = { markets: Array<{ symbol: string; status: string }> };
    await waitUntil('both resolved live', async () => (await apiRequest<Markets>(s.port, '/api/markets')).markets.filter((m) => m.status === 'resolved').length >= 2, 15_000, out);
    await sleep(500);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);

    // the file: a header naming every market, then messages of both venues with receive times
    const bytes = gunzipSync(readFileSync(file));
    const rec = parsePredictionRecording(bytes);
    expect(rec.header.markets.filter((m) => m.venue === 'kalshi').map((m) => m.symbol).sort()).toEqual([...k.markets].sort());
    expect(rec.header.markets.filter((m) => m.venue === 'polymarket').map((m) => m.symbol)).toContain(polySym);
    expect(rec.lines.some((l) => l.v === 'kalshi' && (l.m as { type?: string }).type === 'orderbook_snapshot')).toBe(true);
    expect(rec.lines.some((l) => l.v === 'polymarket')).toBe(true);
    expect(rec.lines.some((l) => l.v === 'kalshi' && (l.m as { type?: string }).type === 'market_lifecycle_v2')).toBe(true);
    for (let i = 1; i < rec.offsetNs.length; i++) expect(rec.offsetNs[i]!).toBeGreaterThanOrEqual(rec.offsetNs[i - 1]!);

    // replayed into an engine: books come back and both markets settle as they did live
    const engine = new TradingEngine();
    try {
      const resolved: MarketResolvedEvent[] = [];
      engine.events.on('market_resolved', (e) => resolved.push(e));
      const start = Number(BigInt(rec.header.start_ns));
      let at = 0;
      const apply = bindPredictionReplay(engine.ingest, rec.header, () => start + rec.offsetNs[at]!);
      engine.ingest.setClock(0);
      for (let i = 0; i < rec.lines.length; i++) {
        at = i;
        engine.ingest.setClock(rec.offsetNs[i]!);
        apply(rec.lines[i]!);
        engine.ingest.endOfBatch(0);
      }
      expect(resolved.map((r) => [r.symbol, r.outcome]).sort()).toEqual([[ELEC, 'YES'], [polySym, 'NO']].sort());
      expect(engine.ingest.bySymbolName('KXSIMFED-26DEC-T4.25')?.state).toBe('live');
    } finally {
      engine.close();
    }

    // a backtest on the recording: quotes on ELEC are filled by the recorded trades, and the market settles YES at the end
    const params = join(tmp, 'params.json');
    writeFileSync(params, JSON.stringify({ name: 'bt', symbols: [ELEC], parameters: { base_spread: 0.004, quote_size: 5, quote_levels: 1, max_inventory: 50, forced_exit_hours: 0, requote_threshold_price: 0.01 } }));
    const r = await runCli(['backtest', '--data', file, '--params', params, '--json'], {}, 120_000);
    expect(r.code, r.out).toBe(0);
    const res = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
      data: { format: string; steps: number; symbols: string[] }; fills: Array<{ symbol: string; side: string; qty: number; price: number; fee: number }>;
      symbols: Record<string, { metrics: { inventory: { current_position: number }; performance: { net_profit: number } } }>;
    };
    expect(res.data.format).toBe('prediction');
    expect(res.data.steps).toBe(rec.lines.length);
    const fills = res.fills.filter((f) => f.symbol === ELEC);
    expect(fills.length).toBeGreaterThan(0);
    // settled YES at the end: the position is gone and every contract traded paid 1 − its price (less fees)
    expect(res.symbols[ELEC]!.metrics.inventory.current_position).toBe(0);
    const expected = fills.reduce((a, f) => a + (f.side === 'BUY' ? 1 : -1) * f.qty * (1 - f.price) - f.fee, 0);
    expect(res.symbols[ELEC]!.metrics.performance.net_profit).toBeCloseTo(expected, 4);
  }, 180_000);
});
