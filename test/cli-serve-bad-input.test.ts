// `spreadcore serve` refuses bad values before it opens or binds anything: exit 2,
// one clear line naming the flag (or the environment variable) and the bad value,
// the data directory not created, the port still free. Token values never appear
// in the message. A port already taken is a runtime failure (exit 1), not a usage
// error.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './support/run-cli.js';

let tmp = '';
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-serve-bad-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SPREADCORE_')) env[k] = v;
  return { ...env, ...extra };
}

function serve(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    // a serve that started by mistake would run forever: stop it, the test then fails on the status
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (status) => { clearTimeout(t); resolve({ status, stdout, stderr }); });
  });
}

const CANARY = 'CANARYtoken-do-not-print-9f8e7d6c';

interface Case { name: string; args?: string[]; env?: Record<string, string>; message: RegExp; absent?: RegExp }
const CASES: Case[] = [
  { name: 'unknown market', args: ['--market', 'foo'], message: /--market must be sim, replay:FILE, binance .* got "foo"/ },
  { name: 'replay without a file', args: ['--market', 'replay:'], message: /--market replay: needs a file/ },
  { name: 'replay of a missing file', args: ['--market', 'replay:/nonexistent/rec.gz'], message: /--market replay:\/nonexistent\/rec\.gz: cannot read \/nonexistent\/rec\.gz: no such file/ },
  { name: 'replay of a file that is not a recording', args: ['--market', 'replay:package.json'], message: /--market replay:package\.json: .*not a Binance recording/ },
  { name: 'replay of a directory', args: ['--market', 'replay:test'], message: /it is a directory/ },
  { name: 'port out of range', args: ['--port', '70000'], message: /--port must be an integer from 0 to 65535, got "70000"/ },
  { name: 'negative port', args: ['--port=-1'], message: /--port must be an integer from 0 to 65535, got "-1"/ },
  { name: 'feed port garbage', args: ['--feed-port', '80a'], message: /--feed-port must be an integer from 0 to 65535, got "80a"/ },
  { name: 'grid re-read interval 0', args: ['--grid-reread-s', '0'], message: /--grid-reread-s must be an integer from 1 to 3600, got "0"/ },
  { name: 'grid re-read interval from the environment', env: { SPREADCORE_GRID_REREAD_S: '1.5' }, message: /environment variable SPREADCORE_GRID_REREAD_S: --grid-reread-s must be an integer from 1 to 3600, got "1.5"/ },
  { name: 'feed market without a feed port', args: ['--market', 'feed', '--feed-port', '0'], message: /--feed-port must not be 0/ },
  { name: 'same port twice', args: ['--port', '18080', '--feed-port', '18080'], message: /--feed-port and --port are both 18080/ },
  { name: 'speed outside replay', args: ['--speed', '2'], message: /--speed applies to --market replay:FILE only/ },
  { name: 'bad speed', args: ['--market', 'replay:test/fixtures/binance/spot_btcusdt_20240808.gz', '--speed', 'fast'], message: /--speed must be a positive number .* got "fast"/ },
  { name: 'symbols outside binance', args: ['--symbols', 'BTCUSDT'], message: /--symbols applies to --market binance only/ },
  { name: 'bad symbols', args: ['--market', 'binance', '--symbols', 'btc usdt'], message: /--symbols must be a comma-separated list/ },
  // a bad URL names the flag the user typed and what it takes, never an internal option name
  { name: 'Binance WebSocket URL not a URL', args: ['--market', 'binance', '--binance-ws-url', 'foo'], message: /--binance-ws-url must be a URL starting with ws:\/\/ or wss:\/\/, such as .*, got "foo"/, absent: /wsUrl/ },
  { name: 'Binance WebSocket URL of another scheme', args: ['--market', 'binance:usdm', '--binance-ws-url', 'ftp://example.com'], message: /--binance-ws-url must be a URL starting with ws:\/\/ or wss:\/\/, such as .*, got "ftp:\/\/example\.com"/, absent: /wsUrl/ },
  { name: 'Binance WebSocket URL with a query', args: ['--market', 'binance', '--binance-ws-url', 'wss://x/stream?streams=a'], message: /--binance-ws-url must be a base URL without query or fragment/, absent: /wsUrl/ },
  { name: 'Binance REST URL of another scheme', args: ['--market', 'binance', '--binance-rest-url', 'ws://127.0.0.1:1'], message: /--binance-rest-url must be a URL starting with http:\/\/ or https:\/\/, such as .*, got "ws:\/\/127\.0\.0\.1:1"/, absent: /restUrl/ },
  { name: 'Binance WebSocket API URL of another scheme', args: ['--execution', 'binance-usdm-testnet', '--binance-ws-api-url', 'http://127.0.0.1:1'], message: /--binance-ws-api-url must be a URL starting with ws:\/\/ or wss:\/\//, absent: /wsApiUrl/ },
  { name: 'env: Binance WebSocket URL not a URL', env: { SPREADCORE_MARKET: 'binance', SPREADCORE_BINANCE_WS_URL: 'foo' }, message: /environment variable SPREADCORE_BINANCE_WS_URL: --binance-ws-url must be a URL starting with ws:\/\//, absent: /wsUrl/ },
  // a password in a URL is refused and not repeated, whatever else is wrong with the URL
  { name: 'Binance WebSocket URL with a password', args: ['--market', 'binance', '--binance-ws-url', 'ftp://trader:s3cret-pw@example.com'], message: /--binance-ws-url must not carry a user name or password/, absent: /s3cret-pw/ },
  { name: 'Binance REST URL with a password', args: ['--market', 'binance', '--binance-rest-url', 'http://trader:s3cret-pw@127.0.0.1:1'], message: /--binance-rest-url must not carry a user name or password/, absent: /s3cret-pw/ },
  { name: 'unparsable Binance URL with a password', args: ['--market', 'binance', '--binance-ws-url', 'ws://trader:s3cret-pw@[bad'], message: /--binance-ws-url must be a URL starting with ws:\/\/ or wss:\/\/.*not repeated/, absent: /s3cret-pw/ },
  { name: 'unparsable Kalshi URL with a password', args: ['--market', 'kalshi', '--kalshi-ws-url', 'ws://trader:s3cret-pw@[bad'], message: /--kalshi-ws-url must be a URL starting with ws:\/\/ or wss:\/\/.*not repeated/, absent: /s3cret-pw/ },
  { name: 'unknown flag', args: ['--markett', 'sim'], message: /unknown flag --markett/ },
  { name: 'stray argument', args: ['sim'], message: /unexpected argument "sim"/ },
  { name: 'non-loopback host without a token', args: ['--host', '0.0.0.0'], message: /not a loopback address: give a --token/ },
  { name: 'rate limit garbage', args: ['--rate-limit', '1e3'], message: /--rate-limit must be an integer/ },
  { name: 'env: port garbage', env: { SPREADCORE_PORT: 'eighty' }, message: /environment variable SPREADCORE_PORT: --port must be an integer from 0 to 65535, got "eighty"/ },
  { name: 'env: market garbage', env: { SPREADCORE_MARKET: 'nasdaq' }, message: /environment variable SPREADCORE_MARKET: --market must be .* got "nasdaq"/ },
  { name: 'env: feed port out of range', env: { SPREADCORE_FEED_PORT: '65536' }, message: /environment variable SPREADCORE_FEED_PORT: --feed-port must be an integer from 0 to 65535, got "65536"/ },
  { name: 'env: missing replay file', env: { SPREADCORE_MARKET: 'replay:nope.gz' }, message: /environment variable SPREADCORE_MARKET: --market replay:nope\.gz: cannot read nope\.gz: no such file/ },
  { name: 'env: seed garbage', env: { SPREADCORE_SEED: '-3' }, message: /environment variable SPREADCORE_SEED: --seed must be an integer/ },
  { name: 'env: rate burst zero', env: { SPREADCORE_RATE_BURST: '0' }, message: /environment variable SPREADCORE_RATE_BURST: --rate-burst must be an integer from 1/ },
  { name: 'risk limits: unknown limit', args: ['--risk-limits', '{"max_order_notionl": 500}'], message: /--risk-limits: max_order_notionl: unknown risk limit/ },
  { name: 'risk limits: negative band', args: ['--risk-limits', '{"price_band_bps": -1}'], message: /--risk-limits: price_band_bps: must be a positive number, got -1/ },
  { name: 'risk limits: not JSON', args: ['--risk-limits', '{max_order_notional: 5}'], message: /--risk-limits: not valid JSON .*expected e\.g\. \{"max_order_notional": 500/ },
  { name: 'risk limits: an array', args: ['--risk-limits', '[1]'], message: /--risk-limits: must be a JSON object of risk limits, got an array/ },
  { name: 'risk limits: missing file', args: ['--risk-limits', '/nonexistent/limits.json'], message: /--risk-limits \/nonexistent\/limits\.json: cannot read it: no such file/ },
  { name: 'risk limits: empty', args: ['--risk-limits', ''], message: /--risk-limits needs a JSON object or a JSON file/ },
  { name: 'env: risk limits half an order', env: { SPREADCORE_RISK_LIMITS: '{"order_burst": 1.5}' }, message: /environment variable SPREADCORE_RISK_LIMITS: --risk-limits: order_burst: must be a whole number of orders, got 1\.5/ },
];

describe('serve: bad values exit 2 before anything starts', () => {
  // child processes in parallel (each spends most of its time starting node)
  it.concurrent.for(CASES)('$name', { timeout: 20_000 }, async ({ args = [], env = {}, message, absent }, { expect }) => {
    const dataDir = join(tmp, `never-${Math.random().toString(36).slice(2)}`);
    const r = await serve(['--data-dir', dataDir, ...args], env);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    if (absent !== undefined) expect(r.stdout + r.stderr).not.toMatch(absent);
    expect(r.stdout).not.toMatch(/listening/);
    expect(existsSync(dataDir)).toBe(false); // nothing opened
  });

  it('a short token is refused without printing it (flag and environment)', async () => {
    const short = 'short-CANARY';
    for (const [args, env] of [[['--token', short], {}], [[], { SPREADCORE_API_TOKEN: short }], [['--token', `${CANARY} x`], {}]] as const) {
      const dataDir = join(tmp, `never-${Math.random().toString(36).slice(2)}`);
      const r = await serve(['--data-dir', dataDir, ...args], env);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--token \(or SPREADCORE_API_TOKEN\) must be at least 16 characters without spaces/);
      expect(r.stdout + r.stderr).not.toContain('CANARY');
      expect(existsSync(dataDir)).toBe(false);
    }
  }, 30_000);

  it('a port already in use is a runtime failure (exit 1) naming the address', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (blocker.address() as { port: number }).port;
      const r = await serve(['--data-dir', join(tmp, 'taken'), '--port', String(port)]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}`));
    } finally {
      blocker.close();
    }
  }, 20_000);
});
