// The Binance replica's spot REST API and WebSocket API against a hand-driven
// market: signing and timestamp refusals, filters, LIMIT_MAKER, a resting order
// filled by market trades (queue position, then a trade through its price) with
// the executionReports, myTrades and account agreeing to the last digit.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';

// the example key pair of binance-spot-api-docs rest-api.md ("SIGNED Endpoint Examples for POST /api/v3/order")
const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

function sign(payload: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

let replica: BinanceReplica;
let base = '';

interface Answer { status: number; body: any; headers: Headers }

async function call(method: string, path: string, params: Record<string, string | number> = {}, opts: { key?: string; secret?: string; ts?: number; sign?: boolean; body?: boolean } = {}): Promise<Answer> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) q.set(k, String(v));
  const signed = opts.sign !== false;
  if (signed) {
    q.set('timestamp', String(opts.ts ?? Date.now()));
    q.set('signature', sign(q.toString(), opts.secret));
  }
  const headers: Record<string, string> = { 'X-MBX-APIKEY': opts.key ?? KEY };
  let url = `${base}${path}`;
  let body: string | undefined;
  if (opts.body === true) { body = q.toString(); headers['Content-Type'] = 'application/x-www-form-urlencoded'; } else if ([...q].length > 0) url += `?${q}`;
  const r = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

async function admin(path: string, body: unknown): Promise<void> {
  const r = await fetch(`${base}/__replica/${path}`, { method: 'POST', body: JSON.stringify(body) });
  expect(r.status, await r.clone().text()).toBe(200);
}

async function state(): Promise<any> { return (await fetch(`${base}/__replica/state`)).json(); }

/** A WS API connection that collects user-data events. */
class WsApi {
  readonly ws: WebSocket;
  readonly events: any[] = [];
  private readonly waiting = new Map<unknown, (m: any) => void>();
  private nextId = 1;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString());
      if ('event' in m) this.events.push(m);
      else this.waiting.get(m.id)?.(m);
    });
  }
  open(): Promise<void> { return new Promise((r, j) => { this.ws.once('open', () => r()); this.ws.once('error', j); }); }
  request(method: string, params?: Record<string, unknown>, signed = false): Promise<any> {
    const id = `r${this.nextId++}`;
    let p = params;
    if (signed) {
      const all: Record<string, unknown> = { ...params, apiKey: KEY, timestamp: Date.now() };
      const payload = Object.keys(all).sort().map((k) => `${k}=${String(all[k])}`).join('&');
      p = { ...all, signature: sign(payload) };
    }
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify(p === undefined ? { id, method } : { id, method, params: p }));
    });
  }
  async until(n: number): Promise<void> {
    const t0 = Date.now();
    while (this.events.length < n) {
      if (Date.now() - t0 > 5000) throw new Error(`waited for ${n} events, got ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

beforeAll(async () => {
  replica = await BinanceReplica.start({
    market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
    apiKeys: [{ apiKey: KEY, secret: SECRET }],
  });
  base = replica.restUrl;
  await admin('market', { symbol: 'BTCUSDT', bids: [['100.00', '1.00000'], ['99.99', '2.00000']], asks: [['100.01', '1.50000'], ['100.02', '3.00000']] });
});

afterAll(async () => { await replica.close(); });

describe('Binance replica, spot: signing and timing', () => {
  it('signs the docs example payload to the docs signature', () => {
    expect(sign('symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559'))
      .toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
  });

  it('answers time, and weight headers on every answer', async () => {
    const r = await call('GET', '/api/v3/time', {}, { sign: false });
    expect(r.status).toBe(200);
    expect(Math.abs(r.body.serverTime - Date.now())).toBeLessThan(1000);
    expect(Number(r.headers.get('x-mbx-used-weight-1m'))).toBeGreaterThan(0);
  });

  it('refuses a bad signature, an unknown key, a missing key, and timestamps outside the window', async () => {
    const acct = await call('GET', '/api/v3/account');
    expect(acct.status).toBe(200);
    const bad = await call('GET', '/api/v3/account', {}, { secret: 'not-the-secret' });
    expect([bad.status, bad.body.code, bad.body.msg]).toEqual([400, -1022, 'Signature for this request is not valid.']);
    const unknown = await call('GET', '/api/v3/account', {}, { key: 'someoneElse' });
    expect([unknown.status, unknown.body.code]).toEqual([401, -2015]);
    const r = await fetch(`${base}/api/v3/account?timestamp=${Date.now()}&signature=00`);
    expect((await r.json() as any).code).toBe(-2014);
    const old = await call('GET', '/api/v3/account', {}, { ts: Date.now() - 6000 });
    expect([old.body.code, old.body.msg]).toEqual([-1021, 'Timestamp for this request is outside of the recvWindow.']);
    const okWindow = await call('GET', '/api/v3/account', { recvWindow: 10000 }, { ts: Date.now() - 6000 });
    expect(okWindow.status).toBe(200);
    const ahead = await call('GET', '/api/v3/account', {}, { ts: Date.now() + 1500 });
    expect([ahead.body.code, ahead.body.msg]).toEqual([-1021, "Timestamp for this request was 1000ms ahead of the server's time."]);
    const noTs = await fetch(`${base}/api/v3/account?signature=${sign('')}`, { headers: { 'X-MBX-APIKEY': KEY } });
    expect((await noTs.json() as any).code).toBe(-1102);
  });

  it('takes parameters from the body too, signed over query string + body', async () => {
    const r = await call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.10000', price: '99.00', newClientOrderId: 'body-1' }, { body: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.clientOrderId).toBe('body-1');
    expect(r.headers.get('x-mbx-order-count-10s')).not.toBeNull();
    expect(r.headers.get('x-mbx-order-count-1d')).not.toBeNull();
    const mismatch = await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: r.body.orderId, origClientOrderId: 'other' });
    expect(mismatch.body).toEqual({ code: -2039, msg: 'Client order ID is not correct for this order ID.' });
    const c = await call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'body-1' });
    expect(c.body.status).toBe('CANCELED');
    const again = await call('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'body-1' });
    expect([again.status, again.body.code, again.body.msg]).toEqual([400, -2011, 'Unknown order sent.']);
    const q = await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: 999999 });
    expect([q.status, q.body.code, q.body.msg]).toEqual([400, -2013, 'Order does not exist.']);
  });
});

describe('Binance replica, spot: orders', () => {
  it('lists the symbol with its filters and rate limits', async () => {
    const r = await call('GET', '/api/v3/exchangeInfo', { symbol: 'BTCUSDT' }, { sign: false });
    const s = r.body.symbols[0];
    expect(s.symbol).toBe('BTCUSDT');
    expect([s.baseAsset, s.quoteAsset]).toEqual(['BTC', 'USDT']);
    const f = Object.fromEntries(s.filters.map((x: any) => [x.filterType, x]));
    expect(f.PRICE_FILTER.tickSize).toBe('0.01000000');
    expect(f.LOT_SIZE.stepSize).toBe('0.00001000');
    expect(f.NOTIONAL.minNotional).toBe('5.00000000');
    expect(f.PERCENT_PRICE_BY_SIDE.bidMultiplierUp).toBe('5');
    expect(r.body.rateLimits.map((l: any) => `${l.rateLimitType}/${l.intervalNum}${l.interval}`)).toContain('REQUEST_WEIGHT/1MINUTE');
  });

  it('refuses orders that break a filter', async () => {
    const place = (o: Record<string, string>) => call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', ...o });
    expect((await place({ quantity: '0.10000', price: '99.005' })).body).toEqual({ code: -1013, msg: 'Filter failure: PRICE_FILTER' });
    expect((await place({ quantity: '0.100001', price: '99.00' })).body).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    expect((await place({ quantity: '0.01000', price: '99.00' })).body).toEqual({ code: -1013, msg: 'Filter failure: NOTIONAL' });
    expect((await place({ quantity: '0.10000', price: '600.00' })).body).toEqual({ code: -1013, msg: 'Filter failure: PERCENT_PRICE_BY_SIDE' });
    expect((await place({ quantity: '0.100000001', price: '99.00' })).body.code).toBe(-1111);
    expect((await call('POST', '/api/v3/order', { symbol: 'NOPE', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '1' })).body.code).toBe(-1121);
    expect((await place({ quantity: '5000.00000', price: '99.00' })).body).toEqual({ code: -2010, msg: 'Account has insufficient balance for requested action.' });
    expect((await state()).orders.filter((o: any) => o.status === 'NEW')).toHaveLength(0);
  });

  it('refuses a LIMIT_MAKER that would cross, and a duplicate client id among open orders', async () => {
    const cross = await call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.10000', price: '100.01' });
    expect([cross.status, cross.body.code, cross.body.msg]).toEqual([400, -2010, 'Order would immediately match and take.']);
    const ok = await call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.10000', price: '99.50', newClientOrderId: 'dup' });
    // LIMIT_MAKER answers ACK unless asked otherwise
    expect(Object.keys(ok.body).sort()).toEqual(['clientOrderId', 'orderId', 'orderListId', 'symbol', 'transactTime']);
    expect(ok.body.clientOrderId).toBe('dup');
    expect((await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', origClientOrderId: 'dup' })).body.status).toBe('NEW');
    const dup = await call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.10000', price: '99.40', newClientOrderId: 'dup' });
    expect(dup.body).toEqual({ code: -2010, msg: 'Duplicate order sent.' });
    const all = await call('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(all.body.map((o: any) => o.origClientOrderId)).toEqual(['dup']);
    const none = await call('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(none.body.code).toBe(-2011);
  });

  it('fills a resting order from its queue position and a trade through it; events, myTrades and account agree', async () => {
    const api = new WsApi(`${replica.wsUrl}/ws-api/v3`);
    await api.open();
    const sub = await api.request('userDataStream.subscribe.signature', {}, true);
    expect(sub.status).toBe(200);
    const subId = sub.result.subscriptionId;
    const before = (await call('GET', '/api/v3/account')).body.balances;
    const usdt0 = before.find((b: any) => b.asset === 'USDT');
    const btc0 = before.find((b: any) => b.asset === 'BTC');
    const t0 = (await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' })).body.length;

    // behind 1.0 displayed at 100.00
    const placed = await api.request('order.place', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.50000', price: '100.00', newClientOrderId: 'rest-1' }, true);
    expect(placed.status, JSON.stringify(placed)).toBe(200);
    expect(placed.result).toMatchObject({ status: 'NEW', executedQty: '0.00000000', fills: [] });
    expect(placed.rateLimits.map((l: any) => l.rateLimitType)).toEqual(['ORDERS', 'ORDERS', 'REQUEST_WEIGHT']);
    const orderId = placed.result.orderId;
    expect((await state()).orders.find((o: any) => o.orderId === orderId).queueAheadQty).toBe('1.00000000');

    await admin('market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '100.00', qty: '1.20000' } });
    await admin('market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.99', qty: '1.00000' } });
    // NEW + account (the lock), TRADE + account, TRADE + account
    await api.until(6);
    const reports = api.events.filter((e) => e.event.e === 'executionReport').map((e) => e.event);
    expect(api.events.every((e) => e.subscriptionId === subId)).toBe(true);
    expect(reports.map((r) => `${r.x}/${r.X}/${r.l}@${r.L}`)).toEqual([
      'NEW/NEW/0.00000000@0.00000000', 'TRADE/PARTIALLY_FILLED/0.20000000@100.00000000', 'TRADE/FILLED/0.30000000@100.00000000',
    ]);
    const fields = 'e E s c S o f q p P F g C x X r i l z L n N T t I w m M O Z Y Q W V'.split(' ');
    for (const f of fields) expect(Object.keys(reports[0]), f).toContain(f);
    expect(reports[2]).toMatchObject({ s: 'BTCUSDT', c: 'rest-1', S: 'BUY', o: 'LIMIT', f: 'GTC', q: '0.50000000', p: '100.00000000', i: orderId, z: '0.50000000', Z: '50.00000000', m: true, w: false, N: 'BTC', n: '0.00030000' });
    expect(reports[1]).toMatchObject({ n: '0.00020000', Y: '20.00000000', w: true });

    const trades = (await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', fromId: reports[1].t })).body;
    expect(trades.map((t: any) => [t.id, t.orderId, t.price, t.qty, t.quoteQty, t.commission, t.commissionAsset, t.isBuyer, t.isMaker])).toEqual([
      [reports[1].t, orderId, '100.00000000', '0.20000000', '20.00000000', '0.00020000', 'BTC', true, true],
      [reports[2].t, orderId, '100.00000000', '0.30000000', '30.00000000', '0.00030000', 'BTC', true, true],
    ]);
    expect((await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' })).body.length).toBe(t0 + 2);
    const after = (await call('GET', '/api/v3/account')).body.balances;
    const usdt = after.find((b: any) => b.asset === 'USDT');
    const btc = after.find((b: any) => b.asset === 'BTC');
    expect(usdt).toEqual({ asset: 'USDT', free: (Number(usdt0.free) - 50).toFixed(8), locked: '0.00000000' });
    expect(btc.free).toBe('10.49950000');
    expect(btc0.free).toBe('10.00000000');
    const acctEvents = api.events.filter((e) => e.event.e === 'outboundAccountPosition').map((e) => e.event);
    expect(acctEvents.at(-1).B).toEqual([{ a: 'BTC', f: '10.49950000', l: '0.00000000' }, { a: 'USDT', f: usdt.free, l: '0.00000000' }]);
    const q = await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expect(q.body).toMatchObject({ status: 'FILLED', executedQty: '0.50000000', cummulativeQuoteQty: '50.00000000', isWorking: true });
    api.ws.close();
  });

  it('takes liquidity with a MARKET order (FULL fills, taker) and expires an IOC remainder', async () => {
    const m = await call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.20000' });
    expect(m.body).toMatchObject({ status: 'FILLED', type: 'MARKET', executedQty: '0.20000000', cummulativeQuoteQty: '20.00000000' });
    expect(m.body.fills).toEqual([{ price: '100.00000000', qty: '0.20000000', commission: '0.02000000', commissionAsset: 'USDT', tradeId: m.body.fills[0].tradeId }]);
    const ioc = await call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '2.00000', price: '100.01', newOrderRespType: 'RESULT' });
    expect(ioc.body).toMatchObject({ status: 'EXPIRED', executedQty: '1.50000000', cummulativeQuoteQty: '150.01500000' });
    expect(ioc.body.fills).toBeUndefined();
  });
});

describe('Binance replica, spot: cancelReplace', () => {
  const base0 = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.10000' };
  it('200 when both legs succeed', async () => {
    const o = await call('POST', '/api/v3/order', { ...base0, price: '98.00' });
    const r = await call('POST', '/api/v3/order/cancelReplace', { ...base0, price: '98.50', cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrderId: o.body.orderId });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS', cancelResponse: { status: 'CANCELED', orderId: o.body.orderId }, newOrderResponse: { status: 'NEW', price: '98.50000000' } });
  });
  it('400 -2022 with STOP_ON_FAILURE when the cancel fails; nothing placed', async () => {
    const n = (await state()).orders.length;
    const r = await call('POST', '/api/v3/order/cancelReplace', { ...base0, price: '98.50', cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrderId: 424242 });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: -2022, msg: 'Order cancel-replace failed.', data: { cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED', cancelResponse: { code: -2011, msg: 'Unknown order sent.' }, newOrderResponse: null } });
    expect((await state()).orders.length).toBe(n);
  });
  it('409 -2021 when the cancel succeeds and the new LIMIT_MAKER would cross', async () => {
    const o = await call('POST', '/api/v3/order', { ...base0, price: '98.00' });
    const r = await call('POST', '/api/v3/order/cancelReplace', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.10000', price: '100.02', cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrderId: o.body.orderId });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe(-2021);
    expect(r.body.data).toMatchObject({ cancelResult: 'SUCCESS', newOrderResult: 'FAILURE', newOrderResponse: { code: -2010, msg: 'Order would immediately match and take.' } });
  });
  it('409 -2021 with ALLOW_FAILURE when the cancel fails and the new order is placed; 400 -2022 when both fail', async () => {
    const r = await call('POST', '/api/v3/order/cancelReplace', { ...base0, price: '97.00', newOrderRespType: 'ACK', cancelReplaceMode: 'ALLOW_FAILURE', cancelOrigClientOrderId: 'nothing' });
    expect(r.status).toBe(409);
    expect(r.body.data).toMatchObject({ cancelResult: 'FAILURE', newOrderResult: 'SUCCESS', cancelResponse: { code: -2011 }, newOrderResponse: { symbol: 'BTCUSDT' } });
    const both = await call('POST', '/api/v3/order/cancelReplace', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.10000', price: '100.02', cancelReplaceMode: 'ALLOW_FAILURE', cancelOrderId: 777777 });
    expect([both.status, both.body.code, both.body.data.newOrderResult]).toEqual([400, -2022, 'FAILURE']);
  });
});

describe('Binance replica, spot: Ed25519 keys', () => {
  it('accepts a request signed with the Ed25519 key (base64) and refuses a wrong one with -1022', async () => {
    const { generateKeyPairSync, sign: edSign } = await import('node:crypto');
    const good = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const r = await BinanceReplica.start({
      market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
      apiKeys: [{ apiKey: 'ed-key', ed25519PublicKeyPem: good.publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
    });
    try {
      const ask = async (key: typeof good.privateKey): Promise<any> => {
        const q = new URLSearchParams({ timestamp: String(Date.now()) });
        q.set('signature', edSign(null, Buffer.from(q.toString()), key).toString('base64'));
        return (await fetch(`${r.restUrl}/api/v3/account?${q}`, { headers: { 'X-MBX-APIKEY': 'ed-key' } })).json();
      };
      expect((await ask(good.privateKey)).accountType).toBe('SPOT');
      expect((await ask(other.privateKey)).code).toBe(-1022);
    } finally {
      await r.close();
    }
  });
});

describe('Binance replica, spot: the other WebSocket API methods', () => {
  it('time, exchangeInfo, order.status, order.cancelReplace, openOrders.status/cancelAll, order.cancel, returnRateLimits', async () => {
    await call('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' }); // what earlier tests left open
    const api = new WsApi(`${replica.wsUrl}/ws-api/v3`);
    await api.open();
    const t = await api.request('time');
    expect([t.status, typeof t.result.serverTime]).toEqual([200, 'number']);
    expect(t.rateLimits).toEqual([expect.objectContaining({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 })]);
    expect((await api.request('time', { returnRateLimits: false })).rateLimits).toBeUndefined();
    const info = await api.request('exchangeInfo', { symbols: ['BTCUSDT'] });
    expect(info.result.symbols.map((s: any) => s.symbol)).toEqual(['BTCUSDT']);
    const o = await api.request('order.place', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.10000', price: '101.00', newClientOrderId: 'ws-a' }, true);
    expect(o.result.status).toBe('NEW');
    const st = await api.request('order.status', { symbol: 'BTCUSDT', origClientOrderId: 'ws-a' }, true);
    expect(st.result).toMatchObject({ orderId: o.result.orderId, status: 'NEW', price: '101.00000000', isWorking: true });
    const cr = await api.request('order.cancelReplace', { symbol: 'BTCUSDT', cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrigClientOrderId: 'ws-a', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.10000', price: '101.50', newClientOrderId: 'ws-b' }, true);
    expect(cr.status).toBe(200);
    expect(cr.result).toMatchObject({ cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS', newOrderResponse: { clientOrderId: 'ws-b' } });
    const failed = await api.request('order.cancelReplace', { symbol: 'BTCUSDT', cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrigClientOrderId: 'ws-a', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.10000', price: '101.50' }, true);
    expect([failed.status, failed.error.code, failed.error.data.cancelResult]).toEqual([400, -2022, 'FAILURE']);
    await api.request('order.place', { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.10000', price: '102.00', newClientOrderId: 'ws-c' }, true);
    const open = await api.request('openOrders.status', { symbol: 'BTCUSDT' }, true);
    expect(open.result.map((x: any) => x.clientOrderId).sort()).toEqual(['ws-b', 'ws-c']);
    const one = await api.request('order.cancel', { symbol: 'BTCUSDT', origClientOrderId: 'ws-c' }, true);
    expect(one.result).toMatchObject({ origClientOrderId: 'ws-c', status: 'CANCELED' });
    const all = await api.request('openOrders.cancelAll', { symbol: 'BTCUSDT' }, true);
    expect(all.result.map((x: any) => x.origClientOrderId)).toEqual(['ws-b']);
    const unknown = await api.request('order.list');
    expect([unknown.status, unknown.error.code]).toEqual([400, -1100]);
    api.ws.close();
  });
});
