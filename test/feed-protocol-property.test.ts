// Properties of feed protocol v1 (fast-check):
//  1. random valid frames decode identically through the hand-written decoder and
//     the binary-parser reference, and give back exactly what was encoded;
//  2. random and mutated bytes (bit flips, truncations, length fields set huge,
//     overwritten and appended bytes) never throw, never put NaN/Infinity into a
//     sink, and get the same code and the same sink calls from both decoders;
//  3. mutated streams run into a FeedIngest on a fresh WASM core never corrupt a
//     book: after every frame each book equals an independent model (reference
//     decoder → plain Map books following the ingest rules) and keeps its invariants.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  CallLogSink, FrameDecoder, FrameEncoder, ReferenceDecoder, DECODE_OK, DECODE_CODE_NAMES, type SinkCall,
} from '../src/feed/protocol/index.js';
import type { FeedSink, InstrumentDefinition, InstrumentKind, SideCode } from '../src/feed/feed-sink.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { MAX_BOOKS, MAX_DEPTH_LEVELS } from '../src/wasm/layout.js';

const MAX = Number.MAX_SAFE_INTEGER;
const safeInt = fc.integer({ min: -MAX, max: MAX });
const lots = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: MAX }));
const tsNs = fc.oneof(fc.integer({ min: 0, max: MAX }), fc.bigInt({ min: 0n, max: 2n ** 63n }).map(Number));
const seqArb = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: MAX }));
const sideArb = fc.constantFrom<SideCode>(0, 1);
const symId = fc.constantFrom(0, 1, 2, 255, 256, 65535);
const levelsArb = fc.array(fc.tuple(safeInt, lots), { maxLength: 12 }).map((ls) => Float64Array.from(ls.flat()));

const instrumentArb: fc.Arbitrary<InstrumentDefinition> = fc.record({
  symbolId: symId,
  symbol: fc.stringMatching(/^[!-~]{1,20}$/),
  kind: fc.constantFrom<InstrumentKind>('spot', 'perp', 'binary'),
  tickSize: fc.constantFrom('0.01', '1', '0.5', '0.00000001', '25'),
  lotSize: fc.constantFrom('1', '0.001', '0.1'),
  resolutionTsNs: tsNs,
}).map((d) => ({ ...d, resolutionTsNs: d.kind === 'binary' ? d.resolutionTsNs : 0 }));

type Call = (s: FeedSink) => void;
const callArb: fc.Arbitrary<Call> = fc.oneof(
  instrumentArb.map((d): Call => (s) => s.instrument(d)),
  fc.tuple(symId, seqArb, tsNs, levelsArb, levelsArb).map(([id, q, t, b, a]): Call => (s) => s.snapshot(id, q, t, b, b.length / 2, a, a.length / 2)),
  fc.tuple(symId, seqArb, tsNs, sideArb, safeInt, lots).map(([id, q, t, sd, k, l]): Call => (s) => s.levelSet(id, q, t, sd, k, l)),
  fc.tuple(symId, seqArb, tsNs, sideArb, safeInt, safeInt).map(([id, q, t, sd, k, d]): Call => (s) => s.levelChange(id, q, t, sd, k, d)),
  fc.tuple(symId, seqArb, tsNs, sideArb, safeInt, fc.integer({ min: 1, max: MAX }), fc.integer({ min: 0, max: MAX }))
    .map(([id, q, t, sd, k, l, tid]): Call => (s) => s.trade(id, q, t, sd, k, l, tid)),
  tsNs.map((t): Call => (s) => s.heartbeat(t)),
);
const frameArb = fc.record({ calls: fc.array(callArb, { maxLength: 20 }), eob: fc.boolean(), sendTs: tsNs });

function encode(f: { calls: Call[]; eob: boolean; sendTs: number }): { bytes: Uint8Array; input: SinkCall[] } {
  const e = new FrameEncoder({ initialBytes: 256 });
  const input = new CallLogSink();
  for (const c of f.calls) { c(e); c(input); }
  if (f.eob) { e.endOfBatch(f.sendTs); input.endOfBatch(f.sendTs); }
  return { bytes: e.flush(f.sendTs), input: input.calls };
}

/** Every number a sink received is finite. */
function allFinite(calls: SinkCall[]): boolean {
  const ok = (v: unknown): boolean => (typeof v === 'number' ? Number.isFinite(v) : Array.isArray(v) ? v.every(ok)
    : typeof v === 'object' && v !== null ? Object.values(v).every(ok) : true);
  return calls.every(ok);
}

// ---- mutations -----------------------------------------------------------------------------
interface Mutation { kind: 'flip' | 'truncate' | 'huge' | 'overwrite' | 'append'; pos: number; value: number }
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('flip', 'truncate', 'huge', 'overwrite', 'append'),
  pos: fc.nat(),
  value: fc.nat({ max: 0xffffffff }),
});

function mutate(src: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of muts) {
    if (b.length === 0) break;
    const at = m.pos % b.length;
    switch (m.kind) {
      case 'flip': b[at] = b[at]! ^ (1 << (m.value % 8)); break;
      case 'truncate': b = b.slice(0, at); break;
      case 'huge': { // a u16/u32 field set huge or random (counts, lengths)
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const v = m.value % 3 === 0 ? 0xffffffff : m.value;
        if (at + 4 <= b.length) dv.setUint32(at, v, true);
        else if (at + 2 <= b.length) dv.setUint16(at, v & 0xffff, true);
        break;
      }
      case 'overwrite': b[at] = m.value & 0xff; break;
      case 'append': { const c = new Uint8Array(b.length + 1 + (m.value % 40)); c.set(b); c.fill(m.value & 0xff, b.length); b = c; break; }
    }
  }
  return b;
}

describe('feed protocol v1 properties', () => {
  it('valid frames: both decoders give back exactly the encoded calls', () => {
    fc.assert(fc.property(frameArb, (f) => {
      const { bytes, input } = encode(f);
      const a = new CallLogSink();
      const b = new CallLogSink();
      expect(new FrameDecoder({ isKnownSymbol: () => true }).decodeFrame(bytes, a)).toBe(DECODE_OK);
      expect(new ReferenceDecoder({ isKnownSymbol: () => true }).decodeFrame(bytes, b)).toBe(DECODE_OK);
      expect(a.calls).toEqual(input);
      expect(b.calls).toEqual(input);
    }), { numRuns: 400 });
  });

  it('mutated and random bytes: no throw, no NaN/Infinity, the same code and calls from both decoders', () => {
    const known = (id: number): boolean => id === 1 || id === 2 || id === 65535;
    const dec = new FrameDecoder({ isKnownSymbol: known });
    const ref = new ReferenceDecoder({ isKnownSymbol: known });
    const seen = new Set<string>();
    const input = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(frameArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 })).map(([f, m]) => mutate(encode(f).bytes, m)) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.tuple(frameArb, fc.uint8Array({ maxLength: 120 }), fc.nat()).map(([f, junk, at]) => {
        const b = encode(f).bytes; // a valid header followed by junk
        const cut = 20 + (at % Math.max(1, b.length - 19));
        const out = new Uint8Array(cut + junk.length);
        out.set(b.subarray(0, cut));
        out.set(junk, cut);
        new DataView(out.buffer).setUint32(8, out.length, true);
        return out;
      }) },
    );
    const check = (bytes: Uint8Array): void => {
      const a = new CallLogSink();
      const b = new CallLogSink();
      const code = dec.decodeFrame(bytes, a);
      const refCode = ref.decodeFrame(bytes, b);
      seen.add(DECODE_CODE_NAMES[code]!);
      expect(DECODE_CODE_NAMES[code]).toBe(DECODE_CODE_NAMES[refCode]);
      expect(dec.errorMessageIndex).toBe(ref.errorMessageIndex);
      expect(a.calls).toEqual(b.calls);
      expect(allFinite(a.calls)).toBe(true);
      if (code !== DECODE_OK) expect(a.calls).toEqual([]);
    };
    fc.assert(fc.property(input, check), { numRuns: 3000 });
    // and every byte of one small frame set to every value: the rarer validations (a side byte
    // of 2 or more, ...) are reached whatever the random runs drew
    const small = encode({ calls: [(x) => x.levelSet(1, 7, 1_000, 0, 100, 5)], eob: true, sendTs: 2_000 }).bytes;
    for (let at = 0; at < small.length; at++) {
      for (let v = 0; v < 256; v++) {
        if (small[at] === v) continue;
        const b = small.slice();
        b[at] = v;
        check(b);
      }
    }
    // the mutations reach every validation the decoder has (not a proof, a sanity check on the generator)
    for (const name of ['ok', 'truncated', 'bad-magic', 'bad-version', 'bad-flags', 'frame-length', 'unknown-type',
      'beyond-frame', 'bad-length', 'unsafe-integer', 'bad-side', 'unknown-symbol']) {
      expect(seen, name).toContain(name);
    }
  });
});

// ---- 3. into the WASM books ----------------------------------------------------------------

const MAX_ABS_TICK = 2 ** 52;
const MAX_QTY = 2 ** 53;

interface ModelSymbol {
  def: InstrumentDefinition;
  state: 'awaiting-snapshot' | 'live' | 'stale';
  nextSeq: number;
  book: [Map<number, number>, Map<number, number>];
}

/** The ingest rules over plain Map books, driven by the reference decoder. */
class ModelIngest implements FeedSink {
  readonly byId = new Map<number, ModelSymbol>();
  private readonly slots = new Set<string>();

  instrument(def: InstrumentDefinition): void {
    const prev = this.byId.get(def.symbolId);
    if (prev !== undefined && prev.def.symbol === def.symbol && prev.def.tickSize === def.tickSize && prev.def.lotSize === def.lotSize
      && prev.def.kind === def.kind && prev.def.resolutionTsNs === def.resolutionTsNs) return;
    for (const [id, s] of this.byId) if (s.def.symbol === def.symbol && id !== def.symbolId) this.byId.delete(id);
    if (prev !== undefined && prev.def.symbol !== def.symbol) this.slots.delete(prev.def.symbol);
    if (!this.slots.has(def.symbol) && this.slots.size >= MAX_BOOKS) throw new Error('book slots full');
    this.slots.add(def.symbol);
    this.byId.set(def.symbolId, { def: { ...def }, state: 'awaiting-snapshot', nextSeq: 0, book: [new Map(), new Map()] });
  }
  private admit(id: number, seq: number, snapshot: boolean): ModelSymbol | undefined {
    const s = this.byId.get(id);
    if (s === undefined) return undefined;
    if (snapshot) return s;
    if (s.state !== 'live' || seq < s.nextSeq) return undefined;
    if (seq > s.nextSeq) { this.stale(s); return undefined; }
    s.nextSeq = seq + 1;
    return s;
  }
  private stale(s: ModelSymbol): void { s.state = 'stale'; s.book[0].clear(); s.book[1].clear(); }
  private set(s: ModelSymbol, side: number, tick: number, qty: number): boolean {
    if (Math.abs(tick) > MAX_ABS_TICK || qty > MAX_QTY) return false;
    if (qty === 0) s.book[side]!.delete(tick); else s.book[side]!.set(tick, qty);
    return true;
  }
  snapshot(id: number, seq: number, _ts: number, bids: Float64Array, nb: number, asks: Float64Array, na: number): void {
    const s = this.admit(id, seq, true);
    if (s === undefined) return;
    s.book[0].clear(); s.book[1].clear();
    let refused = 0;
    for (let i = 0; i < nb; i++) if (!this.set(s, 0, bids[2 * i]!, bids[2 * i + 1]!)) refused++;
    for (let i = 0; i < na; i++) if (!this.set(s, 1, asks[2 * i]!, asks[2 * i + 1]!)) refused++;
    if (refused > 0) { this.stale(s); return; }
    s.state = 'live';
    s.nextSeq = seq + 1;
  }
  levelSet(id: number, seq: number, _ts: number, side: SideCode, tick: number, qty: number): void {
    const s = this.admit(id, seq, false);
    if (s !== undefined && !this.set(s, side, tick, qty)) this.stale(s);
  }
  levelChange(id: number, seq: number, _ts: number, side: SideCode, tick: number, delta: number): void {
    const s = this.admit(id, seq, false);
    if (s === undefined) return;
    const next = (s.book[side]!.get(tick) ?? 0) + delta;
    if (Math.abs(tick) > MAX_ABS_TICK || Math.abs(delta) > MAX_QTY || next < 0 || next > MAX_QTY || !this.set(s, side, tick, next)) this.stale(s);
  }
  trade(id: number, seq: number): void { this.admit(id, seq, false); }
  heartbeat(): void { /* no book effect */ }
  endOfBatch(): void { /* no book effect */ }
}

/** Forwards to a sink, checking that every number is finite and every level integral. */
class GuardSink implements FeedSink {
  bad = 0;
  constructor(private readonly to: FeedSink) {}
  private chk(...xs: number[]): void { for (const x of xs) if (!Number.isFinite(x)) this.bad++; }
  instrument(d: InstrumentDefinition): void { this.chk(d.symbolId, d.resolutionTsNs); this.to.instrument(d); }
  snapshot(id: number, seq: number, ts: number, b: Float64Array, nb: number, a: Float64Array, na: number): void {
    this.chk(id, seq, ts, nb, na, ...b.subarray(0, 2 * nb), ...a.subarray(0, 2 * na));
    this.to.snapshot(id, seq, ts, b, nb, a, na);
  }
  levelSet(id: number, seq: number, ts: number, sd: SideCode, t: number, q: number): void { this.chk(id, seq, ts, sd, t, q); this.to.levelSet(id, seq, ts, sd, t, q); }
  levelChange(id: number, seq: number, ts: number, sd: SideCode, t: number, q: number): void { this.chk(id, seq, ts, sd, t, q); this.to.levelChange(id, seq, ts, sd, t, q); }
  trade(id: number, seq: number, ts: number, sd: SideCode, t: number, q: number, tid: number): void {
    this.chk(id, seq, ts, sd, t, q, tid);
    this.to.trade(id, seq, ts, sd, t, q, tid);
  }
  heartbeat(ts: number): void { this.chk(ts); this.to.heartbeat(ts); }
  endOfBatch(s: number): void { this.chk(s); this.to.endOfBatch(s); }
}

type Op =
  | { t: 'snap'; sym: number; bids: [number, number][]; asks: [number, number][] }
  | { t: 'set'; sym: number; side: SideCode; tick: number; qty: number }
  | { t: 'chg'; sym: number; side: SideCode; tick: number; delta: number }
  | { t: 'trade'; sym: number; side: SideCode; tick: number; qty: number }
  | { t: 'hb' };
const symArb = fc.constantFrom(1, 2);
const nearTick = fc.integer({ min: 990, max: 1010 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ t: fc.constant('snap' as const), sym: symArb,
    bids: fc.array(fc.tuple(fc.integer({ min: 980, max: 1000 }), fc.integer({ min: 1, max: 50 })), { maxLength: 6 }),
    asks: fc.array(fc.tuple(fc.integer({ min: 1000, max: 1020 }), fc.integer({ min: 1, max: 50 })), { maxLength: 6 }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('set' as const), sym: symArb, side: sideArb, tick: nearTick, qty: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('chg' as const), sym: symArb, side: sideArb, tick: nearTick, delta: fc.integer({ min: -4, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('trade' as const), sym: symArb, side: sideArb, tick: nearTick, qty: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'hb' as const }) },
);
const streamFrameArb: fc.Arbitrary<StreamFrame> = fc.record({
  ops: fc.array(opArb, { minLength: 1, maxLength: 6 }),
  eob: fc.boolean(),
  seqJitter: fc.constantFrom(0, 0, 0, 0, 0, 1, -1), // occasionally skip or repeat a sequence number
  mutations: fc.oneof({ weight: 3, arbitrary: fc.constant([] as Mutation[]) }, { weight: 2, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }),
});

interface StreamFrame { ops: Op[]; eob: boolean; seqJitter: number; mutations: Mutation[] }

function buildStream(frames: readonly StreamFrame[]): Uint8Array[] {
  const e = new FrameEncoder({ initialBytes: 256 });
  const out: Uint8Array[] = [];
  e.instrument({ symbolId: 1, symbol: 'AAA', kind: 'spot', tickSize: '0.01', lotSize: '1', resolutionTsNs: 0 });
  e.instrument({ symbolId: 2, symbol: 'BBB.YES', kind: 'binary', tickSize: '0.01', lotSize: '1', resolutionTsNs: 1_800_000_000_000_000_000 });
  e.endOfBatch(1);
  out.push(e.flush());
  const seq = [0, 0, 0];
  let ts = 1_700_000_000_000_000_000;
  for (const f of frames) {
    for (const op of f.ops) {
      ts += 1000;
      if (op.t === 'hb') { e.heartbeat(ts); continue; }
      const q = Math.max(0, (seq[op.sym]! += 1 + (op === f.ops[0] ? f.seqJitter : 0)));
      if (op.t === 'snap') {
        e.snapshot(op.sym, q, ts, Float64Array.from(op.bids.flat()), op.bids.length, Float64Array.from(op.asks.flat()), op.asks.length);
      } else if (op.t === 'set') e.levelSet(op.sym, q, ts, op.side, op.tick, op.qty);
      else if (op.t === 'chg') e.levelChange(op.sym, q, ts, op.side, op.tick, op.delta);
      else e.trade(op.sym, q, ts, op.side, op.tick, op.qty, q);
    }
    if (f.eob) e.endOfBatch(ts);
    out.push(mutate(e.flush(ts), f.mutations));
  }
  return out;
}

describe('feed protocol v1 into the WASM books', () => {
  const books = new WasmBooks(instantiateCore('debug')); // a fresh core for this file

  it('mutated streams never corrupt a book: every book equals the model and keeps its invariants', () => {
    let frames = 0;
    let applied = 0;
    let previous: FeedIngest | null = null;
    fc.assert(fc.property(fc.array(streamFrameArb, { minLength: 1, maxLength: 14 }), (spec) => {
      previous?.close(); // give the last run's book slots back
      const ingest = new FeedIngest(books, { staleFeedMs: 1e9 });
      previous = ingest;
      const model = new ModelIngest();
      const guard = new GuardSink(ingest);
      const dec = new FrameDecoder({ isKnownSymbol: (id) => ingest.symbolState(id) !== undefined });
      const ref = new ReferenceDecoder({ isKnownSymbol: (id) => model.byId.has(id) });
      let lastEob = true;
      for (const bytes of buildStream(spec)) {
        frames++;
        const code = dec.decodeFrame(bytes, guard);
        const refCode = ref.decodeFrame(bytes, model);
        expect(DECODE_CODE_NAMES[code]).toBe(DECODE_CODE_NAMES[refCode]);
        if (code === DECODE_OK) { applied++; lastEob = dec.endOfBatch; }
        expect(guard.bad).toBe(0);
        // every symbol: same state and the same book, level by level
        const live = ingest.symbols();
        expect(live.map((s) => s.symbolId).sort()).toEqual([...model.byId.keys()].sort());
        for (const s of live) {
          const m = model.byId.get(s.symbolId)!;
          expect(s.symbol).toBe(m.def.symbol);
          expect(s.state).toBe(m.state);
          if (s.state === 'live') expect(s.nextSeq).toBe(m.nextSeq);
          const top = books.topLevels(s.book, MAX_DEPTH_LEVELS);
          const want = (side: number, dir: number): { tick: number; qtyLot: number }[] =>
            [...m.book[side]!].sort((x, y) => dir * (x[0] - y[0])).map(([tick, qtyLot]) => ({ tick, qtyLot }));
          expect(top.bids).toEqual(want(0, -1));
          expect(top.asks).toEqual(want(1, 1));
          expect(books.levelCount(s.book, 0)).toBe(top.bids.length);
          expect(books.levelCount(s.book, 1)).toBe(top.asks.length);
          // invariants: strictly ordered, positive integer quantities; crossed flag right after a batch
          for (let i = 1; i < top.bids.length; i++) expect(top.bids[i]!.tick).toBeLessThan(top.bids[i - 1]!.tick);
          for (let i = 1; i < top.asks.length; i++) expect(top.asks[i]!.tick).toBeGreaterThan(top.asks[i - 1]!.tick);
          for (const l of [...top.bids, ...top.asks]) expect(Number.isSafeInteger(l.qtyLot) && l.qtyLot > 0).toBe(true);
          if (s.state !== 'live') expect(top.bids.length + top.asks.length).toBe(0);
          if (lastEob && s.state === 'live' && top.bids.length > 0 && top.asks.length > 0) {
            expect(s.crossed).toBe(top.bids[0]!.tick >= top.asks[0]!.tick);
          }
        }
      }
    }), { numRuns: 250 });
    expect(applied).toBeGreaterThan(frames / 3); // the generator also produces plenty of valid frames
    expect(applied).toBeLessThan(frames);
  });
});
