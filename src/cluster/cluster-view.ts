// GET /api/cluster (this node's view of the whole cluster: nodes, leases with owner,
// revision and age, strategies and where they run, the kill switch, positions, the
// trades stream and how far this node is behind it) and GET /api/cluster/fills (the
// cluster's fills from the stream). Synchronous: read from what the node's rounds and
// its stream consumer keep.
import { HttpError } from '../gateway/http-errors.js';
import type { Route } from '../gateway/routes-api.js';
import type { ClusterNode } from './cluster-node.js';
import type { RiskRecord } from './global-risk.js';

/** A position record as shown: without the trade ids it keeps to recognise an update sent twice. */
function withoutTradeIds(r: RiskRecord): Omit<RiskRecord, 'trade_ids'> {
  const { trade_ids: ids, ...rest } = r;
  void ids;
  return rest;
}

export function clusterView(n: ClusterNode): Record<string, unknown> {
  const now = Date.now();
  const held = n.leases.held;
  const leases = [...n.leases.table.entries()].map(([market, l]) => ({
    market, owner: l.record.node_id, revision: l.revision, age_ms: l.ageMs, acquired_ms: l.record.acquired_ms, held_here: held.has(market),
  }));
  for (const [market, h] of held) {
    if (!n.leases.table.has(market)) leases.push({ market, owner: n.cfg.nodeId, revision: h.revision, age_ms: 0, acquired_ms: h.acquiredMs, held_here: true });
  }
  leases.sort((a, b) => (a.market < b.market ? -1 : 1));
  const local = new Map(n.engine.list().map((s) => [s.strategy_id, s.status]));
  return {
    ok: true,
    node_id: n.cfg.nodeId,
    nats: { url: n.cfg.url, status: n.natsStatus, reconnects: n.reconnects },
    lease_ttl_ms: n.cfg.leaseTtlMs,
    last_round_ms_ago: n.lastRoundMs === 0 ? null : now - n.lastRoundMs,
    nodes: n.registry.live.map((x) => ({ node_id: x.node_id, api: x.api, heartbeat_age_ms: now - x.heartbeat_ms, started_ms: x.started_ms })),
    leases,
    held_here: [...held.values()].map((h) => ({ market: h.market, revision: h.revision, valid_for_ms: Math.max(0, Math.round(h.validUntil - performance.now())) })),
    strategies: [...n.strategies.all.values()].map((s) => ({
      strategy_id: s.strategy_id, market: s.symbol, wanted: s.wanted, owner: held.has(s.symbol) ? n.cfg.nodeId : n.leases.table.get(s.symbol)?.record.node_id ?? null,
      status_here: local.get(s.strategy_id) ?? null,
    })),
    market_data: {
      publish: n.mdPublisher?.stats() ?? null,
      source: n.mdSubscriber?.stats() ?? { source: 'local' },
    },
    kill_switch: { state: n.kill.state, note: n.kill.note, revision: n.kill.appliedRevision, engine: n.engine.killed ? 'HALTED' : 'ACTIVE', unsent: n.kill.unsent },
    cluster_limits: n.limits.view(),
    forwarding: { timeout_ms: n.api.timeoutMs, ...n.api.stats },
    merged_stream: n.events === null ? null : {
      published: n.events.stats.published, received: n.events.stats.received, publish_errors: n.events.stats.publishErrors, bad: n.events.stats.bad,
    },
    positions: [...n.risk.all.values()].map(withoutTradeIds),
    trades_stream: {
      last_seq: n.trades.lastSeq, consumed_seq: n.trades.consumedSeq, lag: Math.max(0, n.trades.lastSeq - n.trades.consumedSeq),
      fills: n.trades.fills.length, orders_kept: n.trades.orders.length, published: n.trades.published, publish_errors: n.trades.publishErrors,
      fence_violations: n.trades.fenceViolations, fills_imported: n.fillsImported,
      unsent: n.trades.unsentCount, republished: n.trades.republished,
    },
    positions_pending: n.risk.pending,
    positions_last_error: n.risk.lastError,
    leases_counters: n.leases.counters,
    orders_refused_not_lease_owner: n.engine.router.denials[62] ?? 0,
    risk_cas_conflicts: n.risk.conflicts,
    round_errors: n.roundErrors,
    rounds_abandoned: n.roundsAbandoned,
    last_error: n.lastError,
  };
}

export function clusterRoutes(n: ClusterNode): Route[] {
  return [
    { method: 'GET', pattern: '/api/cluster', handle: () => ({ status: 200, body: clusterView(n) }) },
    {
      method: 'GET', pattern: '/api/cluster/fills',
      handle: (ctx) => {
        const lim = ctx.query.get('limit');
        const limit = lim === null ? 1000 : Number(lim);
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100_000) throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', 'limit must be an integer from 1 to 100000');
        const sym = ctx.query.get('symbol');
        const acct = ctx.query.get('strategy_id');
        let list = n.trades.fills;
        if (sym !== null || acct !== null) list = list.filter((f) => (sym === null || f.fill.symbol === sym) && (acct === null || f.fill.strategyId === acct));
        return { status: 200, body: { ok: true, count: list.length, fills: list.slice(-limit).map((f) => ({ node_id: f.node_id, venue: f.venue, fence: f.fence, ...f.fill })) } };
      },
    },
  ];
}
