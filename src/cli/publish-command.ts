// `spreadcore publish`: an external feed process. Connects to a running feed
// handler with the ws client and sends a market source as protocol v1 frames,
// each frame's sendTsNs stamped with the monotonic clock as it is sent, at the
// source's pace x --speed, at a fixed --rate, or as fast as the socket drains.
import { DEFAULT_FEED_URL, publishFrames, type PublishReport } from '../feed/replay/frame-publisher.js';
import { gridProblemMessage, skippedInputWarning } from '../feed/replay/market-source.js';
import { sourceFrames } from '../feed/replay/source-frames.js';
import { SOURCE_FLAGS, SOURCE_USAGE } from '../feed/replay/source-options.js';
import { parseSpeed, type ReplaySpeed } from '../feed/recording/pacer.js';
import { openSourceWithGrids, sourceSpecOf } from './instruments-flag.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { usageError, parseOnlyFlags } from './flags.js';
import { OutputWriter } from './output-writer.js';

export const TOKEN_ENV = 'SPREADCORE_FEED_TOKEN';
const MAX_RATE_FPS = 10_000_000;

const USAGE = `Usage: spreadcore publish --source binance:FILE|screc:FILE|sim [source options]
                         [--speed 1|10|max] [--rate N] [--url URL] [--token T]

Connects to a running feed handler and sends the source as feed protocol v1
frames (one WebSocket binary message per frame), as an external feed process
would. Each frame's send timestamp is this process's monotonic clock when it is
sent, so the handler measures the one-way latency. When the socket has more
than 4 MiB waiting, no more frames are produced until it drains. Prints what
was sent once the handler has answered the closing handshake (it has then
processed every frame).

${SOURCE_USAGE}

Options:
  --speed S        the source's pace times S (1 = as recorded, 10 = ten times
                   faster) or max, as fast as possible (default 1)
  --rate N         instead of the source's pace: N frames per second, evenly spaced
  --url URL        the feed handler (default ${DEFAULT_FEED_URL})
  --token T        bearer token, when the handler requires one (default: the
                   ${TOKEN_ENV} environment variable; prefer it: arguments are
                   visible to other users of the machine)
  --json           print the report as one JSON object
  -h, --help       show this help

Exit status: 0 sent and closed cleanly, 1 unreadable input, connection refused,
401 (bad or missing token) or the handler closing the connection, 2 bad command line.`;

const FLAGS = {
  ...SOURCE_FLAGS,
  speed: { type: 'string' },
  rate: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function parseUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw usageError(`--url must be a ws:// or wss:// URL such as ${DEFAULT_FEED_URL}, got ${JSON.stringify(v)}`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw usageError(`--url must be a ws:// or wss:// URL such as ${DEFAULT_FEED_URL}, got ${JSON.stringify(v)}`);
  }
  if (u.username !== '' || u.password !== '') throw usageError('--url must not carry credentials: use --token');
  return u.href;
}

function parseRate(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || n > MAX_RATE_FPS) {
    throw usageError(`--rate must be a positive number of frames per second up to ${MAX_RATE_FPS}, got ${JSON.stringify(v)}`);
  }
  return n;
}

const num = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function describe(r: PublishReport, label: string): string {
  return [
    `published ${num(r.frames)} frames (${num(r.messages)} messages, ${num(r.bytes)} bytes) to ${r.url} in ${num(r.wallS, 2)} s (${num(r.framesPerS)} frames/s)`,
    `  from ${label}`,
    `  socket: at most ${num(r.maxBufferedBytes)} bytes waiting, waited for it to drain ${num(r.backpressureWaits)} times`,
  ].join('\n');
}

export const publishCommand: Command = {
  name: 'publish',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const spec = sourceSpecOf(flags);
    if (flags.speed !== undefined && flags.rate !== undefined) throw usageError('give --speed or --rate, not both');
    const speed: ReplaySpeed = flags.speed === undefined ? 1 : parseSpeed(flags.speed);
    const rateFps = flags.rate === undefined ? undefined : parseRate(flags.rate);
    const url = parseUrl(flags.url ?? DEFAULT_FEED_URL);
    const token = flags.token ?? io.env[TOKEN_ENV];
    if (token !== undefined && (token === '' || /\s/.test(token))) throw usageError('--token must be non-empty without spaces');
    const source = await openSourceWithGrids(spec);
    // the frames already sent cannot be taken back: say so as soon as a symbol's depth is refused
    source.onGridProblem = (p) => { io.stderr.write(`spreadcore publish: warning: ${gridProblemMessage(p)}\n`); };
    const report = await publishFrames(sourceFrames(source), { url, token, speed, rateFps });
    const out = new OutputWriter(io.stdout);
    out.line(flags.json === true ? JSON.stringify({ ...report, source: source.label, sourceStats: source.stats() }) : describe(report, source.label));
    await out.finish();
    const warning = skippedInputWarning(source);
    if (warning !== null) io.stderr.write(`spreadcore publish: warning: ${warning}\n`);
    return EXIT_OK;
  },
};
