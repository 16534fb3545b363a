// Fills and orders of every node on one JetStream stream. Each message carries a
// message id (a fill: its venue trade id; an order: its client order id and status),
// so a message sent twice — a retry, a node republishing its journal after a crash —
// is stored once. Every node reads the whole stream (an ordered consumer) into memory:
// any node serves the cluster's history, a node taking over a market applies the fills
// other nodes made on it, and the fencing tokens of the orders are checked in order.
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
    this.js.publish(subject, data, { msgID }).then(
      () => { this.published++; },
      () => { this.publishErrors++; },
    );
  }

  stop(): void {
    this.stopped = true;
  }
}
