// The risk engine's records: one per strategy, one per symbol, one per strategy on
// a symbol (a slot). Created at registration; afterwards only their number fields
// change, so the quoting path reads and writes them without allocating.
import type { TradingState } from '../trading/types.js';
import type { SlotLimits, StrategyLimits } from './slot-limits.js';
import type { StateReason } from './risk-events.js';
import { TokenBucket } from './token-bucket.js';
import { VolumeWindow } from './volume-window.js';
import { REASON_COUNT } from './reason-codes.js';

export class StrategyRisk {
  readonly strategyId: string;
  limits: StrategyLimits;
  state: TradingState = 'ACTIVE';
  stateReason: StateReason = 'start';
  stateSinceNs = NaN;
  readonly slots = new Map<string, SlotRisk>();
  readonly slotList: SlotRisk[] = [];
  readonly bucket: TokenBucket;
  /** Gate answers for this strategy, by reason code. */
  readonly answers = new Float64Array(REASON_COUNT);
  /** Start of the next trading day (ns); NaN until the first clock reading. */
  nextResetNs = NaN;
  dailyStops = 0;

  constructor(strategyId: string, limits: StrategyLimits) {
    this.strategyId = strategyId;
    this.limits = limits;
    this.bucket = new TokenBucket(limits.ordersPerSecond, limits.orderBurst);
  }

  /** The day's P&L so far: Σ over symbols of (realized + unrealized − the day's baseline). */
  dayPnlQuote(): number {
    let s = 0;
    for (let i = 0; i < this.slotList.length; i++) {
      const slot = this.slotList[i]!;
      s += slot.realizedQuote + slot.unrealizedQuote - slot.dayBaselineQuote;
    }
    return s;
  }
}

export class SymbolRisk {
  readonly symbol: string;
  readonly slots: SlotRisk[] = [];
  /** First open order on this symbol (all strategies), -1 when none. */
  head = -1;
  /** Lowest open sell price and highest open buy price of ours (ticks), any strategy; ±Infinity when none. */
  minAskTick = Infinity;
  maxBidTick = -Infinity;

  constructor(symbol: string) {
    this.symbol = symbol;
  }
}

export class SlotRisk {
  readonly index: number;
  readonly strategy: StrategyRisk;
  readonly symbol: SymbolRisk;
  limits: SlotLimits;

  // ---- position and open orders (lots) ----
  positionLot = 0;
  pendingBuyLot = 0;
  pendingSellLot = 0;
  openOrders = 0;
  /** Placement time of the oldest open order with no cancel requested; Infinity when none. */
  oldestQuoteNs = Infinity;
  /** oldestQuoteNs a requote was already requested for (one request per stale quote). */
  requoteRequestedForNs = NaN;
  /** Mid (ticks) when the open quotes were placed; NaN when none are open. */
  refMidTick = NaN;

  // ---- symbol-level state (stop loss) ----
  state: 'ACTIVE' | 'REDUCING' = 'ACTIVE';
  stateReason: StateReason = 'start';

  // ---- triggers ----
  volPaused = false;
  /** Since when volatility has been at or below the threshold during a pause; NaN while above. */
  volCalmSinceNs = NaN;
  largeTradeUntilNs = -Infinity;
  volumeSpikeUntilNs = -Infinity;
  priceJumpUntilNs = -Infinity;
  /** WasmVol jump count of the symbol's book last seen; NaN until first read. */
  lastJumpCount = NaN;
  lastJumpBook = -1;
  readonly volume: VolumeWindow;

  // ---- P&L fed from accounting (quote currency) ----
  // NaN first, 0 in the constructor: the fields are doubles from the start (a later
  // change of field representation makes V8 box loads on the hot path)
  realizedQuote = NaN;
  unrealizedQuote = NaN;
  entryValueQuote = NaN;
  dayBaselineQuote = NaN;

  // ---- counters ----
  volatilityPauses = 0;
  largeTrades = 0;
  volumeSpikes = 0;
  priceJumps = 0;
  priceMoves = 0;
  staleQuoteRequotes = 0;
  stopLosses = 0;

  constructor(index: number, strategy: StrategyRisk, symbol: SymbolRisk, limits: SlotLimits) {
    this.index = index;
    this.strategy = strategy;
    this.symbol = symbol;
    this.limits = limits;
    this.volume = new VolumeWindow(limits.volumeWindowNs, limits.volumeBaselineNs);
    this.realizedQuote = 0;
    this.unrealizedQuote = 0;
    this.entryValueQuote = 0;
    this.dayBaselineQuote = 0;
  }

  get adverseSelectionEvents(): number {
    return this.largeTrades + this.volumeSpikes + this.priceJumps + this.priceMoves;
  }
}
