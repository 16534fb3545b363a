// The dashboard in a real browser (Debian's headless Chromium driven by playwright-core)
// against `spreadcore serve` (the compiled CLI, port 0, a temporary data directory):
// the page loads without console or page errors, its stream goes live, a strategy is
// loaded and started from the page's controls, a fill shows up in the fills table
// (and matches the API's trades), the book and charts are drawn, and a screenshot is
// kept in test-artifacts/dashboard.png. A bad parameter shows the API's coded error
// and loads nothing; parameters that are not JSON are refused before any request;
// parameter edits (a refused one shows its code) and the kill switch work from the page.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from './support/wait.js';
import { jsonRequest, startDashboardServe, stopDashboardServe, type DashboardServe } from './support/dashboard-serve.js';

// the page's globals as used by the functions evaluated in the browser (the project compiles without the DOM library)
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelectorAll(selector: string): ArrayLike<{ width?: number }> & Iterable<{ width?: number }>;
  querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
};
declare const sessionStorage: { getItem(key: string): string | null };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOT = join(ROOT, 'test-artifacts', 'dashboard.png');
// tight spreads: the simulated BTCUSDT market trades through them within seconds
const FAST_PARAMS = { spread_bps: 1.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 1.0, inventory_skew: true, skew_factor: 0.5 };

let dataDir = '';
let server: DashboardServe | undefined;
let base = '';
let browser: Browser | undefined;


const api = (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => jsonRequest(base, method, path, body);

interface Watched { page: Page; consoleErrors: string[]; pageErrors: string[] }

async function open(): Promise<Watched> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  const w: Watched = { page, consoleErrors: [], pageErrors: [] };
  page.on('console', (m) => { if (m.type() === 'error') w.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => { w.pageErrors.push(String(e)); });
  await page.goto(`${base}/`, { timeout: 15_000 });
  await page.waitForFunction(() => document.body.dataset.stream === 'live', undefined, { timeout: 15_000 });
  return w;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/gateway/routes-static.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  dataDir = mkdtempSync(join(tmpdir(), 'spreadcore-dashboard-'));
  server = await startDashboardServe(['--seed', '3', '--data-dir', dataDir], 15_000);
  base = server.base;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  stopDashboardServe(server);
  if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
});

async function oursInBook(page: Page): Promise<void> {
  const deadline = Date.now() + 60_000;
  let seen = '';
  while (Date.now() < deadline) {
    if (await page.locator('#book tbody tr.ours').count() > 0) return;
    const s = await api('GET', '/api/strategies');
    const q = await api('GET', '/api/strategy/dash_mm/quotes?symbol=BTCUSDT');
    seen = JSON.stringify({ strategies: s.json.strategies, quotes: q.json.quotes });
    await sleep(500);
  }
  throw new Error(`the book never marked our quotes; last API state: ${seen}`);
}

describe('dashboard in Chromium', () => {
  it('loads, starts a strategy from the page, shows its fills, book and charts; no console or page errors; screenshot', async () => {
    const w = await open();
    const { page } = w;
    expect(await page.textContent('#conn')).toBe('live');
    // the book of the first symbol is drawn from /api/market/depth
    await page.waitForFunction(() => document.querySelectorAll('#book tbody tr.bid').length >= 5 && document.querySelectorAll('#book tbody tr.ask').length >= 5, undefined, { timeout: 10_000 });
    expect(await page.inputValue('#symbol')).toBe('BTCUSDT');

    // load from the form, then start from the strategy's row
    await page.fill('#load-name', 'dash_mm');
    await page.selectOption('#load-symbol', 'BTCUSDT');
    await page.fill('#load-params', JSON.stringify(FAST_PARAMS));
    await page.click('#load-btn');
    const startBtn = page.locator('#strategies button[data-action="start"][data-id="dash_mm"]');
    await startBtn.waitFor({ timeout: 10_000 });
    expect((await api('GET', '/api/strategies')).json.strategies).toEqual([expect.objectContaining({ strategy_id: 'dash_mm', status: 'loaded' })]);
    await startBtn.click();
    await page.waitForSelector('#strategies .status.running', { timeout: 10_000 });
    expect((await api('GET', '/api/strategies')).json.strategies[0].status).toBe('running');

    // a fill appears (bounded), and it is one the API reports
    await page.waitForSelector('#fills tbody tr[data-strategy="dash_mm"]', { timeout: 60_000 });
    const cells = await page.locator('#fills tbody tr').first().locator('td').allTextContents();
    expect(cells[1]).toBe('dash_mm');
    expect(['BUY', 'SELL']).toContain(cells[2]);
    const trades = (await api('GET', '/api/strategy/dash_mm/trades?limit=1000')).json.trades as { side: string; price: number }[];
    expect(trades.some((t) => t.side === cells[2] && t.price === Number(cells[3]))).toBe(true);

    // our ladder in the book, a few fills on the charts, then the screenshot
    await page.waitForFunction(() => document.querySelectorAll('#fills tbody tr').length >= 4, undefined, { timeout: 60_000 });
    // the page marks our resting quotes in the book; a strategy paused for volatility has none for a
    // while (its quotes are pulled), so this waits until the API has quotes and the page shows them
    await oursInBook(page);
    await page.waitForTimeout(3000);
    const points = await page.evaluate(() => [...document.querySelectorAll('.chart canvas')].map((c) => c.width ?? 0));
    expect(points).toHaveLength(3);
    for (const width of points) expect(width).toBeGreaterThan(100);
    expect(await page.textContent('#conn')).toBe('live');
    expect(Number(await page.evaluate(() => document.body.dataset.events))).toBeGreaterThan(10);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SHOT });
    expect(statSync(SHOT).size).toBeGreaterThan(20_000);

    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await page.close();
  }, 240_000);

  it('a bad parameter shows the API\'s coded error and loads nothing; bad JSON is refused in the page; parameter edits; kill and resume', async () => {
    const w = await open();
    const { page } = w;
    const listed = async (): Promise<string[]> => ((await api('GET', '/api/strategies')).json.strategies as { strategy_id: string; status: string }[]).map((x) => `${x.strategy_id}:${x.status}`);
    const before = await listed();
    expect(before).toEqual(['dash_mm:running']);
    const bad = { ...FAST_PARAMS, spread_bps: -3 };
    const direct = await api('POST', '/api/strategy/load', { name: 'bad_mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: bad });
    expect(direct.status).toBe(400);
    expect(direct.json.error.code).toBe('SPREADCORE_ERR_BAD_PARAM');

    await page.fill('#load-name', 'bad_mm');
    await page.fill('#load-params', JSON.stringify(bad));
    await page.click('#load-btn');
    await page.waitForSelector('#notice[data-kind="error"]', { timeout: 10_000 });
    expect(await page.getAttribute('#notice', 'data-code')).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(await page.textContent('#notice .code')).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(await page.textContent('#notice .msg')).toContain(direct.json.error.message);
    expect(await page.textContent('#log li:first-child')).toContain('SPREADCORE_ERR_BAD_PARAM');
    expect(await listed()).toEqual(before);

    // a state conflict: starting the running strategy again through the row is impossible (button disabled),
    // so ask for a duplicate load instead
    await page.fill('#load-name', 'dash_mm');
    await page.fill('#load-params', JSON.stringify(FAST_PARAMS));
    await page.click('#load-btn');
    await page.waitForFunction(() => document.querySelector('#notice')?.getAttribute('data-code') === 'SPREADCORE_ERR_STRATEGY_EXISTS', undefined, { timeout: 10_000 });

    await page.fill('#load-params', '{"spread_bps": ');
    await page.click('#load-btn');
    await page.waitForFunction(() => document.querySelector('#notice')?.getAttribute('data-code') === 'INVALID_JSON', undefined, { timeout: 5000 });
    expect(await listed()).toEqual(before);

    // parameter edits of the selected strategy: a bad one shows its code, a good one is applied
    expect(await page.inputValue('#strategy')).toBe('dash_mm');
    await page.fill('#patch-params', '{"spread_bps": "wide"}');
    await page.click('#patch-btn');
    await page.waitForFunction(() => document.querySelector('#notice')?.getAttribute('data-code') === 'SPREADCORE_ERR_BAD_PARAM', undefined, { timeout: 10_000 });
    await page.fill('#patch-params', '{"spread_bps": 2}');
    await page.click('#patch-btn');
    await page.waitForSelector('#notice[data-kind="ok"]', { timeout: 10_000 });
    expect(await page.textContent('#notice')).toContain('"spread_bps":2');
    // the panel's current values follow the change (GET …/parameters)
    await page.waitForFunction(() => /"spread_bps": 2\b/.test(document.querySelector('#current-params')?.textContent ?? ''), undefined, { timeout: 10_000 });
    const shown = JSON.parse((await page.textContent('#current-params')) ?? '{}') as Record<string, unknown>;
    expect(shown).toEqual((await api('GET', '/api/strategy/dash_mm/parameters')).json.parameters);

    // the kill switch and its release from the header
    // the kill switch asks first: dismissed, nothing happens; accepted, trading halts
    page.once('dialog', (d) => { void d.dismiss(); });
    await page.click('#kill-btn');
    await sleep(500);
    expect((await api('GET', '/api/health')).json.kill_switch).toBe('ACTIVE');
    page.once('dialog', (d) => { expect(d.type()).toBe('confirm'); void d.accept(); });
    await page.click('#kill-btn');
    await page.waitForFunction(() => document.querySelector('#killstate')?.getAttribute('data-state') === 'HALTED', undefined, { timeout: 10_000 });
    expect((await api('GET', '/api/health')).json.kill_switch).toBe('HALTED');
    await page.click('#resume-btn');
    await page.waitForFunction(() => document.querySelector('#killstate')?.getAttribute('data-state') === 'ACTIVE', undefined, { timeout: 10_000 });
    expect((await api('GET', '/api/health')).json.kill_switch).toBe('ACTIVE');

    expect(w.pageErrors).toEqual([]);
    // the only console errors are the browser's own notes on the three refused requests
    expect(w.consoleErrors).toHaveLength(3);
    for (const m of w.consoleErrors) expect(m).toMatch(/Failed to load resource: the server responded with a status of (400|409)/);
    await page.close();
  }, 60_000);
});
