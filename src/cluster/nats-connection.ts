// The node's connection to NATS and its JetStream buckets and stream, opened (created
// when missing) once at start. An unreachable server or one without JetStream is an
// error that says what to do; after start the client reconnects by itself forever.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { SpreadcoreError } from '../errors.js';
import { NAMES, type ClusterConfig } from './cluster-config.js';

export interface ClusterBuckets {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** Node heartbeats, TTL = lease TTL. */
  readonly nodes: KV;
  /** Market leases, TTL = lease TTL. */
  readonly leases: KV;
  /** The cluster's strategy definitions and their wanted state. */
  readonly strategies: KV;
  /** The kill switch and its acknowledgements. */
  readonly control: KV;
  /** Positions per account and symbol. */
  readonly risk: KV;
}

export async function openCluster(cfg: ClusterConfig): Promise<ClusterBuckets> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: cfg.url.split(','), name: `spreadcore-${cfg.nodeId}`, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 });
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO',
      `cannot reach NATS at ${cfg.url} (${e instanceof Error ? e.message : String(e)}): start a server with JetStream, e.g. "nats-server -js -sd ./nats-data", or fix --cluster`);
  }
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const kvm = new Kvm(nc);
    const ttl = cfg.leaseTtlMs;
    const nodes = await kvm.create(NAMES.nodes, { ttl, history: 1 });
    const leases = await kvm.create(NAMES.leases, { ttl, history: 1 });
    const strategies = await kvm.create(NAMES.strategies, { history: 1 });
    const control = await kvm.create(NAMES.control, { history: 1 });
    const risk = await kvm.create(NAMES.risk, { history: 1 });
    // a bucket made earlier with another TTL keeps it: leases must expire with this node's
    const st = await leases.status();
    if (Math.abs(st.ttl - ttl) > 1) {
      throw new SpreadcoreError('SPREADCORE_ERR_IO', `the cluster's lease bucket has a TTL of ${st.ttl} ms; this node was started with ${ttl} ms: start every node with the same --lease-ttl-ms`);
    }
    try {
      await jsm.streams.info(NAMES.stream);
    } catch {
      await jsm.streams.add({ name: NAMES.stream, subjects: [`${NAMES.subject}.>`], duplicate_window: 3_600_000_000_000 });
    }
    return { nc, js, nodes, leases, strategies, control, risk };
  } catch (e) {
    await nc.close().catch(() => undefined);
    if (e instanceof SpreadcoreError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new SpreadcoreError('SPREADCORE_ERR_IO',
      `NATS at ${cfg.url} answered but its JetStream could not be used (${msg}): start the server with JetStream enabled ("nats-server -js")`);
  }
}
