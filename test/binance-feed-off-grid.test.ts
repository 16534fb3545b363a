// A live Binance feed whose depth is off the symbol's grid, as when the venue changes a
// symbol's tick size while serve runs: `spreadcore replica binance` (spot, BTCUSDT on tick
// 0.01) and `spreadcore serve --market binance` given BTCUSDT on tick 0.1 with --instruments
// FILE, both real processes, LTCUSDT beside it on the venue's grid. The book refuses every
// BTCUSDT snapshot and resyncs, again and again:
//   - serve says so once, in one line naming the symbol, the grid, an offending price, that
//     the venue's grid may have changed and that serve must be restarted;
//   - GET /api/health counts the refused depth per symbol (refused_depth) and carries the
//     line (market_warnings), as it does for a recording off its grid;
//   - LTCUSDT syncs and is not counted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, startCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, waitUntil } from './support/live-binance.js';

interface Health {
  market: string; market_state: string; symbols: string[]; synced: boolean;
  refused_depth?: Record<string, number>; market_warnings?: string[];
}

/** The one line about BTCUSDT's grid: the symbol, the grid, the first refused level, what happened and what to do. */
const GRID_LINE = new RegExp(
  'BTCUSDT: Binance\'s depth is not on the grid tick_size 0\\.1, lot_size 0\\.00000001 '
  + '\\(BTCUSDT spot (snapshot lastUpdateId|depth event u)=\\d+: (bid|ask) level \\d+ price \\d+\\.\\d*[1-9] is not a whole multiple of 0\\.1\\), '
  + 'so the book refuses it and resyncs again and again: the venue\'s grid of BTCUSDT may have changed since serve read it; '
  + 'restart serve to pick up the new grid',
);

const gridLines = (text: string): number => text.split('\n').filter((l) => l.includes('warning:') && GRID_LINE.test(l)).length;

let tmp = '';
let replicaUrl = '';

beforeAll(async () => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'sc-feed-off-grid-'));
  const port = await freePort();
  await startCli(['replica', 'binance', '--port', String(port), '--seed', '47'], /Ctrl-C stops it/);
  replicaUrl = `http://127.0.0.1:${port}`;
}, 60_000);

afterAll(() => {
  stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a live Binance feed off the symbol\'s grid', () => {
  it('one warning per symbol, refused depth counted in GET /api/health, the symbol on its grid unaffected', async () => {
    const file = join(tmp, 'coarse.json');
    writeFileSync(file, JSON.stringify({ BTCUSDT: { tick_size: '0.1', lot_size: '0.00000001', market: 'spot' } }));
    const port = await freePort();
    const serve = await startCli(
      ['serve', '--market', 'binance', '--symbols', 'BTCUSDT,LTCUSDT', '--binance-rest-url', replicaUrl, '--binance-ws-url', replicaUrl.replace('http:', 'ws:'),
        '--instruments', file, '--port', String(port), '--data-dir', join(tmp, 'serve'), '--rate-limit', '0'],
      /control API listening/, {}, 30_000,
    );
    // several refusals (the snapshot is asked for again after each), the first one said once
    await waitUntil('BTCUSDT refused three times', async () => ((await apiRequest<Health>(port, '/api/health')).refused_depth?.['BTCUSDT'] ?? 0) >= 3, 60_000, serve.out);
    await waitUntil('LTCUSDT in sync', () => Promise.resolve(serve.out().includes('market: LTCUSDT in sync with Binance')), 60_000, serve.out);

    const h = await apiRequest<Health>(port, '/api/health');
    expect(h).toMatchObject({ market: 'binance', symbols: ['BTCUSDT', 'LTCUSDT'], synced: false });
    expect(h.refused_depth!['BTCUSDT']).toBeGreaterThanOrEqual(3);
    expect(h.refused_depth!['LTCUSDT']).toBe(0);
    expect(h.market_warnings).toHaveLength(1);
    expect(h.market_warnings![0]).toMatch(GRID_LINE);
    expect(gridLines(serve.out()), serve.out()).toBe(1);
    expect(serve.out()).not.toContain('market: BTCUSDT in sync with Binance');

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 150_000);

  it('on the venue\'s grid: nothing refused, no warning', async () => {
    const port = await freePort();
    const serve = await startCli(
      ['serve', '--market', 'binance', '--symbols', 'BTCUSDT', '--binance-rest-url', replicaUrl, '--binance-ws-url', replicaUrl.replace('http:', 'ws:'),
        '--port', String(port), '--data-dir', join(tmp, 'serve-ok'), '--rate-limit', '0'],
      /control API listening/, {}, 30_000,
    );
    await waitUntil('BTCUSDT in sync', async () => (await apiRequest<Health>(port, '/api/health')).synced, 60_000, serve.out);
    const h = await apiRequest<Health>(port, '/api/health');
    expect(h.refused_depth).toEqual({ BTCUSDT: 0 });
    expect(h.market_warnings).toBeUndefined();
    expect(serve.out()).not.toContain('warning:');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);
});
