// `spreadcore replica polymarket`: runs the Polymarket replica until Ctrl-C / SIGTERM and
// prints the URLs it serves. See docs/polymarket.md.
import { SpreadcoreError } from '../../../errors.js';
import { EXIT_OK, type CliIo } from '../../../cli/cli-io.js';
import { intFlag, parseFlags, usageError } from '../../../cli/flags.js';
import { faultsFrom, type ReplicaFaults } from './replica-exchange.js';
import { POLYMARKET_REPLICA_PORT, PolymarketReplica } from './replica-server.js';
import { REPLICA_DEFAULT_MARKETS, REPLICA_MAX_MARKETS } from './replica-universe.js';
import { runReplicaUntilStopped, untilStopSignal } from '../../../cli/until-stopped.js';

export const POLYMARKET_REPLICA_USAGE = `Usage: spreadcore replica polymarket [--port 8093] [--host 127.0.0.1] [--seed N]
                                    [--step-ms 250] [--chain-id 137|80002]
                                    [--mined-ms 200] [--confirmed-ms 500]
                                    [--heartbeat-timeout-ms 10000] [--faults JSON] [--json]

Runs a local replica of Polymarket's CLOB V2 on one port: REST (/book, /tick-size,
/neg-risk, /version, /markets, /auth/derive-api-key, /order, /orders, /cancel-all,
/data/orders, /data/trades — both in pages of 100 with next_cursor, "LTE=" at the end —,
/v1/heartbeats), the market channel (/ws/market) and the
user channel (/ws/user), over a seeded universe of binary markets. Orders are checked
(L2 headers, EIP-712 signature against the CTF Exchange V2 or the negRisk exchange) and
rest in a paper exchange with queue position; trades go MATCHED -> MINED -> CONFIRMED.
Admin: GET /__replica/state, POST /__replica/faults {rejectOrders, failTrades,
serverErrors, failRequests, omitLevelRemovals, silentSubscribes, duplicateUserEvents, userChannelDown,
disconnect},
/__replica/book, /__replica/trade, /__replica/tick-size, /__replica/resolve, /__replica/step.

Options:
  --port N                 port (default 8093, next to the Kalshi replica's 8092; 0 = any free port)
  --host H                 bind address (default 127.0.0.1)
  --seed N                 universe and simulator seed (default 1)
  --markets N              markets listed, 1 to 32 (default 6: one of each tick size and fee shape;
                           past six, tick 0.01 markets with other mids and end times)
  --step-ms N              simulator step, ms (default 250; 0 = the book moves only by admin calls)
  --chain-id N             137 (Polygon, default) or 80002 (Amoy): the EIP-712 chain id checked
  --mined-ms N             MATCHED -> MINED delay (default 200)
  --confirmed-ms N         MATCHED -> CONFIRMED (or FAILED) delay (default 500)
  --heartbeat-timeout-ms N open orders are cancelled this long after the last heartbeat (default 10000)
  --faults JSON            initial faults, as POST /__replica/faults takes them (not disconnect)
  --json                   print the URLs as one JSON line
  -h, --help               show this help`;

const FLAGS = {
  port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, markets: { type: 'string' }, 'step-ms': { type: 'string' }, 'chain-id': { type: 'string' },
  'mined-ms': { type: 'string' }, 'confirmed-ms': { type: 'string' }, 'heartbeat-timeout-ms': { type: 'string' }, faults: { type: 'string' },
  json: { type: 'boolean' }, help: { type: 'boolean' },
} as const;

export async function runPolymarketReplica(args: string[], io: CliIo): Promise<number> {
  if (args.includes('-h')) { io.stdout.write(`${POLYMARKET_REPLICA_USAGE}\n`); return EXIT_OK; }
  const { flags, positionals } = parseFlags(args, FLAGS);
  if (flags.help === true) { io.stdout.write(`${POLYMARKET_REPLICA_USAGE}\n`); return EXIT_OK; }
  if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const port = intFlag('port', flags.port, POLYMARKET_REPLICA_PORT, 0, 65535);
  const seed = intFlag('seed', flags.seed, 1, 0, 2 ** 31 - 1);
  const marketCount = intFlag('markets', flags.markets, REPLICA_DEFAULT_MARKETS, 1, REPLICA_MAX_MARKETS);
  const stepMs = intFlag('step-ms', flags['step-ms'], 250, 0, 60_000);
  const minedMs = intFlag('mined-ms', flags['mined-ms'], 200, 0, 600_000);
  const confirmedMs = intFlag('confirmed-ms', flags['confirmed-ms'], 500, 0, 600_000);
  if (confirmedMs < minedMs) throw usageError('--confirmed-ms must not be less than --mined-ms');
  const heartbeatTimeoutMs = intFlag('heartbeat-timeout-ms', flags['heartbeat-timeout-ms'], 10_000, 100, 3_600_000);
  const chain = flags['chain-id'] ?? '137';
  if (chain !== '137' && chain !== '80002') throw usageError(`--chain-id must be 137 or 80002, got ${JSON.stringify(chain)}`);
  let faults: Partial<ReplicaFaults> | undefined;
  if (flags.faults !== undefined) {
    let raw: unknown;
    try { raw = JSON.parse(flags.faults); } catch { throw usageError(`--faults must be JSON, got ${JSON.stringify(flags.faults)}`); }
    try { faults = faultsFrom(raw); } catch (e) { throw usageError(`--faults: ${e instanceof Error ? e.message : String(e)}`); }
  }
  let replica: PolymarketReplica;
  try {
    replica = await PolymarketReplica.start({
      port, host: flags.host ?? '127.0.0.1', seed, markets: marketCount, stepMs, minedMs, confirmedMs, heartbeatTimeoutMs, chainId: chain === '137' ? 137 : 80002,
      ...(faults !== undefined ? { faults } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new SpreadcoreError('SPREADCORE_ERR_IO', `port ${port} is in use; pick another with --port`);
    throw e;
  }
  const stopped = untilStopSignal();
  const urls = replica.urls();
  const markets = replica.universe.markets.map((m) => ({ condition_id: m.conditionId, tick_size: m.tickSize, neg_risk: m.negRisk, yes: m.yes.tokenId, no: m.no.tokenId }));
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify({ event: 'listening', venue: 'polymarket', chainId: replica.chainId, urls, markets })}\n`);
  } else {
    io.stdout.write([
      `Polymarket CLOB V2 replica on ${replica.url} (seed ${seed}, chain ${replica.chainId}, ${markets.length} binary markets)`,
      `  REST             ${urls['rest']}`,
      `  market channel   ${urls['marketWs']}`,
      `  user channel     ${urls['userWs']}`,
      `  admin            ${urls['admin']}, ${replica.url}/__replica/faults`,
      ...markets.map((m) => `  market ${m.condition_id.slice(0, 10)}… tick ${m.tick_size}${m.neg_risk ? ' negRisk' : ''} YES ${m.yes.slice(0, 12)}…`),
      'API keys: derive them with L1 headers (GET /auth/derive-api-key). Ctrl-C stops it.',
    ].join('\n') + '\n');
  }
  return runReplicaUntilStopped(replica, io, flags.json === true, stopped);
}
