// The command table: every `spreadcore <name>` subcommand, in help order.
// Adding a command is one import and one entry here.
import type { Command } from './cli-io.js';
import { bookCommand } from './book-command.js';
import { selfcheckCommand } from './selfcheck-command.js';
import { feedCommand } from './feed-command.js';
import { recordCommand } from './record-command.js';
import { publishCommand } from './publish-command.js';
import { replayCommand } from './replay-command.js';
import { serveCommand } from './serve-command.js';
import { simulateCommand } from './simulate-command.js';
import { backtestCommand } from './backtest-command.js';
import { sweepCommand } from './sweep-command.js';
import { workerCommand } from './worker-command.js';
import { replicaCommand } from './replica-command.js';

export const COMMANDS: readonly Command[] = [
  bookCommand,
  selfcheckCommand,
  feedCommand,
  recordCommand,
  publishCommand,
  replayCommand,
  serveCommand,
  simulateCommand,
  backtestCommand,
  sweepCommand,
  workerCommand,
  replicaCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
