// The dashboard as a trader keeps it open, in a real browser against `spreadcore serve`
// (the compiled CLI, port 0, a temporary data directory; `npm run build` first):
//  - history: the charts open with the server's samples (GET /api/history), older than
//    the page, again after a reload;
//  - the selected strategy's panel shows what GET /api/strategy/:id/overview says (risk
//    state, fill rate, drawdown, net P&L, fills, markouts, decision latency);
//  - fills are those of the selected strategy (a switch shows all);
//  - the parameter form generated from the schema sends one PATCH with the changed fields
//    only, and the API then holds them;
//  - a binary contract's NO side (1 − p) and time to resolution;
//  - the kill switch is "kill_switch ACTIVE" in the server's log, health and the page;
//  - 390 × 844 (a phone) and 1920 × 1080: no horizontal scroll, the Kill button visible
//    and clickable; full-page screenshots written to test-artifacts/ and checked.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { sleep } from './support/wait.js';
import { jsonRequest, startDashboardServe, stopDashboardServe, type DashboardServe } from './support/dashboard-serve.js';

// the page's globals as used by the functions evaluated in the browser (the project compiles without the DOM library)
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  scrollingElement: { scrollWidth: number } | null;
  querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }> & Iterable<{ getAttribute(name: string): string | null }>;
  querySelector(selector: string): { getAttribute(name: string): string | null; textContent: string | null; hidden?: boolean } | null;
};
declare const performance: { timeOrigin: number };
declare const innerWidth: number;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const MM = 'trader_mm';
const YES = 'trader_yes';
const FAST_PARAMS = { spread_bps: 1.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 1.0, inventory_skew: true, skew_factor: 0.5 };
const YES_PARAMS = { spread_bps: 50, order_size: 10, max_position: 100 };

let dataDir = '';
let server: DashboardServe | undefined;
let base = '';
let browser: Browser | undefined;
let serverStartedMs = 0;


const api = (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => jsonRequest(base, method, path, body);

/** Polls until f gives a value (not undefined); fails with the last state seen. */
async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) { last = e; }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${last !== undefined ? ` (last error: ${String(last)})` : ''}`);
}

interface Watched { page: Page; consoleErrors: string[]; pageErrors: string[] }

async function open(width: number, height: number): Promise<Watched> {
  const page = await browser!.newPage({ viewport: { width, height } });
  const w: Watched = { page, consoleErrors: [], pageErrors: [] };
  page.on('console', (m) => { if (m.type() === 'error') w.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => { w.pageErrors.push(String(e)); });
  await page.goto(`${base}/`, { timeout: 30_000 });
  await page.waitForFunction(() => document.body.dataset.stream === 'live', undefined, { timeout: 30_000 });
  return w;
}

async function select(page: Page, id: string): Promise<void> {
  await page.locator(`#strategies tr[data-id="${id}"] td.id`).click({ timeout: 15_000 });
  await page.waitForFunction((sid) => document.querySelector('#ov-strategy')?.textContent === sid
    && document.querySelector('#overview dd[data-key="status"]') !== null, id, { timeout: 30_000 });
}

/** Width and height of a PNG (its IHDR). */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/gateway/routes-history.js'))) throw new Error('dist is missing or old: run "npm run build" first (npm test does it)');
  dataDir = mkdtempSync(join(tmpdir(), 'spreadcore-trader-'));
  server = await startDashboardServe(['--seed', '5', '--data-dir', dataDir]);
  base = server.base;
  serverStartedMs = Date.now();
  expect((await api('POST', '/api/strategy/load', { name: MM, type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: FAST_PARAMS })).status).toBe(200);
  expect((await api('POST', `/api/strategy/${MM}/start`)).status).toBe(200);
  expect((await api('POST', '/api/strategy/load', { name: YES, type: 'MarketMaking', symbols: ['BTC-100K-YES'], parameters: YES_PARAMS })).status).toBe(200);
  expect((await api('POST', `/api/strategy/${YES}/start`)).status).toBe(200);
  browser = await launchChromium();
  // some history before any page opens: samples with our quotes and a position
  await until('ten samples of the strategy with quotes', async () => {
    const h = (await api('GET', `/api/history?symbol=BTCUSDT&strategy_id=${MM}&seconds=600`)).json;
    return h.points >= 10 && (h.bid as (number | null)[]).some((x) => x !== null) ? true : undefined;
  }, 90_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  stopDashboardServe(server);
  if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard for a trader', () => {
  it('opens with the server\'s history, older than the page, again after a reload; the kill switch has one name', async () => {
    const w = await open(1280, 800);
    const { page } = w;
    await page.waitForFunction(() => Number(document.body.dataset.historyPoints ?? 0) > 0, undefined, { timeout: 30_000 });
    const opened = await page.evaluate(() => performance.timeOrigin);
    const oldest = Number(await page.evaluate(() => document.body.dataset.historyOldest));
    expect(oldest).toBeLessThan(opened);
    expect(oldest).toBeGreaterThanOrEqual(serverStartedMs - 60_000);

    await sleep(3000);
    await page.reload({ timeout: 30_000 });
    await page.waitForFunction(() => document.body.dataset.stream === 'live' && Number(document.body.dataset.historyPoints ?? 0) > 0, undefined, { timeout: 30_000 });
    const reopened = await page.evaluate(() => performance.timeOrigin);
    expect(reopened).toBeGreaterThan(opened);
    const after = Number(await page.evaluate(() => document.body.dataset.historyOldest));
    // points from before the first page, not only from the reload on
    expect(after).toBeLessThan(opened);
    // the same samples the API gives (one every 3 s counted back from the newest, so the oldest moves by up to a step)
    const api3h = (await api('GET', `/api/history?symbol=BTCUSDT&strategy_id=${MM}&seconds=10800&step=3`)).json;
    expect(Math.abs(api3h.t[0] - after)).toBeLessThanOrEqual(4000);
    const shown = Number(await page.evaluate(() => document.body.dataset.historyPoints));
    expect(shown).toBeGreaterThan(3);
    expect(shown).toBeLessThanOrEqual(api3h.points + 1);
    // the three charts are drawn
    expect(await page.locator('.chart canvas').count()).toBe(3);

    // one name for the kill switch: the start-up line, /api/health and the page
    const health = (await api('GET', '/api/health')).json;
    expect(health.kill_switch).toBe('ACTIVE');
    expect(server!.out()).toContain(`kill_switch ${health.kill_switch}`);
    await page.waitForFunction(() => document.querySelector('#killstate')?.textContent === 'kill_switch ACTIVE', undefined, { timeout: 15_000 });

    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await page.close();
  }, 180_000);

  it('the selected strategy\'s panel shows the API\'s values; fills of that strategy only; the form sends a PATCH the API holds', async () => {
    const w = await open(1280, 800);
    const { page } = w;
    await select(page, MM);
    await until('fills of the strategy', async () => ((await api('GET', `/api/strategy/${MM}/trades?limit=5`)).json.trades.length > 2 ? true : undefined), 90_000);
    await page.waitForSelector(`#fills tbody tr[data-strategy="${MM}"]`, { timeout: 30_000 });
    await page.waitForSelector('#markouts tbody tr', { timeout: 30_000 });
    expect(await page.locator('#overview dd[data-key="decision_p50_ms"]').textContent()).toMatch(/^\d+\.\d{3} ms$/);

    // stopped, the strategy's figures hold still: the page shows the API's
    expect((await api('POST', `/api/strategy/${MM}/stop`)).status).toBe(200);
    const keys = ['status', 'risk_state', 'fill_rate_pct', 'max_drawdown', 'net_profit', 'total_trades'] as const;
    const seen = await until('the panel to show the stopped strategy as the API does', async () => {
      const o = (await api('GET', `/api/strategy/${MM}/overview?symbol=BTCUSDT`)).json;
      const shown = await page.evaluate((ks) => Object.fromEntries(ks.map((k) => [k, document.querySelector(`#overview dd[data-key="${k}"]`)?.getAttribute('data-value') ?? null])), [...keys]);
      const want = Object.fromEntries(keys.map((k) => [k, o[k] === null || o[k] === undefined ? '' : String(o[k])]));
      return JSON.stringify(shown) === JSON.stringify(want) ? { o, shown } : undefined;
    }, 30_000);
    expect(seen.shown.status).toBe('stopped');
    expect(seen.shown.risk_state).toBe(seen.o.risk_state);
    expect(Number(seen.shown.total_trades)).toBeGreaterThan(2);
    const markoutRows = await page.locator('#markouts tbody tr').count();
    expect(markoutRows).toBe(seen.o.markouts.length);

    // only the selected strategy's fills; the switch shows every strategy's
    const strategiesShown = async (): Promise<string[]> => [...new Set(await page.locator('#fills tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-strategy') ?? '')))];
    expect(await strategiesShown()).toEqual([MM]);
    await until('fills of the binary strategy', async () => ((await api('GET', `/api/strategy/${YES}/trades?limit=5`)).json.trades.length > 0 ? true : undefined), 90_000);
    await page.uncheck('#fills-mine');
    await page.waitForFunction((id) => [...document.querySelectorAll('#fills tbody tr')].some((r) => r.getAttribute('data-strategy') === id), YES, { timeout: 30_000 });
    await page.check('#fills-mine');
    await page.waitForFunction((id) => [...document.querySelectorAll('#fills tbody tr')].every((r) => r.getAttribute('data-strategy') === id), MM, { timeout: 15_000 });

    // the form: generated from the schema, one PATCH with the fields changed
    await page.waitForSelector(`#param-form[data-strategy="${MM}"] #pf-spread_bps`, { timeout: 15_000 });
    expect(await page.getAttribute('#pf-quote_levels', 'step')).toBe('1');
    expect(await page.locator('#pf-quote_model option').count()).toBeGreaterThan(1);
    expect(await page.getAttribute('#pf-inventory_skew', 'type')).toBe('checkbox');
    await page.fill('#pf-spread_bps', '3.5');
    await page.fill('#pf-quote_levels', '2');
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/api/strategy/${MM}/parameters`), { timeout: 15_000 }),
      page.click('#form-apply-btn'),
    ]);
    expect(req.postDataJSON()).toEqual({ spread_bps: 3.5, quote_levels: 2 });
    await page.waitForSelector('#notice[data-kind="ok"]', { timeout: 15_000 });
    const held = (await api('GET', `/api/strategy/${MM}/parameters`)).json.parameters;
    expect(held.spread_bps).toBe(3.5);
    expect(held.quote_levels).toBe(2);
    // the form shows the values the engine now holds
    await page.waitForFunction(() => document.querySelector('#pf-spread_bps')?.getAttribute('data-initial') === '3.5', undefined, { timeout: 15_000 });
    expect(await page.inputValue('#pf-quote_levels')).toBe('2');
    // a value the API refuses shows its code, and changes nothing
    await page.fill('#pf-quote_levels', '0');
    await page.click('#form-apply-btn');
    await page.waitForFunction(() => document.querySelector('#notice')?.getAttribute('data-code') === 'SPREADCORE_ERR_BAD_PARAM', undefined, { timeout: 15_000 });
    expect((await api('GET', `/api/strategy/${MM}/parameters`)).json.parameters.quote_levels).toBe(2);
    // JSON editing stays
    await page.fill('#patch-params', '{"spread_bps": 4}');
    await page.click('#patch-btn');
    await until('the JSON edit applied', async () => ((await api('GET', `/api/strategy/${MM}/parameters`)).json.parameters.spread_bps === 4 ? true : undefined), 15_000);

    expect(w.pageErrors).toEqual([]);
    // the browser's own note on the one refused request
    expect(w.consoleErrors).toHaveLength(1);
    expect(w.consoleErrors[0]).toMatch(/status of 400/);
    await page.close();
  }, 300_000);

  it('a binary contract: the NO side (1 − p) and the time to resolution', async () => {
    const w = await open(1280, 800);
    const { page } = w;
    await select(page, YES);
    await page.waitForFunction(() => document.querySelector('#binary')?.hidden === false
      && document.querySelector('#binary dd[data-key="yes_mid"]')?.getAttribute('data-value') !== '', undefined, { timeout: 30_000 });
    const v = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#binary dd')].map((d) => [d.getAttribute('data-key'), d.getAttribute('data-value')])));
    const yes = Number(v['yes_mid']);
    const no = Number(v['no_mid']);
    expect(yes).toBeGreaterThan(0);
    expect(yes).toBeLessThan(1);
    expect(no).toBeCloseTo(1 - yes, 9);
    expect(await page.locator('#binary dd[data-key="no_mid"]').textContent()).toBe(String(no));
    const o = (await api('GET', `/api/strategy/${YES}/overview`)).json;
    expect(v['resolution_time']).toBe(o.binary.resolution_time);
    const market = (await api('GET', '/api/markets')).json.markets.find((m: { symbol: string }) => m.symbol === 'BTC-100K-YES');
    expect(v['resolution_time']).toBe(market.resolution_time);
    expect(await page.locator('#binary dd[data-key="hours_to_resolution"]').textContent()).toMatch(/^(\d+d \d+h|\d+h \d\dm)/);
    // our NO quotes are the complement of our YES quotes
    const q = (await api('GET', `/api/strategy/${YES}/quotes`)).json;
    if (q.no_side?.bids?.[0] !== undefined && v['no_bid'] !== '') expect(Number(v['no_bid'])).toBeGreaterThan(0);
    expect(w.pageErrors).toEqual([]);
    expect(w.consoleErrors).toEqual([]);
    await page.close();
  }, 120_000);

  for (const [width, height] of [[390, 844], [1920, 1080]] as const) {
    it(`${width} × ${height}: no horizontal scroll, Kill visible and clickable, screenshot`, async () => {
      const w = await open(width, height);
      const { page } = w;
      await select(page, MM);
      await page.waitForFunction(() => Number(document.body.dataset.historyPoints ?? 0) > 0, undefined, { timeout: 30_000 });
      await page.waitForSelector('#param-form [data-kind]', { timeout: 30_000 });
      await page.waitForSelector('#book tbody tr.bid', { timeout: 30_000 });
      await sleep(1500);
      const fit = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth }));
      expect(fit.scrollWidth).toBeLessThanOrEqual(fit.innerWidth);
      expect(fit.innerWidth).toBe(width);

      const kill = page.locator('#kill-btn');
      expect(await kill.isVisible()).toBe(true);
      const box = (await kill.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(height);
      // still in view with the page scrolled to its end (the header stays on top)
      await page.evaluate(() => { const e = document.scrollingElement as unknown as { scrollTop: number; scrollHeight: number }; e.scrollTop = e.scrollHeight; });
      await sleep(300);
      const low = (await kill.boundingBox())!;
      expect(low.y).toBeGreaterThanOrEqual(0);
      expect(low.y + low.height).toBeLessThanOrEqual(height);
      // clickable: the click reaches it (nothing covers it) and asks for confirmation; dismissed, nothing changes
      let asked = '';
      page.once('dialog', (d) => { asked = d.type(); void d.dismiss(); });
      await kill.click({ timeout: 10_000 });
      await until('the confirmation', async () => (asked !== '' ? true : undefined), 10_000);
      expect(asked).toBe('confirm');
      expect((await api('GET', '/api/health')).json.kill_switch).toBe('ACTIVE');

      await page.evaluate(() => { (document.scrollingElement as unknown as { scrollTop: number }).scrollTop = 0; });
      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, `dashboard-${width}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      const size = pngSize(shot);
      // the full page is exactly the viewport wide: nothing sticks out to the right
      expect(size.width).toBe(width);
      expect(size.height).toBeGreaterThanOrEqual(height);
      expect(readFileSync(shot).length).toBeGreaterThan(20_000);
      const fitAfter = await page.evaluate(() => document.scrollingElement!.scrollWidth);
      expect(fitAfter).toBeLessThanOrEqual(width);

      expect(w.pageErrors).toEqual([]);
      expect(w.consoleErrors).toEqual([]);
      await page.close();
    }, 120_000);
  }
});
