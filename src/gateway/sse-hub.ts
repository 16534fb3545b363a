// The SSE hub behind GET /api/stream: engine events in, text/event-stream out.
//
//  - publish() gives each event the next id, encodes it once into a complete SSE
//    frame, keeps it in a ring bounded by count and bytes (for Last-Event-ID
//    resume) and hands it to the subscribers. It is synchronous, never throws and
//    never waits on a client.
//  - mount(app, path) registers the GET route on an app of either transport (src/net/transport.ts). A request
//    may carry filters (filter=strategy&strategy_id=…, symbol=…, events=a,b) and a
//    resume point (Last-Event-ID header or last_event_id query): the kept events
//    after it are replayed exactly once and in order; a resume point older than the
//    ring (or newer than the last id) gets one `resync` event instead.
//  - A timer writes a heartbeat comment to every client and drops clients that
//    stayed backed up longer than stallMs.
//  - Slow clients: see SseClient. A client over its pending limit or backed up longer
//    than stallMs is closed and counted; the others carry on.
//  - Admission: at most maxClients subscribers (503) and maxClientsPerAddress from one
//    client address (429), both SPREADCORE_ERR_TOO_MANY_SUBSCRIBERS with Retry-After.
//  - close() ends every response cleanly and stops the timer; later requests get 503.
//  - deferDelivery (the default): publish() only assigns the id and keeps the event;
//    the writes happen in flush passes off the publisher's stack. Each client has a
//    cursor (the last id it was given); a pass visits every client once and writes,
//    corked, everything after its cursor that matches its filter in one send. A pass
//    spends at most writeBudgetMs per turn of the event loop: past it, the pass yields
//    (setImmediate) and carries on with the next client in the next turn, so timers,
//    the engine's ticks and other requests run in between. After a pass that wrote for
//    W ms the next one waits min(4 W, flushIntervalMs): writes take at most about a
//    fifth of the loop. A client gets the events published after it joined.
import { SpreadcoreError } from '../errors.js';
import type { AccessDenial } from '../net/access.js';
import { SseClient } from './sse-client.js';
import { filterMatches, parseSseQuery } from './sse-query.js';
import { SseRing, type SseEntry } from './sse-ring.js';

import type { TransportApp as TemplatedApp, TransportRequest as HttpRequest, TransportResponse as HttpResponse } from '../net/transport.js';

/** Events the hub knows (the engine's, plus resync which is always delivered). */
export const SSE_EVENT_NAMES: readonly string[] = ['quote_update', 'fill', 'order', 'volatility_pause', 'risk', 'strategy_state', 'pnl', 'market_resolved', 'arbitrage_signal', 'market_scan'];
export const SSE_RESYNC_EVENT = 'resync';

export interface SseHubOptions {
  /**
   * Events kept for resume. Default 60,000: seed 000's strategy on the built-in market
   * publishes 13,000-17,500 events an hour (every event, `order` included), so the
   * default keeps over three hours of it (docs/sse.md, Resume).
   */
  bufferEvents?: number;
  /** Bytes kept for resume. Default 16 MiB (that hour is 3.6-4.9 MB). */
  bufferBytes?: number;
  /** Per-client bytes queued while the client is backed up before it is dropped. Default 256 KiB. */
  maxPendingBytes?: number;
  /** Drop a client backed up for longer than this, ms. Default 5,000. */
  stallMs?: number;
  /** Heartbeat comment interval, ms (0 disables). Default 15,000. */
  heartbeatMs?: number;
  /** The `retry:` reconnection delay sent to clients, ms. Default 3,000. */
  retryMs?: number;
  /** Concurrent subscribers; beyond it a request gets 503. Default 1,000. */
  maxClients?: number;
  /** Concurrent subscribers from one client address; beyond it a request gets 429. Default 256. */
  maxClientsPerAddress?: number;
  /**
   * Deferred writes: the most bytes of events kept for subscribers that have not been given
   * them yet (the backlog). When subscribers fall further behind than this (the hub cannot
   * write as fast as events arrive to that many subscribers), the furthest behind are dropped
   * (`droppedBehind`); they reconnect and resume from the buffer. Default 32 MiB.
   */
  maxBacklogBytes?: number;
  /** Deferred writes: the longest a flush pass writes in one turn of the event loop before yielding, ms. Default 4. */
  writeBudgetMs?: number;
  /**
   * Deferred writes: the longest pause between two flush passes, ms. A pass that wrote
   * for W ms is followed by a pause of min(4 W, flushIntervalMs): none after a cheap
   * pass, up to this after a busy one (0: every turn). Default 20.
   */
  flushIntervalMs?: number;
  /**
   * Id of the first event. Default 1. A process that wants ids from before a
   * restart to be told apart (resync instead of a wrong replay) passes a larger
   * base, e.g. Date.now() * 1000.
   */
  firstId?: number;
  /**
   * Write events to clients once per turn of the event loop (setImmediate) instead
   * of inside publish(). Default true: with many subscribers, writing inside
   * publish() (the engine's batch) stalls the engine (docs/benchmarks.md, SSE fan-out).
   */
  deferDelivery?: boolean;
}

export interface SseMountOptions {
  /** The listener's access rules (src/net/access.ts), called synchronously with the request: a denial answers its 403/401. */
  access?: (req: HttpRequest) => AccessDenial | null;
  /** Called synchronously with the request; false answers 401. */
  authorize?: (req: HttpRequest) => boolean;
  /** Host/Origin check (DNS rebinding); false answers 403. */
  hostCheck?: (req: HttpRequest) => boolean;
}

export interface SsePublishMeta {
  strategyId?: string | null;
  symbol?: string | null;
}

export interface SseHubCounters {
  /** Subscribers connected now. */
  clients: number;
  clientsAccepted: number;
  /** Requests refused (401/403/400/429/503). */
  clientsRefused: number;
  /** Requests refused for a subscriber limit (429 per address, 503 in total). */
  refusedTooMany: number;
  /** Events published (ids assigned). */
  events: number;
  /** Frames written or queued to clients. */
  deliveries: number;
  /** Clients closed for being too slow (the sum of the three reasons below). */
  droppedClients: number;
  /** ... whose queue would have exceeded maxPendingBytes. */
  droppedOverLimit: number;
  /** ... backed up longer than stallMs. */
  droppedStalled: number;
  /** ... further behind than the backlog holds (maxBacklogBytes), while reading. */
  droppedBehind: number;
  /** Clients that went away while backed up (uWS timed them out or they disconnected). */
  abortedBackedUp: number;
  /** quote_update frames replaced by a newer one while a client was backed up. */
  coalesced: number;
  resyncs: number;
  heartbeats: number;
  /** Deferred writes: flush passes completed, and times a pass used up its write budget and yielded to the event loop. */
  flushPasses: number;
  flushYields: number;
  /** publish() calls refused (payload not JSON-encodable, hub closed). */
  publishErrors: number;
  /** Exceptions caught around uWS calls (should stay 0). */
  internalErrors: number;
}

export interface SseHubStats {
  counters: SseHubCounters;
  lastEventId: number;
  buffer: { events: number; bytes: number; oldestId: number | null; maxEvents: number; maxBytes: number };
  limits: { maxPendingBytes: number; maxBacklogBytes: number; stallMs: number; heartbeatMs: number; maxClients: number; maxClientsPerAddress: number; writeBudgetMs: number; flushIntervalMs: number };
  /** Clients currently backed up and their queued bytes. */
  backedUp: { clients: number; pendingBytes: number };
}

function intOption(v: number | undefined, dflt: number, what: string, min: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what} must be an integer >= ${min}, got ${x}`);
  return x;
}

const KNOWN_EVENTS = new Set(SSE_EVENT_NAMES);

/** A pass that wrote for W ms is followed by a pause of 4 W (at most flushIntervalMs): writes take at most ~1/5 of the loop. */
const PASS_PAUSE_FACTOR = 4;

/** quote_update frames of one strategy and symbol replace each other while a client is backed up. */
function coalesceKey(e: SseEntry): string | null {
  return e.event === 'quote_update' ? `${e.strategyId ?? ''}\u0000${e.symbol ?? ''}` : null;
}

export class SseHub {
  readonly counters: SseHubCounters = {
    clients: 0, clientsAccepted: 0, clientsRefused: 0, refusedTooMany: 0, events: 0, deliveries: 0,
    droppedClients: 0, droppedOverLimit: 0, droppedStalled: 0, droppedBehind: 0, abortedBackedUp: 0,
    coalesced: 0, resyncs: 0, heartbeats: 0, flushPasses: 0, flushYields: 0, publishErrors: 0, internalErrors: 0,
  };
  lastInternalError: unknown = undefined;

  private readonly ring: SseRing;
  private readonly maxPendingBytes: number;
  private readonly maxBacklogBytes: number;
  private readonly stallMs: number;
  private readonly heartbeatMs: number;
  private readonly retryMs: number;
  private readonly maxClients: number;
  private readonly maxClientsPerAddress: number;
  private readonly writeBudgetMs: number;
  private readonly flushIntervalMs: number;
  private readonly clients = new Set<SseClient>();
  /** Subscribers per client address. */
  private readonly perAddress = new Map<string, number>();
  private lastId = 0;
  private nextClientId = 1;
  private timer: NodeJS.Timeout | null = null;
  private closedHub = false;
  private readonly deferDelivery: boolean;
  /** Deferred mode: the next pass (or the rest of the current one) waiting for its turn. */
  private flushImmediate: NodeJS.Immediate | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Deferred mode: the clients of the pass under way and the next one to visit (null: no pass under way). */
  private pass: SseClient[] | null = null;
  private passIndex = 0;
  /** Time the pass under way (or the last one) spent writing, and when the last one ended, ms. */
  private passWorkMs = 0;
  private lastPassEndMs = -Infinity;
  /**
   * Deferred mode: the events not yet given to every client (consecutive ids from
   * backlog[backlogHead]), trimmed after each pass to the lowest client cursor. The
   * ring's bounds do not apply: a burst larger than the ring still reaches everyone.
   */
  private backlog: SseEntry[] = [];
  private backlogHead = 0;
  /** Bytes of the backlog's events from backlogHead on. */
  private backlogBytes = 0;
  /**
   * Deferred mode, during one turn of a pass: the chunk built for a (cursor, last id,
   * filter), shared by every client that needs the same one (most have no filter and the
   * same cursor): joined, and converted for the socket, once. At most maxPendingBytes of
   * events each (`endId`: the last event in it); emptied at every turn, since the events
   * published meanwhile make later clients' chunks different ones.
   */
  private readonly chunks = new Map<string, { chunk: string; n: number; endId: number }>();

  constructor(options: SseHubOptions = {}) {
    this.ring = new SseRing(intOption(options.bufferEvents, 60_000, 'bufferEvents', 1), intOption(options.bufferBytes, 16 * 1024 * 1024, 'bufferBytes', 1024));
    this.maxPendingBytes = intOption(options.maxPendingBytes, 256 * 1024, 'maxPendingBytes', 1024);
    this.maxBacklogBytes = intOption(options.maxBacklogBytes, 32 * 1024 * 1024, 'maxBacklogBytes', 1024);
    this.stallMs = intOption(options.stallMs, 5000, 'stallMs', 1);
    this.heartbeatMs = intOption(options.heartbeatMs, 15_000, 'heartbeatMs', 0);
    this.retryMs = intOption(options.retryMs, 3000, 'retryMs', 0);
    this.maxClients = intOption(options.maxClients, 1000, 'maxClients', 1);
    this.maxClientsPerAddress = intOption(options.maxClientsPerAddress, 256, 'maxClientsPerAddress', 1);
    this.writeBudgetMs = intOption(options.writeBudgetMs, 4, 'writeBudgetMs', 1);
    this.flushIntervalMs = intOption(options.flushIntervalMs, 20, 'flushIntervalMs', 0);
    const firstId = intOption(options.firstId, 1, 'firstId', 1);
    if (!Number.isSafeInteger(firstId * 2)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `firstId is too large: ${firstId}`);
    this.lastId = firstId - 1;
    this.deferDelivery = options.deferDelivery ?? true;
  }

  /** The id of the last published event (0 before any). */
  get lastEventId(): number { return this.lastId; }
  get closed(): boolean { return this.closedHub; }

  /**
   * Publishes one event to the buffer and every matching subscriber. Returns its
   * id, or -1 when the hub is closed or the payload cannot be JSON-encoded. Never throws.
   */
  publish(event: string, data: unknown, meta: SsePublishMeta = {}): number {
    if (this.closedHub) { this.counters.publishErrors++; return -1; }
    let json: string | undefined;
    try {
      json = JSON.stringify(data);
    } catch (e) {
      this.lastInternalError = e;
    }
    if (json === undefined || /[\r\n]/.test(event) || event === '') { this.counters.publishErrors++; return -1; }
    return this.enqueue(event, json, meta);
  }

  /**
   * publish() with the payload already JSON text (one line; a cluster node's relayed
   * events). Returns its id, or -1 (hub closed, a line break in the name or the text).
   */
  publishJson(event: string, json: string, meta: SsePublishMeta = {}): number {
    if (this.closedHub || /[\r\n]/.test(event) || event === '' || /[\r\n]/.test(json)) { this.counters.publishErrors++; return -1; }
    return this.enqueue(event, json, meta);
  }

  /** JSON.stringify never writes a line break: publish()'s text goes straight here. */
  private enqueue(event: string, json: string, meta: SsePublishMeta): number {
    const id = ++this.lastId;
    const frame = `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
    const entry: SseEntry = { id, event, frame, bytes: Buffer.byteLength(frame), strategyId: meta.strategyId ?? null, symbol: meta.symbol ?? null };
    this.ring.push(entry);
    this.counters.events++;
    if (this.clients.size === 0) return id;
    if (this.deferDelivery) {
      const b = this.backlog;
      if (b.length > this.backlogHead && b[b.length - 1]!.id !== id - 1) this.clearBacklog();
      b.push(entry);
      this.backlogBytes += entry.bytes;
      if (this.backlogBytes > this.maxBacklogBytes) this.shedBehind();
      this.scheduleFlush();
      return id;
    }
    const key = coalesceKey(entry);
    for (const c of this.clients) {
      if (!filterMatches(c.filter, event, entry.strategyId, entry.symbol)) continue;
      this.deliver(c, entry.frame, entry.bytes, key, true);
    }
    return id;
  }

  /** Registers GET `path` on the app. Mount one hub on as many apps as needed. */
  mount(app: TemplatedApp, path = '/api/stream', options: SseMountOptions = {}): void {
    app.get(path, (res, req) => { this.handle(res, req, options); });
  }

  /** Answers one GET request of the stream (what mount() registers; for a route that picks among hubs). */
  handle(res: HttpResponse, req: HttpRequest, options: SseMountOptions = {}): void {
    try {
      this.onRequest(res, req, options);
    } catch (e) {
      this.internal(e);
      try {
        this.refuse(res, '500 Internal Server Error', 'INTERNAL', 'internal error');
      } catch {
        // already answered
      }
    }
  }

  stats(): SseHubStats {
    let backed = 0;
    let pending = 0;
    for (const c of this.clients) if (c.backedUp) { backed++; pending += c.pendingBytes; }
    return {
      counters: { ...this.counters },
      lastEventId: this.lastId,
      buffer: { events: this.ring.size, bytes: this.ring.bytes, oldestId: this.ring.oldestId, maxEvents: this.ring.maxEvents, maxBytes: this.ring.maxBytes },
      limits: {
        maxPendingBytes: this.maxPendingBytes, maxBacklogBytes: this.maxBacklogBytes, stallMs: this.stallMs, heartbeatMs: this.heartbeatMs, maxClients: this.maxClients,
        maxClientsPerAddress: this.maxClientsPerAddress, writeBudgetMs: this.writeBudgetMs, flushIntervalMs: this.flushIntervalMs,
      },
      backedUp: { clients: backed, pendingBytes: pending },
    };
  }

  /**
   * Deferred mode: runs the flush pass under way, or starts one, for at most
   * `budgetMs` (default writeBudgetMs): every client gets, in one corked send, the
   * events after its cursor that match its filter. A pass that runs out of budget
   * continues with its next client on the next turn of the event loop.
   */
  flush(budgetMs: number = this.writeBudgetMs): void {
    this.clearScheduled();
    if (!this.deferDelivery) return; // publish() wrote already
    if (this.pass === null) {
      if (!this.anyBehind()) return;
      this.pass = [...this.clients];
      this.passIndex = 0;
      this.passWorkMs = 0;
      this.chunks.clear();
    }
    const pass = this.pass;
    this.chunks.clear();
    const t0 = performance.now();
    const deadline = t0 + budgetMs;
    while (this.passIndex < pass.length) {
      const c = pass[this.passIndex++]!;
      if (c.live) this.catchUp(c);
      if (this.passIndex < pass.length && performance.now() >= deadline) {
        this.counters.flushYields++;
        this.passWorkMs += performance.now() - t0;
        this.flushImmediate = setImmediate(() => { this.flushImmediate = null; this.flush(); });
        return;
      }
    }
    this.lastPassEndMs = performance.now();
    this.passWorkMs += this.lastPassEndMs - t0;
    this.pass = null;
    this.chunks.clear();
    this.counters.flushPasses++;
    this.trimBacklog();
    // events published during the pass, to clients it had already visited
    if (this.anyBehind()) this.scheduleFlush();
  }

  /** Deferred mode: brings every client up to the last event now, whatever the budget (close()). */
  private flushAll(): void {
    if (this.pass !== null) this.flush(Infinity);
    this.flush(Infinity);
  }

  /** True when some live client has not been given the last event. */
  private anyBehind(): boolean {
    for (const c of this.clients) if (c.live && c.cursor < this.lastId) return true;
    return false;
  }

  /**
   * Deferred mode: the next pass, after a pause of PASS_PAUSE_FACTOR times the last
   * pass's writing time (at most flushIntervalMs) since it ended: the hub writes at most
   * about a fifth of the time, and a cheap pass (few clients) is followed at once.
   */
  private scheduleFlush(): void {
    if (this.flushImmediate !== null || this.flushTimer !== null || this.pass !== null || this.closedHub) return;
    const pause = Math.min(this.flushIntervalMs, PASS_PAUSE_FACTOR * this.passWorkMs);
    const wait = this.lastPassEndMs + pause - performance.now();
    if (wait <= 1) {
      this.flushImmediate = setImmediate(() => { this.flushImmediate = null; this.flush(); });
    } else {
      this.flushTimer = setTimeout(() => { this.flushTimer = null; this.flush(); }, Math.ceil(wait));
    }
  }

  private clearScheduled(): void {
    if (this.flushImmediate !== null) { clearImmediate(this.flushImmediate); this.flushImmediate = null; }
    if (this.flushTimer !== null) { clearTimeout(this.flushTimer); this.flushTimer = null; }
  }

  /** Deferred mode: drops the backlog's events every live client has been given. */
  private trimBacklog(): void {
    const b = this.backlog;
    if (b.length === this.backlogHead) { this.clearBacklog(); return; }
    let min = Infinity;
    for (const c of this.clients) if (c.live && c.cursor < min) min = c.cursor;
    if (min === Infinity) { this.clearBacklog(); return; }
    const firstId = b[this.backlogHead]!.id;
    const head = Math.min(b.length, Math.max(this.backlogHead, this.backlogHead + (min + 1 - firstId)));
    for (let i = this.backlogHead; i < head; i++) this.backlogBytes -= b[i]!.bytes;
    this.backlogHead = head;
    if (this.backlogHead === b.length) { this.clearBacklog(); return; }
    if (this.backlogHead > 1024 && this.backlogHead * 2 > b.length) {
      this.backlog = b.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  private clearBacklog(): void {
    this.backlog = [];
    this.backlogHead = 0;
    this.backlogBytes = 0;
  }

  /**
   * Deferred mode, the backlog past maxBacklogBytes: the hub cannot write events as fast as
   * they come to this many subscribers. The subscribers furthest behind (those still owed
   * events older than the newest half of the bound) are dropped and the backlog trimmed:
   * memory stays bounded, and a dropped subscriber reconnects with Last-Event-ID (resumed
   * from the buffer, or told to resync).
   */
  private shedBehind(): void {
    const b = this.backlog;
    let keep = this.backlogBytes;
    let i = this.backlogHead;
    while (i < b.length - 1 && keep > this.maxBacklogBytes / 2) keep -= b[i++]!.bytes;
    const cutId = b[i]!.id; // clients given every event before this one stay
    for (const c of [...this.clients]) if (c.live && c.cursor < cutId - 1) this.drop(c, 'behind');
    this.trimBacklog();
  }

  /** Deferred mode: gives one client every event after its cursor that matches its filter. */
  private catchUp(c: SseClient): void {
    if (c.backedUp && Date.now() - c.backedUpSince > this.stallMs) { this.drop(c, 'stalled'); return; }
    const last = this.lastId;
    if (c.cursor >= last) return;
    const b = this.backlog;
    const head = this.backlogHead;
    // the backlog holds every id after the lowest cursor (a client joins at the last id)
    const from = b.length > head ? head + Math.max(0, c.cursor + 1 - b[head]!.id) : b.length;
    const f = c.filter;
    c.cursor = last;
    if (c.backedUp) {
      // queued frame by frame (quote_update coalescing, the pending limit)
      for (let i = from; i < b.length; i++) {
        const e = b[i]!;
        if (!filterMatches(f, e.event, e.strategyId, e.symbol)) continue;
        const r = c.send(e.frame, e.bytes, coalesceKey(e));
        if (r === 'over_limit') { this.drop(c, 'over_limit'); return; }
        this.counters.deliveries++;
        if (r === 'coalesced') this.counters.coalesced++;
      }
      return;
    }
    const cacheKey = `${from - head + (b.length > head ? b[head]!.id : 0)}:${last}:${c.filterKey}`;
    let built = this.chunks.get(cacheKey);
    if (built === undefined) {
      // at most maxPendingBytes per send: a client far behind gets the rest at the next pass
      let chunk = '';
      let n = 0;
      let bytes = 0;
      let endId = last;
      for (let i = from; i < b.length; i++) {
        const e = b[i]!;
        if (!filterMatches(f, e.event, e.strategyId, e.symbol)) continue;
        if (n > 0 && bytes + e.bytes > this.maxPendingBytes) { endId = e.id - 1; break; }
        chunk += e.frame;
        bytes += e.bytes;
        n++;
      }
      built = { chunk, n, endId };
      this.chunks.set(cacheKey, built);
    }
    const { chunk, n } = built;
    c.cursor = built.endId;
    if (n === 0) return;
    try {
      c.res.cork(() => { c.writeChunk(chunk, n); });
      this.counters.deliveries += n;
    } catch (e) {
      this.internal(e);
      this.drop(c, 'over_limit');
    }
  }

  /** Ends every subscriber's response cleanly and stops the heartbeat; the hub refuses new work. */
  close(): void {
    if (this.closedHub) return;
    if (this.deferDelivery) this.flushAll();
    this.clearScheduled();
    this.closedHub = true;
    this.stopTimer();
    for (const c of [...this.clients]) {
      this.detach(c);
      if (c.aborted) continue;
      c.closed = true;
      this.guard(() => { c.res.cork(() => { c.res.end(); }); });
    }
    this.ring.clear();
    this.clearBacklog();
  }

  // ---- internals -------------------------------------------------------------------------
  private onRequest(res: HttpResponse, req: HttpRequest, options: SseMountOptions): void {
    // HttpRequest lives only during this call: read everything first.
    const denial = options.access?.(req) ?? null;
    if (denial !== null) {
      if (denial.status === 403) this.refuse(res, '403 Forbidden', 'FORBIDDEN', denial.message);
      else this.refuse(res, '401 Unauthorized', 'UNAUTHORIZED', 'missing or invalid bearer token', [['www-authenticate', 'Bearer']]);
      return;
    }
    if (options.hostCheck !== undefined && !options.hostCheck(req)) {
      this.refuse(res, '403 Forbidden', 'FORBIDDEN', 'host or origin not allowed');
      return;
    }
    if (options.authorize !== undefined && !options.authorize(req)) {
      this.refuse(res, '401 Unauthorized', 'UNAUTHORIZED', 'missing or invalid bearer token', [['www-authenticate', 'Bearer']]);
      return;
    }
    const parsed = parseSseQuery(req.getQuery() ?? '', req.getHeader('last-event-id'), KNOWN_EVENTS);
    if (!parsed.ok) {
      this.refuse(res, '400 Bad Request', 'SPREADCORE_ERR_BAD_PARAM', parsed.message);
      return;
    }
    if (this.closedHub) {
      this.refuse(res, '503 Service Unavailable', 'UNAVAILABLE', 'the stream is shut down');
      return;
    }
    const address = Buffer.from(res.getRemoteAddressAsText()).toString('latin1');
    if (this.clients.size >= this.maxClients) {
      this.counters.refusedTooMany++;
      this.refuse(res, '503 Service Unavailable', 'SPREADCORE_ERR_TOO_MANY_SUBSCRIBERS',
        `the stream has its maximum of ${this.maxClients} subscribers; retry later`, [['retry-after', '5']]);
      return;
    }
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress >= this.maxClientsPerAddress) {
      this.counters.refusedTooMany++;
      this.refuse(res, '429 Too Many Requests', 'SPREADCORE_ERR_TOO_MANY_SUBSCRIBERS',
        `at most ${this.maxClientsPerAddress} stream subscribers per client address; close one or retry later`, [['retry-after', '5']]);
      return;
    }
    const { filter, lastEventId } = parsed.sub;
    const c = new SseClient(this.nextClientId++, res, filter, this.maxPendingBytes);
    c.address = address;
    c.cursor = this.lastId;
    this.perAddress.set(address, fromAddress + 1);
    res.onAborted(() => {
      if (!c.closed && c.backedUp) this.counters.abortedBackedUp++;
      c.aborted = true;
      this.detach(c);
    });
    res.onWritable(() => {
      try {
        return c.drain();
      } catch (e) {
        this.internal(e);
        return true;
      }
    });
    this.clients.add(c);
    this.counters.clients = this.clients.size;
    this.counters.clientsAccepted++;
    res.writeStatus('200 OK')
      .writeHeader('content-type', 'text/event-stream; charset=utf-8')
      .writeHeader('cache-control', 'no-cache, no-transform')
      .writeHeader('connection', 'keep-alive')
      .writeHeader('x-accel-buffering', 'no');
    if (!res.write(`retry: ${this.retryMs}\n\n`)) { c.backedUp = true; c.backedUpSince = Date.now(); }
    if (lastEventId !== null) this.replay(c, lastEventId);
    this.ensureTimer();
  }

  private replay(c: SseClient, after: number): void {
    const oldest = this.ring.oldestId;
    const inBuffer = after === this.lastId || (oldest !== null && after >= oldest - 1 && after <= this.lastId);
    if (!inBuffer) {
      this.counters.resyncs++;
      const data = JSON.stringify({ reason: after > this.lastId ? 'unknown_id' : 'too_old', last_event_id: after, oldest_id: oldest, current_id: this.lastId });
      const frame = `id: ${this.lastId}\nevent: ${SSE_RESYNC_EVENT}\ndata: ${data}\n\n`;
      this.deliver(c, frame, Buffer.byteLength(frame), null, false);
      return;
    }
    // Replayed frames are the ring's own strings: the client may queue up to the
    // ring's size on top of its limit until it has drained them.
    c.replayAllowance = this.ring.bytes;
    this.ring.forEachAfter(after, (e) => {
      if (!c.live) return false;
      if (filterMatches(c.filter, e.event, e.strategyId, e.symbol)) this.deliver(c, e.frame, e.bytes, null, false);
      return true;
    });
    if (!c.backedUp) c.replayAllowance = 0;
  }

  /** Writes (corked when `cork`) or queues one frame; drops the client over its limit. */
  private deliver(c: SseClient, frame: string, bytes: number, key: string | null, cork: boolean): void {
    if (!c.live) return;
    try {
      let r: ReturnType<SseClient['send']> = 'written';
      if (cork && !c.backedUp) c.res.cork(() => { r = c.send(frame, bytes, key); });
      else r = c.send(frame, bytes, key);
      if (r === 'over_limit') { this.drop(c, 'over_limit'); return; }
      this.counters.deliveries++;
      if (r === 'coalesced') this.counters.coalesced++;
    } catch (e) {
      this.internal(e);
      this.drop(c, 'over_limit');
    }
  }

  private drop(c: SseClient, why: 'over_limit' | 'stalled' | 'behind'): void {
    if (!c.live) return;
    c.closed = true;
    this.counters.droppedClients++;
    if (why === 'over_limit') this.counters.droppedOverLimit++;
    else if (why === 'stalled') this.counters.droppedStalled++;
    else this.counters.droppedBehind++;
    this.detach(c);
    // close() runs onAborted synchronously; the client is already detached.
    this.guard(() => { c.res.close(); });
  }

  private detach(c: SseClient): void {
    if (this.clients.delete(c)) {
      this.counters.clients = this.clients.size;
      const n = (this.perAddress.get(c.address) ?? 1) - 1;
      if (n <= 0) this.perAddress.delete(c.address);
      else this.perAddress.set(c.address, n);
    }
    c.release();
    if (this.clients.size === 0) { this.stopTimer(); this.clearBacklog(); }
  }

  private refuse(res: HttpResponse, status: string, code: string, message: string, headers: readonly [string, string][] = []): void {
    this.counters.clientsRefused++;
    res.cork(() => {
      res.writeStatus(status).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store');
      for (const [k, v] of headers) res.writeHeader(k, v);
      res.end(JSON.stringify({ ok: false, error: { code, message } }));
    });
  }

  private ensureTimer(): void {
    if (this.timer !== null || this.heartbeatMs === 0) return;
    this.timer = setInterval(() => { this.heartbeat(); }, this.heartbeatMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== null) { clearInterval(this.timer); this.timer = null; }
  }

  /** Heartbeats every client (and drops the stalled ones), yielding after the write budget like a flush pass. */
  private heartbeat(clients: SseClient[] = [...this.clients], from = 0): void {
    const now = Date.now();
    const deadline = performance.now() + this.writeBudgetMs;
    for (let i = from; i < clients.length; i++) {
      const c = clients[i]!;
      if (!c.live) continue;
      if (c.backedUp) {
        if (now - c.backedUpSince > this.stallMs) this.drop(c, 'stalled');
      } else {
        this.guard(() => {
          c.res.cork(() => {
            if (!c.res.write(': heartbeat\n\n')) { c.backedUp = true; c.backedUpSince = now; }
          });
        });
        this.counters.heartbeats++;
      }
      if (i + 1 < clients.length && performance.now() >= deadline) {
        setImmediate(() => { if (!this.closedHub) this.heartbeat(clients, i + 1); });
        return;
      }
    }
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.internal(e);
    }
  }

  private internal(e: unknown): void {
    this.counters.internalErrors++;
    this.lastInternalError = e;
  }
}
