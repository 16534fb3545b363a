// A gzip recording that expands far past what a string (or memory) holds — a gzip
// bomb made here by streaming a long run of one character through zlib, so this test
// never holds it — is refused with a coded error naming the limit, never "internal
// error: Cannot create a string longer than…": the streaming readers (replay) stop at
// the longest line a recording may have; the in-memory path (backtest) stops inflating
// at the most a recording read into memory may expand to.
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBinanceRecordingFile } from '../src/feed/binance/read-binance-recording.js';
import {
  inflateRecording, MAX_IN_MEMORY_RECORDING_BYTES, MAX_RECORDING_LINE_BYTES, readRecordingBuffer, readRecordingFile,
} from '../src/feed/recording/read-recording.js';
import { ROOT } from './support/run-cli.js';
import { requireDist, runCli } from './support/cli-process.js';

/** What fn throws (or rejects with); fails when it does not. */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

let tmp = '';
let bomb = '';
let bombLines = '';
const MiB = 1024 * 1024;

/** Streams `total` bytes made of `piece` repeated through gzip into a file; memory stays at one piece. */
async function gzipFile(path: string, piece: Buffer, total: number): Promise<void> {
  const gz = createGzip({ level: 9 });
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => { out.on('finish', resolve); out.on('error', reject); gz.on('error', reject); });
  gz.pipe(out);
  for (let written = 0; written < total; written += piece.length) {
    if (!gz.write(piece)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
}

beforeAll(async () => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-gzip-bomb-'));
  // 600 MiB of "a" without a newline: past V8's longest string (~512 MiB) and the in-memory limit
  bomb = join(tmp, 'bomb.gz');
  await gzipFile(bomb, Buffer.alloc(MiB, 'a'), 600 * MiB);
  // 600 MiB of short lines: every line fine, the whole too large to read into memory
  bombLines = join(tmp, 'bomb-lines.gz');
  const line = '1723100000000000000 {}\n';
  await gzipFile(bombLines, Buffer.from(line.repeat(Math.floor(MiB / line.length))), 600 * MiB);
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('gzip bombs', () => {
  it('streaming: one line past the line limit is refused as soon as that much is read', async () => {
    const e = await thrown(async () => { for await (const _ of readRecordingFile(bomb)) { /* nothing */ } });
    expect(e).toMatchObject({ code: 'SPREADCORE_ERR_BAD_RECORDING' });
    expect((e as Error).message).toContain(`recording line 1 is longer than ${MAX_RECORDING_LINE_BYTES / MiB} MiB`);
    const e2 = await thrown(async () => { for await (const _ of readBinanceRecordingFile(bomb)) { /* nothing */ } });
    expect(e2).toMatchObject({ code: 'SPREADCORE_ERR_BAD_RECORDING' });
  }, 60_000);

  it('in memory: inflating stops at the limit with a coded error; a long line under it is refused too', async () => {
    // a small bomb (64 MiB expanded) against a 32 MiB limit: the limit is named
    const small = gzipSync(Buffer.alloc(64 * MiB, 'a'));
    const e = await thrown(() => inflateRecording(small, 32 * MiB));
    expect(e).toMatchObject({ code: 'SPREADCORE_ERR_BAD_RECORDING' });
    expect((e as Error).message).toContain('expands to more than 32 MiB');
    // under the in-memory limit, the one 64 MiB line is past the line limit
    const e2 = await thrown(() => [...readRecordingBuffer(small)]);
    expect(e2).toMatchObject({ code: 'SPREADCORE_ERR_BAD_RECORDING' });
    expect((e2 as Error).message).toContain('recording line 1 is longer than 16 MiB');
    expect(MAX_IN_MEMORY_RECORDING_BYTES).toBe(512 * MiB);
  }, 60_000);

  it('lines are still read across chunks, CRLF and multi-byte UTF-8 included', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${1723100000000000000n + BigInt(i)} {"s":"BTCUSDT","n":${i},"x":"${'é€'.repeat(i % 50)}"}`);
    const path = join(tmp, 'ok.gz');
    writeFileSync(path, gzipSync(`${lines.join('\r\n')}\n\n${lines[0]}`));
    const items: { lineNo: number; value?: unknown }[] = [];
    for await (const it of readRecordingFile(path)) items.push(it as never);
    expect(items.length).toBe(3001);
    expect(items[2999]).toMatchObject({ kind: 'line', lineNo: 3000, value: { n: 2999 } });
    expect(items[3000]).toMatchObject({ lineNo: 3002, value: { n: 0 } });
    const fromBuffer = [...readRecordingBuffer(gzipSync(`${lines.join('\r\n')}\n\n${lines[0]}`))];
    expect(fromBuffer).toEqual(items);
  });

  it('the CLI: replay and backtest exit 1 with the coded error and the limit, not an internal error', async () => {
    const replay = await runCli(['replay', '--source', `binance:${bomb}`], {}, 120_000);
    expect(replay.code, replay.out).toBe(1);
    expect(replay.out).toContain('SPREADCORE_ERR_BAD_RECORDING');
    expect(replay.out).toContain('is longer than 16 MiB');
    expect(replay.out).not.toMatch(/internal error|Cannot create a string/);

    const params = join(ROOT, 'examples', 'backtest-btcusdt.json');
    for (const data of [bomb, bombLines]) {
      const bt = await runCli(['backtest', '--data', data, '--params', params, '--json'], {}, 120_000);
      expect(bt.code, bt.out).toBe(1);
      expect(bt.out).toContain('SPREADCORE_ERR_BAD_RECORDING');
      expect(bt.out).toContain('expands to more than 512 MiB');
      expect(bt.out).not.toMatch(/internal error|Cannot create a string/);
    }
  }, 240_000);
});
