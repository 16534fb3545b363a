// The cluster's strategies: each definition (what POST /api/strategy/load was given)
// and the state the cluster wants for it (running or stopped), one key per strategy in
// the strategies bucket. Every node loads every definition; only the node holding the
// lease of the strategy's market starts it.
import type { KV } from '@nats-io/kv';

export type WantedState = 'loaded' | 'running' | 'stopped' | 'deleted';

export interface ClusterStrategy {
  strategy_id: string;
  symbol: string;
  definition: Record<string, unknown>;
  wanted: WantedState;
  updated_by: string;
  updated_ms: number;
}

export class StrategyStore {
  private readonly kv: KV;
  private readonly nodeId: string;
  /** As last read. */
  all = new Map<string, ClusterStrategy>();

  constructor(kv: KV, nodeId: string) {
    this.kv = kv;
    this.nodeId = nodeId;
  }

  async read(): Promise<Map<string, ClusterStrategy>> {
    const next = new Map<string, ClusterStrategy>();
    for await (const k of await this.kv.keys()) {
      const e = await this.kv.get(k);
      if (e === null || e.operation !== 'PUT') continue;
      try { next.set(k, e.json<ClusterStrategy>()); } catch { /* not ours */ }
    }
    this.all = next;
    return next;
  }

  async put(id: string, symbol: string, definition: Record<string, unknown>, wanted: WantedState): Promise<void> {
    const v: ClusterStrategy = { strategy_id: id, symbol, definition, wanted, updated_by: this.nodeId, updated_ms: Date.now() };
    this.all.set(id, v);
    await this.kv.put(id, JSON.stringify(v));
  }

  async setWanted(id: string, wanted: WantedState): Promise<void> {
    const cur = this.all.get(id) ?? (await this.kv.get(id))?.json<ClusterStrategy>();
    if (cur === undefined || cur === null) return;
    await this.put(id, cur.symbol, cur.definition, wanted);
  }

  /** Markets some strategy of the cluster trades. */
  markets(): string[] {
    const s = new Set<string>();
    for (const v of this.all.values()) if (v.wanted !== 'deleted') s.add(v.symbol);
    return [...s].sort();
  }
}
