// The command line of `spreadcore serve`: every flag also from an environment
// variable (the flag wins). Everything is checked here, before anything is opened
// or bound: a bad value is a usage error (exit 2) naming the flag or the variable.
// Token values never appear in a message.
import { SpreadcoreError } from '../errors.js';
import { parseLogLevel, type LogLevel } from '../log/logger.js';
import { resolveConnectorConfig } from '../feed/binance/connector-config.js';
import type { BinanceMarket } from '../feed/binance/messages.js';
import { GRID_REREAD_INTERVAL_MS } from '../feed/binance/grid-reread-throttle.js';
import type { BinanceInstrumentSpec } from '../feed/binance/instruments.js';
import { instrumentSpecsOf, readInstrumentsFile } from './instruments-flag.js';
import { readRiskLimits } from './risk-limits-flag.js';
import type { RiskLimits } from '../risk/risk-limits.js';
import { parseSpeed, type ReplaySpeed } from '../feed/recording/pacer.js';
import { isLoopbackHost } from '../feed/handler/bearer-auth.js';
import { checkFeeBps } from '../execution/paper-config.js';
import { DEFAULT_MANUAL_MAX_NOTIONAL } from '../engine/manual-account.js';
import { intFlag, usageError, parseOnlyFlags, urlFlag } from './flags.js';
import { readEventMapFile, type EventDef } from '../engine/event-map.js';
import { MAX_UNIVERSE_MARKETS } from '../feed/sim/binary-universe.js';
import { parseExecution, type LiveExecution } from './serve-execution.js';
import { parsePrediction, predictionVenuesOf, type PredictionOptions, type PredictionVenue } from './serve-prediction.js';

export const TOKEN_ENV_API = 'SPREADCORE_API_TOKEN';
export const FEED_TOKEN_ENV = 'SPREADCORE_FEED_TOKEN';

export const SERVE_FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'feed-port': { type: 'string' },
  cluster: { type: 'string' },
  'node-id': { type: 'string' },
  'lease-ttl-ms': { type: 'string' },
  'md-publish': { type: 'boolean' },
  'md-source': { type: 'string' },
  'forward-timeout-ms': { type: 'string' },
  'cluster-daily-loss-limit': { type: 'string' },
  'cluster-event-exposure-limit': { type: 'string' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  token: { type: 'string' },
  'tick-ms': { type: 'string' },
  market: { type: 'string' },
  speed: { type: 'string' },
  symbols: { type: 'string' },
  'binance-rest-url': { type: 'string' },
  'binance-ws-url': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-burst': { type: 'string' },
  'maker-fee-bps': { type: 'string' },
  'taker-fee-bps': { type: 'string' },
  'manual-max-notional': { type: 'string' },
  'risk-limits': { type: 'string' },
  execution: { type: 'string' },
  mainnet: { type: 'boolean' },
  'binance-ws-api-url': { type: 'string' },
  'orphan-orders': { type: 'string' },
  'grid-reread-s': { type: 'string' },
  'event-map': { type: 'string' },
  universe: { type: 'string' },
  'kalshi-rest-url': { type: 'string' },
  'kalshi-ws-url': { type: 'string' },
  'kalshi-tickers': { type: 'string' },
  'polymarket-rest-url': { type: 'string' },
  'polymarket-ws-url': { type: 'string' },
  'polymarket-markets': { type: 'string' },
  production: { type: 'boolean' },
  record: { type: 'string' },
  'log-level': { type: 'string' },
  instruments: { type: 'string' },
} as const;

/** Environment variable of each flag. */
export const SERVE_ENV: Readonly<Record<keyof typeof SERVE_FLAGS, string>> = {
  host: 'SPREADCORE_HOST',
  port: 'SPREADCORE_PORT',
  'feed-port': 'SPREADCORE_FEED_PORT',
  cluster: 'SPREADCORE_CLUSTER',
  'node-id': 'SPREADCORE_NODE_ID',
  'lease-ttl-ms': 'SPREADCORE_LEASE_TTL_MS',
  'md-publish': 'SPREADCORE_MD_PUBLISH',
  'md-source': 'SPREADCORE_MD_SOURCE',
  'forward-timeout-ms': 'SPREADCORE_FORWARD_TIMEOUT_MS',
  'cluster-daily-loss-limit': 'SPREADCORE_CLUSTER_DAILY_LOSS_LIMIT',
  'cluster-event-exposure-limit': 'SPREADCORE_CLUSTER_EVENT_EXPOSURE_LIMIT',
  seed: 'SPREADCORE_SEED',
  'data-dir': 'SPREADCORE_DATA_DIR',
  token: TOKEN_ENV_API,
  'tick-ms': 'SPREADCORE_TICK_MS',
  market: 'SPREADCORE_MARKET',
  speed: 'SPREADCORE_SPEED',
  symbols: 'SPREADCORE_SYMBOLS',
  'binance-rest-url': 'SPREADCORE_BINANCE_REST_URL',
  'binance-ws-url': 'SPREADCORE_BINANCE_WS_URL',
  'rate-limit': 'SPREADCORE_RATE_LIMIT',
  'rate-burst': 'SPREADCORE_RATE_BURST',
  'maker-fee-bps': 'SPREADCORE_MAKER_FEE_BPS',
  'taker-fee-bps': 'SPREADCORE_TAKER_FEE_BPS',
  'manual-max-notional': 'SPREADCORE_MANUAL_MAX_NOTIONAL',
  'risk-limits': 'SPREADCORE_RISK_LIMITS',
  execution: 'SPREADCORE_EXECUTION_MODE',
  mainnet: 'SPREADCORE_MAINNET',
  'binance-ws-api-url': 'SPREADCORE_BINANCE_WS_API_URL',
  'orphan-orders': 'SPREADCORE_ORPHAN_ORDERS',
  'grid-reread-s': 'SPREADCORE_GRID_REREAD_S',
  'event-map': 'SPREADCORE_EVENT_MAP',
  universe: 'SPREADCORE_UNIVERSE',
  'kalshi-rest-url': 'SPREADCORE_KALSHI_REST_URL',
  'kalshi-ws-url': 'SPREADCORE_KALSHI_WS_URL',
  'kalshi-tickers': 'SPREADCORE_KALSHI_TICKERS',
  'polymarket-rest-url': 'SPREADCORE_POLYMARKET_REST_URL',
  'polymarket-ws-url': 'SPREADCORE_POLYMARKET_WS_URL',
  'polymarket-markets': 'SPREADCORE_POLYMARKET_MARKETS',
  production: 'SPREADCORE_PRODUCTION',
  record: 'SPREADCORE_RECORD',
  'log-level': 'SPREADCORE_LOG_LEVEL',
  instruments: 'SPREADCORE_INSTRUMENTS',
};

export type ServeMarket =
  | { kind: 'sim' }
  | { kind: 'replay'; path: string; format: 'binance' | 'screc' }
  | { kind: 'binance'; market: BinanceMarket; restUrl: string | undefined; wsUrl: string | undefined }
  | { kind: 'feed' }
  | { kind: 'prediction'; venues: PredictionVenue[] };

export interface ServeOptions {
  /** Logs below this level are not written (--log-level, default info). */
  logLevel: LogLevel;
  host: string;
  port: number;
  /** 0 = no feed handler. */
  feedPort: number;
  seed: number;
  dataDir: string;
  token: string | undefined;
  feedToken: string | undefined;
  tickMs: number;
  /** Least time between two reads of a Binance symbol's exchangeInfo while its grid looks changed, ms (--grid-reread-s, default 30 s). */
  gridRereadMs: number;
  market: ServeMarket;
  /** Where --market came from, for messages: "--market" or "environment variable SPREADCORE_MARKET: --market". */
  marketOrigin: string;
  speed: ReplaySpeed;
  symbols: string[];
  /** Requests per second per client on the API; 0 = no limit. */
  rateLimit: number;
  rateBurst: number;
  /** The paper exchange's fee schedule, bps of notional (a strategy without its own fee parameters pays these). */
  makerFeeBps: number;
  takerFeeBps: number;
  /** The manual account's limit per symbol, quote currency of position value. */
  manualMaxNotional: number;
  /** The risk limits every strategy and the manual account start with (--risk-limits): the fields given; none without it. */
  riskLimits: Readonly<Partial<RiskLimits>>;
  /** A live venue to trade on instead of the paper exchange (--execution), else null. */
  live: LiveExecution | null;
  /** Events tying symbols together (--event-map FILE), read and checked here. */
  events: EventDef[];
  /** Binary markets of the built-in simulator's universe (--universe N; 0 = none). */
  universeMarkets: number;
  /** Kalshi and/or Polymarket live (--market kalshi|polymarket|kalshi,polymarket), else null. */
  prediction: PredictionOptions | null;
  /**
   * Grids of Binance symbols (--instruments FILE): a recording's symbol (--market replay:FILE), or
   * symbols of paper execution on Binance's market data, replacing the venue's exchangeInfo; empty without the flag.
   */
  instruments: readonly BinanceInstrumentSpec[];
  /** The --instruments file as given and the symbols it names; undefined without the flag. */
  instrumentsFile: { readonly path: string; readonly symbols: readonly string[] } | undefined;
}

export const DEFAULT_FEED_PORT = 8081;

/** The Binance URL flags: schemes, an example, and whether only a base URL (no query or fragment) is taken. */
const BINANCE_URL_FLAGS: readonly (readonly ['binance-rest-url' | 'binance-ws-url' | 'binance-ws-api-url', readonly string[], string, boolean])[] = [
  ['binance-rest-url', ['http:', 'https:'], 'http://127.0.0.1:8090 or https://api.binance.com', true],
  ['binance-ws-url', ['ws:', 'wss:'], 'ws://127.0.0.1:8090 or wss://stream.binance.com:9443', true],
  ['binance-ws-api-url', ['ws:', 'wss:'], 'wss://ws-api.binance.com:443/ws-api/v3', false],
];
const SYMBOL_RE = /^[A-Z0-9][A-Z0-9._-]{0,31}$/;

/** Parses serve's arguments and environment; throws a usage error (SPREADCORE_ERR_BAD_FLAG). */
export function parseServeOptions(args: readonly string[], env: Readonly<Record<string, string | undefined>>): ServeOptions {
  const flags = parseOnlyFlags(args, SERVE_FLAGS);
  /** The flag's value, else its variable's (an empty variable counts as unset). */
  const raw = (name: keyof typeof SERVE_FLAGS): { v: string | undefined; fromEnv: boolean } => {
    const f = flags[name];
    if (f !== undefined) return { v: f === true ? 'true' : f, fromEnv: false };
    const e = env[SERVE_ENV[name]];
    return { v: e === '' ? undefined : e, fromEnv: e !== undefined && e !== '' };
  };
  /** Runs a check; a failure on an environment value names the variable. */
  const check = <T>(name: keyof typeof SERVE_FLAGS, f: (v: string | undefined) => T): T => {
    const r = raw(name);
    try {
      return f(r.v);
    } catch (e) {
      if (!(e instanceof SpreadcoreError)) throw e;
      throw usageError(r.fromEnv ? `environment variable ${SERVE_ENV[name]}: ${e.message}` : e.message);
    }
  };
  const int = (name: keyof typeof SERVE_FLAGS, dflt: number, min: number, max: number): number => check(name, (v) => intFlag(name, v, dflt, min, max));

  const host = raw('host').v ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(host)) throw usageError(`--host must be an address or host name, got ${JSON.stringify(host)}`);
  const port = int('port', 8080, 0, 65535);
  const seed = int('seed', 1, 0, 2 ** 31 - 1);
  const tickMs = int('tick-ms', 5, 1, 1000);
  const gridRereadMs = int('grid-reread-s', GRID_REREAD_INTERVAL_MS / 1000, 1, 3600) * 1000;
  const dataDir = raw('data-dir').v ?? './data';
  const token = raw('token').v;
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) {
    throw usageError(`--token (or ${TOKEN_ENV_API}) must be at least 16 characters without spaces`);
  }
  if (token === undefined && !isLoopbackHost(host)) throw usageError(`--host ${host} is not a loopback address: give a --token (or ${TOKEN_ENV_API}) to bind it`);
  const feedTokenRaw = env[FEED_TOKEN_ENV];
  const feedToken = feedTokenRaw === undefined || feedTokenRaw === '' ? undefined : feedTokenRaw;
  if (feedToken !== undefined && (feedToken.length < 16 || /\s/.test(feedToken))) throw usageError(`${FEED_TOKEN_ENV} must be at least 16 characters without spaces`);

  const marketRaw0 = raw('market').v;
  const mainnetAsked = flags.mainnet === true || env[SERVE_ENV.mainnet] === '1';
  if (mainnetAsked && marketRaw0 !== undefined && predictionVenuesOf(marketRaw0) !== null) {
    throw usageError(`--mainnet is Binance's production switch; for Kalshi and Polymarket production use --production (--market ${marketRaw0} trades on Kalshi's demo / a named Polymarket host by default)`);
  }
  // the Binance URLs are checked before anything reads them: a bad one names the flag (or its variable) and what it takes
  for (const [name, schemes, example, baseOnly] of BINANCE_URL_FLAGS) check(name, (v) => (v === undefined ? undefined : urlFlag(`--${name}`, v, schemes, example, baseOnly)));
  const live = parseExecution({
    flag: typeof flags.execution === 'string' ? flags.execution : undefined, mainnet: flags.mainnet === true || env[SERVE_ENV.mainnet] === '1',
    restUrl: raw('binance-rest-url').v, wsUrl: raw('binance-ws-url').v, wsApiUrl: raw('binance-ws-api-url').v,
    orphanOrders: raw('orphan-orders').v, env,
  });
  // a live venue trades on the market its data comes from: Binance's, through the connector
  const liveMarket = live === null ? undefined : `binance:${live.market}`;
  const marketRaw = raw('market').v;
  if (live !== null && marketRaw !== undefined && marketRaw !== liveMarket && !(marketRaw === 'binance' && live.market === 'spot')) {
    throw usageError(`--execution ${live.mode} trades on Binance ${live.market}: --market must be ${liveMarket} (the default with it), got ${JSON.stringify(marketRaw)}`);
  }
  const market = check('market', (v) => parseMarket(v ?? liveMarket ?? 'sim'));
  const feedPort = int('feed-port', market.kind === 'feed' ? DEFAULT_FEED_PORT : 0, 0, 65535);
  if (market.kind === 'feed' && feedPort === 0) throw usageError('--market feed takes its data from the feed handler: --feed-port must not be 0');
  if (feedPort !== 0 && feedPort === port) throw usageError(`--feed-port and --port are both ${port}`);

  const speedR = raw('speed');
  if (speedR.v !== undefined && market.kind !== 'replay') throw usageError('--speed applies to --market replay:FILE only');
  const speed = check('speed', (v) => (v === undefined ? 1 : parseSpeed(v)));

  const instR = raw('instruments');
  if (instR.v !== undefined) {
    const where = instR.fromEnv ? `environment variable ${SERVE_ENV.instruments}: ` : '';
    if (market.kind === 'replay' && market.format === 'screc') {
      throw usageError(`${where}--instruments applies to a Binance recording; a .screc recording carries its own instrument definitions`);
    }
    if (market.kind === 'binance' && live !== null) {
      throw usageError(`${where}--instruments applies to paper execution; live execution (--execution ${live.mode}) trades on the grids of the venue's exchangeInfo`);
    }
    if (market.kind !== 'replay' && market.kind !== 'binance') {
      throw usageError(`${where}--instruments applies to --market replay:FILE (a Binance recording) and --market binance with paper execution only`);
    }
  }
  const instOverrides = check('instruments', (v) => (v === undefined ? undefined : readInstrumentsFile(v)));
  const instruments = instOverrides === undefined ? [] : instrumentSpecsOf(instOverrides);

  const symR = raw('symbols');
  if (symR.v !== undefined && market.kind !== 'binance') throw usageError('--symbols applies to --market binance only (the simulator and recordings bring their own)');
  const symbols = check('symbols', (v) => parseSymbols(v ?? 'BTCUSDT'));

  for (const n of ['binance-rest-url', 'binance-ws-url'] as const) {
    if (raw(n).v !== undefined && market.kind !== 'binance') throw usageError(`--${n} applies to --market binance only`);
  }
  if (market.kind === 'binance') {
    market.restUrl = raw('binance-rest-url').v ?? (live !== null ? live.restUrl : undefined);
    market.wsUrl = raw('binance-ws-url').v ?? (live !== null ? live.marketWsUrl ?? testnetStreams(live) : undefined);
    try {
      resolveConnectorConfig({ market: market.market, symbols, ...(market.restUrl !== undefined ? { restUrl: market.restUrl } : {}), ...(market.wsUrl !== undefined ? { wsUrl: market.wsUrl } : {}) });
    } catch (e) {
      if (e instanceof SpreadcoreError) throw usageError(`--market binance: ${e.message}`);
      throw e;
    }
  }
  const rateLimit = int('rate-limit', 50, 0, 1_000_000);
  const rateBurst = int('rate-burst', Math.max(1, rateLimit * 2), 1, 1_000_000);
  const fee = (name: 'maker-fee-bps' | 'taker-fee-bps'): number => check(name, (v) => {
    if (v === undefined) return 10;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw usageError(`--${name} must be a number of bps (negative for a rebate), got ${JSON.stringify(v)}`);
    try { return checkFeeBps(name.replace(/-/g, '_'), x); } catch (e) {
      if (e instanceof SpreadcoreError) throw usageError(`--${name}: ${e.message.replace(/^paper exchange \S+ /, '')}`);
      throw e;
    }
  });
  const makerFeeBps = fee('maker-fee-bps');
  const takerFeeBps = fee('taker-fee-bps');
  const manualMaxNotional = check('manual-max-notional', (v) => {
    if (v === undefined) return DEFAULT_MANUAL_MAX_NOTIONAL;
    const x = Number(v);
    if (v.trim() === '' || !(x > 0) || !Number.isFinite(x)) throw usageError(`--manual-max-notional must be a positive amount of the quote currency, got ${JSON.stringify(v)}`);
    return x;
  });
  const riskLimits = check('risk-limits', (v) => (v === undefined ? {} : readRiskLimits(v)));
  const marketOrigin = raw('market').fromEnv ? `environment variable ${SERVE_ENV.market}: --market` : '--market';
  const events = check('event-map', (v) => (v === undefined ? [] : readEventMapFile(v)));
  // the built-in market lists a universe of binary markets unless --universe 0 (3 fixed instruments + up to MAX_UNIVERSE_MARKETS)
  const universeMarkets = int('universe', 24, 0, MAX_UNIVERSE_MARKETS);
  const production = flags.production === true || env[SERVE_ENV.production] === '1';
  if (production && market.kind !== 'prediction') throw usageError('--production applies to --market kalshi / polymarket only (Binance production is --execution binance-spot|binance-usdm with --mainnet)');
  // the venue flags are checked either way (a Kalshi URL without --market kalshi is a mistake worth naming)
  const parsedPrediction = parsePrediction({
    venues: market.kind === 'prediction' ? market.venues : [], production,
    kalshiRestUrl: raw('kalshi-rest-url').v, kalshiWsUrl: raw('kalshi-ws-url').v, kalshiTickers: raw('kalshi-tickers').v,
    polymarketRestUrl: raw('polymarket-rest-url').v, polymarketWsUrl: raw('polymarket-ws-url').v, polymarketMarkets: raw('polymarket-markets').v,
    record: raw('record').v, env,
  });
  const prediction = market.kind === 'prediction' ? parsedPrediction : null;
  const logLevel = check('log-level', (v) => parseLogLevel(v ?? 'info'));
  return { logLevel, host, port, feedPort, seed, dataDir, token, feedToken, tickMs, gridRereadMs, market, marketOrigin, speed, symbols, rateLimit, rateBurst, makerFeeBps, takerFeeBps, manualMaxNotional, riskLimits, live, events, universeMarkets, prediction, instruments, instrumentsFile: instR.v === undefined || instOverrides === undefined ? undefined : { path: instR.v, symbols: Object.keys(instOverrides) } };
}

/** The public market-data streams that go with a live mode's endpoints (testnet data for a testnet venue). */
function testnetStreams(live: LiveExecution): string | undefined {
  if (live.production) return undefined;
  return live.market === 'spot' ? 'wss://stream.testnet.binance.vision' : 'wss://fstream.binancefuture.com';
}

function parseMarket(v: string): ServeMarket {
  if (v === 'sim') return { kind: 'sim' };
  if (v === 'feed') return { kind: 'feed' };
  if (v === 'binance' || v === 'binance:spot') return { kind: 'binance', market: 'spot', restUrl: undefined, wsUrl: undefined };
  if (v === 'binance:usdm') return { kind: 'binance', market: 'usdm', restUrl: undefined, wsUrl: undefined };
  const venues = predictionVenuesOf(v);
  if (venues !== null) return { kind: 'prediction', venues };
  if (v.startsWith('replay:')) {
    const path = v.slice('replay:'.length);
    if (path === '') throw usageError('--market replay: needs a file, e.g. --market replay:test/fixtures/binance/spot_btcusdt_20240808.gz');
    return { kind: 'replay', path, format: /\.screc(\.gz)?$/i.test(path) ? 'screc' : 'binance' };
  }
  throw usageError(`--market must be sim, replay:FILE, binance (binance:spot, binance:usdm), kalshi, polymarket, kalshi,polymarket or feed, got ${JSON.stringify(v)}`);
}

function parseSymbols(v: string): string[] {
  const list = v.split(',');
  for (const s of list) if (!SYMBOL_RE.test(s)) throw usageError(`--symbols must be a comma-separated list of upper-case symbols such as BTCUSDT,ETHUSDT, got ${JSON.stringify(v)}`);
  if (new Set(list).size !== list.length) throw usageError(`--symbols lists a symbol twice: ${JSON.stringify(v)}`);
  if (list.length > 32) throw usageError(`--symbols takes at most 32 symbols, got ${list.length}`);
  return list;
}
