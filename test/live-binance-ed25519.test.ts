// An Ed25519 API key, end to end: Binance recommends Ed25519 keys and accepts only them for
// WebSocket API session authentication (web-socket-api.md "Session Authentication").
//   - the replica's session.logon / session.status / session.logout: after a logon, SIGNED
//     requests carry only timestamp (no apiKey, no signature); an HMAC key cannot log on
//     (-1020); a logout makes signatures mandatory again;
//   - `spreadcore serve` with SPREADCORE_BINANCE_PRIVATE_KEY_FILE against `spreadcore replica
//     binance --ed25519-public-key`: the session logs on once, quotes rest at the venue
//     (read back with Ed25519-signed REST requests), and neither the key file's content
//     nor its path's secret part appears in anything printed or answered;
//   - a key file that is missing, not a key, or not Ed25519 exits 2 before anything binds.
import { createHmac, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { requireDist, runCli, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, signedRequest, waitUntil } from './support/live-binance.js';

const ED_KEY = 'ed-test-key-5c1d';
const HMAC_KEY = 'hmac-test-key-9e2a';
const HMAC_SECRET = 'hmac-test-secret-0b7f3e';

let dir = '';
let privateKey: KeyObject;
let privatePem = '';
let privFile = '';
let pubFile = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sc-ed25519-'));
  const pair = generateKeyPairSync('ed25519');
  privateKey = pair.privateKey;
  privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  privFile = join(dir, 'binance-ed25519.pem');
  pubFile = join(dir, 'binance-ed25519.pub.pem');
  writeFileSync(privFile, privatePem, { mode: 0o600 });
  writeFileSync(pubFile, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
});

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** A WebSocket API connection that answers requests in order. */
async function wsApi(url: string): Promise<{ call(method: string, params?: Record<string, unknown>): Promise<{ status: number; result?: any; error?: { code: number } }>; close(): void }> {
  const ws = new WebSocket(url);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  let next = 1;
  const waiting = new Map<number, (m: any) => void>();
  ws.on('message', (d) => { const m = JSON.parse(d.toString()); waiting.get(m.id)?.(m); waiting.delete(m.id); });
  return {
    call(method, params) {
      const id = next++;
      return new Promise((r) => { waiting.set(id, r); ws.send(JSON.stringify({ id, method, ...(params !== undefined ? { params } : {}) })); });
    },
    close() { ws.close(); },
  };
}

/** WS API parameters signed as web-socket-api.md says: every parameter but signature, sorted, k=v joined by &. */
function edSigned(params: Record<string, unknown>): Record<string, unknown> {
  const payload = Object.keys(params).sort().map((k) => `${k}=${String(params[k])}`).join('&');
  return { ...params, signature: sign(null, Buffer.from(payload), privateKey).toString('base64') };
}

describe('the replica\'s session authentication', () => {
  let replica: BinanceReplica;
  beforeAll(async () => {
    replica = await BinanceReplica.start({
      market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
      apiKeys: [
        { apiKey: ED_KEY, ed25519PublicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() },
        { apiKey: HMAC_KEY, secret: HMAC_SECRET },
      ],
    });
  });
  afterAll(async () => { await replica?.close(); });

  it('logs on with an Ed25519 key; then SIGNED requests need no apiKey or signature; an HMAC key cannot log on; logout ends it', async () => {
    const c = await wsApi(`${replica.wsUrl}/ws-api/v3`);
    try {
      const before = await c.call('session.status');
      expect(before.result).toMatchObject({ apiKey: null, authorizedSince: null });
      // unauthenticated: a request without apiKey is refused
      const refused = await c.call('openOrders.status', { symbol: 'BTCUSDT', timestamp: Date.now() });
      expect(refused.status).toBe(401);
      // an HMAC key's (valid) signature does not open a session
      const hp: Record<string, unknown> = { apiKey: HMAC_KEY, timestamp: Date.now() };
      const hs = createHmac('sha256', HMAC_SECRET).update(Object.keys(hp).sort().map((k) => `${k}=${String(hp[k])}`).join('&')).digest('hex');
      const hmacLogon = await c.call('session.logon', { ...hp, signature: hs });
      expect(hmacLogon).toMatchObject({ status: 400, error: { code: -1020 } });
      // a bad Ed25519 signature neither
      const bad = edSigned({ apiKey: ED_KEY, timestamp: Date.now() });
      const badLogon = await c.call('session.logon', { ...bad, timestamp: Number(bad['timestamp']) + 1 });
      expect(badLogon).toMatchObject({ status: 400, error: { code: -1022 } });
      const logon = await c.call('session.logon', edSigned({ apiKey: ED_KEY, timestamp: Date.now() }));
      expect(logon.status).toBe(200);
      expect(logon.result).toMatchObject({ apiKey: ED_KEY, userDataStream: false });
      expect(typeof logon.result.authorizedSince).toBe('number');
      const open = await c.call('openOrders.status', { symbol: 'BTCUSDT', timestamp: Date.now() });
      expect(open).toMatchObject({ status: 200, result: [] });
      // the timestamp rules still apply on a session
      const stale = await c.call('openOrders.status', { symbol: 'BTCUSDT', timestamp: Date.now() - 60_000 });
      expect(stale).toMatchObject({ status: 400, error: { code: -1021 } });
      expect((await c.call('session.status')).result).toMatchObject({ apiKey: ED_KEY });
      const out = await c.call('session.logout');
      expect(out.result).toMatchObject({ apiKey: null });
      const after = await c.call('openOrders.status', { symbol: 'BTCUSDT', timestamp: Date.now() });
      expect(after.status).toBe(401);
    } finally {
      c.close();
    }
  });
});

describe('serve with an Ed25519 key against the replica', () => {
  let replica: CliProcess;
  let replicaUrl = '';
  beforeAll(async () => {
    requireDist();
    const port = await freePort();
    replica = await startCli(['replica', 'binance', '--port', String(port), '--seed', '7', '--api-key', ED_KEY, '--ed25519-public-key', pubFile], /Ctrl-C stops it/);
    replicaUrl = `http://127.0.0.1:${port}`;
  }, 60_000);

  it('logs the WebSocket API session on, quotes at the venue, never prints the key', async () => {
    const apiPort = await freePort();
    const serve = await startCli(
      ['serve', '--port', String(apiPort), '--data-dir', join(dir, 'data'), '--binance-rest-url', replicaUrl, '--rate-limit', '0'],
      /control API listening/,
      { SPREADCORE_EXECUTION_MODE: 'binance-spot-testnet', SPREADCORE_BINANCE_API_KEY: ED_KEY, SPREADCORE_BINANCE_PRIVATE_KEY_FILE: privFile },
      30_000,
    );
    const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'ed_mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 0.5, order_size: 0.001, max_position: 0.005, quote_levels: 1 },
    });
    expect(load.ok).toBe(true);
    await api('/api/strategy/ed_mm/start', {});
    const venueOpen = (): Promise<unknown[]> => signedRequest<unknown[]>(replicaUrl, ED_KEY, privateKey, '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    await waitUntil('orders at the venue', async () => (await venueOpen()).length > 0, 30_000, serve.out);
    const metrics = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
    expect(metrics).toMatch(/spreadcore_venue\{venue="binance",name="ws_api_logons"\} 1\b/);
    expect(metrics).toMatch(/spreadcore_venue\{venue="binance",name="ws_api_logonFailures"\} 0\b/);
    await api('/api/strategy/ed_mm/stop', {});
    await waitUntil('no open order at the venue', async () => (await venueOpen()).length === 0, 20_000);
    const health = await (await fetch(`http://127.0.0.1:${apiPort}/api/health`)).text();
    const keyBody = privatePem.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
    for (const text of [serve.out(), health, metrics]) {
      expect(text).not.toContain(keyBody.slice(0, 24));
      expect(text).not.toContain('PRIVATE KEY');
    }
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);

  it('a missing, unreadable or non-Ed25519 key file exits 2 naming the file, not its content', async () => {
    const notKey = join(dir, 'not-a-key.pem');
    writeFileSync(notKey, 'hello\n');
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const env = (file: string): Record<string, string> => ({ SPREADCORE_EXECUTION_MODE: 'binance-spot-testnet', SPREADCORE_BINANCE_API_KEY: ED_KEY, SPREADCORE_BINANCE_PRIVATE_KEY_FILE: file });
    const args = ['serve', '--port', '0', '--data-dir', join(dir, 'bad'), '--binance-rest-url', replicaUrl];
    const missing = await runCli(args, env(join(dir, 'nope.pem')));
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/cannot read .*nope\.pem.*ENOENT/);
    const garbage = await runCli(args, env(notKey));
    expect(garbage.code).toBe(2);
    expect(garbage.out).toMatch(/not a PKCS#8 PEM private key/);
    expect(garbage.out).not.toContain('hello');
    const wrong = await runCli(args, env(rsa));
    expect(wrong.code).toBe(2);
    expect(wrong.out).toMatch(/holds a rsa key/);
    const both = await runCli(args, { ...env(privFile), SPREADCORE_BINANCE_API_SECRET: 'x'.repeat(20) });
    expect(both.code).toBe(2);
    expect(both.out).toMatch(/not both/);
    expect(both.out).not.toContain('x'.repeat(20));
  }, 120_000);
});
