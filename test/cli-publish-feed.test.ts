// `spreadcore publish` as an external process against a real feed handler in this
// process: the handler's books end equal to an in-process replay of the same
// source, with no decode errors and no gaps; send timestamps come from the
// publisher's monotonic clock; refused connections and bad flags fail cleanly.
import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeedHandler } from '../src/feed/handler/index.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { openMarketSource, parseSourceFlags, recordSource, replaySource, type SourceFlagValues } from '../src/feed/replay/index.js';
import { freePort } from './support/free-port.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'spreadcore.js');
const SPOT = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const TOKEN = 'publish-test-token-0123456789';

// one core for the handler's ingest, one for the reference replays
const handlerBooks = new WasmBooks(instantiateCore('debug'));
const referenceBooks = new WasmBooks(instantiateCore('debug'));

interface Run { code: number | null; stdout: string; stderr: string }
function publish(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'publish', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

type Books = { symbol: string; state: string; gaps: number; bids: number[][]; asks: number[][] }[];
function booksOf(ingest: FeedIngest): Books {
  return ingest.symbols().map((s) => {
    const top = ingest.books.topLevels(s.book, 1024);
    return {
      symbol: s.symbol, state: s.state, gaps: s.counters.gaps,
      bids: top.bids.map((l) => [l.tick, l.qtyLot]), asks: top.asks.map((l) => [l.tick, l.qtyLot]),
    };
  });
}

async function reference(flags: SourceFlagValues): Promise<Books> {
  const ingest = new FeedIngest(referenceBooks);
  await replaySource(await openMarketSource(parseSourceFlags(flags)), ingest);
  return booksOf(ingest);
}


describe('spreadcore publish → feed handler', () => {
  let handler: FeedHandler | null = null;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  });
  afterEach(() => { handler?.close(); handler = null; });

  async function start(token?: string): Promise<{ ingest: FeedIngest; url: string }> {
    const ingest = new FeedIngest(handlerBooks);
    handler = new FeedHandler(ingest, { port: 0, token, staleCheckMs: 0 });
    const port = await handler.listen();
    return { ingest, url: `ws://127.0.0.1:${port}/feed` };
  }

  it('a Binance recording at max speed: every frame applied, books equal the in-process replay', async () => {
    const { ingest, url } = await start();
    const r = await publish(['--source', `binance:${SPOT}`, '--speed', 'max', '--url', url, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.frames).toBeGreaterThan(13_000);
    const h = handler!;
    expect(h.totals).toMatchObject({ frames: rep.frames, framesApplied: rep.frames, messages: rep.messages, bytes: rep.bytes, decodeErrors: 0, internalErrors: 0 });
    const got = booksOf(ingest);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ symbol: 'BTCUSDT', state: 'live', gaps: 0 });
    expect(got).toEqual(await reference({ source: `binance:${SPOT}` }));
    // one-way latency from the publisher's monotonic send stamps (same host clock)
    const transit = h.latency.summary('transit');
    expect(transit.count).toBe(Math.min(rep.frames, h.latency.capacity));
    expect(transit.p50).toBeGreaterThan(0);
    expect(transit.max).toBeLessThan(10e9);
  });

  it('the simulator at recorded pace x 20, with a token from the environment: same books as in process', async () => {
    const { ingest, url } = await start(TOKEN);
    const args = ['--source', 'sim', '--seed', '5', '--duration-s', '3', '--symbols', 'BTCUSDT,ETHUSDT'];
    const t0 = performance.now();
    const r = await publish([...args, '--speed', '20', '--url', url], { SPREADCORE_FEED_TOKEN: TOKEN });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(performance.now() - t0).toBeGreaterThan(140); // 3 simulated s / 20
    expect(r.stdout).toMatch(/^published [\d,]+ frames \([\d,]+ messages, [\d,]+ bytes\) to ws:\/\/127\.0\.0\.1:\d+\/feed in /);
    expect(handler!.totals.decodeErrors).toBe(0);
    const got = booksOf(ingest);
    expect(got.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(got).toEqual(await reference({ source: 'sim', seed: '5', 'duration-s': '3', symbols: 'BTCUSDT,ETHUSDT' }));
  });

  it('a binary recording at a fixed rate: its frames as recorded', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spreadcore-pub-')), 'sim.screc.gz');
    const rec = await recordSource(await openMarketSource(parseSourceFlags({ source: 'sim', seed: '8', 'duration-s': '2' })), file);
    const { ingest, url } = await start();
    const r = await publish(['--source', `screc:${file}`, '--rate', '2000', '--url', url, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep).toMatchObject({ frames: rec.frames, messages: rec.messages });
    expect(rep.wallS).toBeGreaterThan((rep.frames - 1) / 2000 * 0.9);
    expect(handler!.totals).toMatchObject({ framesApplied: rec.frames, decodeErrors: 0 });
    expect(booksOf(ingest)).toEqual(await reference({ source: 'sim', seed: '8', 'duration-s': '2' }));
  });

  it('401 without the token, connection refused, bad flags', async () => {
    const { url } = await start(TOKEN);
    const r1 = await publish(['--source', 'sim', '--duration-s', '1', '--url', url]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toBe(`spreadcore publish: the feed handler at ${url} refused the connection: 401 Unauthorized (a valid --token is required) (SPREADCORE_ERR_IO)\n`);
    expect(handler!.totals.upgradesRefused).toBe(1);
    const r1b = await publish(['--source', 'sim', '--duration-s', '1', '--url', url, '--token', 'wrong-token-wrong-token']);
    expect(r1b.code).toBe(1);
    expect(r1b.stderr).toContain('401 Unauthorized');

    const port = await freePort();
    const r2 = await publish(['--source', 'sim', '--duration-s', '1', '--url', `ws://127.0.0.1:${port}/feed`]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('connection refused (is the feed handler running?) (SPREADCORE_ERR_IO)');
    expect(r2.stderr).not.toContain('    at ');

    for (const [args, message] of [
      [['--source', 'sim', '--speed', '0'], '--speed must be a positive number'],
      [['--source', 'sim', '--speed', '2', '--rate', '10'], 'give --speed or --rate, not both'],
      [['--source', 'sim', '--url', 'http://127.0.0.1:8081/feed'], '--url must be a ws:// or wss:// URL'],
      [['--source', 'sim', '--rate', 'fast'], '--rate must be a positive number'],
      [['--source', 'kafka:x'], '--source must be binance:FILE, screc:FILE or sim'],
      [['--speed', 'max'], '--source is required'],
    ] as const) {
      const r = await publish([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('Run "spreadcore publish --help" for usage.');
    }
  });
});
