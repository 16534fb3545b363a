// The SSE hub behind GET /api/stream: engine events in, text/event-stream out.
//
//  - publish() gives each event the next id, encodes it once into a complete SSE
//    frame, keeps it in a ring bounded by count and bytes (for Last-Event-ID
//    resume) and writes it to every matching subscriber. It is synchronous, never
//    throws and never waits on a client.
//  - mount(app, path) registers the GET route on any uWS TemplatedApp. A request
//    may carry filters (filter=strategy&strategy_id=…, symbol=…, events=a,b) and a
//    resume point (Last-Event-ID header or last_event_id query): the kept events
//    after it are replayed exactly once and in order; a resume point older than the
//    ring (or newer than the last id) gets one `resync` event instead.
//  - A timer writes a heartbeat comment to every client and drops clients that
//    stayed backed up longer than stallMs.
//  - Slow clients: see SseClient. A client over its pending limit is closed and
//    counted; publish() carries on with the others.
//  - close() ends every response cleanly and stops the timer; later requests get 503.
//  - deferDelivery: publish() still assigns the id and keeps the event at once, but
//    the writes wait for one flush per turn of the event loop (setImmediate), which
//    corks once per client for all the events published since: one send per client
//    instead of one per event, and none inside the publisher's own work (the engine's
//    batch). A client gets the events published after it joined, as without it.
import { SpreadcoreError } from '../errors.js';
import type { AccessDenial } from '../net/access.js';
import { SseClient } from './sse-client.js';
import { filterMatches, parseSseQuery } from './sse-query.js';
import { SseRing, type SseEntry } from './sse-ring.js';

type HttpResponse = import('uWebSockets.js').HttpResponse;
type HttpRequest = import('uWebSockets.js').HttpRequest;
type TemplatedApp = import('uWebSockets.js').TemplatedApp;

/** Events the hub knows (the engine's, plus resync which is always delivered). */
export const SSE_EVENT_NAMES: readonly string[] = ['quote_update', 'fill', 'order', 'volatility_pause', 'risk', 'strategy_state', 'pnl'];
export const SSE_RESYNC_EVENT = 'resync';

export interface SseHubOptions {
  /** Events kept for resume. Default 10,000. */
  bufferEvents?: number;
  /** Bytes kept for resume. Default 8 MiB. */
  bufferBytes?: number;
  /** Per-client bytes queued while the client is backed up before it is dropped. Default 1 MiB. */
  maxPendingBytes?: number;
  /** Drop a client backed up for longer than this, ms. Default 30,000. */
  stallMs?: number;
  /** Heartbeat comment interval, ms (0 disables). Default 15,000. */
  heartbeatMs?: number;
  /** The `retry:` reconnection delay sent to clients, ms. Default 3,000. */
  retryMs?: number;
  /** Concurrent subscribers; beyond it a request gets 503. Default 1,000. */
  maxClients?: number;
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
  /** Requests refused (401/403/400/503). */
  clientsRefused: number;
  /** Events published (ids assigned). */
  events: number;
  /** Frames written or queued to clients. */
  deliveries: number;
  /** Clients closed for exceeding their pending limit or stalling. */
  droppedClients: number;
  /** Clients that went away while backed up (uWS timed them out or they disconnected). */
  abortedBackedUp: number;
  /** quote_update frames replaced by a newer one while a client was backed up. */
  coalesced: number;
  resyncs: number;
  heartbeats: number;
  /** publish() calls refused (payload not JSON-encodable, hub closed). */
  publishErrors: number;
  /** Exceptions caught around uWS calls (should stay 0). */
  internalErrors: number;
}

export interface SseHubStats {
  counters: SseHubCounters;
  lastEventId: number;
  buffer: { events: number; bytes: number; oldestId: number | null; maxEvents: number; maxBytes: number };
  limits: { maxPendingBytes: number; stallMs: number; heartbeatMs: number; maxClients: number };
  /** Clients currently backed up and their queued bytes. */
  backedUp: { clients: number; pendingBytes: number };
}

function intOption(v: number | undefined, dflt: number, what: string, min: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what} must be an integer >= ${min}, got ${x}`);
  return x;
}

const KNOWN_EVENTS = new Set(SSE_EVENT_NAMES);

export class SseHub {
  readonly counters: SseHubCounters = {
    clients: 0, clientsAccepted: 0, clientsRefused: 0, events: 0, deliveries: 0, droppedClients: 0, abortedBackedUp: 0,
    coalesced: 0, resyncs: 0, heartbeats: 0, publishErrors: 0, internalErrors: 0,
  };
  lastInternalError: unknown = undefined;

  private readonly ring: SseRing;
  private readonly maxPendingBytes: number;
  private readonly stallMs: number;
  private readonly heartbeatMs: number;
  private readonly retryMs: number;
  private readonly maxClients: number;
  private readonly clients = new Set<SseClient>();
  private lastId = 0;
  private nextClientId = 1;
  private timer: NodeJS.Timeout | null = null;
  private closedHub = false;
  private readonly deferDelivery: boolean;
  /** Deferred mode: events published since the last flush, with their coalescing keys. */
  private outbox: { entry: SseEntry; key: string | null }[] = [];
  private flushScheduled: NodeJS.Immediate | null = null;
  /** Deferred mode: the last event id published before each client joined (it gets the later ones). */
  private readonly joinedAfter = new WeakMap<SseClient, number>();

  constructor(options: SseHubOptions = {}) {
    this.ring = new SseRing(intOption(options.bufferEvents, 10_000, 'bufferEvents', 1), intOption(options.bufferBytes, 8 * 1024 * 1024, 'bufferBytes', 1024));
    this.maxPendingBytes = intOption(options.maxPendingBytes, 1024 * 1024, 'maxPendingBytes', 1024);
    this.stallMs = intOption(options.stallMs, 30_000, 'stallMs', 1);
    this.heartbeatMs = intOption(options.heartbeatMs, 15_000, 'heartbeatMs', 0);
    this.retryMs = intOption(options.retryMs, 3000, 'retryMs', 0);
    this.maxClients = intOption(options.maxClients, 1000, 'maxClients', 1);
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
    const id = ++this.lastId;
    const frame = `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
    const entry: SseEntry = { id, event, frame, bytes: Buffer.byteLength(frame), strategyId: meta.strategyId ?? null, symbol: meta.symbol ?? null };
    this.ring.push(entry);
    this.counters.events++;
    if (this.clients.size === 0) return id;
    const key = event === 'quote_update' ? `${entry.strategyId ?? ''}\u0000${entry.symbol ?? ''}` : null;
    if (this.deferDelivery) {
      this.outbox.push({ entry, key });
      this.flushScheduled ??= setImmediate(() => this.flush());
      return id;
    }
    for (const c of this.clients) {
      if (!filterMatches(c.filter, event, entry.strategyId, entry.symbol)) continue;
      this.deliver(c, entry.frame, entry.bytes, key, true);
    }
    return id;
  }

  /** Registers GET `path` on the app. Mount one hub on as many apps as needed. */
  mount(app: TemplatedApp, path = '/api/stream', options: SseMountOptions = {}): void {
    app.get(path, (res, req) => {
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
    });
  }

  stats(): SseHubStats {
    let backed = 0;
    let pending = 0;
    for (const c of this.clients) if (c.backedUp) { backed++; pending += c.pendingBytes; }
    return {
      counters: { ...this.counters },
      lastEventId: this.lastId,
      buffer: { events: this.ring.size, bytes: this.ring.bytes, oldestId: this.ring.oldestId, maxEvents: this.ring.maxEvents, maxBytes: this.ring.maxBytes },
      limits: { maxPendingBytes: this.maxPendingBytes, stallMs: this.stallMs, heartbeatMs: this.heartbeatMs, maxClients: this.maxClients },
      backedUp: { clients: backed, pendingBytes: pending },
    };
  }

  /** Deferred mode: writes the events published since the last flush, one cork per client. */
  flush(): void {
    if (this.flushScheduled !== null) { clearImmediate(this.flushScheduled); this.flushScheduled = null; }
    const out = this.outbox;
    if (out.length === 0) return;
    this.outbox = [];
    for (const c of [...this.clients]) {
      if (!c.live) continue;
      const after = this.joinedAfter.get(c) ?? 0;
      const mine = (o: { entry: SseEntry }): boolean => o.entry.id > after && filterMatches(c.filter, o.entry.event, o.entry.strategyId, o.entry.symbol);
      if (c.backedUp) {
        for (const o of out) if (mine(o)) this.deliver(c, o.entry.frame, o.entry.bytes, o.key, false);
        continue;
      }
      let over = false;
      try {
        c.res.cork(() => {
          for (const o of out) {
            if (!mine(o)) continue;
            const r = c.send(o.entry.frame, o.entry.bytes, o.key);
            if (r === 'over_limit') { over = true; return; }
            this.counters.deliveries++;
            if (r === 'coalesced') this.counters.coalesced++;
          }
        });
      } catch (e) {
        this.internal(e);
        over = true;
      }
      if (over) this.drop(c);
    }
  }

  /** Ends every subscriber's response cleanly and stops the heartbeat; the hub refuses new work. */
  close(): void {
    if (this.closedHub) return;
    this.flush();
    this.closedHub = true;
    this.stopTimer();
    for (const c of [...this.clients]) {
      this.detach(c);
      if (c.aborted) continue;
      c.closed = true;
      this.guard(() => { c.res.cork(() => { c.res.end(); }); });
    }
    this.ring.clear();
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
    if (this.clients.size >= this.maxClients) {
      this.refuse(res, '503 Service Unavailable', 'UNAVAILABLE', 'too many stream subscribers', [['retry-after', '5']]);
      return;
    }
    const { filter, lastEventId } = parsed.sub;
    const c = new SseClient(this.nextClientId++, res, filter, this.maxPendingBytes);
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
    this.joinedAfter.set(c, this.lastId);
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
      if (!c.live || !filterMatches(c.filter, e.event, e.strategyId, e.symbol)) return;
      this.deliver(c, e.frame, e.bytes, null, false);
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
      if (r === 'over_limit') { this.drop(c); return; }
      this.counters.deliveries++;
      if (r === 'coalesced') this.counters.coalesced++;
    } catch (e) {
      this.internal(e);
      this.drop(c);
    }
  }

  private drop(c: SseClient): void {
    if (!c.live) return;
    c.closed = true;
    this.counters.droppedClients++;
    this.detach(c);
    // close() runs onAborted synchronously; the client is already detached.
    this.guard(() => { c.res.close(); });
  }

  private detach(c: SseClient): void {
    if (this.clients.delete(c)) this.counters.clients = this.clients.size;
    c.release();
    if (this.clients.size === 0) this.stopTimer();
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
    this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== null) { clearInterval(this.timer); this.timer = null; }
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const c of [...this.clients]) {
      if (c.backedUp) {
        if (now - c.backedUpSince > this.stallMs) this.drop(c);
        continue;
      }
      this.guard(() => {
        c.res.cork(() => {
          if (!c.res.write(': heartbeat\n\n')) { c.backedUp = true; c.backedUpSince = now; }
        });
      });
      this.counters.heartbeats++;
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
