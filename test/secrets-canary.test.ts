// Secrets never leak: `spreadcore serve` (the real CLI, a child process) runs with
// canary values as its API bearer token, its feed-handler token and the usual
// Binance API key / secret variables (the connector reads only public market data
// and takes no key: the variables are set to prove nothing picks them up). Every
// route is exercised, with the right token and with wrong ones that contain the
// canary, through the error paths (401, 403, 404, 405, 413, 415, 400 with bodies
// the error echoes, 429), the event stream is read while a strategy trades, the
// feed handler is asked with good and bad tokens; then the server is stopped and
// stdout, stderr, every response status line, header and body, the stream bytes,
// and every file in the data directory (SQLite journal, WAL, shared memory) are
// searched for the canaries: none may be there. The server logs at debug level, so
// every request is in its log (with its Authorization header and query string in
// hand, including canaries sent as token, signature and key query values): the log
// lines are there, the canaries are not.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BinanceProtocolServer } from '../src/feed/binance-server/binance-protocol-server.js';
import { BIN, ROOT } from './support/run-cli.js';
import { sleep } from './support/wait.js';
import { freePort } from './support/free-port.js';
import { replicaState, startKalshiReplica, startPolymarketReplica } from './support/prediction-replicas.js';
import { stopAll } from './support/cli-process.js';

const CANARY = 'CANARYapi7f3a9c1e5b2d4f60a8e1';
const FEED_CANARY = 'CANARYfeed0b1c2d3e4f5a6b7c8d9';
const KEY_CANARY = 'CANARYkey5e6f7a8b9c0d1e2f3a4b';
const SECRET_CANARY = 'CANARYsecret9a8b7c6d5e4f3a2b1';
const CANARIES = [CANARY, FEED_CANARY, KEY_CANARY, SECRET_CANARY];
const SPOT_BTC = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');

let tmp = '';
const children = new Set<ChildProcess>();
const cleanup: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-canary-'));
});
afterEach(async () => {
  stopAll();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const f of cleanup.splice(0).reverse()) await f();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


/** Everything a client saw: status lines, headers, bodies, stream bytes. */
class Seen {
  text = '';
  add(s: string): void { this.text += `${s}\n`; }
  async response(r: Response): Promise<string> {
    const body = await r.text();
    this.add(`${r.status} ${r.statusText}`);
    for (const [k, v] of r.headers) this.add(`${k}: ${v}`);
    this.add(body);
    return body;
  }
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

async function runScenario(market: 'sim' | 'binance'): Promise<void> {
  const dataDir = mkdtempSync(join(tmp, `data-${market}-`));
  const feedPort = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPREADCORE_')) env[k] = v;
  Object.assign(env, {
    SPREADCORE_API_TOKEN: CANARY, SPREADCORE_FEED_TOKEN: FEED_CANARY, SPREADCORE_FEED_PORT: String(feedPort), SPREADCORE_LOG_LEVEL: 'debug',
    BINANCE_API_KEY: KEY_CANARY, BINANCE_API_SECRET: SECRET_CANARY, SPREADCORE_BINANCE_API_KEY: KEY_CANARY, SPREADCORE_BINANCE_API_SECRET: SECRET_CANARY,
  });
  if (market === 'binance') {
    const server = await BinanceProtocolServer.start({ market: 'spot', recordings: [SPOT_BTC], speed: 1 });
    cleanup.push(() => server.close());
    Object.assign(env, { SPREADCORE_MARKET: 'binance', SPREADCORE_BINANCE_REST_URL: server.restUrl, SPREADCORE_BINANCE_WS_URL: server.wsUrl });
  }
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let logs = '';
  child.stdout!.on('data', (b: Buffer) => { logs += b.toString('latin1'); });
  child.stderr!.on('data', (b: Buffer) => { logs += b.toString('latin1'); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const t0 = Date.now();
  while (!/listening on http:\/\/127\.0\.0\.1:\d+\/api/.test(logs)) {
    if (Date.now() - t0 > 15_000 || child.exitCode !== null) throw new Error(`serve did not start: ${logs}`);
    await sleep(20);
  }
  const base = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(logs)![1]!;
  const seen = new Seen();
  const auth = { authorization: `Bearer ${CANARY}` };
  const call = async (method: string, path: string, opts: { body?: string; headers?: Record<string, string> } = {}): Promise<Response> => {
    const r = await fetch(base + path, { method, headers: opts.headers ?? auth, ...(opts.body !== undefined ? { body: opts.body } : {}), signal: AbortSignal.timeout(5000) });
    return r;
  };
  const json = { ...auth, 'content-type': 'application/json' };
  const expectStatus = async (r: Promise<Response>, status: number): Promise<string> => {
    const res = await r;
    const body = await seen.response(res);
    expect(res.status, body).toBe(status);
    return body;
  };

  // wait for a two-sided book
  for (let i = 0; i < 150; i++) {
    const d = await (await call('GET', '/api/market/depth?symbol=BTCUSDT&limit=3')).json() as { bids?: unknown[] };
    if ((d.bids?.length ?? 0) > 0) break;
    await sleep(100);
  }

  // the event stream, read while the strategy trades
  const ac = new AbortController();
  const stream = await fetch(`${base}/api/stream`, { headers: auth, signal: ac.signal });
  expect(stream.status).toBe(200);
  seen.add(`${stream.status}`);
  for (const [k, v] of stream.headers) seen.add(`${k}: ${v}`);
  const reader = stream.body!.getReader();
  let sseBytes = 0;
  const sse = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        sseBytes += value.byteLength;
        seen.add(Buffer.from(value).toString('latin1'));
      }
    } catch { /* aborted */ }
  })();

  // every route, the right token
  await expectStatus(call('GET', '/api/health'), 200);
  await expectStatus(call('GET', '/api/strategies'), 200);
  await expectStatus(call('POST', '/api/strategy/load', {
    headers: json,
    body: JSON.stringify({ name: 'canary_mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 2, level_spacing_bps: 1 } }),
  }), 200);
  await expectStatus(call('POST', '/api/strategy/canary_mm/start', { headers: auth }), 200);
  await sleep(1500);
  await expectStatus(call('GET', '/api/strategy/canary_mm/quotes'), 200);
  await expectStatus(call('PATCH', '/api/strategy/canary_mm/parameters', { headers: json, body: JSON.stringify({ spread_bps: 3 }) }), 200);
  await expectStatus(call('GET', '/api/strategy/canary_mm/metrics'), 200);
  await expectStatus(call('GET', '/api/strategy/canary_mm/inventory'), 200);
  await expectStatus(call('GET', '/api/strategy/canary_mm/trades?limit=5'), 200);
  await seen.response(await call('POST', '/api/strategy/canary_mm/reduce_inventory', { headers: json, body: JSON.stringify({ target_position: 0 }) }));
  await seen.response(await call('POST', '/api/order', { headers: json, body: JSON.stringify({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' }) }));
  const metrics = await expectStatus(call('GET', '/metrics'), 200);
  expect(metrics).toMatch(/spreadcore_fills_total/);
  await expectStatus(call('GET', '/'), 200);
  await expectStatus(call('POST', '/api/kill', { headers: json, body: JSON.stringify({ note: 'canary test' }) }), 200);
  await expectStatus(call('POST', '/api/resume', { headers: json, body: '{}' }), 200);
  await expectStatus(call('POST', '/api/strategy/canary_mm/stop', { headers: auth }), 200);

  // error paths, with tokens that contain the canary
  await expectStatus(call('GET', '/api/strategies', { headers: {} }), 401);
  await expectStatus(call('GET', '/api/strategies', { headers: { authorization: `Bearer ${CANARY}x` } }), 401);
  await expectStatus(call('GET', '/api/strategies', { headers: { authorization: `Bearer x${CANARY}` } }), 401);
  await expectStatus(call('GET', '/metrics', { headers: { authorization: `Basic ${CANARY}` } }), 401);
  await expectStatus(call('GET', '/api/stream', { headers: { authorization: CANARY } }), 401);
  await expectStatus(call('POST', '/api/strategy/load', { headers: { authorization: `Bearer ${CANARY}!`, 'content-type': 'application/json' }, body: '{"name":"x"}' }), 401);
  await expectStatus(call('GET', '/api/nope'), 404);
  await expectStatus(call('GET', '/api/strategy/unknown_id/metrics'), 404);
  await expectStatus(call('PUT', '/api/strategies'), 405);
  await expectStatus(call('POST', '/api/strategy/load', { headers: { ...auth, 'content-type': 'text/plain' }, body: 'x' }), 415);
  await expectStatus(call('POST', '/api/strategy/load', { headers: json, body: `{"name":"${'a'.repeat(70_000)}"}` }), 413);
  await expectStatus(call('POST', '/api/strategy/load', { headers: json, body: '{"name": "x", "bogus_field": 1' }), 400);
  await expectStatus(call('POST', '/api/strategy/load', { headers: json, body: JSON.stringify({ name: 'x y', type: 'MarketMaking', symbols: ['NOPE'], parameters: { spread_bps: 'wide' } }) }), 400);
  await seen.response(await call('PATCH', '/api/strategy/canary_mm/parameters', { headers: json, body: JSON.stringify({ not_a_parameter: 1, spread_bps: -1 }) }));
  await seen.response(await call('POST', '/api/order', { headers: json, body: JSON.stringify({ side: 'SIDEWAYS', symbol: 'BTCUSDT', qty: 1 }) }));
  await seen.response(await call('GET', '/api/market/depth?symbol=%ZZ&limit=abc'));
  // secrets in query strings (a client that puts its credentials in the URL): censored in the request log
  await seen.response(await call('GET', `/api/market/depth?symbol=BTCUSDT&limit=3&token=${CANARY}&signature=${SECRET_CANARY}&apiKey=${KEY_CANARY}`));
  await seen.response(await call('GET', `/api/strategies?access_token=${CANARY}`, { headers: { authorization: `Bearer ${CANARY}1` } }));
  await seen.response(await call('GET', `/api/nope?key=${KEY_CANARY}&secret=${SECRET_CANARY}`));
  await expectStatus(call('POST', '/api/kill', { headers: { ...json, origin: 'http://evil.example' }, body: '{}' }), 403);
  const hostStatus = await new Promise<number>((resolve, reject) => {
    const req = request(`${base}/api/strategies`, { headers: { host: 'evil.example', ...auth } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('latin1'); });
      res.on('end', () => { seen.add(`${res.statusCode} ${JSON.stringify(res.headers)} ${body}`); resolve(res.statusCode ?? 0); });
    });
    req.on('error', reject);
    req.end();
  });
  expect(hostStatus).toBe(403);
  await expectStatus(call('DELETE', '/api/strategy/canary_mm', { headers: auth }), 200);

  // the feed handler: stats with its token, and a refused publisher
  const stats = await fetch(`http://127.0.0.1:${feedPort}/feed/stats`, { headers: { authorization: `Bearer ${FEED_CANARY}` } });
  expect(stats.status).toBe(200);
  await seen.response(stats);
  const badStats = await fetch(`http://127.0.0.1:${feedPort}/feed/stats`, { headers: { authorization: `Bearer ${FEED_CANARY}0` } });
  expect(badStats.status).toBe(401);
  await seen.response(badStats);
  const refused = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${feedPort}/feed`, { headers: { authorization: `Bearer ${CANARY}` } });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('latin1'); });
      res.on('end', () => resolve(`${res.statusCode} ${JSON.stringify(res.headers)} ${body}`));
    });
    ws.on('open', () => { ws.close(); resolve('open'); });
    ws.on('error', (e) => resolve(`error ${e.message}`));
  });
  expect(refused).toMatch(/^401/);
  seen.add(refused);

  // over the request limit: 429
  const flood = await Promise.all(Array.from({ length: 160 }, () => call('GET', '/api/strategies').then(async (r) => { await seen.response(r); return r.status; })));
  expect(flood).toContain(429);

  await sleep(200);
  ac.abort();
  await sse;
  expect(sseBytes).toBeGreaterThan(100);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  // the search
  const journalFiles = files(dataDir);
  expect(journalFiles.length).toBeGreaterThan(0);
  for (const c of CANARIES) {
    expect(logs.includes(c), `${c} in stdout/stderr`).toBe(false);
    expect(seen.text.includes(c), `${c} in a response, header or the stream`).toBe(false);
    const needles = [Buffer.from(c, 'utf8'), Buffer.from(c, 'utf16le'), Buffer.from(Buffer.from(c).toString('base64').slice(0, 24))];
    for (const f of journalFiles) {
      const bytes = readFileSync(f);
      for (const n of needles) expect(bytes.includes(n), `${c} in ${f}`).toBe(false);
    }
  }
  // the request log is there (debug level): each request with its id, 4xx among them, queries censored
  const requestLines = logs.split('\n').filter((l) => l.startsWith('{') && l.includes('"req_id"'));
  expect(requestLines.length, logs.slice(-2000)).toBeGreaterThan(30);
  expect(requestLines.some((l) => l.includes('"status":401'))).toBe(true);
  expect(logs).toContain('token=[redacted]&signature=[redacted]&apiKey=[redacted]');
  expect(logs).toContain('"path":"/api/strategy/canary_mm/metrics"');
  // the market and the strategy log nothing per event, even at debug: thousands of events, a handful of other lines
  const otherLines = logs.split('\n').filter((l) => l.startsWith('{') && !l.includes('"req_id"'));
  expect(otherLines.length, otherLines.slice(0, 5).join('\n')).toBeLessThan(20);
  // the search itself works: the canary strategy's name is in the journal and the responses
  expect(journalFiles.some((f) => readFileSync(f).includes(Buffer.from('canary_mm')))).toBe(true);
  expect(seen.text).toContain('canary_mm');
}

// Kalshi and Polymarket live (serve --market kalshi,polymarket against both replicas): the
// Kalshi key id, the RSA private key (its PEM body and its first base64 line), the
// Polymarket wallet key, and the API credentials the replica derived for that wallet.
const KALSHI_KEY_ID_CANARY = 'CANARYkalshiKeyId4d5e6f7a8b9c';
const WALLET_CANARY = '0xca4a2ca4a2ca4a2c0ffee0ca4a2ca4a2ca4a2ca4a2ca4a2c0ffee0ca4a2ca4a2';

async function runPredictionScenario(): Promise<void> {
  const dataDir = mkdtempSync(join(tmp, 'data-prediction-'));
  const k = await startKalshiReplica(join(tmp, 'keys-canary'), ['--key-id', KALSHI_KEY_ID_CANARY]);
  const p = await startPolymarketReplica();
  const pemBody = k.privateKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const pemLine = k.privateKeyPem.split('\n')[1]!;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [key, v] of Object.entries(process.env)) if (!key.startsWith('SPREADCORE_')) env[key] = v;
  Object.assign(env, {
    SPREADCORE_API_TOKEN: CANARY, KALSHI_API_KEY_ID: KALSHI_KEY_ID_CANARY, KALSHI_PRIVATE_KEY_PEM: k.privateKeyPem, POLYMARKET_PRIVATE_KEY: WALLET_CANARY,
  });
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data-dir', dataDir, '--market', 'kalshi,polymarket',
    '--kalshi-rest-url', k.url, '--polymarket-rest-url', p.url], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let logs = '';
  child.stdout!.on('data', (b: Buffer) => { logs += b.toString('latin1'); });
  child.stderr!.on('data', (b: Buffer) => { logs += b.toString('latin1'); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const t0 = Date.now();
  while (!/listening on http:\/\/127\.0\.0\.1:\d+\/api/.test(logs)) {
    if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`serve did not start: ${logs}`);
    await sleep(50);
  }
  const base = `http://127.0.0.1:${port}`;
  const seen = new Seen();
  const auth = { authorization: `Bearer ${CANARY}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = body === undefined ? auth : json): Promise<string> => {
    const r = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(5000) });
    return seen.response(r);
  };
  const ac = new AbortController();
  const stream = await fetch(`${base}/api/stream`, { headers: auth, signal: ac.signal });
  const reader = stream.body!.getReader();
  const sse = (async () => {
    try { for (;;) { const { value, done } = await reader.read(); if (done) break; seen.add(Buffer.from(value).toString('latin1')); } } catch { /* aborted */ }
  })();
  await call('GET', '/api/health');
  await call('GET', '/api/markets');
  await call('POST', '/api/strategy/load', { name: 'canary_pm', type: 'MarketMaking', universe: { venue: 'kalshi', kind: 'binary' }, parameters: { max_markets: 1, base_spread: 0.02, quote_size: 5, quote_levels: 1, max_inventory: 20 } });
  await call('POST', '/api/strategy/load', { name: 'canary_poly', type: 'MarketMaking', universe: { venue: 'polymarket', kind: 'binary' }, parameters: { max_markets: 1, base_spread: 0.04, quote_size: 10, quote_levels: 1, max_inventory: 50 } });
  await call('POST', '/api/strategy/canary_pm/start', {});
  await call('POST', '/api/strategy/canary_poly/start', {});
  // both venues received our signed orders
  for (let i = 0; i < 100; i++) {
    const ks = await replicaState<{ orders: unknown[] }>(k.url);
    const ps = await replicaState<{ orders: unknown[] }>(p.url);
    if (ks.orders.length > 0 && ps.orders.length > 0) break;
    await sleep(100);
  }
  const ps = await replicaState<{ accounts: Array<{ apiKey: string }> }>(p.url);
  expect(ps.accounts.length).toBe(1);
  const derivedKey = ps.accounts[0]!.apiKey;
  await sleep(1500);
  await call('GET', '/api/strategy/canary_pm/quotes');
  await call('GET', '/api/strategy/canary_poly/quotes');
  await call('GET', '/metrics');
  await call('POST', '/api/kill', { note: 'canary' });
  await call('POST', '/api/resume', {});
  await call('GET', '/api/strategies', undefined, { authorization: `Bearer ${WALLET_CANARY}` });
  await call('POST', '/api/strategy/load', { name: 'bad', universe: { venue: 'kalshi', kind: 'binary' }, parameters: { max_markets: -1 } });
  await call('POST', '/api/strategy/canary_pm/stop', {});
  await call('POST', '/api/strategy/canary_poly/stop', {});
  ac.abort();
  await sse;
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const journalFiles = files(dataDir);
  expect(journalFiles.length).toBeGreaterThan(0);
  for (const c of [CANARY, KALSHI_KEY_ID_CANARY, WALLET_CANARY, WALLET_CANARY.slice(2), pemLine, pemBody.slice(100, 160), derivedKey]) {
    expect(logs.includes(c), `${c.slice(0, 12)}… in stdout/stderr`).toBe(false);
    const inSeen = seen.text.includes(c);
    // the wallet canary was also sent as a wrong bearer token: the 401 must not echo it
    expect(inSeen, `${c.slice(0, 12)}… in a response, header or the stream`).toBe(false);
    for (const f of journalFiles) expect(readFileSync(f).includes(Buffer.from(c, 'utf8')), `${c.slice(0, 12)}… in ${f}`).toBe(false);
  }
  // the search works: the strategies and the venues' symbols are there
  expect(seen.text).toContain('canary_pm');
  expect(seen.text).toMatch(/KXSIM/);
  expect(journalFiles.some((f) => readFileSync(f).includes(Buffer.from('canary_poly')))).toBe(true);
}

describe('secrets never appear in logs, responses, the event stream or the journal', () => {
  it('serve on Kalshi and Polymarket (both replicas): venue keys and derived credentials', async () => { await runPredictionScenario(); }, 90_000);
  it('serve on the simulator with the feed handler', async () => { await runScenario('sim'); }, 60_000);
  it('serve on the Binance connector (local Binance-protocol server)', async () => { await runScenario('binance'); }, 60_000);
});
