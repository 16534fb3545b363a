// Bad frames from the server are counted and skipped, never crash the connector,
// never touch a book: malformed JSON, frames of streams nobody subscribed to,
// NaN / exponent decimals, missing fields, binary frames. A depth event with a bad
// level in sequence makes the symbol resync. Bad configuration is refused upfront.
import { describe, it, expect, afterEach } from 'vitest';
import { fileURLToPath } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import {
  BinanceConnector, BookTickerOracle, binanceInstrument, combinedStreamUrl, depthSnapshotUrl, parseBinanceJson,
  resolveConnectorConfig, streamNames,
  type BinanceConnectorEvent, type BinanceConnectorOptions, type BookTicker,
} from '../src/feed/binance/index.js';
import { BinanceProtocolServer, RecordedMarket } from '../src/feed/binance-server/index.js';
import { waitFor as waitForBase } from './support/wait.js';
const waitFor = (what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> => waitForBase(what, cond, timeoutMs, 2);

const SPOT_BTC = fileURLToPath(new URL('./fixtures/binance/spot_btcusdt_20240808.gz', import.meta.url));
const books = new WasmBooks(instantiateCore());
const market = new RecordedMarket('spot', [SPOT_BTC]);
const tickers = market.messages.flatMap((m) => (m.kind === 'bookTicker' ? [parseBinanceJson(m.dataJson) as BookTicker] : []));


const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

describe('bad frames from the server', () => {
  it('are counted by kind; the connection, the sync and the book are unaffected', async () => {
    const server = await BinanceProtocolServer.start({ market: 'spot', recordings: market, speed: 10 });
    cleanup.push(() => server.close());
    const ingestEvents: string[] = [];
    const listener: IngestListener = {
      onStale(_s, reason) { ingestEvents.push(`stale ${reason}`); },
      onLive() { ingestEvents.push('live'); },
    };
    const ingest = new FeedIngest(books, { listener, staleFeedMs: 60_000 });
    const oracle = new BookTickerOracle(binanceInstrument('spot', 'BTCUSDT'), tickers);
    const events: BinanceConnectorEvent[] = [];
    let appliedWhileStale = 0;
    const connector = new BinanceConnector(ingest, {
      market: 'spot', symbols: ['BTCUSDT'], endpoints: { restUrl: server.restUrl, wsUrl: server.wsUrl },
    }, {
      onEvent: (e) => events.push(e),
      onApplied: (_s, u) => {
        if (!ingest.quotable(0)) appliedWhileStale++;
        oracle.check(books, ingest.symbolState(0)!.book, u);
      },
    });
    cleanup.push(() => connector.stop());
    connector.start();
    await waitFor('sync', () => connector.synced);

    // frames the connector cannot even attribute
    const frames = [
      '{"stream":"btcusdt@trade","data":', // truncated JSON
      'NaN',
      '[1,2,3]',
      '{"result":null,"id":1}',
      '{"stream":"ethusdt@trade","data":{"e":"trade","E":1,"s":"ETHUSDT","t":1,"p":"1.00","q":"1.00","T":1,"m":true}}',
      '{"stream":"btcusdt@kline_1m","data":{"e":"kline"}}',
      // subscribed streams with bad content
      '{"stream":"btcusdt@bookTicker","data":{"u":1,"s":"BTCUSDT","b":"NaN","B":"1.0","a":"61000.00","A":"1.0"}}',
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"61000.00","q":"1e-3","T":1,"m":true}}',
      '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","u":2,"b":[],"a":[]}}',
      '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["61000.00"]],"a":[]}}',
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":-5,"p":"61000.00","q":"0.1","T":1,"m":true}}',
      '{"stream":"btcusdt@trade","data":null}',
    ];
    for (const f of frames) expect(server.sendRaw(f)).toBe(1);
    server.sendRaw(new Uint8Array([1, 2, 3]));
    // well-formed, but for a symbol this connector does not carry, on a subscribed stream
    server.sendRaw('{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"ETHUSDT","t":1,"p":"1.00","q":"1.00","T":1,"m":true}}');
    await waitFor('every bad frame', () => connector.counters.parseErrors + connector.counters.unknownStreams >= 13 && connector.adapter.counters.unknownSymbol === 1);
    const c = connector.counters;
    expect(c.unknownStreams).toBe(4); // [1,2,3], {"result"}, ethusdt@trade, kline
    expect(c.parseErrors).toBe(9); // truncated JSON, NaN (not JSON), 6 bad contents, the binary frame
    expect(connector.adapter.counters.unknownSymbol).toBe(1);
    const errs = events.filter((e) => e.type === 'parse-error').map((e) => (e as { error: { code: string; message: string } }).error);
    expect(errs.map((e) => e.code)).toEqual([
      'SPREADCORE_ERR_BAD_INPUT', 'SPREADCORE_ERR_BAD_INPUT', 'SPREADCORE_ERR_BAD_DECIMAL', 'SPREADCORE_ERR_BAD_DECIMAL',
      'SPREADCORE_ERR_BAD_INPUT', 'SPREADCORE_ERR_BAD_INPUT', 'SPREADCORE_ERR_BAD_INPUT', 'SPREADCORE_ERR_BAD_INPUT',
      'SPREADCORE_ERR_BAD_INPUT',
    ]);
    expect(errs[0]!.message).toContain('bad JSON');
    expect(errs[2]!.message).toBe('stream btcusdt@bookTicker: Binance bookTicker: field "b" must be a decimal string like "123.45", got "NaN"');
    expect(errs[3]!.message).toContain('field "q" must be a decimal string');
    expect(errs[4]!.message).toContain('field "U"');
    expect(errs[8]!.message).toContain('binary frame');
    expect([c.connects, c.disconnects, c.gaps, c.rejectedEvents]).toEqual([1, 0, 0, 0]);
    expect(ingestEvents).toEqual(['live']);
    expect(connector.synced).toBe(true);

    // a depth event in sequence with a NaN level: rejected whole, the symbol resyncs
    server.pause();
    await waitFor('the client to catch up', () => connector.counters.messages >= server.connections[0]!.messagesSent + frames.length + 2);
    const sync = connector.adapter.sync('BTCUSDT')!;
    const u = sync.updateId;
    expect(u).toBe(server.book('BTCUSDT')!.updateId);
    const bookBefore = books.topLevels(ingest.symbolState(0)!.book, 5);
    expect(bookBefore.bids.length).toBe(5);
    server.sendRaw(JSON.stringify({
      stream: 'btcusdt@depth@100ms',
      data: { e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: u + 1, u: u + 1, b: [['61000.00', '1.0'], ['60999.99', 'NaN']], a: [] },
    }));
    await waitFor('the rejection', () => connector.counters.rejectedEvents === 1);
    const rejected = events.find((e) => e.type === 'rejected') as Extract<BinanceConnectorEvent, { type: 'rejected' }>;
    expect(rejected.error.code).toBe('SPREADCORE_ERR_BAD_DECIMAL');
    expect(rejected.error.message).toBe(`BTCUSDT spot depth event u=${u + 1}: bid level 1 quantity must be a decimal string like "123.45", got "NaN"`);
    expect(ingest.quotable(0)).toBe(false);
    expect(ingestEvents).toEqual(['live', 'stale invalidated']);
    // the new snapshot is at u; it becomes live with the next real event
    await waitFor('the new snapshot', () => connector.counters.snapshotRequests === 2 && sync.state === 'syncing');
    expect(ingest.quotable(0)).toBe(false);
    server.resume();
    await waitFor('the resync', () => events.some((e) => e.type === 'synced' && e.resync) && ingest.quotable(0));
    expect(ingestEvents).toEqual(['live', 'stale invalidated', 'live']);
    await new Promise((r) => setTimeout(r, 150));
    expect(appliedWhileStale).toBe(0);
    expect(oracle.mismatches).toEqual([]);
    expect(connector.adapter.topOfBook().mismatches).toBe(0);
    expect(connector.counters.connects).toBe(1);
  });
});

describe('hooks that throw', () => {
  it('are counted and do not disturb the feed', async () => {
    const server = await BinanceProtocolServer.start({ market: 'spot', recordings: market, speed: 'max' });
    cleanup.push(() => server.close());
    server.pauseAt(6000);
    const ingest = new FeedIngest(books, { staleFeedMs: 60_000 });
    const oracle = new BookTickerOracle(binanceInstrument('spot', 'BTCUSDT'), tickers);
    let applied = 0;
    const connector = new BinanceConnector(ingest, {
      market: 'spot', symbols: ['BTCUSDT'], endpoints: { restUrl: server.restUrl, wsUrl: server.wsUrl },
    }, {
      onEvent: () => { throw new Error('listener bug'); },
      onApplied: (_s, u) => { applied++; oracle.check(books, ingest.symbolState(0)!.book, u); throw new Error('listener bug'); },
    });
    cleanup.push(() => connector.stop());
    connector.start();
    await waitFor('the paused position', () => server.position >= 6000 && connector.counters.messages === server.connections[0]!.messagesSent);
    expect(connector.synced).toBe(true);
    expect(applied).toBe(connector.adapter.counters.appliedEvents);
    expect(connector.counters.listenerErrors).toBeGreaterThanOrEqual(applied);
    expect(connector.adapter.sync('BTCUSDT')!.updateId).toBe(server.book('BTCUSDT')!.updateId);
    expect(oracle.mismatches).toEqual([]);
    expect(oracle.checks).toBeGreaterThan(50);
  });
});

describe('configuration', () => {
  const base: BinanceConnectorOptions = { market: 'spot', symbols: ['BTCUSDT'] };
  const bad = (o: Partial<BinanceConnectorOptions>, message: string | RegExp): void => {
    expect(() => resolveConnectorConfig({ ...base, ...o } as BinanceConnectorOptions)).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_PARAM', message: expect.stringMatching(message) }));
  };

  it('mainnet and testnet presets, URL overrides, stream names', () => {
    const spot = resolveConnectorConfig(base);
    expect([spot.restUrl, spot.wsUrl, spot.depthStream]).toEqual(['https://api.binance.com', 'wss://stream.binance.com:9443', 'depth@100ms']);
    const usdm = resolveConnectorConfig({ market: 'usdm', symbols: ['BTCUSDT'], endpoints: 'testnet' });
    expect([usdm.restUrl, usdm.wsUrl, usdm.depthStream]).toEqual(['https://testnet.binancefuture.com', 'wss://fstream.binancefuture.com', 'depth@0ms']);
    expect(resolveConnectorConfig({ ...base, endpoints: 'testnet' }).restUrl).toBe('https://testnet.binance.vision');
    const custom = resolveConnectorConfig({ ...base, wsUrl: 'wss://data-stream.binance.vision/', depthStream: '@depth', trades: 'aggTrade', bookTicker: false });
    expect(custom.wsUrl).toBe('wss://data-stream.binance.vision');
    expect(streamNames(custom, ['BTCUSDT', 'ETHUSDT'])).toEqual(['btcusdt@depth', 'btcusdt@aggTrade', 'ethusdt@depth', 'ethusdt@aggTrade']);
    expect(combinedStreamUrl(spot, ['BTCUSDT'])).toBe('wss://stream.binance.com:9443/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@bookTicker');
    expect(depthSnapshotUrl(usdm, 'BTCUSDT')).toBe('https://testnet.binancefuture.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
    expect(streamNames(resolveConnectorConfig({ ...base, trades: 'none' }), ['BTCUSDT'])).toEqual(['btcusdt@depth@100ms', 'btcusdt@bookTicker']);
    expect([spot.reconnect, spot.maxConnectionAgeMs, spot.deadAfterMs]).toEqual([{ initialMs: 500, maxMs: 30_000 }, 23 * 3600_000, 30_000]);
  });

  it('bad options are refused with a coded error naming the option', () => {
    bad({ market: 'coinm' as 'spot' }, /^market must be/);
    bad({ restUrl: 'ftp://x' }, /^restUrl must start with https: or http:/);
    bad({ wsUrl: 'wss://x/stream?streams=a' }, /^wsUrl must be a base URL without query/);
    bad({ wsUrl: 'not a url' }, /^wsUrl must be an absolute URL/);
    bad({ endpoints: 'devnet' as 'mainnet' }, /^endpoints must be/);
    bad({ depthStream: 'trade' }, /^depthStream must be/);
    bad({ trades: 'kline' as 'trade' }, /^trades must be/);
    bad({ snapshotLimit: 5001 }, /^snapshotLimit for spot must be an integer 1\.\.5000/);
    bad({ market: 'usdm', snapshotLimit: 7 }, /^snapshotLimit for usdm must be one of 5, 10, 20, 50, 100, 500, 1000/);
    bad({ pingIntervalMs: 1000, deadAfterMs: 1000 }, /^deadAfterMs \(1000\) must be longer than pingIntervalMs/);
    bad({ reconnect: { initialMs: 100, maxMs: 50 } }, /^reconnect\.maxMs must be a number >= initialMs/);
    bad({ crossedResync: { initialMs: 2000, maxMs: 1000 } }, /^crossedResync\.maxMs must be a number >= initialMs/);
    bad({ maxConnectionAgeMs: 0 }, /^maxConnectionAgeMs must be a positive number/);
    bad({ restTimeoutMs: Number.NaN }, /^restTimeoutMs must be a positive number/);
    const ingest = new FeedIngest(books);
    expect(() => new BinanceConnector(ingest, { ...base, symbols: ['XRPUSDT'] })).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT', message: 'unknown Binance spot symbol "XRPUSDT" (known: BTCUSDT, ETHUSDT)' }));
    expect(() => new BinanceConnector(ingest, { ...base, symbols: ['BTCUSDT', 'BTCUSDT'] })).toThrowError(/listed twice/);
    expect(() => new BinanceConnector(ingest, { ...base, symbols: [] })).toThrowError(/at least one symbol/);
  });

  it('start() once; stop() before start and twice is harmless', async () => {
    const ingest = new FeedIngest(books);
    const c = new BinanceConnector(ingest, { ...base, endpoints: { restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9' } });
    c.start();
    expect(() => c.start()).toThrowError(/started once/);
    await c.stop();
    await c.stop();
    expect(c.state).toBe('stopped');
    const idle = new BinanceConnector(ingest, base);
    await idle.stop();
    expect(idle.state).toBe('stopped');
  });
});
