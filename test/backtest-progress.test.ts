// The backtest command's progress bar: drawn on stderr when it is a terminal
// (events done of the total, events/s, ETA, ending at 100%), absent otherwise; the
// result on stdout is the same either way.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { backtestCommand } from '../src/cli/backtest-command.js';
import type { CliIo } from '../src/cli/cli-io.js';
import { ROOT } from './support/run-cli.js';

function capture(isTTY: boolean): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => { text += c.toString('utf8'); });
  if (isTTY) Object.assign(stream, { isTTY: true, columns: 120 });
  return { stream, text: () => text };
}

async function run(tty: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture(false);
  const err = capture(tty);
  const io: CliIo = { stdin: new PassThrough(), stdout: out.stream, stderr: err.stream, env: {} };
  const code = await backtestCommand.run([
    '--data', join(ROOT, 'test/fixtures/binance/spot_ethusdt_20240808.gz'),
    '--params', join(ROOT, 'examples/backtest-ethusdt.json'),
    '--json',
  ], io);
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('backtest progress bar', () => {
  it('draws on a terminal and stays quiet otherwise', async () => {
    const tty = await run(true);
    const pipe = await run(false);
    expect(tty.code).toBe(0);
    expect(pipe.code).toBe(0);
    expect(pipe.stderr).toBe('');
    expect(tty.stdout).toBe(pipe.stdout);
    const frames = tty.stderr.split('\r').filter((l) => l.length > 0);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toMatch(/^backtest \[-+\] 0\.0% 0\/[\d.]+k events/);
    const last = frames[frames.length - 1]!;
    expect(last).toMatch(/^backtest \[#+\] 100% ([\d.]+k)\/\1 events +[\d.]+k? events\/s +ETA 0s/);
    expect(tty.stderr.endsWith('\n')).toBe(true);
  });
});
