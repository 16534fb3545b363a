// The cluster's kill switch: one key in the control bucket, watched by every node.
// Writing HALTED there (POST /api/kill on any node) makes every node cancel every
// order and refuse new ones; ACTIVE (POST /api/resume) lifts it. Each node writes an
// acknowledgement with the time it finished cancelling, so the time from the write to
// the last node's cancel can be measured.
//
// A write that fails (NATS unreachable: the node that got POST /api/kill halted itself
// at once, the others did not hear of it) is kept and sent again every round until it
// lands. A HALTED is sent as it is; an ACTIVE only if nobody wrote the key since it was
// asked for (a resume must not lift a halt written meanwhile).
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

  /** The last write that failed, with the key's revision this node had seen when it was asked for. */
  private pending: { record: KillRecord; seenRevision: number } | null = null;

  async write(state: 'HALTED' | 'ACTIVE', note: string): Promise<number> {
    const r: KillRecord = { state, note, by: this.nodeId, at_ms: Date.now() };
    const w = { record: r, seenRevision: this.appliedRevision };
    // a new decision replaces one still waiting
    this.pending = null;
    try {
      return await this.kv.put(KILL_KEY, JSON.stringify(r));
    } catch (e) {
      if (this.pending === null) this.pending = w;
      throw e;
    }
  }

  /** The state a failed write still waits to put in the cluster, or null. */
  get unsent(): 'HALTED' | 'ACTIVE' | null {
    return this.pending?.record.state ?? null;
  }

  /** Sends again the write that failed, if any (every lease round and on reconnect). */
  async retry(): Promise<void> {
    const w = this.pending;
    if (w === null) return;
    const data = JSON.stringify(w.record);
    if (w.record.state === 'HALTED') {
      await this.kv.put(KILL_KEY, data);
    } else {
      const cur = await this.kv.get(KILL_KEY);
      const rev = cur === null ? 0 : cur.revision;
      if (rev > w.seenRevision) { if (this.pending === w) this.pending = null; return; } // written since: that decision stands
      if (cur === null || cur.operation !== 'PUT') await this.kv.create(KILL_KEY, data);
      else await this.kv.update(KILL_KEY, data, rev);
    }
    if (this.pending === w) this.pending = null;
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
