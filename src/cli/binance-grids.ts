// The tick and lot grids serve trades a Binance symbol on, from the venue's exchangeInfo.
//
// Live execution (--execution binance-*) reads them once connected (BinanceLive.connect,
// which has checked the venue lists every symbol): gridsFromRules.
//
// Paper execution on Binance's market data (--market binance / binance:usdm) reads the
// same public exchangeInfo (GET /api/v3/exchangeInfo?symbols=[...] for the symbols only, or
// the whole /fapi/v1/exchangeInfo, on the market REST URL, no key) at start, through the same
// client and lenient parser (src/venues/binance/exchange-info.ts): paperBinanceGrids.
//   - an entry of another symbol that cannot be read is skipped (a warning counts them); one
//     of a needed symbol makes the answer unusable, naming the symbol and the field (below);
//   - a symbol given in --instruments FILE takes the file's grids (no request for it);
//   - the others take the venue's (liveInstrumentSpec: the built-in table's when they agree);
//   - a symbol the venue does not list (spot: -1121 "Invalid symbol.") is a bad command line
//     (exit 2), before anything starts;
//   - when exchangeInfo cannot be read (no answer, an error status, an answer it cannot
//     parse), the built-in table's symbols start on its grids (a warning says so) and any
//     other symbol is refused (PaperGridsUnavailableError, exit 1) naming the URL.
import { SpreadcoreError } from '../errors.js';
import {
  BINANCE_INSTRUMENTS, liveInstrumentSpec, type BinanceInstrumentSpec, type LiveInstrumentChoice,
} from '../feed/binance/instruments.js';
import type { VenueGridSource } from '../feed/binance/grid-refresh.js';
import type { BinanceMarket } from '../feed/binance/messages.js';
import { readSymbolsExchangeInfo, skippedEntriesText, type SymbolsExchangeInfo } from '../venues/binance/exchange-info.js';
import type { SymbolRules } from '../venues/binance/filters.js';
import { BinanceApiError, BinanceError } from '../venues/binance/errors.js';
import { BinanceRestClient } from '../venues/binance/rest-client.js';
import { usageError } from './flags.js';

/** How long paper execution waits for exchangeInfo at start. */
export const PAPER_EXCHANGE_INFO_TIMEOUT_MS = 10_000;

/** The exchangeInfo path of a market. */
export function exchangeInfoPath(market: BinanceMarket): string {
  return market === 'spot' ? '/api/v3/exchangeInfo' : '/fapi/v1/exchangeInfo';
}

/** The grids of each symbol from the venue's exchangeInfo rules (every symbol must be listed there). */
export function gridsFromRules(market: BinanceMarket, symbols: readonly string[], rulesOf: (symbol: string) => SymbolRules | undefined): LiveInstrumentChoice[] {
  return symbols.map((symbol) => {
    const r = rulesOf(symbol);
    if (r === undefined) throw new SpreadcoreError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `Binance ${market} exchangeInfo does not list ${symbol}`);
    const maxQty = Number.isFinite(r.maxQtyLot) ? r.maxQtyLot * Number(r.instrument.lotSize) : null;
    return liveInstrumentSpec(market, symbol, { tickSize: r.instrument.tickSize, stepSize: r.instrument.lotSize, baseAssetPrecision: r.baseAssetPrecision, maxQty });
  });
}

/** exchangeInfo could not be read and a symbol has no built-in grids (exit 1: nothing is wrong with the command line). */
export class PaperGridsUnavailableError extends SpreadcoreError {
  constructor(message: string) {
    super('SPREADCORE_ERR_VENUE_UNAVAILABLE', message);
  }
}

export interface PaperGridsRequest {
  readonly market: BinanceMarket;
  /** The market-data REST base (--binance-rest-url or the connector's default). */
  readonly restUrl: string;
  readonly symbols: readonly string[];
  /** Grids from --instruments FILE (both markets; those of `market` apply). */
  readonly fromFile: readonly BinanceInstrumentSpec[];
  /** How --instruments was given, for the line ("--instruments grids.json"). */
  readonly fileLabel?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export interface PaperGrids {
  /** One spec per symbol, in --symbols order. */
  readonly specs: BinanceInstrumentSpec[];
  /** The line saying where the grids came from. */
  readonly line: string;
  /** The line is a warning (exchangeInfo could not be read: the built-in grids are used). */
  readonly fallback: boolean;
  /** Built-in grids the venue's differ from (the venue's are used), one line each. */
  readonly warnings: string[];
}

/** Why exchangeInfo could not be used: no answer, the HTTP status and Binance's message, or what the answer lacked. */
function whyUnusable(e: unknown): string {
  if (e instanceof BinanceApiError) {
    if (e.status === 0) return e.binanceMsg;
    return `HTTP ${e.status}${e.binanceCode !== 0 ? ` ${e.binanceCode}` : ''}: ${e.binanceMsg}`;
  }
  return e instanceof Error ? e.message : String(e);
}

function describeSpec(s: BinanceInstrumentSpec): string {
  return `${s.symbol} (tick ${s.tickSize}, order step ${s.orderLotSize}, book quantities on ${s.lotSize})`;
}

/** The grids paper execution on Binance's market data quotes each symbol on (see the top of the file). */
export async function paperBinanceGrids(req: PaperGridsRequest): Promise<PaperGrids> {
  const { market, symbols } = req;
  const fileLabel = req.fileLabel ?? '--instruments';
  const fromFile = new Map(req.fromFile.filter((s) => s.market === market).map((s) => [s.symbol, s]));
  const wanted = symbols.filter((s) => !fromFile.has(s));
  const url = req.restUrl.replace(/\/+$/, '') + exchangeInfoPath(market);
  const parts: string[] = [];
  const fileSymbols = symbols.filter((s) => fromFile.has(s));
  if (fileSymbols.length > 0) parts.push(`from ${fileLabel}: ${fileSymbols.map((s) => describeSpec(fromFile.get(s)!)).join(', ')}`);
  if (wanted.length === 0) {
    return { specs: symbols.map((s) => fromFile.get(s)!), line: `binance: paper grids ${parts.join('')}`, fallback: false, warnings: [] };
  }

  let read: SymbolsExchangeInfo | null = null;
  let why = '';
  let badEntry = false;
  try {
    const rest = new BinanceRestClient({
      market, baseUrl: req.restUrl, timeoutMs: req.timeoutMs ?? PAPER_EXCHANGE_INFO_TIMEOUT_MS, ...(req.fetch !== undefined ? { fetch: req.fetch } : {}),
    });
    read = await readSymbolsExchangeInfo(rest, wanted);
  } catch (e) {
    why = whyUnusable(e);
    // the venue answered, but its entry of a needed symbol cannot be read: the URL is not the problem
    badEntry = e instanceof BinanceError && e.code === 'BINANCE_ERR_BAD_RESPONSE';
  }

  const byVenue = new Map<string, BinanceInstrumentSpec>();
  const warnings: string[] = [];
  let fallback = false;
  if (read !== null) {
    const r = read.rules;
    const unlisted = read.unlisted;
    if (read.skipped > 0) {
      warnings.push(`Binance ${market === 'spot' ? 'spot' : 'USD-M'} exchangeInfo (${url}): ${skippedEntriesText(read)}`);
    }
    if (unlisted.length > 0) {
      throw usageError(`--symbols: Binance ${market === 'spot' ? 'spot' : 'USD-M'} (${url}) does not list ${unlisted.join(', ')} in its exchangeInfo: `
        + 'check --symbols (SPREADCORE_SYMBOLS) against the venue\'s symbols');
    }
    const choices = gridsFromRules(market, wanted, (s) => r.get(s));
    for (const c of choices) {
      byVenue.set(c.spec.symbol, c.spec);
      if (c.tableDiffers !== null) warnings.push(c.tableDiffers);
    }
    parts.unshift(`from ${url}: ${choices.map((c) => describeSpec(c.spec)).join(', ')}`);
  } else {
    const table = new Map(BINANCE_INSTRUMENTS.filter((s) => s.market === market).map((s) => [s.symbol, s]));
    const missing = wanted.filter((s) => !table.has(s));
    if (missing.length > 0) {
      throw new PaperGridsUnavailableError(`cannot read the grids of ${missing.join(', ')}: no usable exchangeInfo from ${url} (${why}); `
        + (badEntry ? 'give the grids with --instruments FILE ' : 'check --binance-rest-url (SPREADCORE_BINANCE_REST_URL) and that this machine reaches it, or give the grids with --instruments FILE ')
        + `(the built-in table has ${[...table.keys()].join(', ')})`);
    }
    fallback = true;
    for (const s of wanted) byVenue.set(s, table.get(s)!);
    parts.unshift(`from the built-in table (no usable exchangeInfo from ${url}: ${why}): ${wanted.map((s) => describeSpec(table.get(s)!)).join(', ')}`);
  }
  return { specs: symbols.map((s) => fromFile.get(s) ?? byVenue.get(s)!), line: `binance: paper grids ${parts.join('; ')}`, fallback, warnings };
}

/**
 * Paper execution's source of grids read again while serve runs (GridRefresh): the symbols
 * whose grids came from the venue (not from --instruments FILE) have the public exchangeInfo
 * read again when their depth goes off the grid, as at start. Nothing to adopt: the paper
 * exchange trades on the instrument the feed defines.
 */
export function paperGridSource(req: { readonly market: BinanceMarket; readonly restUrl: string; readonly symbols: readonly string[]; readonly timeoutMs?: number; readonly fetch?: typeof fetch }): VenueGridSource {
  const rest = new BinanceRestClient({
    market: req.market, baseUrl: req.restUrl, timeoutMs: req.timeoutMs ?? PAPER_EXCHANGE_INFO_TIMEOUT_MS, ...(req.fetch !== undefined ? { fetch: req.fetch } : {}),
  });
  return {
    symbols: req.symbols,
    read: async (symbol) => {
      const read = await readSymbolsExchangeInfo(rest, [symbol]);
      const rules = read.rules.get(symbol);
      if (rules === undefined) throw new SpreadcoreError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `Binance ${req.market === 'spot' ? 'spot' : 'USD-M'} exchangeInfo no longer lists ${symbol}`);
      const [choice] = gridsFromRules(req.market, [symbol], () => rules);
      return { spec: choice!.spec };
    },
  };
}
