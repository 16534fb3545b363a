// The streams and environment a command runs against, and the exit codes it returns.
// Commands never touch process.* directly, so they can run in-process on any streams.

export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const EXIT_OK = 0;
/** Bad data or a runtime failure. */
export const EXIT_FAILURE = 1;
/** Bad command line. */
export const EXIT_USAGE = 2;

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** One `spreadcore <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** Full text printed by `spreadcore <name> --help`. */
  readonly usage: string;
  /**
   * Runs with the arguments after the command name and returns an exit code.
   * Throws SpreadcoreError for user errors (SPREADCORE_ERR_BAD_FLAG means a usage
   * error); main reports them on one line.
   */
  run(args: string[], io: CliIo): Promise<number>;
}
