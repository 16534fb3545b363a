// `spreadcore serve --market …` end to end: the real CLI as a child process, driven
// over HTTP. replay:FILE at the recorded pace (book and health while it runs, a
// strategy quoting on it), replay at full speed of a short recording (the depth
// endpoint shows exactly the book `spreadcore replay` computes; the end is said on
// stdout; the API keeps answering and the feed goes quiet), binance (the live
// connector against the local Binance-protocol server), and feed (the feed
// handler taking frames from `spreadcore publish` in another process).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BinanceProtocolServer } from '../src/feed/binance-server/binance-protocol-server.js';
import { BIN, ROOT } from './support/run-cli.js';
import { sleep, waitFor } from './support/wait.js';
import { freePort } from './support/free-port.js';

const SPOT_BTC = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
let tmp = '';
let shortRec = '';
const children = new Set<ChildProcess>();
const cleanup: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-serve-markets-'));
  // the first 3,000 lines of the recording: a few seconds of BTCUSDT
  const lines = gunzipSync(readFileSync(SPOT_BTC)).toString('utf8').split('\n').slice(0, 3000);
  shortRec = join(tmp, 'btc-short.gz');
  writeFileSync(shortRec, gzipSync(`${lines.join('\n')}\n`));
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const f of cleanup.splice(0).reverse()) await f();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The environment without any SPREADCORE_ variable of the caller's. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPREADCORE_')) env[k] = v;
  return { ...env, ...extra };
}

interface Served { child: ChildProcess; base: string; out: () => string; exited: Promise<number | null> }

function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const dataDir = mkdtempSync(join(tmp, 'data-'));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', dataDir, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its port: ${out}`)), 15_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out);
      if (m !== null) { clearTimeout(timer); resolve({ child, base: m[1]!, out: () => out, exited }); }
    });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`serve exited early: ${out}`)); });
  });
}

async function stop(s: Served): Promise<void> {
  s.child.kill('SIGTERM');
  expect(await s.exited).toBe(0);
}

async function json(base: string, path: string, init: RequestInit = {}): Promise<any> {
  const r = await fetch(base + path, { ...init, signal: AbortSignal.timeout(5000) });
  return r.json();
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(t); resolve({ status, stdout, stderr }); });
  });
}

/** The book `spreadcore replay` prints for a recording, as the depth endpoint's numbers. */
async function referenceBook(file: string): Promise<{ bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] }> {
  const r = await run(['replay', '--source', `binance:${file}`, '--depth', '10']);
  expect(r.status, r.stderr).toBe(0);
  const line = JSON.parse(r.stdout.trim().split('\n')[0]!) as { bids: [string, string][]; asks: [string, string][] };
  const conv = (l: [string, string]): { price: number; qty: number } => ({ price: Number(l[0]), qty: Number(l[1]) });
  return { bids: line.bids.map(conv), asks: line.asks.map(conv) };
}


const STRATEGY = {
  name: 'btc_replay', type: 'MarketMaking', symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 2, level_spacing_bps: 2.0 },
};

describe('serve --market replay:FILE', () => {
  it('at the recorded pace: the book fills, health says replay/running, a strategy quotes on it', async () => {
    const s = await serve(['--market', `replay:${SPOT_BTC}`]);
    expect(s.out()).toMatch(/market: replay of binance spot BTCUSDT from .*spot_btcusdt_20240808\.gz at 1x the recorded pace/);
    let depth: any;
    for (let i = 0; i < 100; i++) {
      depth = await json(s.base, '/api/market/depth?symbol=BTCUSDT&limit=5');
      if (depth.bids?.length === 5 && depth.asks?.length === 5) break;
      await sleep(100);
    }
    expect(depth.bids).toHaveLength(5);
    expect(depth.bids[0].price).toBeGreaterThan(50_000);
    expect(depth.asks[0].price).toBeGreaterThan(depth.bids[0].price);
    const h1 = await json(s.base, '/api/health');
    expect(h1).toMatchObject({ ok: true, market: 'replay', market_state: 'running', speed: 1, symbols: ['BTCUSDT'] });
    expect(h1.recording).toMatch(/spot_btcusdt_20240808\.gz/);
    // paced, not all at once: the full recording is 41,249 lines over 346 s
    expect(h1.messages).toBeGreaterThan(0);
    expect(h1.messages).toBeLessThan(30_000);
    await sleep(300);
    expect((await json(s.base, '/api/health')).messages).toBeGreaterThan(h1.messages);

    expect(await json(s.base, '/api/strategy/load', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STRATEGY) })).toMatchObject({ ok: true });
    expect(await json(s.base, '/api/strategy/btc_replay/start', { method: 'POST' })).toMatchObject({ ok: true, status: 'running' });
    let quotes: any;
    for (let i = 0; i < 50; i++) {
      quotes = await json(s.base, '/api/strategy/btc_replay/quotes');
      if ((quotes.quotes?.bids?.length ?? 0) > 0) break;
      await sleep(100);
    }
    expect(quotes.quotes.bids.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/^spreadcore_market_source_info\{source="replay",state="running"\} 1$/m);
    expect(metrics).toMatch(/^spreadcore_strategies\{status="running"\} 1$/m);
    await stop(s);
  }, 40_000);

  it('at full speed: the depth endpoint shows the recorded book; the end is announced; the API keeps answering and the feed goes quiet', async () => {
    const reference = await referenceBook(shortRec);
    expect(reference.bids).toHaveLength(10);
    const s = await serve(['--market', `replay:${shortRec}`, '--speed', 'max']);
    await waitFor('the end of the recording', () => /the recording ended after \d+ messages/.test(s.out()), 15_000);
    expect(s.out()).toMatch(/the recording ended after 3000 messages; strategies keep their state/);
    const depth = await json(s.base, '/api/market/depth?symbol=BTCUSDT&limit=10');
    expect({ bids: depth.bids, asks: depth.asks }).toEqual(reference);
    expect(await json(s.base, '/api/health')).toMatchObject({ ok: true, market: 'replay', market_state: 'ended', messages: 3000 });
    // no data any more: after the ingest's stale-feed interval (5 s) the symbol is quiet
    let metrics = '';
    for (let i = 0; i < 80; i++) {
      metrics = await (await fetch(`${s.base}/metrics`)).text();
      if (/^spreadcore_feed_stale_feeds_total\{symbol="BTCUSDT"\} 1$/m.test(metrics)) break;
      await sleep(100);
    }
    expect(metrics).toMatch(/^spreadcore_feed_stale_feeds_total\{symbol="BTCUSDT"\} 1$/m);
    expect(metrics).toMatch(/^spreadcore_market_source_info\{source="replay",state="ended"\} 1$/m);
    expect((await json(s.base, '/api/health')).ok).toBe(true);
    await stop(s);
  }, 40_000);
});

describe('a recording that breaks off', () => {
  it('a gzip stream cut in the middle: the replay stops with the reason, health says failed, the API keeps answering', async () => {
    const gz = readFileSync(shortRec);
    const cut = join(tmp, 'btc-cut.gz');
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const s = await serve(['--market', `replay:${cut}`, '--speed', 'max']);
    await waitFor('the replay to stop', () => /the replay stopped after \d+ messages: /.test(s.out()), 15_000);
    const h = await json(s.base, '/api/health');
    expect(h).toMatchObject({ ok: true, market: 'replay', market_state: 'failed', error: expect.stringMatching(/^cannot read .*btc-cut\.gz: unexpected end of file$/) });
    expect(h.messages).toBeGreaterThan(100);
    expect((await json(s.base, '/api/strategies')).ok).toBe(true);
    await stop(s);
  }, 40_000);
});

describe('a journal from another market', () => {
  it('a restored strategy on a symbol the market lacks at start: exit 1 with what to do', async () => {
    const s = await serve(['--seed', '3']);
    const dataDir = /journal: (\S+) \(/.exec(s.out())![1]!;
    expect(await json(s.base, '/api/strategy/load', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STRATEGY) })).toMatchObject({ ok: true });
    await stop(s);
    const port = await freePort();
    const r = await run(['serve', '--port', '0', '--data-dir', dataDir, '--market', 'feed', '--feed-port', String(port)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the journal in .* holds a strategy on a symbol the feed market does not have at start \(the market has no symbol BTCUSDT\): use another --data-dir/);
    expect(r.stdout).not.toMatch(/listening/);
  }, 40_000);
});

describe('serve --market binance', () => {
  it('runs the Binance connector against a Binance-protocol server: in sync, the book in the depth endpoint', async () => {
    const server = await BinanceProtocolServer.start({ market: 'spot', recordings: [SPOT_BTC], speed: 1 });
    cleanup.push(() => server.close());
    const s = await serve(['--market', 'binance', '--symbols', 'BTCUSDT'], { SPREADCORE_BINANCE_REST_URL: server.restUrl, SPREADCORE_BINANCE_WS_URL: server.wsUrl });
    expect(s.out()).toMatch(/market: Binance spot BTCUSDT \(ws:\/\/127\.0\.0\.1:\d+\)/);
    // the server has no exchangeInfo (404): a built-in symbol starts on the built-in grids, and serve says so in one line
    expect(s.out()).toContain(`binance: paper grids from the built-in table (no usable exchangeInfo from ${server.restUrl}/api/v3/exchangeInfo: HTTP 404`);
    expect(s.out()).toContain('BTCUSDT (tick 0.01, order step 0.00001, book quantities on 0.000001)');
    let h: any;
    for (let i = 0; i < 100; i++) {
      h = await json(s.base, '/api/health');
      if (h.synced === true) break;
      await sleep(100);
    }
    expect(h).toMatchObject({ ok: true, market: 'binance', market_state: 'open', binance_market: 'spot', symbols: ['BTCUSDT'], synced: true, crossed_resyncs: 0 });
    expect(h.connects).toBeGreaterThanOrEqual(1);
    await waitFor('the synced line', () => /BTCUSDT in sync with Binance/.test(s.out()), 5000);
    const depth = await json(s.base, '/api/market/depth?symbol=BTCUSDT&limit=5');
    expect(depth.bids).toHaveLength(5);
    expect(depth.asks).toHaveLength(5);
    expect(depth.asks[0].price).toBeGreaterThan(depth.bids[0].price);
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/^spreadcore_market_source_info\{source="binance",state="open"\} 1$/m);
    await stop(s);
  }, 40_000);
});

describe('serve --market feed (--feed-port)', () => {
  it('the feed handler takes `spreadcore publish` from another process into the engine', async () => {
    const reference = await referenceBook(shortRec);
    const port = await freePort();
    const s = await serve(['--market', 'feed'], { SPREADCORE_FEED_PORT: String(port) });
    expect(s.out()).toMatch(new RegExp(`feed handler listening on ws://127\\.0\\.0\\.1:${port}/feed`));
    expect(await json(s.base, '/api/health')).toMatchObject({ ok: true, market: 'feed', market_state: 'waiting', symbols: [] });
    const pub = await run(['publish', '--source', `binance:${shortRec}`, '--speed', 'max', '--url', `ws://127.0.0.1:${port}/feed`]);
    expect(pub.status, pub.stderr).toBe(0);
    const depth = await json(s.base, '/api/market/depth?symbol=BTCUSDT&limit=10');
    expect({ bids: depth.bids, asks: depth.asks }).toEqual(reference);
    const h = await json(s.base, '/api/health');
    expect(h).toMatchObject({ market: 'feed', market_state: 'receiving', symbols: ['BTCUSDT'], feed_handler: { url: `ws://127.0.0.1:${port}/feed` } });
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    expect(metrics).toMatch(/^spreadcore_feed_handler_frames_total [1-9]\d*$/m);
    await stop(s);
  }, 40_000);
});
