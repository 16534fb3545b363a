// Polymarket CLOB endpoints, chains and exchange contracts.
//
// Sources: Polymarket/clob-client-v2 src/endpoints.ts (paths) and src/config.ts (contract
// addresses per chain: 137 = Polygon mainnet, 80002 = Polygon Amoy testnet); VENUES.md and
// docs.polymarket.com (hosts). The V2 exchange addresses are the same on both chains in
// clob-client-v2's config; the conditional-token addresses differ. See docs/polymarket.md.

export type PolymarketChain = 137 | 80002;

export interface ExchangeContracts {
  /** CTF Exchange V2 (standard binary markets). */
  readonly exchangeV2: `0x${string}`;
  /** NegRisk CTF Exchange V2 (markets of a negative-risk event). */
  readonly negRiskExchangeV2: `0x${string}`;
  /** The collateral token (pUSD under CLOB V2; 6 decimals). */
  readonly collateral: `0x${string}`;
  readonly conditionalTokens: `0x${string}`;
}

const POLYGON: ExchangeContracts = {
  exchangeV2: '0xE111180000d2663C0091e4f400237545B87B996B',
  negRiskExchangeV2: '0xe2222d279d744050d28e00520010520000310F59',
  collateral: '0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB',
  conditionalTokens: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045',
};

const AMOY: ExchangeContracts = {
  exchangeV2: '0xE111180000d2663C0091e4f400237545B87B996B',
  negRiskExchangeV2: '0xe2222d279d744050d28e00520010520000310F59',
  collateral: '0xC011a7E12a19f7B1f670d46F03B03f3342E82DFB',
  conditionalTokens: '0x69308FB512518e39F9b16112fA8d994F4e2Bf8bB',
};

export function contractsFor(chainId: PolymarketChain): ExchangeContracts {
  return chainId === 137 ? POLYGON : AMOY;
}

/** The verifying contract an order of a market is signed against. */
export function exchangeFor(contracts: ExchangeContracts, negRisk: boolean): `0x${string}` {
  return negRisk ? contracts.negRiskExchangeV2 : contracts.exchangeV2;
}

export interface PolymarketEndpoints {
  /** REST base, e.g. https://clob.polymarket.com (no trailing slash). */
  readonly rest: string;
  /** Market channel, e.g. wss://ws-subscriptions-clob.polymarket.com/ws/market. */
  readonly marketWs: string;
  /** User channel, e.g. wss://ws-subscriptions-clob.polymarket.com/ws/user. */
  readonly userWs: string;
}

export const POLYMARKET_PRODUCTION: PolymarketEndpoints = {
  rest: 'https://clob.polymarket.com',
  marketWs: 'wss://ws-subscriptions-clob.polymarket.com/ws/market',
  userWs: 'wss://ws-subscriptions-clob.polymarket.com/ws/user',
};

/** Endpoints of a replica (or any host) serving everything on one origin. */
export function endpointsAt(httpBase: string): PolymarketEndpoints {
  const base = httpBase.replace(/\/+$/, '');
  const ws = base.replace(/^http/, 'ws');
  return { rest: base, marketWs: `${ws}/ws/market`, userWs: `${ws}/ws/user` };
}

export const PATHS = {
  version: '/version',
  time: '/time',
  book: '/book',
  tickSize: '/tick-size',
  negRisk: '/neg-risk',
  feeRate: '/fee-rate',
  order: '/order',
  orders: '/orders',
  cancelAll: '/cancel-all',
  openOrders: '/data/orders',
  orderById: '/data/order/',
  trades: '/data/trades',
  createApiKey: '/auth/api-key',
  deriveApiKey: '/auth/derive-api-key',
  /** clob-client-v2 posts heartbeats here; the API reference page names POST /heartbeats. */
  heartbeat: '/v1/heartbeats',
} as const;
