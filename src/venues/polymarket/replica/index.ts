export * from './replica-exchange.js';
export * from './replica-server.js';
export * from './replica-universe.js';
