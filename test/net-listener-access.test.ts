// Every listener of `spreadcore serve` applies the same access rules (src/net/access.ts):
// a page in headless Chromium, served from another localhost port, tries to publish
// an instrument and a book into the feed handler (ws://127.0.0.1:FEED/feed) and to
// read /feed/stats; both are refused (403 on the upgrade), the engine's books do not
// change, and a real `spreadcore publish` (no Origin header) still works. The same
// rules are checked header by header from Node: a foreign Origin or Host is 403 on the
// feed's upgrade and stats, and on the control API's event stream.
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameEncoder } from '../src/feed/protocol/index.js';
import { launchChromium } from './support/chromium.js';
import { requireDist, runCli, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { ROOT } from './support/run-cli.js';

let tmp = '';
let shortRec = '';
let browser: Browser | undefined;
let pageServer: Server | undefined;

beforeAll(async () => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-access-'));
  const lines = gunzipSync(readFileSync(join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz'))).toString('utf8').split('\n').slice(0, 2000);
  shortRec = join(tmp, 'btc-short.gz');
  writeFileSync(shortRec, gzipSync(`${lines.join('\n')}\n`));
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  stopAll();
  await browser?.close();
  pageServer?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** One frame that defines EVILUSD and gives it a book. */
function evilFrame(): Buffer {
  const enc = new FrameEncoder();
  enc.instrument({ symbolId: 77, symbol: 'EVILUSD', kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
  enc.snapshot(77, 1, 5, Float64Array.of(100, 1), 1, Float64Array.of(101, 2), 1);
  enc.endOfBatch(0);
  return Buffer.from(enc.flush());
}

/** An upgrade or GET with the given headers, answered with its status (101 for an upgrade that opened). */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/feed`, { headers });
    ws.once('open', () => { ws.terminate(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); });
    ws.once('error', (e) => { if (!/closed before the connection/.test(e.message)) reject(e); });
  });
}

function getStatus(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      // an accepted event stream never ends: its status is enough
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) { resolve({ status: res.statusCode ?? 0, body: '' }); req.destroy(); }
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

async function api(base: string, path: string): Promise<{ status: number; json: any }> {
  const r = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, json: await r.json() };
}

function servePage(html: string): Promise<number> {
  return new Promise((resolve) => {
    pageServer = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end(html); });
    pageServer.listen(0, '127.0.0.1', () => resolve((pageServer!.address() as { port: number }).port));
  });
}

describe('listeners refuse cross-site pages (serve --market feed --feed-port)', () => {
  it('a page from another localhost port can neither publish into the feed handler nor read /feed/stats; spreadcore publish still works', async () => {
    const feedPort = await freePort();
    const s: CliProcess = await startCli(['serve', '--port', '0', '--data-dir', join(tmp, 'data'), '--market', 'feed', '--feed-port', String(feedPort)],
      /control API listening on (http:\/\/127\.0\.0\.1:\d+)\/api/);
    const base = s.match[1]!;

    const frame = evilFrame().toString('base64');
    const html = `<!doctype html><title>elsewhere</title><script>
      window.attempt = () => new Promise((resolve) => {
        const out = { ws: 'pending', stats: 'pending' };
        let left = 2;
        const done = () => { if (--left === 0) resolve(out); };
        const bytes = Uint8Array.from(atob(${JSON.stringify(frame)}), (c) => c.charCodeAt(0));
        const ws = new WebSocket('ws://127.0.0.1:${feedPort}/feed');
        ws.binaryType = 'arraybuffer';
        ws.onopen = () => { out.ws = 'open'; ws.send(bytes); setTimeout(() => ws.close(), 300); };
        ws.onclose = (e) => { if (out.ws === 'pending') out.ws = 'refused:' + e.code; done(); };
        fetch('http://127.0.0.1:${feedPort}/feed/stats').then((r) => { out.stats = 'status:' + r.status; }, (e) => { out.stats = 'failed:' + e.name; }).finally(done);
      });
    </script>`;
    const pagePort = await servePage(html);
    const page = await browser!.newPage();
    const console: string[] = [];
    page.on('console', (m) => console.push(m.text()));
    const statuses: number[] = [];
    page.on('response', (r) => { if (r.url().includes(`:${feedPort}/`)) statuses.push(r.status()); });
    await page.goto(`http://127.0.0.1:${pagePort}/`);
    const result = await page.evaluate(() => (globalThis as unknown as { attempt: () => Promise<{ ws: string; stats: string }> }).attempt());
    await page.close();

    expect(result.ws).toMatch(/^refused:/);
    expect(result.stats).toMatch(/^failed:/); // no CORS header either way; the server's answer is 403 below
    expect(console.join('\n')).toMatch(/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/feed' failed.*403/s);

    // the same requests from Node, with the page's Origin: 403 on the upgrade and on the stats
    const origin = `http://127.0.0.1:${pagePort}`;
    expect(await upgradeStatus(feedPort, { origin })).toBe(403);
    expect(await upgradeStatus(feedPort, { origin: 'null' })).toBe(403);
    const stats = await getStatus(feedPort, '/feed/stats', { origin });
    expect(stats.status).toBe(403);
    expect(JSON.parse(stats.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // a name that resolves here by DNS rebinding: 403 without any Origin
    expect(await upgradeStatus(feedPort, { host: `evil.example:${feedPort}` })).toBe(403);
    expect((await getStatus(feedPort, '/feed/stats', { host: `evil.example:${feedPort}` })).status).toBe(403);
    // the control API's event stream: a cross-site EventSource is refused too; same-origin is served
    const apiPort = Number(new URL(base).port);
    expect((await getStatus(apiPort, '/api/stream', { origin })).status).toBe(403);
    expect((await getStatus(apiPort, '/api/stream', { origin: base })).status).toBe(200);

    // nothing reached the books
    expect((await api(base, '/api/health')).json).toMatchObject({ ok: true, symbols: [] });
    expect((await api(base, '/api/market/depth?symbol=EVILUSD')).status).toBeGreaterThanOrEqual(400);
    const own = await getStatus(feedPort, '/feed/stats', {});
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body).totals).toMatchObject({ connectionsAccepted: 0, frames: 0 });
    expect(JSON.parse(own.body).totals.upgradesRefused).toBeGreaterThanOrEqual(4);

    // a publisher that is not a browser sends no Origin and is served
    const pub = await runCli(['publish', '--source', `binance:${shortRec}`, '--speed', 'max', '--url', `ws://127.0.0.1:${feedPort}/feed`]);
    expect(pub.code, pub.out).toBe(0);
    expect((await api(base, '/api/health')).json).toMatchObject({ ok: true, symbols: ['BTCUSDT'] });
    expect((await api(base, '/api/market/depth?symbol=BTCUSDT&limit=1')).json.bids.length).toBe(1);

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 60_000);
});
