// Feed handler authentication: a non-loopback bind needs a token (the handler
// refuses to start without one) and every upgrade must carry it — tested by
// binding 0.0.0.0 on a random port and connecting through 127.0.0.1, which must
// still be refused without the token because the bind address is not loopback.
import { describe, it, expect, afterEach } from 'vitest';
import WebSocket from 'ws';
import { FeedHandler, bearerMatches, isLoopbackHost } from '../src/feed/handler/index.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { FrameEncoder } from '../src/feed/protocol/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { SpreadcoreError } from '../src/errors.js';

const books = new WasmBooks(instantiateCore('debug'));
const TOKEN = 'feed-token-0123456789abcdef';

/** Resolves with 'open' or the HTTP status the upgrade was refused with. */
function tryConnect(port: number, headers: Record<string, string>): Promise<{ result: 'open'; ws: WebSocket } | { result: number; body: string; wwwAuth: string | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/feed`, { headers });
    ws.once('open', () => resolve({ result: 'open', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => {
        resolve({ result: res.statusCode ?? 0, body, wwwAuth: res.headers['www-authenticate'] as string | undefined });
        ws.terminate();
      });
    });
    ws.once('error', (e) => { if (!/closed before the connection/.test(e.message)) reject(e); });
  });
}

describe('feed handler: auth', () => {
  let handler: FeedHandler | undefined;
  afterEach(() => { handler?.close(); handler = undefined; });

  it('refuses to start on a non-loopback address without a token', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      let err: unknown;
      try { new FeedHandler(new FeedIngest(books), { host, port: 0 }); } catch (e) { err = e; }
      expect(err, host).toBeInstanceOf(SpreadcoreError);
      expect((err as SpreadcoreError).code).toBe('SPREADCORE_ERR_BAD_PARAM');
    }
    expect(() => new FeedHandler(new FeedIngest(books), { host: '0.0.0.0', port: 0, token: 'short' })).toThrow(/at least 16/);
  });

  it('bound to 0.0.0.0, connections through 127.0.0.1 still need the bearer token', async () => {
    const ingest = new FeedIngest(books);
    handler = new FeedHandler(ingest, { host: '0.0.0.0', port: 0, token: TOKEN });
    const port = await handler.listen();
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN.slice(0, -1)}` }];
    for (const headers of attempts) {
      const r = await tryConnect(port, headers);
      expect(r.result, JSON.stringify(headers)).toBe(401);
      if (r.result !== 'open') {
        expect(r.wwwAuth).toMatch(/^Bearer/);
        expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      }
    }
    expect(handler.totals.upgradesRefused).toBe(4);
    expect(handler.totals.connectionsAccepted).toBe(0);

    const ok = await tryConnect(port, { authorization: `Bearer ${TOKEN}` });
    expect(ok.result).toBe('open');
    if (ok.result !== 'open') return;
    const e = new FrameEncoder();
    e.instrument({ symbolId: 1, symbol: 'ETHUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.0001', resolutionTsNs: 0 });
    e.endOfBatch(1);
    ok.ws.send(e.flush());
    const until = Date.now() + 5000;
    while (ingest.symbolState(1) === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    expect(ingest.symbolState(1)?.symbol).toBe('ETHUSDT');

    // the stats route wants the token too
    expect((await fetch(`http://127.0.0.1:${port}/feed/stats`)).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${port}/feed/stats`, { headers: { authorization: `bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { listening: { auth: boolean } }).listening.auth).toBe(true);
    const closed = new Promise((r) => ok.ws.once('close', r));
    handler.close();
    await closed;
  });

  it('on loopback without a token, publishers connect without one', async () => {
    handler = new FeedHandler(new FeedIngest(books), { port: 0 });
    const port = await handler.listen();
    const r = await tryConnect(port, {});
    expect(r.result).toBe('open');
    if (r.result === 'open') {
      const closed = new Promise((res) => r.ws.once('close', res));
      r.ws.close();
      await closed;
    }
  });

  it('loopback detection and token comparison', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '127.0.0.1.example.com', 'example.com', '']) expect(isLoopbackHost(h), h).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer   ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN)).toBe(false);
    expect(bearerMatches(TOKEN, TOKEN)).toBe(false);
    expect(bearerMatches('', TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
  });
});
