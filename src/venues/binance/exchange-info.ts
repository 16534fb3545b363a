// Reading exchangeInfo for the symbols a process trades.
//
// Spot asks for those symbols only: GET /api/v3/exchangeInfo?symbols=["BTCUSDT","ETHUSDT"]
// (binance-spot-api-docs rest-api.md "Exchange information": `symbol` / `symbols`, "If the
// value provided to `symbol` or `symbols` do not exist, the endpoint will throw an error
// saying the symbol is invalid": -1121 "Invalid symbol.", errors.md). The whole spot answer
// is several MB; the filtered one a few KB. A -1121 does not say which symbol is unknown, so
// each symbol is then asked for alone (`symbol=`) to name the ones the venue does not list.
//
// USD-M's GET /fapi/v1/exchangeInfo has no symbol filter: the whole answer is read there.
//
// Either way the answer is read leniently (neededRulesFromExchangeInfo): an entry of another
// symbol that cannot be read is skipped and counted, one of a needed symbol is an error
// naming the symbol and the field.
import { BinanceApiError } from './errors.js';
import { neededRulesFromExchangeInfo, type SymbolRules } from './filters.js';
import type { BinanceRestClient } from './rest-client.js';

/** Binance's "Invalid symbol." (errors.md -1121 BAD_SYMBOL). */
export const BAD_SYMBOL_CODE = -1121;

export interface SymbolsExchangeInfo {
  /** The rules of every entry read (the needed symbols the venue lists among them). */
  readonly rules: Map<string, SymbolRules>;
  /** The answer's rateLimits (for the rate budget); null when the venue refused the symbols. */
  readonly rateLimits: unknown[] | null;
  /** Needed symbols the venue does not list (spot: -1121 for them; USD-M: absent from the answer). */
  readonly unlisted: string[];
  /** Entries of other symbols that could not be read, and the first one's problem. */
  readonly skipped: number;
  readonly firstSkipped: string | null;
}

function isBadSymbol(e: unknown): boolean {
  return e instanceof BinanceApiError && e.binanceCode === BAD_SYMBOL_CODE;
}

/** Spot: the needed symbols the venue answers -1121 for, each asked alone. */
async function unknownSpotSymbols(rest: BinanceRestClient, symbols: readonly string[]): Promise<string[]> {
  const unlisted: string[] = [];
  for (const s of symbols) {
    try {
      await rest.exchangeInfo([s]);
    } catch (e) {
      if (!isBadSymbol(e)) throw e;
      unlisted.push(s);
    }
  }
  return unlisted;
}

/** What was skipped, as a log line ends: "skipped N entries of other symbols that could not be read (first: …)". */
export function skippedEntriesText(r: Pick<SymbolsExchangeInfo, 'skipped' | 'firstSkipped'>): string {
  return `skipped ${r.skipped} entr${r.skipped === 1 ? 'y' : 'ies'} of other symbols that could not be read (first: ${r.firstSkipped})`;
}

/** The exchangeInfo of `symbols` (see the top of the file); throws what the request or the needed entries fail with. */
export async function readSymbolsExchangeInfo(rest: BinanceRestClient, symbols: readonly string[]): Promise<SymbolsExchangeInfo> {
  const kind = rest.market === 'spot' ? 'spot' : 'perp';
  let info: { rateLimits?: unknown; symbols?: unknown };
  try {
    // an empty list is not a valid `symbols` value: ask for everything then
    info = await rest.exchangeInfo(rest.market === 'spot' && symbols.length > 0 ? [...symbols] : undefined);
  } catch (e) {
    if (rest.market !== 'spot' || !isBadSymbol(e)) throw e;
    const unlisted = await unknownSpotSymbols(rest, symbols);
    // -1121 for the list while every symbol alone is known: the venue's refusal stands
    if (unlisted.length === 0) throw e;
    return { rules: new Map(), rateLimits: null, unlisted, skipped: 0, firstSkipped: null };
  }
  const { rules, skipped, firstSkipped } = neededRulesFromExchangeInfo(info, kind, symbols);
  return {
    rules, rateLimits: Array.isArray(info.rateLimits) ? info.rateLimits : null,
    unlisted: symbols.filter((s) => !rules.has(s)), skipped, firstSkipped,
  };
}
