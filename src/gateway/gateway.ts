// The HTTP control API (default 127.0.0.1:8080): the routes of routes-api.ts over a
// TradingEngine, JSON in and out, on the process's transport (src/net/transport.ts:
// uWebSockets.js, or node:http where uWS has no native binding).
//
// Rules:
//  - Every answer is JSON; errors are {"ok":false,"error":{"code","message"}} with a 4xx
//    (5xx only for a bug, counted in internalErrors, never with internals in the body).
//  - Nothing a client sends can throw out of a transport callback (every handler guarded).
//  - Bodies: onAborted is registered before reading; a body over maxBodyBytes is 413
//    (checked against content-length first, then while reading); mutating requests
//    carrying a body must be application/json (415); the JSON is checked by
//    parseJsonBody (400). The engine call runs once the body is complete, synchronously;
//    a route that waits for a venue (POST /api/reconcile) answers when its promise settles,
//    with onAborted registered before the callback returns.
//  - Access (src/net/access.ts, the rules of every listener): bound to loopback, the
//    Host header must name a loopback address (403 otherwise, against DNS rebinding);
//    a cross-site Origin on a mutating request, or on GET /api/stream, is 403. Bound to
//    a non-loopback address, a bearer token is required (constructor refuses otherwise)
//    and checked on every request; a configured token is checked on loopback too.
//  - The port is bound exclusively (src/net/listen.ts): a port in use fails listen().
//  - Writes made after the request callback returned are corked.
//  - GET /api/stream is the SseHub passed as `stream`, under the same Host and token checks (and Origin).
//    With a second hub as `clusterStream` (serve --cluster), `?scope=cluster|node` picks one
//    (`streamScope` is the default): the cluster's merged stream, or this node's events only.
//  - Forwarding (serve --cluster, `forward`): a request about a strategy or market another
//    node runs is sent to that node (forward.target() decides, synchronously, from method,
//    path and query) and answered with that node's status and body; onAborted is registered
//    before the request leaves, the answer is written corked. A request with the header
//    `x-spreadcore-forward: no` is answered here (this node's own view). A request whose target
//    is in its body (POST /api/order: the order's symbol) is decided once the body is read
//    (forward.bodyTarget(), which checks the body first: a bad one is answered here). Without `forward` every
//    request is answered here, synchronously, as before. dispatch() is the other end: a
//    forwarded request answered by this node's routes.
//  - Every answer of the API carries an `x-request-id`: the client's own when it is a short
//    safe token (request-id.ts), a generated one otherwise; error bodies repeat it as
//    error.request_id. With a logger, each request is logged at debug and each 4xx at
//    info, 5xx at warn, with the id, method, path, query (secret values censored),
//    status and time: never headers or bodies.
import { SpreadcoreError } from '../errors.js';
import { queryForLog, type Logger } from '../log/logger.js';
import { RequestIds } from './request-id.js';
import { selectTransport } from '../net/select-transport.js';
import type { Transport, TransportApp, TransportListener, TransportRequest, TransportResponse } from '../net/transport.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import { accessDenial, checkBind, hostAllowed, type AccessPolicy } from '../net/access.js';
import { HttpError, statusLine, toHttpError } from './http-errors.js';
import { endAnswer } from '../net/http-answer.js';
import { isJsonContentType, parseJsonBody } from './http-json-body.js';
import { API_ROUTES, matchRoute, type LiveControl, type Route, type RouteAnswer, type RouteContext } from './routes-api.js';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text.js';
import { GatewayRateLimits, type GatewayRateLimitOptions } from './rate-limit-http.js';
import { mountDashboard } from './routes-static.js';
import type { SseHub } from './sse-hub.js';

type HttpResponse = TransportResponse;
type HttpRequest = TransportRequest;

export interface GatewayOptions {
  host?: string;
  /** Default 8080; 0 picks a free port (see port after listen()). */
  port?: number;
  /** Required when host is not loopback. */
  token?: string;
  /** Largest request body, bytes. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted. Default 16. */
  maxJsonDepth?: number;
  /** Extra fields in GET /api/health. */
  healthInfo?: () => Record<string, unknown>;
  /** The event stream served at GET /api/stream (same Host and token checks as the API); its owner closes it. */
  stream?: SseHub;
  /** Serves GET /metrics (Prometheus text; same Host and token checks as the API). */
  metrics?: (gateway: Gateway) => string;
  /** Per-client request limits (429 over them; see rate-limit-http.ts). Absent: no limit. */
  rateLimit?: GatewayRateLimitOptions;
  /** Adds routes to the app before the API's catch-all. */
  extend?: (app: TransportApp) => void;
  /** The live execution venue's controls (POST /api/reconcile); absent: the route answers 409 SPREADCORE_ERR_NOT_LIVE. */
  live?: LiveControl;
  /** More API routes after the built-in ones (same checks, same error answers). */
  routes?: readonly Route[];
  /** The transport (default: selectTransport(), src/net/select-transport.ts). */
  transport?: Transport;
  /** Request logs (debug: every request; info: 4xx; warn: 5xx). Absent: none. */
  log?: Logger;
  /** In a cluster: requests about another node's strategies and markets are answered by it. */
  forward?: ApiForwarder;
  /** In a cluster: this node's id, sent as x-spreadcore-node on every API answer. */
  nodeId?: string;
  /** In a cluster: the merged stream of every node, GET /api/stream?scope=cluster. */
  clusterStream?: SseHub;
  /** The stream without ?scope= when clusterStream is set. Default 'cluster'. */
  streamScope?: 'cluster' | 'node';
}

/** A request sent to another node of a cluster (src/cluster/api-relay.ts). */
export interface ForwardedRequest {
  method: string;
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  /** The raw JSON body, or null. */
  body: string | null;
  request_id: string;
}

/** The owning node's answer. */
export interface ForwardedAnswer { status: number; body: string; node: string; headers?: [string, string][] }

export interface ApiForwarder {
  /** The node that must answer this request, or null (this one). Synchronous; called per request. */
  target(method: string, path: string, query: URLSearchParams): string | null;
  /**
   * For a request whose target is named in its body (POST /api/order's symbol): the node that
   * must answer it, or null (this one), once the body is read and parsed. Called only when
   * target() said null. Checks the body against the route's schema first and throws its 400
   * (SpreadcoreError), so a malformed body is refused here without a round trip.
   */
  bodyTarget?(method: string, path: string, body: Record<string, unknown> | undefined): string | null;
  /** Sends the request to `node`; rejects with an HttpError (503/504) when it does not answer. */
  forward(node: string, req: ForwardedRequest): Promise<ForwardedAnswer>;
}

export interface GatewayCounters { requests: number; errors4xx: number; internalErrors: number; aborted: number; forwarded: number; forwardErrors: number }

const MUTATING = new Set(['POST', 'PATCH', 'DELETE', 'PUT']);

/** One request's answer state: aborted by the client, answered, a HEAD request (headers only), and what its log line needs. */
interface AnswerState { aborted: boolean; done: boolean; head: boolean; id: string; method: string; path: string; query: string; t0: number; watched: boolean }

export class Gateway {
  readonly engine: TradingEngine;
  readonly host: string;
  readonly counters: GatewayCounters = { requests: 0, errors4xx: 0, internalErrors: 0, aborted: 0, forwarded: 0, forwardErrors: 0 };
  /** The last unexpected exception (for diagnosis; never sent to a client). */
  lastInternalError: unknown = undefined;
  /** The per-client request limits, when configured. */
  readonly rateLimits: GatewayRateLimits | undefined;
  private readonly metrics: ((gateway: Gateway) => string) | undefined;

  private readonly requestedPort: number;
  private readonly access: AccessPolicy;
  private readonly maxBodyBytes: number;
  private readonly maxJsonDepth: number;
  private readonly healthInfo: () => Record<string, unknown>;
  private readonly extend: ((app: TransportApp) => void) | undefined;
  private readonly stream: SseHub | undefined;
  private readonly routes: readonly Route[];
  /** What serves the routes: uWS or node:http. */
  readonly transport: Transport;
  private listenSocket: TransportListener | null = null;
  private boundPort = -1;
  private readonly startedMs = Date.now();
  private readonly log: Logger | undefined;
  private readonly ids = new RequestIds();
  private readonly forwarder: ApiForwarder | undefined;
  private readonly nodeHeader: readonly [string, string][];
  private readonly clusterStream: SseHub | undefined;
  private readonly streamScope: 'cluster' | 'node';
  private readonly live: LiveControl | undefined;

  constructor(engine: TradingEngine, options: GatewayOptions = {}) {
    this.engine = engine;
    this.routes = options.routes === undefined ? API_ROUTES : [...API_ROUTES, ...options.routes];
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 8080;
    if (!Number.isInteger(this.requestedPort) || this.requestedPort < 0 || this.requestedPort > 65535) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `port must be an integer in 0..65535, got ${this.requestedPort}`);
    }
    const token = options.token;
    checkBind(this.host, token, 'the gateway');
    this.access = { boundHost: this.host, token };
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    if (!Number.isInteger(this.maxBodyBytes) || this.maxBodyBytes < 2) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'maxBodyBytes must be an integer >= 2');
    this.maxJsonDepth = options.maxJsonDepth ?? 16;
    this.healthInfo = options.healthInfo ?? (() => ({}));
    this.extend = options.extend;
    this.stream = options.stream;
    this.metrics = options.metrics;
    this.rateLimits = options.rateLimit === undefined ? undefined : new GatewayRateLimits(options.rateLimit);
    this.transport = options.transport ?? selectTransport();
    this.log = options.log;
    this.forwarder = options.forward;
    this.nodeHeader = options.nodeId === undefined ? [] : [['x-spreadcore-node', options.nodeId]];
    this.clusterStream = options.clusterStream;
    this.streamScope = options.streamScope ?? 'cluster';
    this.live = options.live;
  }

  get port(): number { return this.boundPort; }
  get listening(): boolean { return this.listenSocket !== null; }
  get url(): string { return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.boundPort}`; }

  listen(): Promise<number> {
    if (this.listenSocket !== null) return Promise.resolve(this.boundPort);
    const app = this.transport.app();
    const streamOptions = {
      // a stream is read by EventSource, which sends Origin cross-site: refused like a mutating request
      access: (req: HttpRequest) => accessDenial(this.access, {
        host: req.getHeader('host'), origin: req.getHeader('origin'), authorization: req.getHeader('authorization'), checkOrigin: true,
      }),
    };
    const local = this.stream;
    const merged = this.clusterStream;
    if (local !== undefined && merged !== undefined) {
      app.get('/api/stream', (res, req) => {
        const scope = new URLSearchParams(req.getQuery() ?? '').get('scope') ?? this.streamScope;
        if (scope !== 'cluster' && scope !== 'node') {
          res.cork(() => {
            res.writeStatus('400 Bad Request').writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store')
              .end(JSON.stringify({ ok: false, error: { code: 'SPREADCORE_ERR_BAD_PARAM', message: `scope must be "cluster" or "node", got ${JSON.stringify(scope.slice(0, 32))}` } }));
          });
          return;
        }
        (scope === 'cluster' ? merged : local).handle(res, req, streamOptions);
      });
    } else {
      local?.mount(app, '/api/stream', streamOptions);
    }
    mountDashboard(app, { hostAllowed: (host) => hostAllowed(this.host, host) }); // GET /: docs/dashboard.md
    this.extend?.(app);
    app.any('/*', (res, req) => this.onRequest(res, req));
    return this.transport.listen(app, this.host, this.requestedPort, 'the control API').then((b) => {
      this.listenSocket = b;
      this.boundPort = b.port;
      return b.port;
    });
  }

  /** Stops listening (open keep-alive connections end with the process or their client). */
  close(): void {
    if (this.listenSocket !== null) {
      this.listenSocket.close();
      this.listenSocket = null;
    }
  }

  health(): Record<string, unknown> {
    return {
      ok: true, status: 'ready', uptime_seconds: Math.floor((Date.now() - this.startedMs) / 1000),
      strategies: this.engine.list().length, kill_switch: this.engine.risk.killed ? 'HALTED' : 'ACTIVE',
      ...this.healthInfo(),
    };
  }

  // ---- requests ---------------------------------------------------------------------------
  private onRequest(res: HttpResponse, req: HttpRequest): void {
    this.counters.requests++;
    if (this.rateLimits !== undefined && this.rateLimits.refuse(res, req)) return;
    const state: AnswerState = { aborted: false, done: false, head: false, id: '', method: '', path: '', query: '', t0: this.log === undefined ? 0 : performance.now(), watched: false };
    let hasBody = false;
    try {
      // everything needed from req is read now: it is invalid once this callback returns
      state.id = this.ids.forRequest(req.getHeader('x-request-id'));
      const method = req.getCaseSensitiveMethod().toUpperCase();
      state.head = method === 'HEAD';
      const path = req.getUrl();
      const rawQuery = req.getQuery() ?? '';
      state.method = method;
      state.path = path;
      state.query = rawQuery;
      const host = req.getHeader('host');
      const origin = req.getHeader('origin');
      const auth = req.getHeader('authorization');
      const contentType = req.getHeader('content-type');
      const contentLength = req.getHeader('content-length');
      const transferEncoding = req.getHeader('transfer-encoding');
      // x-spreadcore-forward: no — this node's own answer (its own book, its own copy of a strategy)
      const noForward = this.forwarder !== undefined && req.getHeader('x-spreadcore-forward') === 'no';

      this.checkAccess(method, host, origin, auth);
      if (this.metrics !== undefined && (path === '/metrics' || path === '/metrics/') && !hasBodyHeaders(contentLength, transferEncoding)) {
        if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'SPREADCORE_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed on /metrics`, [['allow', 'GET, HEAD']]);
        this.send(res, state, 200, this.metrics(this), [], false, PROMETHEUS_CONTENT_TYPE);
        return;
      }
      // HEAD is a GET without the body (the answer's length is still sent)
      const match = matchRoute(this.routes, state.head ? 'GET' : method, path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
      const query = new URLSearchParams(rawQuery);

      const mayHaveBody = method !== 'GET' && method !== 'HEAD' && (contentLength !== '' && contentLength !== '0' || transferEncoding !== '');
      hasBody = mayHaveBody;
      // in a cluster: another node runs what the request is about (null: answered here)
      const target = this.forwarder === undefined || noForward ? null : this.forwarder.target(state.head ? 'GET' : method, trimSlash(path), query);
      if (!mayHaveBody) {
        if (MUTATING.has(method) && contentType !== '' && !isJsonContentType(contentType)) {
          throw new HttpError(415, 'SPREADCORE_ERR_UNSUPPORTED_MEDIA_TYPE', 'mutating requests must be application/json');
        }
        if (target !== null) {
          this.watchAbort(res, state);
          this.forwardTo(res, state, target, null, () => match.route.handle(this.context(match.params, query, undefined)));
          return;
        }
        this.answer(res, state, () => match.route.handle(this.context(match.params, query, undefined)));
        return;
      }
      if (!isJsonContentType(contentType)) throw new HttpError(415, 'SPREADCORE_ERR_UNSUPPORTED_MEDIA_TYPE', `the body must be application/json, got ${JSON.stringify(contentType.slice(0, 64))}`);
      if (contentLength !== '' && (!/^\d+$/.test(contentLength) || Number(contentLength) > this.maxBodyBytes)) {
        throw new HttpError(413, 'SPREADCORE_ERR_BODY_TOO_LARGE', `the body is larger than ${this.maxBodyBytes} bytes`);
      }
      // the body arrives later: onAborted first
      this.watchAbort(res, state);
      const chunks: Buffer[] = [];
      let size = 0;
      res.onData((chunk, isLast) => {
        if (state.aborted || state.done) return;
        try {
          size += chunk.byteLength;
          if (size > this.maxBodyBytes) {
            this.fail(res, state, new HttpError(413, 'SPREADCORE_ERR_BODY_TOO_LARGE', `the body is larger than ${this.maxBodyBytes} bytes`), true);
            return;
          }
          chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses the chunk's memory after this callback
          if (!isLast) return;
          const bytes = Buffer.concat(chunks, size);
          if (target === null && !noForward && this.forwarder?.bodyTarget !== undefined) {
            // the target is in the body (a manual order's symbol): parsed and checked here (a bad body is this node's 400)
            const body = parseJsonBody(bytes, this.maxJsonDepth);
            const node = this.forwarder.bodyTarget(method, trimSlash(path), body);
            if (node !== null) {
              this.forwardTo(res, state, node, bytes.toString('utf8'), () => match.route.handle(this.context(match.params, query, body)));
              return;
            }
            this.answer(res, state, () => match.route.handle(this.context(match.params, query, body)));
            return;
          }
          if (target !== null) {
            this.forwardTo(res, state, target, bytes.toString('utf8'), () => {
              const body = parseJsonBody(bytes, this.maxJsonDepth);
              return match.route.handle(this.context(match.params, query, body));
            });
            return;
          }
          this.answer(res, state, () => {
            const body = parseJsonBody(bytes, this.maxJsonDepth);
            return match.route.handle(this.context(match.params, query, body));
          });
        } catch (e) {
          this.fail(res, state, e);
        }
      });
    } catch (e) {
      // an answer before the body was read closes the connection: the unread body must not become the next request
      this.fail(res, state, e, hasBody);
    }
  }

  /**
   * Sends the request to the node that runs what it is about; its answer (or a 503/504) is
   * written corked once it arrives. onAborted is registered. A mutating request that could
   * not be delivered at all (the error says `local_fallback`: nobody serves the node's
   * subject) is answered here instead, as without forwarding (the cluster's state in KV).
   */
  private forwardTo(res: HttpResponse, state: AnswerState, node: string, body: string | null, local: () => RouteAnswer | Promise<RouteAnswer>): void {
    this.counters.forwarded++;
    const req: ForwardedRequest = { method: state.head ? 'GET' : state.method, path: state.path, query: state.query, body, request_id: state.id };
    let p: Promise<ForwardedAnswer>;
    try { p = this.forwarder!.forward(node, req); } catch (e) { p = Promise.reject(e); }
    p.then(
      (a) => { this.send(res, state, a.status, a.body, [['x-spreadcore-node', a.node], ...(a.headers ?? [])], false); },
      (e: unknown) => {
        this.counters.forwardErrors++;
        if (MUTATING.has(state.method) && (e as { localFallback?: unknown }).localFallback === true) { this.answer(res, state, local); return; }
        this.fail(res, state, e);
      },
    );
  }

  /**
   * Answers a request forwarded by another node of the cluster with this node's routes,
   * synchronously (the same checks and errors as a request made here; access, rate
   * limits and the body's size and type were checked where it arrived).
   */
  dispatch(r: ForwardedRequest): { status: number; body: string; headers: [string, string][] } {
    try {
      const method = r.method.toUpperCase();
      const match = matchRoute(this.routes, method, trimSlash(r.path));
      const route = match.route;
      // a route that waits for a venue is this node's own (its live venue): never answered for another
      if (route.async === true) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `${method} ${trimSlash(r.path)} is answered by the node it is sent to only`);
      const query = new URLSearchParams(r.query);
      const body = r.body === null || r.body === '' ? undefined : parseJsonBody(Buffer.from(r.body, 'utf8'), this.maxJsonDepth);
      const a = route.handle(this.context(match.params, query, body));
      return { status: a.status, body: JSON.stringify(a.body), headers: [] };
    } catch (e) {
      const h = toHttpError(e);
      if (h.internal) { this.counters.internalErrors++; this.lastInternalError = e; }
      if (r.request_id !== '') h.body.error.request_id = r.request_id;
      return { status: h.status, body: JSON.stringify(h.body), headers: [...h.headers] };
    }
  }

  /** Host, Origin (mutating methods) and token: src/net/access.ts. */
  private checkAccess(method: string, host: string, origin: string, auth: string): void {
    const d = accessDenial(this.access, { host, origin, authorization: auth, checkOrigin: MUTATING.has(method) });
    if (d === null) return;
    if (d.status === 403) throw new HttpError(403, 'SPREADCORE_ERR_FORBIDDEN', d.message);
    throw new HttpError(401, 'SPREADCORE_ERR_UNAUTHORIZED', 'a bearer token is required', [['www-authenticate', 'Bearer']]);
  }

  private context(params: string[], query: URLSearchParams, body: Record<string, unknown> | undefined): RouteContext {
    return { engine: this.engine, params, query, body, health: () => this.health(), live: this.live };
  }

  /** Marks the request aborted when the client goes away (registered once, before the transport callback returns). */
  private watchAbort(res: HttpResponse, state: AnswerState): void {
    if (state.watched) return;
    state.watched = true;
    res.onAborted(() => { state.aborted = true; this.counters.aborted++; });
  }

  private answer(res: HttpResponse, state: AnswerState, f: () => RouteAnswer | Promise<RouteAnswer>): void {
    let a: RouteAnswer | Promise<RouteAnswer>;
    try {
      a = f();
    } catch (e) {
      this.fail(res, state, e);
      return;
    }
    if (a instanceof Promise) {
      // answered later: a client that left meanwhile is not written to
      this.watchAbort(res, state);
      a.then((v) => { this.send(res, state, v.status, JSON.stringify(v.body), [], false); }, (e: unknown) => { this.fail(res, state, e); });
      return;
    }
    this.send(res, state, a.status, JSON.stringify(a.body), [], false);
  }

  private fail(res: HttpResponse, state: AnswerState, e: unknown, close = false): void {
    const h = toHttpError(e);
    if (h.internal) { this.counters.internalErrors++; this.lastInternalError = e; } else if (h.status < 500) this.counters.errors4xx++;
    if (state.id !== '') h.body.error.request_id = state.id;
    this.send(res, state, h.status, JSON.stringify(h.body), h.headers, close, 'application/json', h.internal ? e : undefined, h.body.error.code);
  }

  private send(
    res: HttpResponse, state: AnswerState, status: number, body: string, headers: readonly [string, string][], close: boolean,
    contentType = 'application/json', internal?: unknown, code?: string,
  ): void {
    if (state.aborted || state.done) return;
    state.done = true;
    if (this.log !== undefined) this.logRequest(state, status, internal, code);
    try {
      res.cork(() => {
        res.writeStatus(statusLine(status)).writeHeader('content-type', contentType).writeHeader('cache-control', 'no-store')
          .writeHeader('x-content-type-options', 'nosniff');
        if (state.id !== '') res.writeHeader('x-request-id', state.id);
        // a forwarded answer names its node; others this one
        if (this.nodeHeader.length !== 0 && !headers.some((h) => h[0] === 'x-spreadcore-node')) res.writeHeader('x-spreadcore-node', this.nodeHeader[0]![1]);
        for (const [k, v] of headers) res.writeHeader(k, v);
        endAnswer(res, body, close, state.head);
      });
    } catch (e) {
      this.counters.internalErrors++;
      this.lastInternalError = e;
    }
  }

  private logRequest(state: AnswerState, status: number, internal: unknown, code: string | undefined): void {
    const log = this.log!;
    const level = levelOf(status);
    if (!log.isLevelEnabled(level)) return;
    const ms = Math.round((performance.now() - state.t0) * 1000) / 1000;
    const fields: Record<string, unknown> = { req_id: state.id, method: state.method, path: state.path, status, ms };
    if (state.query !== '') fields['query'] = queryForLog(state.query);
    if (code !== undefined) fields['code'] = code;
    if (internal !== undefined) fields['error'] = internal instanceof Error ? internal.message : String(internal);
    log[level](fields, `${state.method} ${state.path} ${status}`);
  }
}

/** The level of a request's log line: 5xx warn, 4xx info, anything else debug. */
function levelOf(status: number): 'debug' | 'info' | 'warn' {
  return status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function hasBodyHeaders(contentLength: string, transferEncoding: string): boolean {
  return (contentLength !== '' && contentLength !== '0') || transferEncoding !== '';
}

export { hostName } from '../net/access.js';
