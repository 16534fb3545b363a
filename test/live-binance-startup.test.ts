// `spreadcore serve` in live mode refusing to start, as a user meets it: a wrong API key,
// a secret that is not the key's, a symbol the venue does not list. Real processes: the
// Binance replica (spot and USD-M) and serve with the tutorial's variables. Each ends
// with exit 1 and one line saying what to check, promptly (no connection left open
// holding the process), never as an "internal error", and never with a key in it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, runCli, startCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';

const KEY = 'startup-test-key-5c1e';
const SECRET = 'startup-test-secret-9a7f03';
const WRONG_KEY = 'startup-wrong-key-2b8d';
const WRONG_SECRET = 'startup-wrong-secret-e6f4';

let dir = '';
let spotUrl = '';
let usdmUrl = '';

/** serve in a live mode until it exits (killed after timeoutMs: then code is null). */
async function serve(mode: string, restUrl: string, key: string, secret: string, extra: string[] = [], timeoutMs = 20_000): Promise<{ code: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  const port = await freePort();
  const r = await runCli(
    ['serve', '--port', String(port), '--data-dir', mkdtempSync(join(dir, 'd-')), '--binance-rest-url', restUrl, ...extra],
    { VELOZ_EXECUTION_MODE: mode, VELOZ_BINANCE_API_KEY: key, VELOZ_BINANCE_API_SECRET: secret },
    timeoutMs,
  );
  return { ...r, ms: Date.now() - t0 };
}

function noKeys(out: string): void {
  for (const k of [KEY, SECRET, WRONG_KEY, WRONG_SECRET]) expect(out).not.toContain(k);
  expect(out).not.toContain('internal error');
}

beforeAll(async () => {
  requireDist();
  dir = mkdtempSync(join(tmpdir(), 'sc-live-start-'));
  const [sp, up] = [await freePort(), await freePort()];
  await Promise.all([
    startCli(['replica', 'binance', '--port', String(sp), '--api-key', KEY, '--api-secret', SECRET], /Ctrl-C stops it/),
    startCli(['replica', 'binance', '--futures', '--port', String(up), '--api-key', KEY, '--api-secret', SECRET], /Ctrl-C stops it/),
  ]);
  spotUrl = `http://127.0.0.1:${sp}`;
  usdmUrl = `http://127.0.0.1:${up}`;
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('serve in live mode refuses to start, saying why', () => {
  it('USD-M, nothing answering at the REST URL: exit 1 saying so and what to check, not a classification', async () => {
    const closed = await freePort(); // nothing listens there
    const r = await serve('binance_testnet_futures', `http://127.0.0.1:${closed}`, KEY, SECRET, [], 15_000);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`cannot connect to Binance (binance-usdm-testnet, http://127.0.0.1:${closed}): no answer from http://127.0.0.1:${closed} (network error on GET /fapi/v1/time): `
      + 'check --binance-rest-url (SPREADCORE_BINANCE_REST_URL) and that this machine reaches it');
    expect(r.out).not.toContain('[unknown_outcome]');
    noKeys(r.out);
  }, 30_000);

  it('spot, a secret that is not the key\'s: exit 1, "refused the request signature", names the secret\'s variables', async () => {
    const r = await serve('binance_testnet_spot', spotUrl, KEY, WRONG_SECRET);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`cannot start trading on Binance (binance-spot-testnet, ${spotUrl}): Binance refused the request signature (-1022`);
    expect(r.out).toContain('VELOZ_BINANCE_API_SECRET');
    noKeys(r.out);
  }, 30_000);

  it('spot, an API key the venue does not know: exit 1, "refused the API key"', async () => {
    const r = await serve('binance_testnet_spot', spotUrl, WRONG_KEY, SECRET);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Binance refused the API key (-2015');
    expect(r.out).toContain('VELOZ_BINANCE_API_KEY');
    noKeys(r.out);
  }, 30_000);

  it('USD-M, a secret that is not the key\'s, and an unknown key: the same messages', async () => {
    const a = await serve('binance_testnet_futures', usdmUrl, KEY, WRONG_SECRET);
    expect(a.code).toBe(1);
    expect(a.out).toContain(`cannot start trading on Binance (binance-usdm-testnet, ${usdmUrl}): Binance refused the request signature (-1022`);
    noKeys(a.out);
    const b = await serve('binance_testnet_futures', usdmUrl, WRONG_KEY, SECRET);
    expect(b.code).toBe(1);
    expect(b.out).toContain('Binance refused the API key (-2015');
    noKeys(b.out);
  }, 60_000);

  it('spot, a symbol the venue does not list: exit 2 (a bad --symbols) at once (the WebSocket API connection does not hold the process)', async () => {
    const r = await serve('binance_testnet_spot', spotUrl, KEY, SECRET, ['--symbols', 'FOOUSDT'], 15_000);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`--symbols: Binance spot (${spotUrl}) does not list FOOUSDT in its exchangeInfo`);
    expect(r.ms).toBeLessThan(12_000);
    noKeys(r.out);
  }, 30_000);
});
