// A reader that goes away (`spreadcore book --every | head -n 2`): the command
// stops quietly with exit 0, no error text, even when its input never ends.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/spreadcore.js', import.meta.url));
const ARGS = [BIN, 'book', '--tick-size', '0.01', '--lot-size', '1', '--every'];

function event(i: number): string {
  return `{"type":"set","bids":[["${(100 + (i % 50) / 100).toFixed(2)}","${1 + (i % 7)}"]],"asks":[]}\n`;
}

let dir = '';
let input = '';

beforeAll(() => {
  if (!existsSync(`${ROOT}/dist/src/cli/main.js`)) {
    throw new Error('dist/src/cli/main.js is missing: run "npm run build" first (npm test does it)');
  }
  dir = mkdtempSync(join(tmpdir(), 'spreadcore-epipe-'));
  input = join(dir, 'events.ndjson');
  // far more output than a pipe buffer holds, so the command is still writing when the reader leaves
  let s = '';
  for (let i = 0; i < 100_000; i++) s += event(i);
  writeFileSync(input, s);
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface Ended { code: number | null; signal: NodeJS.Signals | null; stderr: string; firstLine: string }

/** Reads stdout until the first full line, then closes the pipe and waits for the exit. */
function readFirstLineThenClose(child: ReturnType<typeof spawn>): Promise<Ended> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    let out = '';
    let firstLine = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0 && firstLine === '') {
        firstLine = out.slice(0, nl);
        child.stdout!.destroy();
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr, firstLine }));
  });
}

describe('spreadcore book when stdout is closed early', () => {
  it('stops quietly with exit 0 (input from a file)', async () => {
    const fd = openSync(input, 'r');
    try {
      const child = spawn(process.execPath, ARGS, { cwd: ROOT, stdio: [fd, 'pipe', 'pipe'] });
      const r = await readFirstLineThenClose(child);
      expect(r.firstLine).toBe('{"bids":[["100.00","1"]],"asks":[]}');
      expect(r.stderr).toBe('');
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('stops quietly with exit 0 while its input is still open', async () => {
    const child = spawn(process.execPath, ARGS, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let i = 0;
    let feeding = true;
    child.stdin!.on('error', () => { feeding = false; });
    child.on('close', () => { feeding = false; });
    const feed = (): void => {
      while (feeding && child.stdin!.write(event(i++)));
      if (feeding) child.stdin!.once('drain', feed);
    };
    feed();
    const r = await readFirstLineThenClose(child);
    feeding = false;
    expect(r.firstLine).toBe('{"bids":[["100.00","1"]],"asks":[]}');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
