// The P&L part of the final_state JSON returned when a strategy stops (seed 000):
// position, unrealized P&L at the mark, realized P&L after fees, and their sum.
// The caller adds quotes_cancelled, which the ledger does not know.
import { type JsonPrecision, DEFAULT_JSON_PRECISION, jsonNumber } from './json-number.js';
import { summarizeLedger } from './ledger-summary.js';
import type { SymbolLedger } from './symbol-ledger.js';

export interface FinalStateJson {
  position: number;
  unrealized_pnl: number;
  realized_pnl: number;
  total_pnl: number;
}

/** `markPrice` defaults to the last mark, else the last fill price. */
export function finalStateView(ledger: SymbolLedger, markPrice?: string, p: JsonPrecision = DEFAULT_JSON_PRECISION): FinalStateJson {
  const x = summarizeLedger(ledger, markPrice);
  return {
    position: jsonNumber(x.position),
    unrealized_pnl: jsonNumber(x.unrealizedPnl, p.moneyDp),
    realized_pnl: jsonNumber(x.realizedNet, p.moneyDp),
    total_pnl: jsonNumber(x.totalPnl, p.moneyDp),
  };
}
