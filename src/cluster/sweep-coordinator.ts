// The coordinator of a distributed sweep: runSweep's executor when `spreadcore sweep`
// is given --cluster. It stores the recording and the spec in the object store (by
// content hash), lists the sweep in the sweeps bucket, creates the sweep's durable pull
// consumer, puts one message per point on the work-queue stream and reads the results
// stream until every point has answered. A point is counted once, by index, however
// many workers finished it. At the end (or on Ctrl-C) the sweep is taken out of the
// bucket, its consumer deleted and its points and results purged.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { DeliverPolicy, jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import type { SweepExecution, SweepExecutor } from '../sweep/run-sweep.js';
import type { TaskResult } from '../sweep/sweep-protocol.js';
import { putInput } from './sweep-inputs.js';
import { addPointsConsumer, type SweepStore } from './sweep-nats.js';
import {
  consumerName, maxDeliveriesAdvisory, MAX_DELIVERIES, pointsSubject, POINTS_STREAM, resultsSubject,
  RESULTS_STREAM, type PointMessage, type ResultMessage, type SweepManifest, type SweepSpecDoc,
} from './sweep-subjects.js';

export interface ClusterProgress {
  /** Points answered (done or failed), of all points sent. */
  readonly answered: number;
  readonly points: number;
  /** Points a worker holds right now (handed out, not yet acknowledged). */
  readonly inProgress: number;
  /** Worker processes that sent a result. */
  readonly workers: number;
}

export interface ClusterSweepOptions {
  readonly store: SweepStore;
  readonly url: string;
  readonly ackWaitMs: number;
  /** The sweep id; default random. */
  readonly sweepId?: string | undefined;
  /** Once the inputs are stored and the points queued. */
  readonly onQueued?: ((sweep: string, manifest: SweepManifest) => void) | undefined;
  /** Every couple of seconds, and after each result. */
  readonly onProgress?: ((p: ClusterProgress) => void) | undefined;
  /** No worker has taken a point for a while. */
  readonly onIdle?: ((sweep: string, waitedMs: number) => void) | undefined;
  readonly idleNoticeMs?: number | undefined;
}

const enc = new TextEncoder();

function encode(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}

function isResult(v: unknown): v is ResultMessage {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['sweep'] === 'string' && Number.isInteger(r['index']) && typeof r['worker'] === 'string' &&
    (r['kind'] === 'done' || r['kind'] === 'failed');
}

export function clusterExecutor(o: ClusterSweepOptions): SweepExecutor {
  return (run) => runOnCluster(o, run);
}

async function runOnCluster(o: ClusterSweepOptions, run: SweepExecution): Promise<{ stopped: boolean }> {
  const { store } = o;
  const nc: NatsConnection = store.nc;
  const js = jetstream(nc);
  const sweep = o.sweepId ?? randomBytes(6).toString('hex');
  const specDoc: SweepSpecDoc = { baseParams: run.init.baseParams, names: run.init.names, canonical: run.init.canonical, seed: run.init.seed };
  const data = new Uint8Array(run.init.data);
  const dataName = await putInput(store.inputs, data, 'recording');
  const specName = await putInput(store.inputs, encode(specDoc), 'spec');
  const manifest: SweepManifest = {
    v: 1, sweep, data: dataName, dataBytes: data.length, spec: specName, points: run.tasks.length, ackWaitMs: o.ackWaitMs,
    coordinator: `${hostname()}:${process.pid}`, created: new Date().toISOString(),
  };

  const indexes = new Set(run.tasks.map((t) => t.index));
  const counted = new Set<number>();
  const workerIds = new Map<string, number>();
  const processes = new Set<string>();
  let stopped = run.signal?.aborted === true;
  let results: ConsumerMessages | undefined;
  let advisories: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inProgress = 0;
  let anyDelivered = false;
  const started = Date.now();
  let idleNoticed = false;
  const progress = (): void => o.onProgress?.({
    answered: counted.size, points: run.tasks.length, inProgress: counted.size === indexes.size ? 0 : inProgress, workers: processes.size,
  });

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const onAbort = (): void => { stopped = true; finish(); };
  run.signal?.addEventListener('abort', onAbort, { once: true });

  const count = (r: TaskResult): void => {
    if (counted.has(r.index) || !indexes.has(r.index)) return;
    counted.add(r.index);
    run.onResult(r);
    progress();
    if (counted.size === indexes.size) finish();
  };

  try {
    await addPointsConsumer(store.jsm, sweep, o.ackWaitMs);
    await store.sweeps.put(sweep, JSON.stringify(manifest));

    // a point no worker could finish MAX_DELIVERIES times is a failure of that point
    advisories = nc.subscribe(maxDeliveriesAdvisory(sweep), {
      callback: (err, m) => {
        if (err !== null) return;
        void (async () => {
          try {
            const adv = m.json<{ stream_seq?: number }>();
            if (adv.stream_seq === undefined) return;
            const sm = await store.jsm.streams.getMessage(POINTS_STREAM, { seq: adv.stream_seq });
            const p = sm?.json<PointMessage>();
            if (p === undefined) return;
            count({
              index: p.index, workerId: -1, workerInits: 0, wasmInstances: 0, workerTasks: 0, kind: 'failed',
              error: `handed to a worker ${MAX_DELIVERIES} times and never finished (each worker died or lost its connection while running it)`,
              code: 'SPREADCORE_ERR_WORKER',
            });
            await store.jsm.streams.deleteMessage(POINTS_STREAM, adv.stream_seq).catch(() => false);
          } catch {
            // the point's message is gone already: it was finished after all
          }
        })();
      },
    });

    const rc = await js.consumers.get(RESULTS_STREAM, { filter_subjects: resultsSubject(sweep), deliver_policy: DeliverPolicy.All });
    results = await rc.consume();
    const reading = (async () => {
      for await (const m of results!) {
        let r: unknown;
        try { r = m.json(); } catch { continue; }
        if (!isResult(r) || r.sweep !== sweep) continue;
        processes.add(r.worker);
        const key = `${r.worker}#${r.thread}`;
        let id = workerIds.get(key);
        if (id === undefined) { id = workerIds.size + 1; workerIds.set(key, id); }
        const common = { index: r.index, workerId: id, workerInits: r.workerInits, wasmInstances: r.wasmInstances, workerTasks: r.workerTasks };
        if (r.kind === 'done' && r.objectives !== undefined) {
          count({ ...common, kind: 'done', objectives: r.objectives, elapsedMs: r.elapsedMs ?? 0 });
        } else {
          count({ ...common, kind: 'failed', error: r.error ?? 'failed', code: r.code ?? 'SPREADCORE_ERR_INTERNAL' });
        }
      }
    })();

    // queue every point (a message id per point: a retried publish is not queued twice)
    const subject = pointsSubject(sweep);
    const inFlight = new Set<Promise<unknown>>();
    for (const t of run.tasks) {
      if (stopped) break;
      const msg: PointMessage = { sweep, index: t.index, values: t.values };
      const p = js.publish(subject, encode(msg), { msgID: `${sweep}.p${t.index}` }).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    o.onQueued?.(sweep, manifest);

    timer = setInterval(() => {
      store.jsm.consumers.info(POINTS_STREAM, consumerName(sweep)).then((ci) => {
        inProgress = ci.num_ack_pending;
        if (ci.delivered.consumer_seq > 0) anyDelivered = true;
        const waited = Date.now() - started;
        if (!anyDelivered && !idleNoticed && waited >= (o.idleNoticeMs ?? 10_000)) {
          idleNoticed = true;
          o.onIdle?.(sweep, waited);
        }
        progress();
      }, () => { /* the next tick asks again */ });
    }, 2000);

    if (counted.size < indexes.size && !stopped) await finished;
    results.stop();
    await reading.catch(() => {});
    return { stopped: stopped && counted.size < indexes.size };
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
    if (timer !== undefined) clearInterval(timer);
    advisories?.unsubscribe();
    results?.stop();
    await cleanup(o.store, sweep);
  }
}

/** Takes a sweep out of the cluster: workers stop taking its points; its points and results go. */
async function cleanup(store: SweepStore, sweep: string): Promise<void> {
  await store.sweeps.delete(sweep).catch(() => {});
  await store.jsm.consumers.delete(POINTS_STREAM, consumerName(sweep)).catch(() => false);
  await store.jsm.streams.purge(POINTS_STREAM, { filter: pointsSubject(sweep) }).catch(() => undefined);
  await store.jsm.streams.purge(RESULTS_STREAM, { filter: resultsSubject(sweep) }).catch(() => undefined);
}

