export * from './venue.js';
export * from './paper-config.js';
export * from './fee-text.js';
export * from './queue-position.js';
export * from './paper-exchange.js';
export * from './managed-order.js';
export * from './strategy-exposure.js';
export * from './order-manager.js';
