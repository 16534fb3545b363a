// `spreadcore replica polymarket`: Polymarket's CLOB on one port — REST, the market channel
// (/ws/market) and the user channel (/ws/user) — over the simulated universe, with
// Polymarket's field names and {"error": "..."} bodies, L1 (EIP-712 ClobAuth) and L2 (HMAC)
// header checks, EIP-712 order signature verification, per-signer order / cancel token
// buckets with Poly-RateLimit-Remaining and 429 + Retry-After, the heartbeat dead-man
// switch, and the admin endpoints under /__replica/ (state, faults, book, trade,
// tick-size, resolve, step, backdate). GET /data/trades honours after / before (Unix
// seconds) and keeps a log of the reads it answered. See docs/polymarket.md.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { contractsFor, type PolymarketChain } from '../endpoints.js';
import { verifyL1 } from '../l1-auth.js';
import { polyHmacSignature, signaturesEqual } from '../l2-auth.js';
import { TokenBucket, type BucketSpec } from '../rate-budget.js';
import { faultsFrom, noFaults, ReplicaExchange, ReplicaHttpError, type Account, type ReplicaFaults } from './replica-exchange.js';
import { ReplicaUniverse, type ReplicaMarketDef } from './replica-universe.js';

/** Entries a page of GET /data/trades and /data/orders, as the CLOB answers ("limit": 100). */
export const DATA_PAGE_SIZE = 100;
/** Entries a page of GET /markets. */
export const MARKETS_PAGE_SIZE = 1000;

/**
 * One page of a list the CLOB's way: next_cursor is the base64 of the offset ("MA==" the
 * first page, the default), "LTE=" (base64 of -1) the end. A cursor that is not one of those
 * is a 400. Entries are in the order they were made, so a page read later holds the same ones.
 */
export function pageOf<T>(list: readonly T[], cursor: string | null, size: number): { limit: number; count: number; next_cursor: string; data: T[] } {
  const c = cursor ?? 'MA==';
  if (c === 'LTE=') return { limit: size, count: 0, next_cursor: 'LTE=', data: [] };
  const text = Buffer.from(c, 'base64').toString('utf8');
  if (!/^(0|[1-9]\d{0,15})$/.test(text) || Buffer.from(text, 'utf8').toString('base64') !== c) throw new ReplicaHttpError(400, `invalid next_cursor ${JSON.stringify(c.slice(0, 64))}`);
  const offset = Number(text);
  const data = list.slice(offset, offset + size);
  const next = offset + size < list.length ? Buffer.from(String(offset + size), 'utf8').toString('base64') : 'LTE=';
  return { limit: size, count: data.length, next_cursor: next, data };
}

/**
 * A Unix-seconds query parameter of GET /data/trades (`after`, `before`; clob-client-v2
 * TradeParams): null when absent, a 400 when it is not a whole number of seconds.
 */
export function secondsParam(url: URL, name: string): number | null {
  const v = url.searchParams.get(name);
  if (v === null) return null;
  if (!/^\d{1,15}$/.test(v)) throw new ReplicaHttpError(400, `invalid ${name} ${JSON.stringify(v.slice(0, 64))}: a Unix timestamp in seconds`);
  return Number(v);
}

/** One GET /data/trades the replica answered (its admin state lists the last TRADE_READS_KEPT). */
export interface TradeRead { readonly asset_id: string | null; readonly id: string | null; readonly after: number | null; readonly before: number | null; readonly next_cursor: string; readonly count: number }
const TRADE_READS_KEPT = 1000;

/** The replica's default port: next to the Kalshi replica's 8092, so both run side by side with their defaults. */
export const POLYMARKET_REPLICA_PORT = 8093;

export interface PolymarketReplicaOptions {
  port?: number;
  host?: string;
  seed?: number;
  /** Markets listed (1 … REPLICA_MAX_MARKETS; default REPLICA_DEFAULT_MARKETS, one of each shape). */
  markets?: number;
  chainId?: PolymarketChain;
  /** Simulator step period, ms; 0 = no simulator (the book moves only through the admin endpoints). */
  stepMs?: number;
  minedMs?: number;
  confirmedMs?: number;
  /** Open orders are cancelled this long after the last heartbeat (once heartbeats started). */
  heartbeatTimeoutMs?: number;
  /** Accepted clock skew of L1/L2 timestamps, seconds. */
  maxSkewS?: number;
  orderBucket?: BucketSpec;
  cancelBucket?: BucketSpec;
  faults?: Partial<ReplicaFaults>;
}

interface Sub { ws: WebSocket; kind: 'market' | 'user'; assets: Set<string>; apiKey: string | null }

export class PolymarketReplica {
  readonly universe: ReplicaUniverse;
  readonly exchange: ReplicaExchange;
  readonly chainId: PolymarketChain;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly subs = new Set<Sub>();
  /** The last GET /data/trades answered: filter, cursor and how many trades the page held. */
  readonly tradeReads: TradeRead[] = [];
  private readonly buckets = new Map<string, { orders: TokenBucket; cancels: TokenBucket }>();
  private timers: NodeJS.Timeout[] = [];
  port = 0;

  private constructor(private readonly opts: PolymarketReplicaOptions) {
    this.chainId = opts.chainId ?? 137;
    this.universe = new ReplicaUniverse(opts.seed ?? 1, 5, opts.markets);
    this.exchange = new ReplicaExchange(this.universe, this.chainId, contractsFor(this.chainId), opts.seed ?? 1, { minedMs: opts.minedMs ?? 200, confirmedMs: opts.confirmedMs ?? 500 });
    this.exchange.faults = { ...noFaults(), ...(opts.faults ?? {}) };
    this.exchange.listener = { userEvent: (apiKey, msg) => this.toUser(apiKey, msg) };
    this.universe.listener = {
      onLevels: (tokenId, changes) => {
        const e = this.universe.byToken.get(tokenId)!;
        const best = this.universe.best(tokenId);
        const g = this.universe.grid(e.m);
        const sent = this.withoutOmittedRemovals(changes);
        if (sent.length === 0) return;
        this.toMarket(tokenId, {
          event_type: 'price_change', market: e.m.conditionId, timestamp: String(Date.now()),
          price_changes: sent.map((c) => ({ asset_id: tokenId, price: c.price, size: c.size, side: c.side, hash: '', best_bid: Number.isNaN(best.bid) ? '0' : g.format(best.bid), best_ask: Number.isNaN(best.ask) ? '1' : g.format(best.ask) })),
        });
      },
      onTrade: (tokenId, price, size, side) => {
        const e = this.universe.byToken.get(tokenId)!;
        this.toMarket(tokenId, { event_type: 'last_trade_price', asset_id: tokenId, market: e.m.conditionId, price, size, side, fee_rate_bps: '0', timestamp: String(Date.now()) });
      },
      onTickSize: (m, oldTick, newTick) => {
        for (const t of [m.yes, m.no]) {
          this.toMarket(t.tokenId, { event_type: 'tick_size_change', asset_id: t.tokenId, market: m.conditionId, old_tick_size: oldTick, new_tick_size: newTick, timestamp: String(Date.now()) });
          this.toMarket(t.tokenId, this.bookMessage(t.tokenId));
        }
      },
      onResolved: (m) => {
        this.exchange.cancelMarket(m);
        const msg = { event_type: 'market_resolved', market: m.conditionId, assets_ids: [m.yes.tokenId, m.no.tokenId], winning_asset_id: m.winner === 'Yes' ? m.yes.tokenId : m.no.tokenId, timestamp: String(Date.now()) };
        this.toMarket(m.yes.tokenId, msg);
      },
    };
    this.server = createServer((req, res) => { void this.http(req, res); });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  static async start(opts: PolymarketReplicaOptions = {}): Promise<PolymarketReplica> {
    const r = new PolymarketReplica(opts);
    await new Promise<void>((resolve, reject) => {
      r.server.once('error', reject);
      r.server.listen(opts.port ?? POLYMARKET_REPLICA_PORT, opts.host ?? '127.0.0.1', () => { r.server.off('error', reject); resolve(); });
    });
    r.port = (r.server.address() as AddressInfo).port;
    const step = opts.stepMs ?? 250;
    if (step > 0) r.timers.push(setInterval(() => r.universe.step(), step));
    r.timers.push(setInterval(() => r.exchange.checkHeartbeats(opts.heartbeatTimeoutMs ?? 10_000), 250));
    return r;
  }

  get url(): string { return `http://${this.opts.host ?? '127.0.0.1'}:${this.port}`; }
  urls(): Record<string, string> {
    const ws = this.url.replace(/^http/, 'ws');
    return { rest: this.url, marketWs: `${ws}/ws/market`, userWs: `${ws}/ws/user`, admin: `${this.url}/__replica/state` };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.exchange.close();
    for (const s of this.subs) s.ws.terminate();
    this.subs.clear();
    this.wss.close();
    await new Promise<void>((resolve) => { this.server.close(() => resolve()); this.server.closeAllConnections(); });
    this.universe.close();
  }

  /** The level changes to send: the next removals (size 0) are left out while the omitLevelRemovals fault lasts. */
  private withoutOmittedRemovals<C extends { size: string }>(changes: C[]): C[] {
    const f = this.exchange.faults;
    if (f.omitLevelRemovals <= 0) return changes;
    return changes.filter((c) => {
      if (Number(c.size) !== 0 || f.omitLevelRemovals <= 0) return true;
      f.omitLevelRemovals--;
      this.exchange.counters.levelRemovalsOmitted++;
      return false;
    });
  }

  /** Drops every WebSocket connection (fault injection). */
  disconnectAll(): void { for (const s of this.subs) s.ws.terminate(); this.subs.clear(); }

  // ---- WebSockets ---------------------------------------------------------------------
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws/market' && path !== '/ws/user') { socket.destroy(); return; }
    if (path === '/ws/user' && this.exchange.faults.userChannelDown) { socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'); return; }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sub: Sub = { ws, kind: path === '/ws/market' ? 'market' : 'user', assets: new Set(), apiKey: null };
      this.subs.add(sub);
      ws.on('close', () => this.subs.delete(sub));
      ws.on('error', () => this.subs.delete(sub));
      ws.on('message', (data) => this.wsMessage(sub, data.toString()));
    });
  }

  private wsMessage(sub: Sub, text: string): void {
    if (text === 'PING') { sub.ws.send('PONG'); return; }
    let m: Record<string, unknown>;
    try { m = JSON.parse(text) as Record<string, unknown>; } catch { sub.ws.send(JSON.stringify({ error: 'invalid message' })); return; }
    if (sub.kind === 'market') {
      const ids = Array.isArray(m['assets_ids']) ? m['assets_ids'].map(String) : [];
      // after the first subscription, assets are added and dropped with {assets_ids, operation}
      if (m['operation'] === 'unsubscribe') { for (const id of ids) sub.assets.delete(id); return; }
      const books: object[] = [];
      for (const id of ids) { if (!this.universe.byToken.has(id)) continue; sub.assets.add(id); books.push(this.bookMessage(id)); }
      const f = this.exchange.faults;
      if (m['operation'] === 'subscribe' && f.silentSubscribes > 0) { f.silentSubscribes--; return; }
      if (books.length > 0) sub.ws.send(JSON.stringify(books));
      return;
    }
    const auth = m['auth'] as { apiKey?: string; secret?: string; passphrase?: string } | undefined;
    const acc = auth?.apiKey === undefined ? undefined : this.exchange.accounts.get(auth.apiKey);
    if (acc === undefined || auth?.secret !== acc.secret || auth?.passphrase !== acc.passphrase) {
      sub.ws.send(JSON.stringify({ error: 'Unauthorized' }));
      sub.ws.close(4001, 'unauthorized');
      return;
    }
    sub.apiKey = acc.apiKey;
  }

  private bookMessage(tokenId: string): object {
    const e = this.universe.byToken.get(tokenId)!;
    const b = this.universe.book(tokenId)!;
    return { event_type: 'book', asset_id: tokenId, market: e.m.conditionId, bids: b.bids, asks: b.asks, timestamp: String(Date.now()), hash: '', tick_size: e.m.tickSize };
  }

  private toMarket(tokenId: string, msg: object): void {
    const text = JSON.stringify(msg);
    for (const s of this.subs) if (s.kind === 'market' && s.assets.has(tokenId) && s.ws.readyState === 1) s.ws.send(text);
  }

  private toUser(apiKey: string, msg: object): void {
    const text = JSON.stringify(msg);
    for (const s of this.subs) if (s.kind === 'user' && s.apiKey === apiKey && s.ws.readyState === 1) s.ws.send(text);
  }

  // ---- HTTP ---------------------------------------------------------------------------
  private async http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) { size += (c as Buffer).length; if (size > 1 << 20) { this.send(res, 413, { error: 'body too large' }); return; } chunks.push(c as Buffer); }
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://replica');
    const method = req.method ?? 'GET';
    try {
      const f = this.exchange.faults;
      if (f.failRequests > 0 && !url.pathname.startsWith('/__replica/')) {
        f.failRequests--;
        this.exchange.counters.requestsFailed++;
        throw new ReplicaHttpError(503, 'service unavailable (replica fault)');
      }
      const out = await this.route(method, url, raw, req, res);
      if (out !== undefined) this.send(res, 200, out);
    } catch (e) {
      if (e instanceof ReplicaHttpError) this.send(res, e.status, { error: e.message });
      else this.send(res, 500, { error: e instanceof Error ? e.message : 'internal error' });
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private json(raw: string): unknown {
    if (raw === '') return undefined;
    try { return JSON.parse(raw); } catch { throw new ReplicaHttpError(400, 'Invalid JSON body'); }
  }

  private token(url: URL): { m: ReplicaMarketDef; tokenId: string } {
    const id = url.searchParams.get('token_id');
    if (id === null || id === '') throw new ReplicaHttpError(400, 'Invalid token id');
    const e = this.universe.byToken.get(id);
    if (e === undefined) throw new ReplicaHttpError(404, 'No orderbook exists for the requested token id');
    return { m: e.m, tokenId: id };
  }

  /** The L2 account of a request, or 401. */
  private l2(req: IncomingMessage, method: string, path: string, raw: string): Account {
    const h = (n: string): string | undefined => { const v = req.headers[n.toLowerCase()]; return Array.isArray(v) ? v[0] : v; };
    const key = h('POLY_API_KEY'); const pass = h('POLY_PASSPHRASE'); const addr = h('POLY_ADDRESS'); const sig = h('POLY_SIGNATURE'); const ts = h('POLY_TIMESTAMP');
    if (key === undefined || pass === undefined || addr === undefined || sig === undefined || ts === undefined) throw new ReplicaHttpError(401, 'Unauthorized/Invalid api key');
    const acc = this.exchange.accounts.get(key);
    if (acc === undefined || acc.passphrase !== pass || acc.address.toLowerCase() !== addr.toLowerCase()) throw new ReplicaHttpError(401, 'Unauthorized/Invalid api key');
    if (!/^\d{1,12}$/.test(ts) || Math.abs(Number(ts) - Date.now() / 1000) > (this.opts.maxSkewS ?? 30)) throw new ReplicaHttpError(401, 'Unauthorized/Invalid timestamp');
    const want = polyHmacSignature(acc.secret, ts, method, path, raw === '' ? undefined : raw);
    if (!signaturesEqual(want, sig)) throw new ReplicaHttpError(401, 'Unauthorized/Invalid signature');
    return acc;
  }

  private bucketsOf(acc: Account): { orders: TokenBucket; cancels: TokenBucket } {
    let b = this.buckets.get(acc.address);
    if (b === undefined) {
      b = { orders: new TokenBucket(this.opts.orderBucket ?? { ratePerSec: 60, burst: 3500 }, Date.now), cancels: new TokenBucket(this.opts.cancelBucket ?? { ratePerSec: 50, burst: 3000 }, Date.now) };
      this.buckets.set(acc.address, b);
    }
    return b;
  }

  /** Spends the bucket or answers 429; sets Poly-RateLimit-Remaining. */
  private spend(res: ServerResponse, bucket: TokenBucket, cost: number): void {
    if (!bucket.take(cost)) {
      const wait = Math.max(1, Math.ceil(bucket.waitSec(cost)));
      res.setHeader('Retry-After', String(wait));
      res.setHeader('Poly-RateLimit-Remaining', String(Math.floor(bucket.level())));
      throw new ReplicaHttpError(429, 'Too Many Requests');
    }
    res.setHeader('Poly-RateLimit-Remaining', String(Math.floor(bucket.level())));
  }

  private async route(method: string, url: URL, raw: string, req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const path = url.pathname;
    const key = `${method} ${path}`;
    // ---- public
    switch (key) {
      case 'GET /': case 'GET /ok': return 'OK';
      case 'GET /version': return { version: 2 };
      case 'GET /time': return Math.floor(Date.now() / 1000);
      case 'GET /book': {
        const { m, tokenId } = this.token(url);
        const b = this.universe.book(tokenId)!;
        return { market: m.conditionId, asset_id: tokenId, timestamp: String(Date.now()), hash: '', bids: b.bids, asks: b.asks, min_order_size: m.minOrderSize, tick_size: m.tickSize, neg_risk: m.negRisk, last_trade_price: '' };
      }
      case 'GET /tick-size': return { minimum_tick_size: Number(this.token(url).m.tickSize) };
      case 'GET /neg-risk': return { neg_risk: this.token(url).m.negRisk };
      case 'GET /fee-rate': { const m = this.token(url).m; return { base_fee: Math.round(Number(m.fees.rate) * 10_000), rate: m.fees.rate, exponent: m.fees.exponent }; }
      case 'GET /markets': return pageOf(this.universe.markets.map((m) => this.marketJson(m)), url.searchParams.get('next_cursor'), MARKETS_PAGE_SIZE);
    }
    if (method === 'GET' && path.startsWith('/markets/')) {
      const id = decodeURIComponent(path.slice('/markets/'.length));
      const m = this.universe.markets.find((x) => x.conditionId.toLowerCase() === id.toLowerCase());
      if (m === undefined) throw new ReplicaHttpError(404, 'market not found');
      return this.marketJson(m);
    }
    // ---- L1
    if (key === 'POST /auth/api-key' || key === 'GET /auth/derive-api-key') {
      const h = (n: string): string | undefined => { const v = req.headers[n.toLowerCase()]; return Array.isArray(v) ? v[0] : v; };
      const headers = { POLY_ADDRESS: h('POLY_ADDRESS'), POLY_SIGNATURE: h('POLY_SIGNATURE'), POLY_TIMESTAMP: h('POLY_TIMESTAMP'), POLY_NONCE: h('POLY_NONCE') };
      const v = await verifyL1(headers, this.chainId);
      if (!v.ok) throw new ReplicaHttpError(401, `Unauthorized/Invalid L1 Request headers: ${v.reason}`);
      if (Math.abs(Number(headers.POLY_TIMESTAMP) - Date.now() / 1000) > (this.opts.maxSkewS ?? 30)) throw new ReplicaHttpError(401, 'Unauthorized/Invalid timestamp');
      const acc = this.exchange.credentialsFor(v.address, headers.POLY_NONCE ?? '0');
      return { apiKey: acc.apiKey, secret: acc.secret, passphrase: acc.passphrase };
    }
    // ---- admin
    if (path.startsWith('/__replica/')) return this.admin(method, path, this.json(raw));
    // ---- L2
    const acc = this.l2(req, method, path, raw);
    const buckets = this.bucketsOf(acc);
    switch (key) {
      case 'POST /order': {
        this.spend(res, buckets.orders, 1);
        return this.exchange.place(acc, this.json(raw));
      }
      case 'POST /orders': {
        const list = this.json(raw);
        if (!Array.isArray(list)) throw new ReplicaHttpError(400, 'Invalid order payload');
        if (list.length > 15) throw new ReplicaHttpError(400, 'Too many orders in payload, max: 15');
        this.spend(res, buckets.orders, list.length);
        const out: object[] = [];
        for (const o of list) {
          try { out.push(await this.exchange.place(acc, o)); } catch (e) { out.push({ success: false, errorMsg: e instanceof Error ? e.message : String(e), orderID: '', status: '' }); }
        }
        return out;
      }
      case 'DELETE /order': {
        const b = this.json(raw) as { orderID?: string } | undefined;
        if (b?.orderID === undefined) throw new ReplicaHttpError(400, 'Invalid order id');
        this.spend(res, buckets.cancels, 1);
        return this.exchange.cancel(acc, [b.orderID]);
      }
      case 'DELETE /orders': {
        const ids = this.json(raw);
        if (!Array.isArray(ids)) throw new ReplicaHttpError(400, 'Invalid order ids');
        this.spend(res, buckets.cancels, ids.length);
        return this.exchange.cancel(acc, ids.map(String));
      }
      case 'DELETE /cancel-all': {
        this.spend(res, buckets.cancels, 1);
        const r = this.exchange.cancelAll(acc);
        buckets.cancels.charge(r.canceled.length);
        return r;
      }
      case 'GET /data/orders': {
        const asset = url.searchParams.get('asset_id');
        const live = [...this.exchange.orders.values()].filter((o) => o.account === acc && o.status === 'LIVE' && (asset === null || o.tokenId === asset));
        return pageOf(live.map((o) => this.exchange.openOrder(o)), url.searchParams.get('next_cursor'), DATA_PAGE_SIZE);
      }
      case 'GET /data/trades': {
        const asset = url.searchParams.get('asset_id');
        const id = url.searchParams.get('id');
        // after / before: Unix seconds, compared with match_time, both bounds excluded
        const after = secondsParam(url, 'after');
        const before = secondsParam(url, 'before');
        const mine = [...this.exchange.trades.values()].filter((t) => t.account === acc && (asset === null || t.rec.asset_id === asset) && (id === null || t.rec.id === id)
          && (after === null || Number(t.rec.match_time) > after) && (before === null || Number(t.rec.match_time) < before));
        const cursor = url.searchParams.get('next_cursor');
        const page = pageOf(mine.map((t) => t.rec), cursor, DATA_PAGE_SIZE);
        this.tradeReads.push({ asset_id: asset, id, after, before, next_cursor: cursor ?? 'MA==', count: page.count });
        if (this.tradeReads.length > TRADE_READS_KEPT) this.tradeReads.splice(0, this.tradeReads.length - TRADE_READS_KEPT);
        return page;
      }
      case 'POST /v1/heartbeats': case 'POST /heartbeats': {
        const b = this.json(raw) as { heartbeat_id?: string } | undefined;
        return { heartbeat_id: this.exchange.heartbeat(acc, b?.heartbeat_id ?? '') };
      }
    }
    if (method === 'GET' && path.startsWith('/data/order/')) {
      const o = this.exchange.orders.get(path.slice('/data/order/'.length));
      if (o === undefined || o.account !== acc) return null;
      return this.exchange.openOrder(o);
    }
    throw new ReplicaHttpError(404, 'not found');
  }

  private marketJson(m: ReplicaMarketDef): object {
    return {
      condition_id: m.conditionId, question: m.question, active: !m.closed, closed: m.closed, neg_risk: m.negRisk,
      minimum_tick_size: m.tickSize, minimum_order_size: m.minOrderSize, fee_schedule: m.fees, end_date_iso: m.endDateIso,
      tokens: [{ token_id: m.yes.tokenId, outcome: 'Yes', winner: m.winner === 'Yes' }, { token_id: m.no.tokenId, outcome: 'No', winner: m.winner === 'No' }],
    };
  }

  state(): object {
    const ex = this.exchange;
    return {
      chainId: this.chainId, port: this.port, counters: ex.counters, faults: ex.faults,
      markets: this.universe.markets.map((m) => ({ ...this.marketJson(m), book: this.universe.book(m.yes.tokenId) })),
      orders: [...ex.orders.values()].map((o) => ex.openOrder(o)),
      trades: [...ex.trades.values()].map((t) => t.rec),
      tradeReads: this.tradeReads,
      accounts: [...ex.accounts.values()].map((a) => ({ address: a.address, apiKey: a.apiKey, heartbeatActive: a.heartbeatMs !== 0 })),
      connections: { market: [...this.subs].filter((s) => s.kind === 'market').length, user: [...this.subs].filter((s) => s.kind === 'user' && s.apiKey !== null).length },
    };
  }

  private admin(method: string, path: string, body: unknown): unknown {
    const b = (body ?? {}) as Record<string, unknown>;
    const market = (): ReplicaMarketDef => {
      const id = String(b['token_id'] ?? b['market'] ?? '');
      const m = this.universe.byToken.get(id)?.m ?? this.universe.markets.find((x) => x.conditionId === id);
      if (m === undefined) throw new ReplicaHttpError(400, 'unknown token_id / market');
      return m;
    };
    try {
      switch (`${method} ${path}`) {
        case 'GET /__replica/state': return this.state();
        case 'GET /__replica/faults': return this.exchange.faults;
        case 'POST /__replica/faults': {
          const f = this.exchange.faults;
          Object.assign(f, faultsFrom(body ?? {}, ['disconnect']));
          if (b['userChannelDown'] === true) for (const sub of [...this.subs]) if (sub.kind === 'user') { sub.ws.terminate(); this.subs.delete(sub); }
          if (b['disconnect'] === true) this.disconnectAll();
          return f;
        }
        case 'DELETE /__replica/faults': this.exchange.faults = noFaults(); return this.exchange.faults;
        case 'POST /__replica/book': {
          this.universe.setBook(String(b['token_id']), (b['bids'] ?? []) as Array<[string, string]>, (b['asks'] ?? []) as Array<[string, string]>);
          return { ok: true };
        }
        case 'POST /__replica/trade': {
          const side = b['side'];
          if (side !== 'BUY' && side !== 'SELL') throw new ReplicaHttpError(400, 'side must be BUY or SELL');
          this.universe.trade(String(b['token_id']), side, String(b['price']), String(b['size']));
          return { ok: true };
        }
        case 'POST /__replica/backdate': {
          // an account's history: trades (of a token, or by id, or all) moved back in time
          const secs = Number(b['seconds']);
          if (!Number.isSafeInteger(secs) || secs <= 0) throw new ReplicaHttpError(400, 'seconds must be a whole number > 0');
          const ids = b['ids'];
          if (ids !== undefined && (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string'))) throw new ReplicaHttpError(400, 'ids must be a list of trade ids');
          const token = b['token_id'] === undefined ? null : String(b['token_id']);
          let moved = 0;
          for (const t of this.exchange.trades.values()) {
            if (token !== null && t.rec.asset_id !== token) continue;
            if (ids !== undefined && !(ids as string[]).includes(t.rec.id)) continue;
            t.rec = { ...t.rec, match_time: String(Number(t.rec.match_time) - secs), last_update: String(Number(t.rec.last_update) - secs) };
            moved++;
          }
          return { ok: true, moved };
        }
        case 'POST /__replica/tick-size': {
          const m = market();
          const t = String(b['tick_size']);
          if (!['0.1', '0.01', '0.005', '0.0025', '0.001', '0.0001'].includes(t)) throw new ReplicaHttpError(400, 'tick_size must be one of 0.1 0.01 0.005 0.0025 0.001 0.0001');
          this.universe.changeTickSize(m, t);
          return { ok: true, tick_size: m.tickSize };
        }
        case 'POST /__replica/resolve': {
          const m = market();
          const w = b['winner'];
          if (w !== 'Yes' && w !== 'No') throw new ReplicaHttpError(400, 'winner must be Yes or No');
          this.universe.resolve(m, w);
          return { ok: true };
        }
        case 'POST /__replica/step': {
          const n = Number(b['n'] ?? 1);
          for (let i = 0; i < Math.min(1000, Math.max(1, n)); i++) this.universe.step();
          return { ok: true };
        }
      }
    } catch (e) {
      if (e instanceof ReplicaHttpError) throw e;
      throw new ReplicaHttpError(400, e instanceof Error ? e.message : String(e));
    }
    throw new ReplicaHttpError(404, 'not found');
  }
}
