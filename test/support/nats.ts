// A real nats-server (Debian's package: `apt-get install nats-server`) with JetStream on
// a free loopback port and a temporary store directory, for the cluster tests.
//
// Without the binary the cluster tests are skipped with a plain message (the README's
// `npm test` needs only Node and npm); with SPREADCORE_NATS=required (set by .ci/run)
// a missing server fails the run instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { describe } from 'vitest';
import { freePort } from './free-port.js';

export const NATS_BIN = process.env.NATS_SERVER_BIN ?? 'nats-server';

let availability: string | null | undefined;

/** null when nats-server runs here, else why not. */
export function natsMissing(): string | null {
  if (availability !== undefined) return availability;
  const r = spawnSync(NATS_BIN, ['--version'], { encoding: 'utf8', timeout: 5000 });
  availability = r.error !== undefined || r.status !== 0
    ? `nats-server is not installed (${r.error?.message ?? `exit ${r.status}`}): the cluster tests are skipped; install it with "apt-get install nats-server"`
    : null;
  if (availability !== null && process.env.SPREADCORE_NATS === 'required') {
    throw new Error(`SPREADCORE_NATS=required but ${availability}`);
  }
  return availability;
}

/** describe() that runs only where nats-server is installed, and says why when it is not. */
export function describeNats(name: string, fn: () => void): void {
  const why = natsMissing();
  if (why !== null) {
    process.stderr.write(`[cluster tests] ${why}\n`);
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

export interface NatsServer {
  url: string;
  port: number;
  storeDir: string;
  child: ChildProcess;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same port and store (after kill). */
  restart(): Promise<void>;
  /** Stop and remove the store. */
  stop(): Promise<void>;
}

function waitPort(port: number, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tryOnce = (): void => {
      const s = netConnect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => {
        s.destroy();
        if (Date.now() - t0 > timeoutMs) reject(new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(tryOnce, 25);
      });
    };
    tryOnce();
  });
}

function exited(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((r) => c.once('exit', () => r()));
}

export async function startNats(): Promise<NatsServer> {
  const why = natsMissing();
  if (why !== null) throw new Error(why);
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'spreadcore-nats-'));
  let log = '';
  const launch = async (): Promise<ChildProcess> => {
    const c = spawn(NATS_BIN, ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (b: Buffer) => { log = (log + b.toString()).slice(-4000); });
    c.stderr!.on('data', (b: Buffer) => { log = (log + b.toString()).slice(-4000); });
    try {
      await waitPort(port, 10_000);
    } catch (e) {
      c.kill('SIGKILL');
      throw new Error(`${(e as Error).message}: ${log}`);
    }
    return c;
  };
  const srv: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    child: await launch(),
    async kill() { srv.child.kill('SIGKILL'); await exited(srv.child); },
    async restart() { srv.child = await launch(); },
    async stop() {
      srv.child.kill('SIGTERM');
      const t = setTimeout(() => srv.child.kill('SIGKILL'), 3000);
      await exited(srv.child);
      clearTimeout(t);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
  return srv;
}
