// The numbers RiskEngine.onPnl takes, read from an accounting ledger at a mark
// price. Decimal arithmetic stays in accounting; this converts once per update
// (off the quoting path; call it when the ledger or the mark changes).
import { type Decimal, toDecimal } from '../accounting/decimal.js';
import type { SymbolLedger } from '../accounting/symbol-ledger.js';

export interface LedgerPnl {
  /** Realized P&L net of fees since the ledger began (quote currency). */
  realizedQuote: number;
  /** Unrealized P&L of the open position at the mark. */
  unrealizedQuote: number;
  /** |position| × average entry: what the open position cost. */
  entryValueQuote: number;
}

/** P&L of a ledger at `mark` (a price in quote currency per unit). */
export function ledgerPnl(ledger: SymbolLedger, mark: Decimal | string | number): LedgerPnl {
  if (typeof mark === 'string') return ledger.pnlAt(mark); // the same values, memoised across marks
  const m = toDecimal(mark, 'mark price');
  return {
    realizedQuote: ledger.realizedNet.toNumber(),
    unrealizedQuote: ledger.unrealizedAt(m).toNumber(),
    entryValueQuote: ledger.state.position.openCost.abs().toNumber(),
  };
}
