// Forwarding of API requests between the nodes of a cluster (core NATS request/reply).
// Each node answers requests on `sc.api.<nodeId>` with its own routes (Gateway.dispatch,
// synchronous). A node receiving a request about a strategy or a market another node
// holds (target(): the strategy's market, or ?symbol=, and the lease table; bodyTarget():
// the symbol of a POST /api/order, once its body is read and checked) sends it
// there and answers with that node's status and body. A node that is not subscribed
// (stopped, cut off from NATS) is a 503 SPREADCORE_ERR_NODE_UNAVAILABLE at once (NATS
// "no responders"); one that does not answer within the timeout (paused, overloaded)
// a 504 SPREADCORE_ERR_NODE_TIMEOUT. A mutating request nobody received (no responders)
// is answered by the receiving node as without forwarding: start, stop, PATCH and delete
// write the cluster's state in KV, and the market's next holder applies it (an order
// that reached nobody is the 503: only the holder may place it). A forwarded
// request is always answered where it arrives: it is never forwarded again.
//
// A start, stop, PATCH or delete of a strategy this node does not know yet (loaded through
// another node a moment ago; the watch of the strategies bucket has not delivered it) is
// not refused: target() names this node, and forward() reads the strategy from KV first,
// then answers it as any other request (here, or by the market's holder).
import { RequestError, TimeoutError, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { ApiForwarder, ForwardedAnswer, ForwardedRequest } from '../gateway/gateway.js';
import { FORWARD_ERROR_STATUS, HttpError } from '../gateway/http-errors.js';
import { checkBody } from '../gateway/body-validator.js';

export const apiSubject = (nodeId: string): string => `sc.api.${nodeId}`;
export const DEFAULT_FORWARD_TIMEOUT_MS = 3000;

export interface RelayOwner {
  /** The node holding the market's lease now (as last read), or null. */
  ownerOf(symbol: string): string | null;
  /** The market of a strategy of the cluster, or null. */
  symbolOf(strategyId: string): string | null;
  /** Whether the local engine has a strategy (or account) of this id. */
  knows(strategyId: string): boolean;
  /** Reads a strategy of the cluster from KV and loads it here; false when the cluster has none of that id. */
  refresh(strategyId: string): Promise<boolean>;
}

const MUTATING = new Set(['POST', 'PATCH', 'DELETE', 'PUT']);

export interface ApiRelayStats {
  forwarded: number; answered: number; unavailable: number; timeouts: number; errors: number;
  /** Mutations of a strategy this node did not know yet, answered after reading it from KV. */
  refreshed: number;
}

/** Routes answered by the node running the strategy (the path's :id) or the market (?symbol=). */
function routeSubject(method: string, path: string, query: URLSearchParams): { strategy?: string; symbol?: string } | null {
  const segs = path.split('/');
  // /api/strategy/:id[/sub]
  if (segs.length >= 4 && segs.length <= 5 && segs[1] === 'api' && segs[2] === 'strategy' && segs[3] !== '') {
    if (segs.length === 4 && segs[3] === 'load') return null;
    if (segs.length === 4 && method !== 'DELETE') return null;
    let id: string;
    try { id = decodeURIComponent(segs[3]!); } catch { return null; }
    // a read with ?symbol= (the manual account's inventory, trades, metrics of one market) goes to that
    // market's holder when the id is no strategy of the cluster
    const s = method === 'GET' ? query.get('symbol') : null;
    return s === null || s === '' ? { strategy: id } : { strategy: id, symbol: s };
  }
  if (method === 'GET' && (path === '/api/market/depth' || path === '/api/history')) {
    const s = query.get('symbol');
    return s === null || s === '' ? null : { symbol: s };
  }
  return null;
}

/** POST /api/order, whose market (the body's symbol) decides where it is placed. */
function isOrder(req: ForwardedRequest): boolean {
  return req.method === 'POST' && (req.path === '/api/order' || req.path === '/api/order/');
}

export class ApiRelay implements ApiForwarder {
  private readonly nc: NatsConnection;
  private readonly nodeId: string;
  private readonly owner: RelayOwner;
  readonly timeoutMs: number;
  private sub: Subscription | null = null;
  private handle: ((r: ForwardedRequest) => { status: number; body: string; headers: [string, string][] }) | null = null;
  readonly stats: ApiRelayStats = { forwarded: 0, answered: 0, unavailable: 0, timeouts: 0, errors: 0, refreshed: 0 };

  constructor(nc: NatsConnection, nodeId: string, owner: RelayOwner, timeoutMs = DEFAULT_FORWARD_TIMEOUT_MS) {
    this.nc = nc;
    this.nodeId = nodeId;
    this.owner = owner;
    this.timeoutMs = timeoutMs;
  }

  /** Answers the requests other nodes forward here with `handle` (the gateway's routes). */
  serve(handle: (r: ForwardedRequest) => { status: number; body: string; headers: [string, string][] }): void {
    if (this.sub !== null) return;
    this.handle = handle;
    this.sub = this.nc.subscribe(apiSubject(this.nodeId), {
      callback: (err, msg) => {
        if (err !== null) return;
        let answer: ForwardedAnswer;
        try {
          const r = msg.json<ForwardedRequest>();
          const a = handle({
            method: String(r.method), path: String(r.path), query: typeof r.query === 'string' ? r.query : '',
            body: typeof r.body === 'string' ? r.body : null, request_id: typeof r.request_id === 'string' ? r.request_id : '',
          });
          answer = { status: a.status, body: a.body, node: this.nodeId, ...(a.headers.length > 0 ? { headers: a.headers } : {}) };
        } catch {
          this.stats.errors++;
          answer = { status: 500, body: JSON.stringify({ ok: false, error: { code: 'SPREADCORE_ERR_INTERNAL', message: 'internal error' } }), node: this.nodeId };
        }
        this.stats.answered++;
        try { msg.respond(JSON.stringify(answer)); } catch { this.stats.errors++; }
      },
    });
  }

  target(method: string, path: string, query: URLSearchParams): string | null {
    const r = routeSubject(method, path, query);
    if (r === null) return null;
    // a strategy's market first (a strategy trades one market); ?symbol= for an account that is no strategy (manual)
    const known = r.strategy !== undefined ? this.owner.symbolOf(r.strategy) : null;
    if (r.strategy !== undefined && known === null && r.symbol === undefined && MUTATING.has(method) && this.handle !== null && !this.owner.knows(r.strategy)) {
      // not known here yet: forward() reads it from KV before answering
      return this.nodeId;
    }
    const symbol = known ?? r.symbol ?? null;
    if (symbol === null) return null;
    const owner = this.owner.ownerOf(symbol);
    return owner === null || owner === this.nodeId ? null : owner;
  }

  /**
   * POST /api/order: the holder of the order's market. The body is checked against the order
   * schema first (a malformed order is the receiving node's 400: nothing sent, nothing changed);
   * what needs the market (tick and lot grid, the strategy's symbol, the risk gate) the holder checks.
   */
  bodyTarget(method: string, path: string, body: Record<string, unknown> | undefined): string | null {
    if (method !== 'POST' || path !== '/api/order' || body === undefined) return null;
    checkBody('order', body);
    const owner = this.owner.ownerOf(body['symbol'] as string);
    return owner === null || owner === this.nodeId ? null : owner;
  }

  async forward(node: string, req: ForwardedRequest): Promise<ForwardedAnswer> {
    if (node === this.nodeId) return this.answerAfterRefresh(req);
    this.stats.forwarded++;
    let text: string;
    try {
      const m = await this.nc.request(apiSubject(node), JSON.stringify(req), { timeout: this.timeoutMs });
      text = m.string();
    } catch (e) {
      if (e instanceof RequestError && e.isNoResponders()) {
        this.stats.unavailable++;
        const err = new HttpError(FORWARD_ERROR_STATUS.SPREADCORE_ERR_NODE_UNAVAILABLE, 'SPREADCORE_ERR_NODE_UNAVAILABLE', `node ${node} runs this strategy or market but does not answer on NATS (stopped or disconnected); retry once its lease has moved (GET /api/cluster)`, [['retry-after', '2']]);
        // the request reached nobody: a start, stop, PATCH or delete can still be written to the cluster's state here
        // (an order cannot: only the market's holder may place it)
        if (!isOrder(req)) (err as HttpError & { localFallback?: boolean }).localFallback = true;
        throw err;
      }
      if (e instanceof TimeoutError || (e instanceof RequestError && e.cause instanceof TimeoutError) || /timeout/i.test(String(e))) {
        this.stats.timeouts++;
        throw new HttpError(FORWARD_ERROR_STATUS.SPREADCORE_ERR_NODE_TIMEOUT, 'SPREADCORE_ERR_NODE_TIMEOUT', `node ${node} runs this strategy or market and did not answer within ${this.timeoutMs} ms`);
      }
      this.stats.unavailable++;
      throw new HttpError(FORWARD_ERROR_STATUS.SPREADCORE_ERR_NODE_UNAVAILABLE, 'SPREADCORE_ERR_NODE_UNAVAILABLE', `node ${node} runs this strategy or market; forwarding failed: ${e instanceof Error ? e.message : String(e)}`, [['retry-after', '2']]);
    }
    const a = JSON.parse(text) as ForwardedAnswer;
    return { status: Number(a.status), body: String(a.body), node: typeof a.node === 'string' ? a.node : node, ...(Array.isArray(a.headers) ? { headers: a.headers } : {}) };
  }

  /** A mutation of a strategy unknown here: read from KV, then answered here or by its market's holder. */
  private async answerAfterRefresh(req: ForwardedRequest): Promise<ForwardedAnswer> {
    let id: string | null = null;
    try { id = decodeURIComponent(req.path.split('/')[3] ?? ''); } catch { /* answered below as unknown */ }
    if (id !== null && id !== '') {
      this.stats.refreshed++;
      try { await this.owner.refresh(id); } catch { /* NATS unreachable: answered from what this node knows */ }
      const symbol = this.owner.symbolOf(id);
      const owner = symbol === null ? null : this.owner.ownerOf(symbol);
      if (owner !== null && owner !== this.nodeId) return this.forward(owner, req);
    }
    const a = this.handle!(req);
    return { status: a.status, body: a.body, node: this.nodeId, ...(a.headers.length > 0 ? { headers: a.headers } : {}) };
  }

  stop(): void {
    try { this.sub?.unsubscribe(); } catch { /* closed */ }
    this.sub = null;
  }
}
