// `spreadcore replica kalshi`: flags, key pair, start, print where things are, run until
// Ctrl-C / SIGTERM. See docs/kalshi.md.
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpreadcoreError } from '../../../errors.js';
import type { CliIo } from '../../../cli/cli-io.js';
import { intFlag, parseFlags, usageError } from '../../../cli/flags.js';
import { KALSHI_TIERS, type KalshiTier } from '../rate-budget.js';
import { faultsOf, KalshiReplica, type Faults } from './replica-server.js';
import { KalshiReplicaError } from './replica-exchange.js';
import { runReplicaUntilStopped, untilStopSignal } from '../../../cli/until-stopped.js';

export const KALSHI_REPLICA_USAGE = `Usage: spreadcore replica kalshi [--port 8092] [--host 127.0.0.1] [--market sim] [--seed N]
                                [--key-id ID --public-key FILE] [--key-dir DIR] [--tier T]
                                [--faults JSON] [--json]

Runs a local replica of Kalshi's Trade API v2 on one port: REST under /trade-api/v2 and
the WebSocket at /trade-api/ws/v2, with Kalshi's fixed-point fields, RSA-PSS signature
checks and read/write rate limits, over a simulated universe of binary markets whose
books move and some of which settle within minutes. Orders match with queue position.
Admin: GET /__replica/state, POST /__replica/faults|book|trade|settle.

Without --public-key an RSA key pair is generated; the private key PEM is written to
--key-dir (default a fresh directory under the system temp dir) and its path printed:
export KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PEM="$(cat FILE)" for the client.

Options:
  --port N          port (default 8092; 0 = any free port)
  --host H          bind address (default 127.0.0.1)
  --market sim      the simulated universe (the only market source)
  --seed N          simulator seed (default 1)
  --key-id ID       the API key id clients send (default demo-key)
  --public-key FILE the RSA public key (PEM) requests must be signed with
  --key-dir DIR     where a generated private key is written
  --tier T          rate-limit tier: basic (default: 20 reads / 10 writes per second),
                    advanced, expert, premier, paragon, prime, prestige
  --faults JSON     initial faults, the JSON POST /__replica/faults takes
  --json            print one JSON line
  -h, --help        show this help`;

const FLAGS = {
  port: { type: 'string' }, host: { type: 'string' }, market: { type: 'string' }, seed: { type: 'string' },
  'key-id': { type: 'string' }, 'public-key': { type: 'string' }, 'key-dir': { type: 'string' }, tier: { type: 'string' },
  faults: { type: 'string' }, json: { type: 'boolean' },
} as const;

export async function runKalshiReplica(args: string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseFlags(args, FLAGS);
  if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const port = intFlag('port', flags.port, 8092, 0, 65535);
  if ((flags.market ?? 'sim') !== 'sim') throw usageError(`--market must be sim, got ${JSON.stringify(flags.market)}`);
  let seed = 1;
  if (flags.seed !== undefined) {
    if (!/^-?\d{1,15}$/.test(flags.seed)) throw usageError(`--seed must be an integer, got ${JSON.stringify(flags.seed)}`);
    seed = Number(flags.seed);
  }
  const tier = (flags.tier ?? 'basic') as KalshiTier;
  if (!(tier in KALSHI_TIERS)) throw usageError(`--tier must be basic, advanced, expert, premier, paragon, prime or prestige, got ${JSON.stringify(flags.tier)}`);
  const keyId = flags['key-id'] ?? 'demo-key';
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(keyId)) throw usageError('--key-id must be 1-128 of A-Z a-z 0-9 _ -');
  let publicKeyPem: string;
  let privateKeyPath: string | null = null;
  if (flags['public-key'] !== undefined) {
    try { publicKeyPem = createPublicKey(readFileSync(flags['public-key'], 'utf8')).export({ type: 'spki', format: 'pem' }).toString(); }
    catch { throw usageError(`--public-key ${flags['public-key']}: not a readable PEM public key`); }
  } else {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const dir = flags['key-dir'] ?? join(tmpdir(), `spreadcore-kalshi-replica-${process.pid}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    privateKeyPath = join(dir, `${keyId}.pem`);
    writeFileSync(privateKeyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
  }
  let faults: Partial<Faults> | undefined;
  if (flags.faults !== undefined) {
    let raw: unknown;
    try { raw = JSON.parse(flags.faults); } catch { throw usageError(`--faults must be JSON, got ${JSON.stringify(flags.faults)}`); }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw usageError(`--faults must be a JSON object, got ${JSON.stringify(flags.faults)}`);
    try {
      const { disconnect, ...set } = faultsOf(raw as Record<string, unknown>);
      if (disconnect !== undefined) throw usageError('--faults: disconnect is a one-off action of POST /__replica/faults, not a start-up fault');
      faults = set;
    } catch (e) {
      if (e instanceof KalshiReplicaError) throw usageError(`--faults: ${e.message}`);
      throw e;
    }
  }
  let replica: KalshiReplica;
  try {
    replica = await KalshiReplica.start({ port, host: flags.host ?? '127.0.0.1', market: 'sim', seed, keys: [{ keyId, publicKeyPem }], tier, ...(faults !== undefined ? { faults } : {}) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new SpreadcoreError('SPREADCORE_ERR_IO', `port ${port} is in use; pick another with --port`);
    throw e;
  }
  const stopped = untilStopSignal();
  const markets = [...replica.universe.markets.keys()];
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify({ event: 'listening', venue: 'kalshi', rest: replica.restBase, ws: replica.wsUrl, admin: `${replica.url}/__replica/state`, keyId, privateKeyPath, markets })}\n`);
  } else {
    io.stdout.write([
      `Kalshi replica on ${replica.url} (simulator, seed ${seed}; markets ${markets.join(', ')})`,
      `  REST        ${replica.restBase}`,
      `  WebSocket   ${replica.wsUrl}`,
      `  admin       ${replica.url}/__replica/state, /__replica/faults`,
      `  API key id  ${keyId}`,
      privateKeyPath !== null ? `  private key ${privateKeyPath} (generated; KALSHI_PRIVATE_KEY_PEM="$(cat ${privateKeyPath})")` : `  public key  ${flags['public-key']}`,
      'Ctrl-C stops it.',
    ].join('\n') + '\n');
  }
  return runReplicaUntilStopped(replica, io, flags.json === true, stopped);
}
