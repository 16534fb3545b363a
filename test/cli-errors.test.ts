// How failures that are not bad lines are reported: input and output errors are
// one coded line with exit 1; an unexpected internal error is one line plus a
// hint, and a stack trace only with SPREADCORE_DEBUG=1.
import { describe, it, expect } from 'vitest';
import { PassThrough, Readable, Writable } from 'node:stream';
import { run } from '../src/cli/main.js';

const ARGS = ['book', '--tick-size', '0.01', '--lot-size', '1', '--every'];
const EVENT = '{"type":"change","side":"bid","price":"1.00","delta":"1"}\n';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let s = '';
  stream.setEncoding('utf8').on('data', (c: string) => { s += c; });
  return { stream, text: () => s };
}

describe('spreadcore error reporting', () => {
  it('an input stream that fails', async () => {
    const stdin = new Readable({
      read() {
        this.push(EVENT);
        this.destroy(new Error('EIO: i/o error, read'));
      },
    });
    const out = capture();
    const err = capture();
    const code = await run(ARGS, { stdin, stdout: out.stream, stderr: err.stream, env: {} });
    expect(code).toBe(1);
    expect(err.text()).toBe('spreadcore book: cannot read input: EIO: i/o error, read (SPREADCORE_ERR_IO)\n');
  });

  it('an output stream that fails', async () => {
    const stdout = new Writable({ write(_chunk, _enc, cb) { cb(new Error('ENOSPC: no space left on device')); } });
    const err = capture();
    const code = await run(ARGS, { stdin: Readable.from([Buffer.from(EVENT)]), stdout, stderr: err.stream, env: {} });
    expect(code).toBe(1);
    expect(err.text()).toBe('spreadcore book: cannot write output: ENOSPC: no space left on device (SPREADCORE_ERR_IO)\n');
  });

  for (const debug of [false, true]) {
    it(`an internal error${debug ? ' with SPREADCORE_DEBUG=1' : ''}`, async () => {
      const stdout = new Writable({ write(_chunk, _enc, cb) { cb(); } });
      stdout.write = (): boolean => { throw new TypeError('something impossible happened'); };
      const err = capture();
      const env = debug ? { SPREADCORE_DEBUG: '1' } : {};
      const code = await run(ARGS, { stdin: Readable.from([Buffer.from(EVENT)]), stdout, stderr: err.stream, env });
      expect(code).toBe(1);
      const lines = err.text().split('\n');
      expect(lines[0]).toBe('spreadcore book: internal error: something impossible happened (set SPREADCORE_DEBUG=1 for details)');
      if (debug) expect(err.text()).toContain('    at ');
      else expect(err.text()).not.toContain('    at ');
    });
  }
});
