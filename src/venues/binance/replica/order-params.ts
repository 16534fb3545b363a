// Request parameters → a checked new order, with Binance's refusals: missing or
// malformed parameters (-1102, -1100, -1111, -1106, -1115..-1117), unknown
// symbol (-1121), and the symbol's filters (spot: -1013 "Filter failure: …";
// USD-M: its own codes, see docs/binance-replica.md).
import { E8, parseE8 } from './fixed.js';
import { err, ReplicaError } from './replica-error.js';
import type { ReplicaExchange } from './replica-exchange.js';
import type { NewOrder, OrderType, Side, TimeInForce } from './replica-order.js';
import type { ReplicaSymbol } from './replica-symbol.js';

/** Parameters of one request by name (query string and body, or a WS API request's params). */
export type Params = ReadonlyMap<string, string>;

export const SPOT_CLIENT_ID = /^[a-zA-Z0-9-_]{1,36}$/;
export const FUTURES_CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

export function need(p: Params, name: string): string {
  const v = p.get(name);
  if (v === undefined || v === '') throw err.mandatory(name);
  return v;
}

export function optional(p: Params, name: string): string | null {
  const v = p.get(name);
  return v === undefined || v === '' ? null : v;
}

export function intParam(p: Params, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | null {
  const v = optional(p, name);
  if (v === null) return null;
  if (!/^-?\d{1,16}$/.test(v)) throw err.illegal(name, `${min}..${max}`);
  const n = Number(v);
  if (n < min || n > max) throw err.illegal(name, `${min}..${max}`);
  return n;
}

export function symbolParam(p: Params, ex: ReplicaExchange, name = 'symbol'): ReplicaSymbol {
  const s = ex.symbol(need(p, name));
  if (s === undefined) throw err.badSymbol();
  return s;
}

/** The legal range Binance names for a symbol and for a JSON array of symbols (-1100). */
const SYMBOL_RANGE = '^[A-Z0-9-_.]{1,20}$';
const SYMBOLS_RANGE = '^\\["[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}\\]$';
const SYMBOL_RE = /^[A-Z0-9\-_.]{1,20}$/;
const SYMBOLS_RE = /^\["[A-Z0-9\-_.]{1,20}"(,"[A-Z0-9\-_.]{1,20}")*\]$/;

/**
 * Spot exchangeInfo's `symbol` or `symbols` (rest-api.md "Exchange information"): the names
 * asked for, null for every symbol. A malformed value is -1100 naming the legal range, both
 * together -1128 (as the ticker endpoints document); an unknown name is the caller's -1121.
 */
export function exchangeInfoSymbols(p: Params): string[] | null {
  const one = optional(p, 'symbol');
  const many = optional(p, 'symbols');
  if (one !== null && many !== null) throw new ReplicaError(400, -1128, 'Combination of optional parameters invalid.');
  if (one !== null) {
    if (!SYMBOL_RE.test(one)) throw err.illegal('symbol', SYMBOL_RANGE);
    return [one];
  }
  if (many === null) return null;
  if (!SYMBOLS_RE.test(many)) throw err.illegal('symbols', SYMBOLS_RANGE);
  return JSON.parse(many) as string[];
}

function decimal(p: Params, name: string): bigint {
  const v = need(p, name);
  if (!/^\d+(\.\d+)?$/.test(v)) throw err.illegal(name, '^([0-9]{1,20})(\\.[0-9]{1,20})?$');
  const e8 = parseE8(v);
  if (e8 === null) throw err.precision(name);
  return e8;
}

function units(v: bigint, step: bigint): number | null {
  return v % step === 0n ? Number(v / step) : null;
}

export type RespType = 'ACK' | 'RESULT' | 'FULL';

export function parseNewOrder(p: Params, ex: ReplicaExchange): { order: NewOrder; respType: RespType } {
  const futures = ex.futures;
  const sym = symbolParam(p, ex);
  const side = need(p, 'side');
  if (side !== 'BUY' && side !== 'SELL') throw err.badSide();
  const type = need(p, 'type');
  const types = futures ? ['LIMIT', 'MARKET'] : ['LIMIT', 'LIMIT_MAKER', 'MARKET'];
  if (!types.includes(type)) throw err.badType();
  const tifText = optional(p, 'timeInForce');
  let tif: TimeInForce | null = null;
  if (type === 'LIMIT') {
    if (tifText === null) throw err.mandatory('timeInForce');
    const allowed = futures ? ['GTC', 'IOC', 'GTX'] : ['GTC', 'IOC'];
    if (!allowed.includes(tifText)) throw err.badTif();
    tif = tifText as TimeInForce;
  } else if (tifText !== null && !futures) {
    throw err.notRequired('timeInForce');
  }
  if (optional(p, 'quoteOrderQty') !== null) throw err.notRequired('quoteOrderQty');
  for (const name of ['stopPrice', 'icebergQty', 'trailingDelta', 'pegPriceType']) if (optional(p, name) !== null) throw err.notRequired(name);
  const qtyE8 = decimal(p, 'quantity');
  let priceE8 = 0n;
  if (type !== 'MARKET') priceE8 = decimal(p, 'price');
  else if (optional(p, 'price') !== null && !futures) throw err.notRequired('price');

  const fail = (spot: string, code: number, msg: string): ReplicaError => (futures ? new ReplicaError(400, code, msg) : err.filter(spot));
  const f = sym.f;
  const lot = units(qtyE8, sym.lotE8);
  // more decimals than the symbol's quantities carry; on them but off a coarser published step (LOT_SIZE stepSize)
  if (lot === null) throw fail('LOT_SIZE', -1111, 'Precision is over the maximum defined for this asset.');
  if (qtyE8 % sym.filterLotE8 !== 0n) throw fail('LOT_SIZE', -4023, 'Qty not increased by step size.');
  if (lot < 1) throw fail('LOT_SIZE', -4003, 'Quantity less than or equal to zero.');
  if (lot > f.maxLots) throw fail('LOT_SIZE', -4005, 'Quantity greater than max quantity.');
  let tick = NaN;
  const ref = ex.referenceE8(sym);
  if (type !== 'MARKET') {
    const t = units(priceE8, sym.tickE8);
    if (t === null || priceE8 % sym.filterTickE8 !== 0n) throw fail('PRICE_FILTER', -4014, 'Price not increased by tick size.');
    if (t < 1) throw fail('PRICE_FILTER', -4001, 'Price less than 0.');
    if (t > f.maxTicks) throw fail('PRICE_FILTER', -4002, 'Price greater than max price.');
    tick = t;
    if (ref > 0n) {
      const m = sym.mult;
      const [up, down] = futures ? [m.up, m.down] : side === 'BUY' ? [m.bidUp, m.bidDown] : [m.askUp, m.askDown];
      const scaled = priceE8 * E8;
      if (scaled > ref * up) throw fail('PERCENT_PRICE_BY_SIDE', -4016, `Limit price can't be higher than ${formatLimit(ref * up)}.`);
      if (scaled < ref * down) throw fail('PERCENT_PRICE_BY_SIDE', -4024, `Limit price can't be lower than ${formatLimit(ref * down)}.`);
    }
  }
  const reduceOnlyText = optional(p, 'reduceOnly');
  if (reduceOnlyText !== null && (!futures || (reduceOnlyText !== 'true' && reduceOnlyText !== 'false'))) {
    throw futures ? err.invalidParam('reduceOnly') : err.notRequired('reduceOnly');
  }
  const reduceOnly = reduceOnlyText === 'true';
  const notionalPrice = type === 'MARKET' ? ref : priceE8;
  if (notionalPrice > 0n) {
    const notional = (notionalPrice * qtyE8) / E8;
    if (notional < sym.minNotionalE8 && !reduceOnly) {
      throw fail('NOTIONAL', -4164, `Order's notional must be no smaller than ${sym.f.minNotional} (unless you choose reduce only).`);
    }
    if (!futures && type !== 'MARKET' && notional > sym.maxNotionalE8) throw err.filter('NOTIONAL');
  }
  const cid = optional(p, 'newClientOrderId');
  if (cid !== null && !(futures ? FUTURES_CLIENT_ID : SPOT_CLIENT_ID).test(cid)) {
    throw err.illegal('newClientOrderId', futures ? FUTURES_CLIENT_ID.source : SPOT_CLIENT_ID.source);
  }
  const rt = optional(p, 'newOrderRespType');
  let respType: RespType = futures ? 'ACK' : type === 'LIMIT' || type === 'MARKET' ? 'FULL' : 'ACK';
  if (rt !== null) {
    if (rt !== 'ACK' && rt !== 'RESULT' && (rt !== 'FULL' || futures)) throw err.invalidParam('newOrderRespType');
    respType = rt;
  }
  return {
    order: { sym, side: side as Side, type: type as OrderType, timeInForce: tif, priceTick: tick, qtyLot: lot, clientOrderId: cid, reduceOnly },
    respType,
  };
}

function formatLimit(v: bigint): string {
  // v is price × 1e8 in 1e-8 units: print the price with up to 8 decimals
  const e8 = v / E8;
  const int = e8 / E8;
  const frac = (e8 % E8).toString().padStart(8, '0').replace(/0+$/, '');
  return frac === '' ? int.toString() : `${int}.${frac}`;
}

/** orderId / origClientOrderId of a query or cancel (one of them is required). */
export function orderRef(p: Params, idName = 'orderId', clientName = 'origClientOrderId'): { orderId: number | null; clientId: string | null } {
  const orderId = intParam(p, idName, 0);
  const clientId = optional(p, clientName);
  if (orderId === null && clientId === null) throw new ReplicaError(400, -1102, `Param '${idName}' or '${clientName}' must be sent, but both were empty/null!`);
  return { orderId, clientId };
}
