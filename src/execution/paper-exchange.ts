// The paper exchange: a venue that fills orders against the market the engine
// watches (the books FeedIngest keeps in WASM), driven by the same market events as
// the strategy. Route the ingest's listener calls here first (onTrade for every
// trade, onBatch at the end of every batch), then to the strategy:
//
//   const paper = new PaperExchange(ingest, { orderLatencyNs: 2e6, makerFeeBps: -1 });
//   ingest.listener = paper;               // or a listener that calls paper first
//   const orders = new OrderManager(paper);
//
// The model (docs/execution.md has the full story):
// - Time is the market's exchange time. An order sent at t reaches the exchange at
//   t + orderLatencyNs, a cancel at t + cancelLatencyNs. Either takes effect at the
//   first event of its symbol at or after that time: before a trade, or after a
//   batch's book changes (a batch is the first moment its book is visible). Within
//   one batch end, cancels of orders already in the book go first, then the book's
//   changes reach resting orders, then the remaining arrivals and cancels in time order.
//   A cancel that reaches the exchange before its order (or while the order waits for
//   a usable book) closes it: it never trades.
// - On arrival an order that crosses takes the displayed liquidity level by level at
//   book prices (TAKER); what we took stays taken (TakenLiquidity). A LIMIT GTC
//   remainder rests, an IOC or MARKET remainder is cancelled, a crossing POST_ONLY is
//   rejected. A resting order joins the back of the displayed queue at its price.
// - A trade whose aggressor is on the other side fills, in price-time priority, our
//   orders priced through it (up to its volume), then the queue at its price
//   (queue-position.ts). A batch that leaves untaken opposite liquidity at or through
//   a resting order's price fills it from that liquidity (MAKER, at the order's price).
// - The market is not changed by our fills (no impact beyond TakenLiquidity), and
//   only the market's own book is matched: preventing self-crosses is the risk gate's job.
//
// The per-event path allocates nothing unless an order, a cancel or a fill happens.
// Reports go out synchronously; anything a report's receiver sends back while an
// event is being processed waits until that event is done.
import { SIDE_ASK, type SideCode } from '../feed/feed-sink.js';
import type { FeedIngest, IngestListener } from '../feed/ingest/feed-ingest.js';
import type { SymbolState } from '../feed/ingest/symbol-state.js';
import type { Instrument } from '../orderbook/instrument.js';
import { SpreadcoreError } from '../errors.js';
import type { Liquidity } from '../trading/types.js';
import type { WasmBooks } from '../wasm/book-api.js';
import { MAX_DEPTH_LEVELS } from '../wasm/layout.js';
import { mulberry32 } from '../numeric/mulberry32.js';
import { FeeRate } from './fee-text.js';
import { feeModel, type FeeModel, type FeeModelSettings } from './fee-models.js';
import { checkFeeBps, resolvePaperConfig, type PaperExchangeConfig, type PaperExchangeConfigInput } from './paper-config.js';
import { PaperOrder, PO_DONE, PO_IN_FLIGHT, PO_RESTING, type RestingSide } from './paper-order.js';
import { PaperSymbol } from './paper-symbol.js';
import { joinBack, observeLevel, tradeAtLevel } from './queue-position.js';
import { ACT_ARRIVE, ACT_CANCEL, type VenueAction } from './venue-actions.js';
import type { Venue, VenueOrder, VenueReports } from './venue.js';

const LIQ_MAKER = 0;
const LIQ_TAKER = 1;
const FIRST_DEPTH = 16;

export interface PaperExchangeCounters {
  ordersReceived: number;
  cancelsReceived: number;
  rejected: number;
  makerFills: number;
  takerFills: number;
  /** Maker fills from a trade at the order's price that reached its queue position. */
  queueFills: number;
  /** Maker fills from a trade priced through the order. */
  tradeThroughFills: number;
  /** Maker fills from opposite liquidity at or through the order's price after a batch. */
  bookThroughFills: number;
  /** Times resting orders were put at the back of their queue because the book was replaced or had gone stale. */
  resyncs: number;
  /** Fills the strategy heard of after it had sent a cancel for the order (the fill happened during the cancel's or the report's latency). */
  fillsAfterCancelSent: number;
  /** Reports held back by the response latency and delivered later. */
  delayedReports: number;
  /** Orders the exchange cancelled because their symbol's instrument was redefined. */
  redefinedCancels: number;
}

function isCancel(a: VenueAction): boolean { return a.kind === ACT_CANCEL; }
function isCancelOfBooked(a: VenueAction): boolean { return a.kind === ACT_CANCEL && a.order.state !== PO_IN_FLIGHT; }

export class PaperExchange implements Venue, IngestListener {
  readonly name = 'paper';
  readonly config: PaperExchangeConfig;
  private readonly jitterRandom: () => number;
  readonly ingest: FeedIngest;
  readonly counters: PaperExchangeCounters = {
    ordersReceived: 0, cancelsReceived: 0, rejected: 0, makerFills: 0, takerFills: 0,
    queueFills: 0, tradeThroughFills: 0, bookThroughFills: 0, resyncs: 0, fillsAfterCancelSent: 0, delayedReports: 0, redefinedCancels: 0,
  };

  private readonly books: WasmBooks;
  private readonly naive: boolean;
  private readonly makerFee: FeeRate;
  private readonly takerFee: FeeRate;
  /** Fee rates of accounts (strategies) that have their own; the others pay the exchange's. */
  private readonly accountFees = new Map<string, FeeModel>();
  private reports: VenueReports | null = null;
  /** Where reports go: the order manager itself, or the response-latency queue in front of it. */
  private out: VenueReports | null = null;
  private readonly delayed: DelayedReports | null;
  /** Exchange clock: the exchange time of the latest market event seen. */
  private clockNs = 0;
  /** Strategy (local) clock set by setLocalClock, e.g. a recording's receive time; -Infinity when unset. */
  private localNs = -Infinity;
  /** Scratch of observe(): the queue model with the symbol's lot size. */
  private readonly qp: { model: PaperExchangeConfig['queueModel']; exponent: number; lotQty: number };
  private readonly bySymbol = new Map<string, PaperSymbol>();
  private readonly byId: (PaperSymbol | undefined)[] = [];
  /** Orders at the exchange or on their way to it, by orderId. */
  private readonly open = new Map<string, PaperOrder>();
  private actionSeq = 0;
  private arrivalSeq = 0;
  private tradeSeq = 0;
  /** > 0 while an event or action is being processed: new work waits in `later`. */
  private busy = 0;
  private readonly later: PaperSymbol[] = [];
  private readonly dueScratch: VenueAction[] = [];
  // fills found but not yet reported (reported once the book region is no longer read)
  private readonly fOrder: PaperOrder[] = [];
  private readonly fTick: number[] = [];
  private readonly fLot: number[] = [];
  private readonly fLiq: number[] = [];
  // opposite levels crossing a resting order, read from the book
  private readonly xTick: number[] = [];
  private readonly xAvail: number[] = [];

  constructor(ingest: FeedIngest, config: PaperExchangeConfigInput = {}) {
    this.ingest = ingest;
    this.books = ingest.books;
    this.config = resolvePaperConfig(config);
    this.naive = this.config.fillModel === 'naive';
    this.makerFee = new FeeRate(this.config.makerFeeBps);
    this.takerFee = new FeeRate(this.config.takerFeeBps);
    this.jitterRandom = mulberry32(this.config.seed);
    this.qp = { model: this.config.queueModel, exponent: this.config.queueExponent, lotQty: 1 };
    const c = this.config;
    this.delayed = c.responseLatencyNs > 0 || (c.latencyCurve !== null && c.latencyCurve.responseNs.some((x) => x > 0)) ? new DelayedReports(this) : null;
  }

  /** Entry latency of an order or cancel sent at strategy time tNs (the latency curve's, else the constant), plus jitter. */
  private entryNs(constNs: number, tNs: number): number {
    const curve = this.config.latencyCurve;
    return (curve === null ? constNs : curve.entryAt(tNs)) + this.jitterNs();
  }

  /** Response latency of a report of an exchange event at tNs. */
  responseNs(tNs: number): number {
    const curve = this.config.latencyCurve;
    return curve === null ? this.config.responseLatencyNs : curve.responseAt(tNs);
  }

  /**
   * Sets the strategy's (local) clock, Unix epoch ns, e.g. the receive time of the
   * recording step about to be applied (feed latency "recorded"): from here on
   * nowNs() — the time the engine decides, sends and times at — is at least this,
   * while market events still match at their exchange times. Never goes back.
   * Delivers the reports whose response latency has run out by then.
   */
  setLocalClock(tNs: number): void {
    if (tNs > this.localNs) this.localNs = tNs;
    if (this.delayed !== null && this.busy === 0) this.delayed.pump(this.nowNs());
  }

  /** Exchange clock: the exchange time of the latest market event seen (nowNs() is the strategy's). */
  exchangeNowNs(): number { return this.clockNs; }

  /** Reports still waiting out their response latency. */
  get pendingReports(): number { return this.delayed === null ? 0 : this.delayed.length; }

  /** Delivers every report still waiting out its response latency (the end of a backtest). */
  drainReports(): void {
    if (this.delayed !== null) this.delayed.pump(Infinity);
  }

  /** Delivers due reports once no event is being processed. */
  private pump(): void {
    if (this.delayed !== null && this.busy === 0 && this.delayed.length > 0) this.delayed.pump(this.nowNs());
  }

  /** Extra latency of one order or cancel: uniform in [0, latencyJitterNs), whole ns; 0 without jitter. */
  private jitterNs(): number {
    const j = this.config.latencyJitterNs;
    return j === 0 ? 0 : Math.floor(this.jitterRandom() * j);
  }

  // ---- Venue ---------------------------------------------------------------------------
  /**
   * The strategy's clock: the exchange time of the latest market event plus the
   * constant feed latency, or the local clock set by setLocalClock when later (a
   * strategy never acts before the exchange time of what it saw).
   */
  nowNs(): number {
    const t = this.clockNs + this.config.feedLatencyNs;
    return this.localNs > t ? this.localNs : t;
  }

  instrument(symbol: string): Instrument | undefined {
    return this.ingest.bySymbolName(symbol)?.instrument;
  }

  connect(reports: VenueReports): void {
    this.reports = reports;
    this.out = this.delayed === null ? reports : this.delayed;
  }

  /** Where the delayed reports finally go (DelayedReports). */
  deliverTo(): VenueReports { return this.requireReports(); }

  /** The exchange's fee schedule, bps of notional (an account without its own rates pays these). */
  get feeSchedule(): { readonly makerFeeBps: number; readonly takerFeeBps: number } {
    return { makerFeeBps: this.config.makerFeeBps, takerFeeBps: this.config.takerFeeBps };
  }

  /** An account's own fee rates, bps of notional (negative = rebate), for its fills from now on. Throws on a rate the exchange cannot charge exactly. */
  setAccountFees(account: string, makerFeeBps: number, takerFeeBps: number, model?: Omit<FeeModelSettings, 'makerFeeBps' | 'takerFeeBps'>): void {
    checkFeeBps('maker_fee_bps', makerFeeBps);
    checkFeeBps('taker_fee_bps', takerFeeBps);
    this.accountFees.set(account, feeModel({ model: 'bps', polymarketRate: 0, polymarketExponent: 1, ...model, makerFeeBps, takerFeeBps }));
  }

  /** Orders at the exchange or travelling to it. */
  get openOrders(): number { return this.open.size; }

  /** Where an order stands in its queue (for tools and tests): market lots ahead, or undefined when it is not resting. */
  queueAheadLot(orderId: string): number | undefined {
    const o = this.open.get(orderId);
    return o !== undefined && o.state === PO_RESTING ? o.aheadLot : undefined;
  }

  submit(order: VenueOrder): void {
    const reports = this.outbox();
    this.counters.ordersReceived++;
    const feed = this.ingest.bySymbolName(order.symbol);
    const reason = feed === undefined ? `unknown symbol ${order.symbol}` : checkOrder(order);
    if (reason !== null) {
      this.counters.rejected++;
      reports.onRejected(order.orderId, reason, this.clockNs);
      return;
    }
    if (this.open.has(order.orderId)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `order ${order.orderId} was already sent to the paper exchange`);
    const ps = this.symbolFor(feed!);
    if (feed!.lastTsExchNs > this.clockNs) this.clockNs = feed!.lastTsExchNs;
    const o = new PaperOrder(order);
    this.open.set(o.orderId, o);
    const sentNs = this.nowNs();
    o.sentNs = sentNs;
    this.schedule(ps, ACT_ARRIVE, sentNs + this.entryNs(this.config.orderLatencyNs, sentNs), o);
  }

  cancel(orderId: string): void {
    const reports = this.outbox();
    this.counters.cancelsReceived++;
    const o = this.open.get(orderId);
    const ps = o === undefined ? undefined : this.bySymbol.get(o.symbol);
    if (o === undefined || ps === undefined) {
      // filled, but the strategy has not heard yet (response latency): the cancel was sent all the same
      const unheard = this.delayed?.unheardFill(orderId);
      if (unheard !== undefined && unheard.cancelSentNs < 0) unheard.cancelSentNs = this.nowNs();
      reports.onCancelRejected(orderId, 'unknown or closed order', this.clockNs);
      return;
    }
    const sentNs = this.nowNs();
    if (o.cancelSentNs < 0) o.cancelSentNs = sentNs;
    this.schedule(ps, ACT_CANCEL, sentNs + this.entryNs(this.config.cancelLatencyNs, sentNs), o);
  }

  // ---- market events (IngestListener) -----------------------------------------------------
  onTrade(s: SymbolState, aggressorSide: SideCode, tick: number, qtyLot: number, tsExchNs: number): void {
    if (tsExchNs > this.clockNs) this.clockNs = tsExchNs;
    const ps = this.byId[s.symbolId];
    if (ps === undefined || ps.symbol !== s.symbol || ps.idle) return;
    this.busy++;
    try {
      this.follow(ps, s);
      if (!ps.synced) this.resync(ps);
      this.runDue(ps, tsExchNs);
      if (this.naive) this.naiveTrade(ps, tick, tsExchNs);
      else this.trade(ps, aggressorSide === SIDE_ASK ? ps.bids : ps.asks, tick, qtyLot, tsExchNs);
    } finally {
      this.busy--;
    }
    if (this.later.length > 0) this.runLater();
    this.pump();
  }

  onBatch(ingest: FeedIngest, dirty: Int32Array, nDirty: number): void {
    this.busy++;
    try {
      for (let i = 0; i < nDirty; i++) {
        const id = dirty[i]!;
        const s = ingest.symbolState(id);
        if (s === undefined) continue;
        const t = s.lastTsExchNs;
        if (t > this.clockNs) this.clockNs = t;
        const ps = this.byId[id];
        if (ps === undefined || ps.idle || s.symbol !== ps.symbol) continue;
        this.batch(ps, s, t);
      }
    } finally {
      this.busy--;
    }
    if (this.later.length > 0) this.runLater();
    this.pump();
  }

  /** The symbol's book can no longer be trusted: resting orders stay, their queue positions are rebuilt when it is live again. */
  onStale(s: SymbolState): void {
    const ps = this.byId[s.symbolId];
    if (ps !== undefined && ps.symbol === s.symbol) { ps.synced = false; ps.taken.clear(); }
  }

  /**
   * The symbol's instrument was redefined (another tick or lot size, kind or
   * resolution): every order on it, resting or in flight, was priced and sized on the
   * old grid, so the exchange cancels them all (reason instrument_redefined) and starts
   * the symbol afresh.
   */
  onRedefined(s: SymbolState): void {
    const reports = this.outbox();
    const ps = this.bySymbol.get(s.symbol);
    for (const o of [...this.open.values()]) {
      if (o.symbol !== s.symbol) continue;
      o.state = PO_DONE;
      this.open.delete(o.orderId);
      this.counters.redefinedCancels++;
      reports.onCancelled(o.orderId, 'instrument_redefined', this.clockNs);
    }
    if (ps !== undefined) {
      this.bySymbol.delete(s.symbol);
      for (let i = 0; i < this.byId.length; i++) if (this.byId[i] === ps) this.byId[i] = undefined;
    }
  }

  // ---- internals ------------------------------------------------------------------------
  private requireReports(): VenueReports {
    if (this.reports === null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'the paper exchange has no order manager connected');
    return this.reports;
  }

  /** The reports' way out (through the response latency when there is one). */
  private outbox(): VenueReports {
    this.requireReports();
    return this.out!;
  }

  private symbolFor(feed: SymbolState): PaperSymbol {
    let ps = this.bySymbol.get(feed.symbol);
    if (ps === undefined) {
      ps = new PaperSymbol(feed);
      this.bySymbol.set(feed.symbol, ps);
    }
    this.follow(ps, feed);
    this.byId[feed.symbolId] = ps;
    return ps;
  }

  /** Keeps ps on the ingest's current state for its symbol (a redefinition replaces it and the book). */
  private follow(ps: PaperSymbol, s: SymbolState): void {
    if (ps.feed !== s) { ps.feed = s; ps.synced = false; ps.taken.clear(); }
    if (s.counters.snapshots !== ps.snapshotsSeen) ps.synced = false;
  }

  private ready(s: SymbolState): boolean { return s.state === 'live' && !s.crossed; }

  private schedule(ps: PaperSymbol, kind: typeof ACT_ARRIVE | typeof ACT_CANCEL, dueNs: number, o: PaperOrder): void {
    ps.actions.push({ dueNs, seq: ++this.actionSeq, kind, order: o });
    if (dueNs > this.clockNs) return;
    // zero latency: takes effect now, or as soon as the event being processed is done
    if (this.busy > 0) {
      if (!this.later.includes(ps)) this.later.push(ps);
      return;
    }
    this.busy++;
    try {
      this.follow(ps, ps.feed);
      if (!ps.synced && ps.feed.state === 'live') this.resync(ps);
      this.runDue(ps, this.clockNs);
    } finally {
      this.busy--;
    }
    if (this.later.length > 0) this.runLater();
  }

  private runLater(): void {
    while (this.later.length > 0) {
      const ps = this.later.shift()!;
      this.busy++;
      try {
        if (!ps.synced && ps.feed.state === 'live') this.resync(ps);
        this.runDue(ps, this.clockNs);
      } finally {
        this.busy--;
      }
    }
  }

  /** Every action due at tNs, in time order; arrivals wait while the book is not usable (cancels never wait). */
  private runDue(ps: PaperSymbol, tNs: number): void {
    if (ps.actions.length === 0) return;
    if (!this.ready(ps.feed) || !ps.synced) {
      this.runTaken(ps, tNs, isCancel);
      return;
    }
    for (let a = ps.actions.peekDue(tNs); a !== undefined; a = ps.actions.peekDue(tNs)) {
      ps.actions.shift();
      this.act(ps, a, tNs);
    }
  }

  private runTaken(ps: PaperSymbol, tNs: number, pick: (a: VenueAction) => boolean): void {
    if (ps.actions.peekDue(tNs) === undefined) return;
    const out = this.dueScratch;
    const start = out.length;
    ps.actions.takeDue(tNs, pick, out);
    for (let i = start; i < out.length; i++) this.act(ps, out[i]!, tNs);
    if (out.length > start) out.length = start;
  }

  private act(ps: PaperSymbol, a: VenueAction, tNs: number): void {
    if (a.kind === ACT_ARRIVE) {
      a.order.arrivedNs = a.dueNs > tNs ? tNs : a.dueNs;
      this.arrive(ps, a.order, tNs);
    } else this.applyCancel(ps, a.order, tNs);
  }

  private applyCancel(ps: PaperSymbol, o: PaperOrder, tNs: number): void {
    const reports = this.out!;
    if (o.state === PO_DONE) {
      reports.onCancelRejected(o.orderId, 'order already closed', tNs);
    } else if (o.state === PO_IN_FLIGHT) {
      // the cancel overtook its order, or the order is waiting for a usable book: it never trades
      o.state = PO_DONE;
      this.open.delete(o.orderId);
      reports.onCancelled(o.orderId, 'cancelled before the order reached the book', tNs);
    } else {
      o.state = PO_DONE;
      this.open.delete(o.orderId);
      ps.side(o.side).compact();
      reports.onCancelled(o.orderId, 'cancelled', tNs);
    }
  }

  private arrive(ps: PaperSymbol, o: PaperOrder, tNs: number): void {
    const reports = this.out!;
    if (o.state !== PO_IN_FLIGHT) return; // cancelled on the way
    o.arrivalSeq = ++this.arrivalSeq;
    const limit = o.type === 'MARKET' ? (o.side === 0 ? Infinity : -Infinity) : o.priceTick;
    if (o.timeInForce === 'POST_ONLY' && this.crossesAvailable(ps, o.side, limit)) {
      o.state = PO_DONE;
      this.open.delete(o.orderId);
      this.counters.rejected++;
      reports.onRejected(o.orderId, 'post-only order would cross the book', tNs);
      return;
    }
    o.state = PO_RESTING; // live at the exchange from here on
    reports.onAccepted(o.orderId, tNs);
    this.takeLiquidity(ps, o, limit);
    this.flushFills(ps, tNs);
    if (o.state !== PO_RESTING) return; // filled in full
    if (o.type === 'MARKET' || o.timeInForce === 'IOC') {
      o.state = PO_DONE;
      this.open.delete(o.orderId);
      reports.onCancelled(o.orderId, o.type === 'MARKET' ? 'unfilled remainder of a market order' : 'unfilled remainder of an IOC order', tNs);
      return;
    }
    joinBack(o, this.books.levelQty(ps.feed.book, o.side, o.priceTick));
    ps.side(o.side).add(o);
  }

  /** True when the opposite side has liquidity we have not taken at or through limit. */
  private crossesAvailable(ps: PaperSymbol, side: SideCode, limit: number): boolean {
    const books = this.books;
    const book = ps.feed.book;
    // the opposite best price does not reach the limit (or that side is empty): nothing to read
    if (side === 0 ? books.bestAskTick(book) > limit : books.bestBidTick(book) < limit) return false;
    const opp = side ^ 1;
    let depth = FIRST_DEPTH;
    for (let i = 0; ;) {
      const packed = books.topN(book, depth);
      const count = opp === 1 ? packed >>> 16 : packed & 0xffff;
      for (; i < count; i++) {
        const tick = opp === 1 ? books.depthAskTick(i) : books.depthBidTick(i);
        if (side === 0 ? tick > limit : tick < limit) return false;
        const qty = opp === 1 ? books.depthAskQty(i) : books.depthBidQty(i);
        if (qty - ps.taken.get(opp, tick) > 0) return true;
      }
      if (count < depth || depth >= MAX_DEPTH_LEVELS) return false;
      depth = Math.min(depth * 4, MAX_DEPTH_LEVELS);
    }
  }

  /** A crossing order takes untaken opposite liquidity up to its limit, best level first (fills queued as TAKER). */
  private takeLiquidity(ps: PaperSymbol, o: PaperOrder, limit: number): void {
    const books = this.books;
    const book = ps.feed.book;
    // the opposite best price does not reach the limit (or that side is empty): nothing to take
    if (o.side === 0 ? books.bestAskTick(book) > limit : books.bestBidTick(book) < limit) return;
    const opp = o.side ^ 1;
    let depth = FIRST_DEPTH;
    for (let i = 0; o.leavesLot > 0;) {
      const packed = books.topN(book, depth);
      const count = opp === 1 ? packed >>> 16 : packed & 0xffff;
      for (; i < count && o.leavesLot > 0; i++) {
        const tick = opp === 1 ? books.depthAskTick(i) : books.depthBidTick(i);
        if (o.side === 0 ? tick > limit : tick < limit) return;
        const qty = opp === 1 ? books.depthAskQty(i) : books.depthBidQty(i);
        const avail = qty - ps.taken.get(opp, tick);
        if (avail <= 0) continue;
        const f = avail < o.leavesLot ? avail : o.leavesLot;
        ps.taken.add(opp, tick, f);
        this.queueFill(o, tick, f, LIQ_TAKER);
      }
      if (count < depth || depth >= MAX_DEPTH_LEVELS) return;
      depth = Math.min(depth * 4, MAX_DEPTH_LEVELS);
    }
  }

  private queueFill(o: PaperOrder, tick: number, lots: number, liq: number): void {
    o.leavesLot -= lots;
    if (o.leavesLot === 0) o.state = PO_DONE;
    this.fOrder.push(o);
    this.fTick.push(tick);
    this.fLot.push(lots);
    this.fLiq.push(liq);
  }

  /** Reports the queued fills in the order they happened, and removes filled orders from the book. */
  private flushFills(ps: PaperSymbol, tNs: number): void {
    const n = this.fOrder.length;
    if (n === 0) return;
    const reports = this.out!;
    const instrument = ps.feed.instrument;
    let restingDone = false;
    for (let i = 0; i < n; i++) {
      const o = this.fOrder[i]!;
      const tick = this.fTick[i]!;
      const lots = this.fLot[i]!;
      const maker = this.fLiq[i] === LIQ_MAKER;
      if (maker) this.counters.makerFills++;
      else this.counters.takerFills++;
      if (o.state === PO_DONE && o.leavesLot === 0 && this.open.delete(o.orderId) && maker) restingDone = true;
      const own = this.accountFees.get(o.strategyId);
      const fee = own === undefined ? (maker ? this.makerFee : this.takerFee).feeText(instrument, tick, lots) : own.feeText(instrument, tick, lots, maker, o.side === 0);
      const liquidity: Liquidity = maker ? 'MAKER' : 'TAKER';
      const tradeId = `${this.config.idPrefix}-t${++this.tradeSeq}`;
      if (this.delayed !== null) this.delayed.fill(o, tradeId, tick, lots, fee, liquidity, tNs);
      else {
        if (o.cancelSentNs >= 0) this.counters.fillsAfterCancelSent++;
        reports.onFill(o.orderId, tradeId, tick, lots, fee, liquidity, tNs);
      }
    }
    this.fOrder.length = 0;
    this.fTick.length = 0;
    this.fLot.length = 0;
    this.fLiq.length = 0;
    if (restingDone) { ps.bids.compact(); ps.asks.compact(); }
  }

  /** Resting orders go to the back of the displayed queue at their price (the book was replaced or is back from stale). */
  private resync(ps: PaperSymbol): void {
    const books = this.books;
    const book = ps.feed.book;
    for (let side = 0; side < 2; side++) {
      const levels = ps.side(side).levels;
      for (let l = 0; l < levels.length; l++) {
        const level = levels[l]!;
        const shown = books.levelQty(book, side, level.tick);
        for (let k = 0; k < level.orders.length; k++) joinBack(level.orders[k]!, shown);
      }
    }
    if (ps.bids.count + ps.asks.count > 0) this.counters.resyncs++;
    ps.taken.clear();
    ps.synced = true;
    ps.snapshotsSeen = ps.feed.counters.snapshots;
  }

  /** A trade hitting `side` (our bids for a sell aggressor, our asks for a buy aggressor). */
  private trade(ps: PaperSymbol, side: RestingSide, tick: number, qtyLot: number, tNs: number): void {
    if (side.count === 0) return;
    const levels = side.levels;
    let volume = qtyLot;
    for (let l = 0; l < levels.length; l++) {
      const level = levels[l]!;
      if (side.better(level.tick, tick)) {
        // priced through the trade: the aggressor reached us before the level it printed at
        const orders = level.orders;
        for (let k = 0; k < orders.length && volume > 0; k++) {
          const o = orders[k]!;
          if (o.arrivedNs > tNs) continue; // the trade printed before this order reached the book
          const f = o.leavesLot < volume ? o.leavesLot : volume;
          volume -= f;
          this.counters.tradeThroughFills++;
          this.queueFill(o, level.tick, f, LIQ_MAKER);
        }
      } else {
        if (level.tick === tick) {
          const orders = level.orders;
          // orders queue in arrival order: those that reached the book after the trade printed are at the back
          let n = orders.length;
          while (n > 0 && orders[n - 1]!.arrivedNs > tNs) n--;
          tradeAtLevel(orders, n, volume, qtyLot);
          for (let k = 0; k < n; k++) {
            const o = orders[k]!;
            if (o.fillNowLot > 0) { this.counters.queueFills++; this.queueFill(o, tick, o.fillNowLot, LIQ_MAKER); }
          }
        }
        break;
      }
    }
    this.flushFills(ps, tNs);
  }

  /** Naive model: a trade at or through a resting order's price fills all of it. */
  private naiveTrade(ps: PaperSymbol, tick: number, tNs: number): void {
    this.naiveFillThrough(ps.bids, tick, tNs);
    this.naiveFillThrough(ps.asks, tick, tNs);
    this.flushFills(ps, tNs);
  }

  /** printedNs: a trade's time (orders that reached the book after it are not filled by it); Infinity for the book touching. */
  private naiveFillThrough(side: RestingSide, tick: number, printedNs = Infinity): void {
    const levels = side.levels;
    for (let l = 0; l < levels.length; l++) {
      const level = levels[l]!;
      if (side.better(tick, level.tick)) break;
      const orders = level.orders;
      for (let k = 0; k < orders.length; k++) {
        const o = orders[k]!;
        if (o.leavesLot > 0 && o.arrivedNs <= printedNs) this.queueFill(o, level.tick, o.leavesLot, LIQ_MAKER);
      }
    }
  }

  private batch(ps: PaperSymbol, s: SymbolState, tNs: number): void {
    this.follow(ps, s);
    if (s.state !== 'live') {
      ps.synced = false;
      ps.taken.clear();
      this.runTaken(ps, tNs, isCancel);
      return;
    }
    this.runTaken(ps, tNs, isCancelOfBooked);
    if (!ps.synced) this.resync(ps);
    else if (!this.naive) this.observe(ps, s.book);
    if (ps.bids.count + ps.asks.count > 0 || ps.taken.size > 0) {
      ps.taken.decay(this.books, s.book);
      if (!s.crossed) {
        if (this.naive) this.naiveBookTouch(ps, s.book);
        else { this.bookThrough(ps, ps.bids); this.bookThrough(ps, ps.asks); }
      }
      this.flushFills(ps, tNs);
    }
    this.runDue(ps, tNs);
  }

  /** The displayed size at every resting order's price moves its queue position (cancels ahead, trades seen). */
  private observe(ps: PaperSymbol, book: number): void {
    const books = this.books;
    const q = this.qp;
    // the log and power models read quantities in the instrument's units
    if (q.model === 'log' || q.model === 'power') q.lotQty = Number(ps.feed.instrument.lotSize);
    for (let side = 0; side < 2; side++) {
      const levels = ps.side(side).levels;
      for (let l = 0; l < levels.length; l++) {
        const level = levels[l]!;
        const shown = books.levelQty(book, side, level.tick);
        const orders = level.orders;
        for (let k = 0; k < orders.length; k++) observeLevel(orders[k]!, shown, q);
      }
    }
  }

  /**
   * Opposite liquidity we have not taken at or through our resting orders' prices
   * (someone sent a crossing order: it would have traded with us) fills them, best
   * price first, at their own price.
   */
  private bookThrough(ps: PaperSymbol, side: RestingSide): void {
    const levels = side.levels;
    const first = levels[0];
    if (first === undefined) return;
    const books = this.books;
    const book = ps.feed.book;
    const opp = side.side ^ 1;
    const oppBest = opp === 1 ? books.bestAskTick(book) : books.bestBidTick(book);
    if (side.better(oppBest, first.tick)) return; // nothing crosses our best price
    // read the crossing opposite levels (untaken part) before reporting anything
    const xTick = this.xTick;
    const xAvail = this.xAvail;
    xTick.length = 0;
    xAvail.length = 0;
    let depth = FIRST_DEPTH;
    for (let i = 0; ;) {
      const packed = books.topN(book, depth);
      const count = opp === 1 ? packed >>> 16 : packed & 0xffff;
      let beyond = false;
      for (; i < count; i++) {
        const tick = opp === 1 ? books.depthAskTick(i) : books.depthBidTick(i);
        if (side.better(tick, first.tick)) { beyond = true; break; }
        const avail = (opp === 1 ? books.depthAskQty(i) : books.depthBidQty(i)) - ps.taken.get(opp, tick);
        if (avail > 0) { xTick.push(tick); xAvail.push(avail); }
      }
      if (beyond || count < depth || depth >= MAX_DEPTH_LEVELS) break;
      depth = Math.min(depth * 4, MAX_DEPTH_LEVELS);
    }
    let j = 0;
    for (let l = 0; l < levels.length && j < xTick.length; l++) {
      const level = levels[l]!;
      const orders = level.orders;
      for (let k = 0; k < orders.length; k++) {
        const o = orders[k]!;
        for (let x = j; x < xTick.length && o.leavesLot > 0; x++) {
          if (side.better(xTick[x]!, level.tick)) break; // this and every later opposite level is outside our price
          const avail = xAvail[x]!;
          if (avail <= 0) continue;
          const f = avail < o.leavesLot ? avail : o.leavesLot;
          xAvail[x] = avail - f;
          ps.taken.add(opp, xTick[x]!, f);
          this.counters.bookThroughFills++;
          this.queueFill(o, level.tick, f, LIQ_MAKER);
        }
      }
      while (j < xTick.length && xAvail[j]! <= 0) j++;
    }
  }

  /** Naive model: the opposite best at or through a resting order's price fills all of it. */
  private naiveBookTouch(ps: PaperSymbol, book: number): void {
    const bestAsk = this.books.bestAskTick(book);
    const bestBid = this.books.bestBidTick(book);
    if (ps.bids.count > 0) this.naiveFillThrough(ps.bids, bestAsk);
    if (ps.asks.count > 0) this.naiveFillThrough(ps.asks, bestBid);
  }
}

/** Why the exchange refuses an order outright, or null. */
function checkOrder(o: VenueOrder): string | null {
  if (!Number.isSafeInteger(o.qtyLot) || o.qtyLot <= 0) return 'quantity must be a positive whole number of lots';
  if (o.type === 'LIMIT') {
    if (!Number.isSafeInteger(o.priceTick) || o.priceTick <= 0) return 'limit price must be a positive whole number of ticks';
  } else if (o.type === 'MARKET') {
    if (o.timeInForce === 'POST_ONLY') return 'a market order cannot be post-only';
  } else {
    return `unknown order type ${String(o.type)}`;
  }
  return null;
}

/**
 * Reports on their way back to the strategy (response latency): each is due at its
 * exchange event time + the response latency and is delivered once the strategy's
 * clock reaches that; delivery keeps the order the exchange produced them in (a
 * report is never due before the one queued ahead of it).
 */
class DelayedReports implements VenueReports {
  private readonly due: number[] = [];
  /** Orders with fills not yet delivered, and how many. */
  private readonly unheard = new Map<string, { o: PaperOrder; n: number }>();
  private readonly run: (() => void)[] = [];
  private head = 0;
  private lastDue = -Infinity;
  private pumping = false;
  constructor(private readonly ex: PaperExchange) {}

  get length(): number { return this.run.length - this.head; }

  private push(tNs: number, f: () => void): void {
    let d = tNs + this.ex.responseNs(tNs);
    if (d < this.lastDue) d = this.lastDue;
    this.lastDue = d;
    this.due.push(d);
    this.run.push(f);
    this.ex.counters.delayedReports++;
  }

  /** Delivers, in order, the reports due at or before nowNs (anything they cause goes through the queue again). */
  pump(nowNs: number): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.head < this.run.length && this.due[this.head]! <= nowNs) {
        const f = this.run[this.head]!;
        this.head++;
        f();
      }
      if (this.head === this.run.length) { this.head = 0; this.due.length = 0; this.run.length = 0; }
      else if (this.head > 1024) { this.due.splice(0, this.head); this.run.splice(0, this.head); this.head = 0; }
    } finally {
      this.pumping = false;
    }
  }

  /** The order of a fill still on its way to the strategy. */
  unheardFill(orderId: string): PaperOrder | undefined { return this.unheard.get(orderId)?.o; }

  fill(o: PaperOrder, tradeId: string, tick: number, lots: number, fee: string, liq: Liquidity, tNs: number): void {
    const u = this.unheard.get(o.orderId);
    if (u === undefined) this.unheard.set(o.orderId, { o, n: 1 });
    else u.n++;
    this.push(tNs, () => {
      const w = this.unheard.get(o.orderId)!;
      if (--w.n === 0) this.unheard.delete(o.orderId);
      if (o.cancelSentNs >= 0) this.ex.counters.fillsAfterCancelSent++;
      this.ex.deliverTo().onFill(o.orderId, tradeId, tick, lots, fee, liq, tNs);
    });
  }

  onAccepted(orderId: string, tNs: number): void { this.push(tNs, () => this.ex.deliverTo().onAccepted(orderId, tNs)); }
  onRejected(orderId: string, reason: string, tNs: number): void { this.push(tNs, () => this.ex.deliverTo().onRejected(orderId, reason, tNs)); }
  onFill(orderId: string, tradeId: string, tick: number, lots: number, fee: string, liq: Liquidity, tNs: number): void {
    this.push(tNs, () => this.ex.deliverTo().onFill(orderId, tradeId, tick, lots, fee, liq, tNs));
  }
  onCancelled(orderId: string, reason: string, tNs: number): void { this.push(tNs, () => this.ex.deliverTo().onCancelled(orderId, reason, tNs)); }
  onCancelRejected(orderId: string, reason: string, tNs: number): void { this.push(tNs, () => this.ex.deliverTo().onCancelRejected(orderId, reason, tNs)); }
}
