// `spreadcore book` on good input: exact output for sequences of events.
// The table runs in-process through the CLI entry (run) on real streams and the
// real WASM book; a few cases also go through the compiled command.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../src/cli/main.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/spreadcore.js', import.meta.url));

/** Feeds input in small chunks so lines are split across reads. */
async function runBook(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const bytes = Buffer.from(input, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
  const stdin = Readable.from(chunks);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
  stderr.setEncoding('utf8').on('data', (c: string) => { err += c; });
  const code = await run(['book', ...args], { stdin, stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

const ev = (o: unknown): string => JSON.stringify(o);
const snap = (bids: string[][], asks: string[][]): string => ev({ type: 'snapshot', bids, asks });
const set = (bids: string[][], asks: string[][]): string => ev({ type: 'set', bids, asks });
const chg = (side: string, price: string, delta: string): string => ev({ type: 'change', side, price, delta });
const book = (bids: string[][], asks: string[][]): string => ev({ bids, asks });

interface Case { name: string; args: string[]; lines: string[]; out: string[] }
const T = ['--tick-size', '0.01', '--lot-size', '0.001'];

const CASES: Case[] = [
  {
    name: 'snapshot, then set, then change',
    args: T,
    lines: [
      snap([['100.00', '1'], ['99.99', '2']], [['100.01', '3'], ['100.02', '4']]),
      set([['99.98', '5']], [['100.01', '3.5']]),
      chg('bid', '100.00', '-0.25'),
    ],
    out: [book([['100.00', '0.750'], ['99.99', '2.000'], ['99.98', '5.000']], [['100.01', '3.500'], ['100.02', '4.000']])],
  },
  {
    name: 'set with "0" removes a level',
    args: T,
    lines: [snap([['100.00', '1'], ['99.99', '2']], [['100.01', '3']]), set([['100.00', '0']], [['100.01', '0.000']])],
    out: [book([['99.99', '2.000']], [])],
  },
  {
    name: 'set with "0" for a level that is not there changes nothing',
    args: T,
    lines: [snap([['99.99', '2']], [['100.01', '3']]), set([['50.00', '0']], [['150.00', '0']])],
    out: [book([['99.99', '2.000']], [['100.01', '3.000']])],
  },
  {
    name: 'a change to exactly zero removes the level',
    args: T,
    lines: [snap([['100.00', '1'], ['99.99', '2']], [['100.01', '3']]), chg('bid', '100.00', '-1'), chg('ask', '100.01', '-3.000')],
    out: [book([['99.99', '2.000']], [])],
  },
  {
    name: 'a change creates a level, "+" deltas allowed',
    args: T,
    lines: [chg('ask', '100.05', '+2'), chg('ask', '100.05', '0.5'), chg('bid', '100.00', '1')],
    out: [book([['100.00', '1.000']], [['100.05', '2.500']])],
  },
  {
    name: 'snapshot replaces the whole book',
    args: T,
    lines: [snap([['100.00', '1'], ['99.99', '2']], [['100.01', '3']]), snap([['98.00', '7']], [])],
    out: [book([['98.00', '7.000']], [])],
  },
  {
    name: '--depth limits the levels per side',
    args: [...T, '--depth', '2'],
    lines: [snap([['99.97', '1'], ['100.00', '1'], ['99.98', '1'], ['99.99', '1']], [['100.04', '1'], ['100.01', '1'], ['100.03', '1']])],
    out: [book([['100.00', '1.000'], ['99.99', '1.000']], [['100.01', '1.000'], ['100.03', '1.000']])],
  },
  {
    name: '--every prints one line per event and none for blank lines',
    args: [...T, '--every', '--depth', '1'],
    lines: [snap([['100.00', '1']], [['100.02', '1']]), '', '   ', chg('ask', '100.01', '2'), set([['100.00', '0']], [])],
    out: [
      book([['100.00', '1.000']], [['100.02', '1.000']]),
      book([['100.00', '1.000']], [['100.01', '2.000']]),
      book([], [['100.01', '2.000']]),
    ],
  },
  {
    name: 'prices and quantities with extra decimals print on the grid',
    args: T,
    lines: [snap([['61234.56000000', '0.50000000']], [['61234.57000000', '12.00000000']]), chg('bid', '61234.5600', '0.0010')],
    out: [book([['61234.56', '0.501']], [['61234.57', '12.000']])],
  },
  {
    name: 'a market that moves far away keeps every level',
    args: [...T, '--every'],
    lines: [
      snap([['100.00', '1'], ['99.99', '2']], [['100.01', '3'], ['100.02', '4']]),
      set([['89999.99', '5'], ['89999.98', '6']], [['90000.01', '7'], ['90000.02', '8']]),
      set([['100.00', '0'], ['99.99', '0']], [['100.01', '0'], ['100.02', '0']]),
      chg('bid', '50.00', '9'),
      snap([['100.00', '1']], [['200000.00', '1']]),
      chg('ask', '100.01', '2'),
    ],
    out: [
      book([['100.00', '1.000'], ['99.99', '2.000']], [['100.01', '3.000'], ['100.02', '4.000']]),
      book([['89999.99', '5.000'], ['89999.98', '6.000'], ['100.00', '1.000'], ['99.99', '2.000']],
        [['100.01', '3.000'], ['100.02', '4.000'], ['90000.01', '7.000'], ['90000.02', '8.000']]),
      book([['89999.99', '5.000'], ['89999.98', '6.000']], [['90000.01', '7.000'], ['90000.02', '8.000']]),
      book([['89999.99', '5.000'], ['89999.98', '6.000'], ['50.00', '9.000']], [['90000.01', '7.000'], ['90000.02', '8.000']]),
      book([['100.00', '1.000']], [['200000.00', '1.000']]),
      book([['100.00', '1.000']], [['100.01', '2.000'], ['200000.00', '1.000']]),
    ],
  },
  {
    name: 'a coarse tick and a whole-number lot',
    args: ['--tick-size', '0.5', '--lot-size', '1'],
    lines: [snap([['100', '3'], ['99.5', '2']], [['101.0', '10']])],
    out: [book([['100.0', '3'], ['99.5', '2']], [['101.0', '10']])],
  },
  {
    name: 'negative prices',
    args: T,
    lines: [snap([['-37.63', '1']], [['-37.00', '2'], ['0.01', '1']])],
    out: [book([['-37.63', '1.000']], [['-37.00', '2.000'], ['0.01', '1.000']])],
  },
  {
    name: '--symbol labels every line',
    args: [...T, '--symbol', 'BTCUSDT', '--every'],
    lines: [chg('bid', '1.00', '1'), chg('ask', '2.00', '1')],
    out: [
      ev({ symbol: 'BTCUSDT', bids: [['1.00', '1.000']], asks: [] }),
      ev({ symbol: 'BTCUSDT', bids: [['1.00', '1.000']], asks: [['2.00', '1.000']] }),
    ],
  },
  {
    name: 'no events: an empty book at the end',
    args: T,
    lines: [],
    out: [book([], [])],
  },
  {
    name: 'no events with --every: nothing',
    args: [...T, '--every'],
    lines: ['', ''],
    out: [],
  },
];

describe('spreadcore book output', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const r = await runBook(c.args, c.lines.map((l) => `${l}\n`).join(''));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(c.out.map((l) => `${l}\n`).join(''));
    });
  }

  it('CRLF line endings, a byte order mark and a last line without newline', async () => {
    const input = `\ufeff${snap([['1.00', '1']], [])}\r\n\r\n${chg('ask', '1.01', '2')}`;
    const r = await runBook([...T, '--every'], input);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${book([['1.00', '1.000']], [])}\n${book([['1.00', '1.000']], [['1.01', '2.000']])}\n`);
  });

  it('--depth 1024 prints 1024 levels per side out of more', async () => {
    const bids: string[][] = [];
    const asks: string[][] = [];
    for (let i = 0; i < 1500; i++) {
      bids.push([(10000 - i).toFixed(2), '1']);
      asks.push([(10001 + i).toFixed(2), '2']);
    }
    const r = await runBook([...T, '--depth', '1024'], `${snap(bids, asks)}\n`);
    expect(r.code).toBe(0);
    const got = JSON.parse(r.stdout) as { bids: string[][]; asks: string[][] };
    expect(got.bids).toEqual(bids.slice(0, 1024).map(([p]) => [p, '1.000']));
    expect(got.asks).toEqual(asks.slice(0, 1024).map(([p]) => [p, '2.000']));
  });

  it('runs one after another in the same process without sharing a book', async () => {
    const a = await runBook(T, `${snap([['1.00', '1']], [])}\n`);
    const b = await runBook(T, `${chg('ask', '2.00', '1')}\n`);
    expect(a.stdout).toBe(`${book([['1.00', '1.000']], [])}\n`);
    expect(b.stdout).toBe(`${book([], [['2.00', '1.000']])}\n`);
  });
});

describe('the compiled spreadcore book command', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/src/cli/main.js`)) {
      throw new Error('dist/src/cli/main.js is missing: run "npm run build" first (npm test does it)');
    }
  });

  for (const c of CASES.filter((x) => x.name.startsWith('a market') || x.name.startsWith('prices') || x.name.startsWith('snapshot, then'))) {
    it(`matches the in-process result: ${c.name}`, () => {
      const r = spawnSync(process.execPath, [BIN, 'book', ...c.args], {
        input: c.lines.map((l) => `${l}\n`).join(''), encoding: 'utf8', cwd: ROOT,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(c.out.map((l) => `${l}\n`).join(''));
    });
  }
});
