// The long-running commands (serve, feed, the three venue replicas) listen for SIGINT and
// SIGTERM before they print the line that says they are ready. A supervisor (or a test) that
// sends SIGTERM the moment it reads that line must reach the command's own stop, not Node's
// default action (the process ending at once, by the signal, with nothing closed: no orders
// cancelled, no journal closed). Each command runs in this process on a captured stdout: at the
// write of its ready line a SIGTERM listener must already be there; then a SIGTERM (emitted to
// the listeners) stops it with exit 0 and leaves no listener behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CliIo, Command } from '../src/cli/cli-io.js';
import { feedCommand } from '../src/cli/feed-command.js';
import { replicaCommand } from '../src/cli/replica-command.js';
import { serveCommand } from '../src/cli/serve-command.js';

let tmp = '';
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'spreadcore-stop-signal-')); });
afterAll(() => { rmSync(tmp, { recursive: true, force: true }); });

/** Runs `cmd` in this process until `ready` is printed; returns the SIGTERM listeners counted at that write, and a stop. */
async function runUntilReady(cmd: Command, args: string[], ready: RegExp): Promise<{ listenersAtReady: number; out: () => string; stop: () => Promise<number> }> {
  let text = '';
  let listenersAtReady = -1;
  let onReady: () => void = () => undefined;
  const isReady = new Promise<void>((r) => { onReady = r; });
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      if (listenersAtReady < 0 && ready.test(text)) { listenersAtReady = process.listenerCount('SIGTERM'); onReady(); }
      cb();
    },
  });
  const stderr = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env: { SPREADCORE_DATA_DIR: join(tmp, `data-${cmd.name}`) } };
  const run = cmd.run(args, io);
  const failed = run.then((code) => { throw new Error(`${cmd.name} ended (exit ${code}) before it was ready: ${text}`); });
  await Promise.race([isReady, failed]);
  return {
    listenersAtReady,
    out: () => text,
    stop: async () => { process.emit('SIGTERM'); return run; },
  };
}

const CASES: Array<{ name: string; cmd: Command; args: string[]; ready: RegExp }> = [
  { name: 'replica binance', cmd: replicaCommand, args: ['binance', '--port', '0', '--json'], ready: /"event":"listening"/ },
  { name: 'replica kalshi', cmd: replicaCommand, args: ['kalshi', '--port', '0', '--json'], ready: /"event":"listening"/ },
  { name: 'replica polymarket', cmd: replicaCommand, args: ['polymarket', '--port', '0', '--json', '--step-ms', '0'], ready: /"event":"listening"/ },
  { name: 'feed', cmd: feedCommand, args: ['--port', '0', '--json', '--status-every-s', '0'], ready: /"event":"listening"/ },
  { name: 'serve', cmd: serveCommand, args: ['--port', '0'], ready: /control API listening/ },
];

describe('a stop signal sent as soon as the ready line is read', () => {
  for (const c of CASES) {
    it(`${c.name}: finds the command's listener, which stops it with exit 0`, async () => {
      // serve ends its process a moment after it closed (idle keep-alive connections): not this test's process
      const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
      const before = process.listenerCount('SIGTERM');
      try {
        const r = await runUntilReady(c.cmd, c.args, c.ready);
        expect(r.listenersAtReady, r.out()).toBe(before + 1);
        expect(await r.stop(), r.out()).toBe(0);
        expect(process.listenerCount('SIGTERM')).toBe(before);
        expect(process.listenerCount('SIGINT')).toBe(0);
      } finally {
        await new Promise((res) => setTimeout(res, 600));
        exit.mockRestore();
      }
    }, 60_000);
  }
});
