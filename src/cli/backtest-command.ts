// `spreadcore backtest`: a recording through the live engine path (src/backtest),
// printed as a summary table, or as JSON with --json, and written as a report with
// --report DIR. Everything is checked (flags, params file, recording) before
// anything is written; a failed run writes nothing.
import { readFileSync, statSync } from 'node:fs';
import { backtestJsonText } from '../backtest/backtest-json.js';
import { renderBacktestReport, writeBacktestReport } from '../backtest/backtest-report.js';
import { parseBacktestSpec } from '../backtest/backtest-spec.js';
import { runBacktest } from '../backtest/run-backtest.js';
import { backtestSummaryText } from '../backtest/summary-table.js';
import { SpreadcoreError } from '../errors.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { usageError, parseOnlyFlags } from './flags.js';
import { OutputWriter } from './output-writer.js';
import { ProgressBar } from './progress-bar.js';

const USAGE = `Usage: spreadcore backtest --data FILE --params FILE [--json] [--report DIR] [--seed N] [--cache-dir DIR]

Replays a recording through the engine's live path: feed ingest, WebAssembly
order books, the market-making strategy, the risk gate, the paper exchange
(order and cancel latency, queue position, fees) and the accounting. Times
are the recording's, so it runs as fast as the machine allows, and the same
recording, params file and seed give the same result byte for byte.

  --data FILE      a Binance recording ("<ts_ns> <json>" lines) or a spreadcore
                   recording (.screc); gzip or plain, detected from the content
  --params FILE    JSON: {"symbols": ["BTCUSDT"], "parameters": {...}} with the
                   parameters of POST /api/strategy/load, and optionally
                   "fill_model": "queue" | "naive", "queue_model",
                   "order_latency_ms", "cancel_latency_ms", "maker_fee_bps",
                   "taker_fee_bps", "market", "instruments", "sample_interval_ms",
                   "duration_s", "name" (see docs/backtest.md)
  --json           print the result as one JSON document (seed 000's metrics
                   fields, then objectives, curves, fills, markouts)
  --report DIR     write DIR/report.html, DIR/mid-fills.png, DIR/equity-drawdown.png
                   and DIR/result.json
  --seed N         recorded in the result (default 1)
  --cache-dir DIR  keep what the run parsed from a Binance recording in DIR (one
                   file per recording content), so that the next run of the same
                   recording skips the parse; same result with or without it
  -h, --help       show this help

A progress bar goes to stderr on a terminal.
Exit status: 0 ok, 1 unreadable params file or recording, 2 bad command line.`;

const FLAGS = {
  data: { type: 'string' },
  params: { type: 'string' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  seed: { type: 'string' },
  'cache-dir': { type: 'string' },
} as const;

function readInput(path: string, what: string): Buffer {
  try {
    if (statSync(path).isDirectory()) throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read the ${what} ${path}: it is a directory`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof SpreadcoreError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read the ${what} ${path}: ${why}`);
  }
}

function readParams(path: string): unknown {
  const text = readInput(path, 'params file').toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `params file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function parseSeed(v: string | undefined): number {
  if (v === undefined) return 1;
  const n = Number(v);
  if (!/^-?\d{1,16}$/.test(v) || !Number.isSafeInteger(n)) throw usageError(`--seed must be an integer, got ${JSON.stringify(v)}`);
  return n;
}

export const backtestCommand: Command = {
  name: 'backtest',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    if (flags.data === undefined) throw usageError('--data FILE is required (a Binance or spreadcore recording)');
    if (flags.params === undefined) throw usageError('--params FILE is required (JSON with "symbols" and "parameters")');
    if (flags.report === '') throw usageError('--report needs a directory');
    const cacheDir = flags['cache-dir'];
    if (cacheDir === '') throw usageError('--cache-dir needs a directory');
    const seed = parseSeed(flags.seed);
    let spec;
    try {
      spec = parseBacktestSpec(readParams(flags.params));
    } catch (e) {
      // name the file: the message names the field
      if (e instanceof SpreadcoreError && e.code !== 'SPREADCORE_ERR_IO' && !e.message.includes(flags.params)) {
        throw new SpreadcoreError(e.code, `${flags.params}: ${e.message}`);
      }
      throw e;
    }
    const data = readInput(flags.data, 'recording');
    // the bar starts with the replay (its rate and ETA leave out reading and parsing the recording)
    let bar: ProgressBar | null = null;
    let result;
    try {
      result = runBacktest(data, spec, {
        seed,
        ...(cacheDir === undefined ? {} : { parseCache: { dir: cacheDir, onNote: (m: string) => { io.stderr.write(`spreadcore backtest: ${m}\n`); } } }),
        onProgress: (done, total) => {
          bar ??= new ProgressBar({ stream: io.stderr, label: 'backtest', unit: 'events', total });
          bar.update(done, total);
        },
      });
    } finally {
      (bar as ProgressBar | null)?.finish();
    }
    if (flags.report !== undefined) {
      const files = renderBacktestReport(result);
      const written = writeBacktestReport(flags.report, files);
      io.stderr.write(`spreadcore backtest: wrote ${written.join(', ')}\n`);
    }
    const out = new OutputWriter(io.stdout);
    out.line(flags.json === true ? backtestJsonText(result) : backtestSummaryText(result).trimEnd());
    await out.finish();
    for (const w of result.warnings) if (flags.json === true) io.stderr.write(`spreadcore backtest: warning: ${w}\n`);
    return EXIT_OK;
  },
};
