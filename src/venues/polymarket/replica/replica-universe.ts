// The replica's simulated universe: binary markets (a condition with a YES and a NO token),
// several tick sizes, some of them negRisk, each with a fee schedule. The YES book is driven
// by a seeded random walk (or by hand through the admin endpoints); the NO book is its
// mirror (NO bid = 1 − YES ask). Both books live in one FeedIngest, with the project's
// PaperExchange listening first, so resting orders fill against the simulated flow with
// queue position (src/execution/paper-exchange.ts, as the Binance replica does).
//
// A market whose price walks past 0.96 or below 0.04 on the 0.01 grid moves to 0.001
// (Polymarket's tick_size_change) — and back above 0.04 / below 0.96; the admin endpoint
// can force any change. Every book change, trade, tick-size change and resolution is told
// to the listener, which the server turns into market-channel messages.
import { createHash } from 'node:crypto';
import { PaperExchange } from '../../../execution/paper-exchange.js';
import { SIDE_ASK, SIDE_BID, type SideCode } from '../../../feed/feed-sink.js';
import { SpreadcoreError } from '../../../errors.js';
import { FeedIngest } from '../../../feed/ingest/feed-ingest.js';
import type { SymbolState } from '../../../feed/ingest/symbol-state.js';
import { DecimalGrid } from '../../../numeric/decimal-grid.js';
import { mulberry32 } from '../../../numeric/mulberry32.js';
import { MAX_BOOKS } from '../../../wasm/layout.js';
import { POLYMARKET_LOT_SIZE, ticksPerUnit } from '../amounts.js';
import type { FeeSchedule } from '../fees.js';

export interface ReplicaToken { readonly tokenId: string; readonly outcome: 'Yes' | 'No'; readonly symbolId: number }

export interface ReplicaMarketDef {
  readonly conditionId: string;
  readonly question: string;
  readonly yes: ReplicaToken;
  readonly no: ReplicaToken;
  tickSize: string;
  readonly negRisk: boolean;
  readonly fees: FeeSchedule;
  readonly minOrderSize: string;
  /** YES mid in ticks of the current grid. */
  midTick: number;
  /** YES book: tick → lots. */
  bids: Map<number, number>;
  asks: Map<number, number>;
  closed: boolean;
  winner: 'Yes' | 'No' | null;
  seq: number;
  /** The market's expected end (`end_date_iso` of GET /markets); it resolves only through /__replica/resolve. */
  readonly endDateIso: string;
}

export interface UniverseListener {
  /** Book levels changed (absolute sizes, decimal strings; size "0" removes). */
  onLevels?(tokenId: string, changes: Array<{ price: string; size: string; side: 'BUY' | 'SELL' }>): void;
  onTrade?(tokenId: string, price: string, size: string, takerSide: 'BUY' | 'SELL'): void;
  onTickSize?(m: ReplicaMarketDef, oldTick: string, newTick: string): void;
  onResolved?(m: ReplicaMarketDef): void;
}

/** Most markets: each has a YES and a NO book, and a WASM core holds MAX_BOOKS (64) books. */
export const REPLICA_MAX_MARKETS = MAX_BOOKS / 2;

// endHours: the expected end, hours after the replica starts (within seed 004's 72 h and 168 h, and beyond)
const SPEC: ReadonlyArray<{ tick: string; negRisk: boolean; mid: string; rate: string; endHours: number }> = [
  { tick: '0.01', negRisk: false, mid: '0.55', rate: '0.03', endHours: 30 },
  { tick: '0.01', negRisk: true, mid: '0.30', rate: '0.04', endHours: 60 },
  { tick: '0.001', negRisk: false, mid: '0.965', rate: '0.02', endHours: 12 },
  { tick: '0.1', negRisk: false, mid: '0.5', rate: '0', endHours: 200 },
  { tick: '0.0001', negRisk: true, mid: '0.0125', rate: '0.07', endHours: 100 },
  { tick: '0.005', negRisk: false, mid: '0.72', rate: '0.03', endHours: 48 },
];

/**
 * The shape of market i past the six above: tick 0.01 (most Polymarket markets), not
 * negRisk, a mid from 0.15 to 0.84 and an end 6 to 65 hours out, spread over the
 * markets by fixed steps (the same for every seed).
 */
function extraShape(i: number): { tick: string; negRisk: boolean; mid: string; rate: string; endHours: number } {
  return { tick: '0.01', negRisk: false, mid: (0.15 + ((i * 37) % 70) / 100).toFixed(2), rate: '0.03', endHours: 6 + ((i * 13) % 60) };
}

/** Markets listed by default: one of each shape above. */
export const REPLICA_DEFAULT_MARKETS = SPEC.length;

/** A 77-digit-ish decimal token id, deterministic from the seed (Polymarket token ids are uint256 decimals). */
function tokenIdOf(seed: number, i: number, outcome: string): string {
  return BigInt(`0x${createHash('sha256').update(`${seed}:${i}:${outcome}`).digest('hex')}`).toString();
}

export class ReplicaUniverse {
  readonly ingest = new FeedIngest();
  readonly paper: PaperExchange;
  readonly markets: ReplicaMarketDef[] = [];
  readonly byToken = new Map<string, { m: ReplicaMarketDef; t: ReplicaToken }>();
  listener: UniverseListener = {};
  /** Called after the paper exchange saw a market trade (the exchange reports fills through its own reports). */
  private readonly rnd: () => number;
  private readonly qty = new DecimalGrid(POLYMARKET_LOT_SIZE);
  private tradeId = 0;

  /** `markets`: how many markets to list (1 … REPLICA_MAX_MARKETS), cycling through the market shapes above. */
  constructor(readonly seed: number, readonly levels = 5, markets = REPLICA_DEFAULT_MARKETS) {
    if (!Number.isInteger(markets) || markets < 1 || markets > REPLICA_MAX_MARKETS) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `markets must be an integer from 1 to ${REPLICA_MAX_MARKETS}, got ${String(markets)}`);
    }
    this.rnd = mulberry32(seed);
    this.paper = new PaperExchange(this.ingest, { orderLatencyNs: 0, cancelLatencyNs: 0, makerFeeBps: 0, takerFeeBps: 0, idPrefix: 'pm-replica' });
    const paper = this.paper;
    this.ingest.listener = {
      onTrade: (s: SymbolState, side: SideCode, tick: number, lot: number, ts: number) => paper.onTrade(s, side, tick, lot, ts),
      onBatch: (ingest, dirty, n) => paper.onBatch(ingest, dirty, n),
      onStale: (s) => paper.onStale(s),
      onRedefined: (s) => paper.onRedefined(s),
    };
    const startMs = Date.now();
    for (let i = 0; i < markets; i++) {
      const sp = SPEC[i] ?? extraShape(i);
      const conditionId = `0x${createHash('sha256').update(`condition:${seed}:${i}`).digest('hex')}`;
      const grid = new DecimalGrid(sp.tick);
      const m: ReplicaMarketDef = {
        conditionId, question: `Replica market ${i + 1}?`,
        yes: { tokenId: tokenIdOf(seed, i, 'Yes'), outcome: 'Yes', symbolId: 2 * i },
        no: { tokenId: tokenIdOf(seed, i, 'No'), outcome: 'No', symbolId: 2 * i + 1 },
        tickSize: sp.tick, negRisk: sp.negRisk, fees: { rate: sp.rate, exponent: 1 }, minOrderSize: '5',
        midTick: grid.toUnits(sp.mid), bids: new Map(), asks: new Map(), closed: false, winner: null, seq: 0,
        endDateIso: new Date(startMs + sp.endHours * 3_600_000).toISOString(),
      };
      this.markets.push(m);
      this.byToken.set(m.yes.tokenId, { m, t: m.yes });
      this.byToken.set(m.no.tokenId, { m, t: m.no });
      this.define(m);
      this.rebuild(m, false);
    }
  }

  private define(m: ReplicaMarketDef): void {
    for (const t of [m.yes, m.no]) {
      this.ingest.instrument({ symbolId: t.symbolId, symbol: t.tokenId, kind: 'binary', tickSize: m.tickSize, lotSize: POLYMARKET_LOT_SIZE, resolutionTsNs: 0 });
    }
  }

  grid(m: ReplicaMarketDef): DecimalGrid { return new DecimalGrid(m.tickSize); }

  /** Book of a token as decimal strings, best first. */
  book(tokenId: string): { bids: Array<{ price: string; size: string }>; asks: Array<{ price: string; size: string }> } | undefined {
    const e = this.byToken.get(tokenId);
    if (e === undefined) return undefined;
    const { bids, asks } = this.sideBooks(e.m, e.t.outcome);
    const g = this.grid(e.m);
    const fmt = (levels: Map<number, number>, desc: boolean) => [...levels].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]))
      .map(([t, l]) => ({ price: g.format(t), size: this.qty.format(l) }));
    // Polymarket's /book lists the best price last
    return { bids: fmt(bids, false), asks: fmt(asks, true) };
  }

  /** Best bid / ask ticks of a token on its grid (NaN when empty). */
  best(tokenId: string): { bid: number; ask: number } {
    const e = this.byToken.get(tokenId);
    if (e === undefined) return { bid: NaN, ask: NaN };
    const { bids, asks } = this.sideBooks(e.m, e.t.outcome);
    return { bid: bids.size === 0 ? NaN : Math.max(...bids.keys()), ask: asks.size === 0 ? NaN : Math.min(...asks.keys()) };
  }

  private sideBooks(m: ReplicaMarketDef, outcome: 'Yes' | 'No'): { bids: Map<number, number>; asks: Map<number, number> } {
    if (outcome === 'Yes') return { bids: m.bids, asks: m.asks };
    const n = Number(ticksPerUnit(m.tickSize));
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (const [t, l] of m.asks) bids.set(n - t, l);
    for (const [t, l] of m.bids) asks.set(n - t, l);
    return { bids, asks };
  }

  /** Writes both tokens' books into the ingest as snapshots. */
  private snapshotBoth(m: ReplicaMarketDef): void {
    const ts = Date.now() * 1e6;
    m.seq++;
    for (const t of [m.yes, m.no]) {
      const { bids, asks } = this.sideBooks(m, t.outcome);
      const flat = (levels: Map<number, number>, desc: boolean): Float64Array => {
        const rows = [...levels].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
        const a = new Float64Array(rows.length * 2);
        rows.forEach(([tk, l], i) => { a[2 * i] = tk; a[2 * i + 1] = l; });
        return a;
      };
      const b = flat(bids, true);
      const a = flat(asks, false);
      this.ingest.setClock();
      this.ingest.snapshot(t.symbolId, m.seq, ts, b, b.length / 2, a, a.length / 2);
    }
    this.ingest.endOfBatch(0);
  }

  /** A new random book around the mid; emits the level changes when `emit`. */
  private rebuild(m: ReplicaMarketDef, emit: boolean): void {
    const n = Number(ticksPerUnit(m.tickSize));
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    const mid = Math.min(n - 2, Math.max(2, m.midTick));
    m.midTick = mid;
    for (let i = 0; i < this.levels; i++) {
      const b = mid - 1 - i;
      const a = mid + 1 + i;
      if (b >= 1) bids.set(b, 500 + Math.floor(this.rnd() * 20_000));
      if (a <= n - 1) asks.set(a, 500 + Math.floor(this.rnd() * 20_000));
    }
    this.setYesBook(m, bids, asks, emit);
  }

  private setYesBook(m: ReplicaMarketDef, bids: Map<number, number>, asks: Map<number, number>, emit: boolean): void {
    const oldYes = { bids: m.bids, asks: m.asks };
    const oldNo = this.sideBooks(m, 'No');
    m.bids = bids;
    m.asks = asks;
    this.snapshotBoth(m);
    if (!emit) return;
    const g = this.grid(m);
    const diff = (before: Map<number, number>, after: Map<number, number>, side: 'BUY' | 'SELL', out: Array<{ price: string; size: string; side: 'BUY' | 'SELL' }>): void => {
      for (const [t, l] of after) if (before.get(t) !== l) out.push({ price: g.format(t), size: this.qty.format(l), side });
      for (const t of before.keys()) if (!after.has(t)) out.push({ price: g.format(t), size: '0', side });
    };
    const y: Array<{ price: string; size: string; side: 'BUY' | 'SELL' }> = [];
    diff(oldYes.bids, m.bids, 'BUY', y); diff(oldYes.asks, m.asks, 'SELL', y);
    const newNo = this.sideBooks(m, 'No');
    const no: Array<{ price: string; size: string; side: 'BUY' | 'SELL' }> = [];
    diff(oldNo.bids, newNo.bids, 'BUY', no); diff(oldNo.asks, newNo.asks, 'SELL', no);
    if (y.length > 0) this.listener.onLevels?.(m.yes.tokenId, y);
    if (no.length > 0) this.listener.onLevels?.(m.no.tokenId, no);
  }

  /** One simulator step for every open market: a mid move, a new book, maybe a trade, maybe a tick-size change. */
  step(): void {
    for (const m of this.markets) {
      if (m.closed) continue;
      const r = this.rnd();
      if (r < 0.2) m.midTick -= 1; else if (r > 0.8) m.midTick += 1;
      this.autoTick(m);
      this.rebuild(m, true);
      if (this.rnd() < 0.5) {
        const buy = this.rnd() < 0.5;
        const best = buy ? Math.min(...m.asks.keys()) : Math.max(...m.bids.keys());
        if (Number.isFinite(best)) this.tradeYes(m, buy ? 'BUY' : 'SELL', best, 100 + Math.floor(this.rnd() * 3000));
      }
    }
  }

  private autoTick(m: ReplicaMarketDef): void {
    const price = Number(this.grid(m).format(m.midTick));
    if (m.tickSize === '0.01' && (price > 0.96 || price < 0.04)) this.changeTickSize(m, '0.001');
    else if (m.tickSize === '0.001' && price < 0.955 && price > 0.045 && this.rnd() < 0.05) this.changeTickSize(m, '0.01');
  }

  /** Moves a market to another tick size: instruments redefined (the paper exchange cancels resting orders), books re-snapped. */
  changeTickSize(m: ReplicaMarketDef, tickSize: string): void {
    const old = m.tickSize;
    if (old === tickSize) return;
    const from = new DecimalGrid(old);
    const to = new DecimalGrid(tickSize);
    const conv = (levels: Map<number, number>, roundUp: boolean): Map<number, number> => {
      const out = new Map<number, number>();
      for (const [t, l] of levels) {
        let nt = to.toUnitsOrNaN(from.format(t));
        if (Number.isNaN(nt)) nt = roundUp ? Math.ceil(Number(from.format(t)) / Number(tickSize)) : Math.floor(Number(from.format(t)) / Number(tickSize));
        out.set(nt, (out.get(nt) ?? 0) + l);
      }
      return out;
    };
    let mid = to.toUnitsOrNaN(from.format(m.midTick));
    if (Number.isNaN(mid)) mid = Math.round(Number(from.format(m.midTick)) / Number(tickSize));
    m.bids = conv(m.bids, false);
    m.asks = conv(m.asks, true);
    m.midTick = mid;
    m.tickSize = tickSize;
    this.define(m);
    this.snapshotBoth(m);
    this.listener.onTickSize?.(m, old, tickSize);
  }

  /** A market trade on the YES token (takerSide BUY lifts asks); the NO token sees the mirror trade. */
  tradeYes(m: ReplicaMarketDef, takerSide: 'BUY' | 'SELL', tick: number, lots: number): void {
    const n = Number(ticksPerUnit(m.tickSize));
    const ts = Date.now() * 1e6;
    m.seq++;
    this.ingest.setClock();
    this.ingest.trade(m.yes.symbolId, m.seq, ts, takerSide === 'BUY' ? SIDE_BID : SIDE_ASK, tick, lots, ++this.tradeId);
    this.ingest.trade(m.no.symbolId, m.seq, ts, takerSide === 'BUY' ? SIDE_ASK : SIDE_BID, n - tick, lots, ++this.tradeId);
    this.ingest.endOfBatch(0);
    // the displayed level shrinks by what traded
    const book = takerSide === 'BUY' ? m.asks : m.bids;
    const left = (book.get(tick) ?? 0) - lots;
    const bids = new Map(m.bids);
    const asks = new Map(m.asks);
    const b2 = takerSide === 'BUY' ? asks : bids;
    if (left > 0) b2.set(tick, left); else b2.delete(tick);
    const g = this.grid(m);
    this.listener.onTrade?.(m.yes.tokenId, g.format(tick), this.qty.format(lots), takerSide);
    this.listener.onTrade?.(m.no.tokenId, g.format(n - tick), this.qty.format(lots), takerSide === 'BUY' ? 'SELL' : 'BUY');
    this.setYesBook(m, bids, asks, true);
  }

  /** A market trade on any token, prices as decimal strings (admin endpoint). */
  trade(tokenId: string, takerSide: 'BUY' | 'SELL', price: string, size: string): void {
    const e = this.byToken.get(tokenId);
    if (e === undefined) throw new Error('unknown token_id');
    const g = this.grid(e.m);
    const tick = g.toUnits(price, 'price');
    const lots = this.qty.toUnits(size, 'size');
    const n = Number(ticksPerUnit(e.m.tickSize));
    if (e.t.outcome === 'Yes') this.tradeYes(e.m, takerSide, tick, lots);
    else this.tradeYes(e.m, takerSide === 'BUY' ? 'SELL' : 'BUY', n - tick, lots);
  }

  /** Replaces a YES book by hand (admin endpoint): [price, size] strings. */
  setBook(tokenId: string, bids: ReadonlyArray<readonly [string, string]>, asks: ReadonlyArray<readonly [string, string]>): void {
    const e = this.byToken.get(tokenId);
    if (e === undefined || e.t.outcome !== 'Yes') throw new Error('set the book of a market by its YES token_id');
    const g = this.grid(e.m);
    const conv = (lv: ReadonlyArray<readonly [string, string]>) => new Map(lv.map(([p, s]) => [g.toUnits(p, 'price'), this.qty.toUnits(s, 'size')] as [number, number]));
    this.setYesBook(e.m, conv(bids), conv(asks), true);
  }

  /** Gives the ingest's WASM book slots back (a process has 32; each universe holds 12). */
  close(): void { this.ingest.close(); }

  /** Resolves a market: it trades no more (the exchange cancels its orders). */
  resolve(m: ReplicaMarketDef, winner: 'Yes' | 'No'): void {
    if (m.closed) return;
    m.closed = true;
    m.winner = winner;
    const ts = Date.now() * 1e6;
    this.ingest.settle(m.yes.symbolId, ts, winner === 'Yes' ? 'yes' : 'no');
    this.ingest.settle(m.no.symbolId, ts, winner === 'No' ? 'yes' : 'no');
    this.listener.onResolved?.(m);
  }
}
