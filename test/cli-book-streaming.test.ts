// `spreadcore book --every` works line by line: each event's book is printed
// before the next event has even been written, so input of any length streams.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/spreadcore.js', import.meta.url));

describe('spreadcore book streaming', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/src/cli/main.js`)) {
      throw new Error('dist/src/cli/main.js is missing: run "npm run build" first (npm test does it)');
    }
  });

  it('answers each line before the next one arrives', async () => {
    const child = spawn(process.execPath, [BIN, 'book', '--tick-size', '0.01', '--lot-size', '1', '--every', '--depth', '1'],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    // lines arrive on stdout one at a time; waiters are resolved in order
    let pending = '';
    const ready: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      pending += c;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const w = waiters.shift();
        if (w !== undefined) w(line); else ready.push(line);
      }
    });
    const nextLine = (): Promise<string> => {
      const l = ready.shift();
      return l !== undefined ? Promise.resolve(l) : new Promise((resolve) => waiters.push(resolve));
    };

    const got: string[] = [];
    for (let i = 1; i <= 5; i++) {
      child.stdin.write(`{"type":"change","side":"bid","price":"${i}.00","delta":"${i}"}\n`);
      got.push(await nextLine());
    }
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(got).toEqual([1, 2, 3, 4, 5].map((i) => `{"bids":[["${i}.00","${i}"]],"asks":[]}`));
  });
});
