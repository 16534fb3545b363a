// Long-running commands (serve, feed, the venue replicas) run until Ctrl-C or SIGTERM. Each
// listens for the signals before it prints the line that says it is ready: a signal sent as
// soon as that line is read must find the listener there, not Node's default (the process
// would end at once, by the signal, with nothing closed).
import type { CliIo } from './cli-io.js';
import { EXIT_OK } from './cli-io.js';

/** Listens for SIGINT and SIGTERM now; resolves at the first (and stops listening for them). */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * A replica's run after it printed its URLs: until a stop signal (`stopped`, from untilStopSignal()
 * called before the URLs were printed), then closed, said on stdout (a JSON line with --json).
 */
export async function runReplicaUntilStopped(replica: { close(): Promise<void> }, io: CliIo, json: boolean, stopped: Promise<void>): Promise<number> {
  await stopped;
  await replica.close();
  io.stdout.write(json ? `${JSON.stringify({ event: 'stopped' })}\n` : 'replica stopped\n');
  return EXIT_OK;
}
