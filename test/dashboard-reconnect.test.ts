// The dashboard's event stream in a real browser (headless Chromium via playwright-core)
// against `spreadcore serve` (the compiled CLI):
//  - the server goes away (SIGTERM ends every SSE client, then the process) and comes
//    back on the same port with the same data directory: the page shows the outage,
//    reconnects by itself, gets `resync` (its last id is from the old process), reloads
//    state (the strategy restored stopped), and a strategy started again from the page
//    brings new fills over the new stream;
//  - the connection drops while the server stays up (a TCP proxy between the browser and
//    the server cuts every connection): the browser resumes with Last-Event-ID from the
//    server's replay buffer, no resync, and no fill made during the gap is missing;
//  - with a bearer token the page asks for it, keeps it in sessionStorage, sends it as
//    a header on the API and on the fetch-read stream, and never puts it in a URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// the page's globals as used by the functions evaluated in the browser (the project compiles without the DOM library)
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelectorAll(selector: string): ArrayLike<{ width?: number }> & Iterable<{ width?: number }>;
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
};
declare const sessionStorage: { getItem(key: string): string | null };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'spreadcore.js');
const FAST = {
  type: 'MarketMaking', symbols: ['BTCUSDT'],
  parameters: { spread_bps: 1.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 1.0, inventory_skew: true, skew_factor: 0.5 },
};
const TOKEN = 'dashboard-browser-token-9f8e7d6c';

interface Server { child: ChildProcess; base: string; port: number; exited: Promise<number | null> }

const children = new Set<ChildProcess>();
const dirs: string[] = [];
let browser: Browser | undefined;

function serve(dataDir: string, port: number, extra: string[] = []): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--seed', '4', '--data-dir', dataDir, ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL: ${out}`)), 15_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:(\d+))\//.exec(out);
      if (m !== null) { clearTimeout(timer); resolve({ child, base: m[1]!, port: Number(m[2]), exited }); }
    });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`serve exited early: ${out}`)); });
  });
}

async function api(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const r = await fetch(base + path, { method, headers, signal: AbortSignal.timeout(5000), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, json: await r.json() };
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spreadcore-dash-rc-'));
  dirs.push(d);
  return d;
}

interface Watch { phase: string; consoleErrors: string[]; pageErrors: string[]; refused: string[] }

/** Console errors and refused responses, each prefixed with the phase of the test it happened in. */
function watch(page: Page): Watch {
  const w: Watch = { phase: 'up', consoleErrors: [], pageErrors: [], refused: [] };
  page.on('response', (r) => { if (r.status() >= 400) w.refused.push(`${w.phase}: ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`); });
  page.on('console', (m) => { if (m.type() === 'error') w.consoleErrors.push(`${w.phase}: ${m.text()}`); });
  page.on('pageerror', (e) => { w.pageErrors.push(String(e)); });
  return w;
}

/** A TCP proxy to 127.0.0.1:targetPort; dropAll() cuts every connection it carries. */
function tcpProxy(targetPort: number): Promise<{ port: number; dropAll: () => number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => { a.destroy(); b.destroy(); });
      a.on('close', () => { sockets.delete(a); b.destroy(); });
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      const dropAll = (): number => { const n = sockets.size; for (const x of sockets) x.destroy(); return n; };
      resolve({ port, dropAll, close: () => { dropAll(); server.close(); } });
    });
  });
}

const streamState = (page: Page): Promise<string | undefined> => page.evaluate(() => document.body.dataset.stream);
const fillRows = (page: Page, id: string): Promise<number> => page.locator(`#fills tbody tr[data-strategy="${id}"]`).count();

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/gateway/routes-static.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('dashboard stream in Chromium', () => {
  it('reconnects after the server drops its stream clients and restarts on the same port; resync reloads the state', async () => {
    const dataDir = tempDir();
    // a port below the ephemeral range, so that no outgoing connection takes it while the server is down
    let s1: Server | undefined;
    for (let attempt = 0; s1 === undefined; attempt++) {
      try { s1 = await serve(dataDir, 20_000 + Math.floor(Math.random() * 10_000)); } catch (e) { if (attempt >= 4) throw e; }
    }
    expect((await api(s1.base, 'POST', '/api/strategy/load', { name: 'rc_mm', ...FAST })).status).toBe(200);
    expect((await api(s1.base, 'POST', '/api/strategy/rc_mm/start')).status).toBe(200);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const w = watch(page);
    await page.goto(`${s1.base}/`, { timeout: 15_000 });
    await page.waitForFunction(() => document.body.dataset.stream === 'live', undefined, { timeout: 15_000 });
    await page.waitForSelector('#fills tbody tr[data-strategy="rc_mm"]', { timeout: 60_000 });
    expect(await page.evaluate(() => document.body.dataset.resyncs)).toBeUndefined();

    // SIGTERM: the hub ends every stream, the process exits; the page notices
    w.phase = 'down';
    s1.child.kill('SIGTERM');
    expect(await s1.exited).toBe(0);
    await page.waitForFunction(() => document.body.dataset.stream !== 'live', undefined, { timeout: 10_000 });
    expect(['reconnecting', 'connecting']).toContain(await streamState(page));
    expect(await page.textContent('#conn')).not.toBe('live');
    await page.waitForTimeout(1500); // a few refused reconnects while nothing listens

    // the same port again: the journal brings the strategy back stopped
    const s2 = await serve(dataDir, s1.port);
    expect(s2.port).toBe(s1.port);
    await page.waitForFunction(() => document.body.dataset.stream === 'live', undefined, { timeout: 20_000 });
    await page.waitForFunction(() => Number(document.body.dataset.resyncs ?? 0) >= 1, undefined, { timeout: 20_000 });
    await page.waitForSelector('#strategies tr[data-id="rc_mm"] .status.stopped', { timeout: 10_000 });
    await page.waitForTimeout(1500); // requests sent to the old process may still be answered as it shuts down
    w.phase = 'back';
    expect(await page.textContent('#log')).toMatch(/stream resync \((too_old|unknown_id)\)/);

    // started again from the page: new fills arrive over the new stream
    const before = await fillRows(page, 'rc_mm');
    const eventsBefore = Number(await page.evaluate(() => document.body.dataset.events));
    await page.click('#strategies button[data-action="start"][data-id="rc_mm"]');
    await page.waitForSelector('#strategies tr[data-id="rc_mm"] .status.running', { timeout: 10_000 });
    await page.waitForFunction((n) => document.querySelectorAll('#fills tbody tr[data-strategy="rc_mm"]').length > n, before, { timeout: 60_000 });
    expect(Number(await page.evaluate(() => document.body.dataset.events))).toBeGreaterThan(eventsBefore);
    expect(await streamState(page)).toBe('live');

    expect(w.pageErrors).toEqual([]);
    // console errors only while the server was down: the browser's notes on refused connections, and
    // on answers of the old process as it shut down (its stream closed: 503; its engine closed: 404)
    for (const m of w.consoleErrors) expect(m).toMatch(/^down: Failed to load resource: (net::ERR_CONNECTION_REFUSED|net::ERR_EMPTY_RESPONSE|net::ERR_CONNECTION_RESET|the server responded with a status of (503|404))/);
    for (const r of w.refused) expect(r).toMatch(/^down: /);
    await page.close();
    s2.child.kill('SIGTERM');
    expect(await s2.exited).toBe(0);
  }, 120_000);

  it('resumes with Last-Event-ID after its connections drop while the server stays up: no resync, no fill missing', async () => {
    const s = await serve(tempDir(), 0);
    const proxy = await tcpProxy(s.port);
    expect((await api(s.base, 'POST', '/api/strategy/load', { name: 'drop_mm', ...FAST })).status).toBe(200);
    expect((await api(s.base, 'POST', '/api/strategy/drop_mm/start')).status).toBe(200);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const w = watch(page);
    const resumeIds: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/stream') void r.allHeaders().then((h) => resumeIds.push(h['last-event-id'] ?? new URL(r.url()).searchParams.get('last_event_id') ?? ''));
    });
    await page.goto(`http://127.0.0.1:${proxy.port}/`, { timeout: 15_000 });
    await page.waitForFunction(() => document.body.dataset.stream === 'live', undefined, { timeout: 15_000 });
    await page.waitForSelector('#fills tbody tr[data-strategy="drop_mm"]', { timeout: 60_000 });
    // some events seen, so the page has an id to resume from
    await page.waitForFunction(() => Number(document.body.dataset.events ?? 0) >= 5, undefined, { timeout: 20_000 });

    await page.waitForFunction(() => Number(document.body.dataset.historyLoads ?? 0) >= 1, undefined, { timeout: 20_000 });
    const historyLoads = Number(await page.evaluate(() => document.body.dataset.historyLoads));
    w.phase = 'down';
    expect(proxy.dropAll()).toBeGreaterThan(0);
    await page.waitForFunction(() => document.body.dataset.stream !== 'live', undefined, { timeout: 10_000 });
    const tradesAtDrop = (await api(s.base, 'GET', '/api/strategy/drop_mm/trades?limit=1000')).json.trades.length as number;
    // the browser waits the server's retry (3 s) and reconnects through the proxy
    await page.waitForFunction(() => document.body.dataset.stream === 'live', undefined, { timeout: 20_000 });
    w.phase = 'back';
    expect(resumeIds[0]).toBe('');
    expect(resumeIds.length).toBeGreaterThanOrEqual(2);
    expect(resumeIds.at(-1)).toMatch(/^\d+$/); // the reconnect carried its resume point
    // the charts' history is loaded again: the samples the server took while the page was away
    await page.waitForFunction((n) => Number(document.body.dataset.historyLoads ?? 0) > n, historyLoads, { timeout: 20_000 });
    // fills made while the page was away arrive from the replay buffer
    await page.waitForFunction((n) => document.querySelectorAll('#fills tbody tr[data-strategy="drop_mm"]').length > n, tradesAtDrop, { timeout: 60_000 });
    expect((await api(s.base, 'POST', '/api/strategy/drop_mm/stop')).status).toBe(200);
    await page.waitForSelector('#strategies tr[data-id="drop_mm"] .status.stopped', { timeout: 10_000 });
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => document.body.dataset.resyncs)).toBeUndefined();
    expect(await page.textContent('#log')).not.toContain('without a resume point');
    const trades = (await api(s.base, 'GET', '/api/strategy/drop_mm/trades?limit=1000')).json.trades as { price: number }[];
    expect(trades.length).toBeLessThanOrEqual(100); // all of them fit in the table
    const shown = await page.locator('#fills tbody tr[data-strategy="drop_mm"] td:nth-child(4)').allTextContents();
    expect(shown.map(Number).sort()).toEqual(trades.map((t) => t.price).sort());

    expect(w.pageErrors).toEqual([]);
    for (const m of w.consoleErrors) expect(m).toMatch(/^down: Failed to load resource: net::ERR_(EMPTY_RESPONSE|CONNECTION_RESET|CONNECTION_CLOSED|INCOMPLETE_CHUNKED_ENCODING)/);
    expect(w.refused).toEqual([]);
    await page.close();
    proxy.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 120_000);

  it('with a bearer token: the page asks for it, then uses it in headers only (API and fetch-read stream)', async () => {
    const s = await serve(tempDir(), 0, ['--token', TOKEN]);
    expect((await api(s.base, 'POST', '/api/strategy/load', { name: 'tok_mm', ...FAST }, TOKEN)).status).toBe(200);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const w = watch(page);
    const requests: { url: string; auth: string | undefined }[] = [];
    page.on('request', (r) => { requests.push({ url: r.url(), auth: r.headers().authorization }); });
    await page.goto(`${s.base}/`, { timeout: 15_000 });
    await page.waitForFunction(() => document.body.dataset.stream === 'unauthorized', undefined, { timeout: 15_000 });
    expect(await page.getAttribute('#token-box', 'class')).toContain('need');
    expect(await page.textContent('#conn')).toBe('token needed');
    await page.waitForTimeout(2000);
    expect(await streamState(page)).toBe('unauthorized'); // waits for the token instead of retrying

    await page.fill('#token-input', TOKEN);
    await page.click('#token-btn');
    await page.waitForFunction(() => document.body.dataset.stream === 'live', undefined, { timeout: 15_000 });
    await page.waitForSelector('#strategies tr[data-id="tok_mm"]', { timeout: 10_000 });
    expect(await page.inputValue('#token-input')).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('spreadcore.token'))).toBe(TOKEN);

    // fills reach the page over the stream read with fetch (the strategy starts after the page is live)
    await page.click('#strategies button[data-action="start"][data-id="tok_mm"]');
    await page.waitForSelector('#fills tbody tr[data-strategy="tok_mm"]', { timeout: 60_000 });
    expect(Number(await page.evaluate(() => document.body.dataset.events))).toBeGreaterThan(0);

    for (const r of requests) expect(r.url).not.toContain(TOKEN);
    expect(page.url()).not.toContain(TOKEN);
    const streamReqs = requests.filter((r) => new URL(r.url).pathname === '/api/stream');
    expect(streamReqs.some((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(requests.filter((r) => new URL(r.url).pathname === '/api/strategies').some((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);

    expect(w.pageErrors).toEqual([]);
    // the browser's notes on the few requests refused before the token was given
    expect(w.consoleErrors.length).toBeLessThanOrEqual(8);
    for (const m of w.consoleErrors) expect(m).toMatch(/status of 401/);
    for (const r of w.refused) expect(r).toMatch(/^up: 401 GET \/api\/(health|stream|strategies)$/);
    await page.close();
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 120_000);
});
