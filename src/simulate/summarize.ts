// The experiment's statistics from the per-path records, in path order (so the
// sums, and the printed figures, are the same however the paths were split).
import {
  RECORD_FIELDS, REC_INV_PROFIT, REC_INV_Q, REC_INV_SPREAD, REC_SYM_PROFIT, REC_SYM_Q, REC_SYM_SPREAD,
} from './simulate-strategies.js';

export interface StrategyStats {
  /** Mean quoted spread ask − bid, price units (null if no step had both sides quoted). */
  spread: number | null;
  profit_mean: number;
  /** Sample standard deviation (n − 1); 0 for one path. */
  profit_std: number;
  final_q_mean: number;
  final_q_std: number;
}

export interface SimulationSummary {
  inventory: StrategyStats;
  symmetric: StrategyStats;
}

function field(records: Float64Array, offset: number): Float64Array {
  const n = records.length / RECORD_FIELDS;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = records[j * RECORD_FIELDS + offset]!;
  return out;
}

/** Mean of the finite values, or null if none. */
export function finiteMean(xs: Float64Array): number | null {
  let sum = 0;
  let count = 0;
  for (const x of xs) if (Number.isFinite(x)) { sum += x; count++; }
  return count > 0 ? sum / count : null;
}

export function mean(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample standard deviation (n − 1), two-pass; 0 for fewer than two values. */
export function sampleStd(xs: Float64Array): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

function strategyStats(records: Float64Array, profitAt: number, qAt: number, spreadAt: number): StrategyStats {
  const profit = field(records, profitAt);
  const q = field(records, qAt);
  return {
    spread: finiteMean(field(records, spreadAt)),
    profit_mean: mean(profit),
    profit_std: sampleStd(profit),
    final_q_mean: mean(q),
    final_q_std: sampleStd(q),
  };
}

/** Statistics of both strategies over every path in `records` (RECORD_FIELDS per path). */
export function summarize(records: Float64Array): SimulationSummary {
  if (records.length === 0 || records.length % RECORD_FIELDS !== 0) {
    throw new RangeError(`records must hold a positive multiple of ${RECORD_FIELDS} numbers, got ${records.length}`);
  }
  return {
    inventory: strategyStats(records, REC_INV_PROFIT, REC_INV_Q, REC_INV_SPREAD),
    symmetric: strategyStats(records, REC_SYM_PROFIT, REC_SYM_Q, REC_SYM_SPREAD),
  };
}
