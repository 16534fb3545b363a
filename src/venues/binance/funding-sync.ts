// Funding payments of a USD-M account read from Binance and handed to the engine, each
// once. A FUNDING_FEE ACCOUNT_UPDATE on a cross-margin position names no symbol ("pushed
// with only the balance B … without any position P", USD-M user data streams, "Event:
// Balance and Position Update"), so the per-symbol amounts always come from
// GET /fapi/v1/income?incomeType=FUNDING_FEE ("Get Income History (USER_DATA)"): at every
// reconciliation, and after every FUNDING_FEE event.
//
// The query starts at the last funding time journaled, inclusive: every symbol is funded at
// the same instant, so a record may share its ms with the last one seen, and one booked a
// moment later than the others would be missed by a start one ms later. The records seen
// again are known by their tranId ("unique in the same incomeType for a user") and skipped;
// pages (`page`, 1000 a page) are read until one is not full. Records of symbols the engine
// does not trade, or paid in an asset that is not the symbol's quote asset, are left out.
// On the first run on a journal the start is the server time then: funding paid before the
// engine ever traded the account is not its own.
import type { Journal } from '../../store/journal.js';
import type { BinanceMarket } from './client-order-id.js';
import type { IncomeAnswer } from './rest-client.js';

export const FUNDING_STATE_KEY = (market: BinanceMarket): string => `binance:${market}:funding`;

/** The engine's answer for one payment: applied to the ledgers, already journaled, or held by no account of the engine. */
export type FundingOutcome = 'applied' | 'duplicate' | 'unallocated';

export interface VenueFunding {
  readonly tranId: string;
  readonly symbol: string;
  readonly asset: string;
  /** The venue's amount, plain decimal string: received positive, paid negative. */
  readonly incomeQuote: string;
  readonly timeMs: number;
}

export interface FundingSyncOptions {
  readonly market: BinanceMarket;
  readonly symbols: readonly string[];
  readonly income: (q: { incomeType: 'FUNDING_FEE'; startTime: number; page: number; limit: number }) => Promise<IncomeAnswer[]>;
  /** The quote asset of a symbol (undefined when unknown). */
  readonly quoteAsset: (symbol: string) => string | undefined;
  readonly apply: (f: VenueFunding) => FundingOutcome;
  readonly journal: () => Journal | undefined;
  readonly serverNowMs: () => number;
  readonly log: (line: string) => void;
}

export interface FundingSyncResult {
  readonly applied: number;
  readonly duplicates: number;
  readonly unallocated: number;
  /** The funding time the next query starts at, ms. */
  readonly sinceMs: number;
}

interface FundingState { last_time_ms: number; last_tran_id: string | null }

const PAGE = 1000;

export class FundingSync {
  private readonly o: FundingSyncOptions;
  private chain: Promise<unknown> = Promise.resolve();
  /** Without a journal: where the next query starts. */
  private memory: FundingState | null = null;

  constructor(o: FundingSyncOptions) {
    this.o = o;
  }

  /** One query run at a time: a call while one runs waits for it, then runs its own. */
  sync(): Promise<FundingSyncResult> {
    const run = this.chain.then(() => this.syncOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private state(): FundingState | null {
    const j = this.o.journal();
    if (j === undefined) return this.memory;
    const v = j.getState(FUNDING_STATE_KEY(this.o.market)) as Partial<FundingState> | undefined;
    return v !== undefined && typeof v.last_time_ms === 'number' ? { last_time_ms: v.last_time_ms, last_tran_id: typeof v.last_tran_id === 'string' ? v.last_tran_id : null } : null;
  }

  private save(s: FundingState): void {
    const j = this.o.journal();
    if (j === undefined) this.memory = s; else j.setState(FUNDING_STATE_KEY(this.o.market), s);
  }

  private async syncOnce(): Promise<FundingSyncResult> {
    const before = this.state();
    if (before === null) {
      const start = { last_time_ms: Math.floor(this.o.serverNowMs()), last_tran_id: null };
      this.save(start);
      return { applied: 0, duplicates: 0, unallocated: 0, sinceMs: start.last_time_ms };
    }
    let applied = 0;
    let duplicates = 0;
    let unallocated = 0;
    let last = before;
    for (let page = 1; ; page++) {
      const records = await this.o.income({ incomeType: 'FUNDING_FEE', startTime: before.last_time_ms, page, limit: PAGE });
      for (const r of records) {
        if (r.incomeType !== 'FUNDING_FEE') continue;
        if (r.time >= last.last_time_ms) last = { last_time_ms: r.time, last_tran_id: String(r.tranId) };
        if (!this.o.symbols.includes(r.symbol)) continue;
        const quote = this.o.quoteAsset(r.symbol);
        if (quote !== undefined && r.asset !== quote) {
          this.o.log(`binance: funding ${r.tranId} on ${r.symbol} is paid in ${r.asset}, not ${quote}: not counted in the ledgers`);
          continue;
        }
        const outcome = this.o.apply({ tranId: String(r.tranId), symbol: r.symbol, asset: r.asset, incomeQuote: r.income, timeMs: r.time });
        if (outcome === 'applied') applied++;
        else if (outcome === 'duplicate') duplicates++;
        else unallocated++;
      }
      if (records.length < PAGE) break;
    }
    if (last.last_time_ms !== before.last_time_ms || last.last_tran_id !== before.last_tran_id) this.save(last);
    return { applied, duplicates, unallocated, sinceMs: last.last_time_ms };
  }
}
