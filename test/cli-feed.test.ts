// `spreadcore feed` runs the feed handler on its own; `spreadcore publish` feeds it
// from another process; SIGTERM stops it with a summary.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'spreadcore.js');

describe('spreadcore feed', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  });

  it('takes frames from spreadcore publish and stops cleanly on SIGTERM', async () => {
    const feed = spawn(process.execPath, [BIN, 'feed', '--port', '0', '--json', '--status-every-s', '0'], { cwd: ROOT });
    const lines: Record<string, unknown>[] = [];
    const rl = createInterface({ input: feed.stdout });
    const firstLine = new Promise<Record<string, unknown>>((resolve) => rl.once('line', (l) => resolve(JSON.parse(l))));
    rl.on('line', (l) => lines.push(JSON.parse(l)));
    const exited = new Promise<number | null>((resolve) => feed.on('exit', (code) => resolve(code)));
    try {
      const listening = await firstLine;
      expect(listening.event).toBe('listening');
      const url = String(listening.url);
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/feed$/);
      const pub = spawnSync(process.execPath, [BIN, 'publish', '--source', 'sim', '--seed', '7', '--duration-s', '5', '--speed', 'max', '--url', url],
        { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(pub.stderr).toBe('');
      expect(pub.status).toBe(0);
    } finally {
      feed.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const stopped = lines.find((l) => l.event === 'stopped') as { totals: { frames: number; decodeErrors: number; internalErrors: number }; symbols: { state: string; counters: { gaps: number } }[] };
    expect(stopped).toBeDefined();
    expect(stopped.totals.frames).toBeGreaterThan(100);
    expect(stopped.totals.decodeErrors).toBe(0);
    expect(stopped.totals.internalErrors).toBe(0);
    expect(stopped.symbols.length).toBeGreaterThanOrEqual(3);
    for (const s of stopped.symbols) {
      expect(s.state).toBe('live');
      expect(s.counters.gaps).toBe(0);
    }
  });

  it.each([
    [['--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['--status-every-s', '-1'], /--status-every-s must be an integer/],
    [['--host', '0.0.0.0'], /token/i],
    [['--bogus'], /unknown flag --bogus/],
  ])('%j is refused with a clear message', (args, message) => {
    const r = spawnSync(process.execPath, [BIN, 'feed', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 10_000, env: { ...process.env, SPREADCORE_FEED_TOKEN: '' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('    at ');
  });
});
