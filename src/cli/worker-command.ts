// `spreadcore worker --cluster nats://…`: a worker of distributed sweeps. It takes the
// points of the sweeps that `spreadcore sweep --cluster` coordinators put on the NATS
// JetStream server, runs their backtests on a pool of worker threads and publishes the
// results (src/cluster/sweep-worker-service.ts). Runs until Ctrl-C or SIGTERM (with
// --sweep ID: until that sweep is over); the points it is running then go back to the
// queue at once.
import { availableParallelism, hostname } from 'node:os';
import { checkClusterUrl, connectCluster, openSweepStore } from '../cluster/sweep-nats.js';
import { SWEEP_ID } from '../cluster/sweep-subjects.js';
import { serveSweeps } from '../cluster/sweep-worker-service.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { intFlag, parseOnlyFlags, usageError } from './flags.js';

const MAX_THREADS = 64;

const USAGE = `Usage: spreadcore worker --cluster nats://HOST:4222 [--threads N] [--sweep ID]

Runs the backtests of distributed parameter sweeps: takes points from the NATS
JetStream server that \`spreadcore sweep --cluster URL\` coordinators fill,
runs them on a pool of worker threads and publishes each result. Start any
number of workers, on any machines that reach the server; they need no shared
files (the recording and the spec come from the server, checked by hash).

  --cluster URL      the NATS server (nats://host:4222; JetStream on)
  --threads N        backtests run at once (default: the CPUs available,
                     here ${availableParallelism()}; 1..${MAX_THREADS})
  --sweep ID         serve this sweep only, and exit 0 when it is over
                     (default: every sweep, until stopped)
  -h, --help         show this help

Each point is kept in progress while it runs; a worker that dies leaves its
points to be handed to another worker after the sweep's ack wait. Ctrl-C or
SIGTERM stops: running backtests end early and their points go back to the
queue at once. Progress is printed on stderr, one line per point.

Exit status: 0 stopped or the sweep is over, 1 the server is unreachable or
the sweep does not exist, 2 bad command line.`;

const FLAGS = {
  cluster: { type: 'string' },
  threads: { type: 'string' },
  sweep: { type: 'string' },
} as const;

export const workerCommand: Command = {
  name: 'worker',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const url = flags.cluster;
    if (url === undefined || url === '') throw usageError('--cluster nats://HOST:4222 is required');
    const bad = checkClusterUrl(url);
    if (bad !== undefined) throw usageError(bad);
    const threads = intFlag('threads', flags.threads, Math.max(1, availableParallelism()), 1, MAX_THREADS);
    const sweep = flags.sweep;
    if (sweep !== undefined && !SWEEP_ID.test(sweep)) throw usageError(`--sweep must be a sweep id (lower-case letters and digits, as the coordinator prints it), got ${JSON.stringify(sweep)}`);

    const log = (line: string): void => { io.stderr.write(`spreadcore worker: ${line}\n`); };
    const nc = await connectCluster(url, `spreadcore worker ${hostname()}:${process.pid}`, log);
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (): void => {
      signals++;
      if (signals === 1) {
        log('stopping: running backtests end early and their points go back to the queue (again to quit now)');
        controller.abort();
      } else {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const store = await openSweepStore(nc, url);
      const r = await serveSweeps({
        store, threads, sweep, log, signal: controller.signal,
        onReady: () => log(`${hostname()}:${process.pid} connected to ${url}; ${threads} thread${threads === 1 ? '' : 's'}; serving ${sweep === undefined ? 'every sweep' : `sweep ${sweep}`}`),
      });
      log(`${controller.signal.aborted ? 'stopped' : `sweep ${sweep} is over`}; ${r.points} point${r.points === 1 ? '' : 's'} run here`);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await nc.close().catch(() => {});
    }
    return EXIT_OK;
  },
};
