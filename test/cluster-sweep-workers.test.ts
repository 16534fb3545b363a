// Distributed sweeps when workers come and go, on a real nats-server with coordinator
// and workers as processes of the compiled CLI (npm run build first):
// - a worker SIGKILLed in the middle of a point: the point is not acknowledged, JetStream
//   hands it to another worker after the ack wait, and the coordinator counts it once;
// - two workers: every point is run by exactly one of them and counted once, and the
//   coordinator reports both workers;
// - a worker stopped by SIGTERM mid-point hands the point back at once (the ack wait is
//   long: only the hand-back explains another worker getting it), and exits 0;
// - the NATS server SIGKILLed and restarted in the middle of a sweep: coordinator and
//   worker reconnect, JetStream's file store kept the points, and the sweep completes
//   with every point counted once.
// The results are also compared with a local sweep of the same spec.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireDist, runCli, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { DATA, donePoints, paramsFile, readResults, stableResults, startedPoints, sweepDir, writeJson } from './support/cluster-sweep.js';
import { describeNats, startNats, type NatsServer } from './support/nats.js';
import { waitFor } from './support/wait.js';

const dir = sweepDir('cluster-sweep-workers-');

function run(args: string[]): Promise<CliProcess> {
  return startCli(args, /spreadcore (sweep|worker): /, {}, 60_000);
}

describeNats('distributed sweep: workers that die, several workers', () => {
  let srv: NatsServer;
  beforeAll(async () => { requireDist(); srv = await startNats(); });
  afterAll(async () => { stopAll(); await srv?.stop(); rmSync(dir, { recursive: true, force: true }); });

  it('a worker SIGKILLed mid-point: its point is redone by another worker after the ack wait and counted once', async () => {
    // the whole 6-minute recording: a worker's first backtest (gunzip and parse included) takes a second or more
    const params = paramsFile(dir, null);
    const space = writeJson(dir, 'space-kill.json', { spread_bps: [1, 2, 3] });
    const out = join(dir, 'kill');
    const local = join(dir, 'kill-local');

    const doomed = await startCli(['worker', '--cluster', srv.url, '--threads', '1'], /serving every sweep/, {}, 60_000);
    const coordinator = await run(['sweep', '--cluster', srv.url, '--ack-wait', '2', '--data', DATA, '--params', params, '--space', space, '--heatmap', 'none', '--out', out]);
    await waitFor('the first worker to start a point', () => startedPoints(doomed.out()).length > 0, 60_000, 20);
    doomed.child.kill('SIGKILL');
    expect(await doomed.exited).toBe(null);
    const [killed] = startedPoints(doomed.out());
    // it died inside the point: it never finished or acknowledged it
    expect(donePoints(doomed.out())).not.toContain(killed);

    const rescuer = await startCli(['worker', '--cluster', srv.url, '--threads', '1'], /serving every sweep/, {}, 60_000);
    expect(await coordinator.exited).toBe(0);
    expect(coordinator.out()).toContain('3 of 3 backtests finished');
    const doc = readResults(out);
    expect(doc).toMatchObject({ status: 'complete', total: 3, finished: 3, failed: 0 });
    expect(doc.runs.map((r) => r.index).sort()).toEqual([0, 1, 2]);
    // the killed point came to the second worker as a redelivery, and was run to the end there
    expect(rescuer.out()).toMatch(new RegExp(`point ${killed} started \\(delivery [2-9]\\)`));
    expect(donePoints(rescuer.out())).toContain(killed);
    // the result of every point was published by the one worker that finished it
    expect(donePoints(rescuer.out()).sort()).toEqual([0, 1, 2].filter((i) => !donePoints(doomed.out()).includes(i)));
    rescuer.child.kill('SIGTERM');
    expect(await rescuer.exited).toBe(0);

    const l = await runCli(['sweep', '--data', DATA, '--params', params, '--space', space, '--heatmap', 'none', '--workers', '1', '--out', local], {}, 120_000);
    expect(l.code).toBe(0);
    expect(stableResults(out)).toEqual(stableResults(local));
  }, 240_000);

  it('two workers: every point is run by one of them exactly once, and counted once', async () => {
    const params = paramsFile(dir);
    // enough points (a tenth of a second each on a quiet machine) that the worker ready second,
    // a second or two after the first (sweep discovery, recording fetch, pool start), still finds some
    const spreads = Array.from({ length: 12 }, (_, i) => i + 1);
    const space = writeJson(dir, 'space-two.json', { spread_bps: spreads, max_position: [0.004, 0.008, 0.012, 0.016] });
    const n = spreads.length * 4;
    const all = Array.from({ length: n }, (_, i) => i);
    const out = join(dir, 'two');
    const a = await startCli(['worker', '--cluster', srv.url, '--threads', '1'], /serving every sweep/, {}, 60_000);
    const b = await startCli(['worker', '--cluster', srv.url, '--threads', '1'], /serving every sweep/, {}, 60_000);
    try {
      const c = await runCli(['sweep', '--cluster', srv.url, '--data', DATA, '--params', params, '--space', space, '--heatmap', 'none', '--out', out], {}, 220_000);
      expect(c.code, c.out).toBe(0);
      expect(c.out).toContain(`${n} of ${n} backtests finished`);
      expect(c.out).toContain(`${n} of ${n} points done, 0 running, 2 workers seen`);
      const doc = readResults(out);
      expect(doc).toMatchObject({ status: 'complete', total: n, finished: n, failed: 0 });
      expect(doc.runs.map((r) => r.index).sort((x, y) => x - y)).toEqual(all);
      const byA = startedPoints(a.out());
      const byB = startedPoints(b.out());
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
      expect([...byA, ...byB].sort((x, y) => x - y)).toEqual(all);
      expect([...donePoints(a.out()), ...donePoints(b.out())].sort((x, y) => x - y)).toEqual(all);
      expect(doc.timing?.workers).toBe(2);
    } finally {
      for (const w of [a, b]) {
        w.child.kill('SIGTERM');
        expect(await w.exited).toBe(0);
      }
    }
  }, 300_000);

  it('a worker stopped by SIGTERM mid-point hands it back at once; another worker runs it', async () => {
    const params = paramsFile(dir, null);
    const space = writeJson(dir, 'space-term.json', { spread_bps: [1, 2] });
    const out = join(dir, 'term');
    const leaving = await startCli(['worker', '--cluster', srv.url, '--threads', '1'], /serving every sweep/, {}, 60_000);
    const coordinator = await run(['sweep', '--cluster', srv.url, '--ack-wait', '600', '--data', DATA, '--params', params, '--space', space, '--heatmap', 'none', '--out', out]);
    await waitFor('the worker to start a point', () => startedPoints(leaving.out()).length > 0, 60_000, 20);
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    const [point] = startedPoints(leaving.out());
    expect(leaving.out()).toMatch(new RegExp(`point ${point} handed back \\(stopping\\)`));
    expect(donePoints(leaving.out())).toEqual([]);
    const staying = await startCli(['worker', '--cluster', srv.url, '--threads', '1'], /serving every sweep/, {}, 60_000);
    expect(await coordinator.exited).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'complete', total: 2, finished: 2, failed: 0 });
    expect(staying.out()).toMatch(new RegExp(`point ${point} started \\(delivery 2\\)`));
    expect(donePoints(staying.out()).sort()).toEqual([0, 1]);
    staying.child.kill('SIGTERM');
    expect(await staying.exited).toBe(0);
  }, 240_000);

  it('the NATS server killed and restarted mid-sweep: the sweep completes, every point counted once', async () => {
    const params = paramsFile(dir);
    const space = writeJson(dir, 'space-restart.json', { spread_bps: [1, 2, 3, 4], max_position: [0.004, 0.008] });
    const out = join(dir, 'restart');
    const worker = await startCli(['worker', '--cluster', srv.url, '--threads', '1'], /serving every sweep/, {}, 60_000);
    const coordinator = await run(['sweep', '--cluster', srv.url, '--ack-wait', '5', '--data', DATA, '--params', params, '--space', space, '--heatmap', 'none', '--out', out]);
    // while the worker runs its first point (the recording's parse included): nothing can be finished yet
    await waitFor('the worker to start a point', () => startedPoints(worker.out()).length > 0, 120_000, 20);
    await srv.kill();
    await srv.restart();
    expect(await coordinator.exited).toBe(0);
    expect(coordinator.out()).toContain('reconnected to the NATS server');
    expect(coordinator.out()).toContain('8 of 8 backtests finished');
    const doc = readResults(out);
    expect(doc).toMatchObject({ status: 'complete', total: 8, finished: 8, failed: 0 });
    expect(doc.runs.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(startedPoints(worker.out()))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  }, 240_000);
});
