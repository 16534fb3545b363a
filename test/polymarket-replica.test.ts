// The Polymarket venue end to end against the project's Polymarket replica on a free
// loopback port: L1 key derivation and L2 requests accepted and refused, order signatures
// verified (and a tampered one refused), negRisk orders signed against the negRisk
// exchange, a resting order filled by the simulated market reported with the numbers the
// replica's trades show — only once CONFIRMED, never when FAILED, once when events repeat —
// an unknown outcome resolved by a query, the heartbeat, and tick_size_change through the
// market channel into FeedIngest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyToAccount } from 'viem/accounts';
import type { VenueOrder, VenueReports } from '../src/execution/venue.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { orderAmounts } from '../src/venues/polymarket/amounts.js';
import { PolymarketCredentials } from '../src/venues/polymarket/credentials.js';
import { contractsFor, endpointsAt, exchangeFor } from '../src/venues/polymarket/endpoints.js';
import { polymarketFee } from '../src/venues/polymarket/fees.js';
import { l1Headers } from '../src/venues/polymarket/l1-auth.js';
import { l2Headers } from '../src/venues/polymarket/l2-auth.js';
import { PolymarketMarketAdapter } from '../src/venues/polymarket/market-data-adapter.js';
import { signOrderV2 } from '../src/venues/polymarket/order-signing.js';
import { PolymarketExecutionVenue, type PolymarketMarketSpec } from '../src/venues/polymarket/polymarket-venue.js';
import { PolymarketRestClient, type TradeRecord } from '../src/venues/polymarket/rest-client.js';
import { PolymarketChannel } from '../src/venues/polymarket/ws-channel.js';
import { PolymarketReplica } from '../src/venues/polymarket/replica/index.js';

const PK = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const account = privateKeyToAccount(PK);
const contracts = contractsFor(137);

class Reports implements VenueReports {
  readonly events: Array<{ kind: string; orderId: string; detail?: unknown }> = [];
  readonly fills: Array<{ orderId: string; tradeId: string; priceTick: number; qtyLot: number; fee: string; liquidity: string }> = [];
  onAccepted(orderId: string): void { this.events.push({ kind: 'accepted', orderId }); }
  onRejected(orderId: string, reason: string): void { this.events.push({ kind: 'rejected', orderId, detail: reason }); }
  onFill(orderId: string, tradeId: string, priceTick: number, qtyLot: number, fee: string, liquidity: string): void {
    this.fills.push({ orderId, tradeId, priceTick, qtyLot, fee, liquidity });
    this.events.push({ kind: 'fill', orderId });
  }
  onCancelled(orderId: string, reason: string): void { this.events.push({ kind: 'cancelled', orderId, detail: reason }); }
  onCancelRejected(orderId: string, reason: string): void { this.events.push({ kind: 'cancelRejected', orderId, detail: reason }); }
  has(kind: string, orderId: string): boolean { return this.events.some((e) => e.kind === kind && e.orderId === orderId); }
}

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error(`timed out waiting for ${what}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let replica: PolymarketReplica;
let creds: PolymarketCredentials;
let rest: PolymarketRestClient;
let markets: Array<{ condition_id: string; neg_risk: boolean; minimum_tick_size: string; fee_schedule: { rate: string; exponent: number }; tokens: Array<{ token_id: string; outcome: string }> }>;
let venue: PolymarketExecutionVenue;
const reports = new Reports();
let seq = 0;

async function admin(path: string, body: unknown): Promise<unknown> {
  const r = await fetch(`${replica.url}/__replica/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${path}: ${JSON.stringify(j)}`);
  return j;
}
const yes = (i: number) => markets[i]!.tokens.find((t) => t.outcome === 'Yes')!.token_id;
function spec(i: number, symbol: string): PolymarketMarketSpec {
  const m = markets[i]!;
  return { symbol, tokenId: yes(i), conditionId: m.condition_id, tickSize: m.minimum_tick_size, negRisk: m.neg_risk, fees: m.fee_schedule };
}
function order(symbol: string, side: 'BUY' | 'SELL', priceTick: number, qtyLot: number, timeInForce: VenueOrder['timeInForce'] = 'POST_ONLY'): VenueOrder {
  const n = ++seq;
  return { orderId: `o${n}`, clientOrderId: `c${n}`, strategyId: 's', symbol, side, type: 'LIMIT', timeInForce, priceTick, qtyLot, level: 1 };
}
async function tradesOf(tokenId: string): Promise<TradeRecord[]> { return rest.getTrades({ asset_id: tokenId }); }

beforeAll(async () => {
  replica = await PolymarketReplica.start({ port: 0, stepMs: 0, seed: 7, minedMs: 40, confirmedMs: 120, heartbeatTimeoutMs: 60_000 });
  const l1 = new PolymarketRestClient({ baseUrl: replica.url, credentials: new PolymarketCredentials(PK, null), chainId: 137 });
  const api = await l1.deriveApiKey();
  creds = new PolymarketCredentials(PK, { key: api.apiKey, secret: api.secret, passphrase: api.passphrase });
  rest = new PolymarketRestClient({ baseUrl: replica.url, credentials: creds, chainId: 137 });
  markets = ((await (await fetch(`${replica.url}/markets`)).json()) as { data: typeof markets }).data;
  venue = new PolymarketExecutionVenue({
    rest, credentials: creds, chainId: 137, contracts, markets: [spec(0, 'M0'), spec(1, 'M1-NR')], userWsUrl: endpointsAt(replica.url).userWs,
    heartbeatMs: 200, queryDelayMs: 50, notFoundGraceMs: 200,
  });
  venue.connect(reports);
  venue.start();
  await until('user channel', () => venue.userConnected && (replica.state() as { connections: { user: number } }).connections.user === 1);
});

afterAll(async () => {
  venue?.close();
  await replica?.close();
});

describe('authentication', () => {
  it('L1: derive returns the same credentials; a signature for another chain or a stale timestamp is refused', async () => {
    const l1 = new PolymarketRestClient({ baseUrl: replica.url, credentials: new PolymarketCredentials(PK, null), chainId: 137 });
    expect((await l1.deriveApiKey()).apiKey).toBe(creds.apiKey);
    const wrongChain = await l1Headers(account, 80002, Math.floor(Date.now() / 1000));
    const r1 = await fetch(`${replica.url}/auth/derive-api-key`, { headers: { ...wrongChain } });
    expect(r1.status).toBe(401);
    expect(((await r1.json()) as { error: string }).error).toMatch(/Unauthorized/);
    const stale = await l1Headers(account, 137, Math.floor(Date.now() / 1000) - 3600);
    expect((await fetch(`${replica.url}/auth/derive-api-key`, { headers: { ...stale } })).status).toBe(401);
  });

  it('L2: signed requests pass; a wrong secret, passphrase or a body other than the signed one is refused', async () => {
    expect(await rest.getOpenOrders()).toEqual([]);
    const c = creds.creds();
    const ts = Math.floor(Date.now() / 1000);
    const get = (h: Record<string, string>) => fetch(`${replica.url}/data/orders`, { headers: h });
    expect((await get({ ...l2Headers(account.address, { ...c, secret: Buffer.from('another-secret-entirely').toString('base64url') }, ts, 'GET', '/data/orders') })).status).toBe(401);
    expect((await get({ ...l2Headers(account.address, { ...c, passphrase: 'nope' }, ts, 'GET', '/data/orders') })).status).toBe(401);
    expect((await get({ ...l2Headers(account.address, c, ts, 'GET', '/data/orders') })).status).toBe(200);
    const signedFor = JSON.stringify({ orderID: '0x01' });
    const r = await fetch(`${replica.url}/order`, { method: 'DELETE', headers: { ...l2Headers(account.address, c, ts, 'DELETE', '/order', signedFor), 'content-type': 'application/json' }, body: JSON.stringify({ orderID: '0x02' }) });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toBe('Unauthorized/Invalid signature');
  });
});

describe('order signatures', () => {
  async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const text = JSON.stringify(body);
    const r = await fetch(`${replica.url}/order`, { method: 'POST', headers: { ...l2Headers(account.address, creds.creds(), Math.floor(Date.now() / 1000), 'POST', '/order', text), 'content-type': 'application/json' }, body: text });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  }

  it('the replica recovers the signer; a tampered order is refused', async () => {
    await admin('book', { token_id: yes(0), bids: [['0.40', '100']], asks: [['0.60', '100']] });
    const a = orderAmounts('BUY', 45, 1000, '0.01');
    const o = await signOrderV2(account, 137, exchangeFor(contracts, false), { tokenId: yes(0), side: 'BUY', ...a });
    const tampered = await post({ order: { ...o, makerAmount: (a.makerAmount + 10_000n).toString() }, owner: creds.apiKey, orderType: 'GTC', postOnly: true, deferExec: false });
    expect(tampered).toEqual({ status: 400, json: { error: 'invalid signature' } });
    const ok = await post({ order: o, owner: creds.apiKey, orderType: 'GTC', postOnly: true, deferExec: false });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ success: true, status: 'live' });
    expect(String(ok.json['orderID'])).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await rest.cancelOrder(String(ok.json['orderID']))).canceled).toEqual([ok.json['orderID']]);
  });

  it('negRisk markets accept orders signed for the negRisk exchange only', async () => {
    expect(markets[1]!.neg_risk).toBe(true);
    await admin('book', { token_id: yes(1), bids: [['0.20', '100']], asks: [['0.40', '100']] });
    const a = orderAmounts('BUY', 25, 1000, '0.01');
    const wrong = await signOrderV2(account, 137, contracts.exchangeV2, { tokenId: yes(1), side: 'BUY', ...a });
    expect((await post({ order: wrong, owner: creds.apiKey, orderType: 'GTC', postOnly: true })).json).toEqual({ error: 'invalid signature' });
    // through the venue: signed against the NegRisk CTF Exchange V2, accepted, cancelled
    const o = order('M1-NR', 'BUY', 25, 1000);
    venue.submit(o);
    await until('negRisk order accepted', () => reports.has('accepted', o.orderId));
    venue.cancel(o.orderId);
    await until('negRisk order cancelled', () => reports.has('cancelled', o.orderId));
  });

  it('a post-only order that would cross is rejected as such', async () => {
    await admin('book', { token_id: yes(0), bids: [['0.40', '100']], asks: [['0.60', '100']] });
    const o = order('M0', 'BUY', 60, 1000);
    venue.submit(o);
    await until('post-only reject', () => reports.has('rejected', o.orderId));
    expect(reports.events.find((e) => e.kind === 'rejected' && e.orderId === o.orderId)!.detail).toBe('post_only_would_cross');
  });
});

describe('fills', () => {
  it('a resting order fills against the market: reported once CONFIRMED, with the replica trade numbers', async () => {
    await admin('book', { token_id: yes(0), bids: [['0.50', '100']], asks: [['0.52', '100']] });
    const o = order('M0', 'BUY', 50, 1000); // 10 shares at 0.50, behind 100 shares
    venue.submit(o);
    await until('accepted', () => reports.has('accepted', o.orderId));
    await admin('trade', { token_id: yes(0), side: 'SELL', price: '0.50', size: '104.5' }); // 100 ahead, 4.5 to us
    await until('matched', () => venue.pendingLots(o.orderId) === 450);
    expect(reports.fills.filter((f) => f.orderId === o.orderId)).toEqual([]); // MATCHED is not a fill
    expect(venue.pendingExposure('M0')).toBe(450);
    await until('confirmed fill', () => reports.fills.some((f) => f.orderId === o.orderId));
    const trades = (await tradesOf(yes(0))).filter((t) => t.maker_orders.some((m) => m.order_id === venue.venueOrderId(o.orderId)));
    expect(trades).toHaveLength(1);
    const t = trades[0]!;
    expect(t.status).toBe('CONFIRMED');
    expect(t.maker_orders[0]).toMatchObject({ matched_amount: '4.50', price: '0.50', side: 'BUY' });
    expect(reports.fills.filter((f) => f.orderId === o.orderId)).toEqual([
      { orderId: o.orderId, tradeId: `${t.id}:${venue.venueOrderId(o.orderId)}`, priceTick: 50, qtyLot: 450, fee: '0', liquidity: 'MAKER' },
    ]);
    expect(venue.pendingLots(o.orderId)).toBe(0);
    venue.cancel(o.orderId);
    await until('cancelled', () => reports.has('cancelled', o.orderId));
  });

  it('a taker fill pays the market fee', async () => {
    await admin('book', { token_id: yes(0), bids: [['0.50', '100']], asks: [['0.52', '100']] });
    const o = order('M0', 'BUY', 52, 600, 'GTC'); // crosses: 6 shares at 0.52
    venue.submit(o);
    await until('taker fill', () => reports.fills.some((f) => f.orderId === o.orderId));
    const f = reports.fills.find((x) => x.orderId === o.orderId)!;
    expect(f).toMatchObject({ priceTick: 52, qtyLot: 600, liquidity: 'TAKER' });
    expect(f.fee).toBe(polymarketFee('6', '0.52', markets[0]!.fee_schedule, 'TAKER'));
    expect(f.fee).toBe('0.04492'); // 6 × 0.03 × 0.52 × 0.48 = 0.044928, floored to 5 decimals
  });

  it('a FAILED trade never becomes a fill', async () => {
    await admin('book', { token_id: yes(0), bids: [['0.45', '10']], asks: [['0.55', '100']] });
    await admin('faults', { failTrades: 1 });
    const o = order('M0', 'BUY', 45, 500);
    venue.submit(o);
    await until('accepted', () => reports.has('accepted', o.orderId));
    const failedBefore = venue.counters.failedTrades;
    await admin('trade', { token_id: yes(0), side: 'SELL', price: '0.45', size: '12' }); // 10 ahead, 2 to us
    await until('pending', () => venue.pendingLots(o.orderId) === 200);
    await until('failed', () => venue.counters.failedTrades === failedBefore + 1);
    await sleep(150);
    expect(reports.fills.filter((f) => f.orderId === o.orderId)).toEqual([]);
    expect(venue.pendingLots(o.orderId)).toBe(0);
    const t = (await tradesOf(yes(0))).find((x) => x.maker_orders.some((m) => m.order_id === venue.venueOrderId(o.orderId)))!;
    expect(t.status).toBe('FAILED');
    // reconciliation does not turn it into a fill either
    const rec = await venue.reconcile();
    expect(rec.missedFills.filter((m) => m.orderId === o.orderId && m.applied)).toEqual([]);
    expect(reports.fills.filter((f) => f.orderId === o.orderId)).toEqual([]);
    venue.cancel(o.orderId);
    await until('cancelled', () => reports.has('cancelled', o.orderId));
  });

  it('duplicated user events give one fill; reconcile after the fact adds none', async () => {
    await admin('book', { token_id: yes(0), bids: [['0.44', '1']], asks: [['0.55', '100']] });
    await admin('faults', { duplicateUserEvents: true });
    const o = order('M0', 'BUY', 44, 500);
    venue.submit(o);
    await until('accepted', () => reports.has('accepted', o.orderId));
    const dupBefore = venue.counters.duplicates;
    await admin('trade', { token_id: yes(0), side: 'SELL', price: '0.44', size: '3' }); // 1 ahead, 2 to us
    await until('fill', () => reports.fills.some((f) => f.orderId === o.orderId));
    await sleep(100);
    expect(reports.fills.filter((f) => f.orderId === o.orderId).map((f) => f.qtyLot)).toEqual([200]);
    expect(venue.counters.duplicates).toBeGreaterThan(dupBefore);
    await admin('faults', { duplicateUserEvents: false });
    await venue.reconcile();
    expect(reports.fills.filter((f) => f.orderId === o.orderId)).toHaveLength(1);
    venue.cancel(o.orderId);
    await until('cancelled', () => reports.has('cancelled', o.orderId));
  });

  it('an unknown outcome (a 500 after the order went live) is resolved by a query, not a resend', async () => {
    await admin('book', { token_id: yes(0), bids: [['0.40', '100']], asks: [['0.60', '100']] });
    await admin('faults', { serverErrors: 1 });
    // a venue without the user channel: only the query can tell it the order is live
    const quiet = new PolymarketExecutionVenue({ rest, credentials: creds, chainId: 137, contracts, markets: [spec(0, 'M0')], queryDelayMs: 30, notFoundGraceMs: 200 });
    const r2 = new Reports();
    quiet.connect(r2);
    const before = (replica.state() as { counters: { ordersAccepted: number } }).counters.ordersAccepted;
    const o = order('M0', 'SELL', 58, 700);
    quiet.submit(o);
    await until('accepted after query', () => r2.has('accepted', o.orderId));
    expect(quiet.counters.queries).toBeGreaterThan(0);
    expect((replica.state() as { counters: { ordersAccepted: number } }).counters.ordersAccepted).toBe(before + 1);
    expect((await rest.getOpenOrders()).map((x) => x.id)).toContain(quiet.venueOrderId(o.orderId));
    quiet.cancel(o.orderId);
    await until('cancelled', () => r2.has('cancelled', o.orderId));
    quiet.close();
  });

  it('the heartbeat runs while the user channel is connected', async () => {
    await until('heartbeats', () => venue.counters.heartbeats >= 2);
    const st = replica.state() as { accounts: Array<{ apiKey: string; heartbeatActive: boolean }> };
    expect(st.accounts.find((a) => a.apiKey === creds.apiKey)!.heartbeatActive).toBe(true);
  });
});

describe('market channel', () => {
  it('tick_size_change redefines the instrument through the adapter', async () => {
    const ingest = new FeedIngest();
    const redefined: string[] = [];
    ingest.listener = { onRedefined: (s) => redefined.push(`${s.symbol}:${s.instrument.tickSize}`) };
    const token = yes(2); // tick 0.001
    const adapter = new PolymarketMarketAdapter(ingest, [{ symbol: 'M2', tokenId: token, tickSize: markets[2]!.minimum_tick_size }]);
    adapter.onTickSize = (sym, t) => venue.setTickSize(sym, t);
    const ch = new PolymarketChannel({ url: endpointsAt(replica.url).marketWs, subscription: () => ({ assets_ids: [token], type: 'market' }), onFrame: (t) => adapter.onFrame(t) });
    ch.open();
    try {
      await until('live book', () => ingest.bySymbolName('M2')?.state === 'live');
      await admin('tick-size', { token_id: token, tick_size: '0.01' });
      await until('redefined', () => redefined.length === 1);
      expect(redefined).toEqual(['M2:0.01']);
      expect(ingest.bySymbolName('M2')!.instrument.tickSize).toBe('0.01');
      await until('live again', () => ingest.bySymbolName('M2')?.state === 'live');
      // the book on the new grid is the replica's
      const book = replica.universe.book(token)!;
      const s = ingest.bySymbolName('M2')!;
      const top = ingest.books.topLevels(s.book, 1);
      expect(s.instrument.price.format(top.bids[0]!.tick)).toBe(book.bids[book.bids.length - 1]!.price);
      expect(s.instrument.price.format(top.asks[0]!.tick)).toBe(book.asks[book.asks.length - 1]!.price);
      const before = adapter.counters.messages;
      await admin('step', { n: 3 });
      await until('updates flow', () => adapter.counters.messages > before + 2);
      expect(ingest.bySymbolName('M2')!.state).toBe('live');
    } finally {
      ch.close();
    }
  });
});
