// The Binance replica as USD-M futures: listenKey user data (ORDER_TRADE_UPDATE,
// ACCOUNT_UPDATE, expiry), GTX post-only refusal, a resting order filled by the
// market with userTrades and positionRisk showing the same numbers, modify, reduce-only,
// the countdown cancel-all, and the ws-fapi WebSocket API.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BinanceReplica, DEMO_API_KEY, DEMO_API_SECRET } from '../src/venues/binance/replica/index.js';

let replica: BinanceReplica;
const H = { 'X-MBX-APIKEY': DEMO_API_KEY };

async function call(method: string, path: string, params: Record<string, string | number> = {}, r = replica): Promise<{ status: number; body: any }> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  q.set('timestamp', String(Date.now()));
  q.set('signature', createHmac('sha256', DEMO_API_SECRET).update(q.toString()).digest('hex'));
  const res = await fetch(`${r.restUrl}${path}?${q}`, { method, headers: H });
  return { status: res.status, body: await res.json() };
}

async function market(body: unknown, r = replica): Promise<void> {
  const res = await fetch(`${r.restUrl}/__replica/market`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

async function until(what: string, cond: () => boolean, ms = 4000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 5)); }
}

async function startFutures(extra: Partial<Parameters<typeof BinanceReplica.start>[0]> = {}): Promise<BinanceReplica> {
  const r = await BinanceReplica.start({ futures: true, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' }] }, ...extra });
  await market({ symbol: 'BTCUSDT', bids: [['100.00', '1.000']], asks: [['100.01', '1.000']] }, r);
  return r;
}

async function userStream(r: BinanceReplica): Promise<{ ws: WebSocket; events: any[]; key: string }> {
  const res = await fetch(`${r.restUrl}/fapi/v1/listenKey`, { method: 'POST', headers: H });
  const key = ((await res.json()) as any).listenKey as string;
  const ws = new WebSocket(`${r.wsUrl}/ws/${key}`);
  const events: any[] = [];
  ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString())));
  await new Promise<void>((res2, rej) => { ws.once('open', () => res2()); ws.once('error', rej); });
  return { ws, events, key };
}

beforeAll(async () => { replica = await startFutures(); });
afterAll(async () => { await replica.close(); });

describe('Binance replica, USD-M', () => {
  it('serves time, exchangeInfo with filters, and refuses a listenKey call without a key', async () => {
    const t = await (await fetch(`${replica.restUrl}/fapi/v1/time`)).json() as any;
    expect(Math.abs(t.serverTime - Date.now())).toBeLessThan(1000);
    const info = await (await fetch(`${replica.restUrl}/fapi/v1/exchangeInfo`)).json() as any;
    const s = info.symbols[0];
    expect([s.symbol, s.contractType, s.marginAsset, s.pricePrecision, s.quantityPrecision]).toEqual(['BTCUSDT', 'PERPETUAL', 'USDT', 2, 3]);
    expect(s.filters.find((f: any) => f.filterType === 'PRICE_FILTER').tickSize).toBe('0.01');
    expect(info.rateLimits.length).toBeGreaterThan(0);
    const nokey = await fetch(`${replica.restUrl}/fapi/v1/listenKey`, { method: 'POST' });
    expect((await nokey.json() as any).code).toBe(-2014);
  });

  it('refuses a GTX order that would take (-5022) and off-tick prices', async () => {
    const r = await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.100', price: '100.00' });
    expect([r.status, r.body.code]).toEqual([400, -5022]);
    expect((await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.100', price: '100.005' })).body.code).toBe(-4014);
    expect((await call('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' })).body).toEqual([]);
  });

  it('fills a resting order from the market; ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, userTrades and positionRisk agree', async () => {
    const u = await userStream(replica);
    const placed = await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.500', price: '100.00', newClientOrderId: 'fut-1' });
    expect(placed.body).toMatchObject({ status: 'NEW', clientOrderId: 'fut-1', price: '100.00', origQty: '0.500', positionSide: 'BOTH' });
    await market({ symbol: 'BTCUSDT', trade: { side: 'SELL', price: '100.00', qty: '1.200' } });
    await market({ symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.99', qty: '1.000' } });
    await until('5 user events', () => u.events.length >= 5);
    const orders = u.events.filter((e) => e.e === 'ORDER_TRADE_UPDATE').map((e) => e.o);
    expect(orders.map((o) => `${o.x}/${o.X}/${o.l}@${o.L}/${o.z}`)).toEqual(['NEW/NEW/0@0/0.000', 'TRADE/PARTIALLY_FILLED/0.200@100.00/0.200', 'TRADE/FILLED/0.300@100.00/0.500']);
    for (const f of 's c S o f q p ap sp x X i l z L N n T t b a m R wt ot ps cp rp pP si ss V pm gtd'.split(' ')) expect(Object.keys(orders[2]), f).toContain(f);
    expect(orders[2]).toMatchObject({ c: 'fut-1', m: true, n: '0.03000000', N: 'USDT', ap: '100.00000000', rp: '0.00000000', i: placed.body.orderId });
    const acct = u.events.filter((e) => e.e === 'ACCOUNT_UPDATE').at(-1);
    expect(acct.a.B[0]).toMatchObject({ a: 'USDT', wb: '99999.95000000' });
    expect(acct.a.P[0]).toMatchObject({ s: 'BTCUSDT', pa: '0.500', ep: '100.00000000', ps: 'BOTH' });

    // the market moves up; a market sell closes part of the long at 101.00 (taker)
    await market({ symbol: 'BTCUSDT', bids: [['101.00', '1.000']], asks: [['101.01', '1.000']] });
    const sold = await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.200', reduceOnly: 'true' });
    expect(sold.body).toMatchObject({ status: 'FILLED', executedQty: '0.200', avgPrice: '101.00000000', reduceOnly: true });
    await until('sell events', () => u.events.filter((e) => e.e === 'ACCOUNT_UPDATE').length >= 3);
    const last = u.events.filter((e) => e.e === 'ORDER_TRADE_UPDATE').at(-1).o;
    expect([last.x, last.X, last.rp, last.n, last.m]).toEqual(['TRADE', 'FILLED', '0.20000000', '0.02020000', false]);

    const trades = (await call('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT' })).body;
    expect(trades.map((t: any) => [t.side, t.price, t.qty, t.quoteQty, t.commission, t.realizedPnl, t.maker])).toEqual([
      ['BUY', '100.00', '0.200', '20.00000000', '0.02000000', '0.00000000', true],
      ['BUY', '100.00', '0.300', '30.00000000', '0.03000000', '0.00000000', true],
      ['SELL', '101.00', '0.200', '20.20000000', '0.02020000', '0.20000000', false],
    ]);
    expect((await call('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', fromId: trades[2].id })).body.map((t: any) => t.id)).toEqual([trades[2].id]);
    const pos = (await call('GET', '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' })).body[0];
    expect(pos).toMatchObject({ symbol: 'BTCUSDT', positionAmt: '0.300', entryPrice: '100.00000000', markPrice: '101.00500000', unRealizedProfit: '0.30150000', positionSide: 'BOTH' });
    const v3 = (await call('GET', '/fapi/v3/positionRisk', {})).body;
    expect(v3).toHaveLength(1);
    expect(v3[0]).toMatchObject({ symbol: 'BTCUSDT', positionAmt: '0.300', notional: '30.30150000', initialMargin: '1.51507500', maintMargin: '0.75753750', marginAsset: 'USDT' });
    const account = (await call('GET', '/fapi/v3/account', {})).body;
    expect(account).toMatchObject({ totalWalletBalance: '100000.12980000', totalUnrealizedProfit: '0.30150000', totalMarginBalance: '100000.43130000', totalInitialMargin: '1.51507500' });
    expect(account.positions).toEqual([expect.objectContaining({ symbol: 'BTCUSDT', positionAmt: '0.300', unrealizedProfit: '0.30150000' })]);
    const balance = (await call('GET', '/fapi/v2/balance', {})).body;
    expect(balance[0]).toMatchObject({ asset: 'USDT', balance: '100000.12980000', crossUnPnl: '0.30150000', availableBalance: '99998.91622500' });
    const state = await (await fetch(`${replica.restUrl}/__replica/state`)).json() as any;
    expect(state.walletBalance).toBe('100000.12980000');
    const lastAcct = u.events.filter((e) => e.e === 'ACCOUNT_UPDATE').at(-1);
    expect(lastAcct.a.B[0].wb).toBe('100000.12980000');
    expect(lastAcct.a.P[0]).toMatchObject({ pa: '0.300', cr: '0.20000000' });

    const bad = await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.100', reduceOnly: 'true' });
    expect(bad.body).toEqual({ code: -2022, msg: 'ReduceOnly Order is rejected.' });
    u.ws.close();
  });

  it('modifies an order (PUT) to the back of the queue with an AMENDMENT event; cancels; countdown cancel-all', async () => {
    const u = await userStream(replica);
    const o = await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.100', price: '99.00' });
    const m = await call('PUT', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: o.body.orderId, side: 'BUY', quantity: '0.200', price: '99.50' });
    expect(m.body).toMatchObject({ orderId: o.body.orderId, status: 'NEW', price: '99.50', origQty: '0.200' });
    await until('amendment', () => u.events.some((e) => e.o?.x === 'AMENDMENT'));
    const q = await call('GET', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: o.body.orderId });
    expect(q.body).toMatchObject({ price: '99.50', origQty: '0.200', status: 'NEW' });
    expect(q.body.time).toBeTypeOf('number');
    const c = await call('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: o.body.orderId });
    expect(c.body.status).toBe('CANCELED');
    expect((await call('DELETE', '/fapi/v1/order', { symbol: 'BTCUSDT', orderId: o.body.orderId })).body.code).toBe(-2011);

    await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.100', price: '98.00' });
    const cd = await call('POST', '/fapi/v1/countdownCancelAll', { symbol: 'BTCUSDT', countdownTime: 200 });
    expect(cd.body).toEqual({ symbol: 'BTCUSDT', countdownTime: '200' });
    expect((await call('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' })).body).toHaveLength(1);
    await until('countdown', () => u.events.some((e) => e.o?.x === 'CANCELED' && e.o.p === '98.00'));
    expect((await call('GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' })).body).toEqual([]);
    u.ws.close();
  });

  it('trades over ws-fapi/v1: order.place, order.status, order.modify, order.cancel', async () => {
    const ws = new WebSocket(`${replica.wsUrl}/ws-fapi/v1`);
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    const answers = new Map<string, any>();
    ws.on('message', (d: Buffer) => { const m = JSON.parse(d.toString()); answers.set(m.id, m); });
    let n = 0;
    const req = async (method: string, params: Record<string, unknown>): Promise<any> => {
      const all: Record<string, unknown> = { ...params, apiKey: DEMO_API_KEY, timestamp: Date.now() };
      const payload = Object.keys(all).sort().map((k) => `${k}=${String(all[k])}`).join('&');
      const id = `f${++n}`;
      ws.send(JSON.stringify({ id, method, params: { ...all, signature: createHmac('sha256', DEMO_API_SECRET).update(payload).digest('hex') } }));
      await until(id, () => answers.has(id));
      return answers.get(id);
    };
    const p = await req('order.place', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTX', quantity: '0.100', price: '102.00' });
    expect(p.status).toBe(200);
    expect(p.result).toMatchObject({ status: 'NEW', timeInForce: 'GTX' });
    expect(Array.isArray(p.rateLimits)).toBe(true);
    expect((await req('order.status', { symbol: 'BTCUSDT', orderId: p.result.orderId })).result.status).toBe('NEW');
    expect((await req('order.modify', { symbol: 'BTCUSDT', orderId: p.result.orderId, side: 'SELL', quantity: '0.100', price: '102.50' })).result.price).toBe('102.50');
    expect((await req('order.cancel', { symbol: 'BTCUSDT', orderId: p.result.orderId })).result.status).toBe('CANCELED');
    const badSig = await new Promise<any>((res) => {
      ws.once('message', (d: Buffer) => res(JSON.parse(d.toString())));
      ws.send(JSON.stringify({ id: 'x', method: 'order.status', params: { symbol: 'BTCUSDT', orderId: 1, apiKey: DEMO_API_KEY, timestamp: Date.now(), signature: '0'.repeat(64) } }));
    });
    expect([badSig.status, badSig.error.code]).toEqual([400, -1022]);
    ws.close();
  });

  it('expires a listenKey after its lifetime without keepalive (listenKeyExpired, then -1125)', async () => {
    const r = await startFutures({ listenKeyTtlMs: 1500 });
    try {
      const u = await userStream(r);
      const keep = await fetch(`${r.restUrl}/fapi/v1/listenKey`, { method: 'PUT', headers: H });
      expect(((await keep.json()) as any).listenKey).toBe(u.key);
      await until('listenKeyExpired', () => u.events.some((e) => e.e === 'listenKeyExpired'), 6000);
      expect(u.events.find((e) => e.e === 'listenKeyExpired').listenKey).toBe(u.key);
      const after = await fetch(`${r.restUrl}/fapi/v1/listenKey`, { method: 'PUT', headers: H });
      expect(((await after.json()) as any).code).toBe(-1125);
      // and on demand, through the fault endpoint
      const v = await userStream(r);
      await fetch(`${r.restUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ expireListenKeys: true }) });
      await until('forced expiry', () => v.events.some((e) => e.e === 'listenKeyExpired'));
    } finally {
      await r.close();
    }
  });
});
