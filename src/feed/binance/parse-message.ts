// Binance JSON (already JSON.parse'd) → typed records, with field validation.
// Accepts raw events and the combined-stream wrapper {"stream":…,"data":…}.
// Scalar prices/quantities (bookTicker, trades) are checked to be plain decimal
// strings here; depth levels are checked to be [string, string] pairs and their
// decimals are checked by LocalBookSync when converted on the instrument's grid
// (one scan per level instead of two).
import { SpreadcoreError } from '../../errors.js';
import type {
  AggTrade, BinanceMessage, BookTicker, DecimalPair, DepthSnapshot, DepthUpdate, Trade,
} from './messages.js';

type Obj = Record<string, unknown>;

function fail(what: string, detail: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `Binance ${what}: ${detail}`);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * True for an unsigned plain decimal: digits with at most one '.', at least one
 * digit ("61234.56000000", "0", ".5"). Rejects signs, exponents, spaces, "NaN",
 * "Infinity" and the empty string.
 */
export function isPlainDecimal(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 64) return false;
  let digits = 0;
  let dot = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (dot) return false;
      dot = true;
    } else if (c >= 48 && c <= 57) {
      digits++;
    } else {
      return false;
    }
  }
  return digits > 0;
}

function id(o: Obj, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    fail(what, `field "${key}" must be a non-negative integer below 2^53, got ${show(v)}`);
  }
  return v;
}

function optId(o: Obj, key: string, what: string): number {
  return o[key] === undefined ? -1 : id(o, key, what);
}

function str(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) fail(what, `field "${key}" must be a non-empty string, got ${show(v)}`);
  return v;
}

function decimal(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !isPlainDecimal(v)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_DECIMAL',
      `Binance ${what}: field "${key}" must be a decimal string like "123.45", got ${show(v)}`);
  }
  return v;
}

function bool(o: Obj, key: string, what: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fail(what, `field "${key}" must be true or false, got ${show(v)}`);
  return v;
}

/** An array of [price, qty] string pairs (extra elements, as in old spot payloads, are ignored). */
function levels(o: Obj, key: string, what: string): readonly DecimalPair[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(what, `field "${key}" must be an array of [price, qty] pairs, got ${show(v)}`);
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!Array.isArray(l) || l.length < 2 || typeof l[0] !== 'string' || typeof l[1] !== 'string') {
      fail(what, `"${key}"[${i}] must be a [price, qty] pair of strings, got ${show(l)}`);
    }
  }
  return v as DecimalPair[];
}

export function parseDepthUpdate(o: Obj): DepthUpdate {
  const what = 'depthUpdate';
  const firstUpdateId = id(o, 'U', what);
  const finalUpdateId = id(o, 'u', what);
  if (finalUpdateId < firstUpdateId) fail(what, `final update id u=${finalUpdateId} is below the first U=${firstUpdateId}`);
  const prevFinalUpdateId = optId(o, 'pu', what);
  return {
    kind: 'depth',
    symbol: str(o, 's', what),
    firstUpdateId,
    finalUpdateId,
    prevFinalUpdateId,
    eventTimeMs: id(o, 'E', what),
    transactTimeMs: optId(o, 'T', what),
    bids: levels(o, 'b', what),
    asks: levels(o, 'a', what),
  };
}

export function parseBookTicker(o: Obj): BookTicker {
  const what = 'bookTicker';
  return {
    kind: 'bookTicker',
    symbol: str(o, 's', what),
    updateId: id(o, 'u', what),
    bidPrice: decimal(o, 'b', what),
    bidQty: decimal(o, 'B', what),
    askPrice: decimal(o, 'a', what),
    askQty: decimal(o, 'A', what),
    eventTimeMs: optId(o, 'E', what),
    transactTimeMs: optId(o, 'T', what),
  };
}

export function parseTrade(o: Obj): Trade {
  const what = 'trade';
  return {
    kind: 'trade',
    symbol: str(o, 's', what),
    tradeId: id(o, 't', what),
    price: decimal(o, 'p', what),
    qty: decimal(o, 'q', what),
    tradeTimeMs: id(o, 'T', what),
    eventTimeMs: id(o, 'E', what),
    buyerIsMaker: bool(o, 'm', what),
  };
}

export function parseAggTrade(o: Obj): AggTrade {
  const what = 'aggTrade';
  return {
    kind: 'aggTrade',
    symbol: str(o, 's', what),
    aggTradeId: id(o, 'a', what),
    firstTradeId: id(o, 'f', what),
    lastTradeId: id(o, 'l', what),
    price: decimal(o, 'p', what),
    qty: decimal(o, 'q', what),
    tradeTimeMs: id(o, 'T', what),
    eventTimeMs: id(o, 'E', what),
    buyerIsMaker: bool(o, 'm', what),
  };
}

export function parseDepthSnapshot(o: Obj): DepthSnapshot {
  const what = 'depth snapshot';
  return {
    kind: 'snapshot',
    lastUpdateId: id(o, 'lastUpdateId', what),
    bids: levels(o, 'bids', what),
    asks: levels(o, 'asks', what),
  };
}

/**
 * One Binance message (the value of JSON.parse on a frame or recording line).
 * Throws SPREADCORE_ERR_BAD_INPUT for an unknown shape or a bad field, and
 * SPREADCORE_ERR_BAD_DECIMAL for a price/quantity that is not a plain decimal.
 */
export function parseBinanceMessage(value: unknown): BinanceMessage {
  if (!isObj(value)) fail('message', `expected a JSON object, got ${show(value)}`);
  let o = value;
  if (typeof o['stream'] === 'string' && 'data' in o) {
    const data = o['data'];
    if (!isObj(data)) fail('message', `"data" of stream ${o['stream']} must be an object, got ${show(data)}`);
    o = data;
  }
  const e = o['e'];
  if (e === 'depthUpdate') return parseDepthUpdate(o);
  if (e === 'bookTicker') return parseBookTicker(o);
  if (e === 'trade') return parseTrade(o);
  if (e === 'aggTrade') return parseAggTrade(o);
  if (e === undefined) {
    if ('lastUpdateId' in o) return parseDepthSnapshot(o);
    // spot bookTicker carries no event type
    if ('u' in o && 'b' in o && 'B' in o && 'a' in o && 'A' in o) return parseBookTicker(o);
    fail('message', `unrecognised message without an event type: ${show(o)}`);
  }
  fail('message', `unsupported event type ${show(e)}`);
}

/** JSON text → typed record; bad JSON is SPREADCORE_ERR_BAD_INPUT. */
export function parseBinanceJson(text: string): BinanceMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    fail('message', `bad JSON (${(err as Error).message})`);
  }
  return parseBinanceMessage(value);
}
