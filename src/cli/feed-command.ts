// `spreadcore feed`: runs the feed handler on its own — the uWS server that takes
// protocol v1 frames from publishers (`spreadcore publish`, or any external feed
// process) into the WASM books — and prints a status line every few seconds until
// SIGINT/SIGTERM, then a final JSON summary.
import { FeedHandler } from '../feed/handler/feed-handler.js';
import { FeedIngest } from '../feed/ingest/feed-ingest.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { intFlag, parseOnlyFlags } from './flags.js';
import { TOKEN_ENV } from './publish-command.js';
import { untilStopSignal } from './until-stopped.js';

const USAGE = `Usage: spreadcore feed [--host 127.0.0.1] [--port 8081] [--token T] [--status-every-s 5] [--json]

Runs the feed handler: a WebSocket server at ws://HOST:PORT/feed (uWebSockets.js,
or node:http with ws where uWS has no native binding for this Node) that
decodes feed protocol v1 frames from publishers into the order books, checking
each symbol's sequence numbers (a gap makes the symbol stale until its next
snapshot). GET /feed/stats returns the counters as JSON. Prints a status line
every --status-every-s seconds; stops on Ctrl-C / SIGTERM and prints a summary.

Options:
  --host H             bind address (default 127.0.0.1). Any other address
                       requires a token
  --port N             port (default 8081; 0 = any free port, printed at start)
  --token T            bearer token publishers must present (default: the
                       ${TOKEN_ENV} environment variable)
  --status-every-s S   seconds between status lines, 0 for none (default 5)
  --json               print status lines and the summary as JSON
  -h, --help           show this help`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  'status-every-s': { type: 'string' },
  json: { type: 'boolean' },
} as const;


export const feedCommand: Command = {
  name: 'feed',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const port = intFlag('port', flags.port, 8081, 0, 65535);
    const everyS = intFlag('status-every-s', flags['status-every-s'], 5, 0, 86400);
    const token = flags.token ?? io.env[TOKEN_ENV];
    const ingest = new FeedIngest();
    const handler = new FeedHandler(ingest, { host: flags.host ?? '127.0.0.1', port, ...(token !== undefined && token !== '' ? { token } : {}) });
    const bound = await handler.listen();
    const where = `ws://${handler.host}:${bound}${handler.path}`;
    const line = (o: Record<string, unknown>, text: string): void => {
      io.stdout.write(flags.json ? `${JSON.stringify(o)}\n` : `${text}\n`);
    };
    const stopped = untilStopSignal();
    line({ event: 'listening', url: where, auth: token !== undefined && token !== '' }, `feed handler listening on ${where}${token ? ' (bearer token required)' : ''}; stats at http://${handler.host}:${bound}${handler.path}/stats`);
    const status = (): void => {
      const s = handler.stats();
      const syms = s.ingest.symbols.map((x) => `${x.symbol}:${x.state}${x.crossed ? ',crossed' : ''}${x.staleFeed ? ',quiet' : ''}`).join(' ');
      line({ event: 'status', totals: s.totals, symbols: s.ingest.symbols, latency: s.latency },
        `connections ${s.totals.connectionsOpen}, frames ${s.totals.frames} (${s.totals.decodeErrors} bad), messages ${s.totals.messages}, apply p50 ${(s.latency.applyNs.p50 / 1000).toFixed(1)} µs; ${syms || 'no symbols yet'}`);
    };
    const timer = everyS > 0 ? setInterval(status, everyS * 1000) : null;
    await stopped;
    if (timer !== null) clearInterval(timer);
    const final = handler.stats();
    handler.close();
    line({ event: 'stopped', totals: final.totals, symbols: final.ingest.symbols },
      `stopped: ${final.totals.frames} frames, ${final.totals.messages} messages, ${final.totals.decodeErrors} decode errors, ${final.ingest.symbols.length} symbols`);
    return EXIT_OK;
  },
};
