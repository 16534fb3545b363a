// The connector's recovery paths against the local Binance protocol server, for
// real: a dropped connection, a dropped depth message, a frozen (dead) link,
// refused connections (backoff growth and cap), failing REST snapshots.
import { describe, it, expect, afterEach } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import {
  BinanceConnector, BookTickerOracle, backoffCeilingMs, backoffDelayMs, binanceInstrument, parseBinanceJson,
  type BinanceConnectorEvent, type BinanceConnectorOptions, type BookTicker,
} from '../src/feed/binance/index.js';
import { BinanceProtocolServer, RecordedMarket, type BinanceProtocolServerOptions } from '../src/feed/binance-server/index.js';
import { waitFor as waitForBase, sleep } from './support/wait.js';
const waitFor = (what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> => waitForBase(what, cond, timeoutMs, 2);

const SPOT_BTC = fileURLToPath(new URL('./fixtures/binance/spot_btcusdt_20240808.gz', import.meta.url));
const books = new WasmBooks(instantiateCore());
const market = new RecordedMarket('spot', [SPOT_BTC]);
const tickers = market.messages.flatMap((m) => (m.kind === 'bookTicker' ? [parseBinanceJson(m.dataJson) as BookTicker] : []));


const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

interface Rig {
  server: BinanceProtocolServer;
  ingest: FeedIngest;
  connector: BinanceConnector;
  events: (BinanceConnectorEvent & { atMs: number })[];
  /** `stale <reason>` / `live`, with performance.now() */
  ingestEvents: { what: string; atMs: number }[];
  oracle: BookTickerOracle;
  /** depth events applied while the ingest said the symbol was not quotable */
  appliedWhileStale: number;
}

async function rig(serverOpts: Partial<BinanceProtocolServerOptions>, connOpts: Partial<BinanceConnectorOptions> = {}): Promise<Rig> {
  const server = await BinanceProtocolServer.start({ market: 'spot', recordings: market, speed: 10, ...serverOpts });
  cleanup.push(() => server.close());
  const ingestEvents: Rig['ingestEvents'] = [];
  const listener: IngestListener = {
    onStale(_s, reason) { ingestEvents.push({ what: `stale ${reason}`, atMs: performance.now() }); },
    onLive() { ingestEvents.push({ what: 'live', atMs: performance.now() }); },
  };
  const ingest = new FeedIngest(books, { listener, staleFeedMs: 60_000 });
  const oracle = new BookTickerOracle(binanceInstrument('spot', 'BTCUSDT'), tickers);
  const events: Rig['events'] = [];
  const r: Rig = { server, ingest, connector: null as unknown as BinanceConnector, events, ingestEvents, oracle, appliedWhileStale: 0 };
  r.connector = new BinanceConnector(ingest, {
    market: 'spot', symbols: ['BTCUSDT'], endpoints: { restUrl: server.restUrl, wsUrl: server.wsUrl }, ...connOpts,
  }, {
    onEvent: (e) => events.push({ ...e, atMs: performance.now() }),
    onApplied: (_s, u) => {
      if (!ingest.quotable(0)) r.appliedWhileStale++;
      oracle.check(books, ingest.symbolState(0)!.book, u);
    },
  });
  cleanup.push(() => r.connector.stop());
  return r;
}

const ofType = <T extends BinanceConnectorEvent['type']>(r: Rig, type: T): (Extract<BinanceConnectorEvent, { type: T }> & { atMs: number })[] =>
  r.events.filter((e) => e.type === type) as (Extract<BinanceConnectorEvent, { type: T }> & { atMs: number })[];

async function synced(r: Rig, n: number): Promise<void> {
  await waitFor(`${n} sync(s)`, () => ofType(r, 'synced').length >= n && r.ingest.quotable(0));
}

/** After the test: the book matched Binance's bookTicker every time they met, and quotes were never based on a stale book. */
function checkBook(r: Rig): void {
  expect(r.oracle.mismatches.slice(0, 3)).toEqual([]);
  expect(r.connector.adapter.topOfBook().mismatches).toBe(0);
  expect(r.appliedWhileStale).toBe(0);
}

describe('connection dropped by the server', () => {
  it('stale at once, reconnect within the first backoff step, resync from a new snapshot', async () => {
    const r = await rig({});
    r.connector.start();
    await synced(r, 1);
    await sleep(200);
    const checksBefore = r.oracle.checks;
    const dropAt = performance.now();
    expect(r.server.dropConnections()).toBe(1);
    await waitFor('the stale mark', () => r.ingestEvents.some((e) => e.what === 'stale invalidated'));
    expect(r.ingest.quotable(0)).toBe(false);
    await synced(r, 2);
    const c = r.connector.counters;
    expect([c.connects, c.disconnects, c.reconnects, c.resyncs, c.gaps]).toEqual([2, 1, 1, 1, 0]);
    const [scheduled] = ofType(r, 'reconnect-scheduled');
    expect(scheduled!.attempt).toBe(1);
    expect(scheduled!.delayMs).toBeGreaterThanOrEqual(250);
    expect(scheduled!.delayMs).toBeLessThanOrEqual(500); // the first retry comes within 0.5 s by default
    const attempts = r.server.stats.upgradeAttemptsMs;
    expect(attempts).toHaveLength(2);
    const reconnectAfterMs = attempts[1]! - dropAt;
    expect(reconnectAfterMs).toBeGreaterThanOrEqual(scheduled!.delayMs - 5);
    expect(reconnectAfterMs).toBeLessThan(scheduled!.delayMs + 300);
    const disc = ofType(r, 'disconnected')[0]!;
    expect(disc.cause).toBe('closed');
    const resync = ofType(r, 'synced')[1]!;
    expect(resync.resync).toBe(true);
    // stale from the drop until the resync, live again after it
    expect(r.ingestEvents.map((e) => e.what)).toEqual(['live', 'stale invalidated', 'live']);
    console.log(`drop → reconnect ${reconnectAfterMs.toFixed(0)} ms (backoff ${scheduled!.delayMs.toFixed(0)} ms), ` +
      `stale for ${(r.ingestEvents[2]!.atMs - r.ingestEvents[1]!.atMs).toFixed(0)} ms`);
    await sleep(300);
    expect(r.oracle.checks).toBeGreaterThan(checksBefore);
    checkBook(r);
    expect(r.server.stats.restRequests).toBe(2);
  });
});

describe('a depth message lost on the way', () => {
  it('gap on the next event, stale with no quotes, resync without reconnecting', async () => {
    const r = await rig({});
    r.connector.start();
    await synced(r, 1);
    await sleep(150);
    r.server.dropNextDepth('BTCUSDT');
    await synced(r, 2);
    const gap = ofType(r, 'gap')[0]!;
    expect(gap.gap.rule).toBe('continuity');
    expect(gap.gap.message).toMatch(/sequence gap after u=\d+: expected U=\d+, received U=\d+/);
    expect(gap.gap.received).toBeGreaterThan(gap.gap.expected);
    const c = r.connector.counters;
    expect([c.connects, c.disconnects, c.gaps, c.resyncs]).toEqual([1, 0, 1, 1]);
    expect(r.server.stats.droppedDepth).toBe(1);
    expect(r.ingestEvents.map((e) => e.what)).toEqual(['live', 'stale invalidated', 'live']);
    const staleMs = r.ingestEvents[2]!.atMs - r.ingestEvents[1]!.atMs;
    console.log(`gap ${gap.gap.message}; stale for ${staleMs.toFixed(1)} ms`);
    await sleep(200);
    checkBook(r);
  });
});

describe('dead connection', () => {
  it('a frozen link (no data, no pings, no pongs) is detected after deadAfterMs and replaced', async () => {
    const r = await rig({ pingIntervalMs: 50 }, { pingIntervalMs: 50, deadAfterMs: 300 });
    r.connector.start();
    await synced(r, 1);
    expect(r.server.freezeConnections()).toBe(1);
    const frozenAt = performance.now();
    await synced(r, 2);
    const dead = ofType(r, 'dead-connection')[0]!;
    expect(dead.silentMs).toBeGreaterThan(300);
    const detectedAfter = dead.atMs - frozenAt;
    expect(detectedAfter).toBeGreaterThanOrEqual(290);
    expect(detectedAfter).toBeLessThan(300 + 200);
    expect(ofType(r, 'disconnected')[0]!.cause).toBe('dead');
    const c = r.connector.counters;
    expect([c.deadConnections, c.disconnects, c.reconnects, c.resyncs]).toEqual([1, 1, 1, 1]);
    await waitFor('the server to see the old socket closed', () => r.server.connections[0]!.closedBy !== null);
    expect(r.server.connections[0]!.closedBy).toBe('client');
    expect(r.server.connections[1]!.closedBy).toBeNull();
    console.log(`frozen → dead detected after ${detectedAfter.toFixed(0)} ms`);
    checkBook(r);
  });
});

describe('reconnect backoff', () => {
  it('the formula: equal jitter in [d/2, d], d doubling from initialMs up to maxMs', () => {
    const o = { initialMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20, 5000].map((n) => backoffCeilingMs(n, o))).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(backoffDelayMs(0, o, () => 0)).toBe(250);
    expect(backoffDelayMs(0, o, () => 0.999999)).toBeLessThan(500);
    expect(backoffDelayMs(9, o, () => 0.5)).toBe(22_500);
  });

  it('measured delays between refused connection attempts grow and are capped; a healthy connection resets them', async () => {
    const r = await rig({}, { reconnect: { initialMs: 40, maxMs: 320 }, random: () => 0.5 });
    r.server.refuseConnections(503);
    r.connector.start();
    await waitFor('9 attempts', () => r.server.stats.upgradeAttemptsMs.length >= 9, 8000);
    r.server.refuseConnections(null);
    const a = r.server.stats.upgradeAttemptsMs.slice(0, 9);
    const gaps = a.slice(1).map((t, i) => t - a[i]!);
    const planned = ofType(r, 'reconnect-scheduled').slice(0, 8).map((e) => e.delayMs);
    // 0.75 * min(320, 40 * 2^n)
    expect(planned).toEqual([30, 60, 120, 240, 240, 240, 240, 240]);
    console.log(`backoff planned ${planned.join(', ')} ms; measured ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
    for (let i = 0; i < gaps.length; i++) {
      expect(gaps[i]!).toBeGreaterThanOrEqual(planned[i]! - 2);
      expect(gaps[i]!).toBeLessThan(planned[i]! + 120);
    }
    expect(ofType(r, 'disconnected').every((e) => e.cause === 'error' && e.openMs === 0)).toBe(true);
    expect(r.connector.counters.disconnects).toBe(0); // never opened: not a lost connection
    await synced(r, 1);
    // healthy again: the next loss starts from the first step
    r.server.dropConnections();
    await synced(r, 2);
    const last = ofType(r, 'reconnect-scheduled').at(-1)!;
    expect(last.delayMs).toBe(30);
    checkBook(r);
  });

  it('with random jitter every delay stays within [d/2, d] of its step', async () => {
    const r = await rig({}, { reconnect: { initialMs: 20, maxMs: 80 } });
    r.server.refuseConnections(503);
    r.connector.start();
    await waitFor('8 scheduled retries', () => ofType(r, 'reconnect-scheduled').length >= 8, 5000);
    const planned = ofType(r, 'reconnect-scheduled').slice(0, 8);
    planned.forEach((e, i) => {
      const d = Math.min(80, 20 * 2 ** i);
      expect(e.attempt).toBe(i + 1);
      expect(e.delayMs).toBeGreaterThanOrEqual(d / 2);
      expect(e.delayMs).toBeLessThanOrEqual(d);
    });
    await r.connector.stop();
    const n = r.server.stats.upgradeAttemptsMs.length;
    await sleep(250);
    expect(r.server.stats.upgradeAttemptsMs.length).toBe(n); // stop() cancelled the pending retry
    expect(r.connector.state).toBe('stopped');
  });
});

describe('REST snapshot failures', () => {
  it('429 answers are retried with backoff until a snapshot syncs the book', async () => {
    const r = await rig({}, { snapshotRetry: { initialMs: 20, maxMs: 100 } });
    r.server.failRest(2, 429, -1003, 'Too many requests.');
    r.connector.start();
    await synced(r, 1);
    const failed = ofType(r, 'snapshot-failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]!.error.code).toBe('SPREADCORE_ERR_IO');
    expect(failed[0]!.error.message).toContain('HTTP 429');
    expect(failed[0]!.error.message).toContain('-1003');
    expect(r.connector.counters.snapshotFailures).toBe(2);
    expect(r.connector.counters.snapshotRequests).toBe(3);
    expect(r.ingestEvents.map((e) => e.what)).toEqual(['live']);
    await sleep(100);
    checkBook(r);
  });
});
