// The market the replica trades against: one FeedIngest (WASM books) driven by the
// built-in simulator, a Binance recording, or by hand (tests, demos), with a
// PaperExchange listening first so resting orders fill against that market with
// queue position (src/execution/paper-exchange.ts). The paper exchange runs with
// zero latency and zero fees: the replica answers an order at once from what the
// paper exchange reported, and charges Binance-style commissions itself.
import { SpreadcoreError } from '../../../errors.js';
import type { BinanceInstrumentSpec } from '../../../feed/binance/instruments.js';
import { PaperExchange } from '../../../execution/paper-exchange.js';
import type { SideCode } from '../../../feed/feed-sink.js';
import { FeedIngest, type IngestListener } from '../../../feed/ingest/feed-ingest.js';
import type { SymbolState } from '../../../feed/ingest/symbol-state.js';
import { pace, type ReplaySpeed } from '../../../feed/recording/pacer.js';
import type { MarketSource } from '../../../feed/replay/market-source.js';
import { openMarketSource } from '../../../feed/replay/source-options.js';
import { MarketSimulator } from '../../../feed/sim/market-simulator.js';
import type { SimInstrumentInput } from '../../../feed/sim/sim-config.js';
import { MARKET_GRID, publishedGridOf, publishedLevels, type PublishedGrid } from './published-grid.js';

export interface ManualInstrument { readonly symbol: string; readonly tickSize: string; readonly lotSize: string }

export type ReplicaMarketSpec =
  | { readonly kind: 'sim'; readonly seed?: number; readonly stepMs?: number }
  /** `instruments`: grids for a recording's symbol the built-in table does not know (or replacing its grids). */
  | { readonly kind: 'replay'; readonly path: string; readonly speed?: ReplaySpeed; readonly instruments?: readonly BinanceInstrumentSpec[] }
  | { readonly kind: 'manual'; readonly instruments: readonly ManualInstrument[] };

export interface MarketTrade { readonly symbol: string; readonly tick: number; readonly lot: number; readonly buyerAggressor: boolean; readonly tradeId: number }

export type Level = readonly [string, string];

/**
 * The simulator's instruments on USD-M grids: Binance's USD-M BTCUSDT trades on a 0.1 tick and
 * a 0.001 step (ETHUSDT 0.01 / 0.001), coarser than spot's, so a client that knows USD-M's
 * grids (the project's own connector among them) can sync to the replica's book. The book and
 * order-flow shapes are the spot presets rescaled to the same prices and sizes in the new units.
 */
export const USDM_SIM_INSTRUMENTS: readonly SimInstrumentInput[] = [
  {
    symbol: 'BTCUSDT', tickSize: '0.1', lotSize: '0.001',
    book: { levelGapTicks: 2, touchHalfSpreadTicks: 1, maxTouchGapTicks: 2, maxDepthTicks: 500, orderMedianLots: 50, sizeGrowthTicks: 5 },
    flow: { arrivalDepthTicks: 20, marketMedianLots: 10 },
  },
  {
    symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.001',
    book: { orderMedianLots: 500 },
    flow: { marketMedianLots: 100 },
  },
  // USD-M SOLUSDT: PRICE_FILTER tickSize 0.01, LOT_SIZE stepSize 0.01 (docs/binance-replica.md), a symbol
  // the project's built-in table does not carry: clients take its grids from exchangeInfo.
  // ETHUSDT's shapes at ~150 USDT: 10 SOL a resting order, 2 SOL a market order (medians)
  {
    symbol: 'SOLUSDT', tickSize: '0.01', lotSize: '0.01', initialPrice: '150',
    book: { orderMedianLots: 1000 },
    flow: { marketMedianLots: 200 },
  },
];

/**
 * The simulator's instruments on spot: its built-in BTCUSDT, ETHUSDT and binary contract, and
 * LTCUSDT on Binance's spot grid (PRICE_FILTER tickSize 0.01, LOT_SIZE stepSize 0.001;
 * docs/binance-replica.md), a symbol the project's built-in table does not carry: clients take its
 * grids from exchangeInfo. ETHUSDT's shapes at ~80 USDT: 2 LTC a resting order, 0.4 LTC a market
 * order (medians).
 */
export const SPOT_SIM_INSTRUMENTS: readonly SimInstrumentInput[] = [
  { symbol: 'BTCUSDT' }, { symbol: 'ETHUSDT' }, { symbol: 'BTC-100K-YES' },
  {
    symbol: 'LTCUSDT', tickSize: '0.01', lotSize: '0.001', initialPrice: '80',
    book: { orderMedianLots: 2000 },
    flow: { marketMedianLots: 400 },
  },
];

export class ReplicaMarket {
  readonly ingest = new FeedIngest();
  readonly paper: PaperExchange;
  readonly spec: ReplicaMarketSpec;
  /** Called after the paper exchange saw each market trade. */
  onTrade: ((t: MarketTrade) => void) | null = null;
  /** Called after each batch (books changed). */
  onBatch: ((symbols: readonly string[]) => void) | null = null;
  state = 'starting';
  error = '';
  private timer: NodeJS.Timeout | null = null;
  private abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private source: MarketSource | null = null;
  private sim: MarketSimulator | null = null;
  private readonly manualSeq = new Map<number, number>();
  private manualTradeId = 0;
  private futures = false;
  /** Per symbol: the venue's grid when it differs from the market's (POST /__replica/grid). */
  private readonly grids = new Map<string, PublishedGrid>();

  constructor(spec: ReplicaMarketSpec) {
    this.spec = spec;
    this.paper = new PaperExchange(this.ingest, {
      orderLatencyNs: 0, cancelLatencyNs: 0, makerFeeBps: 0, takerFeeBps: 0, idPrefix: 'replica',
    });
    const paper = this.paper;
    const listener: IngestListener = {
      onTrade: (s: SymbolState, side: SideCode, tick: number, lot: number, ts: number, tradeId: number) => {
        paper.onTrade(s, side, tick, lot, ts);
        this.onTrade?.({ symbol: s.symbol, tick, lot, buyerAggressor: side === 0, tradeId });
      },
      onBatch: (ingest, dirty, n) => {
        paper.onBatch(ingest, dirty, n);
        if (this.onBatch !== null) {
          const syms: string[] = [];
          for (let i = 0; i < n; i++) { const s = ingest.symbolState(dirty[i]!); if (s !== undefined) syms.push(s.symbol); }
          this.onBatch(syms);
        }
      },
      onStale: (s) => paper.onStale(s),
    };
    this.ingest.listener = listener;
  }

  /** Opens what can fail on bad input (a recording) before the server binds. */
  async prepare(futures: boolean): Promise<void> {
    this.futures = futures;
    if (this.spec.kind === 'replay') {
      this.source = await openMarketSource({
        kind: 'binance', path: this.spec.path, market: futures ? 'usdm' : 'spot', durationS: undefined,
        ...(this.spec.instruments !== undefined ? { instruments: this.spec.instruments } : {}),
      });
    }
  }

  /** Starts the market: instruments are defined (and books live) when this returns for sim and manual. */
  start(): void {
    const spec = this.spec;
    const ingest = this.ingest;
    if (spec.kind === 'sim') {
      const sim = new MarketSimulator({ startTsNs: Date.now() * 1e6, instruments: (this.futures ? USDM_SIM_INSTRUMENTS : SPOT_SIM_INSTRUMENTS).map((i) => ({ ...i })) }, spec.seed ?? 1);
      this.sim = sim;
      ingest.setClock();
      sim.start(ingest);
      const stepMs = spec.stepMs ?? 50;
      this.timer = setInterval(() => this.stepSim(), stepMs);
      this.state = 'running';
    } else if (spec.kind === 'manual') {
      spec.instruments.forEach((d, i) => {
        ingest.instrument({ symbolId: i, symbol: d.symbol, kind: 'spot', tickSize: d.tickSize, lotSize: d.lotSize, resolutionTsNs: 0 });
        this.manualSeq.set(i, 0);
      });
      this.state = 'manual';
    } else {
      const source = this.source;
      if (source === null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'call prepare() before start() for a replay market');
      const run = source.open(ingest);
      this.state = 'running';
      this.done = pace(run.steps, spec.speed ?? 1, (step) => { ingest.setClock(); run.apply(step); }, this.abort.signal)
        .then(() => { if (!this.abort.signal.aborted) this.state = 'ended'; }, (e: unknown) => { this.state = 'failed'; this.error = e instanceof Error ? e.message : String(e); });
    }
  }

  /** Simulated time reached, Unix epoch ns (0 without a simulator). */
  simNowNs = 0;

  /** Runs the simulator up to untilNs (default: now, wall clock). */
  stepSim(untilNs = Date.now() * 1e6): void {
    const sim = this.sim;
    if (sim === null) return;
    if (untilNs > this.simNowNs) this.simNowNs = untilNs;
    try {
      this.ingest.setClock();
      sim.advanceTo(untilNs, this.ingest);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.done;
  }

  symbols(): SymbolState[] { return this.ingest.symbols(); }
  symbol(name: string): SymbolState | undefined { return this.ingest.bySymbolName(name); }

  /** The grid the venue publishes for a symbol (the market's own unless POST /__replica/grid changed it). */
  publishedGrid(symbol: string): PublishedGrid { return this.grids.get(symbol) ?? MARKET_GRID; }

  /**
   * Changes the tickSize and/or stepSize the venue publishes for a symbol (whole multiples of the
   * market's grid; see published-grid.ts); throws on an unknown symbol or a size off the market's grid.
   */
  setPublishedGrid(symbol: string, tickSize: string | undefined, stepSize: string | undefined): PublishedGrid {
    const s = this.ingest.bySymbolName(symbol);
    if (s === undefined) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `unknown symbol ${symbol}`);
    const cur = this.publishedGrid(symbol);
    const next = publishedGridOf(s, tickSize, stepSize);
    const g: PublishedGrid = {
      ticksPerTick: tickSize === undefined ? cur.ticksPerTick : next.ticksPerTick,
      lotsPerStep: stepSize === undefined ? cur.lotsPerStep : next.lotsPerStep,
    };
    if (g.ticksPerTick === 1 && g.lotsPerStep === 1) this.grids.delete(symbol);
    else this.grids.set(symbol, Object.freeze(g));
    return this.publishedGrid(symbol);
  }

  /** Top `limit` levels of a symbol's book on the venue's grid as Binance [price, qty] strings. */
  depth(symbol: string, limit: number): { lastUpdateId: number; bids: Level[]; asks: Level[] } | undefined {
    const s = this.ingest.bySymbolName(symbol);
    if (s === undefined) return undefined;
    const g = this.publishedGrid(symbol);
    const same = g === MARKET_GRID;
    // on a coarser published grid, read every level the book gives: several make one published level
    const read = same ? Math.min(limit, 1000) : 1000;
    const top = this.ingest.books.topLevels(s.book, read);
    const bids = same ? top.bids : publishedLevels(g, top.bids, false, top.bids.length < read).slice(0, limit);
    const asks = same ? top.asks : publishedLevels(g, top.asks, true, top.asks.length < read).slice(0, limit);
    const p = s.instrument.price;
    const q = s.instrument.qty;
    return {
      lastUpdateId: Math.max(0, s.nextSeq - 1),
      bids: bids.map((l) => [p.format(l.tick), q.format(l.qtyLot)] as const),
      asks: asks.map((l) => [p.format(l.tick), q.format(l.qtyLot)] as const),
    };
  }

  /** Best bid and ask ticks (NaN when a side is empty). */
  best(symbol: string): { bid: number; ask: number } {
    const s = this.ingest.bySymbolName(symbol);
    if (s === undefined || s.state !== 'live') return { bid: NaN, ask: NaN };
    const books = this.ingest.books;
    const packed = books.topN(s.book, 1);
    if (packed < 0) return { bid: NaN, ask: NaN };
    return { bid: (packed & 0xffff) > 0 ? books.depthBidTick(0) : NaN, ask: (packed >>> 16) > 0 ? books.depthAskTick(0) : NaN };
  }

  // ---- manual market (tests, demos: POST /__replica/market) ----------------------------

  private manualId(symbol: string): SymbolState {
    if (this.spec.kind !== 'manual') throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'the market is not manual: it is driven by the simulator or a recording');
    const s = this.ingest.bySymbolName(symbol);
    if (s === undefined) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `unknown symbol ${symbol}`);
    return s;
  }

  private nextSeq(id: number): number {
    const n = (this.manualSeq.get(id) ?? 0) + 1;
    this.manualSeq.set(id, n);
    return n;
  }

  /** Replaces a symbol's book (price/qty decimal strings, best first). */
  setBook(symbol: string, bids: readonly Level[], asks: readonly Level[]): void {
    const s = this.manualId(symbol);
    const flat = (levels: readonly Level[], what: string): Float64Array => {
      const a = new Float64Array(levels.length * 2);
      levels.forEach(([p, q], i) => {
        a[2 * i] = s.instrument.price.toUnits(p, `${what} price`);
        a[2 * i + 1] = s.instrument.qty.toUnits(q, `${what} qty`);
      });
      return a;
    };
    const b = flat(bids, 'bid');
    const a = flat(asks, 'ask');
    this.ingest.setClock();
    this.ingest.snapshot(s.symbolId, this.nextSeq(s.symbolId), Date.now() * 1e6, b, bids.length, a, asks.length);
    this.ingest.endOfBatch(0);
  }

  /** A market trade: the aggressor BUY lifts asks (fills our resting sells at or below the price), SELL hits bids. */
  trade(symbol: string, aggressor: 'BUY' | 'SELL', price: string, qty: string): void {
    const s = this.manualId(symbol);
    const tick = s.instrument.price.toUnits(price, 'trade price');
    const lot = s.instrument.qty.toUnits(qty, 'trade qty');
    this.ingest.setClock();
    this.ingest.trade(s.symbolId, this.nextSeq(s.symbolId), Date.now() * 1e6, aggressor === 'BUY' ? 0 : 1, tick, lot, ++this.manualTradeId);
    this.ingest.endOfBatch(0);
  }
}
