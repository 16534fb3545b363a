export * from './reason-codes.js';
export * from './risk-limits.js';
export * from './risk-events.js';
export * from './risk-engine.js';
export * from './ledger-pnl.js';
export { TokenBucket } from './token-bucket.js';
export { VolumeWindow } from './volume-window.js';
export { nextDailyResetNs } from './daily-reset.js';
