export * from './cluster-config.js';
export * from './cluster-options.js';
export * from './cluster-node.js';
export * from './cluster-view.js';
export * from './rendezvous.js';
