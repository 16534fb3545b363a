// The WebSocket API frame builders write JSON and the signature payload by hand (no
// intermediate objects per order): they must give exactly what the straightforward
// construction gives — the same params after JSON.parse, the signature over the params
// sorted by name (web-socket-api.md § SIGNED request example), any string escaped. Frames sent
// in one synchronous run leave in one socket write (coalesceWrites), in order, each answered.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { ServerClock } from '../src/venues/binance/clock.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { BinanceWsApiClient, buildSessionWsFrame, buildSignedWsFrame, buildWsFrame } from '../src/venues/binance/ws-api-client.js';

const KEY = 'frame-key';
const SECRET = 'frame-secret';
const signer = new HmacSigner(KEY, SECRET);

/** The reference: an object, its names sorted, `k=v&…` signed, JSON.stringify. */
function reference(params: Record<string, string | number | boolean | undefined>, recvWindow: number, timestamp: number): Record<string, unknown> {
  const p: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined && k !== 'signature') p[k] = v;
  p['apiKey'] = KEY;
  p['recvWindow'] = recvWindow;
  p['timestamp'] = timestamp;
  const payload = Object.keys(p).sort().map((k) => `${k}=${String(p[k])}`).join('&');
  return { ...p, signature: createHmac('sha256', SECRET).update(payload).digest('hex') };
}

const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,15}$/).filter((k) => !['apiKey', 'recvWindow', 'timestamp', 'signature', '__proto__', 'constructor'].includes(k));
const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(undefined), fc.stringMatching(/^\d{1,6}\.\d{1,8}$/));

describe('WebSocket API frames', () => {
  it('an order.place frame: the docs-style params, sorted signature payload, valid JSON', () => {
    const frame = buildSignedWsFrame('r1', 'order.place', {
      symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', timeInForce: undefined, quantity: '0.00100', price: '50000.00', newClientOrderId: 'abc-1', newOrderRespType: 'RESULT',
    }, signer, 5000, 1700000000000);
    const m = JSON.parse(frame) as { id: string; method: string; params: Record<string, unknown> };
    expect(m.id).toBe('r1');
    expect(m.method).toBe('order.place');
    expect(m.params).toEqual(reference({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.00100', price: '50000.00', newClientOrderId: 'abc-1', newOrderRespType: 'RESULT' }, 5000, 1700000000000));
    expect(frame).not.toContain('timeInForce');
    expect(Object.keys(m.params).at(-1)).toBe('signature');
  });

  it('any params: the same frame content as the reference construction (property)', () => {
    fc.assert(fc.property(fc.dictionary(name, value, { maxKeys: 12 }), fc.integer({ min: 1, max: 60000 }), fc.integer({ min: 0, max: 2 ** 45 }), (params, rw, ts) => {
      const m = JSON.parse(buildSignedWsFrame('x"1', 'order.place', params, signer, rw, ts)) as { id: string; params: Record<string, unknown> };
      expect(m.id).toBe('x"1');
      expect(m.params).toEqual(reference(params, rw, ts));
    }), { numRuns: 300 });
  });

  it('a signature param passed in is replaced, never signed', () => {
    const m = JSON.parse(buildSignedWsFrame('r2', 'order.cancel', { symbol: 'BTCUSDT', orderId: 7, signature: 'forged' }, signer, 5000, 1)) as { params: Record<string, unknown> };
    expect(m.params).toEqual(reference({ symbol: 'BTCUSDT', orderId: 7 }, 5000, 1));
  });

  it('unsigned and session frames carry the params as given', () => {
    fc.assert(fc.property(fc.dictionary(name, value, { maxKeys: 8 }), (params) => {
      const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
      expect(JSON.parse(buildWsFrame('u1', 'time', params))).toEqual({ id: 'u1', method: 'time', params: defined });
      expect(JSON.parse(buildSessionWsFrame('s1', 'order.place', params, 5000, 42))).toEqual({ id: 's1', method: 'order.place', params: { ...defined, recvWindow: 5000, timestamp: 42 } });
    }), { numRuns: 200 });
  });
});

describe('coalesced writes', () => {
  async function burst(coalesceWrites: boolean): Promise<{ writes: number; received: string[]; answered: string[] }> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const received: string[] = [];
    wss.on('connection', (sock) => sock.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { id: string; params: { symbol: string } };
      received.push(m.params.symbol);
      sock.send(JSON.stringify({ id: m.id, status: 200, result: { symbol: m.params.symbol } }));
    }));
    const clock = new ServerClock({ fetchServerTime: async () => Date.now() });
    const c = new BinanceWsApiClient({ market: 'spot', url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, signer, clock, budget: new RateBudget(), coalesceWrites });
    await c.connect();
    const tcp = (c as unknown as { ws: { _socket: { _writev: (...a: unknown[]) => unknown; _write: (...a: unknown[]) => unknown } } }).ws._socket;
    let writes = 0;
    const wv = tcp._writev.bind(tcp);
    const w = tcp._write.bind(tcp);
    tcp._writev = (...a: unknown[]) => { writes++; return wv(...a); };
    tcp._write = (...a: unknown[]) => { writes++; return w(...a); };
    const answers = ['AAA', 'BBB', 'CCC', 'DDD'].map((symbol) => c.request<{ symbol: string }>('order.place', { symbol, side: 'BUY' }, true, { weight: 1, orders: 1 }));
    const answered = (await Promise.all(answers)).map((a) => a.symbol);
    const sent = writes; // before the close frame
    c.close();
    await new Promise<void>((r) => wss.close(() => r()));
    return { writes: sent, received, answered };
  }

  it('four requests in one run: one socket write, delivered in order, each answered; without coalescing, a write each', async () => {
    const on = await burst(true);
    expect(on.writes).toBe(1);
    expect(on.received).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    expect(on.answered).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    const off = await burst(false);
    expect(off.writes).toBe(4);
    expect(off.received).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
    expect(off.answered).toEqual(['AAA', 'BBB', 'CCC', 'DDD']);
  });
});
