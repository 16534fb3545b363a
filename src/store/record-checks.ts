// Checks on what is written to the journal, so that everything in it can be read
// back and replayed: decimals are plain decimal strings (what the ledger parses),
// times are bigint ns that fit SQLite's signed 64-bit integers, enums are known.
// A record that fails is refused before anything is written.
import { SpreadcoreError } from '../errors.js';
import type { FillRecord, OrderRecord, OrderStatus } from '../trading/types.js';
import type { FundingPayment, FundingShareRecord } from './journal-records.js';

const UNSIGNED_DECIMAL = /^(\d+\.?\d*|\.\d+)$/;
const SIGNED_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const MAX_NS = 2n ** 63n - 1n;

export const ORDER_STATUSES: ReadonlySet<string> = new Set<OrderStatus>(['PENDING_NEW', 'ACTIVE', 'PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELLED', 'REJECTED']);
export const TERMINAL_ORDER_STATUSES: ReadonlySet<string> = new Set<OrderStatus>(['FILLED', 'CANCELLED', 'REJECTED']);

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

export function checkText(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0) throw bad(`${what} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

export function checkTextOrNull(v: unknown, what: string): string | null {
  return v === null ? null : checkText(v, what);
}

export function checkNs(v: unknown, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_NS) throw bad(`${what} must be a bigint of Unix epoch ns in 0..2^63-1, got ${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}`);
  return v;
}

function checkDecimal(v: unknown, signed: boolean, what: string): string {
  if (typeof v !== 'string' || !(signed ? SIGNED_DECIMAL : UNSIGNED_DECIMAL).test(v)) {
    throw bad(`${what} must be a plain ${signed ? '' : 'unsigned '}decimal string, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkOneOf(v: unknown, allowed: readonly string[], what: string): void {
  if (typeof v !== 'string' || !allowed.includes(v)) throw bad(`${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
}

export function checkOrderStatus(v: unknown, what: string): OrderStatus {
  if (typeof v !== 'string' || !ORDER_STATUSES.has(v)) throw bad(`${what} must be one of ${[...ORDER_STATUSES].join(', ')}, got ${JSON.stringify(v)}`);
  return v as OrderStatus;
}

export function checkFill(f: FillRecord): void {
  if (typeof f !== 'object' || f === null) throw bad('a fill must be an object');
  const what = `fill ${JSON.stringify(f.tradeId)}`;
  checkText(f.tradeId, 'fill tradeId');
  checkText(f.orderId, `${what}: orderId`);
  checkText(f.clientOrderId, `${what}: clientOrderId`);
  checkTextOrNull(f.strategyId, `${what}: strategyId`);
  checkText(f.symbol, `${what}: symbol`);
  checkOneOf(f.side, ['BUY', 'SELL'], `${what}: side`);
  checkDecimal(f.price, false, `${what}: price`);
  checkDecimal(f.qty, false, `${what}: qty`);
  checkDecimal(f.fee, true, `${what}: fee`);
  checkOneOf(f.liquidity, ['MAKER', 'TAKER'], `${what}: liquidity`);
  checkNs(f.tsEventNs, `${what}: tsEventNs`);
  checkNs(f.tsInitNs, `${what}: tsInitNs`);
}

export function checkFunding(p: FundingPayment, shares: readonly FundingShareRecord[]): void {
  checkText(p.tranId, 'funding tranId');
  const what = `funding ${p.tranId}`;
  checkText(p.symbol, `${what}: symbol`);
  checkText(p.asset, `${what}: asset`);
  checkDecimal(p.incomeQuote, true, `${what}: income`);
  checkNs(p.tsEventNs, `${what}: tsEventNs`);
  checkNs(p.tsInitNs, `${what}: tsInitNs`);
  shares.forEach((sh, i) => {
    checkTextOrNull(sh.strategyId, `${what}: shares[${i}].strategyId`);
    checkDecimal(sh.shareQuote, true, `${what}: shares[${i}].share`);
  });
  if (new Set(shares.map((sh) => sh.strategyId)).size !== shares.length) throw bad(`${what}: an account has two shares`);
}

export function checkOrder(o: OrderRecord): void {
  if (typeof o !== 'object' || o === null) throw bad('an order must be an object');
  const what = `order ${JSON.stringify(o.orderId)}`;
  checkText(o.orderId, 'order orderId');
  checkText(o.clientOrderId, `${what}: clientOrderId`);
  checkTextOrNull(o.strategyId, `${what}: strategyId`);
  checkText(o.symbol, `${what}: symbol`);
  checkOneOf(o.side, ['BUY', 'SELL'], `${what}: side`);
  checkOneOf(o.type, ['LIMIT', 'MARKET'], `${what}: type`);
  checkOneOf(o.timeInForce, ['GTC', 'IOC', 'POST_ONLY'], `${what}: timeInForce`);
  if (o.price !== null) checkDecimal(o.price, false, `${what}: price`);
  else if (o.type === 'LIMIT') throw bad(`${what}: a LIMIT order needs a price`);
  checkDecimal(o.qty, false, `${what}: qty`);
  checkNs(o.tsInitNs, `${what}: tsInitNs`);
}
