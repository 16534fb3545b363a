// `spreadcore replica binance`: a local replica of Binance's trading interfaces
// (spot, or USD-M with --futures) with market data on the same port, trading
// against the simulator or a replayed recording. Prints the URLs it serves and
// runs until Ctrl-C / SIGTERM. See docs/binance-replica.md.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SpreadcoreError } from '../errors.js';
import { UnknownBinanceSymbolError } from '../feed/binance/instruments.js';
import { parseSpeed } from '../feed/recording/pacer.js';
import { BinanceReplica, DEMO_API_KEY, DEMO_API_SECRET, type ReplicaMarketSpec } from '../venues/binance/replica/index.js';
import { KALSHI_REPLICA_USAGE, runKalshiReplica } from '../venues/kalshi/replica/replica-cli.js';
import { POLYMARKET_REPLICA_USAGE, runPolymarketReplica } from '../venues/polymarket/replica/replica-cli.js';
import type { CliIo, Command } from './cli-io.js';
import { intFlag, parseFlags, usageError } from './flags.js';
import { INSTRUMENTS_USAGE, instrumentSpecsOf, readInstrumentsFile, withInstrumentsHint } from './instruments-flag.js';
import { runReplicaUntilStopped, untilStopSignal } from './until-stopped.js';

const USAGE = `Usage: spreadcore replica binance [--port 8090] [--host 127.0.0.1] [--market sim|replay:FILE]
                                 [--seed N] [--speed X|max] [--instruments FILE] [--futures]
                                 [--api-key K --api-secret S | --api-key K --ed25519-public-key FILE]
                                 [--maker-fee-bps 10] [--taker-fee-bps 10]
                                 [--funding-interval-s 28800] [--funding-rate 0.0001]
                                 [--faults JSON] [--json]

Runs a local replica of Binance on one port: the spot REST API (/api/v3) and
WebSocket API (/ws-api/v3, user data through userDataStream.subscribe.signature),
or with --futures the USD-M REST API (/fapi/v1, /fapi/v2/positionRisk), listenKey
user data (/ws/<listenKey>) and WebSocket API (/ws-fapi/v1); market data on the
same port (depth snapshots, /stream?streams=...). Orders rest in a paper exchange
with queue position and fill against the market. Admin endpoints for tests:
GET /__replica/state, GET|POST|DELETE /__replica/faults.

Options:
  --port N            port (default 8090; 0 = any free port)
  --host H            bind address (default 127.0.0.1)
  --market M          sim (default: the built-in simulator, BTCUSDT, ETHUSDT, ...)
                      or replay:FILE (a Binance "<ts> <json>" recording, spot, or
                      USD-M with --futures)
  --seed N            simulator seed (default 1; --market sim only)
  --speed X|max       replay pace, 1 = recorded (default 1; --market replay only)
${INSTRUMENTS_USAGE}
                         (--market replay:FILE only: the grids of the recording's symbol, as exchangeInfo lists them)
  --futures           serve USD-M futures instead of spot
  --api-key K         the API key clients must send (with --api-secret; default
                      the demo pair ${DEMO_API_KEY} / ${DEMO_API_SECRET})
  --api-secret S      its HMAC secret
  --ed25519-public-key FILE
                      or its Ed25519 public key (a PEM file): requests signed
                      with the private key, and session.logon on the spot
                      WebSocket API (Binance accepts only Ed25519 keys there)
  --maker-fee-bps N   maker commission, bps (default 10)
  --taker-fee-bps N   taker commission, bps (default 10)
  --funding-interval-s N
                      USD-M (--futures) funding interval, s (default 28800 = 8 h;
                      funding at every multiple of it since the epoch: each
                      position pays or receives −position × mark × rate, booked
                      to the wallet, pushed as ACCOUNT_UPDATE FUNDING_FEE and
                      listed by GET /fapi/v1/income)
  --funding-rate R    USD-M funding rate per interval, every symbol (default 0.0001)
  --faults JSON       initial faults, the JSON POST /__replica/faults takes
  --json              print the URLs as one JSON line
  -h, --help          show this help`;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  market: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  instruments: { type: 'string' },
  futures: { type: 'boolean' },
  'api-key': { type: 'string' },
  'api-secret': { type: 'string' },
  'ed25519-public-key': { type: 'string' },
  'maker-fee-bps': { type: 'string' },
  'taker-fee-bps': { type: 'string' },
  'funding-interval-s': { type: 'string' },
  'funding-rate': { type: 'string' },
  faults: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function feeFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+(\.\d{1,4})?$/.test(v) || Math.abs(Number(v)) > 1000) throw usageError(`--${name} must be a number of bps from -1000 to 1000 with at most 4 decimals, got ${JSON.stringify(v)}`);
  return Number(v);
}

export const replicaCommand: Command = {
  name: 'replica',
  usage: `${USAGE}\n\n${KALSHI_REPLICA_USAGE}\n\n${POLYMARKET_REPLICA_USAGE}`,
  async run(args: string[], io: CliIo): Promise<number> {
    if (args[0] === 'kalshi') return runKalshiReplica(args.slice(1), io);
    if (args[0] === 'polymarket') return runPolymarketReplica(args.slice(1), io);
    const { flags, positionals } = parseFlags(args, FLAGS);
    if (positionals.length === 0) throw usageError('name the venue: spreadcore replica binance|kalshi|polymarket');
    if (positionals[0] !== 'binance') throw usageError(`unknown venue ${JSON.stringify(positionals[0])}; the replica knows: binance, kalshi, polymarket`);
    if (positionals.length > 1) throw usageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
    const port = intFlag('port', flags.port, 8090, 0, 65535);
    const m = flags.market ?? 'sim';
    let market: ReplicaMarketSpec;
    if (m === 'sim') {
      if (flags.speed !== undefined) throw usageError('--speed applies to --market replay:FILE only');
      if (flags.instruments !== undefined) throw usageError('--instruments applies to --market replay:FILE (a Binance recording) only');
      let seed = 1;
      if (flags.seed !== undefined) {
        if (!/^-?\d{1,15}$/.test(flags.seed)) throw usageError(`--seed must be an integer, got ${JSON.stringify(flags.seed)}`);
        seed = Number(flags.seed);
      }
      market = { kind: 'sim', seed };
    } else if (m.startsWith('replay:') && m.length > 'replay:'.length) {
      if (flags.seed !== undefined) throw usageError('--seed applies to --market sim only');
      market = {
        kind: 'replay', path: m.slice('replay:'.length), speed: flags.speed === undefined ? 1 : parseSpeed(flags.speed),
        ...(flags.instruments !== undefined ? { instruments: instrumentSpecsOf(readInstrumentsFile(flags.instruments)) } : {}),
      };
    } else {
      throw usageError(`--market must be sim or replay:FILE, got ${JSON.stringify(m)}`);
    }
    const key = flags['api-key'];
    const secret = flags['api-secret'];
    const edFile = flags['ed25519-public-key'];
    if (secret !== undefined && edFile !== undefined) throw usageError('give the key\'s --api-secret (HMAC) or its --ed25519-public-key, not both');
    if ((key === undefined) !== (secret === undefined && edFile === undefined)) throw usageError('--api-key goes with --api-secret or --ed25519-public-key');
    let edPem: string | undefined;
    if (edFile !== undefined) {
      try { edPem = readFileSync(edFile, 'utf8'); } catch (e) { throw usageError(`--ed25519-public-key: cannot read ${JSON.stringify(edFile)} (${(e as NodeJS.ErrnoException).code ?? 'error'})`); }
      let pub: KeyObject;
      try { pub = createPublicKey(edPem); } catch { throw usageError(`--ed25519-public-key: ${JSON.stringify(edFile)} is not a PEM public key`); }
      if (pub.asymmetricKeyType !== 'ed25519') throw usageError(`--ed25519-public-key: ${JSON.stringify(edFile)} holds a ${pub.asymmetricKeyType ?? 'non-Ed25519'} key, not an Ed25519 one`);
    }
    if (key !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(key)) throw usageError('--api-key must be 1-128 of A-Z a-z 0-9 _ -');
    if (secret === '') throw usageError('--api-secret must not be empty');
    let faults: unknown;
    if (flags.faults !== undefined) {
      try { faults = JSON.parse(flags.faults); } catch { throw usageError(`--faults must be JSON, got ${JSON.stringify(flags.faults)}`); }
    }
    const makerFeeBps = feeFlag('maker-fee-bps', flags['maker-fee-bps']);
    const takerFeeBps = feeFlag('taker-fee-bps', flags['taker-fee-bps']);
    const fundingIntervalS = flags['funding-interval-s'];
    const fundingRate = flags['funding-rate'];
    if ((fundingIntervalS !== undefined || fundingRate !== undefined) && flags.futures !== true) throw usageError('--funding-interval-s and --funding-rate apply to --futures only');
    if (fundingIntervalS !== undefined && !/^\d{1,9}$/.test(fundingIntervalS)) throw usageError(`--funding-interval-s must be a whole number of seconds from 1, got ${JSON.stringify(fundingIntervalS)}`);
    if (fundingIntervalS !== undefined && Number(fundingIntervalS) < 1) throw usageError(`--funding-interval-s must be at least 1, got ${fundingIntervalS}`);
    if (fundingRate !== undefined && !/^-?0(\.\d{1,8})?$/.test(fundingRate)) throw usageError(`--funding-rate must be a decimal between -1 and 1 with at most 8 decimals, got ${JSON.stringify(fundingRate)}`);
    let replica: BinanceReplica;
    try {
      replica = await BinanceReplica.start({
        market, port, host: flags.host ?? '127.0.0.1', futures: flags.futures === true,
        ...(key !== undefined ? { apiKeys: [edPem !== undefined ? { apiKey: key, ed25519PublicKeyPem: edPem } : { apiKey: key, secret: secret! }] } : {}),
        ...(makerFeeBps !== undefined ? { makerFeeBps } : {}), ...(takerFeeBps !== undefined ? { takerFeeBps } : {}),
        ...(fundingIntervalS !== undefined ? { fundingIntervalMs: Number(fundingIntervalS) * 1000 } : {}),
        ...(fundingRate !== undefined ? { fundingRate } : {}),
        ...(faults !== undefined ? { faults } : {}),
      });
    } catch (e) {
      // a recording's symbol without grids: say how to give them
      if (e instanceof UnknownBinanceSymbolError) throw usageError(`--market ${m}: ${withInstrumentsHint(e)}`);
      if (e instanceof SpreadcoreError) {
        if (e.code === 'SPREADCORE_ERR_IO' || e.code === 'SPREADCORE_ERR_BAD_INPUT' || e.code === 'SPREADCORE_ERR_BAD_PARAM') throw usageError(`--market ${m}: ${e.message}`);
        throw e;
      }
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new SpreadcoreError('SPREADCORE_ERR_IO', `port ${port} is in use; pick another with --port`);
      if (e instanceof Error && /^(unknown fault|.* must be )/.test(e.message)) throw usageError(`--faults: ${e.message}`);
      throw e;
    }
    const urls = replica.urls();
    const kind = replica.futures ? 'USD-M futures' : 'spot';
    const symbols = replica.market.symbols().map((s) => s.symbol);
    const apiKey = key ?? DEMO_API_KEY;
    const stopped = untilStopSignal();
    if (flags.json === true) {
      io.stdout.write(`${JSON.stringify({ event: 'listening', venue: 'binance', market: replica.futures ? 'usdm' : 'spot', symbols, urls, apiKey, ...(key === undefined ? { apiSecret: DEMO_API_SECRET } : {}) })}\n`);
    } else {
      const lines = [
        `Binance ${kind} replica on ${replica.restUrl} (${market.kind === 'sim' ? `simulator, seed ${market.seed ?? 1}` : `replay of ${market.path}`}; symbols ${symbols.join(', ') || 'from the recording'})`,
        `  REST             ${urls['rest']}`,
        `  WebSocket API    ${urls['wsApi']}`,
        ...(urls['userData'] !== undefined ? [`  user data        ${urls['userData']} (POST ${urls['rest']}/listenKey)`] : []),
        `  market streams   ${urls['marketStreams']}`,
        `  admin            ${urls['admin']}, ${replica.restUrl}/__replica/faults`,
        key === undefined ? `  API key          ${DEMO_API_KEY} (secret ${DEMO_API_SECRET})` : `  API key          ${key}`,
        'Ctrl-C stops it.',
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return runReplicaUntilStopped(replica, io, flags.json === true, stopped);
  },
};
