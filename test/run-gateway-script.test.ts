// Seed 000 Step 2: `./scripts/run_gateway.sh dev` starts the gateway (spreadcore serve,
// paper execution on the built-in market), prints where it listens, answers
// /api/health, and stops on SIGTERM to its pid (the script execs the server).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, requireDist } from './support/cli-process.js';
import { ROOT } from './support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spreadcore-run-gateway-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('scripts/run_gateway.sh', () => {
  it('dev: paper on the built-in market, "Gateway listening on URL", /api/health answers, SIGTERM stops it', async () => {
    requireDist();
    const env = cleanEnv({ SPREADCORE_PORT: '0', SPREADCORE_FEED_PORT: '0', SPREADCORE_DATA_DIR: tmp, SPREADCORE_UNIVERSE: '0' });
    delete env['VELOZ_EXECUTION_MODE'];
    const child = spawn(join(ROOT, 'scripts/run_gateway.sh'), ['dev'], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "Gateway listening on" line: ${out}`)), 30_000);
        const check = (): void => {
          const m = /^Gateway listening on (http:\/\/\S+)$/m.exec(out);
          if (m !== null) { clearTimeout(timer); resolve(m[1]!); }
        };
        child.stdout.on('data', (b: Buffer) => { out += b.toString(); check(); });
        child.stderr.on('data', (b: Buffer) => { out += b.toString(); check(); });
        child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited (${code}): ${out}`)); });
      });
      expect(out).toMatch(/^Starting spreadcore gateway \(dev\)\.\.\.$/m);
      expect(out).toMatch(/^Execution: paper, on the built-in simulated market$/m);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) })).json();
      expect(health).toMatchObject({ ok: true, market: 'sim', execution: { mode: 'paper' } });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toMatch(/closing/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses an unknown mode', async () => {
    const child = spawn(join(ROOT, 'scripts/run_gateway.sh'), ['prod'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
    expect(err).toMatch(/unknown mode "prod"/);
  });
});
