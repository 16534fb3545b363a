// Binance endpoints per market and mode. Testnet is the default; demo and production must be
// asked for by name. Sources: rest-api.md / web-socket-api.md "General API Information" (spot
// and testnet.binance.vision), demo-mode/general-info.md (spot Demo Mode URLs), USDⓈ-M
// "General Info" / "WebSocket API General Info" / "User Data Streams → Connect" (fapi, ws-fapi,
// fstream; testnet.binancefuture.com). The USD-M demo hosts (demo-fapi, demo-fstream) and the
// USD-M testnet stream host were not found on Binance's own pages: check before relying on them;
// the USD-M demo WebSocket API host is unknown (empty: use REST order entry there).
import type { BinanceMarket } from './client-order-id.js';

export type BinanceMode = 'testnet' | 'demo' | 'production';

export interface BinanceEndpoints {
  readonly rest: string;
  /** WebSocket API (order entry; spot user data); empty when unknown. */
  readonly wsApi: string;
  /** USD-M listenKey stream base (`<base>/ws/<listenKey>`); empty for spot. */
  readonly userStream: string;
}

const TABLE: Record<BinanceMarket, Record<BinanceMode, BinanceEndpoints>> = {
  spot: {
    testnet: { rest: 'https://testnet.binance.vision', wsApi: 'wss://ws-api.testnet.binance.vision/ws-api/v3', userStream: '' },
    demo: { rest: 'https://demo-api.binance.com', wsApi: 'wss://demo-ws-api.binance.com/ws-api/v3', userStream: '' },
    production: { rest: 'https://api.binance.com', wsApi: 'wss://ws-api.binance.com:443/ws-api/v3', userStream: '' },
  },
  usdm: {
    testnet: { rest: 'https://testnet.binancefuture.com', wsApi: 'wss://testnet.binancefuture.com/ws-fapi/v1', userStream: 'wss://fstream.binancefuture.com' },
    demo: { rest: 'https://demo-fapi.binance.com', wsApi: '', userStream: 'wss://demo-fstream.binance.com' },
    production: { rest: 'https://fapi.binance.com', wsApi: 'wss://ws-fapi.binance.com/ws-fapi/v1', userStream: 'wss://fstream.binance.com' },
  },
};

/** The endpoints of a market; testnet unless `mode` names another. */
export function binanceEndpoints(market: BinanceMarket, opts: { mode?: BinanceMode } = {}): BinanceEndpoints {
  return TABLE[market][opts.mode ?? 'testnet'];
}
