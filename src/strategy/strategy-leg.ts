// One strategy on one symbol: its quoter slot, inventory in lots, and the quote
// decision run on every batch in which the symbol's book changed.
//
// decide(nowNs) runs, in order: lifecycle (running, not paused) → the book is
// quotable (in sequence, not crossed, not quiet) → parameter changes are pushed to
// the quoter slot → binary contracts: time to resolution (skip / forced exit /
// resolved) → min_liquidity → max_markets → the regime (seed 003 table; news can
// pause) → live multipliers (dynamic volatility spread, regime, resolution, book
// imbalance) → the WASM ladder from the book's fair value (mid or microprice) and
// the inventory. The ladder stays in the slot's output block, where the order diff
// reads it. Synchronous and allocation-free.
import type { SymbolLedger } from '../accounting/symbol-ledger.js';
import { isQuotable } from '../feed/ingest/symbol-state.js';
import type { Instrument } from '../orderbook/instrument.js';
import * as L from '../wasm/layout.js';
import type { QuoteParams, WasmQuoter } from '../wasm/quote-api.js';
import {
  BINARY_FORCED_EXIT, BINARY_QUOTE, BINARY_RESOLVED, binaryPhase, hoursToResolution, payoutTicks, resolutionSpreadMultiplier,
} from './binary-market-rules.js';
import type { MarketMakingStrategy } from './market-making-strategy.js';
import { decimalMulDiv, decimalRatio } from './params/param-decimal.js';
import { regimeAdjustment, toQuoteParams, type RegimeAdjustment } from './params/index.js';
import { VOL_DEFAULTS } from '../wasm/vol-api.js';
import { QuoteLiveInputs } from './quote-live-inputs.js';
import { REGIME_CODES, REGIME_NEWS } from './regime-detector.js';
import { RestingQuotes } from './resting-quotes.js';
import type { SymbolMarket } from './symbol-market.js';

/** decide() results. */
export const DECIDE_QUOTE = 0;
export const DECIDE_PULL = 1;
/** No quotes, and the inventory must be closed (binary forced exit). */
export const DECIDE_EXIT = 2;

/**
 * Pricing of inventory reduction orders: join the best price on the closing side, one
 * tick better, cross the spread (IOC), market (IOC), or a protective exit (stop loss,
 * forced exit): IOC limited to the mid ∓ exit_max_slippage_bps (binary contracts:
 * binary_exit_max_slippage_price), retried every quote_refresh_ms while it does not fill.
 */
export const REDUCE_PASSIVE = 0;
export const REDUCE_MODERATE = 1;
export const REDUCE_AGGRESSIVE = 2;
export const REDUCE_MARKET = 3;
export const REDUCE_PROTECT = 4;

/** Why a leg is not quoting (pullReason). */
export const PULL_NONE = 0;
export const PULL_NOT_RUNNING = 1;
export const PULL_NOT_QUOTABLE = 2;
export const PULL_NO_FAIR = 3;
export const PULL_NEWS = 4;
export const PULL_TOO_FAR = 5;
export const PULL_FORCED_EXIT = 6;
export const PULL_RESOLVED = 7;
export const PULL_LIQUIDITY = 8;
export const PULL_MAX_MARKETS = 9;
export const PULL_VOLATILITY = 10;
export const PULL_COOLDOWN = 11;
export const PULL_RISK = 12;
export const PULL_REDUCING = 13;
/** A universe strategy's scanner retired the market (market-scanner.ts): no quotes; binary exits still run. */
export const PULL_RETIRED = 14;
export const PULL_REASONS: readonly string[] = [
  'none', 'not_running', 'not_quotable', 'no_fair_value', 'news_regime', 'resolution_too_far', 'forced_exit', 'resolved',
  'min_liquidity', 'max_markets', 'volatility_pause', 'adverse_selection_cooldown', 'risk_state',
  'inventory_reduction', 'retired',
];

const NO_QUOTE_FLAGS = L.QF_NO_FAIR | L.QF_BAD_PARAMS;
const SQRT_SHORT_TAU_S = Math.sqrt(VOL_DEFAULTS.shortTauUs / 1e6);

export class StrategyLeg {
  readonly strategy: MarketMakingStrategy;
  readonly symbol: string;
  /** The symbol's instrument (replaced by rebind() when the feed redefines it). */
  instrument: Instrument;
  readonly market: SymbolMarket;
  readonly quoter: WasmQuoter;
  readonly slot: number;
  /** Unique per engine: "<strategy id>/<symbol>". */
  readonly key: string;
  binary: boolean;
  /** Ticks per unit of payout (binary contracts), for the YES/NO complement. */
  payoutTicks: number;
  /** Notional of one lot at one tick (quote currency). */
  quotePerLotTick: number;
  /** Price units per tick, as a number (model σ). */
  tickSize: number;
  readonly resting = new RestingQuotes();
  private readonly live: QuoteLiveInputs;

  /** Signed position in lots: the accounting ledger's position after each fill, on the lot grid. */
  inventoryLot = 0;
  /** The accounting ledger of this strategy and symbol (set by the engine). */
  ledger: SymbolLedger | undefined = undefined;
  /** The mid text of the last mark and the best bid and ask ticks it was made from (the engine's mark memo). */
  markBidTick = Number.NaN;
  markAskTick = Number.NaN;
  markMidText: string | undefined = undefined;
  /** The risk gate's volatility pause is on for this strategy on this symbol. */
  volPaused = false;
  /** An adverse-selection cooldown of the risk gate runs until then (exchange ns). */
  cooldownUntilNs = -Infinity;
  /** Sides the leg may quote: bit 0 bids, bit 1 asks (REDUCING, inventory reduction). */
  sideMask = 3;
  /** A reduce-only order (inventory reduction, flatten, forced exit) is working: its client order id. */
  exitOrderId: string | null = null;
  /** An inventory reduction is under way toward this position (lots); NaN when none. The ladder is pulled meanwhile. */
  reduceTargetLot = NaN;
  /** How the reduction's orders are priced: REDUCE_* */
  reduceMode = 0;
  /** A protective exit that did not (fully) fill is sent again from this time (exchange ns). */
  exitRetryAtNs = -Infinity;
  /** Counted in strategy.quotingLegs. */
  quoting = false;
  pullReason = PULL_NOT_RUNNING;
  /** The trader's fair value in ticks (fair_value_price), NaN = the book's. */
  fairOverrideTick = Number.NaN;
  /** With fair_value_source "event": the fair value read from the event's other symbols, in this leg's ticks (NaN when none has a book); the engine sets it before each decision. */
  sourceFairTick = Number.NaN;
  /** Price tolerance of the requote rule, ticks (requote_threshold_price; 0 = same tick). */
  requoteTolTicks = 0;
  /** The static quote parameters last written to the slot. */
  base: QuoteParams | undefined;
  private version = -1;
  private readonly regimeAdj: (RegimeAdjustment | undefined)[] = [];
  /** Last live inputs, for views. */
  volMult = 1;
  regime = 0;
  hoursLeft = Infinity;
  /** Retired by a universe strategy's scanner: pulled (PULL_RETIRED) after the binary resolution rules. */
  retired = false;
  /**
   * The inventory the ladder skews by, lots: NaN = the leg's own; for a symbol mapped to
   * an event (event-map.ts), the event's net exposure in this symbol's direction.
   */
  skewInventoryLot = Number.NaN;

  constructor(strategy: MarketMakingStrategy, index: number, market: SymbolMarket, quoter: WasmQuoter, slot: number) {
    this.strategy = strategy;
    this.symbol = strategy.symbols[index]!;
    this.instrument = strategy.instruments[index]!;
    this.market = market;
    this.quoter = quoter;
    this.slot = slot;
    this.key = `${strategy.id}/${this.symbol}`;
    this.binary = false;
    this.payoutTicks = 0;
    this.tickSize = 0;
    this.quotePerLotTick = 0;
    this.setGrid(this.instrument);
    this.live = new QuoteLiveInputs(quoter, slot);
    this.syncParams();
  }

  private setGrid(inst: Instrument): void {
    this.instrument = inst;
    this.binary = inst.kind === 'binary';
    this.payoutTicks = this.binary ? payoutTicks(Number(inst.tickSize)) : 0;
    this.tickSize = Number(inst.tickSize);
    this.quotePerLotTick = decimalMulDiv(inst.tickSize, inst.lotSize, 1);
    this.markBidTick = Number.NaN; // a new grid: the same ticks are other prices
    this.markAskTick = Number.NaN;
    this.markMidText = undefined;
  }

  /**
   * The feed redefined the symbol's instrument: the leg takes the new grid. Nothing
   * rests (the venue cancelled the old grid's orders); the quoter slot is written
   * again at the next decision, whose checks the engine ran before it resumes the leg.
   */
  rebind(inst: Instrument): void {
    this.setGrid(inst);
    this.version = -1;
    this.requoteTolTicks = 0;
    this.exitOrderId = null;
    this.reduceTargetLot = NaN;
  }

  /** True when the strategy's parameters changed since the slot was configured. */
  get paramsStale(): boolean {
    return this.version !== this.strategy.paramsVersion;
  }

  /** Writes the strategy's parameters into the quoter slot when they changed; returns whether they did. */
  syncParams(): boolean {
    if (this.version === this.strategy.paramsVersion) return false;
    const p = this.strategy.params;
    const base = toQuoteParams(p, this.instrument);
    this.quoter.configure(this.slot, base);
    this.live.load();
    this.base = base;
    this.requoteTolTicks = p.requote_threshold_price === null ? 0 : decimalRatio(p.requote_threshold_price, this.instrument.tickSize);
    this.fairOverrideTick = p.fair_value_price === null ? Number.NaN : decimalRatio(p.fair_value_price, this.instrument.tickSize);
    this.version = this.strategy.paramsVersion;
    for (let i = 0; i < REGIME_CODES.length; i++) this.regimeAdj[i] = regimeAdjustment(p, REGIME_CODES[i]!);
    return true;
  }

  private pull(reason: number): number {
    this.pullReason = reason;
    if (this.quoting) {
      this.quoting = false;
      this.strategy.quotingLegs--;
    }
    return DECIDE_PULL;
  }

  /** The quote decision at exchange time nowNs: DECIDE_QUOTE (ladder in the slot), DECIDE_PULL or DECIDE_EXIT. */
  decide(nowNs: number): number {
    const strategy = this.strategy;
    if (strategy.status !== 'running') return this.pull(PULL_NOT_RUNNING);
    if (this.exitOrderId !== null || this.reduceTargetLot === this.reduceTargetLot) return this.pull(PULL_REDUCING);
    const m = this.market;
    if (m.state.settled !== null) return this.pull(PULL_RESOLVED);
    if (!isQuotable(m.state)) return this.pull(PULL_NOT_QUOTABLE);
    if (this.volPaused) return this.pull(PULL_VOLATILITY);
    if (nowNs < this.cooldownUntilNs) return this.pull(PULL_COOLDOWN);
    if (this.sideMask === 0) return this.pull(PULL_RISK);
    this.syncParams();
    const p = strategy.params;

    let resolutionMult = 1;
    if (this.binary) {
      const h = hoursToResolution(m.state.resolutionTsNs, nowNs);
      this.hoursLeft = h;
      const phase = binaryPhase(p, h);
      if (phase !== BINARY_QUOTE) {
        if (phase === BINARY_FORCED_EXIT) { this.pull(PULL_FORCED_EXIT); return DECIDE_EXIT; }
        return this.pull(phase === BINARY_RESOLVED ? PULL_RESOLVED : PULL_TOO_FAR);
      }
      resolutionMult = resolutionSpreadMultiplier(p, h);
    }
    if (this.retired) return this.pull(PULL_RETIRED);
    if (p.min_liquidity !== null && m.liquidityQuote(p.imbalance_depth_levels, this.quotePerLotTick) < p.min_liquidity) {
      return this.pull(PULL_LIQUIDITY);
    }
    if (!this.quoting && strategy.quotingLegs >= p.max_markets) return this.pull(PULL_MAX_MARKETS);

    const book = m.state.book;
    const regime = p.regime_adjust ? m.regime.regime : 0;
    this.regime = regime;
    const adj = this.regimeAdj[regime]!;
    if (adj.pause && regime === REGIME_NEWS) return this.pull(PULL_NEWS);
    const q = adj.quote;

    let volMult = 1;
    if (p.dynamic_spread) {
      const r = m.vol.ratio(book);
      volMult = r > 1 ? (r < p.max_volatility_multiplier ? r : p.max_volatility_multiplier) : 1;
    }
    this.volMult = volMult;
    let bidMult = q.bidSpreadMult;
    let askMult = q.askSpreadMult;
    if (p.imbalance_threshold !== null) {
      const imb = m.books.imbalance(book, p.imbalance_depth_levels);
      const k = p.imbalance_spread_adjust_pct / 100;
      if (imb > p.imbalance_threshold) { askMult *= 1 + k; bidMult *= 1 - k; }
      else if (imb < -p.imbalance_threshold) { bidMult *= 1 + k; askMult *= 1 - k; }
    }
    let sigma = this.base!.sigma;
    let horizon = this.base!.horizon;
    if (p.quote_model !== 'linear') {
      if (p.sigma_bps === null) {
        // σ per √s from the short EWMA reading (≈ σ·√τ), in price units at the mid
        sigma = (m.vol.ewmaShortBps(book) / 1e4 / SQRT_SHORT_TAU_S) * m.midTick * this.tickSize;
      } else {
        // the configured σ in bps of the price, in price units at the current mid
        sigma = (p.sigma_bps / 1e4) * m.midTick * this.tickSize;
      }
      if (!Number.isFinite(sigma) || sigma < 0) sigma = 0;
      if (this.binary && Number.isFinite(this.hoursLeft)) horizon = this.hoursLeft * 3600;
    }
    this.live.set(q.spreadMult * volMult * resolutionMult, bidMult, askMult, q.skewFactor, q.sizeMult, sigma, horizon);

    const skewInv = this.skewInventoryLot;
    let fairTick = this.fairOverrideTick;
    if (fairTick !== fairTick && p.fair_value_source === 'event') {
      fairTick = this.sourceFairTick;
      if (!(fairTick > 0)) return this.pull(PULL_NO_FAIR);
    }
    const status = this.quoter.compute(this.slot, book, fairTick, skewInv === skewInv ? skewInv : this.inventoryLot);
    if (status < 0 || (this.quoter.flags(this.slot) & NO_QUOTE_FLAGS) !== 0) return this.pull(PULL_NO_FAIR);
    if (!this.quoting) {
      this.quoting = true;
      strategy.quotingLegs++;
    }
    this.pullReason = PULL_NONE;
    return DECIDE_QUOTE;
  }

  // ---- the last ladder (valid after decide() returned DECIDE_QUOTE); a side outside sideMask is empty ----
  bidCount(): number { return (this.sideMask & 1) === 0 ? 0 : this.quoter.bidCount(this.slot); }
  askCount(): number { return (this.sideMask & 2) === 0 ? 0 : this.quoter.askCount(this.slot); }
  bidTick(i: number): number { return this.quoter.bidTick(i, this.slot); }
  askTick(i: number): number { return this.quoter.askTick(i, this.slot); }
  bidQtyLot(i: number): number { return this.quoter.bidQtyLot(i, this.slot); }
  askQtyLot(i: number): number { return this.quoter.askQtyLot(i, this.slot); }
  fairTick(): number { return this.quoter.fairTick(this.slot); }
  skewTicks(): number { return this.quoter.skewTicks(this.slot); }
  ladderFlags(): number { return this.quoter.flags(this.slot); }
}
