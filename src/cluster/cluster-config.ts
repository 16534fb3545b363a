// What `serve --cluster` needs to join a cluster: the NATS URL, this node's id and the
// lease TTL (markets of a dead node move after it). Checked in serve-options.ts.

export interface ClusterConfig {
  /** nats://host:port (a comma-separated list is passed to the client as servers). */
  readonly url: string;
  /** Unique per node: letters, digits, "_" and "-". */
  readonly nodeId: string;
  /** Lease TTL, ms: a node that stops renewing loses its markets after it. */
  readonly leaseTtlMs: number;
  /** Publish this node's market data to md.<venue>.<symbol> (--md-publish). */
  readonly mdPublish?: boolean;
  /** Where the engine's market data comes from: its own market source, or NATS (--md-source nats). */
  readonly mdSource?: 'local' | 'nats';
  /** The venue token of the subjects this node publishes (md.<venue>.<symbol>): its market source. */
  readonly mdVenue?: string;
  /** How long a request forwarded to the owning node may take before a 504, ms (--forward-timeout-ms). */
  readonly forwardTimeoutMs?: number;
  /** Most an account may lose in a UTC day across every node and market, quote currency (--cluster-daily-loss-limit). */
  readonly dailyLossLimit?: number;
  /** Most net exposure per event (--event-map) across every node, contracts (--cluster-event-exposure-limit). */
  readonly eventExposureLimit?: number;
}

export const DEFAULT_LEASE_TTL_MS = 10_000;
export const NODE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const URL_RE = /^(nats|tls):\/\/[A-Za-z0-9.:_\-[\]@]+$/;

/** Why a --cluster value is not a NATS URL list, or null. */
export function clusterUrlProblem(v: string): string | null {
  for (const u of v.split(',')) if (!URL_RE.test(u)) return `--cluster must be a NATS URL such as nats://127.0.0.1:4222, got ${JSON.stringify(v)}`;
  return null;
}

/** Bucket and stream names: one cluster per NATS account. */
export const NAMES = {
  nodes: 'spreadcore_nodes',
  leases: 'spreadcore_leases',
  strategies: 'spreadcore_strategies',
  control: 'spreadcore_control',
  risk: 'spreadcore_risk',
  /** Core NATS (not JetStream): API requests forwarded to a node, and every node's events. */
  api: 'sc.api',
  events: 'sc.events',
  stream: 'SPREADCORE_TRADES',
  subject: 'spreadcore.trades',
} as const;
