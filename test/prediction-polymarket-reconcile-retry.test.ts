// `spreadcore serve --market polymarket` against `spreadcore replica polymarket` (both real
// processes): Polymarket stops answering REST (the replica's failRequests fault) while the
// WebSockets drop, so the reconcile after the user channel's reconnect fails. It is run again in
// the background, the failure is logged once for the whole outage, and once Polymarket answers
// again the strategy quotes by itself, without POST /api/reconcile or another reconnect. And
// PolymarketLive against the replica in process: close() stops the retries; a reconcile that
// runs but is not clean (our order filled while the user channel was down, its trade not
// confirmed yet) is run again until one is clean, and the session resumes by itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { PolymarketCredentials } from '../src/venues/polymarket/credentials.js';
import { endpointsAt } from '../src/venues/polymarket/endpoints.js';
import { PolymarketLive } from '../src/venues/polymarket/polymarket-live.js';
import { PolymarketReplica } from '../src/venues/polymarket/replica/index.js';
import type { VenueReports } from '../src/execution/venue.js';
import { requireDist, stopAll } from './support/cli-process.js';
import { apiRequest, waitUntil } from './support/live-binance.js';
import { failAtReconnect, newWalletKey, pauseReasons, replicaAdmin, startPolymarketQuoting } from './support/prediction-replicas.js';

let tmp = '';
beforeAll(() => { requireDist(); tmp = mkdtempSync(join(tmpdir(), 'spreadcore-poly-retry-')); });
afterAll(() => { stopAll(); rmSync(tmp, { recursive: true, force: true }); });

type Health = { execution: { venues_down: string[]; polymarket: { paused: boolean; reconcile_failures: number } } };

describe('serve --market polymarket: a reconcile that fails after a reconnect', () => {
  it('is run again in the background until Polymarket answers, and the strategy quotes again by itself', async () => {
    const { p, s, target, walletKey, live } = await startPolymarketQuoting(join(tmp, 'data'));
    const out = s.proc.out;
    const health = async (): Promise<Health['execution']> => (await apiRequest<Health>(s.port, '/api/health')).execution;
    expect((await health()).polymarket.reconcile_failures).toBe(0);

    // Polymarket's REST fails, and the WebSockets drop: the user channel's reconnect runs a reconcile that fails
    await failAtReconnect(s, 'polymarket', p.url);
    // one line for the outage, not one per attempt
    expect(out().match(/polymarket: reconcile failed/g)?.length).toBe(1);
    expect(out()).toMatch(/polymarket: reconcile failed \(Polymarket \/data\/orders: HTTP 503 service unavailable \(replica fault\)\); strategies stay paused \(venue\), trying again in the background/);
    // the markets read again for a resolution at the reconnect: one line for all of them, none at the retries
    expect(out().match(/polymarket: could not read .* for a resolution \(Polymarket .*HTTP 503 .*\); read again at the next reconcile/g)?.length).toBe(1);
    expect(out()).not.toContain(walletKey.slice(2));

    // Polymarket answers again: the next retry reconciles and the strategy quotes, nothing asked
    const before = new Set(await live());
    await replicaAdmin(p.url, 'faults', { failRequests: 0 });
    await waitUntil('quoting again', async () => (await pauseReasons(s.port)).length === 0 && (await health()).venues_down.length === 0, 60_000, out);
    expect((await health()).polymarket.reconcile_failures).toBe(0);
    expect(out()).toMatch(/polymarket: reconcile ran again after \d+ failed attempt\(s\)/);
    expect(out().match(/polymarket: reconcile failed/g)?.length).toBe(1);
    expect(out().match(/polymarket: could not read/g)?.length).toBe(1);
    expect(out()).not.toMatch(/reconcile on request/);
    // the book moves: the strategy sends a new quote
    await replicaAdmin(p.url, 'book', { token_id: target.yes, bids: [['0.30', '100']], asks: [['0.36', '100']] });
    await waitUntil('a new quote at Polymarket', async () => (await live()).some((id) => !before.has(id)), 30_000, out);

    s.proc.child.kill('SIGTERM');
    expect(await s.proc.exited).toBe(0);
  }, 180_000);
});

describe('PolymarketLive close()', () => {
  it('stops the background retries of a failed reconcile', async () => {
    const replica = await PolymarketReplica.start({ port: 0, stepMs: 0, seed: 3 });
    const lines: string[] = [];
    const live = new PolymarketLive({
      endpoints: endpointsAt(replica.url), chainId: 137, credentials: new PolymarketCredentials(newWalletKey(), null),
      ingest: new FeedIngest(), firstSymbolId: 1, maxMarkets: 2, log: (l) => lines.push(l),
    });
    try {
      await live.start();
      expect(live.paused).toBe(false);
      replica.exchange.faults.failRequests = 1_000_000;
      await live.reconcile();
      expect(live.paused).toBe(true);
      expect(live.failuresInARow).toBe(1);
      // the first retry, 1 s later
      await waitUntil('the first retry', async () => live.failuresInARow === 2, 5_000);
      live.close();
      const failed = replica.exchange.counters.requestsFailed;
      await new Promise((r) => setTimeout(r, 2_500));
      expect(live.failuresInARow).toBe(2);
      expect(replica.exchange.counters.requestsFailed).toBe(failed);
      expect(lines.filter((l) => /reconcile failed/.test(l))).toHaveLength(1);
    } finally {
      live.close();
      await replica.close();
    }
  }, 30_000);
});

describe('PolymarketLive: a reconcile that runs but is not clean', () => {
  it('is run again until one is clean: a fill during a user-channel outage does not leave the session paused', async () => {
    // trades stay MATCHED for 6 s: the reconcile after the reconnect finds our filled order gone from the open orders with its trade pending
    const replica = await PolymarketReplica.start({ port: 0, stepMs: 0, seed: 5, confirmedMs: 6_000, minedMs: 200, heartbeatTimeoutMs: 600_000 });
    const lines: string[] = [];
    const events: string[] = [];
    const reports: VenueReports = {
      onAccepted: (id) => events.push(`accepted ${id}`), onRejected: (id, r) => events.push(`rejected ${id} ${r}`),
      onFill: (id, _t, tick, lot) => events.push(`fill ${id} ${tick} ${lot}`), onCancelled: (id, r) => events.push(`cancelled ${id} ${r}`),
      onCancelRejected: (id, r) => events.push(`cancelRejected ${id} ${r}`),
    };
    let pauses = 0, resumes = 0;
    const live = new PolymarketLive({
      endpoints: endpointsAt(replica.url), chainId: 137, credentials: new PolymarketCredentials(newWalletKey(), null),
      ingest: new FeedIngest(), firstSymbolId: 1, maxMarkets: 6, log: (l) => lines.push(l),
      onVenue: (v) => v.connect(reports), onPause: () => { pauses++; }, onResume: () => { resumes++; },
    });
    try {
      await live.start();
      expect(live.paused).toBe(false);
      const m = live.markets.find((x) => x.tickSize === '0.01')!;
      expect(m).toBeDefined();
      await replicaAdmin(replica.url, 'book', { token_id: m.tokenId, bids: [['0.30', '100']], asks: [['0.50', '100']] });
      live.venue.submit({ orderId: 'o1', clientOrderId: 'o1', strategyId: 's', symbol: m.symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTick: 40, qtyLot: 1_000 });
      await waitUntil('the order rests', async () => events.includes('accepted o1'), 10_000);

      // the user channel drops; meanwhile our bid is filled (10 at 0.40), a trade we do not hear of
      await replicaAdmin(replica.url, 'faults', { userChannelDown: true });
      await waitUntil('paused for the channel', async () => live.paused, 10_000);
      await replicaAdmin(replica.url, 'trade', { token_id: m.tokenId, side: 'SELL', price: '0.40', size: '10' });
      await replicaAdmin(replica.url, 'faults', { userChannelDown: false });

      // the reconcile after the reconnect is not clean (the order is gone, its trade MATCHED): logged once, run again
      await waitUntil('an unclean reconcile', async () => lines.some((l) => l.startsWith('polymarket: reconcile found')), 10_000);
      expect(lines.find((l) => l.startsWith('polymarket: reconcile found'))).toBe('polymarket: reconcile found 0 unknown open orders, 1 orders missing at the venue; '
        + 'staying paused (venue), reconciling again in the background (after 1 s, then up to every 30 s) until it is clean (GET /api/health: execution.polymarket.reconcile_unclean)');
      expect(live.paused).toBe(true);
      expect(live.uncleanInARow).toBeGreaterThan(0);
      expect(events.filter((e) => e.startsWith('fill'))).toEqual([]);

      // once the trade is CONFIRMED a pass is clean: the fill is reported once, and the session resumes by itself
      await waitUntil('resumed', async () => !live.paused, 20_000);
      expect(events.filter((e) => e.startsWith('fill'))).toEqual(['fill o1 40 1000']);
      expect(live.uncleanInARow).toBe(0);
      expect(resumes).toBeGreaterThanOrEqual(2);
      expect(pauses).toBeGreaterThanOrEqual(1);
      expect(lines.filter((l) => l.startsWith('polymarket: reconcile found'))).toHaveLength(1);
      expect(lines.filter((l) => /^polymarket: reconcile clean after \d+ pass\(es\) that were not$/.test(l))).toHaveLength(1);
    } finally {
      live.close();
      await replica.close();
    }
  }, 60_000);
});
