// A live Polymarket session, ready for an engine to wire (as KalshiLive is for Kalshi):
//
//   1. GET /version must answer 2 (CLOB V2, the order format we sign); anything else is
//      refused before a market is read or an order signed;
//   2. API credentials: POLYMARKET_API_KEY/SECRET/PASSPHRASE when given, else derived from
//      the wallet with L1 headers (GET /auth/derive-api-key);
//   3. the markets (GET /markets, active and not closed; or the condition ids named) become
//      YES-token symbols POLY-<first 8 hex digits of the condition id> on the ingest, through
//      the market channel (PolymarketMarketFeed); a tick_size_change redefines the
//      instrument (the engine's onRedefined path) and moves the venue to the new grid;
//   4. the execution venue (user channel, heartbeat dead-man switch) and reconciliation at
//      start and after every user-channel reconnect, before quoting resumes: open orders
//      we do not know are cancelled, our trades we missed are reported (CONFIRMED) or held
//      pending (MATCHED), orders the venue no longer lists are closed. Each token's trades are
//      listed from its trade mark (less a margin) when the config gives one, not through the
//      account's whole history.
// While the user channel is down our fills are not heard, so the session pauses as soon as it
// drops (`onPause('venue')`, logged once per drop) and resumes only once it is connected again
// and the reconcile that follows ran clean.
// A reconcile that fails (Polymarket answers 5xx or 429, or not at all) keeps the session
// paused and is run again in the background after 1 s, 2 s, 4 s … at most 30 s apart until one
// runs, so quoting resumes by itself once Polymarket answers; the failure is logged once per
// outage, and its end once (ReconcileRetry). One that runs but is not clean (orders the venue
// no longer lists, closed by it; open orders we do not track, cancelled) is run again the same
// way until one is clean, so a fill missed during an outage does not keep the session paused.
// A token's book that stays crossed for 1 s (a level's removal missed) is resynced: its asset is
// subscribed again on the market channel for a fresh `book`, logged once per resync and counted
// (`crossedResyncs`); while Polymarket's own book stays crossed the wait doubles up to 60 s.
// Keys live in PolymarketCredentials only; nothing here prints them.
import { CoalescedRun } from '../coalesced-run.js';
import type { CrossedBookWatch, CrossedResync } from '../crossed-book-watch.js';
import { ReconcileRetry } from '../reconcile-retry.js';
import type { FeedIngest } from '../../feed/ingest/feed-ingest.js';
import { PolymarketCredentials } from './credentials.js';
import { POLYMARKET_LOT_SIZE } from './amounts.js';
import { watchPolymarketBooks } from './crossed-books.js';
import { contractsFor, type PolymarketChain, type PolymarketEndpoints } from './endpoints.js';
import { PolymarketMarketFeed } from './market-feed.js';
import { PolymarketExecutionVenue, type PolymarketMarketSpec, type PolymarketReconcileReport } from './polymarket-venue.js';
import { PolymarketRestClient, type ClobMarket } from './rest-client.js';

export interface PolymarketLiveConfig {
  readonly endpoints: PolymarketEndpoints;
  readonly chainId: PolymarketChain;
  /** The wallet key and (optionally) the API credentials. */
  readonly credentials: PolymarketCredentials;
  readonly ingest: FeedIngest;
  readonly firstSymbolId: number;
  /** Condition ids to trade (default: every active market, up to maxMarkets). */
  readonly conditionIds?: readonly string[];
  readonly maxMarkets?: number;
  readonly onPause?: (reason: string) => void;
  readonly onResume?: () => void;
  readonly onReconciled?: (r: PolymarketReconcileReport) => void;
  readonly log?: (line: string) => void;
  /** Told the execution venue as soon as it exists, before the first reconcile can report fills through it. */
  readonly onVenue?: (venue: PolymarketExecutionVenue) => void;
  /** Per token id, the trade mark of an earlier run (Unix seconds): reconciles read the trades after it, less the margin (PolymarketVenueOptions.tradeMarks). */
  readonly tradeMarks?: ReadonlyMap<string, number>;
  /** Told the market feed before it opens (a recording taps it). */
  readonly onFeed?: (feed: PolymarketMarketFeed) => void;
  /** How long a book stays crossed before it is resynced, and the cap of the doubling wait (default 1 s, 60 s). */
  readonly crossedResync?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Told each resync of a book that stayed crossed (market: the YES token id; after the log line). */
  readonly onCrossedResync?: (r: CrossedResync) => void;
}

/** How long start() waits for the user channel's first connection before the first reconcile. */
const FIRST_CONNECT_WAIT_MS = 10_000;

/** Lots of POLYMARKET_LOT_SIZE (0.01) in one contract (share). */
const LOTS_PER_CONTRACT = Math.round(1 / Number(POLYMARKET_LOT_SIZE));

/** The engine's symbol of a market's YES token. */
export function polymarketSymbol(conditionId: string): string {
  return `POLY-${conditionId.replace(/^0x/, '').slice(0, 8).toUpperCase()}`;
}

export class PolymarketLive {
  rest!: PolymarketRestClient;
  venue!: PolymarketExecutionVenue;
  feed!: PolymarketMarketFeed;
  markets: PolymarketMarketSpec[] = [];
  paused = true;
  lastReport: PolymarketReconcileReport | null = null;
  /** Why the last reconcile failed (a query refused, no answer); null after one that ran. */
  lastFailure: string | null = null;
  version = 0;
  private readonly reconciling = new CoalescedRun<void>();
  private closed = false;
  /** The background retry of a failed reconcile. */
  private readonly retry = new ReconcileRetry({ venue: 'polymarket', name: 'Polymarket', retry: () => void this.reconcile(), log: (l) => this.log(l) });
  /** The traded markets are read again for a resolution at the next reconcile (after a reconnect, or a read that failed). */
  private refreshPending = false;
  /** The last reconcile was clean but the user channel was down: quoting waits for its (re)connect and the reconcile that follows. */
  private heldForChannel = false;
  /** Every market GET /markets listed at start, closed ones included. */
  private all: readonly ClobMarket[] = [];
  private readonly settledAtStart = new Set<string>();
  /** The order books that stay crossed. */
  private crossedWatch: CrossedBookWatch | null = null;

  constructor(private readonly c: PolymarketLiveConfig) {}

  private log(s: string): void { this.c.log?.(s); }

  async start(): Promise<void> {
    const c = this.c;
    const l1 = new PolymarketRestClient({ baseUrl: c.endpoints.rest, credentials: c.credentials, chainId: c.chainId });
    this.version = await l1.getVersion();
    if (this.version !== 2) throw new Error(`the CLOB at ${c.endpoints.rest} answers /version ${this.version}: this engine signs CLOB V2 orders only, refusing to trade`);
    let creds = c.credentials;
    if (!creds.hasCreds()) {
      const d = await l1.deriveApiKey();
      creds = PolymarketCredentials.withApiCreds(c.credentials, { key: d.apiKey, secret: d.secret, passphrase: d.passphrase });
    }
    this.rest = new PolymarketRestClient({ baseUrl: c.endpoints.rest, credentials: creds, chainId: c.chainId });
    const all = await this.rest.getAllMarkets();
    this.all = all;
    const wanted = c.conditionIds !== undefined ? new Set(c.conditionIds) : null;
    const picked = all.filter((m) => (wanted === null ? m.active !== false && m.closed !== true : wanted.has(m.condition_id)));
    if (wanted !== null) for (const id of wanted) if (!picked.some((m) => m.condition_id === id)) throw new Error(`Polymarket has no market ${id}`);
    this.markets = picked.slice(0, c.maxMarkets ?? 24).map((m) => specOf(m)).filter((m): m is PolymarketMarketSpec & { resolutionTsNs: number } => m !== null);
    const contracts = contractsFor(c.chainId);
    this.venue = new PolymarketExecutionVenue({
      rest: this.rest, credentials: creds, chainId: c.chainId, contracts, markets: this.markets, userWsUrl: c.endpoints.userWs,
      ...(c.tradeMarks !== undefined ? { tradeMarks: c.tradeMarks } : {}),
    });
    c.onVenue?.(this.venue);
    this.feed = new PolymarketMarketFeed(c.ingest, {
      url: c.endpoints.marketWs, firstSymbolId: c.firstSymbolId,
      tokens: this.markets.map((m) => ({ symbol: m.symbol, tokenId: m.tokenId, tickSize: m.tickSize, resolutionTsNs: (m as { resolutionTsNs?: number }).resolutionTsNs ?? 0 })),
    });
    this.feed.adapter.onTickSize = (symbol, tick) => {
      this.venue.setTickSize(symbol, tick);
      this.log(`polymarket: ${symbol} tick size now ${tick}`);
    };
    this.feed.adapter.onResolved = (symbol, outcome) => this.log(`polymarket: ${symbol} resolved ${outcome.toUpperCase()}`);
    let first = true;
    let opened = (): void => undefined;
    const firstOpen = new Promise<void>((res) => { opened = res; });
    this.venue.onReconnect = () => {
      if (first) {
        first = false;
        opened();
        // the start's reconcile covers the first connection, unless it ended clean before the channel was up
        if (!this.heldForChannel) return;
        this.log('polymarket: user channel connected; reconciling before quoting');
        void this.reconcile();
        return;
      }
      this.log('polymarket: user channel reconnected; reconciling before quoting');
      void this.reconcile(true);
    };
    this.venue.onDisconnect = () => {
      if (this.closed) return;
      this.log('polymarket: user channel down: our fills are not heard; strategies paused (venue) until it is back and a reconcile ran clean');
      this.pause('venue');
    };
    const feed = this.feed;
    this.crossedWatch = watchPolymarketBooks(feed, (r) => {
      this.log(`polymarket: ${feed.adapter.symbolOf(r.market) ?? r.market} book crossed for ${r.crossedMs} ms (bid ${r.bid} >= ask ${r.ask}): out of step with Polymarket, subscribing its asset again for a fresh book`);
      c.onCrossedResync?.(r);
    }, c.crossedResync ?? {});
    c.onFeed?.(this.feed);
    this.feed.open();
    if (!this.closed) this.crossedWatch.start();
    this.venue.start();
    // the first reconcile once our fills can be heard (a channel still down by then: quoting waits for it)
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([firstOpen, new Promise<void>((res) => { wait = setTimeout(res, FIRST_CONNECT_WAIT_MS); })]);
    clearTimeout(wait);
    await this.reconcile();
  }

  /**
   * Resolutions the engine missed (the market resolved while it was down, so no
   * market_resolved reached it): every traded market, and every symbol in `held` (positions the
   * ledgers hold; a closed market is not among those traded, so it is defined on the ingest
   * under the next free symbol ids, without a book), that GET /markets shows closed with a
   * winning token settles now, once. A held symbol whose market is not resolved and not traded
   * is logged. Returns the symbols settled.
   */
  settleMissedResolutions(held: readonly string[], firstSymbolId: number): string[] {
    const ingest = this.c.ingest;
    const bySymbol = new Map(this.all.map((m) => [polymarketSymbol(m.condition_id), m]));
    const settled: string[] = [];
    let id = firstSymbolId;
    const todo = [...this.markets.map((m) => m.symbol), ...held.filter((h) => !this.markets.some((m) => m.symbol === h))];
    for (const symbol of todo) {
      if (this.settledAtStart.has(symbol)) continue;
      const m = bySymbol.get(symbol);
      const traded = this.markets.some((x) => x.symbol === symbol);
      const outcome = m === undefined ? null : winnerOf(m);
      if (m === undefined || outcome === null) {
        if (!traded) this.log(`polymarket: ${symbol} is held in the ledgers but ${m === undefined ? 'Polymarket lists no such market' : 'its market is not among those traded and not resolved'}: its resolution is not followed`);
        continue;
      }
      let st = ingest.bySymbolName(symbol);
      if (st === undefined) {
        const spec = specOf(m);
        if (spec === null) continue;
        try {
          ingest.instrument({ symbolId: id, symbol, kind: 'binary', tickSize: spec.tickSize, lotSize: POLYMARKET_LOT_SIZE, resolutionTsNs: spec.resolutionTsNs });
        } catch (e) {
          this.log(`polymarket: ${symbol} is held in the ledgers but could not be defined (${e instanceof Error ? e.message : String(e)}): its resolution is not followed`);
          continue;
        }
        id++;
        st = ingest.bySymbolName(symbol);
        if (st === undefined) continue;
      }
      this.settledAtStart.add(symbol);
      if (st.settled !== null) continue;
      this.log(`polymarket: ${symbol} resolved ${outcome.toUpperCase()} while the engine was down: settling it`);
      ingest.settle(st.symbolId, Date.now() * 1e6, outcome);
      settled.push(symbol);
    }
    return settled;
  }

  /**
   * After a reconnect: a market resolved while the link was down sent its market_resolved to
   * nobody. Each traded market not settled yet is read again (GET /markets/{condition_id}) and
   * one closed with a winning token settles now. One that cannot be read is read again at the
   * next reconcile.
   */
  async refreshResolutions(): Promise<void> {
    const ingest = this.c.ingest;
    const unread: string[] = [];
    let why = '';
    for (const spec of this.markets) {
      const st = ingest.bySymbolName(spec.symbol);
      if (st === undefined || st.settled !== null) continue;
      let m: ClobMarket;
      try { m = await this.rest.getMarket(spec.conditionId); } catch (e) {
        unread.push(spec.symbol);
        if (why === '') why = e instanceof Error ? e.message : String(e);
        this.refreshPending = true;
        continue;
      }
      if (this.closed) return;
      const outcome = winnerOf(m);
      if (outcome === null || st.settled !== null) continue;
      this.log(`polymarket: ${spec.symbol} resolved ${outcome.toUpperCase()} while the link was down: settling it`);
      ingest.settle(st.symbolId, Date.now() * 1e6, outcome);
    }
    // during an outage the failed reconcile's line says it already
    if (unread.length > 0 && this.failuresInARow === 0) this.log(`polymarket: could not read ${unread.join(', ')} for a resolution (${why}); read again at the next reconcile`);
  }

  /** The market of a YES token: a traded one, or one GET /markets listed at start. */
  specOfToken(tokenId: string): PolymarketMarketSpec | undefined {
    const traded = this.markets.find((m) => m.tokenId === tokenId);
    if (traded !== undefined) return traded;
    for (const m of this.all) {
      const spec = specOf(m);
      if (spec !== null && spec.tokenId === tokenId) return spec;
    }
    return undefined;
  }

  /**
   * Pauses, reconciles (cancelling open orders we do not know), and resumes when clean. After a
   * reconnect (`refresh`) the traded markets are read again first for a resolution missed
   * meanwhile. One that fails is run again in the background until one runs.
   */
  reconcile(refresh = false): Promise<void> {
    this.pause('venue');
    if (refresh) this.refreshPending = true;
    return this.reconciling.run(async () => {
      {
        try {
          if (this.refreshPending) {
            this.refreshPending = false;
            await this.refreshResolutions();
          }
          let r = await this.venue.reconcile();
          if (r.unknownToUs.length > 0) {
            await this.rest.cancelOrders(r.unknownToUs.map((o) => o.id));
            this.log(`polymarket: cancelled ${r.unknownToUs.length} open order(s) this process does not track`);
            r = await this.venue.reconcile();
          }
          this.lastReport = r;
          this.lastFailure = null;
          this.retry.ran();
          this.c.onReconciled?.(r);
          this.heldForChannel = r.ok && !this.venue.userConnected;
          if (r.ok) this.retry.clean();
          else this.retry.unclean(`${r.unknownToUs.length} unknown open orders, ${r.missingAtVenue.length} orders missing at the venue`);
          if (r.ok && !this.reconciling.again && this.venue.userConnected && !this.closed) { this.paused = false; this.c.onResume?.(); }
        } catch (e) {
          this.lastFailure = e instanceof Error ? e.message : String(e);
          this.retry.failed(this.lastFailure);
        }
      }
    }, () => !this.closed);
  }

  /** Reconciles that failed in a row (0 once one ran). */
  get failuresInARow(): number { return this.retry.failuresInARow; }
  /** Reconciles that ran but were not clean in a row (0 once one was clean). */
  get uncleanInARow(): number { return this.retry.uncleanInARow; }

  /** Books resynced because they stayed crossed. */
  get crossedResyncs(): number { return this.crossedWatch?.resyncs ?? 0; }
  /** Market-channel reconnects made because a resynced book's `book` message did not come. */
  get resyncReconnects(): number { return this.feed?.resyncReconnects ?? 0; }

  private pause(reason: string): void {
    if (this.paused) return;
    this.paused = true;
    this.c.onPause?.(reason);
  }

  /** Signed matched-but-unconfirmed contracts per symbol (exposure the ledger does not hold yet; BUY +). */
  pendingExposure(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.markets) {
      const lots = this.venue.pendingExposure(m.symbol);
      if (lots !== 0) out[m.symbol] = lots / LOTS_PER_CONTRACT;
    }
    return out;
  }

  /** Closes the market channel and the execution venue (its user channel too): nothing is reported, and no reconcile retried, after this. */
  close(): void {
    this.closed = true;
    this.retry.close();
    this.crossedWatch?.stop();
    this.feed?.close();
    this.venue?.close();
  }
}

/** 'yes' when the market is closed and its YES token won, 'no' when another token won, else null (not resolved). */
function winnerOf(m: ClobMarket): 'yes' | 'no' | null {
  if (m.closed !== true) return null;
  const yes = m.tokens.find((t) => t.outcome.toLowerCase() === 'yes') ?? m.tokens[0];
  if (yes === undefined) return null;
  if (yes.winner === true) return 'yes';
  return m.tokens.some((t) => t !== yes && t.winner === true) ? 'no' : null;
}

function specOf(m: ClobMarket): (PolymarketMarketSpec & { resolutionTsNs: number }) | null {
  const yes = m.tokens.find((t) => t.outcome.toLowerCase() === 'yes') ?? m.tokens[0];
  if (yes === undefined) return null;
  const end = typeof m.end_date_iso === 'string' ? Date.parse(m.end_date_iso) : NaN;
  return {
    symbol: polymarketSymbol(m.condition_id), tokenId: yes.token_id, conditionId: m.condition_id,
    tickSize: String(m.minimum_tick_size ?? '0.01'), negRisk: m.neg_risk === true,
    ...(m.fee_schedule !== undefined ? { fees: { rate: String(m.fee_schedule.rate), exponent: Number(m.fee_schedule.exponent) } } : {}),
    resolutionTsNs: Number.isFinite(end) ? end * 1e6 : 0,
  };
}
