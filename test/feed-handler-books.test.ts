// The feed handler end to end on loopback (real uWS server, real ws client):
// frames update the WASM books; a sequence gap makes the symbol stale until a
// snapshot resyncs it; crossed books and quiet feeds are detected and reported;
// stats, latency samples and graceful close.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import WebSocket from 'ws';
import { FeedHandler, FEED_CLOSE_SHUTDOWN } from '../src/feed/handler/index.js';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import { FrameEncoder } from '../src/feed/protocol/index.js';
import type { FeedSink } from '../src/feed/feed-sink.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { waitFor as waitForBase } from './support/wait.js';
const waitFor = (cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> => waitForBase(what, cond, timeoutMs, 2);

const books = new WasmBooks(instantiateCore('debug'));
const BTC = 7;
const TS = 1_723_161_599_000_000_000;


interface Client { ws: WebSocket; closed: Promise<{ code: number; reason: string }> }
async function connect(port: number): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/feed`);
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  return { ws, closed };
}

/** One frame ending a batch, sent now (sendTsNs = this process's monotonic clock). */
function frame(fill: (s: FeedSink) => void): Uint8Array {
  const e = new FrameEncoder();
  fill(e);
  e.endOfBatch(Number(process.hrtime.bigint()));
  return e.flush();
}
const pairs = (...xs: number[]): Float64Array => Float64Array.from(xs);

describe('feed handler: books', () => {
  let ingest: FeedIngest;
  let handler: FeedHandler;
  let port: number;
  let events: string[];
  const clients: Client[] = [];

  beforeEach(async () => {
    events = [];
    const listener: IngestListener = {
      onStale(s, reason) { events.push(`stale ${s.symbol} ${reason}`); },
      onLive(s) { events.push(`live ${s.symbol}`); },
    };
    ingest = new FeedIngest(books, { listener, staleFeedMs: 150 });
    handler = new FeedHandler(ingest, { port: 0, staleCheckMs: 20 });
    port = await handler.listen();
  });
  afterEach(async () => {
    handler.close();
    for (const c of clients.splice(0)) await c.closed;
  });

  const open = async (): Promise<Client> => { const c = await connect(port); clients.push(c); return c; };
  const send = async (c: Client, bytes: Uint8Array): Promise<void> => {
    const before = handler.totals.frames;
    c.ws.send(bytes);
    await waitFor(() => handler.totals.frames > before, 'the frame to arrive');
  };
  const define = (s: FeedSink): void => s.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
  const snapshot = (seq: number) => (s: FeedSink): void => s.snapshot(BTC, seq, TS, pairs(100, 5, 99, 3), 2, pairs(101, 4, 102, 6), 2);
  const top = (): ReturnType<WasmBooks['topLevels']> => books.topLevels(ingest.symbolState(BTC)!.book, 10);

  it('valid frames update the books; stats and latency samples follow', async () => {
    const c = await open();
    await send(c, frame((s) => { define(s); snapshot(10)(s); }));
    expect(ingest.quotable(BTC)).toBe(true);
    await send(c, frame((s) => {
      s.levelSet(BTC, 11, TS, 0, 100, 0);
      s.levelChange(BTC, 12, TS, 1, 101, -1);
      s.trade(BTC, 13, TS, 1, 101, 1, 77);
    }));
    expect(top()).toEqual({ bids: [{ tick: 99, qtyLot: 3 }], asks: [{ tick: 101, qtyLot: 3 }, { tick: 102, qtyLot: 6 }] });
    expect(ingest.symbolState(BTC)!.lastTradeId).toBe(77);
    expect(ingest.counters.batches).toBe(2);

    const res = await fetch(`http://127.0.0.1:${port}/feed/stats`);
    expect(res.status).toBe(200);
    const stats = await res.json() as ReturnType<FeedHandler['stats']>;
    expect(stats.totals).toMatchObject({ frames: 2, framesApplied: 2, messages: 5, decodeErrors: 0, connectionsOpen: 1 });
    expect(stats.connections).toHaveLength(1);
    expect(stats.connections[0]).toMatchObject({ frames: 2, messages: 5, remote: '127.0.0.1' });
    expect(stats.connections[0]!.bytes).toBe(handler.totals.bytes);
    expect(stats.ingest.symbols[0]).toMatchObject({ symbol: 'BTCUSDT', state: 'live', nextSeq: 14 });
    // both frames were timed: one-way transit on this host and decode + apply
    expect(handler.latency.total).toBe(2);
    expect(stats.latency.transitNs.count).toBe(2);
    expect(stats.latency.transitNs.p50).toBeGreaterThan(0);
    expect(stats.latency.applyNs.p50).toBeGreaterThan(0);
  });

  it('a sequence gap makes the symbol stale (not quotable, book empty) until a snapshot resyncs it', async () => {
    const c = await open();
    await send(c, frame((s) => { define(s); snapshot(10)(s); }));
    await send(c, frame((s) => s.levelSet(BTC, 12, TS, 0, 98, 1))); // 11 is missing
    const st = ingest.symbolState(BTC)!;
    expect(st.state).toBe('stale');
    expect(st.counters.gaps).toBe(1);
    expect(ingest.quotable(BTC)).toBe(false);
    expect(top()).toEqual({ bids: [], asks: [] });
    await send(c, frame((s) => s.levelSet(BTC, 13, TS, 0, 98, 1)));
    expect(ingest.quotable(BTC)).toBe(false);
    expect(st.counters.droppedWhileStale).toBe(1);
    expect(top()).toEqual({ bids: [], asks: [] });
    await send(c, frame(snapshot(20)));
    expect(ingest.quotable(BTC)).toBe(true);
    await send(c, frame((s) => s.levelSet(BTC, 21, TS, 0, 99, 9)));
    expect(top().bids).toEqual([{ tick: 100, qtyLot: 5 }, { tick: 99, qtyLot: 9 }]);
    expect(events).toEqual(['live BTCUSDT', 'stale BTCUSDT gap', 'live BTCUSDT']);
  });

  it('a crossed book is reported at the end of the batch and clears when uncrossed', async () => {
    const c = await open();
    await send(c, frame((s) => { define(s); snapshot(1)(s); }));
    await send(c, frame((s) => s.levelSet(BTC, 2, TS, 0, 101, 1))); // bid at the best ask
    expect(ingest.symbolState(BTC)!.crossed).toBe(true);
    expect(ingest.quotable(BTC)).toBe(false);
    expect(events.at(-1)).toBe('stale BTCUSDT crossed');
    const stats = handler.stats();
    expect(stats.ingest.symbols[0]).toMatchObject({ crossed: true, state: 'live' });
    await send(c, frame((s) => s.levelSet(BTC, 3, TS, 0, 101, 0)));
    expect(ingest.quotable(BTC)).toBe(true);
    expect(events.at(-1)).toBe('live BTCUSDT');
  });

  it('a quiet feed goes stale on the handler timer and revives on a heartbeat', async () => {
    const c = await open();
    await send(c, frame((s) => { define(s); snapshot(1)(s); }));
    expect(ingest.quotable(BTC)).toBe(true);
    await waitFor(() => ingest.symbolState(BTC)!.staleFeed, 'the stale-feed check', 3000);
    expect(ingest.quotable(BTC)).toBe(false);
    expect(events.at(-1)).toBe('stale BTCUSDT stale-feed');
    expect(handler.stats().ingest.symbols[0]!.staleFeed).toBe(true);
    await send(c, frame((s) => s.heartbeat(TS)));
    expect(ingest.quotable(BTC)).toBe(true);
    expect(events.at(-1)).toBe('live BTCUSDT');
  });

  it('close() stops listening and closes every publisher with 1001', async () => {
    const a = await open();
    const b = await open();
    expect(handler.totals.connectionsOpen).toBe(2);
    handler.close();
    expect((await a.closed).code).toBe(FEED_CLOSE_SHUTDOWN);
    expect((await b.closed).code).toBe(FEED_CLOSE_SHUTDOWN);
    expect(handler.totals.connectionsOpen).toBe(0);
    expect(handler.listening).toBe(false);
    await expect(connect(port)).rejects.toThrow();
  });
});
