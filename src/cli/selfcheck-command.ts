// `spreadcore selfcheck` (what `npm start` runs for now): replays a real Binance
// recording through the engine's core — the local-book sync into the WASM book,
// the volatility estimator, and the quote ladder after every applied depth event —
// checks the rebuilt best bid/ask against every matching bookTicker, and reports.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpreadcoreError } from '../errors.js';
import {
  BookTickerOracle, LocalBookSync, SYNC_APPLIED, UnknownBinanceSymbolError, instrumentOfSpec, loadBinanceRecording, resolveBinanceInstrumentSpec,
  type BinanceInstrumentSpec, type BinanceMarket, type BookTicker,
} from '../feed/binance/index.js';
import { instrumentSpecsOf, readInstrumentsFile, withInstrumentsHint } from './instruments-flag.js';
import { DecimalGrid } from '../numeric/decimal-grid.js';
import { WasmBooks } from '../wasm/book-api.js';
import { loadCore } from '../wasm/load.js';
import { WasmQuoter } from '../wasm/quote-api.js';
import { WasmVol } from '../wasm/vol-api.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { usageError, parseOnlyFlags } from './flags.js';

const DEFAULT_RECORDING = 'test/fixtures/binance/spot_btcusdt_20240808.gz';
const BOOK = 0;
const QUOTER = 0;

const USAGE = `Usage: spreadcore selfcheck [--data FILE] [--market spot|usdm] [--symbol SYMBOL] [--instruments FILE] [--json]

Replays a recorded Binance stream (lines "<receive_ts_ns> <json>", gzip or plain)
through the engine core: Binance's local-book algorithm into the WASM order book,
volatility after every book change, and the seed 000 quote ladder (spread 4 bps,
3 levels, 2 bps apart, 0.001 per level) after every applied depth event. The best
bid/ask is compared with every bookTicker that carries the same update id.

Options:
  --data FILE      recording to replay (default: the bundled BTCUSDT spot recording)
  --market M       spot or usdm (default spot)
  --symbol S       symbol in the recording (default BTCUSDT)
  --instruments FILE
                   tick and lot size of a symbol without built-in grids, JSON
                   {"SOLUSDT": {"tick_size": "0.01", "lot_size": "0.001", "market": "spot"}}
                   ("market" optional; an entry for a built-in symbol replaces its grids)
  --json           print the report as one JSON object
  -h, --help       show this help

Exit status: 0 when every check passed, 1 on a mismatch, gap or unreadable data, 2 on a bad command line.`;

const FLAGS = {
  data: { type: 'string' },
  market: { type: 'string' },
  symbol: { type: 'string' },
  instruments: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export interface SelfcheckReport {
  recording: string;
  market: BinanceMarket;
  symbol: string;
  messages: number;
  faults: number;
  depthEvents: { applied: number; dropped: number; gaps: number; rejected: number; levels: number };
  bookTickerChecks: number;
  bookTickerMismatches: number;
  firstMismatch: string | null;
  decisionNs: { p50: number; p99: number; p999: number; max: number };
  eventsPerSecond: number;
  book: { bids: [string, string][]; asks: [string, string][]; crossed: boolean };
  volatility: { rolling60sBps: number; ewmaShortBps: number; ewmaLongBps: number; ratio: number; jumps: number };
  quotes: { fair: string; bids: [string, string][]; asks: [string, string][] };
  ok: boolean;
}

/** `instruments`: grids for a symbol the built-in table does not know (or replacing its grids). */
export async function runSelfcheck(file: string, market: BinanceMarket, symbol: string, instruments: readonly BinanceInstrumentSpec[] = []): Promise<SelfcheckReport> {
  if (!existsSync(file)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `recording not found: ${file}`);
  const spec = resolveBinanceInstrumentSpec(market, symbol, instruments);
  const inst = instrumentOfSpec(spec);
  const { messages, faults } = loadBinanceRecording(file);
  const tickers: BookTicker[] = [];
  for (const { msg } of messages) if (msg.kind === 'bookTicker' && msg.symbol === symbol) tickers.push(msg);

  const core = loadCore();
  const books = new WasmBooks(core);
  const vol = new WasmVol(core);
  const quoter = new WasmQuoter(core);
  const oracle = new BookTickerOracle(inst, tickers);
  const orderSizeLot = inst.qty.toUnits(new DecimalGrid(spec.orderLotSize).format(100), 'order size'); // 0.001 BTC
  quoter.configure(QUOTER, {
    model: 'linear', levels: 3, halfSpreadBps: 2, levelSpacingBps: 2, orderSizeLot, postOnly: true, fairMode: 'mid',
  });
  vol.reset(BOOK);

  let lastEventUs = 0;
  const sync = new LocalBookSync(books, BOOK, inst, market, {
    onApplied(u) {
      oracle.check(books, BOOK, u);
      const mid = books.midTick(BOOK);
      if (mid > 0) vol.update(BOOK, lastEventUs, mid);
      quoter.compute(QUOTER, BOOK, NaN, 0);
    },
  });

  const decision = new Float64Array(messages.length);
  let nDecisions = 0;
  const started = process.hrtime.bigint();
  for (const { msg } of messages) {
    if (msg.kind === 'depth') {
      if (msg.symbol !== symbol) continue;
      lastEventUs = msg.eventTimeMs * 1000;
      const t0 = process.hrtime.bigint();
      const outcome = sync.onDepth(msg);
      const t1 = process.hrtime.bigint();
      if (outcome === SYNC_APPLIED) decision[nDecisions++] = Number(t1 - t0);
    } else if (msg.kind === 'snapshot') {
      sync.onSnapshot(msg);
    }
  }
  const elapsedNs = Number(process.hrtime.bigint() - started);
  const sorted = decision.subarray(0, nDecisions).sort();

  const depth = books.topLevels(BOOK, 5);
  const pair = (t: number, q: number): [string, string] => [inst.price.format(t), inst.qty.format(q)];
  quoter.compute(QUOTER, BOOK, NaN, 0);
  const qb: [string, string][] = [];
  const qa: [string, string][] = [];
  for (let i = 0; i < quoter.bidCount(); i++) qb.push(pair(quoter.bidTick(i), quoter.bidQtyLot(i)));
  for (let i = 0; i < quoter.askCount(); i++) qa.push(pair(quoter.askTick(i), quoter.askQtyLot(i)));
  const fairTick = quoter.fairTick();

  const report: SelfcheckReport = {
    recording: file,
    market,
    symbol,
    messages: messages.length,
    faults: faults.length,
    depthEvents: {
      applied: sync.appliedEvents, dropped: sync.droppedEvents, gaps: sync.gaps, rejected: sync.rejectedEvents, levels: sync.appliedLevels,
    },
    bookTickerChecks: oracle.checks,
    bookTickerMismatches: oracle.mismatches.length,
    firstMismatch: oracle.mismatches[0] ?? null,
    decisionNs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999), max: sorted[sorted.length - 1] ?? NaN },
    eventsPerSecond: nDecisions / (elapsedNs / 1e9),
    book: { bids: depth.bids.map((l) => pair(l.tick, l.qtyLot)), asks: depth.asks.map((l) => pair(l.tick, l.qtyLot)), crossed: books.isCrossed(BOOK) },
    volatility: {
      rolling60sBps: vol.rollingBps(BOOK), ewmaShortBps: vol.ewmaShortBps(BOOK), ewmaLongBps: vol.ewmaLongBps(BOOK), ratio: vol.ratio(BOOK), jumps: vol.jumps(BOOK),
    },
    quotes: { fair: Number.isFinite(fairTick) ? (inst.price.toNumber(1) * fairTick).toFixed(inst.price.scale + 1) : 'none', bids: qb, asks: qa },
    ok: false,
  };
  report.ok = report.bookTickerMismatches === 0 && report.depthEvents.gaps === 0 && report.depthEvents.rejected === 0
    && report.faults === 0 && report.bookTickerChecks > 0 && !report.book.crossed && qb.length > 0 && qa.length > 0;
  return report;
}

function formatReport(r: SelfcheckReport): string {
  const n = (x: number, d = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = [
    `spreadcore selfcheck — ${r.market} ${r.symbol}`,
    `recording        ${r.recording}`,
    `messages         ${n(r.messages)} (${r.faults} unreadable lines)`,
    `depth events     ${n(r.depthEvents.applied)} applied (${n(r.depthEvents.levels)} level updates), ${r.depthEvents.dropped} dropped before the snapshot, ${r.depthEvents.gaps} gaps, ${r.depthEvents.rejected} rejected`,
    `bookTicker check ${n(r.bookTickerChecks)} compared, ${r.bookTickerMismatches} mismatches${r.firstMismatch ? ` (first: ${r.firstMismatch})` : ''}`,
    `per depth event  book + volatility + quote ladder: p50 ${n(r.decisionNs.p50 / 1000, 2)} µs, p99 ${n(r.decisionNs.p99 / 1000, 2)} µs, p99.9 ${n(r.decisionNs.p999 / 1000, 2)} µs (JSON parsed beforehand, decimal → tick conversion included)`,
    `throughput       ${n(r.eventsPerSecond)} depth events/s on one core`,
    '',
    `book (top 5)     ${r.book.crossed ? 'CROSSED' : 'not crossed'}`,
    ...r.book.asks.slice().reverse().map(([p, q]) => `   ask ${p.padStart(14)}  ${q}`),
    ...r.book.bids.map(([p, q]) => `   bid ${p.padStart(14)}  ${q}`),
    '',
    `volatility       rolling 60 s ${n(r.volatility.rolling60sBps, 2)} bps, EWMA 10 s ${n(r.volatility.ewmaShortBps, 2)} bps, EWMA 300 s ${n(r.volatility.ewmaLongBps, 2)} bps, short/long ratio ${n(r.volatility.ratio, 2)}, ${r.volatility.jumps} jumps`,
    `quote ladder     seed 000 parameters around mid ${r.quotes.fair}, post-only`,
    ...r.quotes.asks.slice().reverse().map(([p, q]) => `   ask ${p.padStart(14)}  ${q}`),
    ...r.quotes.bids.map(([p, q]) => `   bid ${p.padStart(14)}  ${q}`),
    '',
    r.ok ? 'selfcheck passed' : 'selfcheck FAILED',
  ];
  return lines.join('\n') + '\n';
}

export const selfcheckCommand: Command = {
  name: 'selfcheck',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const market = flags.market ?? 'spot';
    if (market !== 'spot' && market !== 'usdm') throw usageError(`--market must be spot or usdm, got ${JSON.stringify(market)}`);
    const symbol = flags.symbol ?? 'BTCUSDT';
    const file = flags.data !== undefined ? resolve(flags.data) : join(packageRoot(), DEFAULT_RECORDING);
    const instruments = flags.instruments === undefined ? [] : instrumentSpecsOf(readInstrumentsFile(flags.instruments));
    let report: SelfcheckReport;
    try {
      report = await runSelfcheck(file, market, symbol, instruments);
    } catch (e) {
      // a symbol without grids: say how to give them
      if (e instanceof UnknownBinanceSymbolError) throw new SpreadcoreError(e.code, withInstrumentsHint(e));
      throw e;
    }
    io.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
