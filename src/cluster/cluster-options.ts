// serve's cluster flags (--cluster, --node-id, --lease-ttl-ms, each also from an
// environment variable; the flag wins), checked with the rest of serve's command line
// before anything is opened or bound: a bad value is a usage error (exit 2).
import { SpreadcoreError } from '../errors.js';
import { intFlag, parseOnlyFlags, usageError } from '../cli/flags.js';
import { SERVE_FLAGS } from '../cli/serve-options.js';
import { clusterUrlProblem, DEFAULT_LEASE_TTL_MS, NODE_ID_RE, type ClusterConfig } from './cluster-config.js';

export const CLUSTER_ENV = {
  cluster: 'SPREADCORE_CLUSTER', 'node-id': 'SPREADCORE_NODE_ID', 'lease-ttl-ms': 'SPREADCORE_LEASE_TTL_MS', 'md-source': 'SPREADCORE_MD_SOURCE',
  'forward-timeout-ms': 'SPREADCORE_FORWARD_TIMEOUT_MS',
  'cluster-daily-loss-limit': 'SPREADCORE_CLUSTER_DAILY_LOSS_LIMIT',
  'cluster-event-exposure-limit': 'SPREADCORE_CLUSTER_EVENT_EXPOSURE_LIMIT',
} as const;

/** A positive decimal amount (a limit), or undefined when not given. */
function limitValue(r: { v: string | undefined; origin: string }): number | undefined {
  if (r.v === undefined) return undefined;
  const n = /^\d+(\.\d+)?$/.test(r.v) ? Number(r.v) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw usageError(`${r.origin} must be a positive number, got ${JSON.stringify(r.v)}`);
  return n;
}

/** The cluster to join, or null (one process, no NATS: the default). */
export function parseClusterOptions(args: readonly string[], env: Readonly<Record<string, string | undefined>>): ClusterConfig | null {
  const flags = parseOnlyFlags(args, SERVE_FLAGS);
  const raw = (name: keyof typeof CLUSTER_ENV): { v: string | undefined; origin: string } => {
    const f = flags[name];
    if (typeof f === 'string') return { v: f, origin: `--${name}` };
    const e = env[CLUSTER_ENV[name]];
    return { v: e === '' ? undefined : e, origin: `environment variable ${CLUSTER_ENV[name]}: --${name}` };
  };
  const url = raw('cluster');
  const node = raw('node-id');
  const ttl = raw('lease-ttl-ms');
  const mdSourceRaw = raw('md-source');
  const fwd = raw('forward-timeout-ms');
  const lossRaw = raw('cluster-daily-loss-limit');
  const expoRaw = raw('cluster-event-exposure-limit');
  const mdPublish = flags['md-publish'] === true || (flags['md-publish'] === undefined && /^(1|true|yes)$/i.test(env['SPREADCORE_MD_PUBLISH'] ?? ''));
  if (url.v === undefined) {
    if (node.v !== undefined || ttl.v !== undefined) throw usageError(`${node.v !== undefined ? '--node-id' : '--lease-ttl-ms'} applies with --cluster only`);
    if (mdPublish || mdSourceRaw.v !== undefined) throw usageError(`${mdPublish ? '--md-publish' : '--md-source'} applies with --cluster only`);
    for (const [name, r] of [['--forward-timeout-ms', fwd], ['--cluster-daily-loss-limit', lossRaw], ['--cluster-event-exposure-limit', expoRaw]] as const) {
      if (r.v !== undefined) throw usageError(`${name} applies with --cluster only`);
    }
    return null;
  }
  if (mdSourceRaw.v !== undefined && mdSourceRaw.v !== 'nats' && mdSourceRaw.v !== 'local') throw usageError(`${mdSourceRaw.origin} must be nats or local, got ${JSON.stringify(mdSourceRaw.v)}`);
  const mdSource = mdSourceRaw.v === 'nats' ? 'nats' as const : 'local' as const;
  if (mdSource === 'nats' && mdPublish) throw usageError('--md-publish publishes the market data of this node\'s own source: it does not go with --md-source nats');
  const marketFlag = flags['market'] ?? env['SPREADCORE_MARKET'];
  if (mdSource === 'nats' && typeof marketFlag === 'string' && marketFlag !== '' && marketFlag !== 'sim') {
    throw usageError(`--md-source nats takes the market data from NATS: leave out --market (got ${JSON.stringify(marketFlag)})`);
  }
  const bad = clusterUrlProblem(url.v);
  if (bad !== null) throw usageError(url.origin.startsWith('--') ? bad : `environment variable ${CLUSTER_ENV.cluster}: ${bad}`);
  if (node.v === undefined) throw usageError('--cluster needs --node-id N (SPREADCORE_NODE_ID): a name unique in the cluster');
  if (!NODE_ID_RE.test(node.v)) throw usageError(`${node.origin} must be 1-64 letters, digits, "_" or "-", got ${JSON.stringify(node.v)}`);
  let leaseTtlMs: number;
  try {
    leaseTtlMs = intFlag('lease-ttl-ms', ttl.v, DEFAULT_LEASE_TTL_MS, 1000, 600_000);
  } catch (e) {
    if (e instanceof SpreadcoreError && !ttl.origin.startsWith('--')) throw usageError(`environment variable ${CLUSTER_ENV['lease-ttl-ms']}: ${e.message}`);
    throw e;
  }
  let forwardTimeoutMs: number | undefined;
  if (fwd.v !== undefined) {
    try {
      forwardTimeoutMs = intFlag('forward-timeout-ms', fwd.v, 3000, 100, 60_000);
    } catch (e) {
      if (e instanceof SpreadcoreError && !fwd.origin.startsWith('--')) throw usageError(`environment variable ${CLUSTER_ENV['forward-timeout-ms']}: ${e.message}`);
      throw e;
    }
  }
  const dailyLossLimit = limitValue(lossRaw);
  const eventExposureLimit = limitValue(expoRaw);
  return {
    url: url.v, nodeId: node.v, leaseTtlMs, ...(mdPublish ? { mdPublish } : {}), ...(mdSource === 'nats' ? { mdSource } : {}),
    ...(forwardTimeoutMs !== undefined ? { forwardTimeoutMs } : {}),
    ...(dailyLossLimit !== undefined ? { dailyLossLimit } : {}),
    ...(eventExposureLimit !== undefined ? { eventExposureLimit } : {}),
  };
}
