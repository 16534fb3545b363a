// `spreadcore book`: replays NDJSON book events from stdin through a WASM order
// book and prints the top of the book as NDJSON, once at the end or after every
// event. Processing stops at the first bad line (exit 1); with --every, the books
// of all earlier lines have been printed by then.
// --format binance reads a Binance recording (`<ts_ns> <json>` lines) instead and
// runs it through the Binance connector's sync path into the ingest's book.
import { SpreadcoreError } from '../errors.js';
import {
  BinanceLineReplay, UnknownBinanceSymbolError, resolveBinanceInstrumentSpec, type BinanceInstrumentSpec, type BinanceMarket,
} from '../feed/binance/index.js';
import { INSTRUMENTS_USAGE, instrumentSpecsOf, readInstrumentsFile, withInstrumentsHint } from './instruments-flag.js';
import { DecimalGrid } from '../numeric/decimal-grid.js';
import { Instrument } from '../orderbook/instrument.js';
import { BookSlots, OrderBook } from '../orderbook/order-book.js';
import { WasmBooks } from '../wasm/book-api.js';
import { MAX_DEPTH_LEVELS, SIDE_ASK, SIDE_BID } from '../wasm/layout.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { parseFlags, usageError } from './flags.js';
import { ndjsonLines, type NumberedLine } from './ndjson-lines.js';
import { OutputWriter } from './output-writer.js';
import { parseBookEvent, type BookEvent, type ChangeEvent } from './book-event.js';

export const DEFAULT_DEPTH = 10;

const USAGE = `Usage: spreadcore book --tick-size <decimal> --lot-size <decimal> [options] < events.ndjson
       spreadcore book --format binance [--market spot|usdm] [--symbol BTCUSDT] [options] < recording

Replays newline-delimited JSON book events from stdin and prints the top of the
book as NDJSON: {"bids":[["price","qty"],...],"asks":[...]}.

Events, one JSON object per line (blank lines are ignored):
  {"type":"snapshot","bids":[["p","q"],...],"asks":[...]}   replace the whole book
  {"type":"set","bids":[["p","q"],...],"asks":[...]}        absolute quantities, "0" removes
  {"type":"change","side":"bid"|"ask","price":"p","delta":"-q"}  signed quantity change
Prices and quantities are decimal strings on the tick and lot grids.

Options:
  --tick-size <decimal>  price grid, e.g. 0.01 (required)
  --lot-size <decimal>   quantity grid, e.g. 0.001 (required)
  --depth <n>            levels per side to print, 1..${MAX_DEPTH_LEVELS} (default ${DEFAULT_DEPTH})
  --every                print the book after every event, not only at the end
  --symbol <name>        label: adds "symbol" to every output line
  --format <f>           ndjson (default, the events above) or binance
  -h, --help             show this help

--format binance: stdin is a Binance recording, one "<ts_ns> <json>" line per
message (combined-stream messages and REST depth snapshot lines, gzip already
decompressed). It runs through the Binance connector's local-book sync into the
ingest's WASM book; the grids come from the instrument table, or --instruments.
  --market <m>           spot (default) or usdm
  --symbol <name>        the symbol to follow (default BTCUSDT); other symbols are skipped
${INSTRUMENTS_USAGE}
  --depth, --every       as above; the output is {"u":<update id>,"bids":[...],"asks":[...]},
                         after each applied depth event with --every, else once at the end
A sequence gap is reported on stderr ("gap", with the update ids); the book is
then stale (nothing printed) until a later snapshot line resyncs it.

Processing stops at the first bad line: the error names the line number, the exit
status is 1, and with --every the books after all earlier lines have been printed.
With --format binance the exit status is also 1 when the input ends before the
book is in sequence (no snapshot line, or a gap that no snapshot line resynced).
Exit status: 0 ok, 1 bad input data, 2 bad command line.`;

const FLAGS = {
  'tick-size': { type: 'string' },
  'lot-size': { type: 'string' },
  depth: { type: 'string' },
  every: { type: 'boolean' },
  symbol: { type: 'string' },
  format: { type: 'string' },
  market: { type: 'string' },
  instruments: { type: 'string' },
} as const;

export interface BookOptions {
  format: 'ndjson';
  tickSize: string;
  lotSize: string;
  depth: number;
  every: boolean;
  symbol: string | undefined;
}

export interface BinanceBookOptions {
  format: 'binance';
  market: BinanceMarket;
  symbol: string;
  depth: number;
  every: boolean;
  /** Grids from --instruments (empty: the built-in table's). */
  instruments: readonly BinanceInstrumentSpec[];
}

function gridFlag(name: string, v: string | undefined): string {
  if (v === undefined) throw usageError(`--${name} is required`);
  try {
    new DecimalGrid(v);
  } catch {
    throw usageError(`--${name} must be a positive decimal like 0.01, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function parseBookOptions(args: readonly string[]): BookOptions | BinanceBookOptions {
  const { flags, positionals } = parseFlags(args, FLAGS);
  if (positionals.length > 0) {
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])} (events are read from stdin)`);
  }
  const format = flags.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'binance') throw usageError(`--format must be ndjson or binance, got ${JSON.stringify(format)}`);
  const depth = depthFlag(flags.depth);
  if (format === 'binance') {
    for (const f of ['tick-size', 'lot-size'] as const) {
      if (flags[f] !== undefined) throw usageError(`--${f} does not apply to --format binance (the grids come from the instrument table, or --instruments FILE)`);
    }
    const market = flags.market ?? 'spot';
    if (market !== 'spot' && market !== 'usdm') throw usageError(`--market must be spot or usdm, got ${JSON.stringify(market)}`);
    const symbol = flags.symbol ?? 'BTCUSDT';
    const instruments = flags.instruments === undefined ? [] : instrumentSpecsOf(readInstrumentsFile(flags.instruments));
    try {
      resolveBinanceInstrumentSpec(market, symbol, instruments);
    } catch (e) {
      if (e instanceof UnknownBinanceSymbolError) throw usageError(`--symbol: ${withInstrumentsHint(e)}`);
      throw usageError(`--symbol: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { format, market, symbol, depth, every: flags.every === true, instruments };
  }
  if (flags.market !== undefined) throw usageError('--market applies to --format binance only');
  if (flags.instruments !== undefined) throw usageError('--instruments applies to --format binance only (use --tick-size and --lot-size)');
  const tickSize = gridFlag('tick-size', flags['tick-size']);
  const lotSize = gridFlag('lot-size', flags['lot-size']);
  const symbol = flags.symbol;
  if (symbol !== undefined && symbol.trim() === '') throw usageError('--symbol must not be empty');
  return { format, tickSize, lotSize, depth, every: flags.every === true, symbol };
}

function depthFlag(d: string | undefined): number {
  let depth = DEFAULT_DEPTH;
  if (d !== undefined) {
    depth = /^[0-9]{1,5}$/.test(d) ? Number(d) : NaN;
    if (!(depth >= 1 && depth <= MAX_DEPTH_LEVELS)) {
      throw usageError(`--depth must be a whole number from 1 to ${MAX_DEPTH_LEVELS}, got ${JSON.stringify(d)}`);
    }
  }
  return depth;
}

// One process-wide set of WASM book slots: each run takes its own.
let books: WasmBooks | null = null;
const slots = new BookSlots();
let runs = 0;

function apply(book: OrderBook, ev: BookEvent): void {
  if (ev.type === 'change') change(book, ev);
  else if (ev.type === 'set') book.set(ev.bids, ev.asks);
  else book.snapshot(ev.bids, ev.asks);
}

function change(book: OrderBook, ev: ChangeEvent): void {
  try {
    book.change(ev.side, ev.price, ev.delta);
  } catch (e) {
    if (!(e instanceof SpreadcoreError) || e.code !== 'SPREADCORE_ERR_BOOK_OP') throw e;
    const { price, qty } = book.instrument;
    const held = book.books.levelQty(book.book, ev.side === 'bid' ? SIDE_BID : SIDE_ASK, price.toUnits(ev.price));
    throw new SpreadcoreError(e.code, `${e.message} (the ${ev.side} level at ${ev.price} holds ${qty.format(held)})`);
  }
}

/** Prints the top of the book after the events on stdin; see USAGE. */
export async function runBook(args: string[], io: CliIo): Promise<number> {
  const parsed = parseBookOptions(args);
  if (parsed.format === 'binance') return runBinanceBook(parsed, io);
  const opts = parsed;
  const instrument = new Instrument({ symbol: opts.symbol ?? 'book', tickSize: opts.tickSize, lotSize: opts.lotSize });
  books ??= new WasmBooks();
  const key = `book-command#${++runs}`;
  const book = new OrderBook(instrument, slots.acquire(key), books);
  const render = (): string => {
    const { bids, asks } = book.depth(opts.depth);
    return JSON.stringify(opts.symbol === undefined ? { bids, asks } : { symbol: opts.symbol, bids, asks });
  };
  const out = new OutputWriter(io.stdout);
  let stoppedEarly = false;
  let r: Awaited<ReturnType<typeof eachLine>>;
  try {
    r = await eachLine(io, out, async (text, lineNo) => {
      try {
        apply(book, parseBookEvent(text, instrument));
      } catch (e) {
        throw e instanceof SpreadcoreError ? new SpreadcoreError(e.code, `line ${lineNo}: ${e.message}`) : e;
      }
      if (opts.every) {
        out.line(render());
        if (out.blocked) await out.drained();
      }
    });
    stoppedEarly = r.stoppedEarly;
    if (!stoppedEarly && !opts.every) out.line(render());
    await out.finish();
  } finally {
    slots.release(key);
    // Stop reading an input we no longer need (it may never end).
    if (stoppedEarly) (io.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  if (r.internal !== null) throw r.internal;
  if (r.failure !== null) throw r.failure;
  return EXIT_OK;
}

/** Reads lines until the input ends, the reader of stdout goes away or `handle` throws. */
async function eachLine(io: CliIo, out: OutputWriter, handle: (text: string, lineNo: number) => void | Promise<void>): Promise<{ failure: SpreadcoreError | null; internal: Error | null; stoppedEarly: boolean }> {
  const lines = ndjsonLines(io.stdin);
  let failure: SpreadcoreError | null = null;
  let internal: Error | null = null;
  try {
    for (;;) {
      let next: IteratorResult<NumberedLine>;
      try {
        next = await lines.next();
      } catch (e) {
        throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read input: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (next.done === true) break;
      const { lineNo, text } = next.value;
      try {
        await handle(text, lineNo);
      } catch (e) {
        if (e instanceof SpreadcoreError) failure = e;
        else internal = new Error(`line ${lineNo}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        break;
      }
      if (out.closed) break;
    }
  } finally {
    await lines.return(undefined);
  }
  return { failure, internal, stoppedEarly: failure !== null || internal !== null || out.closed };
}

/** --format binance: a Binance recording through the connector's sync path; see USAGE. */
async function runBinanceBook(opts: BinanceBookOptions, io: CliIo): Promise<number> {
  books ??= new WasmBooks();
  const out = new OutputWriter(io.stdout);
  const say = (s: string): void => { io.stderr.write(`spreadcore book: ${s}\n`); };
  let pending = 0;
  let lastU = -1;
  let lastGap = '';
  const replay = new BinanceLineReplay({
    market: opts.market,
    symbol: opts.symbol,
    instruments: opts.instruments,
    books,
    onApplied(u) {
      lastU = u;
      if (!opts.every) return;
      const { bids, asks } = replay.depth(opts.depth);
      out.line(JSON.stringify({ u, bids, asks }));
      pending++;
    },
    onGap(gap, lineNo) {
      lastGap = gap.message;
      say(`gap at line ${lineNo}: ${gap.message}; the book is stale until a snapshot line resyncs it`);
    },
    onResync(lastUpdateId, lineNo) {
      lastGap = '';
      say(`line ${lineNo}: back in sequence on the snapshot lastUpdateId=${lastUpdateId}`);
    },
  });
  const r = await eachLine(io, out, async (text, lineNo) => {
    replay.line(text, lineNo);
    if (pending > 0) {
      pending = 0;
      if (out.blocked) await out.drained();
    }
  });
  let error: Error | null = r.internal ?? r.failure;
  if (error === null && !out.closed) {
    if (replay.live) {
      if (!opts.every) {
        const { bids, asks } = replay.depth(opts.depth);
        out.line(JSON.stringify({ u: lastU, bids, asks }));
      }
    } else if (lastGap !== '') {
      error = new SpreadcoreError('SPREADCORE_ERR_SEQUENCE_GAP',
        `the input ended out of sequence: no snapshot line resynced the book after the gap (${lastGap})`);
    } else {
      const sync = replay.sync;
      error = new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT',
        `the input ended before the ${opts.symbol} ${opts.market} book was in sequence (${sync.snapshots} snapshot line(s), ${sync.bufferedCount} depth event(s) waiting for one)`);
    }
  }
  try {
    await out.finish();
  } finally {
    // Stop reading an input we no longer need (it may never end).
    if (r.stoppedEarly) (io.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  if (error !== null) throw error;
  return EXIT_OK;
}

export const bookCommand: Command = {
  name: 'book',
  usage: USAGE,
  run: runBook,
};
