// The cluster's merged event stream (GET /api/stream in cluster mode, docs/cluster.md).
// Every node publishes each of its engine's events on core NATS, subject
// `sc.events.<nodeId>` (not JetStream: nothing is stored; a client resumes within the
// merged hub's own buffer), and feeds a second SseHub — the cluster hub — with its own
// events and those of every other node (`sc.events.*`). Each event keeps the payload of
// the node's stream (seed 000's fields) with one more field, `node_id`. Memory stays
// bounded: the NATS subscription is a callback (no queue in the process), the cluster
// hub keeps its ring and its per-client limits like the node's hub.
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ENGINE_EVENT_NAMES, type EngineEvents } from '../engine/engine-events.js';
import type { SseHub } from '../gateway/sse-hub.js';

export const eventsSubject = (nodeId: string): string => `sc.events.${nodeId}`;
const ALL_EVENTS = 'sc.events.*';

/** What goes on the subject: the event's name, its filter tags and the payload (JSON text, node_id included). */
interface WireEvent { e: string; s: string | null; y: string | null; d: string }

export class EventRelay {
  private readonly nc: NatsConnection;
  private readonly nodeId: string;
  private readonly hub: SseHub;
  private sub: Subscription | null = null;
  private offs: (() => void)[] = [];
  readonly stats = { published: 0, received: 0, publishErrors: 0, bad: 0 };

  constructor(nc: NatsConnection, nodeId: string, hub: SseHub) {
    this.nc = nc;
    this.nodeId = nodeId;
    this.hub = hub;
  }

  start(events: EngineEvents): void {
    const subject = eventsSubject(this.nodeId);
    const tag = `,"node_id":${JSON.stringify(this.nodeId)}}`;
    for (const name of ENGINE_EVENT_NAMES) {
      this.offs.push(events.on(name, (e: unknown) => {
        const m = e as { strategy_id?: unknown; symbol?: unknown };
        const s = typeof m.strategy_id === 'string' ? m.strategy_id : null;
        const y = typeof m.symbol === 'string' ? m.symbol : null;
        let d: string;
        try {
          const j = JSON.stringify(e);
          // the payload is an object: node_id goes in as its last field
          d = j.length > 2 ? `${j.slice(0, -1)}${tag}` : `{"node_id":${JSON.stringify(this.nodeId)}}`;
        } catch { this.stats.publishErrors++; return; }
        this.hub.publishJson(name, d, { strategyId: s, symbol: y });
        try {
          this.nc.publish(subject, JSON.stringify({ e: name, s, y, d } satisfies WireEvent));
          this.stats.published++;
        } catch { this.stats.publishErrors++; }
      }));
    }
    this.sub = this.nc.subscribe(ALL_EVENTS, {
      callback: (err, msg) => {
        if (err !== null || msg.subject === subject) return;
        let w: WireEvent;
        try { w = msg.json<WireEvent>(); } catch { this.stats.bad++; return; }
        if (typeof w.e !== 'string' || typeof w.d !== 'string') { this.stats.bad++; return; }
        this.stats.received++;
        this.hub.publishJson(w.e, w.d, { strategyId: typeof w.s === 'string' ? w.s : null, symbol: typeof w.y === 'string' ? w.y : null });
      },
    });
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    try { this.sub?.unsubscribe(); } catch { /* closed */ }
    this.sub = null;
  }
}
