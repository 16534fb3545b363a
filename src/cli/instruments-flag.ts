// --instruments FILE of the commands that replay a Binance recording (`serve --market
// replay:FILE`, `book --format binance`, `selfcheck`, and `record`, `replay`, `publish`
// with --source binance:FILE, `replica binance --market replay:FILE`): the tick and lot grids of symbols
// the built-in table (src/feed/binance/instruments.ts) does not know, or replacing its
// grids. The file is the backtest params file's "instruments" object on its own:
//   {"SOLUSDT": {"tick_size": "0.01", "lot_size": "0.001", "market": "spot"}}
// ("market" optional: the entry then applies to spot and USD-M). The specs are the
// backtest's (backtestInstrumentSpecs: its extra symbols, then the file's entries, which
// win). Every problem is a usage error naming the flag and the file (exit 2).
import { readFileSync } from 'node:fs';
import { SpreadcoreError } from '../errors.js';
import { backtestInstrumentSpecs } from '../backtest/backtest-instruments.js';
import { readInstrumentOverrides, type InstrumentOverride } from '../backtest/backtest-spec.js';
import { UnknownBinanceSymbolError, type BinanceInstrumentSpec } from '../feed/binance/instruments.js';
import type { MarketSource } from '../feed/replay/market-source.js';
import { openMarketSource, parseSourceFlags, type SourceFlagValues, type SourceSpec } from '../feed/replay/source-options.js';
import { usageError } from './flags.js';

/** Lines for a command's usage text. */
export const INSTRUMENTS_USAGE = `  --instruments FILE     tick and lot size of symbols without built-in grids, JSON:
                         {"SOLUSDT": {"tick_size": "0.01", "lot_size": "0.001", "market": "spot"}}
                         ("market" spot or usdm, optional; an entry for a built-in symbol replaces its grids)`;

/** Reads and checks an --instruments file; `flag` names it in messages (e.g. "environment variable X: --instruments"). */
export function readInstrumentsFile(path: string, flag = '--instruments'): Readonly<Record<string, InstrumentOverride>> {
  if (path.trim() === '') throw usageError(`${flag} needs a JSON file of grids, e.g. ${flag} grids.json`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw usageError(`${flag} ${path}: cannot read it: ${why}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (e) {
    throw usageError(`${flag} ${path}: not valid JSON (${e instanceof Error ? e.message : String(e)}); expected {"SYMBOL": {"tick_size": "0.01", "lot_size": "0.001"}}`);
  }
  try {
    return readInstrumentOverrides(doc, '');
  } catch (e) {
    if (e instanceof SpreadcoreError) throw usageError(`${flag} ${path}: ${e.message}`);
    throw e;
  }
}

/** The specs of a grids file for both Binance markets (an entry without "market" is in both). */
export function instrumentSpecsOf(overrides: Readonly<Record<string, InstrumentOverride>>): BinanceInstrumentSpec[] {
  return [...backtestInstrumentSpecs('spot', overrides), ...backtestInstrumentSpecs('usdm', overrides)];
}

/** An unknown-symbol message with how to give the symbol's grids. */
export function withInstrumentsHint(e: UnknownBinanceSymbolError): string {
  return `${e.message}: give its tick and lot size with --instruments FILE, `
    + `e.g. {"${e.symbol}": {"tick_size": "0.01", "lot_size": "0.001", "market": "${e.market}"}} (grids every price and quantity of the recording lies on)`;
}

/** The source flags of record, replay and publish, with --instruments FILE read into a binance:FILE source. */
export function sourceSpecOf(flags: SourceFlagValues): SourceSpec {
  const spec = parseSourceFlags(flags); // --instruments given for another source is refused here
  if (spec.kind !== 'binance' || flags.instruments === undefined) return spec;
  return { ...spec, instruments: instrumentSpecsOf(readInstrumentsFile(flags.instruments)) };
}

/** Opens a source; a Binance recording of a symbol without grids is a usage error saying to pass --instruments. */
export async function openSourceWithGrids(spec: SourceSpec): Promise<MarketSource> {
  try {
    return await openMarketSource(spec);
  } catch (e) {
    if (e instanceof UnknownBinanceSymbolError && spec.kind === 'binance') throw usageError(`--source binance:${spec.path}: ${withInstrumentsHint(e)}`);
    throw e;
  }
}
