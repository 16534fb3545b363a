import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  readRecordingBuffer, readRecordingFile, parseRecordingLine, isGzip, type RecordingItem,
} from '../src/feed/recording/index.js';

const SPOT_BTC = fileURLToPath(new URL('./fixtures/binance/spot_btcusdt_20240808.gz', import.meta.url));

async function collect(gen: AsyncGenerator<RecordingItem>): Promise<RecordingItem[]> {
  const out: RecordingItem[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe('recording reader', () => {
  let dir = '';
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'spreadcore-rec-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  it('streams the gzip fixture exactly like the in-memory reader, timestamps exact', async () => {
    const bytes = readFileSync(SPOT_BTC);
    expect(isGzip(bytes)).toBe(true);
    const mem = [...readRecordingBuffer(bytes)];
    const streamed = await collect(readRecordingFile(SPOT_BTC));
    expect(mem).toHaveLength(41_249);
    expect(streamed).toHaveLength(41_249);
    expect(streamed.every((x) => x.kind === 'line')).toBe(true);
    for (let i = 0; i < mem.length; i += 997) expect(streamed[i]).toEqual(mem[i]);
    expect(streamed[streamed.length - 1]).toEqual(mem[mem.length - 1]);
    const first = mem[0]!;
    if (first.kind !== 'line') throw new Error('first line is a fault');
    expect(first.lineNo).toBe(1);
    expect(first.tsNs).toBe(1723161253937085768n); // above 2^53: kept exact
    expect(first.json.startsWith('{"stream":"btcusdt@depth@100ms"')).toBe(true);
    expect((first.value as { data: { U: number } }).data.U).toBe(50093239189);
  });

  it('reads plain text and gzip the same way (detected by magic bytes, not the name)', async () => {
    const text = gunzipSync(readFileSync(SPOT_BTC)).toString('utf8').split('\n').slice(0, 300).join('\n');
    const plain = join(dir, 'sample.gz'); // misleading name on purpose
    const gz = join(dir, 'sample.txt');
    writeFileSync(plain, text);
    writeFileSync(gz, gzipSync(text));
    const a = await collect(readRecordingFile(plain));
    const b = await collect(readRecordingFile(gz));
    expect(a).toHaveLength(300);
    expect(b).toEqual(a);
    expect([...readRecordingBuffer(Buffer.from(text))]).toEqual(a);
  });

  it('reports malformed lines as coded faults with their line numbers and carries on', async () => {
    const lines = [
      '1000 {"a":1}',
      'no-space-here',
      '12a4 {"a":2}',
      ' {"a":3}',
      '',
      '1005 {"a":',
      '1006 {"a":6}\r',
      '123456789012345678901 {"a":7}',
      '1008 {"a":8}',
    ];
    const path = join(dir, 'bad.rec');
    writeFileSync(path, lines.join('\n'));
    const items = await collect(readRecordingFile(path));
    const summary = items.map((x) => (x.kind === 'line'
      ? `${x.lineNo} ok ${x.tsNs} ${JSON.stringify(x.value)}`
      : `${x.lineNo} ${x.error.code} ${x.error.message}`));
    expect(summary).toEqual([
      '1 ok 1000 {"a":1}',
      '2 SPREADCORE_ERR_BAD_INPUT recording line 2: expected "<ts_ns> <json>" but the line has no space: "no-space-here"',
      '3 SPREADCORE_ERR_BAD_INPUT recording line 3: timestamp must be decimal digits (nanoseconds): "12a4 {\\"a\\":2}"',
      '4 SPREADCORE_ERR_BAD_INPUT recording line 4: missing timestamp before the space: " {\\"a\\":3}"',
      expect.stringMatching(/^6 SPREADCORE_ERR_BAD_INPUT recording line 6: bad JSON \(.+\): "1005 \{\\"a\\":"$/),
      '7 ok 1006 {"a":6}',
      '8 SPREADCORE_ERR_BAD_INPUT recording line 8: timestamp longer than 20 digits: "123456789012345678901 {\\"a\\":7}"',
      '9 ok 1008 {"a":8}',
    ]);
    expect([...readRecordingBuffer(Buffer.from(lines.join('\n')))]).toEqual(items);
  });

  it('parseRecordingLine throws the coded error; without JSON parsing the payload is kept as text', () => {
    expect(() => parseRecordingLine('abc', 42)).toThrowError(
      expect.objectContaining({ code: 'SPREADCORE_ERR_BAD_INPUT', message: 'recording line 42: expected "<ts_ns> <json>" but the line has no space: "abc"' }));
    const l = parseRecordingLine('17 {not json', 3, false);
    expect(l).toEqual({ kind: 'line', lineNo: 3, tsNs: 17n, json: '{not json', value: undefined });
  });
});
