// The Polymarket REST client's lists against the project's Polymarket replica, which pages
// GET /data/trades and /data/orders as the CLOB does (100 a page, next_cursor from "MA==",
// "LTE=" at the end): every trade and every open order past the first page is read, a list
// longer than the client's page bound fails with an error that says so (never part of it),
// and the replica refuses a cursor it did not hand out.
import { randomBytes } from 'node:crypto';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderAmounts } from '../src/venues/polymarket/amounts.js';
import { PolymarketCredentials } from '../src/venues/polymarket/credentials.js';
import { contractsFor, exchangeFor } from '../src/venues/polymarket/endpoints.js';
import { l2Headers } from '../src/venues/polymarket/l2-auth.js';
import { signOrderV2 } from '../src/venues/polymarket/order-signing.js';
import { END_CURSOR, INITIAL_CURSOR, PolymarketPagingError, PolymarketRestClient } from '../src/venues/polymarket/rest-client.js';
import { PolymarketReplica } from '../src/venues/polymarket/replica/index.js';

const PK = `0x${randomBytes(32).toString('hex')}` as const;
const account = privateKeyToAccount(PK);
const contracts = contractsFor(137);

let replica: PolymarketReplica;
let creds: PolymarketCredentials;
let rest: PolymarketRestClient;
interface Tok { id: string; tick: string; negRisk: boolean }
let tokenA: Tok;
let tokenB: Tok;

async function admin(path: string, body: unknown): Promise<void> {
  const r = await fetch(`${replica.url}/__replica/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
}

/** Posts `n` resting post-only bids on a token (15 a request), returns their hashes. */
async function restingBids(token: Tok, n: number, price: number, qtyLot: number): Promise<string[]> {
  const priceTick = Math.round(price / Number(token.tick));
  const out: string[] = [];
  for (let left = n; left > 0; left -= 15) {
    const batch = await Promise.all(Array.from({ length: Math.min(15, left) }, async () => ({
      order: await signOrderV2(account, 137, exchangeFor(contracts, token.negRisk), { tokenId: token.id, side: 'BUY', ...orderAmounts('BUY', priceTick, qtyLot, token.tick) }),
      orderType: 'GTC' as const,
    })));
    const res = await rest.postOrders(batch, true);
    for (const r of res) { expect(r, JSON.stringify(r)).toMatchObject({ success: true, status: 'live' }); out.push(r.orderID); }
  }
  return out;
}

beforeAll(async () => {
  replica = await PolymarketReplica.start({ port: 0, stepMs: 0, seed: 11, minedMs: 20, confirmedMs: 40, heartbeatTimeoutMs: 600_000 });
  const l1 = new PolymarketRestClient({ baseUrl: replica.url, credentials: new PolymarketCredentials(PK, null), chainId: 137 });
  const api = await l1.deriveApiKey();
  creds = new PolymarketCredentials(PK, { key: api.apiKey, secret: api.secret, passphrase: api.passphrase });
  rest = new PolymarketRestClient({ baseUrl: replica.url, credentials: creds, chainId: 137 });
  const all = await rest.getAllMarkets();
  expect(all.length).toBeGreaterThanOrEqual(2);
  const tok = (i: number): Tok => ({ id: all[i]!.tokens.find((t) => t.outcome === 'Yes')!.token_id, tick: String(all[i]!.minimum_tick_size), negRisk: all[i]!.neg_risk === true });
  tokenA = tok(0);
  tokenB = tok(1);
  await admin('book', { token_id: tokenA.id, bids: [['0.2', '100']], asks: [['0.6', '100']] });
  await admin('book', { token_id: tokenB.id, bids: [['0.2', '100']], asks: [['0.6', '100']] });
});

afterAll(async () => { await replica?.close(); });

describe('Polymarket lists past the first page', () => {
  it('GET /data/orders: every open order is read, of all tokens and of one', async () => {
    const a = await restingBids(tokenA, 160, 0.25, 500);
    const b = await restingBids(tokenB, 45, 0.25, 500);
    const open = await rest.getOpenOrders();
    expect(open).toHaveLength(205);
    expect(new Set(open.map((o) => o.id))).toEqual(new Set([...a, ...b]));
    const ofA = await rest.getOpenOrders(tokenA.id);
    expect(new Set(ofA.map((o) => o.id))).toEqual(new Set(a));
    // a list longer than the bound: an error naming it, not the first pages
    const err = await rest.getOpenOrders(undefined, 2).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PolymarketPagingError);
    expect(String((err as Error).message)).toMatch(/\/data\/orders: the list runs past 2 pages \(200 entries read\)/);
    expect((await rest.cancelAll()).canceled).toHaveLength(205);
    expect(await rest.getOpenOrders()).toEqual([]);
  });

  it('GET /data/trades: every trade is read (3 pages), pages as the CLOB answers them', async () => {
    const [ours] = await restingBids(tokenA, 1, 0.3, 30_000);
    for (let i = 0; i < 205; i++) await admin('trade', { token_id: tokenA.id, side: 'SELL', price: '0.30', size: '1' });
    const trades = await rest.getTrades({ asset_id: tokenA.id });
    expect(trades).toHaveLength(205);
    const ids = trades.map((t) => t.id);
    expect(new Set(ids).size).toBe(205);
    expect(trades.every((t) => t.maker_orders.some((m) => m.order_id === ours))).toBe(true);
    const atReplica = (replica.state() as { trades: Array<{ id: string; asset_id: string }> }).trades.filter((t) => t.asset_id === tokenA.id).map((t) => t.id);
    expect(new Set(ids)).toEqual(new Set(atReplica));
    // the pages themselves: 100, 100, 5; cursors the base64 of the offset, "LTE=" after the last
    const p1 = await rest.getTradesPage({ asset_id: tokenA.id });
    expect([p1.limit, p1.count, p1.next_cursor]).toEqual([100, 100, Buffer.from('100').toString('base64')]);
    const p2 = await rest.getTradesPage({ asset_id: tokenA.id }, p1.next_cursor);
    const p3 = await rest.getTradesPage({ asset_id: tokenA.id }, p2.next_cursor);
    expect([p3.count, p3.next_cursor]).toEqual([5, END_CURSOR]);
    expect([...p1.data, ...p2.data, ...p3.data].map((t) => t.id)).toEqual(ids);
    expect((await rest.getTradesPage({ asset_id: tokenA.id }, END_CURSOR)).data).toEqual([]);
    // one trade by id: one page
    expect((await rest.getTrades({ id: ids[150]! })).map((t) => t.id)).toEqual([ids[150]]);
    const err = await rest.getTrades({ asset_id: tokenA.id }, 2).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(PolymarketPagingError);
    expect(String((err as Error).message)).toMatch(/\/data\/trades: the list runs past 2 pages/);
  });

  it('the replica refuses a cursor it did not hand out; the client refuses a bad page bound', async () => {
    for (const bad of ['nope', Buffer.from('-5').toString('base64'), Buffer.from('1.5').toString('base64'), 'MTAw=']) {
      const ts = Math.floor(Date.now() / 1000);
      const r = await fetch(`${replica.url}/data/trades?next_cursor=${encodeURIComponent(bad)}`, { headers: { ...l2Headers(account.address, creds.creds(), ts, 'GET', '/data/trades') } });
      expect(r.status, bad).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/invalid next_cursor/);
    }
    expect((await rest.getTradesPage({}, INITIAL_CURSOR)).next_cursor).not.toBe('');
    expect(() => new PolymarketRestClient({ baseUrl: replica.url, credentials: creds, chainId: 137, maxPages: 0 })).toThrow(/maxPages must be a whole number/);
  });
});
