// Paper execution on Binance USD-M market data reads the whole /fapi/v1/exchangeInfo (it has
// no symbol filter), where one bad entry among the venue's hundreds must not stop serve.
// Real processes: `spreadcore replica binance --futures` (SOLUSDT tick 0.01, step 0.01), a
// small HTTP server in front of its REST API that rewrites the exchangeInfo answer (Binance
// itself would not send such entries) and passes every other request through, and
// `spreadcore serve --market binance:usdm` reading its REST from that server and its
// streams from the replica:
//   - entries of other symbols that cannot be read: skipped, one warning counting them and
//     naming the first problem; serve starts and the book syncs on the venue's grid;
//   - the entry of the symbol traded cannot be read: exit 1 naming the symbol and the field,
//     nothing started (a built-in symbol falls back to the built-in grids, with a warning
//     naming them).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, runCli, startCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, waitUntil } from './support/live-binance.js';

type Entry = { symbol?: unknown; filters?: Record<string, unknown>[] } | null | number;
interface Info { symbols: Entry[] }

let tmp = '';
let replicaUrl = '';
let proxyUrl = '';
let proxy: Server;
/** How the next exchangeInfo answers are rewritten. */
let craft: (info: Info) => void = () => {};

/** `text` as it appears inside a JSON log line. */
const jsonText = (text: string): string => JSON.stringify(text).slice(1, -1);

function entryOf(info: Info, symbol: string): { filters: Record<string, unknown>[] } {
  return info.symbols.find((s) => typeof s === 'object' && s !== null && s.symbol === symbol) as { filters: Record<string, unknown>[] };
}

async function startProxy(): Promise<string> {
  proxy = createServer((req, res) => {
    void (async () => {
      const r = await fetch(replicaUrl + req.url!, { method: req.method!, headers: { 'x-mbx-apikey': String(req.headers['x-mbx-apikey'] ?? '') } });
      let body = await r.text();
      if (req.url!.startsWith('/fapi/v1/exchangeInfo') && r.status === 200) {
        const info = JSON.parse(body) as Info;
        craft(info);
        body = JSON.stringify(info);
      }
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(body);
    })().catch(() => { res.writeHead(502); res.end(); });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

function serveArgs(symbols: string, dataDir: string, port: number): string[] {
  return ['serve', '--market', 'binance:usdm', '--symbols', symbols, '--binance-rest-url', proxyUrl, '--binance-ws-url', replicaUrl.replace('http:', 'ws:'),
    '--port', String(port), '--data-dir', dataDir, '--rate-limit', '0'];
}

beforeAll(async () => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'sc-lenient-info-'));
  const port = await freePort();
  await startCli(['replica', 'binance', '--futures', '--port', String(port), '--seed', '53'], /Ctrl-C stops it/);
  replicaUrl = `http://127.0.0.1:${port}`;
  proxyUrl = await startProxy();
}, 60_000);

afterAll(async () => {
  stopAll();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('a bad entry in the full USD-M exchangeInfo', () => {
  it('of other symbols: skipped and counted in one warning; serve starts on the venue\'s grid and the book syncs', async () => {
    craft = (info) => {
      info.symbols.push(
        { symbol: 'BADUSDT', filters: [{ filterType: 'PRICE_FILTER', tickSize: '0,01' }, { filterType: 'LOT_SIZE', stepSize: '0.001' }] },
        { filters: [] },
        42,
      );
      entryOf(info, 'BTCUSDT').filters = [];
    };
    const port = await freePort();
    const serve = await startCli(serveArgs('SOLUSDT', join(tmp, 'others'), port), /control API listening/, {}, 30_000);
    expect(serve.out()).toContain(`binance: paper grids from ${proxyUrl}/fapi/v1/exchangeInfo: SOLUSDT (tick 0.01, order step 0.01, book quantities on 0.01)`);
    expect(serve.out()).toContain(`Binance USD-M exchangeInfo (${proxyUrl}/fapi/v1/exchangeInfo): skipped 4 entries of other symbols that could not be read `
      + '(first: exchangeInfo: BTCUSDT has no PRICE_FILTER filter)');
    expect(serve.out()).not.toContain('no usable exchangeInfo');
    await waitUntil('SOLUSDT in sync', async () => (await apiRequest<{ synced: boolean }>(port, '/api/health')).synced, 60_000, serve.out);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);

  it('of the symbol traded: exit 1 naming the symbol and the field, nothing started', async () => {
    craft = (info) => { entryOf(info, 'SOLUSDT').filters.find((f) => f['filterType'] === 'PRICE_FILTER')!['tickSize'] = '0.01.0'; };
    const dataDir = join(tmp, 'needed');
    const r = await runCli(serveArgs('SOLUSDT', dataDir, 0), {}, 60_000);
    expect(r.code, r.out).toBe(1);
    // the error is logged as JSON (its quotes escaped)
    expect(r.out).toContain(jsonText(`cannot read the grids of SOLUSDT: no usable exchangeInfo from ${proxyUrl}/fapi/v1/exchangeInfo `
      + '(exchangeInfo: SOLUSDT tickSize "0.01.0" is not a plain decimal); give the grids with --instruments FILE'));
    expect(r.out).not.toContain('control API listening');
    expect(existsSync(dataDir)).toBe(false);
  }, 90_000);

  it('of a built-in symbol traded: it starts on the built-in grids, the warning naming the entry\'s problem', async () => {
    craft = (info) => { entryOf(info, 'BTCUSDT').filters = entryOf(info, 'BTCUSDT').filters.filter((f) => f['filterType'] !== 'LOT_SIZE'); };
    const port = await freePort();
    const serve = await startCli(serveArgs('BTCUSDT', join(tmp, 'builtin'), port), /control API listening/, {}, 30_000);
    expect(serve.out()).toContain(`binance: paper grids from the built-in table (no usable exchangeInfo from ${proxyUrl}/fapi/v1/exchangeInfo: `
      + 'exchangeInfo: BTCUSDT has no LOT_SIZE filter)');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 90_000);
});
