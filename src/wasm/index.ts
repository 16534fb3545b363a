export * from './load.js';
export * from './book-api.js';
export * from './vol-api.js';
export * as layout from './layout.js';
export * from './quote-api.js';
