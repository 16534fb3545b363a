export * from './feed-handler.js';
export * from './feed-connection.js';
export * from './latency-ring.js';
export * from './bearer-auth.js';
