// The feed handler: a WebSocket server (src/net/transport.ts: uWebSockets.js, or
// node:http + ws where uWS has no native binding) that accepts feed protocol v1 frames
// (docs/feed-protocol.md) from publishers and decodes each one synchronously, in
// the message callback, into the ingest engine (FeedIngest) and so into the WASM
// books. One binary WebSocket message = one frame.
//
//   ws://HOST:PORT/feed       publishers connect here (default 127.0.0.1:8081)
//   GET /feed/stats           counters, per connection and in total, as JSON
//
// Rules:
//  - Access, on the upgrade and on /feed/stats alike (src/net/access.ts, the rules of
//    every listener): bound to loopback, the Host header must name a loopback
//    address, and a request with an Origin header from another site (any other
//    host:port, "null" included) is refused with 403 — browsers send Origin on a
//    WebSocket upgrade and nothing else stops a page from publishing; publishers
//    that are not browsers send none. Bound to a non-loopback address, a token is
//    required (the constructor refuses to start without one): requests must carry
//    "Authorization: Bearer <token>" (compared in constant time) or get 401. A
//    configured token is enforced on loopback too.
//  - The port is bound exclusively (src/net/listen.ts): a port in use fails listen().
//  - Text frames close the connection (1003). Frames over maxPayloadBytes are cut
//    off by the transport itself (counted as oversized; the client sees 1006 from
//    uWS, 1009 from ws). Idle connections close after idleTimeoutS (pinged first).
//  - A frame that fails to decode changes nothing (validate-then-apply) and is
//    counted by code; a publisher reaching maxDecodeErrors is closed with 4001.
//  - Nothing a publisher sends can throw out of a callback.
//  - Per frame: the receive clock is read once (ingest.setClock), and the frame's
//    transit latency (receive monotonic ns - sendTsNs) and decode+apply time go
//    into a preallocated LatencyRing.
//  - A timer calls ingest.checkStaleFeed() every staleCheckMs.
//  - close(): stops listening, closes every connection (1001), stops the timer.
//  - Each frame first goes to the ingest's WASM fast path (FeedIngest.applyFrameFast),
//    which applies frames of level updates for live symbols in sequence in one call;
//    every other frame (definitions, snapshots, gaps, bad bytes...) is decoded by
//    FrameDecoder, the reference semantics. Option fastPath: false skips the first step.
// The transport may reuse the message's memory when the callback returns (uWS neuters
// it): the frame is decoded inside the callback and nothing keeps a reference to it.
import { SpreadcoreError } from '../../errors.js';
import { monoNowNs } from '../../net/clock.js';
import { selectTransport } from '../../net/select-transport.js';
import type { Transport, TransportListener, TransportRequest, TransportResponse, TransportUpgradeResponse, TransportWebSocket } from '../../net/transport.js';
import type { FeedIngest } from '../ingest/feed-ingest.js';
import { FAST_FALLBACK_NAMES } from '../../wasm/frame-fast-path.js';
import { DECODE_CODE_NAMES, DECODE_ERR_SINK_THREW, DECODE_OK } from '../protocol/decode-codes.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import { accessDenial, checkBind, type AccessDenial, type AccessPolicy } from '../../net/access.js';
import { countsByName, FeedConnection, type FeedConnectionJson } from './feed-connection.js';
import { LatencyRing, type LatencySummary } from './latency-ring.js';
import { endAnswer } from '../../net/http-answer.js';

/** uWS copies the user data's own properties onto its socket object, so the connection rides in one field. */
interface SocketData { conn: FeedConnection }
type WebSocket = TransportWebSocket<SocketData>;
type HttpResponse = TransportResponse;
type HttpRequest = TransportRequest;

/** Close codes the handler sends. */
export const FEED_CLOSE_SHUTDOWN = 1001;
export const FEED_CLOSE_TEXT_FRAME = 1003;
export const FEED_CLOSE_DECODE_ERRORS = 4001;
/** uWS closes an oversized frame's connection without a close frame: the client sees 1006. */
export const FEED_CLOSE_ABNORMAL = 1006;
/** ws (the node:http transport) closes an oversized frame's connection with 1009 (message too big). */
export const FEED_CLOSE_TOO_BIG = 1009;

export interface FeedHandlerOptions {
  /** Bind address. Default 127.0.0.1. Anything but loopback requires a token. */
  host?: string;
  /** Default 8081; 0 picks a free port (see port after listen()). */
  port?: number;
  /** WebSocket path. Default /feed; the stats route is `${path}/stats`. */
  path?: string;
  /** Bearer token publishers (and stats readers) must present. */
  token?: string;
  /** Largest frame accepted, bytes. Default 16 MiB. */
  maxPayloadBytes?: number;
  /** Close a connection silent for this long, seconds (0 disables; uWS wants 0 or >= 8). Default 60. */
  idleTimeoutS?: number;
  /** Close a publisher after this many frames that failed to decode. Default 8. */
  maxDecodeErrors?: number;
  /** How often to run the ingest stale-feed check, ms (0 disables). Default 250. */
  staleCheckMs?: number;
  /** Latency samples kept (ring). Default 65,536. */
  latencySamples?: number;
  /** Try the WASM fast path before FrameDecoder on each frame. Default true. */
  fastPath?: boolean;
  /** The transport (default: selectTransport(), src/net/select-transport.ts). */
  transport?: Transport;
}

export interface FeedHandlerTotals {
  connectionsOpen: number;
  connectionsAccepted: number;
  /** Upgrade requests refused (401 without the token, 403 for a foreign Host or Origin). */
  upgradesRefused: number;
  frames: number;
  framesApplied: number;
  messages: number;
  bytes: number;
  decodeErrors: number;
  textFrames: number;
  oversizedFrames: number;
  /** Connections the handler closed: too many decode errors, text frames. */
  closedForDecodeErrors: number;
  closedForTextFrames: number;
  /** Exceptions caught in callbacks (should stay 0). */
  internalErrors: number;
}

export interface FeedHandlerStats {
  listening: { host: string; port: number; path: string; auth: boolean } | null;
  totals: FeedHandlerTotals;
  decodeErrorsByCode: Record<string, number>;
  connections: FeedConnectionJson[];
  ingest: {
    counters: FeedIngest['counters'];
    symbols: { symbolId: number; symbol: string; state: string; staleReason: string | null; crossed: boolean; staleFeed: boolean;
      nextSeq: number; counters: Record<string, number> }[];
  };
  latency: { transitNs: LatencySummary; applyNs: LatencySummary; samples: number };
  /** Frames the WASM fast path applied, and those it handed to FrameDecoder by reason. */
  fastPath: { enabled: boolean; framesApplied: number; messagesApplied: number; levelUpdatesApplied: number; fallbacks: Record<string, number> };
}

function positiveInt(v: number, what: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what} must be an integer >= ${min}, got ${v}`);
  return v;
}

export class FeedHandler {
  readonly ingest: FeedIngest;
  readonly decoder: FrameDecoder;
  readonly latency: LatencyRing;
  readonly host: string;
  readonly path: string;
  /** Whether frames go to the WASM fast path first. */
  readonly fastPath: boolean;
  readonly totals: FeedHandlerTotals = {
    connectionsOpen: 0, connectionsAccepted: 0, upgradesRefused: 0, frames: 0, framesApplied: 0, messages: 0, bytes: 0,
    decodeErrors: 0, textFrames: 0, oversizedFrames: 0, closedForDecodeErrors: 0, closedForTextFrames: 0, internalErrors: 0,
  };
  /** The last exception caught in a callback (for diagnosis; never rethrown). */
  lastInternalError: unknown = undefined;

  private readonly token: string | undefined;
  private readonly access: AccessPolicy;
  private readonly requestedPort: number;
  private readonly maxPayloadBytes: number;
  private readonly idleTimeoutS: number;
  private readonly maxDecodeErrors: number;
  private readonly staleCheckMs: number;
  /** What serves the socket and the stats route: uWS or node:http + ws. */
  readonly transport: Transport;
  private readonly sockets = new Set<WebSocket>();
  private listenSocket: TransportListener | null = null;
  private boundPort = -1;
  private timer: NodeJS.Timeout | null = null;
  private nextConnectionId = 1;

  constructor(ingest: FeedIngest, options: FeedHandlerOptions = {}) {
    this.ingest = ingest;
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 8081;
    if (!Number.isInteger(this.requestedPort) || this.requestedPort < 0 || this.requestedPort > 65535) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `port must be an integer in 0..65535, got ${this.requestedPort}`);
    }
    this.path = options.path ?? '/feed';
    if (!/^\/[A-Za-z0-9._~\-/]*$/.test(this.path)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `path must start with / and hold URL-safe characters, got ${JSON.stringify(this.path)}`);
    const token = options.token;
    checkBind(this.host, token, 'the feed handler');
    this.token = token;
    this.access = { boundHost: this.host, token };
    this.maxPayloadBytes = positiveInt(options.maxPayloadBytes ?? 16 * 1024 * 1024, 'maxPayloadBytes', 20);
    const idle = options.idleTimeoutS ?? 60;
    if (!Number.isInteger(idle) || (idle !== 0 && (idle < 8 || idle > 960))) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `idleTimeoutS must be 0 or an integer in 8..960, got ${idle}`);
    }
    this.idleTimeoutS = idle;
    this.maxDecodeErrors = positiveInt(options.maxDecodeErrors ?? 8, 'maxDecodeErrors');
    this.staleCheckMs = positiveInt(options.staleCheckMs ?? 250, 'staleCheckMs', 0);
    this.latency = new LatencyRing(positiveInt(options.latencySamples ?? 65536, 'latencySamples'));
    this.fastPath = options.fastPath ?? true;
    this.decoder = new FrameDecoder({ isKnownSymbol: (id) => ingest.symbolState(id) !== undefined });
    this.transport = options.transport ?? selectTransport();
  }

  /** The bound port once listening (-1 before). */
  get port(): number { return this.boundPort; }
  get listening(): boolean { return this.listenSocket !== null; }

  /** Starts the server; resolves with the bound port. */
  listen(): Promise<number> {
    if (this.listenSocket !== null) return Promise.resolve(this.boundPort);
    const app = this.transport.app();
    app.ws<SocketData>(this.path, {
      maxPayloadLength: this.maxPayloadBytes,
      idleTimeout: this.idleTimeoutS,
      maxBackpressure: 64 * 1024,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => this.httpGuard(res, () => this.onUpgrade(res, req, context)),
      open: (ws) => this.guard(() => this.onOpen(ws)),
      message: (ws, message, isBinary) => this.guard(() => this.onMessage(ws, message, isBinary)),
      close: (ws, code, message) => this.guard(() => this.onClose(ws, code, message)),
    });
    app.get(`${this.path}/stats`, (res, req) => this.httpGuard(res, () => this.onStats(res, req)));
    app.any('/*', (res, req) => {
      const head = req.getMethod() === 'head';
      this.httpGuard(res, () => this.json(res, '404 Not Found', { ok: false, error: { code: 'NOT_FOUND', message: 'not found' } }, [], head));
    });
    return this.transport.listen(app, this.host, this.requestedPort, 'the feed handler').then((b) => {
      this.listenSocket = b;
      this.boundPort = b.port;
      if (this.staleCheckMs > 0) {
        this.timer = setInterval(() => this.guard(() => { this.ingest.checkStaleFeed(monoNowNs()); }), this.staleCheckMs);
        this.timer.unref();
      }
      return b.port;
    });
  }

  /** Stops listening and closes every connection (1001). */
  close(): void {
    if (this.timer !== null) { clearInterval(this.timer); this.timer = null; }
    if (this.listenSocket !== null) {
      this.listenSocket.close();
      this.listenSocket = null;
    }
    for (const ws of [...this.sockets]) {
      const c = ws.getUserData().conn;
      c.closing = true;
      ws.end(FEED_CLOSE_SHUTDOWN, 'server shutting down');
    }
  }

  // ---- callbacks -------------------------------------------------------------------------
  /** Runs a callback body; an exception is counted, never propagated into uWS. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.totals.internalErrors++;
      this.lastInternalError = e;
    }
  }

  /** As guard(), for HTTP routes: uWS requires a response before returning, so a failure still answers 500. */
  private httpGuard(res: HttpResponse, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.totals.internalErrors++;
      this.lastInternalError = e;
      try {
        this.json(res, '500 Internal Server Error', { ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
      } catch {
        // already answered
      }
    }
  }

  private json(res: HttpResponse, status: string, body: unknown, headers: readonly [string, string][] = [], head = false): void {
    res.cork(() => {
      res.writeStatus(status).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store');
      for (const [k, v] of headers) res.writeHeader(k, v);
      endAnswer(res, JSON.stringify(body), false, head);
    });
  }

  /** Host, Origin and token (src/net/access.ts); the Origin rule applies to every request here. */
  private denial(req: HttpRequest): AccessDenial | null {
    return accessDenial(this.access, {
      host: req.getHeader('host'), origin: req.getHeader('origin'), authorization: req.getHeader('authorization'), checkOrigin: true,
    });
  }

  private refuse(res: HttpResponse, d: AccessDenial): void {
    if (d.status === 403) {
      this.json(res, '403 Forbidden', { ok: false, error: { code: 'FORBIDDEN', message: d.message } });
      return;
    }
    this.json(res, '401 Unauthorized', { ok: false, error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } },
      [['WWW-Authenticate', 'Bearer realm="spreadcore-feed"']]);
  }

  private onUpgrade(res: TransportUpgradeResponse, req: HttpRequest, context: unknown): void {
    // everything read from req happens synchronously, before the upgrade
    const d = this.denial(req);
    if (d !== null) {
      this.totals.upgradesRefused++;
      this.refuse(res, d);
      return;
    }
    res.upgrade<SocketData>({ conn: new FeedConnection(this.nextConnectionId++) }, req.getHeader('sec-websocket-key'),
      req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
  }

  private onOpen(ws: WebSocket): void {
    const c = ws.getUserData().conn;
    c.remote = Buffer.from(ws.getRemoteAddressAsText()).toString('latin1');
    this.sockets.add(ws);
    this.totals.connectionsOpen++;
    this.totals.connectionsAccepted++;
  }

  private onMessage(ws: WebSocket, message: ArrayBuffer, isBinary: boolean): void {
    const c = ws.getUserData().conn;
    if (c.closing) return;
    const t = this.totals;
    if (!isBinary) {
      c.textFrames++;
      t.textFrames++;
      t.closedForTextFrames++;
      c.closing = true;
      ws.end(FEED_CLOSE_TEXT_FRAME, 'binary frames only');
      return;
    }
    const rxNs = monoNowNs();
    const n = message.byteLength;
    c.frames++;
    c.bytes += n;
    t.frames++;
    t.bytes += n;
    const ingest = this.ingest;
    const dec = this.decoder;
    ingest.setClock(rxNs);
    const frame = new Uint8Array(message);
    let code = this.fastPath ? ingest.applyFrameFast(frame) : -1;
    let m: number;
    let sendTs: number;
    if (code >= 0) {
      const fp = ingest.fastPath;
      m = fp.messageCount;
      sendTs = fp.sendTsNs;
    } else {
      code = dec.decodeFrame(frame, ingest);
      m = dec.messageCount;
      sendTs = dec.sendTsNs;
    }
    if (code === DECODE_OK) {
      const doneNs = monoNowNs();
      c.framesApplied++;
      c.messages += m;
      t.framesApplied++;
      t.messages += m;
      this.latency.record(sendTs > 0 ? rxNs - sendTs : NaN, doneNs - rxNs);
      return;
    }
    c.decodeErrors++;
    c.errorsByCode[code]!++;
    t.decodeErrors++;
    if (c.decodeErrors >= this.maxDecodeErrors) {
      t.closedForDecodeErrors++;
      c.closing = true;
      ws.end(FEED_CLOSE_DECODE_ERRORS, `too many decode errors (${c.decodeErrors}, last: ${DECODE_CODE_NAMES[code]})`);
    }
  }

  private onClose(ws: WebSocket, code: number, message: ArrayBuffer): void {
    if (!this.sockets.delete(ws)) return;
    this.totals.connectionsOpen--;
    if ((code === FEED_CLOSE_TOO_BIG || code === FEED_CLOSE_ABNORMAL) && Buffer.from(message).toString('latin1').includes('too big')) this.totals.oversizedFrames++;
  }

  private onStats(res: HttpResponse, req: HttpRequest): void {
    const d = this.denial(req);
    if (d !== null) { this.refuse(res, d); return; }
    this.json(res, '200 OK', this.stats());
  }

  // ---- stats -------------------------------------------------------------------------------
  stats(): FeedHandlerStats {
    const fp = this.ingest.fastPath;
    const byCode = this.decoder.frameCounts.slice();
    byCode[DECODE_ERR_SINK_THREW]! += fp.listenerThrew;
    const fallbacks: Record<string, number> = {};
    for (let k = 1; k < fp.fallbacks.length; k++) if (fp.fallbacks[k]! > 0) fallbacks[FAST_FALLBACK_NAMES[k]!] = fp.fallbacks[k]!;
    return {
      listening: this.listenSocket === null ? null : { host: this.host, port: this.boundPort, path: this.path, auth: this.token !== undefined },
      totals: { ...this.totals },
      decodeErrorsByCode: countsByName(byCode),
      connections: [...this.sockets].map((ws) => ws.getUserData().conn.toJSON()),
      ingest: {
        counters: { ...this.ingest.counters },
        symbols: this.ingest.symbols().map((s) => ({
          symbolId: s.symbolId, symbol: s.symbol, state: s.state, staleReason: s.staleReason, crossed: s.crossed,
          staleFeed: s.staleFeed, nextSeq: s.nextSeq, counters: { ...s.counters },
        })),
      },
      latency: { transitNs: this.latency.summary('transit'), applyNs: this.latency.summary('apply'), samples: this.latency.total },
      fastPath: {
        enabled: this.fastPath, framesApplied: fp.framesApplied, messagesApplied: fp.messagesApplied,
        levelUpdatesApplied: fp.levelUpdatesApplied, fallbacks,
      },
    };
  }
}
