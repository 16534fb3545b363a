// The feed handler under bad input, on loopback with a real uWS server and ws
// clients. Every bad-input class has its exact outcome (counter, close code, book
// unchanged), and after each one a well-behaved publisher on another connection
// is still served.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import { FeedHandler, FEED_CLOSE_ABNORMAL, FEED_CLOSE_DECODE_ERRORS, FEED_CLOSE_TEXT_FRAME, FEED_CLOSE_TOO_BIG } from '../src/feed/handler/index.js';
import { transportName } from '../src/net/select-transport.js';

/** What a publisher sees when its frame is too big: uWS cuts the connection, ws sends 1009. */
const OVERSIZED_CLOSE = transportName() === 'uws' ? FEED_CLOSE_ABNORMAL : FEED_CLOSE_TOO_BIG;
import { FeedIngest } from '../src/feed/ingest/index.js';
import {
  FrameEncoder, FH_VERSION, FRAME_HEADER_BYTES, MH_LENGTH, MH_TYPE, MH_SYMBOL,
} from '../src/feed/protocol/index.js';
import type { FeedSink } from '../src/feed/feed-sink.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { MAX_BOOKS } from '../src/wasm/layout.js';
import { waitFor as waitForBase } from './support/wait.js';
const waitFor = (cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> => waitForBase(what, cond, timeoutMs, 2);

const books = new WasmBooks(instantiateCore('debug'));
const BTC = 7;
const TS = 1_723_161_599_000_000_000;
const MAX_DECODE_ERRORS = 3;
const MAX_PAYLOAD = 4096;


interface Client { ws: WebSocket; closed: Promise<{ code: number; reason: string }>; isClosed: () => boolean }
async function connect(port: number): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/feed`);
  let done = false;
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => { done = true; r({ code, reason: reason.toString() }); }));
  ws.on('error', () => { /* a cut connection reports through close */ });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  return { ws, closed, isClosed: () => done };
}

function frame(fill: (s: FeedSink) => void): Uint8Array {
  const e = new FrameEncoder();
  fill(e);
  e.endOfBatch(Number(process.hrtime.bigint()));
  return e.flush();
}
function patch(bytes: Uint8Array, f: (dv: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  f(new DataView(copy.buffer));
  return copy;
}

describe('feed handler: bad input', () => {
  let ingest: FeedIngest;
  let handler: FeedHandler;
  let port: number;
  let good: Client;
  let seq = 1;

  const book = (): number => ingest.symbolState(BTC)!.book;
  const top = (): ReturnType<WasmBooks['topLevels']> => books.topLevels(book(), 20);
  /** A valid update from the well-behaved publisher, checked to apply. */
  const goodUpdate = async (): Promise<void> => {
    const s = ++seq;
    const applied = handler.totals.framesApplied;
    good.ws.send(frame((e) => e.levelSet(BTC, s, TS, 0, 90, s)));
    await waitFor(() => handler.totals.framesApplied > applied, 'the good publisher\'s frame');
    expect(books.levelQty(book(), 0, 90)).toBe(s);
    expect(ingest.quotable(BTC)).toBe(true);
  };
  const levelSet = (s: number, tick = 95, qty = 1): Uint8Array => frame((e) => e.levelSet(BTC, s, TS, 0, tick, qty));

  beforeAll(async () => {
    ingest = new FeedIngest(books, { staleFeedMs: 60_000 });
    handler = new FeedHandler(ingest, { port: 0, maxDecodeErrors: MAX_DECODE_ERRORS, maxPayloadBytes: MAX_PAYLOAD });
    port = await handler.listen();
    good = await connect(port);
    good.ws.send(frame((e) => {
      e.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
      e.snapshot(BTC, 1, TS, Float64Array.from([100, 5, 99, 3]), 2, Float64Array.from([101, 4, 102, 6]), 2);
    }));
    await waitFor(() => ingest.quotable(BTC), 'the first snapshot');
  });
  afterAll(async () => {
    handler.close();
    await good.closed;
  });

  // one decode error each: counted under its code, book unchanged, the publisher stays connected
  const decodeCases: [string, string, () => Uint8Array][] = [
    ['a truncated frame', 'truncated', () => levelSet(seq + 1).subarray(0, 50)],
    ['a wrong version', 'bad-version', () => patch(levelSet(seq + 1), (dv) => dv.setUint8(FH_VERSION, 2))],
    ['an unknown message type', 'unknown-type', () => patch(levelSet(seq + 1), (dv) => dv.setUint8(FRAME_HEADER_BYTES + MH_TYPE, 42))],
    ['a huge message length', 'beyond-frame', () => patch(levelSet(seq + 1), (dv) => dv.setUint32(FRAME_HEADER_BYTES + MH_LENGTH, 0xfffffff0, true))],
    ['an unknown symbol', 'unknown-symbol', () => patch(levelSet(seq + 1), (dv) => dv.setUint16(FRAME_HEADER_BYTES + MH_SYMBOL, 8, true))],
  ];
  for (const [name, codeName, make] of decodeCases) {
    it(`${name}: counted as ${codeName}, book unchanged, publisher kept, others served`, async () => {
      const bad = await connect(port);
      const before = top();
      const errors = handler.totals.decodeErrors;
      const byCode = handler.stats().decodeErrorsByCode[codeName] ?? 0;
      bad.ws.send(make());
      await waitFor(() => handler.totals.decodeErrors > errors, 'the decode error');
      expect(top()).toEqual(before);
      const stats = handler.stats();
      expect(stats.decodeErrorsByCode[codeName]).toBe(byCode + 1);
      const conn = stats.connections.find((c) => c.decodeErrors > 0)!;
      expect(conn.decodeErrorsByCode).toEqual({ [codeName]: 1 });
      expect(conn.framesApplied).toBe(0);
      expect(bad.isClosed()).toBe(false);
      await goodUpdate();
      bad.ws.close(1000);
      await bad.closed;
    });
  }

  it(`${MAX_DECODE_ERRORS} decode errors close the publisher with ${FEED_CLOSE_DECODE_ERRORS} and a reason`, async () => {
    const bad = await connect(port);
    const before = top();
    for (let i = 0; i < MAX_DECODE_ERRORS + 2; i++) bad.ws.send(Uint8Array.from([1, 2, 3, i]));
    const { code, reason } = await bad.closed;
    expect(code).toBe(FEED_CLOSE_DECODE_ERRORS);
    expect(reason).toBe(`too many decode errors (${MAX_DECODE_ERRORS}, last: truncated)`);
    expect(handler.totals.closedForDecodeErrors).toBe(1);
    expect(top()).toEqual(before);
    await goodUpdate();
  });

  it('an out-of-order sequence number is ignored and counted, book unchanged', async () => {
    const before = top();
    const s = ingest.symbolState(BTC)!;
    const ooo = s.counters.outOfOrder;
    const applied = handler.totals.framesApplied;
    good.ws.send(levelSet(seq, 95, 42)); // seq already used
    good.ws.send(levelSet(1, 95, 43)); // far in the past
    await waitFor(() => handler.totals.framesApplied >= applied + 2, 'both frames');
    expect(s.counters.outOfOrder).toBe(ooo + 2);
    expect(s.state).toBe('live');
    expect(top()).toEqual(before);
    await goodUpdate();
  });

  it(`a text frame closes the publisher with ${FEED_CLOSE_TEXT_FRAME}`, async () => {
    const bad = await connect(port);
    const before = top();
    bad.ws.send('{"op":"levelSet"}');
    expect(await bad.closed).toEqual({ code: FEED_CLOSE_TEXT_FRAME, reason: 'binary frames only' });
    expect(handler.totals.textFrames).toBe(1);
    expect(handler.totals.closedForTextFrames).toBe(1);
    expect(top()).toEqual(before);
    await goodUpdate();
  });

  it(`an oversized frame (over ${MAX_PAYLOAD} bytes) is cut off by the transport (${OVERSIZED_CLOSE}) and counted`, async () => {
    const bad = await connect(port);
    const before = top();
    const frames = handler.totals.frames;
    const n = 300; // 32 + 16 * 300 bytes > 4096
    const levels = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) { levels[2 * i] = 50 - i; levels[2 * i + 1] = 1; }
    bad.ws.send(frame((e) => e.snapshot(BTC, 99, TS, levels, n, new Float64Array(0), 0)));
    expect((await bad.closed).code).toBe(OVERSIZED_CLOSE);
    await waitFor(() => handler.totals.oversizedFrames === 1, 'the oversized count');
    expect(handler.totals.frames).toBe(frames); // never reached the decoder
    expect(top()).toEqual(before);
    await goodUpdate();
  });

  it('more symbols than book slots: the extra definitions are refused and counted; the server keeps serving', async () => {
    const bad = await connect(port);
    const errors = handler.totals.decodeErrors;
    const frames = handler.totals.frames;
    const refused = ingest.counters.refusedDefinitions;
    bad.ws.send(frame((e) => {
      for (let i = 0; i <= MAX_BOOKS; i++) e.instrument({ symbolId: 100 + i, symbol: `SYM${i}`, kind: 'perp', tickSize: '0.1', lotSize: '1', resolutionTsNs: 0 });
    }));
    await waitFor(() => handler.totals.frames > frames, 'the frame');
    expect(ingest.counters.refusedDefinitions).toBeGreaterThan(refused);
    expect(handler.totals.decodeErrors).toBe(errors);
    expect(handler.totals.internalErrors).toBe(0);
    expect(ingest.quotable(BTC)).toBe(true);
    bad.ws.close(1000);
    await bad.closed;
    await goodUpdate();
  });

  it('garbage on other paths gets 404 and the stats route still answers', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/nope`);
    expect(res.status).toBe(404);
    const stats = await (await fetch(`http://127.0.0.1:${port}/feed/stats`)).json() as ReturnType<FeedHandler['stats']>;
    expect(stats.totals.internalErrors).toBe(0);
    expect(stats.totals.connectionsOpen).toBeGreaterThanOrEqual(1);
  });
});
