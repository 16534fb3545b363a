// Routes the dashboard's per-strategy panel reads (docs/api.md):
//  - GET /api/strategy/:id/overview?symbol=  one strategy on one symbol: status, risk
//    state and its reason, pause reasons, fill rate, drawdown, P&L, markouts, the
//    engine's decision latency (the quantiles of /metrics' spreadcore_batch_decision_seconds
//    histogram) and, for a binary contract, the NO side and the time to resolution.
//  - GET /api/parameters/schema  the JSON Schema the gateway checks parameter bodies
//    with (request-schemas.ts, built from the parameter table) and the canonical names.
import type { TradingEngine } from '../engine/trading-engine.js';
import { analyticsView } from '../accounting/analytics-view.js';
import { PARAM_SPECS } from '../strategy/params/param-table.js';
import { SCANNER_PARAM_NAMES } from '../strategy/market-scanner.js';
import { HttpError } from './http-errors.js';
import { symbolParam } from './http-query.js';
import type { FixedHistogram } from './prometheus-histogram.js';
import { decisionHistogramOf } from './routes-metrics.js';
import { sharedSchemas } from './request-schemas.js';
import type { Route, RouteContext } from './routes-api.js';

export interface LatencyQuantiles {
  /** The histogram it is read from (engine-wide: every market-data batch, all strategies). */
  metric: 'spreadcore_batch_decision_seconds';
  count: number;
  mean_ms: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
}

/**
 * A quantile of a bucketed histogram the way Prometheus' histogram_quantile reads it:
 * linear within the bucket holding the rank; in the +Inf bucket, the largest finite bound.
 */
export function histogramQuantile(h: FixedHistogram, q: number): number | null {
  if (h.count === 0 || !(q >= 0 && q <= 1)) return null;
  const rank = q * h.count;
  let cum = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const n = h.counts[i]!;
    if (n > 0 && cum + n >= rank) {
      if (i >= h.bounds.length) return h.bounds[h.bounds.length - 1]!;
      const lo = i === 0 ? 0 : h.bounds[i - 1]!;
      const hi = h.bounds[i]!;
      return lo + (hi - lo) * Math.max(0, rank - cum) / n;
    }
    cum += n;
  }
  return h.bounds[h.bounds.length - 1]!;
}

const ms = (s: number | null): number | null => (s === null ? null : Math.round(s * 1e6) / 1e3);

export function latencyQuantiles(h: FixedHistogram): LatencyQuantiles {
  return {
    metric: 'spreadcore_batch_decision_seconds', count: h.count,
    mean_ms: h.count === 0 ? null : ms(h.sum / h.count),
    p50_ms: ms(histogramQuantile(h, 0.5)), p90_ms: ms(histogramQuantile(h, 0.9)), p99_ms: ms(histogramQuantile(h, 0.99)),
  };
}

export function strategyOverview(engine: TradingEngine, id: string, q: URLSearchParams): Record<string, unknown> {
  const row = engine.list().find((s) => s.strategy_id === id);
  if (row === undefined) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `no strategy ${JSON.stringify(id)}`);
  const asked = symbolParam(q);
  const legs = row.error?.code === 'SPREADCORE_ERR_STRATEGY_INVALID' ? [] : engine.legs(id);
  const leg = asked === undefined ? legs[0] : legs.find((l) => l.symbol === asked);
  if (asked !== undefined && leg === undefined) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `strategy ${id} does not trade ${asked}`);
  const risk = engine.risk.metrics(id);
  const h = decisionHistogramOf(engine);
  const out: Record<string, unknown> = {
    ok: true, strategy_id: id, symbol: leg?.symbol ?? null, status: row.status, pause_reasons: row.pause_reasons,
    risk_state: row.risk_state, risk_reason: risk?.state_reason ?? '', kill_switch: engine.risk.killed ? 'HALTED' : 'ACTIVE',
    error: row.error ?? null,
    decision_latency: h === undefined ? null : latencyQuantiles(h),
  };
  if (leg === undefined || leg.ledger === undefined) return out;
  const m = engine.metrics(id, leg.symbol);
  const a = analyticsView(leg.ledger);
  Object.assign(out, {
    position: m.inventory.current_position,
    total_trades: m.performance.total_trades,
    fill_rate_pct: m.quoting.fill_rate_pct,
    net_profit: m.performance.net_profit,
    max_drawdown: m.risk.max_drawdown,
    volatility_pauses: m.risk.volatility_pauses,
    adverse_markout_fills: a.risk.adverse_markout_fills,
    markouts: a.markouts,
  });
  if (leg.binary) {
    const qv = engine.quotes(id, leg.symbol);
    const market = engine.marketsView().markets.find((r) => r.symbol === leg.symbol);
    const yes = qv.mid_price;
    out['binary'] = {
      yes_mid: yes,
      // 1 − p on the contract's grid (ticks per unit of payout)
      no_mid: typeof yes === 'number' ? Math.round((1 - yes) * leg.payoutTicks * 2) / (leg.payoutTicks * 2) : null,
      no_side: (qv as { no_side?: unknown }).no_side ?? null,
      status: market?.status ?? null,
      resolution_time: market?.resolution_time ?? null,
      hours_to_resolution: market?.hours_to_resolution ?? null,
    };
  }
  return out;
}

/** The parameters' JSON Schema (the one request bodies are checked with) and the canonical names, in table order. */
export function parametersSchemaView(): Record<string, unknown> {
  return { ok: true, schema: sharedSchemas()[0], canonical: [...PARAM_SPECS.map((s) => s.name), ...SCANNER_PARAM_NAMES] };
}

export const DASHBOARD_ROUTES: readonly Route[] = [
  { method: 'GET', pattern: '/api/strategy/:id/overview', handle: (ctx: RouteContext) => ({ status: 200, body: strategyOverview(ctx.engine, ctx.params[0]!, ctx.query) }) },
  { method: 'GET', pattern: '/api/parameters/schema', handle: () => ({ status: 200, body: parametersSchemaView() }) },
];
