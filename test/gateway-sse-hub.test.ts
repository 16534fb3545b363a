// SseHub on a real uWS app (127.0.0.1, port 0) read by real node:http clients.
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { selectTransport } from '../src/net/select-transport.js';
import { SseHub, type SseHubOptions, type SseMountOptions } from '../src/gateway/sse-hub.js';
import { attachEngine } from '../src/gateway/sse-engine.js';
import { EngineEvents, type FillEvent, type QuoteUpdateEvent } from '../src/engine/engine-events.js';
import { sleep, waitFor } from './support/wait.js';

type ListenSocket = import('../src/net/transport.js').TransportListener;

interface SseMessage { id: string | null; event: string; data: string }

/** A streaming SSE reader over node:http: parses frames as they arrive. */
class SseReader {
  readonly messages: SseMessage[] = [];
  comments = 0;
  retry: number | null = null;
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  body = '';
  ended = false;
  errored = false;
  private buf = '';
  private req: http.ClientRequest;
  private res: http.IncomingMessage | null = null;

  constructor(port: number, pathAndQuery: string, headers: Record<string, string> = {}, paused = false) {
    this.req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, headers, agent: false }, (res) => {
      this.res = res;
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.setEncoding('utf8');
      if (paused) res.pause();
      res.on('data', (chunk: string) => this.onChunk(chunk));
      res.on('end', () => { this.ended = true; });
      res.on('error', () => { this.errored = true; });
      res.on('close', () => { this.ended = true; });
    });
    this.req.on('error', () => { this.errored = true; this.ended = true; });
  }

  get connected(): boolean { return this.status !== 0; }
  events(name?: string): SseMessage[] { return name === undefined ? this.messages : this.messages.filter((m) => m.event === name); }
  destroy(): void { this.req.destroy(); }
  resume(): void { this.res?.resume(); }

  private onChunk(chunk: string): void {
    if (this.status !== 200) { this.body += chunk; return; }
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      let id: string | null = null;
      let event = 'message';
      const data: string[] = [];
      let hasField = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { this.comments++; continue; }
        const c = line.indexOf(':');
        const field = c < 0 ? line : line.slice(0, c);
        const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
        hasField = true;
        if (field === 'id') id = value;
        else if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'retry') this.retry = Number(value);
      }
      if (hasField && data.length > 0) this.messages.push({ id, event, data: data.join('\n') });
    }
  }
}

const open: { hub: SseHub; ls: ListenSocket; readers: SseReader[] }[] = [];

type App = import('../src/net/transport.js').TransportApp;

async function start(hubOptions: SseHubOptions = {}, mountOptions: SseMountOptions = {}, routes?: (app: App, hub: SseHub) => void): Promise<{ hub: SseHub; port: number; connect: (q?: string, h?: Record<string, string>, paused?: boolean) => SseReader }> {
  const transport = selectTransport(); // SPREADCORE_HTTP=uws|node picks one
  const app = transport.app();
  const hub = new SseHub(hubOptions);
  hub.mount(app, '/api/stream', mountOptions);
  routes?.(app, hub);
  const ls: ListenSocket = await transport.listen(app, '127.0.0.1', 0, 'the test server');
  const port = ls.port;
  const entry = { hub, ls, readers: [] as SseReader[] };
  open.push(entry);
  const connect = (q = '', h: Record<string, string> = {}, paused = false): SseReader => {
    const r = new SseReader(port, `/api/stream${q}`, h, paused);
    entry.readers.push(r);
    return r;
  };
  return { hub, port, connect };
}

afterEach(() => {
  for (const e of open.splice(0)) {
    for (const r of e.readers) r.destroy();
    e.hub.close();
    e.ls.close();
  }
});

function quote(strategy: string, mid: number, extra: Partial<QuoteUpdateEvent> = {}): QuoteUpdateEvent {
  return { strategy_id: strategy, symbol: 'BTCUSDT', mid_price: mid, bid: mid - 10, ask: mid + 10, spread_bps: 4, levels: 3, orders_placed: 2, orders_cancelled: 2, timestamp: 1, ...extra };
}

function fill(strategy: string, n: number): FillEvent {
  return { strategy_id: strategy, symbol: 'BTCUSDT', side: n % 2 === 0 ? 'BUY' : 'SELL', price: 49990, qty: 0.001, inventory: 0.001, fee: 0.01, liquidity: 'MAKER',
    client_order_id: `c${n}`, trade_id: `t${n}`, timestamp: n };
}

const pub = (hub: SseHub, event: string, data: { strategy_id?: string; symbol?: string }): number => hub.publish(event, data, { strategyId: data.strategy_id ?? null, symbol: data.symbol ?? null });

describe('SseHub: ids, headers, filters', () => {
  it('streams events with increasing ids, the SSE headers and a retry line', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0 });
    const r = connect();
    await waitFor('connected', () => r.connected && hub.counters.clients === 1);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(r.headers['cache-control']).toMatch(/no-cache/);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    for (let i = 0; i < 50; i++) pub(hub, i % 2 === 0 ? 'quote_update' : 'fill', i % 2 === 0 ? quote('btc_mm_1', 50000 + i) : fill('btc_mm_1', i));
    await waitFor('50 events', () => r.messages.length === 50);
    expect(r.retry).toBe(3000);
    expect(r.messages.map((m) => Number(m.id))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(JSON.parse(r.messages[1]!.data)).toEqual(fill('btc_mm_1', 1));
    expect(hub.counters.events).toBe(50);
  });

  it('filters by strategy, symbol and event names', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0 });
    const byStrategy = connect('?filter=strategy&strategy_id=btc_mm_1');
    const bySymbol = connect('?symbol=ETHUSDT');
    const fillsOnly = connect('?events=fill');
    const bad = connect('?filter=strategy');
    const badEvent = connect('?events=nope');
    await waitFor('connected', () => hub.counters.clients === 3 && bad.ended && badEvent.ended);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).ok).toBe(false);
    expect(badEvent.status).toBe(400);
    pub(hub, 'quote_update', quote('btc_mm_1', 50000));
    pub(hub, 'quote_update', quote('eth_mm_1', 3000, { symbol: 'ETHUSDT' }));
    pub(hub, 'fill', fill('btc_mm_1', 1));
    pub(hub, 'fill', { ...fill('eth_mm_1', 2), symbol: 'ETHUSDT' });
    pub(hub, 'volatility_pause', { strategy_id: 'btc_mm_1', symbol: 'BTCUSDT' });
    await waitFor('deliveries', () => byStrategy.messages.length === 3 && bySymbol.messages.length === 2 && fillsOnly.messages.length === 2);
    expect(byStrategy.messages.map((m) => [m.id, m.event])).toEqual([['1', 'quote_update'], ['3', 'fill'], ['5', 'volatility_pause']]);
    expect(bySymbol.messages.map((m) => m.id)).toEqual(['2', '4']);
    expect(fillsOnly.messages.map((m) => m.id)).toEqual(['3', '4']);
    await sleep(20);
    expect(byStrategy.messages.length).toBe(3);
  });

  it('refuses with authorize and hostCheck', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0 }, {
      authorize: (req) => req.getHeader('authorization') === 'Bearer sekret-token-123456',
      hostCheck: (req) => req.getHeader('host').startsWith('127.0.0.1:'),
    });
    const noAuth = connect();
    const badHost = connect('', { host: 'evil.example', authorization: 'Bearer sekret-token-123456' });
    const ok = connect('', { authorization: 'Bearer sekret-token-123456' });
    await waitFor('answers', () => noAuth.ended && badHost.ended && ok.connected);
    expect(noAuth.status).toBe(401);
    expect(badHost.status).toBe(403);
    expect(ok.status).toBe(200);
    expect(hub.counters.clientsRefused).toBe(2);
  });
});

describe('SseHub: resume', () => {
  it('Last-Event-ID replays exactly the missed events, in order, then live ones', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0 });
    for (let i = 1; i <= 40; i++) pub(hub, 'fill', fill('btc_mm_1', i));
    const r = connect('', { 'last-event-id': '25' });
    const q = connect('?filter=strategy&strategy_id=btc_mm_1&last_event_id=38');
    await waitFor('replay', () => r.messages.length === 15 && q.messages.length === 2);
    pub(hub, 'fill', fill('btc_mm_1', 41));
    await waitFor('live', () => r.messages.length === 16 && q.messages.length === 3);
    expect(r.messages.map((m) => Number(m.id))).toEqual(Array.from({ length: 16 }, (_, i) => 26 + i));
    expect(q.messages.map((m) => Number(m.id))).toEqual([39, 40, 41]);
    const atHead = connect('', { 'last-event-id': '41' });
    await waitFor('connected', () => atHead.connected);
    pub(hub, 'fill', fill('btc_mm_1', 42));
    await waitFor('live', () => atHead.messages.length === 1);
    expect(atHead.messages[0]!.id).toBe('42');
  });

  it('a resume point older than the buffer (or unknown) gets one resync event', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0, bufferEvents: 10 });
    for (let i = 1; i <= 30; i++) pub(hub, 'fill', fill('btc_mm_1', i));
    expect(hub.stats().buffer.oldestId).toBe(21);
    const old = connect('', { 'last-event-id': '5' });
    const edge = connect('', { 'last-event-id': '20' });
    const future = connect('', { 'last-event-id': '999' });
    await waitFor('answers', () => old.messages.length === 1 && edge.messages.length === 10 && future.messages.length === 1);
    expect(old.messages[0]!.event).toBe('resync');
    expect(old.messages[0]!.id).toBe('30');
    expect(JSON.parse(old.messages[0]!.data)).toMatchObject({ reason: 'too_old', last_event_id: 5, oldest_id: 21, current_id: 30 });
    expect(JSON.parse(future.messages[0]!.data)).toMatchObject({ reason: 'unknown_id' });
    expect(edge.messages.map((m) => m.event)).not.toContain('resync');
    expect(hub.counters.resyncs).toBe(2);
    pub(hub, 'fill', fill('btc_mm_1', 31));
    await waitFor('live after resync', () => old.messages.length === 2);
    expect(old.messages[1]!.id).toBe('31');
  });
});

describe('SseHub: heartbeats, slow clients, shutdown', () => {
  it('sends heartbeat comments', async () => {
    const { hub, connect } = await start({ heartbeatMs: 30 });
    const r = connect();
    await waitFor('3 heartbeats', () => r.comments >= 3, 3000);
    expect(hub.counters.heartbeats).toBeGreaterThanOrEqual(3);
    expect(r.messages.length).toBe(0);
  });

  it('drops a client that stops reading while a normal client gets every fill', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0, maxPendingBytes: 256 * 1024 });
    const normal = connect();
    const stuck = connect('', {}, true);
    await waitFor('connected', () => hub.counters.clients === 2 && normal.connected && stuck.connected);
    let fills = 0;
    const pad = 'x'.repeat(400);
    // Batches with a turn of the event loop between them so the normal client reads; bounded.
    for (let batch = 0; batch < 2000 && hub.counters.droppedClients === 0; batch++) {
      for (let i = 0; i < 200; i++) {
        hub.publish('fill', { ...fill('btc_mm_1', fills), pad }, { strategyId: 'btc_mm_1', symbol: 'BTCUSDT' });
        fills++;
        hub.publish('quote_update', quote('btc_mm_1', 50000 + i), { strategyId: 'btc_mm_1', symbol: 'BTCUSDT' });
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.counters.droppedClients).toBe(1);
    expect(hub.counters.clients).toBe(1);
    for (let i = 0; i < 1000; i++) { hub.publish('fill', { ...fill('btc_mm_1', fills), pad }, { strategyId: 'btc_mm_1' }); fills++; }
    await waitFor('every fill', () => normal.events('fill').length === fills, 20_000);
    const got = normal.events('fill').map((m) => (JSON.parse(m.data) as FillEvent).trade_id);
    expect(got).toEqual(Array.from({ length: fills }, (_, i) => `t${i}`));
    const ids = normal.messages.map((m) => Number(m.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
    expect(hub.counters.internalErrors).toBe(0);
    // Bounded: nothing queued beyond the limit.
    expect(hub.stats().backedUp.pendingBytes).toBeLessThanOrEqual(256 * 1024);
  }, 60_000);

  it('publishing with no clients, after a client aborted and after close never throws', async () => {
    const { hub, connect } = await start({ heartbeatMs: 10 });
    expect(() => { for (let i = 0; i < 1000; i++) pub(hub, 'fill', fill('a', i)); }).not.toThrow();
    const r = connect();
    await waitFor('connected', () => hub.counters.clients === 1);
    r.destroy();
    for (let i = 0; i < 200 && hub.counters.clients === 1; i++) await sleep(5);
    expect(() => { for (let i = 0; i < 1000; i++) pub(hub, 'fill', fill('a', i)); }).not.toThrow();
    await sleep(30);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(hub.publish('fill', cyclic)).toBe(-1);
    expect(hub.publish('fill', 10n)).toBe(-1);
    const r2 = connect();
    await waitFor('connected', () => hub.counters.clients === 1 && r2.connected);
    hub.close();
    await waitFor('closed cleanly', () => r2.ended);
    expect(r2.errored).toBe(false);
    expect(hub.counters.clients).toBe(0);
    expect(hub.publish('fill', fill('a', 1))).toBe(-1);
    expect(hub.counters.internalErrors).toBe(0);
  });

  for (const deferDelivery of [true, false]) {
    it(`coalesces quote_update per strategy for a backed-up client, never fills (${deferDelivery ? 'deferred writes' : 'writes inside publish'})`, async () => {
      const { hub, connect } = await start({ heartbeatMs: 0, maxPendingBytes: 64 * 1024 * 1024, deferDelivery });
      const r = connect('', {}, true);
      await waitFor('connected', () => r.connected && hub.counters.clients === 1);
      const pad = 'y'.repeat(1000);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 4000 && hub.stats().backedUp.clients === 0; i++) {
          pub(hub, 'fill', { ...fill('s1', i), pad } as FillEvent);
          if (i % 50 === 49) hub.flush();
        }
        hub.flush();
        await sleep(50);
      }
      expect(hub.stats().backedUp.clients).toBe(1);
      for (let i = 0; i < 100; i++) { pub(hub, 'quote_update', quote('s1', i)); pub(hub, 'quote_update', quote('s2', i)); }
      hub.flush();
      expect(hub.counters.coalesced).toBe(198);
    });
  }
});

describe('SseHub: backpressure recovery', () => {
  it('a client that backs up and then reads again gets every fill in order and the latest quote per strategy', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0, maxPendingBytes: 64 * 1024 * 1024 });
    const r = connect('', {}, true);
    await waitFor('connected', () => r.connected && hub.counters.clients === 1);
    const pad = 'z'.repeat(1000);
    let n = 0;
    for (let round = 0; round < 50 && hub.stats().backedUp.clients === 0; round++) {
      for (let i = 0; i < 500; i++) { pub(hub, 'fill', { ...fill('s1', n), pad } as FillEvent); n++; }
      await sleep(5);
    }
    expect(hub.stats().backedUp.clients).toBe(1);
    for (let i = 0; i < 300; i++) {
      pub(hub, 'quote_update', quote('s1', 1000 + i));
      pub(hub, 'quote_update', quote('s2', 2000 + i));
      pub(hub, 'fill', { ...fill('s1', n), pad } as FillEvent);
      n++;
    }
    const last = hub.lastEventId;
    r.resume();
    await waitFor('drained', () => r.messages.length > 0 && Number(r.messages[r.messages.length - 1]!.id) === last, 20_000);
    expect(hub.stats().backedUp.clients).toBe(0);
    const fills = r.events('fill').map((m) => (JSON.parse(m.data) as FillEvent).trade_id);
    expect(fills).toEqual(Array.from({ length: n }, (_, i) => `t${i}`));
    const ids = r.messages.map((m) => Number(m.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
    const quotes = r.events('quote_update').map((m) => JSON.parse(m.data) as QuoteUpdateEvent);
    expect(quotes.filter((q) => q.strategy_id === 's1').at(-1)!.mid_price).toBe(1299);
    expect(quotes.filter((q) => q.strategy_id === 's2').at(-1)!.mid_price).toBe(2299);
    // how many quotes were coalesced depends on when the kernel's buffers drain; each one left out is counted
    expect(quotes.length).toBeLessThanOrEqual(600);
    expect(hub.counters.coalesced).toBe(600 - quotes.length);
    // Live again after draining.
    pub(hub, 'fill', fill('s1', n));
    await waitFor('live', () => Number(r.messages.at(-1)!.id) === last + 1);
    expect(hub.counters.droppedClients).toBe(0);
    expect(hub.counters.internalErrors).toBe(0);
  }, 60_000);

  it('drops a client that stays backed up longer than stallMs', async () => {
    const { hub, connect } = await start({ heartbeatMs: 20, stallMs: 100, maxPendingBytes: 64 * 1024 * 1024 });
    const r = connect('', {}, true);
    await waitFor('connected', () => r.connected && hub.counters.clients === 1);
    const pad = 'w'.repeat(1000);
    for (let round = 0; round < 50 && hub.stats().backedUp.clients === 0; round++) {
      for (let i = 0; i < 500; i++) pub(hub, 'fill', { ...fill('s1', i), pad } as FillEvent);
      await sleep(5);
    }
    expect(hub.stats().backedUp.clients).toBe(1);
    await waitFor('stall drop', () => hub.counters.droppedClients === 1, 5000);
    expect(hub.counters.clients).toBe(0);
  }, 30_000);

  it('publishing from inside another uWS request handler reaches subscribers', async () => {
    const { hub, port, connect } = await start({ heartbeatMs: 0 }, {}, (app, h) => {
      app.post('/publish', (res) => {
        for (let i = 0; i < 3; i++) h.publish('fill', fill('s1', i), { strategyId: 's1' });
        res.end('{"ok":true}');
      });
    });
    const a = connect();
    const b = connect('?events=fill');
    await waitFor('connected', () => hub.counters.clients === 2 && a.connected && b.connected);
    const resp = await fetch(`http://127.0.0.1:${port}/publish`, { method: 'POST' });
    expect(await resp.text()).toBe('{"ok":true}');
    await waitFor('delivered', () => a.messages.length === 3 && b.messages.length === 3);
    expect(a.messages.map((m) => m.id)).toEqual(['1', '2', '3']);
    expect(hub.counters.internalErrors).toBe(0);
  });
});

describe('SseHub: fan-out and the engine', () => {
  it('200 concurrent subscribers each get every event', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0 });
    const readers = Array.from({ length: 200 }, () => connect());
    await waitFor('200 connected', () => hub.counters.clients === 200 && readers.every((r) => r.connected), 20_000);
    for (let b = 0; b < 10; b++) {
      for (let i = 0; i < 50; i++) pub(hub, 'fill', fill('btc_mm_1', b * 50 + i));
      await new Promise((r) => setImmediate(r));
    }
    await waitFor('every event everywhere', () => readers.every((r) => r.messages.length === 500), 30_000);
    for (const r of readers) expect(Number(r.messages[499]!.id)).toBe(500);
    expect(hub.counters.droppedClients).toBe(0);
  }, 60_000);

  it('a fetch() reader sees the seed 000 Step 6 stream; over maxClients answers 503', async () => {
    const { hub, port, connect } = await start({ heartbeatMs: 0, maxClients: 1 });
    const events = new EngineEvents();
    attachEngine(hub, events);
    const ac = new AbortController();
    const resp = await fetch(`http://127.0.0.1:${port}/api/stream?filter=strategy&strategy_id=btc_mm_1`, { signal: ac.signal });
    expect(resp.status).toBe(200);
    const extra = connect();
    await waitFor('refused', () => extra.ended);
    expect(extra.status).toBe(503);
    events.emit('quote_update', quote('btc_mm_1', 50000));
    events.emit('fill', { ...fill('btc_mm_1', 0), price: 49990 });
    const reader = resp.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    const t0 = Date.now();
    while (!text.includes('event: fill') && Date.now() - t0 < 5000) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    ac.abort();
    expect(text).toMatch(/^retry: 3000\n\nid: 1\nevent: quote_update\ndata: \{"strategy_id":"btc_mm_1","symbol":"BTCUSDT","mid_price":50000,"bid":49990,"ask":50010,"spread_bps":4,/);
    expect(text).toContain('id: 2\nevent: fill\ndata: {"strategy_id":"btc_mm_1","symbol":"BTCUSDT","side":"BUY","price":49990,"qty":0.001,"inventory":0.001,');
    await waitFor('aborted client gone', () => hub.counters.clients === 0);
    expect(() => events.emit('fill', fill('btc_mm_1', 1))).not.toThrow();
    expect(events.listenerErrors).toBe(0);
  });

  it('attachEngine forwards engine events with their payloads', async () => {
    const { hub, connect } = await start({ heartbeatMs: 0 });
    const events = new EngineEvents();
    const detach = attachEngine(hub, events);
    const r = connect('?filter=strategy&strategy_id=btc_mm_1');
    await waitFor('connected', () => hub.counters.clients === 1);
    const q = quote('btc_mm_1', 50000, { skew: 'long' });
    const f = { ...fill('btc_mm_1', 7), round_trip_profit: 22 };
    events.emit('quote_update', q);
    events.emit('fill', f);
    events.emit('fill', fill('other', 8));
    events.emit('strategy_state', { strategy_id: 'btc_mm_1', status: 'RUNNING', previous: 'STOPPED', reason: null, timestamp: 3 });
    await waitFor('3 events', () => r.messages.length === 3);
    expect(r.messages.map((m) => m.event)).toEqual(['quote_update', 'fill', 'strategy_state']);
    expect(JSON.parse(r.messages[0]!.data)).toEqual(q);
    expect(JSON.parse(r.messages[1]!.data)).toEqual(f);
    detach();
    expect(events.has('fill')).toBe(false);
    expect(events.listenerErrors).toBe(0);
  });
});
