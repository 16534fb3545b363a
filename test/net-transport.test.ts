// The transport under every listener (src/net/transport.ts): SPREADCORE_HTTP picks
// uws or node, else uws when its native binding exists; the node:http transport binds
// its port exclusively; and where both transports load, the gateway and the feed
// handler answer the same status, content headers and body bytes on both.
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { FeedHandler } from '../src/feed/handler/feed-handler.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { Gateway } from '../src/gateway/index.js';
import { SseHub } from '../src/gateway/sse-hub.js';
import { selectTransport, transportName, transportNotice } from '../src/net/select-transport.js';
import { uwsNativeBindingPath } from '../src/net/uws.js';

const hasUws = uwsNativeBindingPath() !== undefined;

describe('transport selection', () => {
  it('SPREADCORE_HTTP forces one; unset, uws when its native binding exists', () => {
    expect(transportName({ SPREADCORE_HTTP: 'node' })).toBe('node');
    expect(transportName({ SPREADCORE_HTTP: 'uws' })).toBe('uws');
    expect(transportName({ SPREADCORE_HTTP: 'auto' })).toBe(hasUws ? 'uws' : 'node');
    expect(transportName({})).toBe(hasUws ? 'uws' : 'node');
    expect(() => transportName({ SPREADCORE_HTTP: 'nginx' })).toThrow(/SPREADCORE_HTTP must be uws, node or auto/);
    expect(transportNotice('uws')).toBeNull();
    const notice = transportNotice('node', { SPREADCORE_HTTP: 'node' })!;
    if (hasUws) expect(notice).toBe('serving with node:http (SPREADCORE_HTTP=node)');
    else expect(notice).toMatch(new RegExp(`^uWebSockets\\.js has no native binding for Node ${process.version.replace(/\./g, '\\.')} .*: serving with node:http$`));
  });

  it('node:http refuses a port that is in use (exclusive bind)', async () => {
    const t = selectTransport('node');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(t.listen(t.app(), '127.0.0.1', port, 'the test listener')).rejects.toMatchObject({ code: 'SPREADCORE_ERR_LISTEN' });
    } finally {
      blocker.close();
    }
    const a = await t.listen(t.app(), '127.0.0.1', 0, 'first');
    try {
      await expect(t.listen(t.app(), '127.0.0.1', a.port, 'second')).rejects.toThrow(/second could not listen on 127\.0\.0\.1:\d+: the port is in use/);
    } finally {
      a.close();
    }
  });
});

describe.skipIf(!hasUws)('uws and node:http answer the same bytes', () => {
  const engine = new TradingEngine();
  new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, 9)).run(2);
  const closers: (() => void)[] = [];
  afterAll(() => { for (const c of closers.reverse()) c(); engine.close(); });

  async function gateway(name: 'uws' | 'node'): Promise<string> {
    const hub = new SseHub({ heartbeatMs: 0 });
    const gw = new Gateway(engine, { port: 0, stream: hub, metrics: () => '# metrics\n', transport: selectTransport(name) });
    const port = await gw.listen();
    closers.push(() => { hub.close(); gw.close(); });
    return `http://127.0.0.1:${port}`;
  }

  it('the control API, HEAD, errors, /metrics and the dashboard', async () => {
    const [u, n] = await Promise.all([gateway('uws'), gateway('node')]);
    const cases: [string, string, RequestInit?][] = [
      ['GET', '/api/health'], ['GET', '/api/market/depth?symbol=BTCUSDT&limit=3'], ['HEAD', '/api/market/depth?symbol=BTCUSDT'],
      ['GET', '/api/nope'], ['POST', '/api/strategy/load', { body: '{', headers: { 'content-type': 'application/json' } }],
      ['POST', '/api/strategy/load', { body: '{}', headers: { 'content-type': 'text/plain' } }],
      ['DELETE', '/metrics'], ['GET', '/metrics'], ['GET', '/'], ['HEAD', '/app.js'],
      ['GET', '/api/health', { headers: { host: 'evil.example' } }],
      ['POST', '/api/kill-switch', { headers: { origin: 'http://evil.example' } }],
    ];
    const keep = ['content-type', 'content-length', 'cache-control', 'x-content-type-options', 'etag', 'content-security-policy', 'allow', 'x-request-id'];
    for (const [i, [method, path, init]] of cases.entries()) {
      // one request id for both (an answer, error bodies included, repeats it)
      const req: RequestInit = { method, ...init, headers: { 'x-request-id': `same-${i}`, ...(init?.headers as Record<string, string> | undefined) } };
      const [a, b] = await Promise.all([fetch(u + path, req), fetch(n + path, req)]);
      const ba = Buffer.from(await a.arrayBuffer());
      const bb = Buffer.from(await b.arrayBuffer());
      const what = `${method} ${path}`;
      expect(b.status, what).toBe(a.status);
      // /api/health carries the uptime: same shape, not the same bytes
      if (path !== '/api/health' || a.status !== 200) expect(bb.toString('latin1'), what).toBe(ba.toString('latin1'));
      for (const h of keep) expect(b.headers.get(h), `${what}: ${h}`).toBe(a.headers.get(h));
    }
  });

  it('the event stream: the same frames', async () => {
    const read = async (base: string): Promise<string> => {
      const ac = new AbortController();
      const r = await fetch(`${base}/api/stream?events=fill`, { signal: ac.signal });
      expect(r.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = r.body!.getReader();
      let text = '';
      while (!text.includes('"stop"')) text += Buffer.from((await reader.read()).value!).toString('utf8');
      ac.abort();
      return text;
    };
    // a hub of its own, published to after both readers are connected
    const hub = new SseHub({ heartbeatMs: 0, deferDelivery: false });
    const [gu, gn] = [new Gateway(engine, { port: 0, stream: hub, transport: selectTransport('uws') }), new Gateway(engine, { port: 0, stream: hub, transport: selectTransport('node') })];
    const [pu, pn] = await Promise.all([gu.listen(), gn.listen()]);
    closers.push(() => { hub.close(); gu.close(); gn.close(); });
    const texts = [read(`http://127.0.0.1:${pu}`), read(`http://127.0.0.1:${pn}`)];
    while (hub.counters.clients < 2) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 50; i++) hub.publish('fill', { i, pad: 'x'.repeat(i * 10) });
    hub.publish('fill', { end: 'stop' });
    const [tu, tn] = await Promise.all(texts);
    expect(tn).toBe(tu);
  });

  it('the feed handler: /feed/stats refusals and a 404 alike, a publisher accepted on both', async () => {
    const start = async (name: 'uws' | 'node'): Promise<number> => {
      const h = new FeedHandler(new FeedIngest(), { port: 0, transport: selectTransport(name), staleCheckMs: 0 });
      const p = await h.listen();
      closers.push(() => h.close());
      return p;
    };
    const [pu, pn] = await Promise.all([start('uws'), start('node')]);
    for (const [path, headers] of [['/feed/stats', { origin: 'http://evil.example' }], ['/nope', {}]] as const) {
      const [a, b] = await Promise.all([fetch(`http://127.0.0.1:${pu}${path}`, { headers }), fetch(`http://127.0.0.1:${pn}${path}`, { headers })]);
      expect(b.status).toBe(a.status);
      expect(await b.text()).toBe(await a.text());
    }
    for (const p of [pu, pn]) {
      const ws = new WebSocket(`ws://127.0.0.1:${p}/feed`);
      await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
      ws.close();
    }
  });
});
