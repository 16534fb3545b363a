// `spreadcore replica polymarket` as a user runs it (dist/, a child process): prints its
// URLs and markets as JSON, derives an API key with L1 headers, serves a book and the
// market channel, takes a signed order with L2 headers, stops on SIGINT; bad command lines
// exit with status 2.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { privateKeyToAccount } from 'viem/accounts';
import WebSocket from 'ws';
import { orderAmounts } from '../src/venues/polymarket/amounts.js';
import { contractsFor, exchangeFor } from '../src/venues/polymarket/endpoints.js';
import { l1Headers } from '../src/venues/polymarket/l1-auth.js';
import { l2Headers } from '../src/venues/polymarket/l2-auth.js';
import { signOrderV2 } from '../src/venues/polymarket/order-signing.js';
import { startCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { BIN, ROOT, spreadcore } from './support/run-cli.js';

const account = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => { for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL'); });

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('spreadcore replica polymarket', () => {
  it('runs, serves REST and the market channel, takes a signed order, stops on SIGINT', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'replica', 'polymarket', '--port', String(port), '--seed', '3', '--step-ms', '50', '--json'], { cwd: ROOT });
    children.push(child);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const line = await until('listening line', () => out.split('\n').find((l) => l.includes('"listening"')));
    const info = JSON.parse(line) as { venue: string; chainId: number; urls: Record<string, string>; markets: Array<{ yes: string; tick_size: string; neg_risk: boolean }> };
    expect(info.venue).toBe('polymarket');
    expect(info.chainId).toBe(137);
    expect(new Set(info.markets.map((m) => m.tick_size)).size).toBeGreaterThanOrEqual(3);
    expect(info.markets.some((m) => m.neg_risk)).toBe(true);
    const base = info.urls['rest']!;
    expect(await (await fetch(`${base}/version`)).json()).toEqual({ version: 2 });
    const m = info.markets.find((x) => x.tick_size === '0.01' && !x.neg_risk)!;
    const book = (await (await fetch(`${base}/book?token_id=${m.yes}`)).json()) as { bids: unknown[]; asks: unknown[]; tick_size: string };
    expect(book.tick_size).toBe('0.01');
    expect(book.bids.length).toBeGreaterThan(0);
    expect((await fetch(`${base}/book?token_id=123`)).status).toBe(404);
    // market channel
    const first = await new Promise<unknown>((resolve, reject) => {
      const ws = new WebSocket(info.urls['marketWs']!);
      const t = setTimeout(() => { ws.terminate(); reject(new Error('no book')); }, 10_000);
      ws.on('open', () => ws.send(JSON.stringify({ assets_ids: [m.yes], type: 'market' })));
      ws.once('message', (d: Buffer) => { clearTimeout(t); ws.close(); resolve(JSON.parse(d.toString())); });
    });
    expect((first as Array<{ event_type: string; asset_id: string }>)[0]).toMatchObject({ event_type: 'book', asset_id: m.yes });
    // L1 → API key, then a signed order with L2 headers
    const h1 = await l1Headers(account, 137, Math.floor(Date.now() / 1000));
    const creds = (await (await fetch(`${base}/auth/derive-api-key`, { headers: { ...h1 } })).json()) as { apiKey: string; secret: string; passphrase: string };
    expect(creds.apiKey).toMatch(/^[0-9a-f-]{36}$/);
    const o = await signOrderV2(account, 137, exchangeFor(contractsFor(137), false), { tokenId: m.yes, side: 'BUY', ...orderAmounts('BUY', 2, 1000, '0.01') });
    const body = JSON.stringify({ order: o, owner: creds.apiKey, orderType: 'GTC', postOnly: true, deferExec: false });
    const c = { key: creds.apiKey, secret: creds.secret, passphrase: creds.passphrase };
    const r = await fetch(`${base}/order`, { method: 'POST', headers: { ...l2Headers(account.address, c, Math.floor(Date.now() / 1000), 'POST', '/order', body), 'content-type': 'application/json' }, body });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ success: true, status: 'live' });
    expect(r.headers.get('poly-ratelimit-remaining')).not.toBeNull();
    const state = (await (await fetch(`${base}/__replica/state`)).json()) as { orders: unknown[]; counters: { ordersAccepted: number } };
    expect(state.counters.ordersAccepted).toBe(1);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('"stopped"');
  });

  it('starts with the faults --faults names, every one POST /__replica/faults takes but disconnect', async () => {
    try {
      const p = await startCli(['replica', 'polymarket', '--port', '0', '--json', '--step-ms', '0', '--faults', '{"userChannelDown":true,"failRequests":2,"omitLevelRemovals":1}'], /\{"event":"listening".*\}\n/);
      const base = (JSON.parse(p.match[0]) as { urls: { rest: string } }).urls.rest;
      expect(await (await fetch(`${base}/__replica/faults`)).json()).toMatchObject({ userChannelDown: true, failRequests: 2, omitLevelRemovals: 1, rejectOrders: 0 });
    } finally {
      stopAll();
    }
  });

  it('runs beside the Kalshi replica with both default ports (8092 and 8093)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-pm-ports-'));
    try {
      const k = await startCli(['replica', 'kalshi', '--json', '--key-dir', dir], /"event":"listening"/);
      const p = await startCli(['replica', 'polymarket', '--json', '--step-ms', '0'], /\{"event":"listening".*\}\n/);
      expect(k.out()).toContain('http://127.0.0.1:8092/trade-api/v2');
      expect((JSON.parse(p.match[0]) as { urls: { rest: string } }).urls.rest).toBe('http://127.0.0.1:8093');
      expect((await fetch('http://127.0.0.1:8093/version').then((r) => r.json())) as unknown).toEqual({ version: 2 });
    } finally {
      stopAll();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('refuses bad command lines with status 2', async () => {
    for (const args of [
      ['--chain-id', '1'], ['--port', 'x'], ['--faults', '{"nope":1}'], ['--faults', '{"failRequests":"x"}'], ['--faults', '{"rejectOrders":-2}'],
      ['--faults', '{"userChannelDown":"yes"}'], ['--faults', '{"disconnect":true}'], ['--faults', '[1]'], ['--mined-ms', '900', '--confirmed-ms', '100'], ['extra'],
    ]) {
      const r = await spreadcore(['replica', 'polymarket', ...args], '');
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.length).toBeGreaterThan(0);
    }
  });
});
