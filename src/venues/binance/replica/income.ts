// The USD-M account's income history, as GET /fapi/v1/income answers it ("Get Income
// History (USER_DATA)", developers.binance.com/docs/derivatives/usds-margined-futures/
// account/rest-api/Get-Income-History): one record per commission, realized PnL and
// funding fee, oldest first, each with a tranId (unique per income type; here unique
// across all) and the trade id for trade records ('' otherwise).
import { formatE8 } from './fixed.js';
import { err } from './replica-error.js';
import { intParam, optional, type Params } from './order-params.js';

export type IncomeType = 'REALIZED_PNL' | 'COMMISSION' | 'FUNDING_FEE';

/** The income types the docs list for incomeType (the replica books three of them). */
export const INCOME_TYPES: readonly string[] = [
  'TRANSFER', 'WELCOME_BONUS', 'REALIZED_PNL', 'FUNDING_FEE', 'COMMISSION', 'INSURANCE_CLEAR', 'REFERRAL_KICKBACK', 'COMMISSION_REBATE',
  'API_REBATE', 'CONTEST_REWARD', 'CROSS_COLLATERAL_TRANSFER', 'OPTIONS_PREMIUM_FEE', 'OPTIONS_SETTLE_PROFIT', 'INTERNAL_TRANSFER',
  'AUTO_EXCHANGE', 'DELIVERED_SETTELMENT', 'COIN_SWAP_DEPOSIT', 'COIN_SWAP_WITHDRAW', 'POSITION_LIMIT_INCREASE_FEE',
  'STRATEGY_UMFUTURES_TRANSFER', 'FEE_RETURN', 'BFUSD_REWARD',
];

export interface IncomeRecord {
  readonly symbol: string;
  readonly incomeType: IncomeType;
  /** 1e-8 USDT; positive in, negative out. */
  readonly incomeE8: bigint;
  readonly asset: string;
  readonly timeMs: number;
  readonly tranId: number;
  /** The trade's id for REALIZED_PNL and COMMISSION, '' otherwise. */
  readonly tradeId: string;
}

/** Without startTime and endTime the docs answer the last 7 days. */
const DEFAULT_WINDOW_MS = 7 * 24 * 3_600_000;
/** "Income history only contains data for the last three months." */
const KEPT_MS = 90 * 24 * 3_600_000;
/** tranIds start at a number of Binance's size (the docs' example is 9689322392). */
const FIRST_TRAN_ID = 9_000_000_001;

export class IncomeBook {
  readonly records: IncomeRecord[] = [];
  private nextTranId = FIRST_TRAN_ID;

  add(r: Omit<IncomeRecord, 'tranId'>): IncomeRecord {
    const rec: IncomeRecord = { ...r, tranId: this.nextTranId++ };
    this.records.push(rec);
    return rec;
  }

  /**
   * GET /fapi/v1/income: symbol, incomeType, startTime and endTime (inclusive, ms), page (from
   * 1) and limit (default 100, max 1000). Oldest first; a range holding more than `limit`
   * records answers the first `limit` from startTime (page n skips n − 1 pages).
   */
  query(p: Params, now: number, knownSymbol: (s: string) => boolean): Record<string, unknown>[] {
    const symbol = optional(p, 'symbol');
    if (symbol !== null && !knownSymbol(symbol)) throw err.badSymbol();
    const type = optional(p, 'incomeType');
    if (type !== null && !INCOME_TYPES.includes(type)) throw err.invalidParam('incomeType');
    const start = intParam(p, 'startTime', 0);
    const end = intParam(p, 'endTime', 0);
    const page = intParam(p, 'page', 1, 1_000_000) ?? 1;
    const limit = intParam(p, 'limit', 1, 1000) ?? 100;
    const from = Math.max(start ?? (end === null ? now - DEFAULT_WINDOW_MS : 0), now - KEPT_MS);
    const to = end ?? Number.MAX_SAFE_INTEGER;
    const hits = this.records.filter((r) => r.timeMs >= from && r.timeMs <= to && (symbol === null || r.symbol === symbol) && (type === null || r.incomeType === type));
    return hits.slice((page - 1) * limit, page * limit).map(incomeJson);
  }
}

export function incomeJson(r: IncomeRecord): Record<string, unknown> {
  return {
    symbol: r.symbol, incomeType: r.incomeType, income: formatE8(r.incomeE8), asset: r.asset, info: r.incomeType,
    time: r.timeMs, tranId: r.tranId, tradeId: r.tradeId,
  };
}
