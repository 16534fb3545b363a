// `spreadcore serve --market kalshi|polymarket|kalshi,polymarket`: prediction markets live.
// The connectors define each market's YES contract on the engine's ingest (books, trades,
// tick-size changes, settlement), the execution clients take the orders (one RoutingVenue
// sends each symbol's orders to its venue), and each venue reconciles at start and after
// every reconnect before quoting resumes (strategies pause with reason "venue" while any
// venue is down or reconciling).
//
// Environments: Kalshi's demo (demo-api.kalshi.co) by default; Polymarket has no public
// test CLOB, so without --production it needs --polymarket-rest-url (a local
// `spreadcore replica polymarket`, or any CLOB-compatible test host). --production
// (SPREADCORE_PRODUCTION=1) selects the venues' production hosts, and only then.
// Keys come from the environment only (KALSHI_API_KEY_ID, KALSHI_PRIVATE_KEY_PEM;
// POLYMARKET_PRIVATE_KEY and optionally POLYMARKET_API_KEY/SECRET/PASSPHRASE) and never
// appear in a message.
import type { TradingEngine } from '../engine/trading-engine.js';
import { KALSHI_DEMO, KALSHI_PRODUCTION, REST_PREFIX, WS_PATH, type KalshiEndpoints } from '../venues/kalshi/endpoints.js';
import { KalshiApiError } from '../venues/kalshi/errors.js';
import { KalshiLive } from '../venues/kalshi/kalshi-live.js';
import type { KalshiReconcileReport } from '../venues/kalshi/kalshi-venue.js';
import type { KalshiFill, KalshiOrder, KalshiPosition } from '../venues/kalshi/rest-client.js';
import { signerFromEnv, type KalshiSigner } from '../venues/kalshi/signing.js';
import { PolymarketCredentials } from '../venues/polymarket/credentials.js';
import { POLYMARKET_PRODUCTION, type PolymarketChain, type PolymarketEndpoints } from '../venues/polymarket/endpoints.js';
import { PolymarketLive } from '../venues/polymarket/polymarket-live.js';
import { DEFAULT_TRADE_MARGIN_S, tradeTimeNs, type PolymarketExecutionVenue, type PolymarketReconcileReport } from '../venues/polymarket/polymarket-venue.js';
import { polymarketFee } from '../venues/polymarket/fees.js';
import { PolymarketApiError, type OpenOrder, type TradeRecord } from '../venues/polymarket/rest-client.js';
import { RoutingVenue } from '../venues/routing-venue.js';
import { PredictionRecorder, type RecordedMarket } from '../feed/prediction/prediction-recording.js';
import { urlFlag, usageError } from './flags.js';

export type PredictionVenue = 'kalshi' | 'polymarket';

/** What cancelling every open order at the venues found: per venue, the orders still listed or why it could not be done. */
export interface PredictionCancelResult {
  readonly confirmed: boolean;
  readonly remaining: number;
  readonly venues: ReadonlyArray<{ readonly venue: PredictionVenue; readonly remaining: number; readonly error?: string }>;
}

const VENUE_NAMES: Record<PredictionVenue, string> = { kalshi: 'Kalshi', polymarket: 'Polymarket' };

/** What to do about orders that may still rest at these venues (stop and kill switch lines). */
function restingAdvice(venues: readonly PredictionVenue[]): string {
  const where = venues.map((v) => VENUE_NAMES[v]).join(' and ');
  return `orders may still be resting at ${where}: check and cancel them at the venue, or the next start cancels them`
    + (venues.includes('polymarket') ? ' (Polymarket\'s heartbeat switch should also cancel them once heartbeats stop)' : '');
}

/**
 * The line for the outcome of cancelAll: every order cancelled, or per venue what is left and
 * what to do. `null` is a cancel that did not finish within `timeoutS`.
 */
export function describeCancelOutcome(c: PredictionCancelResult | null, venues: readonly PredictionVenue[], timeoutS: number): string {
  if (c === null) return `could not confirm the cancels at the venues within ${timeoutS} s; ${restingAdvice(venues)}`;
  if (c.confirmed) return 'no order left open at the venues';
  const parts: string[] = [];
  for (const v of c.venues) {
    if (v.error !== undefined) parts.push(`could not cancel at ${VENUE_NAMES[v.venue]} (${v.error}); ${restingAdvice([v.venue])}`);
    else if (v.remaining > 0) parts.push(`${v.remaining} order(s) still open at ${VENUE_NAMES[v.venue]}: check and cancel them at the venue, or the next start cancels them`);
    else parts.push(`no order left open at ${VENUE_NAMES[v.venue]}`);
  }
  return parts.join('; ');
}

export interface PredictionOptions {
  readonly venues: readonly PredictionVenue[];
  readonly production: boolean;
  readonly kalshi: { readonly endpoints: KalshiEndpoints; readonly signer: KalshiSigner; readonly tickers: readonly string[] | undefined; readonly fillLookbackS?: number } | null;
  readonly polymarket: { readonly endpoints: PolymarketEndpoints; readonly chainId: PolymarketChain; readonly credentials: PolymarketCredentials; readonly markets: readonly string[] | undefined } | null;
  /** Record the venues' market-data messages here (--record FILE), else null. */
  readonly recordPath: string | null;
}

export interface PredictionInput {
  readonly venues: readonly PredictionVenue[];
  readonly production: boolean;
  readonly kalshiRestUrl: string | undefined;
  readonly kalshiWsUrl: string | undefined;
  readonly kalshiTickers: string | undefined;
  readonly polymarketRestUrl: string | undefined;
  readonly polymarketWsUrl: string | undefined;
  readonly polymarketMarkets: string | undefined;
  readonly record?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Venues of a --market value ("kalshi", "polymarket", "kalshi,polymarket"), or null when it names none of them. */
export function predictionVenuesOf(v: string): PredictionVenue[] | null {
  const parts = v.split(',');
  if (!parts.every((p) => p === 'kalshi' || p === 'polymarket')) return null;
  if (new Set(parts).size !== parts.length) throw usageError(`--market names a venue twice: ${JSON.stringify(v)}`);
  return parts as PredictionVenue[];
}

/** Examples of each URL flag's value, for its message. */
const URL_EXAMPLES: Readonly<Record<string, string>> = {
  '--kalshi-rest-url': 'http://127.0.0.1:8092 or https://demo-api.kalshi.co',
  '--kalshi-ws-url': 'wss://demo-api.kalshi.co/trade-api/ws/v2',
  '--polymarket-rest-url': 'http://127.0.0.1:8093',
  '--polymarket-ws-url': 'ws://127.0.0.1:8093',
};

function url(name: string, v: string, schemes: readonly string[]): URL {
  // a user name or password in the URL would be printed with it (start line, GET /api/health): refused, and not echoed
  return urlFlag(name, v, schemes, URL_EXAMPLES[name] ?? `${schemes[0]}//host:port`);
}

/** A comma-separated list whose every item matches `re`; the usage error names the item that does not and what an item is. */
function list(name: string, v: string | undefined, re: RegExp, item: string): string[] | undefined {
  if (v === undefined) return undefined;
  const out = v.split(',');
  for (const x of out) if (!re.test(x)) throw usageError(`${name}: ${JSON.stringify(x)} is not ${item} (a comma-separated list of them, got ${JSON.stringify(v)})`);
  const seen = new Set<string>();
  for (const x of out) {
    if (seen.has(x.toLowerCase())) throw usageError(`${name} names ${x} twice`);
    seen.add(x.toLowerCase());
  }
  if (out.length > MAX_MARKETS_PER_VENUE) throw usageError(`${name} names ${out.length} markets: at most ${MAX_MARKETS_PER_VENUE} per venue (the engine's order books are shared)`);
  return out;
}

/** Endpoints, keys and markets of the prediction venues; a usage error (exit 2) when anything is off. */
export function parsePrediction(i: PredictionInput): PredictionOptions {
  const has = (v: PredictionVenue): boolean => i.venues.includes(v);
  if (!has('kalshi')) for (const [n, v] of [['--kalshi-rest-url', i.kalshiRestUrl], ['--kalshi-ws-url', i.kalshiWsUrl], ['--kalshi-tickers', i.kalshiTickers]] as const) if (v !== undefined) throw usageError(`${n} applies to --market kalshi only`);
  if (!has('polymarket')) for (const [n, v] of [['--polymarket-rest-url', i.polymarketRestUrl], ['--polymarket-ws-url', i.polymarketWsUrl], ['--polymarket-markets', i.polymarketMarkets]] as const) if (v !== undefined) throw usageError(`${n} applies to --market polymarket only`);
  let kalshi: PredictionOptions['kalshi'] = null;
  if (has('kalshi')) {
    let endpoints: KalshiEndpoints = i.production ? KALSHI_PRODUCTION : KALSHI_DEMO;
    if (i.kalshiRestUrl !== undefined || i.kalshiWsUrl !== undefined) {
      if (i.production) throw usageError('--production trades on Kalshi\'s own production hosts: drop --kalshi-rest-url / --kalshi-ws-url, or drop --production to use them');
      const rest = i.kalshiRestUrl !== undefined ? url('--kalshi-rest-url', i.kalshiRestUrl, ['http:', 'https:']) : null;
      const restBase = rest !== null ? `${rest.origin}${REST_PREFIX}` : endpoints.restBase;
      const wsUrl = i.kalshiWsUrl !== undefined
        ? url('--kalshi-ws-url', i.kalshiWsUrl, ['ws:', 'wss:']).href.replace(/\/+$/, '')
        : rest !== null ? `${rest.protocol === 'https:' ? 'wss:' : 'ws:'}//${rest.host}${WS_PATH}` : endpoints.wsUrl;
      endpoints = { name: 'custom', restBase, wsUrl: /\/trade-api\/ws\/v2$/.test(wsUrl) ? wsUrl : `${wsUrl}${WS_PATH}` };
    }
    if (!i.env['KALSHI_API_KEY_ID'] || !i.env['KALSHI_PRIVATE_KEY_PEM']) {
      throw usageError('--market kalshi needs API keys in the environment: KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM (the RSA private key, PEM; '
        + 'Kalshi demo keys from demo.kalshi.co); for a first run without keys, start `spreadcore replica kalshi` and use the key it prints');
    }
    let signer: KalshiSigner | undefined;
    try { signer = signerFromEnv(i.env as NodeJS.ProcessEnv); } catch { signer = undefined; }
    if (signer === undefined) throw usageError('KALSHI_PRIVATE_KEY_PEM is not a readable RSA private key (PEM)');
    const lookbackRaw = i.env['SPREADCORE_KALSHI_FILL_LOOKBACK_S'];
    let fillLookbackS: number | undefined;
    if (lookbackRaw !== undefined && lookbackRaw !== '') {
      if (!/^\d{1,9}$/.test(lookbackRaw) || Number(lookbackRaw) < 1) throw usageError(`SPREADCORE_KALSHI_FILL_LOOKBACK_S must be a whole number of seconds, 1 or more, got ${JSON.stringify(lookbackRaw)}`);
      fillLookbackS = Number(lookbackRaw);
    }
    kalshi = {
      endpoints, signer, tickers: list('--kalshi-tickers', i.kalshiTickers, /^[A-Z0-9][A-Z0-9._-]{0,63}$/, 'a Kalshi market ticker (upper-case letters, digits, ".", "_", "-", e.g. KXSIMFED-26DEC-T4.25)'),
      ...(fillLookbackS !== undefined ? { fillLookbackS } : {}),
    };
  }
  let polymarket: PredictionOptions['polymarket'] = null;
  if (has('polymarket')) {
    let endpoints: PolymarketEndpoints;
    if (i.polymarketRestUrl === undefined) {
      if (!i.production) {
        throw usageError('--market polymarket: Polymarket has no public test exchange; give --polymarket-rest-url (e.g. a local `spreadcore replica polymarket`: '
          + '--polymarket-rest-url http://127.0.0.1:8093), or add --production to trade real money on clob.polymarket.com');
      }
      if (i.polymarketWsUrl !== undefined) throw usageError('--production trades on Polymarket\'s own hosts: drop --polymarket-ws-url');
      endpoints = POLYMARKET_PRODUCTION;
    } else {
      if (i.production) throw usageError('--production trades on Polymarket\'s own hosts (clob.polymarket.com): drop --polymarket-rest-url, or drop --production to use it');
      const rest = url('--polymarket-rest-url', i.polymarketRestUrl, ['http:', 'https:']);
      const base = rest.href.replace(/\/+$/, '');
      const ws = i.polymarketWsUrl !== undefined
        ? url('--polymarket-ws-url', i.polymarketWsUrl, ['ws:', 'wss:']).href.replace(/\/+$/, '').replace(/\/ws\/(market|user)$/, '').replace(/\/ws$/, '')
        : `${rest.protocol === 'https:' ? 'wss:' : 'ws:'}//${rest.host}`;
      endpoints = { rest: base, marketWs: `${ws}/ws/market`, userWs: `${ws}/ws/user` };
    }
    if (!i.env['POLYMARKET_PRIVATE_KEY']) {
      throw usageError('--market polymarket needs the wallet key in the environment: POLYMARKET_PRIVATE_KEY (hex; API credentials are derived from it, '
        + 'or give POLYMARKET_API_KEY, POLYMARKET_API_SECRET and POLYMARKET_API_PASSPHRASE)');
    }
    let credentials: PolymarketCredentials;
    try { credentials = PolymarketCredentials.fromEnv(i.env as NodeJS.ProcessEnv); } catch (e) { throw usageError(e instanceof Error ? e.message : 'bad Polymarket credentials'); }
    const chainRaw = i.env['SPREADCORE_POLYMARKET_CHAIN_ID'];
    const chainId = chainRaw === undefined || chainRaw === '' ? 137 : Number(chainRaw);
    if (chainId !== 137 && chainId !== 80002) throw usageError(`SPREADCORE_POLYMARKET_CHAIN_ID must be 137 or 80002, got ${JSON.stringify(chainRaw)}`);
    polymarket = { endpoints, chainId, credentials, markets: list('--polymarket-markets', i.polymarketMarkets, /^0x[0-9a-fA-F]{64}$/, 'a Polymarket condition id (0x and 64 hex digits)') };
  }
  if (i.record !== undefined && i.venues.length === 0) throw usageError('--record applies to --market kalshi / polymarket only (record other markets with spreadcore record)');
  return { venues: i.venues, production: i.production, kalshi, polymarket, recordPath: i.record ?? null };
}

/**
 * How long a prediction market's book may stay silent before the engine calls it stale:
 * an hour. Kalshi and Polymarket send nothing while a book does not change (minutes on a
 * quiet market), so silence says nothing; a dropped link does, and the connectors mark
 * their books stale at once when it drops.
 */
export const PREDICTION_STALE_FEED_MS = 3_600_000;

/** The journal state key of the Polymarket order hashes, and how many closed ones it keeps. */
const POLYMARKET_ORDERS_KEY = 'polymarket:orders';
const KEEP_DONE_POLYMARKET_ORDERS = 200;
/**
 * The journal state key of an account's Polymarket trade marks: token id → Unix seconds of the
 * newest trade a reconcile read with every trade before it settled. A restart lists each token's
 * trades from its mark (less the venue's margin) instead of the account's whole history.
 */
const POLYMARKET_TRADE_MARKS_KEY = (address: string): string => `polymarket:${address.toLowerCase()}:last_trade_time`;
/** Earlier orders read from Polymarket at once at start (GET /data/order/{hash}). */
const ORDER_READS_AT_ONCE = 8;

/** Whether a Polymarket order status (LIVE, MATCHED, CANCELED, ORDER_STATUS_CANCELED_MARKET_RESOLVED, …) says the order can trade no more. */
function orderClosed(status: string | undefined): boolean {
  const s = String(status ?? '').toUpperCase().replace(/^ORDER_STATUS_/, '');
  return s === 'MATCHED' || s === 'CANCELED' || s === 'CANCELLED' || s === 'CANCELED_MARKET_RESOLVED' || s === 'INVALID' || s === 'UNMATCHED';
}

/** The ids of an order's trades as GET /data/order/{hash} lists them. */
function tradesOf(o: OpenOrder | null | undefined): readonly string[] {
  return o !== null && o !== undefined && Array.isArray(o.associate_trades) ? o.associate_trades.filter((id): id is string => typeof id === 'string') : [];
}

/** What a trader does about a Kalshi position mismatch (the log line, serve's start-up line, POST /api/reconcile's answer). */
export const KALSHI_MISMATCH_HINT = 'The journal does not hold these positions: bring Kalshi\'s position back to the ledgers\' (close what trading outside this engine opened), '
  + 'then POST /api/reconcile: the strategies quote again once the positions agree; or restart serve with the --data-dir that traded them';

/** Cancels of one open Kalshi order this process does not track before it gives up (and says what to do). */
export const UNTRACKED_CANCEL_ATTEMPTS = 3;

/**
 * Most markets per venue: the WASM core's MAX_BOOKS (64) order books are shared by
 * both prediction venues (one book per market) and up to 8 others (Binance symbols,
 * the manual account's).
 */
export const MAX_MARKETS_PER_VENUE = 28;

/** Kalshi and/or Polymarket wired to an engine. */
export class PredictionLive {
  readonly venue: RoutingVenue;
  kalshi: KalshiLive | null = null;
  polymarket: PolymarketLive | null = null;
  private engine: TradingEngine | null = null;
  private readonly down = new Set<PredictionVenue>();
  /** Before the journal is restored the ledgers are empty: positions are compared only after (and after the missed fills are in). */
  private restored = false;
  /** The journal is restored: missed fills can be journaled. */
  private ledgersReady = false;
  private lastKalshi: KalshiReconcileReport | null = null;
  private lastPolymarket: PolymarketReconcileReport | null = null;
  recorder: PredictionRecorder | null = null;

  constructor(readonly o: PredictionOptions, private readonly log: (line: string) => void) {
    this.venue = new RoutingVenue(o.venues.join('+'));
  }

  private pause(v: PredictionVenue): void {
    this.down.add(v);
    this.engine?.venueDown();
  }
  private resume(v: PredictionVenue): void {
    this.down.delete(v);
    if (this.down.size === 0) this.engine?.venueUp();
  }

  /** Signed YES contracts per symbol over every account's ledger. */
  private positions(symbols: readonly string[], force = false): Record<string, number> {
    const out: Record<string, number> = {};
    if (!(this.restored || force) || this.engine === null) return out;
    for (const s of symbols) out[s] = 0;
    for (const l of this.engine.ledgers.ledgers()) if (l.config.symbol in out) out[l.config.symbol]! += Number(l.position.toFixed());
    return out;
  }

  /**
   * Symbols of a venue (Polymarket's POLY-…, Kalshi's the other tickers) the ledgers hold a
   * position in that no market of this run defines: candidates for a market that closed or
   * settled while the engine was down.
   */
  private heldOffList(listed: readonly string[], venue: PredictionVenue = 'kalshi'): string[] {
    const engine = this.engine;
    if (engine === null) return [];
    const known = new Set(listed);
    const out = new Set<string>();
    for (const l of engine.ledgers.ledgers()) {
      const s = l.config.symbol;
      if (known.has(s) || l.position.isZero() || engine.ingest.bySymbolName(s) !== undefined) continue;
      if (venue === 'polymarket' ? /^POLY-[0-9A-F]{8}$/.test(s) : !s.startsWith('POLY-') && /^[A-Z0-9][A-Z0-9._-]{0,63}$/.test(s)) out.add(s);
    }
    return [...out];
  }

  private nextSymbolId(): number {
    let n = 0;
    for (const s of this.engine!.ingest.symbols()) n = Math.max(n, s.symbolId + 1);
    return n;
  }

  /** Connects every venue: markets defined on the engine's ingest, books subscribed, the first reconcile. */
  async connect(engine: TradingEngine): Promise<void> {
    this.engine = engine;
    // recording: the taps are on before the first subscription answers; the header names the markets once they are known
    const pending: Array<['kalshi' | 'polymarket', string]> = [];
    const tap = (v: 'kalshi' | 'polymarket') => (text: string): void => { if (this.recorder !== null) this.recorder.message(v, text); else pending.push([v, text]); };
    const recording = this.o.recordPath !== null;
    for (const v of this.o.venues) this.down.add(v);
    engine.venueDown();
    const k = this.o.kalshi;
    if (k !== null) {
      const live: KalshiLive = new KalshiLive({
        environment: k.endpoints, signer: k.signer, ingest: engine.ingest, firstSymbolId: this.nextSymbolId(), maxMarkets: MAX_MARKETS_PER_VENUE,
        ...(k.tickers !== undefined ? { tickers: k.tickers } : {}),
        ...(k.fillLookbackS !== undefined ? { sinceTs: Math.floor(Date.now() / 1000) - k.fillLookbackS } : {}),
        expectedPositions: (): Record<string, number> => this.positions(live.markets.map((m) => m.ticker)),
        onVenue: (v) => this.venue.add(v),
        onPause: () => this.pause('kalshi'), onResume: () => this.resume('kalshi'),
        onReconciled: (r) => this.kalshiReconciled(live, r),
        onSettled: (ticker, result) => {
          const id = live.marketData?.symbolId(ticker);
          if (id === undefined) return;
          this.log(`kalshi: ${ticker} settled ${result.toUpperCase()}`);
          engine.ingest.settle(id, Date.now() * 1e6, result);
        },
        log: this.log,
      });
      this.kalshi = live;
      if (recording) live.ws.tap = tap('kalshi');
      await live.start();
    }
    const p = this.o.polymarket;
    if (p !== null) {
      this.polyMarksKey = POLYMARKET_TRADE_MARKS_KEY(p.credentials.address ?? 'no-wallet');
      const stored = engine.journal?.getState(this.polyMarksKey);
      if (stored !== null && typeof stored === 'object') {
        for (const [token, v] of Object.entries(stored as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) this.polyMarks.set(token, v);
      }
      const live = new PolymarketLive({
        tradeMarks: new Map(this.polyMarks),
        endpoints: p.endpoints, chainId: p.chainId, credentials: p.credentials, ingest: engine.ingest, firstSymbolId: this.nextSymbolId(),
        maxMarkets: MAX_MARKETS_PER_VENUE, ...(p.markets !== undefined ? { conditionIds: p.markets } : {}),
        onVenue: (v) => {
          this.venue.add(v);
          v.onOrderHash = (_orderId, clientOrderId, hash) => this.notePolymarketOrder(hash, clientOrderId);
          v.onOrderFinal = (hash) => { const e = this.polymarketOrders().get(hash); if (e !== undefined) e.done = true; };
          v.onTradeMark = () => this.savePolymarketTradeMarks(v);
        },
        ...(recording ? { onFeed: (f: { tap: ((text: string) => void) | null }) => { f.tap = tap('polymarket'); } } : {}),
        onPause: () => this.pause('polymarket'), onResume: () => this.resume('polymarket'),
        onReconciled: (r) => { this.lastPolymarket = r; },
        log: this.log,
      });
      this.polymarket = live;
      await live.start();
    }
    if (recording) {
      const markets: RecordedMarket[] = [
        ...(this.kalshi?.markets ?? []).map((m) => ({ venue: 'kalshi' as const, symbol: m.ticker, ticker: m.ticker, price_level_structure: m.structure ?? 'linear_cent', close_time: m.closeTime ?? null })),
        ...(this.polymarket?.markets ?? []).map((m) => ({ venue: 'polymarket' as const, symbol: m.symbol, token_id: m.tokenId, tick_size: m.tickSize, resolution_ns: (m as { resolutionTsNs?: number }).resolutionTsNs ?? 0 })),
      ];
      this.recorder = new PredictionRecorder(this.o.recordPath!, markets);
      for (const [v, t] of pending.splice(0)) this.recorder.message(v, t);
    }
  }

  /**
   * Polymarket orders by venue id (the order's hash) → client order id, kept in the journal
   * (one state key) before each order is sent: Polymarket's trades name orders by hash only, so
   * after a restart this is how trades of our earlier orders are told from others. An entry is
   * marked done once its order closed with no trade pending; the oldest done ones are dropped.
   * The entries of earlier runs are dropped at start once the venue shows their orders closed
   * and their trades settled and journaled (journalMissedPolymarketTrades).
   */
  private polyOrders: Map<string, { c: string; done?: boolean }> | null = null;

  private polymarketOrders(): Map<string, { c: string; done?: boolean }> {
    if (this.polyOrders === null) {
      this.polyOrders = new Map();
      const v = this.engine?.journal?.getState(POLYMARKET_ORDERS_KEY);
      if (v !== null && typeof v === 'object') {
        for (const [h, e] of Object.entries(v as Record<string, unknown>)) {
          const c = (e as { c?: unknown } | null)?.c;
          if (typeof c === 'string') this.polyOrders.set(h, { c, ...((e as { done?: unknown }).done === true ? { done: true } : {}) });
        }
      }
    }
    return this.polyOrders;
  }

  private notePolymarketOrder(hash: string, clientOrderId: string): void {
    const m = this.polymarketOrders();
    m.set(hash, { c: clientOrderId });
    let done = 0;
    for (const e of m.values()) if (e.done === true) done++;
    for (const [h, e] of m) { if (done <= KEEP_DONE_POLYMARKET_ORDERS) break; if (e.done === true) { m.delete(h); done--; } }
    this.engine?.journal?.setState(POLYMARKET_ORDERS_KEY, Object.fromEntries(m));
  }

  private polyRecheck: NodeJS.Timeout | null = null;
  /** The journal key of the account's trade marks, and the marks read from it at start (token id → Unix seconds). */
  private polyMarksKey = '';
  private readonly polyMarks = new Map<string, number>();

  /**
   * The venue's trade marks into the journal (tokens not traded in this run keep theirs). Only
   * once the journal is restored and the trades of earlier runs' orders were looked at: until
   * then a restart must read from the marks it started with.
   */
  private savePolymarketTradeMarks(venue: PolymarketExecutionVenue): void {
    const journal = this.engine?.journal;
    if (!this.ledgersReady || journal === undefined || this.polyMarksKey === '') return;
    const next = Object.fromEntries(this.polyMarks);
    for (const [token, mark] of venue.tradeMarks()) next[token] = mark;
    journal.setState(this.polyMarksKey, next);
  }

  /** The `after` of a start's read of a token's trades: the mark the run started with, less the venue's margin. */
  private polymarketTradesAfter(tokenId: string): string | undefined {
    const mark = this.polyMarks.get(tokenId);
    return mark === undefined ? undefined : String(Math.max(0, mark - DEFAULT_TRADE_MARGIN_S));
  }

  /**
   * CONFIRMED trades of our Polymarket orders from before a restart (a kill -9 while quotes
   * rested, say): the user channel and the venue's reconcile know only the orders this process
   * sent, so each traded market's trades are read and the legs of orders the journal sent
   * (by hash) are journaled once, under the trade id the live path uses (trade id:hash), and
   * applied to the ledgers. Legs still MATCHED or MINED are looked at again until they settle.
   *
   * An earlier order's hash is dropped from the journal once it can no longer bring a fill: the
   * venue does not know the order (it never arrived), or shows it closed (read before its trades,
   * so every trade it will ever have is listed by then) and each of its trades is FAILED or
   * CONFIRMED and journaled. An order still open, one that cannot be read, or one with a trade
   * pending, not found or not journaled keeps its hash for the next look.
   */
  private async journalMissedPolymarketTrades(live: PolymarketLive): Promise<number> {
    const engine = this.engine;
    const journal = engine?.journal;
    if (engine === null || journal === undefined || live.venue === undefined) return 0;
    const known = this.polymarketOrders();
    const earlier = [...known.keys()].filter((h) => !live.venue.tracks(h));
    if (earlier.length === 0) return 0;
    // null: the venue does not know the order; absent: it could not be read
    const atVenue = new Map<string, OpenOrder | null>();
    const queue = [...earlier];
    const readOrders = async (): Promise<void> => {
      for (let h = queue.shift(); h !== undefined; h = queue.shift()) {
        try {
          const o = await live.rest.getOrder(h);
          atVenue.set(h, o !== null && typeof o === 'object' && typeof o.id === 'string' ? o : null);
        } catch (e) {
          if (e instanceof PolymarketApiError && e.status === 404) atVenue.set(h, null);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ORDER_READS_AT_ONCE, earlier.length) }, readOrders));
    const trades = new Map<string, TradeRecord>();
    for (const m of live.markets) {
      const after = this.polymarketTradesAfter(m.tokenId);
      try { for (const tr of await live.rest.getTrades({ asset_id: m.tokenId, ...(after !== undefined ? { after } : {}) })) trades.set(tr.id, tr); } catch (e) {
        this.log(`polymarket: could not read the trades of ${m.symbol} (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    // a trade of an earlier order that those lists do not hold (a market not traded now, or a list that could not be read) is read by its id
    for (const o of atVenue.values()) {
      for (const id of tradesOf(o)) {
        if (trades.has(id)) continue;
        try { for (const tr of await live.rest.getTrades({ id })) trades.set(tr.id, tr); } catch { /* not read: the order keeps its hash */ }
      }
    }
    let applied = 0, pending = 0;
    // orders with a trade not settled, or settled and not journaled
    const unsettled = new Set<string>();
    for (const tr of trades.values()) {
      const legs: Array<{ hash: string; size: string; price: string; liq: 'MAKER' | 'TAKER' }> = [
        { hash: tr.taker_order_id, size: tr.size, price: tr.price, liq: 'TAKER' },
        ...tr.maker_orders.map((mo) => ({ hash: mo.order_id, size: mo.matched_amount, price: mo.price, liq: 'MAKER' as const })),
      ];
      for (const leg of legs) {
        const entry = known.get(leg.hash);
        if (entry === undefined || live.venue.tracks(leg.hash)) continue;
        if (tr.status === 'FAILED') continue;
        if (tr.status !== 'CONFIRMED') { pending++; unsettled.add(leg.hash); continue; }
        const ours = journal.orderByClientId(entry.c);
        const market = live.specOfToken(tr.asset_id);
        if (ours === null || market === undefined) { unsettled.add(leg.hash); continue; }
        // the trade's time (match_time), as the venue's reconcile stamps it, to the ms
        const tradeNs = tradeTimeNs(tr);
        const ts = BigInt(Math.trunc(Number.isFinite(tradeNs) ? tradeNs / 1e6 : Date.now())) * 1_000_000n;
        const ok = engine.applyExternalFill({
          tradeId: `${tr.id}:${leg.hash}`, orderId: ours.orderId, clientOrderId: entry.c, strategyId: ours.strategyId, symbol: ours.symbol, side: ours.side,
          price: leg.price, qty: leg.size, fee: polymarketFee(leg.size, leg.price, market.fees ?? { rate: '0', exponent: 1 }, leg.liq), liquidity: leg.liq, tsEventNs: ts, tsInitNs: ts,
        });
        if (ok) applied++;
      }
    }
    let dropped = 0;
    for (const h of earlier) {
      const o = atVenue.get(h);
      if (o === undefined || unsettled.has(h)) continue;
      if (o !== null && (!orderClosed(o.status) || tradesOf(o).some((id) => !trades.has(id)))) continue;
      if (known.delete(h)) dropped++;
    }
    if (dropped > 0) journal.setState(POLYMARKET_ORDERS_KEY, Object.fromEntries(known));
    if (applied > 0) this.log(`polymarket: reconciled: ${applied} missed trade(s) of our orders from before the restart journaled`);
    if (pending > 0 && this.polyRecheck === null) {
      this.polyRecheck = setTimeout(() => {
        this.polyRecheck = null;
        void this.journalMissedPolymarketTrades(live).catch(() => undefined);
      }, 5_000);
      this.polyRecheck.unref();
    }
    return applied;
  }

  /** After the journal is restored: reconcile again, now comparing positions with the ledgers. */
  async afterRestore(): Promise<string> {
    this.ledgersReady = true;
    const parts: string[] = [];
    if (this.kalshi !== null) {
      // fills of our orders seen before the ledgers were restored are journaled first, then older ones of a position that differs;
      // positions are compared (a reconcile under way meanwhile) only once they are in
      await this.journalMissedKalshiFills(this.kalshi);
      await this.backfillKalshi(this.kalshi);
    }
    this.restored = true;
    if (this.kalshi !== null) {
      // a market that closed or settled while the engine was down is no longer listed as open: followed while the ledgers hold it, settled if Kalshi has the result
      await this.kalshi.adopt(this.heldOffList(this.kalshi.markets.map((m) => m.ticker)), this.nextSymbolId());
      this.kalshi.settleDetermined();
      await this.kalshi.reconcile();
      const r = this.lastKalshi;
      parts.push(`kalshi ${this.kalshi.markets.length} markets${r === null ? '' : r.ok ? ', reconciled' : `, NOT reconciled (${r.positionMismatches.map((m) => `${m.ticker} ${m.expected} in the ledgers, ${m.venue} at Kalshi`).join('; ') || 'see the log'}): strategies stay paused until a reconcile finds the venue clean (POST /api/reconcile runs one)`}`);
    }
    if (this.polymarket !== null) {
      // a market that resolved while the engine was down sent no market_resolved to it: settled from GET /markets
      await this.journalMissedPolymarketTrades(this.polymarket);
      this.polymarket.settleMissedResolutions(this.heldOffList(this.polymarket.markets.map((m) => m.symbol), 'polymarket'), this.nextSymbolId());
      await this.polymarket.reconcile();
      if (this.polymarket.venue !== undefined) this.savePolymarketTradeMarks(this.polymarket.venue);
      const r = this.lastPolymarket;
      parts.push(`polymarket ${this.polymarket.markets.length} markets (CLOB version ${this.polymarket.version})${r === null ? '' : r.ok ? ', reconciled' : ', NOT reconciled: strategies stay paused until a reconcile finds the venue clean (POST /api/reconcile runs one)'}`);
    }
    return parts.join('; ');
  }

  /**
   * Kalshi fills of orders this process did not send (found at a reconcile): those of our own
   * orders from before a restart (the journal knows the client order id) are journaled once
   * (keyed kalshi:<fill id>, as live fills are) and applied to the ledgers; others are left to
   * the position check. Kept until the journal is restored, then applied.
   */
  private async journalMissedKalshiFills(live: KalshiLive, which = ''): Promise<number> {
    const engine = this.engine;
    if (!this.ledgersReady || engine === null || this.missedKalshi.length === 0) return 0;
    const journal = engine.journal;
    const todo = this.missedKalshi.splice(0);
    let applied = 0;
    for (const m of todo) {
      const f = m.fill!;
      let clientOrderId = typeof f.client_order_id === 'string' && f.client_order_id !== '' ? f.client_order_id : '';
      if (clientOrderId === '') {
        try { clientOrderId = (await live.rest.getOrder(f.order_id)).order.client_order_id; } catch { /* the order is gone: left to the position check */ }
      }
      const ours = clientOrderId === '' || journal === undefined ? null : journal.orderByClientId(clientOrderId);
      if (ours === null) {
        this.log(`kalshi: fill ${m.fillId} on ${m.ticker} (${m.count} @ ${m.price}) of an order this process did not send: left to the position check`);
        continue;
      }
      const ts = BigInt(typeof f.ts === 'number' ? f.ts : Math.floor(Date.parse(f.created_time ?? '') / 1000) || Math.floor(Date.now() / 1000)) * 1_000_000_000n;
      const ok = engine.applyExternalFill({
        tradeId: `kalshi:${m.fillId}`, orderId: ours.orderId, clientOrderId, strategyId: ours.strategyId, symbol: ours.symbol, side: ours.side,
        price: m.price, qty: m.count, fee: m.fee ?? '0', liquidity: f.is_taker ? 'TAKER' : 'MAKER', tsEventNs: ts, tsInitNs: ts,
      });
      if (ok) applied++;
    }
    if (applied > 0) this.log(`kalshi: reconciled: ${applied} ${which}missed fill(s) of our orders journaled`);
    return applied;
  }

  private readonly missedKalshi: KalshiReconcileReport['missedFills'] = [];

  /**
   * The first reconcile reads fills of the last hour only: after a longer downtime, fills of
   * our resting orders from before then were not read and the ledgers disagree with Kalshi's
   * positions. Each ticker whose position differs is read back through its whole fill history
   * (GET /portfolio/fills?ticker=…) and fills of our orders the journal does not hold are
   * journaled, once (the journal's fill ids make a repeat a no-op). Returns how many.
   */
  private async backfillKalshi(live: KalshiLive): Promise<number> {
    const expected = this.positions(live.markets.map((m) => m.ticker), true);
    if (Object.keys(expected).length === 0) return 0;
    let venue: KalshiPosition[];
    try {
      venue = await live.rest.all<KalshiPosition>((c) => live.rest.getPositions({ limit: 200, ...(c !== undefined ? { cursor: c } : {}) }), 'market_positions');
    } catch (e) {
      this.log(`kalshi: could not read the positions to check for older missed fills (${e instanceof Error ? e.message : String(e)})`);
      return 0;
    }
    const at = new Map(venue.map((p) => [p.ticker, Math.round(Number(p.position_fp) * 100)]));
    const differ = Object.entries(expected).filter(([t, n]) => Math.round(n * 100) !== (at.get(t) ?? 0)).map(([t]) => t);
    for (const ticker of differ) {
      let fills: KalshiFill[];
      try {
        fills = await live.rest.all<KalshiFill>((c) => live.rest.getFills({ ticker, limit: 200, ...(c !== undefined ? { cursor: c } : {}) }), 'fills', 1000);
      } catch (e) {
        this.log(`kalshi: could not read the fills of ${ticker} (${e instanceof Error ? e.message : String(e)})`);
        continue;
      }
      for (const f of fills) {
        const fillId = String(f.fill_id ?? f.trade_id);
        if (this.engine?.journal?.orderByClientId(f.client_order_id ?? '') === null && typeof f.client_order_id === 'string' && f.client_order_id !== '') continue; // not ours: left to the position check
        this.missedKalshi.push({ fillId, ticker: f.ticker, orderId: null, price: f.yes_price_dollars, count: f.count_fp, applied: false, fill: f, fee: live.venue.feeOf(f, f.ticker) });
      }
    }
    if (differ.length === 0 || this.missedKalshi.length === 0) return 0;
    const n = await this.journalMissedKalshiFills(live, 'older ');
    return n;
  }

  /**
   * Open orders at Kalshi this process does not track are cancelled, then it reconciles again. A cancel
   * Kalshi refuses is tried again at the next pass, after 0.5 s, then 1 s; after UNTRACKED_CANCEL_ATTEMPTS
   * refusals of one order it gives up on that order: the strategies stay paused (the report is not clean
   * while the order rests) and one line names the order and what to do (cancel it at Kalshi, then
   * POST /api/reconcile). An order no longer listed is forgotten.
   */
  private kalshiReconciled(live: KalshiLive, r: KalshiReconcileReport): void {
    this.lastKalshi = r;
    for (const f of r.missedFills) if (!f.applied && f.fill !== undefined) this.missedKalshi.push(f);
    if (this.restored && this.missedKalshi.length > 0) {
      // then once more: the fills are in the ledgers (ours) or left to the position check (another client's), and a
      // reconcile reports each fill once, so the next pass is clean when the positions agree and the strategies quote again
      this.followUp(this.journalMissedKalshiFills(live).then(() => live.reconcile())
        .catch((e: unknown) => this.log(`kalshi: journaling missed fills failed: ${e instanceof Error ? e.message : String(e)}`)));
    }
    if (r.positionMismatches.length > 0) {
      this.log(`kalshi: MISMATCH ${r.positionMismatches.map((m) => `${m.ticker} ${m.expected} in the ledgers, ${m.venue} at Kalshi`).join('; ')}: strategies stay paused. ${KALSHI_MISMATCH_HINT}`);
    }
    const listed = new Set(r.unknownToUs.map((o) => o.orderId));
    for (const id of this.untracked.keys()) if (!listed.has(id)) this.untracked.delete(id);
    // one cancel round per order at a time; none for an order given up on
    const todo = r.unknownToUs.filter((o) => { const e = this.untracked.get(o.orderId); return e === undefined || (!e.gaveUp && !e.busy); });
    if (todo.length === 0) return;
    const entries = todo.map((o) => {
      const e = this.untracked.get(o.orderId) ?? { attempts: 0, gaveUp: false, busy: false };
      e.busy = true;
      this.untracked.set(o.orderId, e);
      return { o, e };
    });
    this.followUp((async () => {
      let cancelled = 0, again = false;
      try {
        const tries = Math.max(...entries.map((x) => x.e.attempts));
        if (tries > 0) await this.pauseFor(500 * 2 ** (tries - 1));
        if (this.closed) return;
        for (const { o, e } of entries) {
          e.attempts++;
          try {
            await live.rest.cancelOrder(o.orderId);
            cancelled++;
          } catch (err) {
            const why = err instanceof Error ? err.message : String(err);
            if (err instanceof KalshiApiError && err.cls === 'not_found') { cancelled++; continue; } // gone already: the next pass no longer lists it
            if (e.attempts < UNTRACKED_CANCEL_ATTEMPTS) {
              again = true;
              this.log(`kalshi: could not cancel open order ${o.orderId} this process does not track (attempt ${e.attempts} of ${UNTRACKED_CANCEL_ATTEMPTS}): ${why}; trying again`);
              continue;
            }
            e.gaveUp = true;
            this.log(`kalshi: open order ${o.orderId} (client order id ${o.clientOrderId}, ${o.ticker} ${o.action} ${o.remaining} @ ${o.yesPrice}) is not this process's, `
              + `and Kalshi refused to cancel it ${e.attempts} times (last: ${why}): the strategies stay paused (venue) while it rests. `
              + `Cancel it at Kalshi, then POST /api/reconcile`);
          }
        }
      } finally {
        for (const { e } of entries) e.busy = false;
      }
      if (cancelled > 0) this.log(`kalshi: cancelled ${cancelled} open order(s) this process does not track`);
      if ((cancelled > 0 || again) && !this.closed) await live.reconcile();
    })());
  }

  /** Open Kalshi orders this process does not track whose cancel failed: cancels tried, whether it gave up, whether a round is under way. */
  private readonly untracked = new Map<string, { attempts: number; gaveUp: boolean; busy: boolean }>();
  private closed = false;
  private readonly waits = new Set<{ timer: NodeJS.Timeout; done: () => void }>();

  /** Resolves after `ms`, or at once when serve closes. */
  private pauseFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = { timer: setTimeout(() => { this.waits.delete(w); resolve(); }, ms), done: resolve };
      w.timer.unref();
      this.waits.add(w);
    });
  }

  /** Open Kalshi orders this process does not track that it gave up cancelling (Kalshi refused every cancel). */
  get untrackedGivenUp(): string[] {
    return [...this.untracked].filter(([, e]) => e.gaveUp).map(([id]) => id);
  }

  /** Work a Kalshi reconcile started (missed fills journaled, untracked orders cancelled), until it ends. */
  private readonly followUps = new Set<Promise<unknown>>();

  private followUp(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => { this.followUps.delete(q); });
    this.followUps.add(q);
  }

  /**
   * Resolves once no follow-up of a Kalshi reconcile is under way (those that start meanwhile
   * included, up to a few rounds: a cancel Kalshi refuses is tried again at the next pass, up to
   * UNTRACKED_CANCEL_ATTEMPTS times).
   */
  private async followUpsDone(): Promise<void> {
    for (let round = 0; round < 5 && this.followUps.size > 0; round++) await Promise.all([...this.followUps]);
  }

  /**
   * POST /api/reconcile: every venue's reconcile, the one start and reconnects run, now (a
   * request while one runs waits for it and one more pass). The strategies quote again once
   * every venue is clean, as after a reconnect. Kalshi: the reconcile's own work (missed fills
   * journaled or left to the position check and the pass after them, open orders this process
   * does not track cancelled) is waited for, and the answer is the last pass's report. A reconcile
   * that fails is run again up to 3 times (within about 2 s); throws (`venueFailures`) when a
   * venue's reconcile still failed.
   */
  async reconcileOnRequest(): Promise<Record<string, unknown>> {
    const engine = this.engine;
    if (engine === null) throw new Error('the prediction venues are not connected yet');
    const venuePaused = (): Map<string, { strategy_id: string; symbols: string[] }> => new Map(engine.list()
      .filter((s) => s.pause_reasons.includes('venue')).map((s) => [s.strategy_id, { strategy_id: s.strategy_id, symbols: [...s.symbols] }]));
    const before = venuePaused();
    const failures: string[] = [];
    const mismatches: string[] = [];
    const venues: Record<string, unknown> = {};
    const next: string[] = [];
    let ok = true;
    // a reconcile refused on the way (the local rate budget, a 5xx, no answer) is run again a few times, 0.25 s, 0.5 s, 1 s apart
    const attempt = async (run: () => Promise<void>, failure: () => string | null): Promise<void> => {
      for (let i = 0; ; i++) {
        await run();
        if (failure() === null || i === 3) return;
        await new Promise((res) => setTimeout(res, 250 * 2 ** i));
      }
    };
    const k = this.kalshi;
    if (k !== null) {
      const pass = async (): Promise<void> => { await k.reconcile(); await this.followUpsDone(); };
      await attempt(pass, () => k.lastFailure);
      const r = k.lastReport;
      if (k.lastFailure !== null || r === null) failures.push(`kalshi: ${k.lastFailure ?? 'no reconcile ran'}`);
      else {
        ok &&= r.ok;
        for (const m of r.positionMismatches) mismatches.push(`${m.ticker} ${m.expected} in the ledgers, ${m.venue} at Kalshi`);
        const stuck = this.untrackedGivenUp.filter((id) => r.unknownToUs.some((o) => o.orderId === id));
        if (r.positionMismatches.length > 0) next.push(KALSHI_MISMATCH_HINT);
        if (stuck.length > 0) next.push(`Kalshi refused to cancel open order(s) ${stuck.join(', ')} this process does not track: cancel them at Kalshi, then POST /api/reconcile`);
        if (r.positionMismatches.length === 0 && stuck.length === 0 && !r.ok) next.push('Kalshi is not clean yet (open orders this process does not track, orders it no longer lists, or fills being looked up): POST /api/reconcile again');
        if (r.ok && k.paused) next.push('Kalshi\'s WebSocket is down: the strategies resume at its reconnect');
        venues['kalshi'] = {
          ok: r.ok, paused: k.paused, position_mismatches: r.positionMismatches, unknown_orders: r.unknownToUs.length,
          orders_missing_at_venue: r.missingAtVenue.length, at_ms: r.atMs,
        };
      }
    }
    const p = this.polymarket;
    if (p !== null) {
      await attempt(() => p.reconcile(), () => p.lastFailure);
      const r = p.lastReport;
      if (p.lastFailure !== null || r === null) failures.push(`polymarket: ${p.lastFailure ?? 'no reconcile ran'}`);
      else {
        ok &&= r.ok;
        if (!r.ok) next.push('Polymarket is not clean yet (orders it no longer lists): POST /api/reconcile again');
        if (r.ok && p.paused) next.push('Polymarket\'s user channel is down: the strategies resume at its reconnect');
        venues['polymarket'] = { ok: r.ok, paused: p.paused, unknown_orders: r.unknownToUs.length, orders_missing_at_venue: r.missingAtVenue.length, at_ms: r.atMs };
      }
    }
    if (failures.length > 0) throw Object.assign(new Error(`the reconcile failed: ${failures.join('; ')}; the strategies stay paused (venue) until a reconcile succeeds`), { venueFailures: failures });
    const after = venuePaused();
    const lifted = [...before.values()].filter((s) => !after.has(s.strategy_id));
    if (lifted.length > 0) this.log(`reconcile on request: the venues are clean, quoting again: ${lifted.map((s) => s.strategy_id).join(', ')}`);
    if (engine.killed) next.push('the kill switch is on: nothing quotes until POST /api/resume');
    return {
      ok, venue: this.venue.name, mismatches, venues, lifted, paused: [...after.values()], kill_switch: engine.killed ? 'HALTED' : 'ACTIVE',
      ...(next.length > 0 ? { hint: next.join('; ') } : {}),
    };
  }

  /**
   * Cancels every open order at every venue and confirms by listing them again (kill switch,
   * stop). A venue that cannot be reached does not keep the others from being cancelled: its
   * failure is logged and reported in its venue's result (confirmed is then false).
   */
  async cancelAll(): Promise<PredictionCancelResult> {
    const venues: Array<PredictionCancelResult['venues'][number]> = [];
    const attempt = async (venue: PredictionVenue, run: () => Promise<number>): Promise<void> => {
      try {
        venues.push({ venue, remaining: await run() });
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        venues.push({ venue, remaining: 0, error: why });
        this.log(`${venue}: could not cancel and list the open orders: ${why}`);
      }
    };
    const kalshi = this.kalshi;
    if (kalshi !== null) {
      await attempt('kalshi', async () => {
        const rest = kalshi.rest;
        const resting = async (): Promise<KalshiOrder[]> => rest.all<KalshiOrder>((c) => rest.getOrders({ status: 'resting', limit: 200, ...(c !== undefined ? { cursor: c } : {}) }), 'orders');
        for (const o of await resting()) await rest.cancelOrder(o.order_id).catch(() => undefined);
        return (await resting()).length;
      });
    }
    const polymarket = this.polymarket;
    if (polymarket !== null) {
      await attempt('polymarket', async () => {
        await polymarket.venue.cancelAll();
        return (await polymarket.rest.getOpenOrders()).length;
      });
    }
    const remaining = venues.reduce((n, v) => n + v.remaining, 0);
    return { confirmed: remaining === 0 && venues.every((v) => v.error === undefined), remaining, venues };
  }

  /** The venues serve trades on. */
  get venues(): readonly PredictionVenue[] {
    return [...(this.o.kalshi !== null ? ['kalshi' as const] : []), ...(this.o.polymarket !== null ? ['polymarket' as const] : [])];
  }

  /** One line for the start banner. */
  describe(): string {
    const parts: string[] = [];
    if (this.o.kalshi !== null) parts.push(`Kalshi ${this.o.production ? 'PRODUCTION' : this.o.kalshi.endpoints.name === 'demo' ? 'demo' : 'at'} ${this.o.kalshi.endpoints.restBase} (${this.kalshi?.markets.map((m) => m.ticker).join(', ') ?? ''})`);
    if (this.o.polymarket !== null) parts.push(`Polymarket ${this.o.production ? 'PRODUCTION' : 'at'} ${this.o.polymarket.endpoints.rest} (${this.polymarket?.markets.map((m) => m.symbol).join(', ') ?? ''})`);
    return parts.join('; ');
  }

  /** For GET /api/health (never keys). */
  health(): Record<string, unknown> {
    const out: Record<string, unknown> = { environment: this.o.production ? 'production' : 'test', venues_down: [...this.down] };
    const k = this.kalshi;
    if (k !== null) {
      out['kalshi'] = {
        rest_url: this.o.kalshi!.endpoints.restBase, ws_url: this.o.kalshi!.endpoints.wsUrl, markets: k.markets.map((m) => m.ticker), paused: k.paused,
        reconcile_failures: k.failuresInARow, reconcile_unclean: k.uncleanInARow, crossed_resyncs: k.crossedResyncs,
        last_reconcile: this.lastKalshi === null ? null : { ok: this.lastKalshi.ok, at_ms: this.lastKalshi.atMs, position_mismatches: this.lastKalshi.positionMismatches },
      };
    }
    const p = this.polymarket;
    if (p !== null) {
      out['polymarket'] = {
        rest_url: this.o.polymarket!.endpoints.rest, market_ws_url: this.o.polymarket!.endpoints.marketWs, user_ws_url: this.o.polymarket!.endpoints.userWs,
        clob_version: p.version, markets: p.markets.map((m) => ({ symbol: m.symbol, condition_id: m.conditionId, token_id: m.tokenId, neg_risk: m.negRisk })),
        paused: p.paused, user_connected: p.venue?.userConnected ?? false, pending_exposure: p.venue === undefined ? {} : p.pendingExposure(),
        counters: p.venue?.counters ?? null,
        reconcile_failures: p.failuresInARow, reconcile_unclean: p.uncleanInARow, crossed_resyncs: p.crossedResyncs, resync_reconnects: p.resyncReconnects,
        last_reconcile: this.lastPolymarket === null ? null : { ok: this.lastPolymarket.ok, at_ms: this.lastPolymarket.atMs },
      };
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waits) { clearTimeout(w.timer); w.done(); }
    this.waits.clear();
    if (this.polyRecheck !== null) clearTimeout(this.polyRecheck);
    this.venue.close();
    this.kalshi?.close();
    this.polymarket?.close();
    await this.recorder?.close();
  }
}
