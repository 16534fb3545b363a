// `spreadcore sweep`: a parameter sweep of backtests on a worker pool, ranked by an
// objective, with results.json, results.csv and a heat map in the output
// directory. Ctrl-C stops dispatching, ends in-flight backtests, keeps every
// finished run and exits 130. With --cluster the points run on `spreadcore worker`
// processes anywhere, through NATS JetStream (src/cluster/sweep-coordinator.ts), with the
// same output.
import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { OBJECTIVES, OBJECTIVE_TEXT, parseObjective } from '../sweep/objectives.js';
import { MAX_SWEEP_POINTS } from '../sweep/expand.js';
import { rankedTable } from '../sweep/ranked-table.js';
import { runSweep, type SearchKind, type SweepOutcome } from '../sweep/run-sweep.js';
import { renderSweepHeatmap } from '../sweep/render-heatmap.js';
import { clusterExecutor } from '../cluster/sweep-coordinator.js';
import { checkClusterUrl, connectCluster, openSweepStore, type SweepStore } from '../cluster/sweep-nats.js';
import { DEFAULT_ACK_WAIT_MS } from '../cluster/sweep-subjects.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { intFlag, usageError, parseOnlyFlags } from './flags.js';
import { ProgressBar } from './progress-bar.js';

/** Exit status after Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;
const MAX_WORKERS = 64;
const DEFAULT_TOP = 10;
const DEFAULT_OUT = 'sweep-out';

const USAGE = `Usage: spreadcore sweep --data FILE --params FILE --space FILE [--search grid|random]
                       [--samples N] [--objective NAME] [--workers N] [--out DIR]
                       [--seed N] [--heatmap X,Y|none] [--top N] [--json]
                       [--cache-dir DIR] [--cluster nats://HOST:4222 [--ack-wait S]]

Runs one backtest per point of a parameter space on a pool of worker threads
and ranks the points by an objective (see docs/sweep.md).

  --data FILE        the recording (Binance lines or .screc, gzip or not); read
                     once and shared by every worker
  --params FILE      the backtest params file {"symbols":[…],"parameters":{…},…}
                     (as for a backtest); swept parameters replace its values
  --space FILE       what to sweep: {"spread_bps":[2,4,8],
                     "order_size":{"min":0.001,"max":0.004,"step":0.001}, …}
                     a list of values, or a range with step, count or log
  --search S         grid (default): every combination, at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')};
                     random: --samples points drawn from the ranges (log: true
                     draws log-uniformly), the same points for the same --seed
  --samples N        points of a random search (1..${MAX_SWEEP_POINTS})
  --objective NAME   what ranks the runs, higher is better (default net_pnl):
${OBJECTIVES.map((o) => `                       ${o.padEnd(16)} ${OBJECTIVE_TEXT[o]}`).join('\n')}
  --workers N        worker threads (default: the CPUs available, here ${availableParallelism()})
  --out DIR          output directory (default ./${DEFAULT_OUT}): results.json,
                     results.csv (every finished run, ranked; rewritten as runs
                     finish) and heatmap.png
  --seed N           seeds the random search and every backtest (default 1)
  --heatmap X,Y      the heat map's two parameters (default: the first two
                     numeric swept parameters), or none; each cell is the best
                     objective over the other parameters
  --top N            rows of the ranked table printed (default ${DEFAULT_TOP})
  --json             print results.json to stdout instead of the table
  --cache-dir DIR    keep what a worker parsed from a Binance recording in DIR
                     (as backtest --cache-dir): the workers of the next sweep of
                     the same recording read it instead of parsing; same results
                     with or without it (a local sweep only)
  --cluster URL      run the points on \`spreadcore worker\` processes through
                     the NATS JetStream server at URL (nats://host:4222)
                     instead of a local pool; the recording and the spec go
                     to the server, so workers need no shared files; same
                     results and files as a local sweep (docs/sweep.md)
  --ack-wait S       with --cluster: seconds without a sign of life from the
                     worker running a point before the point is handed to
                     another worker (1..3600, default ${DEFAULT_ACK_WAIT_MS / 1000})
  -h, --help         show this help

Every parameter name and value of the space, and every point's params file, is
checked before any backtest runs. A progress bar is drawn on stderr when it is
a terminal. Ctrl-C stops: no new backtests start, running ones end early and
are dropped, finished runs are written, and the exit status is 130.

Exit status: 0 done, 1 bad input or a backtest failed, 2 bad command line,
130 stopped by Ctrl-C.`;

const FLAGS = {
  data: { type: 'string' },
  params: { type: 'string' },
  space: { type: 'string' },
  search: { type: 'string' },
  samples: { type: 'string' },
  objective: { type: 'string' },
  workers: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  heatmap: { type: 'string' },
  top: { type: 'string' },
  json: { type: 'boolean' },
  cluster: { type: 'string' },
  'ack-wait': { type: 'string' },
  'cache-dir': { type: 'string' },
} as const;

function required(name: string, v: string | undefined): string {
  if (v === undefined || v === '') throw usageError(`--${name} FILE is required`);
  return v;
}

function summaryLine(outcome: SweepOutcome, cluster: string | undefined): string {
  const { doc } = outcome;
  const s = doc.timing.elapsed_ms / 1000;
  const rate = `${doc.timing.backtests_per_s.toFixed(2)} backtests/s, ${Math.round(doc.timing.events_per_s).toLocaleString('en-US')} events/s`;
  const where = cluster === undefined ? `${doc.timing.workers} workers` : `${doc.timing.workers} worker thread${doc.timing.workers === 1 ? '' : 's'} of the cluster ${cluster}`;
  return `${doc.finished} of ${doc.total} backtests finished${doc.failed > 0 ? `, ${doc.failed} failed` : ''}${doc.skipped > 0 ? `, ${doc.skipped} skipped` : ''} in ${s.toFixed(1)} s on ${where} (${rate})`;
}

export const sweepCommand: Command = {
  name: 'sweep',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const dataPath = required('data', flags.data);
    const paramsPath = required('params', flags.params);
    const spacePath = required('space', flags.space);
    const search = (flags.search ?? 'grid') as SearchKind;
    if (search !== 'grid' && search !== 'random') throw usageError(`--search must be grid or random, got ${JSON.stringify(flags.search)}`);
    if (search === 'random' && flags.samples === undefined) throw usageError('--search random needs --samples N');
    if (search === 'grid' && flags.samples !== undefined) throw usageError('--samples applies to --search random only');
    const samples = intFlag('samples', flags.samples, 0, 1, MAX_SWEEP_POINTS);
    const objective = parseObjective(flags.objective ?? 'net_pnl');
    if (objective === undefined) throw usageError(`--objective must be one of ${OBJECTIVES.join(', ')}, got ${JSON.stringify(flags.objective)}`);
    const cluster = flags.cluster;
    if (cluster !== undefined) {
      const bad = checkClusterUrl(cluster);
      if (bad !== undefined) throw usageError(bad);
      if (flags.workers !== undefined) throw usageError('--workers applies to a local sweep; with --cluster the points run on the workers started with "spreadcore worker --cluster URL [--threads N]"');
      if (flags['cache-dir'] !== undefined) throw usageError('--cache-dir applies to a local sweep; with --cluster the points run on other machines\' workers');
    } else if (flags['ack-wait'] !== undefined) {
      throw usageError('--ack-wait applies to --cluster only');
    }
    const cacheDir = flags['cache-dir'];
    if (cacheDir === '') throw usageError('--cache-dir needs a directory');
    const ackWaitMs = intFlag('ack-wait', flags['ack-wait'], DEFAULT_ACK_WAIT_MS / 1000, 1, 3600) * 1000;
    const workers = intFlag('workers', flags.workers, Math.max(1, availableParallelism()), 1, MAX_WORKERS);
    const seed = intFlag('seed', flags.seed, 1, 0, 2 ** 31 - 1);
    const top = intFlag('top', flags.top, DEFAULT_TOP, 1, MAX_SWEEP_POINTS);
    const outDir = resolvePath(flags.out ?? DEFAULT_OUT);

    // the cluster is reached before any file is read or written: an unreachable server writes nothing
    let store: SweepStore | undefined;
    if (cluster !== undefined) {
      const nc = await connectCluster(cluster, `spreadcore sweep ${process.pid}`, (line) => io.stderr.write(`spreadcore sweep: ${line}\n`));
      try {
        store = await openSweepStore(nc, cluster);
      } catch (e) {
        await nc.close();
        throw e;
      }
    }

    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts === 1) {
        io.stderr.write(cluster === undefined
          ? '\nspreadcore sweep: stopping: no new backtests; finishing what is running (Ctrl-C again to quit now)\n'
          : '\nspreadcore sweep: stopping: taking the sweep out of the cluster; the finished runs are kept (Ctrl-C again to quit now)\n');
        controller.abort();
      } else {
        io.stderr.write('spreadcore sweep: quit; results.json holds the runs written so far\n');
        process.exit(EXIT_INTERRUPTED);
      }
    };
    process.on('SIGINT', onSigint);
    const bar = new ProgressBar({ stream: io.stderr, label: 'sweep', unit: 'backtests' });
    let lastProgress = '';
    let lastProgressAt = 0;
    let outcome: SweepOutcome;
    try {
      outcome = await runSweep({
        dataPath, paramsPath, spacePath, search, samples, objective, workers, outDir, seed,
        heatmap: flags.heatmap,
        renderHeatmap: renderSweepHeatmap,
        cacheDir: cacheDir === undefined ? undefined : resolvePath(cacheDir),
        onNote: (m) => io.stderr.write(`spreadcore sweep: ${m}\n`),
        executor: store === undefined || cluster === undefined ? undefined : clusterExecutor({
          store, url: cluster, ackWaitMs,
          onQueued: (id, m) => io.stderr.write(`spreadcore sweep: sweep ${id}: ${m.points} points queued on ${cluster}; workers: spreadcore worker --cluster ${cluster} [--threads N]\n`),
          onIdle: (id, ms) => io.stderr.write(`spreadcore sweep: sweep ${id}: no worker has taken a point in ${Math.round(ms / 1000)} s: start one with "spreadcore worker --cluster ${cluster}"; waiting (Ctrl-C stops)\n`),
          onProgress: (p) => {
            const line = `${p.answered} of ${p.points} points done, ${p.inProgress} running, ${p.workers} worker${p.workers === 1 ? '' : 's'} seen`;
            const now = Date.now();
            if (line === lastProgress || (now - lastProgressAt < 2000 && p.answered < p.points)) return;
            lastProgress = line;
            lastProgressAt = now;
            io.stderr.write(`spreadcore sweep: ${line}\n`);
          },
        }),
        onStart: (total, threads) => {
          const where = cluster === undefined ? `on ${threads} worker${threads === 1 ? '' : 's'}` : `on the cluster ${cluster}`;
          io.stderr.write(`spreadcore sweep: ${total} backtests (${search}) ${where}, ranked by ${objective}; results in ${outDir}\n`);
          if (search === 'random' && total < samples) io.stderr.write(`spreadcore sweep: the space holds only ${total} distinct points: ${samples} samples asked\n`);
          if (cluster === undefined) bar.update(0, total);
        },
        // a clustered sweep prints progress lines instead (points, workers seen)
        onProgress: (done, total) => { if (cluster === undefined) bar.update(done, total); },
      }, controller.signal);
    } finally {
      process.off('SIGINT', onSigint);
      bar.finish();
      await store?.nc.close().catch(() => {});
    }

    if (flags.json === true) io.stdout.write(`${JSON.stringify(outcome.doc, null, 2)}\n`);
    else if (outcome.doc.runs.length > 0) io.stdout.write(`${rankedTable(outcome.doc, top)}\n`);
    const stopped = outcome.status === 'stopped';
    io.stderr.write(`spreadcore sweep: ${stopped ? 'stopped: ' : ''}${summaryLine(outcome, cluster)}\n`);
    io.stderr.write(`spreadcore sweep: wrote ${outDir}/results.json, results.csv${'path' in outcome.heatmap ? ', heatmap.png' : ''}\n`);
    if ('note' in outcome.heatmap) io.stderr.write(`spreadcore sweep: ${outcome.heatmap.note}\n`);
    const firstSkipped = outcome.doc.skipped_points[0];
    if (firstSkipped !== undefined) {
      io.stderr.write(`spreadcore sweep: ${outcome.doc.skipped} point${outcome.doc.skipped === 1 ? '' : 's'} skipped (the params-file checks refuse them; listed in results.json), first: point ${firstSkipped.index}: ${firstSkipped.error} (${firstSkipped.code})\n`);
    }
    const firstFailure = outcome.doc.failures[0];
    if (firstFailure !== undefined) io.stderr.write(`spreadcore sweep: point ${firstFailure.index} failed: ${firstFailure.error} (${firstFailure.code})\n`);
    if (stopped) return EXIT_INTERRUPTED;
    return firstFailure !== undefined ? EXIT_FAILURE : EXIT_OK;
  },
};
