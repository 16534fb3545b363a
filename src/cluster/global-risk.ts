// Positions per account and symbol across the cluster, one key per (account, symbol)
// in the risk bucket, updated by compare-and-set on the key's revision for every fill
// a node makes (a conflicting update reads again and retries). The engine's own limits
// (max_position, daily loss) see every node's fills because the node running a market
// applies the fills other nodes made on it (trade-stream.ts); this aggregate is the
// cluster-wide view of GET /api/cluster and what a new owner checks its ledger against.
//
// The cluster-wide limits (cluster-limits.ts) read this aggregate synchronously: every
// node watches the bucket, so `all` and `marks` follow the other nodes' writes within
// a NATS round trip (and are read again every lease round as a backstop). The node
// holding a market writes its mid there (`mark.<symbol>`, at most once a second) so
// every node can mark the positions of markets it does not hold. With an event exposure
// limit it also writes the unfilled quantity of its open orders on each market of an event
// (`open.<symbol>`, buys and sells, at most once a second when it changed), so the other
// nodes count what those orders would add if they filled.
//
// A node's fills are applied one at a time, in fill order. One that cannot be applied
// because NATS is unreachable stays first in the queue (with every later one behind it)
// and is tried again every lease round (retry()) until it lands: a fill made while the
// node was cut off still counts. Each record keeps the trade ids it applied last, so a
// fill whose update landed although its answer was lost is not counted twice.
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
  /** Position before the day's first fill (decimal string; absent in records of older builds: 0). */
  day_start_position?: string;
  /** Price of the last fill (decimal string): the mark when no node publishes one. */
  last_price?: string;
  /** Trade ids of the last fills applied (at most RECENT_TRADE_IDS; absent in records of older builds). */
  trade_ids?: string[];
  updated_by: string;
}

/** Trade ids a position record remembers, so an update sent again is recognised. */
const RECENT_TRADE_IDS = 32;

/** A failure to reach NATS (the fill is kept for the next try), as opposed to a bad record. */
const isUnreachable = (e: unknown): boolean => /timeout|disconnect|closed|connection|no responders|reconnect/i.test(String(e));

export interface MarkRecord { symbol: string; mid: number; at_ms: number; node_id: string }

/** The unfilled quantity of a node's open orders on a market, each side, base units (every account). */
export interface OpenRecord { symbol: string; buy: number; sell: number; at_ms: number; node_id: string }

export const riskKey = (account: string, symbol: string): string => `pos.${account}.${symbol}`;
export const markKey = (symbol: string): string => `mark.${symbol}`;
export const openKey = (symbol: string): string => `open.${symbol}`;

/** UTC day (YYYY-MM-DD) of a time in ms. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export class GlobalRisk {
  private readonly kv: KV;
  private readonly nodeId: string;
  conflicts = 0;
  errors = 0;
  all = new Map<string, RiskRecord>();
  /** Mids of the markets, as their holders last wrote them. */
  marks = new Map<string, MarkRecord>();
  /** Open orders of the markets, as their holders last wrote them. */
  opens = new Map<string, OpenRecord>();
  /** Revision of each key as last seen (a watch event older than a read is ignored). */
  private readonly revisions = new Map<string, number>();
  /** Called after the watch or a read changed `all` or `marks`. */
  onChange: (() => void) | null = null;
  watchEvents = 0;
  private stopped = false;
  /** Fills of this node not yet in KV, in fill order (the first is being applied or failed last). */
  private readonly queue: FillRecord[] = [];
  private draining: Promise<void> | null = null;
  /** The last failure to apply a fill, or null. */
  lastError: string | null = null;

  constructor(kv: KV, nodeId: string) {
    this.kv = kv;
    this.nodeId = nodeId;
  }

  /** Adds a fill (queued: updates apply one at a time, in fill order). */
  addFill(fill: FillRecord): void {
    this.queue.push(fill);
    void this.drain();
  }

  /** Fills not yet in KV (NATS unreachable, or being applied). */
  get pending(): number {
    return this.queue.length;
  }

  /** Tries again the fills a failure left in the queue (called every lease round). */
  retry(): void {
    if (this.queue.length > 0) void this.drain();
  }

  /** Resolves once the queue is applied, or its first fill failed. */
  flush(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  private drain(): Promise<void> {
    if (this.draining !== null) return this.draining;
    this.draining = (async () => {
      while (this.queue.length > 0 && !this.stopped) {
        try {
          await this.apply(this.queue[0]!);
        } catch (e) {
          this.errors++;
          this.lastError = `position update for ${this.queue[0]!.tradeId}: ${e instanceof Error ? e.message : String(e)}`;
          if (isUnreachable(e)) break; // kept: the next retry() sends it
        }
        this.queue.shift();
      }
    })().finally(() => { this.draining = null; });
    return this.draining;
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
      if (e !== null && e.operation === 'PUT' && cur.trade_ids?.includes(fill.tradeId) === true) {
        // applied already (an earlier try whose answer was lost)
        this.take(key, cur, e.revision);
        return;
      }
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
        day_start_position: cur.day === day ? (cur.day_start_position ?? '0') : cur.position,
        last_price: new Decimal(fill.price).toString(),
        trade_ids: [...(cur.trade_ids ?? []), fill.tradeId].slice(-RECENT_TRADE_IDS),
        updated_by: this.nodeId,
      };
      try {
        const rev = e === null || e.operation !== 'PUT' ? await this.kv.create(key, JSON.stringify(next)) : await this.kv.update(key, JSON.stringify(next), e.revision);
        this.take(key, next, rev);
        this.onChange?.();
        return;
      } catch (err) {
        if (!/wrong last sequence/i.test(String(err))) throw err;
        this.conflicts++;
      }
    }
    throw new Error(`${key}: too many concurrent updates`);
  }

  /** Keeps a record or mark if it is newer than the one held. */
  private take(key: string, value: RiskRecord | MarkRecord | OpenRecord | null, revision: number): void {
    if ((this.revisions.get(key) ?? 0) > revision) return;
    this.revisions.set(key, revision);
    if (key.startsWith('pos.')) {
      if (value === null) this.all.delete(key); else this.all.set(key, value as RiskRecord);
    } else if (key.startsWith('mark.')) {
      const sym = key.slice(5);
      if (value === null) this.marks.delete(sym); else this.marks.set(sym, value as MarkRecord);
    } else if (key.startsWith('open.')) {
      const sym = key.slice(5);
      if (value === null) this.opens.delete(sym); else this.opens.set(sym, value as OpenRecord);
    }
  }

  /** Follows every write to the bucket (its current values first). */
  async watch(): Promise<void> {
    const it = await this.kv.watch();
    void (async () => {
      for await (const e of it) {
        if (this.stopped) break;
        this.watchEvents++;
        if (e.operation !== 'PUT') { this.take(e.key, null, e.revision); this.onChange?.(); continue; }
        try { this.take(e.key, e.json<RiskRecord | MarkRecord | OpenRecord>(), e.revision); } catch { continue; }
        this.onChange?.();
      }
    })();
  }

  /** The holder of a market writes its mid (fire and forget). */
  putMark(symbol: string, mid: number): void {
    const m: MarkRecord = { symbol, mid, at_ms: Date.now(), node_id: this.nodeId };
    this.marks.set(symbol, m);
    this.kv.put(markKey(symbol), JSON.stringify(m)).catch(() => { this.errors++; });
  }

  /** A node writes the unfilled quantity of its open orders on a market it holds (fire and forget). */
  putOpen(symbol: string, buy: number, sell: number): void {
    const o: OpenRecord = { symbol, buy, sell, at_ms: Date.now(), node_id: this.nodeId };
    this.opens.set(symbol, o);
    this.kv.put(openKey(symbol), JSON.stringify(o)).catch(() => { this.errors++; });
  }

  async read(): Promise<void> {
    const keys = new Set<string>();
    for await (const k of await this.kv.keys()) keys.add(k);
    for (const k of keys) {
      const e = await this.kv.get(k);
      if (e === null || e.operation !== 'PUT') continue;
      try { this.take(k, e.json<RiskRecord | MarkRecord | OpenRecord>(), e.revision); } catch { /* not ours */ }
    }
    this.onChange?.();
  }

  stop(): void {
    this.stopped = true;
  }
}
