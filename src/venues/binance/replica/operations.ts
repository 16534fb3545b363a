// What each trading request does and answers, the same for REST and the WebSocket
// APIs (they differ only in transport, signing and weights). Spot answers follow
// rest-api.md / web-socket-api.md; USD-M answers binance-connector-js
// derivatives-trading-usds-futures (rest-api/modules/trade-api.ts and its types).
import { formatE8, parseE8 } from './fixed.js';
import {
  futuresOrder, futuresTrade, positionRisk, positionRiskV3, premiumIndex, spotAccount, spotCancelResult, spotFill, spotOrderQuery, spotOrderResult, spotTrade,
} from './formats.js';
import { exchangeInfoSymbols, intParam, need, optional, orderRef, parseNewOrder, symbolParam, type Params } from './order-params.js';
import { err, ReplicaError } from './replica-error.js';
import type { ReplicaExchange } from './replica-exchange.js';
import type { ReplicaOrder } from './replica-order.js';
import type { RateLimitDef } from './rate-limiter.js';

export class ReplicaOperations {
  readonly ex: ReplicaExchange;
  readonly rateLimits: readonly RateLimitDef[];
  private readonly countdowns = new Map<string, NodeJS.Timeout>();

  constructor(ex: ReplicaExchange, rateLimits: readonly RateLimitDef[]) {
    this.ex = ex;
    this.rateLimits = rateLimits;
  }

  close(): void {
    for (const t of this.countdowns.values()) clearTimeout(t);
    this.countdowns.clear();
  }

  time(now: number): Record<string, unknown> { return { serverTime: now }; }

  exchangeInfo(p: Params, now: number): Record<string, unknown> {
    const ex = this.ex;
    // USD-M's /fapi/v1/exchangeInfo takes no symbol filter: every symbol, whatever the query
    const names = ex.futures ? null : exchangeInfoSymbols(p);
    const syms = names === null ? ex.allSymbols() : names.map((n) => { const s = ex.symbol(n); if (s === undefined) throw err.badSymbol(); return s; });
    if (ex.futures) {
      return {
        timezone: 'UTC', serverTime: now, futuresType: 'U_MARGINED', rateLimits: this.rateLimits, exchangeFilters: [],
        assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '0' }],
        symbols: syms.map((s) => ({
          symbol: s.symbol, pair: s.symbol, contractType: 'PERPETUAL', deliveryDate: 4133404800000, onboardDate: 1569398400000,
          status: 'TRADING', maintMarginPercent: '2.5000', requiredMarginPercent: '5.0000', baseAsset: s.baseAsset, quoteAsset: s.quoteAsset,
          marginAsset: 'USDT', pricePrecision: s.pricePrecision, quantityPrecision: s.quantityPrecision, baseAssetPrecision: 8,
          quotePrecision: 8, underlyingType: 'COIN', underlyingSubType: [], triggerProtect: '0.0500', liquidationFee: '0.012500',
          marketTakeBound: '0.05', maxMoveOrderLimit: 10000, filters: s.futuresFilters(), orderTypes: ['LIMIT', 'MARKET'],
          timeInForce: ['GTC', 'IOC', 'GTX'],
        })),
      };
    }
    return {
      timezone: 'UTC', serverTime: now, rateLimits: this.rateLimits, exchangeFilters: [],
      symbols: syms.map((s) => ({
        symbol: s.symbol, status: 'TRADING', baseAsset: s.baseAsset, baseAssetPrecision: 8, quoteAsset: s.quoteAsset, quotePrecision: 8,
        quoteAssetPrecision: 8, baseCommissionPrecision: 8, quoteCommissionPrecision: 8, orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
        icebergAllowed: false, ocoAllowed: false, otoAllowed: false, opoAllowed: false, quoteOrderQtyMarketAllowed: false, allowTrailingStop: false,
        cancelReplaceAllowed: true, amendAllowed: false, pegInstructionsAllowed: false, isSpotTradingAllowed: true, isMarginTradingAllowed: false,
        filters: s.spotFilters(), permissions: [], permissionSets: [['SPOT']], defaultSelfTradePreventionMode: 'NONE',
        allowedSelfTradePreventionModes: ['NONE'],
      })),
    };
  }

  // ---- spot ---------------------------------------------------------------------------------

  orderPlace(p: Params, now: number): Record<string, unknown> {
    const { order, respType } = parseNewOrder(p, this.ex);
    const { order: o, fills } = this.ex.place(order);
    if (this.ex.futures) return futuresOrder(o, false);
    if (respType === 'ACK') return { symbol: o.sym.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: now };
    const r = spotOrderResult(o, now);
    if (respType === 'FULL') r['fills'] = fills.map((t) => spotFill(t, o.sym));
    return r;
  }

  orderCancel(p: Params, now: number): Record<string, unknown> {
    const sym = symbolParam(p, this.ex);
    const { orderId, clientId } = orderRef(p);
    const o = this.ex.cancel(sym.symbol, orderId, clientId, optional(p, 'newClientOrderId'));
    return this.ex.futures ? futuresOrder(o, false) : spotCancelResult(o, now);
  }

  orderStatus(p: Params): Record<string, unknown> {
    const sym = symbolParam(p, this.ex);
    const { orderId, clientId } = orderRef(p);
    const o = this.ex.find(sym.symbol, orderId, clientId);
    if (o === undefined) throw err.noSuchOrder();
    return this.ex.futures ? futuresOrder(o, true) : spotOrderQuery(o);
  }

  openOrders(p: Params): Record<string, unknown>[] {
    const s = optional(p, 'symbol');
    if (s !== null && this.ex.symbol(s) === undefined) throw err.badSymbol();
    return this.ex.openOrders(s).map((o) => (this.ex.futures ? futuresOrder(o, true) : spotOrderQuery(o)));
  }

  cancelAll(p: Params, now: number): unknown {
    const sym = symbolParam(p, this.ex);
    const open = this.ex.openOrders(sym.symbol);
    if (this.ex.futures) {
      this.ex.cancelAll(sym.symbol);
      return { code: 200, msg: 'The operation of cancel all open order is done.' };
    }
    if (open.length === 0) throw err.cancelRejected();
    return this.ex.cancelAll(sym.symbol).map((o) => spotCancelResult(o, now));
  }

  /** POST /api/v3/order/cancelReplace: 200 both succeeded, 400 (-2022) both failed or cancel failed with STOP_ON_FAILURE, 409 (-2021) one succeeded. */
  cancelReplace(p: Params, now: number): Record<string, unknown> {
    const ex = this.ex;
    const mode = need(p, 'cancelReplaceMode');
    if (mode !== 'STOP_ON_FAILURE' && mode !== 'ALLOW_FAILURE') throw err.invalidParam('cancelReplaceMode');
    const sym = symbolParam(p, ex);
    const { orderId, clientId } = orderRef(p, 'cancelOrderId', 'cancelOrigClientOrderId');
    const parsed = parseNewOrder(p, ex); // filters are checked before anything happens
    let cancelResponse: Record<string, unknown>;
    let cancelled: ReplicaOrder | null = null;
    try {
      cancelled = ex.cancel(sym.symbol, orderId, clientId, optional(p, 'cancelNewClientOrderId'));
      cancelResponse = spotCancelResult(cancelled, now);
    } catch (e) {
      if (!(e instanceof ReplicaError)) throw e;
      cancelResponse = e.body();
    }
    if (cancelled === null && mode === 'STOP_ON_FAILURE') {
      throw new ReplicaError(400, -2022, 'Order cancel-replace failed.', {
        cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED', cancelResponse, newOrderResponse: null,
      });
    }
    let newOrderResponse: Record<string, unknown>;
    let placed = false;
    try {
      const { order: o, fills } = ex.place(parsed.order);
      placed = true;
      if (parsed.respType === 'ACK') newOrderResponse = { symbol: o.sym.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: now };
      else {
        newOrderResponse = spotOrderResult(o, now);
        if (parsed.respType === 'FULL') newOrderResponse['fills'] = fills.map((t) => spotFill(t, o.sym));
      }
    } catch (e) {
      if (!(e instanceof ReplicaError)) throw e;
      newOrderResponse = e.body();
    }
    const data = {
      cancelResult: cancelled !== null ? 'SUCCESS' : 'FAILURE', newOrderResult: placed ? 'SUCCESS' : 'FAILURE', cancelResponse, newOrderResponse,
    };
    if (cancelled !== null && placed) return data;
    if (cancelled === null && !placed) throw new ReplicaError(400, -2022, 'Order cancel-replace failed.', data);
    throw new ReplicaError(409, -2021, 'Order cancel-replace partially failed.', data);
  }

  /** GET /api/v3/allOrders (USD-M /fapi/v1/allOrders): from orderId (inclusive), else the most recent `limit`. */
  allOrders(p: Params): Record<string, unknown>[] {
    const sym = symbolParam(p, this.ex);
    const fromId = intParam(p, 'orderId', 0);
    const limit = intParam(p, 'limit', 1, 1000) ?? 500;
    let os = [...this.ex.orders.values()].filter((o) => o.sym.symbol === sym.symbol);
    if (fromId !== null) os = os.filter((o) => o.orderId >= fromId).slice(0, limit);
    else os = os.slice(Math.max(0, os.length - limit));
    return os.map((o) => (this.ex.futures ? futuresOrder(o, true) : spotOrderQuery(o)));
  }

  myTrades(p: Params): Record<string, unknown>[] {
    const sym = symbolParam(p, this.ex);
    const orderId = intParam(p, 'orderId', 0);
    const fromId = intParam(p, 'fromId', 0);
    const limit = intParam(p, 'limit', 1, 1000) ?? 500;
    return this.ex.myTrades(sym.symbol, orderId, fromId, limit).map((t) => (this.ex.futures ? futuresTrade(t, sym) : spotTrade(t, sym)));
  }

  account(p: Params): Record<string, unknown> {
    const a = spotAccount(this.ex.spot, this.ex.makerBps, this.ex.takerBps);
    if (optional(p, 'omitZeroBalances') === 'true') {
      a['balances'] = (a['balances'] as { free: string; locked: string }[]).filter((b) => !(/^0\.0+$/.test(b.free) && /^0\.0+$/.test(b.locked)));
    }
    return a;
  }

  // ---- USD-M ---------------------------------------------------------------------------------

  orderModify(p: Params): Record<string, unknown> {
    const ex = this.ex;
    const sym = symbolParam(p, ex);
    const { orderId, clientId } = orderRef(p);
    const side = need(p, 'side');
    if (side !== 'BUY' && side !== 'SELL') throw err.badSide();
    // the same checks as a new LIMIT order at the new price and quantity
    const q = new Map(p);
    q.set('type', 'LIMIT');
    q.set('timeInForce', 'GTC');
    q.delete('newClientOrderId');
    const { order } = parseNewOrder(q, ex);
    return futuresOrder(ex.modify(sym.symbol, orderId, clientId, side, order.priceTick, order.qtyLot), false);
  }

  positionRisk(p: Params): Record<string, unknown>[] {
    const ex = this.ex;
    const s = optional(p, 'symbol');
    const syms = s === null ? ex.allSymbols() : [symbolParam(p, ex)];
    return syms.map((sym) => positionRisk(ex.perp, sym, ex.markE8(sym), ex.options.leverage));
  }

  /** v3: only symbols with a position or open orders, with margins and open-order notionals. */
  positionRiskV3(p: Params): Record<string, unknown>[] {
    const ex = this.ex;
    const s = optional(p, 'symbol');
    const syms = s === null ? ex.allSymbols() : [symbolParam(p, ex)];
    const out: Record<string, unknown>[] = [];
    for (const sym of syms) {
      let bid = 0n;
      let ask = 0n;
      for (const o of ex.openOrders(sym.symbol)) {
        if (Number.isNaN(o.priceTick)) continue;
        const v = sym.notionalE8(o.priceTick, o.qtyLot - o.executedLot);
        if (o.side === 'BUY') bid += v; else ask += v;
      }
      if (ex.perp.position(sym.symbol).amtLot === 0 && bid === 0n && ask === 0n) continue;
      out.push(positionRiskV3(ex.perp, sym, ex.markE8(sym), ex.options.leverage, bid, ask));
    }
    return out;
  }

  /** The wallet with every position's unrealized PnL and margins (GET /fapi/v3/account, /fapi/v2|v3/balance). */
  private futuresTotals(): { wallet: bigint; upnl: bigint; initial: bigint; maint: bigint; posInitial: bigint; openInitial: bigint; positions: Record<string, unknown>[] } {
    const ex = this.ex;
    const rows = ex.allSymbols().map((sym) => {
      let bid = 0n;
      let ask = 0n;
      for (const o of ex.openOrders(sym.symbol)) {
        if (Number.isNaN(o.priceTick)) continue;
        const v = sym.notionalE8(o.priceTick, o.qtyLot - o.executedLot);
        if (o.side === 'BUY') bid += v; else ask += v;
      }
      return positionRiskV3(ex.perp, sym, ex.markE8(sym), ex.options.leverage, bid, ask);
    });
    const sum = (k: string): bigint => rows.reduce((a, r) => a + (parseE8(String(r[k])) ?? 0n), 0n);
    return {
      wallet: ex.perp.walletE8, upnl: sum('unRealizedProfit'), initial: sum('initialMargin'), maint: sum('maintMargin'),
      posInitial: sum('positionInitialMargin'), openInitial: sum('openOrderInitialMargin'),
      positions: rows.map((r) => ({
        symbol: r['symbol'], positionSide: 'BOTH', positionAmt: r['positionAmt'], unrealizedProfit: r['unRealizedProfit'], isolatedMargin: '0',
        notional: r['notional'], isolatedWallet: '0', initialMargin: r['positionInitialMargin'], maintMargin: r['maintMargin'], updateTime: r['updateTime'],
      })),
    };
  }

  futuresAccount(): Record<string, unknown> {
    const t = this.futuresTotals();
    const f = (v: bigint): string => formatE8(v);
    const available = t.wallet + t.upnl - t.initial;
    const upd = this.ex.perp.updateTime;
    return {
      totalInitialMargin: f(t.initial), totalMaintMargin: f(t.maint), totalWalletBalance: f(t.wallet), totalUnrealizedProfit: f(t.upnl),
      totalMarginBalance: f(t.wallet + t.upnl), totalPositionInitialMargin: f(t.posInitial), totalOpenOrderInitialMargin: f(t.openInitial),
      totalCrossWalletBalance: f(t.wallet), totalCrossUnPnl: f(t.upnl), availableBalance: f(available), maxWithdrawAmount: f(available),
      assets: [{
        asset: this.ex.perp.asset, walletBalance: f(t.wallet), unrealizedProfit: f(t.upnl), marginBalance: f(t.wallet + t.upnl), maintMargin: f(t.maint),
        initialMargin: f(t.initial), positionInitialMargin: f(t.posInitial), openOrderInitialMargin: f(t.openInitial), crossWalletBalance: f(t.wallet),
        crossUnPnl: f(t.upnl), availableBalance: f(available), maxWithdrawAmount: f(available), updateTime: upd,
      }],
      positions: t.positions.filter((p) => p['positionAmt'] !== undefined && !/^-?0(\.0+)?$/.test(String(p['positionAmt']))),
    };
  }

  futuresBalance(): Record<string, unknown>[] {
    const t = this.futuresTotals();
    const available = t.wallet + t.upnl - t.initial;
    return [{
      accountAlias: 'replica', asset: this.ex.perp.asset, balance: formatE8(t.wallet), crossWalletBalance: formatE8(t.wallet), crossUnPnl: formatE8(t.upnl),
      availableBalance: formatE8(available), maxWithdrawAmount: formatE8(available), marginAvailable: true, updateTime: this.ex.perp.updateTime,
    }];
  }

  /** GET /fapi/v1/income (income.ts). */
  income(p: Params, now: number): Record<string, unknown>[] {
    return this.ex.income.query(p, now, (s) => this.ex.symbol(s) !== undefined);
  }

  /** GET /fapi/v1/premiumIndex: one symbol's object, or every symbol's in an array without one. */
  premiumIndex(p: Params, now: number): Record<string, unknown> | Record<string, unknown>[] {
    const ex = this.ex;
    const one = (sym: ReturnType<typeof symbolParam>): Record<string, unknown> => premiumIndex(sym, ex.markE8(sym), ex.options.funding.rateE8, ex.nextFundingTimeMs(now), now);
    return optional(p, 'symbol') === null ? ex.allSymbols().map(one) : one(symbolParam(p, ex));
  }

  /** Dead-man switch: cancels the symbol's open orders unless called again within countdownTime ms (0 stops it). */
  countdownCancelAll(p: Params): Record<string, unknown> {
    const sym = symbolParam(p, this.ex);
    const ms = intParam(p, 'countdownTime', 0, 2_147_483_647);
    if (ms === null) throw err.mandatory('countdownTime');
    const old = this.countdowns.get(sym.symbol);
    if (old !== undefined) clearTimeout(old);
    this.countdowns.delete(sym.symbol);
    if (ms > 0) {
      const t = setTimeout(() => { this.countdowns.delete(sym.symbol); this.ex.cancelAll(sym.symbol); }, ms);
      t.unref();
      this.countdowns.set(sym.symbol, t);
    }
    return { symbol: sym.symbol, countdownTime: String(ms) };
  }
}
