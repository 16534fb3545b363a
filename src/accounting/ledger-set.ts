// One ledger per (strategy, symbol), created on first use, with fills routed by
// their strategyId and symbol. Snapshots list the ledgers in key order, so the
// same events give the same snapshot.
import { SpreadcoreError } from '../errors.js';
import type { FillRecord } from '../trading/types.js';
import type { FundingRecord } from './funding-record.js';
import type { LedgerConfig } from './ledger-config.js';
import type { MarkEvent } from './ledger-events.js';
import type { ActivityCounter } from './quote-activity.js';
import { type LedgerSnapshot, SymbolLedger } from './symbol-ledger.js';
import type { TradeEntry } from './trade-entry.js';

export type LedgerDefaults = Omit<LedgerConfig, 'strategyId' | 'symbol'>;

export interface LedgerSetSnapshot {
  version: 1;
  defaults: LedgerDefaults;
  ledgers: LedgerSnapshot[];
}

const key = (strategyId: string | null, symbol: string): string => `${strategyId ?? ''}\u0000${symbol}`;

export class LedgerSet {
  private readonly byKey = new Map<string, SymbolLedger>();
  private readonly defaults: LedgerDefaults;

  constructor(defaults: LedgerDefaults = {}) {
    this.defaults = { ...defaults, ...(defaults.markoutHorizonsMs ? { markoutHorizonsMs: [...defaults.markoutHorizonsMs] } : {}) };
  }

  get(strategyId: string | null, symbol: string): SymbolLedger | undefined {
    return this.byKey.get(key(strategyId, symbol));
  }

  /** The ledger of (strategyId, symbol), created with the set's defaults when missing. */
  ledger(strategyId: string | null, symbol: string): SymbolLedger {
    const k = key(strategyId, symbol);
    let l = this.byKey.get(k);
    if (l === undefined) {
      l = new SymbolLedger({ ...this.defaults, strategyId, symbol });
      this.byKey.set(k, l);
    }
    return l;
  }

  /**
   * The ledger of (strategyId, symbol) for a read: the set's own when it has one, else an
   * empty ledger with the set's defaults that the set does not keep (a read adds nothing to
   * the set, its snapshots or its listings).
   */
  view(strategyId: string | null, symbol: string): SymbolLedger {
    return this.byKey.get(key(strategyId, symbol)) ?? new SymbolLedger({ ...this.defaults, strategyId, symbol });
  }

  applyFill(fill: FillRecord): TradeEntry {
    return this.ledger(fill.strategyId, fill.symbol).applyFill(fill);
  }

  applyFunding(f: FundingRecord): void {
    this.ledger(f.strategyId, f.symbol).applyFunding(f);
  }

  applyMark(strategyId: string | null, symbol: string, mark: MarkEvent): void {
    this.ledger(strategyId, symbol).applyMark(mark);
  }

  count(strategyId: string | null, symbol: string, counter: ActivityCounter, n = 1): void {
    this.ledger(strategyId, symbol).count(counter, n);
  }

  /** Every ledger, in key order (strategy, then symbol). */
  ledgers(): SymbolLedger[] {
    return [...this.byKey.keys()].sort().map((k) => this.byKey.get(k)!);
  }

  /** The ledgers of one strategy, by symbol. */
  forStrategy(strategyId: string | null): SymbolLedger[] {
    return this.ledgers().filter((l) => l.config.strategyId === strategyId);
  }

  snapshot(): LedgerSetSnapshot {
    return { version: 1, defaults: this.defaults, ledgers: this.ledgers().map((l) => l.snapshot()) };
  }

  static restore(snap: LedgerSetSnapshot): LedgerSet {
    if (snap.version !== 1) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `ledger set snapshot version ${String(snap.version)} is not 1`);
    const set = new LedgerSet(snap.defaults);
    for (const ls of snap.ledgers) {
      const l = SymbolLedger.restore(ls);
      set.byKey.set(key(l.config.strategyId, l.config.symbol), l);
    }
    return set;
  }
}
