export { KalshiReplica, type KalshiReplicaOptions, type ReplicaKey, type Faults } from './replica-server.js';
export { KalshiUniverse, DEFAULT_UNIVERSE, type MarketSpec, type SimMarket } from './universe.js';
export { ReplicaKalshiExchange, KalshiReplicaError } from './replica-exchange.js';
