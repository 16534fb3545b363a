export * from './feed-ingest.js';
export * from './symbol-state.js';
