// The live nodes: each node puts a heartbeat in the nodes bucket (its TTL is the lease
// TTL, so a node that stops beating drops out of the list after it) and reads the list.
// Expiry by the bucket's max age sends no watch event, so the list is read, not watched.
import type { KV } from '@nats-io/kv';

export interface NodeInfo {
  node_id: string;
  api: string | null;
  started_ms: number;
  heartbeat_ms: number;
}

export class NodeRegistry {
  private readonly kv: KV;
  private readonly self: NodeInfo;
  /** Live nodes as last read (self included once it has beaten). */
  live: NodeInfo[] = [];

  constructor(kv: KV, nodeId: string, api: string | null) {
    this.kv = kv;
    this.self = { node_id: nodeId, api, started_ms: Date.now(), heartbeat_ms: 0 };
  }

  setApi(api: string): void {
    this.self.api = api;
  }

  async beat(): Promise<void> {
    this.self.heartbeat_ms = Date.now();
    await this.kv.put(this.self.node_id, JSON.stringify(this.self));
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
