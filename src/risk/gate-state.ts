// Everything the risk engine's parts share: the registries, our open orders, the
// market data it reads (the feed's symbol states and WASM books, the WASM
// volatility estimators), the kill switch, the answer counters, the event listener,
// and what the last check found (so an ALLOW can be recorded without looking
// anything up again).
import type { FeedIngest } from '../feed/ingest/feed-ingest.js';
import type { WasmBooks } from '../wasm/book-api.js';
import type { WasmVol } from '../wasm/vol-api.js';
import { OwnOrders } from './own-orders.js';
import { REASON_COUNT } from './reason-codes.js';
import type { RiskEvent, RiskEventListener, StateReason } from './risk-events.js';
import type { SlotRisk, StrategyRisk, SymbolRisk } from './risk-state.js';

export class GateState {
  readonly ingest: FeedIngest;
  readonly books: WasmBooks;
  readonly vol: WasmVol;
  readonly orders: OwnOrders;
  readonly strategies = new Map<string, StrategyRisk>();
  /** The strategies in the order they were added (as strategies.values(); none is ever removed). */
  readonly strategyList: StrategyRisk[] = [];
  readonly symbols = new Map<string, SymbolRisk>();
  readonly slotList: SlotRisk[] = [];
  listener: RiskEventListener | undefined;
  /** What the listener threw last (the engine never lets it escape). */
  lastListenerError: unknown = undefined;
  listenerErrors = 0;

  killed = false;
  killReason: StateReason = 'start';
  /** Gate answers across all strategies, by reason code. */
  readonly answers = new Float64Array(REASON_COUNT);

  // ---- what the last check found ----
  lastStrategy: StrategyRisk | undefined = undefined;
  lastSlot: SlotRisk | undefined = undefined;
  lastSide = 0;
  /** The price recorded for the order (±Infinity for MARKET). */
  lastOrderTick = NaN;
  lastMidTick = NaN;
  lastNowNs = NaN;

  // ---- one-entry lookup caches (strategies, symbols and slots are never removed) ----
  private cStratKey: unknown = undefined;
  private cStrat: StrategyRisk | undefined = undefined;
  private cSymKey: unknown = undefined;
  private cSym: SymbolRisk | undefined = undefined;
  private cSlotStrat: StrategyRisk | undefined = undefined;
  private cSlotKey: unknown = undefined;
  private cSlot: SlotRisk | undefined = undefined;

  constructor(ingest: FeedIngest, vol: WasmVol, orderCapacity: number, listener: RiskEventListener | undefined) {
    this.ingest = ingest;
    this.books = ingest.books;
    this.vol = vol;
    this.orders = new OwnOrders(orderCapacity);
    this.listener = listener;
  }

  /** strategies.get(id), remembering the last one found (a per-order and per-decision lookup). */
  strategy(id: string): StrategyRisk | undefined {
    if (id === this.cStratKey) return this.cStrat;
    const s = this.strategies.get(id);
    if (s !== undefined) { this.cStratKey = id; this.cStrat = s; }
    return s;
  }

  /** symbols.get(symbol), remembering the last one found (a per-batch and per-trade lookup). */
  symbol(symbol: string): SymbolRisk | undefined {
    if (symbol === this.cSymKey) return this.cSym;
    const s = this.symbols.get(symbol);
    if (s !== undefined) { this.cSymKey = symbol; this.cSym = s; }
    return s;
  }

  /** strat.slots.get(symbol), remembering the last one found. */
  slotOf(strat: StrategyRisk, symbol: string): SlotRisk | undefined {
    if (strat === this.cSlotStrat && symbol === this.cSlotKey) return this.cSlot;
    const slot = strat.slots.get(symbol);
    if (slot !== undefined) { this.cSlotStrat = strat; this.cSlotKey = symbol; this.cSlot = slot; }
    return slot;
  }

  /** The slot of a strategy on a symbol, or undefined. */
  slot(strategyId: string, symbol: string): SlotRisk | undefined {
    const s = this.strategy(strategyId);
    return s === undefined ? undefined : this.slotOf(s, symbol);
  }

  emit(e: RiskEvent): void {
    const l = this.listener;
    if (l === undefined) return;
    try {
      l(e);
    } catch (err) {
      this.lastListenerError = err;
      this.listenerErrors++;
    }
  }
}
