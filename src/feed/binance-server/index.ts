export * from './reference-book.js';
export * from './recorded-market.js';
export * from './binance-protocol-server.js';
export * from './run-server.js';
