// The market scanner of a strategy loaded with a universe instead of fixed symbols
// (seed 004: scan many markets, quote the best max_markets): a pure function from the
// markets' readings (hours to resolution, liquidity, spread, volume) and the
// strategy's filters to a decision per market — quoted or the reason it is not.
//
// Order of the rules, first that applies wins:
//   resolved                  the market settled
//   forced_exit               inside forced_exit_hours of resolution (seed 004: "< 0.5 h … FORCE EXIT")
//   too_far_from_resolution   resolves later than max_time_to_resolution_hours
//   no_book                   no two-sided book yet
//   below_min_liquidity       liquidity (quote currency in the top imbalance_depth_levels levels) < min_liquidity
//   spread_too_wide           touch spread (price) > max_market_spread
//   below_min_volume          contracts traded since listing < min_volume
//   bad_grid                  the strategy's parameters do not fit the market's tick/lot grid
//   max_markets_reached       eligible, but max_markets better-ranked (or already quoted) markets are quoted
//   quoted
// Ranking of the eligible markets: markets already quoted first (no churn while they
// stay eligible), then by liquidity (descending), tighter spread, more volume, and the
// symbol name — a total order, so the same readings always pick the same markets.
import { SpreadcoreError } from '../errors.js';

export type MarketReason =
  | 'quoted' | 'resolved' | 'forced_exit' | 'too_far_from_resolution' | 'no_book' | 'below_min_liquidity'
  | 'spread_too_wide' | 'below_min_volume' | 'bad_grid' | 'max_markets_reached' | 'no_quoter_slot';

export interface MarketReading {
  readonly symbol: string;
  /** Hours to resolution (Infinity without a resolution time; <= 0 resolved). */
  readonly hoursToResolution: number;
  readonly settled: boolean;
  /** Quote-currency notional of the top levels of both sides. */
  readonly liquidity: number;
  /** Touch spread in price units (NaN without both sides). */
  readonly spread: number;
  /** Contracts traded since the market was first seen. */
  readonly volume: number;
  /** The strategy quotes it now (an active leg). */
  readonly incumbent: boolean;
  /** The strategy's parameters fail on its grid (the message), else null. */
  readonly gridProblem: string | null;
}

export interface ScanFilters {
  readonly maxMarkets: number;
  readonly minLiquidity: number | null;
  readonly maxHoursToResolution: number | null;
  readonly forcedExitHours: number;
  readonly maxSpread: number | null;
  readonly minVolume: number | null;
}

export interface ScanDecision {
  readonly symbol: string;
  readonly quote: boolean;
  readonly reason: MarketReason;
  /** 1-based rank among the eligible markets (0 when not eligible). */
  readonly rank: number;
}

/** Filters, then ranks; at most maxMarkets decisions have quote = true. */
export function scanMarkets(readings: readonly MarketReading[], f: ScanFilters): ScanDecision[] {
  const reasonOf = (r: MarketReading): MarketReason | null => {
    if (r.settled || r.hoursToResolution <= 0) return 'resolved';
    if (r.hoursToResolution < f.forcedExitHours) return 'forced_exit';
    if (f.maxHoursToResolution !== null && r.hoursToResolution > f.maxHoursToResolution) return 'too_far_from_resolution';
    if (!Number.isFinite(r.spread)) return 'no_book';
    if (f.minLiquidity !== null && r.liquidity < f.minLiquidity) return 'below_min_liquidity';
    if (f.maxSpread !== null && r.spread > f.maxSpread + 1e-12) return 'spread_too_wide';
    if (f.minVolume !== null && r.volume < f.minVolume) return 'below_min_volume';
    if (r.gridProblem !== null) return 'bad_grid';
    return null;
  };
  const eligible: MarketReading[] = [];
  const out = new Map<string, ScanDecision>();
  for (const r of readings) {
    const reason = reasonOf(r);
    if (reason === null) eligible.push(r);
    else out.set(r.symbol, { symbol: r.symbol, quote: false, reason, rank: 0 });
  }
  eligible.sort(compareMarkets);
  const picked = new Set<string>();
  // incumbents keep their place while eligible, best first; the rest fill by rank
  for (const r of eligible) if (r.incumbent && picked.size < f.maxMarkets) picked.add(r.symbol);
  for (const r of eligible) if (!picked.has(r.symbol) && picked.size < f.maxMarkets) picked.add(r.symbol);
  eligible.forEach((r, i) => {
    const q = picked.has(r.symbol);
    out.set(r.symbol, { symbol: r.symbol, quote: q, reason: q ? 'quoted' : 'max_markets_reached', rank: i + 1 });
  });
  return readings.map((r) => out.get(r.symbol)!);
}

/** The ranking: liquidity desc, spread asc, volume desc, symbol. */
export function compareMarkets(a: MarketReading, b: MarketReading): number {
  if (a.liquidity !== b.liquidity) return b.liquidity - a.liquidity;
  if (a.spread !== b.spread) return a.spread - b.spread;
  if (a.volume !== b.volume) return b.volume - a.volume;
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}

// ---- the scanner's own parameters (next to the strategy parameters in "parameters") ----

export interface ScannerParams {
  /** Re-scan this often, exchange seconds (also at every new market and settlement). Default 30. */
  readonly scan_interval_seconds: number;
  /** Skip markets whose touch spread is wider than this (price units, e.g. 0.05); null = no filter. */
  readonly max_market_spread: number | null;
  /** Skip markets with fewer contracts traded since listing; null = no filter. */
  readonly min_volume: number | null;
  /** Net exposure per event (contracts, across mapped symbols and strategies) the risk gate allows this strategy's orders to reach; null = no limit. */
  readonly max_event_exposure: number | null;
}

export const SCANNER_PARAM_DEFAULTS: ScannerParams = { scan_interval_seconds: 30, max_market_spread: null, min_volume: null, max_event_exposure: null };
export const SCANNER_PARAM_NAMES: readonly string[] = Object.keys(SCANNER_PARAM_DEFAULTS);

/** The JSON Schema of each scanner parameter (the load and PATCH bodies). */
export const SCANNER_PARAM_SCHEMA: Record<string, Record<string, unknown>> = {
  scan_interval_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400, description: 'Re-scan a universe this often, exchange seconds (default 30).' },
  max_market_spread: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }], description: 'Scanner: skip markets whose touch spread is wider (price units).' },
  min_volume: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }], description: 'Scanner: skip markets with fewer contracts traded since listing.' },
  max_event_exposure: { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }], description: 'Most net exposure (contracts) per mapped event the strategy\'s orders may reach.' },
};

/** Splits a parameters object into the scanner's parameters and the strategy's. */
export function splitScannerParams(parameters: Readonly<Record<string, unknown>> | undefined): { scanner: Record<string, unknown>; rest: Record<string, unknown> } {
  const scanner: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parameters ?? {})) (SCANNER_PARAM_NAMES.includes(k) ? scanner : rest)[k] = v;
  return { scanner, rest };
}

/** Checks scanner parameters over a base; throws SPREADCORE_ERR_BAD_PARAM. */
export function readScannerParams(given: Readonly<Record<string, unknown>>, base: ScannerParams = SCANNER_PARAM_DEFAULTS): ScannerParams {
  const bad = (m: string): never => { throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', m); };
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(given)) {
    if (k === 'scan_interval_seconds') {
      if (typeof v !== 'number' || !(v > 0) || v > 86400) bad('scan_interval_seconds must be a number in (0, 86400]');
    } else if (v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (k === 'max_market_spread' && v === 0))) {
      bad(`${k} must be ${k === 'max_market_spread' ? 'a positive number' : 'a number >= 0'} or null`);
    }
    out[k] = v;
  }
  return out as unknown as ScannerParams;
}
