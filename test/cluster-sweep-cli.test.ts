// spreadcore sweep --cluster and spreadcore worker on the command line, against a real
// nats-server, coordinator and workers as processes of the compiled CLI (npm run
// build first): bad flags are refused before connecting (exit 2); an unreachable server
// and a sweep id nobody serves are clear errors (exit 1) that write nothing; and a small
// sweep run through the cluster gives the same ranking, results.json, results.csv and
// heat map as the same sweep run locally.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { requireDist, runCli, startCli, stopAll } from './support/cli-process.js';
import { DATA, paramsFile, readResults, stableCsv, stableResults, startedPoints, sweepDir, writeJson } from './support/cluster-sweep.js';
import { describeNats, startNats, type NatsServer } from './support/nats.js';
import { freePort } from './support/free-port.js';

const dir = sweepDir('cluster-sweep-cli-');
const PARAMS = paramsFile(dir);
const SPACE = writeJson(dir, 'space.json', { spread_bps: [1, 3], max_position: [0.002, 0.004, 0.006] });
afterAll(() => { stopAll(); rmSync(dir, { recursive: true, force: true }); });

/** The command run in this process: its exit code and everything it printed. */
async function inProcess(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = (): PassThrough => { const s = new PassThrough(); s.setEncoding('utf8').on('data', (c: string) => { out += c; }); return s; };
  const code = await run(args, { stdin: Readable.from([]), stdout: sink(), stderr: sink(), env: {} });
  return { code, out };
}

describe('spreadcore sweep --cluster / worker: refused before connecting', () => {
  const out = join(dir, 'never');
  it.each([
    ['sweep: --cluster not a NATS URL', ['sweep', '--cluster', 'http://127.0.0.1:4222', '--data', DATA, '--params', PARAMS, '--space', SPACE], /--cluster must be a NATS server URL like nats:\/\/host:4222, got "http:\/\/127\.0\.0\.1:4222"/],
    ['sweep: --workers with --cluster', ['sweep', '--cluster', 'nats://127.0.0.1:4222', '--workers', '2', '--data', DATA, '--params', PARAMS, '--space', SPACE], /--workers applies to a local sweep; with --cluster the points run on the workers started with "spreadcore worker --cluster URL/],
    ['sweep: --ack-wait without --cluster', ['sweep', '--ack-wait', '5', '--data', DATA, '--params', PARAMS, '--space', SPACE], /--ack-wait applies to --cluster only/],
    ['sweep: --ack-wait 0', ['sweep', '--cluster', 'nats://127.0.0.1:4222', '--ack-wait', '0', '--data', DATA, '--params', PARAMS, '--space', SPACE], /--ack-wait must be an integer from 1 to 3600, got "0"/],
    ['sweep: mistyped --clustr', ['sweep', '--clustr', 'nats://127.0.0.1:4222', '--data', DATA, '--params', PARAMS, '--space', SPACE], /unknown flag --clustr \(did you mean --cluster\?\)/],
    ['worker: no --cluster', ['worker'], /--cluster nats:\/\/HOST:4222 is required/],
    ['worker: mistyped --thread', ['worker', '--cluster', 'nats://127.0.0.1:4222', '--thread', '2'], /unknown flag --thread \(did you mean --threads\?\)/],
    ['worker: --threads 0', ['worker', '--cluster', 'nats://127.0.0.1:4222', '--threads', '0'], /--threads must be an integer from 1 to 64, got "0"/],
    ['worker: bad --sweep', ['worker', '--cluster', 'nats://127.0.0.1:4222', '--sweep', 'A B'], /--sweep must be a sweep id/],
  ])('%s: exit 2', async (_what, args, message) => {
    const r = await inProcess([...args, ...(args[0] === 'sweep' ? ['--out', out] : [])]);
    expect(r.out).toMatch(message);
    expect(r.out).toMatch(/Run "spreadcore (sweep|worker) --help" for usage\./);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('worker --help documents its flags; the command list names it', async () => {
    const r = await inProcess(['worker', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--cluster', '--threads', '--sweep']) expect(r.out).toContain(flag);
    const top = await inProcess(['--help']);
    expect(top.out).toMatch(/\n {2}worker +run the backtests of distributed sweeps/);
    const sweep = await inProcess(['sweep', '--help']);
    for (const flag of ['--cluster', '--ack-wait']) expect(sweep.out).toContain(flag);
  });

  it('an unreachable NATS server: one clear line, exit 1, nothing written', async () => {
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const s = await inProcess(['sweep', '--cluster', url, '--data', DATA, '--params', PARAMS, '--space', SPACE, '--out', out]);
    expect(s.out.trim()).toBe(`spreadcore sweep: cannot reach the NATS server at ${url}: connection refused; start one with JetStream on (nats-server -js) or pass its address with --cluster (SPREADCORE_ERR_IO)`);
    expect(s.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    const w = await inProcess(['worker', '--cluster', url]);
    expect(w.out.trim()).toMatch(new RegExp(`^spreadcore worker: cannot reach the NATS server at ${url.replace(/[.]/g, '\\.')}: connection refused; .*\\(SPREADCORE_ERR_IO\\)$`));
    expect(w.code).toBe(1);
  });
});

describeNats('spreadcore sweep --cluster with workers on a real nats-server', () => {
  let srv: NatsServer;
  beforeAll(async () => { requireDist(); srv = await startNats(); });
  afterAll(async () => { stopAll(); await srv?.stop(); });

  it('a sweep id nobody serves: the worker says so and exits 1', async () => {
    const r = await runCli(['worker', '--cluster', srv.url, '--sweep', 'nosuchsweep']);
    expect(r.out.trim()).toBe('spreadcore worker: no sweep nosuchsweep on this NATS server (no sweep is running); a sweep is listed while its coordinator (spreadcore sweep --cluster) runs (SPREADCORE_ERR_NOT_FOUND)');
    expect(r.code).toBe(1);
  });

  it('a clustered sweep gives the same table, results.json, results.csv and heat map as a local one', async () => {
    const local = join(dir, 'local');
    const clustered = join(dir, 'clustered');
    const l = await runCli(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '2', '--out', local], {}, 120_000);
    expect(l.code).toBe(0);

    const worker = await startCli(['worker', '--cluster', srv.url, '--threads', '2'], /serving every sweep/);
    const c = await runCli(['sweep', '--cluster', srv.url, '--data', DATA, '--params', PARAMS, '--space', SPACE, '--out', clustered], {}, 120_000);
    expect(c.out).toMatch(/spreadcore sweep: sweep [a-z0-9]+: 6 points queued on nats:\/\/127\.0\.0\.1:\d+; workers: spreadcore worker --cluster/);
    expect(c.out).toContain('6 of 6 points done, 0 running, 1 worker seen');
    expect(c.out).toMatch(/6 of 6 backtests finished in [\d.]+ s on 2 worker threads of the cluster nats:\/\/127\.0\.0\.1:\d+/);
    expect(c.code).toBe(0);

    expect(stableResults(clustered)).toEqual(stableResults(local));
    expect(stableCsv(clustered)).toEqual(stableCsv(local));
    expect(readFileSync(join(clustered, 'heatmap.png')).equals(readFileSync(join(local, 'heatmap.png')))).toBe(true);
    const table = (out: string): string[] => out.split('\n').filter((line) => /^\s*(rank|\d+)\s/.test(line));
    expect(table(c.out)).toEqual(table(l.out));
    expect(table(c.out)).toHaveLength(7);
    // the two worker threads of the one worker process, each with the core loaded once
    const doc = readResults(clustered);
    expect(doc.timing?.workers).toBe(2);
    expect(doc.timing?.threads.reduce((t, x) => t + x.tasks, 0)).toBe(6);
    expect(startedPoints(worker.out()).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.out()).toMatch(/stopped; 6 points run here/);
  }, 180_000);
});
