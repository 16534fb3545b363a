// The Binance replica's fault injection and rate limits, each checked for what it
// says it does: clock skew, delayed acks, unknown outcomes (5xx and no answer) with
// the order really placed, injected 429 and 418, real weight and order limits
// (429 with Retry-After, then 418 for a client that keeps going), duplicated and
// reordered user-data events, dropped connections, ended user-data streams.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BinanceReplica, DEMO_API_KEY, DEMO_API_SECRET } from '../src/venues/binance/replica/index.js';

let replica: BinanceReplica;

function signed(params: Record<string, string | number>, ts = Date.now()): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  q.set('timestamp', String(ts));
  q.set('signature', createHmac('sha256', DEMO_API_SECRET).update(q.toString()).digest('hex'));
  return q.toString();
}

async function call(r: BinanceReplica, method: string, path: string, params: Record<string, string | number> = {}, ts?: number): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${r.restUrl}${path}?${signed(params, ts)}`, { method, headers: { 'X-MBX-APIKEY': DEMO_API_KEY } });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function faults(r: BinanceReplica, body: unknown): Promise<any> {
  const res = await fetch(`${r.restUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

async function orderState(r: BinanceReplica, clientOrderId: string): Promise<any> {
  const s = await (await fetch(`${r.restUrl}/__replica/state`)).json() as any;
  return s.orders.find((o: any) => o.clientOrderId === clientOrderId);
}

const limit = (cid: string, price = '99.00'): Record<string, string> => ({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.10000', price, newClientOrderId: cid });

async function startManual(extra: Partial<Parameters<typeof BinanceReplica.start>[0]> = {}): Promise<BinanceReplica> {
  const r = await BinanceReplica.start({ market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] }, ...extra });
  const res = await fetch(`${r.restUrl}/__replica/market`, { method: 'POST', body: JSON.stringify({ symbol: 'BTCUSDT', bids: [['100.00', '1']], asks: [['100.01', '1']] }) });
  expect(res.status).toBe(200);
  return r;
}

/** Waits until `ms` of the current `windowMs` window are left (so a burst stays in one rate-limit window). */
async function roomInWindow(windowMs: number, ms: number): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < ms) await new Promise((r) => setTimeout(r, left + 20));
}

function wsApi(r: BinanceReplica): Promise<{ ws: WebSocket; events: any[]; closed: Promise<number>; req: (m: string, p?: Record<string, unknown>) => Promise<any> }> {
  const ws = new WebSocket(`${r.wsUrl}/ws-api/v3`);
  const events: any[] = [];
  const waiting = new Map<string, (m: any) => void>();
  let n = 0;
  ws.on('message', (d: Buffer) => { const m = JSON.parse(d.toString()); if ('event' in m) events.push(m); else waiting.get(m.id)?.(m); });
  const closed = new Promise<number>((res) => ws.on('close', (code) => res(code)));
  const req = (method: string, params: Record<string, unknown> = {}): Promise<any> => {
    const all: Record<string, unknown> = { ...params, apiKey: DEMO_API_KEY, timestamp: Date.now() };
    const payload = Object.keys(all).sort().map((k) => `${k}=${String(all[k])}`).join('&');
    const id = `q${++n}`;
    return new Promise((res) => { waiting.set(id, res); ws.send(JSON.stringify({ id, method, params: { ...all, signature: createHmac('sha256', DEMO_API_SECRET).update(payload).digest('hex') } })); });
  };
  return new Promise((res, rej) => { ws.once('open', () => res({ ws, events, closed, req })); ws.once('error', rej); });
}

async function until(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) { if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`); await new Promise((r) => setTimeout(r, 5)); }
}

beforeAll(async () => { replica = await startManual(); });
afterAll(async () => { await replica.close(); });

describe('Binance replica faults', () => {
  it('clock skew moves server time and the timestamp check', async () => {
    await faults(replica, { clockSkewMs: 20_000 });
    const t = await (await fetch(`${replica.restUrl}/api/v3/time`)).json() as any;
    expect(t.serverTime - Date.now()).toBeGreaterThan(19_000);
    expect((await call(replica, 'GET', '/api/v3/account')).body.code).toBe(-1021);
    expect((await call(replica, 'GET', '/api/v3/account', {}, Date.now() + 20_000)).status).toBe(200);
    await faults(replica, { clockSkewMs: 0 });
    expect((await call(replica, 'GET', '/api/v3/account')).status).toBe(200);
  });

  it('delays acks: the order is live before its answer arrives', async () => {
    await faults(replica, { ackDelayMs: 400 });
    const t0 = Date.now();
    const pending = call(replica, 'POST', '/api/v3/order', limit('slow-1'));
    await new Promise((r) => setTimeout(r, 150));
    expect((await orderState(replica, 'slow-1'))?.status).toBe('NEW');
    const r = await pending;
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    await faults(replica, { ackDelayMs: 0 });
  });

  it('answers 5xx (-1007) for an order that was placed', async () => {
    await faults(replica, { unknownOutcome: { count: 1, mode: '5xx', status: 503 } });
    const r = await call(replica, 'POST', '/api/v3/order', limit('unknown-1'));
    expect([r.status, r.body.code]).toEqual([503, -1007]);
    const q = await call(replica, 'GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'unknown-1' });
    expect(q.body.status).toBe('NEW');
    expect((await call(replica, 'POST', '/api/v3/order', limit('unknown-2'))).status).toBe(200); // count was 1
  });

  it('never answers (the connection is cut) an order that was placed', async () => {
    await faults(replica, { unknownOutcome: { count: 1, mode: 'timeout', timeoutMs: 200 } });
    await expect(call(replica, 'POST', '/api/v3/order', limit('silent-1'))).rejects.toThrow();
    expect((await orderState(replica, 'silent-1')).status).toBe('NEW');
  });

  it('injects 429 with Retry-After, and a 418 ban that ends', async () => {
    await faults(replica, { rateLimit429: { count: 1, retryAfterS: 7 } });
    const r = await fetch(`${replica.restUrl}/api/v3/time`);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect((await r.json() as any).code).toBe(-1003);
    expect((await fetch(`${replica.restUrl}/api/v3/time`)).status).toBe(200);
    await faults(replica, { ban418Ms: 400 });
    const b = await fetch(`${replica.restUrl}/api/v3/time`);
    expect(b.status).toBe(418);
    expect(Number(b.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await new Promise((res) => setTimeout(res, 450));
    expect((await fetch(`${replica.restUrl}/api/v3/time`)).status).toBe(200);
  });

  it('duplicates and reorders user-data events, and ends subscriptions', async () => {
    const c = await wsApi(replica);
    expect((await c.req('userDataStream.subscribe.signature')).status).toBe(200);
    await faults(replica, { duplicateUserEvents: 1 });
    await c.req('order.place', limit('dup-ev'));
    await until('3 events', () => c.events.length >= 3);
    expect(c.events.slice(0, 2).map((e) => e.event.e)).toEqual(['executionReport', 'executionReport']);
    expect(c.events[0]).toEqual(c.events[1]);
    c.events.length = 0;
    await faults(replica, { reorderUserEvents: 1 });
    await c.req('order.place', limit('reorder-ev', '98.00'));
    await until('2 events', () => c.events.length >= 2);
    expect(c.events.map((e) => e.event.e)).toEqual(['outboundAccountPosition', 'executionReport']);
    c.events.length = 0;
    await faults(replica, { expireListenKeys: true });
    await until('termination', () => c.events.length >= 1);
    expect(c.events[0].event.e).toBe('eventStreamTerminated');
    c.events.length = 0;
    await c.req('order.cancel', { symbol: 'BTCUSDT', origClientOrderId: 'reorder-ev' });
    await new Promise((r) => setTimeout(r, 50));
    expect(c.events).toEqual([]);
    c.ws.close();
  });

  it('drops connections', async () => {
    const c = await wsApi(replica);
    await faults(replica, { dropConnections: true });
    expect(await c.closed).toBe(1006);
    await faults(replica, { dropRequests: 1 });
    await expect(fetch(`${replica.restUrl}/api/v3/time`)).rejects.toThrow();
    expect((await fetch(`${replica.restUrl}/api/v3/time`)).status).toBe(200);
  });

  it('refuses unknown faults and clears them all with DELETE', async () => {
    const bad = await fetch(`${replica.restUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ nope: 1 }) });
    expect(bad.status).toBe(400);
    const negative = await fetch(`${replica.restUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ omitDepthRemovals: -1 }) });
    expect(negative.status).toBe(400);
    expect(await negative.text()).toMatch(/omitDepthRemovals must be an integer from 0/);
    await faults(replica, { ackDelayMs: 5, duplicateUserEvents: 3, omitDepthRemovals: 2 });
    const cleared = await (await fetch(`${replica.restUrl}/__replica/faults`, { method: 'DELETE' })).json() as any;
    expect([cleared.ackDelayMs, cleared.duplicateUserEvents, cleared.omitDepthRemovals]).toEqual([0, 0, 0]);
  });
});

describe('Binance replica rate limits', () => {
  it('429 with Retry-After over the weight limit, then 418 for a client that keeps going', async () => {
    const r = await startManual({ rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 45 }], banAfter429s: 2, banMs: 60_000 });
    try {
      await roomInWindow(60_000, 5000);
      const statuses: number[] = [];
      let retry: string | null = null;
      let last: any = null;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${r.restUrl}/api/v3/exchangeInfo`);
        statuses.push(res.status);
        if (res.status === 429) retry = res.headers.get('retry-after');
        last = await res.json();
        if (i === 1) expect(res.headers.get('x-mbx-used-weight-1m')).toBe('40');
      }
      expect(statuses).toEqual([200, 200, 429, 429, 418]);
      expect(Number(retry)).toBeGreaterThanOrEqual(1);
      expect(Number(retry)).toBeLessThanOrEqual(60);
      expect(last.code).toBe(-1003);
      expect(last.msg).toMatch(/IP banned until \d+/);
      const still = await fetch(`${r.restUrl}/api/v3/time`);
      expect(still.status).toBe(418);
      expect(Number(still.headers.get('retry-after'))).toBeGreaterThan(50);
    } finally {
      await r.close();
    }
  });

  it('429 (-1015) over the order-count limit, with the order-count headers', async () => {
    const r = await startManual({ rateLimits: [{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 2 }, { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }] });
    try {
      await roomInWindow(10_000, 3000);
      const a = await call(r, 'POST', '/api/v3/order', limit('o1'));
      const b = await call(r, 'POST', '/api/v3/order', limit('o2'));
      const c = await call(r, 'POST', '/api/v3/order', limit('o3'));
      expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
      expect(b.headers.get('x-mbx-order-count-10s')).toBe('2');
      expect(c.body).toEqual({ code: -1015, msg: 'Too many new orders; current limit is 2 orders per 10 SECOND.' });
      expect(Number(c.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      expect(await orderState(r, 'o3')).toBeUndefined();
      const counts = await call(r, 'GET', '/api/v3/rateLimit/order');
      expect(counts.body).toEqual([{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 2, count: 2 }]);
      const all = await call(r, 'GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' });
      expect(all.body.map((o: any) => o.clientOrderId)).toEqual(['o1', 'o2']);
      // filled orders do not count (faqs/order_count_decrement.md): a maker fill gives the count back
      const res = await fetch(`${r.restUrl}/__replica/market`, { method: 'POST', body: JSON.stringify({ symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.00', qty: '0.05' } }) });
      expect(res.status).toBe(200);
      expect((await orderState(r, 'o1')).status).toBe('PARTIALLY_FILLED');
      expect((await call(r, 'GET', '/api/v3/rateLimit/order')).body[0].count).toBe(0);
      expect((await call(r, 'POST', '/api/v3/order', limit('o4'))).status).toBe(200);
    } finally {
      await r.close();
    }
  });
});
