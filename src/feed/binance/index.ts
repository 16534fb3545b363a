export * from './messages.js';
export * from './parse-message.js';
export * from './instruments.js';
export * from './depth-sync.js';
export * from './local-book-sync.js';
export * from './read-binance-recording.js';
export * from './book-ticker-oracle.js';
