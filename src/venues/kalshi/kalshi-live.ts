// A live Kalshi session, ready for an engine to wire (as BinanceLive is for Binance): the
// signed REST client with its rate budget, the WebSocket client, the execution venue and
// the market-data adapter into a FeedIngest, subscribed to the markets' order books,
// trades, our fills and order updates, and market lifecycle events.
//
// At start and after every reconnect, before quoting resumes:
//   1. `onPause('venue')` — the engine stops quoting;
//   2. KalshiExecutionVenue.reconcile(): open orders, fills since the last fill time seen,
//      positions against `expectedPositions()`; the report goes to `onReconciled`;
//   3. `onResume()` when the report is ok, else the session stays paused (the engine
//      decides: cancel orders it does not know, halt on a position mismatch).
// A reconcile that fails (Kalshi answers 5xx or 429, or not at all) keeps the session paused
// and is run again in the background after 1 s, 2 s, 4 s … at most 30 s apart until one runs,
// so quoting resumes by itself once Kalshi answers; the failure is logged once per outage
// (ReconcileRetry). One that runs but is not clean for a reason the next pass can clear
// (unknown orders being cancelled, orders missing at the venue, fills being journaled) is run
// again the same way until one is clean; a position mismatch waits for the operator.
// A market's book that stays crossed for 1 s (a level's removal missed) is resynced: it is
// deleted from its orderbook_delta subscription and added back for a fresh snapshot of that
// market alone (KalshiWsClient.resyncBook), logged once per resync and
// counted (`crossedResyncs`); while Kalshi's own book stays crossed the wait doubles up to 60 s.
// A market's determination / settlement (market_lifecycle_v2 with a result) is told once
// per market through `onSettled`. Demo by default; production only when named.
// Keys are held by the signer only; nothing here prints them.
import { CoalescedRun } from '../coalesced-run.js';
import type { CrossedBookWatch, CrossedResync } from '../crossed-book-watch.js';
import { ReconcileRetry } from '../reconcile-retry.js';
import type { FeedIngest } from '../../feed/ingest/feed-ingest.js';
import { kalshiEndpoints, type KalshiEndpoints, type KalshiEnvironmentName } from './endpoints.js';
import { KalshiExecutionVenue, marketInfo, type KalshiMarketInfo, type KalshiReconcileReport } from './kalshi-venue.js';
import { watchKalshiBooks } from './crossed-books.js';
import { KalshiMarketData } from './market-data.js';
import { KalshiRateBudget, type KalshiTier } from './rate-budget.js';
import { KalshiRestClient, type KalshiMarket } from './rest-client.js';
import type { KalshiSigner } from './signing.js';
import { KalshiWsClient } from './ws-client.js';

/** Market statuses that carry Kalshi's result. */
const DETERMINED = new Set(['determined', 'settled', 'finalized']);

export interface KalshiLiveConfig {
  /** 'demo' (default) or 'production' by name, or explicit endpoints (a replica). */
  readonly environment?: KalshiEnvironmentName | KalshiEndpoints;
  readonly signer: KalshiSigner;
  /** The markets to trade: tickers, or a /markets filter (open markets of a series or event). */
  readonly tickers?: readonly string[];
  readonly filter?: { series_ticker?: string; event_ticker?: string };
  readonly tier?: KalshiTier;
  /** Where the order books go (optional: an execution-only session has none). */
  readonly ingest?: FeedIngest;
  readonly firstSymbolId?: number;
  /** Whether a market's series charges maker fees (default: none). */
  readonly makerFees?: (m: KalshiMarket) => boolean;
  /** Signed YES contracts per ticker the journal holds, compared at each reconcile. */
  readonly expectedPositions?: () => Record<string, number>;
  /** Fills are fetched from here on at the first reconcile (Unix seconds; default the last hour). */
  readonly sinceTs?: number;
  readonly onPause?: (reason: string) => void;
  readonly onResume?: () => void;
  readonly onReconciled?: (r: KalshiReconcileReport) => void;
  readonly onSettled?: (ticker: string, result: 'yes' | 'no') => void;
  readonly log?: (line: string) => void;
  /** At most this many markets of a filter (the first ones Kalshi lists; default all). */
  readonly maxMarkets?: number;
  /** Told the execution venue as soon as it exists, before the first reconcile can report fills through it. */
  readonly onVenue?: (venue: KalshiExecutionVenue) => void;
  /** How long a book stays crossed before it is resynced, and the cap of the doubling wait (default 1 s, 60 s). */
  readonly crossedResync?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Told each resync of a book that stayed crossed (after the log line). */
  readonly onCrossedResync?: (r: CrossedResync) => void;
}

export class KalshiLive {
  readonly rest: KalshiRestClient;
  readonly ws: KalshiWsClient;
  venue!: KalshiExecutionVenue;
  marketData: KalshiMarketData | null = null;
  markets: KalshiMarketInfo[] = [];
  paused = true;
  lastReport: KalshiReconcileReport | null = null;
  /** Why the last reconcile failed (a query refused, no answer); null after one that ran. */
  lastFailure: string | null = null;
  private sinceTs: number;
  private readonly settled = new Set<string>();
  private readonly results = new Map<string, 'yes' | 'no'>();
  private readonly reconciling = new CoalescedRun<void>();
  /** The background retry of a failed reconcile. */
  private readonly retry = new ReconcileRetry({ venue: 'kalshi', name: 'Kalshi', retry: () => void this.reconcile(), log: (l) => this.log(l) });
  private closed = false;
  /** The WebSocket closed and has not reconnected yet (its outage is logged once). */
  private wsDown = false;
  /** The order books that stay crossed (with an ingest only). */
  private crossedWatch: CrossedBookWatch | null = null;

  constructor(private readonly c: KalshiLiveConfig) {
    const env = c.environment ?? 'demo';
    const endpoints = typeof env === 'string' ? kalshiEndpoints(env) : env;
    this.rest = new KalshiRestClient({ endpoints, signer: c.signer, budget: new KalshiRateBudget({ tier: c.tier ?? 'basic' }) });
    this.ws = new KalshiWsClient({ url: endpoints.wsUrl, signer: c.signer });
    this.sinceTs = c.sinceTs ?? Math.floor(Date.now() / 1000) - 3600;
  }

  private log(s: string): void { this.c.log?.(s); }

  async start(): Promise<void> {
    const raw = this.c.tickers !== undefined
      ? await Promise.all(this.c.tickers.map(async (t) => (await this.rest.getMarket(t)).market))
      : await this.rest.getAllMarkets({ status: 'open', ...this.c.filter });
    const picked = raw.slice(0, this.c.maxMarkets ?? raw.length);
    for (const m of picked) this.noteResult(m);
    this.markets = picked.map((m) => marketInfo(m, this.c.makerFees?.(m) ?? false));
    this.venue = new KalshiExecutionVenue({ rest: this.rest, ws: this.ws, markets: this.markets });
    this.c.onVenue?.(this.venue);
    if (this.c.ingest !== undefined) {
      this.marketData = new KalshiMarketData(this.c.ingest, this.markets, this.c.firstSymbolId ?? 0);
      this.marketData.attach(this.ws);
    }
    const prev = this.ws.handlers;
    this.ws.handlers = {
      ...prev,
      onOpen: (reconnect) => {
        prev.onOpen?.(reconnect);
        this.wsDown = false;
        if (reconnect) { this.log('kalshi: reconnected; reconciling before quoting'); void this.reconcile(true); }
      },
      onClose: (code) => {
        prev.onClose?.(code);
        // once per outage: the client calls this again at each reconnect attempt that fails
        if (!this.wsDown && !this.closed) {
          this.wsDown = true;
          this.log(`kalshi: WebSocket closed (code ${code}): our fills are not heard; strategies paused (venue) until it reconnects and a reconcile runs clean`);
        }
        this.pause('venue');
      },
      onLifecycle: (m) => { prev.onLifecycle?.(m); this.lifecycle(m); },
    };
    await this.ws.connect();
    const tickers = this.markets.map((m) => m.ticker);
    if (this.c.ingest !== undefined && tickers.length > 0) {
      this.ws.subscribe('orderbook_delta', tickers);
      this.crossedWatch = watchKalshiBooks(this.ws, () => tickers, (r) => {
        this.log(`kalshi: ${r.market} book crossed for ${r.crossedMs} ms (YES bid ${r.bid} >= ask ${r.ask}): out of step with Kalshi, resubscribing its order book for a fresh snapshot`);
        this.c.onCrossedResync?.(r);
      }, this.c.crossedResync ?? {});
      if (!this.closed) this.crossedWatch.start();
    }
    this.ws.subscribe('trade', tickers);
    this.ws.subscribe('fill');
    this.ws.subscribe('user_orders');
    this.ws.subscribe('market_lifecycle_v2');
    await this.reconcile();
  }

  private pause(reason: string): void {
    if (this.paused) return;
    this.paused = true;
    this.c.onPause?.(reason);
  }

  /**
   * Pauses, reconciles, and resumes when the report is clean. Concurrent calls run once more after the current one.
   * After a reconnect (`refresh`) the markets are read again first: one determined while the link was down sent its
   * lifecycle event to nobody, and settles now.
   */
  reconcile(refresh = false): Promise<void> {
    this.pause('venue');
    if (refresh) this.refreshPending = true;
    return this.reconciling.run(async () => {
      {
        try {
          if (this.refreshPending) {
            this.refreshPending = false;
            await this.refreshResults();
            this.settleDetermined();
          }
          const r = await this.venue.reconcile({ sinceTs: this.sinceTs, ...(this.c.expectedPositions !== undefined ? { expectedPositions: () => this.unsettledExpected() } : {}) });
          this.lastReport = r;
          this.lastFailure = null;
          this.retry.ran();
          if (r.lastFillTs > 0) this.sinceTs = r.lastFillTs - 1;
          this.c.onReconciled?.(r);
          if (r.ok) this.retry.clean();
          if (r.ok && !this.reconciling.again && this.ws.connected && !this.closed) { this.paused = false; this.c.onResume?.(); }
          else if (!r.ok) {
            const foreign = r.missedFills.filter((f) => !f.applied).length;
            const found = `${r.unknownToUs.length} unknown open orders, ${r.missingAtVenue.length} orders missing at the venue, ${r.positionMismatches.length} position mismatches`
              + `, ${foreign} fill(s) of orders this process did not send (checked against the journal)`;
            // a position mismatch waits for the operator (POST /api/reconcile); what the next pass can clear is reconciled again
            if (r.positionMismatches.length > 0) this.log(`kalshi: reconcile found ${found}; staying paused`);
            else this.retry.unclean(found);
          }
        } catch (e) {
          this.lastFailure = e instanceof Error ? e.message : String(e);
          this.retry.failed(this.lastFailure);
        }
      }
    });
  }

  /** Reconciles that failed in a row (0 once one ran). */
  get failuresInARow(): number { return this.retry.failuresInARow; }
  /** Reconciles that ran but were not clean in a row (0 once one was clean). */
  get uncleanInARow(): number { return this.retry.uncleanInARow; }

  /** Books resynced because they stayed crossed. */
  get crossedResyncs(): number { return this.crossedWatch?.resyncs ?? 0; }

  /** Kalshi's result of a market it has determined (status determined, or settled / finalized), kept per ticker. */
  private noteResult(m: KalshiMarket): void {
    if ((m.result === 'yes' || m.result === 'no') && DETERMINED.has(m.status)) this.results.set(m.ticker, m.result);
  }

  /**
   * Markets the ledgers hold a position in that are not among those traded: closed, determined
   * or settled while the engine was down, they are no longer listed as open. Each is loaded
   * (GET /markets/{ticker}) and defined on the ingest under the next free symbol ids, without a
   * book subscription, so the position check covers it and its determination settles the
   * ledgers (at once through settleDetermined() when Kalshi already has the result). Returns the
   * tickers added; one Kalshi does not know is logged and left out.
   */
  async adopt(tickers: readonly string[], firstSymbolId: number): Promise<string[]> {
    const added: string[] = [];
    let id = firstSymbolId;
    for (const t of tickers) {
      if (this.markets.some((m) => m.ticker === t)) continue;
      let raw: KalshiMarket;
      try { raw = (await this.rest.getMarket(t)).market; } catch (e) {
        this.log(`kalshi: ${t} is held in the ledgers but could not be looked up at Kalshi (${e instanceof Error ? e.message : String(e)}): its settlement is not followed`);
        continue;
      }
      const info = marketInfo(raw, this.c.makerFees?.(raw) ?? false);
      try { this.marketData?.add(info, id); } catch (e) {
        this.log(`kalshi: ${t} is held in the ledgers but could not be defined (${e instanceof Error ? e.message : String(e)}): its settlement is not followed`);
        continue;
      }
      id++;
      this.noteResult(raw);
      this.markets.push(info);
      this.venue.setMarket(info);
      added.push(t);
      const why = raw.status === 'active' || raw.status === 'open' ? 'is not among the markets traded' : 'is no longer open';
      this.log(`kalshi: ${t} (${raw.status}${this.results.has(t) ? `, result ${String(raw.result)}` : ''}) ${why} but the ledgers hold a position in it: ${this.results.has(t) ? 'settling it' : 'followed (no book, no quotes) until it settles'}`);
    }
    return added;
  }

  private refreshPending = false;

  /**
   * The journal's positions without the markets settled in the engine: those settle at the
   * determination, while Kalshi lists the position until its settlement (hours later at times),
   * so comparing them would call a settled market a mismatch.
   */
  private unsettledExpected(): Record<string, number> {
    const out = { ...this.c.expectedPositions!() };
    for (const t of this.settled) delete out[t];
    return out;
  }

  /** Reads every market not settled yet again (GET /markets/{ticker}) for a result; one that cannot be read is left for the next time. */
  private async refreshResults(): Promise<void> {
    const unread: string[] = [];
    let why = '';
    for (const m of this.markets) {
      if (this.settled.has(m.ticker) || this.results.has(m.ticker)) continue;
      try { this.noteResult((await this.rest.getMarket(m.ticker)).market); } catch (e) {
        unread.push(m.ticker);
        if (why === '') why = e instanceof Error ? e.message : String(e);
        this.refreshPending = true;
      }
    }
    // during an outage the failed reconcile's line says it already
    if (unread.length > 0 && this.failuresInARow === 0) this.log(`kalshi: could not read ${unread.join(', ')} for a result (${why}); read again at the next reconcile`);
  }

  /** Markets Kalshi had already determined when they were loaded settle now (once each, as a lifecycle event would). */
  settleDetermined(): void {
    for (const [ticker, result] of this.results) this.lifecycle({ market_ticker: ticker, event_type: 'determined', result });
  }

  private lifecycle(m: Record<string, unknown>): void {
    const t = String(m['market_ticker'] ?? '');
    const r = m['result'];
    if ((m['event_type'] === 'determined' || m['event_type'] === 'settled') && (r === 'yes' || r === 'no') && !this.settled.has(t) && this.markets.some((x) => x.ticker === t)) {
      this.settled.add(t);
      this.c.onSettled?.(t, r);
    }
  }

  /** Closes the WebSocket and the execution venue: nothing is reported, and no reconcile retried, after this. */
  close(): void {
    this.closed = true;
    this.retry.close();
    this.crossedWatch?.stop();
    this.venue?.close();
    this.ws.close();
  }
}
