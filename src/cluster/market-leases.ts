// Market leases in the leases bucket (TTL = lease TTL). A node holds a market while
// its key there names it; it renews by compare-and-set on the key's last revision,
// and the revision of its last successful write is the lease's fencing token (a
// successor's token is always higher: a key is only created again once it expired or
// was deleted).
//
// Locally a lease is valid until (time the last successful write was SENT) + TTL −
// margin, on the monotonic clock. The server can only expire the key after (time it
// received that write) + TTL, which is later, so a node that was paused (SIGSTOP, a
// long GC, a partition) finds its lease invalid the moment it runs again, before any
// timer or NATS answer: fence() is synchronous and the order path asks it before every
// order. Markets are balanced by rendezvous hashing over the live nodes: a node takes
// the markets it wins that nobody holds and hands over (after cancelling) the ones
// another live node wins.
import type { KV } from '@nats-io/kv';
import { rendezvousOwner } from './rendezvous.js';

export interface HeldLease {
  readonly market: string;
  /** KV revision of the last successful write: the fencing token. */
  revision: number;
  /** performance.now() when that write was sent. */
  sentAt: number;
  /** performance.now() after which the lease is not used any more. */
  validUntil: number;
  acquiredMs: number;
}

export interface LeaseRecord { node_id: string; market: string; acquired_ms: number; renewed_ms: number }

export interface LeaseEvents {
  /** The node holds the market now (revision = fencing token); orders on it are refused until this resolves. */
  acquired(market: string, revision: number): Promise<void> | void;
  /** Orders on the market are allowed now (start quoting it). */
  ready(market: string): void;
  /** The node does not hold the market any more: stop quoting it and cancel its orders, synchronously. */
  lost(market: string, why: string): void;
}

export class MarketLeases {
  private readonly kv: KV;
  private readonly nodeId: string;
  private readonly ttlMs: number;
  private readonly marginMs: number;
  private readonly events: LeaseEvents;
  private readonly now: () => number;
  readonly held = new Map<string, HeldLease>();
  /** Markets being acquired (their acquired() handler has not finished). */
  private readonly pending = new Set<string>();
  /** Lease records as last read, by market. */
  table = new Map<string, { record: LeaseRecord; revision: number; ageMs: number }>();
  /** fenced: orders (and order attempts) refused because this node did not hold a usable lease. */
  counters = { acquired: 0, renewed: 0, lost: 0, released: 0, fenced: 0 };

  constructor(kv: KV, nodeId: string, ttlMs: number, events: LeaseEvents, now: () => number = () => performance.now()) {
    this.kv = kv;
    this.nodeId = nodeId;
    this.ttlMs = ttlMs;
    this.marginMs = Math.max(200, Math.floor(ttlMs / 5));
    this.events = events;
    this.now = now;
  }

  /**
   * The fencing token to place an order on `market` with, or 0: the node does not hold
   * it, or its lease was not confirmed recently enough. Synchronous; called per order.
   */
  fence(market: string): number {
    const h = this.held.get(market);
    if (h === undefined || this.pending.has(market)) { this.counters.fenced++; return 0; }
    if (this.now() >= h.validUntil) {
      this.drop(market, 'its lease was not renewed in time (the node was paused or cut off from NATS)');
      this.counters.fenced++;
      return 0;
    }
    return h.revision;
  }

  /**
   * Whether this node may act on `market` now (holds a ready lease, locally valid), for the
   * node's own decisions (which strategies to start): fence() without counting a refusal.
   */
  usable(market: string): boolean {
    const h = this.held.get(market);
    if (h === undefined || this.pending.has(market)) return false;
    if (this.now() >= h.validUntil) {
      this.drop(market, 'its lease was not renewed in time (the node was paused or cut off from NATS)');
      return false;
    }
    return true;
  }

  /** Drops every lease whose local validity ran out (called on a timer and by fence()). */
  expire(): void {
    const t = this.now();
    for (const h of [...this.held.values()]) if (t >= h.validUntil) this.drop(h.market, 'its lease was not renewed in time (the node was paused or cut off from NATS)');
  }

  private drop(market: string, why: string): void {
    if (!this.held.delete(market)) return;
    this.pending.delete(market);
    this.counters.lost++;
    this.events.lost(market, why);
  }

  private value(market: string, acquiredMs: number): string {
    const r: LeaseRecord = { node_id: this.nodeId, market, acquired_ms: acquiredMs, renewed_ms: Date.now() };
    return JSON.stringify(r);
  }

  /** Reads every lease (for the cluster view and for the balance decisions). */
  async readTable(): Promise<void> {
    const next = new Map<string, { record: LeaseRecord; revision: number; ageMs: number }>();
    for await (const k of await this.kv.keys()) {
      const e = await this.kv.get(k);
      if (e === null || e.operation !== 'PUT') continue;
      try { next.set(k, { record: e.json<LeaseRecord>(), revision: e.revision, ageMs: Date.now() - e.created.getTime() }); } catch { /* not a lease */ }
    }
    this.table = next;
  }

  /** One round: renew what is held, hand over what another live node should run, take what this node should run. */
  async balance(markets: readonly string[], liveNodes: readonly string[]): Promise<void> {
    this.expire();
    await this.readTable();
    const wanted = new Set(markets);
    const nodes = liveNodes.includes(this.nodeId) ? liveNodes : [...liveNodes, this.nodeId];
    for (const h of [...this.held.values()]) {
      const owner = rendezvousOwner(h.market, nodes);
      if (!wanted.has(h.market) || (owner !== this.nodeId && owner !== null && liveNodes.includes(owner))) {
        await this.release(h.market, wanted.has(h.market) ? `node ${owner} runs it now` : 'no strategy trades it any more');
      } else {
        await this.renew(h);
      }
    }
    for (const m of markets) {
      if (this.held.has(m) || this.pending.has(m)) continue;
      if (rendezvousOwner(m, nodes) !== this.nodeId) continue;
      const cur = this.table.get(m);
      if (cur !== undefined && cur.record.node_id !== this.nodeId) continue; // its holder hands it over, or it expires
      await this.acquire(m, cur?.revision);
    }
  }

  private async renew(h: HeldLease): Promise<void> {
    const sentAt = this.now();
    try {
      const rev = await this.kv.update(h.market, this.value(h.market, h.acquiredMs), h.revision);
      if (this.held.get(h.market) !== h) return;
      h.revision = rev;
      h.sentAt = sentAt;
      h.validUntil = sentAt + this.ttlMs - this.marginMs;
      this.counters.renewed++;
    } catch (e) {
      if (/wrong last sequence|key not found/i.test(String(e))) this.drop(h.market, 'another node holds its lease now');
      // else NATS is unreachable: the lease stays until its local validity runs out
    }
  }

  private async acquire(market: string, ownRevision: number | undefined): Promise<void> {
    const sentAt = this.now();
    const acquiredMs = Date.now();
    let rev: number;
    try {
      // a lease this node still has in the bucket (it lost it locally while cut off) is taken back by revision
      rev = ownRevision !== undefined ? await this.kv.update(market, this.value(market, acquiredMs), ownRevision) : await this.kv.create(market, this.value(market, acquiredMs));
    } catch {
      return; // taken meanwhile, or NATS is unreachable: the next round looks again
    }
    const h: HeldLease = { market, revision: rev, sentAt, validUntil: sentAt + this.ttlMs - this.marginMs, acquiredMs };
    this.held.set(market, h);
    this.pending.add(market);
    this.counters.acquired++;
    try {
      await this.events.acquired(market, rev);
    } finally {
      this.pending.delete(market);
    }
    if (this.held.get(market) === h) this.events.ready(market);
  }

  /** Stops the market here (cancels), then deletes the lease so its next owner can take it at once. */
  async release(market: string, why: string): Promise<void> {
    const h = this.held.get(market);
    if (h === undefined) return;
    this.drop(market, why);
    this.counters.lost--;
    this.counters.released++;
    await this.kv.delete(market, { previousSeq: h.revision }).catch(() => undefined);
  }

  async releaseAll(why: string): Promise<void> {
    for (const m of [...this.held.keys()]) await this.release(m, why);
  }
}
