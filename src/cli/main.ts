// The `spreadcore` command: dispatches to a subcommand from the command table,
// prints help, and turns errors into one line on stderr and an exit code
// (0 ok, 1 runtime or data error, 2 usage error).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpreadcoreError } from '../errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, processIo, type CliIo, type Command } from './cli-io.js';
import { COMMANDS, findCommand } from './commands.js';
import { didYouMean, wantsHelp } from './flags.js';

const DEBUG_HINT = '(set SPREADCORE_DEBUG=1 for details)';

function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4);
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: spreadcore <command> [options]

Commands:
${list}
  ${'help'.padEnd(width)}  show help for a command

Options:
  -h, --help     show this help (or a command's help: spreadcore <command> --help)
  --version      print the version

Exit status: 0 ok, 1 runtime or data error, 2 usage error.
Set SPREADCORE_DEBUG=1 to see stack traces of internal errors.`;
}

function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'spreadcore' && typeof pkg.version === 'string') return pkg.version;
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

function say(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** The names `spreadcore <name>` takes: the commands and `help`. */
function commandNames(): string[] {
  return [...COMMANDS.map((c) => c.name), 'help'];
}

function unknownCommand(io: CliIo, name: string): number {
  return usageFailure(io, 'spreadcore', `unknown command ${JSON.stringify(name)}${didYouMean(name, commandNames(), (k) => JSON.stringify(k))}`, 'spreadcore');
}

function usageFailure(io: CliIo, prefix: string, message: string, helpCmd: string): number {
  say(io.stderr, `${prefix}: ${message}\nRun "${helpCmd} --help" for usage.`);
  return EXIT_USAGE;
}

/** Runs `spreadcore <args>` against io and returns the exit code. Never throws. */
export async function run(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const debug = io.env['SPREADCORE_DEBUG'] === '1';
  const first = args[0];
  if (first === undefined) {
    say(io.stderr, topUsage());
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h') {
    say(io.stdout, topUsage());
    return EXIT_OK;
  }
  if (first === '--version') {
    say(io.stdout, version());
    return EXIT_OK;
  }
  if (first === 'help') {
    // `spreadcore help [<command>]`: the command's usage on stdout, as `<command> --help`
    const topic = args[1];
    if (topic === undefined || topic === 'help' || topic === '--help' || topic === '-h') { say(io.stdout, topUsage()); return EXIT_OK; }
    if (args.length > 2) return usageFailure(io, 'spreadcore', `help takes one command name, got ${args.length - 1} arguments`, 'spreadcore');
    const entry = findCommand(topic);
    if (entry === undefined) return unknownCommand(io, topic);
    let cmd: Command;
    try { cmd = await entry.load(); } catch (e) { reportInternal(io, `spreadcore ${entry.name}`, e, debug); return EXIT_FAILURE; }
    say(io.stdout, cmd.usage);
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    const name = first.replace(/^--?/, '').split('=')[0]!;
    const command = findCommand(name);
    // `spreadcore --serve`: a command written as an option
    const hint = command !== undefined ? ` (did you mean the command ${command.name}?)` : didYouMean(name, ['help', 'version'], (k) => `--${k}`);
    return usageFailure(io, 'spreadcore', `unknown option ${first}${hint}`, 'spreadcore');
  }
  const entry = findCommand(first);
  if (entry === undefined) return unknownCommand(io, first);
  const rest = args.slice(1);
  const prefix = `spreadcore ${entry.name}`;
  let cmd: Command;
  try { cmd = await entry.load(); } catch (e) { reportInternal(io, prefix, e, debug); return EXIT_FAILURE; }
  if (wantsHelp(rest)) {
    say(io.stdout, cmd.usage);
    return EXIT_OK;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof SpreadcoreError) {
      if (e.code === 'SPREADCORE_ERR_BAD_FLAG') return usageFailure(io, prefix, e.message, prefix);
      say(io.stderr, `${prefix}: ${e.message} (${e.code})`);
      if (debug && e.stack !== undefined) say(io.stderr, e.stack);
      return EXIT_FAILURE;
    }
    reportInternal(io, prefix, e, debug);
    return EXIT_FAILURE;
  }
}

function reportInternal(io: CliIo, prefix: string, e: unknown, debug: boolean): void {
  const msg = e instanceof Error ? e.message : String(e);
  say(io.stderr, `${prefix}: internal error: ${msg.split('\n')[0]} ${DEBUG_HINT}`);
  if (debug) say(io.stderr, e instanceof Error && e.stack !== undefined ? e.stack : String(e));
}

/** Entry point of bin/spreadcore.js: runs with process.argv and sets the exit code. */
export async function runFromProcess(): Promise<void> {
  const io = processIo();
  const debug = io.env['SPREADCORE_DEBUG'] === '1';
  // A reader that went away (`| head`) is not an error; anything else is one line.
  const quietPipe = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') reportInternal(io, 'spreadcore', err, debug);
  };
  process.stdout.on('error', quietPipe);
  process.stderr.on('error', () => { /* nowhere left to report */ });
  process.on('uncaughtException', (e) => {
    reportInternal(io, 'spreadcore', e, debug);
    process.exit(EXIT_FAILURE);
  });
  process.exitCode = await run(process.argv.slice(2), io);
}
