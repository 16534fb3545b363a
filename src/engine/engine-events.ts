// The events the engine streams (the SSE feed of seed 000's /api/stream), with
// seed 000's field names: snake_case, prices and quantities as JSON numbers.
// Payloads are built only when someone listens to that event type.
import { EventEmitter } from 'node:events';

export interface QuoteUpdateEvent {
  strategy_id: string;
  symbol: string;
  mid_price: number;
  /** Best (level 1) bid and ask of the new quotes; null when that side is empty. */
  bid: number | null;
  ask: number | null;
  /** (ask − bid) / mid in bps; null when a side is empty. */
  spread_bps: number | null;
  /** Present when the inventory moved the quotes: the side of the inventory. */
  skew?: 'long' | 'short';
  /** Quote levels per side. */
  levels: number;
  /** Orders sent and cancelled by this update. */
  orders_placed: number;
  orders_cancelled: number;
  timestamp: number;
}

export interface FillEvent {
  strategy_id: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  price: number;
  qty: number;
  /** Position after the fill. */
  inventory: number;
  /** On a fill that closed quantity: that quantity's P&L net of the fees of both legs. */
  round_trip_profit?: number;
  fee: number;
  liquidity: 'MAKER' | 'TAKER';
  client_order_id: string;
  trade_id: string;
  timestamp: number;
}

export interface OrderEvent {
  strategy_id: string;
  symbol: string;
  client_order_id: string;
  order_id: string;
  side: 'BUY' | 'SELL';
  type: 'LIMIT' | 'MARKET';
  /** null for MARKET. */
  price: number | null;
  qty: number;
  filled_qty: number;
  status: string;
  previous_status: string | null;
  /** Ladder level (1 = best), 0 for other orders. */
  level: number;
  reason?: string;
  timestamp: number;
}

export interface VolatilityPauseEvent {
  strategy_id: string;
  symbol: string;
  /** 'paused' when quoting stops, 'resumed' when it may start again. */
  state: 'paused' | 'resumed';
  volatility_bps: number;
  threshold_bps: number;
  timestamp: number;
}

export interface RiskStreamEvent {
  /** state_change, adverse_selection, flatten, requote, cancel_all, order_denied. */
  type: string;
  strategy_id: string | null;
  symbol: string | null;
  [field: string]: unknown;
}

export interface StrategyStateEvent {
  strategy_id: string;
  status: string;
  previous: string;
  reason: string | null;
  timestamp: number;
}

export interface PnlEvent {
  strategy_id: string;
  symbol: string;
  position: number;
  mid_price: number;
  realized_pnl: number;
  unrealized_pnl: number;
  total_pnl: number;
  timestamp: number;
}

/** A binary contract resolved: every position on it settled at 1 (YES) or 0, its quoting stopped. */
export interface MarketResolvedEvent {
  symbol: string;
  outcome: 'YES' | 'NO';
  settlement_price: number;
  /** Each account that held a position: what it held and the P&L the settlement realized. */
  positions: { strategy_id: string; position: number; realized_pnl: number }[];
  timestamp: number;
}

/** Two symbols mapped to one event are priced apart by more than the fees (seed 004 Pattern 2/3). */
export interface ArbitrageSignalEvent {
  event_id: string;
  /** Buy this symbol's event exposure (its YES when direction "same", its NO when "opposite")... */
  buy: { symbol: string; direction: 'same' | 'opposite'; price: number };
  /** ...and sell it on this one. Prices are of the event happening (a NO's price is 1 − its YES bid/ask). */
  sell: { symbol: string; direction: 'same' | 'opposite'; price: number };
  /** sell.price − buy.price, and the fees of taking both (per contract). */
  gap: number;
  fees: number;
  edge: number;
  timestamp: number;
}

/** The scanner of a universe strategy added or retired a market. */
export interface MarketScanEvent {
  strategy_id: string;
  symbol: string;
  action: 'added' | 'retired' | 'removed';
  reason: string;
  hours_to_resolution: number | null;
  liquidity: number;
  timestamp: number;
}

export interface EngineEventMap {
  quote_update: QuoteUpdateEvent;
  fill: FillEvent;
  order: OrderEvent;
  volatility_pause: VolatilityPauseEvent;
  risk: RiskStreamEvent;
  strategy_state: StrategyStateEvent;
  pnl: PnlEvent;
  market_resolved: MarketResolvedEvent;
  arbitrage_signal: ArbitrageSignalEvent;
  market_scan: MarketScanEvent;
}

export type EngineEventName = keyof EngineEventMap;
export const ENGINE_EVENT_NAMES: readonly EngineEventName[] = ['quote_update', 'fill', 'order', 'volatility_pause', 'risk', 'strategy_state', 'pnl', 'market_resolved', 'arbitrage_signal', 'market_scan'];

/** Typed emitter; a listener that throws is counted, never allowed to break the engine. */
export class EngineEvents {
  private readonly emitter = new EventEmitter();
  private readonly counts = new Map<EngineEventName, number>();
  /** What a listener threw last. */
  lastListenerError: unknown = undefined;
  listenerErrors = 0;
  private held = 0;
  private readonly queue: [EngineEventName, unknown][] = [];

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  on<K extends EngineEventName>(name: K, fn: (e: EngineEventMap[K]) => void): () => void {
    this.emitter.on(name, fn as (e: unknown) => void);
    this.counts.set(name, this.emitter.listenerCount(name));
    return () => this.off(name, fn);
  }

  off<K extends EngineEventName>(name: K, fn: (e: EngineEventMap[K]) => void): void {
    this.emitter.off(name, fn as (e: unknown) => void);
    this.counts.set(name, this.emitter.listenerCount(name));
  }

  /** Someone listens to `name` (build the payload only then). */
  has(name: EngineEventName): boolean {
    return (this.counts.get(name) ?? 0) > 0;
  }

  /** Queues events until the matching release() (write, then report: the engine holds them while a journal transaction is open). */
  hold(): void {
    this.held++;
  }

  /** Ends a hold; the outermost release emits what was queued, in order. */
  release(): void {
    if (this.held === 0 || --this.held > 0) return;
    const q = this.queue;
    for (let i = 0; i < q.length; i++) this.deliver(q[i]![0], q[i]![1]);
    q.length = 0;
  }

  /** Drops what a hold queued (the journal transaction failed: nothing of it happened durably). */
  discard(): void {
    this.held = 0;
    this.queue.length = 0;
  }

  emit<K extends EngineEventName>(name: K, e: EngineEventMap[K]): void {
    if (this.held > 0) { this.queue.push([name, e]); return; }
    this.deliver(name, e);
  }

  private deliver(name: EngineEventName, e: unknown): void {
    for (const fn of this.emitter.listeners(name)) {
      try {
        (fn as (e: unknown) => void)(e);
      } catch (err) {
        this.lastListenerError = err;
        this.listenerErrors++;
      }
    }
  }
}
