// Who held a symbol at a funding time, and how much: each ledger's position on the symbol
// now, less the fills it journaled after that time (a fill at the funding time itself
// counts as before it). Without a journal, the positions now.
import { Decimal } from '../accounting/decimal.js';
import type { FundingHolder } from '../accounting/funding-split.js';
import type { LedgerSet } from '../accounting/ledger-set.js';
import type { Journal } from '../store/journal.js';

export function fundingHolders(ledgers: LedgerSet, journal: Journal | undefined, symbol: string, fundingTsNs: bigint): FundingHolder[] {
  const out: FundingHolder[] = [];
  for (const l of ledgers.ledgers()) {
    const id = l.config.strategyId;
    if (l.config.symbol !== symbol || id === null) continue;
    let position = new Decimal(l.position.toFixed());
    if (journal !== undefined) {
      for (const f of journal.fills(id, { sinceTsNs: fundingTsNs + 1n })) {
        if (f.symbol !== symbol) continue;
        position = f.side === 'BUY' ? position.minus(f.qty) : position.plus(f.qty);
      }
    }
    if (!position.isZero()) out.push({ strategyId: id, position: position.toFixed() });
  }
  return out;
}
