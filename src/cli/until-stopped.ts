// Long-running commands (serve, feed, the venue replicas) run until Ctrl-C or SIGTERM.
import type { CliIo } from './cli-io.js';
import { EXIT_OK } from './cli-io.js';

/** Resolves at the first SIGINT or SIGTERM (and stops listening for them). */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** A replica's run after it printed its URLs: until a stop signal, then closed, said on stdout (a JSON line with --json). */
export async function runReplicaUntilStopped(replica: { close(): Promise<void> }, io: CliIo, json: boolean): Promise<number> {
  await untilStopSignal();
  await replica.close();
  io.stdout.write(json ? `${JSON.stringify({ event: 'stopped' })}\n` : 'replica stopped\n');
  return EXIT_OK;
}
