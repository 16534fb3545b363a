// Fills and orders of every node on one JetStream stream. Each message carries a
// message id (a fill: its venue trade id; an order: its client order id and status),
// so a message sent twice — a retry, a node republishing its journal after a crash —
// is stored once. Every node reads the whole stream (an ordered consumer) into memory:
// any node serves the cluster's history, a node taking over a market applies the fills
// other nodes made on it, and the fencing tokens of the orders are checked in order.
// A message whose publication failed (NATS unreachable or slow to acknowledge) is kept
// and sent again under the same message id by retryUnsent() (every lease round and on
// reconnect) until the stream acknowledges it: a fill made while a node was cut off
// from NATS (it may quote until its lease lapses locally) still reaches the stream.
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { FillRecord } from '../trading/types.js';
import { NAMES } from './cluster-config.js';

export interface StreamFill {
  node_id: string;
  venue: string;
  /** Fencing token of the market's lease when the node journaled the fill (0 when not held). */
  fence: number;
  fill: Omit<FillRecord, 'tsEventNs' | 'tsInitNs'> & { tsEventNs: string; tsInitNs: string };
}

export interface StreamOrder {
  node_id: string;
  fence: number;
  strategy_id: string;
  symbol: string;
  client_order_id: string;
  side: string;
  price: number | null;
  qty: number;
  status: string;
  /** Exchange time of the update, ms. */
  timestamp: number;
  /** Wall clock when the node sent it, ms (orders of nodes on one market are compared by it). */
  placed_ms: number;
}

export function fillFromStream(f: StreamFill['fill']): FillRecord {
  return { ...f, tsEventNs: BigInt(f.tsEventNs), tsInitNs: BigInt(f.tsInitNs) };
}

const MAX_ORDERS_KEPT = 20_000;
/** Order messages kept for a retry at most (the oldest are dropped past it; fills are never dropped). */
const MAX_UNSENT_ORDERS = 20_000;

export class TradeStream {
  private readonly nc: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly nodeId: string;
  private jsm: JetStreamManager | null = null;
  /** Every fill on the stream, in stream order. */
  readonly fills: StreamFill[] = [];
  readonly tradeIds = new Set<string>();
  /** The latest orders, in stream order. */
  readonly orders: StreamOrder[] = [];
  /** Highest fencing token seen per market on an order, whose it was and when it was placed. */
  private readonly maxFence = new Map<string, { token: number; node: string; placedMs: number }>();
  /** New orders placed after another node's order on the market with a higher token (a fenced node placed): must stay 0. */
  fenceViolations = 0;
  consumedSeq = 0;
  lastSeq = 0;
  published = 0;
  publishErrors = 0;
  /** Messages sent again after a failed publication and acknowledged then. */
  republished = 0;
  /** Messages not acknowledged by the stream yet, by message id, in the order they were made. */
  private readonly unsent = new Map<string, { subject: string; data: string; fill: boolean }>();
  private unsentOrders = 0;
  private retrying = false;
  private stopped = false;
  private waiters: { seq: number; resolve: () => void }[] = [];
  /** Told each fill another node made (after it is in `fills`). */
  onRemoteFill: ((f: StreamFill) => void) | null = null;

  constructor(nc: NatsConnection, js: JetStreamClient, nodeId: string) {
    this.nc = nc;
    this.js = js;
    this.nodeId = nodeId;
  }

  async start(): Promise<void> {
    this.jsm = await jetstreamManager(this.nc);
    const c = await this.js.consumers.get(NAMES.stream);
    const msgs = await c.consume();
    void (async () => {
      for await (const m of msgs) {
        if (this.stopped) break;
        this.consumedSeq = m.seq;
        try {
          if (m.subject.startsWith(`${NAMES.subject}.fill.`)) this.addFill(m.json<StreamFill>());
          else if (m.subject.startsWith(`${NAMES.subject}.order.`)) this.addOrder(m.json<StreamOrder>());
        } catch { /* a malformed message is skipped */ }
        if (this.consumedSeq > this.lastSeq) this.lastSeq = this.consumedSeq;
        this.wake();
      }
    })();
    await this.catchUp();
  }

  private addFill(f: StreamFill): void {
    if (this.tradeIds.has(f.fill.tradeId)) return;
    this.tradeIds.add(f.fill.tradeId);
    this.fills.push(f);
    if (f.node_id !== this.nodeId) this.onRemoteFill?.(f);
  }

  private addOrder(o: StreamOrder): void {
    if (o.status === 'NEW' || o.status === 'PENDING_NEW') {
      const prev = this.maxFence.get(o.symbol);
      if (prev !== undefined && o.fence < prev.token && prev.node !== o.node_id && o.placed_ms > prev.placedMs) this.fenceViolations++;
      if (prev === undefined || o.fence > prev.token) this.maxFence.set(o.symbol, { token: o.fence, node: o.node_id, placedMs: o.placed_ms });
    }
    this.orders.push(o);
    if (this.orders.length > MAX_ORDERS_KEPT) this.orders.splice(0, this.orders.length - MAX_ORDERS_KEPT);
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const left: typeof this.waiters = [];
    for (const w of this.waiters) (this.consumedSeq >= w.seq ? w.resolve() : left.push(w));
    this.waiters = left;
  }

  /** Resolves once everything the stream held when called has been read. */
  async catchUp(timeoutMs = 10_000): Promise<void> {
    const info = await this.jsm!.streams.info(NAMES.stream);
    const target = info.state.last_seq;
    if (target > this.lastSeq) this.lastSeq = target;
    if (this.consumedSeq >= target) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the trades stream was not read up to ${target} within ${timeoutMs} ms (at ${this.consumedSeq})`)), timeoutMs);
      this.waiters.push({ seq: target, resolve: () => { clearTimeout(t); resolve(); } });
    });
  }

  async refreshLastSeq(): Promise<void> {
    const info = await this.jsm!.streams.info(NAMES.stream);
    this.lastSeq = info.state.last_seq;
  }

  publishFill(fill: FillRecord, venue: string, fence: number): void {
    const body: StreamFill = {
      node_id: this.nodeId, venue, fence,
      fill: {
        tradeId: fill.tradeId, orderId: fill.orderId, clientOrderId: fill.clientOrderId, strategyId: fill.strategyId, symbol: fill.symbol, side: fill.side,
        price: fill.price, qty: fill.qty, fee: fill.fee, liquidity: fill.liquidity, tsEventNs: String(fill.tsEventNs), tsInitNs: String(fill.tsInitNs),
      },
    };
    this.send(`${NAMES.subject}.fill.${this.nodeId}`, JSON.stringify(body), `fill:${venue}:${fill.tradeId}`);
  }

  publishOrder(o: StreamOrder): void {
    this.send(`${NAMES.subject}.order.${this.nodeId}`, JSON.stringify(o), `order:${o.client_order_id}:${o.status}`);
  }

  private send(subject: string, data: string, msgID: string): void {
    const fill = subject.startsWith(`${NAMES.subject}.fill.`);
    this.js.publish(subject, data, { msgID }).then(
      () => { this.published++; },
      () => { this.publishErrors++; this.keep(msgID, subject, data, fill); },
    );
  }

  private keep(msgID: string, subject: string, data: string, fill: boolean): void {
    if (this.unsent.has(msgID)) return;
    this.unsent.set(msgID, { subject, data, fill });
    if (fill) return;
    this.unsentOrders++;
    if (this.unsentOrders <= MAX_UNSENT_ORDERS) return;
    for (const [id, m] of this.unsent) {
      if (m.fill) continue;
      this.unsent.delete(id);
      this.unsentOrders--;
      break;
    }
  }

  /** Fills and orders whose publication failed and that wait for retryUnsent(). */
  get unsentCount(): number {
    return this.unsent.size;
  }

  /**
   * Sends again, in order, what could not be published; stops at the first failure (NATS
   * still unreachable: the next call goes on). The message ids keep each message once on the
   * stream, and readers ignore a trade id they have seen.
   */
  async retryUnsent(): Promise<void> {
    if (this.retrying || this.unsent.size === 0 || this.stopped) return;
    this.retrying = true;
    try {
      for (const [id, m] of [...this.unsent]) {
        await this.js.publish(m.subject, m.data, { msgID: id });
        this.unsent.delete(id);
        if (!m.fill) this.unsentOrders--;
        this.published++;
        this.republished++;
      }
    } catch {
      /* still unreachable: the next round sends them */
    } finally {
      this.retrying = false;
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
