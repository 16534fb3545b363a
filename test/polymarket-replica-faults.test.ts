// The Polymarket venue under the replica's faults and a moving simulated market: dropped
// connections (reconnect, reconcile hook, heartbeat resumes), the heartbeat dead-man switch,
// the order bucket's 429, refused orders, market resolution, and a simulated session whose
// reported fills equal the replica's CONFIRMED trades exactly while FAILED ones stay out.
import { afterEach, describe, expect, it } from 'vitest';
import type { VenueOrder, VenueReports } from '../src/execution/venue.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { decimalToMicro, orderAmounts } from '../src/venues/polymarket/amounts.js';
import { PolymarketCredentials } from '../src/venues/polymarket/credentials.js';
import { contractsFor, endpointsAt, exchangeFor } from '../src/venues/polymarket/endpoints.js';
import { PolymarketMarketAdapter } from '../src/venues/polymarket/market-data-adapter.js';
import { PolymarketMarketFeed } from '../src/venues/polymarket/market-feed.js';
import { signOrderV2 } from '../src/venues/polymarket/order-signing.js';
import { PolymarketExecutionVenue } from '../src/venues/polymarket/polymarket-venue.js';
import { BudgetRefusedError, PolymarketApiError, PolymarketRestClient } from '../src/venues/polymarket/rest-client.js';
import { RateBudget } from '../src/venues/polymarket/rate-budget.js';
import { PolymarketChannel } from '../src/venues/polymarket/ws-channel.js';
import { PolymarketReplica, type PolymarketReplicaOptions } from '../src/venues/polymarket/replica/index.js';

const PK = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6';
const contracts = contractsFor(137);

class Reports implements VenueReports {
  readonly events: Array<{ kind: string; orderId: string; detail?: unknown }> = [];
  readonly fills: Array<{ orderId: string; tradeId: string; priceTick: number; qtyLot: number; fee: string; liquidity: string }> = [];
  onAccepted(orderId: string): void { this.events.push({ kind: 'accepted', orderId }); }
  onRejected(orderId: string, reason: string): void { this.events.push({ kind: 'rejected', orderId, detail: reason }); }
  onFill(orderId: string, tradeId: string, priceTick: number, qtyLot: number, fee: string, liquidity: string): void { this.fills.push({ orderId, tradeId, priceTick, qtyLot, fee, liquidity }); }
  onCancelled(orderId: string, reason: string): void { this.events.push({ kind: 'cancelled', orderId, detail: reason }); }
  onCancelRejected(orderId: string, reason: string): void { this.events.push({ kind: 'cancelRejected', orderId, detail: reason }); }
  has(kind: string, orderId: string): boolean { return this.events.some((e) => e.kind === kind && e.orderId === orderId); }
}

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await f()) return; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error(`timed out waiting for ${what}`);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const open: Array<{ close(): unknown }> = [];
afterEach(async () => { for (const x of open.splice(0).reverse()) await x.close(); });

interface Setup { replica: PolymarketReplica; creds: PolymarketCredentials; rest: PolymarketRestClient; venue: PolymarketExecutionVenue; reports: Reports; yes: (i: number) => string }

async function setup(opts: PolymarketReplicaOptions, venueOpts: { heartbeatMs?: number; budget?: RateBudget } = {}): Promise<Setup> {
  const replica = await PolymarketReplica.start({ port: 0, seed: 11, minedMs: 20, confirmedMs: 60, ...opts });
  open.push(replica);
  const l1 = new PolymarketRestClient({ baseUrl: replica.url, credentials: new PolymarketCredentials(PK, null), chainId: 137 });
  const api = await l1.deriveApiKey();
  const creds = new PolymarketCredentials(PK, { key: api.apiKey, secret: api.secret, passphrase: api.passphrase });
  const rest = new PolymarketRestClient({ baseUrl: replica.url, credentials: creds, chainId: 137, ...(venueOpts.budget !== undefined ? { budget: venueOpts.budget } : {}) });
  const m = replica.universe.markets;
  const yes = (i: number) => m[i]!.yes.tokenId;
  const venue = new PolymarketExecutionVenue({
    rest, credentials: creds, chainId: 137, contracts, userWsUrl: endpointsAt(replica.url).userWs, heartbeatMs: venueOpts.heartbeatMs ?? 100, queryDelayMs: 30,
    markets: m.map((x, i) => ({ symbol: `M${i}`, tokenId: x.yes.tokenId, conditionId: x.conditionId, tickSize: x.tickSize, negRisk: x.negRisk, fees: x.fees })),
  });
  open.push(venue);
  const reports = new Reports();
  venue.connect(reports);
  venue.start();
  await until('user channel', () => venue.userConnected && (replica.state() as { connections: { user: number } }).connections.user === 1);
  return { replica, creds, rest, venue, reports, yes };
}

let seq = 0;
function order(symbol: string, side: 'BUY' | 'SELL', priceTick: number, qtyLot: number): VenueOrder {
  const n = ++seq;
  return { orderId: `f${n}`, clientOrderId: `f${n}`, strategyId: 's', symbol, side, type: 'LIMIT', timeInForce: 'POST_ONLY', priceTick, qtyLot, level: 1 };
}

describe('faults', () => {
  it('an unknown fault or a flag that is not a boolean is refused with a 400 that names it', async () => {
    const { replica } = await setup({ stepMs: 0 });
    const post = async (body: unknown): Promise<{ status: number; text: string }> => {
      const r = await fetch(`${replica.url}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, text: await r.text() };
    };
    const typo = await post({ failTrade: 2 });
    expect(typo.status).toBe(400);
    expect(typo.text).toContain('unknown fault \\"failTrade\\" (one of rejectOrders, failTrades, serverErrors, failRequests, omitLevelRemovals, silentSubscribes, duplicateUserEvents, userChannelDown, disconnect)');
    const negative = await post({ omitLevelRemovals: -1 });
    expect(negative.status).toBe(400);
    expect(negative.text).toContain('omitLevelRemovals must be a whole number');
    const notBool = await post({ duplicateUserEvents: 'yes' });
    expect(notBool.status).toBe(400);
    expect(notBool.text).toContain('duplicateUserEvents must be true or false');
    const down = await post({ userChannelDown: 1 });
    expect(down.status).toBe(400);
    expect(down.text).toContain('userChannelDown must be true or false');
    const text = await post({ failRequests: '3' });
    expect(text.status).toBe(400);
    expect(text.text).toContain('failRequests must be a whole number >= 0, got \\"3\\"');
    expect((await post([1])).status).toBe(400);
    // nothing of a refused body is applied, also what came before the bad key
    expect((await post({ failTrades: 4, rejectOrders: 'x' })).status).toBe(400);
    expect(replica.exchange.faults).toMatchObject({ failTrades: 0, rejectOrders: 0, failRequests: 0 });
    expect((await post({ failTrades: 1 })).status).toBe(200);
  });

  it('failRequests answers the next N REST requests 503 (any route, nothing done), admin routes excepted', async () => {
    // one heartbeat at the connect, none during the test: every failed request is one of these
    const { replica, rest, venue, reports, yes } = await setup({ stepMs: 0, heartbeatTimeoutMs: 600_000 }, { heartbeatMs: 600_000 });
    await until('the first heartbeat', () => venue.counters.heartbeats === 1);
    replica.universe.setBook(yes(0), [['0.40', '100']], [['0.60', '100']]);
    await fetch(`${replica.url}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failRequests: 3 }) });
    const accepted = replica.exchange.counters.ordersAccepted;
    for (const call of [() => rest.getOpenOrders(), () => rest.getMarket(replica.universe.markets[0]!.conditionId)]) {
      const e = await call().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(PolymarketApiError);
      expect(e).toMatchObject({ status: 503, errorMsg: 'service unavailable (replica fault)', outcomeUnknown: true });
    }
    expect((await (await fetch(`${replica.url}/__replica/faults`)).json())).toMatchObject({ failRequests: 1 });
    const r = await fetch(`${replica.url}/version`);
    expect([r.status, await r.json()]).toEqual([503, { error: 'service unavailable (replica fault)' }]);
    expect(replica.exchange.counters).toMatchObject({ requestsFailed: 3, ordersAccepted: accepted });
    expect(await rest.getOpenOrders()).toEqual([]);
    const o = order('M0', 'BUY', 41, 600);
    venue.submit(o);
    await until('accepted', () => reports.has('accepted', o.orderId));
  });

  it('a dropped user channel reconnects, calls the reconcile hook, and the heartbeat resumes', async () => {
    const { replica, venue } = await setup({ stepMs: 0 });
    let reconnects = 0;
    venue.onReconnect = () => { reconnects++; };
    await fetch(`${replica.url}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disconnect: true }) });
    await until('dropped', () => !venue.userConnected);
    await until('reconnected', () => venue.userConnected && reconnects === 1);
    const beats = venue.counters.heartbeats;
    await until('heartbeats again', () => venue.counters.heartbeats > beats + 1);
    const rec = await venue.reconcile();
    expect(rec.ok).toBe(true);
  });

  it('when heartbeats stop, the replica cancels the open orders (dead-man switch)', async () => {
    const { replica, venue, reports, yes } = await setup({ stepMs: 0, heartbeatTimeoutMs: 400 });
    replica.universe.setBook(yes(0), [['0.40', '100']], [['0.60', '100']]);
    const o = order('M0', 'BUY', 41, 1000);
    venue.submit(o);
    await until('accepted', () => reports.has('accepted', o.orderId));
    await sleep(300);
    expect(replica.exchange.orders.get(venue.venueOrderId(o.orderId)!)!.status).toBe('LIVE');
    venue.close(); // the process "dies": no more heartbeats
    await until('cancelled by the switch', () => replica.exchange.orders.get(venue.venueOrderId(o.orderId)!)!.status === 'CANCELED', 3000);
    expect(replica.exchange.counters.heartbeatCancels).toBe(1);
  });

  it('the order bucket answers 429 with Retry-After; Poly-RateLimit-Remaining and the 429 stop the client from sending', async () => {
    // the client knows the tier's refill rate but not the bucket's level: a burst of 100 for all it knows
    const { replica, rest, creds, yes } = await setup({ stepMs: 0, orderBucket: { ratePerSec: 0.5, burst: 2 } }, { budget: new RateBudget({ orders: { ratePerSec: 0.5, burst: 100 } }) });
    replica.universe.setBook(yes(0), [['0.40', '100']], [['0.60', '100']]);
    const acc = creds.account();
    const sign = async (tick: number) => signOrderV2(acc, 137, exchangeFor(contracts, false), { tokenId: yes(0), side: 'BUY', ...orderAmounts('BUY', tick, 600, '0.01') });
    await rest.postOrder(await sign(30), 'GTC', true, 0);
    await rest.postOrder(await sign(31), 'GTC', true, 0);
    // the answers said 0 remain: this client does not send a third
    await expect(rest.postOrder(await sign(32), 'GTC', true, 0)).rejects.toBeInstanceOf(BudgetRefusedError);
    // another process on the same signer, with a budget that knows nothing, earns the 429
    const other = new PolymarketRestClient({ baseUrl: replica.url, credentials: creds, chainId: 137 });
    const err = await other.postOrder(await sign(33), 'GTC', true, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolymarketApiError);
    expect((err as PolymarketApiError).status).toBe(429);
    expect(other.budget.counters.http429).toBe(1);
    expect(other.budget.blockedForMs()).toBeGreaterThan(0);
    await expect(other.postOrder(await sign(34), 'GTC', true, 0)).rejects.toBeInstanceOf(BudgetRefusedError);
    expect((replica.state() as { counters: { ordersAccepted: number } }).counters.ordersAccepted).toBe(2);
  });

  it('a local budget keeps the process from earning a 429', async () => {
    const budget = new RateBudget({ orders: { ratePerSec: 0.5, burst: 2 } });
    const { venue, reports, replica, yes } = await setup({ stepMs: 0, orderBucket: { ratePerSec: 0.5, burst: 2 } }, { budget });
    replica.universe.setBook(yes(0), [['0.40', '100']], [['0.60', '100']]);
    const os = [order('M0', 'BUY', 30, 600), order('M0', 'BUY', 31, 600), order('M0', 'BUY', 32, 600)];
    for (const o of os) venue.submit(o);
    await until('answers', () => os.every((o) => reports.has('accepted', o.orderId) || reports.has('rejected', o.orderId)));
    // a top-of-book requote must leave 10 % of the burst: the first is sent, the others are refused locally, never sent
    expect(reports.has('accepted', os[0]!.orderId)).toBe(true);
    expect(reports.events.filter((e) => e.kind === 'rejected').map((e) => e.detail)).toEqual(['rate_budget', 'rate_budget']);
    expect(budget.counters.http429).toBe(0);
    expect((replica.state() as { counters: { ordersAccepted: number } }).counters.ordersAccepted).toBe(1);
  });

  it('refused orders are rejected; a resolved market cancels its orders, settles through the adapter and refuses new ones', async () => {
    const { replica, venue, reports, yes } = await setup({ stepMs: 0 });
    replica.universe.setBook(yes(3), [['0.4', '100']], [['0.6', '100']]); // the 0.1-tick market
    await fetch(`${replica.url}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rejectOrders: 1 }) });
    const r = order('M3', 'BUY', 4, 600);
    venue.submit(r);
    await until('rejected', () => reports.has('rejected', r.orderId));
    const ingest = new FeedIngest();
    const settled: string[] = [];
    ingest.listener = { onSettled: (s, outcome) => settled.push(`${s.symbol}:${outcome}`) };
    const adapter = new PolymarketMarketAdapter(ingest, [{ symbol: 'M3', tokenId: yes(3), tickSize: '0.1' }]);
    const ch = new PolymarketChannel({ url: endpointsAt(replica.url).marketWs, subscription: () => ({ assets_ids: [yes(3)], type: 'market' }), onFrame: (t) => adapter.onFrame(t) });
    ch.open();
    open.push(ch);
    await until('book', () => ingest.bySymbolName('M3')?.state === 'live');
    const o = order('M3', 'BUY', 4, 600);
    venue.submit(o);
    await until('accepted', () => reports.has('accepted', o.orderId));
    await fetch(`${replica.url}/__replica/resolve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token_id: yes(3), winner: 'Yes' }) });
    await until('cancelled', () => reports.has('cancelled', o.orderId));
    await until('settled', () => settled.length === 1);
    expect(settled).toEqual(['M3:yes']);
    const late = order('M3', 'BUY', 4, 600);
    venue.submit(late);
    await until('refused', () => reports.has('rejected', late.orderId));
    expect(reports.events.find((e) => e.orderId === late.orderId)!.detail).toBe('market is closed');
  });
});

describe('market feed and batch cancel', () => {
  it('a dropped market channel marks the symbols stale; the reconnect resubscribes and the book is live again', async () => {
    const { replica, yes } = await setup({ stepMs: 0 });
    const ingest = new FeedIngest();
    const stale: string[] = [];
    ingest.listener = { onStale: (s, why) => stale.push(`${s.symbol}:${why}`) };
    const feed = new PolymarketMarketFeed(ingest, { url: endpointsAt(replica.url).marketWs, tokens: [{ symbol: 'A', tokenId: yes(0), tickSize: '0.01' }, { symbol: 'B', tokenId: yes(5), tickSize: '0.005' }] });
    feed.open();
    open.push(feed);
    await until('live', () => ingest.bySymbolName('A')?.state === 'live' && ingest.bySymbolName('B')?.state === 'live');
    await fetch(`${replica.url}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disconnect: true }) });
    await until('stale', () => stale.length === 2);
    expect(ingest.bySymbolName('A')!.state).not.toBe('live');
    await until('live again', () => feed.reconnects === 1 && ingest.bySymbolName('A')?.state === 'live' && ingest.bySymbolName('B')?.state === 'live');
    replica.universe.setBook(yes(0), [['0.33', '12']], [['0.35', '7']]);
    await until('update applied', () => {
      const s = ingest.bySymbolName('A')!;
      const t = ingest.books.topLevels(s.book, 1);
      return t.bids[0]?.tick === 33 && t.asks[0]?.tick === 35;
    });
  });

  it('a resynced token gets its fresh book from the subscribe; with none (silentSubscribes), the link is reconnected for it', async () => {
    const { replica, yes } = await setup({ stepMs: 0 });
    const ingest = new FeedIngest();
    const stale: string[] = [];
    ingest.listener = { onStale: (s, why) => stale.push(`${s.symbol}:${why}`) };
    const feed = new PolymarketMarketFeed(ingest, { url: endpointsAt(replica.url).marketWs, tokens: [{ symbol: 'A', tokenId: yes(0), tickSize: '0.01' }, { symbol: 'B', tokenId: yes(5), tickSize: '0.005' }], resyncBookTimeoutMs: 300 });
    feed.open();
    open.push(feed);
    const live = (sym: string): boolean => ingest.bySymbolName(sym)?.state === 'live';
    await until('live', () => live('A') && live('B'));
    // answered: only A's book comes again, on the same link
    expect(feed.resync(yes(0))).toBe(true);
    expect(live('A')).toBe(false);
    await until('A live again', () => live('A') && feed.adapter.booksOf(yes(0)) === 2);
    await sleep(450);
    expect({ reconnects: feed.reconnects, resyncReconnects: feed.resyncReconnects, booksB: feed.adapter.booksOf(yes(5)) }).toEqual({ reconnects: 0, resyncReconnects: 0, booksB: 1 });
    // not answered: after 300 ms the link is reconnected, whose subscription brings both books
    const set = await fetch(`${replica.url}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ silentSubscribes: 1 }) });
    expect(set.status).toBe(200);
    expect(feed.resync(yes(0))).toBe(true);
    await sleep(150);
    expect(live('A')).toBe(false);
    expect(feed.resyncReconnects).toBe(0);
    await until('reconnected for the book', () => feed.resyncReconnects === 1 && feed.reconnects === 1 && live('A') && live('B'), 5000);
    expect(feed.adapter.booksOf(yes(0))).toBe(3);
    expect(feed.adapter.booksOf(yes(5))).toBe(2);
    expect((replica.state() as { faults: { silentSubscribes: number } }).faults.silentSubscribes).toBe(0);
  });

  it('DELETE /orders cancels a batch and names what it could not cancel', async () => {
    const { replica, rest, venue, reports, yes } = await setup({ stepMs: 0 });
    replica.universe.setBook(yes(0), [['0.40', '100']], [['0.60', '100']]);
    const os = [order('M0', 'BUY', 35, 600), order('M0', 'BUY', 36, 600)];
    for (const o of os) venue.submit(o);
    await until('accepted', () => os.every((o) => reports.has('accepted', o.orderId)));
    const ids = os.map((o) => venue.venueOrderId(o.orderId)!);
    const r = await rest.cancelOrders([...ids, '0xnot-ours']);
    expect(r.canceled.sort()).toEqual([...ids].sort());
    expect(r.not_canceled).toEqual({ '0xnot-ours': "order can't be found" });
    await until('cancelled', () => os.every((o) => reports.has('cancelled', o.orderId)));
  });
});

describe('a simulated session', () => {
  it('every reported fill is a CONFIRMED replica trade of ours, with the same size and price; FAILED trades are not reported', async () => {
    const { replica, venue, reports, yes, rest } = await setup({ stepMs: 15, faults: { failTrades: 3 } });
    const mkt = replica.universe.markets[0]!;
    const placed: VenueOrder[] = [];
    for (let round = 0; round < 6; round++) {
      const best = replica.universe.best(yes(0));
      if (Number.isFinite(best.bid) && Number.isFinite(best.ask)) {
        for (const [side, tick] of [['BUY', best.bid], ['SELL', best.ask], ['BUY', best.bid - 1], ['SELL', best.ask + 1]] as const) {
          const o = order('M0', side, tick, 500 + 100 * round);
          placed.push(o);
          venue.submit(o);
        }
      }
      await sleep(120);
    }
    await sleep(200);
    for (const o of placed) if (!reports.has('cancelled', o.orderId) && !reports.has('rejected', o.orderId)) venue.cancel(o.orderId);
    // every order closed at the replica, every trade settled (confirmed 60 ms after its match)
    await until('orders closed', async () => (await rest.getOpenOrders()).length === 0);
    await until('trades settled', async () => (await rest.getTrades({ asset_id: yes(0) })).every((t) => t.status === 'CONFIRMED' || t.status === 'FAILED'));
    await until('fills reported', () => placed.every((o) => venue.pendingLots(o.orderId) === 0));
    const ours = new Map(placed.map((o) => [venue.venueOrderId(o.orderId), o.orderId] as const));
    const trades = await rest.getTrades({ asset_id: yes(0) });
    const want: string[] = [];
    const failed: string[] = [];
    for (const t of trades) {
      const legs = t.trader_side === 'TAKER' ? [{ id: t.taker_order_id, size: t.size, price: t.price }] : t.maker_orders.map((m) => ({ id: m.order_id, size: m.matched_amount, price: m.price }));
      for (const l of legs) {
        const orderId = ours.get(l.id);
        if (orderId === undefined) continue;
        const row = `${orderId} ${t.id}:${l.id} ${decimalToMicro(l.price)} ${decimalToMicro(l.size)}`;
        (t.status === 'CONFIRMED' ? want : failed).push(row);
      }
    }
    const grid = replica.universe.grid(mkt);
    const got = reports.fills.map((f) => `${f.orderId} ${f.tradeId} ${decimalToMicro(grid.format(f.priceTick))} ${BigInt(f.qtyLot) * 10_000n}`);
    expect(want.length).toBeGreaterThan(0);
    expect(got.sort()).toEqual(want.sort());
    expect(failed.length).toBe(replica.exchange.counters.tradesFailed);
    for (const row of failed) expect(got.some((g) => g.split(' ')[1] === row.split(' ')[1])).toBe(false);
    for (const o of placed) expect(venue.pendingLots(o.orderId)).toBe(0);
  });
});

describe('PolymarketExecutionVenue close()', () => {
  it('reports nothing after close: neither REST answers in flight, nor user-channel messages, nor pending look-ups', async () => {
    const { replica, creds, yes } = await setup({ stepMs: 0, heartbeatTimeoutMs: 600_000 });
    replica.universe.setBook(yes(0), [['0.40', '100']], [['0.60', '100']]);
    // a venue of its own, without the user channel: what reaches it before the close comes from its REST answers,
    // and the user channel's messages are handed to it after the close
    const rest = new PolymarketRestClient({ baseUrl: replica.url, credentials: creds, chainId: 137 });
    const m = replica.universe.markets;
    const venue = new PolymarketExecutionVenue({
      rest, credentials: creds, chainId: 137, contracts, queryDelayMs: 30,
      markets: m.map((x, i) => ({ symbol: `M${i}`, tokenId: x.yes.tokenId, conditionId: x.conditionId, tickSize: x.tickSize, negRisk: x.negRisk, fees: x.fees })),
    });
    open.push(venue);
    const reports = new Reports();
    venue.connect(reports);
    // every REST request of the venue; while `hold` is set, the answers to orders and cancels wait for `release`
    type Call = (method: string, path: string, opts?: unknown) => Promise<unknown>;
    const inner = rest as unknown as { call: Call };
    const call = inner.call.bind(rest);
    let requests = 0;
    let inFlight = 0;
    let held = 0;
    let hold = false;
    let release = (): void => undefined;
    const released = new Promise<void>((r) => { release = r; });
    inner.call = async (method, path, opts) => {
      requests++;
      inFlight++;
      try {
        const holdIt = hold && (path === '/order');
        const out = await call(method, path, opts).then((v) => ({ v }), (e: unknown) => ({ e }));
        if (holdIt) { held++; await released; }
        if ('e' in out) throw out.e;
        return out.v;
      } finally { inFlight--; }
    };
    // the user channel's messages as a second connection of the same account sees them
    const frames: string[] = [];
    const c = creds.creds();
    const tap = new PolymarketChannel({
      url: endpointsAt(replica.url).userWs, onFrame: (text) => frames.push(text),
      subscription: () => ({ auth: { apiKey: c.key, secret: c.secret, passphrase: c.passphrase }, markets: replica.universe.markets.map((m) => m.conditionId), type: 'user' }),
    });
    tap.open();
    open.push(tap);
    await until('the second user connection', () => (replica.state() as { connections: { user: number } }).connections.user === 2);

    const resting = order('M0', 'BUY', 41, 1000);
    const toCancel = order('M0', 'BUY', 38, 600);
    venue.submit(resting);
    venue.submit(toCancel);
    await until('accepted', () => reports.has('accepted', resting.orderId) && reports.has('accepted', toCancel.orderId));
    const before = reports.events.length;
    // in flight at close: an order whose answer is lost (a look-up would follow), a taker order (filled at once), a cancel
    hold = true;
    replica.exchange.faults.serverErrors = 1;
    const lost = order('M0', 'BUY', 35, 700);
    venue.submit(lost);
    await until('the lost order answered', () => held === 1);
    const taker: VenueOrder = { ...order('M0', 'BUY', 60, 500), timeInForce: 'IOC' };
    venue.submit(taker);
    venue.cancel(toCancel.orderId);
    await until('the taker order and the cancel answered', () => held === 3);
    const status = (o: VenueOrder): string | undefined => replica.exchange.orders.get(venue.venueOrderId(o.orderId) ?? '')?.status;
    expect([status(lost), status(taker), status(toCancel)]).toEqual(['LIVE', 'MATCHED', 'CANCELED']);
    venue.close();
    expect(venue.closed).toBe(true);
    release();
    // after close: a trade through the resting order, whose messages reach the user channel
    replica.universe.trade(yes(0), 'SELL', '0.41', '20');
    await until('the resting order filled', () => status(resting) === 'MATCHED');
    const confirmed = (): number => frames.filter((f) => /"status":"CONFIRMED"/.test(f)).length;
    await until('the trades confirmed over the user channel', () => confirmed() >= 2);
    // every message the venue would have had, handed to it now
    for (const f of frames) venue.handleUserFrame(f);
    // every answer in, and quiet for a while (a pending look-up would have been sent by now)
    let quietSince = Date.now();
    await until('no request in flight for 500 ms', () => { if (inFlight > 0) quietSince = Date.now(); return Date.now() - quietSince >= 500; });
    expect(reports.events.slice(before)).toEqual([]);
    expect(reports.fills).toEqual([]);
    expect(venue.counters.queries).toBe(0);
    // nothing is sent after close, and a reconcile is refused
    const sent = requests;
    venue.submit(order('M0', 'BUY', 30, 800));
    venue.cancel(resting.orderId);
    await expect(venue.reconcile()).rejects.toThrow(/closed/);
    await sleep(100);
    expect(requests).toBe(sent);
    expect(reports.events.slice(before)).toEqual([]);
    expect(reports.fills).toEqual([]);
  });
});
