// The Binance replica on the built-in simulator: a resting buy at the best bid
// fills when the simulated market trades down to it (queue position first), and
// the executionReports, myTrades and the account agree exactly.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BinanceReplica, DEMO_API_KEY, DEMO_API_SECRET } from '../src/venues/binance/replica/index.js';

let replica: BinanceReplica;

async function call(method: string, path: string, params: Record<string, string> = {}): Promise<any> {
  const q = new URLSearchParams(params);
  q.set('timestamp', String(Date.now()));
  q.set('signature', createHmac('sha256', DEMO_API_SECRET).update(q.toString()).digest('hex'));
  const r = await fetch(`${replica.restUrl}${path}?${q}`, { method, headers: { 'X-MBX-APIKEY': DEMO_API_KEY } });
  return r.json();
}

const e8 = (s: string): bigint => {
  const [i, f = ''] = s.split('.');
  return BigInt(i!) * 100_000_000n + BigInt((f + '00000000').slice(0, 8));
};

beforeAll(async () => {
  // the wall-clock timer never fires during the test: the test moves simulated time itself
  replica = await BinanceReplica.start({ market: { kind: 'sim', seed: 3, stepMs: 3_600_000 } });
});
afterAll(async () => { await replica.close(); });

describe('Binance replica on the simulator', () => {
  it('fills a resting bid when the simulated market trades through it; reports, myTrades and account agree', async () => {
    const ws = new WebSocket(`${replica.wsUrl}/ws-api/v3`);
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    const events: any[] = [];
    const answers = new Map<string, any>();
    ws.on('message', (d: Buffer) => { const m = JSON.parse(d.toString()); if ('event' in m) events.push(m.event); else answers.set(m.id, m); });
    const params: Record<string, unknown> = { apiKey: DEMO_API_KEY, timestamp: Date.now() };
    const payload = Object.keys(params).sort().map((k) => `${k}=${String(params[k])}`).join('&');
    ws.send(JSON.stringify({ id: 's', method: 'userDataStream.subscribe.signature', params: { ...params, signature: createHmac('sha256', DEMO_API_SECRET).update(payload).digest('hex') } }));
    for (let i = 0; i < 200 && !answers.has('s'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(answers.get('s').status).toBe(200);

    const depth = await (await fetch(`${replica.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=1`)).json() as any;
    const bid = depth.bids[0][0] as string;
    const acct0 = await call('GET', '/api/v3/account');
    const usdt0 = e8(acct0.balances.find((b: any) => b.asset === 'USDT').free);
    const btc0 = e8(acct0.balances.find((b: any) => b.asset === 'BTC').free);
    const placed = await call('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.02000', price: bid });
    expect(placed.status).toBe('NEW');

    // run simulated time until the order is filled (the market has to trade through its queue)
    let t = Date.now() * 1e6;
    let status = 'NEW';
    for (let i = 0; i < 3600 && status !== 'FILLED'; i++) {
      t += 1e9;
      replica.market.stepSim(t);
      if (i % 20 === 0 || events.length > 0) status = (await call('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: String(placed.orderId) })).status;
    }
    expect(status).toBe('FILLED');
    const reports = events.filter((e) => e.e === 'executionReport' && e.i === placed.orderId);
    expect(reports[0].x).toBe('NEW');
    const fills = reports.filter((r) => r.x === 'TRADE');
    expect(fills.length).toBeGreaterThan(0);
    expect(fills.at(-1).X).toBe('FILLED');
    expect(fills.every((r) => r.m === true && r.L === `${bid}000000`)).toBe(true);
    const trades = await call('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', orderId: String(placed.orderId) });
    expect(trades.map((x: any) => [x.id, x.qty, x.price, x.commission])).toEqual(fills.map((r) => [r.t, r.l, r.L, r.n]));
    const acct = await call('GET', '/api/v3/account');
    const usdt = e8(acct.balances.find((b: any) => b.asset === 'USDT').free);
    const btc = e8(acct.balances.find((b: any) => b.asset === 'BTC').free);
    const quote = trades.reduce((s: bigint, x: any) => s + e8(x.quoteQty), 0n);
    const commission = trades.reduce((s: bigint, x: any) => s + e8(x.commission), 0n);
    expect(quote).toBe(e8(fills.at(-1).Z));
    expect(usdt0 - usdt).toBe(quote);
    expect(btc - btc0).toBe(e8('0.02') - commission);
    const last = events.filter((e) => e.e === 'outboundAccountPosition').at(-1);
    expect(last.B).toEqual([{ a: 'BTC', f: acct.balances.find((b: any) => b.asset === 'BTC').free, l: '0.00000000' }, { a: 'USDT', f: acct.balances.find((b: any) => b.asset === 'USDT').free, l: '0.00000000' }]);
    ws.close();
  });
});

describe('Binance replica on the simulator: diff-depth stream', () => {
  it('a local book built from a snapshot and the depthUpdate events (Binance sync rules) equals the replica book', async () => {
    const ws = new WebSocket(`${replica.wsUrl}/stream?streams=ethusdt@depth@100ms`);
    const events: any[] = [];
    ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString())));
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    let t = Math.max(replica.market.simNowNs, Date.now() * 1e6);
    const step = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) { t += 200e6; replica.market.stepSim(t); await new Promise((r) => setTimeout(r, 110)); }
    };
    await step(3);
    const snap = await (await fetch(`${replica.restUrl}/api/v3/depth?symbol=ETHUSDT&limit=1000`)).json() as any;
    await step(5);
    await new Promise((r) => setTimeout(r, 150));
    const bids = new Map<string, string>(snap.bids);
    const asks = new Map<string, string>(snap.asks);
    let prevU: number | null = null;
    let applied = 0;
    for (const { stream, data } of events) {
      expect(stream).toBe('ethusdt@depth@100ms');
      expect(data.e).toBe('depthUpdate');
      if (data.u <= snap.lastUpdateId) continue;
      if (prevU === null) expect(data.U <= snap.lastUpdateId + 1 && data.u >= snap.lastUpdateId + 1).toBe(true);
      else expect(data.U).toBe(prevU + 1);
      prevU = data.u;
      for (const [p, q] of data.b) { if (Number(q) === 0) bids.delete(p); else bids.set(p, q); }
      for (const [p, q] of data.a) { if (Number(q) === 0) asks.delete(p); else asks.set(p, q); }
      applied++;
    }
    expect(applied).toBeGreaterThan(0);
    const now = await (await fetch(`${replica.restUrl}/api/v3/depth?symbol=ETHUSDT&limit=1000`)).json() as any;
    const sorted = (m: Map<string, string>, desc: boolean): [string, string][] => [...m].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
    expect(sorted(bids, true)).toEqual(now.bids);
    expect(sorted(asks, false)).toEqual(now.asks);
    expect(prevU).toBe(now.lastUpdateId);
    ws.close();
  });
});
