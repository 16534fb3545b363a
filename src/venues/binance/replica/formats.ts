// Binance's JSON shapes, built from the replica's exact orders and trades.
// Spot: rest-api.md (order responses, myTrades, account) and user-data-stream.md
// (executionReport, outboundAccountPosition). USD-M: binance-connector-js
// derivatives-trading-usds-futures types (new-order-response, order-trade-update-o,
// account-update-*, position-information-v2-response-inner).
import { divRound, E8, formatE8 } from './fixed.js';
import type { ReplicaOrder, ReplicaTrade } from './replica-order.js';
import type { ReplicaSymbol } from './replica-symbol.js';
import type { FuturesWallet, Position, SpotWallet } from './wallets.js';

const ZERO8 = '0.00000000';

function spotPrice(o: ReplicaOrder): string { return Number.isNaN(o.priceTick) ? ZERO8 : o.sym.price(o.priceTick); }
function spotTif(o: ReplicaOrder): string { return o.timeInForce ?? 'GTC'; }

/** RESULT-level fields of a spot order (responses of place, cancel, query). */
export function spotOrderResult(o: ReplicaOrder, transactTime: number): Record<string, unknown> {
  const r: Record<string, unknown> = {
    symbol: o.sym.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime,
    price: spotPrice(o), origQty: o.sym.qty(o.qtyLot), executedQty: o.sym.qty(o.executedLot),
    origQuoteOrderQty: ZERO8, cummulativeQuoteQty: formatE8(o.cumQuoteE8), status: o.status, timeInForce: spotTif(o),
    type: o.type, side: o.side,
  };
  if (o.workingTime >= 0) r['workingTime'] = o.workingTime;
  r['selfTradePreventionMode'] = 'NONE';
  return r;
}

export function spotFill(t: ReplicaTrade, sym: ReplicaSymbol): Record<string, unknown> {
  return { price: sym.price(t.priceTick), qty: sym.qty(t.qtyLot), commission: formatE8(t.commissionE8), commissionAsset: t.commissionAsset, tradeId: t.id };
}

/** GET /api/v3/order, openOrders. */
export function spotOrderQuery(o: ReplicaOrder): Record<string, unknown> {
  return {
    symbol: o.sym.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, price: spotPrice(o),
    origQty: o.sym.qty(o.qtyLot), executedQty: o.sym.qty(o.executedLot), cummulativeQuoteQty: formatE8(o.cumQuoteE8),
    status: o.status, timeInForce: spotTif(o), type: o.type, side: o.side, stopPrice: ZERO8, icebergQty: ZERO8,
    time: o.time, updateTime: o.updateTime, isWorking: o.workingTime >= 0, workingTime: o.workingTime,
    origQuoteOrderQty: ZERO8, selfTradePreventionMode: 'NONE',
  };
}

/** A cancel's answer: the order after the cancel, named by the cancel's client id. */
export function spotCancelResult(o: ReplicaOrder, transactTime: number): Record<string, unknown> {
  const r = spotOrderResult(o, transactTime);
  delete r['workingTime'];
  return { symbol: r['symbol'], origClientOrderId: o.clientOrderId, ...r, clientOrderId: o.cancelClientOrderId ?? o.clientOrderId };
}

export function spotTrade(t: ReplicaTrade, sym: ReplicaSymbol): Record<string, unknown> {
  return {
    symbol: t.symbol, id: t.id, orderId: t.orderId, orderListId: -1, price: sym.price(t.priceTick), qty: sym.qty(t.qtyLot),
    quoteQty: formatE8(t.quoteE8), commission: formatE8(t.commissionE8), commissionAsset: t.commissionAsset, time: t.time,
    isBuyer: t.side === 'BUY', isMaker: t.isMaker, isBestMatch: true,
  };
}

export type ExecType = 'NEW' | 'CANCELED' | 'REPLACED' | 'REJECTED' | 'TRADE' | 'EXPIRED' | 'AMENDMENT';

/** user-data-stream.md "Order Update": every unconditional field, W while the order is working. */
export function executionReport(o: ReplicaOrder, x: ExecType, now: number, executionId: number, t: ReplicaTrade | null, onBook: boolean): Record<string, unknown> {
  const sym = o.sym;
  const canceled = x === 'CANCELED' && o.cancelClientOrderId !== null;
  const e: Record<string, unknown> = {
    e: 'executionReport', E: now, s: sym.symbol, c: canceled ? o.cancelClientOrderId : o.clientOrderId, S: o.side, o: o.type,
    f: spotTif(o), q: sym.qty(o.qtyLot), p: spotPrice(o), P: ZERO8, F: ZERO8, g: -1, C: canceled ? o.clientOrderId : '',
    x, X: o.status, r: 'NONE', i: o.orderId,
    l: t === null ? ZERO8 : sym.qty(t.qtyLot), z: sym.qty(o.executedLot), L: t === null ? ZERO8 : sym.price(t.priceTick),
    n: t === null ? '0' : formatE8(t.commissionE8), N: t === null ? null : t.commissionAsset,
    T: t === null ? now : t.time, t: t === null ? -1 : t.id, I: executionId, w: onBook, m: t === null ? false : t.isMaker, M: false,
    O: o.time, Z: formatE8(o.cumQuoteE8), Y: t === null ? ZERO8 : formatE8(t.quoteE8), Q: ZERO8,
  };
  if (o.workingTime >= 0) e['W'] = o.workingTime;
  e['V'] = 'NONE';
  return e;
}

export function outboundAccountPosition(w: SpotWallet, assets: readonly string[], now: number): Record<string, unknown> {
  return {
    e: 'outboundAccountPosition', E: now, u: w.updateTime,
    B: assets.map((a) => { const b = w.get(a); return { a, f: formatE8(b.free), l: formatE8(b.locked) }; }),
  };
}

export function spotAccount(w: SpotWallet, makerBps: number, takerBps: number): Record<string, unknown> {
  const rate = (bps: number): string => formatE8(BigInt(Math.round(bps * 10_000)));
  return {
    makerCommission: Math.round(makerBps), takerCommission: Math.round(takerBps), buyerCommission: 0, sellerCommission: 0,
    commissionRates: { maker: rate(makerBps), taker: rate(takerBps), buyer: ZERO8, seller: ZERO8 },
    canTrade: true, canWithdraw: true, canDeposit: true, brokered: false, requireSelfTradePrevention: false, preventSor: false,
    updateTime: w.updateTime, accountType: 'SPOT',
    balances: [...w.balances.entries()].map(([asset, b]) => ({ asset, free: formatE8(b.free), locked: formatE8(b.locked) })),
    permissions: ['SPOT'], uid: 1,
  };
}

// ---- USD-M ------------------------------------------------------------------------------

function fPrice(o: ReplicaOrder): string { return Number.isNaN(o.priceTick) ? '0' : formatE8(o.sym.priceE8(o.priceTick), o.sym.pricePrecision); }
function fQty(sym: ReplicaSymbol, lot: number): string { return formatE8(sym.qtyE8(lot), sym.quantityPrecision); }

/** Average fill price, 1e-8 rounded. */
export function avgPriceE8(o: ReplicaOrder): bigint {
  return o.executedLot === 0 ? 0n : divRound(o.cumQuoteE8 * E8, o.sym.qtyE8(o.executedLot));
}

export function futuresOrder(o: ReplicaOrder, withTime: boolean): Record<string, unknown> {
  const r: Record<string, unknown> = {
    orderId: o.orderId, symbol: o.sym.symbol, status: o.status, clientOrderId: o.clientOrderId, price: fPrice(o),
    avgPrice: formatE8(avgPriceE8(o)), origQty: fQty(o.sym, o.qtyLot), executedQty: fQty(o.sym, o.executedLot),
    cumQty: fQty(o.sym, o.executedLot), cumQuote: formatE8(o.cumQuoteE8), timeInForce: o.timeInForce ?? 'GTC', type: o.type,
    reduceOnly: o.reduceOnly, closePosition: false, side: o.side, positionSide: 'BOTH', stopPrice: '0',
    workingType: 'CONTRACT_PRICE', priceProtect: false, origType: o.type, priceMatch: 'NONE', selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0, updateTime: o.updateTime,
  };
  if (withTime) r['time'] = o.time;
  return r;
}

export function futuresTrade(t: ReplicaTrade, sym: ReplicaSymbol): Record<string, unknown> {
  return {
    buyer: t.side === 'BUY', commission: formatE8(t.commissionE8), commissionAsset: t.commissionAsset, id: t.id, maker: t.isMaker,
    orderId: t.orderId, price: formatE8(sym.priceE8(t.priceTick), sym.pricePrecision), qty: fQty(sym, t.qtyLot), quoteQty: formatE8(t.quoteE8),
    realizedPnl: formatE8(t.realizedE8), side: t.side, positionSide: 'BOTH', symbol: t.symbol, time: t.time,
  };
}

export function orderTradeUpdate(o: ReplicaOrder, x: ExecType, now: number, t: ReplicaTrade | null, bidsE8: bigint, asksE8: bigint): Record<string, unknown> {
  const sym = o.sym;
  return {
    e: 'ORDER_TRADE_UPDATE', E: now, T: t === null ? now : t.time,
    o: {
      s: sym.symbol, c: o.clientOrderId, S: o.side, o: o.type, f: o.timeInForce ?? 'GTC', q: fQty(sym, o.qtyLot), p: fPrice(o),
      ap: formatE8(avgPriceE8(o)), sp: '0', x, X: o.status, i: o.orderId,
      l: t === null ? '0' : fQty(sym, t.qtyLot), z: fQty(sym, o.executedLot), L: t === null ? '0' : formatE8(sym.priceE8(t.priceTick), sym.pricePrecision),
      N: 'USDT', n: t === null ? '0' : formatE8(t.commissionE8), T: t === null ? now : t.time, t: t === null ? 0 : t.id,
      b: formatE8(bidsE8), a: formatE8(asksE8), m: t === null ? false : t.isMaker, R: o.reduceOnly, wt: 'CONTRACT_PRICE', ot: o.type,
      ps: 'BOTH', cp: false, rp: t === null ? '0' : formatE8(t.realizedE8), pP: false, si: 0, ss: 0, V: 'EXPIRE_MAKER', pm: 'NONE', gtd: 0,
      er: x === 'EXPIRED' ? '2' : '0',
    },
  };
}

export function entryPriceE8(p: Position, sym: ReplicaSymbol): bigint {
  return p.amtLot === 0 ? 0n : divRound(p.costE8 * E8, sym.qtyE8(Math.abs(p.amtLot)));
}

export function unrealizedE8(p: Position, sym: ReplicaSymbol, markE8: bigint): bigint {
  if (p.amtLot === 0 || markE8 === 0n) return 0n;
  const value = (markE8 * sym.qtyE8(Math.abs(p.amtLot))) / E8;
  return p.amtLot > 0 ? value - p.costE8 : p.costE8 - value;
}

export function accountUpdate(w: FuturesWallet, sym: ReplicaSymbol, realizedTotalE8: bigint, markE8: bigint, now: number, balanceChangeE8: bigint): Record<string, unknown> {
  const p = w.position(sym.symbol);
  return {
    e: 'ACCOUNT_UPDATE', E: now, T: now,
    a: {
      m: 'ORDER',
      B: [{ a: w.asset, wb: formatE8(w.walletE8), cw: formatE8(w.walletE8), bc: formatE8(balanceChangeE8) }],
      P: [{
        s: sym.symbol, pa: fQty(sym, p.amtLot), ep: formatE8(entryPriceE8(p, sym)), bep: formatE8(entryPriceE8(p, sym)),
        cr: formatE8(realizedTotalE8), up: formatE8(unrealizedE8(p, sym, markE8)), mt: 'cross', iw: '0', ps: 'BOTH',
      }],
    },
  };
}

/**
 * ACCOUNT_UPDATE for a funding fee on a cross-margin position: "ACCOUNT_UPDATE will be pushed
 * with only the balance B (including the FUNDING FEE asset only), without any position P
 * message" (USD-M user data streams, "Event: Balance and Position Update"). `bc`, the balance
 * change except PnL and commission, is the funding fee.
 */
export function fundingAccountUpdate(w: FuturesWallet, incomeE8: bigint, fundingTimeMs: number, now: number): Record<string, unknown> {
  return {
    e: 'ACCOUNT_UPDATE', E: now, T: fundingTimeMs,
    a: { m: 'FUNDING_FEE', B: [{ a: w.asset, wb: formatE8(w.walletE8), cw: formatE8(w.walletE8), bc: formatE8(incomeE8) }] },
  };
}

/** GET /fapi/v1/premiumIndex for one symbol (USD-M "Mark Price"): the replica's mark stands for the index and settle prices too. */
export function premiumIndex(sym: ReplicaSymbol, markE8: bigint, rateE8: bigint, nextFundingTimeMs: number, now: number): Record<string, unknown> {
  const mark = formatE8(markE8);
  return {
    symbol: sym.symbol, markPrice: mark, indexPrice: mark, estimatedSettlePrice: mark, lastFundingRate: formatE8(rateE8),
    interestRate: '0.00010000', nextFundingTime: nextFundingTimeMs, time: now,
  };
}

export function positionRisk(w: FuturesWallet, sym: ReplicaSymbol, markE8: bigint, leverage: number): Record<string, unknown> {
  const p = w.position(sym.symbol);
  const notional = (markE8 * sym.qtyE8(Math.abs(p.amtLot))) / E8;
  return {
    entryPrice: formatE8(entryPriceE8(p, sym)), breakEvenPrice: formatE8(entryPriceE8(p, sym)), marginType: 'cross',
    isAutoAddMargin: 'false', isolatedMargin: ZERO8, leverage: String(leverage), liquidationPrice: '0', markPrice: formatE8(markE8),
    maxNotionalValue: '1000000', positionAmt: fQty(sym, p.amtLot), notional: formatE8(p.amtLot < 0 ? -notional : notional),
    isolatedWallet: '0', symbol: sym.symbol, unRealizedProfit: formatE8(unrealizedE8(p, sym, markE8)), positionSide: 'BOTH',
    updateTime: p.updateTime,
  };
}

/** GET /fapi/v3/positionRisk: margins from the leverage and the 2.5 % maintenance rate exchangeInfo shows. */
export function positionRiskV3(w: FuturesWallet, sym: ReplicaSymbol, markE8: bigint, leverage: number, bidE8: bigint, askE8: bigint): Record<string, unknown> {
  const p = w.position(sym.symbol);
  const notional = (markE8 * sym.qtyE8(Math.abs(p.amtLot))) / E8;
  const lev = BigInt(leverage);
  const initial = divRound(notional, lev);
  const openInitial = divRound(bidE8 > askE8 ? bidE8 : askE8, lev);
  return {
    symbol: sym.symbol, positionSide: 'BOTH', positionAmt: fQty(sym, p.amtLot), entryPrice: formatE8(entryPriceE8(p, sym)),
    breakEvenPrice: formatE8(entryPriceE8(p, sym)), markPrice: formatE8(markE8), unRealizedProfit: formatE8(unrealizedE8(p, sym, markE8)),
    liquidationPrice: '0', isolatedMargin: '0', notional: formatE8(p.amtLot < 0 ? -notional : notional), marginAsset: w.asset, isolatedWallet: '0',
    initialMargin: formatE8(initial + openInitial), maintMargin: formatE8(divRound(notional * 25n, 1000n)), positionInitialMargin: formatE8(initial),
    openOrderInitialMargin: formatE8(openInitial), adl: 0, bidNotional: formatE8(bidE8), askNotional: formatE8(askE8), updateTime: p.updateTime,
  };
}
