// The WebSocket API client: spot `wss://ws-api.binance.com:443/ws-api/v3` (testnet
// `wss://ws-api.testnet.binance.vision/ws-api/v3`) and USD-M `wss://ws-fapi.binance.com/ws-fapi/v1`
// (testnet `wss://testnet.binancefuture.com/ws-fapi/v1`).
//
// - Requests `{"id","method","params"}`, answers `{"id","status","result"|"error","rateLimits"}`
//   matched by id (web-socket-api.md "Request format", "Response format"); every answer's
//   `rateLimits` feeds the budget.
// - SIGNED params: apiKey, timestamp, recvWindow, then `signature` over the params sorted by
//   name (web-socket-api.md "SIGNED request security"). -1021 → one resync and one retry.
// - A request with no answer within its timeout, or pending when the connection drops,
//   fails with unknown_outcome: the caller queries, never resends blindly.
// - The server pings every 20 s and wants a pong within a minute (`ws` answers pings
//   itself); we also ping and drop a link that does not pong. Reconnect with backoff;
//   the spot user data subscription (`userDataStream.subscribe.signature`) is renewed on
//   every new connection, and `onReconnected` tells the venue to reconcile.
import WebSocket from 'ws';
import { ServerClock } from './clock.js';
import { BinanceApiError, BinanceError, apiError } from './errors.js';
import { Priority, RateBudget } from './rate-budget.js';
import { wsSignaturePayload, type ParamValue, type RequestSigner } from './signing.js';
import type { BinanceMarket } from './client-order-id.js';
import type { OrderAnswer } from './rest-client.js';
import { BudgetRefusedError } from './rest-client.js';

export interface WsApiOptions {
  market: BinanceMarket;
  url: string;
  signer: RequestSigner;
  clock: ServerClock;
  budget: RateBudget;
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  recvWindowMs?: number;
  /**
   * Ed25519 keys only: authenticate the connection once with `session.logon` (and again after
   * every reconnect); SIGNED requests then carry only `timestamp`/`recvWindow`, no apiKey and
   * no per-request signature (web-socket-api.md § Session Authentication).
   */
  sessionLogon?: boolean;
  /**
   * Frames sent in one synchronous run (a requote's cancels and new orders) leave in one
   * socket write at its end instead of one write (a syscall) each: the socket is corked at
   * the first send and uncorked on process.nextTick. Default true.
   */
  coalesceWrites?: boolean;
}

/** deadlineMs on performance.now()'s clock (monotonic). */
interface Pending { resolve(v: unknown): void; reject(e: unknown): void; method: string; deadlineMs: number }

/** A JSON string literal; plain printable ASCII without quotes or backslashes (symbols, decimals, ids) needs no escaping. */
function jsonString(v: string): string {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(v);
  }
  return '"' + v + '"';
}

function jsonValue(v: ParamValue): string {
  return typeof v === 'string' ? jsonString(v) : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : v ? 'true' : 'false';
}

/** The defined param names, sorted (insertion sort: a handful of names). */
function sortedKeys(params: Readonly<Record<string, ParamValue | undefined>>, extra: readonly string[]): string[] {
  const keys: string[] = [];
  for (const k in params) if (params[k] !== undefined && k !== 'signature' && !extra.includes(k)) keys.push(k);
  for (const k of extra) keys.push(k);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) { keys[j + 1] = keys[j]!; j--; }
    keys[j + 1] = k;
  }
  return keys;
}

/** The text frame of an unsigned request. */
export function buildWsFrame(id: string, method: string, params: Record<string, ParamValue | undefined>): string {
  let body = '';
  for (const k in params) {
    const v = params[k];
    if (v === undefined) continue;
    body += (body.length === 0 ? '' : ',') + jsonString(k) + ':' + jsonValue(v);
  }
  return '{"id":' + jsonString(id) + ',"method":' + jsonString(method) + ',"params":{' + body + '}}';
}

/** The text frame of a SIGNED request on a session authenticated by session.logon: timestamp and recvWindow only. */
export function buildSessionWsFrame(id: string, method: string, params: Record<string, ParamValue | undefined>, recvWindowMs: number, timestamp: number): string {
  let body = '';
  for (const k in params) {
    const v = params[k];
    if (v === undefined || k === 'recvWindow' || k === 'timestamp') continue;
    body += jsonString(k) + ':' + jsonValue(v) + ',';
  }
  body += '"recvWindow":' + jsonValue(recvWindowMs) + ',"timestamp":' + jsonValue(timestamp);
  return '{"id":' + jsonString(id) + ',"method":' + jsonString(method) + ',"params":{' + body + '}}';
}

const SIGNED_EXTRA = ['apiKey', 'recvWindow', 'timestamp'] as const;

/**
 * The text frame of a SIGNED request: apiKey, recvWindow, timestamp added, `signature` over the
 * params sorted by name (web-socket-api.md § SIGNED request example). The payload and the JSON
 * params are built in one pass over the sorted names (no intermediate objects, no
 * JSON.stringify of an object per order); the params go out in that sorted order.
 */
export function buildSignedWsFrame(id: string, method: string, params: Record<string, ParamValue | undefined>, signer: RequestSigner, recvWindowMs: number, timestamp: number): string {
  const keys = sortedKeys(params, SIGNED_EXTRA);
  let payload = '';
  let body = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v: ParamValue = k === 'apiKey' ? signer.apiKey() : k === 'recvWindow' ? recvWindowMs : k === 'timestamp' ? timestamp : params[k]!;
    if (i > 0) { payload += '&'; body += ','; }
    payload += k + '=' + String(v);
    body += jsonString(k) + ':' + jsonValue(v);
  }
  body += ',"signature":' + jsonString(signer.sign(payload));
  return '{"id":' + jsonString(id) + ',"method":' + jsonString(method) + ',"params":{' + body + '}}';
}

export interface WsCost { weight: number; orders?: number; priority?: Priority }

export class BinanceWsApiClient {
  readonly market: BinanceMarket;
  private readonly opts: Required<Omit<WsApiOptions, 'market' | 'url' | 'signer' | 'clock' | 'budget' | 'sessionLogon' | 'coalesceWrites'>>;
  private readonly sessionLogon: boolean;
  private sessionActive = false;
  private readonly url: string;
  private readonly signer: RequestSigner;
  private readonly clock: ServerClock;
  private readonly budget: RateBudget;
  private ws: WebSocket | null = null;
  private nextId = 1;
  /** Requests waiting for their answer, in the order they were sent (so by deadline: one timeout for all). */
  private readonly pending = new Map<string, Pending>();
  /** The one timer of the pending requests: armed for the oldest one's deadline. */
  private timeoutTimer: NodeJS.Timeout | null = null;
  private readonly expire = (): void => {
    this.timeoutTimer = null;
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (p.deadlineMs > now) break; // the rest were sent later
      this.pending.delete(id);
      this.counters.timeouts++;
      p.reject(new BinanceApiError(0, 0, `no answer to ${p.method} within ${this.opts.requestTimeoutMs} ms`, 'unknown_outcome'));
    }
    this.armTimeout();
  };
  private closedByUs = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private awaitingPong = false;
  private userDataWanted = false;
  private userListeners: Array<(frame: unknown) => void> = [];
  private reconnectListeners: Array<() => void> = [];
  private downListeners: Array<() => void> = [];
  private readonly coalesce: boolean;
  /** The socket corked for the current synchronous run, uncorked on the next tick. */
  private corkedSocket: { uncork(): void } | null = null;
  private readonly uncork = (): void => { const s = this.corkedSocket; this.corkedSocket = null; s?.uncork(); };
  /** Counters for metrics. */
  readonly counters = { requests: 0, timeouts: 0, reconnects: 0, droppedPending: 0, badFrames: 0, logons: 0, logonFailures: 0, sessionRevoked: 0 };

  constructor(opts: WsApiOptions) {
    this.market = opts.market;
    this.url = opts.url;
    this.signer = opts.signer;
    this.clock = opts.clock;
    this.budget = opts.budget;
    this.sessionLogon = opts.sessionLogon === true;
    this.coalesce = opts.coalesceWrites !== false;
    if (this.sessionLogon && opts.signer.kind !== 'ed25519') throw new BinanceError('BINANCE_ERR_CONFIG', 'session.logon needs an Ed25519 key');
    this.opts = {
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000, pingIntervalMs: opts.pingIntervalMs ?? 20_000,
      reconnectMinMs: opts.reconnectMinMs ?? 250, reconnectMaxMs: opts.reconnectMaxMs ?? 30_000, recvWindowMs: opts.recvWindowMs ?? 5000,
    };
  }

  get connected(): boolean { return this.ws !== null && this.ws.readyState === WebSocket.OPEN; }

  /** User data frames (`{"subscriptionId","event"}`), raw; parse with parseSpotUserEvent. */
  onUserFrame(cb: (frame: unknown) => void): void { this.userListeners.push(cb); }
  /** Called after a reconnect (and re-subscription): reconcile before quoting again. */
  onReconnected(cb: () => void): void { this.reconnectListeners.push(cb); }
  /** Called when the connection drops. */
  onDisconnected(cb: () => void): void { this.downListeners.push(cb); }

  /** True while the connection is authenticated by session.logon. */
  get sessionAuthenticated(): boolean { return this.sessionActive; }

  /** Opens the connection (resolves when open and, with sessionLogon, logged on or fallen back to per-request signatures). */
  async connect(): Promise<void> {
    this.closedByUs = false;
    await this.open();
    if (this.sessionLogon) {
      try {
        await this.request('session.logon', {}, true, { weight: 2, priority: Priority.CANCEL });
        this.sessionActive = true;
        this.counters.logons++;
      } catch {
        this.counters.logonFailures++; // requests keep their own signatures
      }
    }
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      let opened = false;
      ws.on('open', () => {
        opened = true;
        this.ws = ws;
        this.attempts = 0;
        this.startPing();
        resolve();
      });
      ws.on('message', (data) => this.onMessage(data.toString()));
      ws.on('pong', () => { this.awaitingPong = false; });
      ws.on('error', (err) => { if (!opened) reject(new BinanceError('BINANCE_ERR_CLOSED', `WebSocket API connection failed: ${err.message}`)); });
      ws.on('close', () => { if (opened) this.onClose(ws); });
    });
  }

  close(): void {
    this.closedByUs = true;
    if (this.reconnectTimer !== null) { clearTimeout(this.reconnectTimer); this.reconnectTimer = null; }
    this.stopPing();
    const ws = this.ws;
    this.ws = null;
    this.failPending('connection closed');
    ws?.close();
  }

  private startPing(): void {
    this.stopPing();
    this.awaitingPong = false;
    this.pingTimer = setInterval(() => {
      const ws = this.ws;
      if (ws === null) return;
      if (this.awaitingPong) { ws.terminate(); return; } // dead link
      this.awaitingPong = true;
      ws.ping();
    }, this.opts.pingIntervalMs);
    this.pingTimer.unref();
  }
  private stopPing(): void { if (this.pingTimer !== null) { clearInterval(this.pingTimer); this.pingTimer = null; } }

  /** Arms the timer for the oldest pending request (none pending: no timer). */
  private armTimeout(): void {
    if (this.timeoutTimer !== null) return;
    for (const p of this.pending.values()) {
      this.timeoutTimer = setTimeout(this.expire, Math.max(0, Math.ceil(p.deadlineMs - performance.now())));
      return;
    }
  }

  private failPending(why: string): void {
    if (this.timeoutTimer !== null) { clearTimeout(this.timeoutTimer); this.timeoutTimer = null; }
    for (const [id, p] of this.pending) {
      this.counters.droppedPending++;
      p.reject(new BinanceApiError(0, 0, `${why} before the answer to request ${id}`, 'unknown_outcome'));
    }
    this.pending.clear();
  }

  private onClose(ws: WebSocket): void {
    if (this.ws === ws) this.ws = null;
    this.sessionActive = false;
    this.stopPing();
    this.failPending('connection lost');
    for (const cb of this.downListeners) cb();
    if (this.closedByUs) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closedByUs) return;
      this.connect().then(async () => {
        this.counters.reconnects++;
        if (this.userDataWanted) {
          try { await this.subscribeUserData(); } catch {
            // no user data on this connection: drop it and try again rather than trade blind
            this.ws?.close();
            return;
          }
        }
        for (const cb of this.reconnectListeners) cb();
      }, () => { if (!this.closedByUs) this.scheduleReconnect(); });
    }, delay);
  }

  private onMessage(text: string): void {
    let msg: Record<string, unknown>;
    try { msg = JSON.parse(text) as Record<string, unknown>; } catch { this.counters.badFrames++; return; }
    if (msg === null || typeof msg !== 'object') { this.counters.badFrames++; return; }
    if ('subscriptionId' in msg && 'event' in msg) { for (const cb of this.userListeners) cb(msg); return; }
    if (msg['rateLimits'] !== undefined) this.budget.observeRateLimits(msg['rateLimits']);
    const id = msg['id'];
    if (id === null && msg['status'] === 401) { this.sessionActive = false; this.counters.sessionRevoked++; return; } // the session's key was revoked
    if (typeof id !== 'string' && typeof id !== 'number') {
      // serverShutdown and other connection events: let the reconnect logic handle it
      if ((msg as { event?: { e?: string } }).event?.e === 'serverShutdown') this.ws?.close();
      return;
    }
    const p = this.pending.get(String(id));
    if (p === undefined) return; // a late answer after its timeout: the venue's query resolves that order
    this.pending.delete(String(id));
    const status = typeof msg['status'] === 'number' ? msg['status'] : 0;
    if (status === 200) { p.resolve(msg['result']); return; }
    const err = (msg['error'] ?? {}) as { code?: unknown; msg?: unknown; data?: unknown };
    const retry = (err as { data?: { retryAfter?: unknown } }).data?.retryAfter;
    const retryMs = typeof retry === 'number' ? Math.max(0, retry - this.clock.serverNowMs()) : 0;
    const e = apiError(status, typeof err.code === 'number' ? err.code : 0, typeof err.msg === 'string' ? err.msg : `status ${status}`, retryMs, err.data);
    if (e.cls === 'rate_limited' || e.cls === 'banned') this.budget.onRateLimited(status, e.retryAfterMs);
    p.reject(e);
  }

  /** One request; signed ones get apiKey/timestamp/recvWindow/signature (re-signed on the -1021 retry). */
  request<T>(method: string, params: Record<string, ParamValue | undefined>, signed: boolean, cost: WsCost): Promise<T> {
    const run = (): Promise<T> => {
      const ws = this.ws;
      if (ws === null || ws.readyState !== WebSocket.OPEN) return Promise.reject(new BinanceError('BINANCE_ERR_CLOSED', 'WebSocket API not connected; nothing was sent'));
      const prio = cost.priority ?? Priority.NORMAL;
      if (!this.budget.tryAcquire(cost.weight, cost.orders ?? 0, prio)) {
        return Promise.reject(new BudgetRefusedError(this.budget.waitMs(cost.weight, cost.orders ?? 0, prio), this.budget.blockedUntilMs > 0));
      }
      const id = 'r' + (this.nextId++).toString(36);
      const frame = !signed
        ? buildWsFrame(id, method, params)
        : this.sessionActive && method !== 'userDataStream.subscribe.signature'
          ? buildSessionWsFrame(id, method, params, this.opts.recvWindowMs, this.clock.timestamp())
          : buildSignedWsFrame(id, method, params, this.signer, this.opts.recvWindowMs, this.clock.timestamp());
      return this.send<T>(ws, id, method, frame);
    };
    return signed ? this.clock.withSkewRetry(run) : run();
  }

  private send<T>(ws: WebSocket, id: string, method: string, frame: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // no timer per request: one, armed for the oldest (requests time out in the order they were sent)
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method, deadlineMs: performance.now() + this.opts.requestTimeoutMs });
      if (this.timeoutTimer === null) this.armTimeout();
      this.counters.requests++;
      if (this.coalesce && this.corkedSocket === null) {
        // ws writes each frame to its net.Socket (cork, write header and payload, uncork);
        // an outer cork holds them until the run ends
        const sock = (ws as unknown as { _socket?: { cork(): void; uncork(): void; destroyed?: boolean } })._socket;
        if (sock !== undefined && sock.destroyed !== true) {
          sock.cork();
          this.corkedSocket = sock;
          process.nextTick(this.uncork);
        }
      }
      ws.send(frame);
    });
  }

  // ---- methods (web-socket-api.md "Trading requests", USD-M "WebSocket API" trade pages) ----
  placeOrder(params: Record<string, ParamValue | undefined>, priority: Priority = Priority.NORMAL): Promise<OrderAnswer> {
    return this.request('order.place', params, true, { weight: this.market === 'spot' ? 1 : 0, orders: 1, priority });
  }
  cancelOrder(symbol: string, ref: { orderId?: number; origClientOrderId?: string }, priority: Priority = Priority.CANCEL): Promise<OrderAnswer> {
    return this.request('order.cancel', { symbol, orderId: ref.orderId, origClientOrderId: ref.origClientOrderId }, true, { weight: 1, priority });
  }
  /** Spot `order.cancelReplace`. */
  cancelReplace(params: Record<string, ParamValue | undefined>, priority: Priority = Priority.TOP_REQUOTE): Promise<unknown> {
    if (this.market !== 'spot') return Promise.reject(new BinanceError('BINANCE_ERR_CONFIG', 'order.cancelReplace is spot only'));
    return this.request('order.cancelReplace', { cancelReplaceMode: 'STOP_ON_FAILURE', ...params }, true, { weight: 1, orders: 1, priority });
  }
  /** USD-M `order.modify` (price and quantity both required). */
  modifyOrder(params: Record<string, ParamValue | undefined>, priority: Priority = Priority.TOP_REQUOTE): Promise<OrderAnswer> {
    if (this.market !== 'usdm') return Promise.reject(new BinanceError('BINANCE_ERR_CONFIG', 'order.modify is USD-M only'));
    return this.request('order.modify', params, true, { weight: 1, orders: 1, priority });
  }
  /** Spot `openOrders.status`. */
  openOrders(symbol?: string): Promise<OrderAnswer[]> {
    return this.request('openOrders.status', { symbol }, true, { weight: symbol === undefined ? 80 : 6, priority: Priority.CANCEL });
  }
  /** Spot `userDataStream.subscribe.signature` (web-socket-api.md "User Data Stream requests"): returns the subscriptionId. */
  async subscribeUserData(): Promise<number> {
    this.userDataWanted = true;
    const r = await this.request<{ subscriptionId: number }>('userDataStream.subscribe.signature', {}, true, { weight: 2, priority: Priority.CANCEL });
    if (typeof r?.subscriptionId !== 'number') throw new BinanceApiError(200, 0, 'subscription answer without subscriptionId', 'rejected');
    return r.subscriptionId;
  }
}
