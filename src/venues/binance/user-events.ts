// User data events parsed with strict field checks into typed records.
// Spot (user-data-stream.md, delivered on the WebSocket API wrapped as
// {"subscriptionId":N,"event":{…}}): executionReport, outboundAccountPosition,
// balanceUpdate, eventStreamTerminated. USD-M (listenKey stream, "User Data Streams" of
// the USDⓈ-M futures docs): ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, listenKeyExpired.
// A known event with a missing or mistyped field throws (BINANCE_ERR_BAD_RESPONSE): the
// caller counts it and reconciles instead of acting on half an event.
import { BinanceError } from './errors.js';

/** One order update, the same shape for both markets. */
export interface OrderUpdate {
  readonly kind: 'order';
  readonly market: 'spot' | 'usdm';
  readonly eventTimeMs: number;
  readonly transactTimeMs: number;
  readonly symbol: string;
  /** The client id of the order itself (for a spot cancel: `C`, the original id). */
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly orderType: string;
  readonly timeInForce: string;
  /** NEW CANCELED REPLACED REJECTED TRADE EXPIRED TRADE_PREVENTION (spot); NEW CANCELED CALCULATED EXPIRED TRADE AMENDMENT (USD-M). */
  readonly execType: string;
  readonly status: string;
  readonly rejectReason: string;
  readonly orderId: number;
  readonly price: string;
  readonly origQty: string;
  readonly lastQty: string;
  readonly cumQty: string;
  readonly lastPrice: string;
  readonly commission: string;
  readonly commissionAsset: string | null;
  /** Venue trade id; -1 when not a trade. */
  readonly tradeId: number;
  readonly isMaker: boolean;
}

export interface BalanceEntry { readonly asset: string; readonly free: string; readonly locked: string }
export interface AccountPosition { readonly kind: 'account'; readonly eventTimeMs: number; readonly balances: BalanceEntry[] }
export interface PositionEntry { readonly symbol: string; readonly positionAmt: string; readonly entryPrice: string; readonly positionSide: string }
export interface FuturesAccountUpdate {
  readonly kind: 'futures_account'; readonly eventTimeMs: number; readonly transactTimeMs: number; readonly reason: string;
  /** balanceChange: `bc`, the balance change except PnL and commission ('0' when not sent). */
  readonly balances: Array<{ asset: string; walletBalance: string; balanceChange: string }>;
  /** Empty when `P` is not sent (a funding fee on a cross-margin position). */
  readonly positions: PositionEntry[];
}
export interface StreamEnded { readonly kind: 'stream_ended'; readonly eventTimeMs: number; readonly reason: 'eventStreamTerminated' | 'listenKeyExpired' }
export interface OtherEvent { readonly kind: 'other'; readonly type: string }

export type UserEvent = OrderUpdate | AccountPosition | FuturesAccountUpdate | StreamEnded | OtherEvent;

type Obj = Record<string, unknown>;

function bad(what: string, field: string): never {
  throw new BinanceError('BINANCE_ERR_BAD_RESPONSE', `${what}: field ${field} missing or of the wrong type`);
}
function str(o: Obj, k: string, what: string): string { const v = o[k]; if (typeof v !== 'string') bad(what, k); return v; }
function num(o: Obj, k: string, what: string): number { const v = o[k]; if (typeof v !== 'number' || !Number.isFinite(v)) bad(what, k); return v; }
function bool(o: Obj, k: string, what: string): boolean { const v = o[k]; if (typeof v !== 'boolean') bad(what, k); return v; }
function side(o: Obj, k: string, what: string): 'BUY' | 'SELL' { const v = o[k]; if (v !== 'BUY' && v !== 'SELL') bad(what, k); return v; }
function obj(v: unknown, what: string, field: string): Obj { if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(what, field); return v as Obj; }

/** A spot user-data frame: either the WS API wrapper or a bare event. */
export function parseSpotUserEvent(frame: unknown): UserEvent {
  let e = obj(frame, 'user event', '(frame)');
  if ('event' in e && 'subscriptionId' in e) e = obj(e['event'], 'user event', 'event');
  const type = e['e'];
  if (typeof type !== 'string') bad('user event', 'e');
  if (type === 'executionReport') {
    const w = 'executionReport';
    const x = str(e, 'x', w);
    const c = str(e, 'c', w);
    const C = e['C'];
    const N = e['N'];
    if (N !== null && N !== undefined && typeof N !== 'string') bad(w, 'N');
    return {
      kind: 'order', market: 'spot', eventTimeMs: num(e, 'E', w), transactTimeMs: num(e, 'T', w), symbol: str(e, 's', w),
      // user-data-stream.md: on a cancel `c` is the cancel request's id and `C` the order's own
      clientOrderId: x === 'CANCELED' && typeof C === 'string' && C !== '' ? C : c,
      side: side(e, 'S', w), orderType: str(e, 'o', w), timeInForce: str(e, 'f', w), execType: x, status: str(e, 'X', w),
      rejectReason: str(e, 'r', w), orderId: num(e, 'i', w), price: str(e, 'p', w), origQty: str(e, 'q', w),
      lastQty: str(e, 'l', w), cumQty: str(e, 'z', w), lastPrice: str(e, 'L', w), commission: str(e, 'n', w),
      commissionAsset: typeof N === 'string' ? N : null, tradeId: num(e, 't', w), isMaker: bool(e, 'm', w),
    };
  }
  if (type === 'outboundAccountPosition') {
    const w = type;
    const B = e['B'];
    if (!Array.isArray(B)) bad(w, 'B');
    return { kind: 'account', eventTimeMs: num(e, 'E', w), balances: B.map((b) => { const o = obj(b, w, 'B[]'); return { asset: str(o, 'a', w), free: str(o, 'f', w), locked: str(o, 'l', w) }; }) };
  }
  if (type === 'eventStreamTerminated') return { kind: 'stream_ended', eventTimeMs: num(e, 'E', type), reason: 'eventStreamTerminated' };
  return { kind: 'other', type };
}

/** A USD-M listenKey stream frame (bare, or combined-stream `{"stream","data"}`). */
export function parseUsdmUserEvent(frame: unknown): UserEvent {
  let e = obj(frame, 'user event', '(frame)');
  if ('data' in e && 'stream' in e) e = obj(e['data'], 'user event', 'data');
  const type = e['e'];
  if (typeof type !== 'string') bad('user event', 'e');
  if (type === 'ORDER_TRADE_UPDATE') {
    const w = 'ORDER_TRADE_UPDATE';
    const o = obj(e['o'], w, 'o');
    const N = o['N'];
    if (N !== null && N !== undefined && typeof N !== 'string') bad(w, 'o.N');
    return {
      kind: 'order', market: 'usdm', eventTimeMs: num(e, 'E', w), transactTimeMs: num(o, 'T', w), symbol: str(o, 's', w),
      clientOrderId: str(o, 'c', w), side: side(o, 'S', w), orderType: str(o, 'o', w), timeInForce: str(o, 'f', w),
      execType: str(o, 'x', w), status: str(o, 'X', w), rejectReason: typeof o['er'] === 'string' ? o['er'] : '',
      orderId: num(o, 'i', w), price: str(o, 'p', w), origQty: str(o, 'q', w), lastQty: str(o, 'l', w), cumQty: str(o, 'z', w),
      lastPrice: str(o, 'L', w), commission: typeof o['n'] === 'string' ? o['n'] : '0', commissionAsset: typeof N === 'string' ? N : null,
      tradeId: num(o, 't', w), isMaker: bool(o, 'm', w),
    };
  }
  if (type === 'ACCOUNT_UPDATE') {
    const w = type;
    const a = obj(e['a'], w, 'a');
    const B = Array.isArray(a['B']) ? a['B'] : bad(w, 'a.B');
    // "When FUNDING FEE occurs in a crossed position, ACCOUNT_UPDATE will be pushed with only the balance B … without any position P"
    const P = a['P'] === undefined ? [] : Array.isArray(a['P']) ? a['P'] : bad(w, 'a.P');
    const eventTimeMs = num(e, 'E', w);
    return {
      kind: 'futures_account', eventTimeMs, transactTimeMs: typeof e['T'] === 'number' ? e['T'] : eventTimeMs, reason: str(a, 'm', w),
      balances: B.map((b) => {
        const x = obj(b, w, 'a.B[]');
        return { asset: str(x, 'a', w), walletBalance: str(x, 'wb', w), balanceChange: typeof x['bc'] === 'string' ? x['bc'] : '0' };
      }),
      positions: P.map((p) => { const x = obj(p, w, 'a.P[]'); return { symbol: str(x, 's', w), positionAmt: str(x, 'pa', w), entryPrice: str(x, 'ep', w), positionSide: str(x, 'ps', w) }; }),
    };
  }
  if (type === 'listenKeyExpired') return { kind: 'stream_ended', eventTimeMs: num(e, 'E', type), reason: 'listenKeyExpired' };
  return { kind: 'other', type };
}
