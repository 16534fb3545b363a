// `spreadcore serve --market kalshi|polymarket|kalshi,polymarket` end to end, with the real
// CLI against `spreadcore replica kalshi` and `spreadcore replica polymarket` as separate
// processes: the connectors list the venues' markets in GET /api/markets with the scanner's
// reasons, a universe strategy quotes through the venue's execution client, fills come back
// and agree with the venue's own positions, settlement (Kalshi's market lifecycle,
// Polymarket's market_resolved) settles the ledgers and sends market_resolved; Polymarket's
// tick_size_change redefines the instrument and a matched-but-unconfirmed trade shows as
// pending exposure; and one event mapped across both venues shows its net exposure from
// fills on both replicas and skews a leg's quotes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { orderAmounts } from '../src/venues/polymarket/amounts.js';
import { contractsFor, exchangeFor } from '../src/venues/polymarket/endpoints.js';
import { l1Headers } from '../src/venues/polymarket/l1-auth.js';
import { l2Headers } from '../src/venues/polymarket/l2-auth.js';
import { signOrderV2 } from '../src/venues/polymarket/order-signing.js';
import { requireDist, runCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import {
  collectEvents, crossingPrice, newWalletKey, polySymbol, replicaAdmin, replicaState, startKalshiReplica, startPolymarketReplica, startPredictionServe,
} from './support/prediction-replicas.js';

let tmp = '';
const stops: Array<() => void> = [];
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-pm-live-')); });
afterEach(() => { for (const f of stops.splice(0)) f(); stopAll(); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface MarketsView {
  scanners: Array<{ strategy_id: string; quoted: number }>;
  markets: Array<{ symbol: string; status: string; quoted: boolean; reason: string; outcome?: string; quoted_by: string[]; hours_to_resolution: number | null; liquidity: number | null; mid: number | null; spread: number | null }>;
}
interface Trades { trades: Array<{ side: string; price: number; qty: number }> }
type Health = { execution: Record<string, unknown> & { venue: string; kalshi?: Record<string, unknown>; polymarket?: { pending_exposure: Record<string, number>; clob_version: number } } };

const FED = 'KXSIMFED-26DEC-T4.25';
const ELEC = 'KXSIMELEC-28-DEM';

describe('serve --market kalshi against spreadcore replica kalshi', () => {
  it('scans, quotes, fills (the journal agrees with the venue) and settles', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-k1'));
    const s = await startPredictionServe({ kalshi: k, dataDir: join(tmp, 'data-k1') });
    const out = s.proc.out;
    expect(out()).toMatch(/live execution: Kalshi at http:\/\/127\.0\.0\.1:\d+\/trade-api\/v2 \(KXSIMFED/);
    expect(out()).toMatch(/kalshi 4 markets, reconciled/);
    const stream = collectEvents(s.port);
    stops.push(stream.stop);
    // every market of the venue is listed, not scanned yet
    const before = await apiRequest<MarketsView>(s.port, '/api/markets');
    expect(before.markets.map((m) => m.symbol).sort()).toEqual([...k.markets].sort());
    expect(new Set(before.markets.map((m) => m.reason))).toEqual(new Set(['not_scanned']));
    const health = await apiRequest<Health>(s.port, '/api/health');
    expect(health.execution.venue).toBe('kalshi');
    expect(health.execution.kalshi).toMatchObject({ rest_url: `${k.url}/trade-api/v2`, paused: false });

    // a scanning strategy: one market, the most liquid
    const load = await apiRequest<{ ok: boolean }>(s.port, '/api/strategy/load', {
      name: 'k1', type: 'MarketMaking', universe: { venue: 'kalshi', kind: 'binary' },
      parameters: { max_markets: 1, base_spread: 0.02, quote_size: 5, quote_levels: 1, max_inventory: 50, fee_model: 'kalshi_maker_fees', forced_exit_hours: 0.01 },
    });
    expect(load.ok).toBe(true);
    await apiRequest(s.port, '/api/strategy/k1/start', {});
    const view = await apiRequest<MarketsView>(s.port, '/api/markets');
    expect(view.scanners).toEqual([expect.objectContaining({ strategy_id: 'k1', quoted: 1 })]);
    const quoted = view.markets.filter((m) => m.quoted);
    expect(quoted.map((m) => m.symbol)).toEqual([FED]);
    for (const m of view.markets.filter((x) => !x.quoted)) expect(['max_markets_reached', 'forced_exit', 'below_min_liquidity']).toContain(m.reason);

    // quotes reach the venue, and the simulated flow fills them
    type KState = { orders: Array<{ ticker: string; status: string; post_only: boolean }>; fills: Array<{ ticker: string; client_order_id: string; count_fp: string; action: string }>; positions: Record<string, number>; markets: Array<{ ticker: string; status: string; result: string }> };
    await waitUntil('a resting quote at Kalshi', async () => (await replicaState<KState>(k.url)).orders.some((o) => o.ticker === FED && o.status === 'resting' && o.post_only), 20_000, out);
    await waitUntil('fills of k1', async () => (await apiRequest<Trades>(s.port, '/api/strategy/k1/trades?limit=100')).trades.length > 0, 90_000, out);

    // a manual position on another market (taker, crossing the book)
    const manual = await apiRequest<{ ok?: boolean }>(s.port, '/api/order', { side: 'BUY', symbol: ELEC, qty: 3, type: 'LIMIT', price: await crossingPrice(s.port, ELEC, 'BUY', 3) });
    expect(manual, JSON.stringify(manual)).toMatchObject({ ok: true });
    await waitUntil('the manual fill', async () => ((await replicaState<KState>(k.url)).positions[ELEC] ?? 0) === 3, 15_000, out);

    // stop quoting; then the engine's positions are the venue's
    await apiRequest(s.port, '/api/strategy/k1/stop', {});
    await waitUntil('no resting order at Kalshi', async () => !(await replicaState<KState>(k.url)).orders.some((o) => o.status === 'resting'), 15_000, out);
    const venue = await replicaState<KState>(k.url);
    const inv = await apiRequest<{ inventory: { current_position: number } }>(s.port, `/api/strategy/k1/metrics?symbol=${FED}`);
    expect(inv.inventory.current_position).toBe(venue.positions[FED] ?? 0);
    const engineFills = (await apiRequest<Trades>(s.port, '/api/strategy/k1/trades?limit=1000')).trades;
    const venueFills = venue.fills.filter((f) => f.ticker === FED);
    expect(engineFills.length).toBe(venueFills.length);
    expect(engineFills.reduce((a, f) => a + f.qty, 0)).toBe(venueFills.reduce((a, f) => a + Number(f.count_fp), 0));

    // settlement: the venue determines both markets
    await replicaAdmin(k.url, 'settle', { ticker: ELEC, result: 'yes' });
    await replicaAdmin(k.url, 'settle', { ticker: FED, result: 'no' });
    await waitUntil('market_resolved for both', async () => stream.events.filter((e) => e.event === 'market_resolved').length >= 2, 15_000, out);
    const resolved = stream.events.filter((e) => e.event === 'market_resolved').map((e) => e.data);
    const elec = resolved.find((d) => d['symbol'] === ELEC)!;
    expect(elec).toMatchObject({ outcome: 'YES', settlement_price: 1 });
    expect(elec['positions']).toEqual([expect.objectContaining({ strategy_id: 'manual', position: 3 })]);
    const fed = resolved.find((d) => d['symbol'] === FED)!;
    expect(fed).toMatchObject({ outcome: 'NO', settlement_price: 0 });
    const after = await apiRequest<MarketsView>(s.port, '/api/markets');
    // FED was scheduled to close an hour after the replica started: resolved early, it has no time left and no book
    expect(after.markets.find((m) => m.symbol === FED)).toMatchObject({ status: 'resolved', outcome: 'NO', reason: 'resolved', hours_to_resolution: 0, liquidity: null, mid: null, spread: null });
    expect(after.markets.find((m) => m.symbol === ELEC)).toMatchObject({ status: 'resolved', outcome: 'YES' });
    const inventory = await apiRequest<{ binary?: { resolved: string | null } }>(s.port, `/api/strategy/k1/inventory?symbol=${FED}`);
    expect(inventory.binary?.resolved ?? 'NO').toBe('NO');
    const m = await apiRequest<{ inventory: { current_position: number } }>(s.port, `/api/strategy/k1/metrics?symbol=${FED}`);
    expect(m.inventory.current_position).toBe(0);

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    expect(out()).toMatch(/no order left open at the venues/);
  }, 180_000);
});

describe('serve --market polymarket against spreadcore replica polymarket', () => {
  it('scans, quotes, holds matched trades as pending until CONFIRMED, follows tick_size_change, and settles', async () => {
    // a still book (moved by the admin routes only) and slow settlement on chain, so a match stays pending for a while
    const p = await startPolymarketReplica(['--step-ms', '0', '--mined-ms', '2000', '--confirmed-ms', '4000']);
    const s = await startPredictionServe({ polymarket: p, dataDir: join(tmp, 'data-p1') });
    const out = s.proc.out;
    expect(out()).toMatch(/polymarket 6 markets \(CLOB version 2\), reconciled/);
    const stream = collectEvents(s.port);
    stops.push(stream.stop);
    const symbols = p.markets.map((m) => polySymbol(m.condition_id));
    const before = await apiRequest<MarketsView>(s.port, '/api/markets');
    expect(before.markets.map((m) => m.symbol).sort()).toEqual([...symbols].sort());
    // each market's end_date_iso is its resolution time: the first ends 30 h after the replica started
    const first = before.markets.find((m) => m.symbol === polySymbol(p.markets[0]!.condition_id))!;
    expect(first.hours_to_resolution).toBeGreaterThan(29.9);
    expect(first.hours_to_resolution).toBeLessThanOrEqual(30);
    expect(before.markets.every((m) => typeof m.hours_to_resolution === 'number')).toBe(true);
    const health = await apiRequest<Health>(s.port, '/api/health');
    expect(health.execution.polymarket).toMatchObject({ clob_version: 2, paused: false, user_connected: true });

    // the first market (tick 0.01, mid 0.55): a universe strategy restricted to it by prefix
    const target = p.markets[0]!;
    const sym = polySymbol(target.condition_id);
    await apiRequest(s.port, '/api/strategy/load', {
      name: 'p1', type: 'MarketMaking', universe: { venue: 'polymarket', kind: 'binary', prefix: sym },
      parameters: { max_markets: 1, base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket', polymarket_fee_rate: 0.03 },
    });
    await apiRequest(s.port, '/api/strategy/p1/start', {});
    const view = await apiRequest<MarketsView>(s.port, '/api/markets');
    expect(view.markets.find((m) => m.symbol === sym)).toMatchObject({ quoted: true, reason: 'quoted' });
    type PState = { orders: Array<{ id: string; status: string; side: string; price: string; asset_id: string; original_size: string }>; trades: Array<{ status: string }> };
    let bid: { price: string } | undefined;
    await waitUntil('our resting bid at Polymarket', async () => {
      bid = (await replicaState<PState>(p.url)).orders.find((o) => o.status === 'LIVE' && o.side === 'BUY' && o.asset_id === target.yes);
      return bid !== undefined;
    }, 20_000, out);

    // a market sell through our bid: MATCHED at once, CONFIRMED 4 s later
    await replicaAdmin(p.url, 'trade', { token_id: target.yes, side: 'SELL', price: bid!.price, size: '1000' });
    await waitUntil('pending exposure while the trade is not confirmed', async () => ((await apiRequest<Health>(s.port, '/api/health')).execution.polymarket!.pending_exposure[sym] ?? 0) > 0, 10_000, out);
    // in contracts, as every quantity the API shows: the bid's 10, not its 1000 lots of 0.01
    expect((await apiRequest<Health>(s.port, '/api/health')).execution.polymarket!.pending_exposure[sym]).toBe(10);
    expect((await apiRequest<Trades>(s.port, '/api/strategy/p1/trades?limit=10')).trades).toEqual([]);
    await waitUntil('the fill once CONFIRMED', async () => (await apiRequest<Trades>(s.port, '/api/strategy/p1/trades?limit=10')).trades.length > 0, 15_000, out);
    const fills = (await apiRequest<Trades>(s.port, '/api/strategy/p1/trades?limit=10')).trades;
    expect(fills[0]).toMatchObject({ side: 'BUY', qty: 10, price: Number(bid!.price) });
    await waitUntil('no pending exposure left', async () => ((await apiRequest<Health>(s.port, '/api/health')).execution.polymarket!.pending_exposure[sym] ?? 0) === 0, 10_000, out);

    // tick_size_change: the instrument is redefined; the strategy is checked on the new grid and quotes on it
    await replicaAdmin(p.url, 'tick-size', { token_id: target.yes, tick_size: '0.001' });
    await waitUntil('instrument_redefined', async () => stream.events.some((e) => e.event === 'risk' && JSON.stringify(e.data).includes('instrument_redefined')), 10_000, out);
    const redefined = stream.events.find((e) => e.event === 'risk' && JSON.stringify(e.data).includes('instrument_redefined'))!;
    expect(JSON.stringify(redefined.data)).toMatch(/tick 0\.01 → 0\.001/);

    // resolution: the market resolves YES; the long position pays 1
    await replicaAdmin(p.url, 'resolve', { token_id: target.yes, winner: 'Yes' });
    await waitUntil('market_resolved', async () => stream.events.some((e) => e.event === 'market_resolved'), 10_000, out);
    const res = stream.events.find((e) => e.event === 'market_resolved')!.data;
    expect(res).toMatchObject({ symbol: sym, outcome: 'YES', settlement_price: 1 });
    expect(out()).toContain(`polymarket: ${sym} resolved YES`);
    expect(res['positions']).toEqual([expect.objectContaining({ strategy_id: 'p1', position: 10 })]);
    const after = await apiRequest<MarketsView>(s.port, '/api/markets');
    expect(after.markets.find((m) => m.symbol === sym)).toMatchObject({ status: 'resolved', outcome: 'YES', liquidity: null, mid: null });
    // the resolved market's book is withdrawn from the engine (the venue trades it no more)
    const depth = await apiRequest<{ bids: unknown[]; asks: unknown[] }>(s.port, `/api/market/depth?symbol=${sym}&limit=5`);
    expect([depth.bids, depth.asks]).toEqual([[], []]);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);

  it('refuses to trade when the CLOB is not version 2', async () => {
    const server = createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(req.url === '/version' ? '{"version":1}' : '{}'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const r = await runCli(['serve', '--port', '0', '--data-dir', join(tmp, 'data-v1'), '--market', 'polymarket', '--polymarket-rest-url', `http://127.0.0.1:${port}`], { POLYMARKET_PRIVATE_KEY: newWalletKey() });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/answers \/version 1: this engine signs CLOB V2 orders only, refusing to trade/);
  }, 30_000);
});

describe('serve --market kalshi,polymarket: one event on both venues', () => {
  it('nets exposure from fills on both replicas and skews a leg by it', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-x'));
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300']);
    const target = p.markets[0]!;
    const sym = polySymbol(target.condition_id);
    const mapFile = join(tmp, 'events.json');
    writeFileSync(mapFile, JSON.stringify({ events: [{ id: 'elec', description: 'one event on Kalshi and Polymarket', symbols: [{ symbol: ELEC, direction: 'same' }, { symbol: sym, direction: 'same' }] }] }));
    // the manual buy below takes 15 from the simulated Kalshi book, which may be thin near the mid: a price band wide enough for it
    const s = await startPredictionServe({ kalshi: k, polymarket: p, dataDir: join(tmp, 'data-x'), args: ['--event-map', mapFile, '--risk-limits', '{"price_band_bps":5000}'] });
    const out = s.proc.out;
    expect(out()).toMatch(/kalshi 4 markets, reconciled; polymarket 6 markets/);
    const health = await apiRequest<Health>(s.port, '/api/health');
    expect(health.execution.venue).toBe('kalshi+polymarket');

    // a scanner per venue, neither quoting: a market's reason in GET /api/markets is that of the strategy it is a candidate of
    for (const [name, venue] of [['scan_k', 'kalshi'], ['scan_p', 'polymarket']] as const) {
      expect(await apiRequest(s.port, '/api/strategy/load', { name, universe: { venue, kind: 'binary' }, parameters: { max_markets: 2, base_spread: 0.04, quote_size: 1, min_liquidity: 1e12 } })).toMatchObject({ ok: true });
      await apiRequest(s.port, `/api/strategy/${name}/start`, {});
    }
    type Row = MarketsView['markets'][number] & { strategies: Record<string, { reason: string }> };
    const scanned = (await apiRequest<{ markets: Row[] }>(s.port, '/api/markets')).markets;
    for (const m of scanned.filter((x) => x.status === 'open')) {
      const own = m.symbol.startsWith('POLY-') ? 'scan_p' : 'scan_k';
      expect(m.strategies[own === 'scan_p' ? 'scan_k' : 'scan_p']!.reason, m.symbol).toBe('not_candidate');
      expect(m.strategies[own]!.reason, m.symbol).not.toBe('not_candidate');
      expect(m.reason, m.symbol).toBe(m.strategies[own]!.reason);
    }
    expect(scanned.some((m) => m.symbol === sym && m.reason === 'below_min_liquidity')).toBe(true);

    // a leg on the Polymarket symbol (a still book), stepped skew as in seed 004
    await apiRequest(s.port, '/api/strategy/load', {
      name: 'x1', type: 'MarketMaking', symbols: [sym],
      parameters: { fair_value_price: 0.55, base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, skew_mode: 'stepped', skew_price_adjustment_per_10: 0.01, inventory_skew_threshold: 10, requote_threshold_price: 0.005 },
    });
    type Levels = { bid_levels: Array<{ price: number }>; ask_levels: Array<{ price: number }> };
    const start = await apiRequest<{ initial_quotes: Levels }>(s.port, '/api/strategy/x1/start', {});
    const bid0 = start.initial_quotes.bid_levels[0]!.price;
    const ask0 = start.initial_quotes.ask_levels[0]!.price;
    type Quotes = { quotes: { bids: Array<{ price: number }>; asks: Array<{ price: number }> } };
    let lastQuotes = '';
    const quotes = async (): Promise<[number, number]> => {
      const q = await apiRequest<Quotes>(s.port, '/api/strategy/x1/quotes');
      lastQuotes = JSON.stringify(q);
      return [q.quotes.bids[0]?.price ?? NaN, q.quotes.asks[0]?.price ?? NaN];
    };

    // 15 YES bought on Kalshi (manual, crossing the book): past the skew threshold of 10, the Polymarket leg leans to sell the event
    // 5 cents through the ask that holds the 15th contract: the simulated book may move before the order arrives
    const buyPrice = Math.min(0.99, Math.round(((await crossingPrice(s.port, ELEC, 'BUY', 15)) + 0.05) * 100) / 100);
    const bought = await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: ELEC, qty: 15, type: 'LIMIT', price: buyPrice });
    expect(bought, `${JSON.stringify(bought)}\n${out()}`).toMatchObject({ ok: true });
    type Exposure = { net_exposure: number; symbols: Array<{ symbol: string; exposure: number; accounts: Array<{ account: string; position: number }> }> };
    await waitUntil('the Kalshi fill in the event', async () => (await apiRequest<Exposure>(s.port, '/api/events/elec/exposure')).net_exposure === 15, 20_000, out);
    let q1: [number, number] = [NaN, NaN];
    // beyond the threshold the centre moves down a step (and the spread widens by inventory_spread_multiplier)
    const centre = (q: readonly [number, number]): number => (q[0] + q[1]) / 2;
    await waitUntil('quotes skewed down by the Kalshi position', async () => { q1 = await quotes(); return q1[0] < bid0 && centre(q1) < (bid0 + ask0) / 2; }, 15_000, () => `${out()} quotes ${lastQuotes} vs ${bid0}/${ask0}`);

    // the leg's own bid fills on Polymarket (a market sell through it): 25 long in the event, skewed further
    type PState = { orders: Array<{ status: string; side: string; price: string; asset_id: string }> };
    let bid: { price: string } | undefined;
    await waitUntil('the skewed bid resting at Polymarket', async () => {
      bid = (await replicaState<PState>(p.url)).orders.find((o) => o.status === 'LIVE' && o.side === 'BUY' && o.asset_id === target.yes && Number(o.price) === q1[0]);
      return bid !== undefined;
    }, 15_000, out);
    await replicaAdmin(p.url, 'trade', { token_id: target.yes, side: 'SELL', price: bid!.price, size: '1000' });
    await waitUntil('exposure from both venues', async () => (await apiRequest<Exposure>(s.port, '/api/events/elec/exposure')).net_exposure === 25, 20_000, out);
    const ex = await apiRequest<Exposure>(s.port, '/api/events/elec/exposure');
    expect(ex.symbols.map((x) => [x.symbol, x.exposure])).toEqual([[ELEC, 15], [sym, 10]]);
    expect(ex.symbols[0]!.accounts).toEqual([expect.objectContaining({ account: 'manual', position: 15 })]);
    expect(ex.symbols[1]!.accounts).toEqual([expect.objectContaining({ account: 'x1', position: 10 })]);
    expect((await replicaState<{ positions: Record<string, number> }>(k.url)).positions[ELEC]).toBe(15);
    let q2: [number, number] = [NaN, NaN];
    await waitUntil('quotes skewed further', async () => { q2 = await quotes(); return q2[0] < q1[0] && centre(q2) < centre(q1); }, 15_000, () => `${out()} quotes ${lastQuotes} vs ${q1}`);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});

describe('serve --market kalshi,polymarket: one venue unreachable at shutdown', () => {
  it('still cancels every open order at the other venue', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-down'));
    const p = await startPolymarketReplica(['--step-ms', '0', '--heartbeat-timeout-ms', '600000']);
    const wallet = newWalletKey();
    const s = await startPredictionServe({ kalshi: k, polymarket: p, dataDir: join(tmp, 'data-down'), walletKey: wallet });
    const out = s.proc.out;
    // an order of the same wallet that serve does not track (another client's), resting at Polymarket
    const account = privateKeyToAccount(wallet as `0x${string}`);
    const creds = (await (await fetch(`${p.url}/auth/derive-api-key`, { headers: { ...(await l1Headers(account, 137, Math.floor(Date.now() / 1000))) } })).json()) as { apiKey: string; secret: string; passphrase: string };
    const target = p.markets[0]!;
    const order = await signOrderV2(account, 137, exchangeFor(contractsFor(137), target.neg_risk), { tokenId: target.yes, side: 'BUY', ...orderAmounts('BUY', 2, 1000, target.tick_size) });
    const body = JSON.stringify({ order, owner: creds.apiKey, orderType: 'GTC', postOnly: true, deferExec: false });
    const c = { key: creds.apiKey, secret: creds.secret, passphrase: creds.passphrase };
    const placed = await fetch(`${p.url}/order`, { method: 'POST', headers: { ...l2Headers(account.address, c, Math.floor(Date.now() / 1000), 'POST', '/order', body), 'content-type': 'application/json' }, body });
    expect(placed.status).toBe(200);
    type PState = { orders: Array<{ status: string }> };
    expect((await replicaState<PState>(p.url)).orders.filter((o) => o.status === 'LIVE')).toHaveLength(1);

    // Kalshi goes away, then serve stops: Polymarket's orders are cancelled all the same
    k.proc.child.kill('SIGKILL');
    await k.proc.exited;
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    expect(out()).toMatch(/kalshi: could not cancel and list the open orders: .*connection refused/);
    // the stop line says the orders may still rest at Kalshi and what to do, and that Polymarket is clean
    expect(out()).toMatch(/spreadcore serve: could not cancel at Kalshi \(.*connection refused.*\); orders may still be resting at Kalshi: check and cancel them at the venue, or the next start cancels them; no order left open at Polymarket\n/);
    expect((await replicaState<PState>(p.url)).orders.filter((o) => o.status === 'LIVE')).toEqual([]);
  }, 60_000);
});

describe('serve --market polymarket: the venue unreachable at shutdown', () => {
  it('says the quotes may still be resting at Polymarket and what to do', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--heartbeat-timeout-ms', '600000']);
    const target = p.markets[1]!;
    const sym = polySymbol(target.condition_id);
    const s = await startPredictionServe({ polymarket: p, dataDir: join(tmp, 'data-poly-down') });
    const out = s.proc.out;
    expect(await apiRequest(s.port, '/api/strategy/load', {
      name: 'pd', type: 'MarketMaking', symbols: [sym], parameters: { base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket' },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/pd/start', {});
    type PState = { orders: Array<{ status: string; asset_id: string }> };
    await waitUntil('a quote resting at Polymarket', async () => (await replicaState<PState>(p.url)).orders.some((o) => o.asset_id === target.yes && o.status === 'LIVE'), 30_000, out);

    // Polymarket goes away with the quote resting, then serve stops
    p.proc.child.kill('SIGKILL');
    await p.proc.exited;
    s.proc.child.kill('SIGTERM');
    // an answer still in flight at the end (the strategy's own cancel) does not end the process with an error
    expect(await s.proc.exited).toBe(0);
    expect(out()).not.toMatch(/internal error/);
    expect(out()).toMatch(/polymarket: could not cancel and list the open orders: .*connection refused/);
    expect(out()).toMatch(/spreadcore serve: could not cancel at Polymarket \(.*connection refused.*\); orders may still be resting at Polymarket: check and cancel them at the venue, or the next start cancels them \(Polymarket's heartbeat switch should also cancel them once heartbeats stop\)\n/);
    expect(out()).not.toMatch(/no order left open/);
  }, 60_000);
});

describe('serve --market kalshi|polymarket: command line', () => {
  it('names what is missing and keeps production behind --production', async () => {
    const dir = join(tmp, 'data-usage');
    const noKeys = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'kalshi']);
    expect(noKeys.code).toBe(2);
    expect(noKeys.out).toMatch(/KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM/);
    const noHost = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'polymarket'], { POLYMARKET_PRIVATE_KEY: newWalletKey() });
    expect(noHost.code).toBe(2);
    expect(noHost.out).toMatch(/no public test exchange; give --polymarket-rest-url .* or add --production/);
    const mainnet = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'kalshi', '--mainnet']);
    expect(mainnet.code).toBe(2);
    expect(mainnet.out).toMatch(/use --production/);
    const both = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'polymarket', '--production', '--polymarket-rest-url', 'http://127.0.0.1:1'], { POLYMARKET_PRIVATE_KEY: newWalletKey() });
    expect(both.code).toBe(2);
    expect(both.out).toMatch(/drop --polymarket-rest-url, or drop --production/);
    const stray = await runCli(['serve', '--port', '0', '--data-dir', dir, '--kalshi-rest-url', 'http://127.0.0.1:1']);
    expect(stray.code).toBe(2);
    expect(stray.out).toMatch(/--kalshi-rest-url applies to --market kalshi only/);
    // nothing listens at the venue's URL (the replica was not started): the request and the cause, not "fetch failed"
    const closed = await freePort();
    const noReplica = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'polymarket', '--polymarket-rest-url', `http://127.0.0.1:${closed}`], { POLYMARKET_PRIVATE_KEY: newWalletKey() });
    expect(noReplica.code).toBe(1);
    expect(noReplica.out).toContain(`cannot connect to polymarket: Polymarket GET http://127.0.0.1:${closed}/version: connection refused (ECONNREFUSED: nothing listens at http://127.0.0.1:${closed})`);
    const k = await startKalshiReplica(join(tmp, 'keys-usage'));
    const noKalshi = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'kalshi', '--kalshi-rest-url', `http://127.0.0.1:${closed}`], { KALSHI_API_KEY_ID: k.keyId, KALSHI_PRIVATE_KEY_PEM: k.privateKeyPem });
    expect(noKalshi.code).toBe(1);
    expect(noKalshi.out).toContain(`cannot connect to kalshi: Kalshi 0 transport: GET http://127.0.0.1:${closed}/trade-api/v2/markets: connection refused`);
    // a malformed market list names the item and what it should be
    const lower = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'kalshi', '--kalshi-rest-url', 'http://127.0.0.1:1', '--kalshi-tickers', 'KXSIMFED-26DEC-T4.25,kxsimelec'], { KALSHI_API_KEY_ID: k.keyId, KALSHI_PRIVATE_KEY_PEM: k.privateKeyPem });
    expect(lower.code).toBe(2);
    expect(lower.out).toMatch(/--kalshi-tickers: "kxsimelec" is not a Kalshi market ticker \(upper-case letters/);
    const short = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'polymarket', '--polymarket-rest-url', 'http://127.0.0.1:1', '--polymarket-markets', '0x1234'], { POLYMARKET_PRIVATE_KEY: newWalletKey() });
    expect(short.code).toBe(2);
    expect(short.out).toMatch(/--polymarket-markets: "0x1234" is not a Polymarket condition id \(0x and 64 hex digits\)/);
    // a URL with a password would print it: refused without echoing it
    for (const [flag, market, env] of [['--polymarket-rest-url', 'polymarket', { POLYMARKET_PRIVATE_KEY: newWalletKey() }], ['--kalshi-rest-url', 'kalshi', { KALSHI_API_KEY_ID: k.keyId, KALSHI_PRIVATE_KEY_PEM: k.privateKeyPem }]] as const) {
      const userinfo = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', market, flag, 'http://trader:s3cret-pw@127.0.0.1:1'], { ...env });
      expect(userinfo.code, flag).toBe(2);
      expect(userinfo.out, flag).toContain(`${flag} must not carry a user name or password`);
      expect(userinfo.out, flag).not.toContain('s3cret-pw');
    }
    // a market named twice, or more markets than the engine takes, is refused rather than traded twice or dropped
    const twice = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'kalshi', '--kalshi-rest-url', 'http://127.0.0.1:1', '--kalshi-tickers', 'KXSIMFED-26DEC-T4.25,KXSIMELEC-28-DEM,KXSIMFED-26DEC-T4.25'], { KALSHI_API_KEY_ID: k.keyId, KALSHI_PRIVATE_KEY_PEM: k.privateKeyPem });
    expect(twice.code).toBe(2);
    expect(twice.out).toMatch(/--kalshi-tickers names KXSIMFED-26DEC-T4\.25 twice/);
    const cond = `0x${'ab'.repeat(32)}`;
    const twicePoly = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'polymarket', '--polymarket-rest-url', 'http://127.0.0.1:1', '--polymarket-markets', `${cond},${cond.toUpperCase().replace('0X', '0x')}`], { POLYMARKET_PRIVATE_KEY: newWalletKey() });
    expect(twicePoly.code).toBe(2);
    expect(twicePoly.out).toMatch(/--polymarket-markets names 0x[0-9A-F]{64} twice/);
    const many = await runCli(['serve', '--port', '0', '--data-dir', dir, '--market', 'kalshi', '--kalshi-rest-url', 'http://127.0.0.1:1', '--kalshi-tickers', Array.from({ length: 29 }, (_, i) => `KXT-${i}`).join(',')], { KALSHI_API_KEY_ID: k.keyId, KALSHI_PRIVATE_KEY_PEM: k.privateKeyPem });
    expect(many.code).toBe(2);
    expect(many.out).toMatch(/--kalshi-tickers names 29 markets: at most 28 per venue/);
    const prodSim = await runCli(['serve', '--port', '0', '--data-dir', dir, '--production']);
    expect(prodSim.code).toBe(2);
    expect(prodSim.out).toMatch(/--production applies to --market kalshi \/ polymarket only/);
  }, 60_000);
});
