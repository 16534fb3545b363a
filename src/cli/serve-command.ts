// `spreadcore serve`: the engine on the built-in simulated market with paper
// execution, its journal in the data directory (restored at start), and the HTTP
// control API. The simulator runs in real time: a timer hands it the wall clock
// every few ms. Ctrl-C / SIGTERM stops every strategy, closes the API and the
// journal, and exits 0.
import { mkdirSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { SimDriver } from '../engine/sim-driver.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { MarketSimulator } from '../feed/sim/market-simulator.js';
import { Gateway } from '../gateway/gateway.js';
import { attachEngine } from '../gateway/sse-engine.js';
import { SseHub } from '../gateway/sse-hub.js';
import { Journal } from '../store/journal.js';
import { EXIT_OK, type CliIo, type Command } from './cli-io.js';
import { intFlag, parseFlags, usageError } from './flags.js';

export const TOKEN_ENV_API = 'SPREADCORE_API_TOKEN';

const USAGE = `Usage: spreadcore serve [--host 127.0.0.1] [--port 8080] [--seed N] [--data-dir ./data] [--token T] [--tick-ms 5]

Runs the engine on the built-in simulated market (BTCUSDT, ETHUSDT and a binary
YES contract, paced in real time) with paper execution, and the HTTP control API
at http://HOST:PORT/api with the event stream at /api/stream (see docs/api.md). Fills, orders, strategies and
parameter changes are journaled in the data directory; at start the journal is
restored (strategies come back stopped, with their positions). Stops on
Ctrl-C / SIGTERM: strategies stop, the API and the journal close.

Options (each also from an environment variable):
  --host H        bind address (SPREADCORE_HOST, default 127.0.0.1); any
                  other address requires a token
  --port N        port (SPREADCORE_PORT, default 8080; 0 = any free port,
                  printed at start)
  --seed N        simulator seed (SPREADCORE_SEED, default 1)
  --data-dir D    journal directory (SPREADCORE_DATA_DIR, default ./data)
  --token T       bearer token every API request must carry
                  (${TOKEN_ENV_API})
  --tick-ms N     how often the simulator catches up with the clock, ms
                  (default 5)
  -h, --help      show this help`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  token: { type: 'string' },
  'tick-ms': { type: 'string' },
} as const;


export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the engine on the simulated market with the HTTP control API',
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { flags, positionals } = parseFlags(args, FLAGS);
    if (positionals.length > 0) throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const env = io.env;
    const host = flags.host ?? (env.SPREADCORE_HOST || '127.0.0.1');
    const port = intFlag('port', flags.port ?? env.SPREADCORE_PORT, 8080, 0, 65535, true);
    const seed = intFlag('seed', flags.seed ?? env.SPREADCORE_SEED, 1, 0, 2 ** 31 - 1, true);
    const tickMs = intFlag('tick-ms', flags['tick-ms'], 5, 1, 1000, true);
    const dataDir = resolvePath(flags['data-dir'] ?? (env.SPREADCORE_DATA_DIR || './data'));
    const tokenRaw = flags.token ?? env[TOKEN_ENV_API];
    const token = tokenRaw === undefined || tokenRaw === '' ? undefined : tokenRaw;

    mkdirSync(dataDir, { recursive: true });
    const journal = Journal.open(dataDir);
    let engine: TradingEngine | undefined;
    let gateway: Gateway | undefined;
    let timer: NodeJS.Timeout | null = null;
    let hub: SseHub | undefined;
    try {
      engine = new TradingEngine({ journal });
      const sim = new MarketSimulator({ startTsNs: Date.now() * 1e6 }, seed);
      const driver = new SimDriver(engine, sim, { stepMs: tickMs });
      const restored = engine.restore();
      let lastError = '';
      const eng = engine;
      timer = setInterval(() => {
        try {
          driver.runUntil(Date.now() * 1e6);
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          if (msg !== lastError) io.stderr.write(`spreadcore serve: market step failed: ${msg}\n`);
          lastError = msg;
        }
      }, tickMs);
      // ids from an earlier run are told apart (resync, not a wrong replay)
      hub = new SseHub({ firstId: Date.now() * 1000 });
      attachEngine(hub, eng.events);
      gateway = new Gateway(eng, {
        host, port, stream: hub, ...(token !== undefined ? { token } : {}),
        healthInfo: () => ({ market: 'simulator', seed, symbols: eng.ingest.symbols().map((s) => s.symbol), market_events: driver.events }),
      });
      const bound = await gateway.listen();
      io.stdout.write(
        `spreadcore serve: market: built-in simulator, seed ${seed}, symbols ${eng.ingest.symbols().map((s) => s.symbol).join(', ')}; paper execution\n`
        + `spreadcore serve: journal: ${dataDir} (restored ${restored.strategies.length} strategies, ${restored.fills} fills, kill switch ${restored.kill_switch})\n`
        + `spreadcore serve: control API listening on ${gateway.url}/api on port ${bound} (dashboard: ${gateway.url}/, health: ${gateway.url}/api/health, events: ${gateway.url}/api/stream)${token !== undefined ? ', bearer token required' : ''}; Ctrl-C to stop\n`);

      await new Promise<void>((done) => {
        const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); done(); };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      let stopped = 0;
      for (const s of eng.list()) {
        if (s.status === 'running' || s.status === 'paused') {
          try { eng.stop(s.strategy_id); stopped++; } catch (e) { io.stderr.write(`spreadcore serve: stopping ${s.strategy_id} failed: ${e instanceof Error ? e.message : String(e)}\n`); }
        }
      }
      io.stdout.write(`spreadcore serve: stopped ${stopped} strategies; closing\n`);
      // idle keep-alive connections of clients would hold the process until they time out:
      // once everything is closed, give them a moment, then end the process
      setTimeout(() => process.exit(process.exitCode ?? EXIT_OK), 500).unref();
      return EXIT_OK;
    } finally {
      if (timer !== null) clearInterval(timer);
      hub?.close();
      gateway?.close();
      engine?.close();
      journal.close();
    }
  },
};
