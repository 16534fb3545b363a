// BinanceExecutionVenue when the venue changes a symbol's tick while orders rest: after the new
// rules are adopted (setSymbolRules) and the engine's instrument is redefined, a fill of an order
// sent on the old grid is reported in the engine's current units: exactly when its price lies on
// the new grid (a finer tick: 99.9 under 0.1 is 9990 ticks of 0.01, not 999), at the nearest tick
// otherwise (a coarser tick), counted in offGridFills. Against the replica's manual market
// (its own grid 0.01; POST /__replica/grid publishes 0.1).
import { afterEach, describe, expect, it } from 'vitest';
import { Instrument } from '../src/orderbook/instrument.js';
import { BinanceExecutionVenue } from '../src/venues/binance/binance-venue.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { readSymbolsExchangeInfo } from '../src/venues/binance/exchange-info.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { BinanceWsApiClient } from '../src/venues/binance/ws-api-client.js';
import { ReportLog, replicaAdmin, until } from './support/venue-reports.js';

const KEY = 'grid-venue-key';
const SECRET = 'grid-venue-secret-0123456789';
const inst = (tickSize: string): Instrument => new Instrument({ symbol: 'BTCUSDT', tickSize, lotSize: '0.00001', kind: 'spot' });

let close: (() => Promise<void>) | null = null;
afterEach(async () => { await close?.(); close = null; });

async function setUp(startTick: string): Promise<{ replica: BinanceReplica; venue: BinanceExecutionVenue; rest: BinanceRestClient; rec: ReportLog; engine: { inst: Instrument } }> {
  const replica = await BinanceReplica.start({
    market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
    apiKeys: [{ apiKey: KEY, secret: SECRET }], balances: { USDT: '100000', BTC: '10' },
  });
  await replicaAdmin(replica, 'grid', { symbol: 'BTCUSDT', tickSize: startTick });
  await replicaAdmin(replica, 'market', { symbol: 'BTCUSDT', bids: [['100.00', '1.00000']], asks: [['100.10', '1.00000']] });
  const signer = new HmacSigner(KEY, SECRET);
  let rest: BinanceRestClient | null = null;
  const clock = new ServerClock({ samples: 1, fetchServerTime: () => rest!.serverTime() });
  const budget = new RateBudget({ now: () => clock.serverNowMs() });
  rest = new BinanceRestClient({ market: 'spot', baseUrl: replica.restUrl, signer, clock, budget, timeoutMs: 1500 });
  const ws = new BinanceWsApiClient({ market: 'spot', url: `${replica.wsUrl}/ws-api/v3`, signer, clock, budget, requestTimeoutMs: 500, reconnectMinMs: 20 });
  await ws.connect();
  const engine = { inst: inst(startTick) };
  const venue = new BinanceExecutionVenue({ market: 'spot', rest, orderEntry: ws, engineInstrument: () => engine.inst });
  await venue.loadExchangeInfo(['BTCUSDT']);
  const rec = new ReportLog();
  venue.connect(rec);
  venue.attachSpotUserStream(ws);
  await ws.subscribeUserData();
  close = async () => { venue.close(); ws.close(); await replica.close(); };
  return { replica, venue, rest, rec, engine };
}

/** The venue changes BTCUSDT's tick; the rules are read again and adopted, the engine's instrument redefined. */
async function changeTick(s: Awaited<ReturnType<typeof setUp>>, tickSize: string): Promise<void> {
  await replicaAdmin(s.replica, 'grid', { symbol: 'BTCUSDT', tickSize });
  const r = await readSymbolsExchangeInfo(s.rest, ['BTCUSDT']);
  s.venue.setSymbolRules('BTCUSDT', r.rules.get('BTCUSDT')!);
  s.engine.inst = inst(tickSize);
}

const order = (id: string, priceTick: number) => ({
  orderId: id, clientOrderId: `${id}-grid`, strategyId: 's1', symbol: 'BTCUSDT', side: 'BUY' as const, type: 'LIMIT' as const,
  timeInForce: 'POST_ONLY' as const, priceTick, qtyLot: 10_000,
});

describe('BinanceExecutionVenue: a fill of an order sent before the venue changed the tick', () => {
  it('a finer tick (0.1 → 0.01): reported exactly in the new ticks', async () => {
    const s = await setUp('0.1');
    s.venue.submit(order('f1', 999)); // 99.9 on the 0.1 tick
    await until(() => s.rec.of('f1').length > 0);
    expect(s.rec.of('f1')).toEqual(['accepted f1']);
    await changeTick(s, '0.01');
    await replicaAdmin(s.replica, 'market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.90', qty: '0.10000' } });
    await until(() => s.rec.of('f1').some((l) => l.startsWith('fill')));
    expect(s.rec.of('f1').find((l) => l.startsWith('fill'))).toMatch(/ 9990x10000 fee=/);
    expect(s.venue.counters.offGridFills).toBe(0);
    // orders from now on go on the new tick
    s.venue.submit(order('f2', 9_985));
    await until(() => s.rec.of('f2').length > 0);
    expect(s.rec.of('f2')).toEqual(['accepted f2']);
  });

  it('a coarser tick (0.01 → 0.1): an old-grid price at the nearest new tick, counted', async () => {
    const s = await setUp('0.01');
    s.venue.submit(order('c1', 9_997)); // 99.97
    await until(() => s.rec.of('c1').length > 0);
    expect(s.rec.of('c1')).toEqual(['accepted c1']);
    await changeTick(s, '0.1');
    await replicaAdmin(s.replica, 'market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.97', qty: '0.10000' } });
    await until(() => s.rec.of('c1').some((l) => l.startsWith('fill')));
    expect(s.rec.of('c1').find((l) => l.startsWith('fill'))).toMatch(/ 1000x10000 fee=/);
    expect(s.venue.counters.offGridFills).toBe(1);
  });
});
