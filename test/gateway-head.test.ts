// HEAD requests: the GET's status and headers with the body's length, and no body
// bytes on the wire — so the next request on a kept-alive connection is read
// correctly. For API routes, the dashboard's files and errors alike, and the feed
// handler's HTTP answers.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { Gateway } from '../src/gateway/index.js';
import { FeedHandler } from '../src/feed/handler/feed-handler.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';

let engine: TradingEngine;
let gw: Gateway;
let port = 0;

beforeAll(async () => {
  engine = new TradingEngine();
  new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, 9)).run(2);
  gw = new Gateway(engine, { port: 0 });
  port = await gw.listen();
});
afterAll(() => { gw.close(); engine.close(); });

interface Answer { status: number; headers: Record<string, string>; body: string }

/** Writes the requests back to back on one connection; parses the answers in order (HEAD answers have no body). */
function pipelined(requests: { method: string; path: string }[], toPort = port): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const s = connect(toPort, '127.0.0.1', () => {
      s.write(requests.map((r, i) => `${r.method} ${r.path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${i === requests.length - 1 ? 'connection: close\r\n' : ''}\r\n`).join(''));
    });
    let data = Buffer.alloc(0);
    s.on('data', (c: Buffer) => { data = Buffer.concat([data, c]); });
    s.on('error', reject);
    s.on('close', () => {
      const out: Answer[] = [];
      let at = 0;
      for (const r of requests) {
        const end = data.indexOf('\r\n\r\n', at);
        if (end < 0) { reject(new Error(`no answer for ${r.method} ${r.path}: ${JSON.stringify(data.subarray(at).toString())}`)); return; }
        const lines = data.subarray(at, end).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) { const k = l.indexOf(':'); headers[l.slice(0, k).toLowerCase()] = l.slice(k + 1).trim(); }
        const length = r.method === 'HEAD' ? 0 : Number(headers['content-length'] ?? 0);
        out.push({ status: Number(lines[0]!.split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + length).toString() });
        at = end + 4 + length;
      }
      expect(at).toBe(data.length); // nothing left over: no stray body bytes
      resolve(out);
    });
    setTimeout(() => s.destroy(), 5000);
  });
}

describe('HEAD', () => {
  it('answers like GET without the body; the next request on the connection is read correctly', async () => {
    const paths = ['/api/health', '/api/market/depth?symbol=BTCUSDT&limit=3', '/api/strategies', '/api/nope', '/', '/app.js'];
    const reqs = paths.flatMap((path) => [{ method: 'HEAD', path }, { method: 'GET', path }]);
    const answers = await pipelined(reqs);
    for (let i = 0; i < paths.length; i++) {
      const head = answers[2 * i]!;
      const get = answers[2 * i + 1]!;
      expect({ path: paths[i], status: head.status }).toEqual({ path: paths[i], status: get.status });
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(head.body).toBe('');
      expect(get.body.length).toBeGreaterThan(0);
      // health's uptime may move between the two; the others answer the same bytes
      if (paths[i] !== '/api/health') expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(get.body));
    }
    expect(answers[6]!.status).toBe(404);
  });

  it('the feed handler\'s HTTP answers too', async () => {
    const ingest = new FeedIngest();
    const handler = new FeedHandler(ingest, { port: 0 });
    try {
      const feedPort = await handler.listen();
      const answers = await pipelined([
        { method: 'HEAD', path: '/nope' }, { method: 'GET', path: '/nope' }, { method: 'GET', path: '/feed/stats' },
      ], feedPort);
      expect(answers.map((a) => a.status)).toEqual([404, 404, 200]);
      expect(answers[0]!.body).toBe('');
      expect(Number(answers[0]!.headers['content-length'])).toBe(Buffer.byteLength(answers[1]!.body));
    } finally {
      handler.close();
      ingest.close();
    }
  });
});
