// A local server that speaks Binance's public market-data protocol from a
// recording, for tests and development:
//   GET /api/v3/depth?symbol=&limit=   (spot)   REST depth snapshot
//   GET /fapi/v1/depth?symbol=&limit=  (usdm)   REST depth snapshot
//   WS  /stream?streams=a/b/...                 combined streams, {"stream":…,"data":…}
// Streams: <symbol>@depth (any @<n>ms variant), @trade, @aggTrade, @bookTicker.
// One playback runs for the whole server, as on the exchange: the market moves
// whether or not anyone is connected, each connection receives the messages played
// while it is open, and a REST snapshot is the book at the moment of the request.
// Pace: recorded receive times ÷ speed, or as fast as possible.
// Like Binance it pings every connection (pingIntervalMs) and drops one that has not
// answered within pongTimeoutMs, and drops connections older than
// maxConnectionAgeMs. For tests it can drop every connection, drop one depth
// message, freeze connections (no data, no pings, no pongs), refuse new
// connections, fail REST requests, and send arbitrary frames.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SpreadcoreError } from '../../errors.js';
import type { BinanceMarket } from '../binance/messages.js';
import { RecordedMarket, playOnBooks, type RecordedStreamKind, type RecordedStreamMessage } from './recorded-market.js';
import type { ReferenceBook } from './reference-book.js';

export type PlaybackSpeed = number | 'max';

export interface BinanceProtocolServerOptions {
  market: BinanceMarket;
  /** Recording files (or bytes), one symbol each; or an already loaded market (replayed from its start). */
  recordings: readonly (string | Uint8Array)[] | RecordedMarket;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Multiple of the recorded pace, or 'max'. Default 1. */
  speed?: PlaybackSpeed;
  /** Start playing when the first client connects (default) or as soon as the server listens. */
  startOn?: 'first-connection' | 'listen';
  /** Messages played per turn of the event loop at speed 'max'. Default 64. */
  maxBatch?: number;
  /** Ping interval. Default 20 s (spot) / 180 s (usdm), as Binance. */
  pingIntervalMs?: number;
  /** A connection that has not answered a ping for this long is dropped. Default 60 s (spot) / 600 s (usdm). */
  pongTimeoutMs?: number;
  /** Connections are dropped at this age. Default 24 h. */
  maxConnectionAgeMs?: number;
  /** A connection whose unsent bytes exceed this is dropped as too slow. Default 64 MiB. */
  maxBufferedBytes?: number;
}

export type CloseCause = 'client' | 'dropped' | 'age' | 'pong-timeout' | 'slow' | 'server-closed';

export interface ConnectionInfo {
  readonly id: number;
  readonly streams: readonly string[];
  readonly openedAtMs: number;
  closedAtMs: number;
  closedBy: CloseCause | null;
  messagesSent: number;
  pingsSent: number;
  /** Pongs that carried the payload of our last ping. */
  pongsMatching: number;
  pongsOther: number;
  /** Pings the client sent. */
  clientPings: number;
  frozen: boolean;
}

export interface ServerStats {
  /** performance.now() of every WebSocket upgrade attempt, accepted or refused. */
  readonly upgradeAttemptsMs: number[];
  upgradesRefused: number;
  restRequests: number;
  restErrors: number;
  played: number;
  droppedDepth: number;
}

interface Conn {
  readonly info: ConnectionInfo;
  readonly ws: WebSocket;
  /** symbol → kind → subscribed stream name (as the client spelled it). */
  readonly subs: Map<string, Map<RecordedStreamKind, string>>;
  lastPingPayload: string | null;
  lastPingAtMs: number;
  awaitingPong: boolean;
  ageTimer: NodeJS.Timeout | null;
}

const DEPTH_STREAM = /^depth(@\d+ms)?$/;
const KINDS: Readonly<Record<string, RecordedStreamKind>> = { trade: 'trade', aggTrade: 'aggTrade', bookTicker: 'bookTicker' };

/** `btcusdt@depth@100ms` → { symbol: 'BTCUSDT', kind: 'depth' }; null when not a stream this server knows. */
export function parseStreamName(name: string): { symbol: string; kind: RecordedStreamKind } | null {
  const at = name.indexOf('@');
  if (at <= 0) return null;
  const sym = name.slice(0, at);
  const rest = name.slice(at + 1);
  if (!/^[a-z0-9]+$/.test(sym)) return null;
  const kind = DEPTH_STREAM.test(rest) ? 'depth' : KINDS[rest];
  return kind === undefined ? null : { symbol: sym.toUpperCase(), kind };
}

const SPOT_LIMIT_MAX = 5000;
const USDM_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

export class BinanceProtocolServer {
  readonly market: BinanceMarket;
  readonly recorded: RecordedMarket;
  readonly stats: ServerStats = { upgradeAttemptsMs: [], upgradesRefused: 0, restRequests: 0, restErrors: 0, played: 0, droppedDepth: 0 };
  readonly connections: ConnectionInfo[] = [];
  speed: PlaybackSpeed;

  private readonly books: Map<string, ReferenceBook>;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly live = new Set<Conn>();
  private readonly opts: Required<Omit<BinanceProtocolServerOptions, 'recordings' | 'speed' | 'host' | 'port' | 'market'>>;
  private cursor = 0;
  private started = false;
  private paused = false;
  private playStartMs = 0;
  private pausedAtMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private dropDepth = new Map<string, number>();
  private refuseStatus: number | null = null;
  private restFailures: { count: number; status: number; body: string } | null = null;
  private answerPings = true;
  private pauseAtPosition = Infinity;
  private closed = false;
  private endWaiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(options: BinanceProtocolServerOptions, recorded: RecordedMarket) {
    this.market = options.market;
    this.recorded = recorded;
    this.books = recorded.referenceBooks();
    this.speed = options.speed ?? 1;
    checkSpeed(this.speed);
    const spot = options.market === 'spot';
    this.opts = {
      startOn: options.startOn ?? 'first-connection',
      maxBatch: options.maxBatch ?? 64,
      pingIntervalMs: options.pingIntervalMs ?? (spot ? 20_000 : 180_000),
      pongTimeoutMs: options.pongTimeoutMs ?? (spot ? 60_000 : 600_000),
      maxConnectionAgeMs: options.maxConnectionAgeMs ?? 24 * 3600_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 64 * 1024 * 1024,
    };
    this.http = createServer((req, res) => this.onRequest(req, res));
    this.wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false, clientTracking: false });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  /** Loads the recordings and listens. */
  static async start(options: BinanceProtocolServerOptions): Promise<BinanceProtocolServer> {
    if (options.market !== 'spot' && options.market !== 'usdm') {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `market must be "spot" or "usdm", got ${JSON.stringify(options.market)}`);
    }
    const recorded = options.recordings instanceof RecordedMarket ? options.recordings : new RecordedMarket(options.market, options.recordings);
    if (recorded.market !== options.market) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `the recorded market is ${recorded.market}, not ${options.market}`);
    }
    const server = new BinanceProtocolServer(options, recorded);
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => { server.http.off('error', reject); resolve(); });
    });
    server.pingTimer = setInterval(() => server.pingAll(), server.opts.pingIntervalMs);
    if (server.opts.startOn === 'listen') server.startPlayback();
    return server;
  }

  get port(): number { return (this.http.address() as AddressInfo).port; }
  /** Base URL of the REST endpoints. */
  get restUrl(): string { return `http://127.0.0.1:${this.port}`; }
  /** Base URL of the WebSocket endpoints (append /stream?streams=...). */
  get wsUrl(): string { return `ws://127.0.0.1:${this.port}`; }
  /** Messages played so far / in total. */
  get position(): number { return this.cursor; }
  get length(): number { return this.recorded.messages.length; }
  get ended(): boolean { return this.cursor >= this.recorded.messages.length; }
  get openConnections(): number { return this.live.size; }
  /** The server's order book of a symbol, at the last depth event played. */
  book(symbol: string): ReferenceBook | undefined { return this.books.get(symbol); }

  // ---- test controls ---------------------------------------------------------------------

  /** Closes every open connection abruptly (no close handshake). */
  dropConnections(): number {
    let n = 0;
    for (const c of [...this.live]) { this.finish(c, 'dropped'); c.ws.terminate(); n++; }
    return n;
  }

  /** The next `count` depth events of `symbol` (default: every symbol) are played but sent to nobody. */
  dropNextDepth(symbol = '*', count = 1): void {
    this.dropDepth.set(symbol, (this.dropDepth.get(symbol) ?? 0) + count);
  }

  /** Open connections go silent: no data, no pings, no pongs (a dead link). New connections are normal. */
  freezeConnections(): number {
    let n = 0;
    for (const c of this.live) { if (!c.info.frozen) { c.info.frozen = true; n++; } }
    return n;
  }

  /** Whether client pings are answered (on connections that are not frozen). */
  setAnswerPings(on: boolean): void { this.answerPings = on; }

  /** Refuse new WebSocket connections with this HTTP status (null: accept again). */
  refuseConnections(status: number | null): void { this.refuseStatus = status; }

  /** Answer the next `count` REST requests with this status and Binance-style error body. */
  failRest(count: number, status = 503, code = -1003, msg = 'Too many requests.'): void {
    this.restFailures = { count, status, body: JSON.stringify({ code, msg }) };
  }

  /** Sends a raw frame (text for a string, binary for bytes) to every open, unfrozen connection. */
  sendRaw(data: string | Uint8Array): number {
    let n = 0;
    for (const c of this.live) if (!c.info.frozen) { c.ws.send(data, { binary: typeof data !== 'string' }); n++; }
    return n;
  }

  /** Pauses the playback once `position` messages have been played in total. */
  pauseAt(position: number): void {
    this.pauseAtPosition = position;
    if (this.cursor >= position) this.pause();
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedAtMs = performance.now();
    this.clearPlayTimers();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.playStartMs += performance.now() - this.pausedAtMs;
    if (this.started) this.schedule();
  }

  setSpeed(speed: PlaybackSpeed): void {
    checkSpeed(speed);
    // keep the current position: re-anchor the clock at the next message
    const next = this.recorded.messages[this.cursor];
    this.speed = speed;
    if (next !== undefined && speed !== 'max') this.playStartMs = performance.now() - next.offsetNs / 1e6 / speed;
    if (this.started && !this.paused) { this.clearPlayTimers(); this.schedule(); }
  }

  /** Starts the playback now (with startOn 'first-connection' it starts on the first connection). */
  startPlayback(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.playStartMs = performance.now();
    if (!this.paused) this.schedule();
  }

  /** Resolves when every message has been played. */
  whenEnded(): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearPlayTimers();
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    for (const c of [...this.live]) { this.finish(c, 'server-closed'); c.ws.terminate(); }
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const w of this.endWaiters.splice(0)) w();
  }

  // ---- REST ------------------------------------------------------------------------------

  private reply(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private restError(res: ServerResponse, status: number, code: number, msg: string): void {
    this.stats.restErrors++;
    this.reply(res, status, JSON.stringify({ code, msg }));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.stats.restRequests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = this.market === 'spot' ? '/api/v3/depth' : '/fapi/v1/depth';
    if (req.method !== 'GET' || url.pathname !== path) { this.restError(res, 404, -1000, `unknown endpoint ${req.method} ${url.pathname}`); return; }
    const f = this.restFailures;
    if (f !== null && f.count > 0) {
      f.count--;
      this.stats.restErrors++;
      this.reply(res, f.status, f.body);
      return;
    }
    const symbol = url.searchParams.get('symbol');
    if (symbol === null || symbol === '') { this.restError(res, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."); return; }
    const book = this.books.get(symbol);
    if (book === undefined) { this.restError(res, 400, -1121, 'Invalid symbol.'); return; }
    const limitText = url.searchParams.get('limit');
    let limit = this.market === 'spot' ? 100 : 500;
    if (limitText !== null) {
      limit = /^\d{1,5}$/.test(limitText) ? Number(limitText) : NaN;
      const ok = this.market === 'spot' ? limit >= 1 && limit <= SPOT_LIMIT_MAX : USDM_LIMITS.includes(limit);
      if (!ok) { this.restError(res, 400, -1100, `Illegal characters found in parameter 'limit'; legal range is ${this.market === 'spot' ? `1..${SPOT_LIMIT_MAX}` : USDM_LIMITS.join(', ')}.`); return; }
    }
    const { bids, asks } = book.top(limit);
    const now = Date.now();
    const body = this.market === 'spot'
      ? { lastUpdateId: book.updateId, bids, asks }
      : { lastUpdateId: book.updateId, E: now, T: now, bids, asks };
    this.reply(res, 200, JSON.stringify(body));
  }

  // ---- WebSocket ---------------------------------------------------------------------------

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.stats.upgradeAttemptsMs.push(performance.now());
    const refuse = (status: number, text: string): void => {
      this.stats.upgradesRefused++;
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (this.closed) { refuse(503, 'Service Unavailable'); return; }
    if (this.refuseStatus !== null) { refuse(this.refuseStatus, 'Refused'); return; }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/stream') { refuse(404, 'Not Found'); return; }
    const names = (url.searchParams.get('streams') ?? '').split('/');
    const subs = new Map<string, Map<RecordedStreamKind, string>>();
    for (const name of names) {
      const p = parseStreamName(name);
      if (p === null) { refuse(400, 'Bad Request'); return; }
      let m = subs.get(p.symbol);
      if (m === undefined) { m = new Map(); subs.set(p.symbol, m); }
      m.set(p.kind, name);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(ws, names, subs));
  }

  private onOpen(ws: WebSocket, streams: string[], subs: Conn['subs']): void {
    const info: ConnectionInfo = {
      id: this.nextId++, streams, openedAtMs: performance.now(), closedAtMs: NaN, closedBy: null,
      messagesSent: 0, pingsSent: 0, pongsMatching: 0, pongsOther: 0, clientPings: 0, frozen: false,
    };
    const c: Conn = { info, ws, subs, lastPingPayload: null, lastPingAtMs: 0, awaitingPong: false, ageTimer: null };
    this.connections.push(info);
    this.live.add(c);
    c.ageTimer = setTimeout(() => { this.finish(c, 'age'); ws.terminate(); }, this.opts.maxConnectionAgeMs);
    ws.on('ping', (data: Buffer) => {
      info.clientPings++;
      if (!info.frozen && this.answerPings) ws.pong(data);
    });
    ws.on('pong', (data: Buffer) => {
      if (c.lastPingPayload !== null && data.toString() === c.lastPingPayload) { info.pongsMatching++; c.awaitingPong = false; }
      else info.pongsOther++;
    });
    ws.on('message', () => { /* subscriptions over the socket are not supported: the URL lists the streams */ });
    ws.on('close', () => this.finish(c, 'client'));
    ws.on('error', () => this.finish(c, 'client'));
    if (!this.started && this.opts.startOn === 'first-connection') this.startPlayback();
  }

  private finish(c: Conn, cause: CloseCause): void {
    if (!this.live.delete(c)) return;
    c.info.closedAtMs = performance.now();
    c.info.closedBy = cause;
    if (c.ageTimer !== null) clearTimeout(c.ageTimer);
  }

  private pingAll(): void {
    const now = performance.now();
    for (const c of [...this.live]) {
      if (c.info.frozen) continue;
      if (c.awaitingPong && now - c.lastPingAtMs >= this.opts.pongTimeoutMs) {
        this.finish(c, 'pong-timeout');
        c.ws.terminate();
        continue;
      }
      const payload = String(Date.now());
      c.lastPingPayload = payload;
      if (!c.awaitingPong) c.lastPingAtMs = now;
      c.awaitingPong = true;
      c.info.pingsSent++;
      c.ws.ping(payload);
    }
  }

  // ---- playback ------------------------------------------------------------------------------

  private clearPlayTimers(): void {
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null; }
    if (this.immediate !== null) { clearImmediate(this.immediate); this.immediate = null; }
  }

  private schedule(): void {
    if (this.closed || this.paused || this.ended) return;
    if (this.speed === 'max') {
      this.immediate = setImmediate(() => { this.immediate = null; this.playBatch(this.opts.maxBatch); this.schedule(); });
      return;
    }
    const next = this.recorded.messages[this.cursor]!;
    const dueMs = this.playStartMs + next.offsetNs / 1e6 / this.speed;
    const wait = dueMs - performance.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.playDue();
      this.schedule();
    }, Math.max(0, wait));
  }

  private playDue(): void {
    const speed = this.speed as number;
    const now = performance.now();
    const msgs = this.recorded.messages;
    let n = 0;
    while (this.cursor < msgs.length && n < 10_000 && !this.paused) {
      const m = msgs[this.cursor]!;
      if (this.playStartMs + m.offsetNs / 1e6 / speed > now) break;
      this.playOne(m);
      n++;
    }
    this.checkEnd();
  }

  private playBatch(max: number): void {
    const msgs = this.recorded.messages;
    for (let i = 0; i < max && this.cursor < msgs.length && !this.paused; i++) this.playOne(msgs[this.cursor]!);
    this.checkEnd();
  }

  private checkEnd(): void {
    if (this.ended) for (const w of this.endWaiters.splice(0)) w();
  }

  private playOne(m: RecordedStreamMessage): void {
    if (this.paused) return;
    this.cursor++;
    if (this.cursor >= this.pauseAtPosition) { this.pauseAtPosition = Infinity; this.pause(); }
    this.stats.played++;
    playOnBooks(this.books, m);
    if (m.kind === 'depth') {
      for (const key of [m.symbol, '*']) {
        const left = this.dropDepth.get(key) ?? 0;
        if (left > 0) {
          this.dropDepth.set(key, left - 1);
          this.stats.droppedDepth++;
          return;
        }
      }
    }
    for (const c of this.live) {
      if (c.info.frozen) continue;
      const name = c.subs.get(m.symbol)?.get(m.kind);
      if (name === undefined) continue;
      if (c.ws.bufferedAmount > this.opts.maxBufferedBytes) { this.finish(c, 'slow'); c.ws.terminate(); continue; }
      c.ws.send(`{"stream":"${name}","data":${m.dataJson}}`);
      c.info.messagesSent++;
    }
  }
}

function checkSpeed(speed: PlaybackSpeed): void {
  if (speed !== 'max' && !(typeof speed === 'number' && speed > 0 && Number.isFinite(speed))) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `speed must be a positive number or "max", got ${JSON.stringify(speed)}`);
  }
}
