// One spreadcore node in a cluster: joins NATS, beats in the node registry, keeps the
// cluster's strategies loaded, holds the leases of the markets rendezvous hashing gives
// it and runs the strategies on those markets (only there), fences every order with
// the market's lease, follows the kill switch, publishes its fills and orders, and adds
// its fills to the cluster's positions. Everything NATS does runs off the hot path: the
// order path only asks MarketLeases.fence(), synchronously.
import type { TradingEngine } from '../engine/trading-engine.js';
import type { FillRecord } from '../trading/types.js';
import type { ClusterConfig } from './cluster-config.js';
import { openCluster, type ClusterBuckets } from './nats-connection.js';
import { NodeRegistry } from './node-registry.js';
import { MarketLeases } from './market-leases.js';
import { StrategyStore } from './strategy-store.js';
import { KillSwitch } from './kill-switch.js';
import { GlobalRisk } from './global-risk.js';
import { fillFromStream, TradeStream, type StreamFill } from './trade-stream.js';
import { installEngineHooks, type EngineOriginals } from './engine-hooks.js';
import { MarketDataPublisher, MarketDataSubscriber } from './market-data.js';
import { ApiRelay, DEFAULT_FORWARD_TIMEOUT_MS } from './api-relay.js';
import { EventRelay } from './event-relay.js';
import { ClusterLimits } from './cluster-limits.js';
import type { SseHub } from '../gateway/sse-hub.js';

export class ClusterNode {
  readonly cfg: ClusterConfig;
  readonly engine: TradingEngine;
  readonly b: ClusterBuckets;
  readonly registry: NodeRegistry;
  readonly leases: MarketLeases;
  readonly strategies: StrategyStore;
  readonly kill: KillSwitch;
  readonly risk: GlobalRisk;
  readonly trades: TradeStream;
  /** --md-publish: this node's market data on md.<venue>.<symbol>. */
  readonly mdPublisher: MarketDataPublisher | null;
  /** --md-source nats: the markets this node holds are fed from NATS. */
  readonly mdSubscriber: MarketDataSubscriber | null;
  /** API requests about another node's strategies and markets go there (sc.api.<node>). */
  readonly api: ApiRelay;
  /** Daily loss per account and exposure per event over every node (--cluster-daily-loss-limit, --cluster-event-exposure-limit). */
  readonly limits: ClusterLimits;
  /** The merged event stream (sc.events.<node>), once startEvents() ran. */
  events: EventRelay | null = null;
  private orig!: EngineOriginals;
  private readonly log: (line: string) => void;
  private roundTimer: NodeJS.Timeout | null = null;
  private expireTimer: NodeJS.Timeout | null = null;
  private running = false;
  private roundStartedAt = 0;
  roundsAbandoned = 0;
  private closed = false;
  /** Fills this node is applying from the stream (not published again). */
  private importing = false;
  lastRoundMs = 0;
  roundErrors = 0;
  lastError: string | null = null;
  reconnects = 0;
  natsStatus = 'connected';
  fillsImported = 0;
  /** The parameter PATCH sequence applied here, per strategy. */
  readonly paramsApplied = new Map<string, number>();

  private constructor(cfg: ClusterConfig, engine: TradingEngine, b: ClusterBuckets, log: (line: string) => void) {
    this.cfg = cfg;
    this.engine = engine;
    this.b = b;
    this.log = log;
    this.registry = new NodeRegistry(b.nodes, cfg.nodeId, null);
    this.strategies = new StrategyStore(b.strategies, cfg.nodeId);
    this.kill = new KillSwitch(b.control, cfg.nodeId);
    this.risk = new GlobalRisk(b.risk, cfg.nodeId);
    this.trades = new TradeStream(b.nc, b.js, cfg.nodeId);
    this.mdPublisher = cfg.mdPublish === true ? new MarketDataPublisher(b.nc, engine.ingest, cfg.mdVenue ?? 'sim') : null;
    this.mdSubscriber = cfg.mdSource === 'nats' ? new MarketDataSubscriber(b.nc, engine.ingest) : null;
    this.api = new ApiRelay(b.nc, cfg.nodeId, {
      ownerOf: (symbol) => this.ownerOf(symbol),
      symbolOf: (id) => this.strategies.all.get(id)?.symbol ?? null,
      knows: (id) => this.engine.list().some((s) => s.strategy_id === id),
      refresh: async (id) => {
        if (!(await this.strategies.readOne(id))) return false;
        if (!this.closed) this.applyStrategies();
        return true;
      },
    }, cfg.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS);
    this.limits = new ClusterLimits({
      engine, risk: this.risk, control: b.control, nodeId: cfg.nodeId,
      dailyLossLimit: cfg.dailyLossLimit, eventExposureLimit: cfg.eventExposureLimit,
      holds: (symbol) => this.leases.held.has(symbol),
      held: () => this.leases.held.keys(),
      halt: (note) => this.kill.write('HALTED', note),
      log,
    });
    this.leases = new MarketLeases(b.leases, cfg.nodeId, cfg.leaseTtlMs, {
      acquired: (m, rev) => this.onAcquired(m, rev),
      ready: (m) => this.onReady(m),
      lost: (m, why) => this.onLost(m, why),
    });
  }

  /** Connects (an unreachable NATS throws a SpreadcoreError that says what to do) and joins. */
  static async join(cfg: ClusterConfig, engine: TradingEngine, log: (line: string) => void): Promise<ClusterNode> {
    const b = await openCluster(cfg);
    const n = new ClusterNode(cfg, engine, b, log);
    try {
      await n.start();
    } catch (e) {
      await b.nc.close().catch(() => undefined);
      throw e;
    }
    return n;
  }

  private async start(): Promise<void> {
    // before anything else: a node id another live process uses is refused
    await this.registry.claim(this.cfg.leaseTtlMs);
    const eng = this.engine;
    // every order asks the market's lease first (0: not this node's market now)
    eng.router.fence = (symbol) => this.leases.fence(symbol);
    this.mdPublisher?.start();
    this.mdSubscriber?.start();
    this.orig = installEngineHooks(eng, this);
    this.tapFills();
    eng.events.on('order', (o) => {
      if (o.status !== 'NEW' && o.status !== 'FILLED' && o.status !== 'CANCELED' && o.status !== 'REJECTED' && o.status !== 'PARTIALLY_FILLED') return;
      this.trades.publishOrder({
        node_id: this.cfg.nodeId, fence: this.leases.held.get(o.symbol)?.revision ?? 0, strategy_id: o.strategy_id, symbol: o.symbol,
        client_order_id: o.client_order_id, side: o.side, price: o.price, qty: o.qty, status: o.status, timestamp: o.timestamp, placed_ms: Date.now(),
      });
    });
    this.trades.onRemoteFill = (f) => this.onRemoteFill(f);
    await this.trades.start();
    await this.republishJournal();
    await this.kill.watch((state, note) => this.applyKill(state, note));
    this.strategies.onChange = () => { if (!this.closed) this.applyStrategies(); };
    await this.strategies.watch();
    await this.risk.watch();
    if (this.limits.active) this.limits.start();
    void this.watchStatus();
    await this.round();
    const period = Math.max(100, Math.floor(this.cfg.leaseTtlMs / 4));
    this.roundTimer = setInterval(() => { void this.round(); }, period);
    this.expireTimer = setInterval(() => this.leases.expire(), Math.min(100, period));
  }

  setApi(url: string): void {
    this.registry.setApi(url);
  }

  /** The node holding a market's lease: this one, or the holder in the lease table as last read; null when none. */
  ownerOf(symbol: string): string | null {
    if (this.leases.held.has(symbol)) return this.cfg.nodeId;
    return this.leases.table.get(symbol)?.record.node_id ?? null;
  }

  /** Publishes this node's engine events for the cluster and merges every node's into `hub`. */
  startEvents(hub: SseHub): void {
    if (this.events !== null) return;
    this.events = new EventRelay(this.b.nc, this.cfg.nodeId, hub);
    this.events.start(this.engine.events);
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.b.nc.status()) {
      if (s.type === 'disconnect') {
        this.natsStatus = 'disconnected';
        const margin = Math.max(200, Math.floor(this.cfg.leaseTtlMs / 5));
        this.log(`cluster: lost the NATS server ${this.cfg.url}; reconnecting. The markets held here (${this.leases.held.size}) are quoted until their leases lapse (at most ${this.cfg.leaseTtlMs - margin} ms after the last renewal), then cancelled; fills made meanwhile are sent to the cluster once NATS is back`);
      } else if (s.type === 'reconnecting') this.natsStatus = 'reconnecting';
      else if (s.type === 'reconnect') {
        this.natsStatus = 'connected';
        this.reconnects++;
        this.log(`cluster: reconnected to the NATS server ${this.cfg.url}`);
        this.kill.retry().catch(() => undefined);
        void this.trades.retryUnsent();
        this.risk.retry();
      }
    }
  }

  /** One round: heartbeat, live nodes, strategies, leases. Rounds never overlap. */
  private async round(): Promise<void> {
    if (this.closed) return;
    if (this.running) {
      // a round stuck on a NATS call (a connection half gone) must not stop the renewals for good
      if (Date.now() - this.roundStartedAt < 2 * this.cfg.leaseTtlMs) return;
      this.roundsAbandoned++;
      this.lastError = `a lease round took more than ${2 * this.cfg.leaseTtlMs} ms; started another`;
    }
    this.running = true;
    const started = Date.now();
    this.roundStartedAt = started;
    try {
      await this.registry.beat();
      // a kill switch write, fills and orders a NATS outage kept back go out first
      await this.kill.retry();
      await this.trades.retryUnsent();
      this.risk.retry();
      const nodes = await this.registry.read();
      await this.strategies.read();
      this.applyStrategies();
      await this.leases.balance(this.strategies.markets(), nodes.map((n) => n.node_id));
      await this.risk.read();
      await this.trades.refreshLastSeq();
      this.lastRoundMs = Date.now();
    } catch (e) {
      this.roundErrors++;
      const msg = e instanceof Error ? e.message : String(e);
      this.lastError = this.natsStatus === 'connected'
        ? `lease round failed: ${msg}`
        : `lease round failed: ${msg} (the NATS server ${this.cfg.url} is unreachable; reconnecting)`;
    } finally {
      if (this.roundStartedAt === started) this.running = false;
    }
  }

  /**
   * Loads the cluster's strategies this engine does not have; applies deletes, parameters and
   * the wanted state on held markets. Synchronous: run every round and on every change the
   * strategies bucket's watch delivers.
   */
  private applyStrategies(): void {
    const all = this.strategies.all;
    const local = new Map(this.engine.list().map((s) => [s.strategy_id, s]));
    for (const s of all.values()) {
      const here = local.get(s.strategy_id);
      if (s.wanted === 'deleted') {
        if (here !== undefined) {
          try {
            if (here.status === 'running' || here.status === 'paused') this.orig.stop(s.strategy_id);
            this.orig.delete(s.strategy_id);
          } catch (e) { this.log(`cluster: deleting ${s.strategy_id} failed: ${String(e)}`); }
        }
        continue;
      }
      if (here === undefined) {
        try { this.orig.load(s.definition); } catch (e) { this.lastError = `loading ${s.strategy_id}: ${e instanceof Error ? e.message : String(e)}`; continue; }
        this.paramsApplied.set(s.strategy_id, s.params_seq ?? 0);
      }
      const seq = s.params_seq ?? 0;
      if (seq > (this.paramsApplied.get(s.strategy_id) ?? 0)) {
        // a PATCH on another node: the stored parameters, merged, apply here too
        this.paramsApplied.set(s.strategy_id, seq);
        try { this.orig.patchParameters(s.strategy_id, s.definition['parameters']); } catch (e) { this.lastError = `parameters of ${s.strategy_id}: ${e instanceof Error ? e.message : String(e)}`; }
      }
      if (!this.leases.usable(s.symbol)) continue;
      const st = this.engine.list().find((x) => x.strategy_id === s.strategy_id)?.status;
      const active = st === 'running' || st === 'paused';
      try {
        if (s.wanted === 'running' && !active) this.orig.start(s.strategy_id);
        else if (s.wanted === 'stopped' && active) this.orig.stop(s.strategy_id);
      } catch (e) { this.lastError = `${s.wanted === 'running' ? 'starting' : 'stopping'} ${s.strategy_id}: ${e instanceof Error ? e.message : String(e)}`; }
    }
  }

  /** Before quoting a market taken over: every fill the stream holds for it is in this node's ledgers. */
  private async onAcquired(market: string, revision: number): Promise<void> {
    // the market's data first: its next snapshot (within a second) makes the book live while the fills are read
    this.mdSubscriber?.follow(market);
    try {
      await this.trades.catchUp();
    } catch (e) {
      this.log(`cluster: ${market}: ${e instanceof Error ? e.message : String(e)}`);
    }
    let n = 0;
    for (const f of this.trades.fills) if (f.fill.symbol === market && f.node_id !== this.cfg.nodeId && this.importFill(f)) n++;
    this.log(`cluster: node ${this.cfg.nodeId} holds ${market} (lease revision ${revision}); ${n} fills of other nodes applied`);
  }

  private onReady(market: string): void {
    for (const s of this.strategies.all.values()) {
      if (s.symbol !== market || s.wanted !== 'running') continue;
      const st = this.engine.list().find((x) => x.strategy_id === s.strategy_id)?.status;
      if (st === undefined || st === 'running' || st === 'paused') continue;
      try { this.orig.start(s.strategy_id); } catch (e) { this.lastError = `starting ${s.strategy_id}: ${e instanceof Error ? e.message : String(e)}`; }
    }
  }

  /** Synchronous: the market is not this node's any more; its strategies stop (cancelling every order). */
  private onLost(market: string, why: string): void {
    for (const s of this.engine.list()) {
      if (!s.symbols.includes(market) || (s.status !== 'running' && s.status !== 'paused')) continue;
      try { this.orig.stop(s.strategy_id); } catch { /* stopped already */ }
    }
    // orders without a strategy (manual) on the market too
    for (const o of this.engine.orders.openOrders(undefined, market)) if (o.status !== 'PENDING_CANCEL') this.engine.router.cancel(o.clientOrderId);
    this.mdSubscriber?.unfollow(market);
    this.log(`cluster: node ${this.cfg.nodeId} stopped quoting ${market}: ${why}`);
  }

  private onRemoteFill(f: StreamFill): void {
    // a late fill of a market this node runs now (an order the previous owner left resting)
    if (this.leases.held.has(f.fill.symbol)) this.importFill(f);
  }

  private importFill(f: StreamFill): boolean {
    this.importing = true;
    try {
      const ok = this.engine.applyExternalFill(fillFromStream(f.fill));
      if (ok) this.fillsImported++;
      return ok;
    } catch (e) {
      this.lastError = `applying fill ${f.fill.tradeId}: ${e instanceof Error ? e.message : String(e)}`;
      return false;
    } finally {
      this.importing = false;
    }
  }

  /** Every fill this node journals goes to the stream and into the cluster's positions. */
  private tapFills(): void {
    const j = this.engine.journal;
    if (j === undefined) return;
    const record = j.recordFill.bind(j);
    const venue = this.engine.venue.name;
    j.recordFill = (fill: FillRecord, v?: string) => {
      const r = record(fill, v);
      if (r === 'inserted' && !this.importing) {
        this.trades.publishFill(fill, v ?? venue, this.leases.held.get(fill.symbol)?.revision ?? 0);
        this.risk.addFill(fill);
      }
      return r;
    };
  }

  /** After a crash, fills journaled but not yet published (the last moments) go out now; the stream keeps one of each. */
  private async republishJournal(): Promise<void> {
    const j = this.engine.journal;
    if (j === undefined) return;
    let n = 0;
    const ids = [...this.engine.list().map((s) => s.strategy_id as string | null), null];
    for (const id of ids) {
      for (const f of j.fills(id)) {
        if (this.trades.tradeIds.has(f.tradeId)) continue;
        this.trades.publishFill(f, f.venue ?? this.engine.venue.name, 0);
        this.risk.addFill(f);
        n++;
      }
    }
    if (n > 0) this.log(`cluster: published ${n} journaled fills the stream did not have`);
  }

  private applyKill(state: 'HALTED' | 'ACTIVE', note: string): number {
    if (state === 'HALTED') {
      if (this.engine.killed) return 0;
      const r = this.orig.kill(note === '' ? 'cluster kill switch' : note);
      this.log(`cluster: kill switch HALTED: ${r.orders_cancelled} orders cancelled`);
      return r.orders_cancelled;
    }
    if (this.engine.killed) this.orig.resumeTrading(note);
    return 0;
  }

  /** Leaves the cluster: markets released (cancelled here first) so the others take them at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.roundTimer !== null) clearInterval(this.roundTimer);
    if (this.expireTimer !== null) clearInterval(this.expireTimer);
    try {
      await this.leases.releaseAll('the node is stopping');
      await this.registry.leave();
      await Promise.race([this.risk.flush(), new Promise((r) => setTimeout(r, 2000))]);
    } catch { /* NATS is gone: the leases expire */ }
    this.kill.stop();
    this.strategies.stop();
    this.limits.stop();
    this.risk.stop();
    this.api.stop();
    this.events?.stop();
    this.trades.stop();
    this.mdPublisher?.stop();
    this.mdSubscriber?.stop();
    await this.b.nc.drain().catch(() => undefined);
  }
}
