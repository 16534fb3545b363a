// Paper execution on Binance's market data for any symbol the venue lists, as a user runs it:
// `spreadcore replica binance` (spot; its simulator carries LTCUSDT, tick 0.01, step 0.001,
// baseAssetPrecision 8, which src/feed/binance/instruments.ts does not list) and
// `spreadcore serve --market binance --symbols LTCUSDT` pointed at it, both real processes;
// on USD-M the same with `--futures` and SOLUSDT (tick 0.01, step 0.01).
//   - the grids come from the venue's public exchangeInfo (no key): serve says so in one line,
//     the book syncs on the venue's grid and a strategy quotes on the paper exchange;
//   - a built-in symbol beside it still works (its grids agree with the venue's);
//   - a symbol the venue does not list is refused before anything starts: exit 2 naming it;
//   - a tick the venue changes while serve runs is read again from exchangeInfo (depth off the
//     grid; a refused first read is said once and read again): the book resyncs on the new tick
//     and the paper quotes follow it;
//   - --instruments FILE replaces the venue's grids; it does not apply to live execution;
//   - without an exchangeInfo answer a symbol outside the built-in table is refused (exit 1)
//     naming the URL, while a built-in one starts on the table's grids (test/cli-serve-markets).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, runCli, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, waitUntil } from './support/live-binance.js';

interface Health { market_state: string; binance_market: string; symbols: string[]; synced: boolean; execution: { mode: string } }
interface Depth { symbol: string; bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] }
interface Quotes { symbol: string; quotes: { bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] } }
interface Order { account: string; symbol: string; side: string; price: string | number; qty: string | number; status: string }

/** True when x lies on the grid of step `step` (within float noise). */
const onGrid = (x: number, step: number): boolean => Math.abs(x / step - Math.round(x / step)) < 1e-6;

let tmp = '';
let spotUrl = '';
let usdmUrl = '';

async function startReplica(futures: boolean, seed: number): Promise<string> {
  const port = await freePort();
  await startCli(['replica', 'binance', ...(futures ? ['--futures'] : []), '--port', String(port), '--seed', String(seed)], /Ctrl-C stops it/);
  return `http://127.0.0.1:${port}`;
}

/** serve with paper execution on the replica's market data; resolves once its API listens. */
async function paperServe(market: 'binance' | 'binance:usdm', url: string, symbols: string, name: string, extra: string[] = []): Promise<{ serve: CliProcess; port: number }> {
  const port = await freePort();
  const serve = await startCli(
    ['serve', '--market', market, '--symbols', symbols, '--binance-rest-url', url, '--binance-ws-url', url.replace('http:', 'ws:'),
      '--port', String(port), '--data-dir', join(tmp, name), '--rate-limit', '0', ...extra],
    /control API listening/, {}, 30_000,
  );
  return { serve, port };
}

async function expectSynced(port: number, symbols: string[], out: () => string): Promise<void> {
  await waitUntil(`${symbols.join(', ')} in sync`, async () => {
    const h = await apiRequest<Health>(port, '/api/health');
    return h.synced && h.market_state === 'open';
  }, 60_000, out);
  expect(await apiRequest<Health>(port, '/api/health')).toMatchObject({ symbols, synced: true, execution: { mode: 'paper' } });
}

async function expectBookOnGrid(port: number, symbol: string, tick: number, qtyStep: number): Promise<void> {
  const d = await apiRequest<Depth>(port, `/api/market/depth?symbol=${symbol}&limit=20`);
  expect(d.bids.length, symbol).toBeGreaterThan(0);
  expect(d.asks.length, symbol).toBeGreaterThan(0);
  expect(d.bids[0]!.price).toBeLessThan(d.asks[0]!.price);
  for (const l of [...d.bids, ...d.asks]) {
    expect(onGrid(l.price, tick), `${symbol} price ${l.price}`).toBe(true);
    expect(onGrid(l.qty, qtyStep), `${symbol} qty ${l.qty}`).toBe(true);
  }
}

/** Loads and starts a market maker on `symbol`; waits for its quotes on both sides resting at the paper exchange, on the tick. */
async function expectPaperQuotes(port: number, name: string, symbol: string, tick: number, orderSize: number, out: () => string): Promise<void> {
  const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(port, path, body);
  const load = await api<{ ok: boolean }>('/api/strategy/load', {
    name, type: 'MarketMaking', symbols: [symbol], parameters: { spread_bps: 2, order_size: orderSize, max_position: orderSize * 6, quote_levels: 1 },
  });
  expect(load.ok, JSON.stringify(load)).toBe(true);
  expect((await api<{ status: string }>(`/api/strategy/${name}/start`, {})).status).toBe('running');
  await waitUntil(`${symbol} quoted on the paper exchange`, async () => {
    const o = (await api<{ orders: Order[] }>(`/api/orders?account=${name}`)).orders.filter((x) => x.symbol === symbol);
    return o.some((x) => x.side === 'BUY') && o.some((x) => x.side === 'SELL');
  }, 30_000, out);
  const q = await api<Quotes>(`/api/strategy/${name}/quotes?symbol=${symbol}`);
  expect(q.quotes.bids.length).toBeGreaterThan(0);
  expect(q.quotes.asks.length).toBeGreaterThan(0);
  expect(q.quotes.bids[0]!.price).toBeLessThan(q.quotes.asks[0]!.price);
  for (const o of (await api<{ orders: Order[] }>(`/api/orders?account=${name}`)).orders) {
    expect(o.symbol).toBe(symbol);
    expect(onGrid(Number(o.price), tick), `order price ${o.price}`).toBe(true);
  }
}

async function stopServe(serve: CliProcess): Promise<void> {
  serve.child.kill('SIGTERM');
  expect(await serve.exited).toBe(0);
}

beforeAll(async () => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'sc-paper-grids-'));
  [spotUrl, usdmUrl] = await Promise.all([startReplica(false, 41), startReplica(true, 43)]);
}, 60_000);

afterAll(() => {
  stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe('paper execution on Binance market data takes the grids of any listed symbol from exchangeInfo', () => {
  it('spot LTCUSDT beside built-in BTCUSDT: grids from exchangeInfo, books in sync on them, a strategy quotes on the paper exchange', async () => {
    const { serve, port } = await paperServe('binance', spotUrl, 'LTCUSDT,BTCUSDT', 'spot');
    expect(serve.out()).toContain(`binance: paper grids from ${spotUrl}/api/v3/exchangeInfo: `
      + 'LTCUSDT (tick 0.01, order step 0.001, book quantities on 0.00000001), BTCUSDT (tick 0.01, order step 0.00001, book quantities on 0.000001)');
    expect(serve.out()).not.toContain('no usable exchangeInfo');
    await expectSynced(port, ['LTCUSDT', 'BTCUSDT'], serve.out);
    expect(serve.out()).toContain('market: LTCUSDT in sync with Binance');
    await expectBookOnGrid(port, 'LTCUSDT', 0.01, 1e-8);
    await expectBookOnGrid(port, 'BTCUSDT', 0.01, 1e-6);
    await expectPaperQuotes(port, 'ltc_paper', 'LTCUSDT', 0.01, 0.25, serve.out);
    await expectPaperQuotes(port, 'btc_paper', 'BTCUSDT', 0.01, 0.001, serve.out);
    await stopServe(serve);
  }, 180_000);

  it('USD-M SOLUSDT (--market binance:usdm): grids from /fapi/v1/exchangeInfo, book in sync, quotes on the paper exchange', async () => {
    const { serve, port } = await paperServe('binance:usdm', usdmUrl, 'SOLUSDT', 'usdm');
    expect(serve.out()).toContain(`binance: paper grids from ${usdmUrl}/fapi/v1/exchangeInfo: SOLUSDT (tick 0.01, order step 0.01, book quantities on 0.01)`);
    await expectSynced(port, ['SOLUSDT'], serve.out);
    await expectBookOnGrid(port, 'SOLUSDT', 0.01, 0.01);
    await expectPaperQuotes(port, 'sol_paper', 'SOLUSDT', 0.01, 0.5, serve.out);
    await stopServe(serve);
  }, 180_000);

  it('a tick change while serve runs: exchangeInfo read again, the book resyncs on the new tick, the paper quotes follow it', async () => {
    // a replica of its own: it publishes BTCUSDT on a 1.0 tick at start, then on its market's 0.01
    const url = await startReplica(false, 47);
    const setTick = async (tickSize: string): Promise<void> => {
      const res = await fetch(`${url}/__replica/grid`, { method: 'POST', body: JSON.stringify({ symbol: 'BTCUSDT', tickSize }) });
      expect(res.status).toBe(200);
    };
    await setTick('1');
    const { serve, port } = await paperServe('binance', url, 'BTCUSDT', 'spot-regrid', ['--grid-reread-s', '2']);
    expect(serve.out()).toContain('BTCUSDT (tick 1, order step 0.00001');
    await expectSynced(port, ['BTCUSDT'], serve.out);
    await expectPaperQuotes(port, 'regrid_paper', 'BTCUSDT', 1, 0.001, serve.out);
    expect(serve.out()).not.toContain('changed its grid');

    // the first read after the change is refused (503): said once, read again at a refusal 2 s later
    const fault = await fetch(`${url}/__replica/faults`, { method: 'POST', body: JSON.stringify({ failRequests: { count: 1, path: '/api/v3/exchangeInfo', status: 503 } }) });
    expect(fault.status).toBe(200);
    await setTick('0.01');
    await waitUntil('serve says exchangeInfo could not be read', async () => serve.out().includes('exchangeInfo could not be read'), 20_000, serve.out);
    await waitUntil('serve picks up the new tick', async () => serve.out().includes('BTCUSDT in sync with Binance on its new grid'), 30_000, serve.out);
    expect(serve.out().split('\n').filter((l) => l.includes('exchangeInfo could not be read'))).toHaveLength(1);
    const lines = serve.out().split('\n').filter((l) => l.includes('Binance changed its grid'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('BTCUSDT: Binance changed its grid (exchangeInfo read again after depth off the grid): tick 1 → 0.01, step 0.00001 → 0.00001');
    expect(serve.out()).not.toContain('restart serve');
    const health = await apiRequest<Health & { grid_changes?: Record<string, number>; market_warnings?: string[] }>(port, '/api/health');
    expect(health.grid_changes).toEqual({ BTCUSDT: 1 });
    expect(health.market_warnings).toBeUndefined();
    await expectBookOnGrid(port, 'BTCUSDT', 0.01, 1e-6);
    // the strategy quotes again on the paper exchange, at prices only the new tick allows
    await waitUntil('paper quotes on the new tick', async () => {
      const o = (await apiRequest<{ orders: Order[] }>(port, '/api/orders?account=regrid_paper')).orders;
      return o.some((x) => x.side === 'BUY') && o.some((x) => x.side === 'SELL') && o.some((x) => !onGrid(Number(x.price), 1));
    }, 30_000, serve.out);
    for (const o of (await apiRequest<{ orders: Order[] }>(port, '/api/orders?account=regrid_paper')).orders) {
      expect(onGrid(Number(o.price), 0.01), `order price ${o.price}`).toBe(true);
    }
    await stopServe(serve);
  }, 180_000);

  it('a symbol the venue does not list: exit 2 naming it and the URL, nothing started', async () => {
    const dataDir = join(tmp, 'unlisted');
    const r = await runCli(
      ['serve', '--market', 'binance', '--symbols', 'LTCUSDT,NOSUCHUSDT', '--binance-rest-url', spotUrl, '--binance-ws-url', spotUrl.replace('http:', 'ws:'),
        '--port', '0', '--data-dir', dataDir, '--rate-limit', '0'],
      {}, 60_000,
    );
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`--symbols: Binance spot (${spotUrl}/api/v3/exchangeInfo) does not list NOSUCHUSDT in its exchangeInfo`);
    expect(r.out).not.toContain('control API listening');
    expect(existsSync(dataDir)).toBe(false);
  }, 90_000);

  it('--instruments FILE replaces the venue\'s grids of a symbol it names; the others still come from exchangeInfo', async () => {
    const file = join(tmp, 'grids.json');
    // the file's order step (its lot size) is not the venue's 0.001: the line shows which grids LTCUSDT got
    writeFileSync(file, JSON.stringify({ LTCUSDT: { tick_size: '0.01', lot_size: '0.00000001', market: 'spot' } }));
    const { serve, port } = await paperServe('binance', spotUrl, 'BTCUSDT,LTCUSDT', 'file', ['--instruments', file]);
    expect(serve.out()).toContain(`binance: paper grids from ${spotUrl}/api/v3/exchangeInfo: BTCUSDT (tick 0.01, order step 0.00001, book quantities on 0.000001); `
      + `from --instruments ${file}: LTCUSDT (tick 0.01, order step 0.00000001, book quantities on 0.00000001)`);
    await expectSynced(port, ['BTCUSDT', 'LTCUSDT'], serve.out);
    await expectBookOnGrid(port, 'LTCUSDT', 0.01, 1e-8);
    await stopServe(serve);
  }, 120_000);

  it('every symbol in --instruments FILE: exchangeInfo is not asked for', async () => {
    const file = join(tmp, 'grids-all.json');
    writeFileSync(file, JSON.stringify({ LTCUSDT: { tick_size: '0.01', lot_size: '0.00000001' } }));
    const { serve, port } = await paperServe('binance', spotUrl, 'LTCUSDT', 'file-all', ['--instruments', file]);
    expect(serve.out()).toContain(`binance: paper grids from --instruments ${file}: LTCUSDT (tick 0.01, order step 0.00000001, book quantities on 0.00000001)`);
    expect(serve.out()).not.toContain('exchangeInfo');
    await expectSynced(port, ['LTCUSDT'], serve.out);
    await stopServe(serve);
  }, 120_000);

  it('no exchangeInfo answer: a symbol outside the built-in table exits 1 naming the URL', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const dataDir = join(tmp, 'dead');
    const r = await runCli(
      ['serve', '--market', 'binance', '--symbols', 'BTCUSDT,LTCUSDT', '--binance-rest-url', dead, '--binance-ws-url', dead.replace('http:', 'ws:'),
        '--port', '0', '--data-dir', dataDir],
      {}, 60_000,
    );
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`cannot read the grids of LTCUSDT: no usable exchangeInfo from ${dead}/api/v3/exchangeInfo`);
    expect(r.out).toContain('--instruments FILE');
    expect(r.out).not.toContain('control API listening');
    expect(existsSync(dataDir)).toBe(false);
  }, 90_000);

  it('--instruments with live execution: exit 2 saying it applies to paper execution', async () => {
    const r = await runCli(
      ['serve', '--execution', 'binance-spot-testnet', '--symbols', 'LTCUSDT', '--binance-rest-url', spotUrl, '--instruments', join(tmp, 'grids.json'),
        '--port', '0', '--data-dir', join(tmp, 'live')],
      { SPREADCORE_BINANCE_API_KEY: 'paper-grids-key-0c1d2e', SPREADCORE_BINANCE_API_SECRET: 'paper-grids-secret-9f8e7d6c' }, 30_000,
    );
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('--instruments applies to paper execution; live execution (--execution binance-spot-testnet) trades on the grids of the venue\'s exchangeInfo');
  }, 60_000);
});
