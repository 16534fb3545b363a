// Kalshi's environments. Demo is the default everywhere; production only when asked for
// by name. Base URLs from docs.kalshi.com getting_started/quick_start_create_order (demo
// REST), quick_start_websockets (demo and production WebSocket) and VENUES.md (production
// REST hosts). Keys work only in the environment that issued them (getting_started/api_keys).

export type KalshiEnvironmentName = 'demo' | 'production';

export interface KalshiEndpoints {
  readonly name: KalshiEnvironmentName | 'custom';
  /** REST base, ending in /trade-api/v2 (paths are signed with this prefix). */
  readonly restBase: string;
  /** WebSocket URL, ending in /trade-api/ws/v2. */
  readonly wsUrl: string;
}

export const KALSHI_DEMO: KalshiEndpoints = Object.freeze({
  name: 'demo', restBase: 'https://demo-api.kalshi.co/trade-api/v2', wsUrl: 'wss://demo-api.kalshi.co/trade-api/ws/v2',
});

export const KALSHI_PRODUCTION: KalshiEndpoints = Object.freeze({
  name: 'production', restBase: 'https://api.elections.kalshi.com/trade-api/v2', wsUrl: 'wss://api.elections.kalshi.com/trade-api/ws/v2',
});

/** The REST path prefix every signed path starts with. */
export const REST_PREFIX = '/trade-api/v2';
/** The path the WebSocket handshake signs. */
export const WS_PATH = '/trade-api/ws/v2';

/** Endpoints by name: 'demo' (default) or 'production'; anything else is refused. */
export function kalshiEndpoints(name: string | undefined = 'demo'): KalshiEndpoints {
  if (name === 'demo') return KALSHI_DEMO;
  if (name === 'production') return KALSHI_PRODUCTION;
  throw new Error(`unknown Kalshi environment ${JSON.stringify(name)}: demo or production`);
}

/** Endpoints of a local replica (http://host:port). */
export function replicaEndpoints(baseUrl: string): KalshiEndpoints {
  const u = baseUrl.replace(/\/+$/, '');
  return { name: 'custom', restBase: `${u}${REST_PREFIX}`, wsUrl: `${u.replace(/^http/, 'ws')}${WS_PATH}` };
}
