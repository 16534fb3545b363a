// `spreadcore simulate`: the Monte-Carlo experiment of Avellaneda & Stoikov (2008),
// section 4, on a pool of worker threads, with the inventory strategy quoted by the
// WASM quote ladder (Avellaneda–Stoikov or GLFT) against a symmetric strategy of the
// same average spread. Prints a table, or one JSON object with --json.
import {
  experimentProblem, MAX_PATHS, PAPER_CONSTANTS, SIM_TICK_SIZE, SIMULATION_MODELS, stepCount,
  type ExperimentParams, type SimulationModel,
} from '../simulate/experiment.js';
import { defaultWorkers, MAX_WORKERS, simulateOnPool } from '../simulate/simulation-pool.js';
import { summarize, type StrategyStats } from '../simulate/summarize.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { intFlag, usageError, parseOnlyFlags } from './flags.js';
import { ProgressBar } from './progress-bar.js';

const DEFAULT_PATHS = 1000;
const DEFAULT_SEED = 1;
const MAX_SEED = 0xffffffff;

const USAGE = `Usage: spreadcore simulate --model avellaneda_stoikov|glft --gamma G [--paths N] [--seed N]
                          [--workers N] [--json] [--sigma X] [--k X] [--A X] [--dt X] [--T X] [--s0 X]

Runs the Monte-Carlo experiment of Avellaneda & Stoikov (2008), "High-frequency
trading in a limit order book", section 4: the mid starts at s0 and moves
±sigma·√dt each step (probability 1/2 each) for T/dt steps; a quote at distance δ
from the mid fills with probability A·e^(−k·δ)·dt per step; one unit per fill; the
inventory starts at 0. Two strategies trade every path with the same random numbers:
  inventory  the model's quotes from the WASM quote ladder (avellaneda_stoikov with
             horizon T − t, or glft: the Guéant–Lehalle–Fernandez-Tapia approximation)
  symmetric  the same average spread, centred on the mid
and the command reports, for each, the average spread, the mean and standard
deviation of the terminal profit (cash + q·mid) and of the terminal inventory.
Quotes are rounded to a tick of ${SIM_TICK_SIZE} price units. Path i draws from its own
random stream seeded from (seed, i), so the figures do not depend on --workers.

Options:
  --model M     avellaneda_stoikov or glft (required)
  --gamma G     risk aversion γ > 0 (required; the paper uses 0.01, 0.1 and 0.5)
  --paths N     number of paths, 1..${MAX_PATHS} (default ${DEFAULT_PATHS})
  --seed N      0..${MAX_SEED} (default ${DEFAULT_SEED})
  --workers N   worker threads, 1..${MAX_WORKERS} (default: available cores)
  --json        print {"model","gamma","paths","seed","inventory":{...},"symmetric":{...},...}
  --sigma X     mid volatility per √time unit (default ${PAPER_CONSTANTS.sigma})
  --k X         fill-intensity decay per price unit (default ${PAPER_CONSTANTS.k})
  --A X         fill intensity at the mid per time unit (default ${PAPER_CONSTANTS.A})
  --dt X        time step (default ${PAPER_CONSTANTS.dt}); T must be a whole number of steps
  --T X         horizon (default ${PAPER_CONSTANTS.T})
  --s0 X        starting mid (default ${PAPER_CONSTANTS.s0})
  -h, --help    show this help

Constants must be positive finite numbers, with A·dt ≤ 1, s0 large enough that the
mid cannot reach 0, at most 100000 steps and paths × steps ≤ 100000000.
A progress bar is drawn on stderr when it is a terminal. See docs/simulate.md.

Exit status: 0 ok, 1 runtime failure, 2 bad command line.`;

const FLAGS = {
  model: { type: 'string' },
  gamma: { type: 'string' },
  paths: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
  json: { type: 'boolean' },
  sigma: { type: 'string' },
  k: { type: 'string' },
  A: { type: 'string' },
  dt: { type: 'string' },
  T: { type: 'string' },
  s0: { type: 'string' },
} as const;

const DECIMAL = /^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A positive finite decimal flag value; dflt when absent. */
function positiveFlag(name: string, v: string | undefined, dflt?: number): number {
  if (v === undefined) {
    if (dflt === undefined) throw usageError(`--${name} is required`);
    return dflt;
  }
  const n = DECIMAL.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || !(n > 0)) throw usageError(`--${name} must be a positive finite number, got ${JSON.stringify(v)}`);
  return n;
}

function parseModel(v: string | undefined): SimulationModel {
  if (v === undefined) throw usageError(`--model is required (${SIMULATION_MODELS.join(' or ')})`);
  const m = SIMULATION_MODELS.find((x) => x === v);
  if (m === undefined) throw usageError(`--model must be ${SIMULATION_MODELS.join(' or ')}, got ${JSON.stringify(v)}`);
  return m;
}

function fixed(x: number | null, digits: number): string {
  return x === null ? '-' : x.toFixed(digits);
}

function table(rows: readonly (readonly [string, StrategyStats])[]): string {
  const head = ['strategy', 'spread', 'profit mean', 'profit std', 'final q mean', 'final q std'];
  const body = rows.map(([name, s]) => [
    name, fixed(s.spread, 4), fixed(s.profit_mean, 2), fixed(s.profit_std, 2), fixed(s.final_q_mean, 3), fixed(s.final_q_std, 2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

export const simulateCommand: Command = {
  name: 'simulate',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const flags = parseOnlyFlags(args, FLAGS);
    const params: ExperimentParams = {
      model: parseModel(flags.model),
      gamma: positiveFlag('gamma', flags.gamma),
      sigma: positiveFlag('sigma', flags.sigma, PAPER_CONSTANTS.sigma),
      k: positiveFlag('k', flags.k, PAPER_CONSTANTS.k),
      A: positiveFlag('A', flags.A, PAPER_CONSTANTS.A),
      dt: positiveFlag('dt', flags.dt, PAPER_CONSTANTS.dt),
      T: positiveFlag('T', flags.T, PAPER_CONSTANTS.T),
      s0: positiveFlag('s0', flags.s0, PAPER_CONSTANTS.s0),
    };
    const paths = intFlag('paths', flags.paths, DEFAULT_PATHS, 1, MAX_PATHS);
    const seed = intFlag('seed', flags.seed, DEFAULT_SEED, 0, MAX_SEED);
    const workers = intFlag('workers', flags.workers, defaultWorkers(), 1, MAX_WORKERS);
    const problem = experimentProblem(params, paths);
    if (problem !== null) throw usageError(problem.replace(/^(gamma|sigma|k|A|dt|T|s0|paths)\b/, '--$1'));

    const bar = new ProgressBar({ stream: io.stderr, label: 'simulate', total: paths, unit: 'paths' });
    const records = await simulateOnPool({ ...params, seed, paths }, {
      workers,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish();
    const stats = summarize(records);
    const steps = stepCount(params);
    if (flags.json === true) {
      io.stdout.write(`${JSON.stringify({
        model: params.model, gamma: params.gamma, paths, seed,
        inventory: stats.inventory, symmetric: stats.symmetric,
        constants: { sigma: params.sigma, k: params.k, A: params.A, dt: params.dt, T: params.T, s0: params.s0 },
        steps, tick_size: SIM_TICK_SIZE,
      })}\n`);
      return EXIT_OK;
    }
    io.stdout.write([
      `Avellaneda–Stoikov (2008) experiment: model ${params.model}, gamma ${params.gamma}, ${paths} paths, seed ${seed}`,
      `s0 ${params.s0}, sigma ${params.sigma}, T ${params.T}, dt ${params.dt} (${steps} steps), A ${params.A}, k ${params.k}, tick ${SIM_TICK_SIZE}`,
      '',
      table([['inventory', stats.inventory], ['symmetric', stats.symmetric]]),
      '',
    ].join('\n'));
    return EXIT_OK;
  },
};
