export * from './engine-events.js';
export * from './engine-views.js';
export * from './order-router.js';
export * from './trading-engine.js';
export * from './sim-driver.js';
