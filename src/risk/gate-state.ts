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

  constructor(ingest: FeedIngest, vol: WasmVol, orderCapacity: number, listener: RiskEventListener | undefined) {
    this.ingest = ingest;
    this.books = ingest.books;
    this.vol = vol;
    this.orders = new OwnOrders(orderCapacity);
    this.listener = listener;
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
