// Binance endpoints per market and mode. Testnet is the default; production must be asked
// for explicitly. Sources: rest-api.md / web-socket-api.md "General API Information"
// (spot, testnet.binance.vision), USDⓈ-M "General Info" / "WebSocket API General Info" / "User
// Data Streams" (fapi, ws-fapi, fstream; testnet.binancefuture.com).
import type { BinanceMarket } from './client-order-id.js';

export type BinanceMode = 'testnet' | 'production';

export interface BinanceEndpoints {
  readonly rest: string;
  /** WebSocket API (order entry; spot user data). */
  readonly wsApi: string;
  /** USD-M listenKey stream base (`<base>/ws/<listenKey>`); empty for spot. */
  readonly userStream: string;
}

const TABLE: Record<BinanceMarket, Record<BinanceMode, BinanceEndpoints>> = {
  spot: {
    testnet: { rest: 'https://testnet.binance.vision', wsApi: 'wss://ws-api.testnet.binance.vision/ws-api/v3', userStream: '' },
    production: { rest: 'https://api.binance.com', wsApi: 'wss://ws-api.binance.com:443/ws-api/v3', userStream: '' },
  },
  usdm: {
    testnet: { rest: 'https://testnet.binancefuture.com', wsApi: 'wss://testnet.binancefuture.com/ws-fapi/v1', userStream: 'wss://fstream.binancefuture.com' },
    production: { rest: 'https://fapi.binance.com', wsApi: 'wss://ws-fapi.binance.com/ws-fapi/v1', userStream: 'wss://fstream.binance.com' },
  },
};

/** The endpoints of a market; production only when `production` is exactly true. */
export function binanceEndpoints(market: BinanceMarket, opts: { production?: boolean } = {}): BinanceEndpoints {
  return TABLE[market][opts.production === true ? 'production' : 'testnet'];
}
