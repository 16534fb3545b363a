// The WebSocket API client's connection handling against bare ws servers: per-request
// timeout → unknown outcome, pending requests failed on a drop, dead-link detection by
// ping/pong, reconnect with backoff, budget refusal before sending, signed frames.
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerClock } from '../src/venues/binance/clock.js';
import { BinanceApiError, BinanceError } from '../src/venues/binance/errors.js';
import { Priority, RateBudget } from '../src/venues/binance/rate-budget.js';
import { BudgetRefusedError } from '../src/venues/binance/rest-client.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { BinanceWsApiClient, buildSignedWsFrame } from '../src/venues/binance/ws-api-client.js';
import { binanceEndpoints } from '../src/venues/binance/endpoints.js';

const cleanups: Array<() => void> = [];
afterEach(() => { while (cleanups.length > 0) cleanups.pop()!(); });

async function server(opts: { autoPong?: boolean; onMessage?: (ws: WebSocket, msg: { id: string; method: string; params: Record<string, unknown> }) => void } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: opts.autoPong ?? true });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conns: WebSocket[] = [];
  wss.on('connection', (ws) => {
    conns.push(ws);
    ws.on('message', (d) => opts.onMessage?.(ws, JSON.parse(d.toString())));
  });
  cleanups.push(() => { for (const c of conns) c.terminate(); wss.close(); });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, conns };
}

function client(url: string, over: Partial<ConstructorParameters<typeof BinanceWsApiClient>[0]> = {}) {
  const clock = new ServerClock({ fetchServerTime: async () => Date.now() });
  const c = new BinanceWsApiClient({ market: 'spot', url, signer: new HmacSigner('k', 's'), clock, budget: new RateBudget(), requestTimeoutMs: 100, pingIntervalMs: 60_000, reconnectMinMs: 10, reconnectMaxMs: 50, ...over });
  cleanups.push(() => c.close());
  return c;
}

describe('WebSocket API client', () => {
  it('signs frames over the params sorted by name, apiKey included', () => {
    const signer = new HmacSigner('KEY', 'SECRET');
    const frame = JSON.parse(buildSignedWsFrame('r1', 'order.place', { symbol: 'BTCUSDT', side: 'BUY', price: '1.00', quantity: undefined }, signer, 5000, 1700000000000));
    expect(frame.params.quantity).toBeUndefined();
    const expected = createHmac('sha256', 'SECRET').update('apiKey=KEY&price=1.00&recvWindow=5000&side=BUY&symbol=BTCUSDT&timestamp=1700000000000').digest('hex');
    expect(frame.params.signature).toBe(expected);
  });

  it('no answer within the timeout → unknown_outcome; a late answer is ignored', async () => {
    const s = await server({ onMessage: (ws, m) => setTimeout(() => ws.send(JSON.stringify({ id: m.id, status: 200, result: {} })), 250) });
    const c = client(s.url);
    await c.connect();
    const err = await c.placeOrder({ symbol: 'BTCUSDT' }).catch((e) => e);
    expect(err).toBeInstanceOf(BinanceApiError);
    expect((err as BinanceApiError).cls).toBe('unknown_outcome');
    expect(c.counters.timeouts).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
  });

  it('requests time out each on its own deadline, in the order sent; an answered one does not; no timer is left', async () => {
    // answers only the second request, at once
    let n = 0;
    const s = await server({ onMessage: (ws, m) => { if (++n === 2) ws.send(JSON.stringify({ id: m.id, status: 200, result: { ok: 2 } })); } });
    const c = client(s.url, { requestTimeoutMs: 150 });
    await c.connect();
    const t0 = performance.now();
    const settled: Array<{ i: number; ok: boolean; atMs: number }> = [];
    const track = (i: number, p: Promise<unknown>): Promise<void> => p.then(
      () => { settled.push({ i, ok: true, atMs: performance.now() - t0 }); },
      (e: unknown) => { expect((e as BinanceApiError).cls).toBe('unknown_outcome'); settled.push({ i, ok: false, atMs: performance.now() - t0 }); },
    );
    const first = track(1, c.placeOrder({ symbol: 'BTCUSDT' }));
    const second = track(2, c.placeOrder({ symbol: 'BTCUSDT' }));
    await new Promise((r) => setTimeout(r, 60));
    const third = track(3, c.placeOrder({ symbol: 'BTCUSDT' })); // sent 60 ms later: its own deadline
    await Promise.all([first, second, third]);
    expect(settled.map((x) => `${x.i}:${x.ok}`)).toEqual(['2:true', '1:false', '3:false']);
    expect(c.counters.timeouts).toBe(2);
    // not before its own 150 ms (the first's expiry did not take it along)
    expect(settled[2]!.atMs).toBeGreaterThanOrEqual(60 + 150 - 5);
    expect((c as unknown as { timeoutTimer: unknown }).timeoutTimer).toBeNull();
  });

  it('requests pending when the connection drops fail as unknown_outcome; the client reconnects', async () => {
    const s = await server({ onMessage: (ws) => ws.terminate() });
    const c = client(s.url, { requestTimeoutMs: 5000 });
    let reconnected = 0;
    c.onReconnected(() => { reconnected++; });
    await c.connect();
    const err = await c.cancelOrder('BTCUSDT', { orderId: 1 }).catch((e) => e);
    expect((err as BinanceApiError).cls).toBe('unknown_outcome');
    await new Promise((r) => setTimeout(r, 200));
    expect(reconnected).toBeGreaterThanOrEqual(1);
    expect(c.connected).toBe(true);
  });

  it('a link that stops answering pings is dropped and replaced', async () => {
    const s = await server({ autoPong: false });
    const c = client(s.url, { pingIntervalMs: 30 });
    await c.connect();
    const t0 = Date.now();
    while (c.counters.reconnects === 0 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    expect(c.counters.reconnects).toBeGreaterThanOrEqual(1);
    expect(s.conns.length).toBeGreaterThanOrEqual(2);
  });

  it('a link that pongs stays up', async () => {
    const s = await server();
    const c = client(s.url, { pingIntervalMs: 20 });
    await c.connect();
    await new Promise((r) => setTimeout(r, 150));
    expect(c.counters.reconnects).toBe(0);
    expect(s.conns.length).toBe(1);
  });

  it('nothing is sent when not connected or when the budget says no', async () => {
    let got = 0;
    const s = await server({ onMessage: () => { got++; } });
    const budget = new RateBudget();
    const c = client(s.url, { budget });
    await expect(c.placeOrder({ symbol: 'BTCUSDT' })).rejects.toBeInstanceOf(BinanceError);
    await c.connect();
    budget.onRateLimited(429, 10_000);
    await expect(c.placeOrder({ symbol: 'BTCUSDT' }, Priority.TOP_REQUOTE)).rejects.toBeInstanceOf(BudgetRefusedError);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toBe(0);
  });

  it('error answers are classified and feed the budget (429 with retryAfter blocks sends)', async () => {
    const s = await server({ onMessage: (ws, m) => ws.send(JSON.stringify({ id: m.id, status: 429, error: { code: -1003, msg: 'Too much request weight used.', data: { serverTime: Date.now(), retryAfter: Date.now() + 5000 } }, rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 6001 }] })) });
    const budget = new RateBudget();
    const c = client(s.url, { budget });
    await c.connect();
    const err = await c.placeOrder({ symbol: 'BTCUSDT' }).catch((e) => e);
    expect((err as BinanceApiError).cls).toBe('rate_limited');
    expect(budget.blockedUntilMs).toBeGreaterThan(Date.now() + 3000);
    expect(budget.counters.http429).toBe(1);
  });
});

describe('endpoints', () => {
  it('testnet unless another mode is named', () => {
    expect(binanceEndpoints('spot').rest).toBe('https://testnet.binance.vision');
    expect(binanceEndpoints('spot', { mode: 'demo' }).wsApi).toBe('wss://demo-ws-api.binance.com/ws-api/v3');
    expect(binanceEndpoints('usdm', { mode: 'production' }).wsApi).toBe('wss://ws-fapi.binance.com/ws-fapi/v1');
  });
});
