// The command table: every `spreadcore <name>` subcommand, in help order, with the one line
// `spreadcore --help` lists. A command's module (and all it imports: the engine, the servers,
// NATS, …) is loaded only when that command runs or its usage is asked for, so a command
// starts without loading the others. Adding a command is one entry here.
import type { Command } from './cli-io.js';

export interface CommandEntry {
  readonly name: string;
  /** One line for the command list in `spreadcore --help`. */
  readonly summary: string;
  /** Loads the command's module. */
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'book', summary: 'replay NDJSON book events from stdin and print the top of the book', load: async () => (await import('./book-command.js')).bookCommand },
  { name: 'selfcheck', summary: 'replay a bundled real recording through the engine core and verify it', load: async () => (await import('./selfcheck-command.js')).selfcheckCommand },
  { name: 'feed', summary: 'run the feed handler that takes protocol v1 frames into the order books', load: async () => (await import('./feed-command.js')).feedCommand },
  { name: 'record', summary: 'record a market source (Binance recording, binary recording, simulator) as a binary recording', load: async () => (await import('./record-command.js')).recordCommand },
  { name: 'publish', summary: 'send a market source to a running feed handler as protocol v1 frames', load: async () => (await import('./publish-command.js')).publishCommand },
  { name: 'replay', summary: 'replay a market source into the order books and print them', load: async () => (await import('./replay-command.js')).replayCommand },
  { name: 'serve', summary: 'run the engine on a market source with the HTTP control API', load: async () => (await import('./serve-command.js')).serveCommand },
  { name: 'simulate', summary: 'the Avellaneda–Stoikov (2008) Monte-Carlo experiment on a worker pool', load: async () => (await import('./simulate-command.js')).simulateCommand },
  { name: 'backtest', summary: 'replay a recording through the strategy and the paper exchange; metrics, curves, report', load: async () => (await import('./backtest-command.js')).backtestCommand },
  { name: 'sweep', summary: 'run backtests over a parameter grid or random search on a worker pool, ranked', load: async () => (await import('./sweep-command.js')).sweepCommand },
  { name: 'worker', summary: 'run the backtests of distributed sweeps (sweep --cluster) from a NATS JetStream server', load: async () => (await import('./worker-command.js')).workerCommand },
  { name: 'replica', summary: 'run a local replica of a venue (binance, kalshi, polymarket: trading, user data, market data, faults)', load: async () => (await import('./replica-command.js')).replicaCommand },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}
