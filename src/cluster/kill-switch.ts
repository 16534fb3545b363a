// The cluster's kill switch: one key in the control bucket, watched by every node.
// Writing HALTED there (POST /api/kill on any node) makes every node cancel every
// order and refuse new ones; ACTIVE (POST /api/resume) lifts it. Each node writes an
// acknowledgement with the time it finished cancelling, so the time from the write to
// the last node's cancel can be measured.
import type { KV } from '@nats-io/kv';

export interface KillRecord { state: 'HALTED' | 'ACTIVE'; note: string; by: string; at_ms: number }
export interface KillAck { node_id: string; revision: number; state: 'HALTED' | 'ACTIVE'; written_ms: number; applied_ms: number; orders_cancelled: number }

export const KILL_KEY = 'kill';
export const ackKey = (nodeId: string): string => `ack.${nodeId}`;

export class KillSwitch {
  private readonly kv: KV;
  private readonly nodeId: string;
  private stopped = false;
  appliedRevision = 0;
  state: 'HALTED' | 'ACTIVE' = 'ACTIVE';
  /** The note of the last state applied (why the cluster halted). */
  note = '';

  constructor(kv: KV, nodeId: string) {
    this.kv = kv;
    this.nodeId = nodeId;
  }

  async write(state: 'HALTED' | 'ACTIVE', note: string): Promise<number> {
    const r: KillRecord = { state, note, by: this.nodeId, at_ms: Date.now() };
    return this.kv.put(KILL_KEY, JSON.stringify(r));
  }

  /**
   * Watches the key (its current value first); apply(state, note) halts or resumes
   * this node and returns the orders it cancelled.
   */
  async watch(apply: (state: 'HALTED' | 'ACTIVE', note: string) => number): Promise<void> {
    const it = await this.kv.watch({ key: KILL_KEY });
    void (async () => {
      for await (const e of it) {
        if (this.stopped) break;
        if (e.operation !== 'PUT' || e.revision <= this.appliedRevision) continue;
        let r: KillRecord;
        try { r = e.json<KillRecord>(); } catch { continue; }
        this.appliedRevision = e.revision;
        this.state = r.state;
        this.note = r.note;
        const cancelled = apply(r.state, r.note);
        const ack: KillAck = { node_id: this.nodeId, revision: e.revision, state: r.state, written_ms: r.at_ms, applied_ms: Date.now(), orders_cancelled: cancelled };
        this.kv.put(ackKey(this.nodeId), JSON.stringify(ack)).catch(() => undefined);
      }
    })();
  }

  stop(): void {
    this.stopped = true;
  }
}
