// GET /metrics: the engine, the feed, the risk gate and the gateway in the
// Prometheus text format (prometheus-text.ts). EngineMetrics owns the one metric
// that has to be measured on the engine's batch path — the decision time of each
// market-data batch — as a FixedHistogram the engine's batchTimer hook increments
// in place; everything else is read from counters that already exist when a
// scrape comes in. Counter families only ever grow while the process runs.
import type { TradingEngine } from '../engine/trading-engine.js';
import { RISK_REASONS } from '../risk/reason-codes.js';
import type { Gateway } from './gateway.js';
import { FixedHistogram } from './prometheus-histogram.js';
import { PrometheusText, type Labels } from './prometheus-text.js';
import { EngineHistory, type EngineHistoryOptions } from './routes-history.js';
import type { SseHub } from './sse-hub.js';

const STATUSES = ['loaded', 'running', 'paused', 'stopped'] as const;

/** What the market source says about itself (serve's --market). */
export interface MarketSourceInfo {
  /** sim, replay, binance, feed. */
  readonly source: string;
  /** e.g. running, ended, connecting, open. */
  readonly state: string;
}

/** The feed handler's totals, when serve runs one (--feed-port). */
export interface FeedHandlerTotalsView {
  readonly connectionsOpen: number;
  readonly frames: number;
  readonly messages: number;
  readonly decodeErrors: number;
}

export interface EngineMetricsOptions {
  stream?: SseHub;
  market?: () => MarketSourceInfo;
  feedHandler?: () => FeedHandlerTotalsView;
  /** A live venue's counters (orders, REST, rate budget use), name → value; exported as spreadcore_venue{name=…}. */
  venue?: () => { readonly venue: string; readonly values: Readonly<Record<string, number>> };
  /** The 1 s history of mids, quotes, positions and P&L served at GET /api/history (routes-history.ts); false: none. Default on. */
  history?: EngineHistoryOptions | false;
}

const decisionHistograms = new WeakMap<TradingEngine, FixedHistogram>();

/** The decision-time histogram of an engine with an EngineMetrics attached (GET /api/strategy/:id/overview reads it). */
export function decisionHistogramOf(engine: TradingEngine): FixedHistogram | undefined {
  return decisionHistograms.get(engine);
}

/** Unix time the process started, seconds. */
export function processStartTimeSeconds(): number {
  return Math.round((Date.now() / 1000 - process.uptime()) * 1000) / 1000;
}

export class EngineMetrics {
  readonly engine: TradingEngine;
  /** Decision time of each market-data batch, seconds. */
  readonly batchSeconds = new FixedHistogram();
  private readonly options: EngineMetricsOptions;
  private readonly startS = processStartTimeSeconds();
  /** The engine's sampled history (GET /api/history), unless options.history is false. */
  readonly history: EngineHistory | undefined;

  /** Attaches the batch timer to the engine (one EngineMetrics per engine). */
  constructor(engine: TradingEngine, options: EngineMetricsOptions = {}) {
    this.engine = engine;
    this.options = options;
    const h = this.batchSeconds;
    engine.batchTimer = (ns) => h.observe(ns / 1e9);
    decisionHistograms.set(engine, h);
    this.history = options.history === false ? undefined : new EngineHistory(engine, options.history).start();
  }

  detach(): void {
    this.engine.batchTimer = null;
    if (decisionHistograms.get(this.engine) === this.batchSeconds) decisionHistograms.delete(this.engine);
    this.history?.stop();
  }

  /** The exposition text; gateway counters when a gateway serves it. */
  render(gateway?: Gateway): string {
    const e = this.engine;
    const c = e.counters;
    const p = new PrometheusText();
    p.gauge('spreadcore_process_start_time_seconds', 'Start time of the process since the Unix epoch, seconds.', this.startS);
    const market = this.options.market?.();
    if (market !== undefined) {
      p.gauge('spreadcore_market_source_info', 'The market source the engine runs on, and its state (value always 1).', [[{ source: market.source, state: market.state }, 1]]);
    }
    p.counter('spreadcore_engine_batches_total', 'Market-data batches the engine handled.', c.batches);
    p.counter('spreadcore_engine_decisions_total', 'Quote decisions made by strategy legs.', c.decisions);
    p.counter('spreadcore_quote_updates_total', 'Quote ladder updates that changed resting orders.', c.quoteUpdates);
    p.counter('spreadcore_orders_placed_total', 'Orders placed on the paper exchange (quotes and manual orders).', c.ordersPlaced);
    p.counter('spreadcore_orders_cancelled_total', 'Orders cancelled.', c.ordersCancelled);
    p.counter('spreadcore_fills_total', 'Fills of our orders.', c.fills);
    p.histogram('spreadcore_batch_decision_seconds', 'Time from a market-data batch reaching the engine to its quotes decided (paper matching, risk, quoting), seconds.', this.batchSeconds);

    const denials: [Labels, number][] = [];
    const answers = e.risk.answerCounts();
    for (const r of RISK_REASONS) if (r.code !== 0) denials.push([{ reason: r.name }, answers[r.name] ?? 0]);
    p.counter('spreadcore_risk_denials_total', 'Orders the pre-trade risk gate refused, by reason.', denials);
    p.counter('spreadcore_risk_allowed_total', 'Orders the pre-trade risk gate allowed.', answers['ALLOW'] ?? 0);
    p.gauge('spreadcore_kill_switch_engaged', '1 while the global kill switch is on.', e.risk.killed ? 1 : 0);

    const list = e.list();
    const byStatus = new Map<string, number>(STATUSES.map((s) => [s, 0]));
    for (const s of list) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
    p.gauge('spreadcore_strategies', 'Strategies by status.', [...byStatus].map(([status, n]) => [{ status }, n] as const));
    const pnl: [Labels, number][] = [];
    const fees: [Labels, number][] = [];
    const position: [Labels, number][] = [];
    for (const s of list) {
      for (const leg of e.legs(s.strategy_id)) {
        let m: ReturnType<TradingEngine['metrics']>;
        try { m = e.metrics(s.strategy_id, leg.symbol); } catch { continue; } // a leg without a ledger yet
        const labels = { strategy_id: s.strategy_id, symbol: leg.symbol };
        pnl.push([labels, m.performance.net_profit]);
        fees.push([labels, m.performance.fees_paid]);
        position.push([labels, m.inventory.current_position]);
      }
    }
    p.gauge('spreadcore_strategy_net_profit', 'Net profit (realized and unrealized, after fees) of a strategy on a symbol, quote currency.', pnl);
    p.gauge('spreadcore_strategy_fees_paid', 'Fees paid by a strategy on a symbol, quote currency.', fees);
    p.gauge('spreadcore_strategy_position', 'Position of a strategy on a symbol, base units.', position);

    const syms = e.ingest.symbols();
    const per = (f: (s: (typeof syms)[number]) => number): [Labels, number][] => syms.map((s) => [{ symbol: s.symbol }, f(s)]);
    p.counter('spreadcore_feed_messages_total', 'Market-data messages per symbol.', per((s) => s.counters.messages));
    p.counter('spreadcore_feed_gaps_total', 'Sequence gaps per symbol (the book went stale until the next snapshot).', per((s) => s.counters.gaps));
    p.counter('spreadcore_feed_snapshots_total', 'Book snapshots per symbol.', per((s) => s.counters.snapshots));
    p.counter('spreadcore_feed_stale_feeds_total', 'Times a symbol\'s feed went quiet longer than the stale interval.', per((s) => s.counters.staleFeeds));
    p.gauge('spreadcore_feed_book_live', '1 while a symbol\'s book is in sequence.', per((s) => (s.state === 'live' ? 1 : 0)));

    const fh = this.options.feedHandler?.();
    if (fh !== undefined) {
      p.gauge('spreadcore_feed_handler_connections', 'Publishers connected to the feed handler.', fh.connectionsOpen);
      p.counter('spreadcore_feed_handler_frames_total', 'Frames the feed handler received.', fh.frames);
      p.counter('spreadcore_feed_handler_messages_total', 'Messages in those frames.', fh.messages);
      p.counter('spreadcore_feed_handler_decode_errors_total', 'Frames that failed to decode.', fh.decodeErrors);
    }

    const venue = this.options.venue?.();
    if (venue !== undefined) {
      p.gauge('spreadcore_venue', 'A live venue\'s counters and rate-budget use (request weight and order counts against the venue\'s limits), by name.',
        Object.entries(venue.values).map(([name, v]) => [{ venue: venue.venue, name }, v]));
    }

    const hub = this.options.stream;
    if (hub !== undefined) {
      p.gauge('spreadcore_sse_clients', 'Clients connected to the event stream.', hub.counters.clients);
      p.counter('spreadcore_sse_clients_accepted_total', 'Event-stream connections accepted.', hub.counters.clientsAccepted);
      p.counter('spreadcore_sse_clients_dropped_total', 'Event-stream clients dropped for being too slow.', hub.counters.droppedClients);
      p.counter('spreadcore_sse_events_total', 'Events published on the stream.', hub.counters.events);
    }

    if (gateway !== undefined) {
      const g = gateway.counters;
      p.counter('spreadcore_http_requests_total', 'HTTP requests to the control API (event stream excluded).', g.requests);
      p.counter('spreadcore_http_client_errors_total', 'Requests answered with a 4xx status (rate-limited ones excluded).', g.errors4xx);
      p.counter('spreadcore_http_internal_errors_total', 'Requests answered with a 500 (a bug).', g.internalErrors);
      p.counter('spreadcore_http_aborted_total', 'Requests whose client went away before the answer.', g.aborted);
      const rl = gateway.rateLimits;
      if (rl !== undefined) {
        p.counter('spreadcore_http_rate_limited_total', 'Requests refused with 429 by the per-client limit, by limit.', [
          [{ limit: 'api' }, rl.api.counters.limited], [{ limit: 'monitor' }, rl.monitor.counters.limited],
        ]);
        p.gauge('spreadcore_http_rate_limit_clients', 'Client addresses the rate limiter tracks, by limit.', [
          [{ limit: 'api' }, rl.api.size], [{ limit: 'monitor' }, rl.monitor.size],
        ]);
      }
    }
    return p.toString();
  }
}
