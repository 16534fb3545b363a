// Limits that hold across the nodes of a cluster, read from the positions aggregated in
// KV (global-risk.ts) and never awaited on the order path:
//
//  - Daily loss per account (--cluster-daily-loss-limit Q): an account's P&L of the UTC
//    day summed over every market and node — per (account, market): the day's cash flow
//    plus the day's change of position at the market's mark (the holder's mid, written
//    to KV at most once a second; the last fill's price without one). When an account's
//    sum falls below −Q, the first node to see it creates `dayloss.<day>.<account>` in
//    the control bucket (create fails for the others) and writes the kill switch
//    HALTED with the reason: every node cancels and refuses orders, as with POST
//    /api/kill. A resume (POST /api/resume) is the operator's decision: the same account
//    does not halt the cluster again that day.
//  - Net exposure per event of the --event-map (--cluster-event-exposure-limit N): the
//    event's exposure summed over every node — for the markets this node holds, its own
//    ledgers (they hold every node's fills there); for the others, the KV positions. An
//    order that would take an event past N, and further from zero than it is, is refused
//    (DENY_MAX_EVENT_EXPOSURE, like the engine's per-strategy max_event_exposure): the
//    check is a map lookup against sums kept up to date by the KV watch and this node's
//    fills. Reduce-only orders are not checked. Other nodes' resting orders count too: each
//    holder writes the unfilled quantity of its open orders on the event's markets to KV
//    (`open.<symbol>`, at most once a second when it changed), and an order is checked as
//    if every other node's resting orders in its direction had filled.
import type { KV } from '@nats-io/kv';
import type { TradingEngine } from '../engine/trading-engine.js';
import type { OrderSide } from '../trading/types.js';
import { depthView } from '../gateway/routes-depth.js';
import { utcDay, type GlobalRisk, type RiskRecord } from './global-risk.js';

export interface ClusterLimitsDeps {
  engine: TradingEngine;
  risk: GlobalRisk;
  control: KV;
  nodeId: string;
  dailyLossLimit?: number | undefined;
  eventExposureLimit?: number | undefined;
  /** True while this node holds the market's lease. */
  holds: (symbol: string) => boolean;
  /** The markets this node holds. */
  held: () => Iterable<string>;
  /** Writes the cluster's kill switch (HALTED) with a note. */
  halt: (note: string) => Promise<unknown>;
  log: (line: string) => void;
}

export const dayLossKey = (day: string, account: string): string => `dayloss.${day}.${account}`;

export interface AccountDay { account: string; day_pnl: number; by_symbol: Record<string, number> }

export class ClusterLimits {
  private readonly d: ClusterLimitsDeps;
  /** Net exposure per event over the cluster, as last computed. */
  readonly eventNet = new Map<string, number>();
  /**
   * Per event: what the other nodes' resting orders would add if they all filled, toward
   * positive (`long`) and negative (`short`) exposure, ≥ 0 each (from their KV records).
   */
  readonly eventOpenElsewhere = new Map<string, { long: number; short: number }>();
  /** The open quantities this node last wrote, per market (buy, sell). */
  private readonly lastOpen = new Map<string, { buy: number; sell: number }>();
  /** Positions per symbol over the cluster from KV (every account). */
  private kvBySymbol = new Map<string, number>();
  /** Accounts' P&L of the day over the cluster, as last computed. */
  accounts: AccountDay[] = [];
  day = utcDay(Date.now());
  /** dayloss keys this node has tried or seen (the cluster halts once per account and day). */
  private readonly tripped = new Set<string>();
  trips: { account: string; day: string; day_pnl: number; note: string }[] = [];
  refusedEventExposure = 0;
  evaluations = 0;
  lastError: string | null = null;
  private readonly lastMark = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private markTimer: NodeJS.Timeout | null = null;
  private pendingEval = false;
  private offFill: (() => void) | null = null;

  constructor(d: ClusterLimitsDeps) {
    this.d = d;
  }

  get active(): boolean {
    return this.d.dailyLossLimit !== undefined || this.d.eventExposureLimit !== undefined;
  }

  start(): void {
    const eng = this.d.engine;
    if (this.d.eventExposureLimit !== undefined) {
      const prev = eng.router.eventGuard;
      eng.router.eventGuard = (sid, sym, side, lots) => (prev === null || prev(sid, sym, side, lots)) && this.eventAllows(sid, sym, side, lots);
      // this node's fills (and those of other nodes it applies) move the events of its markets at once
      this.offFill = eng.events.on('fill', (f: { symbol?: unknown }) => { if (typeof f.symbol === 'string') this.recomputeEventsOf(f.symbol); });
    }
    this.d.risk.onChange = () => this.scheduleEvaluate();
    this.timer = setInterval(() => this.evaluate(), 500);
    this.markTimer = setInterval(() => { this.publishMarks(); if (this.d.eventExposureLimit !== undefined) this.publishOpen(); }, 1000);
    this.evaluate();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.markTimer !== null) clearInterval(this.markTimer);
    this.timer = this.markTimer = null;
    this.offFill?.();
    this.d.risk.onChange = null;
  }

  /** The event guard: false when the order would take an event's cluster exposure past the limit. Synchronous. */
  eventAllows(strategyId: string, symbol: string, side: OrderSide, qtyLot: number): boolean {
    const max = this.d.eventExposureLimit;
    if (max === undefined) return true;
    const evs = this.d.engine.eventMap.of(symbol);
    if (evs.length === 0) return true;
    const st = this.d.engine.ingest.bySymbolName(symbol);
    if (st === undefined) return true;
    const lot = Number(st.instrument.lotSize);
    const pending = this.d.engine.orders.pendingExposureLot(strategyId, symbol, side);
    const dir = side === 'BUY' ? 1 : -1;
    for (const { event, sign } of evs) {
      const net = this.eventNet.get(event.id) ?? 0;
      const d = sign * dir;
      // other nodes' resting orders toward the same side, as if they filled
      const o = this.eventOpenElsewhere.get(event.id);
      const elsewhere = o === undefined ? 0 : d > 0 ? o.long : o.short;
      const after = net + d * (elsewhere + (qtyLot + pending) * lot);
      if (Math.abs(after) > max + 1e-9 && Math.abs(after) > Math.abs(net)) { this.refusedEventExposure++; return false; }
    }
    return true;
  }

  private scheduleEvaluate(): void {
    if (this.pendingEval) return;
    this.pendingEval = true;
    setImmediate(() => { this.pendingEval = false; this.evaluate(); });
  }

  /** Recomputes the sums (after a KV change, and twice a second for the marks) and halts the cluster on a daily loss breach. */
  evaluate(): void {
    this.evaluations++;
    try {
      const bySym = new Map<string, number>();
      for (const r of this.d.risk.all.values()) bySym.set(r.symbol, (bySym.get(r.symbol) ?? 0) + Number(r.position));
      this.kvBySymbol = bySym;
      if (this.d.eventExposureLimit !== undefined) for (const e of this.d.engine.eventMap.list()) this.recomputeEvent(e.id, e.symbols);
      if (this.d.dailyLossLimit !== undefined) this.checkDailyLoss(this.d.dailyLossLimit);
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
    }
  }

  private recomputeEventsOf(symbol: string): void {
    for (const { event } of this.d.engine.eventMap.of(symbol)) this.recomputeEvent(event.id, event.symbols);
  }

  private recomputeEvent(id: string, symbols: readonly { symbol: string; direction: 'same' | 'opposite' }[]): void {
    let net = 0;
    let long = 0;
    let short = 0;
    for (const s of symbols) {
      const sign = s.direction === 'same' ? 1 : -1;
      net += sign * this.position(s.symbol);
      if (this.d.holds(s.symbol)) continue;
      // the holder's open orders: a buy moves the event by +sign, a sell by −sign
      const o = this.d.risk.opens.get(s.symbol);
      if (o === undefined || o.node_id === this.d.nodeId) continue;
      if (sign > 0) { long += o.buy; short += o.sell; } else { long += o.sell; short += o.buy; }
    }
    this.eventNet.set(id, net);
    this.eventOpenElsewhere.set(id, { long, short });
  }

  /**
   * The unfilled quantity of this node's open orders (every account) on each market of an event it
   * holds, written to KV when it changed or the key holds another node's record; on a market it
   * no longer holds, written until its orders there are closed (then 0) unless another node wrote it since.
   */
  private publishOpen(): void {
    const eng = this.d.engine;
    const syms = new Set<string>();
    for (const sym of this.d.held()) if (eng.eventMap.of(sym).length > 0) syms.add(sym);
    for (const sym of this.lastOpen.keys()) syms.add(sym);
    for (const sym of syms) {
      const held = this.d.holds(sym);
      const rec = this.d.risk.opens.get(sym);
      if (!held && rec !== undefined && rec.node_id !== this.d.nodeId) { this.lastOpen.delete(sym); continue; }
      const st = eng.ingest.bySymbolName(sym);
      if (st === undefined) continue;
      let buyLot = 0;
      let sellLot = 0;
      for (const o of eng.orders.openOrders(undefined, sym)) {
        if (o.intent.side === 'BUY') buyLot += o.leavesLot; else sellLot += o.leavesLot;
      }
      const lot = Number(st.instrument.lotSize);
      const buy = round8(buyLot * lot);
      const sell = round8(sellLot * lot);
      const last = this.lastOpen.get(sym);
      const mine = rec !== undefined && rec.node_id === this.d.nodeId;
      if (last === undefined || last.buy !== buy || last.sell !== sell || (!mine && held)) {
        this.d.risk.putOpen(sym, buy, sell);
        this.lastOpen.set(sym, { buy, sell });
      }
      if (!held && buy === 0 && sell === 0) this.lastOpen.delete(sym);
    }
  }

  /** A market's position over every account: this node's ledgers where it holds the market (every node's fills are there), KV elsewhere. */
  private position(symbol: string): number {
    if (!this.d.holds(symbol)) return this.kvBySymbol.get(symbol) ?? 0;
    let p = 0;
    for (const l of this.d.engine.ledgers.ledgers()) if (l.config.symbol === symbol) p += Number(l.position.toString());
    return p;
  }

  /** The mid of a market: this node's book where it holds it, else the holder's last one from KV. */
  private mark(symbol: string): number | null {
    if (this.d.holds(symbol)) {
      const m = this.localMid(symbol);
      if (m !== null) return m;
    }
    return this.d.risk.marks.get(symbol)?.mid ?? null;
  }

  private localMid(symbol: string): number | null {
    try { return depthView(this.d.engine.ingest, symbol, 1).mid_price; } catch { return null; }
  }

  /** P&L of the day of one (account, market) record: the day's cash flow plus the day's position change at the mark. */
  private dayPnl(r: RiskRecord, today: string): number {
    if (r.day !== today) return 0;
    const change = Number(r.position) - Number(r.day_start_position ?? '0');
    let pnl = Number(r.day_cash);
    if (change !== 0) {
      const m = this.mark(r.symbol) ?? (r.last_price !== undefined ? Number(r.last_price) : NaN);
      if (Number.isFinite(m)) pnl += change * m;
    }
    return pnl;
  }

  private checkDailyLoss(limit: number): void {
    const today = utcDay(Date.now());
    this.day = today;
    const by = new Map<string, AccountDay>();
    for (const r of this.d.risk.all.values()) {
      if (r.day !== today) continue;
      const a = by.get(r.account) ?? { account: r.account, day_pnl: 0, by_symbol: {} };
      const p = this.dayPnl(r, today);
      a.day_pnl += p;
      a.by_symbol[r.symbol] = round8(p);
      by.set(r.account, a);
    }
    this.accounts = [...by.values()].map((a) => ({ ...a, day_pnl: round8(a.day_pnl) })).sort((x, y) => (x.account < y.account ? -1 : 1));
    for (const a of this.accounts) {
      if (!(a.day_pnl < -limit)) continue;
      const key = dayLossKey(today, a.account);
      if (this.tripped.has(key)) continue;
      this.tripped.add(key);
      const note = `cluster daily loss limit: account ${a.account} lost ${round8(-a.day_pnl)} on ${today} over every node and market (limit ${limit})`;
      const rec = { account: a.account, day: today, day_pnl: a.day_pnl, limit, node_id: this.d.nodeId, at_ms: Date.now(), note };
      this.d.control.create(key, JSON.stringify(rec)).then(
        () => {
          this.trips.push({ account: a.account, day: today, day_pnl: a.day_pnl, note });
          this.d.log(`cluster: ${note}: halting every node`);
          return this.d.halt(note);
        },
        (e: unknown) => {
          // another node halted the cluster for it already (or the operator resumed since): nothing to do
          if (/wrong last sequence|exists/i.test(String(e))) return;
          this.tripped.delete(key); // NATS failed: try again at the next evaluation
          this.lastError = `writing ${key}: ${e instanceof Error ? e.message : String(e)}`;
        },
      ).catch((e: unknown) => { this.lastError = `halting the cluster: ${e instanceof Error ? e.message : String(e)}`; });
    }
  }

  /** The mids of the markets this node holds, for the other nodes' marks (when they moved). */
  private publishMarks(): void {
    for (const sym of this.d.held()) {
      const m = this.localMid(sym);
      if (m === null || this.lastMark.get(sym) === m) continue;
      this.lastMark.set(sym, m);
      this.d.risk.putMark(sym, m);
    }
  }

  view(): Record<string, unknown> {
    return {
      daily_loss_limit: this.d.dailyLossLimit ?? null,
      day: this.day,
      accounts: this.d.dailyLossLimit === undefined ? [] : this.accounts,
      daily_loss_trips: this.trips,
      event_exposure_limit: this.d.eventExposureLimit ?? null,
      events: this.d.eventExposureLimit === undefined ? [] : [...this.eventNet.entries()].map(([event_id, net]) => {
        const o = this.eventOpenElsewhere.get(event_id) ?? { long: 0, short: 0 };
        return { event_id, net_exposure: round8(net), open_elsewhere: { long: round8(o.long), short: round8(o.short) } };
      }),
      orders_refused_event_exposure: this.refusedEventExposure,
      last_error: this.lastError,
    };
  }
}

function round8(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
