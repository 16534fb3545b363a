// What every cluster test file does around its tests: it needs the compiled CLI (dist);
// after each test every process it started and its nats-server are stopped; once the
// file's tests are over, the data directories they used are removed. Call
// clusterTestRun() inside describeNats() (it registers the hooks there), start the
// server with run.startNats() and hand directories to run.removeLater().
import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startNats, type NatsServer } from './nats.js';
import { requireDist, stopAll } from './cli-process.js';

export interface ClusterTestRun {
  /** The running test's nats-server (once startNats() resolved), else undefined. */
  readonly srv: NatsServer | undefined;
  /** Starts a nats-server with JetStream for the running test; stopped after it. */
  startNats(): Promise<NatsServer>;
  /** Removes these directories once the file's tests are over. */
  removeLater(...dirs: string[]): void;
}

export function clusterTestRun(): ClusterTestRun {
  let srv: NatsServer | undefined;
  const dirs: string[] = [];
  beforeAll(() => { requireDist(); });
  afterEach(async () => {
    stopAll();
    await srv?.stop();
    srv = undefined;
  });
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  return {
    get srv() { return srv; },
    async startNats() {
      srv = await startNats();
      return srv;
    },
    removeLater(...more: string[]) { dirs.push(...more); },
  };
}
