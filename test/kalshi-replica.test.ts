// The Kalshi client side (REST client, WebSocket client, KalshiExecutionVenue) against the
// Kalshi replica on a free loopback port: signatures accepted and refused, cursor paging,
// order book snapshot + deltas with a sequence gap (resubscribe, fresh snapshot), post-only
// that would cross, a resting order filled by a market trade through it (price, count and
// the quadratic fee agree with /portfolio/fills), duplicate fill events, an unknown outcome
// resolved by a query, settlement paying 1 or 0, and reconcile() finding missed fills;
// update_subscription (add / delete markets, its errors) and a one-market resync through it.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { VenueOrder, VenueReports } from '../src/execution/venue.js';
import { replicaEndpoints, WS_PATH } from '../src/venues/kalshi/endpoints.js';
import { makerFee, takerFee } from '../src/venues/kalshi/fees.js';
import { KalshiExecutionVenue, marketInfo } from '../src/venues/kalshi/kalshi-venue.js';
import { KalshiRestClient, type CreateOrderV2 } from '../src/venues/kalshi/rest-client.js';
import { KalshiSigner } from '../src/venues/kalshi/signing.js';
import { KalshiRateBudget } from '../src/venues/kalshi/rate-budget.js';
import { KalshiWsClient } from '../src/venues/kalshi/ws-client.js';
import { KalshiReplica, type MarketSpec } from '../src/venues/kalshi/replica/index.js';
import { freePort } from './support/free-port.js';
import { waitFor } from './support/wait.js';

function pem(): { priv: string; pub: string } {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { priv: k.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), pub: k.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}
const KEY = pem();
const OTHER = pem();

const A = 'KXTEST-26DEC-A';
const T = 'KXTEST-26DEC-TAPER';
const MARKETS: MarketSpec[] = [
  { ticker: A, closeInMs: 3_600_000, makerFees: true, yes: [['0.40', '100'], ['0.39', '200']], no: [['0.56', '100'], ['0.55', '50']] },
  { ticker: T, structure: 'tapered_deci_cent', closeInMs: 3_600_000, yes: [['0.935', '10']], no: [['0.050', '10']] },
  ...Array.from({ length: 7 }, (_, i): MarketSpec => ({ ticker: `KXPAGE-26DEC-M${i}`, eventTicker: 'KXPAGE-26DEC', closeInMs: 3_600_000, yes: [['0.20', '5']], no: [['0.70', '5']] })),
];

let replica: KalshiReplica;
let rest: KalshiRestClient;
const clients: KalshiWsClient[] = [];

beforeEach(async () => {
  replica = await KalshiReplica.start({ port: await freePort(), market: 'manual', markets: MARKETS, keys: [{ keyId: 'test-key', publicKeyPem: KEY.pub }], tier: 'premier' });
  // the client's budget is the replica's tier (Premier): a burst of this test's writes fits it, as it would at Kalshi
  rest = new KalshiRestClient({ endpoints: replicaEndpoints(replica.url), signer: new KalshiSigner('test-key', KEY.priv), budget: new KalshiRateBudget({ tier: 'premier' }) });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await replica.close();
});

async function admin(path: string, body: unknown): Promise<any> {
  const r = await fetch(`${replica.url}/__replica/${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(r.status).toBe(200);
  return r.json();
}
async function state(): Promise<any> { return (await fetch(`${replica.url}/__replica/state`)).json(); }

function ws(): KalshiWsClient {
  const c = new KalshiWsClient({ url: replica.wsUrl, signer: new KalshiSigner('test-key', KEY.priv), minBackoffMs: 20, maxBackoffMs: 100 });
  clients.push(c);
  return c;
}

interface Rec { kind: string; orderId: string; a?: unknown[] }
function recorder(): { reports: VenueReports; log: Rec[] } {
  const log: Rec[] = [];
  return {
    log,
    reports: {
      onAccepted: (orderId) => log.push({ kind: 'accepted', orderId }),
      onRejected: (orderId, reason) => log.push({ kind: 'rejected', orderId, a: [reason] }),
      onFill: (orderId, tradeId, tick, lots, fee, liq) => log.push({ kind: 'fill', orderId, a: [tradeId, tick, lots, fee, liq] }),
      onCancelled: (orderId, reason) => log.push({ kind: 'cancelled', orderId, a: [reason] }),
      onCancelRejected: (orderId, reason) => log.push({ kind: 'cancelRejected', orderId, a: [reason] }),
    },
  };
}

let seq = 0;
function order(p: Partial<VenueOrder> & { priceTick: number; qtyLot: number; side: 'BUY' | 'SELL' }): VenueOrder {
  const id = `o${++seq}`;
  return { orderId: id, clientOrderId: `sc-${id}-${Date.now()}`, strategyId: 's', symbol: A, type: 'LIMIT', timeInForce: 'POST_ONLY', ...p };
}

async function venueWithWs(): Promise<{ venue: KalshiExecutionVenue; rec: ReturnType<typeof recorder>; client: KalshiWsClient }> {
  const client = ws();
  const venue = new KalshiExecutionVenue({ rest, ws: client, queryDelayMs: 30 });
  await venue.loadMarkets([A, T], (m) => m['maker_fees'] === true);
  const rec = recorder();
  venue.connect(rec.reports);
  await client.connect();
  client.subscribe('fill');
  client.subscribe('user_orders');
  await waitFor('subscriptions', () => (replica.state()['subscriptions'] as number) >= 2);
  return { venue, rec, client };
}

// waitFor takes a sync predicate; allow async ones here
async function waitForAsync(what: string, f: () => Promise<boolean>, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!(await f())) { if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 10)); }
}

describe('Kalshi signing against the replica', () => {
  it('accepts a signed request, refuses a wrong key, an unsigned portfolio call and a stale timestamp', async () => {
    expect((await rest.getBalance()).balance).toBe(1_000_000);
    const wrong = new KalshiRestClient({ endpoints: replicaEndpoints(replica.url), signer: new KalshiSigner('test-key', OTHER.priv) });
    await expect(wrong.getBalance()).rejects.toMatchObject({ status: 401, code: 'authentication_error', cls: 'auth' });
    const unsigned = new KalshiRestClient({ endpoints: replicaEndpoints(replica.url) });
    await expect(unsigned.getBalance()).rejects.toMatchObject({ status: 401 });
    expect((await unsigned.getMarkets({ limit: 1 })).markets).toHaveLength(1); // public data needs no key
    const h = new KalshiSigner('test-key', KEY.priv).headers('GET', '/trade-api/v2/portfolio/balance', Date.now() - 120_000);
    expect((await fetch(`${rest.endpoints.restBase}/portfolio/balance`, { headers: { ...h } })).status).toBe(401);
    // the signature covers the path without the query: a query string does not change it
    const h2 = new KalshiSigner('test-key', KEY.priv).headers('GET', '/trade-api/v2/portfolio/fills?limit=5');
    expect((await fetch(`${rest.endpoints.restBase}/portfolio/fills?limit=5`, { headers: { ...h2 } })).status).toBe(200);
    // a signature over another method or path is refused
    const h3 = new KalshiSigner('test-key', KEY.priv).headers('POST', '/trade-api/v2/portfolio/balance');
    expect((await fetch(`${rest.endpoints.restBase}/portfolio/balance`, { headers: { ...h3 } })).status).toBe(401);
    expect(replica.counters.authFailures).toBeGreaterThanOrEqual(4);
  });

  it('signs the WebSocket handshake; a bad one is refused; the private key never shows', async () => {
    const signer = new KalshiSigner('test-key', OTHER.priv);
    const code = await new Promise<number>((resolve) => {
      const w = new WebSocket(replica.wsUrl, { headers: { ...signer.headers('GET', WS_PATH) } });
      w.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); w.terminate(); });
      w.on('open', () => { resolve(101); w.close(); });
      w.on('error', () => undefined);
    });
    expect(code).toBe(401);
    const c = ws();
    await c.connect();
    expect(c.connected).toBe(true);
    const secret = KEY.priv.split('\n')[1]!;
    const s = new KalshiSigner('test-key', KEY.priv);
    for (const text of [inspect(s, { depth: 5, showHidden: true }), JSON.stringify(s), String(s), inspect(rest, { depth: 6 })]) expect(text).not.toContain(secret);
    expect(() => new KalshiSigner('k', 'not a pem')).toThrow(/could not be read/);
    try { new KalshiSigner('k', KEY.priv.replace('A', '*')); } catch (e) { expect(String(e)).not.toContain(secret); }
  });
});

describe('Kalshi REST against the replica', () => {
  it('pages markets, filters by event and reads an order book in fixed point', async () => {
    const p1 = await rest.getMarkets({ limit: 4 });
    expect(p1.markets).toHaveLength(4);
    expect(p1.cursor).not.toBe('');
    const all = await rest.getAllMarkets({ limit: 4 });
    expect(all.map((m) => m.ticker)).toEqual(MARKETS.map((m) => m.ticker));
    expect(await rest.getAllMarkets({ limit: 2, event_ticker: 'KXPAGE-26DEC' })).toHaveLength(7);
    const { market } = await rest.getMarket(T);
    expect(market.price_level_structure).toBe('tapered_deci_cent');
    expect(marketInfo(market).instrument.tickSize).toBe('0.001');
    const ob = await rest.getOrderbook(A);
    expect(ob.orderbook_fp.yes_dollars).toEqual([['0.3900', '200.00'], ['0.4000', '100.00']]);
    expect(ob.orderbook_fp.no_dollars).toEqual([['0.5500', '50.00'], ['0.5600', '100.00']]);
    await expect(rest.getMarket('NOPE')).rejects.toMatchObject({ status: 404, cls: 'not_found' });
    const events = await rest.all((c) => rest.getEvents({ limit: 1, ...(c !== undefined ? { cursor: c } : {}) }), 'events');
    expect(events.map((e: any) => e.event_ticker)).toEqual(['KXTEST-26DEC', 'KXPAGE-26DEC']);
    // a list longer than the pages allowed is an error, never answered in part (a reconcile needs it whole)
    const markets = (c: string | undefined) => rest.getMarkets({ limit: 2, ...(c !== undefined ? { cursor: c } : {}) }) as Promise<{ cursor: string } & Record<string, unknown>>;
    await expect(rest.all(markets, 'markets', 2)).rejects.toMatchObject({ code: 'too_many_pages' });
    expect((await rest.all(markets, 'markets', 100)).length).toBe(MARKETS.length);
    // stopping at the page holding what is looked for answers the pages read so far
    const third = MARKETS[2]!.ticker;
    const upTo = await rest.all<{ ticker: string }>(markets, 'markets', 1, (m) => m.ticker === MARKETS[0]!.ticker);
    expect(upTo.map((m) => m.ticker)).toEqual(MARKETS.slice(0, 2).map((m) => m.ticker));
    expect((await rest.all<{ ticker: string }>(markets, 'markets', 2, (m) => m.ticker === third)).map((m) => m.ticker)).toContain(third);
  });

  it('creates, amends, decreases, batches and cancels orders on the V2 routes; a duplicate client id is refused; the legacy create is gone', async () => {
    const body = (o: Partial<CreateOrderV2> & { client_order_id: string }): CreateOrderV2 => ({
      ticker: A, side: 'bid', count: '1.00', price: '0.3000', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross', ...o,
    });
    const a = await rest.createOrder(body({ client_order_id: 'c-1', count: '5.00', post_only: true }));
    expect(a).toMatchObject({ client_order_id: 'c-1', fill_count: '0.00', remaining_count: '5.00' });
    expect((await rest.getOrder(a.order_id)).order).toMatchObject({ status: 'resting', book_side: 'bid', outcome_side: 'yes', yes_price_dollars: '0.3000', remaining_count_fp: '5.00' });
    await expect(rest.createOrder(body({ client_order_id: 'c-1' }))).rejects.toMatchObject({ status: 409 });
    await expect(rest.createOrder(body({ ticker: T, client_order_id: 'c-2', price: '0.4250' }))).rejects.toMatchObject({ status: 400, code: 'invalid_price' });
    await expect(rest.request('POST', '/portfolio/orders', { body: { ticker: A, side: 'yes', action: 'buy', count: 1, yes_price: 30 } })).rejects.toMatchObject({ status: 410, code: 'deprecated_v1_order_endpoint' });
    const d = await rest.decreaseOrder(a.order_id, { reduce_by: '2.00' });
    expect(d.remaining_count).toBe('3.00');
    const am = await rest.amendOrder(a.order_id, { ticker: A, side: 'bid', price: '0.3100', count: '3.00', client_order_id: 'c-1', updated_client_order_id: 'c-1b' });
    expect(am).toMatchObject({ remaining_count: '3.00', client_order_id: 'c-1b' });
    expect((await rest.getOrder(am.order_id)).order).toMatchObject({ yes_price_dollars: '0.3100', remaining_count_fp: '3.00' });
    const b = await rest.batchCreateOrders([body({ client_order_id: 'b-1', price: '0.2000' }), body({ client_order_id: 'b-2', price: '0.5000', post_only: true })]);
    expect(b.orders[0]!.error).toBeNull();
    expect(b.orders[0]!.remaining_count).toBe('1.00');
    expect(b.orders[1]!.error?.code).toBe('post_only_cross');
    const c = await rest.cancelOrder(am.order_id);
    expect(c).toMatchObject({ order_id: am.order_id, reduced_by: '3.00' });
    await expect(rest.cancelOrder(am.order_id)).rejects.toMatchObject({ status: 404 });
    const open = await rest.all((cur) => rest.getOrders({ status: 'resting', limit: 1, ...(cur !== undefined ? { cursor: cur } : {}) }), 'orders');
    expect(open.map((o: any) => o.client_order_id)).toEqual(['b-1']);
    const bc = await rest.batchCancelOrders([b.orders[0]!.order_id]);
    expect(bc.orders[0]).toMatchObject({ reduced_by: '1.00', error: null });
  });
});

describe('Kalshi WebSocket order book', () => {
  it('snapshot, deltas, and a sequence gap that resubscribes for a fresh snapshot', async () => {
    const c = ws();
    const stale: string[] = [];
    c.handlers = { onStale: (t, r) => stale.push(`${r}:${t.join(',')}`) };
    await c.connect();
    c.subscribe('orderbook_delta', [A]);
    await waitFor('snapshot', () => c.counters.snapshots === 1);
    const book = c.books.get(A)!;
    expect(book.toFp()).toEqual((await rest.getOrderbook(A)).orderbook_fp);
    await admin('book', { ticker: A, yes: [['0.41', '30'], ['0.40', '100']], no: [['0.56', '80']] });
    await waitFor('deltas', () => c.counters.deltas >= 4);
    expect(book.toFp()).toEqual((await rest.getOrderbook(A)).orderbook_fp);
    await admin('faults', { seqGaps: 1 });
    await admin('book', { ticker: A, yes: [['0.42', '5'], ['0.41', '30'], ['0.40', '100']], no: [['0.56', '80']] });
    await waitFor('fresh snapshot after the gap', () => c.counters.snapshots === 2);
    expect(c.counters.gaps).toBe(1);
    expect(c.counters.resubscribes).toBe(1);
    expect(stale).toEqual([`gap:${A}`]);
    expect(book.toFp()).toEqual((await rest.getOrderbook(A)).orderbook_fp);
    expect(book.bestYes()).toEqual({ bid: 4200, ask: 4400 });
    await admin('book', { ticker: A, yes: [['0.42', '6']], no: [['0.56', '80']] });
    await waitForAsync('deltas after resubscribing', async () => JSON.stringify(book.toFp()) === JSON.stringify((await rest.getOrderbook(A)).orderbook_fp) && book.yes.size === 1);
  });

  it('resyncs one market of a subscription with update_subscription: only that market is re-snapshotted, seq stays contiguous', async () => {
    const c = ws();
    const snapshots: string[] = [];
    c.tap = (text) => { const m = JSON.parse(text); if (m.type === 'orderbook_snapshot') snapshots.push(m.msg.market_ticker); };
    const stale: string[] = [];
    c.handlers = { onStale: (t, r) => stale.push(`${r}:${t.join(',')}`) };
    await c.connect();
    c.subscribe('orderbook_delta', [A, T]);
    await waitFor('two snapshots', () => c.counters.snapshots === 2);
    await admin('book', { ticker: A, yes: [['0.41', '30']], no: [['0.56', '80']] });
    await waitFor('deltas', () => c.books.get(A)!.bestYes().bid === 4100);
    expect(c.resyncBook(A)).toBe(true);
    await waitFor('A re-snapshotted', () => c.counters.snapshots === 3);
    expect(snapshots).toEqual([A, T, A]);
    expect(stale).toEqual([`crossed:${A}`]);
    expect(c.counters).toMatchObject({ marketResyncs: 1, resubscribes: 0, gaps: 0, updateErrors: 0 });
    // deltas of both markets still follow on the same sid, in sequence
    await admin('book', { ticker: A, yes: [['0.42', '5'], ['0.41', '30']], no: [['0.56', '80']] });
    await admin('book', { ticker: T, yes: [['0.936', '10']], no: [['0.050', '10']] });
    await waitForAsync('both books equal to the venue', async () =>
      JSON.stringify(c.books.get(A)!.toFp()) === JSON.stringify((await rest.getOrderbook(A)).orderbook_fp)
      && JSON.stringify(c.books.get(T)!.toFp()) === JSON.stringify((await rest.getOrderbook(T)).orderbook_fp));
    expect(c.counters.gaps).toBe(0);
    expect(snapshots).toEqual([A, T, A]);
    // an update the venue answers with an error: the whole subscription is resubscribed, and counted
    await admin('faults', { refuseUpdates: 2 });
    expect(c.resyncBook(T)).toBe(true);
    await waitFor('both re-snapshotted after a resubscribe', () => c.counters.snapshots === 5);
    expect(snapshots.slice(3).sort()).toEqual([A, T].sort());
    expect(c.counters).toMatchObject({ marketResyncs: 2, resubscribes: 1, updateErrors: 2, gaps: 0 });
    expect(replica.counters.updatesRefused).toBe(2);
    // before the sid is known, a resync resubscribes the subscription
    const d = ws();
    await d.connect();
    d.subscribe('orderbook_delta', [A, T]);
    expect(d.resyncBook(A)).toBe(true);
    expect(d.counters).toMatchObject({ resubscribes: 1, marketResyncs: 0 });
    await waitFor('snapshots of the new subscription', () => d.counters.snapshots >= 2);
    expect(d.books.get(A)!.toFp()).toEqual((await rest.getOrderbook(A)).orderbook_fp);
  });

  it('reconnects with back-off after a disconnect and resubscribes (a new snapshot)', async () => {
    const c = ws();
    const opens: boolean[] = [];
    c.handlers = { onOpen: (r) => opens.push(r) };
    await c.connect();
    c.subscribe('orderbook_delta', [A]);
    await waitFor('snapshot', () => c.counters.snapshots === 1);
    await admin('faults', { disconnect: true });
    await waitFor('reconnected with a snapshot', () => c.counters.snapshots === 2, 5000);
    expect(opens).toEqual([false, true]);
    expect(c.counters.reconnects).toBe(1);
  });
});


describe('Kalshi replica: update_subscription', () => {
  /** A signed raw WebSocket: send commands, wait for the messages that match. */
  async function raw(): Promise<{ send: (o: unknown) => void; next: (pred: (m: any) => boolean) => Promise<any>; seen: any[] }> {
    const signer = new KalshiSigner('test-key', KEY.priv);
    const w = new WebSocket(replica.wsUrl, { headers: { ...signer.headers('GET', WS_PATH) } });
    const seen: any[] = [];
    w.on('message', (d) => seen.push(JSON.parse(String(d))));
    await new Promise<void>((resolve, reject) => { w.on('open', () => resolve()); w.on('error', reject); });
    clients.push({ close: () => w.close() } as unknown as KalshiWsClient);
    let from = 0;
    const next = async (pred: (m: any) => boolean): Promise<any> => {
      let found: any;
      await waitFor('a message', () => { const i = seen.findIndex((m, k) => k >= from && pred(m)); if (i < 0) return false; found = seen[i]; from = i + 1; return true; });
      return found;
    };
    return { send: (o) => w.send(JSON.stringify(o)), next, seen };
  }

  it('adds a market (ok with the markets, then its snapshot, seq continuing) and deletes one (its deltas stop)', async () => {
    const c = await raw();
    c.send({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A] } });
    const sid = (await c.next((m) => m.type === 'subscribed')).msg.sid;
    expect(await c.next((m) => m.type === 'orderbook_snapshot')).toMatchObject({ sid, seq: 1, msg: { market_ticker: A } });
    c.send({ id: 2, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [T], action: 'add_markets' } });
    expect(await c.next((m) => m.id === 2)).toEqual({ id: 2, sid, seq: 2, type: 'ok', msg: { market_tickers: [A, T] } });
    const snap = await c.next((m) => m.type === 'orderbook_snapshot');
    expect(snap).toMatchObject({ sid, seq: 3, msg: { market_ticker: T } });
    const venue = (await rest.getOrderbook(T)).orderbook_fp;
    expect({ yes: snap.msg.yes_dollars_fp, no: snap.msg.no_dollars_fp }).toEqual({ yes: venue.yes_dollars, no: venue.no_dollars });
    // `sid` instead of `sids`
    c.send({ id: 3, cmd: 'update_subscription', params: { sid, market_tickers: [A], action: 'delete_markets' } });
    expect(await c.next((m) => m.id === 3)).toEqual({ id: 3, sid, seq: 4, type: 'ok', msg: { market_tickers: [T] } });
    await admin('book', { ticker: A, yes: [['0.41', '30']], no: [['0.56', '80']] });
    await admin('book', { ticker: T, yes: [['0.936', '10']], no: [['0.050', '10']] });
    const delta = await c.next((m) => m.type === 'orderbook_delta');
    expect(delta).toMatchObject({ sid, seq: 5, msg: { market_ticker: T } });
    expect(c.seen.filter((m) => m.type === 'orderbook_delta' && m.msg.market_ticker === A)).toEqual([]);
    expect(c.seen.filter((m) => m.type === 'orderbook_snapshot').map((m) => m.msg.market_ticker)).toEqual([A, T]);
  });

  it('unsubscribes with the subscription\'s next seq; an unknown sid is error 7', async () => {
    const c = await raw();
    c.send({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A] } });
    const sid = (await c.next((m) => m.type === 'subscribed')).msg.sid;
    expect(await c.next((m) => m.type === 'orderbook_snapshot')).toMatchObject({ sid, seq: 1 });
    c.send({ id: 2, cmd: 'unsubscribe', params: { sids: [sid] } });
    expect(await c.next((m) => m.id === 2)).toEqual({ id: 2, sid, seq: 2, type: 'unsubscribed' });
    c.send({ id: 3, cmd: 'unsubscribe', params: { sids: [sid] } });
    expect(await c.next((m) => m.id === 3)).toMatchObject({ id: 3, type: 'error', msg: { code: 7, msg: 'Unknown subscription ID' } });
  });

  it('answers bad updates with Kalshi\'s error codes and changes nothing', async () => {
    const c = await raw();
    c.send({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [A] } });
    const sid = (await c.next((m) => m.type === 'subscribed')).msg.sid;
    const bad: Array<[unknown, number, string]> = [
      [undefined, 2, 'Params required'],
      [{ sids: [sid], market_tickers: [T] }, 15, 'Action required'],
      [{ sids: [sid, sid + 1], market_tickers: [T], action: 'add_markets' }, 12, 'Exactly one subscription ID is required'],
      [{ market_tickers: [T], action: 'add_markets' }, 12, 'Exactly one subscription ID is required'],
      [{ sids: [sid + 100], market_tickers: [T], action: 'add_markets' }, 7, 'Unknown subscription ID'],
      [{ sids: [sid], market_tickers: [T], action: 'replace_markets' }, 13, 'Unsupported action'],
      [{ sids: [sid], action: 'add_markets' }, 14, 'Market Ticker required'],
      [{ sids: [sid], market_tickers: ['KXNOPE-1'], action: 'add_markets' }, 16, 'Market not found'],
    ];
    let id = 10;
    for (const [params, code, msg] of bad) {
      id++;
      c.send(params === undefined ? { id, cmd: 'update_subscription' } : { id, cmd: 'update_subscription', params });
      expect(await c.next((m) => m.id === id), JSON.stringify(params)).toMatchObject({ id, type: 'error', msg: { code, msg } });
    }
    await admin('faults', { refuseUpdates: 1 });
    c.send({ id: 30, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [T], action: 'add_markets' } });
    expect(await c.next((m) => m.id === 30)).toMatchObject({ type: 'error', msg: { code: 17, msg: 'Internal error' } });
    // the subscription is as it was: still A only, seq not taken by the refused commands
    c.send({ id: 31, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [T], action: 'add_markets' } });
    expect(await c.next((m) => m.id === 31)).toEqual({ id: 31, sid, seq: 2, type: 'ok', msg: { market_tickers: [A, T] } });
    await c.next((m) => m.type === 'orderbook_snapshot' && m.msg.market_ticker === T);
    expect(c.seen.filter((m) => m.type === 'orderbook_snapshot').map((m) => m.msg.market_ticker)).toEqual([A, T]);
  });
});

describe('KalshiExecutionVenue against the replica', () => {
  it('refuses a post-only order that would cross, and prices off the tapered grid before sending', async () => {
    const { venue, rec } = await venueWithWs();
    const cross = order({ side: 'BUY', priceTick: 44, qtyLot: 1 });
    venue.submit(cross);
    await waitFor('reject', () => rec.log.some((r) => r.kind === 'rejected'));
    expect(rec.log).toEqual([{ kind: 'rejected', orderId: cross.orderId, a: ['post_only_would_cross'] }]);
    const off = order({ symbol: T, side: 'BUY', priceTick: 425, qtyLot: 1 });
    venue.submit(off);
    expect(rec.log.at(-1)).toEqual({ kind: 'rejected', orderId: off.orderId, a: ['price_off_grid'] });
    expect(venue.counters.rejectedLocally).toBe(1);
    expect((await state()).orders).toHaveLength(0);
  });

  it('a resting order fills when the market trades through it: price, count and fee agree with /portfolio/fills; duplicate fill events give one fill', async () => {
    const { venue, rec } = await venueWithWs();
    const o = order({ side: 'BUY', priceTick: 40, qtyLot: 10 });
    venue.submit(o);
    await waitFor('accepted', () => rec.log.some((r) => r.kind === 'accepted'));
    await admin('faults', { duplicateFills: true });
    await admin('trade', { ticker: A, taker_side: 'no', yes_price_dollars: '0.39', count: 150 }); // through 0.40: 100 ahead of us, then our 10
    await waitFor('fill', () => rec.log.some((r) => r.kind === 'fill'));
    await new Promise((r) => setTimeout(r, 100));
    const fills = rec.log.filter((r) => r.kind === 'fill');
    expect(fills).toHaveLength(1);
    expect(venue.counters.duplicateFills).toBeGreaterThanOrEqual(1);
    const [tradeId, tick, lots, fee, liq] = fills[0]!.a!;
    const rf = (await rest.getFills({ order_id: venue.venueOrderId(o.orderId) })).fills;
    expect(rf).toHaveLength(1);
    expect(tradeId).toBe(`kalshi:${rf[0]!.fill_id}`);
    expect(rf[0]).toMatchObject({ yes_price_dollars: '0.4000', count_fp: '10.00', is_taker: false, action: 'buy', side: 'yes' });
    expect(tick).toBe(40);
    expect(lots).toBe(10);
    expect(liq).toBe('MAKER');
    expect(fee).toBe(rf[0]!.fee_cost);
    expect(fee).toBe(makerFee('10', '0.40')); // 0.0175·10·0.4·0.6 = 0.042 → $0.05
    expect(fee).toBe('0.0500');
    expect(rec.log.map((r) => r.kind)).toEqual(['accepted', 'fill']);
    // a taker fill: buy 5 YES crossing the ask at 0.44
    const t = order({ side: 'BUY', priceTick: 44, qtyLot: 5, timeInForce: 'IOC' });
    venue.submit(t);
    await waitFor('taker fill', () => rec.log.filter((r) => r.kind === 'fill').length === 2);
    const tf = rec.log.filter((r) => r.kind === 'fill')[1]!.a!;
    expect(tf.slice(1)).toEqual([44, 5, takerFee('5', '0.44'), 'TAKER']);
    const s = await state();
    expect(s.positions[A]).toBe(15);
    // balance: 10000 − 10·0.40 − 0.05 − 5·0.44 − fee
    const expected = 1_000_000 - 400 - 5 - 220 - Math.round(Number(takerFee('5', '0.44')) * 100);
    expect(s.balance).toBe(expected);
  });

  it('an unknown outcome is resolved by a query, never by sending again', async () => {
    const venue = new KalshiExecutionVenue({ rest, queryDelayMs: 30 }); // no WebSocket: only the query can tell
    await venue.loadMarkets([A]);
    const rec = recorder();
    venue.connect(rec.reports);
    await admin('faults', { failAfterPlace: 1 });
    const o = order({ side: 'BUY', priceTick: 35, qtyLot: 3 });
    venue.submit(o);
    await waitFor('accepted after the query', () => rec.log.some((r) => r.kind === 'accepted'), 3000);
    expect(venue.counters.unknownOutcomes).toBe(1);
    expect(venue.counters.queries).toBeGreaterThanOrEqual(1);
    const s = await state();
    expect(s.orders.filter((x: any) => x.client_order_id === o.clientOrderId)).toHaveLength(1);
    venue.cancel(o.orderId);
    await waitFor('cancelled', () => rec.log.some((r) => r.kind === 'cancelled'));
    expect(rec.log.map((r) => r.kind)).toEqual(['accepted', 'cancelled']);
    // refused outright: rejected, not queried
    await admin('faults', { rejectOrders: 1 });
    const r = order({ side: 'BUY', priceTick: 30, qtyLot: 1 });
    venue.submit(r);
    await waitFor('rejected', () => rec.log.some((x) => x.kind === 'rejected'));
    expect(rec.log.at(-1)).toEqual({ kind: 'rejected', orderId: r.orderId, a: ['order_rejected'] });
  });

  it('failRequests answers the next N REST requests 503; refuseCancels refuses the next N cancels (Kalshi\'s error body) and the order keeps resting', async () => {
    await admin('faults', { failRequests: 2 });
    for (let i = 0; i < 2; i++) {
      const e = await rest.getOrders({}).then(() => null, (x: unknown) => x);
      expect(e).toMatchObject({ status: 503, code: 'service_unavailable', cls: 'unknown_outcome' });
    }
    expect((await rest.getOrders({})).orders).toBeInstanceOf(Array);
    const placed = await rest.createOrder({ ticker: A, client_order_id: `refuse-${Date.now()}`, side: 'bid', count: '1.00', price: '0.2000', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross' });
    await admin('faults', { refuseCancels: 2 });
    const raw = await fetch(`${replica.restBase}/portfolio/events/orders/${placed.order_id}`, { method: 'DELETE', headers: { ...new KalshiSigner('test-key', KEY.priv).headers('DELETE', `/trade-api/v2/portfolio/events/orders/${placed.order_id}`) } });
    expect(raw.status).toBe(503);
    expect(await raw.json()).toEqual({ error: { code: 'exchange_unavailable', message: expect.stringContaining('cannot be cancelled'), details: '' } });
    const e = await rest.cancelOrder(placed.order_id).then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ status: 503, code: 'exchange_unavailable' });
    expect((await rest.getOrder(placed.order_id)).order.status).toBe('resting');
    expect((await state()).counters).toMatchObject({ requestsFailed: 2, cancelsRefused: 2 });
    await rest.cancelOrder(placed.order_id);
    expect((await rest.getOrder(placed.order_id)).order.status).toBe('canceled');
  });

  it('a market settles: YES holders are paid $1, NO holders $0 (and the reverse), with market_lifecycle_v2 events', async () => {
    const { venue, rec, client } = await venueWithWs();
    const lifecycle: any[] = [];
    const prev = client.handlers;
    client.handlers = { ...prev, onLifecycle: (m) => lifecycle.push(m) };
    client.subscribe('market_lifecycle_v2');
    venue.submit(order({ side: 'BUY', priceTick: 44, qtyLot: 4, timeInForce: 'IOC' })); // long 4 YES on A
    const short = order({ symbol: T, side: 'SELL', priceTick: 935, qtyLot: 2, timeInForce: 'IOC' }); // short 2 YES (= long 2 NO) on T
    venue.submit(short);
    await waitFor('fills', () => rec.log.filter((r) => r.kind === 'fill').length === 2);
    const before = (await state()).balance;
    await admin('settle', { ticker: A, result: 'yes' });
    await admin('settle', { ticker: T, result: 'yes' });
    const s = await state();
    expect(s.balance - before).toBe(400); // 4 YES × $1; the 2 NO on T pay $0
    expect(s.positions).toMatchObject({ [A]: 0, [T]: 0 });
    expect(s.settlements.map((x: any) => [x.ticker, x.result, x.position, x.payout])).toEqual([[A, 'yes', 4, '4.000000'], [T, 'yes', -2, '0.000000']]);
    await waitFor('lifecycle events', () => lifecycle.filter((m) => m.event_type === 'settled').length === 2);
    expect(lifecycle.find((m) => m.event_type === 'settled' && m.market_ticker === A).result).toBe('yes');
    expect((await rest.getMarket(A)).market).toMatchObject({ status: 'finalized', result: 'yes' });
    expect((await rest.getMarkets({ status: 'settled' })).markets.map((m) => m.ticker)).toEqual([A, T]);
    await expect(rest.createOrder({ ticker: A, client_order_id: 'late', side: 'bid', count: '1.00', price: '0.5000', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross' })).rejects.toMatchObject({ status: 400, code: 'market_closed' });
    // a NO result pays the NO side
    const r2 = await KalshiReplica.start({ port: await freePort(), market: 'manual', markets: [MARKETS[0]!], keys: [{ keyId: 'test-key', publicKeyPem: KEY.pub }] });
    try {
      const rest2 = new KalshiRestClient({ endpoints: replicaEndpoints(r2.url), signer: new KalshiSigner('test-key', KEY.priv) });
      const ack = await rest2.createOrder({ ticker: A, client_order_id: 'n1', side: 'ask', count: '3.00', price: '0.4000', time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross' });
      expect(ack).toMatchObject({ fill_count: '3.00', remaining_count: '0.00', average_fill_price: '0.4000' });
      const b0 = (await rest2.getBalance()).balance;
      expect(b0).toBe(1_000_000 - 3 * 60 - Math.round(Number(takerFee('3', '0.40')) * 100)); // selling YES at 0.40 = buying NO at 0.60
      r2.exchange.settle(r2.universe.need(A), 'no');
      expect((await rest2.getBalance()).balance - b0).toBe(300);
    } finally { await r2.close(); }
  });

  it('reconcile() finds fills it missed (no WebSocket), reports each once, and lists orders it does not know', async () => {
    const venue = new KalshiExecutionVenue({ rest, queryDelayMs: 30 });
    await venue.loadMarkets([A]);
    const rec = recorder();
    venue.connect(rec.reports);
    const o = order({ side: 'SELL', priceTick: 45, qtyLot: 6 });
    venue.submit(o);
    await waitFor('accepted', () => rec.log.some((r) => r.kind === 'accepted'));
    // the market trades through 0.45 (a YES buyer lifts 0.46)
    await admin('book', { ticker: A, yes: [['0.40', '100']], no: [['0.55', '20']] }); // YES ask 0.45 = our sell and 20 more
    await admin('trade', { ticker: A, taker_side: 'yes', yes_price_dollars: '0.46', count: 40 });
    await rest.createOrder({ ticker: A, client_order_id: 'foreign-1', side: 'bid', count: '1.00', price: '0.1000', time_in_force: 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross' });
    expect(rec.log.some((r) => r.kind === 'fill')).toBe(false);
    const rep = await venue.reconcile({ sinceTs: Math.floor(Date.now() / 1000) - 60, expectedPositions: { [A]: 0 } });
    expect(rep.missedFills).toHaveLength(1);
    expect(rep.missedFills[0]).toMatchObject({ ticker: A, orderId: o.orderId, price: '0.4500', count: '6.00', applied: true });
    expect(rep.unknownToUs.map((x) => x.clientOrderId)).toEqual(['foreign-1']);
    expect(rep.positionMismatches).toEqual([{ ticker: A, expected: '0', venue: '-6.00' }]);
    expect(rep.ok).toBe(false);
    const fills = rec.log.filter((r) => r.kind === 'fill');
    expect(fills).toHaveLength(1);
    expect(fills[0]!.a!.slice(1)).toEqual([45, 6, makerFee('6', '0.45'), 'MAKER']);
    const again = await venue.reconcile({ sinceTs: rep.lastFillTs - 1 });
    expect(again.missedFills).toHaveLength(0);
    expect(rec.log.filter((r) => r.kind === 'fill')).toHaveLength(1);
  });

  it('reconcile(): an order of ours the venue cancelled unseen is closed by its look-up, and the report is clean', async () => {
    const venue = new KalshiExecutionVenue({ rest, queryDelayMs: 30 }); // no WebSocket: the cancel goes unseen
    await venue.loadMarkets([A]);
    const rec = recorder();
    venue.connect(rec.reports);
    const o = order({ side: 'BUY', priceTick: 20, qtyLot: 2 });
    venue.submit(o);
    await waitFor('accepted', () => rec.log.some((r) => r.kind === 'accepted') && venue.venueOrderId(o.orderId) !== '');
    await rest.cancelOrder(venue.venueOrderId(o.orderId));
    const rep = await venue.reconcile({ sinceTs: Math.floor(Date.now() / 1000) - 60, expectedPositions: { [A]: 0 } });
    expect(rep.missingAtVenue).toEqual([{ orderId: o.orderId, clientOrderId: o.clientOrderId, status: 'canceled', resolved: true }]);
    expect(rec.log.filter((r) => r.orderId === o.orderId).map((r) => r.kind)).toEqual(['accepted', 'cancelled']);
    expect(rep.ok).toBe(true);
  });

  it('never earns a 429: the client budget holds requests back before the replica would refuse them', async () => {
    const r2 = await KalshiReplica.start({ port: await freePort(), market: 'manual', markets: [MARKETS[0]!], keys: [{ keyId: 'test-key', publicKeyPem: KEY.pub }], tier: 'basic' });
    try {
      const rest2 = new KalshiRestClient({ endpoints: replicaEndpoints(r2.url), signer: new KalshiSigner('test-key', KEY.priv) });
      const results = await Promise.allSettled(Array.from({ length: 40 }, () => rest2.getBalance()));
      const ok = results.filter((x) => x.status === 'fulfilled').length;
      expect(ok).toBeGreaterThan(0);
      expect(ok).toBeLessThanOrEqual(20);
      for (const x of results) if (x.status === 'rejected') expect((x.reason as Error).name).toBe('KalshiBudgetError');
      expect(r2.counters.http429).toBe(0);
    } finally { await r2.close(); }
  });
});


describe('Kalshi WebSocket keep-alive', () => {
  it('a silent connection is dropped and reconnected; pings keep a quiet one alive', async () => {
    const quiet = await KalshiReplica.start({ port: await freePort(), market: 'manual', markets: [MARKETS[0]!], keys: [{ keyId: 'test-key', publicKeyPem: KEY.pub }], pingMs: 0 });
    const pinging = await KalshiReplica.start({ port: await freePort(), market: 'manual', markets: [MARKETS[0]!], keys: [{ keyId: 'test-key', publicKeyPem: KEY.pub }], pingMs: 40 });
    try {
      const signer = new KalshiSigner('test-key', KEY.priv);
      const a = new KalshiWsClient({ url: quiet.wsUrl, signer, idleTimeoutMs: 150, minBackoffMs: 10 });
      const b = new KalshiWsClient({ url: pinging.wsUrl, signer, idleTimeoutMs: 150, minBackoffMs: 10 });
      clients.push(a, b);
      await Promise.all([a.connect(), b.connect()]);
      await new Promise((r) => setTimeout(r, 600));
      expect(a.counters.idleDrops).toBeGreaterThanOrEqual(1);
      expect(a.counters.reconnects).toBeGreaterThanOrEqual(1);
      expect(b.counters.idleDrops).toBe(0);
      expect(b.connected).toBe(true);
    } finally {
      for (const c of clients.splice(0)) c.close();
      await quiet.close();
      await pinging.close();
    }
  });
});

describe('KalshiExecutionVenue cancels', () => {
  it('a cancel of an order that filled meanwhile is refused once; a cancel of a resting order is reported once', async () => {
    const venue = new KalshiExecutionVenue({ rest, queryDelayMs: 30 });
    await venue.loadMarkets([A]);
    const rec = recorder();
    venue.connect(rec.reports);
    const a = order({ side: 'BUY', priceTick: 38, qtyLot: 2 });
    venue.submit(a);
    await waitFor('accepted', () => rec.log.some((r) => r.kind === 'accepted'));
    venue.cancel(a.orderId);
    await waitFor('cancelled', () => rec.log.some((r) => r.kind === 'cancelled'));
    venue.cancel(a.orderId);
    await new Promise((r) => setTimeout(r, 50));
    expect(rec.log.filter((r) => r.orderId === a.orderId).map((r) => r.kind)).toEqual(['accepted', 'cancelled', 'cancelRejected']);
    // filled by a trade through it, then cancelled before the venue heard of the fill (no WebSocket)
    const b = order({ side: 'BUY', priceTick: 40, qtyLot: 3 });
    venue.submit(b);
    await waitFor('accepted b', () => rec.log.some((r) => r.kind === 'accepted' && r.orderId === b.orderId));
    await admin('trade', { ticker: A, taker_side: 'no', yes_price_dollars: '0.39', count: 500 });
    venue.cancel(b.orderId);
    await waitFor('cancel refused', () => rec.log.some((r) => r.kind === 'cancelRejected' && r.orderId === b.orderId));
    await new Promise((r) => setTimeout(r, 50));
    expect(rec.log.filter((r) => r.orderId === b.orderId).map((r) => r.kind)).toEqual(['accepted', 'fill', 'cancelRejected']);
  });
});

describe('KalshiExecutionVenue close()', () => {
  it('reports nothing after close: neither REST answers in flight, nor WebSocket fills, nor pending look-ups', async () => {
    const { venue, rec, client } = await venueWithWs();
    // every REST request of the venue, to wait until each has been answered
    let inFlight = 0;
    const request = rest.request.bind(rest);
    rest.request = (async (...a: Parameters<typeof request>) => { inFlight++; try { return await request(...a); } finally { inFlight--; } }) as typeof rest.request;
    let wsFills = 0;
    let wsOrders = 0;
    const prev = client.handlers;
    client.handlers = { ...prev, onFill: (m) => { wsFills++; prev.onFill?.(m); }, onUserOrder: (m) => { wsOrders++; prev.onUserOrder?.(m); } };
    const resting = order({ side: 'BUY', priceTick: 40, qtyLot: 10 });
    const toCancel = order({ side: 'BUY', priceTick: 38, qtyLot: 2 });
    venue.submit(resting);
    venue.submit(toCancel);
    await waitFor('accepted', () => rec.log.filter((r) => r.kind === 'accepted').length === 2);
    const before = rec.log.length;
    // in flight at close: a taker order (filled at once), a cancel, and an order whose answer is lost (a look-up would follow)
    await admin('faults', { failAfterPlace: 1 });
    const lost = order({ side: 'BUY', priceTick: 35, qtyLot: 3 });
    const taker = order({ side: 'BUY', priceTick: 44, qtyLot: 5, timeInForce: 'IOC' });
    venue.submit(lost);
    venue.submit(taker);
    venue.cancel(toCancel.orderId);
    venue.close();
    expect(venue.closed).toBe(true);
    // after close: a trade through the resting order sends its fill over the WebSocket
    await admin('trade', { ticker: A, taker_side: 'no', yes_price_dollars: '0.39', count: 150 });
    await waitForAsync('the venue acted on all of it', async () => {
      const s = await state();
      const mine = (id: string): any => s.orders.find((x: any) => x.client_order_id === id);
      return mine(taker.clientOrderId)?.status === 'executed' && mine(toCancel.clientOrderId)?.status === 'canceled'
        && mine(lost.clientOrderId)?.status === 'resting' && mine(resting.clientOrderId)?.status === 'executed';
    });
    await waitFor('the fills and order updates over the WebSocket', () => wsFills >= 2 && wsOrders >= 4);
    // every answer in, and quiet for a while (a pending look-up would have been sent by now)
    let quietSince = Date.now();
    await waitFor('no request in flight for 500 ms', () => { if (inFlight > 0) quietSince = Date.now(); return Date.now() - quietSince >= 500; }, 10_000, 10);
    expect(rec.log.slice(before)).toEqual([]);
    expect(venue.counters.queries).toBe(0);
    // nothing is sent after close, and a reconcile is refused
    const requests = rest.counters.requests;
    venue.submit(order({ side: 'BUY', priceTick: 30, qtyLot: 1 }));
    venue.cancel(resting.orderId);
    await expect(venue.reconcile()).rejects.toThrow(/closed/);
    expect(rest.counters.requests).toBe(requests);
    expect(rec.log.slice(before)).toEqual([]);
  });
});

describe('Kalshi replica admin: bad bodies', () => {
  it('refuses an unknown fault, a fault of the wrong type and a missing ticker with a 400 that names them', async () => {
    const post = async (path: string, body: unknown): Promise<{ status: number; text: string }> => {
      const r = await fetch(`${replica.url}/__replica/${path}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: r.status, text: await r.text() };
    };
    const typo = await post('faults', { failAfterPlac: 1 });
    expect(typo.status).toBe(400);
    expect(typo.text).toContain('unknown fault \\"failAfterPlac\\" (one of seqGaps, rejectOrders, failAfterPlace, failRequests, refuseCancels, omitLevelRemovals, refuseUpdates, duplicateFills, disconnect)');
    const notBool = await post('faults', { duplicateFills: 'yes' });
    expect(notBool.status).toBe(400);
    expect(notBool.text).toContain('duplicateFills must be true or false');
    // nothing of a refused body was applied
    const negative = await post('faults', { omitLevelRemovals: -1 });
    expect(negative.status).toBe(400);
    expect(negative.text).toContain('omitLevelRemovals must be a non-negative integer');
    expect((await state()).faults).toEqual({ seqGaps: 0, rejectOrders: 0, failAfterPlace: 0, duplicateFills: false, failRequests: 0, refuseCancels: 0, omitLevelRemovals: 0, refuseUpdates: 0 });
    for (const route of ['settle', 'trade', 'book']) {
      const r = await post(route, { result: 'yes' });
      expect(r.status, route).toBe(400);
      expect(r.text, route).toContain('ticker: a market ticker is required');
    }
    expect((await admin('faults', { failAfterPlace: 2, duplicateFills: true })).faults).toEqual({ seqGaps: 0, rejectOrders: 0, failAfterPlace: 2, duplicateFills: true, failRequests: 0, refuseCancels: 0, omitLevelRemovals: 0, refuseUpdates: 0 });
  });
});
