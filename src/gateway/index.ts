export * from './gateway.js';
export * from './http-errors.js';
export * from './http-json-body.js';
export * from './http-query.js';
export * from './routes-api.js';
export * from './routes-depth.js';
export * from './sse-hub.js';
export * from './sse-engine.js';
