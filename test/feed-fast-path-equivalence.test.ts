// The WASM fast path for protocol v1 frames against the TS decoder (fast-check):
// random streams of frames — definitions, redefinitions, snapshots, level sets and
// changes that sometimes go below zero or beyond the books' price range, trades,
// heartbeats, sequence gaps, duplicates and reordering, frames without the
// end-of-batch flag, quiet feeds, source invalidations and mutated bytes — run into
// two worlds on separate WASM cores:
//   A: FeedIngest.applyFrameFast, and FrameDecoder on the same bytes when it falls back;
//   B: FrameDecoder only.
// After every frame both return the same decode code and have written the same
// listener events (stale, live, trade, batch reports with their dirty symbols in
// order); at the end every book, every symbol state and every counter is equal.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import { FrameDecoder, FrameEncoder, DECODE_OK, DECODE_CODE_COUNT } from '../src/feed/protocol/index.js';
import type { SideCode } from '../src/feed/feed-sink.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const booksA = new WasmBooks(instantiateCore('debug'));
const booksB = new WasmBooks(instantiateCore('debug'));
const IDS = [1, 2, 3, 40] as const;
const NAMES = ['AAAUSDT', 'BBBUSDT', 'CCCUSDT', 'DDDUSDT'] as const;
const BEYOND_BOOK = 2 ** 52 + 1; // a valid wire tick the books refuse

interface World {
  ingest: FeedIngest;
  dec: FrameDecoder;
  books: WasmBooks;
  log: string[];
}

function world(books: WasmBooks, tradeListener: boolean): World {
  const log: string[] = [];
  const listener: IngestListener = {
    onBatch(_i, dirty, n, sendTs) { log.push(`batch [${[...dirty.subarray(0, n)].join(',')}] ${sendTs}`); },
    onStale(s, reason) { log.push(`stale ${s.symbolId} ${reason}`); },
    onLive(s) { log.push(`live ${s.symbolId}`); },
  };
  if (tradeListener) listener.onTrade = (s, side, tick, lot, ts, id) => { log.push(`trade ${s.symbolId} ${side} ${tick} ${lot} ${ts} ${id}`); };
  const ingest = new FeedIngest(books, { listener, staleFeedMs: 1000 });
  const dec = new FrameDecoder({ isKnownSymbol: (id) => ingest.symbolState(id) !== undefined });
  return { ingest, dec, books, log };
}

function bookState(books: WasmBooks, b: number): unknown {
  return {
    top: books.topLevels(b, 1024),
    levels: [books.levelCount(b, 0), books.levelCount(b, 1)],
    overflow: [books.overflowCount(b, 0), books.overflowCount(b, 1)],
    base: books.baseTick(b), recenters: books.recenters(b), flags: books.flags(b),
    errors: books.errors(b), lastError: books.lastError(b), updates: books.updates(b),
  };
}

function state(w: World): unknown {
  const symbols = w.ingest.symbols().sort((a, b) => a.symbolId - b.symbolId).map((s) => ({
    id: s.symbolId, symbol: s.symbol, state: s.state, staleReason: s.staleReason, nextSeq: s.nextSeq, crossed: s.crossed,
    staleFeed: s.staleFeed, lastMsgMonoNs: s.lastMsgMonoNs, lastTsExchNs: s.lastTsExchNs, lastTradeTick: s.lastTradeTick,
    lastTradeLot: s.lastTradeLot, lastTradeSide: s.lastTradeSide, lastTradeId: s.lastTradeId, counters: { ...s.counters },
    book: bookState(w.books, s.book),
  }));
  return { symbols, counters: { ...w.ingest.counters } };
}

// ---- the generated stream -------------------------------------------------------------
type Op =
  | { k: 'def'; id: number; name: number; tick: string }
  | { k: 'snap'; id: number; jump: number; bids: [number, number][]; asks: [number, number][] }
  | { k: 'set' | 'chg'; id: number; d: number; side: SideCode; tick: number; qty: number }
  | { k: 'trade'; id: number; d: number; side: SideCode; tick: number; qty: number; tid: number }
  | { k: 'hb' };
type Mutation = { kind: 'byte'; pos: number; val: number } | { kind: 'truncate'; pos: number } | { kind: 'append'; val: number }
  | { kind: 'count'; delta: number } | { kind: 'field'; msg: number; field: number; val: number };
/** Header and body fields of a level / trade message: [offset, bytes, values that break or bend it]. */
const FIELDS: readonly [number, 1 | 2 | 4, readonly number[]][] = [
  [0, 1, [0, 1, 2, 3, 4, 5, 6, 7]], // type
  [1, 1, [1, 128]], // reserved flags
  [2, 2, [1, 2, 3, 40, 7]], // symbolId
  [4, 4, [24, 40, 42, 49, 0xffffffff]], // length
  [8, 4, [0, 1, 5]], // seq, low half
  [12, 4, [0x200000, 0xffffffff]], // seq, high half
  [24, 1, [0, 1, 2, 255]], // side
  [29, 4, [0x100000, 0x1fffff, 0x200000, 0xffe00000, 0xfff00000]], // tick, high half
  [37, 4, [0, 0x80000000, 0xffffffff, 0x200000]], // qty, high half
  [45, 4, [0x1fffff, 0x200000]], // trade id, high half
];
type Event = { kind: 'quiet' } | { kind: 'invalidate'; id: number };
interface FrameSpec { ops: Op[]; eob: boolean; sendTs: number; mutation: Mutation | null; event: Event | null }

const idArb = fc.constantFrom(...IDS);
const seqDelta = fc.oneof({ weight: 80, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-2, -1, 1, 3) });
const sideArb = fc.constantFrom<SideCode>(0, 1);
const tickArb = fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min: 990, max: 1010 }) },
  { weight: 2, arbitrary: fc.integer({ min: 200_000, max: 400_000 }).chain((t) => fc.constantFrom(t, -t)) },
  { weight: 1, arbitrary: fc.constantFrom(BEYOND_BOOK, -BEYOND_BOOK, 2 ** 52) },
);
const levelArb = fc.tuple(fc.integer({ min: 980, max: 1020 }), fc.integer({ min: 1, max: 20 }));
const levelOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant('set' as const), id: idArb, d: seqDelta, side: sideArb, tick: tickArb, qty: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('chg' as const), id: idArb, d: seqDelta, side: sideArb, tick: tickArb, qty: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: -6, max: -1 }) }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('trade' as const), id: idArb, d: seqDelta, side: sideArb, tick: tickArb,
    qty: fc.integer({ min: 1, max: 9 }), tid: fc.integer({ min: 0, max: 1e9 }) }) },
);
const controlOpArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ k: fc.constant('def' as const), id: idArb, name: fc.integer({ min: 0, max: 3 }), tick: fc.constantFrom('0.01', '0.1') }) },
  { weight: 6, arbitrary: fc.record({ k: fc.constant('snap' as const), id: fc.constantFrom(1, 2, 3, 40), jump: fc.constantFrom(0, 0, 4),
    bids: fc.array(levelArb, { maxLength: 4 }), asks: fc.array(levelArb, { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'hb' as const }) },
);
/** Mostly depth events (level updates of one symbol), some mixes, some with definitions / snapshots / heartbeats. */
const opsArb: fc.Arbitrary<Op[]> = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(fc.constantFrom(1, 1, 1, 2, 2, 2, 3, 40), fc.array(levelOpArb, { minLength: 1, maxLength: 40 }))
    .map(([id, ops]) => ops.map((o) => ({ ...o, id }) as Op)) },
  { weight: 2, arbitrary: fc.array(levelOpArb, { maxLength: 12 }) },
  { weight: 2, arbitrary: fc.tuple(fc.array(controlOpArb, { minLength: 1, maxLength: 3 }), fc.array(levelOpArb, { maxLength: 6 }))
    .map(([c, l]) => [...c, ...l]) },
);
const frameArb: fc.Arbitrary<FrameSpec> = fc.record({
  ops: opsArb,
  eob: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  sendTs: fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  mutation: fc.oneof(
    { weight: 12, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(
      fc.record({ kind: fc.constant('byte' as const), pos: fc.nat(), val: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
      fc.record({ kind: fc.constant('append' as const), val: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('count' as const), delta: fc.constantFrom(-1, 1, 1000) }),
      fc.record({ kind: fc.constant('field' as const), msg: fc.nat(), field: fc.nat({ max: FIELDS.length - 1 }), val: fc.nat() }),
      fc.record({ kind: fc.constant('field' as const), msg: fc.nat(), field: fc.nat({ max: FIELDS.length - 1 }), val: fc.nat() }),
    ) },
  ),
  event: fc.oneof(
    { weight: 15, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(fc.constant({ kind: 'quiet' as const }), fc.record({ kind: fc.constant('invalidate' as const), id: idArb })) },
  ),
});

/** The publisher: turns specs into frames with per-symbol sequence numbers (perturbed by d). */
class Publisher {
  private readonly next = new Map<number, number>();
  private ts = 1_700_000_000_000_000_000;
  private seq(id: number, d: number): number {
    const s = Math.max(0, (this.next.get(id) ?? 1) + d);
    this.next.set(id, s + 1);
    return s;
  }
  frame(spec: FrameSpec): Uint8Array {
    const e = new FrameEncoder({ initialBytes: 512 });
    this.ts += 1_000_000;
    const ts = this.ts;
    for (const o of spec.ops) {
      switch (o.k) {
        case 'def': e.instrument({ symbolId: o.id, symbol: NAMES[o.name]!, kind: 'perp', tickSize: o.tick, lotSize: '0.001', resolutionTsNs: 0 }); break;
        case 'snap': {
          const s = Math.max(0, (this.next.get(o.id) ?? 1) + o.jump);
          this.next.set(o.id, s + 1);
          const b = Float64Array.from(o.bids.flat());
          const a = Float64Array.from(o.asks.map(([t, q]) => [t + 100, q]).flat());
          e.snapshot(o.id, s, ts, b, o.bids.length, a, o.asks.length);
          break;
        }
        case 'set': e.levelSet(o.id, this.seq(o.id, o.d), ts, o.side, o.tick, o.qty); break;
        case 'chg': e.levelChange(o.id, this.seq(o.id, o.d), ts, o.side, o.tick, o.qty); break;
        case 'trade': e.trade(o.id, this.seq(o.id, o.d), ts, o.side, o.tick, o.qty, o.tid); break;
        default: e.heartbeat(ts);
      }
    }
    if (spec.eob) e.endOfBatch(spec.sendTs);
    let bytes = e.flush(spec.sendTs);
    const m = spec.mutation;
    if (m !== null) bytes = mutate(bytes, m);
    return bytes;
  }
}

function mutate(frame: Uint8Array, m: Mutation): Uint8Array {
  const bytes = frame.slice();
  const dv = new DataView(bytes.buffer);
  switch (m.kind) {
    case 'byte': bytes[m.pos % bytes.length] = m.val; return bytes;
    case 'truncate': return bytes.slice(0, m.pos % bytes.length);
    case 'append': { const b = new Uint8Array(bytes.length + 1); b.set(bytes); b[bytes.length] = m.val; return b; }
    case 'count': dv.setUint16(6, (dv.getUint16(6, true) + m.delta) & 0xffff, true); return bytes;
    default: {
      const count = dv.getUint16(6, true);
      if (count === 0) return bytes;
      let p = 20;
      for (let k = 0; k < m.msg % count; k++) p += dv.getUint32(p + 4, true);
      const [off, width, values] = FIELDS[m.field]!;
      const v = values[m.val % values.length]!;
      if (p + off + width > bytes.length) return bytes;
      if (width === 1) dv.setUint8(p + off, v);
      else if (width === 2) dv.setUint16(p + off, v, true);
      else dv.setUint32(p + off, v, true);
      return bytes;
    }
  }
}

/** Defines ids 1..3 and makes 1 and 2 live, so most generated frames can take the fast path. */
const SETUP: FrameSpec = {
  ops: [
    { k: 'def', id: 1, name: 0, tick: '0.01' }, { k: 'def', id: 2, name: 1, tick: '0.01' }, { k: 'def', id: 3, name: 2, tick: '0.1' },
    { k: 'snap', id: 1, jump: 0, bids: [[1000, 5], [999, 3]], asks: [[1001, 4]] },
    { k: 'snap', id: 2, jump: 0, bids: [[998, 2]], asks: [[1002, 7], [1003, 1]] },
  ],
  eob: true, sendTs: 1, mutation: null, event: null,
};

const seen = { fastFrames: 0, fallbackFrames: 0, refusals: 0, fastTrades: 0, fastNoEob: 0, fallbacks: new Float64Array(6) };

function runStream(specs: FrameSpec[], tradeListener: boolean): void {
  const a = world(booksA, tradeListener);
  const b = world(booksB, tradeListener);
  const pub = new Publisher();
  let clock = 1e12;
  try {
    for (const spec of [SETUP, ...specs]) {
      const bytes = pub.frame(spec);
      clock += 1e6;
      a.ingest.setClock(clock);
      b.ingest.setClock(clock);
      const fp = a.ingest.fastPath;
      const tradesBefore = a.ingest.symbols().reduce((n, s) => n + s.counters.trades, 0);
      let codeA = a.ingest.applyFrameFast(bytes);
      if (codeA < 0) {
        seen.fallbacks[-codeA]!++;
        seen.fallbackFrames++;
        codeA = a.dec.decodeFrame(bytes, a.ingest);
      } else {
        seen.fastFrames++;
        seen.refusals += fp.refusedCount;
        if (!fp.endOfBatch) seen.fastNoEob++;
        if (a.ingest.symbols().reduce((n, s) => n + s.counters.trades, 0) > tradesBefore) seen.fastTrades++;
      }
      const codeB = b.dec.decodeFrame(bytes, b.ingest);
      expect(codeA).toBe(codeB);
      expect(a.log).toEqual(b.log);
      const ev = spec.event;
      if (ev?.kind === 'quiet') { a.ingest.checkStaleFeed(clock + 2e9); b.ingest.checkStaleFeed(clock + 2e9); }
      else if (ev?.kind === 'invalidate') { a.ingest.invalidate(ev.id); b.ingest.invalidate(ev.id); }
    }
    expect(state(a)).toEqual(state(b));
    const fp = a.ingest.fastPath;
    expect(a.dec.messagesApplied + fp.messagesApplied).toBe(b.dec.messagesApplied);
    expect(a.dec.levelUpdatesApplied + fp.levelUpdatesApplied).toBe(b.dec.levelUpdatesApplied);
    const countsA = Array.from(a.dec.frameCounts);
    countsA[DECODE_OK]! += fp.framesApplied;
    expect(countsA).toEqual(Array.from(b.dec.frameCounts));
    expect(countsA.length).toBe(DECODE_CODE_COUNT);
  } finally {
    a.ingest.close();
    b.ingest.close();
  }
}

describe('fast path ≡ TS decoder', () => {
  it('random and mutated streams: same codes, events, books, symbol states and counters (no onTrade listener)', () => {
    fc.assert(fc.property(fc.array(frameArb, { minLength: 5, maxLength: 40 }), (specs) => runStream(specs, false)), { numRuns: 400 });
    // the streams reached the interesting cases
    expect(seen.fastFrames).toBeGreaterThan(500);
    expect(seen.refusals).toBeGreaterThan(50);
    expect(seen.fastTrades).toBeGreaterThan(50);
    expect(seen.fastNoEob).toBeGreaterThan(30);
    for (let k = 2; k <= 5; k++) expect(seen.fallbacks[k], `fallback reason ${k}`).toBeGreaterThan(50);
  });

  it('with an onTrade listener, frames with trades go to the decoder and the trade calls stay in place', () => {
    fc.assert(fc.property(fc.array(frameArb, { minLength: 5, maxLength: 40 }), (specs) => runStream(specs, true)), { numRuns: 120 });
  });
});
