// Positions per account and symbol across the cluster, one key per (account, symbol)
// in the risk bucket, updated by compare-and-set on the key's revision for every fill
// a node makes (a conflicting update reads again and retries). The engine's own limits
// (max_position, daily loss) see every node's fills because the node running a market
// applies the fills other nodes made on it (trade-stream.ts); this aggregate is the
// cluster-wide view of GET /api/cluster and what a new owner checks its ledger against.
import type { KV } from '@nats-io/kv';
import { Decimal } from '../accounting/decimal.js';
import type { FillRecord } from '../trading/types.js';

export interface RiskRecord {
  account: string;
  symbol: string;
  /** Signed position, base units (decimal string). */
  position: string;
  /** Cash flow of the fills: sells minus buys, minus fees (decimal string). */
  cash: string;
  fees: string;
  fills: number;
  /** UTC day of the last fill and the cash flow of that day's fills. */
  day: string;
  day_cash: string;
  updated_by: string;
}

export const riskKey = (account: string, symbol: string): string => `pos.${account}.${symbol}`;

export class GlobalRisk {
  private readonly kv: KV;
  private readonly nodeId: string;
  conflicts = 0;
  errors = 0;
  all = new Map<string, RiskRecord>();
  private chain: Promise<void> = Promise.resolve();

  constructor(kv: KV, nodeId: string) {
    this.kv = kv;
    this.nodeId = nodeId;
  }

  /** Adds a fill (queued: updates apply one at a time, in fill order). */
  addFill(fill: FillRecord): void {
    this.chain = this.chain.then(() => this.apply(fill)).catch(() => { this.errors++; });
  }

  /** Resolves once every queued update is applied. */
  flush(): Promise<void> {
    return this.chain;
  }

  private async apply(fill: FillRecord): Promise<void> {
    const account = fill.strategyId ?? 'manual';
    const key = riskKey(account, fill.symbol);
    const day = new Date(Number(fill.tsEventNs / 1_000_000n)).toISOString().slice(0, 10);
    for (let attempt = 0; attempt < 50; attempt++) {
      const e = await this.kv.get(key);
      const cur: RiskRecord = e !== null && e.operation === 'PUT'
        ? e.json<RiskRecord>()
        : { account, symbol: fill.symbol, position: '0', cash: '0', fees: '0', fills: 0, day, day_cash: '0', updated_by: this.nodeId };
      const qty = new Decimal(fill.qty);
      const signed = fill.side === 'BUY' ? qty : qty.neg();
      const flow = signed.neg().times(fill.price).minus(fill.fee);
      const next: RiskRecord = {
        account, symbol: fill.symbol,
        position: new Decimal(cur.position).plus(signed).toString(),
        cash: new Decimal(cur.cash).plus(flow).toString(),
        fees: new Decimal(cur.fees).plus(fill.fee).toString(),
        fills: cur.fills + 1,
        day,
        day_cash: (cur.day === day ? new Decimal(cur.day_cash).plus(flow) : flow).toString(),
        updated_by: this.nodeId,
      };
      try {
        if (e === null || e.operation !== 'PUT') await this.kv.create(key, JSON.stringify(next));
        else await this.kv.update(key, JSON.stringify(next), e.revision);
        this.all.set(key, next);
        return;
      } catch (err) {
        if (!/wrong last sequence/i.test(String(err))) throw err;
        this.conflicts++;
      }
    }
    throw new Error(`${key}: too many concurrent updates`);
  }

  async read(): Promise<void> {
    const next = new Map<string, RiskRecord>();
    for await (const k of await this.kv.keys('pos.>')) {
      const e = await this.kv.get(k);
      if (e === null || e.operation !== 'PUT') continue;
      try { next.set(k, e.json<RiskRecord>()); } catch { /* not ours */ }
    }
    this.all = next;
  }
}
