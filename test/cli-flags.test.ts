// The spreadcore command line: help, version, and every kind of bad flag or
// command is a usage error (exit 2) with one clear message on stderr.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/spreadcore.js', import.meta.url));

interface Ran { status: number | null; stdout: string; stderr: string }

function spreadcore(args: string[], input = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.on('error', () => { /* a usage error exits before reading */ });
    child.stdin.end(input);
  });
}

const OK = ['--tick-size', '0.01', '--lot-size', '0.001'];
const EVENT = '{"type":"change","side":"bid","price":"1.00","delta":"1"}\n';

// [args after `spreadcore`, what stderr must say]
const USAGE_ERRORS: [string[], RegExp][] = [
  [['book', ...OK, '--foo'], /spreadcore book: unknown flag --foo/],
  [['book', ...OK, '-x'], /spreadcore book: unknown flag -x/],
  [['book', ...OK, '--Depth', '3'], /unknown flag --Depth/],
  [['book', '--lot-size', '1', '--tick-size'], /--tick-size needs a value/],
  [['book', '--tick-size', '--lot-size', '1'], /--tick-size needs a value/],
  [['book', '--lot-size', '1'], /--tick-size is required/],
  [['book', '--tick-size', '0.01'], /--lot-size is required/],
  [['book', '--tick-size', 'abc', '--lot-size', '1'], /--tick-size must be a positive decimal like 0\.01, got "abc"/],
  [['book', '--tick-size', '0', '--lot-size', '1'], /--tick-size must be a positive decimal.*got "0"/],
  [['book', '--tick-size', '-0.01', '--lot-size', '1'], /--tick-size must be a positive decimal.*got "-0\.01"/],
  [['book', '--tick-size', '1e-2', '--lot-size', '1'], /--tick-size must be a positive decimal.*got "1e-2"/],
  [['book', '--tick-size=', '--lot-size', '1'], /--tick-size must be a positive decimal.*got ""/],
  [['book', '--tick-size', '0.01', '--lot-size', 'NaN'], /--lot-size must be a positive decimal.*got "NaN"/],
  [['book', ...OK, '--depth', '0'], /--depth must be a whole number from 1 to 1024, got "0"/],
  [['book', ...OK, '--depth', '1025'], /--depth must be a whole number from 1 to 1024, got "1025"/],
  [['book', ...OK, '--depth', '-1'], /--depth must be a whole number.*got "-1"/],
  [['book', ...OK, '--depth', '2.5'], /--depth must be a whole number.*got "2\.5"/],
  [['book', ...OK, '--depth', 'ten'], /--depth must be a whole number.*got "ten"/],
  [['book', ...OK, '--depth'], /--depth needs a value/],
  [['book', ...OK, '--every=yes'], /--every takes no value/],
  [['book', ...OK, '--depth', '3', '--depth', '4'], /--depth given more than once/],
  [['book', ...OK, '--symbol', ''], /--symbol must not be empty/],
  [['book', ...OK, 'events.ndjson'], /unexpected argument "events\.ndjson"/],
  [['bogus'], /spreadcore: unknown command "bogus"/],
  [['--bogus'], /spreadcore: unknown option --bogus/],
  [['help', 'bogus'], /spreadcore: unknown command "bogus"/],
];

describe.concurrent('spreadcore command line', () => {
  beforeAll(() => {
    if (!existsSync(`${ROOT}/dist/src/cli/main.js`)) {
      throw new Error('dist/src/cli/main.js is missing: run "npm run build" first (npm test does it)');
    }
  });

  for (const [args, what] of USAGE_ERRORS) {
    it(`usage error: spreadcore ${args.join(' ')}`, async () => {
      const r = await spreadcore(args, EVENT);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(what);
      expect(r.stderr).toMatch(/Run "spreadcore( book)? --help" for usage\.\n$/);
      expect(r.stderr).not.toContain('    at ');
    });
  }

  it('no command: usage on stderr, exit 2', async () => {
    const r = await spreadcore([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: spreadcore <command>/);
    expect(r.stderr).toMatch(/\n {2}book +replay NDJSON book events/);
  });

  for (const args of [['--help'], ['-h'], ['help']]) {
    it(`spreadcore ${args.join(' ')} prints the command list`, async () => {
      const r = await spreadcore(args);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: spreadcore <command> \[options\]/);
      expect(r.stdout).toMatch(/\n {2}book +replay NDJSON book events/);
    });
  }

  for (const args of [['book', '--help'], ['book', '-h'], ['help', 'book'], ['book', '--tick-size', 'bad', '--help']]) {
    it(`spreadcore ${args.join(' ')} prints the book usage`, async () => {
      const r = await spreadcore(args);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: spreadcore book --tick-size <decimal> --lot-size <decimal>/);
      for (const flag of ['--tick-size', '--lot-size', '--depth', '--every', '--symbol']) expect(r.stdout).toContain(flag);
    });
  }

  it('--help after -- is not a help request', async () => {
    const r = await spreadcore(['book', ...OK, '--', '--help']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unexpected argument "--help"/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    const r = await spreadcore(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it('flags in any order and in --name=value form', async () => {
    const r = await spreadcore(['book', '--every', '--lot-size=0.001', '--depth=1', '--tick-size', '0.01'], EVENT);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"bids":[["1.00","1.000"]],"asks":[]}\n');
  });
});
