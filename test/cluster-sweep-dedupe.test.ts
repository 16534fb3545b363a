// The coordinator of a distributed sweep (runSweep with the cluster executor, in this
// process) against a real nats-server, with this test as its only worker: a point's
// result published twice under its message id (two workers that both finished it) is
// stored once by JetStream, and one published again under another id (a redo after the
// duplicate window) is still counted once — the first one counts. When the sweep is over
// it is no longer listed and its consumer is gone. A point no worker finishes in 5
// deliveries is a failed point, and an input whose bytes do not match its hash is refused.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type Consumer } from '@nats-io/jetstream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runSweep } from '../src/sweep/run-sweep.js';
import { clusterExecutor } from '../src/cluster/sweep-coordinator.js';
import { openSweepStore, type SweepStore } from '../src/cluster/sweep-nats.js';
import { listSweeps, sweepListed } from '../src/cluster/sweep-worker-service.js';
import { consumerName, POINTS_STREAM, resultMsgId, resultsSubject, type PointMessage, type ResultMessage } from '../src/cluster/sweep-subjects.js';
import { contentName, getInput, putInput } from '../src/cluster/sweep-inputs.js';
import { DATA, paramsFile, sweepDir, writeJson } from './support/cluster-sweep.js';
import { describeNats, startNats, type NatsServer } from './support/nats.js';
import { sleep } from './support/wait.js';

const dir = sweepDir('cluster-sweep-dedupe-');

describeNats('distributed sweep: each point counted once', () => {
  let srv: NatsServer;
  let nc: NatsConnection;
  let store: SweepStore;
  beforeAll(async () => { srv = await startNats(); nc = await connect({ servers: srv.url }); store = await openSweepStore(nc, srv.url); });
  afterAll(async () => { await nc?.close(); await srv?.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('a result published twice, and again under another message id, counts once; the finished sweep is taken out', async () => {
    const sweep = 'dedupetest';
    const running = runSweep({
      dataPath: DATA, paramsPath: paramsFile(dir), spacePath: writeJson(dir, 'space.json', { spread_bps: [1, 2, 3] }),
      search: 'grid', samples: 0, objective: 'net_pnl', workers: 1, outDir: join(dir, 'out'), seed: 1, heatmap: 'none',
      executor: clusterExecutor({ store, url: srv.url, ackWaitMs: 30_000, sweepId: sweep }),
    });
    const js = jetstream(nc);
    let consumer: Consumer | undefined;
    for (let i = 0; i < 200 && consumer === undefined; i++) {
      consumer = await js.consumers.get(POINTS_STREAM, consumerName(sweep)).catch(() => undefined);
      if (consumer === undefined) await sleep(50);
    }
    expect(consumer).toBeDefined();
    expect((await store.sweeps.get(sweep))?.json<{ points: number }>().points).toBe(3);

    const result = (p: PointMessage, worker: string, netPnl: number): Uint8Array => new TextEncoder().encode(JSON.stringify({
      sweep, index: p.index, worker, thread: 1, workerTasks: 1, workerInits: 1, wasmInstances: 1, kind: 'done', elapsedMs: 1,
      objectives: { net_pnl: netPnl, sharpe: null, max_drawdown: 0, fill_rate: 0, fills: 0, events: 10 },
    } satisfies ResultMessage));
    const seen: number[] = [];
    for (let n = 0; n < 3; n++) {
      const msg = await consumer!.next({ expires: 10_000 });
      expect(msg).not.toBeNull();
      const p = msg!.json<PointMessage>();
      seen.push(p.index);
      const first = await js.publish(resultsSubject(sweep), result(p, 'worker-a:1', 1), { msgID: resultMsgId(sweep, p.index) });
      const again = await js.publish(resultsSubject(sweep), result(p, 'worker-b:2', 2), { msgID: resultMsgId(sweep, p.index) });
      expect(first.duplicate).toBe(false);
      expect(again.duplicate).toBe(true);
      const other = await js.publish(resultsSubject(sweep), result(p, 'worker-c:3', 3), { msgID: `${sweep}.late.${p.index}` });
      expect(other.duplicate).toBe(false);
      msg!.ack();
    }
    expect(seen.sort()).toEqual([0, 1, 2]);

    const outcome = await running;
    expect(outcome.status).toBe('complete');
    expect(outcome.doc).toMatchObject({ total: 3, finished: 3, failed: 0 });
    expect(outcome.doc.runs.map((r) => [r.index, r.objectives.net_pnl]).sort()).toEqual([[0, 1], [1, 1], [2, 1]]);
    // only worker-a's results counted: one worker thread reported
    expect(outcome.doc.timing.workers).toBe(1);
    expect(await sweepListed(store, sweep)).toBe(false);
    expect(await listSweeps(store)).not.toContain(sweep);
    await expect(store.jsm.consumers.info(POINTS_STREAM, consumerName(sweep))).rejects.toThrow(/consumer not found/);
  }, 60_000);

  it('a point handed out 5 times and never finished is recorded as failed; the sweep still ends', async () => {
    const sweep = 'poisontest';
    const running = runSweep({
      dataPath: DATA, paramsPath: paramsFile(dir), spacePath: writeJson(dir, 'space-one.json', { spread_bps: [2] }),
      search: 'grid', samples: 0, objective: 'net_pnl', workers: 1, outDir: join(dir, 'poison'), seed: 1, heatmap: 'none',
      executor: clusterExecutor({ store, url: srv.url, ackWaitMs: 1000, sweepId: sweep }),
    });
    const js = jetstream(nc);
    let consumer: Consumer | undefined;
    for (let i = 0; i < 200 && consumer === undefined; i++) {
      consumer = await js.consumers.get(POINTS_STREAM, consumerName(sweep)).catch(() => undefined);
      if (consumer === undefined) await sleep(50);
    }
    // a worker that dies on this point every time: takes it and never answers
    const deliveries: number[] = [];
    for (let n = 0; n < 5; n++) {
      const msg = await consumer!.next({ expires: 10_000 });
      expect(msg).not.toBeNull();
      deliveries.push(msg!.info.deliveryCount);
    }
    expect(deliveries).toEqual([1, 2, 3, 4, 5]);
    // workers go on pulling: the server gives the point up instead of a 6th delivery (the
    // coordinator then ends the sweep and deletes the consumer under this pull)
    expect(await consumer!.next({ expires: 5000 }).catch(() => null)).toBeNull();
    const outcome = await running;
    expect(outcome.status).toBe('complete');
    expect(outcome.doc).toMatchObject({ total: 1, finished: 0, failed: 1 });
    expect(outcome.doc.failures[0]).toMatchObject({ index: 0, code: 'SPREADCORE_ERR_WORKER' });
    expect(outcome.doc.failures[0]!.error).toMatch(/handed to a worker 5 times and never finished/);
  }, 60_000);

  it('inputs are stored once under their SHA-256; bytes that do not match their name are refused', async () => {
    const bytes = new TextEncoder().encode('recording bytes');
    const name = await putInput(store.inputs, bytes, 'recording');
    expect(name).toBe(contentName(bytes));
    expect(name).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(await putInput(store.inputs, bytes, 'recording')).toBe(name);
    expect(new TextDecoder().decode(await getInput(store.inputs, name, 'recording'))).toBe('recording bytes');
    // an object whose content is not what its name says (written by something else)
    const forged = contentName(new TextEncoder().encode('other bytes'));
    await store.inputs.putBlob({ name: forged }, bytes);
    await expect(getInput(store.inputs, forged, 'recording')).rejects.toThrow(/the sweep's recording read from the object store does not match its hash/);
    await expect(getInput(store.inputs, `sha256-${'0'.repeat(64)}`, 'spec')).rejects.toThrow(/is not in the object store/);
  });
});
