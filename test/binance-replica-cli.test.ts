// `spreadcore replica binance` as a user runs it (dist/, a child process): it
// prints the URLs it serves, trades with the demo key against the simulator or a
// replayed real recording (market data from the same port), stops on SIGINT, and
// refuses bad command lines with exit status 2 and a clear message.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from './support/free-port.js';
import { BIN, ROOT, spreadcore } from './support/run-cli.js';

const KEY = 'replica-demo-api-key';
const SECRET = 'replica-demo-api-secret';
const FIXTURE = fileURLToPath(new URL('./fixtures/binance/spot_btcusdt_20240808.gz', import.meta.url));

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => { for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL'); });

interface Running { child: ChildProcessWithoutNullStreams; out: () => string; exited: Promise<number | null> }

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, 'replica', 'binance', ...args], { cwd: ROOT });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { child, out: () => out, exited };
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signedCall(base: string, method: string, path: string, params: Record<string, string>): Promise<any> {
  const q = new URLSearchParams(params);
  q.set('timestamp', String(Date.now()));
  q.set('signature', createHmac('sha256', SECRET).update(q.toString()).digest('hex'));
  const r = await fetch(`${base}${path}?${q}`, { method, headers: { 'X-MBX-APIKEY': KEY } });
  return r.json();
}

function firstMessage(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const t = setTimeout(() => { ws.terminate(); reject(new Error(`no message on ${url}`)); }, 15_000);
    ws.once('message', (d: Buffer) => { clearTimeout(t); ws.close(); resolve(JSON.parse(d.toString())); });
    ws.once('error', (e) => { clearTimeout(t); reject(e); });
  });
}

describe('spreadcore replica binance', () => {
  it('runs on the simulator: prints its URLs as JSON, serves market data and fills a market order, stops on SIGINT', async () => {
    const port = await freePort();
    const r = start(['--port', String(port), '--json', '--seed', '7']);
    const line = await until('the listening line', () => { const l = r.out().split('\n')[0]; return l !== undefined && l.endsWith('}') ? l : undefined; });
    const info = JSON.parse(line);
    expect(info).toMatchObject({ event: 'listening', venue: 'binance', market: 'spot', apiKey: KEY, apiSecret: SECRET });
    expect(info.symbols).toContain('BTCUSDT');
    expect(info.urls.rest).toBe(`http://127.0.0.1:${port}/api/v3`);
    expect(info.urls.wsApi).toBe(`ws://127.0.0.1:${port}/ws-api/v3`);
    const base = `http://127.0.0.1:${port}`;
    const depth = await (await fetch(`${base}/api/v3/depth?symbol=BTCUSDT&limit=5`)).json() as any;
    expect(depth.bids.length).toBeGreaterThan(0);
    expect(Number(depth.asks[0][0])).toBeGreaterThan(Number(depth.bids[0][0]));
    const tick = await firstMessage(`ws://127.0.0.1:${port}/stream?streams=btcusdt@bookTicker`);
    expect(tick.stream).toBe('btcusdt@bookTicker');
    expect(tick.data.s).toBe('BTCUSDT');

    const bought = await signedCall(base, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01000' });
    expect(bought.status).toBe('FILLED');
    expect(bought.fills.length).toBeGreaterThan(0);
    const acct = await signedCall(base, 'GET', '/api/v3/account', {});
    const btc = acct.balances.find((b: any) => b.asset === 'BTC');
    const usdt = acct.balances.find((b: any) => b.asset === 'USDT');
    const commission = bought.fills.reduce((s: number, f: any) => s + Math.round(Number(f.commission) * 1e8), 0);
    expect(Math.round(Number(btc.free) * 1e8)).toBe(10 * 1e8 + 1_000_000 - commission);
    expect(Math.round(Number(usdt.free) * 1e8)).toBe(100000 * 1e8 - Math.round(Number(bought.cummulativeQuoteQty) * 1e8));
    const trades = await signedCall(base, 'GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(trades.map((t: any) => t.id)).toEqual(bought.fills.map((f: any) => f.tradeId));

    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    expect(r.out()).toContain('{"event":"stopped"}');
  });

  it('replays a real recording with its market data on the same port and trades against it', async () => {
    const port = await freePort();
    const r = start(['--port', String(port), '--market', `replay:${FIXTURE}`]);
    await until('the banner', () => (r.out().includes('Ctrl-C stops it.') ? true : undefined));
    expect(r.out()).toContain(`REST             http://127.0.0.1:${port}/api/v3`);
    expect(r.out()).toContain(`WebSocket API    ws://127.0.0.1:${port}/ws-api/v3`);
    expect(r.out()).toContain('API key          replica-demo-api-key');
    const base = `http://127.0.0.1:${port}`;
    const depth = await (await fetch(`${base}/api/v3/depth?symbol=BTCUSDT&limit=5`)).json() as any;
    expect(depth.lastUpdateId).toBeGreaterThan(0);
    expect(depth.bids).toHaveLength(5);
    const trade = await firstMessage(`ws://127.0.0.1:${port}/stream?streams=btcusdt@trade`);
    expect(trade).toMatchObject({ stream: 'btcusdt@trade', data: { e: 'trade', s: 'BTCUSDT' } });

    const order = await signedCall(base, 'POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.00100', newOrderRespType: 'RESULT' });
    expect(order.orderId, JSON.stringify(order)).toBeTypeOf('number');
    const filled = await until('the market order filled', async () => {
      const q = await signedCall(base, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: String(order.orderId) });
      return q.status === 'FILLED' ? q : undefined;
    });
    expect(Number(filled.cummulativeQuoteQty)).toBeGreaterThan(40);
    const trades = await signedCall(base, 'GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' });
    expect(trades.reduce((s: number, t: any) => s + Math.round(Number(t.quoteQty) * 1e8), 0)).toBe(Math.round(Number(filled.cummulativeQuoteQty) * 1e8));
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
  });

  it('refuses bad command lines with status 2 and a message', async () => {
    const cases: [string[], RegExp][] = [
      [['replica'], /name the venue/],
      [['replica', 'kraken'], /unknown venue "kraken"/],
      [['replica', 'binance', '--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['replica', 'binance', '--market', 'live'], /--market must be sim or replay:FILE/],
      [['replica', 'binance', '--api-key', 'abc'], /--api-key goes with --api-secret or --ed25519-public-key/],
      [['replica', 'binance', '--funding-interval-s', '60'], /apply to --futures only/],
      [['replica', 'binance', '--futures', '--funding-interval-s', '0'], /--funding-interval-s must be at least 1/],
      [['replica', 'binance', '--futures', '--funding-rate', '0.000000001'], /--funding-rate must be a decimal between -1 and 1 with at most 8 decimals/],
      [['replica', 'binance', '--market', 'replay:/no/such/file.gz'], /no such file/],
      [['replica', 'binance', '--speed', '2'], /--speed applies to --market replay:FILE only/],
      [['replica', 'binance', '--faults', '{"nope":1}', '--port', '0'], /unknown fault "nope"/],
      [['replica', 'binance', '--bogus'], /unknown flag --bogus/],
      [['replica', 'binance', '--api-key', 'abc', '--api-secret', 's', '--ed25519-public-key', 'k.pem'], /not both/],
      [['replica', 'binance', '--api-key', 'abc', '--ed25519-public-key', '/no/such/key.pem'], /--ed25519-public-key: cannot read "\/no\/such\/key.pem" \(ENOENT\)/],
      [['replica', 'binance', '--api-key', 'abc', '--ed25519-public-key', 'package.json'], /is not a PEM public key/],
    ];
    for (const [args, msg] of cases) {
      const r = await spreadcore(args, '');
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  }, 180_000);
});
