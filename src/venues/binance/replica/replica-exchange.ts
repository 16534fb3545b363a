// The replica's matching and account core, transport-free: orders go to a
// PaperExchange (zero latency, so its reports arrive before submit/cancel return)
// and come back as Binance orders, trades, balances (spot) or positions (USD-M),
// and user-data events. REST and WebSocket handlers call this; tests read it
// through GET /__replica/state.
import { randomBytes } from 'node:crypto';
import type { Liquidity } from '../../../trading/types.js';
import type { VenueReports } from '../../../execution/venue.js';
import { bpsToRateE8, E8, formatE8, mulE8, parseE8 } from './fixed.js';
import {
  accountUpdate, executionReport, fundingAccountUpdate, orderTradeUpdate, outboundAccountPosition, type ExecType,
} from './formats.js';
import { fundingIncomeE8, fundingSettings, nextFundingTimeMs, type FundingSettings } from './funding.js';
import { IncomeBook, incomeJson } from './income.js';
import { err, ReplicaError } from './replica-error.js';
import type { ReplicaMarket } from './replica-market.js';
import { isOpen, type NewOrder, type ReplicaOrder, type ReplicaTrade } from './replica-order.js';
import { DEFAULT_FILTERS, ReplicaSymbol, type FilterSettings } from './replica-symbol.js';
import { FuturesWallet, SpotWallet } from './wallets.js';

export interface ExchangeOptions {
  readonly futures: boolean;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  /** Starting balances, asset → decimal string. */
  readonly balances: Readonly<Record<string, string>>;
  readonly filters: FilterSettings;
  readonly leverage: number;
  /** USD-M funding: every intervalMs since the epoch, at one fixed rate (funding.ts). */
  readonly funding: FundingSettings;
}

export const DEFAULT_SPOT_BALANCES: Readonly<Record<string, string>> = Object.freeze({ USDT: '100000', BTC: '10', ETH: '100', LTC: '1000', USD: '100000' });
export const DEFAULT_FUTURES_BALANCES: Readonly<Record<string, string>> = Object.freeze({ USDT: '100000' });

/** A user-data event ready to send (spot: wrapped by the WS API; USD-M: sent as is on /ws/<listenKey>). */
export type UserEventListener = (event: Record<string, unknown>) => void;

export class ReplicaExchange implements VenueReports {
  readonly market: ReplicaMarket;
  readonly options: ExchangeOptions;
  readonly futures: boolean;
  readonly spot: SpotWallet;
  readonly perp: FuturesWallet;
  readonly orders = new Map<number, ReplicaOrder>();
  readonly trades: ReplicaTrade[] = [];
  readonly listeners = new Set<UserEventListener>();
  /** USD-M income history (GET /fapi/v1/income). */
  readonly income = new IncomeBook();
  /** The last funding time, ms (0 before the first). */
  lastFundingTimeMs = 0;
  /** Called on an order's first fill (the unfilled order count gives it back). */
  onFirstFill: ((maker: boolean) => void) | null = null;
  /** Server time, ms (the fault layer may skew it). */
  clock: () => number = () => Date.now();
  private readonly symbols = new Map<string, ReplicaSymbol>();
  private readonly byPaperId = new Map<string, ReplicaOrder>();
  private readonly makerRate: bigint;
  private readonly takerRate: bigint;
  private readonly realizedBySymbol = new Map<string, bigint>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  private nextExecutionId = 1;
  /** What the paper exchange said during the current synchronous call. */
  private rejectedNow: string | null = null;
  private cancelRejectedNow = false;
  private suppressCancelEvent = false;

  constructor(market: ReplicaMarket, options: Partial<ExchangeOptions> = {}) {
    this.market = market;
    const futures = options.futures ?? false;
    this.options = {
      futures, makerFeeBps: options.makerFeeBps ?? 10, takerFeeBps: options.takerFeeBps ?? 10,
      balances: options.balances ?? (futures ? DEFAULT_FUTURES_BALANCES : DEFAULT_SPOT_BALANCES),
      filters: options.filters ?? DEFAULT_FILTERS, leverage: options.leverage ?? 20, funding: options.funding ?? fundingSettings(),
    };
    this.futures = futures;
    this.makerRate = bpsToRateE8(this.options.makerFeeBps);
    this.takerRate = bpsToRateE8(this.options.takerFeeBps);
    const initial: Record<string, bigint> = {};
    for (const [a, v] of Object.entries(this.options.balances)) {
      const e8 = parseE8(v);
      if (e8 === null || e8 < 0n) throw new Error(`replica: balance of ${a} must be a decimal with at most 8 decimals, got ${JSON.stringify(v)}`);
      initial[a] = e8;
    }
    this.spot = new SpotWallet(initial);
    this.perp = new FuturesWallet('USDT', initial['USDT'] ?? 0n);
    market.paper.connect(this);
  }

  /** The symbols the market defines (read again when the market adds one or the venue's grid of one changes). */
  symbol(name: string): ReplicaSymbol | undefined {
    let s = this.symbols.get(name);
    const st = this.market.symbol(name);
    if (st === undefined) return undefined;
    const grid = this.market.publishedGrid(name);
    if (s === undefined || s.state !== st || s.grid !== grid) {
      try {
        s = new ReplicaSymbol(st, this.options.filters, grid);
      } catch {
        return undefined; // a grid finer than Binance's 8 decimals: not tradable here
      }
      this.symbols.set(name, s);
    }
    return s;
  }

  allSymbols(): ReplicaSymbol[] {
    return this.market.symbols().map((s) => this.symbol(s.symbol)).filter((s): s is ReplicaSymbol => s !== undefined);
  }

  get makerBps(): number { return this.options.makerFeeBps; }
  get takerBps(): number { return this.options.takerFeeBps; }

  /** Reference price for PERCENT_PRICE filters and market-order notionals: last trade, else mid; 0n when unknown. */
  referenceE8(sym: ReplicaSymbol): bigint {
    const st = sym.state;
    if (st.counters.trades > 0 && st.lastTradeTick > 0) return sym.priceE8(st.lastTradeTick);
    return this.markE8(sym);
  }

  markE8(sym: ReplicaSymbol): bigint {
    const b = this.market.best(sym.symbol);
    if (Number.isNaN(b.bid) || Number.isNaN(b.ask)) return 0n;
    return (sym.priceE8(b.bid) + sym.priceE8(b.ask)) / 2n;
  }

  // ---- orders -----------------------------------------------------------------------------

  newClientOrderId(): string { return (this.futures ? 'rep_' : 'rep') + randomBytes(12).toString('base64url').slice(0, 18); }

  findOpenByClientId(symbol: string, clientOrderId: string): ReplicaOrder | undefined {
    for (const o of this.orders.values()) if (o.sym.symbol === symbol && o.clientOrderId === clientOrderId && isOpen(o)) return o;
    return undefined;
  }

  /** orderId first, then origClientOrderId (both given: they must name the same order, else -2039). */
  find(symbol: string, orderId: number | null, origClientOrderId: string | null): ReplicaOrder | undefined {
    if (orderId !== null) {
      const o = this.orders.get(orderId);
      if (o === undefined || o.sym.symbol !== symbol) return undefined;
      if (origClientOrderId !== null && o.clientOrderId !== origClientOrderId) {
        throw new ReplicaError(400, -2039, 'Client order ID is not correct for this order ID.');
      }
      return o;
    }
    if (origClientOrderId === null) return undefined;
    let found: ReplicaOrder | undefined;
    for (const o of this.orders.values()) if (o.sym.symbol === symbol && o.clientOrderId === origClientOrderId) found = o; // the latest
    return found;
  }

  openOrders(symbol: string | null): ReplicaOrder[] {
    return [...this.orders.values()].filter((o) => isOpen(o) && (symbol === null || o.sym.symbol === symbol));
  }

  /** Places an order; returns it with the fills it made at once. Throws ReplicaError when refused. */
  place(n: NewOrder): { order: ReplicaOrder; fills: ReplicaTrade[] } {
    const now = this.clock();
    const sym = n.sym;
    const clientOrderId = n.clientOrderId ?? this.newClientOrderId();
    if (this.findOpenByClientId(sym.symbol, clientOrderId) !== undefined) {
      throw this.futures ? new ReplicaError(400, -4116, 'ClientOrderId is duplicated.') : err.rejected('Duplicate order sent.');
    }
    if (this.futures && n.reduceOnly) {
      const p = this.perp.position(sym.symbol);
      const reduces = p.amtLot !== 0 && (p.amtLot > 0) === (n.side === 'SELL') && n.qtyLot <= Math.abs(p.amtLot);
      if (!reduces) throw new ReplicaError(400, -2022, 'ReduceOnly Order is rejected.');
    }
    const o: ReplicaOrder = {
      sym, orderId: this.nextOrderId, clientOrderId, side: n.side, type: n.type, timeInForce: n.timeInForce,
      priceTick: n.priceTick, qtyLot: n.qtyLot, executedLot: 0, cumQuoteE8: 0n, status: 'NEW', time: now, updateTime: now,
      workingTime: -1, reduceOnly: n.reduceOnly, lockedE8: 0n, lockAsset: '', paperId: '', versions: 0,
      cancelRequested: false, cancelClientOrderId: null, realizedE8: 0n,
    };
    if (!this.futures) this.lockFor(o);
    this.nextOrderId++;
    this.orders.set(o.orderId, o);
    const before = this.trades.length;
    const rejected = this.submit(o);
    if (rejected !== null) {
      this.orders.delete(o.orderId);
      this.byPaperId.delete(o.paperId);
      if (!this.futures && o.lockedE8 > 0n) { this.spot.unlock(o.lockAsset, o.lockedE8); o.lockedE8 = 0n; }
      if (this.futures) {
        throw new ReplicaError(400, -5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history');
      }
      throw err.rejected('Order would immediately match and take.');
    }
    return { order: o, fills: this.trades.slice(before).filter((t) => t.orderId === o.orderId) };
  }

  private lockFor(o: ReplicaOrder): void {
    const sym = o.sym;
    if (o.side === 'SELL') {
      o.lockAsset = sym.baseAsset;
      o.lockedE8 = sym.qtyE8(o.qtyLot);
    } else if (o.type !== 'MARKET') {
      o.lockAsset = sym.quoteAsset;
      o.lockedE8 = sym.notionalE8(o.priceTick, o.qtyLot);
    } else {
      // a market buy locks nothing; it needs the quote its size costs at the best ask
      const ask = this.market.best(sym.symbol).ask;
      const need = Number.isNaN(ask) ? 0n : sym.notionalE8(ask, o.qtyLot);
      if (this.spot.get(sym.quoteAsset).free < need) throw err.rejected('Account has insufficient balance for requested action.');
      return;
    }
    if (!this.spot.lock(o.lockAsset, o.lockedE8)) {
      o.lockedE8 = 0n;
      throw err.rejected('Account has insufficient balance for requested action.');
    }
    this.spot.updateTime = o.time;
  }

  /** Sends the order's current version to the paper exchange; returns the reject reason, if any. */
  private submit(o: ReplicaOrder): string | null {
    o.versions++;
    o.paperId = `${o.orderId}.${o.versions}`;
    this.byPaperId.set(o.paperId, o);
    this.rejectedNow = null;
    const postOnly = o.type === 'LIMIT_MAKER' || o.timeInForce === 'GTX';
    this.market.paper.submit({
      orderId: o.paperId, clientOrderId: o.clientOrderId, strategyId: 'replica', symbol: o.sym.symbol, side: o.side,
      type: o.type === 'MARKET' ? 'MARKET' : 'LIMIT', timeInForce: postOnly ? 'POST_ONLY' : o.timeInForce === 'IOC' ? 'IOC' : 'GTC',
      priceTick: o.type === 'MARKET' ? NaN : o.priceTick, qtyLot: o.qtyLot - o.executedLot,
    });
    const r = this.rejectedNow;
    this.rejectedNow = null;
    return r;
  }

  /** Cancels an open order. Throws -2011 when it is unknown or already closed. */
  cancel(symbol: string, orderId: number | null, origClientOrderId: string | null, cancelClientOrderId: string | null): ReplicaOrder {
    const o = this.find(symbol, orderId, origClientOrderId);
    if (o === undefined || !isOpen(o)) throw err.cancelRejected();
    o.cancelRequested = true;
    o.cancelClientOrderId = this.futures ? null : cancelClientOrderId ?? this.newClientOrderId();
    this.cancelRejectedNow = false;
    this.market.paper.cancel(o.paperId);
    if (this.cancelRejectedNow || isOpen(o)) {
      o.cancelRequested = false;
      o.cancelClientOrderId = null;
      throw err.cancelRejected();
    }
    return o;
  }

  cancelAll(symbol: string): ReplicaOrder[] {
    const out: ReplicaOrder[] = [];
    for (const o of this.openOrders(symbol)) out.push(this.cancel(symbol, o.orderId, null, null));
    return out;
  }

  /** USD-M modify: new price and quantity, back of the queue (a new paper order under the same orderId). */
  modify(symbol: string, orderId: number | null, origClientOrderId: string | null, side: 'BUY' | 'SELL', priceTick: number, qtyLot: number): ReplicaOrder {
    const o = this.find(symbol, orderId, origClientOrderId);
    if (o === undefined) throw err.noSuchOrder();
    if (!isOpen(o)) throw new ReplicaError(400, -2013, 'Order does not exist.');
    if (o.type !== 'LIMIT') throw new ReplicaError(400, -4028, 'Only limit order can be modified.');
    if (o.side !== side) throw new ReplicaError(400, -1130, "Data sent for parameter 'side' is not valid.");
    if (priceTick === o.priceTick && qtyLot === o.qtyLot) throw new ReplicaError(400, -5027, 'No need to modify the order.');
    this.suppressCancelEvent = true;
    this.cancelRejectedNow = false;
    try {
      this.market.paper.cancel(o.paperId);
    } finally {
      this.suppressCancelEvent = false;
    }
    if (this.cancelRejectedNow) throw err.noSuchOrder();
    const now = this.clock();
    o.updateTime = now;
    if (qtyLot <= o.executedLot) {
      o.status = 'CANCELED';
      this.emitOrder(o, 'CANCELED', null);
      return o;
    }
    o.priceTick = priceTick;
    o.qtyLot = qtyLot;
    o.status = o.executedLot > 0 ? 'PARTIALLY_FILLED' : 'NEW';
    this.amending = o;
    const rejected = this.submit(o);
    const unannounced = this.amending === o;
    this.amending = null;
    if (rejected !== null) {
      // a GTX order the new price would make cross is cancelled by the amendment
      o.status = 'CANCELED';
      this.emitOrder(o, 'CANCELED', null);
    } else if (unannounced) this.emitOrder(o, 'AMENDMENT', null);
    return o;
  }

  private amending: ReplicaOrder | null = null;

  // ---- VenueReports (the paper exchange's answers) ------------------------------------------

  onAccepted(paperId: string): void {
    const o = this.byPaperId.get(paperId);
    if (o === undefined) return;
    if (o.workingTime < 0 || o.versions > 1) o.workingTime = this.clock();
    if (this.amending === o) {
      this.amending = null;
      this.emitOrder(o, 'AMENDMENT', null);
      return;
    }
    if (o.versions === 1) {
      this.emitOrder(o, 'NEW', null);
      if (!this.futures && o.lockedE8 > 0n) this.emitAccount(o, null); // the order's lock moved free to locked
    }
  }

  onRejected(paperId: string, reason: string): void {
    this.rejectedNow = reason;
    this.byPaperId.delete(paperId);
  }

  onFill(paperId: string, _tradeId: string, tick: number, lot: number, _fee: string, liquidity: Liquidity): void {
    const o = this.byPaperId.get(paperId);
    if (o === undefined) return;
    const now = this.clock();
    const sym = o.sym;
    const maker = liquidity === 'MAKER';
    const rate = maker ? this.makerRate : this.takerRate;
    const quote = sym.notionalE8(tick, lot);
    const qty = sym.qtyE8(lot);
    let commission: bigint;
    let commissionAsset: string;
    let realized = 0n;
    if (this.futures) {
      commission = mulE8(quote, rate);
      commissionAsset = this.perp.asset;
      realized = this.perp.fill(sym.symbol, o.side === 'BUY' ? lot : -lot, sym.priceE8(tick), sym.lotE8, now).realizedE8;
      this.perp.walletE8 -= commission;
      this.perp.updateTime = now;
      o.realizedE8 += realized;
      this.realizedBySymbol.set(sym.symbol, (this.realizedBySymbol.get(sym.symbol) ?? 0n) + realized);
      const tradeId = String(this.nextTradeId);
      if (realized !== 0n) this.income.add({ symbol: sym.symbol, incomeType: 'REALIZED_PNL', incomeE8: realized, asset: this.perp.asset, timeMs: now, tradeId });
      if (commission !== 0n) this.income.add({ symbol: sym.symbol, incomeType: 'COMMISSION', incomeE8: -commission, asset: this.perp.asset, timeMs: now, tradeId });
    } else {
      const w = this.spot;
      if (o.side === 'BUY') {
        commission = mulE8(qty, rate);
        commissionAsset = sym.baseAsset;
        if (o.type === 'MARKET') {
          w.get(sym.quoteAsset).free -= quote;
        } else {
          const held = sym.notionalE8(o.priceTick, lot);
          w.get(sym.quoteAsset).locked -= held;
          w.get(sym.quoteAsset).free += held - quote;
          o.lockedE8 -= held;
        }
        w.get(sym.baseAsset).free += qty - commission;
      } else {
        commission = mulE8(quote, rate);
        commissionAsset = sym.quoteAsset;
        w.get(sym.baseAsset).locked -= qty;
        o.lockedE8 -= qty;
        w.get(sym.quoteAsset).free += quote - commission;
      }
      w.updateTime = now;
    }
    const first = o.executedLot === 0;
    o.executedLot += lot;
    o.cumQuoteE8 += quote;
    o.status = o.executedLot >= o.qtyLot ? 'FILLED' : 'PARTIALLY_FILLED';
    o.updateTime = now;
    const t: ReplicaTrade = {
      id: this.nextTradeId++, symbol: sym.symbol, orderId: o.orderId, side: o.side, priceTick: tick, qtyLot: lot,
      quoteE8: quote, commissionE8: commission, commissionAsset, time: now, isMaker: maker, realizedE8: realized,
    };
    this.trades.push(t);
    if (first) this.onFirstFill?.(maker);
    if (o.status === 'FILLED') this.release(o);
    this.emitOrder(o, 'TRADE', t);
    this.emitAccount(o, t);
  }

  onCancelled(paperId: string): void {
    const o = this.byPaperId.get(paperId);
    if (o === undefined) return;
    this.byPaperId.delete(paperId);
    if (this.suppressCancelEvent) return;
    o.status = o.cancelRequested ? 'CANCELED' : 'EXPIRED';
    o.updateTime = this.clock();
    this.release(o);
    this.emitOrder(o, o.status === 'CANCELED' ? 'CANCELED' : 'EXPIRED', null);
    if (!this.futures) this.emitAccount(o, null);
  }

  onCancelRejected(): void { this.cancelRejectedNow = true; }

  /** Gives back what a closed spot order still holds. */
  private release(o: ReplicaOrder): void {
    if (this.futures || o.lockedE8 === 0n) return;
    this.spot.unlock(o.lockAsset, o.lockedE8);
    o.lockedE8 = 0n;
    this.spot.updateTime = o.updateTime;
  }

  // ---- user-data events ------------------------------------------------------------------------

  private emit(e: Record<string, unknown>): void {
    for (const l of this.listeners) l(e);
  }

  private emitOrder(o: ReplicaOrder, x: ExecType, t: ReplicaTrade | null): void {
    if (this.listeners.size === 0) return;
    const now = this.clock();
    if (this.futures) {
      let bids = 0n;
      let asks = 0n;
      for (const q of this.openOrders(o.sym.symbol)) {
        if (Number.isNaN(q.priceTick)) continue;
        const v = q.sym.notionalE8(q.priceTick, q.qtyLot - q.executedLot);
        if (q.side === 'BUY') bids += v; else asks += v;
      }
      this.emit(orderTradeUpdate(o, x, now, t, bids, asks));
    } else {
      this.emit(executionReport(o, x, now, this.nextExecutionId++, t, isOpen(o) && o.workingTime >= 0));
    }
  }

  private emitAccount(o: ReplicaOrder, t: ReplicaTrade | null): void {
    if (this.listeners.size === 0) return;
    const now = this.clock();
    if (this.futures) {
      if (t === null) return;
      this.emit(accountUpdate(this.perp, o.sym, this.realizedBySymbol.get(o.sym.symbol) ?? 0n, this.markE8(o.sym), now, t.realizedE8 - t.commissionE8));
    } else {
      const assets = o.sym.baseAsset === o.sym.quoteAsset ? [o.sym.baseAsset] : [o.sym.baseAsset, o.sym.quoteAsset];
      this.emit(outboundAccountPosition(this.spot, assets, now));
    }
  }

  // ---- funding (USD-M) ------------------------------------------------------------------------

  /** The next funding time after `nowMs`. */
  nextFundingTimeMs(nowMs: number): number {
    return nextFundingTimeMs(nowMs, this.options.funding.intervalMs);
  }

  /**
   * Funding at `timeMs`: every non-zero position pays or receives −positionAmt × mark × rate
   * (funding.ts), booked to the wallet, kept as a FUNDING_FEE income record and pushed as an
   * ACCOUNT_UPDATE (reason FUNDING_FEE, the balance only: positions are cross margin). A
   * position without a mark (an empty book) is skipped. Returns the records.
   */
  fund(timeMs: number): ReturnType<IncomeBook['add']>[] {
    if (!this.futures) return [];
    const out: ReturnType<IncomeBook['add']>[] = [];
    const rate = this.options.funding.rateE8;
    for (const [symbol, p] of [...this.perp.positions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (p.amtLot === 0) continue;
      const sym = this.symbol(symbol);
      if (sym === undefined) continue;
      const mark = this.markE8(sym);
      if (mark === 0n) continue;
      const value = (mark * sym.qtyE8(Math.abs(p.amtLot))) / E8;
      const incomeE8 = fundingIncomeE8(p.amtLot > 0 ? value : -value, rate);
      if (incomeE8 === 0n) continue;
      this.perp.walletE8 += incomeE8;
      this.perp.updateTime = timeMs;
      const rec = this.income.add({ symbol, incomeType: 'FUNDING_FEE', incomeE8, asset: this.perp.asset, timeMs, tradeId: '' });
      out.push(rec);
      this.emit(fundingAccountUpdate(this.perp, incomeE8, timeMs, this.clock()));
    }
    this.lastFundingTimeMs = timeMs;
    return out;
  }

  // ---- views -------------------------------------------------------------------------------------

  /** Trades of a symbol, ascending id: from fromId (inclusive), else the most recent `limit`. */
  myTrades(symbol: string, orderId: number | null, fromId: number | null, limit: number): ReplicaTrade[] {
    let ts = this.trades.filter((t) => t.symbol === symbol && (orderId === null || t.orderId === orderId));
    if (fromId !== null) ts = ts.filter((t) => t.id >= fromId).slice(0, limit);
    else ts = ts.slice(Math.max(0, ts.length - limit));
    return ts;
  }

  /** Everything, exactly, for GET /__replica/state. */
  state(): Record<string, unknown> {
    const orders = [...this.orders.values()].map((o) => ({
      symbol: o.sym.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId, side: o.side, type: o.type, timeInForce: o.timeInForce,
      price: Number.isNaN(o.priceTick) ? null : o.sym.price(o.priceTick), origQty: o.sym.qty(o.qtyLot), executedQty: o.sym.qty(o.executedLot),
      cummulativeQuoteQty: formatE8(o.cumQuoteE8), status: o.status, queueAheadQty: this.queueAhead(o), time: o.time, updateTime: o.updateTime,
    }));
    const trades = this.trades.map((t) => {
      const sym = this.symbol(t.symbol)!;
      return {
        id: t.id, symbol: t.symbol, orderId: t.orderId, side: t.side, price: sym.price(t.priceTick), qty: sym.qty(t.qtyLot), quoteQty: formatE8(t.quoteE8),
        commission: formatE8(t.commissionE8), commissionAsset: t.commissionAsset, isMaker: t.isMaker, realizedPnl: formatE8(t.realizedE8), time: t.time,
      };
    });
    const out: Record<string, unknown> = { futures: this.futures, orders, trades };
    if (this.futures) {
      out['walletBalance'] = formatE8(this.perp.walletE8);
      out['income'] = this.income.records.map(incomeJson);
      out['lastFundingTime'] = this.lastFundingTimeMs;
      out['positions'] = [...this.perp.positions.entries()].map(([s, p]) => {
        const sym = this.symbol(s)!;
        return { symbol: s, positionAmt: sym.qty(p.amtLot), cost: formatE8(p.costE8), realizedPnl: formatE8(this.realizedBySymbol.get(s) ?? 0n) };
      });
    } else {
      out['balances'] = [...this.spot.balances.entries()].map(([asset, b]) => ({ asset, free: formatE8(b.free), locked: formatE8(b.locked) }));
    }
    return out;
  }

  private queueAhead(o: ReplicaOrder): string | null {
    if (!isOpen(o)) return null;
    const lots = this.market.paper.queueAheadLot(o.paperId);
    return lots === undefined ? null : o.sym.qty(lots);
  }
}

