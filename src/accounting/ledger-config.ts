// Per-ledger settings, part of the ledger's state (a snapshot carries them, so a
// restored ledger keeps measuring the same way).
import { SpreadcoreError } from '../errors.js';

export interface LedgerConfig {
  /** The strategy whose fills this ledger takes (null: fills without a strategy, e.g. manual orders). */
  strategyId: string | null;
  symbol: string;
  /** Markout horizons after each fill, ms. Default 1 s, 5 s, 30 s. */
  markoutHorizonsMs?: readonly number[];
  /** Width of the equity buckets behind Sharpe and Sortino, ms. Default 60,000 (1 min). */
  returnBucketMs?: number;
  /** A fill whose markout at the first horizon loses more than this many bps of its price counts as an adverse-selection event. Default 2. */
  adverseMarkoutBps?: number;
  /** Fewest equity buckets Sharpe and Sortino are reported from (else null with a reason). Default 30. */
  minReturnBuckets?: number;
  /** Most recent trades kept for the trades view (the journal keeps them all). Default 10,000. */
  tradeHistoryLimit?: number;
}

export interface ResolvedLedgerConfig {
  readonly strategyId: string | null;
  readonly symbol: string;
  readonly markoutHorizonsMs: readonly number[];
  readonly returnBucketMs: number;
  readonly minReturnBuckets: number;
  readonly adverseMarkoutBps: number;
  readonly tradeHistoryLimit: number;
}

export const LEDGER_DEFAULTS = {
  markoutHorizonsMs: [1_000, 5_000, 30_000] as readonly number[],
  returnBucketMs: 60_000,
  minReturnBuckets: 30,
  adverseMarkoutBps: 2,
  tradeHistoryLimit: 10_000,
};

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', message);
}

export function resolveLedgerConfig(c: LedgerConfig): ResolvedLedgerConfig {
  if (c.strategyId !== null && (typeof c.strategyId !== 'string' || c.strategyId.length === 0)) throw bad('strategyId must be a non-empty string or null');
  if (typeof c.symbol !== 'string' || c.symbol.length === 0) throw bad('symbol must be a non-empty string');
  const horizons = c.markoutHorizonsMs ?? LEDGER_DEFAULTS.markoutHorizonsMs;
  for (const h of horizons) {
    if (!Number.isSafeInteger(h) || h < 0) throw bad(`markout horizons must be non-negative integers of ms, got ${h}`);
  }
  const bucket = c.returnBucketMs ?? LEDGER_DEFAULTS.returnBucketMs;
  if (!Number.isSafeInteger(bucket) || bucket <= 0) throw bad(`returnBucketMs must be a positive integer, got ${bucket}`);
  const minBuckets = c.minReturnBuckets ?? LEDGER_DEFAULTS.minReturnBuckets;
  if (!Number.isSafeInteger(minBuckets) || minBuckets < 2) throw bad(`minReturnBuckets must be an integer >= 2, got ${minBuckets}`);
  const adverse = c.adverseMarkoutBps ?? LEDGER_DEFAULTS.adverseMarkoutBps;
  if (typeof adverse !== 'number' || !Number.isFinite(adverse) || adverse < 0) throw bad(`adverseMarkoutBps must be a number >= 0, got ${adverse}`);
  const limit = c.tradeHistoryLimit ?? LEDGER_DEFAULTS.tradeHistoryLimit;
  if (!Number.isSafeInteger(limit) || limit < 0) throw bad(`tradeHistoryLimit must be a non-negative integer, got ${limit}`);
  return { strategyId: c.strategyId, symbol: c.symbol, markoutHorizonsMs: [...horizons], returnBucketMs: bucket, minReturnBuckets: minBuckets, adverseMarkoutBps: adverse, tradeHistoryLimit: limit };
}
