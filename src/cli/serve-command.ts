// `spreadcore serve`: the engine with paper execution on a market source (the
// built-in simulator, a recording replayed in real time, the live Binance
// connector, or only the feed handler), its journal in the data directory
// (restored at start), the HTTP control API with its event stream and /metrics,
// and optionally the binary feed handler (--feed-port) into the same engine.
// Every option is checked before anything is opened or bound (serve-options.ts).
// Ctrl-C / SIGTERM stops every strategy, closes the sources, the API and the
// journal, and exits 0.
import { mkdirSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { TradingEngine } from '../engine/trading-engine.js';
import { SpreadcoreError } from '../errors.js';
import { FeedHandler } from '../feed/handler/feed-handler.js';
import { Gateway } from '../gateway/gateway.js';
import { EngineMetrics } from '../gateway/routes-metrics.js';
import { attachEngine } from '../gateway/sse-engine.js';
import { SseHub } from '../gateway/sse-hub.js';
import { transportNotice } from '../net/select-transport.js';
import { Journal } from '../store/journal.js';
import { createLogger } from '../log/logger.js';
import { BinanceLive, MISMATCH_HINT, reconcileAnswer, type ReconcileSummary } from '../venues/binance/binance-live.js';
import { HttpError } from '../gateway/http-errors.js';
import type { LiveControl } from '../gateway/routes-api.js';
import { BinanceError } from '../venues/binance/errors.js';
import type { BinanceInstrumentSpec } from '../feed/binance/instruments.js';
import { gridsFromRules, paperBinanceGrids, paperGridSource, PaperGridsUnavailableError } from './binance-grids.js';
import type { VenueGridSource } from '../feed/binance/grid-refresh.js';
import { liveGridSource } from './live-grid-source.js';
import { usageError } from './flags.js';
import { resolveConnectorConfig } from '../feed/binance/connector-config.js';
import { ClusterNode } from '../cluster/cluster-node.js';
import { clusterRoutes } from '../cluster/cluster-view.js';
import { parseClusterOptions } from '../cluster/cluster-options.js';
import { awaitDefinitions, mdVenueOf, natsMarket } from '../cluster/market-data.js';
import { FeedIngest } from '../feed/ingest/feed-ingest.js';
import { describeCancelOutcome, PredictionLive, PREDICTION_STALE_FEED_MS } from './serve-prediction.js';
import { untilStopSignal } from './until-stopped.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { prepareMarket, type RunningMarket } from './serve-market.js';
import { FEED_TOKEN_ENV, parseServeOptions, TOKEN_ENV_API } from './serve-options.js';

/** How long a stop waits for the venues to confirm the cancels (on Binance a 429 or a ban shorter than this is waited out). */
const STOP_CANCEL_TIMEOUT_MS = 10_000;
/** How long the kill switch keeps trying the venue-wide cancel through 429s, bans and lost answers (while it stays on). */
const KILL_CANCEL_TIMEOUT_MS = 10 * 60_000;

export { TOKEN_ENV_API };

const USAGE = `Usage: spreadcore serve [--host 127.0.0.1] [--port 8080] [--feed-port 8081] [--data-dir ./data]
                       [--seed N] [--market sim|replay:FILE|binance|kalshi|polymarket|feed] [--token T] [options]

Runs the engine with paper execution on a market source, and the HTTP control
API at http://HOST:PORT/api with the event stream at /api/stream, Prometheus
metrics at /metrics and the dashboard at / (see docs/api.md). Fills, orders,
strategies and parameter changes are journaled in the data directory; at start
the journal is restored (strategies come back stopped, with their positions).
Stops on Ctrl-C / SIGTERM: strategies stop, the sources, the API and the
journal close.

Markets (--market, SPREADCORE_MARKET; default sim):
  sim             the built-in simulator (BTCUSDT, ETHUSDT, a binary YES
                  contract and a universe of --universe binary markets that
                  list and resolve as it runs) paced in real time
  replay:FILE     a recording — Binance "<ts_ns> <json>" lines (gzip or plain)
                  or a spreadcore .screc/.screc.gz — at its recorded pace x --speed;
                  when it ends the API keeps answering, strategies keep their
                  state and the books go stale
  binance         the live Binance spot connector for --symbols (binance:usdm
                  for USD-M futures); --binance-rest-url / --binance-ws-url point
                  it at another server (e.g. testnet or a local one); the
                  symbols' grids come from its public exchangeInfo (no key)
  feed            no built-in source: the feed handler (--feed-port, default
                  8081) takes protocol v1 frames from spreadcore publish
  kalshi, polymarket, kalshi,polymarket
                  prediction markets live: the venues' binary markets in the
                  universe (GET /api/markets), orders through their execution
                  clients, settlement from the venues; Kalshi's demo by
                  default, Polymarket at --polymarket-rest-url, production
                  only with --production (docs/prediction-markets.md)

Options (each also from an environment variable):
  --host H             bind address (SPREADCORE_HOST, default 127.0.0.1); any
                       other address requires a token
  --port N             API port (SPREADCORE_PORT, default 8080; 0 = any free
                       port, printed at start)
  --feed-port N        also run the feed handler on 127.0.0.1:N into the same
                       engine (SPREADCORE_FEED_PORT; default off, 0 = off;
                       publishers authenticate with ${FEED_TOKEN_ENV} when set)
  --data-dir D         journal directory (SPREADCORE_DATA_DIR, default ./data)
  --cluster URL        join a cluster of nodes on NATS JetStream, e.g.
                       nats://127.0.0.1:4222 (SPREADCORE_CLUSTER; default: none,
                       one process); markets are leased to nodes, strategies and
                       the kill switch are the cluster's (docs/cluster.md)
  --node-id N          this node's name in the cluster (SPREADCORE_NODE_ID)
  --lease-ttl-ms N     how long a market stays with a node that stopped renewing
                       its lease (SPREADCORE_LEASE_TTL_MS, default 10000; every
                       node of a cluster uses the same)
  --md-publish         in a cluster: publish this node's market data to NATS
                       subjects md.<venue>.<symbol> (SPREADCORE_MD_PUBLISH=1)
  --md-source nats     in a cluster: no market source here; the markets this
                       node holds are fed from NATS (SPREADCORE_MD_SOURCE)
  --forward-timeout-ms N
                       in a cluster: a request about a strategy or market
                       another node runs is answered by that node; 504 after
                       N ms (SPREADCORE_FORWARD_TIMEOUT_MS, default 3000)
  --cluster-daily-loss-limit Q
                       in a cluster: most an account may lose in a UTC day over
                       every node and market, quote currency; past it every
                       node halts (SPREADCORE_CLUSTER_DAILY_LOSS_LIMIT)
  --cluster-event-exposure-limit N
                       in a cluster: most net exposure per --event-map event
                       over every node, contracts; orders adding past it are
                       refused (SPREADCORE_CLUSTER_EVENT_EXPOSURE_LIMIT)
  --seed N             simulator seed (SPREADCORE_SEED, default 1)
  --speed S            replay pace: S x recorded, or max (SPREADCORE_SPEED, default 1)
  --instruments FILE   tick and lot size of Binance symbols, JSON {"SOLUSDT":
                       {"tick_size": "0.01", "lot_size": "0.001", "market":
                       "spot"}} (market optional; SPREADCORE_INSTRUMENTS;
                       docs/cli.md): a recording's symbol without built-in grids
                       (replay:FILE), or, with --market binance and paper
                       execution, grids that replace the venue's exchangeInfo
  --symbols A,B        Binance symbols, any the venue lists (SPREADCORE_SYMBOLS,
                       default BTCUSDT); their tick and lot size come from the
                       venue's exchangeInfo at start (--binance-rest-url). Paper
                       execution without an answer from it starts the built-in
                       symbols (spot and USD-M BTCUSDT, ETHUSDT) on their grids
                       and refuses others (exit 1)
  --grid-reread-s N    while a Binance symbol's depth is off its grid, or the venue
                       refuses its orders off the grid, its exchangeInfo is read
                       again at most every N s to pick up a new tick or step
                       (SPREADCORE_GRID_REREAD_S, default 30, 1..3600)
  --binance-rest-url U Binance REST base (SPREADCORE_BINANCE_REST_URL)
  --binance-ws-url U   Binance WebSocket base (SPREADCORE_BINANCE_WS_URL)
  --token T            bearer token every API request must carry
                       (${TOKEN_ENV_API}; at least 16 characters)
  --rate-limit N       API requests per second per client address, 0 = no limit
                       (SPREADCORE_RATE_LIMIT, default 50); health and metrics
                       have their own limit (10/s, burst 20)
  --rate-burst N       requests a client may make at once (SPREADCORE_RATE_BURST,
                       default 2 x --rate-limit)
  --tick-ms N          how often the market and the engine clock catch up,
                       ms (SPREADCORE_TICK_MS, default 5)
  --maker-fee-bps F    the paper exchange's maker fee, bps of notional, negative
  --taker-fee-bps F    for a rebate (SPREADCORE_MAKER_FEE_BPS / _TAKER_FEE_BPS,
                       default 10 each); a strategy's maker_fee_bps /
                       taker_fee_bps parameters override them for its fills
  --universe N         binary markets in the simulator's universe, 0..28
                       (SPREADCORE_UNIVERSE, default 24; 0 = none)
  --event-map FILE     events tying symbols together (cross-platform
                       inventory; SPREADCORE_EVENT_MAP): {"events": [{"id",
                       "symbols": [{"symbol", "direction": same|opposite}]}]}
  --manual-max-notional N
                       the manual account's (POST /api/order without
                       strategy_id) position limit per symbol, in the quote
                       currency at the mid when the symbol is first traded
                       (SPREADCORE_MANUAL_MAX_NOTIONAL, default 1000)
  --risk-limits JSON|FILE
                       risk limits of every strategy and the manual account,
                       a JSON object or a file of one (SPREADCORE_RISK_LIMITS):
                       max_order_qty, max_order_notional, price_band_bps
                       (default 500), max_orders_per_second (50),
                       order_burst (100), volatility_pause_cooldown_ms,
                       price_move_cooldown_ms, daily_reset_utc; e.g.
                       '{"max_order_notional": 500, "price_band_bps": 100}'
  --execution MODE     where orders go (SPREADCORE_EXECUTION_MODE, or the
                       tutorial's VELOZ_EXECUTION_MODE=binance_testnet_spot):
                       paper (default), binance-spot-testnet,
                       binance-usdm-testnet, binance-spot, binance-usdm; keys from
                       SPREADCORE_BINANCE_API_KEY / SPREADCORE_BINANCE_API_SECRET
                       (or VELOZ_BINANCE_API_KEY / VELOZ_BINANCE_API_SECRET);
                       market data comes from the same Binance endpoints
                       (docs/live-trading.md)
  --mainnet            required with binance-spot / binance-usdm: orders go to
                       Binance's production exchange with real money
  --binance-ws-api-url U
                       Binance WebSocket API for spot order entry and user data
                       (SPREADCORE_BINANCE_WS_API_URL; default the mode's, or the
                       --binance-rest-url host's /ws-api/v3 for a local replica)
  --log-level L        trace, debug, info (default), warn, error, fatal or
                       silent (SPREADCORE_LOG_LEVEL): logs go to stderr as JSON
                       lines, or readable lines on a terminal; debug logs every
                       API request (docs/cli.md)
  --orphan-orders cancel|keep
                       open orders at the venue this process does not track at
                       reconciliation: cancel them (default) or leave them
                       (SPREADCORE_ORPHAN_ORDERS)
  --kalshi-rest-url U  Kalshi REST host, e.g. http://127.0.0.1:8092 for
                       spreadcore replica kalshi (SPREADCORE_KALSHI_REST_URL;
                       default the demo, demo-api.kalshi.co); keys from
                       KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM
  --kalshi-ws-url U    Kalshi WebSocket (SPREADCORE_KALSHI_WS_URL; default the
                       REST host's /trade-api/ws/v2)
  --kalshi-tickers A,B the Kalshi markets to trade (SPREADCORE_KALSHI_TICKERS;
                       default the first 28 open markets)
  --polymarket-rest-url U
                       Polymarket CLOB host (SPREADCORE_POLYMARKET_REST_URL),
                       required without --production; key from
                       POLYMARKET_PRIVATE_KEY (API credentials derived, or
                       POLYMARKET_API_KEY/_SECRET/_PASSPHRASE)
  --polymarket-ws-url U
                       Polymarket WebSocket base, /ws/market and /ws/user below
                       it (SPREADCORE_POLYMARKET_WS_URL; default the REST host)
  --polymarket-markets C1,C2
                       condition ids to trade (SPREADCORE_POLYMARKET_MARKETS;
                       default the first 28 active markets)
  --record FILE        record the Kalshi / Polymarket market-data messages with
                       their receive times (NDJSON, .gz for gzip) for
                       spreadcore backtest --data FILE (SPREADCORE_RECORD)
  --production         Kalshi and Polymarket production hosts, real money
                       (SPREADCORE_PRODUCTION=1); refused with the URL flags
  -h, --help           show this help

Exit status: 0 stopped by a signal, 1 failure (e.g. the port is taken, or
Binance's exchangeInfo cannot be read for a symbol without built-in grids),
2 bad command line or environment value (nothing is started; with
--market binance also a --symbols symbol the venue's exchangeInfo does not
list, found before the market data starts and before any order).`;

/** Restores the journal; a strategy on a symbol the source has not defined yet (feed) gets a message that says what to do. */
function restoreJournal(engine: TradingEngine, dataDir: string, market: string): ReturnType<TradingEngine['restore']> {
  try {
    return engine.restore();
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'SPREADCORE_ERR_UNKNOWN_SYMBOL') throw e;
    throw new SpreadcoreError('SPREADCORE_ERR_UNKNOWN_SYMBOL',
      `the journal in ${dataDir} holds a strategy on a symbol the ${market} market does not have at start (${(e as Error).message}): use another --data-dir, or a market that carries the symbol`);
  }
}

export const serveCommand: Command = {
  name: 'serve',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const o = parseServeOptions(args, io.env);
    const log = createLogger({ stream: io.stderr, level: o.logLevel, name: 'spreadcore serve' });
    const clusterCfg = parseClusterOptions(args, io.env);
    const prepared = await prepareMarket(o);
    /** Paper execution on Binance's market data: each symbol's grids (exchangeInfo, --instruments, or the built-in table), read before anything is opened. */
    let paperSpecs: readonly BinanceInstrumentSpec[] | undefined;
    /** Paper execution: the grids from the venue are read again when a symbol's depth goes off them (the venue changed them). */
    let paperGrids: VenueGridSource | undefined;
    if (o.market.kind === 'binance' && o.live === null && clusterCfg?.mdSource !== 'nats') {
      const inFile = o.instrumentsFile;
      const restUrl = resolveConnectorConfig({ market: o.market.market, symbols: o.symbols, ...(o.market.restUrl !== undefined ? { restUrl: o.market.restUrl } : {}) }).restUrl;
      try {
        const g = await paperBinanceGrids({
          market: o.market.market, restUrl, symbols: o.symbols,
          fromFile: inFile === undefined ? [] : o.instruments.filter((s) => inFile.symbols.includes(s.symbol)),
          ...(inFile !== undefined ? { fileLabel: `--instruments ${inFile.path}` } : {}),
        });
        if (g.fallback) log.warn(g.line);
        else log.info(g.line);
        for (const w of g.warnings) log.warn(w);
        paperSpecs = g.specs;
        paperGrids = paperGridSource({ market: o.market.market, restUrl, symbols: o.symbols.filter((s) => inFile?.symbols.includes(s) !== true) });
      } catch (e) {
        if (!(e instanceof PaperGridsUnavailableError)) throw e;
        log.error(e.message);
        return 1;
      }
    }
    const dataDir = resolvePath(o.dataDir);

    mkdirSync(dataDir, { recursive: true });
    const journal = Journal.open(dataDir);
    const venueName = o.prediction !== null ? o.prediction.venues.join('+') : o.live === null ? 'paper' : o.live.market === 'spot' ? 'binance' : 'binance-usdm';
    const otherVenues = journal.fillVenues().filter((v) => v !== venueName);
    if (otherVenues.length > 0) {
      journal.close();
      log.error(`the journal in ${dataDir} holds fills of ${otherVenues.join(', ')}; ${venueName} execution keeps its own positions: give it another --data-dir`);
      return 1;
    }
    let live: BinanceLive | undefined;
    /** Live execution: each symbol's grids (the venue's, or the built-in table's when they agree). */
    let liveSpecs: readonly BinanceInstrumentSpec[] | undefined;
    let pred: PredictionLive | undefined;
    let predIngest: FeedIngest | undefined;
    let engine: TradingEngine | undefined;
    let gateway: Gateway | undefined;
    let hub: SseHub | undefined;
    let clusterHub: SseHub | undefined;
    let market: RunningMarket | undefined;
    let feed: FeedHandler | undefined;
    let cluster: ClusterNode | undefined;
    let metrics: EngineMetrics | undefined;
    try {
      if (o.live !== null) {
        const lx = o.live;
        if (lx.production) log.warn(`*** MAINNET *** ${lx.mode}: orders go to Binance's production exchange (${lx.restUrl}) with real money`);
        let ref: TradingEngine | undefined;
        try {
          live = await BinanceLive.connect({
            market: lx.market, production: lx.production, restUrl: lx.restUrl, wsApiUrl: lx.wsApiUrl, userStreamUrl: lx.userStreamUrl,
            symbols: o.symbols, apiKey: lx.apiKey, apiSecret: lx.apiSecret, ed25519: lx.ed25519, orphanOrders: lx.orphanOrders,
            log: (line) => log.info(line), warn: (line) => log.warn(line),
          }, (sym) => ref?.ingest.bySymbolName(sym)?.instrument, (sym, side) => {
            const st = ref?.ingest.bySymbolName(sym);
            if (ref === undefined || st === undefined) return Number.NaN;
            const tick = side === 'BUY' ? ref.ingest.books.bestAskTick(st.book) : ref.ingest.books.bestBidTick(st.book);
            return Number.isFinite(tick) ? tick : Number.NaN;
          }, (sym) => {
            // the PERCENT_PRICE reference: the book's mid (the engine's ticks), NaN without both sides
            const st = ref?.ingest.bySymbolName(sym);
            if (ref === undefined || st === undefined) return Number.NaN;
            const mid = (ref.ingest.books.bestBidTick(st.book) + ref.ingest.books.bestAskTick(st.book)) / 2;
            return Number.isFinite(mid) ? mid : Number.NaN;
          });
        } catch (e) {
          // a --symbols symbol the venue does not list: a bad command line, refused before anything is placed
          if (e instanceof BinanceError && e.code === 'BINANCE_ERR_UNLISTED_SYMBOL') throw usageError(`--symbols: ${e.message}`);
          log.error(`cannot connect to Binance (${lx.mode}, ${lx.restUrl}): ${e instanceof Error ? e.message : String(e)}`);
          return 1;
        }
        // the grids of the books and of the orders, from the venue's exchangeInfo, before the market data starts
        const connected = live;
        const choices = gridsFromRules(lx.market, o.symbols, (s) => connected.venue.symbolRules(s));
        for (const c of choices) {
          if (c.tableDiffers !== null) log.warn(c.tableDiffers);
          else if (c.source === 'venue') {
            log.info(`binance: ${c.spec.symbol} grids from the venue's exchangeInfo: tick ${c.spec.tickSize}, order step ${c.spec.orderLotSize}, book quantities on ${c.spec.lotSize}`);
          }
        }
        liveSpecs = choices.map((c) => c.spec);
        engine = new TradingEngine({
          journal, log, venue: live.venue, paper: { makerFeeBps: o.makerFeeBps, takerFeeBps: o.takerFeeBps }, manualMaxNotional: o.manualMaxNotional, riskLimits: o.riskLimits,
        });
        ref = engine;
      } else if (o.prediction !== null) {
        if (o.prediction.production) log.warn(`*** PRODUCTION *** ${o.prediction.venues.join(' and ')}: orders go to the venues' production exchanges with real money`);
        pred = new PredictionLive(o.prediction, (line) => log.info(line));
        // a quiet prediction market sends nothing for minutes: staleness comes from the venue links (a drop invalidates the books), not from silence
        predIngest = new FeedIngest(undefined, { staleFeedMs: PREDICTION_STALE_FEED_MS });
        engine = new TradingEngine({
          ingest: predIngest, journal, log, venue: pred.venue, paper: { makerFeeBps: o.makerFeeBps, takerFeeBps: o.takerFeeBps }, manualMaxNotional: o.manualMaxNotional, riskLimits: o.riskLimits,
        });
        engine.symbolVenue = (symbol) => {
          const v = pred!.venue.venueOf(symbol);
          return v === undefined ? undefined : v.name;
        };
        try {
          await pred.connect(engine);
        } catch (e) {
          log.error(`cannot connect to ${o.prediction.venues.join(' / ')}: ${e instanceof Error ? e.message : String(e)}`);
          return 1;
        }
      } else {
        engine = new TradingEngine({
          journal, log, paper: { makerFeeBps: o.makerFeeBps, takerFeeBps: o.takerFeeBps }, manualMaxNotional: o.manualMaxNotional, riskLimits: o.riskLimits,
          // in a cluster, order and trade ids name the node (fills are unique across the cluster's stream)
          ...(clusterCfg !== null ? { idPrefix: `${clusterCfg.nodeId}.${Date.now().toString(36)}` } : {}),
        });
      }
      const eng = engine;
      eng.loadEvents(o.events);
      // ids from an earlier run are told apart (resync, not a wrong replay)
      hub = new SseHub({ firstId: Date.now() * 1000 });
      attachEngine(hub, eng.events);
      // the source defines its instruments first: restored strategies load on known symbols
      // live execution: a symbol whose depth goes off its grid, or whose orders the venue refuses off it,
      // has the venue's exchangeInfo read again (a changed tick or step is picked up)
      market = clusterCfg?.mdSource === 'nats' ? natsMarket(eng, log, o.tickMs)
        : prepared.start(eng, io, log, liveSpecs ?? paperSpecs, live !== undefined ? liveGridSource(live) : paperGrids);
      // a node fed from NATS learns the markets from the publisher before its journal's strategies load
      if (clusterCfg?.mdSource === 'nats') await awaitDefinitions(clusterCfg.url, eng.ingest);
      const restored = restoreJournal(eng, dataDir, o.market.kind);
      if (clusterCfg !== null) {
        try {
          cluster = await ClusterNode.join({ ...clusterCfg, mdVenue: mdVenueOf(o.market) }, eng, (line) => log.info(line));
        } catch (e) {
          log.error(`cannot join the cluster: ${e instanceof Error ? e.message : String(e)}`);
          return 1;
        }
      }
      const cn = cluster;
      if (cn !== undefined) {
        // GET /api/stream: every node's events, each with its node_id (scope=node: this node's only)
        clusterHub = new SseHub({ firstId: Date.now() * 1000 });
        cn.startEvents(clusterHub);
      }
      const lv = live;
      const pv = pred;
      let reconcile = '';
      if (pv !== undefined) {
        reconcile = await pv.afterRestore();
        eng.afterKill = () => {
          pv.cancelAll().then(
            (c) => (c.confirmed ? log.info('kill switch: no order left open at the venues (confirmed by listing open orders)') : log.warn(`kill switch: ${describeCancelOutcome(c, pv.venues, STOP_CANCEL_TIMEOUT_MS / 1000)}`)),
            (e: unknown) => log.error(`kill switch: cancelling at the venues failed: ${e instanceof Error ? e.message : String(e)}`),
          );
        };
      }
      if (lv !== undefined) {
        let r: ReconcileSummary;
        try {
          r = await lv.start(eng);
        } catch (e) {
          // a refused key, or Binance gone between the connection and the first reconciliation
          log.error(`cannot start trading on Binance (${o.live!.mode}, ${o.live!.restUrl}): ${e instanceof Error ? e.message : String(e)}`);
          return 1;
        }
        reconcile = `; reconciled: ${r.fillsApplied} missed fills journaled, ${r.ordersCancelled} untracked orders cancelled${r.ok ? '' : `, MISMATCH: ${r.mismatches.join('; ')}; ${MISMATCH_HINT}`}`;
        eng.afterKill = () => {
          // a 429, a ban or a lost answer does not end it: sent again once it may, while the kill switch stays on
          lv.cancelAll({ timeoutMs: KILL_CANCEL_TIMEOUT_MS, keepGoing: () => eng.killed }).then(
            (c) => (c.confirmed ? log.info('kill switch: no order left open at Binance (confirmed by an open-orders query)')
              : c.abandoned === true ? log.info('kill switch: released before Binance confirmed the cancels; the venue-wide cancel is not sent (the strategies\' own cancels still are)')
              : c.error !== undefined ? log.error(`kill switch: cancelling at Binance failed: ${c.error}; orders may still be open there`)
                : log.warn(`kill switch: ${c.remaining} order(s) still open at Binance`)),
            (e: unknown) => log.error(`kill switch: cancelling at Binance failed: ${e instanceof Error ? e.message : String(e)}`),
          );
        };
      }
      if (o.feedPort !== 0) {
        feed = new FeedHandler(eng.ingest, { host: '127.0.0.1', port: o.feedPort, ...(o.feedToken !== undefined ? { token: o.feedToken } : {}) });
      }
      const fh = feed;
      metrics = new EngineMetrics(eng, {
        stream: hub,
        market: () => ({ source: o.market.kind, state: market?.state() ?? 'starting' }),
        ...(fh !== undefined ? { feedHandler: () => fh.stats().totals } : {}),
        ...(lv !== undefined ? { venue: () => ({ venue: lv.venue.name, values: lv.venue.metrics() }) } : {}),
      });
      const m = metrics;
      // POST /api/reconcile: the live venue's reconciliation on request (none on the paper exchange)
      let liveControl: LiveControl | undefined;
      if (pv !== undefined) {
        liveControl = {
          reconcile: async () => {
            try {
              return await pv.reconcileOnRequest();
            } catch (e) {
              throw new HttpError(502, 'SPREADCORE_ERR_VENUE_UNAVAILABLE', `${e instanceof Error ? e.message : String(e)}; `
                + 'the strategies stay paused (venue); the reconcile is tried again in the background until the venue answers '
                + '(GET /api/health: execution.<venue>.last_reconcile, execution.<venue>.reconcile_failures)');
            }
          },
        };
      }
      if (lv !== undefined) {
        liveControl = {
          reconcile: async () => {
            try {
              return reconcileAnswer(lv.venue.name, await lv.reconcileOnRequest(), eng.killed);
            } catch (e) {
              throw new HttpError(502, 'SPREADCORE_ERR_VENUE_UNAVAILABLE', `the reconciliation with Binance failed: ${e instanceof Error ? e.message : String(e)}; `
                + 'the strategies stay paused (venue) and it is tried again in the background (GET /api/health: execution.last_reconcile)');
            }
          },
        };
      }
      gateway = new Gateway(eng, {
        log, ...(liveControl !== undefined ? { live: liveControl } : {}),
        host: o.host, port: o.port, stream: hub, ...(o.token !== undefined ? { token: o.token } : {}),
        metrics: (g) => m.render(g),
        ...(cn !== undefined ? { routes: clusterRoutes(cn), forward: cn.api, nodeId: cn.cfg.nodeId, ...(clusterHub !== undefined ? { clusterStream: clusterHub } : {}) } : {}),
        ...(o.rateLimit > 0 ? { rateLimit: { api: { ratePerSecond: o.rateLimit, burst: o.rateBurst } } } : {}),
        healthInfo: () => ({
          execution: pv !== undefined ? { mode: 'live', venue: pv.venue.name, ...pv.health() } : lv === undefined ? { mode: 'paper', venue: 'paper' } : { mode: o.live!.mode, ...lv.health() },
          market: o.market.kind, market_state: market?.state() ?? 'starting', ...market?.health(),
          risk_limits: o.riskLimits,
          ...(fh !== undefined ? { feed_handler: { url: `ws://127.0.0.1:${fh.port}${fh.path}`, connections: fh.stats().totals.connectionsOpen } } : {}),
        }),
      });
      const bound = await gateway.listen();
      if (cn !== undefined) {
        const g = gateway;
        cn.api.serve((r) => g.dispatch(r));
      }
      const feedBound = feed === undefined ? 0 : await feed.listen();
      if (cn !== undefined) {
        cn.setApi(gateway.url);
        io.stdout.write(`spreadcore serve: cluster: node ${clusterCfg!.nodeId} on ${clusterCfg!.url} (lease TTL ${clusterCfg!.leaseTtlMs} ms; GET ${gateway.url}/api/cluster)\n`);
      }
      const transportLine = transportNotice(gateway.transport.name);
      if (transportLine !== null) log.warn(transportLine);
      const stopSignal = untilStopSignal();
      io.stdout.write(
        `spreadcore serve: market: ${market.describe}; ${pv !== undefined ? `live execution: ${pv.describe()}; ${reconcile}` : lv === undefined ? 'paper execution' : `${o.live!.mode} execution: ${o.live!.production ? 'PRODUCTION' : 'testnet'} ${o.live!.restUrl}${o.live!.market === 'spot' ? `, WebSocket API ${o.live!.wsApiUrl}` : `, user data ${o.live!.userStreamUrl}/ws/<listenKey>`}${reconcile}`}\n`
        + `spreadcore serve: journal: ${dataDir} (restored ${restored.strategies.length} strategies, ${restored.fills} fills, kill_switch ${restored.kill_switch})\n`
        + (feed !== undefined ? `spreadcore serve: feed handler listening on ws://127.0.0.1:${feedBound}${feed.path}${o.feedToken !== undefined ? ' (bearer token required)' : ''}\n` : '')
        + `spreadcore serve: control API listening on ${gateway.url}/api on port ${bound} (dashboard: ${gateway.url}/, health: ${gateway.url}/api/health, events: ${gateway.url}/api/stream, metrics: ${gateway.url}/metrics)${o.token !== undefined ? ', bearer token required' : ''}; Ctrl-C to stop\n`);

      await stopSignal;
      await cn?.close();
      let stopped = 0;
      for (const s of eng.list()) {
        if (s.status === 'running' || s.status === 'paused') {
          try { eng.stop(s.strategy_id); stopped++; } catch (e) { log.error(`stopping ${s.strategy_id} failed: ${e instanceof Error ? e.message : String(e)}`); }
        }
      }
      io.stdout.write(`spreadcore serve: stopped ${stopped} strategies; closing\n`);
      if (lv !== undefined) {
        // a 429 or a ban shorter than the wait is waited out; a request in flight may take its own timeout past it
        const c = await Promise.race([lv.cancelAll({ timeoutMs: STOP_CANCEL_TIMEOUT_MS }), new Promise<null>((r) => setTimeout(() => r(null), STOP_CANCEL_TIMEOUT_MS + 2_000).unref())])
          .catch((e: unknown) => ({ confirmed: false, remaining: 0, error: e instanceof Error ? e.message : String(e) }));
        const leftover = lv.config.market === 'usdm'
          ? 'the next start cancels them, and Binance does within 120 s (countdownCancelAll)' : 'the next start cancels them';
        io.stdout.write(`spreadcore serve: ${c === null ? `could not confirm the cancels at Binance within ${STOP_CANCEL_TIMEOUT_MS / 1000} s; orders may still be open there: ${leftover}`
          : c.confirmed ? 'no order left open at Binance'
            : c.error !== undefined ? `could not cancel at Binance: ${c.error}; orders may still be open there: ${leftover}`
              : `${c.remaining} order(s) still open at Binance: ${leftover}`}\n`);
      }
      if (pv !== undefined) {
        const c = await Promise.race([pv.cancelAll(), new Promise<null>((r) => setTimeout(() => r(null), STOP_CANCEL_TIMEOUT_MS).unref())]).catch(() => null);
        io.stdout.write(`spreadcore serve: ${describeCancelOutcome(c, pv.venues, STOP_CANCEL_TIMEOUT_MS / 1000)}\n`);
      }
      // idle keep-alive connections of clients would hold the process until they time out:
      // once everything is closed, give them a moment, then end the process
      setTimeout(() => process.exit(process.exitCode ?? EXIT_OK), 500).unref();
      return EXIT_OK;
    } finally {
      await market?.stop().catch(() => undefined);
      await cluster?.close();
      metrics?.detach();
      feed?.close();
      hub?.close();
      clusterHub?.close();
      gateway?.close();
      engine?.close();
      await live?.close();
      await pred?.close();
      predIngest?.close();
      journal.close();
    }
  },
};
