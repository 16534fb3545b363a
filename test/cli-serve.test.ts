// `spreadcore serve` as a user runs it: a child process on port 0 (the bound port
// is printed), GET /api/health 200, a strategy loaded and started over HTTP and
// quoting on the real-time simulator, SIGTERM → exit 0; a second run on the same
// data directory restores the strategy (stopped) from the journal.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'spreadcore.js');
const STEP4 = {
  name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 },
};

let dataDir = '';
const children = new Set<ChildProcess>();
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  dataDir = mkdtempSync(join(tmpdir(), 'spreadcore-serve-'));
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Server { child: ChildProcess; base: string; out: () => string; exited: Promise<number | null> }

function serve(): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--seed', '5', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its port: ${out}`)), 10_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out);
      if (m !== null) { clearTimeout(timer); resolve({ child, base: m[1]!, out: () => out, exited }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    child.on('exit', () => { clearTimeout(timer); reject(new Error(`serve exited early: ${out}`)); });
  });
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(5000) };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers = { 'content-type': 'application/json' }; }
  const r = await fetch(base + path, init);
  return { status: r.status, json: await r.json() };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('spreadcore serve', () => {
  it('health, load + start over HTTP, SIGTERM exits 0; a restart restores the strategy', async () => {
    const s = await serve();
    const h = await call(s.base, 'GET', '/api/health');
    expect(h.status).toBe(200);
    expect(h.json).toMatchObject({ ok: true, status: 'ready', symbols: expect.arrayContaining(['BTCUSDT']) });
    const d = await call(s.base, 'GET', '/api/market/depth?symbol=BTCUSDT&limit=5');
    expect(d.status).toBe(200);
    expect(d.json.bids.length).toBeGreaterThan(0);

    expect((await call(s.base, 'POST', '/api/strategy/load', STEP4)).json).toMatchObject({ ok: true, strategy_id: 'btc_mm_1' });
    const st = await call(s.base, 'POST', '/api/strategy/btc_mm_1/start');
    expect(st.json).toMatchObject({ ok: true, status: 'running' });
    await sleep(300); // the market moves in real time
    const q = await call(s.base, 'GET', '/api/strategy/btc_mm_1/quotes');
    expect(q.status).toBe(200);
    expect(q.json.quotes.bids.length + q.json.quotes.asks.length).toBeGreaterThan(0);

    // the event stream is served too
    const ac = new AbortController();
    const ev = await fetch(`${s.base}/api/stream?filter=strategy&strategy_id=btc_mm_1`, { signal: ac.signal });
    expect(ev.status).toBe(200);
    const first = await ev.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toMatch(/retry:|event:|id:/);
    ac.abort();

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.out()).toMatch(/stopped 1 strategies/);

    const s2 = await serve();
    expect(s2.out()).toMatch(/restored 1 strategies/);
    const list = await call(s2.base, 'GET', '/api/strategies');
    expect(list.json.strategies).toEqual([expect.objectContaining({ strategy_id: 'btc_mm_1', status: 'stopped' })]);
    s2.child.kill('SIGINT');
    expect(await s2.exited).toBe(0);
  }, 30_000);
});
