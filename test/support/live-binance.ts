// Requests the live-trading tests make: signed ones to a Binance replica (as a client
// of the account would), the engine's control API, and polling with a bound.
import { createHmac, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type CliProcess } from './cli-process.js';
import { freePort } from './free-port.js';
import { sleep } from './wait.js';

/** A signed Binance REST request (HMAC over the query, or Ed25519 with a private KeyObject) to a replica; throws on a non-200 answer. */
export async function signedRequest<T>(
  baseUrl: string, key: string, secret: string | KeyObject, path: string, params: Record<string, string> = {},
  o: { method?: string; timestampMs?: number; recvWindowMs?: number } = {},
): Promise<T> {
  const q = new URLSearchParams({
    ...params, timestamp: String(o.timestampMs ?? Date.now()), ...(o.recvWindowMs !== undefined ? { recvWindow: String(o.recvWindowMs) } : {}),
  }).toString();
  const sig = typeof secret === 'string'
    ? createHmac('sha256', secret).update(q).digest('hex')
    : encodeURIComponent(sign(null, Buffer.from(q), secret).toString('base64'));
  const res = await fetch(`${baseUrl}${path}?${q}&signature=${sig}`, { method: o.method ?? 'GET', headers: { 'X-MBX-APIKEY': key } });
  const body = await res.json() as T;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A request to the engine's control API on 127.0.0.1:port: GET without a body, POST with one unless a method is given. */
export async function apiRequest<T>(port: number, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return await res.json() as T;
}

/** Polls cond every 200 ms until it holds; fails after timeoutMs naming what it waited for (and context(), e.g. a process's output). */
export async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs: number, context?: () => string): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context !== undefined ? `; ${context()}` : ''}`);
    await sleep(200);
  }
}

/**
 * Waits until the venue holds resting orders on both sides (a post-only quote can be refused for
 * a moment), so that whichever way the simulated market moves next, it meets one of them; on a
 * timeout says what was open, the risk gate's refusals and the venue's counters from serve's
 * GET /metrics (at `apiPort`, when given), and the end of serveOut().
 */
export async function waitBothSides(openOrders: () => Promise<unknown[]>, serveOut: () => string, timeoutMs = 60_000, apiPort?: number): Promise<void> {
  let lastOpen: unknown = null;
  let lastCounts = '';
  await waitUntil('orders on both sides at the venue again', async () => {
    const open = await openOrders() as { side: string }[];
    lastOpen = open;
    const sides = new Set(open.map((o) => o.side));
    if (apiPort !== undefined) {
      const text = await fetch(`http://127.0.0.1:${apiPort}/metrics`).then((r) => r.text()).catch(() => '');
      lastCounts = text.split('\n').filter((l) => /^spreadcore_(risk_denials_total|venue)\{/.test(l) && !/ 0$/.test(l)).join('; ');
    }
    return sides.has('BUY') && sides.has('SELL');
  }, timeoutMs, () => `open at the venue: ${JSON.stringify(lastOpen)}; counts: ${lastCounts}; serve: ${serveOut().slice(-3000)}`);
}

export interface LiveBinanceRun {
  /** serve's data directory (the caller removes it). */
  readonly dir: string;
  readonly replicaUrl: string;
  readonly apiPort: number;
  readonly serve: CliProcess;
}

/**
 * A Binance replica (`--seed`, the account's key and secret) and serve trading on it in
 * live spot-testnet mode with the tutorial's variables, in a new data directory named
 * after `prefix`; resolves once serve's control API listens.
 */
export async function startReplicaAndServe(prefix: string, seed: number, key: string, secret: string): Promise<LiveBinanceRun> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  await startCli(['replica', 'binance', '--port', String(port), '--seed', String(seed), '--api-key', key, '--api-secret', secret], /Ctrl-C stops it/);
  const replicaUrl = `http://127.0.0.1:${port}`;
  const apiPort = await freePort();
  const serve = await startLiveServe(apiPort, dir, replicaUrl, key, secret);
  return { dir, replicaUrl, apiPort, serve };
}

/** serve in live spot-testnet mode on the replica at replicaUrl (API on apiPort, data in dir); resolves once its API listens. */
export function startLiveServe(apiPort: number, dir: string, replicaUrl: string, key: string, secret: string): Promise<CliProcess> {
  return startCli(
    ['serve', '--port', String(apiPort), '--data-dir', dir, '--binance-rest-url', replicaUrl, '--rate-limit', '0'],
    /control API listening/,
    { VELOZ_EXECUTION_MODE: 'binance_testnet_spot', VELOZ_BINANCE_API_KEY: key, VELOZ_BINANCE_API_SECRET: secret },
    30_000,
  );
}

/** A USD-M Binance replica (`--futures`, `--seed`, the account's key and secret, `extra` flags after) and a new data directory named after `prefix`. */
export async function startUsdmReplica(prefix: string, seed: number, key: string, secret: string, extra: readonly string[] = []): Promise<{ dir: string; replicaUrl: string; apiPort: number }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  await startCli(['replica', 'binance', '--futures', '--port', String(port), '--seed', String(seed), '--api-key', key, '--api-secret', secret, ...extra], /Ctrl-C stops it/);
  return { dir, replicaUrl: `http://127.0.0.1:${port}`, apiPort: await freePort() };
}

/** serve in live USD-M testnet mode on the replica at replicaUrl (API on apiPort, data in dir, `extra` flags after); resolves once its API listens. */
export function startUsdmServe(apiPort: number, dir: string, replicaUrl: string, key: string, secret: string, extra: readonly string[] = []): Promise<CliProcess> {
  return startCli(
    ['serve', '--execution', 'binance-usdm-testnet', '--port', String(apiPort), '--data-dir', dir, '--binance-rest-url', replicaUrl, '--rate-limit', '0', ...extra],
    /control API listening/,
    { SPREADCORE_BINANCE_API_KEY: key, SPREADCORE_BINANCE_API_SECRET: secret },
    30_000,
  );
}
