// The control API's route table (seed 000's endpoints plus list / delete / kill /
// resume / health). Each route: method, path pattern (":id" matches one segment),
// whether it takes a JSON body, and a handler returning the JSON answer: synchronously,
// or (a route marked `async`, answered only by the node the request reaches) a promise of
// it. Handlers throw (HttpError, StrategyError, ParameterError, SpreadcoreError) and
// the gateway turns that into the error answer; a handler that throws changes nothing
// (the engine validates before it applies).
import type { TradingEngine } from '../engine/trading-engine.js';
import { HttpError } from './http-errors.js';
import { intParam, symbolParam } from './http-query.js';
import { depthView } from './routes-depth.js';
import { checkBody } from './body-validator.js';
import type { BodySchemaName } from './request-schemas.js';
import { HISTORY_ROUTES } from './routes-history.js';
import { DASHBOARD_ROUTES } from './routes-dashboard.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RouteContext {
  readonly engine: TradingEngine;
  /** Path parameters in pattern order, URI-decoded. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  /** The JSON body (an object), or undefined when the request had none. */
  readonly body: Record<string, unknown> | undefined;
  readonly health: () => Record<string, unknown>;
  /** The live venue's controls; absent on a run without one (paper execution). */
  readonly live?: LiveControl | undefined;
}

/** What an operator can ask of the live execution venue (serve with Binance, Kalshi or Polymarket execution). */
export interface LiveControl {
  /**
   * POST /api/reconcile: reconcile with the venue now and lift the reconcile_mismatch halts
   * of the strategies whose positions agree; the answer's body. Throws an HttpError when
   * the venue cannot be reconciled now.
   */
  reconcile(): Promise<Record<string, unknown>>;
}

export interface RouteAnswer { status: number; body: unknown }

export type Route = {
  readonly method: Method;
  readonly pattern: string;
  readonly async?: false;
  readonly handle: (ctx: RouteContext) => RouteAnswer;
} | {
  readonly method: Method;
  readonly pattern: string;
  /** Answered later (it waits for a venue): only by the node the request reaches, never forwarded in a cluster. */
  readonly async: true;
  readonly handle: (ctx: RouteContext) => Promise<RouteAnswer>;
};

const ok = (body: unknown, status = 200): RouteAnswer => ({ status, body });

function id(ctx: RouteContext): string { return ctx.params[0]!; }

/** The body, checked against its compiled schema (request-schemas.ts); a missing body is 400. */
function requireBody(ctx: RouteContext, schema: BodySchemaName): Record<string, unknown> {
  if (ctx.body === undefined) throw new HttpError(400, 'SPREADCORE_ERR_BAD_JSON', 'this request needs a JSON object body');
  checkBody(schema, ctx.body);
  return ctx.body;
}

/** The body if there is one, checked against its schema; {} without one. */
function optionalBody(ctx: RouteContext, schema: BodySchemaName): Record<string, unknown> {
  if (ctx.body === undefined) return {};
  checkBody(schema, ctx.body);
  return ctx.body;
}

/** ?account= (a strategy id or "manual"), optional. */
function accountParam(q: URLSearchParams): string | undefined {
  const v = q.get('account');
  if (v === null) return undefined;
  if (v === '' || v.length > 64) throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', 'account must be a strategy id or "manual"');
  return v;
}

function noteOf(ctx: RouteContext): string {
  const note = optionalBody(ctx, 'note').note;
  return typeof note === 'string' ? note : '';
}

export const API_ROUTES: readonly Route[] = [
  { method: 'GET', pattern: '/api/health', handle: (ctx) => ok(ctx.health()) },
  {
    method: 'GET', pattern: '/api/market/depth',
    handle: (ctx) => ok(depthView(ctx.engine.ingest, symbolParam(ctx.query, 'symbol', true)!, intParam(ctx.query, 'limit', 10, 1, 1000))),
  },
  { method: 'GET', pattern: '/api/strategies', handle: (ctx) => ok({ ok: true, strategies: ctx.engine.list() }) },
  { method: 'POST', pattern: '/api/strategy/load', handle: (ctx) => ok(ctx.engine.load(requireBody(ctx, 'load'))) },
  { method: 'POST', pattern: '/api/strategy/:id/start', handle: (ctx) => { optionalBody(ctx, 'empty'); return ok(ctx.engine.start(id(ctx))); } },
  { method: 'POST', pattern: '/api/strategy/:id/stop', handle: (ctx) => { optionalBody(ctx, 'empty'); return ok(ctx.engine.stop(id(ctx))); } },
  { method: 'GET', pattern: '/api/strategy/:id/quotes', handle: (ctx) => ok(ctx.engine.quotes(id(ctx), symbolParam(ctx.query))) },
  { method: 'GET', pattern: '/api/strategy/:id/parameters', handle: (ctx) => ok(ctx.engine.parameters(id(ctx))) },
  { method: 'PATCH', pattern: '/api/strategy/:id/parameters', handle: (ctx) => ok(ctx.engine.patchParameters(id(ctx), requireBody(ctx, 'parameters'))) },
  { method: 'GET', pattern: '/api/strategy/:id/metrics', handle: (ctx) => ok(ctx.engine.metrics(id(ctx), symbolParam(ctx.query))) },
  { method: 'GET', pattern: '/api/strategy/:id/inventory', handle: (ctx) => ok(ctx.engine.inventory(id(ctx), symbolParam(ctx.query))) },
  { method: 'POST', pattern: '/api/strategy/:id/reduce_inventory', handle: (ctx) => ok(ctx.engine.reduceInventory(id(ctx), optionalBody(ctx, 'reduce'))) },
  {
    method: 'GET', pattern: '/api/strategy/:id/trades',
    handle: (ctx) => ok(ctx.engine.trades(id(ctx), intParam(ctx.query, 'limit', 100, 1, 10_000), symbolParam(ctx.query))),
  },
  { method: 'DELETE', pattern: '/api/strategy/:id', handle: (ctx) => { optionalBody(ctx, 'empty'); return ok(ctx.engine.delete(id(ctx))); } },
  { method: 'POST', pattern: '/api/order', handle: (ctx) => ok(ctx.engine.placeOrder(requireBody(ctx, 'order'))) },
  { method: 'GET', pattern: '/api/accounts', handle: (ctx) => ok(ctx.engine.accounts()) },
  { method: 'GET', pattern: '/api/orders', handle: (ctx) => ok(ctx.engine.openOrdersView(accountParam(ctx.query))) },
  { method: 'POST', pattern: '/api/kill', handle: (ctx) => ok(ctx.engine.kill(noteOf(ctx))) },
  // served by the SSE hub when the gateway has one (uWS routes GET there first); other methods get 405
  { method: 'GET', pattern: '/api/stream', handle: () => { throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', 'this server has no event stream'); } },
  { method: 'POST', pattern: '/api/resume', handle: (ctx) => ok(ctx.engine.resumeTrading(noteOf(ctx))) },
  // a live venue's reconciliation on request: lifts the reconcile_mismatch halts whose positions agree now
  {
    method: 'POST', pattern: '/api/reconcile', async: true,
    handle: async (ctx) => {
      optionalBody(ctx, 'empty');
      if (ctx.live === undefined) {
        throw new HttpError(409, 'SPREADCORE_ERR_NOT_LIVE', 'POST /api/reconcile compares a live venue\'s positions with the ledgers; this run trades on the paper exchange, '
          + 'which has no position of its own to compare (nothing changed)');
      }
      return ok(await ctx.live.reconcile());
    },
  },
  // many markets (docs/prediction-markets.md): the scanners' view of every binary market, and the event map
  { method: 'GET', pattern: '/api/markets', handle: (ctx) => ok(ctx.engine.marketsView()) },
  { method: 'GET', pattern: '/api/events', handle: (ctx) => ok(ctx.engine.eventsView()) },
  { method: 'PUT', pattern: '/api/events/:id', handle: (ctx) => {
      // the event reader checks the body (event-map.ts: the same rules as an --event-map file)
      if (ctx.body === undefined) throw new HttpError(400, 'SPREADCORE_ERR_BAD_JSON', 'this request needs a JSON object body');
      return ok(ctx.engine.putEvent(id(ctx), ctx.body));
    } },
  {
    method: 'GET', pattern: '/api/events/:id/exposure',
    handle: (ctx) => {
      const v = ctx.engine.eventExposure(id(ctx));
      if (v === null) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `no event ${JSON.stringify(id(ctx))} (PUT /api/events/:id or serve --event-map defines events)`);
      return ok(v);
    },
  },
  // the dashboard's history and per-strategy panel (routes-history.ts, routes-dashboard.ts)
  ...HISTORY_ROUTES,
  ...DASHBOARD_ROUTES,
];

/** A synchronous route's answer (benchmarks, tests calling a route directly); a route that answers later is refused. */
export function answerNow(route: Route, ctx: RouteContext): RouteAnswer {
  if (route.async === true) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `${route.method} ${route.pattern} answers later: call it through the gateway`);
  return route.handle(ctx);
}

export interface RouteMatch { route: Route; params: string[] }

/** The route for a method and path; 404 when no pattern matches the path, 405 (with Allow) when only other methods do. */
/** Each route's pattern split into segments, once. */
const PATTERN_SEGMENTS = new WeakMap<Route, readonly string[]>();
function patternSegments(r: Route): readonly string[] {
  let ps = PATTERN_SEGMENTS.get(r);
  if (ps === undefined) { ps = r.pattern.split('/'); PATTERN_SEGMENTS.set(r, ps); }
  return ps;
}

export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const segs = path.split('/');
  const allowed: string[] = [];
  for (const r of routes) {
    const ps = patternSegments(r);
    if (ps.length !== segs.length) continue;
    const params: string[] = [];
    let hit = true;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      const s = segs[i]!;
      if (p.startsWith(':')) {
        if (s === '') { hit = false; break; }
        let v: string;
        try { v = decodeURIComponent(s); } catch { throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', 'bad percent-encoding in the path'); }
        params.push(v);
      } else if (p !== s) { hit = false; break; }
    }
    if (!hit) continue;
    if (r.method === method) return { route: r, params };
    allowed.push(r.method);
  }
  if (allowed.length > 0) throw new HttpError(405, 'SPREADCORE_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, [['allow', [...new Set(allowed)].join(', ')]]);
  throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `no route ${path}`);
}
