// The fast path's cases one by one. Each frame goes to two worlds on separate WASM
// cores — A: FeedIngest.applyFrameFast, then FrameDecoder when it falls back;
// B: FrameDecoder only — and both must end with the same decode code, listener
// events, books, symbol states and counters. On top: which frames the fast path
// takes, why it hands the others back (size, invalid, type, symbol, seq), that a
// frame it hands back has changed nothing, every bad-input class of the protocol,
// levels the book refuses, batches over several frames, several ingests on one
// core, and a listener that throws.
import { describe, it, expect, afterEach } from 'vitest';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import {
  FrameDecoder, FrameEncoder, DECODE_OK, DECODE_ERR_TRUNCATED, DECODE_ERR_BAD_MAGIC, DECODE_ERR_BAD_VERSION,
  DECODE_ERR_BAD_FLAGS, DECODE_ERR_FRAME_LENGTH, DECODE_ERR_UNKNOWN_TYPE, DECODE_ERR_BEYOND_FRAME, DECODE_ERR_BAD_LENGTH,
  DECODE_ERR_UNSAFE_INTEGER, DECODE_ERR_BAD_QTY, DECODE_ERR_BAD_SIDE, DECODE_ERR_UNKNOWN_SYMBOL, DECODE_ERR_SINK_THREW,
} from '../src/feed/protocol/index.js';
import type { FeedSink, SideCode } from '../src/feed/feed-sink.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import {
  FAST_APPLIED, FAST_FALLBACK_INVALID, FAST_FALLBACK_SEQ, FAST_FALLBACK_SIZE, FAST_FALLBACK_SYMBOL, FAST_FALLBACK_TYPE,
  FRAME_IN_BYTES, OVERFLOW_CAP, ERR_NEGATIVE_LEVEL, ERR_BAD_PRICE, ERR_OVERFLOW_FULL,
} from '../src/wasm/layout.js';

const booksA = new WasmBooks(instantiateCore('debug'));
const booksB = new WasmBooks(instantiateCore('debug'));
const BTC = 7;
const ETH = 9;
const TS = 1_723_161_599_000_000_000;

interface World { ingest: FeedIngest; dec: FrameDecoder; books: WasmBooks; log: string[] }

function world(books: WasmBooks, tradeListener: boolean): World {
  const log: string[] = [];
  const listener: IngestListener = {
    onBatch(_i, dirty, n, sendTs) { log.push(`batch [${[...dirty.subarray(0, n)].join(',')}] ${sendTs}`); },
    onStale(s, reason) { log.push(`stale ${s.symbolId} ${reason}`); },
    onLive(s) { log.push(`live ${s.symbolId}`); },
  };
  if (tradeListener) listener.onTrade = (s, side, tick, lot, _ts, id) => { log.push(`trade ${s.symbolId} ${side} ${tick} ${lot} ${id}`); };
  const ingest = new FeedIngest(books, { listener, staleFeedMs: 1000 });
  ingest.setClock(1e12);
  return { ingest, dec: new FrameDecoder({ isKnownSymbol: (id) => ingest.symbolState(id) !== undefined }), books, log };
}

function bookState(books: WasmBooks, b: number): unknown {
  return {
    top: books.topLevels(b, 1024), levels: [books.levelCount(b, 0), books.levelCount(b, 1)],
    overflow: [books.overflowCount(b, 0), books.overflowCount(b, 1)], flags: books.flags(b),
    errors: books.errors(b), lastError: books.lastError(b), updates: books.updates(b),
  };
}

function state(w: World): unknown {
  return {
    symbols: w.ingest.symbols().sort((a, b) => a.symbolId - b.symbolId).map((s) => ({
      id: s.symbolId, state: s.state, staleReason: s.staleReason, nextSeq: s.nextSeq, crossed: s.crossed, staleFeed: s.staleFeed,
      lastTsExchNs: s.lastTsExchNs, lastTradeTick: s.lastTradeTick, lastTradeLot: s.lastTradeLot, lastTradeSide: s.lastTradeSide,
      lastTradeId: s.lastTradeId, counters: { ...s.counters }, book: bookState(w.books, s.book),
    })),
    counters: { ...w.ingest.counters },
  };
}

function frame(fill: (s: FeedSink) => void, eob = true, sendTs = 42): Uint8Array {
  const e = new FrameEncoder();
  fill(e);
  if (eob) e.endOfBatch(sendTs);
  return e.flush(sendTs);
}
const pairs = (...xs: number[]): Float64Array => Float64Array.from(xs);

let open: World[] = [];
afterEach(() => {
  for (const w of open) w.ingest.close();
  open = [];
});

/** Two worlds with BTC (7) and ETH (9) defined and live at seq 10 / 20; ids 11 defined without a snapshot. */
function twins(tradeListener = false): { a: World; b: World; send(bytes: Uint8Array): { fast: number; code: number } } {
  const a = world(booksA, tradeListener);
  const b = world(booksB, tradeListener);
  open.push(a, b);
  const send = (bytes: Uint8Array): { fast: number; code: number } => {
    const before = state(a);
    const fast = a.ingest.applyFrameFast(bytes);
    if (fast < 0) {
      expect(state(a), 'a frame handed back changed nothing').toEqual(before);
    }
    const code = fast < 0 ? a.dec.decodeFrame(bytes, a.ingest) : fast;
    const codeB = b.dec.decodeFrame(bytes, b.ingest);
    expect(code).toBe(codeB);
    expect(a.log).toEqual(b.log);
    expect(state(a)).toEqual(state(b));
    return { fast, code };
  };
  const setup = frame((e) => {
    e.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'perp', tickSize: '0.1', lotSize: '0.001', resolutionTsNs: 0 });
    e.instrument({ symbolId: ETH, symbol: 'ETHUSDT', kind: 'perp', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
    e.instrument({ symbolId: 11, symbol: 'SOLUSDT', kind: 'perp', tickSize: '0.01', lotSize: '0.1', resolutionTsNs: 0 });
    e.snapshot(BTC, 10, TS, pairs(1000, 5, 999, 3), 2, pairs(1001, 4, 1002, 6), 2);
    e.snapshot(ETH, 20, TS, pairs(500, 1), 1, pairs(501, 2), 1);
  });
  expect(send(setup).fast).toBe(FAST_FALLBACK_TYPE);
  return { a, b, send };
}

describe('fast path: frames it applies', () => {
  it('a depth event of level sets and changes for a live symbol: one call, same books, seq, batch report', () => {
    const { a, send } = twins();
    const r = send(frame((e) => {
      e.levelSet(BTC, 11, TS + 1, 0, 1000, 0);
      e.levelChange(BTC, 12, TS + 2, 1, 1001, -1);
      e.levelSet(BTC, 13, TS + 3, 0, 998, 9);
    }, true, 777));
    expect(r).toEqual({ fast: FAST_APPLIED, code: DECODE_OK });
    const fp = a.ingest.fastPath;
    expect([fp.framesApplied, fp.messagesApplied, fp.levelUpdatesApplied]).toEqual([1, 3, 3]);
    const s = a.ingest.symbolState(BTC)!;
    expect(s.nextSeq).toBe(14);
    expect(s.lastTsExchNs).toBe(TS + 3);
    expect(a.books.topLevels(s.book, 5).bids).toEqual([{ tick: 999, qtyLot: 3 }, { tick: 998, qtyLot: 9 }]);
    expect(a.log.at(-1)).toBe(`batch [${BTC}] 777`);
  });

  it('several symbols in one frame, interleaved; trades apply too while nobody listens to each trade', () => {
    const { a, send } = twins();
    expect(send(frame((e) => {
      e.levelSet(ETH, 21, TS, 1, 502, 3);
      e.trade(BTC, 11, TS, 0, 1001, 2, 9001);
      e.levelChange(BTC, 12, TS, 1, 1001, -2);
      e.levelSet(ETH, 22, TS, 0, 499, 1);
      e.trade(ETH, 23, TS + 5, 1, 500, 1, 77);
    })).fast).toBe(FAST_APPLIED);
    expect(a.log.at(-1)).toBe(`batch [${ETH},${BTC}] 42`);
    const eth = a.ingest.symbolState(ETH)!;
    expect([eth.counters.trades, eth.lastTradeId, eth.lastTradeSide, eth.lastTradeTick, eth.lastTradeLot]).toEqual([1, 77, 1, 500, 1]);
  });

  it('a batch over several frames reports its symbols once, in first-touched order, at the end-of-batch frame', () => {
    const { a, send } = twins();
    expect(send(frame((e) => { e.levelSet(ETH, 21, TS, 1, 502, 3); }, false)).fast).toBe(FAST_APPLIED);
    expect(send(frame((e) => { e.levelSet(BTC, 11, TS, 1, 1003, 3); e.levelSet(ETH, 22, TS, 1, 503, 1); }, false)).fast).toBe(FAST_APPLIED);
    expect(a.log.filter((l) => l.startsWith('batch')).length).toBe(1); // the setup frame's
    expect(send(frame(() => {})).fast).toBe(FAST_APPLIED); // an empty end-of-batch marker
    expect(a.log.at(-1)).toBe(`batch [${ETH},${BTC}] 42`);
  });
});

describe('fast path: frames it hands to the decoder, unchanged', () => {
  it('type: definitions, snapshots, heartbeats; trades when an onTrade listener wants each one', () => {
    const { send } = twins();
    expect(send(frame((e) => { e.levelSet(BTC, 11, TS, 0, 1, 1); e.heartbeat(TS); })).fast).toBe(FAST_FALLBACK_TYPE);
    expect(send(frame((e) => { e.snapshot(BTC, 30, TS, pairs(1000, 1), 1, pairs(1001, 1), 1); })).fast).toBe(FAST_FALLBACK_TYPE);
    expect(send(frame((e) => {
      e.levelSet(BTC, 31, TS, 0, 1, 1);
      e.instrument({ symbolId: 12, symbol: 'XRPUSDT', kind: 'spot', tickSize: '0.0001', lotSize: '1', resolutionTsNs: 0 });
    })).fast).toBe(FAST_FALLBACK_TYPE);
    const t = twins(true);
    expect(t.send(frame((e) => { e.trade(BTC, 11, TS, 0, 1001, 1, 5); e.levelChange(BTC, 12, TS, 1, 1001, -1); })).fast).toBe(FAST_FALLBACK_TYPE);
    expect(t.a.log).toContain(`trade ${BTC} 0 1001 1 5`);
    expect(t.send(frame((e) => { e.levelSet(BTC, 13, TS, 0, 1, 1); })).fast).toBe(FAST_APPLIED);
  });

  it('symbol: unknown, defined without a snapshot, stale after a gap until a snapshot', () => {
    const { a, send } = twins();
    expect(send(frame((e) => { e.levelSet(300, 1, TS, 0, 1, 1); })).code).toBe(DECODE_ERR_UNKNOWN_SYMBOL);
    expect(a.ingest.fastPath.fallbacks[-FAST_FALLBACK_SYMBOL]).toBe(1);
    expect(send(frame((e) => { e.levelSet(11, 1, TS, 0, 1, 1); })).fast).toBe(FAST_FALLBACK_SYMBOL); // awaiting a snapshot
    // a gap through the decoder makes BTC stale; then BTC frames fall back until a snapshot
    expect(send(frame((e) => { e.levelSet(BTC, 15, TS, 0, 1, 1); })).fast).toBe(FAST_FALLBACK_SEQ);
    expect(a.ingest.symbolState(BTC)!.state).toBe('stale');
    expect(send(frame((e) => { e.levelSet(BTC, 16, TS, 0, 1, 1); })).fast).toBe(FAST_FALLBACK_SYMBOL);
    expect(send(frame((e) => { e.snapshot(BTC, 40, TS, pairs(1000, 1), 1, pairs(1001, 1), 1); })).fast).toBe(FAST_FALLBACK_TYPE);
    expect(send(frame((e) => { e.levelSet(BTC, 41, TS, 0, 999, 1); })).fast).toBe(FAST_APPLIED);
  });

  it('symbol: a quiet feed takes the symbol off the fast path until its next message', () => {
    const { a, b, send } = twins();
    for (const w of [a, b]) w.ingest.checkStaleFeed(1e12 + 5e9);
    expect(a.ingest.symbolState(BTC)!.staleFeed).toBe(true);
    expect(send(frame((e) => { e.levelSet(BTC, 11, TS, 0, 1, 1); })).fast).toBe(FAST_FALLBACK_SYMBOL);
    expect(a.log).toContain(`live ${BTC}`);
    expect(send(frame((e) => { e.levelSet(BTC, 12, TS, 0, 1, 2); })).fast).toBe(FAST_APPLIED);
  });

  it('symbol: a redefinition and a source invalidation take the symbol off the fast path', () => {
    const { a, b, send } = twins();
    expect(send(frame((e) => {
      e.instrument({ symbolId: BTC, symbol: 'BTCUSDT', kind: 'perp', tickSize: '0.5', lotSize: '0.001', resolutionTsNs: 0 });
    })).fast).toBe(FAST_FALLBACK_TYPE);
    expect(send(frame((e) => { e.levelSet(BTC, 11, TS, 0, 1, 1); })).fast).toBe(FAST_FALLBACK_SYMBOL);
    for (const w of [a, b]) w.ingest.invalidate(ETH);
    expect(send(frame((e) => { e.levelSet(ETH, 21, TS, 0, 1, 1); })).fast).toBe(FAST_FALLBACK_SYMBOL);
  });

  it('seq: a gap, a duplicate, an older seq, a gap inside the frame, in the second symbol of the frame', () => {
    const { a, send } = twins();
    expect(send(frame((e) => { e.levelSet(BTC, 11, TS, 0, 1, 1); })).fast).toBe(FAST_APPLIED);
    expect(send(frame((e) => { e.levelSet(BTC, 11, TS, 0, 1, 5); })).fast).toBe(FAST_FALLBACK_SEQ); // duplicate: ignored
    expect(send(frame((e) => { e.levelSet(BTC, 3, TS, 0, 1, 5); })).fast).toBe(FAST_FALLBACK_SEQ); // older: ignored
    expect(send(frame((e) => { e.levelSet(BTC, 12, TS, 0, 1, 5); e.levelSet(BTC, 12, TS, 0, 2, 5); })).fast).toBe(FAST_FALLBACK_SEQ);
    expect(a.ingest.fastPath.fallbackAtMessage).toBe(1);
    expect(send(frame((e) => { e.levelSet(BTC, 13, TS, 0, 1, 5); e.levelSet(ETH, 22, TS, 0, 2, 5); })).fast).toBe(FAST_FALLBACK_SEQ); // ETH gap
    expect(a.ingest.symbolState(ETH)!.state).toBe('stale');
    expect(a.ingest.symbolState(BTC)!.counters.outOfOrder).toBe(3);
  });

  it('size: a frame longer than the input region goes to the decoder whole', () => {
    const { a, send } = twins();
    const n = Math.ceil(FRAME_IN_BYTES / 41) + 1;
    const r = send(frame((e) => { for (let i = 0; i < n; i++) e.levelSet(BTC, 11 + i, TS, (i & 1) as SideCode, 2000 + i, 1 + (i % 7)); }));
    expect(r).toEqual({ fast: FAST_FALLBACK_SIZE, code: DECODE_OK });
    expect(a.ingest.symbolState(BTC)!.nextSeq).toBe(11 + n);
    // and the next frame is back on the fast path
    expect(send(frame((e) => { e.levelSet(BTC, 11 + n, TS, 0, 1, 1); })).fast).toBe(FAST_APPLIED);
  });
});

/** A valid frame of three messages (set, change, trade) for live BTC and ETH, to corrupt. */
function sample(): Uint8Array {
  return frame((e) => {
    e.levelSet(BTC, 11, TS, 0, 1000, 2);
    e.levelChange(ETH, 21, TS, 1, 501, 1);
    e.trade(BTC, 12, TS, 1, 1000, 1, 99);
  });
}
const M0 = 20; // first message
const M1 = 20 + 41; // second
const M2 = 20 + 82; // third (the trade)
type Edit = (b: Uint8Array, dv: DataView) => Uint8Array | void;
const BAD: [string, Edit, number][] = [
  ['shorter than the frame header', (b) => b.slice(0, 19), DECODE_ERR_TRUNCATED],
  ['bad magic', (b) => { b[0] = 0x54; }, DECODE_ERR_BAD_MAGIC],
  ['bad version', (b) => { b[4] = 2; }, DECODE_ERR_BAD_VERSION],
  ['reserved frame flag bit', (b) => { b[5] = 3; }, DECODE_ERR_BAD_FLAGS],
  ['frameBytes above the bytes received', (b) => b.slice(0, b.length - 1), DECODE_ERR_TRUNCATED],
  ['bytes after the frame', (b) => { const c = new Uint8Array(b.length + 1); c.set(b); return c; }, DECODE_ERR_FRAME_LENGTH],
  ['count one too many', (b, dv) => { dv.setUint16(6, 4, true); }, DECODE_ERR_BEYOND_FRAME],
  ['count one too few (bytes left after the last message)', (b, dv) => { dv.setUint16(6, 2, true); }, DECODE_ERR_BAD_LENGTH],
  ['message type 0', (b) => { b[M1] = 0; }, DECODE_ERR_UNKNOWN_TYPE],
  ['message type 7', (b) => { b[M1] = 7; }, DECODE_ERR_UNKNOWN_TYPE],
  ['message flags', (b) => { b[M1 + 1] = 1; }, DECODE_ERR_BAD_FLAGS],
  ['message length past the frame', (b, dv) => { dv.setUint32(M1 + 4, 0xffffffff, true); }, DECODE_ERR_BEYOND_FRAME],
  ['message length not its type', (b, dv) => { dv.setUint32(M0 + 4, 40, true); }, DECODE_ERR_BAD_LENGTH],
  ['level set as a trade (length)', (b) => { b[M0] = 5; }, DECODE_ERR_BAD_LENGTH],
  ['seq of 2^53', (b, dv) => { dv.setUint32(M1 + 12, 0x200000, true); }, DECODE_ERR_UNSAFE_INTEGER],
  ['tick of 2^53', (b, dv) => { dv.setUint32(M0 + 29, 0x200000, true); }, DECODE_ERR_UNSAFE_INTEGER],
  ['tick of -2^53', (b, dv) => { dv.setUint32(M0 + 25, 0, true); dv.setUint32(M0 + 29, 0xffe00000, true); }, DECODE_ERR_UNSAFE_INTEGER],
  ['change delta of 2^53', (b, dv) => { dv.setUint32(M1 + 37, 0x200000, true); }, DECODE_ERR_UNSAFE_INTEGER],
  ['negative absolute quantity', (b, dv) => { dv.setUint32(M0 + 37, 0xffffffff, true); }, DECODE_ERR_BAD_QTY],
  ['absolute quantity of -2^63', (b, dv) => { dv.setUint32(M0 + 37, 0x80000000, true); }, DECODE_ERR_UNSAFE_INTEGER],
  ['bad side', (b) => { b[M1 + 24] = 2; }, DECODE_ERR_BAD_SIDE],
  ['trade side', (b) => { b[M2 + 24] = 255; }, DECODE_ERR_BAD_SIDE],
  ['trade quantity 0', (b, dv) => { dv.setUint32(M2 + 33, 0, true); }, DECODE_ERR_BAD_QTY],
  ['trade quantity negative', (b, dv) => { dv.setUint32(M2 + 37, 0xffffffff, true); }, DECODE_ERR_BAD_QTY],
  ['trade id of 2^53', (b, dv) => { dv.setUint32(M2 + 45, 0x200000, true); }, DECODE_ERR_UNSAFE_INTEGER],
];

describe('fast path: every bad-input class gets the decoder its own outcome', () => {
  for (const [name, edit, code] of BAD) {
    it(name, () => {
      const { a, send } = twins();
      const good = sample();
      const b = good.slice();
      const bytes = edit(b, new DataView(b.buffer)) ?? b;
      const r = send(bytes);
      expect(r.fast === FAST_FALLBACK_INVALID || r.fast === FAST_FALLBACK_TYPE, `fast path result ${r.fast}`).toBe(true);
      expect(r.code).toBe(code);
      // nothing was applied: the good frame still applies in full afterwards
      expect(send(good)).toEqual({ fast: FAST_APPLIED, code: DECODE_OK });
      expect(a.ingest.symbolState(BTC)!.nextSeq).toBe(13);
    });
  }
});

describe('fast path: levels the book refuses', () => {
  it('a change below zero mid-frame: earlier updates stay, the symbol goes stale, its later messages are dropped, others apply', () => {
    const { a, send } = twins();
    const r = send(frame((e) => {
      e.levelSet(BTC, 11, TS + 1, 0, 1005, 4);
      e.levelSet(ETH, 21, TS, 1, 503, 3);
      e.levelChange(BTC, 12, TS + 2, 1, 1002, -7); // 6 lots there
      e.levelSet(BTC, 13, TS + 3, 0, 1006, 1);
      e.levelSet(ETH, 22, TS, 0, 499, 2);
    }));
    expect(r.fast).toBe(FAST_APPLIED);
    const s = a.ingest.symbolState(BTC)!;
    expect([s.state, s.staleReason, s.nextSeq, s.lastTsExchNs, s.counters.rejected, s.counters.droppedWhileStale])
      .toEqual(['stale', 'integrity', 13, TS + 2, 1, 1]);
    expect(a.books.lastError(s.book)).toBe(ERR_NEGATIVE_LEVEL);
    expect(a.log.slice(-2)).toEqual([`stale ${BTC} integrity`, `batch [${BTC},${ETH}] 42`]);
    expect(a.ingest.symbolState(ETH)!.nextSeq).toBe(23);
    expect(send(frame((e) => { e.levelSet(BTC, 14, TS, 0, 1, 1); })).fast).toBe(FAST_FALLBACK_SYMBOL);
  });

  it('two symbols refused in one frame go stale in the order of their refusals', () => {
    const { a, send } = twins();
    expect(send(frame((e) => {
      e.levelSet(BTC, 11, TS, 0, 1005, 4);
      e.levelChange(ETH, 21, TS, 1, 501, -5);
      e.levelChange(BTC, 12, TS, 1, 1001, -5);
    })).fast).toBe(FAST_APPLIED);
    expect(a.log.slice(-3)).toEqual([`stale ${ETH} integrity`, `stale ${BTC} integrity`, `batch [${BTC},${ETH}] 42`]);
  });

  it('a price beyond the books\' ±2^52 ticks', () => {
    const { a, send } = twins();
    expect(send(frame((e) => { e.levelSet(BTC, 11, TS, 0, 2 ** 52 + 1, 1); })).fast).toBe(FAST_APPLIED);
    const s = a.ingest.symbolState(BTC)!;
    expect(s.state).toBe('stale');
    expect(a.books.lastError(s.book)).toBe(ERR_BAD_PRICE);
    expect(send(frame((e) => { e.snapshot(BTC, 20, TS, pairs(2 ** 52, 1), 1, pairs(), 0); })).fast).toBe(FAST_FALLBACK_TYPE);
    expect(send(frame((e) => { e.levelSet(BTC, 21, TS, 1, 2 ** 52, 0); e.levelSet(BTC, 22, TS, 1, -(2 ** 52), 3); })).fast).toBe(FAST_APPLIED);
    expect(s.state).toBe('live');
  });

  it('a new far level when the overflow store is full', () => {
    const { a, send } = twins();
    const n = OVERFLOW_CAP;
    const bids = new Float64Array(2 * (n + 1));
    bids[0] = 10_000_000;
    bids[1] = 1;
    for (let i = 1; i <= n; i++) { bids[2 * i] = 1_000_000 - 2 * i; bids[2 * i + 1] = 1; } // all far below the window
    expect(send(frame((e) => { e.snapshot(BTC, 50, TS, bids, n + 1, pairs(10_000_001, 1), 1); })).fast).toBe(FAST_FALLBACK_TYPE);
    const s = a.ingest.symbolState(BTC)!;
    expect(a.books.overflowCount(s.book, 0)).toBe(n);
    expect(send(frame((e) => {
      e.levelSet(BTC, 51, TS, 0, 1_000_000 - 2, 7); // an existing far level: fine
      e.levelSet(BTC, 52, TS, 0, 1_000_000 - 3, 1); // a new one: no room
    })).fast).toBe(FAST_APPLIED);
    expect([s.state, s.nextSeq]).toEqual(['stale', 53]);
    expect(a.books.lastError(s.book)).toBe(ERR_OVERFLOW_FULL);
  });
});

describe('fast path: ownership and listeners', () => {
  it('ingests on one core never apply each other\'s symbols, even with the same symbolIds', () => {
    const core = booksA.core;
    const one = new FeedIngest(new WasmBooks(core));
    const two = new FeedIngest(new WasmBooks(core));
    try {
      for (const [ing, name] of [[one, 'ONE'], [two, 'TWO']] as const) {
        const d = new FrameDecoder({ isKnownSymbol: (id) => ing.symbolState(id) !== undefined });
        expect(d.decodeFrame(frame((e) => {
          e.instrument({ symbolId: BTC, symbol: name, kind: 'spot', tickSize: '1', lotSize: '1', resolutionTsNs: 0 });
          e.snapshot(BTC, 100, TS, pairs(10, 1), 1, pairs(11, 1), 1);
        }), ing)).toBe(DECODE_OK);
      }
      const s1 = one.symbolState(BTC)!;
      const s2 = two.symbolState(BTC)!;
      expect(s1.book).not.toBe(s2.book);
      expect(one.applyFrameFast(frame((e) => { e.levelSet(BTC, 101, TS, 0, 9, 5); }))).toBe(DECODE_OK);
      expect(two.applyFrameFast(frame((e) => { e.levelSet(BTC, 101, TS, 0, 8, 6); }))).toBe(DECODE_OK);
      expect(one.books.levelQty(s1.book, 0, 9)).toBe(5);
      expect(one.books.levelQty(s1.book, 0, 8)).toBe(0);
      expect(two.books.levelQty(s2.book, 0, 8)).toBe(6);
      expect(two.books.levelQty(s2.book, 0, 9)).toBe(0);
      expect([s1.nextSeq, s2.nextSeq]).toEqual([102, 102]);
      one.close();
      // a closed ingest's symbols are gone from the fast path too
      expect(one.applyFrameFast(frame((e) => { e.levelSet(BTC, 102, TS, 0, 9, 5); }))).toBe(FAST_FALLBACK_SYMBOL);
      expect(two.applyFrameFast(frame((e) => { e.levelSet(BTC, 102, TS, 0, 8, 1); }))).toBe(DECODE_OK);
    } finally {
      one.close();
      two.close();
    }
  });

  it('a subclass that overrides the level or trade calls sees each of them: those frames go to the decoder', () => {
    class Counting extends FeedIngest {
      levels = 0;
      override levelSet(...a: Parameters<FeedIngest['levelSet']>): void { this.levels++; super.levelSet(...a); }
    }
    class TradeCounting extends FeedIngest {
      trades = 0;
      override trade(...a: Parameters<FeedIngest['trade']>): void { this.trades++; super.trade(...a); }
    }
    for (const ing of [new Counting(booksA), new TradeCounting(booksA)]) {
      try {
        const d = new FrameDecoder({ isKnownSymbol: (id) => ing.symbolState(id) !== undefined });
        expect(d.decodeFrame(frame((e) => {
          e.instrument({ symbolId: BTC, symbol: 'SUB', kind: 'spot', tickSize: '1', lotSize: '1', resolutionTsNs: 0 });
          e.snapshot(BTC, 1, TS, pairs(10, 1), 1, pairs(11, 1), 1);
        }), ing)).toBe(DECODE_OK);
        const levels = frame((e) => { e.levelSet(BTC, 2, TS, 0, 9, 5); });
        const trade = frame((e) => { e.trade(BTC, 3, TS, 0, 11, 1, 1); });
        if (ing instanceof Counting) {
          expect(ing.applyFrameFast(levels)).toBe(FAST_FALLBACK_TYPE);
        } else {
          expect(ing.applyFrameFast(levels)).toBe(DECODE_OK);
          expect(ing.applyFrameFast(trade)).toBe(FAST_FALLBACK_TYPE);
          expect(d.decodeFrame(trade, ing)).toBe(DECODE_OK);
          expect(ing.trades).toBe(1);
        }
      } finally {
        ing.close();
      }
    }
  });

  it('a listener that throws: sink-threw, and the ingest stays consistent with the books', () => {
    const { a } = twins();
    open.pop(); // b is not used here
    a.ingest.listener.onBatch = () => { throw new Error('boom'); };
    expect(a.ingest.applyFrameFast(frame((e) => { e.levelSet(BTC, 11, TS, 0, 1, 1); }))).toBe(DECODE_ERR_SINK_THREW);
    expect(a.ingest.lastListenerError).toBeInstanceOf(Error);
    expect(a.ingest.fastPath.listenerThrew).toBe(1);
    expect(a.ingest.symbolState(BTC)!.nextSeq).toBe(12);
    a.ingest.listener.onBatch = undefined;
    expect(a.ingest.applyFrameFast(frame((e) => { e.levelSet(BTC, 12, TS, 0, 1, 2); }))).toBe(DECODE_OK);
  });
});
