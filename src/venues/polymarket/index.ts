// The Polymarket CLOB V2 venue: see docs/polymarket.md.
export * from './amounts.js';
export * from './credentials.js';
export * from './endpoints.js';
export * from './fees.js';
export * from './l1-auth.js';
export * from './l2-auth.js';
export * from './market-data-adapter.js';
export * from './market-feed.js';
export * from './market-messages.js';
export * from './order-signing.js';
export * from './polymarket-venue.js';
export * from './rate-budget.js';
export * from './rest-client.js';
export * from './user-messages.js';
export * from './ws-channel.js';
