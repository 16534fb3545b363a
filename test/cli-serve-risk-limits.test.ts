// `spreadcore serve --risk-limits`: the limits every strategy and the manual account
// start with reach the risk gate (an order over max_order_notional, or outside the
// price band, is refused with its reason; one inside passes), GET /api/health shows
// them, and a file works as well as inline JSON.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonRequest, startDashboardServe, stopDashboardServe, type DashboardServe } from './support/dashboard-serve.js';
import { ROOT } from './support/run-cli.js';

let tmp = '';
let s: DashboardServe | undefined;
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-risk-limits-'));
});
afterEach(() => { stopDashboardServe(s); s = undefined; });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function mid(base: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const d = await jsonRequest(base, 'GET', '/api/market/depth?symbol=BTCUSDT&limit=1');
    if (d.status === 200 && typeof d.json.mid_price === 'number') return d.json.mid_price as number;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no BTCUSDT book');
}

describe('serve --risk-limits', () => {
  it('max_order_notional (inline JSON): a manual order worth more is refused, a smaller one passes; health shows the limits', async () => {
    s = await startDashboardServe(['--data-dir', join(tmp, 'd1'), '--risk-limits', '{"max_order_notional": 100}']);
    const health = await jsonRequest(s.base, 'GET', '/api/health');
    expect(health.json.risk_limits).toEqual({ max_order_notional: 100 });
    const m = await mid(s.base);
    expect(m * 0.01).toBeGreaterThan(100); // 0.01 BTC is worth more than 100
    const big = await jsonRequest(s.base, 'POST', '/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.01, type: 'MARKET' });
    expect(big.status, JSON.stringify(big.json)).toBe(422);
    expect(big.json.error).toMatchObject({ code: 'SPREADCORE_ERR_ORDER_REJECTED', detail: { reason: 'DENY_MAX_NOTIONAL' } });
    expect(m * 0.001).toBeLessThan(100);
    const small = await jsonRequest(s.base, 'POST', '/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' });
    expect(small.status, JSON.stringify(small.json)).toBe(200);
  }, 60_000);

  it('price_band_bps (a file): a limit order 2 % from the mid is refused at 100 bps, one 0.5 % away rests', async () => {
    const file = join(tmp, 'limits.json');
    writeFileSync(file, JSON.stringify({ price_band_bps: 100 }));
    s = await startDashboardServe(['--data-dir', join(tmp, 'd2'), '--risk-limits', file]);
    expect((await jsonRequest(s.base, 'GET', '/api/health')).json.risk_limits).toEqual({ price_band_bps: 100 });
    const m = await mid(s.base);
    const far = await jsonRequest(s.base, 'POST', '/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price: Math.round(m * 0.98) });
    expect(far.status, JSON.stringify(far.json)).toBe(422);
    expect(far.json.error.detail.reason).toBe('DENY_PRICE_BAND');
    const near = await jsonRequest(s.base, 'POST', '/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price: Math.round(m * 0.995) });
    expect(near.status, JSON.stringify(near.json)).toBe(200);
  }, 60_000);

  it('without the flag health shows no limits given, and the default band (500 bps) lets the 2 % order rest', async () => {
    s = await startDashboardServe(['--data-dir', join(tmp, 'd3')]);
    expect((await jsonRequest(s.base, 'GET', '/api/health')).json.risk_limits).toEqual({});
    const m = await mid(s.base);
    const far = await jsonRequest(s.base, 'POST', '/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price: Math.round(m * 0.98) });
    expect(far.status, JSON.stringify(far.json)).toBe(200);
  }, 60_000);
});
