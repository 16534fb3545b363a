// The loopback and bearer-token checks live in src/net/access.ts, shared by every
// listener; re-exported here for the feed handler's public API.
export { bearerMatches, isLoopbackHost } from '../../net/access.js';
