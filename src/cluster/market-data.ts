// Market data shared over NATS: one node with the venue connection (`serve --cluster …
// --md-publish`) publishes what its market source feeds its engine, in feed protocol v1
// frames (docs/feed-protocol.md), one subject per market: `md.<venue>.<symbol>`. Nodes
// started with `--md-source nats` open no market source of their own: they follow the
// instrument definitions of every market (`mddef.<venue>`, so every strategy loads) and
// subscribe to the subject of each market whose lease they hold, decoding its frames into
// their engine's ingest exactly as the feed handler does (WASM fast path, then
// FrameDecoder). Sequence numbers are the source's: a gap on the subscriber makes the book
// stale until the next snapshot, and the publisher sends every live market's book as a
// snapshot (its instrument definition first) every second, so a late subscriber — a node
// that has just taken a market over — syncs within a second.
//
// The publisher taps the ingest's FeedSink calls (the source drives them, the ingest
// applies them first), writes each market's messages into that market's FrameEncoder and,
// at the end of each batch, publishes one frame per market that has messages. Each
// frame's send timestamp is the publisher's monotonic clock when it leaves (same host:
// the subscriber measures the one-way latency from it).
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { FeedSink, InstrumentDefinition, SideCode } from '../feed/feed-sink.js';
import type { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { SymbolState } from '../feed/ingest/symbol-state.js';
import { FrameDecoder } from '../feed/protocol/frame-decoder.js';
import { FrameEncoder } from '../feed/protocol/frame-encoder.js';
import { DECODE_CODE_NAMES, DECODE_ERR_UNKNOWN_SYMBOL, DECODE_OK } from '../feed/protocol/decode-codes.js';
import { MAX_DEPTH_LEVELS } from '../wasm/layout.js';
import { monoNowNs } from '../net/clock.js';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { RunningMarket } from '../cli/serve-market.js';

/** A NATS subject token from a venue or symbol name: characters NATS gives meaning to become "_". */
export function subjectToken(s: string): string {
  return s.replace(/[.*>\s]/g, '_');
}

export function mdSubject(venue: string, symbol: string): string {
  return `md.${subjectToken(venue)}.${subjectToken(symbol)}`;
}

export function mdDefsSubject(venue: string): string {
  return `mddef.${subjectToken(venue)}`;
}

export const MD_SNAPSHOT_MS = 1000;

/** Sorted sample of one-way latencies, ns: p50, p99, max. */
class LatencySample {
  private readonly ring = new Float64Array(4096);
  private n = 0;
  record(ns: number): void {
    if (!Number.isFinite(ns) || ns < 0) return;
    this.ring[this.n % this.ring.length] = ns;
    this.n++;
  }
  summary(): { samples: number; p50_us: number | null; p99_us: number | null; max_us: number | null } {
    const k = Math.min(this.n, this.ring.length);
    if (k === 0) return { samples: this.n, p50_us: null, p99_us: null, max_us: null };
    const a = Array.from(this.ring.subarray(0, k)).sort((x, y) => x - y);
    const q = (p: number): number => Math.round(a[Math.min(k - 1, Math.floor(p * k))]! / 100) / 10;
    return { samples: this.n, p50_us: q(0.5), p99_us: q(0.99), max_us: Math.round(a[k - 1]! / 100) / 10 };
  }
}

function definitionOf(s: SymbolState): InstrumentDefinition {
  return { symbolId: s.symbolId, symbol: s.symbol, kind: s.kind, tickSize: s.instrument.tickSize, lotSize: s.instrument.lotSize, resolutionTsNs: s.resolutionTsNs };
}

interface Outlet { readonly subject: string; readonly enc: FrameEncoder }

/** Publishes an ingest's market data to `md.<venue>.<symbol>`, with periodic snapshots. */
export class MarketDataPublisher {
  framesPublished = 0;
  bytesPublished = 0;
  snapshotsPublished = 0;
  encodeErrors = 0;
  private readonly outlets: (Outlet | undefined)[] = [];
  private readonly pending: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private bids = new Float64Array(2 * MAX_DEPTH_LEVELS);
  private asks = new Float64Array(2 * MAX_DEPTH_LEVELS);
  private restore: (() => void) | null = null;

  constructor(private readonly nc: NatsConnection, private readonly ingest: FeedIngest, readonly venue: string, private readonly snapshotMs = MD_SNAPSHOT_MS) {}

  start(): void {
    const ing = this.ingest as FeedIngest & FeedSink;
    const own = { instrument: ing.instrument, snapshot: ing.snapshot, levelSet: ing.levelSet, levelChange: ing.levelChange, trade: ing.trade, endOfBatch: ing.endOfBatch };
    const hadOwn = Object.keys(own).filter((k) => Object.prototype.hasOwnProperty.call(ing, k));
    const o = {
      instrument: own.instrument.bind(ing), snapshot: own.snapshot.bind(ing), levelSet: own.levelSet.bind(ing),
      levelChange: own.levelChange.bind(ing), trade: own.trade.bind(ing), endOfBatch: own.endOfBatch.bind(ing),
    };
    ing.instrument = (def) => {
      o.instrument(def);
      const s = ing.bySymbolName(def.symbol);
      if (s === undefined || s.symbolId !== def.symbolId) return;
      this.outlet(def.symbolId, def.symbol);
      this.write(def.symbolId, (e) => e.instrument(def));
    };
    ing.snapshot = (id, seq, ts, bids, nBids, asks, nAsks) => { o.snapshot(id, seq, ts, bids, nBids, asks, nAsks); this.write(id, (e) => e.snapshot(id, seq, ts, bids, nBids, asks, nAsks)); };
    ing.levelSet = (id, seq, ts, side: SideCode, tick, qty) => { o.levelSet(id, seq, ts, side, tick, qty); this.write(id, (e) => e.levelSet(id, seq, ts, side, tick, qty)); };
    ing.levelChange = (id, seq, ts, side: SideCode, tick, d) => { o.levelChange(id, seq, ts, side, tick, d); this.write(id, (e) => e.levelChange(id, seq, ts, side, tick, d)); };
    ing.trade = (id, seq, ts, side: SideCode, tick, qty, tid) => { o.trade(id, seq, ts, side, tick, qty, tid); this.write(id, (e) => e.trade(id, seq, ts, side, tick, qty, tid)); };
    ing.endOfBatch = (sendTsNs) => { o.endOfBatch(sendTsNs); this.flush(); };
    this.restore = () => {
      for (const k of Object.keys(own)) if (!hadOwn.includes(k)) delete (ing as unknown as Record<string, unknown>)[k];
    };
    // the markets the source defined before this node joined
    for (const st of ing.symbols()) this.outlet(st.symbolId, st.symbol);
    this.timer = setInterval(() => this.publishSnapshots(), this.snapshotMs);
  }

  private outlet(id: number, symbol: string): void {
    const subject = mdSubject(this.venue, symbol);
    if (this.outlets[id]?.subject === subject) return;
    this.outlets[id] = { subject, enc: new FrameEncoder({ initialBytes: 4096, onFrame: (f) => this.send(subject, f) }) };
  }

  private write(id: number, f: (e: FrameEncoder) => void): void {
    const out = this.outlets[id];
    if (out === undefined) return;
    const first = out.enc.messageCount === 0;
    try {
      f(out.enc);
    } catch {
      // the encoder refuses bad values before writing anything; the ingest counted the message as malformed
      this.encodeErrors++;
      return;
    }
    if (first && out.enc.messageCount > 0) this.pending.push(id);
  }

  private flush(): void {
    const p = this.pending;
    for (let i = 0; i < p.length; i++) {
      const out = this.outlets[p[i]!];
      if (out !== undefined && out.enc.messageCount > 0) out.enc.endOfBatch(monoNowNs());
    }
    p.length = 0;
  }

  private send(subject: string, frame: Uint8Array): void {
    try {
      this.nc.publish(subject, frame.slice());
      this.framesPublished++;
      this.bytesPublished += frame.byteLength;
    } catch {
      // the connection is closed or draining: subscribers resync from the next snapshot
    }
  }

  /** Every live market's book as one frame (definition + snapshot at its last seq), and every definition on mddef. */
  publishSnapshots(): void {
    const ing = this.ingest;
    const books = ing.books;
    const defs = new FrameEncoder({ initialBytes: 4096, onFrame: (f) => this.send(mdDefsSubject(this.venue), f) });
    let nDefs = 0;
    for (const s of ing.symbols()) {
      const out = this.outlets[s.symbolId];
      if (out === undefined) continue;
      const def = definitionOf(s);
      try { defs.instrument(def); nDefs++; } catch { this.encodeErrors++; }
      // a batch being written (a source between two frames of one batch) waits for the next round
      if (s.state !== 'live' || out.enc.messageCount > 0) continue;
      const packed = books.topN(s.book, MAX_DEPTH_LEVELS);
      if (packed < 0) continue;
      const nb = packed & 0xffff;
      const na = packed >>> 16;
      for (let i = 0; i < nb; i++) { this.bids[2 * i] = books.depthBidTick(i); this.bids[2 * i + 1] = books.depthBidQty(i); }
      for (let i = 0; i < na; i++) { this.asks[2 * i] = books.depthAskTick(i); this.asks[2 * i + 1] = books.depthAskQty(i); }
      try {
        out.enc.instrument(def);
        out.enc.snapshot(s.symbolId, s.nextSeq - 1, s.lastTsExchNs, this.bids, nb, this.asks, na);
      } catch {
        this.encodeErrors++;
        out.enc.reset();
        continue;
      }
      out.enc.endOfBatch(monoNowNs());
      this.snapshotsPublished++;
    }
    if (nDefs > 0) defs.endOfBatch(monoNowNs());
  }

  stats(): Record<string, unknown> {
    return { venue: this.venue, frames: this.framesPublished, bytes: this.bytesPublished, snapshots: this.snapshotsPublished, encode_errors: this.encodeErrors, snapshot_ms: this.snapshotMs };
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.restore?.();
    this.restore = null;
  }
}

/** Feeds an ingest from `md.*.<symbol>` for the markets this node holds, and every market's definition from `mddef.*`. */
export class MarketDataSubscriber {
  framesApplied = 0;
  /** Frames refused, unknown-symbol ones left out (below). */
  decodeErrors = 0;
  /** Frames of a market whose definition has not arrived yet (mddef comes every second): dropped. */
  framesBeforeDefinition = 0;
  readonly errorsByCode: Record<string, number> = {};
  private readonly decoder: FrameDecoder;
  private readonly subs = new Map<string, Subscription>();
  private defs: Subscription | null = null;
  readonly latency = new LatencySample();

  constructor(private readonly nc: NatsConnection, private readonly ingest: FeedIngest) {
    this.decoder = new FrameDecoder({ isKnownSymbol: (id) => ingest.symbolState(id) !== undefined });
  }

  start(): void {
    this.defs = this.nc.subscribe('mddef.*', { callback: (err, msg) => { if (err === null) this.apply(msg.data, false); } });
  }

  /** Follows a market's subject (idempotent). */
  follow(market: string): void {
    if (this.subs.has(market)) return;
    this.subs.set(market, this.nc.subscribe(`md.*.${subjectToken(market)}`, { callback: (err, msg) => { if (err === null) this.apply(msg.data, true); } }));
  }

  /** Stops following a market; its book is cleared and waits for a snapshot when followed again. */
  unfollow(market: string): void {
    const sub = this.subs.get(market);
    if (sub === undefined) return;
    sub.unsubscribe();
    this.subs.delete(market);
    const s = this.ingest.bySymbolName(market);
    if (s !== undefined && s.state === 'live') this.ingest.invalidate(s.symbolId);
  }

  following(): string[] {
    return [...this.subs.keys()].sort();
  }

  /** One frame into the ingest, as the feed handler applies it. */
  apply(frame: Uint8Array, measure: boolean): number {
    const ingest = this.ingest;
    const rx = monoNowNs();
    ingest.setClock(rx);
    let code = ingest.applyFrameFast(frame);
    let sendTs: number;
    if (code >= 0) {
      sendTs = ingest.fastPath.sendTsNs;
    } else {
      code = this.decoder.decodeFrame(frame, ingest);
      sendTs = this.decoder.sendTsNs;
    }
    if (code === DECODE_OK) {
      this.framesApplied++;
      if (measure && sendTs > 0) this.latency.record(monoNowNs() - sendTs);
    } else if (code === DECODE_ERR_UNKNOWN_SYMBOL) {
      this.framesBeforeDefinition++;
    } else {
      this.decodeErrors++;
      const name = DECODE_CODE_NAMES[code] ?? `code-${code}`;
      this.errorsByCode[name] = (this.errorsByCode[name] ?? 0) + 1;
    }
    return code;
  }

  stats(): Record<string, unknown> {
    return { source: 'nats', following: this.following(), frames_applied: this.framesApplied, decode_errors: this.decodeErrors, decode_errors_by_code: this.errorsByCode,
      frames_before_definition: this.framesBeforeDefinition, latency: this.latency.summary() };
  }

  stop(): void {
    for (const s of this.subs.values()) s.unsubscribe();
    this.subs.clear();
    this.defs?.unsubscribe();
    this.defs = null;
  }
}

/** The venue token of a node's market source in md.<venue>.<symbol>. */
export function mdVenueOf(market: { kind: string; market?: string; venues?: readonly string[] }): string {
  if (market.kind === 'binance') return market.market === 'spot' ? 'binance' : 'binance-usdm';
  if (market.kind === 'prediction') return (market.venues ?? []).join('-');
  return market.kind;
}

/**
 * serve's market when its data comes from NATS (--md-source nats): no source of its own, a
 * timer moves the engine's clock and runs the stale-feed check every tickMs (the frames
 * arrive through the cluster node's subscriptions).
 */
export function natsMarket(engine: TradingEngine, log: { error(line: string): void }, tickMs: number): RunningMarket {
  let lastError = '';
  const timer = setInterval(() => {
    try {
      engine.ingest.checkStaleFeed();
      engine.tick();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg !== lastError) log.error(`engine clock step failed: ${msg}`);
      lastError = msg;
    }
  }, tickMs);
  const symbols = (): string[] => engine.ingest.symbols().map((s) => s.symbol);
  return {
    source: 'nats',
    state: () => (engine.ingest.symbols().some((s) => s.state === 'live') ? 'receiving' : 'waiting'),
    health: () => ({ symbols: symbols() }),
    describe: 'market data from NATS (md.<venue>.<symbol>) for the markets this node holds',
    stop: () => { clearInterval(timer); return Promise.resolve(); },
  };
}

/**
 * Before a --md-source nats node restores its journal: the instrument definitions of every
 * published market (mddef.*, sent every second) applied to the ingest, so strategies of the
 * journal load on known symbols. Waits up to timeoutMs for the first definitions frame;
 * returns how many markets the ingest knows then (0: no publisher answered in time).
 */
export async function awaitDefinitions(url: string, ingest: FeedIngest, timeoutMs = 5000): Promise<number> {
  const { connect } = await import('@nats-io/transport-node');
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url.split(','), timeout: Math.min(timeoutMs, 5000) });
  } catch {
    return ingest.symbols().length; // joining the cluster says what is wrong with NATS
  }
  const sub = new MarketDataSubscriber(nc, ingest);
  try {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      nc.subscribe('mddef.*', { max: 1, callback: (err, msg) => { if (err === null) sub.apply(msg.data, false); clearTimeout(t); resolve(); } });
    });
  } finally {
    await nc.close().catch(() => undefined);
  }
  return ingest.symbols().length;
}
