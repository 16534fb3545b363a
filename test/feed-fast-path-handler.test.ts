// The feed handler with and without the WASM fast path, over loopback (real uWS
// server, real ws client): the same frames — definitions, a snapshot, depth events,
// a gap, a resync, a bad frame — sent to two handlers leave the same books, symbol
// states and counters; the fast path applied the depth events, the decoder the
// rest; stats and latency samples count both.
import { describe, it, expect, afterEach } from 'vitest';
import WebSocket from 'ws';
import { FeedHandler } from '../src/feed/handler/index.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { FrameEncoder } from '../src/feed/protocol/index.js';
import type { FeedSink, SideCode } from '../src/feed/feed-sink.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { waitFor as waitForBase } from './support/wait.js';
const waitFor = (cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> => waitForBase(what, cond, timeoutMs, 2);

const BTC = 7;
const TS = 1_723_161_599_000_000_000;


function frame(fill: (s: FeedSink) => void): Uint8Array {
  const e = new FrameEncoder();
  fill(e);
  e.endOfBatch(Number(process.hrtime.bigint()));
  return e.flush();
}

interface Side { ingest: FeedIngest; handler: FeedHandler; ws: WebSocket; closed: Promise<void> }
const sides: Side[] = [];
afterEach(async () => {
  for (const s of sides.splice(0)) {
    s.handler.close();
    await s.closed;
    s.ingest.close();
  }
});

async function side(fastPath: boolean): Promise<Side> {
  const ingest = new FeedIngest(new WasmBooks(instantiateCore('debug')), { staleFeedMs: 60_000 });
  const handler = new FeedHandler(ingest, { port: 0, staleCheckMs: 0, fastPath });
  const port = await handler.listen();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/feed`);
  const closed = new Promise<void>((r) => ws.on('close', () => r()));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const s = { ingest, handler, ws, closed };
  sides.push(s);
  return s;
}

describe('feed handler: fast path on and off', () => {
  it('the same frames leave the same books and states; the fast path took the depth events', async () => {
    const on = await side(true);
    const off = await side(false);
    const frames: Uint8Array[] = [
      frame((s) => {
        s.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'perp', tickSize: '0.1', lotSize: '0.001', resolutionTsNs: 0 });
        s.snapshot(BTC, 100, TS, Float64Array.from([1000, 5, 999, 3]), 2, Float64Array.from([1001, 4, 1002, 6]), 2);
      }),
    ];
    let seq = 101;
    for (let k = 0; k < 40; k++) {
      frames.push(frame((s) => {
        for (let i = 0; i < 1 + (k % 9); i++) s.levelSet(BTC, seq++, TS + k, ((k + i) & 1) as SideCode, (k + i) & 1 ? 1001 + i : 1000 - i, (k * 7 + i) % 5);
      }));
    }
    frames.push(frame((s) => s.levelSet(BTC, seq + 5, TS, 0, 990, 1))); // a gap
    frames.push(new Uint8Array([1, 2, 3])); // a bad frame
    frames.push(frame((s) => s.snapshot(BTC, 500, TS, Float64Array.from([1000, 1]), 1, Float64Array.from([1001, 1]), 1)));
    frames.push(frame((s) => { s.levelChange(BTC, 501, TS, 0, 1000, 2); s.trade(BTC, 502, TS, 1, 1000, 1, 42); }));
    for (const s of [on, off]) for (const f of frames) s.ws.send(f);
    await waitFor(() => on.handler.totals.frames === frames.length && off.handler.totals.frames === frames.length, 'every frame');

    const view = (s: Side): unknown => {
      const st = s.ingest.symbolState(BTC)!;
      return {
        state: st.state, nextSeq: st.nextSeq, counters: st.counters, lastTradeId: st.lastTradeId,
        top: s.ingest.books.topLevels(st.book, 50), totals: { ...s.handler.totals, bytes: 0 },
        decodeErrors: s.handler.stats().decodeErrorsByCode, batches: s.ingest.counters.batches,
      };
    };
    expect(view(on)).toEqual(view(off));
    expect(on.ingest.symbolState(BTC)!.lastTradeId).toBe(42);
    const fastOn = on.handler.stats().fastPath;
    const fastOff = off.handler.stats().fastPath;
    expect(fastOn).toMatchObject({ enabled: true, framesApplied: 41 });
    expect(fastOn.fallbacks).toEqual({ type: 2, seq: 1, invalid: 1 });
    expect(fastOff).toMatchObject({ enabled: false, framesApplied: 0, fallbacks: {} });
    expect(on.handler.latency.total).toBe(frames.length - 1);
  });
});
