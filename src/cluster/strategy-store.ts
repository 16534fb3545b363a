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
  /** Bumped by every PATCH of its parameters (definition.parameters holds them merged). */
  params_seq?: number;
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

  async put(id: string, symbol: string, definition: Record<string, unknown>, wanted: WantedState, paramsSeq = 0): Promise<void> {
    const v: ClusterStrategy = { strategy_id: id, symbol, definition, wanted, params_seq: paramsSeq, updated_by: this.nodeId, updated_ms: Date.now() };
    this.all.set(id, v);
    await this.kv.put(id, JSON.stringify(v));
  }

  async setWanted(id: string, wanted: WantedState): Promise<void> {
    const cur = this.all.get(id) ?? (await this.kv.get(id))?.json<ClusterStrategy>();
    if (cur === undefined || cur === null) return;
    await this.put(id, cur.symbol, cur.definition, wanted, cur.params_seq ?? 0);
  }

  /** Merges a PATCH into the stored parameters; returns the new sequence number (0 when the strategy is not the cluster's). */
  async patch(id: string, body: Record<string, unknown>): Promise<number> {
    const e = await this.kv.get(id);
    if (e === null || e.operation !== 'PUT') return 0;
    const cur = e.json<ClusterStrategy>();
    const params = { ...((cur.definition['parameters'] as Record<string, unknown> | undefined) ?? {}), ...body };
    const seq = (cur.params_seq ?? 0) + 1;
    const v: ClusterStrategy = { ...cur, definition: { ...cur.definition, parameters: params }, params_seq: seq, updated_by: this.nodeId, updated_ms: Date.now() };
    // compare-and-set: two PATCHes on two nodes at once both land
    await this.kv.update(id, JSON.stringify(v), e.revision);
    this.all.set(id, v);
    return seq;
  }

  /** Markets some strategy of the cluster trades. */
  markets(): string[] {
    const s = new Set<string>();
    for (const v of this.all.values()) if (v.wanted !== 'deleted') s.add(v.symbol);
    return [...s].sort();
  }
}
