// Proactive reconnection before Binance's 24-hour cut, with a short maximum
// connection age: a new connection is opened and synced from a fresh snapshot
// before the old one is closed, so the books never go stale; the server's own
// age limit never has to cut a connection.
import { describe, it, expect, afterEach } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import {
  BinanceConnector, BookTickerOracle, binanceInstrument, parseBinanceJson,
  type BinanceConnectorEvent, type BinanceConnectorOptions, type BinanceMarket, type BookTicker,
} from '../src/feed/binance/index.js';
import { BinanceProtocolServer, RecordedMarket, type BinanceProtocolServerOptions } from '../src/feed/binance-server/index.js';
import { waitFor as waitForBase, sleep } from './support/wait.js';
const waitFor = (what: string, cond: () => boolean, timeoutMs = 6000): Promise<void> => waitForBase(what, cond, timeoutMs, 2);

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/binance/${name}`, import.meta.url));
const books = new WasmBooks(instantiateCore());
const markets: Record<BinanceMarket, RecordedMarket> = {
  spot: new RecordedMarket('spot', [fixture('spot_btcusdt_20240808.gz')]),
  usdm: new RecordedMarket('usdm', [fixture('usdm_btcusdt_20240808.gz')]),
};


const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

interface Rig {
  server: BinanceProtocolServer;
  ingest: FeedIngest;
  connector: BinanceConnector;
  events: BinanceConnectorEvent[];
  ingestEvents: string[];
  oracle: BookTickerOracle;
  appliedWhileStale: number;
}

async function rig(market: BinanceMarket, serverOpts: Partial<BinanceProtocolServerOptions>, connOpts: Partial<BinanceConnectorOptions>): Promise<Rig> {
  const rec = markets[market];
  const server = await BinanceProtocolServer.start({ market, recordings: rec, ...serverOpts });
  cleanup.push(() => server.close());
  const ingestEvents: string[] = [];
  const listener: IngestListener = {
    onStale(_s, reason) { ingestEvents.push(`stale ${reason}`); },
    onLive() { ingestEvents.push('live'); },
  };
  const ingest = new FeedIngest(books, { listener, staleFeedMs: 60_000 });
  const tickers = rec.messages.flatMap((m) => (m.kind === 'bookTicker' ? [parseBinanceJson(m.dataJson) as BookTicker] : []));
  const oracle = new BookTickerOracle(binanceInstrument(market, 'BTCUSDT'), tickers);
  const events: BinanceConnectorEvent[] = [];
  const r: Rig = { server, ingest, connector: null as unknown as BinanceConnector, events, ingestEvents, oracle, appliedWhileStale: 0 };
  r.connector = new BinanceConnector(ingest, {
    market, symbols: ['BTCUSDT'], endpoints: { restUrl: server.restUrl, wsUrl: server.wsUrl }, ...connOpts,
  }, {
    onEvent: (e) => events.push(e),
    onApplied: (_s, u) => {
      if (!ingest.quotable(0)) r.appliedWhileStale++;
      oracle.check(books, ingest.symbolState(0)!.book, u);
    },
  });
  cleanup.push(() => r.connector.stop());
  return r;
}

describe('connection-age rollover', () => {
  for (const market of ['spot', 'usdm'] as const) {
    it(`${market}: max age 1 s → a new connection takes over every second, the book never goes stale`, async () => {
      const r = await rig(market, { speed: market === 'spot' ? 10 : 4, maxConnectionAgeMs: 1600 }, { maxConnectionAgeMs: 1000 });
      r.connector.start();
      await waitFor('3 rollovers', () => r.connector.counters.rollovers >= 3, 8000);
      await sleep(100);
      await r.connector.stop();
      const c = r.connector.counters;
      const conns = r.server.connections;
      await waitFor('the server to see every connection closed', () => conns.every((x) => x.closedBy !== null));
      console.log(`${market}: ${c.rollovers} rollovers over ${conns.length} connections, ages ` +
        `${conns.filter((x) => x.closedBy !== null).map((x) => (x.closedAtMs - x.openedAtMs).toFixed(0)).join(', ')} ms; ` +
        `${r.oracle.checks} bookTicker checks`);
      // never stale: the only ingest events are the first live and the final stop
      expect(r.ingestEvents).toEqual(['live', 'stale invalidated']);
      expect(r.appliedWhileStale).toBe(0);
      expect([c.disconnects, c.reconnects, c.gaps, c.rolloverFailures]).toEqual([0, 0, 0, 0]);
      expect(c.resyncs).toBe(c.rollovers);
      expect(c.connects).toBe(c.rollovers + 1);
      // each connection was closed by the client, before the server's own age limit
      expect(conns.every((x) => x.closedBy === 'client')).toBe(true);
      for (const x of conns.slice(0, -1)) {
        const age = x.closedAtMs - x.openedAtMs;
        expect(age).toBeGreaterThanOrEqual(1000);
        expect(age).toBeLessThan(1600);
      }
      const rolls = r.events.filter((e) => e.type === 'rollover');
      expect(rolls.map((e) => (e as { from: number }).from)).toEqual(
        r.events.filter((e) => e.type === 'connected' && !e.standby).map((e) => (e as { connection: number }).connection).concat(
          rolls.slice(0, -1).map((e) => (e as { to: number }).to)));
      expect(r.oracle.mismatches.slice(0, 3)).toEqual([]);
      expect(r.oracle.checks).toBeGreaterThan(20);
      expect(r.connector.adapter.topOfBook().mismatches).toBe(0);
    });
  }

  it('a replacement that cannot connect is abandoned; the old connection carries on and the next try succeeds', async () => {
    const r = await rig('spot', { speed: 10 }, { maxConnectionAgeMs: 500, reconnect: { initialMs: 100, maxMs: 200 } });
    r.connector.start();
    await waitFor('sync', () => r.connector.synced);
    r.server.refuseConnections(503);
    await waitFor('a failed rollover', () => r.connector.counters.rolloverFailures >= 1, 4000);
    const failed = r.events.find((e) => e.type === 'rollover-failed') as Extract<BinanceConnectorEvent, { type: 'rollover-failed' }>;
    expect(failed.reason).toContain('the new connection ended (error');
    expect(r.connector.synced).toBe(true);
    expect(r.ingest.quotable(0)).toBe(true);
    r.server.refuseConnections(null);
    await waitFor('a rollover', () => r.connector.counters.rollovers >= 1, 4000);
    expect(r.ingestEvents).toEqual(['live']);
    expect(r.connector.counters.disconnects).toBe(0);
    expect(r.oracle.mismatches).toEqual([]);
  });
});
