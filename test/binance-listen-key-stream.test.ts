// The USD-M listenKey stream when its key has expired and a new one cannot be had at once
// (Binance unreachable for a moment): against the project's Binance replica, with the one
// request that creates a key failing at the network until the test lets it through.
//   - keepAlive() answered -1125 with the renewal failing resolves (it ran from a timer as
//     `void keepAlive()`: a rejection there was unhandled and ended the process);
//   - the stream comes back by itself with a new key once keys can be created again;
//   - while it is down the disconnect is announced (the dead-man heartbeat stops), and the
//     reconnection too (the venue reconciles).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { ListenKeyStream } from '../src/venues/binance/listen-key-stream.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { replicaAdmin, until } from './support/venue-reports.js';

const KEY = 'lk-test-key';
const SECRET = 'lk-test-secret-5e0c9a';

let replica: BinanceReplica;
let rest: BinanceRestClient;
let stream: ListenKeyStream;
/** While true, POST /fapi/v1/listenKey fails as a dropped connection would (nothing reaches the replica). */
let refuseNewKeys = false;
let refused = 0;

beforeAll(async () => {
  replica = await BinanceReplica.start({ futures: true, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' }] }, apiKeys: [{ apiKey: KEY, secret: SECRET }] });
  const flaky: typeof fetch = (input, init) => {
    if (refuseNewKeys && init?.method === 'POST' && String(input).includes('/fapi/v1/listenKey')) {
      refused++;
      return Promise.reject(new TypeError('fetch failed'));
    }
    return fetch(input, init);
  };
  let r: BinanceRestClient | null = null;
  const clock = new ServerClock({ samples: 1, fetchServerTime: () => r!.serverTime() });
  r = new BinanceRestClient({ market: 'usdm', baseUrl: replica.restUrl, signer: new HmacSigner(KEY, SECRET), clock, budget: new RateBudget({ now: () => clock.serverNowMs() }), timeoutMs: 1500, fetch: flaky });
  rest = r;
  await clock.sync();
  stream = new ListenKeyStream({ rest, streamBaseUrl: replica.wsUrl, keepAliveMs: 600_000, reconnectMinMs: 20, reconnectMaxMs: 200 });
});

afterAll(async () => { await stream.stop(); await replica.close(); });

describe('ListenKeyStream: an expired key that cannot be replaced at once', () => {
  it('keepAlive resolves, the loss is announced, and the stream comes back with a new key', async () => {
    const ups: boolean[] = [];
    let downs = 0;
    stream.onConnected((first) => ups.push(first));
    stream.onDisconnected(() => { downs++; });
    await stream.start();
    expect(ups).toEqual([true]);
    const first = stream.listenKey;

    refuseNewKeys = true;
    await replicaAdmin(replica, 'faults', { expireListenKeys: true });
    // the keepalive's PUT is answered -1125; the new key's POST fails
    await expect(stream.keepAlive()).resolves.toBeUndefined();
    expect(refused).toBeGreaterThan(0);
    await until(() => downs > 0, 5000);
    expect(stream.connected).toBe(false);

    refuseNewKeys = false;
    await until(() => stream.connected, 5000);
    expect(stream.listenKey).not.toBe(first);
    expect(ups.at(-1)).toBe(false);
  });
});
