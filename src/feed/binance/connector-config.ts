// Configuration of the Binance connector: endpoints (mainnet / testnet presets or
// any URL), streams, timeouts, reconnect backoff and the connection-age rollover.
// Every option is checked once here; a bad one is SPREADCORE_ERR_BAD_PARAM.
import { SpreadcoreError } from '../../errors.js';
import type { BinanceSymbolBinding, BinanceTradeSource } from './binance-ingest-adapter.js';
import type { BinanceInstrumentSpec } from './instruments.js';
import type { BinanceMarket } from './messages.js';
import { checkBackoff, type BackoffOptions } from './reconnect-backoff.js';

export interface BinanceEndpoints {
  /** REST base, e.g. https://api.binance.com (the depth path is appended). */
  readonly restUrl: string;
  /** WebSocket base, e.g. wss://stream.binance.com:9443 (/stream?streams=… is appended). */
  readonly wsUrl: string;
}

export type BinanceNetwork = 'mainnet' | 'testnet';

/** Public market-data endpoints from Binance's API documentation. */
export const BINANCE_ENDPOINTS: Readonly<Record<BinanceMarket, Readonly<Record<BinanceNetwork, BinanceEndpoints>>>> = {
  spot: {
    mainnet: { restUrl: 'https://api.binance.com', wsUrl: 'wss://stream.binance.com:9443' },
    testnet: { restUrl: 'https://testnet.binance.vision', wsUrl: 'wss://stream.testnet.binance.vision' },
  },
  usdm: {
    mainnet: { restUrl: 'https://fapi.binance.com', wsUrl: 'wss://fstream.binance.com' },
    testnet: { restUrl: 'https://testnet.binancefuture.com', wsUrl: 'wss://fstream.binancefuture.com' },
  },
};

/** REST depth snapshot path per market. */
export const DEPTH_PATH: Readonly<Record<BinanceMarket, string>> = { spot: '/api/v3/depth', usdm: '/fapi/v1/depth' };

/** Valid `limit` values of the depth endpoint. */
export const USDM_DEPTH_LIMITS: readonly number[] = [5, 10, 20, 50, 100, 500, 1000];
export const SPOT_DEPTH_LIMIT_MAX = 5000;

export interface BinanceConnectorOptions {
  market: BinanceMarket;
  /** Upper-case symbols ("BTCUSDT") or symbol/symbolId bindings for the ingest. */
  symbols: readonly (string | BinanceSymbolBinding)[];
  /** symbolId of the first plain symbol name (the next get +1, ...). Default 0. */
  firstSymbolId?: number;
  /** Grids for symbols the built-in table does not know, or replacing its grids (live execution: the venue's exchangeInfo). */
  instruments?: readonly BinanceInstrumentSpec[];
  /** 'mainnet' (default), 'testnet', or explicit URLs. */
  endpoints?: BinanceNetwork | BinanceEndpoints;
  /** Override the REST base URL of the chosen endpoints. */
  restUrl?: string;
  /** Override the WebSocket base URL of the chosen endpoints. */
  wsUrl?: string;
  /** Diff-depth stream variant: "depth", "depth@100ms", "depth@0ms", ... Default depth@100ms (spot), depth@0ms (usdm). */
  depthStream?: string;
  /** Subscribe to a trade stream and forward it to the ingest: "trade" (default), "aggTrade" or "none". */
  trades?: BinanceTradeSource | 'none';
  /** Subscribe to bookTicker (live check of the book's top against Binance's). Default true. */
  bookTicker?: boolean;
  /** Levels per side of the REST snapshot. Default 1000. */
  snapshotLimit?: number;
  /** Depth events held per symbol while a snapshot is fetched. Default 10,000. */
  maxBuffered?: number;
  /** WebSocket opening handshake timeout. Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** REST snapshot request timeout. Default 10,000 ms. */
  restTimeoutMs?: number;
  /** The client pings the server this often (the server's pings are answered regardless). Default 10,000 ms. */
  pingIntervalMs?: number;
  /** No frame at all (message, ping or pong) for this long: the connection is dead and replaced. Default 30,000 ms. */
  deadAfterMs?: number;
  /**
   * A connection is replaced when it reaches this age, before Binance's 24-hour
   * limit: a new one is opened and synced from a fresh snapshot, then the old one
   * is closed. Default 23 h.
   */
  maxConnectionAgeMs?: number;
  /** A replacement connection that has not taken over within this time is dropped and tried again. Default 30,000 ms. */
  rolloverTimeoutMs?: number;
  /** Reconnect delays. Default 500 ms first (so the first retry comes within 0.5 s), capped at 30 s. */
  reconnect?: Partial<BackoffOptions>;
  /** Delays between failed snapshot requests of a symbol. Default 250 ms, capped at 10 s. */
  snapshotRetry?: Partial<BackoffOptions>;
  /** Without a depth event, a symbol's first snapshot is requested this long after the connection opens. Default 1,000 ms. */
  firstEventWaitMs?: number;
  /**
   * A live book that stays crossed (best bid ≥ best ask) this long is taken as out
   * of step with Binance (a missed update): it resyncs from a new snapshot. Again
   * crossed right after, the wait doubles up to maxMs. Default 1,000 ms, capped at
   * 60 s. A book Binance serves crossed is resynced no more often than that.
   */
  crossedResync?: Partial<BackoffOptions>;
  /** Source of randomness for the jitter (tests). Default Math.random. */
  random?: () => number;
}

export interface ResolvedConnectorConfig {
  readonly market: BinanceMarket;
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly depthStream: string;
  readonly trades: BinanceTradeSource | 'none';
  readonly bookTicker: boolean;
  readonly snapshotLimit: number;
  readonly maxBuffered: number;
  readonly connectTimeoutMs: number;
  readonly restTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly deadAfterMs: number;
  readonly maxConnectionAgeMs: number;
  readonly rolloverTimeoutMs: number;
  readonly reconnect: BackoffOptions;
  readonly snapshotRetry: BackoffOptions;
  readonly firstEventWaitMs: number;
  readonly crossedResync: BackoffOptions;
  readonly random: () => number;
}

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', message);
}

function positive(v: number | undefined, fallback: number, name: string): number {
  const x = v ?? fallback;
  if (!(x > 0 && Number.isFinite(x))) throw bad(`${name} must be a positive number of milliseconds, got ${String(v)}`);
  return x;
}

function baseUrl(v: string, protocols: readonly string[], name: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad(`${name} must be an absolute URL, got ${JSON.stringify(v)}`);
  }
  if (!protocols.includes(u.protocol)) throw bad(`${name} must start with ${protocols.join(' or ')}, got ${JSON.stringify(v)}`);
  if (u.search !== '' || u.hash !== '') throw bad(`${name} must be a base URL without query or fragment, got ${JSON.stringify(v)}`);
  return v.replace(/\/+$/, '');
}

export function resolveConnectorConfig(o: BinanceConnectorOptions): ResolvedConnectorConfig {
  const market = o.market;
  if (market !== 'spot' && market !== 'usdm') throw bad(`market must be "spot" or "usdm", got ${JSON.stringify(market)}`);
  const ep = o.endpoints ?? 'mainnet';
  let preset: BinanceEndpoints;
  if (ep === 'mainnet' || ep === 'testnet') preset = BINANCE_ENDPOINTS[market][ep];
  else if (typeof ep === 'object' && ep !== null) preset = ep;
  else throw bad(`endpoints must be "mainnet", "testnet" or { restUrl, wsUrl }, got ${JSON.stringify(ep)}`);
  const restUrl = baseUrl(o.restUrl ?? preset.restUrl, ['https:', 'http:'], 'restUrl');
  const wsUrl = baseUrl(o.wsUrl ?? preset.wsUrl, ['wss:', 'ws:'], 'wsUrl');

  const depthStream = (o.depthStream ?? (market === 'spot' ? 'depth@100ms' : 'depth@0ms')).replace(/^@/, '');
  if (!/^depth(@\d+ms)?$/.test(depthStream)) throw bad(`depthStream must be "depth" or "depth@<n>ms", got ${JSON.stringify(o.depthStream)}`);
  const trades = o.trades ?? 'trade';
  if (trades !== 'trade' && trades !== 'aggTrade' && trades !== 'none') throw bad(`trades must be "trade", "aggTrade" or "none", got ${JSON.stringify(trades)}`);

  const snapshotLimit = o.snapshotLimit ?? 1000;
  const limitOk = market === 'spot'
    ? Number.isInteger(snapshotLimit) && snapshotLimit >= 1 && snapshotLimit <= SPOT_DEPTH_LIMIT_MAX
    : USDM_DEPTH_LIMITS.includes(snapshotLimit);
  if (!limitOk) {
    throw bad(`snapshotLimit for ${market} must be ${market === 'spot' ? `an integer 1..${SPOT_DEPTH_LIMIT_MAX}` : `one of ${USDM_DEPTH_LIMITS.join(', ')}`}, got ${snapshotLimit}`);
  }
  const maxBuffered = o.maxBuffered ?? 10_000;
  if (!Number.isInteger(maxBuffered) || maxBuffered < 1) throw bad(`maxBuffered must be a positive integer, got ${maxBuffered}`);

  const reconnect: BackoffOptions = { initialMs: o.reconnect?.initialMs ?? 500, maxMs: o.reconnect?.maxMs ?? 30_000 };
  checkBackoff(reconnect, 'reconnect');
  const snapshotRetry: BackoffOptions = { initialMs: o.snapshotRetry?.initialMs ?? 250, maxMs: o.snapshotRetry?.maxMs ?? 10_000 };
  checkBackoff(snapshotRetry, 'snapshotRetry');
  const crossedResync: BackoffOptions = { initialMs: o.crossedResync?.initialMs ?? 1000, maxMs: o.crossedResync?.maxMs ?? 60_000 };
  checkBackoff(crossedResync, 'crossedResync');

  const pingIntervalMs = positive(o.pingIntervalMs, 10_000, 'pingIntervalMs');
  const deadAfterMs = positive(o.deadAfterMs, 30_000, 'deadAfterMs');
  if (deadAfterMs <= pingIntervalMs) throw bad(`deadAfterMs (${deadAfterMs}) must be longer than pingIntervalMs (${pingIntervalMs})`);
  const random = o.random ?? Math.random;
  if (typeof random !== 'function') throw bad('random must be a function returning [0, 1)');
  return {
    market, restUrl, wsUrl, depthStream, trades, bookTicker: o.bookTicker ?? true, snapshotLimit, maxBuffered,
    connectTimeoutMs: positive(o.connectTimeoutMs, 10_000, 'connectTimeoutMs'),
    restTimeoutMs: positive(o.restTimeoutMs, 10_000, 'restTimeoutMs'),
    pingIntervalMs, deadAfterMs,
    maxConnectionAgeMs: positive(o.maxConnectionAgeMs, 23 * 3600_000, 'maxConnectionAgeMs'),
    rolloverTimeoutMs: positive(o.rolloverTimeoutMs, 30_000, 'rolloverTimeoutMs'),
    reconnect, snapshotRetry,
    firstEventWaitMs: positive(o.firstEventWaitMs, 1000, 'firstEventWaitMs'),
    crossedResync,
    random,
  };
}

/** Stream names for the symbols (lower case, as Binance requires). */
export function streamNames(cfg: ResolvedConnectorConfig, symbols: readonly string[]): string[] {
  const names: string[] = [];
  for (const s of symbols) {
    const l = s.toLowerCase();
    names.push(`${l}@${cfg.depthStream}`);
    if (cfg.trades !== 'none') names.push(`${l}@${cfg.trades}`);
    if (cfg.bookTicker) names.push(`${l}@bookTicker`);
  }
  return names;
}

/** The combined-streams URL: <wsUrl>/stream?streams=a/b/c. */
export function combinedStreamUrl(cfg: ResolvedConnectorConfig, symbols: readonly string[]): string {
  return `${cfg.wsUrl}/stream?streams=${streamNames(cfg, symbols).join('/')}`;
}

/** The REST depth URL for one symbol. */
export function depthSnapshotUrl(cfg: ResolvedConnectorConfig, symbol: string): string {
  return `${cfg.restUrl}${DEPTH_PATH[cfg.market]}?symbol=${encodeURIComponent(symbol)}&limit=${cfg.snapshotLimit}`;
}
