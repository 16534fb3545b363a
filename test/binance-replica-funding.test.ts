// Funding on the Binance replica's USD-M perpetuals: at every funding time each open
// position pays or receives −positionAmt × mark × rate, booked to the wallet, pushed on
// the listenKey stream as ACCOUNT_UPDATE with reason FUNDING_FEE (the balance only, no
// position, as for cross margin on Binance), and listed by GET /fapi/v1/income with
// Binance's parameters, limits, errors and signing; GET /fapi/v1/premiumIndex answers the
// mark, the rate and the next funding time.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BinanceReplica, DEMO_API_KEY, DEMO_API_SECRET, fundingIncomeE8, fundingSettings, nextFundingTimeMs } from '../src/venues/binance/replica/index.js';

const H = { 'X-MBX-APIKEY': DEMO_API_KEY };
const INTERVAL_MS = 1500;
let replica: BinanceReplica;

async function call(method: string, path: string, params: Record<string, string | number> = {}, sign = true): Promise<{ status: number; body: any }> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  if (sign) {
    q.set('timestamp', String(Date.now()));
    q.set('signature', createHmac('sha256', DEMO_API_SECRET).update(q.toString()).digest('hex'));
  }
  const res = await fetch(`${replica.restUrl}${path}?${q}`, { method, headers: H });
  return { status: res.status, body: await res.json() };
}

async function until(what: string, cond: () => boolean, ms = 6000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 10)); }
}

async function userStream(): Promise<{ ws: WebSocket; events: any[] }> {
  const res = await fetch(`${replica.restUrl}/fapi/v1/listenKey`, { method: 'POST', headers: H });
  const key = ((await res.json()) as any).listenKey as string;
  const ws = new WebSocket(`${replica.wsUrl}/ws/${key}`);
  const events: any[] = [];
  ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString())));
  await new Promise<void>((ok, no) => { ws.once('open', () => ok()); ws.once('error', no); });
  return { ws, events };
}

beforeAll(async () => {
  replica = await BinanceReplica.start({
    futures: true, fundingIntervalMs: INTERVAL_MS, fundingRate: '0.0001',
    market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' }, { symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.001' }] },
  });
  for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
    const res = await fetch(`${replica.restUrl}/__replica/market`, { method: 'POST', body: JSON.stringify({ symbol, bids: [['100.00', '5.000']], asks: [['100.01', '5.000']] }) });
    expect(res.status).toBe(200);
  }
});
afterAll(async () => { await replica.close(); });

describe('the funding rule', () => {
  it('rounds −value × rate half away from zero to 1e-8, and funds at multiples of the interval', () => {
    // 0.010 at a mark of 100.005: value 1.00005, × 0.0001 = 0.000100005 → 0.00010001 paid
    expect(fundingIncomeE8(100_005_000n, 10_000n)).toBe(-10_001n);
    expect(fundingIncomeE8(-100_005_000n, 10_000n)).toBe(10_001n);
    expect(nextFundingTimeMs(28_800_000, 28_800_000)).toBe(57_600_000);
    expect(nextFundingTimeMs(28_799_999, 28_800_000)).toBe(28_800_000);
    expect(() => fundingSettings(999)).toThrow(/at least 1000/);
    expect(() => fundingSettings(1000, '0.000000001')).toThrow(/at most 8 decimals/);
  });
});

describe('funding on the replica', () => {
  it('charges a long at each funding time: wallet, ACCOUNT_UPDATE FUNDING_FEE without positions, and the income record', async () => {
    const { ws, events } = await userStream();
    const buy = await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.050' });
    expect(buy.status, JSON.stringify(buy.body)).toBe(200);
    await until('a FUNDING_FEE event', () => events.some((e) => e.e === 'ACCOUNT_UPDATE' && e.a.m === 'FUNDING_FEE'));
    const ev = events.find((e) => e.e === 'ACCOUNT_UPDATE' && e.a.m === 'FUNDING_FEE');
    ws.close();
    expect(ev.T % INTERVAL_MS).toBe(0);
    expect(Object.keys(ev.a).sort()).toEqual(['B', 'm']);
    expect(ev.a.B).toHaveLength(1);
    expect(ev.a.B[0].a).toBe('USDT');
    expect(ev.a.B[0].bc).toBe('-0.00050003');
    // the wallet moved by the fee from the balance the trade's ACCOUNT_UPDATE left
    const walletBefore = events.filter((e) => e.e === 'ACCOUNT_UPDATE' && e.a.m === 'ORDER').at(-1).a.B[0].wb as string;
    expect(Math.round((Number(walletBefore) - Number(ev.a.B[0].wb)) * 1e8)).toBe(50_003);
    expect(ev.a.B[0].cw).toBe(ev.a.B[0].wb);

    const inc = await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE', symbol: 'BTCUSDT', startTime: ev.T, endTime: ev.T });
    expect(inc.status, JSON.stringify(inc.body)).toBe(200);
    expect(inc.body).toHaveLength(1);
    expect(inc.body[0]).toEqual({ symbol: 'BTCUSDT', incomeType: 'FUNDING_FEE', income: '-0.00050003', asset: 'USDT', info: 'FUNDING_FEE', time: ev.T, tranId: expect.any(Number), tradeId: '' });
    // without incomeType: the trade's commission too, and every record has a distinct tranId
    const all = await call('GET', '/fapi/v1/income', {});
    expect(all.body.map((r: any) => r.incomeType)).toContain('COMMISSION');
    expect(new Set(all.body.map((r: any) => r.tranId)).size).toBe(all.body.length);
  });

  it('pays a short at a positive rate, nothing to a flat symbol; pages from startTime, oldest first', async () => {
    const sell = await call('POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', quantity: '0.070' });
    expect(sell.status, JSON.stringify(sell.body)).toBe(200);
    const since = Date.now();
    await until('a short paid', () => replica.exchange.income.records.some((r) => r.symbol === 'ETHUSDT' && r.incomeType === 'FUNDING_FEE' && r.timeMs >= since), 6000);
    const eth = await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE', symbol: 'ETHUSDT' });
    // −(−0.070 × 100.005) × 0.0001 = +0.000700035, half away from zero: +0.00070004
    expect(eth.body[0].income).toBe('0.00070004');
    // close the long: no BTCUSDT funding after that
    await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.050', reduceOnly: 'true' });
    const closedAt = Date.now();
    await until('the next funding time', () => replica.exchange.lastFundingTimeMs > closedAt, 6000);
    const btcAfter = await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE', symbol: 'BTCUSDT', startTime: closedAt });
    expect(btcAfter.body).toEqual([]);
    // paging: limit 1, page 1 and 2 are the two oldest, in time order
    const p1 = await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE', limit: 1, page: 1, startTime: 0 });
    const p2 = await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE', limit: 1, page: 2, startTime: 0 });
    const both = await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE', limit: 2, startTime: 0 });
    expect([p1.body[0], p2.body[0]]).toEqual(both.body);
    expect(both.body[0].time).toBeLessThanOrEqual(both.body[1].time);
  });

  it('refuses what Binance refuses: limit over 1000, an unknown incomeType or symbol, an unsigned request', async () => {
    expect((await call('GET', '/fapi/v1/income', { limit: 1001 })).body.code).toBe(-1100);
    expect((await call('GET', '/fapi/v1/income', { incomeType: 'NOPE' })).body.code).toBe(-1130);
    expect((await call('GET', '/fapi/v1/income', { symbol: 'NOPEUSDT' })).body.code).toBe(-1121);
    const unsigned = await call('GET', '/fapi/v1/income', {}, false);
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.code).toBe(-1102);
  });

  it('answers premiumIndex: mark, the funding rate and the next funding time', async () => {
    const one = await call('GET', '/fapi/v1/premiumIndex', { symbol: 'BTCUSDT' }, false);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ symbol: 'BTCUSDT', markPrice: '100.00500000', lastFundingRate: '0.00010000' });
    expect(one.body.nextFundingTime % INTERVAL_MS).toBe(0);
    expect(one.body.nextFundingTime).toBeGreaterThan(one.body.time);
    const every = await call('GET', '/fapi/v1/premiumIndex', {}, false);
    expect(every.body.map((x: any) => x.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect((await call('GET', '/fapi/v1/premiumIndex', { symbol: 'NOPEUSDT' }, false)).body.code).toBe(-1121);
  });
});
