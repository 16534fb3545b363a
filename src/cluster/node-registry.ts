// The live nodes: each node puts a heartbeat in the nodes bucket (its TTL is the lease
// TTL, so a node that stops beating drops out of the list after it) and reads the list.
// Expiry by the bucket's max age sends no watch event, so the list is read, not watched.
//
// A node id belongs to one process at a time. At start a node whose id has a heartbeat
// in the bucket watches it for half a lease TTL (a live process beats every TTL/4): if it
// moves, the id is in use and the node refuses to join; if not (a process that died, or
// restarted under the same id), it takes the key over by compare-and-set. Every beat is a
// compare-and-set on the key's last revision too, so of two processes started under one
// id at the same moment only one keeps beating: the other's rounds fail, its leases lapse
// and it stops quoting (two processes holding one market under one id would both quote).
import { randomUUID } from 'node:crypto';
import type { KV, KvEntry } from '@nats-io/kv';
import { SpreadcoreError } from '../errors.js';

export interface NodeInfo {
  node_id: string;
  api: string | null;
  started_ms: number;
  heartbeat_ms: number;
  /** Which process beats under this id (a new one every start). */
  instance?: string;
}

const CAS_FAILED = /wrong last sequence|key exists/i;

export class NodeRegistry {
  private readonly kv: KV;
  private readonly self: NodeInfo;
  /** Revision of this process's last heartbeat (0: none yet). */
  private revision = 0;
  /** Live nodes as last read (self included once it has beaten). */
  live: NodeInfo[] = [];

  constructor(kv: KV, nodeId: string, api: string | null) {
    this.kv = kv;
    this.self = { node_id: nodeId, api, started_ms: Date.now(), heartbeat_ms: 0, instance: randomUUID() };
  }

  setApi(api: string): void {
    this.self.api = api;
  }

  private inUse(e: KvEntry | null): SpreadcoreError {
    let other: NodeInfo | null = null;
    try { other = e !== null && e.operation === 'PUT' ? e.json<NodeInfo>() : null; } catch { /* not ours */ }
    const where = other === null ? '' : ` (API ${other.api ?? 'not listening yet'}, started ${new Date(other.started_ms).toISOString()})`;
    return new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG',
      `node id "${this.self.node_id}" is in use: another process beats under it in the cluster${where}; give every node its own --node-id (SPREADCORE_NODE_ID)`);
  }

  /**
   * At start: refuses (throws) when another live process beats under this node id; else
   * writes this process's first heartbeat. Waits up to half a lease TTL when the id has a
   * heartbeat from before (a process killed moments ago).
   */
  async claim(ttlMs: number): Promise<void> {
    const id = this.self.node_id;
    const first = await this.kv.get(id);
    let seen = first !== null && first.operation === 'PUT' ? first.revision : 0;
    if (seen !== 0) {
      const deadline = Date.now() + Math.ceil(ttlMs / 2) + 250;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        const e = await this.kv.get(id);
        if (e === null || e.operation !== 'PUT') { seen = 0; break; }
        if (e.revision !== seen) throw this.inUse(e);
      }
    }
    this.self.heartbeat_ms = Date.now();
    const v = JSON.stringify(this.self);
    try {
      this.revision = seen === 0 ? await this.kv.create(id, v) : await this.kv.update(id, v, seen);
    } catch (e) {
      if (!CAS_FAILED.test(String(e))) throw e;
      throw this.inUse(await this.kv.get(id));
    }
  }

  async beat(): Promise<void> {
    const id = this.self.node_id;
    this.self.heartbeat_ms = Date.now();
    const v = JSON.stringify(this.self);
    try {
      this.revision = this.revision === 0 ? await this.kv.create(id, v) : await this.kv.update(id, v, this.revision);
    } catch (e) {
      if (!CAS_FAILED.test(String(e))) throw e;
      const cur = await this.kv.get(id);
      // expired meanwhile (cut off from NATS longer than the TTL): beat again
      if (cur === null || cur.operation !== 'PUT') { this.revision = await this.kv.create(id, v); return; }
      let info: NodeInfo | null = null;
      try { info = cur.json<NodeInfo>(); } catch { /* not ours */ }
      // this process's own write whose answer was lost
      if (info?.instance === this.self.instance) { this.revision = await this.kv.update(id, v, cur.revision); return; }
      throw this.inUse(cur);
    }
  }

  async read(): Promise<NodeInfo[]> {
    const out: NodeInfo[] = [];
    // a key written while the listing runs may be listed twice
    const keys = new Set<string>();
    for await (const k of await this.kv.keys()) keys.add(k);
    for (const k of keys) {
      const e = await this.kv.get(k);
      if (e === null || e.operation !== 'PUT') continue;
      try { out.push(e.json<NodeInfo>()); } catch { /* not ours */ }
    }
    out.sort((a, b) => (a.node_id < b.node_id ? -1 : 1));
    this.live = out;
    return out;
  }

  /** Leaves the list at once (a clean stop), instead of after the TTL. */
  async leave(): Promise<void> {
    await this.kv.delete(this.self.node_id).catch(() => undefined);
  }
}
