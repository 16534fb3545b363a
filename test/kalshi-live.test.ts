// KalshiLive against the replica: markets loaded, books into FeedIngest, reconciliation at
// start and after a reconnect before quoting resumes (pause / resume), a position mismatch
// keeps it paused, and a settlement is told once.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { replicaEndpoints } from '../src/venues/kalshi/endpoints.js';
import { KalshiLive } from '../src/venues/kalshi/kalshi-live.js';
import { KalshiSigner } from '../src/venues/kalshi/signing.js';
import { KalshiReplica } from '../src/venues/kalshi/replica/index.js';
import { freePort } from './support/free-port.js';
import { waitFor } from './support/wait.js';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIV = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUB = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const A = 'KXLIVE-26DEC-A';
const B = 'KXLIVE-26DEC-B';

const cleanups: Array<() => unknown> = [];
afterEach(async () => { for (const f of cleanups.splice(0).reverse()) await f(); });

describe('KalshiLive', () => {
  it('reconciles at start and after a reconnect before resuming; a mismatch keeps it paused; settlement is told once', async () => {
    const r = await KalshiReplica.start({
      port: await freePort(), market: 'manual', keys: [{ keyId: 'k', publicKeyPem: PUB }], tier: 'prime',
      markets: [
        { ticker: A, eventTicker: 'KXLIVE-26DEC', closeInMs: 3_600_000, yes: [['0.30', '10']], no: [['0.65', '10']] },
        { ticker: B, eventTicker: 'KXLIVE-26DEC', structure: 'deci_cent', closeInMs: 3_600_000, yes: [['0.123', '4']], no: [['0.800', '4']] },
      ],
    });
    cleanups.push(() => r.close());
    const ingest = new FeedIngest();
    cleanups.push(() => ingest.close());
    const events: string[] = [];
    const positions: Record<string, number> = { [A]: 0 };
    const live = new KalshiLive({
      environment: replicaEndpoints(r.url), signer: new KalshiSigner('k', PRIV), filter: { event_ticker: 'KXLIVE-26DEC' }, tier: 'prime',
      ingest, firstSymbolId: 10, expectedPositions: () => positions,
      onPause: (why) => events.push(`pause:${why}`), onResume: () => events.push('resume'),
      onSettled: (t, res) => events.push(`settled:${t}:${res}`),
    });
    cleanups.push(() => live.close());
    await live.start();
    expect(live.markets.map((m) => [m.ticker, m.instrument.tickSize])).toEqual([[A, '0.01'], [B, '0.001']]);
    expect(live.paused).toBe(false);
    expect(events).toEqual(['resume']);
    await waitFor('books live', () => ingest.bySymbolName(A)?.state === 'live' && ingest.bySymbolName(B)?.state === 'live');
    const top = ingest.books.topLevels(ingest.bySymbolName(B)!.book, 1);
    expect([top.bids[0]!.tick, top.asks[0]!.tick]).toEqual([123, 200]);
    // a reconnect: pause, reconcile, resume
    await fetch(`${r.url}/__replica/faults`, { method: 'POST', body: JSON.stringify({ disconnect: true }) });
    await waitFor('resumed after the reconnect', () => events.filter((e) => e === 'resume').length === 2, 5000);
    expect(events.slice(1)).toEqual(['pause:venue', 'resume']);
    // a fill the journal does not know about: the next reconcile stays paused
    await live.rest.createOrder({ ticker: A, client_order_id: 'elsewhere', side: 'bid', count: '2.00', price: '0.3500', time_in_force: 'immediate_or_cancel', self_trade_prevention_type: 'taker_at_cross' });
    await live.reconcile();
    expect(live.paused).toBe(true);
    expect(live.lastReport!.positionMismatches).toEqual([{ ticker: A, expected: '0', venue: '2.00' }]);
    positions[A] = 2;
    await live.reconcile();
    expect(live.paused).toBe(false);
    await fetch(`${r.url}/__replica/settle`, { method: 'POST', body: JSON.stringify({ ticker: A, result: 'no' }) });
    await waitFor('settled', () => events.some((e) => e.startsWith('settled')));
    await new Promise((res) => setTimeout(res, 50));
    expect(events.filter((e) => e.startsWith('settled'))).toEqual([`settled:${A}:no`]);
  });
});
