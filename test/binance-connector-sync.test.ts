// The connector against a local server speaking Binance's protocol from the real
// recordings: connect → REST snapshot → sync → the ingest's books equal every
// bookTicker; pings answered with their payload; the server's REST and stream
// rules as documented.
import { describe, it, expect, afterEach } from 'vitest';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import {
  BinanceConnector, BookTickerOracle, binanceInstrument, parseBinanceJson,
  type BinanceConnectorEvent, type BinanceConnectorOptions, type BinanceMarket, type BookTicker,
} from '../src/feed/binance/index.js';
import {
  BinanceProtocolServer, RecordedMarket, parseStreamName, type BinanceProtocolServerOptions,
} from '../src/feed/binance-server/index.js';
import { waitFor as waitForBase } from './support/wait.js';
const waitFor = (what: string, cond: () => boolean, timeoutMs = 8000): Promise<void> => waitForBase(what, cond, timeoutMs, 5);

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/binance/${name}`, import.meta.url));
const SPOT_BTC = fixture('spot_btcusdt_20240808.gz');
const SPOT_ETH = fixture('spot_ethusdt_20240808.gz');
const USDM_BTC = fixture('usdm_btcusdt_20240808.gz');
const books = new WasmBooks(instantiateCore());


// each recording is loaded once per file (a RecordedMarket is read-only; every server replays it from the start)
const markets = new Map<string, RecordedMarket>();
function recorded(market: BinanceMarket, files: string[]): RecordedMarket {
  const key = `${market} ${files.join(' ')}`;
  let m = markets.get(key);
  if (m === undefined) { m = new RecordedMarket(market, files); markets.set(key, m); }
  return m;
}

function tickers(m: RecordedMarket, symbol: string): BookTicker[] {
  return m.messages.flatMap((x) => (x.kind === 'bookTicker' && x.symbol === symbol ? [parseBinanceJson(x.dataJson) as BookTicker] : []));
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

interface Rig {
  server: BinanceProtocolServer;
  ingest: FeedIngest;
  connector: BinanceConnector;
  events: BinanceConnectorEvent[];
  ingestEvents: string[];
  oracles: Map<string, BookTickerOracle>;
}

async function rig(market: BinanceMarket, files: string[], serverOpts: Partial<BinanceProtocolServerOptions>,
  connOpts: Partial<BinanceConnectorOptions> = {}): Promise<Rig> {
  const rec = recorded(market, files);
  const server = await BinanceProtocolServer.start({ market, recordings: rec, ...serverOpts });
  cleanup.push(() => server.close());
  const ingestEvents: string[] = [];
  const listener: IngestListener = {
    onStale(s, reason) { ingestEvents.push(`stale ${s.symbol} ${reason}`); },
    onLive(s) { ingestEvents.push(`live ${s.symbol}`); },
  };
  const ingest = new FeedIngest(books, { listener, staleFeedMs: 60_000 });
  const oracles = new Map<string, BookTickerOracle>();
  for (const symbol of rec.symbols) oracles.set(symbol, new BookTickerOracle(binanceInstrument(market, symbol), tickers(rec, symbol)));
  const events: BinanceConnectorEvent[] = [];
  const connector = new BinanceConnector(ingest, {
    market, symbols: server.recorded.symbols, endpoints: { restUrl: server.restUrl, wsUrl: server.wsUrl }, ...connOpts,
  }, {
    onEvent: (e) => events.push(e),
    onApplied: (symbol, u) => oracles.get(symbol)!.check(books, ingest.bySymbolName(symbol)!.book, u),
  });
  cleanup.push(() => connector.stop());
  return { server, ingest, connector, events, ingestEvents, oracles };
}

describe('connect → snapshot → sync on the recordings', () => {
  // [market, recordings, messages to play (the rest stays unplayed), minimum bookTicker checks]
  const cases: [BinanceMarket, string[], number, number][] = [
    ['spot', [SPOT_BTC], Infinity, 550],
    ['usdm', [USDM_BTC], 40_000, 200],
    ['spot', [SPOT_BTC, SPOT_ETH], 60_000, 800],
  ];
  for (const [market, files, play, minChecks] of cases) {
    const name = `${market} ${files.map((f) => f.match(/_(\w+?)_/)![1]!.toUpperCase()).join(' + ')}`;
    it(`${name}: every symbol syncs and matches every bookTicker; the book equals the server's`, async () => {
      const r = await rig(market, files, { speed: 'max' });
      if (play < r.server.length) r.server.pauseAt(play);
      r.connector.start();
      await waitFor('the playback to end or pause', () => r.server.position >= Math.min(play, r.server.length), 15_000);
      await waitFor('every message sent', () => r.connector.counters.messages === r.server.connections[0]!.messagesSent);
      expect(r.connector.synced).toBe(true);
      const c = r.connector.counters;
      const checks = [...r.oracles.values()].reduce((n, o) => n + o.checks, 0);
      const live = r.connector.adapter.topOfBook();
      console.log(`${name}: ${c.messages} messages, ${r.connector.adapter.counters.appliedEvents} depth events applied, ` +
        `${checks} bookTicker checks (live check ${live.checks}), ${r.server.stats.restRequests} REST requests`);
      for (const o of r.oracles.values()) expect(o.mismatches.slice(0, 3)).toEqual([]);
      expect(checks).toBeGreaterThanOrEqual(minChecks);
      expect(live.mismatches).toBe(0);
      expect(c.messages).toBe(r.server.connections[0]!.messagesSent);
      expect([c.connects, c.disconnects, c.reconnects, c.gaps, c.parseErrors, c.unknownStreams, c.rejectedEvents]).toEqual([1, 0, 0, 0, 0, 0, 0]);
      expect(c.snapshotRequests).toBe(files.length);
      expect(r.events.filter((e) => e.type === 'synced').map((e) => (e as { symbol: string }).symbol).sort())
        .toEqual([...r.server.recorded.symbols].sort());
      expect(r.ingestEvents.filter((e) => e.startsWith('stale'))).toEqual([]);
      // the ingest's book equals the server's own book (independent implementation) at the same update id
      for (const symbol of r.server.recorded.symbols) {
        const inst = binanceInstrument(market, symbol);
        const s = r.ingest.bySymbolName(symbol)!;
        expect(r.ingest.quotable(s.symbolId)).toBe(true);
        const ref = r.server.book(symbol)!;
        expect(r.connector.adapter.sync(symbol)!.updateId).toBe(ref.updateId);
        const want = ref.top(200);
        const got = books.topLevels(s.book, 200);
        const fmt = (l: { tick: number; qtyLot: number }): [string, string] => [inst.price.format(l.tick), inst.qty.format(l.qtyLot)];
        const norm = (l: readonly [string, string]): [string, string] => [inst.price.format(inst.price.toUnits(l[0])), inst.qty.format(inst.qty.toUnits(l[1]))];
        expect(got.bids.map(fmt)).toEqual(want.bids.map(norm));
        expect(got.asks.map(fmt)).toEqual(want.asks.map(norm));
      }
      expect(r.connector.streamUrl).toBe(`${r.server.wsUrl}/stream?streams=${r.server.connections[0]!.streams.join('/')}`);
    });
  }
});

describe('pings', () => {
  it('server pings are answered with their payload; client pings are answered by the server', async () => {
    const r = await rig('spot', [SPOT_BTC], { speed: 5, pingIntervalMs: 40 }, { pingIntervalMs: 50, deadAfterMs: 1000 });
    r.connector.start();
    await waitFor('pings both ways', () => {
      const ci = r.server.connections[0];
      return ci !== undefined && ci.pongsMatching >= 5 && ci.clientPings >= 3;
    });
    const ci = r.server.connections[0]!;
    expect(ci.pongsOther).toBe(0);
    expect(ci.closedBy).toBeNull();
    expect(r.connector.counters.deadConnections).toBe(0);
  });
});

describe('the local server follows the documented protocol', () => {
  it('REST depth: limits, errors, snapshot shape per market', async () => {
    const spot = await BinanceProtocolServer.start({ market: 'spot', recordings: recorded('spot', [SPOT_BTC]), startOn: 'listen', speed: 'max' });
    cleanup.push(() => spot.close());
    const usdm = await BinanceProtocolServer.start({ market: 'usdm', recordings: recorded('usdm', [USDM_BTC]), startOn: 'listen', speed: 1 });
    cleanup.push(() => usdm.close());
    const get = async (base: string, path: string): Promise<[number, Record<string, unknown>]> => {
      const res = await fetch(`${base}${path}`);
      return [res.status, await res.json() as Record<string, unknown>];
    };
    const [s1, b1] = await get(spot.restUrl, '/api/v3/depth?symbol=BTCUSDT&limit=5');
    expect(s1).toBe(200);
    expect((b1['bids'] as unknown[]).length).toBe(5);
    expect(Object.keys(b1)).toEqual(['lastUpdateId', 'bids', 'asks']);
    const [s2, b2] = await get(spot.restUrl, '/api/v3/depth?symbol=BTCUSDT');
    expect(s2).toBe(200);
    expect((b2['asks'] as unknown[]).length).toBe(100); // spot default
    expect(await get(spot.restUrl, '/api/v3/depth?symbol=BTCUSDT&limit=5001')).toEqual([400, expect.objectContaining({ code: -1100 })]);
    expect(await get(spot.restUrl, '/api/v3/depth?symbol=XRPUSDT')).toEqual([400, { code: -1121, msg: 'Invalid symbol.' }]);
    expect(await get(spot.restUrl, '/api/v3/depth')).toEqual([400, expect.objectContaining({ code: -1102 })]);
    expect((await get(spot.restUrl, '/fapi/v1/depth?symbol=BTCUSDT'))[0]).toBe(404);
    const [u1, ub] = await get(usdm.restUrl, '/fapi/v1/depth?symbol=BTCUSDT');
    expect(u1).toBe(200);
    expect(Object.keys(ub)).toEqual(['lastUpdateId', 'E', 'T', 'bids', 'asks']);
    expect((ub['bids'] as unknown[]).length).toBe(500); // futures default
    expect((await get(usdm.restUrl, '/fapi/v1/depth?symbol=BTCUSDT&limit=7'))[0]).toBe(400);
    usdm.failRest(1, 429, -1003, 'Too many requests.');
    expect(await get(usdm.restUrl, '/fapi/v1/depth?symbol=BTCUSDT&limit=5')).toEqual([429, { code: -1003, msg: 'Too many requests.' }]);
    expect((await get(usdm.restUrl, '/fapi/v1/depth?symbol=BTCUSDT&limit=5'))[0]).toBe(200);
  });

  it('combined streams: wrapper, subscribed streams only, refused bad names', async () => {
    expect(parseStreamName('btcusdt@depth@100ms')).toEqual({ symbol: 'BTCUSDT', kind: 'depth' });
    expect(parseStreamName('btcusdt@depth')).toEqual({ symbol: 'BTCUSDT', kind: 'depth' });
    expect(parseStreamName('btcusdt@aggTrade')).toEqual({ symbol: 'BTCUSDT', kind: 'aggTrade' });
    expect(parseStreamName('btcusdt@kline_1m')).toBeNull();
    expect(parseStreamName('BTCUSDT@trade')).toBeNull();
    const server = await BinanceProtocolServer.start({ market: 'spot', recordings: recorded('spot', [SPOT_BTC]), speed: 'max' });
    cleanup.push(() => server.close());
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${server.wsUrl}/stream?streams=btcusdt@kline_1m`);
      ws.on('error', (e) => resolve(e.message));
      ws.on('open', () => { ws.close(); resolve('opened'); });
    });
    expect(refused).toContain('400');
    const got: { stream: string; data: Record<string, unknown> }[] = [];
    const ws = new WebSocket(`${server.wsUrl}/stream?streams=btcusdt@aggTrade/btcusdt@depth@100ms`);
    cleanup.push(async () => { ws.terminate(); });
    ws.on('message', (d) => { if (got.length < 300) got.push(JSON.parse(String(d)) as typeof got[number]); });
    await waitFor('300 messages', () => got.length >= 300);
    const streams = new Set(got.map((m) => m.stream));
    expect([...streams].sort()).toEqual(['btcusdt@aggTrade', 'btcusdt@depth@100ms']);
    const agg = got.find((m) => m.stream === 'btcusdt@aggTrade')!.data;
    expect(agg['e']).toBe('aggTrade');
    expect(agg['f']).toBe(agg['a']);
    expect(got.find((m) => m.stream === 'btcusdt@depth@100ms')!.data['e']).toBe('depthUpdate');
  });
});
