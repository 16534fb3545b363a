// The command line's hints: a mistyped command, option or flag names the closest known
// one (the strategy parameters' closestName), `spreadcore help <command>` prints that
// command's usage for every command, and an unknown symbol lists the symbols there are.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { didYouMean, parseFlags } from '../src/cli/flags.js';
import { requireDist } from './support/cli-process.js';
import { ROOT, spreadcore } from './support/run-cli.js';
import { spreadcoreErrorOf } from './support/thrown.js';

const USAGE_TAIL = /\nRun "spreadcore( [a-z]+)? --help" for usage\.\n$/;

// [args after `spreadcore`, the whole first line of stderr]
const HINTS: [string[], string][] = [
  [['serv'], 'spreadcore: unknown command "serv" (did you mean "serve"?)'],
  [['bakctest'], 'spreadcore: unknown command "bakctest" (did you mean "backtest"?)'],
  [['Book'], 'spreadcore: unknown command "Book" (did you mean "book"?)'],
  [['hlep'], 'spreadcore: unknown command "hlep" (did you mean "help"?)'],
  [['frobnicate'], 'spreadcore: unknown command "frobnicate"'],
  [['help', 'swep'], 'spreadcore: unknown command "swep" (did you mean "sweep"?)'],
  [['help', 'frobnicate'], 'spreadcore: unknown command "frobnicate"'],
  [['help', 'serve', 'book'], 'spreadcore: help takes one command name, got 2 arguments'],
  [['--verison'], 'spreadcore: unknown option --verison (did you mean --version?)'],
  [['--hepl'], 'spreadcore: unknown option --hepl (did you mean --help?)'],
  [['--serve'], 'spreadcore: unknown option --serve (did you mean the command serve?)'],
  [['--frobnicate'], 'spreadcore: unknown option --frobnicate'],
  [['book', '--tick-size', '0.01', '--lot-size', '1', '--dpeth', '3'], 'spreadcore book: unknown flag --dpeth (did you mean --depth?)'],
  [['book', '--tick-size', '0.01', '--lot-size', '1', '--Depth=3'], 'spreadcore book: unknown flag --Depth (did you mean --depth?)'],
  [['book', '--tick-size', '0.01', '--lot-size', '1', '-depth', '3'], 'spreadcore book: unknown flag -depth (did you mean --depth?)'],
  [['book', '--ticksize', '0.01'], 'spreadcore book: unknown flag --ticksize (did you mean --tick-size?)'],
  [['book', '--hepl'], 'spreadcore book: unknown flag --hepl (did you mean --help?)'],
  [['book', '--tick-size', '0.01', '--lot-size', '1', '-x'], 'spreadcore book: unknown flag -x'],
  [['serve', '--symbol', 'BTCUSDT'], 'spreadcore serve: unknown flag --symbol (did you mean --symbols?)'],
  [['serve', '--prot', '8080'], 'spreadcore serve: unknown flag --prot (did you mean --port?)'],
  [['serve', '--markett', 'sim'], 'spreadcore serve: unknown flag --markett (did you mean --market?)'],
  [['backtest', '--param', 'p.json'], 'spreadcore backtest: unknown flag --param (did you mean --params?)'],
  [['sweep', '--worker', '2'], 'spreadcore sweep: unknown flag --worker (did you mean --workers?)'],
  [['simulate', '--gama', '0.1'], 'spreadcore simulate: unknown flag --gama (did you mean --gamma?)'],
  [['serve', '--frobnicate'], 'spreadcore serve: unknown flag --frobnicate'],
];

/** The command names `spreadcore --help` lists. */
async function listedCommands(): Promise<string[]> {
  const r = await spreadcore(['--help'], '');
  const block = r.stdout.split('\nCommands:\n')[1]!.split('\n\n')[0]!;
  return block.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter((n) => n !== 'help');
}

describe('did you mean', () => {
  it('closest name among the known ones, or nothing', () => {
    expect(didYouMean('prot', ['port', 'host'], (k) => `--${k}`)).toBe(' (did you mean --port?)');
    expect(didYouMean('xyz', ['port', 'host'])).toBe('');
    expect(didYouMean('SEED', ['seed', 'speed'])).toBe(' (did you mean seed?)');
  });

  it('parseFlags names the closest flag in its usage error', () => {
    const spec = { depth: { type: 'string' }, every: { type: 'boolean' } } as const;
    expect(spreadcoreErrorOf(() => parseFlags(['--evry'], spec))).toMatchObject({ code: 'SPREADCORE_ERR_BAD_FLAG', message: 'unknown flag --evry (did you mean --every?)' });
    expect(spreadcoreErrorOf(() => parseFlags(['-every'], spec))).toMatchObject({ message: 'unknown flag -every (did you mean --every?)' });
    expect(spreadcoreErrorOf(() => parseFlags(['--zzzzzz=1'], spec))).toMatchObject({ message: 'unknown flag --zzzzzz' });
  });
});

describe.concurrent('spreadcore command line hints', () => {
  beforeAll(() => requireDist());

  for (const [args, first] of HINTS) {
    it(`spreadcore ${args.join(' ')}`, async () => {
      const r = await spreadcore(args, '');
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')[0]).toBe(first);
      expect(r.stderr).toMatch(USAGE_TAIL);
    });
  }

  it('spreadcore help <command> prints the same usage as <command> --help, for every command', async () => {
    const names = await listedCommands();
    expect(names).toEqual(expect.arrayContaining(['book', 'serve', 'backtest', 'sweep', 'simulate', 'selfcheck']));
    const runs = await Promise.all(names.map((name) => Promise.all([spreadcore(['help', name], ''), spreadcore([name, '--help'], '')])));
    for (const [i, name] of names.entries()) {
      const [viaHelp, viaFlag] = runs[i]!;
      expect(viaHelp.status, name).toBe(0);
      expect(viaHelp.stderr, name).toBe('');
      expect(viaHelp.stdout, name).toMatch(new RegExp(`^Usage: spreadcore ${name}\\b`));
      expect(viaHelp.stdout, name).toBe(viaFlag.stdout);
    }
  });

  for (const args of [['help', 'help'], ['help', '--help']]) {
    it(`spreadcore ${args.join(' ')} prints the command list`, async () => {
      const r = await spreadcore(args, '');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: spreadcore <command> \[options\]/);
    });
  }
});

describe.concurrent('an unknown symbol lists the symbols there are', () => {
  let dir = '';
  beforeAll(() => {
    requireDist();
    dir = mkdtempSync(join(tmpdir(), 'spreadcore-dym-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serve --market binance --symbols with a symbol the Binance table lacks and no exchangeInfo to read (nothing is started)', async () => {
    const r = await spreadcore([
      'serve', '--market', 'binance', '--symbols', 'BTCUSDT,FOOUSDT', '--port', '0', '--data-dir', join(dir, 'data'),
      '--binance-rest-url', 'http://127.0.0.1:9', '--binance-ws-url', 'ws://127.0.0.1:9',
    ], '');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('cannot read the grids of FOOUSDT: no usable exchangeInfo from http://127.0.0.1:9/api/v3/exchangeInfo');
    expect(r.stderr).toContain('(the built-in table has BTCUSDT, ETHUSDT)');
    expect(r.stdout).not.toContain('listening');
  });

  it('backtest: a params file symbol the recording does not carry', async () => {
    const params = JSON.parse(readFileSync(join(ROOT, 'examples/backtest-btcusdt-naive.json'), 'utf8')) as { symbols: string[] };
    params.symbols = ['BTCUSDC'];
    const file = join(dir, 'params.json');
    writeFileSync(file, JSON.stringify(params));
    const r = await spreadcore(['backtest', '--data', join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz'), '--params', file], '');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/the recording carries BTCUSDT only, not BTCUSDC/);
  });
});
