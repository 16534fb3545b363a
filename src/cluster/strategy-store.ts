// The cluster's strategies: each definition (what POST /api/strategy/load was given)
// and the state the cluster wants for it (running or stopped), one key per strategy in
// the strategies bucket. Every node loads every definition; only the node holding the
// lease of the strategy's market starts it. Every node watches the bucket, so a change
// made through one node's API applies on the others at once.
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
  /** As last read or watched. */
  all = new Map<string, ClusterStrategy>();
  /** KV revision of each strategy as last seen (an older read or watch event is ignored). */
  private readonly revisions = new Map<string, number>();
  /** Called after the watch changed `all`. */
  onChange: (() => void) | null = null;
  private stopped = false;

  constructor(kv: KV, nodeId: string) {
    this.kv = kv;
    this.nodeId = nodeId;
  }

  private take(key: string, v: ClusterStrategy, revision: number): boolean {
    if ((this.revisions.get(key) ?? 0) > revision) return false;
    this.revisions.set(key, revision);
    this.all.set(key, v);
    return true;
  }

  async read(): Promise<Map<string, ClusterStrategy>> {
    const seen = new Set<string>();
    for await (const k of await this.kv.keys()) {
      const e = await this.kv.get(k);
      if (e === null || e.operation !== 'PUT') continue;
      seen.add(k);
      try { this.take(k, e.json<ClusterStrategy>(), e.revision); } catch { /* not ours */ }
    }
    for (const k of [...this.all.keys()]) if (!seen.has(k) && this.revisions.has(k)) { this.all.delete(k); this.revisions.delete(k); }
    return this.all;
  }

  /** Reads one strategy (one KV get); false when the cluster has none of that id. */
  async readOne(id: string): Promise<boolean> {
    const e = await this.kv.get(id);
    if (e === null || e.operation !== 'PUT') return false;
    let v: ClusterStrategy;
    try { v = e.json<ClusterStrategy>(); } catch { return false; }
    this.take(id, v, e.revision);
    return true;
  }

  /**
   * Follows every write to the bucket (its current values first): a strategy loaded, started,
   * stopped or patched on another node is known here within a NATS round trip, not at the next round.
   */
  async watch(): Promise<void> {
    const it = await this.kv.watch();
    void (async () => {
      for await (const e of it) {
        if (this.stopped) break;
        if (e.operation !== 'PUT') continue;
        let v: ClusterStrategy;
        try { v = e.json<ClusterStrategy>(); } catch { continue; }
        if (this.take(e.key, v, e.revision)) this.onChange?.();
      }
    })();
  }

  stop(): void {
    this.stopped = true;
  }

  async put(id: string, symbol: string, definition: Record<string, unknown>, wanted: WantedState, paramsSeq = 0): Promise<void> {
    const v: ClusterStrategy = { strategy_id: id, symbol, definition, wanted, params_seq: paramsSeq, updated_by: this.nodeId, updated_ms: Date.now() };
    this.all.set(id, v);
    const rev = await this.kv.put(id, JSON.stringify(v));
    this.take(id, v, rev);
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
    const rev = await this.kv.update(id, JSON.stringify(v), e.revision);
    this.take(id, v, rev);
    return seq;
  }

  /** Markets some strategy of the cluster trades. */
  markets(): string[] {
    const s = new Set<string>();
    for (const v of this.all.values()) if (v.wanted !== 'deleted') s.add(v.symbol);
    return [...s].sort();
  }
}
