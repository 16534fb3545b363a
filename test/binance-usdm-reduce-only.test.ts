// USD-M exits below the symbol's minimum notional, against the project's Binance replica:
// Binance refuses an order under MIN_NOTIONAL "(unless you choose reduce only)" (-4164), so
// a stop-loss flatten or an inventory reduction of a small position must go out with
// reduceOnly=true. It was refused locally (filter_notional_below_min) and the position could
// not be closed; quotes below the minimum are still refused before sending.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VenueOrder } from '../src/execution/venue.js';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { BinanceExecutionVenue } from '../src/venues/binance/binance-venue.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { ReportLog, replicaAdmin, until } from './support/venue-reports.js';

const KEY = 'ro-test-key';
const SECRET = 'ro-test-secret-61b2f0';

interface StateOrder { clientOrderId: string; status: string; reduceOnly?: boolean }

let replica: BinanceReplica;
let rest: BinanceRestClient;
let venue: BinanceExecutionVenue;
const rec = new ReportLog();
let seq = 0;

function order(over: Partial<VenueOrder>): VenueOrder {
  seq++;
  return { orderId: `o${seq}`, clientOrderId: `ro${seq}-a`, strategyId: 's1', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', priceTick: 10_001, qtyLot: 1_500, ...over };
}
async function position(): Promise<string> {
  const risk = await rest.positionRisk('BTCUSDT');
  return risk.find((p) => p.symbol === 'BTCUSDT')?.positionAmt ?? '0';
}

beforeAll(async () => {
  // BTCUSDT at 100.00 / 100.01, lots of 0.001, minimum notional 100 USDT (Binance's for BTCUSDT)
  replica = await BinanceReplica.start({
    futures: true, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' }] },
    apiKeys: [{ apiKey: KEY, secret: SECRET }], filters: { minNotional: '100' },
  });
  await replicaAdmin(replica, 'market', { symbol: 'BTCUSDT', bids: [['100.00', '50.000']], asks: [['100.01', '50.000']] });
  let r: BinanceRestClient | null = null;
  const clock = new ServerClock({ samples: 1, fetchServerTime: () => r!.serverTime() });
  r = new BinanceRestClient({ market: 'usdm', baseUrl: replica.restUrl, signer: new HmacSigner(KEY, SECRET), clock, budget: new RateBudget({ now: () => clock.serverNowMs() }), timeoutMs: 1500 });
  rest = r;
  await clock.sync();
  venue = new BinanceExecutionVenue({ market: 'usdm', rest, queryDelayMs: 50 });
  await venue.loadExchangeInfo();
  venue.connect(rec);
});

afterAll(async () => { venue.close(); await replica.close(); });

describe('USD-M reduce-only exits below the minimum notional', () => {
  it('go out with reduceOnly=true and close the position; a quote below the minimum is refused locally', async () => {
    // a long of 1.5 BTCUSDT (150 USDT): above the minimum
    const buy = order({ side: 'BUY', priceTick: 10_001, qtyLot: 1_500 });
    venue.submit(buy);
    await until(() => rec.of(buy.orderId).some((l) => l.startsWith('fill')));
    expect(await position()).toBe('1.500');

    // the exit of the first 0.5 (50 USDT), an IOC at the bid as a stop-loss flatten sends it
    const exit = order({ side: 'SELL', priceTick: 10_000, qtyLot: 500, reduceOnly: true });
    venue.submit(exit);
    await until(() => rec.of(exit.orderId).length > 0 && !rec.of(exit.orderId).every((l) => l.startsWith('accepted')));
    expect(rec.of(exit.orderId).filter((l) => l.startsWith('rejected'))).toEqual([]);
    await until(() => rec.of(exit.orderId).some((l) => l.startsWith('fill')));
    expect(await position()).toBe('1.000');
    const s = await (await fetch(`${replica.restUrl}/__replica/state`)).json() as { orders: StateOrder[] };
    const sent = s.orders.find((o) => o.clientOrderId === exit.clientOrderId);
    expect(sent?.status).toBe('FILLED');
    const q = await rest.queryOrder('BTCUSDT', { origClientOrderId: exit.clientOrderId }) as unknown as { reduceOnly: boolean };
    expect(q.reduceOnly).toBe(true);

    // an order that is not an exit, below the minimum: refused before sending, as before
    const small = order({ side: 'SELL', priceTick: 10_000, qtyLot: 500 });
    venue.submit(small);
    expect(rec.of(small.orderId)).toEqual([`rejected ${small.orderId} filter_notional_below_min`]);
    expect(await position()).toBe('1.000');
  });
});
