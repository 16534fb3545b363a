// Runs the local Binance protocol server from the command line, for development:
//   node dist/src/feed/binance-server/run-server.js --market spot [--port 0] [--speed 1|max] FILE...
// Prints one JSON line with the REST and WebSocket base URLs, then serves until
// the process is stopped (SIGINT / SIGTERM close it cleanly).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SpreadcoreError } from '../../errors.js';
import { BinanceProtocolServer, type PlaybackSpeed } from './binance-protocol-server.js';

export interface RunServerArgs {
  market: 'spot' | 'usdm';
  port: number;
  speed: PlaybackSpeed;
  files: string[];
}

export function parseRunServerArgs(argv: readonly string[]): RunServerArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { market: { type: 'string', default: 'spot' }, port: { type: 'string', default: '0' }, speed: { type: 'string', default: '1' } },
    allowPositionals: true,
  });
  const market = values.market;
  if (market !== 'spot' && market !== 'usdm') throw new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', `--market must be spot or usdm, got ${JSON.stringify(market)}`);
  const port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', `--port must be 0..65535, got ${JSON.stringify(values.port)}`);
  const speed = values.speed === 'max' ? 'max' : Number(values.speed);
  if (speed !== 'max' && !(speed > 0 && Number.isFinite(speed))) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', `--speed must be a positive number or "max", got ${JSON.stringify(values.speed)}`);
  }
  if (positionals.length === 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', 'give at least one recording file');
  return { market, port, speed, files: positionals };
}

async function main(): Promise<void> {
  let args: RunServerArgs;
  try {
    args = parseRunServerArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`binance-server: ${e instanceof Error ? e.message : String(e)}\n` +
      'usage: run-server.js --market spot|usdm [--port N] [--speed X|max] FILE...\n');
    process.exitCode = 2;
    return;
  }
  const server = await BinanceProtocolServer.start({ market: args.market, recordings: args.files, port: args.port, speed: args.speed });
  process.stdout.write(`${JSON.stringify({ market: args.market, restUrl: server.restUrl, wsUrl: server.wsUrl, messages: server.length })}\n`);
  const stop = (): void => { void server.close().then(() => process.exit(0)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(self)) {
  main().catch((e: unknown) => {
    process.stderr.write(`binance-server: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
