// The Binance replica for bench/tick-to-wire.bench.ts, in its own process (as a venue
// would be): spot, a manual market on BTCUSDT (no market moves, so resting orders stay
// resting), the benchmark's key pair and rate limits out of the way. Prints
// {"restUrl","wsUrl"} as one line once it listens; runs until stdin closes.
import { BinanceReplica } from '../src/venues/binance/replica/replica-server.js';

const BIG = 1e9;
const [apiKey, secret] = [process.argv[2] ?? 'tick-to-wire-bench-key', process.argv[3] ?? 'tick-to-wire-bench-secret'];
const replica = await BinanceReplica.start({
  market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
  apiKeys: [{ apiKey, secret }],
  rateLimits: [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: BIG },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: BIG },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: BIG },
  ],
});
process.stdout.write(`${JSON.stringify({ restUrl: replica.restUrl, wsUrl: replica.wsUrl })}\n`);
process.stdin.resume();
process.stdin.on('end', () => { void replica.close().then(() => process.exit(0)); });
