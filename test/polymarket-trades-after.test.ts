// GET /data/trades from a point in time: the replica honours `after` / `before` (Unix seconds,
// compared with match_time, both bounds excluded) and refuses a malformed value; the venue's
// reconcile lists a token's trades from its trade mark less the margin, moves the mark to the
// newest trade read, and never past a trade that is not settled yet.
import { randomBytes } from 'node:crypto';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderAmounts } from '../src/venues/polymarket/amounts.js';
import { PolymarketCredentials } from '../src/venues/polymarket/credentials.js';
import { contractsFor, exchangeFor } from '../src/venues/polymarket/endpoints.js';
import { l2Headers } from '../src/venues/polymarket/l2-auth.js';
import { signOrderV2 } from '../src/venues/polymarket/order-signing.js';
import { DEFAULT_TRADE_MARGIN_S, PolymarketExecutionVenue, tradeTimeS } from '../src/venues/polymarket/polymarket-venue.js';
import { PolymarketRestClient } from '../src/venues/polymarket/rest-client.js';
import { PolymarketReplica } from '../src/venues/polymarket/replica/index.js';

const contracts = contractsFor(137);

interface Tok { id: string; conditionId: string; tick: string; negRisk: boolean }
interface Setup { replica: PolymarketReplica; rest: PolymarketRestClient; creds: PolymarketCredentials; account: ReturnType<typeof privateKeyToAccount>; token: Tok }
type RState = { trades: Array<{ id: string; asset_id: string; match_time: string; status: string }>; tradeReads: Array<{ asset_id: string | null; after: number | null; before: number | null; count: number }> };

async function setup(confirmedMs: number): Promise<Setup> {
  const pk = `0x${randomBytes(32).toString('hex')}` as const;
  const account = privateKeyToAccount(pk);
  const replica = await PolymarketReplica.start({ port: 0, stepMs: 0, seed: 5, minedMs: 20, confirmedMs, heartbeatTimeoutMs: 600_000 });
  const l1 = new PolymarketRestClient({ baseUrl: replica.url, credentials: new PolymarketCredentials(pk, null), chainId: 137 });
  const api = await l1.deriveApiKey();
  const creds = new PolymarketCredentials(pk, { key: api.apiKey, secret: api.secret, passphrase: api.passphrase });
  const rest = new PolymarketRestClient({ baseUrl: replica.url, credentials: creds, chainId: 137 });
  const m = (await rest.getAllMarkets())[1]!;
  const token = { id: m.tokens.find((t) => t.outcome === 'Yes')!.token_id, conditionId: m.condition_id, tick: String(m.minimum_tick_size), negRisk: m.neg_risk === true };
  await admin(replica, 'book', { token_id: token.id, bids: [['0.2', '100']], asks: [['0.6', '100']] });
  return { replica, rest, creds, account, token };
}

async function admin(replica: PolymarketReplica, path: string, body: unknown): Promise<unknown> {
  const r = await fetch(`${replica.url}/__replica/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A resting bid of ours at 0.30 hit `n` times (one trade of 5 each); the trade ids in order. */
async function trades(s: Setup, n: number): Promise<string[]> {
  const priceTick = Math.round(0.3 / Number(s.token.tick));
  const order = await signOrderV2(s.account, 137, exchangeFor(contracts, s.token.negRisk), { tokenId: s.token.id, side: 'BUY', ...orderAmounts('BUY', priceTick, 500 * n, s.token.tick) });
  expect(await s.rest.postOrder(order, 'GTC', true)).toMatchObject({ success: true });
  for (let i = 0; i < n; i++) await admin(s.replica, 'trade', { token_id: s.token.id, side: 'SELL', price: '0.30', size: '5' });
  return (s.replica.state() as RState).trades.filter((t) => t.asset_id === s.token.id).map((t) => t.id);
}

const state = (s: Setup): RState => s.replica.state() as RState;
const timeOf = (s: Setup, id: string): number => Number(state(s).trades.find((t) => t.id === id)!.match_time);

let settled: Setup;
let pending: Setup;
beforeAll(async () => {
  settled = await setup(40);
  pending = await setup(600_000);
});
afterAll(async () => { await settled?.replica.close(); await pending?.replica.close(); });

describe('GET /data/trades after / before (the replica)', () => {
  it('lists the trades strictly after / before a Unix time in seconds, and refuses a malformed one', async () => {
    const s = settled;
    const ids = await trades(s, 12);
    expect(ids).toHaveLength(12);
    // three generations: 3000 s old, 2000 s old, now
    expect(await admin(s.replica, 'backdate', { ids: ids.slice(0, 8), seconds: 1000 })).toMatchObject({ moved: 8 });
    expect(await admin(s.replica, 'backdate', { ids: ids.slice(0, 4), seconds: 2000 })).toMatchObject({ moved: 4 });
    const times = ids.map((id) => timeOf(s, id));
    const g0max = Math.max(...times.slice(0, 4));
    const g1min = Math.min(...times.slice(4, 8));
    const g2min = Math.min(...times.slice(8));
    expect(g1min - g0max).toBeGreaterThan(900);
    expect(g2min - Math.max(...times.slice(4, 8))).toBeGreaterThan(900);
    const idsOf = async (q: { after?: string; before?: string }): Promise<string[]> => (await s.rest.getTrades({ asset_id: s.token.id, ...q })).map((t) => t.id);
    expect(await idsOf({})).toEqual(ids);
    // the bounds are excluded: a trade at exactly `after` or `before` is not listed
    expect(await idsOf({ after: String(g0max) })).toEqual(ids.slice(4));
    expect(await idsOf({ after: String(g0max - 1) })).toEqual(ids.filter((_, i) => times[i]! >= g0max));
    expect(await idsOf({ after: String(g0max - 1) })).toContain(ids[3]);
    expect(await idsOf({ before: String(g1min) })).toEqual(ids.slice(0, 4));
    expect(await idsOf({ before: String(g1min + 1) })).toEqual(ids.filter((_, i) => times[i]! <= g1min));
    expect(await idsOf({ after: String(g0max), before: String(g2min) })).toEqual(ids.slice(4, 8));
    // a time in milliseconds is a time far in the future: nothing after it
    expect(await idsOf({ after: String(Date.now()) })).toEqual([]);
    const reads = state(s).tradeReads.filter((r) => r.asset_id === s.token.id);
    expect(reads.at(-1)).toMatchObject({ before: null, count: 0 });
    expect(reads.some((r) => r.after === g0max && r.before === g2min && r.count === 4)).toBe(true);
    for (const [name, bad] of [['after', 'abc'], ['after', '1.5'], ['after', '-1'], ['before', ''], ['before', '2026-12-07T00:00:00Z'], ['after', '1e9']] as const) {
      const ts = Math.floor(Date.now() / 1000);
      const r = await fetch(`${s.replica.url}/data/trades?${name}=${encodeURIComponent(bad)}`, { headers: { ...l2Headers(s.account.address, s.creds.creds(), ts, 'GET', '/data/trades') } });
      expect(r.status, `${name}=${bad}`).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(new RegExp(`invalid ${name} .*a Unix timestamp in seconds`));
    }
  });
});

describe('the venue reconcile reads trades from the mark', () => {
  const venueOf = (s: Setup, marks?: Map<string, number>): PolymarketExecutionVenue => new PolymarketExecutionVenue({
    rest: s.rest, credentials: s.creds, chainId: 137, contracts,
    markets: [{ symbol: 'POLY-T', tokenId: s.token.id, conditionId: s.token.conditionId, tickSize: s.token.tick, negRisk: s.token.negRisk }],
    ...(marks !== undefined ? { tradeMarks: marks } : {}),
  });

  it('without a mark: the whole history, then the mark is the newest trade; with one: after = mark - margin', async () => {
    const s = settled;
    const all = state(s).trades.filter((t) => t.asset_id === s.token.id);
    await expect.poll(() => state(s).trades.filter((t) => t.asset_id === s.token.id).every((t) => t.status === 'CONFIRMED'), { timeout: 20_000 }).toBe(true);
    const newest = Math.max(...all.map((t) => Number(t.match_time)));
    const fresh = venueOf(s);
    expect(fresh.tradesAfter(s.token.id)).toBeUndefined();
    await fresh.reconcile();
    expect(state(s).tradeReads.at(-1)).toMatchObject({ asset_id: s.token.id, after: null, count: all.length });
    expect(fresh.tradeMarks().get(s.token.id)).toBe(newest);

    // a restart with that mark: asks after = mark - margin, which the old generations are before
    const again = venueOf(s, new Map([[s.token.id, newest]]));
    expect(again.tradesAfter(s.token.id)).toBe(newest - DEFAULT_TRADE_MARGIN_S);
    await again.reconcile();
    expect(state(s).tradeReads.at(-1)).toMatchObject({ asset_id: s.token.id, after: newest - DEFAULT_TRADE_MARGIN_S, count: 4 });
    expect(again.tradeMarks().get(s.token.id)).toBe(newest);
  });

  it('never moves the mark past a trade not settled yet', async () => {
    const s = pending;
    const ids = await trades(s, 3);
    // the first trade is older and still MATCHED / MINED (confirmation takes 10 minutes here)
    await admin(s.replica, 'backdate', { ids: [ids[0]!], seconds: 600 });
    const oldest = timeOf(s, ids[0]!);
    const v = venueOf(s);
    const seen: number[] = [];
    v.onTradeMark = (_t, m) => seen.push(m);
    await v.reconcile();
    expect(v.tradeMarks().get(s.token.id)).toBe(oldest);
    expect(seen).toEqual([oldest]);
    // read again from there: the pending trade is still listed
    await v.reconcile();
    expect(state(s).tradeReads.at(-1)).toMatchObject({ after: oldest - DEFAULT_TRADE_MARGIN_S, count: 3 });
  });

  it('a fill the reconcile finds carries its trade\'s time, not the time of the reconcile', async () => {
    const s = settled;
    const v = venueOf(s);
    const accepted: string[] = [];
    const fills: { tradeId: string; tsNs: number }[] = [];
    v.connect({
      onAccepted: (id) => { accepted.push(id); }, onRejected: () => {}, onCancelled: () => {}, onCancelRejected: () => {},
      onFill: (_o, tradeId, _p, _q, _f, _l, tsNs) => { fills.push({ tradeId, tsNs }); },
    });
    const priceTick = Math.round(0.25 / Number(s.token.tick));
    v.submit({ orderId: 'o-ts', clientOrderId: 'c-ts', strategyId: 's', symbol: 'POLY-T', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTick, qtyLot: 500 });
    await expect.poll(() => accepted, { timeout: 10_000 }).toContain('o-ts');
    const before = new Set(state(s).trades.map((t) => t.id));
    await admin(s.replica, 'trade', { token_id: s.token.id, side: 'SELL', price: '0.25', size: '5' });
    const id = state(s).trades.find((t) => !before.has(t.id))!.id;
    // the trade happened 10 minutes ago, while this venue had no user channel to hear of it
    await admin(s.replica, 'backdate', { ids: [id], seconds: 600 });
    await expect.poll(() => state(s).trades.find((t) => t.id === id)!.status, { timeout: 20_000 }).toBe('CONFIRMED');
    await v.reconcile();
    expect(fills.map((f) => f.tradeId.split(':')[0])).toEqual([id]); // the fill id is the trade id and our order's hash
    expect(Math.abs(fills[0]!.tsNs / 1e9 - timeOf(s, id))).toBeLessThan(1);
    expect(Date.now() / 1000 - fills[0]!.tsNs / 1e9).toBeGreaterThan(500);
    v.close();
  });

  it('reads match_time as seconds, milliseconds or an ISO time', () => {
    expect(tradeTimeS('1765000000')).toBe(1765000000);
    expect(tradeTimeS('1765000000123')).toBe(1765000000);
    expect(tradeTimeS('2025-12-06T05:46:40Z')).toBe(1765000000);
    expect(tradeTimeS('')).toBeNaN();
    expect(tradeTimeS('soon')).toBeNaN();
  });
});
