// `spreadcore serve --market polymarket` against `spreadcore replica polymarket` (both real
// processes) across a kill -9: a market that resolves while the engine is down sends it no
// market_resolved, and GET /markets no longer lists it as active; at restart the ledgers'
// position in it is settled from the market's winning token, once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalPath } from '../src/store/open-database.js';
import { DEFAULT_TRADE_MARGIN_S } from '../src/venues/polymarket/polymarket-venue.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { crossingPrice, newWalletKey, polySymbol, replicaAdmin, replicaState, startPolymarketReplica, startPredictionServe } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-poly-restart-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

type Accounts = { accounts: Array<{ account: string; positions: Array<{ symbol: string; position: number; realized_pnl: number }> }> };
interface Trades { trades: Array<{ side: string; price: number; qty: number; fee: number }> }

describe('serve --market polymarket: a market that resolves while the engine is down', () => {
  it('is settled in the ledgers at restart from its winning token, and only once', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300']);
    const target = p.markets[0]!;
    const sym = polySymbol(target.condition_id);
    const dataDir = join(tmp, 'data');
    const walletKey = newWalletKey();
    let s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: sym, qty: 10, type: 'LIMIT', price: await crossingPrice(s.port, sym, 'BUY', 10) })).toMatchObject({ ok: true });
    const manual = async (): Promise<{ position: number; realized_pnl: number } | undefined> =>
      (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((x) => x.symbol === sym);
    await waitUntil('the buy confirmed and booked', async () => (await manual())?.position === 10, 20_000, s.proc.out);
    const trades = (await apiRequest<Trades>(s.port, '/api/strategy/manual/trades')).trades;
    const payout = trades.reduce((a, t) => a + t.qty * (1 - t.price) - t.fee, 0);

    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    await replicaAdmin(p.url, 'resolve', { market: target.condition_id, winner: 'Yes' });

    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect(s.proc.out()).toMatch(new RegExp(`polymarket: ${sym} resolved YES while the engine was down: settling it`));
    expect(s.proc.out()).toMatch(/polymarket 5 markets \(CLOB version 2\), reconciled/);
    const after = await manual();
    expect(after?.position).toBe(0);
    expect(after?.realized_pnl).toBeCloseTo(payout, 6);
    const markets = await apiRequest<{ markets: Array<{ symbol: string; status: string }> }>(s.port, '/api/markets');
    expect(markets.markets.find((m) => m.symbol === sym)?.status).toBe('resolved');

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect(s.proc.out()).not.toMatch(/while the engine was down/);
    const again = await manual();
    expect(again?.position).toBe(0);
    expect(again?.realized_pnl).toBeCloseTo(payout, 6);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});

type PState = { orders: Array<{ side: string; price: string; status: string; asset_id: string }>; trades: Array<{ status: string; asset_id: string }> };

describe('serve --market polymarket survives kill -9', () => {
  it('journals a trade of a quote left resting, made while it was down, once at restart', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300', '--heartbeat-timeout-ms', '600000']);
    const target = p.markets[1]!;
    const sym = polySymbol(target.condition_id);
    const dataDir = join(tmp, 'data-k');
    const walletKey = newWalletKey();
    let s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect(await apiRequest(s.port, '/api/strategy/load', {
      name: 'pk', type: 'MarketMaking', symbols: [sym], parameters: { base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket' },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/pk/start', {});
    const bid = async (): Promise<PState['orders'][number] | undefined> => (await replicaState<PState>(p.url)).orders.find((o) => o.asset_id === target.yes && o.status === 'LIVE' && o.side === 'BUY');
    await waitUntil('our bid resting at Polymarket', async () => (await bid()) !== undefined, 30_000, s.proc.out);
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    const ours = (await bid())!;
    await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [], asks: [] });
    await replicaAdmin(p.url, 'trade', { token_id: target.yes, side: 'SELL', price: ours.price, size: '50' });
    await waitUntil('the trade CONFIRMED', async () => (await replicaState<PState>(p.url)).trades.some((t) => t.asset_id === target.yes && t.status === 'CONFIRMED'), 20_000);

    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    await waitUntil('the missed trade journaled', async () => /polymarket: reconciled: 1 missed trade\(s\) of our orders from before the restart journaled/.test(s.proc.out()), 20_000, s.proc.out);
    const trades = (await apiRequest<Trades>(s.port, '/api/strategy/pk/trades')).trades;
    expect(trades.map((t) => [t.side, t.price, t.qty])).toEqual([['BUY', Number(ours.price), 10]]);
    const inv = await apiRequest<{ inventory: { current_position: number } }>(s.port, `/api/strategy/pk/metrics?symbol=${encodeURIComponent(sym)}`);
    expect(inv.inventory.current_position).toBe(10);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    // once more: nothing journaled twice
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect((await apiRequest<Trades>(s.port, '/api/strategy/pk/trades')).trades.length).toBe(1);
    expect(s.proc.out()).not.toMatch(/missed trade/);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 120_000);
});

describe('serve --market polymarket: a market resolved while the link is down', () => {
  it('is settled when the user channel is back, from the market read again', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300']);
    const target = p.markets[2]!;
    const sym = polySymbol(target.condition_id);
    const s = await startPredictionServe({ polymarket: p, dataDir: join(tmp, 'data-r') });
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: sym, qty: 10, type: 'LIMIT', price: await crossingPrice(s.port, sym, 'BUY', 10) })).toMatchObject({ ok: true });
    const manual = async (): Promise<{ position: number; realized_pnl: number } | undefined> =>
      (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((x) => x.symbol === sym);
    await waitUntil('the buy confirmed and booked', async () => (await manual())?.position === 10, 20_000, s.proc.out);
    const trades = (await apiRequest<Trades>(s.port, '/api/strategy/manual/trades')).trades;
    const payout = trades.reduce((a, t) => a + t.qty * (1 - t.price) - t.fee, 0);

    // both channels drop and the market resolves before they are back (they wait 250 ms at least)
    await replicaAdmin(p.url, 'faults', { disconnect: true });
    await replicaAdmin(p.url, 'resolve', { market: target.condition_id, winner: 'Yes' });
    await waitUntil('settled after the reconnect', async () => (await manual())?.position === 0, 20_000, s.proc.out);
    expect(s.proc.out()).toMatch(new RegExp(`polymarket: ${sym} resolved YES while the link was down: settling it`));
    expect((await manual())?.realized_pnl).toBeCloseTo(payout, 6);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 60_000);
});

type PHashState = { orders: Array<{ id: string; side: string; price: string; status: string; asset_id: string }>; trades: Array<{ id: string; status: string; asset_id: string }> };

/** The order hashes the journal keeps (state key polymarket:orders); read while serve is not running (it holds the journal locked). */
function storedHashes(dataDir: string): string[] {
  const db = new Database(journalPath(dataDir), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT value_json FROM engine_state WHERE key = ?').get('polymarket:orders') as { value_json: string } | undefined;
    return row === undefined ? [] : Object.keys(JSON.parse(row.value_json) as Record<string, unknown>);
  } finally {
    db.close();
  }
}

describe('serve --market polymarket: the journaled order hashes', () => {
  it('of earlier runs are dropped at start once their orders are closed, so they do not pile up across restarts', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300', '--heartbeat-timeout-ms', '600000']);
    const target = p.markets[1]!;
    const sym = polySymbol(target.condition_id);
    const dataDir = join(tmp, 'data-hashes');
    const walletKey = newWalletKey();
    const earlier = new Set<string>();
    const ours = async (): Promise<PHashState['orders']> => (await replicaState<PHashState>(p.url)).orders.filter((o) => o.asset_id === target.yes);
    for (let run = 0; run < 4; run++) {
      const s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
      if (run === 0) {
        expect(await apiRequest(s.port, '/api/strategy/load', {
          name: 'ph', type: 'MarketMaking', symbols: [sym], parameters: { base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket' },
        })).toMatchObject({ ok: true });
      }
      await apiRequest(s.port, '/api/strategy/ph/start', {});
      await waitUntil(`run ${run}: both quotes resting at Polymarket`, async () => (await ours()).filter((o) => o.status === 'LIVE' && !earlier.has(o.id)).length === 2, 30_000, s.proc.out);
      const sent = (await ours()).map((o) => o.id).filter((h) => !earlier.has(h));
      // kill -9 leaves the quotes resting (the next start cancels them); SIGTERM cancels them
      if (run % 2 === 0) s.proc.child.kill('SIGKILL'); else s.proc.child.kill('SIGTERM');
      const code = await s.proc.exited;
      if (run % 2 === 1) expect(code, s.proc.out()).toBe(0);
      const stored = storedHashes(dataDir);
      // this run's orders only: the hashes of the runs before were dropped at its start (their orders
      // cancelled by the stop, or, after a kill -9, by that start)
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.filter((h) => !sent.includes(h))).toEqual([]);
      for (const h of sent) earlier.add(h);
    }
    expect(earlier.size).toBeGreaterThanOrEqual(8);
    const s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect((await ours()).filter((o) => o.status === 'LIVE')).toEqual([]);
    s.proc.child.kill('SIGTERM');
    const code = await s.proc.exited;
    expect(code, s.proc.out()).toBe(0);
    expect(storedHashes(dataDir)).toEqual([]);
  }, 180_000);

  it('of an order in a market the next run does not trade: its trade is read by id, journaled, and the hash dropped', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300', '--heartbeat-timeout-ms', '600000']);
    const target = p.markets[1]!;
    const other = p.markets[0]!;
    const sym = polySymbol(target.condition_id);
    const dataDir = join(tmp, 'data-hash-other');
    const walletKey = newWalletKey();
    let s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    // a manual bid left resting at the best bid
    const depth = await apiRequest<{ bids: Array<{ price: number }> }>(s.port, `/api/market/depth?symbol=${encodeURIComponent(sym)}&limit=1`);
    expect(await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: sym, qty: 10, type: 'LIMIT', price: depth.bids[0]!.price })).toMatchObject({ ok: true });
    const bid = async (): Promise<PHashState['orders'][number] | undefined> => (await replicaState<PHashState>(p.url)).orders.find((o) => o.asset_id === target.yes && o.status === 'LIVE' && o.side === 'BUY');
    await waitUntil('our bid resting at Polymarket', async () => (await bid()) !== undefined, 30_000, s.proc.out);
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    const order = (await bid())!;
    await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [], asks: [] });
    await replicaAdmin(p.url, 'trade', { token_id: target.yes, side: 'SELL', price: order.price, size: '50' });
    await waitUntil('the trade CONFIRMED', async () => (await replicaState<PHashState>(p.url)).trades.some((t) => t.asset_id === target.yes && t.status === 'CONFIRMED'), 20_000);

    // the next run trades another market only
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey, args: ['--polymarket-markets', other.condition_id] });
    await waitUntil('the missed trade journaled', async () => /polymarket: reconciled: 1 missed trade\(s\) of our orders from before the restart journaled/.test(s.proc.out()), 20_000, s.proc.out);
    expect((await apiRequest<Trades>(s.port, '/api/strategy/manual/trades')).trades.map((t) => [t.side, t.price, t.qty])).toEqual([['BUY', Number(order.price), 10]]);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    expect(storedHashes(dataDir)).not.toContain(order.id);
  }, 120_000);

  it('of an order whose trade is still MATCHED at restart is kept until the trade is CONFIRMED and journaled', async () => {
    // trades take 30 s to confirm: the restart reads this one while it is still MATCHED
    const p = await startPolymarketReplica(['--step-ms', '0', '--mined-ms', '200', '--confirmed-ms', '30000', '--heartbeat-timeout-ms', '600000']);
    const target = p.markets[1]!;
    const sym = polySymbol(target.condition_id);
    const dataDir = join(tmp, 'data-hash-pending');
    const walletKey = newWalletKey();
    let s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect(await apiRequest(s.port, '/api/strategy/load', {
      name: 'pm', type: 'MarketMaking', symbols: [sym], parameters: { base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 100, fee_model: 'polymarket' },
    })).toMatchObject({ ok: true });
    await apiRequest(s.port, '/api/strategy/pm/start', {});
    const bid = async (): Promise<PHashState['orders'][number] | undefined> => (await replicaState<PHashState>(p.url)).orders.find((o) => o.asset_id === target.yes && o.status === 'LIVE' && o.side === 'BUY');
    await waitUntil('our bid resting at Polymarket', async () => (await bid()) !== undefined, 30_000, s.proc.out);
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    const order = (await bid())!;
    expect(storedHashes(dataDir)).toContain(order.id);
    await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [], asks: [] });
    await replicaAdmin(p.url, 'trade', { token_id: target.yes, side: 'SELL', price: order.price, size: '50' });
    const trade = async (): Promise<PHashState['trades'][number] | undefined> => (await replicaState<PHashState>(p.url)).trades.find((t) => t.asset_id === target.yes);
    expect((await trade())?.status).toBe('MATCHED');

    // a start while the trade is pending: nothing booked, the hash kept
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect((await apiRequest<Trades>(s.port, '/api/strategy/pm/trades')).trades).toEqual([]);
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    expect(storedHashes(dataDir)).toContain(order.id);
    // read after the journal: the trade was still pending when that start looked at it
    expect((await trade())?.status).not.toBe('CONFIRMED');

    // once CONFIRMED, the next start journals it and drops the hash
    await waitUntil('the trade CONFIRMED', async () => (await trade())?.status === 'CONFIRMED', 90_000);
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    await waitUntil('the missed trade journaled', async () => /polymarket: reconciled: 1 missed trade\(s\) of our orders from before the restart journaled/.test(s.proc.out()), 20_000, s.proc.out);
    expect((await apiRequest<Trades>(s.port, '/api/strategy/pm/trades')).trades.map((t) => [t.side, t.price, t.qty])).toEqual([['BUY', Number(order.price), 10]]);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    expect(storedHashes(dataDir)).not.toContain(order.id);
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    expect((await apiRequest<Trades>(s.port, '/api/strategy/pm/trades')).trades.length).toBe(1);
    expect(s.proc.out()).not.toMatch(/missed trade/);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 180_000);
});

type PPageState = { orders: Array<{ id: string; side: string; price: string; status: string; asset_id: string }>; trades: Array<{ id: string; status: string; asset_id: string }> };

/** The venue trade ids (trade id before the ":" of the fill key) of the journal's fills; read while serve is not running. */
function journaledTradeIds(dataDir: string): string[] {
  const db = new Database(journalPath(dataDir), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT trade_id FROM fills').all() as Array<{ trade_id: string }>).map((r) => r.trade_id.split(':')[0]!);
  } finally {
    db.close();
  }
}

describe('serve --market polymarket: more trades than one page of GET /data/trades', () => {
  it('made while the user channel is down, and then while serve is down: the reconnect and the next start journal every one', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300', '--heartbeat-timeout-ms', '600000']);
    const target = p.markets[1]!;
    const sym = polySymbol(target.condition_id);
    const dataDir = join(tmp, 'data-pages');
    const walletKey = newWalletKey();
    const PER_GAP = 110; // a page is 100
    let s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [['0.39', '1000']], asks: [['0.41', '1000']] });
    await waitUntil('the book in serve', async () => {
      const d = await apiRequest<{ bids?: Array<{ price: number }>; asks?: Array<{ price: number }> }>(s.port, `/api/market/depth?symbol=${encodeURIComponent(sym)}&limit=1`);
      return d.bids?.[0]?.price === 0.39 && d.asks?.[0]?.price === 0.41;
    }, 20_000, s.proc.out);
    const placed = await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: sym, qty: 300, type: 'LIMIT', price: 0.4 });
    expect(placed, JSON.stringify(placed)).toMatchObject({ ok: true });
    const state = (): Promise<PPageState> => replicaState<PPageState>(p.url);
    const bid = async (): Promise<PPageState['orders'][number] | undefined> => (await state()).orders.find((o) => o.asset_id === target.yes && o.status === 'LIVE' && o.side === 'BUY');
    await waitUntil('our bid resting at Polymarket', async () => (await bid()) !== undefined, 30_000, s.proc.out);
    const order = (await bid())!;
    const confirmed = async (): Promise<string[]> => (await state()).trades.filter((t) => t.asset_id === target.yes && t.status === 'CONFIRMED').map((t) => t.id);
    const hit = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await replicaAdmin(p.url, 'trade', { token_id: target.yes, side: 'SELL', price: order.price, size: '1' });
    };
    const manual = async (): Promise<number | undefined> =>
      (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((x) => x.symbol === sym)?.position;
    type Health = { execution: { polymarket: { user_connected: boolean } } };

    // 1. the user channel is down while 110 trades of our bid happen: the reconcile after the reconnect reads them all
    await replicaAdmin(p.url, 'faults', { userChannelDown: true });
    await waitUntil('serve sees the user channel down', async () => !(await apiRequest<Health>(s.port, '/api/health')).execution.polymarket.user_connected, 20_000, s.proc.out);
    await hit(PER_GAP);
    await waitUntil('the trades CONFIRMED', async () => (await confirmed()).length === PER_GAP, 30_000);
    await replicaAdmin(p.url, 'faults', { userChannelDown: false });
    await waitUntil(`all ${PER_GAP} trades booked after the reconnect`, async () => (await manual()) === PER_GAP, 60_000, s.proc.out);
    const afterReconnect = (await apiRequest<Trades>(s.port, `/api/strategy/manual/trades?symbol=${encodeURIComponent(sym)}&limit=1000`)).trades;
    expect(afterReconnect).toHaveLength(PER_GAP);
    expect(afterReconnect.every((t) => t.side === 'BUY' && t.price === Number(order.price) && t.qty === 1)).toBe(true);

    // 2. serve killed while 110 more happen: the next start journals them all (3 pages of trades by then)
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    await hit(PER_GAP);
    await waitUntil('the trades CONFIRMED', async () => (await confirmed()).length === 2 * PER_GAP, 30_000);
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    await waitUntil('the missed trades journaled', async () => new RegExp(`polymarket: reconciled: ${PER_GAP} missed trade\\(s\\) of our orders from before the restart journaled`).test(s.proc.out()), 30_000, s.proc.out);
    expect(await manual()).toBe(2 * PER_GAP);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    const ids = journaledTradeIds(dataDir);
    expect(ids).toHaveLength(2 * PER_GAP);
    expect(new Set(ids)).toEqual(new Set(await confirmed()));
  }, 180_000);
});

type PMarkState = { orders: PPageState['orders']; trades: Array<{ id: string; status: string; asset_id: string; match_time: string }>; tradeReads: Array<{ asset_id: string | null; id: string | null; after: number | null; count: number }> };

/** The account's trade marks the journal keeps (token id → Unix seconds); read while serve is not running. */
function storedTradeMarks(dataDir: string): Record<string, number> {
  const db = new Database(journalPath(dataDir), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT key, value_json FROM engine_state WHERE key LIKE 'polymarket:%:last_trade_time'").all() as Array<{ key: string; value_json: string }>;
    expect(rows.length).toBeLessThanOrEqual(1);
    return rows.length === 0 ? {} : JSON.parse(rows[0]!.value_json) as Record<string, number>;
  } finally {
    db.close();
  }
}

describe('serve --market polymarket: an account with a long trade history', () => {
  it('at restart lists a token\'s trades from its journaled mark, not the whole history, and journals every trade made while it was down, those at the margin too', async () => {
    const p = await startPolymarketReplica(['--step-ms', '0', '--confirmed-ms', '300', '--heartbeat-timeout-ms', '600000']);
    const target = p.markets[1]!;
    const sym = polySymbol(target.condition_id);
    const dataDir = join(tmp, 'data-history');
    const walletKey = newWalletKey();
    const state = (): Promise<PMarkState> => replicaState<PMarkState>(p.url);
    const ofToken = async (): Promise<PMarkState['trades']> => (await state()).trades.filter((t) => t.asset_id === target.yes);
    const bid = async (): Promise<PMarkState['orders'][number] | undefined> => (await state()).orders.find((o) => o.asset_id === target.yes && o.status === 'LIVE' && o.side === 'BUY');
    const hit = async (n: number, price: string): Promise<void> => {
      for (let i = 0; i < n; i++) await replicaAdmin(p.url, 'trade', { token_id: target.yes, side: 'SELL', price, size: '1' });
    };
    const confirmedCount = async (): Promise<number> => (await ofToken()).filter((t) => t.status === 'CONFIRMED').length;
    let s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    const manual = async (): Promise<number | undefined> =>
      (await apiRequest<Accounts>(s.port, '/api/accounts')).accounts.find((a) => a.account === 'manual')?.positions.find((x) => x.symbol === sym)?.position;
    const restingBid = async (qty: number): Promise<PMarkState['orders'][number]> => {
      await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [['0.39', '1000']], asks: [['0.41', '1000']] });
      await waitUntil('the book in serve', async () => {
        const d = await apiRequest<{ bids?: Array<{ price: number }>; asks?: Array<{ price: number }> }>(s.port, `/api/market/depth?symbol=${encodeURIComponent(sym)}&limit=1`);
        return d.bids?.[0]?.price === 0.39 && d.asks?.[0]?.price === 0.41;
      }, 20_000, s.proc.out);
      const placed = await apiRequest(s.port, '/api/order', { side: 'BUY', symbol: sym, qty, type: 'LIMIT', price: 0.4 });
      expect(placed, JSON.stringify(placed)).toMatchObject({ ok: true });
      await waitUntil('our bid resting at Polymarket', async () => (await bid()) !== undefined, 30_000, s.proc.out);
      return (await bid())!;
    };

    // 1. the history: 120 trades booked live, then made old (100 of them four days back, 20 three days back)
    const OLD = 120;
    const first = await restingBid(200);
    await hit(OLD, first.price);
    await waitUntil(`all ${OLD} trades booked`, async () => (await manual()) === OLD, 60_000, s.proc.out);
    await waitUntil('the trades CONFIRMED', async () => (await confirmedCount()) === OLD, 30_000);
    const oldIds = (await ofToken()).map((t) => t.id);
    await replicaAdmin(p.url, 'backdate', { token_id: target.yes, seconds: 3 * 86_400 });
    await replicaAdmin(p.url, 'backdate', { ids: oldIds.slice(0, 100), seconds: 86_400 });
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    expect(storedTradeMarks(dataDir)[target.yes]).toBeUndefined();

    // 2. the next start has no mark yet: the whole history, once; the mark is the newest trade
    const mark = Math.max(...(await ofToken()).map((t) => Number(t.match_time)));
    expect(mark).toBeLessThan(Date.now() / 1000 - 3 * 86_400 + 600);
    let readsBefore = (await state()).tradeReads.length;
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    const readsOf = async (from: number): Promise<PMarkState['tradeReads']> => (await state()).tradeReads.slice(from).filter((r) => r.asset_id === target.yes && r.id === null);
    expect((await readsOf(readsBefore)).some((r) => r.after === null && r.count === 100)).toBe(true);
    const second = await restingBid(100);
    s.proc.child.kill('SIGKILL');
    await s.proc.exited;
    expect(storedTradeMarks(dataDir)[target.yes]).toBe(mark);

    // 3. while serve is down: 5 trades of the resting bid, two of them listed with a time before the mark,
    //    within the margin (a clock difference, a trade listed late)
    await hit(5, second.price);
    await waitUntil('the trades CONFIRMED', async () => (await confirmedCount()) === OLD + 5, 30_000);
    const downIds = (await ofToken()).map((t) => t.id).filter((id) => !oldIds.includes(id));
    expect(downIds).toHaveLength(5);
    const timeOf = async (id: string): Promise<number> => Number((await ofToken()).find((t) => t.id === id)!.match_time);
    await replicaAdmin(p.url, 'backdate', { ids: [downIds[0]], seconds: (await timeOf(downIds[0]!)) - (mark - 60) });
    await replicaAdmin(p.url, 'backdate', { ids: [downIds[1]], seconds: (await timeOf(downIds[1]!)) - (mark - DEFAULT_TRADE_MARGIN_S + 1) });
    expect(await timeOf(downIds[1]!)).toBe(mark - DEFAULT_TRADE_MARGIN_S + 1);

    // 4. the restart reads from the mark less the margin: the 20 newest old trades and the 5 new ones, not the history
    readsBefore = (await state()).tradeReads.length;
    s = await startPredictionServe({ polymarket: p, dataDir, walletKey });
    await waitUntil('the missed trades journaled', async () => /polymarket: reconciled: 5 missed trade\(s\) of our orders from before the restart journaled/.test(s.proc.out()), 30_000, s.proc.out);
    expect(await manual()).toBe(OLD + 5);
    // the first reads (the venue's reconcile, the look for trades of earlier orders) from the journaled mark;
    // the later ones from the mark the first moved to (the newest trade)
    const newest = Math.max(...(await Promise.all(downIds.map(timeOf))));
    const reads = await readsOf(readsBefore);
    expect(reads[0]).toMatchObject({ after: mark - DEFAULT_TRADE_MARGIN_S, count: 25 });
    expect(reads.filter((r) => r.after === mark - DEFAULT_TRADE_MARGIN_S).map((r) => r.count)).toEqual([25, 25]);
    expect(reads.filter((r) => r.after !== mark - DEFAULT_TRADE_MARGIN_S).every((r) => r.after === newest - DEFAULT_TRADE_MARGIN_S && r.count === 3)).toBe(true);
    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
    const ids = journaledTradeIds(dataDir);
    expect(ids).toHaveLength(OLD + 5);
    expect(new Set(ids)).toEqual(new Set((await ofToken()).map((t) => t.id)));
    // the mark moved on to the newest trade
    expect(storedTradeMarks(dataDir)[target.yes]).toBe(newest);
  }, 240_000);
});
