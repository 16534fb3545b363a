// A port in use is exit 1 for every listener the CLI opens (docs/api.md, docs/cli.md):
// uWS would otherwise bind with SO_REUSEPORT and a second process would share the
// port with the first. Real processes: a second `serve --port P`, a `serve
// --feed-port F` whose F is taken, and a second `feed --port P` each exit 1 with a
// message naming the listener and the port; the first process keeps answering alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, runCli, startCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';

let tmp = '';
beforeAll(() => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-port-taken-'));
});
afterAll(() => {
  stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

async function health(base: string): Promise<{ status: number; uptimeOrigin: number }> {
  const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) });
  const j = await r.json() as { uptime_seconds: number };
  return { status: r.status, uptimeOrigin: Math.round(Date.now() / 1000) - j.uptime_seconds };
}

describe('a port in use is exit 1', () => {
  it('serve: a second serve on the API port, and a serve whose --feed-port is taken, exit 1; the first keeps serving', async () => {
    const port = await freePort();
    const feedPort = await freePort();
    const first = await startCli(['serve', '--port', String(port), '--feed-port', String(feedPort), '--data-dir', join(tmp, 'a')],
      /control API listening on (http:\/\/127\.0\.0\.1:\d+)\/api/);
    const base = first.match[1]!;
    expect((await health(base)).status).toBe(200);

    const second = await runCli(['serve', '--port', String(port), '--data-dir', join(tmp, 'b')]);
    expect(second.code, second.out).toBe(1);
    expect(second.out).toContain(`the control API could not listen on 127.0.0.1:${port}: the port is in use`);
    expect(second.out).toContain('SPREADCORE_ERR_LISTEN');

    const third = await runCli(['serve', '--port', '0', '--feed-port', String(feedPort), '--data-dir', join(tmp, 'c')]);
    expect(third.code, third.out).toBe(1);
    expect(third.out).toContain(`the feed handler could not listen on 127.0.0.1:${feedPort}: the port is in use`);

    // every answer comes from the first process (with a shared port some would come from another engine)
    for (let i = 0; i < 20; i++) expect((await health(base)).status).toBe(200);
    const feedStats = await fetch(`http://127.0.0.1:${feedPort}/feed/stats`, { signal: AbortSignal.timeout(5000) });
    expect(feedStats.status).toBe(200);
    expect(first.child.exitCode).toBe(null);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 60_000);

  it('feed: a second feed handler on the same port exits 1; the first keeps serving', async () => {
    const port = await freePort();
    const first = await startCli(['feed', '--port', String(port), '--status-every-s', '0'], /feed handler listening on ws:\/\/127\.0\.0\.1:\d+\/feed/);
    const second = await runCli(['feed', '--port', String(port), '--status-every-s', '0']);
    expect(second.code, second.out).toBe(1);
    expect(second.out).toContain(`the feed handler could not listen on 127.0.0.1:${port}: the port is in use`);
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/feed/stats`, { signal: AbortSignal.timeout(5000) });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
    expect(first.child.exitCode).toBe(null);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 30_000);
});
