// `spreadcore replay`: drives the ingest engine (the WASM books) in this process
// with a market source and prints each symbol's book at the end, one JSON line
// per symbol — the quickest way to see what a recording or the simulator holds,
// and to compare two sources.
import { FeedIngest } from '../feed/ingest/feed-ingest.js';
import { SpreadcoreError } from '../errors.js';
import { gridProblemMessage, gridProblemsOf, replaySource, skippedInputWarning } from '../feed/replay/market-source.js';
import { SOURCE_FLAGS, SOURCE_USAGE } from '../feed/replay/source-options.js';
import { parseSpeed, type ReplaySpeed } from '../feed/recording/pacer.js';
import { WasmBooks } from '../wasm/book-api.js';
import { MAX_DEPTH_LEVELS } from '../wasm/layout.js';
import { openSourceWithGrids, sourceSpecOf } from './instruments-flag.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { usageError, parseOnlyFlags } from './flags.js';
import { OutputWriter } from './output-writer.js';

const DEFAULT_DEPTH = 10;

const USAGE = `Usage: spreadcore replay --source binance:FILE|screc:FILE|sim [source options] [--speed S] [--depth N]

Replays a market source through the ingest engine into the WebAssembly order
books (the path a feed handler's frames take) and prints each symbol's book at
the end, one JSON line per symbol:
  {"symbol":"BTCUSDT","state":"live","bids":[["price","qty"],...],"asks":[...],"counters":{...}}
"state" is live (in sequence), stale (a gap or a refused update: the book is
cleared until the next snapshot) or awaiting-snapshot.

${SOURCE_USAGE}

Options:
  --speed S        the source's pace times S, or max (default max)
  --depth N        levels per side to print, 1..${MAX_DEPTH_LEVELS} (default ${DEFAULT_DEPTH})
  -h, --help       show this help

Exit status: 0 ok, 1 unreadable or malformed input, or a Binance recording none of
whose depth lies on the symbol's grid (nothing printed), 2 bad command line.`;

const FLAGS = {
  ...SOURCE_FLAGS,
  speed: { type: 'string' },
  depth: { type: 'string' },
} as const;

function parseDepth(v: string | undefined): number {
  if (v === undefined) return DEFAULT_DEPTH;
  const n = /^[0-9]{1,5}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= MAX_DEPTH_LEVELS)) throw usageError(`--depth must be a whole number from 1 to ${MAX_DEPTH_LEVELS}, got ${JSON.stringify(v)}`);
  return n;
}

export const replayCommand: Command = {
  name: 'replay',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const spec = sourceSpecOf(flags);
    const speed: ReplaySpeed = flags.speed === undefined ? 'max' : parseSpeed(flags.speed);
    const depth = parseDepth(flags.depth);
    const source = await openSourceWithGrids(spec);
    const ingest = new FeedIngest(new WasmBooks());
    await replaySource(source, ingest, { speed });
    // a symbol none of whose depth the book took (its grid is coarser than the data): no book to print
    const empty = gridProblemsOf(source).find((p) => p.applied === 0);
    if (empty !== undefined) throw new SpreadcoreError('SPREADCORE_ERR_OFF_GRID', gridProblemMessage(empty));
    const out = new OutputWriter(io.stdout);
    for (const s of ingest.symbols()) {
      const top = ingest.books.topLevels(s.book, depth);
      const { price, qty } = s.instrument;
      out.line(JSON.stringify({
        symbol: s.symbol,
        state: s.state,
        bids: top.bids.map((l) => [price.format(l.tick), qty.format(l.qtyLot)]),
        asks: top.asks.map((l) => [price.format(l.tick), qty.format(l.qtyLot)]),
        counters: s.counters,
      }));
      if (out.blocked) await out.drained();
      if (out.closed) break;
    }
    await out.finish();
    const warning = skippedInputWarning(source);
    if (warning !== null) io.stderr.write(`spreadcore replay: warning: ${warning}\n`);
    for (const p of gridProblemsOf(source)) io.stderr.write(`spreadcore replay: warning: ${gridProblemMessage(p)}\n`);
    return EXIT_OK;
  },
};
