// A distributed sweep's worker process (`spreadcore worker --cluster …`). It serves the
// sweeps listed in the sweeps bucket (or one, with --sweep): for each it fetches the
// recording and the spec from the object store by content hash, checks the hash, and
// starts a piscina pool of the local sweep's worker threads on them. Each of its
// `threads` slots takes one point at a time from the sweep's durable pull consumer,
// keeps the point's message in progress (working()) while the backtest runs, publishes
// the result under a message id (a repeat is dropped by JetStream) and then acknowledges
// the point. A point whose worker dies is not acknowledged: JetStream hands it out again
// after the ack wait. On stop the running backtests end early and their points are handed
// back at once (nak).
import { hostname } from 'node:os';
import { jetstream, type Consumer, type JsMsg } from '@nats-io/jetstream';
import type { Piscina } from 'piscina';
import { SpreadcoreError } from '../errors.js';
import { newStopFlag, newSweepPool } from '../sweep/sweep-pool.js';
import type { SweepTask, TaskResult, WorkerInit } from '../sweep/sweep-protocol.js';
import { getInput } from './sweep-inputs.js';
import type { SweepStore } from './sweep-nats.js';
import {
  consumerName, POINTS_STREAM, resultMsgId, resultsSubject,
  type PointMessage, type ResultMessage, type SweepManifest, type SweepSpecDoc,
} from './sweep-subjects.js';

export interface WorkerServiceOptions {
  readonly store: SweepStore;
  readonly threads: number;
  /** Serve this sweep only, and return when it is over. */
  readonly sweep?: string | undefined;
  /** The compiled pool worker module; default the sweep's (dist/src/sweep/sweep-worker.js). */
  readonly workerFile?: string | URL | undefined;
  /** host:pid by default. */
  readonly name?: string | undefined;
  readonly log: (line: string) => void;
  /** Once the sweep asked for is known to exist, before the first point. */
  readonly onReady?: (() => void) | undefined;
  readonly signal: AbortSignal;
}

interface Served {
  readonly manifest: SweepManifest;
  readonly pool: Piscina;
  readonly stop: Int32Array;
  readonly consumer: Consumer;
  busy: number;
}

const enc = new TextEncoder();

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const t = setTimeout(done, ms);
    function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

function isPoint(v: unknown): v is PointMessage {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p['sweep'] === 'string' && Number.isInteger(p['index']) && Array.isArray(p['values']);
}

/** The sweeps listed in the bucket now. */
export async function listSweeps(store: SweepStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of await store.sweeps.keys()) out.push(k);
  return out.sort();
}

/** True while the sweep is listed (a sweep that is over leaves a delete marker, not its manifest). */
export async function sweepListed(store: SweepStore, id: string): Promise<boolean> {
  const e = await store.sweeps.get(id);
  return e !== null && e.operation === 'PUT';
}

/** Serves sweeps until the signal stops it (or, with o.sweep, until that sweep is over). */
export async function serveSweeps(o: WorkerServiceOptions): Promise<{ points: number }> {
  const { store } = o;
  const js = jetstream(store.nc);
  const me = o.name ?? `${hostname()}:${process.pid}`;
  const workerFile = o.workerFile ?? new URL('../sweep/sweep-worker.js', import.meta.url);
  const served = new Map<string, Promise<Served>>();
  const broken = new Map<string, number>();
  let finishedPoints = 0;

  if (o.sweep !== undefined && !(await sweepListed(store, o.sweep))) {
    const running = await listSweeps(store);
    throw new SpreadcoreError('SPREADCORE_ERR_NOT_FOUND',
      `no sweep ${o.sweep} on this NATS server (${running.length === 0 ? 'no sweep is running' : `running: ${running.join(', ')}`}); ` +
      'a sweep is listed while its coordinator (spreadcore sweep --cluster) runs');
  }

  o.onReady?.();

  const load = async (id: string): Promise<Served> => {
    const entry = await store.sweeps.get(id);
    if (entry === null || entry.operation !== 'PUT') throw new SpreadcoreError('SPREADCORE_ERR_NOT_FOUND', `sweep ${id} is over`);
    const manifest = entry.json<SweepManifest>();
    const data = await getInput(store.inputs, manifest.data, 'recording');
    const spec = JSON.parse(new TextDecoder().decode(await getInput(store.inputs, manifest.spec, 'spec'))) as SweepSpecDoc;
    const sab = new SharedArrayBuffer(data.length);
    new Uint8Array(sab).set(data);
    const init: WorkerInit = { data: sab, stop: newStopFlag(), baseParams: spec.baseParams, names: spec.names, canonical: spec.canonical, seed: spec.seed };
    const consumer = await js.consumers.get(POINTS_STREAM, consumerName(id));
    const pool = newSweepPool(workerFile, o.threads, init);
    o.log(`sweep ${id}: ${manifest.points} points; recording ${manifest.data.slice(0, 19)}… (${data.length.toLocaleString('en-US')} bytes, hash checked)`);
    return { manifest, pool, stop: new Int32Array(init.stop), consumer, busy: 0 };
  };
  const serve = (id: string): Promise<Served> => {
    let p = served.get(id);
    if (p === undefined) {
      p = load(id);
      served.set(id, p);
      p.catch(() => served.delete(id));
    }
    return p;
  };
  const drop = async (id: string): Promise<void> => {
    const p = served.get(id);
    if (p === undefined) return;
    served.delete(id);
    const s = await p.catch(() => undefined);
    if (s === undefined) return;
    Atomics.store(s.stop, 0, 1);
    await s.pool.destroy().catch(() => {});
  };

  let cached: { at: number; ids: string[] } = { at: 0, ids: [] };
  const active = async (): Promise<string[]> => {
    if (Date.now() - cached.at < 1000) return cached.ids;
    let ids = await listSweeps(store);
    if (o.sweep !== undefined) ids = ids.filter((i) => i === o.sweep);
    const now = Date.now();
    ids = ids.filter((i) => (broken.get(i) ?? 0) <= now);
    cached = { at: now, ids };
    // pools of sweeps that are over (and idle) go
    for (const id of [...served.keys()]) {
      if (!ids.includes(id)) {
        const s = await served.get(id)!.catch(() => undefined);
        if (s === undefined || s.busy === 0) await drop(id);
      }
    }
    return ids;
  };

  const runPoint = async (id: string, s: Served, msg: JsMsg): Promise<void> => {
    let point: unknown;
    try { point = msg.json(); } catch { point = undefined; }
    if (!isPoint(point) || point.sweep !== id) {
      o.log(`sweep ${id}: dropped a malformed point message`);
      msg.term();
      return;
    }
    o.log(`sweep ${id} point ${point.index} started${msg.info.deliveryCount > 1 ? ` (delivery ${msg.info.deliveryCount})` : ''}`);
    s.busy++;
    const beat = setInterval(() => msg.working(), Math.max(200, Math.floor(s.manifest.ackWaitMs / 4)));
    let r: TaskResult;
    try {
      const task: SweepTask = { index: point.index, values: point.values };
      r = await s.pool.run(task) as TaskResult;
    } catch (e) {
      r = {
        index: point.index, workerId: -1, workerInits: 0, wasmInstances: 0, workerTasks: 0,
        kind: 'failed', error: e instanceof Error ? e.message : String(e), code: 'SPREADCORE_ERR_INTERNAL',
      };
    } finally {
      clearInterval(beat);
      s.busy--;
    }
    if (r.kind === 'stopped') {
      msg.nak();
      o.log(`sweep ${id} point ${point.index} handed back (stopping)`);
      return;
    }
    const out: ResultMessage = {
      sweep: id, index: point.index, worker: me, thread: r.workerId, workerTasks: r.workerTasks, workerInits: r.workerInits,
      wasmInstances: r.wasmInstances, kind: r.kind,
      ...(r.kind === 'done' ? { objectives: r.objectives, elapsedMs: r.elapsedMs } : { error: r.error, code: r.code }),
    };
    try {
      await js.publish(resultsSubject(id), enc.encode(JSON.stringify(out)), { msgID: resultMsgId(id, point.index), timeout: 10_000 });
    } catch (e) {
      // not published: hand the point back so it is run again
      msg.nak(1000);
      o.log(`sweep ${id} point ${point.index}: could not publish its result (${(e as Error).message}); handed back`);
      return;
    }
    msg.ack();
    finishedPoints++;
    o.log(r.kind === 'done'
      ? `sweep ${id} point ${point.index} done in ${Math.round(r.elapsedMs)} ms`
      : `sweep ${id} point ${point.index} failed: ${r.error} (${r.code})`);
  };

  let turn = 0;
  let over = false;
  const slot = async (): Promise<void> => {
    while (!o.signal.aborted && !over) {
      let ids: string[];
      try {
        ids = await active();
      } catch (e) {
        o.log(`cannot list the sweeps (${(e as Error).message}); trying again`);
        await sleep(1000, o.signal);
        continue;
      }
      if (o.sweep !== undefined && ids.length === 0 && (broken.get(o.sweep) ?? 0) <= Date.now()) {
        over = true;
        break;
      }
      if (ids.length === 0) { await sleep(500, o.signal); continue; }
      const id = ids[turn++ % ids.length]!;
      let s: Served;
      try {
        s = await serve(id);
      } catch (e) {
        o.log(`sweep ${id}: cannot serve it: ${(e as Error).message}`);
        broken.set(id, Date.now() + 10_000);
        cached.at = 0;
        continue;
      }
      let msg: JsMsg | null;
      try {
        msg = await s.consumer.next({ expires: 2000 });
      } catch {
        // its consumer is gone: the sweep is over
        cached.at = 0;
        await sleep(250, o.signal);
        continue;
      }
      if (msg === null) continue;
      if (o.signal.aborted) { msg.nak(); break; }
      await runPoint(id, s, msg);
    }
  };
  const onStop = (): void => {
    for (const p of served.values()) void p.then((s) => Atomics.store(s.stop, 0, 1), () => {});
  };
  o.signal.addEventListener('abort', onStop, { once: true });
  try {
    await Promise.all(Array.from({ length: o.threads }, () => slot()));
  } finally {
    o.signal.removeEventListener('abort', onStop);
    for (const id of [...served.keys()]) await drop(id);
  }
  return { points: finishedPoints };
}
