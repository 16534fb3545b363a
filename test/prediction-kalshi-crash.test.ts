// No Kalshi fill is lost across a crash: `spreadcore serve --market kalshi` quotes against
// `spreadcore replica kalshi` (both real processes), is killed with SIGKILL while its quotes
// rest, the venue's simulated flow fills them while the engine is down, and on restart the
// reconciliation journals every fill made meanwhile exactly once (keyed by Kalshi's fill id,
// as live fills are), the orders left resting are cancelled, and the ledgers' position equals
// the venue's, so quoting may resume.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { replicaAdmin, replicaState, startKalshiReplica, startPredictionServe, throughPrice, WIDE_PRICE_BAND } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-kalshi-crash-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

const FED = 'KXSIMFED-26DEC-T4.25';
const ELEC = 'KXSIMELEC-28-DEM';
type KState = { orders: Array<{ ticker: string; status: string; client_order_id: string }>; fills: Array<{ ticker: string; fill_id: string; client_order_id: string; count_fp: string; yes_price_dollars: string; fee_cost: string }>; positions: Record<string, number> };
interface Trades { trades: Array<{ side: string; price: number; qty: number; trade_id?: string }> }

describe('serve --market kalshi survives kill -9', () => {
  it('journals every fill made while it was down exactly once, cancels what was left resting, and agrees with the venue', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys'));
    const dataDir = join(tmp, 'data');
    let s = await startPredictionServe({ kalshi: k, dataDir });
    const load = await apiRequest<{ ok: boolean }>(s.port, '/api/strategy/load', {
      name: 'kc', type: 'MarketMaking', symbols: [FED],
      parameters: { base_spread: 0.02, quote_size: 5, quote_levels: 2, max_inventory: 200, fee_model: 'kalshi_maker_fees', forced_exit_hours: 0 },
    });
    expect(load, JSON.stringify(load)).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/kc/start', {});
    const ours = (st: KState): KState['orders'] => st.orders.filter((o) => o.ticker === FED && o.status === 'resting');
    await waitUntil('resting quotes at Kalshi', async () => ours(await replicaState<KState>(k.url)).length > 0, 30_000, s.proc.out);
    const fillsBefore = (await replicaState<KState>(k.url)).fills.filter((f) => f.ticker === FED).length;

    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    await waitUntil('a fill of a resting quote while the engine is down', async () => (await replicaState<KState>(k.url)).fills.filter((f) => f.ticker === FED).length > fillsBefore, 120_000);
    const down = await replicaState<KState>(k.url);
    const madeWhileDown = down.fills.filter((f) => f.ticker === FED).length - fillsBefore;
    expect(madeWhileDown).toBeGreaterThan(0);

    s = await startPredictionServe({ kalshi: k, dataDir });
    // the first reconcile (before the journal is restored) says why it stays paused: fills it cannot place yet
    expect(s.proc.out()).toMatch(/[1-9]\d* fill\(s\) of orders this process did not send \(checked against the journal\); staying paused/);
    await waitUntil('the missed fills journaled', async () => /kalshi: reconciled: \d+ missed fill\(s\) of our orders journaled/.test(s.proc.out()), 30_000, s.proc.out);
    await waitUntil('nothing of ours left resting', async () => ours(await replicaState<KState>(k.url)).length === 0, 30_000, s.proc.out);
    const venue = await replicaState<KState>(k.url);
    const venueFills = venue.fills.filter((f) => f.ticker === FED);
    const trades = (await apiRequest<Trades>(s.port, '/api/strategy/kc/trades?limit=10000')).trades;
    expect(trades.length).toBe(venueFills.length);
    expect(trades.reduce((a, t) => a + t.qty, 0)).toBe(venueFills.reduce((a, f) => a + Number(f.count_fp), 0));
    const inv = await apiRequest<{ inventory: { current_position: number } }>(s.port, `/api/strategy/kc/metrics?symbol=${encodeURIComponent(FED)}`);
    expect(inv.inventory.current_position).toBe(venue.positions[FED] ?? 0);
    expect(s.proc.out()).not.toMatch(/MISMATCH/);
    // restarting once more journals nothing twice
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    s = await startPredictionServe({ kalshi: k, dataDir });
    const again = (await apiRequest<Trades>(s.port, '/api/strategy/kc/trades?limit=10000')).trades;
    expect(again.length).toBe(venueFills.length);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 300_000);

  it('started on another data dir, names the position mismatch and the way out, and stays paused', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-m'));
    let s = await startPredictionServe({ kalshi: k, args: WIDE_PRICE_BAND, dataDir: join(tmp, 'data-m1') });
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: ELEC, qty: 3, type: 'LIMIT', price: await throughPrice(s.port, ELEC, 'BUY', 3) })).toMatchObject({ ok: true });
    await waitUntil('the position at Kalshi', async () => ((await replicaState<KState>(k.url)).positions[ELEC] ?? 0) === 3, 15_000, s.proc.out);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);

    s = await startPredictionServe({ kalshi: k, dataDir: join(tmp, 'data-m2') });
    const out = s.proc.out();
    expect(out).toMatch(/kalshi 4 markets, NOT reconciled \(KXSIMELEC-28-DEM 0 in the ledgers, 3\.00 at Kalshi\): strategies stay paused until a reconcile finds the venue clean \(POST \/api\/reconcile runs one\)/);
    expect(out).toMatch(/close what trading outside this engine opened\), then POST \/api\/reconcile: the strategies quote again once the positions agree; or restart serve with the --data-dir that traded them/);
    const health = await apiRequest<{ execution: { venues_down: string[]; kalshi: { paused: boolean } } }>(s.port, '/api/health');
    expect(health.execution).toMatchObject({ venues_down: ['kalshi'], kalshi: { paused: true } });
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});

describe('serve --market kalshi: a market that settles while the engine is down', () => {
  it('is settled in the ledgers at restart (the position pays out once), though Kalshi no longer lists it as open', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-s'));
    const dataDir = join(tmp, 'data-s');
    let s = await startPredictionServe({ kalshi: k, args: WIDE_PRICE_BAND, dataDir });
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: ELEC, qty: 3, type: 'LIMIT', price: await throughPrice(s.port, ELEC, 'BUY', 3) })).toMatchObject({ ok: true });
    await waitUntil('the position at Kalshi', async () => ((await replicaState<KState>(k.url)).positions[ELEC] ?? 0) === 3, 15_000, s.proc.out);
    // the buy may take more than one level: every fill of it pays out
    const fills = (await replicaState<KState>(k.url)).fills.filter((f) => f.ticker === ELEC);
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    await replicaAdmin(k.url, 'settle', { ticker: ELEC, result: 'yes' });
    expect((await replicaState<KState>(k.url)).positions[ELEC] ?? 0).toBe(0);

    type Accounts = { accounts: Array<{ account: string; positions: Array<{ symbol: string; position: number; realized_pnl: number }> }> };
    const manual = async (): Promise<{ position: number; realized_pnl: number } | undefined> =>
      (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((p) => p.symbol === ELEC);
    const payout = fills.reduce((a, f) => a + Number(f.count_fp) * (1 - Number(f.yes_price_dollars)) - Number(f.fee_cost), 0);
    s = await startPredictionServe({ kalshi: k, dataDir });
    expect(s.proc.out()).toMatch(/KXSIMELEC-28-DEM \(finalized, result yes\) is no longer open but the ledgers hold a position in it/);
    expect(s.proc.out()).toMatch(/kalshi: KXSIMELEC-28-DEM settled YES/);
    expect(s.proc.out()).toMatch(/kalshi \d+ markets, reconciled/);
    const after = await manual();
    expect(after?.position).toBe(0);
    expect(after?.realized_pnl).toBeCloseTo(payout, 6);
    const markets = await apiRequest<{ markets: Array<{ symbol: string; status: string }> }>(s.port, '/api/markets');
    expect(markets.markets.find((m) => m.symbol === ELEC)?.status).toBe('resolved');
    // once more: the journaled settlement holds, nothing pays twice
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    s = await startPredictionServe({ kalshi: k, dataDir });
    const again = await manual();
    expect(again?.position).toBe(0);
    expect(again?.realized_pnl).toBeCloseTo(payout, 6);
    expect(s.proc.out()).not.toMatch(/MISMATCH/);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});

describe('serve --market kalshi down longer than the fill window of the first reconcile', () => {
  it('reads the fill history of a ticker whose position differs and journals the older fills of its orders once', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-l'));
    const dataDir = join(tmp, 'data-l');
    // the first reconcile reads the last second of fills only (an hour by default): the fills made while down fall before it
    const env = { SPREADCORE_KALSHI_FILL_LOOKBACK_S: '1' };
    let s = await startPredictionServe({ kalshi: k, dataDir, env });
    expect(await apiRequest(s.port, '/api/strategy/load', {
      name: 'kl', type: 'MarketMaking', symbols: [FED],
      parameters: { base_spread: 0.02, quote_size: 5, quote_levels: 2, max_inventory: 200, fee_model: 'kalshi_maker_fees', forced_exit_hours: 0 },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/kl/start', {});
    const ours = (st: KState): KState['orders'] => st.orders.filter((o) => o.ticker === FED && o.status === 'resting');
    await waitUntil('resting quotes at Kalshi', async () => ours(await replicaState<KState>(k.url)).length > 0, 30_000, s.proc.out);
    const fillsBefore = (await replicaState<KState>(k.url)).fills.filter((f) => f.ticker === FED).length;
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    await waitUntil('a fill of a resting quote while the engine is down', async () => (await replicaState<KState>(k.url)).fills.filter((f) => f.ticker === FED).length > fillsBefore, 120_000);
    await new Promise((r) => setTimeout(r, 2500));

    s = await startPredictionServe({ kalshi: k, dataDir, env });
    expect(s.proc.out()).toMatch(/kalshi: reconciled: [1-9]\d* older missed fill\(s\) of our orders journaled/);
    expect(s.proc.out()).toMatch(/kalshi \d+ markets, reconciled/);
    expect(s.proc.out()).not.toMatch(/MISMATCH/);
    await waitUntil('nothing of ours left resting', async () => ours(await replicaState<KState>(k.url)).length === 0, 30_000, s.proc.out);
    const venue = await replicaState<KState>(k.url);
    const venueFills = venue.fills.filter((f) => f.ticker === FED);
    const trades = (await apiRequest<Trades>(s.port, '/api/strategy/kl/trades?limit=10000')).trades;
    expect(trades.length).toBe(venueFills.length);
    const inv = await apiRequest<{ inventory: { current_position: number } }>(s.port, `/api/strategy/kl/metrics?symbol=${encodeURIComponent(FED)}`);
    expect(inv.inventory.current_position).toBe(venue.positions[FED] ?? 0);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    // and again: nothing is journaled twice
    s = await startPredictionServe({ kalshi: k, dataDir, env });
    expect((await apiRequest<Trades>(s.port, '/api/strategy/kl/trades?limit=10000')).trades.length).toBe(venueFills.length);
    expect(s.proc.out()).not.toMatch(/MISMATCH|older missed/);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 300_000);
});

describe('serve --market kalshi restarted on fewer markets than it holds', () => {
  it('follows a held market left out of --kalshi-tickers for its settlement and its position check, and says so', async () => {
    const k = await startKalshiReplica(join(tmp, 'keys-t'));
    const dataDir = join(tmp, 'data-t');
    let s = await startPredictionServe({ kalshi: k, args: WIDE_PRICE_BAND, dataDir });
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: ELEC, qty: 3, type: 'LIMIT', price: await throughPrice(s.port, ELEC, 'BUY', 3) })).toMatchObject({ ok: true });
    await waitUntil('the position at Kalshi', async () => ((await replicaState<KState>(k.url)).positions[ELEC] ?? 0) === 3, 15_000, s.proc.out);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);

    s = await startPredictionServe({ kalshi: k, dataDir, args: ['--kalshi-tickers', FED] });
    expect(s.proc.out()).toMatch(/kalshi: KXSIMELEC-28-DEM \(active\) is not among the markets traded but the ledgers hold a position in it: followed \(no book, no quotes\) until it settles/);
    expect(s.proc.out()).toMatch(/kalshi 2 markets, reconciled/);
    await replicaAdmin(k.url, 'settle', { ticker: ELEC, result: 'no' });
    type Accounts = { accounts: Array<{ account: string; positions: Array<{ symbol: string; position: number }> }> };
    await waitUntil('settled', async () => (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((p) => p.symbol === ELEC)?.position === 0, 15_000, s.proc.out);
    expect(s.proc.out()).toMatch(/kalshi: KXSIMELEC-28-DEM settled NO/);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});
