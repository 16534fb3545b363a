// A live Binance session for `spreadcore serve --execution binance-*`: the signed REST
// client, the WebSocket API (spot order entry and user data) or the USD-M listenKey
// stream, the execution venue the engine trades through, and reconciliation with the
// journal at start and after every reconnect, before quoting resumes:
//
//   1. every strategy pauses (reason "venue");
//   2. the venue's open orders, trades since the last journaled trade id, and balances
//      (spot) or positions (USD-M) are fetched (BinanceExecutionVenue.reconcile);
//   3. fills of orders this process did not send (placed before a restart) are
//      journaled exactly once (venue trade id) and applied to the ledgers;
//   4. open orders this process does not track are cancelled (or kept, a setting);
//      orders the journal thinks open but the venue does not are closed there with
//      their venue status;
//   5. USD-M: funding payments since the last one journaled are read from the income
//      history and applied to the ledgers, each once (funding-sync.ts); a FUNDING_FEE
//      user-data event reads them too;
//   6. the ledger's positions are compared with the venue's: a mismatch halts every
//      strategy on the symbol (risk state HALTED, reason reconcile_mismatch) instead
//      of quoting on a wrong position;
//   7. strategies quote again.
// Keys are held by the signer only; nothing here prints them.
import { CoalescedRun } from '../coalesced-run.js';
import { ReconcileRetry } from '../reconcile-retry.js';
import { Decimal } from 'decimal.js';
import type { TradingEngine } from '../../engine/trading-engine.js';
import type { Journal } from '../../store/journal.js';
import type { FillRecord, OrderSide } from '../../trading/types.js';
import { BinanceExecutionVenue, binanceTradeKey, type ReconcileReport } from './binance-venue.js';
import type { BinanceMarket } from './client-order-id.js';
import { ServerClock } from './clock.js';
import { FundingSync, type FundingSyncResult } from './funding-sync.js';
import { ListenKeyStream } from './listen-key-stream.js';
import { BinanceApiError, BinanceError } from './errors.js';
import { readSymbolsExchangeInfo, skippedEntriesText } from './exchange-info.js';
import type { SymbolRules } from './filters.js';
import { DEFAULT_SPOT_LIMITS, DEFAULT_USDM_LIMITS, Priority, RateBudget } from './rate-budget.js';
import type { VenueOrder } from '../../execution/venue.js';
import { BinanceRestClient, BudgetRefusedError, type SpotTrade, type UsdmTrade } from './rest-client.js';
import { Ed25519Signer, HmacSigner, type RequestSigner } from './signing.js';
import { BinanceWsApiClient } from './ws-api-client.js';

export interface BinanceLiveConfig {
  readonly market: BinanceMarket;
  /** Production (mainnet) endpoints were asked for explicitly. */
  readonly production: boolean;
  readonly restUrl: string;
  /** Spot: the WebSocket API (order entry and user data); USD-M: unused ('' = REST order entry). */
  readonly wsApiUrl: string;
  /** USD-M listenKey stream base. */
  readonly userStreamUrl: string;
  readonly symbols: readonly string[];
  readonly apiKey: string;
  /** HMAC secret; or, instead, an Ed25519 private key (then the spot WebSocket API session is authenticated once with session.logon). */
  readonly apiSecret?: string | undefined;
  readonly ed25519?: { readonly pem: string; readonly passphrase: string | undefined } | undefined;
  /** Open orders the engine does not track at reconciliation: cancel them (default) or leave them. */
  readonly orphanOrders: 'cancel' | 'keep';
  readonly log: (line: string) => void;
  /** Lines that need the trader's attention (a 429 or a 418 ban from Binance); `log` when not given. */
  readonly warn?: (line: string) => void;
}

/** The venue-wide cancel's outcome: confirmed by an open-orders query, or how many orders it saw left, or why it could not tell. */
export interface CancelAllResult {
  readonly confirmed: boolean;
  readonly remaining: number;
  /** Why it stopped without a confirmation (the last error; key material never appears). */
  readonly error?: string;
  /** It stopped waiting because `keepGoing()` said so (the kill switch was released) or the session closed. */
  readonly abandoned?: boolean;
}

export interface ReconcileSummary {
  readonly ok: boolean;
  readonly fillsApplied: number;
  readonly fillsForeign: number;
  readonly ordersCancelled: number;
  readonly ordersKept: number;
  readonly journalOrdersClosed: number;
  /** USD-M funding payments applied to the ledgers (null: spot, or the income history could not be read this time). */
  readonly fundingApplied: number | null;
  readonly mismatches: string[];
  /** The symbols whose positions differ (each one's line is in `mismatches`). */
  readonly mismatchedSymbols: string[];
  readonly atMs: number;
}

/** A strategy's `reconcile_mismatch` halt: lifted, or kept because a symbol of it still differs. */
export interface ReconcileHaltView {
  readonly strategy_id: string;
  readonly symbols: string[];
}

/** What POST /api/reconcile answers: the reconciliation's summary and what became of the halts. */
export interface ReconcileRequestResult {
  readonly summary: ReconcileSummary;
  /** Strategies whose reconcile_mismatch halt was lifted (their positions agree now). */
  readonly lifted: ReconcileHaltView[];
  /** Strategies still halted for reconcile_mismatch (a symbol of theirs differs). */
  readonly halted: ReconcileHaltView[];
  /**
   * USD-M's user-data stream (fills, order updates) at the answer: while it is down the
   * strategies stay paused (reason venue) whatever the reconciliation found; null on spot
   * (its user data comes over the WebSocket API).
   */
  readonly userStream: 'connected' | 'down' | null;
}

/** What a trader does about a position mismatch (the reconciliation's log line, serve's start-up line, POST /api/reconcile's answer). */
export const MISMATCH_HINT = 'the strategies on the symbol are halted (reconcile_mismatch) and do not quote: the difference is trading the engine did not do '
  + '(another client or a manual trade on the account, fills it could not read); bring the venue\'s position back to the ledgers\' (close what that trading opened), '
  + 'then POST /api/reconcile: the engine reconciles again and lifts the halt of the strategies whose positions agree (restarting serve does too)';

/** POST /api/reconcile's answer body (snake_case, as the API's): the summary, the halts lifted and kept, what to do next. */
export function reconcileAnswer(venue: string, r: ReconcileRequestResult, killSwitchOn: boolean): Record<string, unknown> {
  const s = r.summary;
  const next: string[] = [];
  if (!s.ok) next.push(MISMATCH_HINT);
  if (killSwitchOn) next.push('the kill switch is on: nothing quotes until POST /api/resume');
  if (r.userStream === 'down') {
    next.push('the user-data stream is down: the strategies stay paused (reason venue) until it is back and reconciled, which the engine does by itself '
      + '(GET /api/health, execution.user_stream)');
  }
  return {
    ok: s.ok, venue, mismatches: s.mismatches, lifted: r.lifted, halted: r.halted, user_stream: r.userStream,
    fills_journaled: s.fillsApplied, fills_foreign: s.fillsForeign, orders_cancelled: s.ordersCancelled, orders_kept: s.ordersKept,
    journal_orders_closed: s.journalOrdersClosed, funding_applied: s.fundingApplied, at_ms: s.atMs, kill_switch: killSwitchOn ? 'HALTED' : 'ACTIVE',
    ...(next.length > 0 ? { hint: next.join('; ') } : {}),
  };
}

/**
 * The local PERCENT_PRICE check compares with the engine's mid, while Binance compares with
 * its own reference (spot: the volume-weighted average price over the filter's avgPriceMins,
 * or the last price when 0; USD-M: the mark price). The local band is this fraction wider on
 * each side, so a gap of up to 2 % between the two references never has the engine refuse an
 * order Binance would take; an order in between goes out and Binance decides (docs/live-trading.md).
 */
export const PERCENT_PRICE_REF_MARGIN = 0.02;

const TRADE_STATE_KEY = (market: BinanceMarket): string => `binance:${market}:last_trade_id`;
const BASELINE_KEY = (market: BinanceMarket): string => `binance:${market}:balance_baseline`;

const VENUE_STATUS: Record<string, 'FILLED' | 'CANCELLED' | 'REJECTED'> = {
  FILLED: 'FILLED', CANCELED: 'CANCELLED', EXPIRED: 'CANCELLED', EXPIRED_IN_MATCH: 'CANCELLED', REJECTED: 'REJECTED',
};

/**
 * What an order is worth to the rate budget: exits and best-level quotes go first; as
 * the budget tightens, deeper levels wait (they are retried at the next decision).
 */
export function orderPriority(o: VenueOrder): Priority {
  if (o.reduceOnly === true) return Priority.TOP_REQUOTE;
  if (o.level === undefined || o.level === 0) return Priority.NORMAL;
  return o.level <= 1 ? Priority.TOP_REQUOTE : Priority.DEEP;
}

/**
 * Binance's refusal of the key itself (a wrong API key, a secret or private key that does
 * not belong to it, a key without trading permission or from another environment) as a
 * local error that says what to check; null for any other error. Key values are never quoted.
 */
export function keyRefusal(e: unknown, config: Pick<BinanceLiveConfig, 'restUrl' | 'production' | 'ed25519'>): BinanceError | null {
  if (!(e instanceof BinanceApiError)) return null;
  const answer = `${e.binanceCode !== 0 ? `${e.binanceCode} ` : ''}${e.binanceMsg}`;
  const where = `${config.restUrl} (${config.production ? 'production: testnet keys do not work there' : 'testnet: production keys do not work there'})`;
  if (e.binanceCode === -1022) {
    const secret = config.ed25519 !== undefined ? 'the Ed25519 private key (SPREADCORE_BINANCE_PRIVATE_KEY_FILE)' : 'the secret (SPREADCORE_BINANCE_API_SECRET or VELOZ_BINANCE_API_SECRET)';
    return new BinanceError('BINANCE_ERR_KEYS', `Binance refused the request signature (${answer}): ${secret} does not belong to the API key; check both are the pair issued for ${where}`);
  }
  if (e.binanceCode === -2014 || e.binanceCode === -2015 || e.status === 401) {
    return new BinanceError('BINANCE_ERR_KEYS', `Binance refused the API key (${answer}): check SPREADCORE_BINANCE_API_KEY (or VELOZ_BINANCE_API_KEY) is a key issued for ${where}, that it may trade, and that its IP restriction lets this machine in`);
  }
  return null;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class BinanceLive {
  readonly venue: BinanceExecutionVenue;
  readonly rest: BinanceRestClient;
  readonly config: BinanceLiveConfig;
  private readonly ws: BinanceWsApiClient | null;
  private stream: ListenKeyStream | null = null;
  private engine: TradingEngine | null = null;
  private readonly reconciling = new CoalescedRun<ReconcileSummary>();
  private last: ReconcileSummary | null = null;
  private closed = false;
  /** A reconciliation that failed is tried again (strategies stay paused meanwhile), logged once per outage. */
  private readonly retry: ReconcileRetry;
  /** USD-M funding payments from the income history (null on spot). */
  private funding: FundingSync | null = null;
  private fundingRetry: NodeJS.Timeout | null = null;

  private constructor(config: BinanceLiveConfig, rest: BinanceRestClient, ws: BinanceWsApiClient | null, venue: BinanceExecutionVenue) {
    this.config = config;
    this.rest = rest;
    this.ws = ws;
    this.venue = venue;
    this.retry = new ReconcileRetry({
      venue: 'binance', name: 'Binance', health: 'execution', log: config.log, warn: config.warn ?? config.log,
      retry: () => { if (!this.closed) this.reconcileUntilDone(); },
    });
  }

  /**
   * Connects (clock, exchangeInfo, WebSocket API) and checks that every symbol trades
   * there. The venue converts the engine's grids (engineInstrument) to the exchange's;
   * marketPriceTick is the engine's book price a market order would meet (its ticks, NaN
   * when unknown), the estimate of a USD-M market exit's notional. refPriceTick is the
   * engine's reference price of a symbol for the local PERCENT_PRICE / PERCENT_PRICE_BY_SIDE
   * check (its ticks, NaN when unknown: the rule is then left to Binance), checked with a
   * band PERCENT_PRICE_REF_MARGIN wider than the exchange's.
   */
  static async connect(
    config: BinanceLiveConfig, engineInstrument: (symbol: string) => import('../../orderbook/instrument.js').Instrument | undefined,
    marketPriceTick?: (symbol: string, side: OrderSide) => number,
    refPriceTick?: (symbol: string) => number,
  ): Promise<BinanceLive> {
    const signer: RequestSigner = config.ed25519 !== undefined
      ? new Ed25519Signer(config.apiKey, config.ed25519.pem, config.ed25519.passphrase)
      : new HmacSigner(config.apiKey, config.apiSecret ?? '');
    let rest: BinanceRestClient | null = null;
    const clock = new ServerClock({ samples: 3, fetchServerTime: () => rest!.serverTime() });
    const warn = config.warn ?? config.log;
    const budget = new RateBudget({
      now: () => clock.serverNowMs(), limits: config.market === 'spot' ? DEFAULT_SPOT_LIMITS : DEFAULT_USDM_LIMITS,
      onBlocked: (status, blockMs) => warn(status === 418
        ? `binance: HTTP 418, Binance banned this IP for ${(blockMs / 1000).toFixed(1)} s (Retry-After): nothing is sent until then (budget_http418 in /metrics)`
        : `binance: HTTP ${status} rate limit from Binance: nothing is sent for ${(blockMs / 1000).toFixed(1)} s (Retry-After); orders meanwhile are rejected rate_limited, cancels wait (budget_http429 in /metrics)`),
    });
    rest = new BinanceRestClient({ market: config.market, baseUrl: config.restUrl, signer, clock, budget });
    try {
      await clock.sync();
    } catch (e) {
      // nothing answered at all (refused, unreachable, timed out): say so, and what to check
      if (e instanceof BinanceApiError && e.status === 0) {
        throw new BinanceError('BINANCE_ERR_CONFIG', `no answer from ${config.restUrl} (${e.binanceMsg}): check --binance-rest-url (SPREADCORE_BINANCE_REST_URL) and that this machine reaches it`);
      }
      throw e;
    }
    let ws: BinanceWsApiClient | null = null;
    try {
      if (config.market === 'spot') {
        ws = new BinanceWsApiClient({ market: 'spot', url: config.wsApiUrl, signer, clock, budget, sessionLogon: signer.kind === 'ed25519' });
        await ws.connect();
      }
      const venue = new BinanceExecutionVenue({
        market: config.market, rest, ...(ws !== null ? { orderEntry: ws } : {}), engineInstrument, priorityOf: orderPriority,
        ...(marketPriceTick !== undefined ? { marketPriceTick } : {}),
        ...(refPriceTick !== undefined ? { refPriceTick, refPriceMargin: PERCENT_PRICE_REF_MARGIN } : {}),
        name: config.market === 'spot' ? 'binance' : 'binance-usdm',
      });
      // spot asks for the symbols only (an unknown one: -1121, named here); every symbol is checked before anything is subscribed or placed
      const loaded = await venue.loadExchangeInfo(config.symbols);
      const unlisted = loaded.unlisted;
      if (loaded.skipped > 0) {
        config.log(`binance: exchangeInfo: ${skippedEntriesText(loaded)}`);
      }
      if (unlisted.length > 0) {
        throw new BinanceError('BINANCE_ERR_UNLISTED_SYMBOL',
          `Binance ${config.market === 'spot' ? 'spot' : 'USD-M'} (${config.restUrl}) does not list ${unlisted.join(', ')} in its exchangeInfo: `
          + `check --symbols (SPREADCORE_SYMBOLS) against the venue's symbols; nothing was placed`);
      }
      return new BinanceLive(config, rest, ws, venue);
    } catch (e) {
      // a WebSocket API connection left open (with its pings and reconnects) would keep the process alive after the refusal
      ws?.close();
      throw e;
    }
  }

  /**
   * The symbol's rules as the venue's exchangeInfo gives them now, read as at start
   * (readSymbolsExchangeInfo: spot asks for the symbol only, USD-M reads the whole answer
   * leniently); rejects when exchangeInfo cannot be read or no longer lists the symbol.
   * The venue's rules are left as they are (BinanceExecutionVenue.setSymbolRules adopts them).
   */
  async readSymbolRules(symbol: string): Promise<SymbolRules> {
    const r = await readSymbolsExchangeInfo(this.rest, [symbol]);
    const rules = r.rules.get(symbol);
    if (rules === undefined) {
      throw new BinanceError('BINANCE_ERR_UNLISTED_SYMBOL', `Binance ${this.config.market === 'spot' ? 'spot' : 'USD-M'} (${this.config.restUrl}) no longer lists ${symbol} in its exchangeInfo`);
    }
    return rules;
  }

  /** Attaches the user-data stream, reconciles with the journal before any quote, and reconciles again after every reconnect. */
  async start(engine: TradingEngine): Promise<ReconcileSummary> {
    this.engine = engine;
    engine.venueDown();
    this.venue.onNeedsReconcile(() => this.reconcileUntilDone());
    this.venue.onUntrackedFill((symbol, clientOrderId, venueOrderId) => {
      void this.journalUntrackedFills(symbol, clientOrderId, venueOrderId).catch((e: unknown) => {
        (this.config.warn ?? this.config.log)(`binance: could not read the fills of order ${clientOrderId} on ${symbol}: ${errText(e)}; the next reconciliation journals them`);
      });
    });
    if (this.config.market === 'usdm') {
      this.funding = new FundingSync({
        market: 'usdm', symbols: [...this.config.symbols],
        income: (q) => this.rest.income(q),
        quoteAsset: (symbol) => this.venue.symbolRules(symbol)?.quoteAsset,
        apply: (f) => engine.applyFunding(f),
        journal: () => engine.journal,
        serverNowMs: () => this.rest.clock.serverNowMs(),
        log: this.config.log,
      });
      this.venue.onFunding(() => this.fundingAfterEvent(1));
    }
    try {
      if (this.ws !== null) {
        this.venue.attachSpotUserStream(this.ws);
        await this.ws.subscribeUserData();
      } else {
        const stream = new ListenKeyStream({ rest: this.rest, streamBaseUrl: this.config.userStreamUrl });
        this.stream = stream;
        this.venue.attachUsdmUserStream(stream, { symbols: [...this.config.symbols] });
        // orders go over REST, which may work while the user stream does not: no quoting while
        // no fill can be seen (the reconciliation after the reconnect lets the strategies quote again)
        stream.onDisconnected(() => { if (!this.closed) engine.venueDown(); });
        await stream.start();
      }
      // the first signed requests: the user-data subscription (spot), then the reconciliation's queries
      return await this.reconcile();
    } catch (e) {
      throw keyRefusal(e, this.config) ?? e;
    }
  }

  /**
   * Reconciles after a reconnect; a failure (a query refused, no answer) leaves the strategies
   * paused, says so once per outage, and tries again after 1 s, 2 s, 4 s … up to 30 s until one
   * succeeds (said once too): the engine neither quotes on a state it could not check nor stays
   * paused for good.
   */
  private reconcileUntilDone(): void {
    this.reconcile().then(() => { this.retry.ran(); }, (e: unknown) => { this.retry.failed(errText(e)); });
  }

  /**
   * A FUNDING_FEE event: the payments are read from the income history (the event names no
   * symbol on a cross position). When none is new yet (the history may list it a moment
   * after the event), read again after 1, 2, 4 and 8 s.
   */
  private fundingAfterEvent(attempt: number): void {
    const f = this.funding;
    if (f === null || this.closed) return;
    if (this.fundingRetry !== null) { clearTimeout(this.fundingRetry); this.fundingRetry = null; }
    f.sync().then((r) => {
      this.logFunding(r, 'FUNDING_FEE event');
      if (r.applied + r.unallocated === 0 && attempt < 5 && !this.closed) this.retryFunding(attempt);
    }, (e: unknown) => {
      (this.config.warn ?? this.config.log)(`binance: could not read the funding payments (GET /fapi/v1/income): ${errText(e)}; read again ${attempt < 5 ? 'shortly and ' : ''}at the next reconciliation`);
      if (attempt < 5 && !this.closed) this.retryFunding(attempt);
    });
  }

  private retryFunding(attempt: number): void {
    this.fundingRetry = setTimeout(() => { this.fundingRetry = null; this.fundingAfterEvent(attempt + 1); }, 1000 * 2 ** (attempt - 1));
    this.fundingRetry.unref();
  }

  private logFunding(r: FundingSyncResult, why: string): void {
    if (r.applied + r.unallocated === 0) return;
    this.config.log(`binance: funding (${why}): ${r.applied} payment(s) applied to the ledgers${r.unallocated > 0 ? `, ${r.unallocated} on a position no account of the engine held (journaled, in no ledger)` : ''}`);
  }

  /** One reconciliation at a time; a request during one runs once more after it. Strategies are paused meanwhile. */
  reconcile(): Promise<ReconcileSummary> {
    const wasBusy = this.reconciling.busy;
    const run = this.reconciling.run(async () => {
      this.engine!.venueDown();
      return this.reconcileOnce();
    }, () => !this.closed);
    if (wasBusy) return run;
    return run.then((s) => {
      this.last = s;
      // a user stream that dropped meanwhile keeps them paused: its reconnect reconciles again
      if (!this.closed && (this.stream === null || this.stream.connected)) this.engine!.venueUp();
      return s;
    });
  }

  /**
   * POST /api/reconcile: the reconciliation start and reconnects run (missed fills journaled,
   * untracked orders cancelled, positions compared), now. One runs at a time: a request while
   * one runs waits for it and for one more pass that starts after the request. Then the
   * `reconcile_mismatch` halt of every strategy whose symbols all agree is lifted; a halt for
   * another reason, the kill switch and a stopped strategy stay as they are. A reconciliation
   * that fails leaves the strategies paused (venue) and is tried again in the background, as
   * after a reconnect; the error is thrown.
   */
  async reconcileOnRequest(): Promise<ReconcileRequestResult> {
    const engine = this.engine;
    if (engine === null || this.closed) throw new BinanceError('BINANCE_ERR_CONFIG', 'the Binance session is not trading (not started, or closed)');
    let summary: ReconcileSummary;
    try {
      summary = await this.reconcile();
    } catch (e) {
      if (!this.closed) this.reconcileUntilDone();
      throw e;
    }
    const differ = new Set(summary.mismatchedSymbols);
    const lifted: ReconcileHaltView[] = [];
    const halted: ReconcileHaltView[] = [];
    const t = engine.nowNs();
    for (const s of engine.list()) {
      if (!engine.risk.hasStrategy(s.strategy_id) || engine.risk.strategyStateReason(s.strategy_id) !== 'reconcile_mismatch' || engine.risk.strategyState(s.strategy_id) !== 'HALTED') continue;
      const view = { strategy_id: s.strategy_id, symbols: [...s.symbols] };
      if (s.symbols.some((sym) => differ.has(sym))) { halted.push(view); continue; }
      if (engine.risk.liftReconcileHalt(s.strategy_id, t, `positions of ${s.symbols.join(', ')} agree with ${this.venue.name}`)) lifted.push(view);
    }
    if (lifted.length > 0) this.config.log(`binance: reconcile_mismatch halt lifted (POST /api/reconcile, positions agree): ${lifted.map((l) => l.strategy_id).join(', ')}`);
    const userStream = this.stream === null ? null : this.stream.connected ? 'connected' : 'down';
    return { summary, lifted, halted, userStream };
  }

  private async reconcileOnce(): Promise<ReconcileSummary> {
    const engine = this.engine!;
    const journal = engine.journal;
    const market = this.config.market;
    const symbols = [...this.config.symbols];
    const since = (journal?.getState(TRADE_STATE_KEY(market)) ?? {}) as Record<string, number>;
    const sinceTradeId: Record<string, number> = {};
    for (const s of symbols) if (typeof since[s] === 'number') sinceTradeId[s] = since[s]!;
    const firstRun = Object.keys(sinceTradeId).length === 0;
    if (firstRun) {
      // the first run on this account: nothing of ours can have traded before; start after the latest trade
      for (const s of symbols) sinceTradeId[s] = await this.latestTradeId(s);
    }
    const report = await this.venue.reconcile({ symbols, sinceTradeId });
    let fillsApplied = 0;
    let fillsForeign = 0;
    // fills of orders this process did not send: find the order (ours from before a restart, or foreign)
    const byOrder = new Map<string, ReconcileReport['missedFills']>();
    for (const f of report.missedFills) {
      if (f.applied) continue;
      const k = `${f.symbol}|${f.venueOrderId}`;
      byOrder.set(k, [...(byOrder.get(k) ?? []), f]);
    }
    for (const [k, fills] of byOrder) {
      const [symbol, venueOrderIdText] = k.split('|') as [string, string];
      const venueOrderId = Number(venueOrderIdText);
      const answer = await this.rest.queryOrder(symbol, { orderId: venueOrderId });
      const ours = journal?.orderByClientId(answer.clientOrderId) ?? null;
      if (ours === null) {
        fillsForeign += fills.length;
        this.config.log(`binance: ${fills.length} fill(s) of order ${venueOrderId} (${answer.clientOrderId}) on ${symbol} are not ours: left to the position check`);
        continue;
      }
      const trades = await this.rest.tradesForOrder(symbol, venueOrderId);
      const wanted = new Set(fills.map((f) => f.tradeId));
      for (const tr of trades) {
        if (!wanted.has(tr.id)) continue;
        if (engine.applyExternalFill(this.fillRecord(symbol, tr, ours.orderId, ours.clientOrderId, ours.strategyId, ours.side))) fillsApplied++;
      }
    }
    // open orders this process does not track
    let ordersCancelled = 0;
    let ordersKept = 0;
    for (const o of report.unknownToUs) {
      if (this.config.orphanOrders === 'keep') { ordersKept++; continue; }
      if (!(await this.cancelUntracked(o.symbol, o.venueOrderId, o.clientOrderId))) continue;
      ordersCancelled++;
      const mine = journal?.orderByClientId(o.clientOrderId) ?? null;
      if (mine !== null && journal !== undefined) journal.recordOrderStatus(mine.orderId, 'CANCELLED', { tsEventNs: BigInt(engine.nowNs()), reason: 'reconcile: open at the venue, not tracked after a restart' });
    }
    // the journal's open orders from an earlier run: how did they end?
    let journalOrdersClosed = 0;
    if (journal !== undefined) {
      const tracked = new Set(engine.orders.openOrders().map((o) => o.orderId));
      for (const o of journal.orders({ openOnly: true })) {
        if (tracked.has(o.orderId) || !symbols.includes(o.symbol)) continue;
        let status: 'FILLED' | 'CANCELLED' | 'REJECTED' = 'CANCELLED';
        let reason = 'reconcile: not found at the venue';
        try {
          const a = await this.rest.queryOrder(o.symbol, { origClientOrderId: o.clientOrderId });
          if (a.status === 'NEW' || a.status === 'PARTIALLY_FILLED') continue; // still open: the cancel above handles it next time
          status = VENUE_STATUS[a.status] ?? 'CANCELLED';
          reason = `reconcile: ${a.status} at the venue`;
        } catch { /* -2013: never reached the venue */ }
        journal.recordOrderStatus(o.orderId, status, { tsEventNs: BigInt(engine.nowNs()), reason });
        journalOrdersClosed++;
      }
    }
    // funding paid or received since the last payment journaled (while the engine was down too)
    let fundingApplied: number | null = null;
    if (this.funding !== null) {
      try {
        const r = await this.funding.sync();
        fundingApplied = r.applied;
        this.logFunding(r, 'reconciliation');
      } catch (e) {
        (this.config.warn ?? this.config.log)(`binance: could not read the funding payments (GET /fapi/v1/income): ${errText(e)}; read again at the next reconciliation or FUNDING_FEE event`);
      }
    }
    const mismatched = await this.checkPositions(symbols);
    const mismatches = mismatched.map((m) => m.text);
    // persist how far the trades were read
    if (journal !== undefined) {
      const next: Record<string, number> = { ...since };
      for (const s of symbols) next[s] = Math.max(sinceTradeId[s] ?? -1, report.lastTradeId[s] ?? -1);
      journal.setState(TRADE_STATE_KEY(market), next);
    }
    const summary: ReconcileSummary = {
      ok: mismatches.length === 0, fillsApplied, fillsForeign, ordersCancelled, ordersKept, journalOrdersClosed, fundingApplied, mismatches,
      mismatchedSymbols: [...new Set(mismatched.map((m) => m.symbol))], atMs: Date.now(),
    };
    const line = `binance: reconciled ${symbols.join(',')}: ${fillsApplied} missed fill(s) journaled, ${ordersCancelled} untracked order(s) cancelled, `
      + `${journalOrdersClosed} journal order(s) closed`;
    // a halt needs the trader: said at warn level, with what to do about it
    if (mismatches.length > 0) (this.config.warn ?? this.config.log)(`${line}; MISMATCH: ${mismatches.join('; ')}; ${MISMATCH_HINT}`);
    else this.config.log(line);
    return summary;
  }

  /**
   * A trade of an order the venue does not track: when the journal knows the order (one of an
   * earlier run, kept open at the reconciliation), its fills are journaled now, each once, and
   * applied to the ledgers; another client's are left to the position check.
   */
  private async journalUntrackedFills(symbol: string, clientOrderId: string, venueOrderId: number): Promise<void> {
    const engine = this.engine;
    if (engine === null || this.closed) return;
    const ours = engine.journal?.orderByClientId(clientOrderId) ?? null;
    if (ours === null) return;
    let applied = 0;
    for (const tr of await this.rest.tradesForOrder(symbol, venueOrderId)) {
      if (engine.applyExternalFill(this.fillRecord(symbol, tr, ours.orderId, ours.clientOrderId, ours.strategyId, ours.side))) applied++;
    }
    if (applied > 0) this.config.log(`binance: ${applied} fill(s) of order ${clientOrderId} on ${symbol} (an order of an earlier run, kept open) journaled`);
  }

  private async latestTradeId(symbol: string): Promise<number> {
    const page = this.config.market === 'spot' ? await this.rest.myTrades(symbol, undefined, 1) : await this.rest.userTrades(symbol, undefined, 1);
    return page.length === 0 ? -1 : page[page.length - 1]!.id;
  }

  private fillRecord(symbol: string, tr: SpotTrade | UsdmTrade, orderId: string, clientOrderId: string, strategyId: string | null, side: OrderSide): FillRecord {
    const maker = 'isMaker' in tr ? tr.isMaker : (tr as UsdmTrade).maker;
    let fee = new Decimal(tr.commission);
    const rules = this.venue.symbolRules(symbol);
    if (rules !== undefined && tr.commissionAsset !== rules.quoteAsset) fee = tr.commissionAsset === rules.baseAsset ? fee.mul(tr.price) : new Decimal(0);
    const ts = BigInt(tr.time) * 1_000_000n;
    return {
      tradeId: binanceTradeKey(symbol, tr.id), orderId, clientOrderId, strategyId, symbol, side,
      price: new Decimal(tr.price).toFixed(), qty: new Decimal(tr.qty).toFixed(), fee: fee.toFixed(), liquidity: maker ? 'MAKER' : 'TAKER',
      tsEventNs: ts, tsInitNs: ts,
    };
  }

  /**
   * The ledgers' positions against the venue's. USD-M: positionRisk per symbol. Spot: the
   * base asset's balance, against the balance seen the first time this journal traded
   * the account (the baseline) plus the ledgers' positions. A mismatch halts every
   * strategy on the symbol.
   */
  private async checkPositions(symbols: readonly string[]): Promise<Array<{ symbol: string; text: string }>> {
    const engine = this.engine!;
    const journal = engine.journal;
    const ledgerPos = (symbol: string): Decimal => engine.ledgers.ledgers()
      .filter((l) => l.config.symbol === symbol)
      .reduce((a, l) => a.add(l.position.toFixed()), new Decimal(0));
    const out: Array<{ symbol: string; text: string }> = [];
    if (this.config.market === 'usdm') {
      const risk = await this.rest.positionRisk();
      for (const s of symbols) {
        const venue = risk.filter((p) => p.symbol === s).reduce((a, p) => a.add(p.positionAmt), new Decimal(0));
        const mine = ledgerPos(s);
        if (!venue.eq(mine)) out.push({ symbol: s, text: `${s} position ${mine.toFixed()} in the ledgers, ${venue.toFixed()} at the venue` });
      }
    } else {
      // spot has no position: the ledgers' position must equal what the venue's own trades
      // since the baseline (the first live run on this journal) added to it; the base
      // asset's balance must equal the baseline plus those trades less the commissions
      // charged in it (a difference there is a deposit or a trade by someone else: told,
      // not halted)
      const stored = (journal?.getState(BASELINE_KEY('spot')) ?? {}) as Record<string, { balance: string; tradeId: number; position: string }>;
      const baseline = { ...stored };
      const acct = await this.rest.account();
      const total = new Map(acct.balances.map((b) => [b.asset, new Decimal(b.free).add(b.locked)]));
      for (const s of symbols) {
        const rules = this.venue.symbolRules(s);
        if (rules === undefined) continue;
        const balance = total.get(rules.baseAsset) ?? new Decimal(0);
        const mine = ledgerPos(s);
        const b = baseline[s];
        if (b === undefined) {
          baseline[s] = { balance: balance.toFixed(), tradeId: await this.latestTradeId(s), position: mine.toFixed() };
          continue;
        }
        let net = new Decimal(0);
        let baseFees = new Decimal(0);
        for (let fromId = b.tradeId + 1; ;) {
          const page = await this.rest.myTrades(s, fromId);
          for (const tr of page) {
            net = tr.isBuyer ? net.add(tr.qty) : net.sub(tr.qty);
            if (tr.commissionAsset === rules.baseAsset) baseFees = baseFees.add(tr.commission);
          }
          if (page.length < 1000) break;
          fromId = page[page.length - 1]!.id + 1;
        }
        const expectedPos = new Decimal(b.position).add(net);
        if (!expectedPos.eq(mine)) out.push({ symbol: s, text: `${s} position ${mine.toFixed()} in the ledgers, ${expectedPos.toFixed()} from the venue's trades` });
        const expectedBalance = new Decimal(b.balance).add(net).sub(baseFees);
        if (!expectedBalance.eq(balance)) {
          this.config.log(`binance: ${rules.baseAsset} balance ${balance.toFixed()} at the venue, ${expectedBalance.toFixed()} from our trades since the baseline: moved by something else (a deposit, a withdrawal, another client)`);
        }
      }
      journal?.setState(BASELINE_KEY('spot'), baseline);
    }
    if (out.length > 0) {
      const t = engine.nowNs();
      for (const s of engine.list()) {
        const own = out.filter((m) => s.symbols.includes(m.symbol));
        if (own.length > 0 && engine.risk.hasStrategy(s.strategy_id)) engine.risk.haltStrategy(s.strategy_id, t, own.map((m) => m.text).join('; '), 'reconcile_mismatch');
      }
    }
    return out;
  }

  /**
   * Cancels every open order of the session's symbols at the venue and confirms it (kill
   * switch, stop). A request Binance refused before doing anything (a 429 or 418 block, the
   * rate budget) or that got no answer is sent again once it may, until `timeoutMs` has
   * passed or `keepGoing()` says no more (checked before every new attempt): a kill pressed
   * during a ban cancels once the ban is over, unless it was released meanwhile. `error` says
   * why it could not be confirmed.
   */
  async cancelAll(opts: { timeoutMs?: number; keepGoing?: () => boolean } = {}): Promise<CancelAllResult> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    let remaining = 0;
    let confirmed = true;
    let error: string | undefined;
    let abandoned = false;
    for (const s of this.config.symbols) {
      if (abandoned) break;
      for (let attempt = 1; ; attempt++) {
        // checked again after every wait: a kill released meanwhile must not cancel the quotes placed since
        if (attempt > 1 && (this.closed || opts.keepGoing?.() === false)) { confirmed = false; abandoned = true; break; }
        try {
          const r = await this.venue.cancelAll(s);
          remaining += r.remaining;
          confirmed &&= r.confirmed;
          break;
        } catch (e) {
          const waitMs = this.cancelAllRetryMs(e, attempt);
          const left = deadline - Date.now();
          if (waitMs === null || waitMs > left) {
            confirmed = false;
            error = `${s}: ${errText(e)}${waitMs !== null && waitMs > left ? ` (it may be sent again in ${(waitMs / 1000).toFixed(1)} s, past the ${((opts.timeoutMs ?? 10_000) / 1000).toFixed(0)} s this waits)` : ''}`;
            break;
          }
          await new Promise((r) => setTimeout(r, waitMs));
        }
      }
    }
    return { confirmed, remaining, ...(error !== undefined ? { error } : {}), ...(abandoned ? { abandoned } : {}) };
  }

  /**
   * Cancels an open order the engine does not track (reconciliation). A cancel Binance refused
   * before doing anything (429/418, the budget) or answered without an outcome (5xx, no answer)
   * is sent again, up to 5 times and waits of up to 30 s; `-2011` after such an answer means the
   * order is gone. False when it could not be cancelled (said on the log).
   */
  private async cancelUntracked(symbol: string, venueOrderId: number, clientOrderId: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.rest.cancelOrder(symbol, { orderId: venueOrderId });
        return true;
      } catch (e) {
        if (attempt > 1 && e instanceof BinanceApiError && e.binanceCode === -2011) return true;
        const waitMs = this.cancelAllRetryMs(e, attempt);
        if (waitMs === null || waitMs > 30_000 || attempt >= 5 || this.closed) {
          (this.config.warn ?? this.config.log)(`binance: could not cancel untracked order ${clientOrderId} on ${symbol}: ${errText(e)}; it may still be open at Binance`);
          return false;
        }
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  /** How long to wait before the venue-wide cancel is tried again after `e`; null when trying again cannot help (a refusal of the request itself). */
  private cancelAllRetryMs(e: unknown, attempt: number): number | null {
    const budget = this.rest.budget;
    if (e instanceof BudgetRefusedError) return Math.max(100, e.waitMs);
    if (e instanceof BinanceApiError) {
      if (e.cls === 'rate_limited' || e.cls === 'banned') return Math.max(100, e.retryAfterMs, budget.waitMs(1, 0, Priority.CANCEL));
      if (e.cls === 'unknown_outcome' || e.cls === 'clock_skew') return Math.min(2000, 250 * attempt);
    }
    return null;
  }

  /** For GET /api/health and the start-up line (never keys). */
  health(): Record<string, unknown> {
    return {
      venue: this.venue.name, market: this.config.market, environment: this.config.production ? 'production' : 'testnet',
      rest_url: this.config.restUrl,
      // spot trades and reads user data over the WebSocket API; USD-M orders go over REST and user data over a listenKey stream
      ws_api_url: this.config.market === 'spot' ? this.config.wsApiUrl : null,
      user_stream_url: this.config.market === 'usdm' ? this.config.userStreamUrl : null,
      // USD-M: is the listenKey stream up (while it is down the strategies are paused, reason venue)
      ...(this.stream !== null ? { user_stream: { connected: this.stream.connected, reconnects: this.stream.counters.reconnects, keys_created: this.stream.counters.keysCreated } } : {}),
      reconciling: this.reconciling.busy, last_reconcile: this.last,
      // reconciliations after a reconnect that failed in a row (0 once one succeeded): tried again 1, 2, 4 … 30 s apart
      reconcile_failures: this.retry.failuresInARow,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.fundingRetry !== null) clearTimeout(this.fundingRetry);
    this.retry.close();
    this.venue.close();
    this.ws?.close();
    if (this.stream !== null) await this.stream.stop().catch(() => undefined);
  }
}

export type { Journal };
