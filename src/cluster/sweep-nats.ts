// The NATS side of a distributed sweep shared by the coordinator and the workers: the
// --cluster URL check, the connection (with an error that says what to do when the
// server is not there), and the streams and buckets, created on first use.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { SpreadcoreError } from '../errors.js';
import {
  consumerName, DUPLICATE_WINDOW_MS, INPUTS_BUCKET, MAX_DELIVERIES, pointsSubject, POINTS_STREAM, POINTS_SUBJECTS,
  RESULTS_MAX_AGE_MS, RESULTS_STREAM, RESULTS_SUBJECTS, SWEEPS_BUCKET,
} from './sweep-subjects.js';

const URL_RE = /^(nats|tls):\/\/(?:[^\s/@]+@)?[A-Za-z0-9._\-[\]:]+?(?::\d{1,5})?$/;

/** Undefined when url is a NATS server URL (nats://host:port, a comma-separated list allowed), else why not. */
export function checkClusterUrl(url: string): string | undefined {
  const parts = url.split(',');
  for (const p of parts) {
    if (!URL_RE.test(p)) return `--cluster must be a NATS server URL like nats://host:4222, got ${JSON.stringify(url)}`;
  }
  return undefined;
}

function nanos(ms: number): number {
  return Math.round(ms * 1e6);
}

/**
 * Connects to the NATS server(s) at url. An unreachable server is a SpreadcoreError
 * (SPREADCORE_ERR_IO) naming the URL and how to start one. Once connected, the client
 * reconnects for ever (a restarted server is picked up again); onStatus hears about it.
 */
export async function connectCluster(url: string, name: string, onStatus?: (line: string) => void): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url.split(','), name, timeout: 5000, maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  } catch (e) {
    const why = e instanceof Error ? (e.message || e.name) : String(e);
    throw new SpreadcoreError('SPREADCORE_ERR_IO',
      `cannot reach the NATS server at ${url}: ${why}; start one with JetStream on (nats-server -js) or pass its address with --cluster`);
  }
  if (onStatus !== undefined) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') onStatus(`lost the NATS server ${url}; reconnecting`);
        else if (s.type === 'reconnect') onStatus(`reconnected to the NATS server ${url}`);
      }
    })();
  }
  return nc;
}

async function ensureStream(jsm: JetStreamManager, name: string, config: Parameters<JetStreamManager['streams']['add']>[0]): Promise<void> {
  try {
    await jsm.streams.info(name);
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (e) {
      // another process created it first
      await jsm.streams.info(name).catch(() => { throw e; });
    }
  }
}

export interface SweepStore {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly inputs: ObjectStore;
  readonly sweeps: KV;
}

/** The sweep streams and buckets (created when missing). A server without JetStream is a clear error. */
export async function openSweepStore(nc: NatsConnection, url: string): Promise<SweepStore> {
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc, { timeout: 10_000 });
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `the NATS server at ${url} has no JetStream (${(e as Error).message}): start it with nats-server -js`);
  }
  await ensureStream(jsm, POINTS_STREAM, {
    name: POINTS_STREAM, subjects: [POINTS_SUBJECTS], retention: RetentionPolicy.Workqueue, storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS), discard: DiscardPolicy.Old,
  });
  await ensureStream(jsm, RESULTS_STREAM, {
    name: RESULTS_STREAM, subjects: [RESULTS_SUBJECTS], retention: RetentionPolicy.Limits, storage: StorageType.File,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS), max_age: nanos(RESULTS_MAX_AGE_MS),
  });
  const inputs = await new Objm(nc).create(INPUTS_BUCKET, { storage: StorageType.File, description: 'spreadcore sweep inputs by content hash' });
  const sweeps = await new Kvm(nc).create(SWEEPS_BUCKET, { history: 1, storage: StorageType.File });
  return { nc, jsm, inputs, sweeps };
}

/** The durable pull consumer of one sweep's points. */
export async function addPointsConsumer(jsm: JetStreamManager, sweep: string, ackWaitMs: number): Promise<void> {
  await jsm.consumers.add(POINTS_STREAM, {
    durable_name: consumerName(sweep),
    filter_subject: pointsSubject(sweep),
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(ackWaitMs),
    max_deliver: MAX_DELIVERIES,
    max_ack_pending: -1,
  });
}
