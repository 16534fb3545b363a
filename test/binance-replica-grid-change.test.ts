// The replica's POST /__replica/grid: a symbol's PRICE_FILTER tickSize / LOT_SIZE stepSize changed
// while it runs, as Binance changes a live symbol's. Afterwards exchangeInfo answers the new filters,
// the depth snapshot, the levels the diff-depth stream sets and the trade stream are on the new grid, and an order off
// it is refused with the filter error Binance gives (spot -1013 "Filter failure: PRICE_FILTER" /
// "LOT_SIZE"; USD-M -4014 price off tick, -4023 quantity off step).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BinanceReplica, DEMO_API_KEY, DEMO_API_SECRET } from '../src/venues/binance/replica/index.js';
import { signedRequest } from './support/live-binance.js';

let replica: BinanceReplica | null = null;
afterEach(async () => { await replica?.close(); replica = null; });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function post(r: BinanceReplica, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${r.restUrl}/__replica/grid`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

function filtersOf(info: any): Record<string, any> {
  const s = info.symbols.find((x: { symbol: string }) => x.symbol === 'BTCUSDT');
  return Object.fromEntries((s.filters as { filterType: string }[]).map((f) => [f.filterType, f]));
}

const onGrid = (price: string, tick: number): boolean => Math.abs(Math.round(Number(price) / tick) * tick - Number(price)) < 1e-9;

describe.each([
  { market: 'spot', futures: false, prefix: '/api/v3', info: '/api/v3/exchangeInfo?symbol=BTCUSDT', priceErr: -1013, lotErr: -1013 },
  { market: 'USD-M', futures: true, prefix: '/fapi/v1', info: '/fapi/v1/exchangeInfo', priceErr: -4014, lotErr: -4023 },
])('Binance replica ($market): POST /__replica/grid', ({ futures, prefix, info, priceErr, lotErr }) => {
  it('moves exchangeInfo, depth, streams and the order filters to the new tick and step', async () => {
    const r = await BinanceReplica.start({ futures, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.1', lotSize: '0.001' }] } });
    replica = r;
    r.market.setBook('BTCUSDT', [['100.3', '1.000'], ['100.1', '0.500'], ['99.7', '0.003']], [['100.6', '1.000'], ['101.2', '2.000']]);
    const ws = new WebSocket(`${r.wsUrl}/stream?streams=btcusdt@depth@100ms/btcusdt@trade`);
    const events: any[] = [];
    ws.on('message', (d: Buffer) => events.push((JSON.parse(d.toString()) as { data: unknown }).data));
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    try {
      expect(filtersOf(await (await fetch(r.restUrl + info)).json()).PRICE_FILTER.tickSize).toMatch(/^0\.10*$/);
      // a size off the market's own grid, or no size: refused
      expect((await post(r, { symbol: 'BTCUSDT', tickSize: '0.15' })).status).toBe(400);
      expect((await post(r, { symbol: 'BTCUSDT' })).status).toBe(400);
      expect((await post(r, { symbol: 'NOPE', tickSize: '1' })).status).toBe(400);

      const set = await post(r, { symbol: 'BTCUSDT', tickSize: '1', stepSize: '0.002' });
      expect(set.status).toBe(200);
      expect(Number(set.body.tickSize)).toBe(1);
      expect(Number(set.body.stepSize)).toBe(0.002);
      const f = filtersOf(await (await fetch(r.restUrl + info)).json());
      expect(Number(f.PRICE_FILTER.tickSize)).toBe(1);
      expect(Number(f.PRICE_FILTER.minPrice)).toBe(1);
      expect(Number(f.LOT_SIZE.stepSize)).toBe(0.002);
      expect(Number(f.LOT_SIZE.minQty)).toBe(0.002);

      // the snapshot on the new grid: bids down, asks up, quantities summed and down to the step
      const snap = await (await fetch(`${r.restUrl}${prefix}/depth?symbol=BTCUSDT&limit=100`)).json() as { bids: [string, string][]; asks: [string, string][] };
      expect(snap.bids.map(([p, q]) => [Number(p), Number(q)])).toEqual([[100, 1.5], [99, 0.002]]);
      expect(snap.asks.map(([p, q]) => [Number(p), Number(q)])).toEqual([[101, 1], [102, 2]]);

      // the stream follows: the next event is on the new grid, and so is a trade
      r.market.setBook('BTCUSDT', [['100.3', '1.000'], ['99.9', '0.001']], [['100.6', '1.000']]);
      r.market.trade('BTCUSDT', 'BUY', '100.6', '0.003');
      await sleep(300);
      const depth = events.filter((e) => e.e === 'depthUpdate');
      expect(depth.length).toBeGreaterThan(0);
      const last = depth[depth.length - 1];
      // the levels it sets are on the new grid (it also removes the old grid's levels)
      const set2 = ([...last.b, ...last.a] as [string, string][]).filter(([, q]) => Number(q) !== 0);
      expect(set2.length).toBeGreaterThan(0);
      for (const [p, q] of set2) expect([onGrid(p, 1), onGrid(q, 0.002)]).toEqual([true, true]);
      const trade = events.find((e) => e.e === 'trade');
      expect([Number(trade.p), Number(trade.q)]).toEqual([101, 0.002]);

      // orders: off the new tick or step refused with Binance's filter error; on it accepted
      const place = (price: string, qty: string): Promise<unknown> => signedRequest(r.restUrl, DEMO_API_KEY, DEMO_API_SECRET, `${prefix}/order`,
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price, quantity: qty }, { method: 'POST' });
      await expect(place('99.5', '0.1')).rejects.toThrow(futures ? `"code":${priceErr}` : '"code":-1013,"msg":"Filter failure: PRICE_FILTER"');
      await expect(place('99', '0.101')).rejects.toThrow(futures ? `"code":${lotErr}` : '"code":-1013,"msg":"Filter failure: LOT_SIZE"');
      await expect(place('99', '0.1')).resolves.toBeDefined();

      // back to the market's grid
      expect((await post(r, { symbol: 'BTCUSDT', tickSize: '0.1', stepSize: '0.001' })).status).toBe(200);
      await expect(place('99.5', '0.101')).resolves.toBeDefined();
    } finally {
      ws.close();
    }
  });
});
